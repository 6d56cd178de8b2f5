// SPDX-License-Identifier: GPL-2.0
/*
 * special.c: the kernel's special sections, as a table (see special.h).
 *
 * Entry sizes are the x86_64 ones of 6.x kernels; kpatch-build exports the
 * target kernel's sizes in the *_STRUCT_SIZE variables (alt_instr was 13
 * bytes before 5.13, for instance).
 */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "special.h"
#include "target.h"

#define ENTRIES(n, env, sz, desc, ...) \
	{ .name = n, .kind = SK_ENTRIES, .size_env = env, .size = sz, \
	  .what = desc, __VA_ARGS__ }
#define PIECES(n, desc, ...) \
	{ .name = n, .kind = SK_PIECES, .what = desc, __VA_ARGS__ }
#define REGISTRY(n, desc) { .name = n, .kind = SK_REGISTRY, .what = desc }
#define DROP(n, desc) { .name = n, .kind = SK_DROP, .what = desc }

static const struct special_section special_sections[] = {
	/* struct bug_entry: disp, file disp, u16 line, u16 flags */
	ENTRIES("__bug_table", "BUG_STRUCT_SIZE", 12, "BUG/WARN table",
		.compare = true, .ignore_off = 8, .ignore_len = 2,
		.ignore_if_size = 12),
	/* struct exception_table_entry: insn, fixup, data */
	ENTRIES("__ex_table", "EX_STRUCT_SIZE", 12, "exception table",
		.compare = true, .defines_pieces = true),
	/* struct alt_instr: instr, repl, cpuid, instrlen, replacementlen */
	ENTRIES(".altinstructions", "ALT_STRUCT_SIZE", 12, "alternatives",
		.compare = true, .defines_pieces = true),
	/* struct jump_entry: code, target, key */
	ENTRIES("__jump_table", "JUMP_STRUCT_SIZE", 16, "jump labels",
		.compare = true, .filter = FILTER_JUMP_KEY, .key_off = 8),
	/* struct static_call_site: addr, key */
	ENTRIES(".static_call_sites", "STATIC_CALL_STRUCT_SIZE", 8,
		"static calls", .compare = true,
		.filter = FILTER_STATIC_CALL_KEY, .key_off = 4),
	/* struct paravirt_patch_site: instr, type, len */
	ENTRIES(".parainstructions", "PARA_STRUCT_SIZE", 16,
		"paravirt patch sites", .compare = true),
	ENTRIES(".smp_locks", NULL, 4, "SMP lock prefixes"),
	ENTRIES(".retpoline_sites", NULL, 4, "retpoline sites"),
	ENTRIES(".return_sites", NULL, 4, "return thunk sites"),
	ENTRIES(".call_sites", NULL, 4, "call depth sites"),
	ENTRIES(".ibt_endbr_seal", NULL, 4, "IBT ENDBR seal sites"),
	ENTRIES(".cfi_sites", NULL, 4, "kCFI sites"),
	ENTRIES(".kcfi_traps", NULL, 4, "kCFI trap sites"),
	ENTRIES(".orc_unwind_ip", NULL, 4, "ORC unwind addresses",
		.companion = ".orc_unwind"),
	{ .name = ".orc_unwind", .kind = SK_COMPANION,
	  .size_env = "ORC_STRUCT_SIZE", .size = 6, .what = "ORC unwind data" },
	ENTRIES("__mcount_loc", NULL, 8, "ftrace call sites"),
	ENTRIES("__patchable_function_entries", NULL, 8, "ftrace call sites"),
	ENTRIES("_kprobe_blacklist", NULL, 8, "kprobe blacklist"),
	ENTRIES("__tracepoints_ptrs", NULL, 4, "tracepoint pointers"),
	ENTRIES(".printk_index", "PRINTK_INDEX_STRUCT_SIZE", 8, "printk index",
		.owner = OWNER_FUNC_NAME),

	PIECES(".altinstr_replacement", "alternative instructions"),
	PIECES(".altinstr_aux", "static_cpu_has() tests"),
	PIECES(".fixup", "exception fixups"),
	PIECES(".text..refcount", "refcount overflow handlers"),
	/* struct _ddebug: 4 pointers, lineno:18 class:6 flags:8, key */
	PIECES("__dyndbg", "dynamic debug descriptors", .size = 56,
	       .ignore_off = 32, .ignore_len = 3, .ignore_if_size = 56),
	/* the same before 5.2 */
	PIECES("__verbose", "dynamic debug descriptors", .size = 56,
	       .ignore_off = 32, .ignore_len = 3, .ignore_if_size = 56),
	PIECES("__tracepoints_strings", "tracepoint names"),

	REGISTRY("___ksymtab*", "exported symbols"),
	REGISTRY("__ksymtab*", "exported symbols"),
	REGISTRY("__kcrctab*", "export CRCs"),
	REGISTRY(".export_symbol", "exported symbols"),
	REGISTRY("__param", "module parameters"),
	REGISTRY("__modver", "module versions"),
	REGISTRY(".init.setup", "boot parameters"),
	REGISTRY(".initcall*", "initcalls"),
	REGISTRY(".con_initcall.init", "console initcalls"),
	REGISTRY("_ftrace_events", "trace events"),
	REGISTRY("_ftrace_eval_map", "trace event enums"),
	REGISTRY("__syscalls_metadata", "syscall trace metadata"),
	REGISTRY("__bpf_raw_tp_map", "BPF raw tracepoints"),
	REGISTRY(".static_call_tramp_key", "exported static call trampolines"),
	REGISTRY("__dyndbg_classes", "dynamic debug classes"),
	{ .name = ".modinfo", .kind = SK_MODINFO, .what = "module information" },

	/* objtool annotations, one pointer per entry (size from it) */
	ENTRIES(".discard.*", NULL, 0, "objtool annotations"),
	DROP(".kpatch.ignore.*", "kpatch markers"),
	DROP(".gnu.linkonce.this_module", "module structure"),
	{ .name = NULL },
};

static bool name_matches(const char *pattern, const char *name)
{
	size_t len = strlen(pattern);

	if (len && pattern[len - 1] == '*')
		return !strncmp(pattern, name, len - 1);
	return !strcmp(pattern, name);
}

const struct special_section *special_find(const struct section *sec)
{
	const struct special_section *s;

	for (s = special_sections; s->name; s++)
		if (name_matches(s->name, sec->name))
			return s;
	return NULL;
}

bool special_is_piecewise(const struct section *sec)
{
	const struct special_section *s = special_find(sec);

	return s && s->kind == SK_PIECES;
}

bool special_defines_pieces(const struct section *sec)
{
	const struct special_section *s = special_find(sec);

	if (!s)
		return true;
	if (s->kind == SK_ENTRIES)
		return s->defines_pieces;
	return s->kind == SK_PIECES || s->kind == SK_REGISTRY;
}

void special_piece(struct section *sec, uint64_t loc, uint64_t *start,
		   uint64_t *end, uint64_t *mask_off, uint64_t *mask_len)
{
	const struct special_section *s = special_find(sec);

	*mask_off = *mask_len = 0;
	if (s && s->kind == SK_PIECES && s->size &&
	    !(sec->size % s->size)) {
		*start = loc - loc % s->size;
		*end = *start + s->size;
		if (*end > sec->size)
			*end = sec->size;
		if (s->size == s->ignore_if_size) {
			*mask_off = s->ignore_off;
			*mask_len = s->ignore_len;
		}
		return;
	}
	*start = section_piece_start(sec, loc);
	*end = section_piece_end(sec, loc);
}

uint64_t special_entry_size(struct section *sec,
			    const struct special_section *s)
{
	uint64_t size = s->size;
	const char *env = s->size_env ? getenv(s->size_env) : NULL;

	if (!sec->data && sec->size) {
		log_error(sec->kelf->path, sec->name,
			  "has no contents (type %u)", sec->sh.sh_type);
		return 0;
	}
	if (env && *env) {
		char *end;

		size = strtoull(env, &end, 0);
		if (*end || !size || size > 4096) {
			log_error(sec->kelf->path, sec->name, "bad entry size %s='%s'", s->size_env, env);
			return 0;
		}
	} else if (sec->sh.sh_entsize) {
		size = sec->sh.sh_entsize;
	} else if (!size && sec->nr_relas) {
		int width = kelf_rela_width(sec->relas[0].type);

		size = width > 0 ? (uint64_t)width : 0;
	} else if (!size && !sec->size) {
		return 1;	/* empty: any size will do */
	}
	if (!size || sec->size % size) {
		log_error(sec->kelf->path, sec->name,
			  "size %lu is not a multiple of the %s entry size %lu%s%s",
			  (unsigned long)sec->size, s->what,
			  (unsigned long)size, s->size_env ? "; set " : "",
			  s->size_env ? s->size_env : "");
		return 0;
	}
	return size;
}

struct section *special_companion(struct section *sec,
				  const struct special_section *s)
{
	if (!s->companion)
		return NULL;
	return kelf_find_section(sec->kelf, s->companion);
}

/* ---- index of compared entries by owning function ---- */

struct owned {
	struct symbol *owner;
	struct section *sec;
	const struct special_section *s;
	uint64_t off, size;	/* the entry */
	uint64_t loc;		/* owner location, for ordering */
};

struct owned_index {
	struct owned *v;
	size_t nr;
};

static struct owned_index indexes[2];	/* ORIG, PATCHED */
static struct kelf *indexed[2];

static int cmp_owned(const void *a, const void *b)
{
	const struct owned *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner->index < y->owner->index ? -1 : 1;
	if (x->sec != y->sec)
		return strcmp(x->sec->name, y->sec->name);
	if (x->loc != y->loc)
		return x->loc < y->loc ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int index_section(struct section *sec, const struct special_section *s,
			 struct owned_index *idx, size_t *alloc)
{
	uint64_t size = special_entry_size(sec, s), off;

	if (!size)
		return -1;
	for (off = 0; off < sec->size; off += size) {
		struct rela *rela = kelf_rela_at(sec, off + s->owner_off);
		struct target t;

		if (!rela) {
			log_error(sec->kelf->path, sec->name,
				  "entry at 0x%lx has no relocation at +%u",
				  (unsigned long)off, s->owner_off);
			return -1;
		}
		resolve_target(sec, rela, &t);
		if (!t.sym || t.sym->type != STT_FUNC)
			continue;
		if (idx->nr == *alloc) {
			size_t n = *alloc ? *alloc * 2 : 256;
			struct owned *v = realloc(idx->v, n * sizeof(*v));

			if (!v)
				return -1;
			idx->v = v;
			*alloc = n;
		}
		idx->v[idx->nr++] = (struct owned){ t.sym, sec, s, off, size,
						    t.loc };
	}
	return 0;
}

int special_index(struct kelf *kelf)
{
	int slot = indexed[0] ? 1 : 0;
	struct owned_index *idx = &indexes[slot];
	size_t i, alloc = 0;

	indexed[slot] = kelf;
	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];
		const struct special_section *s = special_find(sec);

		if (!s || s->kind != SK_ENTRIES || !s->compare || sec->ignore)
			continue;
		if (index_section(sec, s, idx, &alloc))
			return -1;
	}
	if (idx->nr)
		qsort(idx->v, idx->nr, sizeof(*idx->v), cmp_owned);
	return 0;
}

static struct owned *first_owned(struct symbol *sym, size_t *count)
{
	struct owned_index *idx;
	size_t lo = 0, hi;

	idx = sym->sec && sym->sec->kelf == indexed[0] ? &indexes[0] :
	      &indexes[1];
	hi = idx->nr;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (idx->v[mid].owner->index < sym->index)
			lo = mid + 1;
		else
			hi = mid;
	}
	*count = 0;
	while (lo + *count < idx->nr && idx->v[lo + *count].owner == sym)
		(*count)++;
	return *count ? &idx->v[lo] : NULL;
}

static bool bytes_equal(const struct owned *a, const struct owned *b)
{
	const struct special_section *s = a->s;
	uint64_t i;

	for (i = 0; i < a->size; i++) {
		if (a->size == s->ignore_if_size && i >= s->ignore_off &&
		    i < s->ignore_off + s->ignore_len)
			continue;
		if (a->sec->data[a->off + i] != b->sec->data[b->off + i])
			return false;
	}
	return true;
}

static bool entries_equal(const struct owned *a, const struct owned *b)
{
	size_t i = kelf_rela_index(a->sec, a->off);
	size_t j = kelf_rela_index(b->sec, b->off);

	if (a->size != b->size || strcmp(a->sec->name, b->sec->name) ||
	    !bytes_equal(a, b))
		return false;
	for (;; i++, j++) {
		bool ain = i < a->sec->nr_relas &&
			   a->sec->relas[i].offset < a->off + a->size;
		bool bin = j < b->sec->nr_relas &&
			   b->sec->relas[j].offset < b->off + b->size;

		if (!ain || !bin)
			return ain == bin;
		if (a->sec->relas[i].offset - a->off !=
		    b->sec->relas[j].offset - b->off ||
		    a->sec->relas[i].type != b->sec->relas[j].type ||
		    !targets_equal(a->sec, &a->sec->relas[i], b->sec,
				   &b->sec->relas[j], 2))
			return false;
	}
}

bool special_owned_equal(struct symbol *o, struct symbol *p)
{
	size_t no, np, i;
	struct owned *a = first_owned(o, &no);
	struct owned *b = first_owned(p, &np);

	if (no != np)
		return false;
	for (i = 0; i < no; i++) {
		if (!entries_equal(&a[i], &b[i])) {
			log_debug("compare: %s: %s entry at 0x%lx differs",
				  p->name, b[i].sec->name,
				  (unsigned long)b[i].off);
			return false;
		}
	}
	return true;
}
