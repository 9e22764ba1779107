#!/bin/sh
# kb_advisories — imports the PyPA advisory database and checks thoth's OSV
# matcher against packaging (packaging_oracle.py): for every advisory that
# lists explicit `versions`, each listed version is evaluated against the
# advisory's ECOSYSTEM ranges twice — by thoth (kb_osv_dump) and here, by the
# OSV schema's own procedure (events sorted by version, then introduced /
# fixed / last_affected applied in order) with every version comparison
# answered by the oracle. The two must agree on every version.
#
# Listed versions that the ranges do not cover, and listed versions that are
# not PEP 440, are defects of the data, not of thoth: they are counted and
# printed, not failed. Also checked: the import is all or nothing, and
# `kb advisories` answers for a known case.
set -u
: "${THOTH:?}" "${THOTH_BUILD:?}" "${THOTH_SHARED:?}"
adv=$THOTH_SHARED/data/advisories/pypa
[ -d "$adv/vulns" ] || { echo "skip: $adv is absent"; exit 77; }
for t in /usr/bin/python3 jq; do
  command -v $t >/dev/null 2>&1 || { echo "skip: $t is not installed"; exit 77; }
done
/usr/bin/python3 -c 'import packaging' 2>/dev/null || { echo "skip: python3-packaging is not installed"; exit 77; }

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
check() { name=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi; }
same() { [ "$1" = "$2" ] || { echo "  expected: $2"; echo "  got:      $1"; return 1; }; }
TAB=$(printf '\t')

export THOTH_DB=$W/kb.db
check "import" "$THOTH" kb import --quiet "$adv"
n=$(find "$adv/vulns" -name '*.yaml' | wc -l)
check "every advisory imported" same "$("$THOTH" kb stats --format json | jq .advisories)" "$n"
check "a known match" sh -c "'$THOTH' kb advisories aiohttp==3.7.3 | grep -q '^PYSEC-2021-76 '"
check "a known non-match" sh -c "! '$THOTH' kb advisories aiohttp==3.7.4 | grep -q '^PYSEC-2021-76 '"

"$THOTH_BUILD/tests/kb_osv_dump" "$THOTH_DB" > "$W/dump.tsv"
check "dump" [ -s "$W/dump.tsv" ]

# Every comparison the OSV procedure needs: listed version vs each event,
# and event vs event within a range (to sort them). Asked once each.
awk -F '\t' -v OFS='\t' '
  $1 == "E" { k = $2 SUBSEP $3; ev[k] = ev[k] "\n" $4 "\t" $6 }
  $1 == "V" { vs[$2 SUBSEP $3] = vs[$2 SUBSEP $3] "\n" $4 }
  END {
    for (k in ev) {
      ne = split(substr(ev[k], 2), e, "\n")
      for (i = 1; i <= ne; i++) {
        split(e[i], a, "\t"); print "version", a[2]
        for (j = 1; j <= ne; j++) { split(e[j], b, "\t"); if (a[1] == b[1]) print "compare", a[2], b[2] }
      }
      nv = split(substr(vs[k], 2), v, "\n")
      for (i = 1; i <= nv; i++) {
        print "version", v[i]
        for (j = 1; j <= ne; j++) { split(e[j], b, "\t"); print "compare", v[i], b[2] }
      }
    }
  }' "$W/dump.tsv" | sort -u > "$W/questions.tsv"
jq -R -c 'split("\t") | if .[0] == "version" then {op: "version", v: .[1]} else {op: "compare", a: .[1], b: .[2]} end' \
  < "$W/questions.tsv" | /usr/bin/python3 "$THOTH_SHARED/tools/packaging_oracle.py" |
  jq -r 'if .valid then (.cmp // "ok") else "invalid" end' > "$W/answers.txt"
check "the oracle answered every question" same "$(wc -l < "$W/answers.txt")" "$(wc -l < "$W/questions.tsv")"
paste "$W/questions.tsv" "$W/answers.txt" > "$W/qa.tsv"

# The OSV procedure, on the oracle's answers. Output: id, affected#, version,
# thoth's verdict, the oracle's verdict (-1 when the version is not PEP 440).
awk -F '\t' -v OFS='\t' '
  FILENAME == ARGV[1] {
    if ($1 == "version") valid[$2] = ($3 != "invalid")
    else cmp[$2 SUBSEP $3] = $4
    next
  }
  $1 == "E" { k = $2 SUBSEP $3; n = ++ne[k]; kind[k, n] = $5; ver[k, n] = $6; rng[k, n] = $4; next }
  $1 == "V" { nv++; vid[nv] = $2; vaf[nv] = $3; vv[nv] = $4; vt[nv] = $5 }
  function before(k, x, y) { # does event x sort before event y (introduced "0" first)?
    if (kind[k, x] == "introduced" && ver[k, x] == "0") return !(kind[k, y] == "introduced" && ver[k, y] == "0")
    if (kind[k, y] == "introduced" && ver[k, y] == "0") return 0
    return cmp[ver[k, x], ver[k, y]] < 0
  }
  END {
    for (i = 1; i <= nv; i++) {
      k = vid[i] SUBSEP vaf[i]; v = vv[i]
      if (!valid[v]) { print vid[i], vaf[i], v, vt[i], -1; continue }
      hit = 0
      # Each range on its own: its events (limit aside, valid versions only), stably sorted.
      delete seen
      for (e = 1; e <= ne[k]; e++) {
        r = rng[k, e]; if (r in seen) continue; seen[r] = 1
        m = 0
        for (f = 1; f <= ne[k]; f++)
          if (rng[k, f] == r && kind[k, f] != "limit" && ((kind[k, f] == "introduced" && ver[k, f] == "0") || valid[ver[k, f]]))
            o[++m] = f
        for (a = 2; a <= m; a++) { x = o[a]; b = a - 1; while (b >= 1 && before(k, x, o[b])) { o[b + 1] = o[b]; b-- } o[b + 1] = x }
        vuln = 0
        for (a = 1; a <= m; a++) {
          f = o[a]; c = (ver[k, f] == "0" && kind[k, f] == "introduced") ? 1 : cmp[v, ver[k, f]]
          if (kind[k, f] == "introduced" && c >= 0) vuln = 1
          else if (kind[k, f] == "fixed" && c >= 0) vuln = 0
          else if (kind[k, f] == "last_affected" && c > 0) vuln = 0
        }
        if (vuln) hit = 1
      }
      print vid[i], vaf[i], v, vt[i], hit
    }
  }' "$W/qa.tsv" "$W/dump.tsv" > "$W/verdicts.tsv"

total=$(wc -l < "$W/verdicts.tsv")
awk -F '\t' '$4 != $5' "$W/verdicts.tsv" > "$W/disagree.tsv"
check "thoth agrees with the oracle on all $total listed versions" same "$(wc -l < "$W/disagree.tsv")" 0
head -20 "$W/disagree.tsv"

# Known defects of the data, reported.
awk -F '\t' '$5 == -1' "$W/verdicts.tsv" > "$W/notpep440.tsv"
awk -F '\t' '$5 == 0' "$W/verdicts.tsv" > "$W/uncovered.tsv"
echo "data defect: $(wc -l < "$W/notpep440.tsv") listed versions are not PEP 440 (in $(cut -f1 "$W/notpep440.tsv" | sort -u | wc -l) advisories), e.g.:"
head -3 "$W/notpep440.tsv" | cut -f1,3 | sed 's/^/  /'
echo "data defect: $(wc -l < "$W/uncovered.tsv") listed versions lie outside the advisory's own ECOSYSTEM ranges:"
cut -f1,3 "$W/uncovered.tsv" | sed 's/^/  /'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
