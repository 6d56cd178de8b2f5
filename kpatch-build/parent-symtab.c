// SPDX-License-Identifier: GPL-2.0
/*
 * parent-symtab.c: the running kernel's symbols (see parent-symtab.h).
 *
 * PARENT_SYMTAB is `readelf -s --wide` output.  Local symbols follow the
 * FILE symbol of the object file that defined them (vmlinux keeps them;
 * Debian's stripped modules do not, then the whole module is one block).
 * The block of ORIG.o is the one whose local functions and objects are
 * exactly ORIG.o's, as the linker keeps them.
 *
 * sympos counts same-named symbols in kallsyms order: by address for
 * vmlinux (scripts/kallsyms sorts), symbol table order for modules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "parent-symtab.h"

static char *read_file(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, alloc = 0, n;

	if (!f) {
		log_error(path, what, "cannot open: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		if (alloc - len < 65536) {
			char *p = realloc(buf, alloc ? alloc * 2 : 1 << 20);

			if (!p) {
				log_error(path, what, "out of memory");
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			alloc = alloc ? alloc * 2 : 1 << 20;
		}
		n = fread(buf + len, 1, alloc - len - 1, f);
		if (!n)
			break;
		len += n;
	}
	if (ferror(f)) {
		log_error(path, what, "read error");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int split(char *line, char **tok, int max)
{
	int n = 0;

	while (*line && n < max) {
		while (*line == ' ' || *line == '\t')
			*line++ = '\0';
		if (!*line)
			break;
		tok[n++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
	while (*line == ' ' || *line == '\t')
		*line++ = '\0';
	return n;
}

static int parse_type(const char *s)
{
	static const char *const names[] = { "NOTYPE", "OBJECT", "FUNC",
					     "SECTION", "FILE", "COMMON",
					     "TLS" };
	int i;

	for (i = 0; i < 7; i++)
		if (!strcmp(s, names[i]))
			return i;
	if (!strcmp(s, "IFUNC"))
		return STT_GNU_IFUNC;
	return -1;
}

static int parse_bind(const char *s)
{
	if (!strcmp(s, "LOCAL"))
		return STB_LOCAL;
	if (!strcmp(s, "GLOBAL"))
		return STB_GLOBAL;
	if (!strcmp(s, "WEAK"))
		return STB_WEAK;
	if (!strcmp(s, "UNIQUE"))
		return STB_GNU_UNIQUE;
	return -1;
}

static int add_to_list(struct parent *parent, const char *name, size_t i)
{
	struct psym_list *l = name_table_get(parent->by_name, name);

	if (!l) {
		l = &parent->lists[parent->nr_lists++];
		if (name_table_add(parent->by_name, name, l))
			return -1;
	}
	if (l->nr == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 2;
		size_t *p = realloc(l->idx, n * sizeof(*p));

		if (!p)
			return -1;
		l->idx = p;
		l->alloc = n;
	}
	l->idx[l->nr++] = i;
	return 0;
}

/* "   12: ffffffff81000000   123 FUNC  LOCAL DEFAULT 1 name" */
static int parse_symbol(struct parent *parent, char *line, size_t lineno,
			unsigned int *block, bool *globals_seen)
{
	struct psym *sym = &parent->syms[parent->nr_syms];
	char *tok[9], *end;
	int n = split(line, tok, 9), type, bind;

	if (n < 7 || n > 8) {
		log_error(parent->path, NULL, "line %zu: not a symbol line",
			  lineno);
		return -1;
	}
	sym->value = strtoull(tok[1], &end, 16);
	if (*end)
		goto bad;
	sym->size = strtoull(tok[2], &end, 0);
	if (*end)
		goto bad;
	type = parse_type(tok[3]);
	bind = parse_bind(tok[4]);
	if (type < 0 || bind < 0)
		goto bad;
	sym->type = (unsigned char)type;
	sym->bind = (unsigned char)bind;
	sym->defined = strcmp(tok[6], "UND") != 0;
	sym->name = n == 8 ? tok[7] : "";
	sym->index = parent->nr_syms;
	if (type == STT_FILE && !*globals_seen)
		*block = ++parent->nr_blocks;
	if (bind != STB_LOCAL)
		*globals_seen = true;
	sym->block = bind == STB_LOCAL ? *block : 0;
	parent->nr_syms++;
	if (*sym->name && type != STT_SECTION && type != STT_FILE &&
	    add_to_list(parent, sym->name, sym->index)) {
		log_error(parent->path, NULL, "out of memory");
		return -1;
	}
	return 0;
bad:
	log_error(parent->path, NULL, "line %zu: cannot parse symbol", lineno);
	return -1;
}

static int parse_symtab(struct parent *parent)
{
	char *line = parent->text, *next;
	size_t lineno = 0, lines = 1;
	bool in_symtab = false, found = false, globals_seen = false;
	unsigned int block = 0;
	char *p;

	for (p = parent->text; *p; p++)
		lines += *p == '\n';
	parent->syms = calloc(lines, sizeof(*parent->syms));
	parent->lists = calloc(lines, sizeof(*parent->lists));
	parent->by_name = name_table_new(lines);
	if (!parent->syms || !parent->lists || !parent->by_name) {
		log_error(parent->path, NULL, "out of memory");
		return -1;
	}
	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (!strncmp(line, "Symbol table '", 14)) {
			in_symtab = !strncmp(line + 14, ".symtab'", 8);
			found |= in_symtab;
			continue;
		}
		while (*line == ' ')
			line++;
		if (!in_symtab || !*line || !strncmp(line, "Num:", 4))
			continue;
		if (parse_symbol(parent, line, lineno, &block, &globals_seen))
			return -1;
	}
	if (!found || !parent->nr_syms) {
		log_error(parent->path, NULL,
			  "no '.symtab' symbol table: expected the output of readelf -s --wide");
		return -1;
	}
	return 0;
}

/* "crc<TAB>name<TAB>module<TAB>export type[<TAB>namespace]" */
static int parse_symvers(struct parent *parent, const char *path)
{
	char *line, *next;
	size_t lines = 1, lineno = 0;
	char *p;

	parent->symvers_text = read_file(path, "MODULE_SYMVERS");
	if (!parent->symvers_text)
		return -1;
	for (p = parent->symvers_text; *p; p++)
		lines += *p == '\n';
	parent->exports = calloc(lines, sizeof(*parent->exports));
	parent->exports_by_name = name_table_new(lines);
	if (!parent->exports || !parent->exports_by_name) {
		log_error(path, NULL, "out of memory");
		return -1;
	}
	for (line = parent->symvers_text; line && *line; line = next) {
		struct export *e = &parent->exports[parent->nr_exports];
		char *f[5] = { NULL };
		int n = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		for (p = line; n < 5; n++) {
			f[n] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (n < 3) {
			log_error(path, NULL, "line %zu: not a Module.symvers line",
				  lineno);
			return -1;
		}
		e->name = f[1];
		e->module = f[2];
		e->ns = f[4] ? f[4] : "";
		if (name_table_add(parent->exports_by_name, e->name, e)) {
			log_error(path, NULL, "out of memory");
			return -1;
		}
		parent->nr_exports++;
	}
	return 0;
}

struct parent *parent_open(const char *name, const char *symtab_path,
			   const char *symvers_path)
{
	struct parent *parent = calloc(1, sizeof(*parent));

	if (!parent) {
		log_error(symtab_path, NULL, "out of memory");
		return NULL;
	}
	parent->name = name;
	parent->path = symtab_path;
	parent->is_vmlinux = !strcmp(name, "vmlinux");
	parent->file_block = -1;
	parent->text = read_file(symtab_path, "PARENT_SYMTAB");
	if (!parent->text || parse_symtab(parent) ||
	    parse_symvers(parent, symvers_path)) {
		parent_close(parent);
		return NULL;
	}
	return parent;
}

void parent_close(struct parent *parent)
{
	size_t i;

	if (!parent)
		return;
	for (i = 0; parent->lists && i < parent->nr_lists; i++)
		free(parent->lists[i].idx);
	free(parent->lists);
	name_table_free(parent->by_name);
	name_table_free(parent->exports_by_name);
	free(parent->syms);
	free(parent->exports);
	free(parent->text);
	free(parent->symvers_text);
	free(parent);
}

const struct export *parent_export(struct parent *parent, const char *name)
{
	const struct export *e = name_table_get(parent->exports_by_name, name);
	const char *base;

	if (!e)
		return NULL;
	base = strrchr(e->module, '/');
	base = base ? base + 1 : e->module;
	/* exported by the parent itself: the patch must not depend on it */
	if (!parent->is_vmlinux && !strcmp(base, parent->name))
		return NULL;
	return e;
}

const struct psym *parent_find_global(struct parent *parent,
				      const char *name)
{
	struct psym_list *l = name_table_get(parent->by_name, name);
	size_t i;

	for (i = 0; l && i < l->nr; i++) {
		const struct psym *s = &parent->syms[l->idx[i]];

		if (s->bind != STB_LOCAL && s->defined)
			return s;
	}
	return NULL;
}

/* ---- which FILE block is ORIG.o ---- */

/* Locals of ORIG.o that the linker keeps in the parent's symbol table. */
static bool kept_local(const struct symbol *sym)
{
	return sym->bind == STB_LOCAL && sym->sec && !sym->fresh &&
	       (sym->type == STT_FUNC || sym->type == STT_OBJECT) &&
	       sec_is_alloc(sym->sec) && !sym->sec->ignore &&
	       strncmp(sym->sec->name, ".discard", 8) &&
	       strcmp(sym->sec->name, ".modinfo") &&
	       strncmp(sym->name, ".L", 2) && *sym->name;
}

struct block_score {
	size_t matched, extra;
};

/* Stripped names of ORIG.o's kept locals: "x.2" may be "x.0" in the
   kernel when the object was built with other options. */
static struct name_table *stripped_locals(struct kelf *orig)
{
	struct name_table *t = name_table_new(orig->nr_syms);
	size_t i;

	/* all locals; score_block() tells the kept ones */
	for (i = 1; t && i < orig->nr_syms; i++)
		if (orig->syms[i].bind == STB_LOCAL &&
		    (orig->syms[i].type == STT_FUNC ||
		     orig->syms[i].type == STT_OBJECT))
			name_table_add(t, orig->syms[i].strip, &orig->syms[i]);
	return t;
}

static void score_block(struct parent *parent, struct kelf *orig,
			struct name_table *stripped, size_t first,
			struct block_score *score)
{
	size_t i;

	score->matched = score->extra = 0;
	for (i = first + 1; i < parent->nr_syms; i++) {
		const struct psym *s = &parent->syms[i];
		struct symbol *o;
		const char *strip;

		if (s->bind != STB_LOCAL || s->type == STT_FILE)
			break;
		if (s->type != STT_FUNC && s->type != STT_OBJECT)
			continue;
		o = kelf_find_symbol(orig, s->name);
		if (!o) {
			strip = strip_name(s->name);
			o = name_table_get(stripped, strip);
			if (strip != s->name)
				free((char *)strip);
		}
		/* fresh statics are in both but not looked up: neutral */
		if (o && kept_local(o))
			score->matched++;
		else if (!o)
			score->extra++;
	}
}

static const char *orig_file_name(struct kelf *orig)
{
	size_t i;

	for (i = 1; i < orig->nr_syms; i++)
		if (orig->syms[i].type == STT_FILE)
			return orig->syms[i].name;
	return NULL;
}

int parent_match_file(struct parent *parent, struct kelf *orig)
{
	const char *file = orig_file_name(orig);
	size_t i, wanted = 0, exact = 0, first = 0;
	struct name_table *stripped;
	int found = -1;

	if (parent->file_block >= 0 || parent->file_block_ambiguous)
		return parent->file_block >= 0 ? 0 : -1;
	for (i = 1; i < orig->nr_syms; i++)
		wanted += kept_local(&orig->syms[i]);
	if (!parent->nr_blocks) {
		parent->file_block = 0;	/* no FILE symbols: one block */
		return 0;
	}
	stripped = stripped_locals(orig);
	if (!stripped) {
		log_error(orig->path, NULL, "out of memory");
		return -1;
	}
	for (i = 0; i < parent->nr_syms; i++) {
		const struct psym *s = &parent->syms[i];
		struct block_score score;

		if (s->type != STT_FILE || (file && strcmp(s->name, file)))
			continue;
		score_block(parent, orig, stripped, i, &score);
		if (score.extra || score.matched != wanted)
			continue;
		exact++;
		found = (int)s->block;
		first = i + 1;
	}
	name_table_free(stripped);
	if (exact == 1) {
		parent->file_block = found;
		parent->file_block_first = first;
		log_debug("parent: %s is FILE block %d of %s", orig->base,
			  found, parent->path);
		return 0;
	}
	parent->file_block_ambiguous = true;
	if (exact)
		log_error(orig->path, file ? file : "FILE",
			  "%zu FILE blocks of %s hold the same local symbols; cannot tell which one is this object",
			  exact, parent->path);
	else
		log_error(orig->path, file ? file : "FILE",
			  "no FILE block of %s holds this object's local symbols: the object does not match the running kernel",
			  parent->path);
	return -1;
}

/* sympos: 0 if unique, else 1-based position in kallsyms order. */
static unsigned long sympos_of(struct parent *parent,
			       const struct psym_list *l, const struct psym *s)
{
	unsigned long pos = 1, count = 0;
	size_t i;

	for (i = 0; i < l->nr; i++) {
		const struct psym *o = &parent->syms[l->idx[i]];

		if (!o->defined)
			continue;
		count++;
		if (o == s)
			continue;
		if (parent->is_vmlinux ? (o->value < s->value ||
					  (o->value == s->value &&
					   o->index < s->index)) :
		    o->index < s->index)
			pos++;
	}
	return count > 1 ? pos : 0;
}

/* "x.2" of ORIG.o is the only "x.N" of its FILE block in the parent. */
static const struct psym *lookup_renumbered(struct parent *parent,
					    const struct symbol *sym)
{
	const struct psym *found = NULL;
	size_t i;

	for (i = parent->file_block_first; i < parent->nr_syms; i++) {
		const struct psym *s = &parent->syms[i];
		const char *strip;
		bool same;

		if (s->bind != STB_LOCAL || s->type == STT_FILE)
			break;
		if (s->type != sym->type)
			continue;
		strip = strip_name(s->name);
		same = !strcmp(strip, sym->strip);
		if (strip != s->name)
			free((char *)strip);
		if (!same)
			continue;
		if (found)
			return NULL;
		found = s;
	}
	if (found)
		log_debug("parent: %s is %s in %s", sym->name, found->name,
			  parent->path);
	return found;
}

static const struct psym *lookup_local(struct parent *parent,
				       struct kelf *orig,
				       const struct symbol *sym,
				       const struct psym_list *l)
{
	const struct psym *found = NULL;
	size_t i, n = 0;

	if (parent_match_file(parent, orig))
		return NULL;
	for (i = 0; l && i < l->nr; i++) {
		const struct psym *s = &parent->syms[l->idx[i]];

		if (s->bind != STB_LOCAL || !s->defined ||
		    (int)s->block != parent->file_block)
			continue;
		/* modules without FILE symbols: tell them apart by size */
		if (!parent->nr_blocks && (s->size != sym->sym.st_size ||
					   s->type != sym->type))
			continue;
		found = s;
		n++;
	}
	if (n > 1) {
		log_error(orig->base, sym->name,
			  "%zu local symbols of this name and size in %s; cannot tell which one is this object's",
			  n, parent->path);
		return NULL;
	}
	if (!found && parent->nr_blocks)
		found = lookup_renumbered(parent, sym);
	if (!found)
		log_error(orig->base, sym->name,
			  "local symbol not found in %s (for %s)", parent->path,
			  parent->name);
	return found;
}

const struct psym *parent_lookup(struct parent *parent, struct kelf *orig,
				 const struct symbol *sym, unsigned long *pos)
{
	struct psym_list *l = name_table_get(parent->by_name, sym->name);
	const struct psym *found;

	*pos = 0;
	if (sym->bind == STB_LOCAL) {
		found = lookup_local(parent, orig, sym, l);
		/* found under another number: count that name */
		if (found && found->name != sym->name &&
		    strcmp(found->name, sym->name))
			l = name_table_get(parent->by_name, found->name);
	} else if (!l) {
		log_error(orig->base, sym->name, "symbol not found in %s (for %s)",
			  parent->path, parent->name);
		return NULL;
	} else {
		found = parent_find_global(parent, sym->name);
		if (!found)
			log_error(orig->base, sym->name,
				  "global symbol not defined in %s (for %s)",
				  parent->path, parent->name);
	}
	if (found)
		*pos = sympos_of(parent, l, found);
	return found;
}

const struct psym *parent_lookup_global(struct parent *parent,
					const char *name, unsigned long *pos)
{
	struct psym_list *l = name_table_get(parent->by_name, name);
	const struct psym *found = parent_find_global(parent, name);

	*pos = found ? sympos_of(parent, l, found) : 0;
	return found;
}
