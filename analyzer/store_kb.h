/*
 * store_kb — the knowledge base in the facts database: package indexes (each
 * named, with a priority), their projects, versions and files (tags, hash,
 * Requires-Python, yanked, upload time), core metadata with its dependencies,
 * OSV advisories with their affected ranges, the import names each version
 * provides, and performance observations. The schema is in the migrations of
 * analyzer/store.c.
 *
 * Invariants the writers keep and the readers rely on:
 * - project names are PEP 503-normalized and versions PEP 440-normalized by
 *   the caller (through core/name and core/version) before they get here;
 * - core metadata is addressed by the sha256 of its bytes, so a metadata file
 *   seen once is never fetched or parsed again (th_kb_metadata_has);
 * - replacing a project's page replaces all its versions and files in that
 *   index, so a re-import never leaves stale files behind;
 * - an advisory is replaced as a whole by id.
 * All writes happen inside the caller's th_store_begin()/th_store_commit().
 *
 * Reading (th_kb_project_load) gives the resolver every version of a project
 * with its files and dependencies in a few queries, from the index of best
 * (lowest) priority that has the project: a project present in a private
 * index is never mixed with, or shadowed by, the same name in a public one.
 * Strings read come from the caller's arena.
 */
#ifndef TH_STORE_KB_H
#define TH_STORE_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/store.h"
#include "core/arena.h"
#include "extractors/osv.h"

/* ---- writing ---- */

/* Prepared statements for one import; freed with th_kb_writer_free. */
typedef struct th_kb_writer th_kb_writer;

int th_kb_writer_new(th_kb_writer **out, th_store *s, th_error *err);
void th_kb_writer_free(th_kb_writer *w);

/* Creates the index or updates its url and priority. */
int th_kb_index_put(th_kb_writer *w, const char *name, const char *url, int priority, int64_t *out_id,
		    th_error *err);

/* What is stored about a project page: TH_ERR_NOTFOUND when the project is
 * not in that index. etag / page_hash are filled ("" when unknown). */
int th_kb_project_state(th_kb_writer *w, int64_t index_id, const char *name, th_buf *etag, th_buf *page_hash,
			th_error *err);

/* Every project of an index with its page's validators ("" when unknown),
 * in no particular order: what a whole-index re-import compares against, in
 * one query instead of one per page. fn returning non-zero stops (returned
 * as is). Strings are valid during the call only. */
typedef int (*th_kb_state_fn)(void *ud, const char *name, const char *etag, const char *page_hash);
int th_kb_project_states(th_kb_writer *w, int64_t index_id, th_kb_state_fn fn, void *ud, th_error *err);

/* Creates the project, or empties it (its versions and files go), and records
 * the page's validators. */
int th_kb_project_put(th_kb_writer *w, int64_t index_id, const char *name, const char *display_name,
		      const char *etag, const char *page_hash, int64_t *out_id, th_error *err);

int th_kb_version_put(th_kb_writer *w, int64_t project_id, const char *version, int64_t *out_id, th_error *err);

typedef struct th_kb_file {
	const char *filename;
	const char *url;
	const char *tags;            /* "py3-none-any" style, several joined by ' '; NULL for sdists */
	const char *hash_name;       /* NULL when unknown */
	const char *hash;
	const char *requires_python; /* from the index page; NULL when absent */
	int yanked;
	const char *yanked_reason;
	const char *upload_time;
	int64_t size;                /* -1 when unknown */
	const char *metadata_hash;   /* sha256 of its core metadata (in kb_metadata), or NULL */
} th_kb_file;

int th_kb_file_put(th_kb_writer *w, int64_t version_id, const th_kb_file *f, int64_t *out_id, th_error *err);
/* Points a file at its core metadata once that is known (the page gave no
 * hash for it). */
int th_kb_file_set_metadata(th_kb_writer *w, int64_t file_id, const char *sha256, th_error *err);

/* Is the core metadata with this sha256 already known? */
int th_kb_metadata_has(th_kb_writer *w, const char *sha256, int *out, th_error *err);
/* Does any index in the knowledge base have this (normalized) project? */
int th_kb_project_known(th_kb_writer *w, const char *name, int *out, th_error *err);
/* Does the index of that name have this (normalized) project? */
int th_kb_project_known_in(th_kb_writer *w, const char *index_name, const char *name, int *out, th_error *err);

/* Records core metadata (idempotent: a known hash is left as it is). */
int th_kb_metadata_put(th_kb_writer *w, const char *sha256, const char *name, const char *version,
		       const char *requires_python, const char *const *requires, size_t nrequires, th_error *err);

/* Records the import names (dotted, as extractors/importnames gives them)
 * a version provides; repeated names are kept once. */
int th_kb_import_names_put(th_kb_writer *w, int64_t version_id, const char *const *names, size_t n, th_error *err);

/* What an index wheel provides to `import`, remembered by the wheel's key
 * (its sha256 when the index gives one, else its URL) in kb_wheel_names, so
 * that a re-import does not read the wheel again even when the project's
 * page changed (which drops the versions and their kb_import_name rows).
 * *found says whether the wheel was read before (n may be 0: no names). */
int th_kb_wheel_names_get(th_kb_writer *w, const char *key, int *found, const char ***out, size_t *n, th_arena *a,
			  th_error *err);
int th_kb_wheel_names_put(th_kb_writer *w, const char *key, const char *const *names, size_t n, th_error *err);

/* Replaces the advisory with this id. Affected packages must already be the
 * ones to keep (the importer keeps PyPI's) with normalized names. */
int th_kb_advisory_put(th_kb_writer *w, const th_osv *adv, th_error *err);

/* ---- reading ---- */

typedef struct th_kb_stats {
	int64_t indexes, projects, versions, files, metadata, dependencies, advisories, affected;
	int64_t import_names; /* (version, import name) pairs */
	int64_t observations; /* performance observations (one per credited pin) */
} th_kb_stats;

int th_kb_stats_get(th_store *s, th_kb_stats *out, th_error *err);

typedef struct th_kb_pfile {
	th_kb_file f;                 /* strings in the arena */
	const char *md_requires_python; /* Requires-Python of the core metadata, or NULL */
	const char *const *requires;  /* Requires-Dist of the core metadata */
	size_t nrequires;
	int has_metadata;             /* dependencies are known */
} th_kb_pfile;

typedef struct th_kb_pversion {
	const char *version;          /* normalized */
	th_kb_pfile *files;
	size_t nfiles;
} th_kb_pversion;

typedef struct th_kb_project {
	const char *name;             /* normalized */
	const char *display_name;
	const char *index_name;
	const char *index_url;
	int priority;
	th_kb_pversion *versions;     /* in the order they were recorded */
	size_t nversions;
} th_kb_project;

/* Loads a project (normalized name) from its best-priority index;
 * TH_ERR_NOTFOUND when no index has it. */
int th_kb_project_load(th_store *s, const char *name, th_kb_project *out, th_arena *a, th_error *err);

/* Every non-withdrawn advisory with an affected entry for this normalized
 * name; each returned th_osv carries only the affected entries of that name.
 * (*out is an arena array.) */
int th_kb_advisories_load(th_store *s, const char *name, th_osv **out, size_t *n, th_arena *a, th_error *err);

/* Every advisory (withdrawn ones too), all its affected entries: for tests
 * and exports. Calls fn once per advisory; strings in a per-call arena. */
int th_kb_advisories_each(th_store *s, th_osv_fn fn, void *ud, th_error *err);

/* ---- import names ---- */

/* A project some version of which provides an import name. */
typedef struct th_kb_provider {
	const char *project; /* normalized */
	int priority;        /* the best priority of an index holding it */
	int64_t versions;    /* how many of its versions provide the name */
} th_kb_provider;

/* Every project providing the import name `name` (exactly: a dotted name
 * is looked up as such, the caller walks prefixes), best first: the project
 * whose name is `canonical` (the import name PEP 503-normalized; NULL:
 * none), then the best (lowest) index priority, then the most versions
 * providing it (the established project before a fork that once shipped the
 * same module), then the name. *out is an arena array; *n = 0 when none. */
int th_kb_import_name_providers(th_store *s, const char *name, const char *canonical, th_kb_provider **out,
				size_t *n, th_arena *a, th_error *err);

/* The import names one version of a project provides (sorted; *n = 0 when
 * none are recorded). */
int th_kb_version_import_names(th_store *s, const char *project, const char *version, const char ***out, size_t *n,
			       th_arena *a, th_error *err);

/* ---- performance observations ----
 *
 * The kb_observation table: one row per credited pin of an observation
 * (extractors/observations), with the environment it ran on, the metric,
 * value, unit and direction, and the sha256 of the file it came from; a
 * re-import of a file replaces its rows, so an import is idempotent and a
 * corrected file supersedes the old one. Reading gives every row at once
 * (the resolver filters by environment and project; the limit observations
 * bounds one file). */

typedef struct th_obs_row {
	const char *name, *version; /* normalised */
	const char *stack;          /* the whole stack ("a==1 b==2"), or NULL */
	const char *metric, *unit;  /* unit may be NULL */
	double value;
	bool higher_is_better;
	/* the environment; NULL: not stated */
	const char *python, *os_name, *os_version, *arch, *cuda, *cpu;
	const char *source;         /* may be NULL */
} th_obs_row;

/* Drops the rows an earlier import of the file with this sha256 recorded. */
int th_kb_observations_clear(th_kb_writer *w, const char *file_hash, th_error *err);
int th_kb_observation_put(th_kb_writer *w, const char *file_hash, int64_t seq, const th_obs_row *r, th_error *err);
/* Every observation recorded, in import order; *out is an arena array. */
int th_kb_observations_load(th_store *s, th_obs_row **out, size_t *n, th_arena *a, th_error *err);

#endif
