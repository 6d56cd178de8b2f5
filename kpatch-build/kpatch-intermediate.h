/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-intermediate.h: the metadata create-diff-object writes into its
 * OUTPUT.o, read by create-klp-module and create-kpatch-module.
 *
 * Every pointer-sized field that refers to code, data or a string is zero in
 * the section contents and filled by an R_X86_64_64 relocation in the
 * section's .rela section (so the linker and the generators see real symbol
 * references).  Strings live in .kpatch.strings (NUL-separated).
 *
 * Sections:
 *   .kpatch.funcs         struct kpatch_patch_func[]: one per patched function
 *   .kpatch.symbols       struct kpatch_symbol[]: symbols the loader resolves
 *   .kpatch.relocations   struct kpatch_relocation[]: one per relocation in
 *                         the patch code whose target the loader resolves
 *                         (non-exported globals, locals, module symbols)
 *   .kpatch.strings       names referenced above
 *   .kpatch.callbacks.{pre_patch,post_patch,pre_unpatch,post_unpatch}
 *                         struct kpatch_callback[] (from kpatch-macros.h;
 *                         create-diff-object fills objname)
 *   .kpatch.force         unsigned long[]: relocated to functions marked
 *                         KPATCH_FORCE_UNSAFE (skip the activeness check)
 *
 * The relocations listed in .kpatch.relocations are removed from the normal
 * .rela sections of OUTPUT.o: the generators turn them into livepatch
 * .klp.rela sections or kpatch dynrelas.  Relocations to exported symbols
 * (found in MODULE_SYMVERS) and to the patch's own code and data stay normal
 * relocations against undefined or local symbols.
 *
 * Details create-diff-object guarantees (and generators rely on):
 *   - .kpatch.funcs and .kpatch.strings are always present (.kpatch.funcs
 *     may be empty when an object only adds functions); .kpatch.symbols and
 *     .kpatch.relocations are omitted when empty.  All are SHF_ALLOC.
 *   - kpatch_patch_func.name and kpatch_symbol.name are the names in the
 *     running kernel's symbol table, which may differ from the patched
 *     object's in a compiler number ("x.0" for the object's "x.2").
 *   - new_addr is relocated against the new function's own (defined) symbol;
 *     so are .kpatch.force entries.
 *   - A symbol exported by a module other than vmlinux is a loader
 *     relocation with external = 1 and kpatch_symbol.objname = that
 *     module, so the patch module does not depend on it at link time.
 *     kpatch_relocation.objname is always the patched object (PARENT_NAME).
 *   - .static_call_sites entries whose key the loader would resolve are
 *     dropped (the call goes through the trampoline, which is correct).
 *     Keys of __jump_table entries may be loader relocations (dest inside
 *     __jump_table, R_X86_64_PC64 on 5.x+) when the parent is vmlinux:
 *     livepatch (5.8+) applies vmlinux .klp.rela sections at module load,
 *     before jump labels are set up.  A format that resolves them later
 *     (kpatch dynrelas, applied in the patch module's init) must refuse
 *     such entries.  For module parents create-diff-object refuses them.
 *   - .modinfo holds "import_ns=NS" strings for the namespaces of exported
 *     symbols the patch uses (and those the parent module imports).
 */
#ifndef _KPATCH_INTERMEDIATE_H_
#define _KPATCH_INTERMEDIATE_H_

#define KPATCH_INTERMEDIATE_VERSION 1

/* Name of the parent object when it is the kernel image. */
#define KPATCH_VMLINUX "vmlinux"

struct kpatch_patch_func {
	unsigned long new_addr;	/* reloc -> the new function's symbol */
	unsigned long new_size;
	unsigned long old_addr;	/* st_value in PARENT_SYMTAB (informational) */
	unsigned long old_size;	/* st_size in PARENT_SYMTAB */
	unsigned long sympos;	/* 0 if unique in its object, else 1-based
				   position among same-named symbols */
	char *name;		/* reloc -> .kpatch.strings */
	char *objname;		/* reloc -> .kpatch.strings: "vmlinux" or module */
};

struct kpatch_symbol {
	unsigned long src;	/* 0; reserved for the loader */
	unsigned long sympos;	/* as in kpatch_patch_func */
	unsigned char bind;	/* STB_* of the symbol in the parent */
	unsigned char type;	/* STT_* of the symbol in the parent */
	unsigned char pad[6];
	char *name;		/* reloc -> .kpatch.strings */
	char *objname;		/* reloc -> .kpatch.strings: object that defines
				   it ("vmlinux" or a module name) */
};

struct kpatch_relocation {
	unsigned long dest;	/* reloc -> section+offset to be relocated */
	unsigned int type;	/* R_X86_64_* */
	int external;		/* 1: exported by another module, resolved
				   by name only */
	long addend;
	char *objname;		/* reloc -> .kpatch.strings: object patched */
	struct kpatch_symbol *ksym;	/* reloc -> .kpatch.symbols entry */
};

/* Layout shared with kmod/patch/kpatch-macros.h. */
struct kpatch_callback {
	void *fn;		/* reloc -> callback function */
	char *objname;		/* reloc -> .kpatch.strings (filled by
				   create-diff-object from PARENT_NAME) */
};

#endif /* _KPATCH_INTERMEDIATE_H_ */
