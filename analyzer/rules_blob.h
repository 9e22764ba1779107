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

/* Appends the compiled form of every unit of r to out. */
int th_rules_blob_write(const th_rules *r, th_buf *out, th_error *err);

/* Adds the units of a compiled form to r (normally an empty set). The bytes
 * are copied once into r. */
int th_rules_blob_read(th_rules *r, const void *blob, size_t len, th_error *err);
/* The same, taking over a malloced buffer (th_buf_detach) instead of copying
 * it: r frees it. On failure the buffer is freed too. */
int th_rules_blob_adopt(th_rules *r, void *blob, size_t len, th_error *err);

#endif
