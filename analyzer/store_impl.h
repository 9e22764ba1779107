/*
 * store_impl — private to the store module (analyzer/store.c and the
 * analyzer/store_<area>.c files that hold the typed API of one area of facts:
 * image facts, source facts, the knowledge base). Only these files include
 * sqlite3.h; nothing outside the store includes this header.
 *
 * The schema of every area is created by the migrations in store.c, in one
 * ordered list, so a database is always at exactly one version.
 */
#ifndef TH_STORE_IMPL_H
#define TH_STORE_IMPL_H

#include <sqlite3.h>

#include "analyzer/store.h"

/* Statements kept prepared for the life of the store (store__stmt_get). */
#define STORE__CACHED 32

struct th_store {
	sqlite3 *db;
	char *path; /* owned */
	int in_txn;
	struct {
		const char *sql; /* borrowed: the caller's string, which outlives the store */
		sqlite3_stmt *st; /* owned */
		int busy;         /* handed out and not yet put back */
	} cached[STORE__CACHED];
	int ncached;
};

/* Sets err to "<path>: <doing>: <sqlite message>" and returns TH_ERR_DB. */
int store__dberr(th_error *err, sqlite3 *db, const char *path, const char *doing);
/* Runs SQL without results. */
int store__exec(th_store *s, const char *sql, const char *doing, th_error *err);

/* A prepared statement for `sql`, which must be a string that outlives the
 * store (a literal): read paths that run the same few queries per project
 * (the knowledge base's) would otherwise spend more time preparing them
 * than running them. The statement is the store's; hand it back with
 * store__stmt_put (which resets it and clears its bindings) instead of
 * finalizing it. A statement asked for again while handed out is prepared
 * afresh (and finalized on put), so nested use is safe. */
int store__stmt_get(th_store *s, sqlite3_stmt **out, const char *sql, th_error *err);
void store__stmt_put(th_store *s, sqlite3_stmt *st);

#endif
