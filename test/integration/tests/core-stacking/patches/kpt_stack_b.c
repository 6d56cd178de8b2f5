// SPDX-License-Identifier: GPL-2.0
/* Patch b: cmdline_proc_show only. */
#define KPT_LETTER "b"
#include "kpt_stack.h"
