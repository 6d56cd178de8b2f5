/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-patch.h: metadata of a finished patch module, as written by
 * create-klp-module / create-kpatch-module and read by the hooks
 * (livepatch-patch-hook.c, kpatch-patch-hook.c).
 *
 * Every pointer field is zero in the file and filled by an R_X86_64_64
 * relocation, so the module loader turns them into addresses.  The layout
 * is plain C types only, so the generators (userspace) include this file
 * too and check it against kpatch-intermediate.h at compile time.
 *
 * Sections of a finished module (both formats unless noted):
 *
 *   .kpatch.funcs        struct kpatch_meta_func[]: the functions to
 *                        redirect.  Same layout as the intermediate
 *                        struct kpatch_patch_func, so it is kept as linked.
 *   .kpatch.callbacks.{pre_patch,post_patch,pre_unpatch,post_unpatch}
 *                        struct kpatch_meta_callback[] (layout of
 *                        kpatch-macros.h's struct kpatch_callback).
 *   .kpatch.force        unsigned long[]: new addresses of the functions
 *                        marked KPATCH_FORCE_UNSAFE (kpatch format only;
 *                        create-klp-module refuses them).
 *   .kpatch.dynrelas     struct kpatch_meta_dynrela[] (kpatch format
 *                        only): relocations in the patch module's code and
 *                        data that kpatch.ko resolves and writes at load.
 *   .kpatch.strings      the names the above point to.
 *
 * In the livepatch format the relocations the kernel resolves are
 * .klp.rela.OBJ..SECTION sections instead (Documentation/livepatch/
 * module-elf-format.rst), and .kpatch.dynrelas does not exist.
 *
 * The hooks find the sections through the symbols below.  The hook
 * declares them weak and undefined; the generator defines each pair at the
 * start and the end of its section.  A module that was linked but not run
 * through a generator has them undefined (NULL), and its hook refuses to
 * load instead of running code whose relocations were never written.
 */
#ifndef _KPATCH_PATCH_H_
#define _KPATCH_PATCH_H_

#define KPATCH_META_VERSION 1

/* Object name of the kernel image in every objname field. */
#define KPATCH_META_VMLINUX "vmlinux"

/* Marker symbols defined by the generators (start, end of each section). */
#define KPATCH_SYM_FUNCS		"__kpatch_funcs"
#define KPATCH_SYM_FUNCS_END		"__kpatch_funcs_end"
#define KPATCH_SYM_DYNRELAS		"__kpatch_dynrelas"
#define KPATCH_SYM_DYNRELAS_END		"__kpatch_dynrelas_end"
#define KPATCH_SYM_FORCE		"__kpatch_force"
#define KPATCH_SYM_FORCE_END		"__kpatch_force_end"
#define KPATCH_SYM_PRE_PATCH		"__kpatch_callbacks_pre_patch"
#define KPATCH_SYM_PRE_PATCH_END	"__kpatch_callbacks_pre_patch_end"
#define KPATCH_SYM_POST_PATCH		"__kpatch_callbacks_post_patch"
#define KPATCH_SYM_POST_PATCH_END	"__kpatch_callbacks_post_patch_end"
#define KPATCH_SYM_PRE_UNPATCH		"__kpatch_callbacks_pre_unpatch"
#define KPATCH_SYM_PRE_UNPATCH_END	"__kpatch_callbacks_pre_unpatch_end"
#define KPATCH_SYM_POST_UNPATCH		"__kpatch_callbacks_post_unpatch"
#define KPATCH_SYM_POST_UNPATCH_END	"__kpatch_callbacks_post_unpatch_end"

/* One patched function. */
struct kpatch_meta_func {
	unsigned long new_addr;		/* the replacement function */
	unsigned long new_size;
	unsigned long old_addr;		/* link-time address; informational
					   only (KASLR): hooks resolve by name */
	unsigned long old_size;
	unsigned long sympos;		/* 0: unique in its object, else the
					   1-based position among same-named
					   symbols in kallsyms order */
	const char *name;
	const char *objname;		/* "vmlinux" or the module name */
};

/* One callback (kpatch-macros.h KPATCH_*_CALLBACK). */
struct kpatch_meta_callback {
	void *fn;
	const char *objname;		/* object the callback belongs to */
};

/*
 * One relocation the core module writes (kpatch format).
 *
 * Semantics agreed with kmod/core: the dynrela belongs to the object that
 * DEFINES the symbol (objname), so it is written when that object is
 * present: at registration for vmlinux and loaded modules, when the module
 * loads otherwise.  The core looks up NAME (at SYMPOS, as in
 * kpatch_meta_func) among the symbols of OBJNAME; when EXTERNAL is set the
 * symbol is exported by OBJNAME and looked up by name among exported
 * symbols.  Then it computes, as the module loader would,
 *   val = symbol address + ADDEND
 *   R_X86_64_64:           *(u64 *)dest = val
 *   R_X86_64_32:           *(u32 *)dest = val (must fit unsigned)
 *   R_X86_64_32S:          *(s32 *)dest = val (must fit signed)
 *   R_X86_64_PC32, PLT32:  *(s32 *)dest = val - dest (must fit signed)
 * (the generators refuse other types).  The bytes at DEST are zero in the
 * module as built.  DEST lies in the
 * patch module's own text or data, which may be read-only by then.
 */
struct kpatch_meta_dynrela {
	unsigned long dest;		/* reloc -> the location to write */
	unsigned long type;		/* R_X86_64_* */
	unsigned long sympos;
	long addend;
	const char *name;		/* symbol to resolve */
	const char *objname;		/* object defining the symbol */
	int external;			/* exported by OBJNAME: by name only */
	int pad;
};

#endif /* _KPATCH_PATCH_H_ */
