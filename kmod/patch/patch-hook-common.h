/* SPDX-License-Identifier: GPL-2.0 */
/*
 * patch-hook-common.h: what both patch-module hooks (livepatch and kpatch
 * format) read the same way: the function list and the four callback
 * sections left by the generators (kpatch-patch.h).
 */
#ifndef _PATCH_HOOK_COMMON_H_
#define _PATCH_HOOK_COMMON_H_

#include <linux/kernel.h>
#include "kpatch-patch.h"

/* Cumulative by default (kpatch-build -R builds with KPATCH_REPLACE=0). */
#ifndef KPATCH_REPLACE
#define KPATCH_REPLACE 1
#endif

/* Defined by the generators' linker script; NULL when they did not run. */
extern const struct kpatch_meta_func __kpatch_funcs[] __weak;
extern const struct kpatch_meta_func __kpatch_funcs_end[] __weak;
extern const struct kpatch_meta_callback __kpatch_callbacks_pre_patch[] __weak;
extern const struct kpatch_meta_callback __kpatch_callbacks_pre_patch_end[] __weak;
extern const struct kpatch_meta_callback __kpatch_callbacks_post_patch[] __weak;
extern const struct kpatch_meta_callback __kpatch_callbacks_post_patch_end[] __weak;
extern const struct kpatch_meta_callback __kpatch_callbacks_pre_unpatch[] __weak;
extern const struct kpatch_meta_callback __kpatch_callbacks_pre_unpatch_end[] __weak;
extern const struct kpatch_meta_callback __kpatch_callbacks_post_unpatch[] __weak;
extern const struct kpatch_meta_callback __kpatch_callbacks_post_unpatch_end[] __weak;

enum kpatch_callback_kind {
	KPATCH_CB_PRE_PATCH,
	KPATCH_CB_POST_PATCH,
	KPATCH_CB_PRE_UNPATCH,
	KPATCH_CB_POST_UNPATCH,
	KPATCH_CB_KINDS,
};

/*
 * Store fn in the member of *c for kind; true when that member was already
 * set.  struct klp_callbacks and struct kpatch_callbacks name their members
 * alike, so one macro serves both formats.
 */
#define kpatch_set_callback(c, kind, fn)				\
({									\
	bool __taken;							\
	switch (kind) {							\
	case KPATCH_CB_PRE_PATCH:					\
		__taken = (c)->pre_patch;				\
		(c)->pre_patch = (fn);					\
		break;							\
	case KPATCH_CB_POST_PATCH:					\
		__taken = (c)->post_patch;				\
		(c)->post_patch = (fn);					\
		break;							\
	case KPATCH_CB_PRE_UNPATCH:					\
		__taken = (c)->pre_unpatch;				\
		(c)->pre_unpatch = (fn);				\
		break;							\
	default:							\
		__taken = (c)->post_unpatch;				\
		(c)->post_unpatch = (fn);				\
		break;							\
	}								\
	__taken;							\
})

/* Call set() for every callback entry, in kind order; stop at an error. */
static inline int
kpatch_for_each_callback(int (*set)(const struct kpatch_meta_callback *, int))
{
	const struct kpatch_meta_callback *start[KPATCH_CB_KINDS] = {
		__kpatch_callbacks_pre_patch, __kpatch_callbacks_post_patch,
		__kpatch_callbacks_pre_unpatch, __kpatch_callbacks_post_unpatch,
	};
	const struct kpatch_meta_callback *end[KPATCH_CB_KINDS] = {
		__kpatch_callbacks_pre_patch_end,
		__kpatch_callbacks_post_patch_end,
		__kpatch_callbacks_pre_unpatch_end,
		__kpatch_callbacks_post_unpatch_end,
	};
	const struct kpatch_meta_callback *cb;
	int kind, ret;

	for (kind = 0; kind < KPATCH_CB_KINDS; kind++)
		for (cb = start[kind]; cb && cb < end[kind]; cb++) {
			ret = set(cb, kind);
			if (ret)
				return ret;
		}
	return 0;
}

#endif /* _PATCH_HOOK_COMMON_H_ */
