# advise_diff.sh — sourced by the differential tests of `thoth advise`
# (against pip, against resolvelib_oracle.py). Both helpers count into the
# caller's pass/fail variables.
#
# adiff_status LABEL REF_STATUS THOTH_STATUS DETAIL_FILE...
#   0 when both answered (compare their pins next). Otherwise the case is
#   decided here and 1 returned: both without a solution (thoth's exit 1)
#   passes; anything else fails, printing the start of the detail files.
adiff_status() {
	adiff_label=$1 adiff_rst=$2 adiff_tst=$3
	shift 3
	[ "$adiff_rst" -eq 0 ] && [ "$adiff_tst" -eq 0 ] && return 0
	if [ "$adiff_rst" -ne 0 ] && [ "$adiff_tst" -eq 1 ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $adiff_label: reference status $adiff_rst, thoth status $adiff_tst"
		head -c 400 "$@"
		fail=$((fail + 1))
	fi
	return 1
}

# adiff_pins LABEL WANT_TXT THOTH_JSON
#   The best stack of advise's JSON, as sorted name==version lines, must equal
#   WANT_TXT (sorted, canonical names); a difference fails (returns 1).
adiff_pins() {
	jq -r '.stacks[0].packages[] | .name + "==" + .version' "$3" | sort >"$3.pins"
	cmp -s "$2" "$3.pins" && return 0
	echo "FAIL $1: differs from the reference"
	diff "$2" "$3.pins" | head -20
	fail=$((fail + 1))
	return 1
}
