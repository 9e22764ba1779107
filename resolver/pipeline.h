/*
 * pipeline — the units of Thoth's adviser, in C: boots check and complete the
 * runtime environment, pseudonyms offer alternative packages for a
 * candidate, sieves drop candidate versions, steps score a candidate in the
 * context of a partial stack (or reject it), strides accept or reject a final
 * stack, and wraps attach advice to a final stack.
 *
 * A pipeline is built for one recommendation type from the built-in units
 * (th_pipeline_new picks those the type asks for) plus the units of a loaded
 * rule set that apply (th_rule_should_include against the caller's
 * th_rule_env), plus any unit the caller adds. resolver/search runs it.
 *
 * Invariants:
 * - Units run in the order they were added, built-in ones first, within
 *   their kind. A unit has exactly one callback: the one of its kind.
 * - A step's score is in [-1, 1] (clamped when a rule says more); a stack's
 *   score is the sum of the scores of the steps run for its candidates.
 * - A step marked TH_UNIT_CONTEXT_FREE depends only on (project, candidate):
 *   the search runs it once per candidate and reuses the result; any other
 *   step runs at each expansion with the partial stack in view.
 * - Sieves see each candidate once per search; their verdict is cached.
 * - Everything a unit returns (justification strings, alternatives) lives in
 *   the arena handed to it through th_justs / th_alts, or is static, or is
 *   owned by the unit and lives as long as the pipeline.
 * - Facts (advisories, symbols the code uses, observations, per-file facts
 *   the provider does not carry) are borrowed from th_pipeline_facts and
 *   must outlive the pipeline.
 */
#ifndef TH_PIPELINE_H
#define TH_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/knowledge.h"
#include "analyzer/rules.h"
#include "analyzer/store.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/tags.h"
#include "extractors/osv.h"
#include "resolver/env.h"
#include "resolver/provider.h"
#include "resolver/solver.h"

/* ---- recommendation types ---- */

typedef enum th_rectype {
	TH_RECTYPE_LATEST,      /* the exact solver's newest stack (no scoring) */
	TH_RECTYPE_STABLE,      /* penalises advisories, pre-releases, yanked neighbours, fresh .0, young releases */
	TH_RECTYPE_SECURITY,    /* removes versions with advisories, prefers fixed ones */
	TH_RECTYPE_PERFORMANCE, /* scores by recorded observations, says when there are none */
	TH_RECTYPE_TESTING,     /* newest, with advisory penalties */
	TH_RECTYPE_N
} th_rectype;

/* "latest", ... (lower case); parse returns -1 when unknown. */
const char *th_rectype_name(th_rectype t);
int th_rectype_parse(const char *s);

/* ---- justifications ---- */

typedef enum th_just_level { TH_JUST_INFO, TH_JUST_WARNING, TH_JUST_ERROR } th_just_level;

/* "INFO", "WARNING", "ERROR" (Thoth's spelling). */
const char *th_just_level_name(th_just_level l);

typedef struct th_just {
	th_just_level level;
	const char *unit;    /* the unit that said it (its name) */
	const char *package; /* NULL: about the whole stack or the environment */
	const char *version; /* NULL when package is NULL or any version */
	const char *message;
	const char *link;    /* a URL, an advisory id or a Thoth justification id; NULL */
	double score;        /* the step's contribution; 0 for other units */
} th_just;

/* A growable list of justifications in an arena (items are arena memory
 * too: appending never frees). */
typedef struct th_justs {
	th_just *items;
	size_t n, cap;
	th_arena *arena;
} th_justs;

/* Appends one; the message is formatted into the list's arena, the other
 * strings are borrowed (they must live as long as the arena). A NULL list
 * takes nothing (and formats nothing): the search hands contextual steps
 * none during its walk, where what they say is not kept. */
int th_justs_add(th_justs *j, th_just_level level, const char *unit, const char *package, const char *version,
		 const char *link, double score, th_error *err, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));
/* Appends a copy of one (strings borrowed). */
int th_justs_push(th_justs *j, const th_just *x, th_error *err);

/* ---- what units see ---- */

/* A (partial or final) stack: the pins chosen so far, in the order they
 * were chosen (partial) or by name (final). For a step judging a candidate,
 * `from` lists the pins whose requirements brought the candidate's project
 * in (Thoth's "dependents" of the candidate that are resolved in the state:
 * the packages chosen before it whose dependencies, or added packages, name
 * it); the project's own requirements are not among them. Only filled for
 * steps flagged TH_UNIT_NEEDS_FROM (NULL, 0 otherwise). */
typedef struct th_stackview {
	const th_pin *pins;
	size_t npins;
	const th_pin *from;
	size_t nfrom;
} th_stackview;

/* The pin of a canonical name, or NULL. */
const th_pin *th_stackview_find(const th_stackview *s, const char *name);

/* A performance observation imported as a fact (e.g. a Dependency Monkey
 * run): a score in [-1, 1] for one (name, version); what says what it
 * measured. */
typedef struct th_observation {
	const char *name; /* canonical */
	const char *version;
	double score;
	const char *what;
} th_observation;

/* Facts the units read. Every field is optional (NULL / 0: unknown). */
typedef struct th_pipeline_facts {
	/* Advisories: those of the knowledge base (th_kb_advisories_load, one
	 * query per project, cached) and/or a list given here. */
	th_store *store;
	const th_osv *advisories;
	size_t nadvisories;
	/* Fully qualified symbols the application uses ("numpy.float",
	 * "tensorflow.Session"), from source analysis (store_source usages). */
	const char *const *symbols;
	size_t nsymbols;
	/* Performance observations. */
	const th_observation *observations;
	size_t nobservations;
	/* Per-candidate facts the provider does not carry. wheel_tags: the
	 * wheel tags of the candidate's files, space-separated ("cp311-cp311-
	 * manylinux_2_17_x86_64 py3-none-any"), NULL when unknown; *has_sdist
	 * whether an sdist exists. upload_time: RFC 3339 or NULL. */
	const char *(*wheel_tags)(void *ud, const th_project *proj, const th_cand *c, bool *has_sdist);
	const char *(*upload_time)(void *ud, const th_project *proj, const th_cand *c);
	void *ud;
	/* "Now" for the youth check (RFC 3339); NULL: the clock. */
	const char *now;
} th_pipeline_facts;

typedef struct th_pipeline th_pipeline;

/* Given to every unit call. */
typedef struct th_unit_ctx {
	th_pipeline *pipeline;
	th_rectype type;
	th_env *env;
	th_provider *provider;
	const th_pipeline_facts *facts;
	th_arena *scratch; /* short-lived allocations (released by the search between runs) */
} th_unit_ctx;

/* ---- units ---- */

typedef enum th_unit_kind {
	TH_UNIT_BOOT,
	TH_UNIT_PSEUDONYM,
	TH_UNIT_SIEVE,
	TH_UNIT_STEP,
	TH_UNIT_STRIDE,
	TH_UNIT_WRAP,
	TH_UNIT_NKINDS
} th_unit_kind;

/* "boot", "pseudonym", ... */
const char *th_unit_kind_name(th_unit_kind k);

enum {
	TH_UNIT_CONTEXT_FREE = 1, /* a step that does not look at the partial stack */
	TH_UNIT_NEEDS_FROM = 2    /* a step that reads th_stackview.from (never context free) */
};

/* An alternative a pseudonym offers for a candidate (resolver/search makes
 * it stand in for the candidate's project: see search.h). */
typedef struct th_alt {
	const char *unit;
	const char *name;    /* canonical */
	const char *version; /* NULL: any version */
} th_alt;

typedef struct th_alts {
	th_alt *items;
	size_t n, cap;
	th_arena *arena;
} th_alts;

int th_alts_add(th_alts *a, const char *unit, const char *name, const char *version, th_error *err);

typedef struct th_boot_out {
	bool stop;        /* not_acceptable / eager_stop_pipeline: no stack is produced */
	th_justs *just;   /* stack_info and log; the reason when stop */
} th_boot_out;

typedef struct th_sieve_out {
	bool keep;          /* false: the candidate is dropped */
	bool skip_package;  /* sieve.SkipPackage: the whole project leaves the resolution */
	th_justs *just;     /* why (one line per dropped candidate at most) */
} th_sieve_out;

/* Requirements a step adds (step.AddPackage); the requirements are
 * borrowed and must live as long as the pipeline. */
typedef struct th_adds {
	const th_req **items;
	size_t n, cap;
	th_arena *arena;
} th_adds;

int th_adds_add(th_adds *a, const th_req *r, th_error *err);

typedef struct th_step_out {
	double score;         /* added to the candidate's score; in [-1, 1] */
	bool not_acceptable;  /* the candidate cannot be chosen in this context */
	bool skip_package;    /* step.SkipPackage: the candidate's project is not added */
	bool eager_stop;      /* eager_stop_pipeline: the search stops after this stack */
	th_justs *just;       /* NULL: not wanted (use th_justs_add/push, which accept it) */
	/* step.AddPackage: requirements the candidate brings in besides its own
	 * dependencies; the search resolves them as dependencies of the
	 * candidate. NULL: the caller does not apply them (the unit then only
	 * says what it would add). */
	th_adds *add;
} th_step_out;

typedef struct th_stride_out {
	bool accept;       /* false: the final stack is dropped */
	bool eager_stop;
	th_justs *just;
} th_stride_out;

typedef struct th_unit th_unit;
struct th_unit {
	th_unit_kind kind;
	const char *name; /* static, the rule's name, or owned by self */
	unsigned flags;   /* TH_UNIT_CONTEXT_FREE */
	/* A step that can only fire for candidates of these projects, a stride
	 * or wrap that can only fire when one of them is in the stack
	 * (canonical names; NULL: any). The search skips the unit otherwise,
	 * which keeps rule units cheap at every expansion. */
	const char *const *names;
	size_t nnames;
	void *self;       /* the unit's own data */
	/* The one callback of its kind. Outputs arrive initialised (keep true,
	 * accept true, score 0); a callback sets what it decides. */
	int (*boot)(th_unit *u, th_unit_ctx *ctx, const th_req *roots, size_t nroots, th_boot_out *out,
		    th_error *err);
	int (*pseudonym)(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c, th_alts *out,
			 th_error *err);
	int (*sieve)(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c, th_sieve_out *out,
		     th_error *err);
	int (*step)(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial, const th_project *proj,
		    const th_cand *c, th_step_out *out, th_error *err);
	int (*stride)(th_unit *u, th_unit_ctx *ctx, const th_stackview *stack, th_stride_out *out, th_error *err);
	int (*wrap)(th_unit *u, th_unit_ctx *ctx, const th_stackview *stack, th_justs *out, th_error *err);
	/* Frees self (may be NULL). */
	void (*release)(th_unit *u);
};

/* ---- the pipeline ---- */

typedef struct th_pipeline_config {
	th_rectype type;
	th_env *env;                     /* borrowed */
	const th_pipeline_facts *facts;  /* borrowed; NULL: no facts */
	/* Wheel tags the target supports (core/tags.h), for the wheel-tag
	 * sieve; NULL: the sieve is left out (the provider already fitted the
	 * candidates to the target, as the KB provider does). */
	const th_tagset *tags;
	/* Rules whose units join the pipeline (NULL: none), filtered by
	 * should_include against renv (NULL: an adviser environment of this
	 * type and the env's Python version). Borrowed; units read from a
	 * compiled set are decoded here (hence not const). */
	th_rules *rules;
	const th_rule_env *renv;
	/* The curated knowledge (analyzer/knowledge.h; NULL: none): its rule
	 * sets join the pipeline as units (like `rules`), and built-in units ask
	 * it about removed APIs, Python support, CUDA needs and known-broken
	 * combinations. Borrowed. */
	const th_know *know;
	/* The target's CUDA and cuDNN versions ("12.2"); NULL: not stated, and
	 * then the CUDA sieve is left out (a CPU-only target can still install
	 * framework wheels). */
	const char *cuda_version, *cudnn_version;
	/* Leave out the built-in units (tests of rule units alone). */
	bool no_builtin;
	/* Pre-release policy of the pre-release sieve (as the solver's). */
	th_solver_pre pre;
} th_pipeline_config;

#define TH_PIPELINE_CONFIG_INIT { .type = TH_RECTYPE_STABLE, .pre = TH_SOLVER_PRE_PIP }

/* Builds the pipeline for cfg: the built-in units of the type, then the
 * rule units that apply. */
int th_pipeline_new(th_pipeline **out, const th_pipeline_config *cfg, th_error *err);
void th_pipeline_free(th_pipeline *p);

/* Adds a unit (copied; the pipeline calls its release when freed). */
int th_pipeline_add(th_pipeline *p, const th_unit *u, th_error *err);

size_t th_pipeline_count(const th_pipeline *p, th_unit_kind k);
const th_unit *th_pipeline_unit(const th_pipeline *p, th_unit_kind k, size_t i);
const th_pipeline_config *th_pipeline_cfg(const th_pipeline *p);
/* The pipeline's arena: lives as long as it (units' and caches' data). */
th_arena *th_pipeline_arena(th_pipeline *p);

/* Advisories of a project that affect a version (from the facts: the
 * store's, cached per project, and the given list); v NULL: every advisory
 * naming the project. *out is an arena array of borrowed pointers. Used by
 * the CVE units and by callers that explain. */
int th_pipeline_advisories(th_pipeline *p, const char *name, const th_version *v, const th_osv ***out,
			   size_t *n, th_error *err);

#endif
