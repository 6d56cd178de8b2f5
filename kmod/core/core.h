/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core.h: what the parts of kpatch.ko share.  Everything here is called
 * with kpatch_mutex held unless the comment says otherwise.
 */
#ifndef _KPATCH_CORE_H_
#define _KPATCH_CORE_H_

#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/version.h>
#include "kpatch.h"

#define KPATCH_VMLINUX "vmlinux"

extern struct mutex kpatch_mutex;
extern struct list_head kpatch_patches;	/* registered, by ascending seq */

/* helpers.c: kernel functions not exported to modules, found at load. */
struct kpatch_helpers {
	unsigned long (*kallsyms_lookup_name)(const char *name);
	int (*kallsyms_lookup_size_offset)(unsigned long addr,
					   unsigned long *size,
					   unsigned long *offset);
	void *kallsyms_on_each_symbol;	/* signature differs by version */
	int (*kallsyms_on_each_match_symbol)(int (*fn)(void *, unsigned long),
					     const char *name, void *data);
	unsigned int (*stack_trace_save_tsk)(struct task_struct *task,
					     unsigned long *store,
					     unsigned int size,
					     unsigned int skipnr);
	void *(*text_poke)(void *addr, const void *opcode, size_t len);
	struct mutex *text_mutex;
	struct module *(*find_module)(const char *name);
	struct mutex *module_mutex;
	unsigned long (*ftrace_location)(unsigned long ip);
};

extern struct kpatch_helpers kph;
int kpatch_helpers_init(void);

/* symbols.c: name + sympos -> address in vmlinux or a module. */
int kpatch_find_symbol(const char *objname, struct module *mod,
		       const char *name, unsigned long sympos,
		       unsigned long *addr, unsigned long *size);
int kpatch_find_exported(const char *name, unsigned long *addr);
struct module *kpatch_find_loaded_module(const char *name);

/* relocs.c */
int kpatch_write_dynrelas(struct kpatch_object *obj);

/* ftrace.c: the redirection (per-address stacks of kpatch_funcs). */
extern bool kpatch_switch_committed;
int kpatch_ftrace_add_func(struct kpatch_func *func);
int kpatch_ftrace_filter_new(void);
void kpatch_ftrace_del_func(struct kpatch_func *func);
void kpatch_ftrace_sync(void);
struct kpatch_func *kpatch_ftrace_active_func(unsigned long ip);

/* transition.c: stop_machine switch with the activeness check. */
int kpatch_switch(struct kpatch_module *kpmod, const char *what,
		  unsigned int nfuncs);

/* registry.c */
int kpatch_enable(struct kpatch_module *kpmod);
int kpatch_disable(struct kpatch_module *kpmod);
int kpatch_unregister_locked(struct kpatch_module *kpmod);
int kpatch_link_object(struct kpatch_object *obj, struct module *mod,
		       enum kpatch_op op);
void kpatch_object_patched(struct kpatch_object *obj);
void kpatch_unlink_object_start(struct kpatch_object *obj);
void kpatch_unlink_object_finish(struct kpatch_object *obj);

/* notifier.c: patches for modules that load or go away later. */
int kpatch_notifier_init(void);
void kpatch_notifier_exit(void);
bool kpatch_module_is_ready(struct module *mod);

/* sysfs.c */
int kpatch_sysfs_init(void);
void kpatch_sysfs_exit(void);
int kpatch_sysfs_add(struct kpatch_module *kpmod);
void kpatch_sysfs_del(struct kpatch_module *kpmod);

/* shadow.c */
void kpatch_shadow_exit(void);

static inline bool kpatch_object_is_vmlinux(const struct kpatch_object *obj)
{
	return !strcmp(obj->name, KPATCH_VMLINUX);
}

static inline const char *kpatch_name(const struct kpatch_module *kpmod)
{
	return kpmod->mod->name;
}

#endif /* _KPATCH_CORE_H_ */
