/*
 * indexpage — the pages of a Python package index ("simple" API), turned into
 * records: PEP 503 HTML and PEP 691 JSON (application/vnd.pypi.simple.v1+json),
 * with the PEP 592 (yanked), PEP 658/714 (core-metadata files) and
 * data-requires-python additions.
 *
 * Pure: the parsers read bytes and call back once per record, in document
 * order; they never touch files, the network or the store. Every string in a
 * record is NUL-terminated, HTML-unescaped where the page escaped it, and
 * lives in the arena the caller passes (so a record stays valid until the
 * caller releases that arena). The callback returns 0 to go on; any other
 * value stops the parse and is returned as is.
 *
 * Nothing here interprets names, versions or file names: that is the job of
 * core/name, core/version and core/wheelname, which the importer applies to
 * what these records carry.
 */
#ifndef TH_INDEXPAGE_H
#define TH_INDEXPAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

/* One distribution file listed on a project page. */
typedef struct th_indexfile {
	const char *filename;        /* anchor text (HTML) or "filename" (JSON); never empty */
	const char *url;             /* href without its fragment, as written (may be relative) */
	const char *hash_name;       /* "sha256", ... or NULL when the page gives no usable hash */
	const char *hash_hex;        /* lower-case hex digits, NULL with hash_name */
	const char *requires_python; /* NULL when absent */
	int yanked;                  /* PEP 592 */
	const char *yanked_reason;   /* NULL unless yanked with a non-empty reason */
	int has_metadata;            /* PEP 658/714: a FILE.metadata sits beside the file */
	const char *metadata_hash_name; /* NULL when the page says only "true" */
	const char *metadata_hash_hex;
	const char *upload_time;     /* JSON "upload-time" (PEP 700) or NULL */
	int64_t size;                /* JSON "size" or -1 */
} th_indexfile;

typedef int (*th_indexfile_fn)(void *ud, const th_indexfile *f);

/* One project listed on the root page: its name as written and, for HTML, the
 * href of its page (NULL for JSON, where the page URL is derived from the
 * normalized name). */
typedef int (*th_indexproject_fn)(void *ud, const char *name, const char *href);

/* PEP 503 project page. Anchors without href or text are skipped; a hash
 * fragment with an unknown algorithm or non-hex digits is dropped (the file
 * is kept, unverifiable). Bytes after the last tag are ignored. */
int th_indexpage_html_files(const char *data, size_t len, th_indexfile_fn fn, void *ud, th_arena *a,
			    const char *what, th_error *err);
int th_indexpage_html_projects(const char *data, size_t len, th_indexproject_fn fn, void *ud, th_arena *a,
			       const char *what, th_error *err);

/* PEP 691 pages. The document must be an object whose meta.api-version has
 * major version 1; "files" / "projects" must be arrays of objects; a file
 * without a string filename and url is an error (the page is malformed). */
int th_indexpage_json_files(const char *data, size_t len, unsigned max_depth, th_indexfile_fn fn, void *ud,
			    th_arena *a, const char *what, th_error *err);
int th_indexpage_json_projects(const char *data, size_t len, unsigned max_depth, th_indexproject_fn fn,
			       void *ud, th_arena *a, const char *what, th_error *err);

/* Splits "sha256=HEX" (the fragment form and the data-core-metadata form).
 * Returns 0 and fills the outputs (arena strings, hex lower-cased) when the
 * algorithm is one hashlib guarantees and the digits are hex of the right
 * length; TH_ERR_INVALID otherwise. */
int th_indexpage_hash(const char **out_name, const char **out_hex, const char *s, size_t len, th_arena *a);

#endif
