/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-syscall.h: KPATCH_SYSCALL_DEFINE0..6, drop-in replacements for
 * SYSCALL_DEFINE0..6 in a patch that changes the body of an existing
 * system call:
 *
 *	-SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 *	+KPATCH_SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 *
 * They define the same functions as the kernel's x86_64 pt_regs wrappers
 * (kernels 4.17 and later): __x64_sys_NAME and, with IA32_EMULATION,
 * __ia32_sys_NAME, which decode the registers and call the static
 * __se_sys_NAME (sign extension) and the static inline __do_sys_NAME (the
 * body).  What SYSCALL_DEFINE adds besides the functions is left out:
 * the ftrace syscall metadata (SYSCALL_METADATA: static trace event data
 * and __syscalls_metadata entries, which a patch module must not
 * duplicate) and the error-injection list entries.  The running kernel
 * keeps its own copies of both for the syscall.
 */
#ifndef _KPATCH_SYSCALL_H_
#define _KPATCH_SYSCALL_H_

#include <linux/syscalls.h>
#include <linux/version.h>

#if !defined(CONFIG_X86_64)
#error "kpatch-syscall.h: KPATCH_SYSCALL_DEFINE supports x86_64 only"
#endif

/* The pt_regs stub, like the kernel's __SYS_STUBx minus error injection. */
#define __KPATCH_SYS_STUBx(abi, name, ...)				\
	long __##abi##_##name(const struct pt_regs *regs);		\
	long __##abi##_##name(const struct pt_regs *regs)		\
	{								\
		return __se_##name(__VA_ARGS__);			\
	}

/* SYSCALL_DEFINE0's stubs are aliases of __do_sys_NAME; so are these. */
#define __KPATCH_SYS_STUB0(abi, name)					\
	long __##abi##_##name(const struct pt_regs *regs)		\
		__alias(__do_##name);

#define __KPATCH_X64_SYS_STUBx(x, name, ...)				\
	__KPATCH_SYS_STUBx(x64, sys##name,				\
			   SC_X86_64_REGS_TO_ARGS(x, __VA_ARGS__))

#ifdef CONFIG_IA32_EMULATION
#define __KPATCH_IA32_SYS_STUBx(x, name, ...)				\
	__KPATCH_SYS_STUBx(ia32, sys##name,				\
			   SC_IA32_REGS_TO_ARGS(x, __VA_ARGS__))
#define __KPATCH_IA32_SYS_STUB0(name)	__KPATCH_SYS_STUB0(ia32, sys_##name)
#else
#define __KPATCH_IA32_SYS_STUBx(x, name, ...)
#define __KPATCH_IA32_SYS_STUB0(name)
#endif

#define __KPATCH_SYSCALL_DEFINEx(x, name, ...)				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));	\
	static inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__)); \
	__KPATCH_X64_SYS_STUBx(x, name, __VA_ARGS__)			\
	__KPATCH_IA32_SYS_STUBx(x, name, __VA_ARGS__)			\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))	\
	{								\
		long ret = __do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__)); \
		__MAP(x, __SC_TEST, __VA_ARGS__);			\
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));	\
		return ret;						\
	}								\
	static inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

/* The 0-argument form as SYSCALL_DEFINE0 has it since 5.7. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 7, 0)
#define KPATCH_SYSCALL_DEFINE0(sname)					\
	static long __do_sys_##sname(const struct pt_regs *__unused);	\
	__KPATCH_SYS_STUB0(x64, sys_##sname)				\
	__KPATCH_IA32_SYS_STUB0(sname)					\
	static long __do_sys_##sname(const struct pt_regs *__unused)
#endif

#define KPATCH_SYSCALL_DEFINE1(name, ...)				\
	__KPATCH_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...)				\
	__KPATCH_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...)				\
	__KPATCH_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...)				\
	__KPATCH_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...)				\
	__KPATCH_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...)				\
	__KPATCH_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif /* _KPATCH_SYSCALL_H_ */
