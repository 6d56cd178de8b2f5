// SPDX-License-Identifier: GPL-2.0
/*
 * insn.c: x86-64 instruction length decoder (see insn.h).
 *
 * Covers the general-purpose, x87, SSE, VEX and EVEX encodings in 64-bit
 * mode.  Opcodes invalid in 64-bit mode are rejected, so a decoding error
 * means "not code we understand" and callers fall back to safe behaviour.
 */
#include <string.h>

#include "insn.h"

enum imm_kind {
	IMM_NONE,
	IMM_B,		/* 8 bits */
	IMM_W,		/* 16 bits */
	IMM_Z,		/* 16 with 0x66, else 32 */
	IMM_V,		/* B8+r: 16, 32, or 64 with REX.W */
	IMM_WB,		/* enter: 16 + 8 */
	IMM_MOFFS,	/* A0-A3: 64-bit address (32 with 0x67) */
	IMM_GRP3,	/* F6/F7: imm only for /0 and /1 */
	IMM_INVALID,
};

struct opinfo {
	bool modrm;
	enum imm_kind imm;
	bool branch;	/* relative branch */
};

static struct opinfo one_byte(unsigned char op)
{
	struct opinfo info = { false, IMM_NONE, false };

	switch (op) {
	case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17: case 0x1e:
	case 0x1f: case 0x27: case 0x2f: case 0x37: case 0x3f:
	case 0x60: case 0x61: case 0x82: case 0x9a: case 0xce:
	case 0xd4: case 0xd5: case 0xd6: case 0xea:
		info.imm = IMM_INVALID;
		break;
	case 0x00 ... 0x03: case 0x08 ... 0x0b: case 0x10 ... 0x13:
	case 0x18 ... 0x1b: case 0x20 ... 0x23: case 0x28 ... 0x2b:
	case 0x30 ... 0x33: case 0x38 ... 0x3b: case 0x63:
	case 0x84 ... 0x8f: case 0xd0 ... 0xd3: case 0xd8 ... 0xdf:
	case 0xfe: case 0xff:
		info.modrm = true;
		break;
	case 0x04: case 0x0c: case 0x14: case 0x1c: case 0x24: case 0x2c:
	case 0x34: case 0x3c: case 0x6a: case 0xa8: case 0xb0 ... 0xb7:
	case 0xcd: case 0xe4 ... 0xe7:
		info.imm = IMM_B;
		break;
	case 0x05: case 0x0d: case 0x15: case 0x1d: case 0x25: case 0x2d:
	case 0x35: case 0x3d: case 0x68: case 0xa9:
		info.imm = IMM_Z;
		break;
	case 0x69: case 0x81: case 0xc7:
		info.modrm = true;
		info.imm = IMM_Z;
		break;
	case 0x6b: case 0x80: case 0x83: case 0xc0: case 0xc1: case 0xc6:
		info.modrm = true;
		info.imm = IMM_B;
		break;
	case 0x70 ... 0x7f: case 0xe0 ... 0xe3: case 0xeb:
		info.imm = IMM_B;
		info.branch = true;
		break;
	case 0xe8: case 0xe9:
		info.imm = IMM_Z;
		info.branch = true;
		break;
	case 0xa0 ... 0xa3:
		info.imm = IMM_MOFFS;
		break;
	case 0xb8 ... 0xbf:
		info.imm = IMM_V;
		break;
	case 0xc2: case 0xca:
		info.imm = IMM_W;
		break;
	case 0xc8:
		info.imm = IMM_WB;
		break;
	case 0xf6: case 0xf7:
		info.modrm = true;
		info.imm = IMM_GRP3;
		break;
	default:	/* no operands beyond the opcode */
		break;
	}
	return info;
}

static struct opinfo two_byte(unsigned char op)
{
	struct opinfo info = { true, IMM_NONE, false };

	switch (op) {
	case 0x04: case 0x0a: case 0x0c: case 0x24 ... 0x27: case 0x36:
	case 0x39: case 0x3b ... 0x3f: case 0x7a: case 0x7b:
		info.modrm = false;
		info.imm = IMM_INVALID;
		break;
	case 0x05 ... 0x09: case 0x0b: case 0x0e: case 0x30 ... 0x35:
	case 0x37: case 0x77: case 0xa0 ... 0xa2: case 0xa8 ... 0xaa:
	case 0xc8 ... 0xcf:
		info.modrm = false;
		break;
	case 0x80 ... 0x8f:
		info.modrm = false;
		info.imm = IMM_Z;
		info.branch = true;
		break;
	case 0x0f: case 0x70 ... 0x73: case 0xa4: case 0xac: case 0xba:
	case 0xc2: case 0xc4 ... 0xc6:
		info.imm = IMM_B;
		break;
	default:
		break;
	}
	return info;
}

/* ModRM, SIB and displacement; returns bytes used or -1. */
static int decode_modrm(const unsigned char *p, size_t avail,
			struct insn *insn, unsigned int at)
{
	unsigned char mod, rm;
	unsigned int n = 1, disp = 0;

	if (avail < 1)
		return -1;
	insn->has_modrm = true;
	insn->modrm = p[0];
	mod = p[0] >> 6;
	rm = p[0] & 7;
	if (mod != 3 && rm == 4) {
		if (avail < 2)
			return -1;
		n++;
		if (mod == 0 && (p[1] & 7) == 5)
			disp = 4;
	}
	if (mod == 0 && rm == 5) {
		disp = 4;
		insn->rip_relative = true;
	} else if (mod == 1) {
		disp = 1;
	} else if (mod == 2) {
		disp = 4;
	}
	if (disp) {
		insn->disp_off = at + n;
		insn->disp_size = disp;
	}
	if (avail < n + disp)
		return -1;
	return (int)(n + disp);
}

static unsigned int imm_size(enum imm_kind kind, const struct insn *insn,
			     bool opsize16, bool addr32)
{
	bool rex_w = insn->rex & 8;

	switch (kind) {
	case IMM_B:
		return 1;
	case IMM_W:
		return 2;
	case IMM_Z:
		return (opsize16 && !rex_w) ? 2 : 4;
	case IMM_V:
		return rex_w ? 8 : (opsize16 ? 2 : 4);
	case IMM_WB:
		return 3;
	case IMM_MOFFS:
		return addr32 ? 4 : 8;
	case IMM_GRP3:
		if (((insn->modrm >> 3) & 7) > 1)
			return 0;
		return insn->opcode == 0xf6 ? 1 : ((opsize16 && !rex_w) ? 2 : 4);
	default:
		return 0;
	}
}

/* VEX (C4/C5) and EVEX (62): map from the payload, then opcode + ModRM. */
static int decode_vex(const unsigned char *buf, size_t avail, unsigned int at,
		      struct insn *insn)
{
	unsigned char lead = buf[at];
	unsigned int payload = lead == 0xc5 ? 1 : (lead == 0xc4 ? 2 : 3);
	unsigned int map;

	if (avail < at + payload + 2)
		return -1;
	if (lead == 0xc5) {
		map = 1;
	} else {
		map = buf[at + 1] & (lead == 0x62 ? 0x07 : 0x1f);
		if (!(buf[at + 1] & 0x80))
			insn->rex |= 1;	/* inverted B: only kept for regs */
	}
	if (map < 1 || map > 3)
		return -1;
	insn->map = (enum insn_map)map;
	at += 1 + payload;		/* lead byte and payload */
	insn->opcode_off = at;
	insn->opcode = buf[at];
	return (int)(at + 1);
}

int insn_decode(const unsigned char *buf, size_t avail, struct insn *insn)
{
	bool opsize16 = false, addr32 = false;
	struct opinfo info;
	unsigned int at = 0;
	int n;

	memset(insn, 0, sizeof(*insn));
	for (; at < avail && at < 14; at++) {
		unsigned char b = buf[at];

		if (b == 0x66)
			opsize16 = true;
		else if (b == 0x67)
			addr32 = true;
		else if (b != 0xf0 && b != 0xf2 && b != 0xf3 && b != 0x2e &&
			 b != 0x36 && b != 0x3e && b != 0x26 && b != 0x64 &&
			 b != 0x65)
			break;
	}
	if (at < avail && (buf[at] & 0xf0) == 0x40)
		insn->rex = buf[at++];
	if (at >= avail)
		return -1;

	if (buf[at] == 0xc4 || buf[at] == 0xc5 || buf[at] == 0x62) {
		bool evex = buf[at] == 0x62;

		if (insn->rex)
			return -1;
		n = decode_vex(buf, avail, at, insn);
		if (n < 0)
			return -1;
		at = (unsigned int)n;
		/* vzeroupper/vzeroall (VEX 0F 77) have no ModRM */
		info.modrm = evex || insn->map != MAP_0F || insn->opcode != 0x77;
		info.branch = false;
		info.imm = IMM_NONE;
		if (insn->map == MAP_0F3A ||
		    (insn->map == MAP_0F && two_byte(insn->opcode).imm == IMM_B))
			info.imm = IMM_B;
	} else if (buf[at] == 0x0f) {
		if (++at >= avail)
			return -1;
		if (buf[at] == 0x38 || buf[at] == 0x3a) {
			insn->map = buf[at] == 0x38 ? MAP_0F38 : MAP_0F3A;
			if (++at >= avail)
				return -1;
			info.modrm = true;
			info.branch = false;
			info.imm = insn->map == MAP_0F3A ? IMM_B : IMM_NONE;
		} else {
			insn->map = MAP_0F;
			info = two_byte(buf[at]);
		}
		insn->opcode_off = at;
		insn->opcode = buf[at++];
	} else {
		insn->map = MAP_ONE;
		insn->opcode_off = at;
		insn->opcode = buf[at++];
		info = one_byte(insn->opcode);
	}
	if (info.imm == IMM_INVALID)
		return -1;
	if (info.modrm) {
		n = decode_modrm(buf + at, avail - at, insn, at);
		if (n < 0)
			return -1;
		at += (unsigned int)n;
	}
	insn->imm_size = imm_size(info.imm, insn, opsize16, addr32);
	insn->imm_off = at;
	insn->rel_branch = info.branch;
	insn->is_call = insn->map == MAP_ONE && insn->opcode == 0xe8;
	at += insn->imm_size;
	if (at > avail || at > 15)
		return -1;
	insn->len = at;
	return 0;
}

int insn_mov_imm32_reg(const struct insn *insn)
{
	if (insn->map != MAP_ONE || insn->opcode < 0xb8 ||
	    insn->opcode > 0xbf || insn->imm_size != 4)
		return -1;
	return (insn->opcode & 7) | ((insn->rex & 1) << 3);
}
