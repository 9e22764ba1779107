/*
 * osv — OSV advisories (https://ossf.github.io/osv-schema/), JSON or YAML, as
 * the PyPA advisory database writes them, turned into one record.
 *
 * Pure: bytes in, one callback with the advisory out. Strings live in the
 * caller's arena. Everything an importer needs is kept for every affected
 * package (the importer picks the PyPI ones): ids, aliases, summary, details,
 * severity, ranges with their events in document order, the explicit
 * versions list, and the withdrawn / modified / published times. Versions are
 * kept as written: interpreting them (PEP 440 for ECOSYSTEM ranges of PyPI)
 * is core/version's job.
 *
 * A document that is not an object with a string "id", or whose known fields
 * have the wrong JSON type, is malformed (TH_ERR_INVALID). Unknown fields and
 * unknown event kinds are ignored, as the schema asks.
 */
#ifndef TH_OSV_H
#define TH_OSV_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/version.h"

typedef enum th_osv_event_kind {
	TH_OSV_INTRODUCED,
	TH_OSV_FIXED,
	TH_OSV_LAST_AFFECTED,
	TH_OSV_LIMIT
} th_osv_event_kind;

typedef struct th_osv_event {
	th_osv_event_kind kind;
	const char *version; /* "0" for introduced means "since the first version" */
} th_osv_event;

typedef struct th_osv_range {
	const char *type; /* "ECOSYSTEM", "SEMVER", "GIT" */
	const th_osv_event *events;
	size_t nevents;
} th_osv_range;

typedef struct th_osv_affected {
	const char *ecosystem; /* "PyPI"; NULL when absent */
	const char *name;      /* as written; NULL when absent */
	const char *purl;
	const th_osv_range *ranges;
	size_t nranges;
	const char *const *versions;
	size_t nversions;
} th_osv_affected;

typedef struct th_osv_severity {
	const char *type;  /* "CVSS_V3", ... */
	const char *score;
} th_osv_severity;

typedef struct th_osv {
	const char *id;
	const char *summary, *details;       /* NULL when absent */
	const char *modified, *published;    /* RFC 3339 as written, or NULL */
	const char *withdrawn;               /* NULL unless withdrawn */
	const char *const *aliases;
	size_t naliases;
	const th_osv_severity *severity;
	size_t nseverity;
	const th_osv_affected *affected;
	size_t naffected;
} th_osv;

typedef enum th_osv_format { TH_OSV_JSON, TH_OSV_YAML } th_osv_format;

typedef int (*th_osv_fn)(void *ud, const th_osv *adv);

/* Parses one advisory and calls fn once with it (fn's non-zero result is
 * returned). max_depth bounds nesting (json_depth / yaml_depth). */
int th_osv_parse(const char *data, size_t len, th_osv_format fmt, unsigned max_depth, th_osv_fn fn, void *ud,
		 th_arena *a, const char *what, th_error *err);

/* Matching, with PEP 440 ordering (core/version), as the OSV schema
 * evaluates an ECOSYSTEM range: events are ordered by version ("0" first),
 * and the last event at or below v decides — introduced: affected; fixed:
 * not; last_affected: not once v is above it. Ties keep document order.
 * Event versions that are not PEP 440 are skipped and counted in *bad
 * (a known defect of some data). *out is 1 when v is affected. */
int th_osv_range_affects(const th_osv_range *r, const th_version *v, int *out, size_t *bad, th_arena *a);

/* Whole affected entry: any ECOSYSTEM range, or the explicit versions list
 * (PEP 440 equality). */
int th_osv_affects(const th_osv_affected *af, const th_version *v, int *out, size_t *bad, th_arena *a);

#endif
