/*
 * advise — `thoth advise` as a library call: a project's declared
 * dependencies resolved over the knowledge base for one target environment,
 * into stacks the lock writers (resolver/lockout) print.
 *
 * The steps:
 *   1. declared dependencies from the project's manifests (a directory: the
 *      manifests at its top, as source analysis reads them; or one manifest
 *      file): runtime requirements, the extras and groups asked for, and
 *      constraints (-c), which only narrow the candidates of projects that
 *      something else requires, as pip's constraints do;
 *   2. candidates from the KB fitted to the target (resolver/kbprovider),
 *      fetching unknown projects lazily from the given indexes;
 *   3. --type latest: the exact solver (pip's choices); other types: the
 *      pipeline's scored search (resolver/search), --count best stacks or
 *      --enumerate distinct ones;
 *   4. for each pin: which requirements asked for it and why this version
 *      (the newest candidate fitting the target and every requirement, and
 *      what newer versions were skipped and why).
 * No stack is not an error: ok is false and why explains the conflict,
 * including the versions the target ruled out ("no tensorflow version has a
 * wheel for cp311 on x86_64-manylinux_2_36").
 *
 * Everything a th_advice holds lives in its arena or in the provider it
 * keeps; release with th_advice_release.
 */
#ifndef TH_ADVISE_H
#define TH_ADVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kb_import.h"
#include "analyzer/knowledge.h"
#include "analyzer/store.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "resolver/env.h"
#include "resolver/kbprovider.h"
#include "resolver/pipeline.h"
#include "resolver/search.h"
#include "resolver/solver.h"

typedef struct th_advise_opts {
	th_rectype type;
	size_t count;               /* stacks wanted (>= 1) */
	size_t enumerate;           /* > 0: Dependency Monkey */
	uint64_t seed;
	th_solver_pre pre;
	bool no_sdist;
	const char *const *extras;  /* extras / groups of the project to include */
	size_t nextras;
	bool dev;                   /* include development-only groups */
	th_kb_lazy *lazy;           /* fetch unknown projects (NULL: the KB only) */
	th_rules *rules;            /* rule units for the pipeline (NULL: built-ins only) */
	const th_know *know;        /* curated knowledge for the pipeline (NULL: none) */
	const char *const *symbols; /* symbols the application uses, for the API-lacks step */
	size_t nsymbols;
	const th_limits *lim;
} th_advise_opts;

/* One declared requirement that takes part. */
typedef struct th_advise_root {
	const char *text;           /* PEP 508 */
	const char *where;          /* "requirements.txt:3" */
	bool constraint;
	th_req req;
	const char *name;           /* req.name, canonical (PEP 503) */
} th_advise_root;

/* Who asked for a pin. */
typedef struct th_advise_by {
	const char *who;            /* "requirements.txt:3" or "flask 3.0.0" */
	const char *req;            /* the requirement text */
	const th_req *parsed;       /* the requirement itself (lives as long as the advice) */
} th_advise_by;

typedef struct th_advise_pin {
	const char *name;           /* canonical */
	const char *display;        /* as the index spells it */
	const char *version;
	const th_cand *cand;
	const th_kbp_version *kv;   /* files, index; NULL when not from the KB */
	th_advise_by *by;
	size_t nby;
	const char *why;            /* one line: why this version */
	size_t ncands;              /* candidates fitting the target */
} th_advise_pin;

typedef struct th_advise_stack {
	double score;
	th_advise_pin *pins;        /* sorted by name */
	size_t npins;
	const th_just *just;        /* the pipeline's justifications (none for latest) */
	size_t njust;
	const th_subst *subst;      /* pseudonyms standing in for another project (none for latest) */
	size_t nsubst;
} th_advise_stack;

typedef struct th_advice {
	bool ok;
	th_buf why;                 /* the explanation when !ok */
	th_rectype type;
	th_advise_root *roots;
	size_t nroots;
	const char **manifests;     /* the files read, relative to the project */
	size_t nmanifests;
	char manifest_sha256[65];   /* of the manifests' bytes, in the order read */
	const char **symbols;       /* API the project's code uses (th_advise_symbols), sorted, unique */
	size_t nsymbols;
	th_advise_stack *stacks;
	size_t nstacks;
	const th_just *notes;       /* what the pipeline's boots said (e.g. no performance
	                             * observations recorded), for every stack; none for latest */
	size_t nnotes;
	th_env *env;                /* borrowed */
	double seconds;             /* resolution proper */
	uint64_t rounds, backjumps, finals;
	th_kbprovider *kp;          /* owns the candidates pins point at */
	th_arena arena;
	void *search;               /* th_search_result of other types (owned) */
} th_advice;

void th_advice_init(th_advice *a);
void th_advice_release(th_advice *a);

/* Reads the declared dependencies of project (a directory or a manifest
 * file) into a->roots / a->manifests. */
int th_advise_declared(th_advice *a, const char *project, const th_advise_opts *o, th_error *err);

/* Collects the dotted symbols the project's Python code uses (source
 * analysis, no store) into a->symbols, for the pipeline's "the code uses an
 * API this version lacks" step. A project that is a single manifest file
 * has no code: nothing is collected. */
int th_advise_symbols(th_advice *a, const char *project, const th_limits *lim, th_error *err);

/* Resolves a->roots over the KB of s for env. Call after th_advise_declared
 * (or after filling roots by hand). */
int th_advise_resolve(th_advice *a, th_store *s, th_env *env, const th_advise_opts *o, th_error *err);

#endif
