/* SPDX-License-Identifier: GPL-2.0 */
/*
 * insn.h: an x86-64 instruction length decoder.
 *
 * Enough of the instruction format to find instruction boundaries, the
 * displacement and immediate fields, and relative branches: used to compute
 * the real target of PC-relative relocations, to spot line-number-only
 * changes, and to check branches leaving a function in a shared section.
 */
#ifndef _INSN_H_
#define _INSN_H_

#include <stdbool.h>
#include <stddef.h>

enum insn_map {
	MAP_ONE,	/* one-byte opcodes */
	MAP_0F,
	MAP_0F38,
	MAP_0F3A,
};

struct insn {
	unsigned int len;
	unsigned int opcode_off;	/* after prefixes/REX/VEX */
	enum insn_map map;
	unsigned char opcode;
	unsigned char rex;		/* 0 if none */
	bool has_modrm;
	unsigned char modrm;
	bool rip_relative;		/* ModRM memory operand is RIP+disp32 */
	unsigned int disp_off, disp_size;
	unsigned int imm_off, imm_size;
	bool rel_branch;		/* the immediate is a branch displacement */
	bool is_call;			/* call rel32 */
};

/* Decodes the instruction at buf (avail bytes); -1 if it is not valid. */
int insn_decode(const unsigned char *buf, size_t avail, struct insn *insn);

/* The register written by "mov $imm32, %r32" (B8+r), or -1. */
int insn_mov_imm32_reg(const struct insn *insn);

#endif /* _INSN_H_ */
