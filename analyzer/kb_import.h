/*
 * kb_import — filling the knowledge base from outside sources: package
 * indexes (PEP 503 HTML / PEP 691 JSON, with PEP 658 metadata files) as a
 * directory, a file:// URL or over http(s); wheelhouses (a directory of
 * wheels and sdists); OSV advisories (a directory, a zip, or single files).
 *
 * The importer joins the pieces: extractors turn bytes into records
 * (indexpage, osv, wheelhouse, http), core/ interprets names, versions, wheel
 * file names and metadata, and store_kb keeps the result. The caller owns
 * the transaction: it calls th_store_begin() before and th_store_commit()
 * after all sources of one `kb import`, or th_store_rollback() on any error,
 * so a malformed page, a wrong hash or an unreachable server leaves nothing
 * half-imported.
 *
 * Re-imports are cheap: a project page whose ETag the server confirms (304)
 * or whose bytes hash as before is skipped; metadata files are addressed by
 * their sha256 and never fetched twice.
 */
#ifndef TH_KB_IMPORT_H
#define TH_KB_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "analyzer/store.h"
#include "core/error.h"
#include "core/limits.h"

typedef enum th_kb_source {
	TH_KB_SRC_INDEX,      /* PEP 503/691 tree or URL */
	TH_KB_SRC_WHEELHOUSE, /* directory of .whl / sdists */
	TH_KB_SRC_ADVISORIES  /* OSV directory, zip or file */
} th_kb_source;

typedef struct th_kb_import_opts {
	const char *index_name; /* NULL: the index URL names it */
	int priority;           /* lower wins */
	const th_limits *lim;
	int parallel;           /* HTTP transfers at once */
	int retries;
	long backoff_ms;
	long timeout_ms;
	/* Lazy mode: when nprojects > 0, only these projects' pages (and their
	 * metadata) are fetched from the index, without its root page; a project
	 * the index does not have is counted in projects_missing, not an error.
	 * This is what the resolver does for a project it has never seen. */
	const char *const *projects;
	size_t nprojects;
} th_kb_import_opts;

typedef struct th_kb_import_report {
	uint64_t projects, projects_unchanged, projects_missing, versions, files, files_skipped;
	uint64_t metadata_fetched, metadata_reused;
	uint64_t advisories, advisories_skipped;
	uint64_t requests, retries, not_modified, bytes, connects;
} th_kb_import_report;

/* Guesses what a source is from its form and contents. */
int th_kb_source_detect(th_kb_source *out, const char *src, th_error *err);

int th_kb_import_index(th_store *s, const char *src, const th_kb_import_opts *o, th_kb_import_report *rep,
		       th_error *err);
int th_kb_import_wheelhouse(th_store *s, const char *dir, const th_kb_import_opts *o, th_kb_import_report *rep,
			    th_error *err);
int th_kb_import_advisories(th_store *s, const char *src, const th_kb_import_opts *o, th_kb_import_report *rep,
			    th_error *err);

#endif
