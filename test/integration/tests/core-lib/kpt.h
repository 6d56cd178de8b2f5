/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpt.h: building kpatch-format patch modules by hand for the core tests
 * (what create-kpatch-module's hook does from metadata sections).  Every
 * piece is static storage, so the core fields start zeroed.
 */
#ifndef _KPT_H_
#define _KPT_H_

#include <linux/module.h>
#include <linux/elf.h>
#include "kpatch.h"

#ifndef R_X86_64_PLT32
#define R_X86_64_PLT32 4
#endif

static inline void kpt_init(struct kpatch_module *kpmod)
{
	kpmod->mod = THIS_MODULE;
	INIT_LIST_HEAD(&kpmod->objects);
}

static inline struct kpatch_object *kpt_object(struct kpatch_module *kpmod,
					       struct kpatch_object *obj,
					       const char *name)
{
	obj->name = name;
	INIT_LIST_HEAD(&obj->funcs);
	INIT_LIST_HEAD(&obj->dynrelas);
	list_add_tail(&obj->list, &kpmod->objects);
	return obj;
}

static inline void kpt_func(struct kpatch_object *obj, struct kpatch_func *f,
			    const char *name, unsigned long sympos, void *new)
{
	f->name = name;
	f->sympos = sympos;
	f->new_addr = (unsigned long)new;
	list_add_tail(&f->list, &obj->funcs);
}

static inline void kpt_dynrela(struct kpatch_object *obj,
			       struct kpatch_dynrela *r, void *dest,
			       unsigned long type, const char *name,
			       unsigned long sympos, long addend)
{
	r->dest = (unsigned long)dest;
	r->type = type;
	r->name = name;
	r->sympos = sympos;
	r->addend = addend;
	list_add_tail(&r->list, &obj->dynrelas);
}

/*
 * KPT_JMP_STUB(name, fallback): a function NAME that is one "jmp rel32"
 * whose displacement sits at NAME_rel; the module loader points it at
 * FALLBACK, and a PC32 dynrela (addend -4) at NAME_rel re-points it at a
 * kernel symbol: a dynrela written into read-only module text.
 */
#define KPT_JMP_STUB(name, fallback)					\
	asm(".pushsection .text." #name ", \"ax\", @progbits\n"		\
	    ".globl " #name "\n"					\
	    ".type " #name ", @function\n"				\
	    #name ":\n"							\
	    "	.byte 0xe9\n"						\
	    ".globl " #name "_rel\n"					\
	    #name "_rel:\n"						\
	    "	.long " #fallback " - . - 4\n"				\
	    "	int3\n"							\
	    ".size " #name ", . - " #name "\n"				\
	    ".popsection\n");						\
	extern char name##_rel[]

#endif /* _KPT_H_ */
