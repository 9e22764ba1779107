/*
 * marker — PEP 508 environment markers, parsed once and evaluated many times.
 *
 * The grammar, the normalised text and the evaluation follow packaging 23.0
 * exactly (the project's reference), including its quirks:
 *  - `and` binds tighter than `or`; parentheses nest up to TH_MARKER_DEPTH_MAX
 *    (deeper input is a TH_ERR_LIMIT error, never a stack overflow);
 *  - quoted strings are Python literals: escapes are decoded (all but
 *    \N{name}, refused: thoth carries no Unicode name table);
 *  - text after a complete marker is ignored by th_marker_parse (23.0's
 *    Marker() does not look for the end); th_req_parse does require the end;
 *  - the legacy names os.name, sys.platform, platform.version,
 *    platform.machine, platform.python_implementation and
 *    python_implementation are read as their PEP 508 names;
 *  - str(): values always in double quotes, redundant parentheses dropped the
 *    way 23.0 drops them, and the first comparison of `extra` normalised.
 * Evaluation: when the operator and the right side form one PEP 440
 * specifier, the left side is compared as a version (not a version: error);
 * otherwise ==, !=, <, <=, >, >= compare strings, in / not in test
 * substrings, and ~= / === are an error. `extra` is compared after PEP 503
 * normalisation. Every comparison is evaluated (an error anywhere is an
 * error), as 23.0 does.
 *
 * PEP 751 adds two set-valued variables, `extras` and `dependency_groups`
 * (23.0 rejects them): only `"name" in extras` and `"name" not in extras`
 * (same for dependency_groups) are defined, with names normalised; any other
 * use is an error.
 *
 * Memory: a parsed marker lives in the caller's arena and is immutable;
 * th_marker_eval allocates nothing. An environment owns its own arena
 * (th_marker_env_release frees it); it pre-parses each value as a version
 * and as a specifier for every operator, so evaluation is lookups only.
 */
#ifndef TH_MARKER_H
#define TH_MARKER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/specifier.h"
#include "core/version.h"

/* Parenthesis nesting accepted: real markers nest two or three deep; the
 * parser recurses once per level, so this bounds its stack. */
#define TH_MARKER_DEPTH_MAX 64

typedef struct th_marker th_marker;

typedef enum th_marker_var {
	TH_MV_PYTHON_VERSION,
	TH_MV_PYTHON_FULL_VERSION,
	TH_MV_OS_NAME,
	TH_MV_SYS_PLATFORM,
	TH_MV_PLATFORM_RELEASE,
	TH_MV_PLATFORM_SYSTEM,
	TH_MV_PLATFORM_VERSION,
	TH_MV_PLATFORM_MACHINE,
	TH_MV_PLATFORM_PYTHON_IMPLEMENTATION,
	TH_MV_IMPLEMENTATION_NAME,
	TH_MV_IMPLEMENTATION_VERSION,
	TH_MV_EXTRA,
	TH_MV_NSTRINGS,                  /* the string variables come before */
	TH_MV_EXTRAS = TH_MV_NSTRINGS,   /* PEP 751 sets */
	TH_MV_DEPENDENCY_GROUPS,
	TH_MV_COUNT
} th_marker_var;

/* Operators that may form a specifier with the right side: <, <=, ==, !=,
 * >=, >, ~=, ===. */
#define TH_MARKER_SPEC_OPS 8

/* A value understood as 23.0 would: its version, if it is one, and
 * Specifier(op + value) for each operator (NULL when that is no specifier). */
typedef struct th_marker_envval {
	const char *s;       /* the value (extra: normalised); never NULL */
	size_t len;
	bool is_version;
	th_version ver;
	const th_spec *spec[TH_MARKER_SPEC_OPS];
} th_marker_envval;

typedef struct th_marker_env {
	th_arena arena;                      /* owns every value */
	th_marker_envval var[TH_MV_NSTRINGS];
	const char **set[2];                 /* extras, dependency_groups: normalised names */
	size_t *setlen[2];
	size_t nset[2], capset[2];
} th_marker_env;

/* Every variable empty, both sets empty. An environment owns its arena: do
 * not copy one; release it once. */
void th_marker_env_init(th_marker_env *env);
void th_marker_env_release(th_marker_env *env);
/* name is a PEP 508 variable name ("python_version", ..., "extra"); the value
 * is copied. Unknown names are TH_ERR_INVALID. */
int th_marker_env_set(th_marker_env *env, const char *name, const char *value, size_t len, th_error *err);
int th_marker_env_add_extra(th_marker_env *env, const char *s, size_t len, th_error *err);
int th_marker_env_add_dependency_group(th_marker_env *env, const char *s, size_t len, th_error *err);

int th_marker_parse(th_marker **out, const char *s, size_t len, th_arena *a, th_error *err);
/* For the requirement parser: parses a marker starting at *pos of s (the text
 * before it matters for word boundaries) and leaves *pos after it. */
int th_marker_parse_at(th_marker **out, const char *s, size_t len, size_t *pos, th_arena *a, th_error *err);
/* Appends str(Marker). */
int th_marker_format(const th_marker *m, th_buf *out, th_error *err);
/* False when str() does not read back to the same marker: 23.0 prints every
 * value between double quotes as it is, so a value holding '"', '\\', a
 * line break or a NUL cannot be read back from it. */
bool th_marker_roundtrips(const th_marker *m);
/* *result is the marker's value; an undefined comparison is TH_ERR_INVALID. */
int th_marker_eval(const th_marker *m, const th_marker_env *env, bool *result, th_error *err);

/* Python's \b at byte i of s (\w: letters, digits and '_' of Unicode, as
 * Python's str.isalnum(); bytes that are not UTF-8 count as letters). */
bool th_marker_boundary(const char *s, size_t len, size_t i);

/* Bytes of the Python whitespace character (str.isspace) at s, or 0. */
size_t th_marker_pyspace(const char *s, size_t len);

#endif
