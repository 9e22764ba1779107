/*
 * kbprovider — a th_provider over the knowledge base (analyzer/store_kb),
 * fitted to one target environment (resolver/env): the solver sees only
 * versions it could install there.
 *
 * A file of a version is installable when
 *   - it is a wheel whose tags the target supports (th_env_wheel_rank), or
 *     an sdist when sdists are allowed;
 *   - its Requires-Python (from the index page, else from its core
 *     metadata) admits the target's Python.
 * A version is a candidate when it has an installable file whose core
 * metadata the KB knows (an sdist or a wheel without known metadata could
 * declare anything: it is not guessed at). Its dependencies are the
 * Requires-Dist of the best-ranked installable file with metadata (wheels
 * before sdists, by tag preference); its installable files are kept in that
 * order for the lock writers. A version whose installable files are all
 * yanked is a yanked candidate (PEP 592: the solver takes it only when a
 * requirement pins it with == or ===); otherwise yanked files are dropped.
 *
 * Why versions were dropped is kept per project, so a failure can say "no
 * tensorflow version has a wheel for cp311 on x86_64-manylinux_2_36"
 * (th_kbprovider_explain, also wired into the provider's explain hook that
 * the solver's explanation calls).
 *
 * Lazy fetch: when a name is not in the KB and a th_kb_lazy was given
 * (advise's --index sources or the pip/uv configuration), the project's
 * page and metadata are fetched in their own transaction (analyzer/
 * kb_import's lazy mode) and the load is retried; a name is asked at most
 * once per provider. A fetch that fails (server down, bad page) is an
 * error of the resolution, naming the URL: a silently missing project
 * would give a wrong stack.
 *
 * Projects are loaded on first use and cached for the provider's life;
 * every string and candidate lives in the provider. Not thread-safe (one
 * resolution at a time), like the store it reads.
 */
#ifndef TH_KBPROVIDER_H
#define TH_KBPROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/kb_import.h"
#include "analyzer/store.h"
#include "analyzer/store_kb.h"
#include "core/buf.h"
#include "core/error.h"
#include "resolver/env.h"
#include "resolver/provider.h"

typedef struct th_kbprovider th_kbprovider;

typedef struct th_kbprovider_opts {
	bool no_sdist;                     /* wheels only (pip's --only-binary :all:) */
	th_kb_lazy *lazy;                  /* fetches unknown projects (--index); NULL: the KB only */
} th_kbprovider_opts;

/* What the provider knows about one candidate (th_cand.data points here). */
typedef struct th_kbp_version {
	const th_kb_project *project;     /* index name and url, display name */
	const th_kb_pversion *kb;          /* every file of the version */
	const th_kb_pfile **files;         /* installable on the target, best first (wheels by rank, sdists last) */
	size_t nfiles;
	const th_kb_pfile *meta;           /* the file whose core metadata gave the dependencies */
	int rank;                          /* tag rank of files[0]; -1 for an sdist */
} th_kbp_version;

/* Why a version is not a candidate. */
typedef enum th_kbp_drop {
	TH_KBP_DROP_NO_FILE = 0,   /* no wheel for the target (and no usable sdist) */
	TH_KBP_DROP_REQUIRES_PYTHON, /* every installable file excludes the target's Python */
	TH_KBP_DROP_NO_METADATA,   /* installable files exist but their metadata is unknown */
	TH_KBP_DROP_INVALID,       /* not a PEP 440 version, or unreadable metadata */
	TH_KBP_DROP_COUNT
} th_kbp_drop;

typedef struct th_kbp_dropped {
	const char *version;
	th_kbp_drop why;
	const char *detail;        /* e.g. the Requires-Python text; NULL when none */
} th_kbp_dropped;

/* env and s must outlive the provider. */
int th_kbprovider_new(th_kbprovider **out, th_store *s, th_env *env, const th_kbprovider_opts *o, th_error *err);
void th_kbprovider_free(th_kbprovider *kp);

/* The generic interface (project + explain). */
th_provider th_kbprovider_provider(th_kbprovider *kp);

/* Loads (or returns the cached) project; *out NULL when no index has it. */
int th_kbprovider_project(th_kbprovider *kp, const char *name, th_project **out, th_error *err);

/* The KB facts behind a candidate the provider handed out (NULL for a
 * candidate of another provider). */
const th_kbp_version *th_kbprovider_version(const th_cand *c);

/* Versions of a loaded project that were dropped, in KB order. */
int th_kbprovider_dropped(th_kbprovider *kp, const char *name, const th_kbp_dropped **out, size_t *n);

/* Appends one line per reason why versions of a loaded project were
 * dropped ("no tensorflow version has a wheel for cp311 on
 * x86_64-manylinux_2_36"; "3 versions need a newer Python (>=3.12)"), or
 * "not in the knowledge base" for an unknown one. Appends nothing when
 * nothing was dropped. */
int th_kbprovider_explain(th_kbprovider *kp, const char *name, th_buf *out, th_error *err);

/* Counters for reports and benchmarks. */
typedef struct th_kbprovider_stats {
	size_t projects, unknown, candidates, dropped, lazy_fetches;
} th_kbprovider_stats;
void th_kbprovider_stats_get(const th_kbprovider *kp, th_kbprovider_stats *out);

#endif
