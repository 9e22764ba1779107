#!/bin/sh
# Differential test of core/tags: for CPython 2.7 and 3.6 ... 3.14 on many
# targets, thoth's supported tag list must equal packaging 23.0's
# cpython_tags + compatible_tags for the same platform list (the oracle's
# "tags" op), text for text and in order. The platform lists themselves were
# checked against packaging's _manylinux/_musllinux/mac_platforms logic by
# hand; tests/unit/test_tags.c pins them.
set -u
oracle="$THOTH_SHARED/tools/packaging_oracle.py"
dump="$THOTH_BUILD/tests/tags_dump"
if [ ! -d "$THOTH_SHARED/data" ] || [ ! -f "$oracle" ]; then
	echo "skipped: ../shared (packaging oracle) is absent"; exit 77
fi
if ! /usr/bin/python3 -c 'import packaging' 2>/dev/null; then
	echo "skipped: /usr/bin/python3 has no packaging module"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for py in 2.7 3.6 3.7 3.8 3.9 3.10 3.11 3.12 3.13 3.14; do
	for target in x86_64-manylinux_2_36 aarch64-manylinux_2_17 x86_64-manylinux2014 i686-manylinux2010 \
		armv7l-manylinux_2_31 ppc64le-manylinux_2_28 s390x-manylinux1 x86_64-musllinux_1_2 \
		aarch64-musllinux_1_1 x86_64-linux x86_64-unknown-linux-gnu aarch64-apple-darwin \
		x86_64-macosx_10_9 x86_64-pc-windows-msvc; do
		"$dump" "$py" "$target" query >> "$tmp/q" || { echo "FAIL: tags_dump $py $target"; exit 1; }
		"$dump" "$py" "$target" tags >> "$tmp/mine"
		echo "$py $target" >> "$tmp/names"
	done
done
/usr/bin/python3 "$oracle" < "$tmp/q" | sed 's/^{"valid": true, "tags": //; s/}$//' > "$tmp/ref"
i=0
while IFS= read -r name; do
	i=$((i + 1))
	if [ "$(sed -n "${i}p" "$tmp/mine")" = "$(sed -n "${i}p" "$tmp/ref")" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name: thoth and packaging 23.0 disagree"
		sed -n "${i}p" "$tmp/mine" | cut -c1-300
		sed -n "${i}p" "$tmp/ref" | cut -c1-300
	fi
done < "$tmp/names"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
