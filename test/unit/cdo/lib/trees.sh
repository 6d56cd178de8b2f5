#!/bin/bash
# Kernel trees the differ corpus compiles in, one per variant:
#   gcc    the stock prepared tree (kpatch-build/kpatch-prepare-tree)
#   ibt    a copy of the stock source with CONFIG_X86_KERNEL_IBT=y
#   clang  a copy of the stock source configured and prepared with LLVM=1
# The extra trees live next to the stock one in the kpatch cache
# (<cache>/<release>/tree-<variant>) and are made the way
# kpatch-prepare-tree makes the stock one.  Sourced; needs CDO_TOP.

CDO_VARIANTS=(gcc ibt clang)

# The stock kernel's cache directory (fetching what the corpus needs).
cdo_stock_dir() {
	if [[ -z ${CDO_STOCK_DIR:-} ]]; then
		CDO_STOCK_DIR=$("$CDO_TOP/kpatch-build/kpatch-stock-kernel" -c image,headers,dbg,source) ||
			return 1
	fi
	echo "$CDO_STOCK_DIR"
}

# make arguments a variant's tree is built with.
cdo_variant_make_args() {
	case $1 in
	clang) echo "LLVM=1" ;;
	gcc | ibt) echo "" ;;
	*) return 1 ;;
	esac
}

cdo__prepare_variant_tree() {
	local stock=$1 variant=$2 tree=$3 tmp rc=0
	local -a margs
	read -r -a margs <<<"$(cdo_variant_make_args "$variant")"
	tmp=$(mktemp -d "$stock/.tmp-tree-$variant.XXXXXX")
	echo "cdo: preparing the $variant tree $tree (a few minutes, once)" >&2
	cp -a "$stock/source/." "$tmp/"
	cp "$stock/boot/config" "$tmp/.config"
	# Same adjustments as kpatch-prepare-tree: Debian's signing keys.
	"$tmp/scripts/config" --file "$tmp/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		--set-str MODULE_SIG_KEY "certs/signing_key.pem"
	if [[ $variant == ibt ]]; then
		"$tmp/scripts/config" --file "$tmp/.config" -e X86_KERNEL_IBT
	fi
	make -C "$tmp" -s "${margs[@]}" olddefconfig >"$tmp/.kpatch-prepare.log" 2>&1 || rc=$?
	if [[ $rc -eq 0 ]]; then
		make -C "$tmp" -s -j2 "${margs[@]}" prepare >>"$tmp/.kpatch-prepare.log" 2>&1 || rc=$?
	fi
	if [[ $rc -ne 0 ]]; then
		echo "cdo: preparing the $variant tree failed; log: $tmp/.kpatch-prepare.log" >&2
		return 1
	fi
	if [[ $variant == ibt ]] && ! grep -q '^CONFIG_X86_KERNEL_IBT=y' "$tmp/.config"; then
		echo "cdo: CONFIG_X86_KERNEL_IBT did not stick in $tmp/.config" >&2
		return 1
	fi
	touch "$tmp/.kpatch-lock" "$tmp/.kpatch-prepared"
	rm -rf "$tree"
	mv "$tmp" "$tree"
}

# Print the prepared tree of a variant, preparing it first if needed.
cdo_tree() {
	local variant=$1 stock tree
	if [[ $variant == gcc ]]; then
		"$CDO_TOP/kpatch-build/kpatch-prepare-tree"
		return
	fi
	cdo_variant_make_args "$variant" >/dev/null || {
		echo "cdo: unknown variant '$variant' (one of: ${CDO_VARIANTS[*]})" >&2
		return 1
	}
	stock=$(cdo_stock_dir) || return 1
	tree="$stock/tree-$variant"
	if [[ ! -f $tree/.kpatch-prepared ]]; then
		(
			flock 9
			[[ -f $tree/.kpatch-prepared ]] ||
				cdo__prepare_variant_tree "$stock" "$variant" "$tree"
		) 9>"$stock/.tree-$variant-prepare.lock" || return 1
	fi
	echo "$tree"
}
