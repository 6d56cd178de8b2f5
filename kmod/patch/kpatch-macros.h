/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h: the patch-author API.  A patch adds
 *	#include "kpatch-macros.h"
 * to the source file it changes; kpatch-build puts kmod/patch on the
 * include path.  The same patch source builds for both module formats:
 * kpatch-build defines __KPATCH_MODULE__ when it builds for the kpatch
 * format (kpatch.ko), and leaves it undefined for the livepatch format.
 *
 * Everything here only places small records into .kpatch.* sections of the
 * patched object; create-diff-object reads them (and drops the ignore
 * lists), the module generators turn the rest into module metadata.
 * See doc/patch-author-guide.md.
 */
#ifndef _KPATCH_MACROS_H_
#define _KPATCH_MACROS_H_

#include <linux/compiler.h>
#include <linux/jiffies.h>
#include <linux/printk.h>
#include "kpatch-syscall.h"

#ifdef __KPATCH_MODULE__
#include "kpatch.h"
typedef struct kpatch_object patch_object;
#else
#include <linux/livepatch.h>
typedef struct klp_object patch_object;
#endif

/*
 * Callbacks.  Each takes the patch_object of the object (vmlinux or a
 * module) whose code the callback's source file belongs to; obj->mod is
 * NULL for vmlinux.  A pre-patch callback returning non-zero stops the
 * patching of that object (and, for an object present at load, the load
 * of the whole patch module).  They run in process context with the
 * livepatch or kpatch mutex held: they may sleep, but must not load or
 * unload patch modules.
 *
 * Layout shared with kpatch-intermediate.h (struct kpatch_callback);
 * create-diff-object fills objname.
 */
struct kpatch_callback {
	void *fn;
	char *objname;
};

typedef int (*kpatch_pre_patch_fn)(patch_object *obj);
typedef void (*kpatch_post_patch_fn)(patch_object *obj);
typedef void (*kpatch_pre_unpatch_fn)(patch_object *obj);
typedef void (*kpatch_post_unpatch_fn)(patch_object *obj);

/* The inline function only checks the callback's type; it emits no code. */
#define __KPATCH_CALLBACK(_func, _kind)					\
	static inline kpatch_##_kind##_fn __maybe_unused		\
	__kpatch_##_kind##_typecheck_##_func(void) { return _func; }	\
	static struct kpatch_callback __kpatch_##_kind##_##_func	\
	__used __section(".kpatch.callbacks." #_kind) = {		\
		.fn = _func,						\
		.objname = NULL,					\
	}

#define KPATCH_PRE_PATCH_CALLBACK(_fn)	__KPATCH_CALLBACK(_fn, pre_patch)
#define KPATCH_POST_PATCH_CALLBACK(_fn)	__KPATCH_CALLBACK(_fn, post_patch)
#define KPATCH_PRE_UNPATCH_CALLBACK(_fn) __KPATCH_CALLBACK(_fn, pre_unpatch)
#define KPATCH_POST_UNPATCH_CALLBACK(_fn) __KPATCH_CALLBACK(_fn, post_unpatch)

/*
 * KPATCH_IGNORE_SECTION("name"): create-diff-object treats a change in
 * that section of the object as no change (e.g. a debug table).
 */
#define KPATCH_IGNORE_SECTION(_sec)					\
	static char *__UNIQUE_ID(kpatch_ignore_section_)		\
	__used __section(".kpatch.ignore.sections") = _sec

/*
 * KPATCH_IGNORE_FUNCTION(fn): changes in fn do not make it part of the
 * patch (e.g. a function that only changed because of a debug print).
 */
#define KPATCH_IGNORE_FUNCTION(_fn)					\
	static unsigned long __kpatch_ignore_func_##_fn			\
	__used __section(".kpatch.ignore.functions") = (unsigned long)&_fn

/*
 * KPATCH_FORCE_UNSAFE(fn): kpatch format only.  kpatch.ko skips the
 * activeness check for fn: the old version may still be running on some
 * stack when the new one takes over.  Only for functions whose old and
 * new versions may safely run at the same time.  create-klp-module
 * refuses it: livepatch's per-task consistency has no per-function bypass.
 */
#define KPATCH_FORCE_UNSAFE(_fn)					\
	static unsigned long __kpatch_force_func_##_fn			\
	__used __section(".kpatch.force") = (unsigned long)&_fn

/*
 * KPATCH_PRINTK(fmt, ...): printk that does not change the code around it.
 * printk is __cold, and gcc moves a path that calls it (and what that path
 * calls) to .text.unlikely or splits it into a .cold part, which changes
 * the layout of unrelated code in the patched function.  Guarding the call
 * with a condition the compiler cannot evaluate keeps the call on a path
 * of its own.
 */
#define KPATCH_PRINTK(_fmt, ...)					\
({									\
	if (READ_ONCE(jiffies))						\
		printk(_fmt, ##__VA_ARGS__);				\
})

/*
 * KPATCH_STATIC_CALL(name): use instead of static_call(name) in patched
 * code.  A static_call() site in a module needs a .static_call_sites entry
 * that create-diff-object cannot carry over; calling through the key's
 * current target is equivalent (an indirect call).
 */
#define KPATCH_STATIC_CALL(_name)					\
	((typeof(STATIC_CALL_TRAMP(_name)) *)(STATIC_CALL_KEY(_name).func))

/*
 * Shadow variables: patches call the kernel's klp_shadow_*() API.  For the
 * kpatch format (kernels without CONFIG_LIVEPATCH, or by choice) the same
 * calls go to kpatch.ko, which provides them with the same semantics.
 */
#ifdef __KPATCH_MODULE__
#define klp_shadow_get			kpatch_shadow_get
#define klp_shadow_alloc		kpatch_shadow_alloc
#define klp_shadow_get_or_alloc		kpatch_shadow_get_or_alloc
#define klp_shadow_free			kpatch_shadow_free
#define klp_shadow_free_all		kpatch_shadow_free_all
#define klp_shadow_ctor_t		kpatch_shadow_ctor_t
#define klp_shadow_dtor_t		kpatch_shadow_dtor_t
#endif

#endif /* _KPATCH_MACROS_H_ */
