/*
 * limits — every bound thoth puts on what outside input may cost, in one
 * place, each with the reason for its default.
 *
 * A limit protects memory and time against hostile or broken input (a gzip
 * bomb, a symlink loop, a 50 MB METADATA, a deeply nested JSON document).
 * Reaching one is an error (TH_ERR_LIMIT) naming the input and the limit, or
 * a recorded, skipped entry where the caller documents that; never a crash.
 *
 * Users override a limit with `--limit NAME=VALUE` on any command or with the
 * environment variable THOTH_LIMIT_<NAME> (upper case); VALUE takes the
 * suffixes K, M, G (powers of 1024) and, for *_ms limits, is milliseconds.
 */
#ifndef TH_LIMITS_H
#define TH_LIMITS_H

#include <stdint.h>

#include "core/error.h"

/* X(name, default, reason) — the single list of limits. */
#define TH_LIMITS(X) \
	X(layer_bytes,     (uint64_t)16 << 30,  "decompressed bytes of one image layer: stops gzip/zstd bombs; real layers stay far below 16 GiB") \
	X(image_bytes,     (uint64_t)64 << 30,  "decompressed bytes of all layers of one image together") \
	X(blob_bytes,      (uint64_t)16 << 30,  "compressed bytes of one blob as the image stores it") \
	X(entries,         4000000,             "tar entries in one image: a real image has well under a million files") \
	X(path_bytes,      4096,                "bytes of one path inside an image or tree: Linux's PATH_MAX") \
	X(name_bytes,      255,                 "bytes of one path component: Linux's NAME_MAX") \
	X(symlink_depth,   40,                  "symlinks followed while resolving one path: Linux's own MAXSYMLINKS") \
	X(file_bytes,      (uint64_t)32 << 20,  "bytes kept in memory for one file of interest (os-release, dpkg status, RECORD, ELF headers)") \
	X(metadata_bytes,  (uint64_t)8 << 20,   "bytes of one core-metadata file (METADATA, PKG-INFO): real ones are under 1 MiB, a 50 MB one is an attack") \
	X(source_bytes,    (uint64_t)16 << 20,  "bytes of one Python source file parsed: generated files beyond this are skipped and recorded") \
	X(json_bytes,      (uint64_t)256 << 20, "bytes of one JSON document read (manifests, index pages, advisories)") \
	X(json_depth,      128,                 "nesting depth of JSON documents: real ones nest under 20; deep nesting exhausts the stack") \
	X(yaml_depth,      128,                 "nesting depth of YAML documents (rules), for the same reason") \
	X(yaml_bytes,      (uint64_t)16 << 20,  "bytes of one YAML document (a rule file, an advisory): real ones are under 100 KiB") \
	X(yaml_nodes,      1000000,             "nodes of one YAML document, each alias counted as the nodes it repeats: stops 'billion laughs'") \
	X(db_image_bytes,  (uint64_t)512 << 20, "bytes of an SQLite database found inside an image (the RPM database) loaded into memory") \
	X(image_src_bytes, (uint64_t)512 << 20, "bytes of Python sources, notebooks and manifests kept in memory from one image for scan repo: real applications are a few MiB; a huge one narrows with --path") \
	X(db_query_ms,     10000,               "milliseconds one query may run over a database found inside an image: a hostile file must not hang thoth") \
	X(parse_ms,        10000,               "milliseconds tree-sitter may spend on one source file") \
	X(parse_bytes,     (uint64_t)1 << 30,   "bytes tree-sitter may hold while parsing one source file: real ones need ~25x their size; error recovery in garbage grows without end") \
	X(source_nesting,  1000,                "brackets open at once in one Python source: CPython refuses more than 200; tree-sitter 0.20.7 corrupts memory past 65,535") \
	X(import_names,    4096,                "import names one distribution is recorded as providing (top_level.txt / RECORD): real ones list a few; a RECORD of a million modules is an attack") \
	X(observations,    1000000,             "performance observations in one imported file: a Dependency Monkey campaign records thousands") \
	X(kb_chain_projects, 2000,              "knowledge-base projects one source scan walks to show transitive imports: real dependency closures have a few hundred") \
	X(http_bytes,      (uint64_t)512 << 20, "bytes of one HTTP response body (index pages, metadata files)") \
	X(zip_dir_bytes,   (uint64_t)16 << 20,  "bytes of a wheel's zip central directory read to find its top_level.txt and RECORD: the biggest real wheels (tens of thousands of files) have a few MiB") \
	X(name_wheels,     100000,              "wheels one index import reads import names from (one per project; past it the rest are skipped and counted): up to 4 small range reads each") \
	X(resolver_rounds, 2000000,             "candidate decisions in one resolution before it gives up and says so") \
	X(resolver_bytes,  (uint64_t)2 << 30,   "working memory of one resolution (criteria kept for backjumping): real ones use a few MiB")

typedef struct th_limits {
#define TH_LIMITS__FIELD(name, def, why) uint64_t name;
	TH_LIMITS(TH_LIMITS__FIELD)
#undef TH_LIMITS__FIELD
} th_limits;

/* Fills every limit with its default. */
void th_limits_init(th_limits *l);

/* Applies THOTH_LIMIT_<NAME> variables from the environment. */
int th_limits_from_env(th_limits *l, th_error *err);

/* Applies one "NAME=VALUE" assignment (from --limit). */
int th_limits_set(th_limits *l, const char *assignment, th_error *err);

/* Walks the table: for --help and the README. Returns the number of limits;
 * for i in range, fills name/def/why. */
int th_limits_describe(int i, const char **name, uint64_t *def, const char **why);

#endif
