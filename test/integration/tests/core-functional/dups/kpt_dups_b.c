// SPDX-License-Identifier: GPL-2.0
/* The second kpt_dup_value of kpt_dups (position 2). */
#include <linux/compiler.h>

int kpt_dups_b(void);

static noinline __attribute__((__noipa__)) int kpt_dup_value(void)
{
	return 2;
}

int kpt_dups_b(void)
{
	return kpt_dup_value();
}
