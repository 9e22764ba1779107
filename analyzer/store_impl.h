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

struct th_store {
	sqlite3 *db;
	char *path; /* owned */
	int in_txn;
};

/* Sets err to "<path>: <doing>: <sqlite message>" and returns TH_ERR_DB. */
int store__dberr(th_error *err, sqlite3 *db, const char *path, const char *doing);
/* Runs SQL without results. */
int store__exec(th_store *s, const char *sql, const char *doing, th_error *err);

#endif
