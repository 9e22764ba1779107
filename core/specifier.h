/*
 * specifier — PEP 440 version specifiers (">=1.0,!=1.3.*") exactly as
 * packaging 23.0's Specifier and SpecifierSet read, print and apply them.
 *
 * A set is parsed once into the caller's arena; every clause's version is
 * parsed then too, so contains() does no text work in the common case.
 *
 * Invariants and the 23.0 semantics kept on purpose:
 * - Text: the set is split on ",", each part stripped of (Unicode)
 *   whitespace, empty parts dropped; duplicates (same operator, same
 *   canonical version: ">=1.0" and ">=1.0.0") are kept once, the first
 *   written. str() sorts the clause texts (operator + version as written,
 *   stripped) and joins them with ",". The empty set is valid.
 * - Validity: local labels only with == and !=; ".*" only with == and !=
 *   and right after the release; ~= needs two release numbers; === takes any
 *   text without whitespace, ";" or ")", even none.
 * - contains(v, prereleases): -1 is packaging's None (the set allows
 *   pre-releases only if a ==, >=, <=, ~= or === clause names one; an empty
 *   set allows none), 0 False, 1 True. < and > exclude pre-releases,
 *   post-releases and local versions of their own boundary as PEP 440 says.
 *   === compares str(v) with the clause text, case-insensitively.
 */
#ifndef TH_SPECIFIER_H
#define TH_SPECIFIER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/version.h"

typedef enum th_spec_op {
	TH_SPEC_COMPATIBLE, /* ~= */
	TH_SPEC_EQ,         /* == (with th_spec_is_wildcard: ==X.*) */
	TH_SPEC_NE,         /* != (with th_spec_is_wildcard: !=X.*) */
	TH_SPEC_LE,         /* <= */
	TH_SPEC_GE,         /* >= */
	TH_SPEC_LT,         /* < */
	TH_SPEC_GT,         /* > */
	TH_SPEC_ARBITRARY   /* === */
} th_spec_op;

typedef struct th_spec th_spec;       /* one clause; lives in the arena */
typedef struct th_specset th_specset; /* a parsed SpecifierSet; lives in the arena */

/* One clause, as packaging's Specifier(s). */
int th_spec_parse(th_spec **out, const char *s, size_t len, th_arena *a, th_error *err);
/* Specifier.contains(v, prereleases): prereleases -1 (None), 0 or 1; false
 * where 23.0 raises (see th_specset_contains). */
bool th_spec_contains(const th_spec *c, const th_version *v, int prereleases);
/* str(Specifier): operator and version as written. Appends to out. */
int th_spec_format(const th_spec *c, th_buf *out, th_error *err);
th_spec_op th_spec_operator(const th_spec *c);
/* "~=", "==", ... */
const char *th_spec_op_text(th_spec_op op);
bool th_spec_is_wildcard(const th_spec *c);
/* The clause's version (for ==X.*, X); NULL for === whose text is not a PEP 440 version. */
const th_version *th_spec_version(const th_spec *c);
/* The version text as written (stripped; for ==X.*, with the ".*"). */
const char *th_spec_version_text(const th_spec *c, size_t *len);
/* Specifier.prereleases (never None for one clause; false where 23.0 raises:
 * === with text that is not a version). */
bool th_spec_prereleases(const th_spec *c);

int th_specset_parse(th_specset **out, const char *s, size_t len, th_arena *a, th_error *err);
/* SpecifierSet.contains(v, prereleases=): -1 unset (None), 0 false, 1 true.
 * Where 23.0 raises instead of answering, the answer is false: with
 * prereleases unset and a === clause whose text is not a version; a ==X.* or
 * !=X.* whose X has a number over TH_VERSION_MAX_DIGITS; a candidate whose
 * pre-release is spelled with U+0130 ("prevİew": its normal form does not
 * parse again) against ==, !=, <=, >= or ~=. 23.0 walks the clauses in hash
 * order, so where one raises and another decides, its answer changes from
 * run to run; thoth answers as if the deciding clause came first. */
bool th_specset_contains(const th_specset *s, const th_version *v, int prereleases);
/* SpecifierSet.contains(str, prereleases) on text, exactly as 23.0: returns
 * TH_ERR_INVALID where 23.0 raises (v is not a version, or one of the cases
 * above). *out is then what newer packaging answers for text that is not a
 * version: false, except that a set of === clauses all matching v's text
 * case-insensitively contains it. Otherwise 0 and *out is 23.0's answer. */
int th_specset_contains_str(bool *out, const th_specset *s, const char *v, size_t len,
                            int prereleases, th_arena *a, th_error *err);
/* str(SpecifierSet): clause texts sorted, joined by ",". Appends to out. */
int th_specset_format(const th_specset *s, th_buf *out, th_error *err);
bool th_specset_is_empty(const th_specset *s);
/* SpecifierSet.prereleases: -1 (None, the empty set), 0 or 1. */
int th_specset_prereleases(const th_specset *s);
size_t th_specset_count(const th_specset *s);
/* Clause i (0 <= i < count), in the order str() prints them. */
const th_spec *th_specset_clause(const th_specset *s, size_t i);

#endif
