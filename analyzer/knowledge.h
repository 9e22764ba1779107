/*
 * knowledge — the curated facts thoth ships in rules/ (embedded in the
 * binary at build time, so it needs no data files), plus optional extra rule
 * sources, indexed for the questions the gate (`thoth check`) and the
 * resolver's pipeline ask:
 *
 *   api_removed       does this version of a distribution still have the
 *                     symbol the code uses?          (extension `api_removed`)
 *   stdlib_removed    is this standard-library module gone from that Python?
 *                                                     (extension `stdlib_removed`)
 *   cuda              which CUDA / cuDNN does a framework release need?
 *                                                     (extension `cuda_requires`)
 *   python support    does a release support that Python version?
 *                                                     (extension `python_support`)
 *   broken            which pins of a set are known not to work together?
 *                     (Thoth's own form: a step or step.Group whose run says
 *                     `not_acceptable`)
 * The keys are documented in rules/README.md.
 *
 * Invariants:
 * - Opening loads every source through its compiled form in the facts
 *   database when a store is given (keyed by the content hash, as `thoth
 *   rules check` does; compiling here does not change the set `rules list`
 *   uses), and builds hash indexes: a query is a few hash lookups and
 *   specifier checks, never a scan of the units.
 * - A th_know is read-only once open: queries take it const and may run on
 *   several threads at once. Every string a hit points to is owned by the
 *   th_know and lives until th_know_free().
 * - Queries ignore `should_include` (that decides which units join a
 *   pipeline, not whether a fact is true) and `index_url` (a lock rarely
 *   says where a pin came from). Names are compared PEP 503-normalized.
 * - A version that is not PEP 440 is in no range: it gets no hit.
 * - A query returns the number of hits found (0 or more) and writes the
 *   first `max` of them to `out` (NULL when max is 0); < 0 only when memory
 *   runs out.
 */
#ifndef TH_KNOWLEDGE_H
#define TH_KNOWLEDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/rules.h"
#include "analyzer/store.h"
#include "core/error.h"
#include "core/limits.h"

typedef struct th_know th_know;

typedef struct th_know_opts {
	th_store *store;          /* nullable: without it every source is read as YAML */
	const char *const *paths; /* extra rule sources: directories, archives, single files */
	size_t npaths;
	bool no_embedded;         /* leave the shipped rules out (tests of extra sources) */
	const th_limits *limits;  /* nullable: the defaults */
} th_know_opts;

#define TH_KNOW_OPTS_INIT { NULL, NULL, 0, false, NULL }

/* Loads the shipped rules and o->paths and indexes them. A source that does
 * not validate is an error (TH_ERR_INVALID naming its first problem). */
int th_know_open(th_know **out, const th_know_opts *o, th_error *err);
void th_know_free(th_know *k);

typedef enum th_know_kind {
	TH_KNOW_API_REMOVED,
	TH_KNOW_STDLIB_REMOVED,
	TH_KNOW_CUDA,
	TH_KNOW_PYTHON_SUPPORT,
	TH_KNOW_BROKEN
} th_know_kind;

/* One fact that answered a query. Fields a kind does not use are NULL. */
typedef struct th_know_hit {
	th_know_kind kind;
	const char *unit;        /* the rule unit stating it */
	const char *file;        /* its file ("rules/api/numpy.yaml" for shipped rules) */
	uint32_t line;           /* of the unit */
	const char *package;     /* the distribution (normalized); stdlib: NULL; broken: the pin matched first */
	const char *versions;    /* the range the fact covers: package versions; stdlib: Python versions */
	const char *subject;     /* api: the rule's symbol that matched ("numpy.float", "tensorflow.contrib.*");
	                            stdlib: the rule's module; broken: the other package(s), "name version, ..." */
	const char *replacement; /* api, stdlib: what to use instead, or NULL */
	const char *cuda;        /* cuda: CUDA versions of this build configuration (a specifier), or NULL */
	const char *cudnn;       /* cuda: cuDNN versions, or NULL when the rule does not say */
	const char *python;      /* python support: the Python versions the release supports (a specifier) */
	const char *message;     /* one line for a human: the rule's own words when it has some */
	const char *evidence;    /* a URL: metadata `evidence`, else the first link of the unit, or NULL */
} th_know_hit;

/* A room large enough for any hit list of the shipped rules. */
#define TH_KNOW_MAX_HITS 16

/* The symbol (dotted, from the distribution's top-level module: "numpy.float",
 * "tensorflow.contrib.layers.conv2d") is gone from `version` of `dist`. A
 * rule symbol matches the symbol itself and everything under it (an
 * attribute of a removed object is gone too); "prefix.*" is the same as
 * "prefix" and reads better for a namespace. */
int th_know_api_removed(const th_know *k, const char *dist, const char *version, const char *symbol,
			th_know_hit *out, size_t max, th_error *err);

/* The module (dotted; its parents are checked too: "distutils.core" hits a
 * rule for "distutils") is not in the standard library of `python` (X.Y or
 * X.Y.Z). */
int th_know_stdlib_removed(const th_know *k, const char *module, const char *python, th_know_hit *out,
			   size_t max, th_error *err);

/* The build configurations (CUDA, cuDNN) a release was built and tested
 * with: each hit is one alternative. 0: the rules do not know this release. */
int th_know_cuda(const th_know *k, const char *dist, const char *version, th_know_hit *out, size_t max,
		 th_error *err);

/* The release needs a CUDA / cuDNN the environment does not have: the hits
 * are the alternatives the rules know (as th_know_cuda), returned only when
 * none of them accepts (cuda, cudnn). cuda or cudnn NULL: not known in the
 * environment — a stated requirement on it then counts as unmet (no CUDA is
 * no CUDA). 0: fine, or nothing known about the release. */
int th_know_cuda_mismatch(const th_know *k, const char *dist, const char *version, const char *cuda,
			  const char *cudnn, th_know_hit *out, size_t max, th_error *err);

/* The release does not support `python` (X.Y or X.Y.Z): a hit per rule that
 * covers the release and leaves that Python out. 0: supported, or unknown. */
int th_know_python_unsupported(const th_know *k, const char *dist, const char *version, const char *python,
			       th_know_hit *out, size_t max, th_error *err);

/* Whether the rules know the Python versions a release supports at all
 * (to tell "supported" from "unknown" after th_know_python_unsupported). */
bool th_know_python_known(const th_know *k, const char *dist, const char *version);

typedef struct th_know_pin {
	const char *name;    /* a distribution name (any spelling) */
	const char *version; /* its exact version */
} th_know_pin;

/* Known-broken combinations among the pins (a lock, a candidate stack): a
 * hit per rule (and match entry) whose packages all match some pin. */
int th_know_broken(const th_know *k, const th_know_pin *pins, size_t npins, th_know_hit *out, size_t max,
		   th_error *err);

/* The loaded rule sets, for the pipeline to build units from: the shipped
 * rules first (unless no_embedded), then o->paths in order. Every unit is
 * decoded whole (match, run, metadata readable). Owned by k. */
size_t th_know_nsets(const th_know *k);
const th_rules *th_know_set(const th_know *k, size_t i);

/* Reads the shipped rules alone into r (an empty set), through the compiled
 * form in s when s is given, as th_know_open does: what `thoth rules list`
 * shows when no other rules were compiled. */
int th_know_load_shipped(th_rules *r, th_store *s, th_error *err);

/* Units and indexed facts, for `thoth rules` and benchmarks. */
typedef struct th_know_stats {
	size_t units, api_removed, stdlib_removed, cuda, python_support, broken;
} th_know_stats;
void th_know_get_stats(const th_know *k, th_know_stats *out);

#endif
