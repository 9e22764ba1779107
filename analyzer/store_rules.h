/*
 * store_rules — compiled rule sets in the facts database. A rule source (a
 * directory or an archive) is compiled once (analyzer/rules_blob) and kept
 * under its content hash (th_rules_source_hash), so a later run with the
 * same source loads it without reading YAML. The set compiled last is the
 * "current" one: what `thoth rules list` uses when no source is given.
 */
#ifndef TH_STORE_RULES_H
#define TH_STORE_RULES_H

#include <stddef.h>

#include "analyzer/rules.h"
#include "analyzer/store.h"
#include "core/buf.h"
#include "core/error.h"

/* Stores (or replaces) a compiled set, and makes it current when asked.
 * Call inside a transaction (th_store_begin). */
int th_store_rules_put(th_store *s, const char *hash, const char *source, size_t nunits, const void *blob,
		       size_t len, bool make_current, th_error *err);
/* The compiled set of a hash; TH_ERR_NOTFOUND when there is none. */
int th_store_rules_get(th_store *s, const char *hash, th_buf *out, th_error *err);
/* Adds the compiled set of a hash to r (an empty set), read straight from
 * the database into r, uncopied; TH_ERR_NOTFOUND when there is none,
 * TH_ERR_INVALID when it is damaged or of an older format. */
int th_store_rules_read(th_store *s, const char *hash, th_rules *r, th_error *err);
/* The hash and source of the current set; TH_ERR_NOTFOUND when none. */
int th_store_rules_current(th_store *s, th_buf *hash, th_buf *source, th_error *err);

enum {
	TH_STORE_RULES_CURRENT = 1 << 0,  /* make the set current (`rules check`) */
	TH_STORE_RULES_WEAK_CACHE = 1 << 1 /* a failure to store the compiled form is not an error */
};

/* Reads the rules of one source into r (an empty set): from the compiled form
 * stored under `hash` when there is one (and it reads back), else by calling
 * parse(ud, r, err) on a fresh r and storing what it loaded. `source` names
 * the source in the database. A damaged compiled form is replaced. */
int th_store_rules_load(th_store *s, const char *hash, const char *source, unsigned flags, th_rules *r,
			int (*parse)(void *ud, th_rules *r, th_error *err), void *ud, th_error *err);

#endif
