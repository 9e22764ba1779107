/*
 * yaml — reading YAML documents (rules, advisories) into a small tree. The
 * only module that includes libyaml's header.
 *
 * th_yaml_parse() turns one YAML document into a tree of th_yaml_node that
 * lives in the caller's arena: scalars keep their text, style and tag (so an
 * unquoted `null`, `true` or `35` can be told from a quoted "35"), sequences
 * their items, mappings their pairs in document order. Every node knows its
 * line and column (1-based) for precise error messages.
 *
 * Scalars are typed the way PyYAML's safe loader types them (YAML 1.1
 * resolution: `yes`/`no`/`on`/`off` are booleans, `~` and the empty plain
 * scalar are null, `010` is octal, `1_000` an integer, `1:30` sexagesimal),
 * because the rules we read were written for it; timestamps stay strings.
 * Explicit tags of the core schema (!!str, !!int, ...) win over resolution;
 * other tags are refused, as PyYAML's safe loader refuses them.
 *
 * Bounds, all from th_yaml_opts (filled from core/limits.h): bytes of the
 * document, nesting depth, and nodes, where a node reached through an alias
 * counts as many times as it is reached, so a "billion laughs" document is
 * refused before anyone walks it. Aliases are refused unless allowed; an
 * alias points at the anchored node itself (the tree is then a DAG, never
 * copied). A stream holding more than one document is refused: callers
 * that need several documents ask for them (none does yet). Merge keys (`<<`)
 * are applied as PyYAML applies them (the merged pairs come first, the
 * mapping's own keys win). Duplicate keys are kept; th_yaml_get returns the
 * last one, as PyYAML does.
 */
#ifndef TH_YAML_H
#define TH_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"

typedef enum th_yaml_kind { TH_YAML_SCALAR, TH_YAML_SEQ, TH_YAML_MAP } th_yaml_kind;

typedef enum th_yaml_style {
	TH_YAML_PLAIN,  /* unquoted scalar, or any sequence / mapping */
	TH_YAML_SINGLE, /* 'quoted' */
	TH_YAML_DOUBLE, /* "quoted" */
	TH_YAML_BLOCK   /* | literal or > folded */
} th_yaml_style;

/* What a scalar means after tag resolution. */
typedef enum th_yaml_type {
	TH_YAML_NONE,  /* no node at all (a missing key) */
	TH_YAML_NULL,
	TH_YAML_BOOL,
	TH_YAML_INT,
	TH_YAML_FLOAT,
	TH_YAML_STR,
	TH_YAML_SEQUENCE,
	TH_YAML_MAPPING
} th_yaml_type;

typedef struct th_yaml_node th_yaml_node;

typedef struct th_yaml_pair {
	th_yaml_node *key;
	th_yaml_node *value;
} th_yaml_pair;

struct th_yaml_node {
	th_yaml_kind kind;
	th_yaml_style style;
	th_yaml_type type; /* resolved once while parsing */
	uint32_t line, col; /* 1-based, where the node starts */
	const char *tag;    /* explicit tag as libyaml expands it, or NULL */
	union {
		struct {
			const char *ptr; /* NUL-terminated; may also contain NUL ("\0" escapes) */
			size_t len;
		} str;
		struct {
			th_yaml_node **items;
			size_t n;
		} seq;
		struct {
			th_yaml_pair *pairs;
			size_t n;
		} map;
	} u;
};

typedef struct th_yaml_opts {
	uint64_t max_bytes;  /* of the document text */
	uint64_t max_depth;  /* of nested sequences and mappings */
	uint64_t max_nodes;  /* counting every node once per path that reaches it */
	bool allow_aliases;
	const char *what;    /* names the input in messages ("rules/x.yaml") */
} th_yaml_opts;

/* Defaults from the limits (yaml_bytes, yaml_depth, yaml_nodes); aliases off. */
void th_yaml_opts_init(th_yaml_opts *o, const th_limits *lim, const char *what);

/* Parses one document. *out is NULL for an empty stream (no document).
 * Errors are TH_ERR_INVALID ("<what>:<line>:<col>: <why>") or TH_ERR_LIMIT. */
int th_yaml_parse(th_yaml_node **out, const char *text, size_t len, const th_yaml_opts *opts,
		  th_arena *a, th_error *err);

/* ---- reading the tree (all accept NULL nodes) ---- */

th_yaml_type th_yaml_typeof(const th_yaml_node *n);
/* "a mapping", "a string", "null", ... for messages. */
const char *th_yaml_type_name(th_yaml_type t);
/* The value of `key` in a mapping (the last one if repeated), or NULL. Keys
 * are compared as text, whatever their type. */
th_yaml_node *th_yaml_get(const th_yaml_node *map, const char *key);
/* The scalar's text if it resolves to a string, else NULL. */
const char *th_yaml_str(const th_yaml_node *n, size_t *len);
/* The text of any scalar (what a string conversion of it would start from). */
const char *th_yaml_text(const th_yaml_node *n, size_t *len);
/* 0 and *out when the node is a boolean, else TH_ERR_INVALID (err untouched). */
int th_yaml_bool(const th_yaml_node *n, bool *out);
/* 0 and *out when the node is an integer that fits, else TH_ERR_INVALID. */
int th_yaml_int(const th_yaml_node *n, int64_t *out);
/* 0 and *out when the node is a float or an integer, else TH_ERR_INVALID. */
int th_yaml_float(const th_yaml_node *n, double *out);

/* ---- YAML as JSON text ----
 * For readers written against core/json (OSV advisories come in both forms):
 * the first document of (data, len) appended to out as compact JSON.
 * Mappings become objects, sequences arrays; every scalar becomes a JSON
 * string, because implicit typing would turn the version 1.10 into the
 * number 1.1 — except null (~, null, the empty plain scalar) and the plain
 * booleans true/false, which keep their JSON meaning. Keys are their text.
 * Aliases are refused; nesting is bounded by max_depth. */
int th_yaml_to_json(th_buf *out, const char *data, size_t len, unsigned max_depth, const char *what,
		    th_error *err);

#endif
