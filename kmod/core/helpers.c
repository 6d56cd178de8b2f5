// SPDX-License-Identifier: GPL-2.0
/*
 * helpers.c: find the kernel functions kpatch.ko needs but the kernel does
 * not export to modules.  kallsyms_lookup_name itself is found through a
 * kprobe (registering one resolves the symbol's address); the rest through
 * it.  A missing helper is a load error naming it.
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/errno.h>
#include "core.h"

struct kpatch_helpers kph;

/* For tests of the error path: act as if this helper were missing. */
static char *fail_helper = "";
module_param(fail_helper, charp, 0);
MODULE_PARM_DESC(fail_helper, "testing: treat this kernel helper as missing");

static bool kpatch_helper_hidden(const char *name)
{
	return !strcmp(fail_helper, name);
}

static int kpatch_find_kallsyms_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret;

	ret = kpatch_helper_hidden(kp.symbol_name) ? -ENOENT : register_kprobe(&kp);
	if (ret) {
		pr_err("cannot find the kernel helper kallsyms_lookup_name: register_kprobe failed (%d); is CONFIG_KPROBES enabled?\n",
		       ret);
		return -ENOENT;
	}
	kph.kallsyms_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	if (!kph.kallsyms_lookup_name) {
		pr_err("cannot find the kernel helper kallsyms_lookup_name: the kprobe has no address\n");
		return -ENOENT;
	}
	return 0;
}

struct kpatch_helper_spec {
	const char *name;
	void **slot;
	bool optional;
};

int kpatch_helpers_init(void)
{
	const struct kpatch_helper_spec specs[] = {
		{ "kallsyms_lookup_size_offset",
		  (void **)&kph.kallsyms_lookup_size_offset },
		{ "kallsyms_on_each_symbol",
		  (void **)&kph.kallsyms_on_each_symbol },
		/* Faster lookup by name (6.1+); full walk otherwise. */
		{ "kallsyms_on_each_match_symbol",
		  (void **)&kph.kallsyms_on_each_match_symbol, true },
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 2, 0)
		{ "stack_trace_save_tsk", (void **)&kph.stack_trace_save_tsk },
#endif
		{ "text_poke", (void **)&kph.text_poke },
		{ "text_mutex", (void **)&kph.text_mutex },
		{ "find_module", (void **)&kph.find_module },
		{ "module_mutex", (void **)&kph.module_mutex },
		{ "ftrace_location", (void **)&kph.ftrace_location },
	};
	unsigned int i;
	int ret;

	ret = kpatch_find_kallsyms_lookup_name();
	if (ret)
		return ret;

	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		unsigned long addr = kph.kallsyms_lookup_name(specs[i].name);

		if (kpatch_helper_hidden(specs[i].name))
			addr = 0;

		if (!addr && !specs[i].optional) {
			pr_err("cannot find the kernel helper %s (not in kallsyms); this kernel is not supported\n",
			       specs[i].name);
			return -ENOENT;
		}
		*specs[i].slot = (void *)addr;
	}
	return 0;
}
