# kb_index.sh — sourced by the knowledge-base tests: builds small PEP 503
# indexes by hand (what ../shared's generator cannot express).
#   kb_add_file ROOT PROJECT FILENAME METADATA [ATTRS]
#       writes ROOT/files/FILENAME (a stand-in), its .metadata, and an anchor
#       with #sha256= and data-core-metadata= (plus ATTRS) on
#       ROOT/simple/PROJECT/index.html
#   kb_finish_root ROOT        writes the project list ROOT/simple/index.html
#   kb_md NAME VERSION EXTRA   core metadata text (EXTRA: more header lines)
kb_add_file() {
  mkdir -p "$1/files" "$1/simple/$2"
  printf 'not a real archive: %s\n' "$3" > "$1/files/$3"
  printf '%s' "$4" > "$1/files/$3.metadata"
  kb_fh=$(sha256sum < "$1/files/$3" | cut -c1-64)
  kb_mh=$(sha256sum < "$1/files/$3.metadata" | cut -c1-64)
  printf '<a href="../../files/%s#sha256=%s" data-core-metadata="sha256=%s" %s>%s</a>\n' \
    "$3" "$kb_fh" "$kb_mh" "${5:-}" "$3" >> "$1/simple/$2/index.html"
}
kb_finish_root() {
  for kb_d in "$1"/simple/*/; do
    kb_n=$(basename "$kb_d"); printf '<a href="%s/">%s</a>\n' "$kb_n" "$kb_n"
  done > "$1/simple/index.html"
}
kb_md() { printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n%s' "$1" "$2" "$3"; }
