/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-syscall.h: KPATCH_SYSCALL_DEFINE0..6, drop-in replacements for
 * SYSCALL_DEFINE0..6 in a patch that changes the body of an existing
 * system call:
 *
 *	-SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 *	+KPATCH_SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 *
 * Why: on x86_64 (kernels 4.17 and later) SYSCALL_DEFINEn(NAME) makes the
 * pt_regs entry points __x64_sys_NAME and, with IA32_EMULATION,
 * __ia32_sys_NAME, which decode the registers and call the body,
 * __do_sys_NAME, through __se_sys_NAME (sign extension, inlined).  The
 * body is "static inline", and kernel inline functions are notrace: when
 * gcc keeps it out of line it has no __fentry__ call and cannot be
 * patched, while the entry points, which can, do not change.  These macros
 * name the body __kpatch_do_sys_NAME instead, so in the patched object it
 * is a new function, the entry points change (they call it) and the patch
 * replaces them.  Everything else SYSCALL_DEFINE makes (the trace
 * metadata, the error-injection entries) is made the same way as in the
 * original, so it does not count as a change.
 *
 * SYSCALL_DEFINE0 needs no such help: its body is an ordinary function
 * with the entry points as aliases.  KPATCH_SYSCALL_DEFINE0 is provided so
 * patches can use one spelling.
 */
#ifndef _KPATCH_SYSCALL_H_
#define _KPATCH_SYSCALL_H_

#include <linux/syscalls.h>
#include <linux/version.h>

#if !defined(CONFIG_X86_64)
#error "kpatch-syscall.h: KPATCH_SYSCALL_DEFINE supports x86_64 only"
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 7, 0)
#define __KPATCH_X64_SYS_STUBx(x, name, ...)				\
	__X64_SYS_STUBx(x, name, __VA_ARGS__)
#else
/* Before 5.7 __SYSCALL_DEFINEx wrote the x86_64 stub itself. */
#define __KPATCH_X64_SYS_STUBx(x, name, ...)				\
	asmlinkage long __x64_sys##name(const struct pt_regs *regs);	\
	ALLOW_ERROR_INJECTION(__x64_sys##name, ERRNO);			\
	asmlinkage long __x64_sys##name(const struct pt_regs *regs)	\
	{								\
		return __se_sys##name(SC_X86_64_REGS_TO_ARGS(x, __VA_ARGS__)); \
	}
#endif

/* The kernel's x86 __SYSCALL_DEFINEx, with the body renamed. */
#define __KPATCH_SYSCALL_DEFINEx(x, name, ...)				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));	\
	static inline long						\
	__kpatch_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__));	\
	__KPATCH_X64_SYS_STUBx(x, name, __VA_ARGS__)			\
	__IA32_SYS_STUBx(x, name, __VA_ARGS__)				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))	\
	{								\
		long ret = __kpatch_do_sys##name(			\
				__MAP(x, __SC_CAST, __VA_ARGS__));	\
		__MAP(x, __SC_TEST, __VA_ARGS__);			\
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));	\
		return ret;						\
	}								\
	static inline long						\
	__kpatch_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

#define KPATCH_SYSCALL_DEFINEx(x, sname, ...)				\
	SYSCALL_METADATA(sname, x, __VA_ARGS__)				\
	__KPATCH_SYSCALL_DEFINEx(x, sname, __VA_ARGS__)

#define KPATCH_SYSCALL_DEFINE0(sname)	SYSCALL_DEFINE0(sname)
#define KPATCH_SYSCALL_DEFINE1(name, ...)				\
	KPATCH_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...)				\
	KPATCH_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...)				\
	KPATCH_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...)				\
	KPATCH_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...)				\
	KPATCH_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...)				\
	KPATCH_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif /* _KPATCH_SYSCALL_H_ */
