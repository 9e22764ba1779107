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
 *
 * A whole-index import also records the import names of one wheel per
 * project (the newest final release that has one, else the newest
 * pre-release), reading only its zip directory, top_level.txt and RECORD
 * (extractors/zipdir): pread for file://, HTTP Range requests otherwise. A
 * wheel that cannot be read so (a server ignoring Range, a broken zip, a
 * limit) is skipped and counted (wheels_skipped, with the first reason),
 * never an error. What a wheel gave is remembered by its sha256
 * (store_kb's kb_wheel_names), so it is read once. Lazy runs read no wheels.
 *
 * Lazy mode (th_kb_lazy_*) is the other way in: the resolver asks for a
 * project the knowledge base does not know, and exactly that project's page
 * and its PEP 658 metadata files are fetched from the configured indexes, in
 * their own transaction. The indexes come from the command line or, when it
 * names none, from the user's pip / uv configuration
 * (th_kb_indexes_configured, through extractors/pipconf).
 */
#ifndef TH_KB_IMPORT_H
#define TH_KB_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "analyzer/store.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

typedef enum th_kb_source {
	TH_KB_SRC_INDEX,      /* PEP 503/691 tree or URL */
	TH_KB_SRC_WHEELHOUSE, /* directory of .whl / sdists */
	TH_KB_SRC_ADVISORIES, /* OSV directory, zip or file */
	TH_KB_SRC_IMAGE,       /* "image:REF": the Python distributions installed in an image */
	TH_KB_SRC_OBSERVATIONS /* "observations:FILE", or a .json file that is one: performance observations */
} th_kb_source;

/* The prefix naming an observations file: `kb import observations:FILE`
 * (a .json file holding the format's key is detected without it). */
#define TH_KB_OBSERVATIONS_PREFIX "observations:"

/* The prefix naming an image source: `kb import image:REF`. */
#define TH_KB_IMAGE_PREFIX "image:"

/* The priority an image source gets unless one is given: worse than any
 * index's, so what an image has installed fills gaps (a project no index
 * knows, e.g. an in-house package baked into the base image) and never
 * shadows an index's full list of versions. */
#define TH_KB_IMAGE_PRIORITY 1000

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
	uint64_t import_names;  /* (version, import name) pairs recorded */
	uint64_t observations;  /* performance observations recorded (one per pinned package) */
	/* Index imports: the wheels read for import names (one per project),
	 * those whose names were known from an earlier read (by sha256), and
	 * those skipped (unreadable, a server without Range support, a limit),
	 * with the first skip's reason. */
	uint64_t wheels_read, wheels_known, wheels_skipped;
	uint64_t wheel_bytes;   /* bytes read of those wheels (file:// and HTTP) */
	char wheel_skip[TH_ERROR_MSG_MAX];
} th_kb_import_report;

/* Guesses what a source is from its form and contents. */
int th_kb_source_detect(th_kb_source *out, const char *src, th_error *err);

int th_kb_import_index(th_store *s, const char *src, const th_kb_import_opts *o, th_kb_import_report *rep,
		       th_error *err);
int th_kb_import_wheelhouse(th_store *s, const char *dir, const th_kb_import_opts *o, th_kb_import_report *rep,
			    th_error *err);
int th_kb_import_advisories(th_store *s, const char *src, const th_kb_import_opts *o, th_kb_import_report *rep,
			    th_error *err);

/* The Python distributions an image scan recorded (analyzer/imgscan: the
 * caller scans first, outside its transaction, since a scan commits its own)
 * become an index named "image:<config digest>" (a root filesystem, which
 * has no digest: "image:<ref>"), o->index_name overriding, at o->priority:
 * one project per distribution name, one version per installed version, one
 * file per .dist-info / .egg-info directory (its path in the image as file
 * name, no wheel tags: an installed distribution does not say which wheel it
 * came from), with its Requires-Python and Requires-Dist as core metadata.
 * Such metadata is addressed by the sha256 of a canonical text of those
 * fields (the METADATA file itself is not kept by the scan). A distribution
 * whose metadata was missing (named from its directory only) has unknown
 * dependencies; one whose version is not PEP 440 is skipped (counted). */
int th_kb_import_image(th_store *s, int64_t scan, const th_kb_import_opts *o, th_kb_import_report *rep,
		       th_error *err);

/* Performance observations (extractors/observations: the format, documented
 * there and in README.md) into the knowledge base (analyzer/store_kb): one
 * row per credited pin, names and versions normalised. The file's rows from
 * an earlier import (same sha256) are replaced. rep->observations counts
 * the rows. Bounded by limits json_bytes, json_depth and observations. */
int th_kb_import_observations(th_store *s, const char *path, const th_kb_import_opts *o, th_kb_import_report *rep,
			      th_error *err);

/* ---- configured indexes ---- */

/* One index to fetch from. */
typedef struct th_kb_index_ref {
	const char *name;   /* stored under this name; NULL: the URL names it (as `kb import URL` does) */
	const char *url;    /* the index root: a directory, file://, http(s):// */
	int priority;       /* lower wins (store_kb: the best index that has a project is the only one used) */
	int explicit_only;  /* uv's `explicit = true`: only for projects pinned to it in [tool.uv.sources],
			     * which thoth does not read yet, so lazy mode skips it */
	const char *origin; /* where it was configured, for messages: "--index", a file path, "PIP_INDEX_URL" */
} th_kb_index_ref;

struct th_pipconf_env; /* extractors/pipconf.h */

/* The indexes to use, best first, priorities 0, 1, 2...:
 * - `given` (e.g. advise's --index, in command-line order) when ngiven > 0;
 * - else the user's uv settings when they name any index, else pip's, in
 *   the order extractors/pipconf.h documents (uv's own order; for pip,
 *   index-url before the extra-index-urls — pip itself gives them no order;
 *   thoth does, so that a public index cannot shadow the private one).
 * Nothing configured gives *n == 0 (not an error: thoth never falls back to
 * a public index on its own). env NULL: the process's environment (HOME,
 * XDG_CONFIG_HOME, PIP_CONFIG_FILE, UV_INDEX...). project_dir (may be NULL)
 * is where uv.toml / pyproject.toml are looked for. Strings and the array
 * are in arena a. A malformed configuration file is an error naming the
 * file and line. Files are bounded by the default limits.file_bytes. */
int th_kb_indexes_configured(th_kb_index_ref **out, size_t *n, const char *const *given, size_t ngiven,
			     const char *project_dir, const struct th_pipconf_env *env, th_arena *a, th_error *err);

/* ---- lazy mode ---- */

typedef struct th_kb_lazy th_kb_lazy;

/* Prepares fetching from these indexes (copied; explicit_only ones are
 * skipped). o gives the limits and HTTP settings (parallel, retries,
 * backoff_ms, timeout_ms); its index_name, priority and projects are
 * ignored. Nothing is fetched yet; s must outlive the object. Connections
 * are kept open between fetches. One thread at a time. */
int th_kb_lazy_new(th_kb_lazy **out, th_store *s, const th_kb_index_ref *idx, size_t nidx, const th_kb_import_opts *o,
		   th_error *err);
void th_kb_lazy_free(th_kb_lazy *l);

/* Makes sure the knowledge base knows project `name` (any spelling; it is
 * PEP 503-normalized here), asking each configured index at most once per
 * object:
 * - a configured index has it in the knowledge base already: *out_found = 1,
 *   nothing fetched;
 * - asked before through this object: nothing fetched; *out_found says
 *   whether any index of the knowledge base has it (the negative answer is
 *   remembered for the object's lifetime);
 * - else its page is asked from each index in priority order until one has
 *   it, and that page and its metadata files are stored in one transaction
 *   of its own (th_store_begin/commit here: the caller must not hold one);
 *   *out_found = 1 when one had it, or when another index of the knowledge
 *   base (an earlier import, an image's distributions) has it, else 0.
 *   A project known only to such another index is still asked of the
 *   configured ones: they may have its full list of versions.
 * On error (a malformed page, a wrong hash, an unreachable server) the
 * knowledge base is as it was, nothing is remembered, and the error names
 * the URL; an invalid project name is TH_ERR_INVALID. */
int th_kb_lazy_fetch(th_kb_lazy *l, const char *name, int *out_found, th_error *err);

/* What all fetches so far did (requests, projects, metadata...). */
void th_kb_lazy_report(const th_kb_lazy *l, th_kb_import_report *out);

#endif
