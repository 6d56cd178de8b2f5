// SPDX-License-Identifier: GPL-2.0
/* The first kpt_dup_value of kpt_dups (position 1: linked first). */
#include <linux/compiler.h>

int kpt_dups_a(void);

static noinline __attribute__((__noipa__)) int kpt_dup_value(void)
{
	return 1;
}

int kpt_dups_a(void)
{
	return kpt_dup_value();
}
