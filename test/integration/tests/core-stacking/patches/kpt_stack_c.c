// SPDX-License-Identifier: GPL-2.0
/* Patch c: cmdline_proc_show only, replacing every other patch. */
#define KPT_LETTER "c"
#define KPT_REPLACE
#include "kpt_stack.h"
