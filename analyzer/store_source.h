/*
 * store_source — source-analysis facts in the store: each analyzed file's
 * results keyed by the SHA-256 of its content (so an unchanged file is never
 * parsed again, whatever its path or repository), a stat cache per scanned
 * root (path, size, mtime, inode -> content hash: a file whose stat did not
 * change is not even read again), and each scan's file list.
 */
#ifndef TH_STORE_SOURCE_H
#define TH_STORE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/pysource.h"
#include "analyzer/store.h"
#include "core/arena.h"
#include "core/hash.h"

/* What is kept about a file besides its imports and usages. */
typedef struct th_source_meta {
	const char *encoding; /* arena / borrowed */
	const char *problem;  /* NULL or why CPython would refuse the bytes */
	const char *error;    /* NULL or why thoth could not analyze it (a limit) */
	size_t nusages;       /* usages recorded, even when they were not loaded */
} th_source_meta;

typedef struct th_source_stat {
	int64_t size, mtime_ns, ino;
} th_source_stat;

/* A handle holding the prepared statements of this area, for many calls in
 * one scan. Borrowed store; close before freeing the store. */
typedef struct th_store_source th_store_source;

int th_store_source_open(th_store_source **out, th_store *s, th_error *err);
void th_store_source_close(th_store_source *h);

/* The facts of a content hash: found false when never analyzed. Usages are
 * loaded only when with_usages (meta->nusages counts them anyway). */
int th_store_source_get(th_store_source *h, const char *hash, bool with_usages, th_pysource *out,
			th_source_meta *meta, bool *found, th_arena *a, th_error *err);
/* Records (or replaces) the facts of a content hash. */
int th_store_source_put(th_store_source *h, const char *hash, const th_pysource *src, const th_source_meta *meta,
			th_error *err);

/* Everything the store knows about a root at once, for a warm re-scan: each
 * path of its stat cache whose content has facts, with its recorded stat,
 * hash and facts (strings in a; usages only when with_usages), in path order
 * (bytewise). Much cheaper than a lookup per file. */
typedef struct th_source_root_file {
	const char *path;           /* valid during the call */
	th_source_stat st;
	char hash[TH_SHA256_HEX];
	th_pysource src;
	th_source_meta meta;
} th_source_root_file;
typedef int (*th_source_root_fn)(void *ud, const th_source_root_file *f, th_error *err);
int th_store_source_root_facts(th_store_source *h, const char *root, bool with_usages, th_source_root_fn fn,
			       void *ud, th_arena *a, th_error *err);

/* Stat cache: the hash recorded for (root, path) if its stat is unchanged. */
int th_store_source_stat_get(th_store_source *h, const char *root, const char *path, const th_source_stat *st,
			     char hash[TH_SHA256_HEX], bool *found, th_error *err);
int th_store_source_stat_put(th_store_source *h, const char *root, const char *path, const th_source_stat *st,
			     const char *hash, th_error *err);

/* A scan and the files it saw. digest (may be NULL) summarises what the
 * scan found; when an earlier scan of the root has the same digest, the new
 * scan points at it (*same_as, else 0) and its files, declarations and
 * findings are that scan's: the caller does not record them again. */
int th_store_source_scan_new(th_store_source *h, const char *root, const char *digest, int64_t *out,
			     int64_t *same_as, th_error *err);
int th_store_source_scan_file(th_store_source *h, int64_t scan, const char *path, const char *hash, th_error *err);

/* A declared dependency and a finding of a scan, as facts (strings borrowed). */
int th_store_source_decl(th_store_source *h, int64_t scan, int64_t seq, const char *file, uint32_t line,
			 const char *name, const char *requirement, const char *kind, const char *group, bool dev,
			 th_error *err);
int th_store_source_finding(th_store_source *h, int64_t scan, int64_t seq, const char *rule, const char *severity,
			    const char *file, uint32_t line, uint32_t col, const char *subject, const char *message,
			    th_error *err);

/* Does the knowledge base hold a project of this normalised name (in any
 * index)? For the import -> distribution mapping (analyzer/importmap). */
int th_store_source_kb_known(th_store_source *h, const char *normalized, bool *out, th_error *err);

#endif
