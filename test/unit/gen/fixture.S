/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fixture.S: a hand-made create-diff-object output (kpatch-intermediate.h)
 * for the generator tests, independent of create-diff-object.
 *
 * It replaces vmlinux's cmdline_proc_show() with a version that prints
 * "fixture " before the command line.  The reference to the non-exported
 * saved_command_line is left out of .rela.text (zero displacement) and
 * listed in .kpatch.relocations, as create-diff-object does; the calls to
 * the exported seq_puts/seq_putc/_printk stay normal relocations.  A
 * post-patch callback logs "fixture: post_patch vmlinux".
 *
 * Variants (-D...) break one thing each for the error tests.
 */

#define R_X86_64_PC32	2
#define STB_GLOBAL	1
#define STT_OBJECT	1

	.section .text.cmdline_proc_show, "ax", @progbits
	.type	cmdline_proc_show, @function
cmdline_proc_show:
	push	%rbx
	mov	%rdi, %rbx
	lea	.Lprefix(%rip), %rsi
	call	seq_puts
	/* mov saved_command_line(%rip), %rsi -- resolved at load */
	.byte	0x48, 0x8b, 0x35
.Ldest:
#ifdef NONZERO_DEST
	.long	0x1234
#else
	.long	0
#endif
	mov	%rbx, %rdi
	call	seq_puts
	mov	%rbx, %rdi
	mov	$10, %esi
	call	seq_putc
	xor	%eax, %eax
	pop	%rbx
	ret
	.size	cmdline_proc_show, . - cmdline_proc_show

	.section .text.fixture_post_patch, "ax", @progbits
	.type	fixture_post_patch, @function
fixture_post_patch:
	lea	.Lpost_msg(%rip), %rdi
	call	_printk
	ret
	.size	fixture_post_patch, . - fixture_post_patch

	.section .rodata.fixture, "a", @progbits
.Lprefix:
	.string	"fixture "
.Lpost_msg:
	.string	"\0016fixture: post_patch vmlinux\n"

#ifdef NO_STRINGS
	.section .rodata.names, "aMS", @progbits, 1
#else
	.section .kpatch.strings, "aMS", @progbits, 1
#endif
.Lname:
	.string	"cmdline_proc_show"
.Lvmlinux:
#ifdef BAD_OBJNAME
	.string	"vm-linux"
#else
	.string	"vmlinux"
#endif
.Lsym:
	.string	"saved_command_line"

#ifndef NO_FUNCS
	.section .kpatch.funcs, "a", @progbits
	.balign	8
	.quad	cmdline_proc_show		/* new_addr */
	.quad	0x2a				/* new_size */
	.quad	0				/* old_addr */
	.quad	0				/* old_size */
	.quad	0				/* sympos */
#ifdef NO_NAME_RELOC
	.quad	0
#else
	.quad	.Lname				/* name */
#endif
	.quad	.Lvmlinux			/* objname */
#ifdef SHORT_FUNCS
	.quad	0
#endif
#endif

#ifdef NO_SYMBOLS
#define KSYM .Lsym
#else
#define KSYM .Lksym
	.section .kpatch.symbols, "a", @progbits
	.balign	8
.Lksym:
	.quad	0				/* src */
	.quad	0				/* sympos */
	.byte	STB_GLOBAL, STT_OBJECT, 0, 0, 0, 0, 0, 0
	.quad	.Lsym				/* name */
	.quad	.Lvmlinux			/* objname */
#endif

	.section .kpatch.relocations, "a", @progbits
	.balign	8
	.quad	.Ldest				/* dest */
#ifdef BAD_TYPE
	.long	24
#else
	.long	R_X86_64_PC32			/* type */
#endif
	.long	0				/* external */
	.quad	-4				/* addend */
	.quad	.Lvmlinux			/* objname */
	.quad	KSYM				/* ksym */

	.section .kpatch.callbacks.post_patch, "a", @progbits
	.balign	8
	.quad	fixture_post_patch
	.quad	.Lvmlinux
#ifdef TWO_CALLBACKS
	.quad	fixture_post_patch
	.quad	.Lvmlinux
#endif

#ifdef FORCE
	.section .kpatch.force, "a", @progbits
	.balign	8
	.quad	cmdline_proc_show
#endif
