/*
 * rules_blob — the compiled form of a loaded rule set: every unit of a
 * th_rules in one self-contained byte string, stored in the facts database
 * (analyzer/store_rules) and read back without YAML or validation.
 *
 * Reading keeps the blob (copied into the rule set, or adopted) and points
 * every string into its string table, so a compiled set loads in a few tens
 * of milliseconds. Specifier sets are parsed again
 * from their text (their in-memory form is not portable). The blob is
 * checked while read — bounds, counts, the format version — and a damaged or
 * older one is refused (TH_ERR_INVALID), never trusted: the caller then
 * loads from the sources again.
 */
#ifndef TH_RULES_BLOB_H
#define TH_RULES_BLOB_H

#include <stddef.h>

#include "analyzer/rules.h"
#include "core/buf.h"
#include "core/error.h"

/* Units read from the compiled form get their `should_include` (and name,
 * type, file, line) at once, and their match, run and metadata when first
 * needed, so listing what applies to an environment touches only what it
 * needs. These decode the rest of one unit, or of all: call one before
 * reading match, run or metadata of a unit of a compiled set (a no-op for
 * units read from YAML). A damaged part is refused then (TH_ERR_INVALID). */
int th_rules_blob_unit(th_rules *r, th_rule_unit *u, th_error *err);
int th_rules_blob_units(th_rules *r, th_error *err);

/* Appends the compiled form of every unit of r to out (units of a compiled
 * set must have been decoded whole first). */
int th_rules_blob_write(const th_rules *r, th_buf *out, th_error *err);

/* Adds the units of a compiled form to r (normally an empty set). The bytes
 * are copied once into r. */
int th_rules_blob_read(th_rules *r, const void *blob, size_t len, th_error *err);
/* The same, taking over a malloced buffer (th_buf_detach) instead of copying
 * it: r frees it. On failure the buffer is freed too. */
int th_rules_blob_adopt(th_rules *r, void *blob, size_t len, th_error *err);

#endif
