// SPDX-License-Identifier: GPL-2.0
/*
 * lines.c: code that differs only by __LINE__.
 *
 * might_sleep(), might_fault(), cond_resched() with DEBUG_ATOMIC_SLEEP,
 * RCU lockdep checks, old WARN() and the ext4/btrfs/xfs error helpers pass
 * __LINE__ in a register: "mov $LINE, %esi; ...; call __might_sleep".  An
 * edit above such a call changes the immediate and nothing else.  Both
 * versions are decoded in step; every differing instruction must be a
 * "mov $imm32, %reg" that differs in the immediate only, and the next call
 * must go to a function of the table below taking the line in that
 * register.  Anything else is a real change.
 */
#include <string.h>

#include "cdo.h"
#include "insn.h"
#include "log.h"
#include "target.h"

/* System V argument registers, by position */
static const int arg_regs[] = { 7 /* rdi */, 6 /* rsi */, 2 /* rdx */,
				1 /* rcx */, 8 /* r8 */, 9 /* r9 */ };

struct line_func {
	const char *name;
	int arg;	/* position of the line argument */
};

/* Functions taking __LINE__ (from the macros that call them). */
static const struct line_func line_funcs[] = {
	{ "__might_sleep", 1 }, { "___might_sleep", 1 },
	{ "__might_resched", 1 }, { "__might_fault", 1 },
	{ "__cant_sleep", 1 }, { "__cant_migrate", 1 },
	{ "lockdep_rcu_suspicious", 1 }, { "__warn", 1 },
	{ "warn_slowpath_fmt", 1 }, { "warn_slowpath_fmt_taint", 1 },
	{ "warn_slowpath_null", 1 }, { "__kunit_fail_current_test", 1 },
	{ "__validate_process_creds", 2 }, { "__validate_creds", 2 },
	{ "__jbd2_debug", 3 },
	/* ext4 */
	{ "__ext4_error", 2 }, { "__ext4_error_inode", 2 },
	{ "__ext4_error_file", 2 }, { "__ext4_std_error", 2 },
	{ "__ext4_abort", 2 }, { "__ext4_warning", 2 },
	{ "__ext4_warning_inode", 2 }, { "__ext4_grp_locked_error", 1 },
	{ "__ext4_check_dir_entry", 1 }, { "__ext4_mark_inode_dirty", 3 },
	{ "__ext4_journal_get_write_access", 1 },
	{ "__ext4_journal_get_create_access", 1 },
	{ "__ext4_handle_dirty_metadata", 1 }, { "__ext4_forget", 1 },
	{ "__ext4_journal_start_sb", 1 },
	{ "__ext4_journal_start_reserved", 1 }, { "__ext4_journal_stop", 1 },
	{ "ext4_journal_abort_handle", 1 }, { "ext4_check_blockref", 1 },
	{ "__dump_mmp_msg", 3 }, { "__ext4_iget", 4 },
	{ "__ext4_ext_dirty", 1 }, { "__ext4_ext_check", 1 },
	{ "__read_extent_tree_block", 1 }, { "__check_block_validity", 2 },
	{ "__xattr_check_inode", 4 }, { "__ext4_read_dirblock", 4 },
	{ "__ext4_xattr_check_block", 3 },
	/* btrfs, xfs, gfs2, ocfs2 */
	{ "__btrfs_handle_fs_error", 2 }, { "__btrfs_abort_transaction", 2 },
	{ "__btrfs_panic", 2 }, { "btrfs_assertfail", 2 },
	{ "xfs_error_report", 4 }, { "xfs_errortag_test", 3 },
	{ "xfs_do_force_shutdown", 3 }, { "assfail", 3 }, { "asswarn", 3 },
	{ "gfs2_consist_i", 3 }, { "gfs2_consist_inode_i", 3 },
	{ "gfs2_consist_rgrpd_i", 3 }, { "gfs2_io_error_i", 3 },
	{ "gfs2_io_error_bh_i", 4 }, { "gfs2_metatype_check_i", 5 },
	{ "__mlog_printk", 2 },
	/* beyond the sixth argument: pushed on the stack */
	{ "xfs_corruption_error", 6 },
	{ NULL, 0 },
};

#define STACK_ARG 100

/* Register of the line argument of callee (STACK_ARG: on the stack). */
static int line_reg(const char *callee)
{
	const struct line_func *f;

	for (f = line_funcs; f->name; f++)
		if (!strcmp(f->name, callee))
			return f->arg < 6 ? arg_regs[f->arg] : STACK_ARG;
	return -1;
}

/* "push $imm32": the register-less way to pass a stack argument. */
static int insn_line_reg(const struct insn *insn)
{
	if (insn->map == MAP_ONE && insn->opcode == 0x68 &&
	    insn->imm_size == 4)
		return STACK_ARG;
	return insn_mov_imm32_reg(insn);
}

/* Is this relocation's target a __FILE__ string ("...x.c", "...x.h")? */
static bool is_file_string(struct section *sec, struct rela *rela)
{
	struct target t;
	const char *str;
	size_t len;

	resolve_target(sec, rela, &t);
	if (!t.sec || !sec_is_string(t.sec) || !t.sec->data ||
	    t.loc >= t.sec->size)
		return false;
	str = (const char *)t.sec->data + t.loc;
	len = strnlen(str, t.sec->size - t.loc);
	return len > 2 && str[len - 2] == '.' &&
	       (str[len - 1] == 'c' || str[len - 1] == 'h');
}

/*
 * Callee of the first call after offset at, or NULL; *file tells whether
 * a __FILE__ string is loaded on the way.
 */
static const char *next_callee(struct section *sec, uint64_t at,
			       uint64_t start, uint64_t end, bool *file)
{
	int budget = 64;

	*file = false;
	while (at >= start && at < end && budget--) {
		struct insn insn;
		struct rela *rela;
		size_t i;

		if (insn_decode(sec->data + at, end - at, &insn))
			return NULL;
		if (insn.is_call) {
			rela = kelf_rela_at(sec, at + insn.imm_off);
			return rela ? rela->sym->name : NULL;
		}
		/* an unconditional jump to a shared call (cross-jumping) */
		if (insn.map == MAP_ONE && (insn.opcode == 0xe9 ||
					    insn.opcode == 0xeb) &&
		    !kelf_rela_at(sec, at + insn.imm_off)) {
			const unsigned char *d = sec->data + at + insn.imm_off;
			int64_t disp = insn.imm_size == 1 ? (int8_t)d[0] :
				       (int32_t)(d[0] | d[1] << 8 | d[2] << 16 |
						 (uint32_t)d[3] << 24);

			at += insn.len + (uint64_t)disp;
			continue;
		}
		/* the line must reach the call: no other jump in between */
		if (insn.rel_branch || (insn.map == MAP_ONE &&
					(insn.opcode == 0xc3 ||
					 insn.opcode == 0xff)))
			return NULL;
		for (i = kelf_rela_index(sec, at);
		     i < sec->nr_relas && sec->relas[i].offset < at + insn.len;
		     i++)
			if (is_file_string(sec, &sec->relas[i]))
				*file = true;
		at += insn.len;
	}
	return NULL;
}

/*
 * printk(fmt, ..., __FILE__, __LINE__) as in ASSERT()/J_ASSERT(): the line
 * may be any vararg, but only with the file name next to it.
 */
static bool line_call_ok(const char *callee, int reg, bool file)
{
	if (line_reg(callee) == reg)
		return true;
	return file && (!strcmp(callee, "_printk") || !strcmp(callee, "printk") ||
			!strcmp(callee, "__warn_printk"));
}

static bool only_immediate_differs(const unsigned char *a,
				   const unsigned char *b,
				   const struct insn *insn)
{
	return !memcmp(a, b, insn->imm_off) &&
	       insn->imm_off + insn->imm_size == insn->len;
}

bool lines_only_change(struct section *osec, uint64_t ostart,
		       struct section *psec, uint64_t pstart, uint64_t len)
{
	uint64_t at = 0;
	bool any = false;

	while (at < len) {
		const unsigned char *a = osec->data + ostart + at;
		const unsigned char *b = psec->data + pstart + at;
		struct insn oi, pi;
		const char *callee;
		bool file;
		int reg;

		if (insn_decode(a, len - at, &oi) ||
		    insn_decode(b, len - at, &pi) || oi.len != pi.len)
			return false;
		if (memcmp(a, b, oi.len)) {
			reg = insn_line_reg(&pi);
			if (reg < 0 || reg != insn_line_reg(&oi) ||
			    !only_immediate_differs(a, b, &pi))
				return false;
			callee = next_callee(psec, pstart + at + pi.len, pstart,
					     pstart + len, &file);
			if (!callee || !line_call_ok(callee, reg, file))
				return false;
			log_debug("compare: %s+0x%lx: line number change only (%s)",
				  psec->name, (unsigned long)(pstart + at),
				  callee);
			any = true;
		}
		at += oi.len;
	}
	return any;
}
