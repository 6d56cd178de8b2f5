// SPDX-License-Identifier: GPL-2.0
/* Patch a: cmdline_proc_show and version_proc_show. */
#define KPT_LETTER "a"
#define KPT_VERSION
#include "kpt_stack.h"
