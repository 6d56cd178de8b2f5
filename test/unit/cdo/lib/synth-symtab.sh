#!/bin/bash
# cdo_synth_symtab ORIG.o SOURCE.c STOCK_SYMTAB OUT: a PARENT_SYMTAB for
# objects built in a tree no running kernel matches (the ibt and clang
# variants).  It is the stock vmlinux symtab (readelf -s --wide) with the
# object's FILE block (the SOURCE.c block sharing the most local names with
# ORIG) made to describe ORIG: its function and object symbols with ORIG's
# names and sizes, the other local symbols of the block dropped, and the
# sizes of ORIG's global definitions updated.  The differ can then be
# checked on what such objects contain (functions, special sections)
# instead of stopping at "not built like the running kernel".  Sourced.

cdo__orig_symbols() {
	local orig=$1
	# bind type size section name, for defined functions and objects in
	# sections that reach the kernel image.
	readelf -SW "$orig" | sed -n 's/^ *\[ *\([0-9]*\)\] \([^ ]*\) .*/\1 \2/p' >"$orig.secs.$$"
	readelf -sW "$orig" | awk -v secs="$orig.secs.$$" '
		BEGIN { while ((getline l < secs) > 0) { split(l, f, " "); name[f[1]] = f[2] } }
		($4 == "FUNC" || $4 == "OBJECT") && $7 ~ /^[0-9]+$/ && $8 != "" {
			s = name[$7]
			if (s ~ /^\.discard/ || s == ".modinfo" || s ~ /^\.kpatch/ || s ~ /^__ksymtab/)
				next
			print $5, $4, $3, s, $8
		}'
	rm -f "$orig.secs.$$"
}

cdo_synth_symtab() {
	local orig=$1 source=$2 stock=$3 out=$4 syms
	syms=$(mktemp)
	cdo__orig_symbols "$orig" >"$syms"
	awk -v file="$(basename "$source")" -v syms="$syms" '
		BEGIN {
			while ((getline l < syms) > 0) {
				split(l, f, " ")
				if (f[1] == "LOCAL") { lsize[f[5]] = f[3]; ltype[f[5]] = f[2]; lsec[f[5]] = f[4]; nl++; lname[nl] = f[5] }
				else if (f[1] == "GLOBAL") gsize[f[5]] = f[3]
			}
		}
		# Pass 1: pick the FILE block of `file` sharing the most local names.
		NR == FNR {
			if ($4 == "FILE") { blk++; inblk = ($8 == file) }
			else if (inblk && $5 == "LOCAL" && ($8 in lsize)) score[blk]++
			next
		}
		FNR == 1 {
			best = 0
			for (b in score)
				if (best == 0 || score[b] > score[best])
					best = b
			blk = 0
		}
		{
			if ($4 == "FILE") {
				blk++
				target = 0
				if ($8 == file && ((best == 0 && !done) || blk == best)) {
					target = 1; done = 1
					print
					for (i = 1; i <= nl; i++) {
						n = lname[i]
						ndx = (ltype[n] == "FUNC") ? (lsec[n] ~ /^\.init/ ? 35 : 1) : 24
						printf "%7d: ffffffffc0%06x %5d %-7s LOCAL  DEFAULT %4d %s\n", 0, 64 * i, lsize[n], ltype[n], ndx, n
					}
					next
				}
			} else if ($5 == "GLOBAL" || $5 == "WEAK") {
				target = 0
				if (($8 in gsize) && ($4 == "FUNC" || $4 == "OBJECT")) {
					$3 = gsize[$8]
					printf "%7s %s %5d %-7s %-6s %-7s %4s %s\n", $1, $2, $3, $4, $5, $6, $7, $8
					next
				}
			} else if (target && ($4 == "FUNC" || $4 == "OBJECT")) {
				next
			}
			print
		}' "$stock" "$stock" |
		awk '/^ *[0-9]+:/ { sub(/^ *[0-9]+:/, sprintf("%7d:", n++)) } { print }' >"$out.tmp.$$"
	rm -f "$syms"
	mv "$out.tmp.$$" "$out"
}
