/*
 * search — the scored search over the solver's candidate space: the best
 * --count N stacks for a recommendation type, each with its score, its pins
 * and the justifications of every step, stride and wrap; or, for Dependency
 * Monkey (--enumerate N), N distinct valid stacks.
 *
 * How it searches: candidates come from the provider, filtered once by the
 * pipeline's sieves; each decision picks the next required project (in the
 * order requirements appear, as pip walks them) and a candidate that every
 * chosen requirement accepts. Small spaces are walked exhaustively (the best
 * stacks are then exact). Larger ones are sampled by seeded rollouts whose
 * choices follow simulated annealing over the candidates' scores — greedy
 * first, then random proposals accepted with probability exp(delta / T) as T
 * cools (Thoth's default predictor idea), with a beam of the best final
 * stacks seen guiding later rollouts toward their choices.
 *
 * Pseudonyms (Thoth's semantics, made exact): an alternative a pseudonym
 * offers for a kept candidate C of project P is another candidate of P, a
 * real branch of the search. When it is a version of another project A, it
 * stands in for P: it is pinned as A (P is not pinned), A's dependencies
 * are resolved, the steps run for it as A's candidate (sieves and
 * context-free steps as A's), and every requirement on P - roots or
 * dependencies, before or after the choice - is satisfied by it when the
 * requirement accepts C's version (one of the versions it was offered for:
 * the matched version, or every version a locked or "any" alternative was
 * offered for). Its own version is not checked against requirements on P
 * (another project numbers its versions its own way), as in Thoth, where
 * the pseudonym replaces the original's unresolved entry. A then belongs
 * to P: a stack where anything else requires or pins A cannot take it
 * (Thoth does not create the pseudonym's state when A is resolved). When
 * the alternative is another version of P itself (Thoth's "underpinning"
 * fix), that version is also accepted wherever C is. Alternatives are not
 * substituted in turn. The scoring picks between the original and its
 * stand-ins; the justification says which pseudonym replaced what, and
 * th_stack.subst lists it. TH_RECTYPE_LATEST never substitutes (it must be
 * pip's answer); the alternatives are still listed as offered.
 *
 * Invariants:
 * - Deterministic: the same inputs and seed give the same stacks in the same
 *   order (time bounds only shorten a search: use max_finals for
 *   reproducible results).
 * - Every returned stack is valid: every requirement that applies (roots
 *   whose markers hold, dependencies whose markers hold with extra "" or an
 *   extra asked of that pin) names a pinned project whose pinned version it
 *   accepts; pins allow the target Python; no pin is yanked; pre-releases
 *   follow the policy (opts.pre). Exceptions: units that skip packages
 *   (sieve.SkipPackage / step.SkipPackage) drop those requirements; a
 *   pseudonym's alternative satisfies the requirements on the project it
 *   stands in for (above); step.AddPackage's requirements are the
 *   candidate's dependencies too.
 * - Dependents are tracked: a step flagged TH_UNIT_NEEDS_FROM sees, in
 *   th_stackview.from, the pins whose requirements constrained the
 *   candidate's project before it was chosen (the constraint lists the
 *   walk keeps anyway: no cost to other steps).
 * - Every final stack had every step run for each of its pins (context-free
 *   steps once per candidate, reused) and every stride run; wraps run only
 *   on the stacks returned.
 * - Stacks are distinct (by their pins). With count N, they are the N best
 *   final stacks seen, best first (ties: the one found first).
 * - No solution is not an error: ok false and `why` says what stopped it.
 */
#ifndef TH_SEARCH_H
#define TH_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/requirement.h"
#include "resolver/env.h"
#include "resolver/pipeline.h"
#include "resolver/provider.h"
#include "resolver/solver.h"

typedef struct th_search_opts {
	size_t count;             /* the N best stacks (>= 1) */
	size_t enumerate;         /* > 0: Dependency Monkey, N distinct valid stacks (scores still given) */
	uint64_t seed;
	uint64_t max_finals;      /* final stacks generated before stopping (0: the default, 20000);
				   * the exhaustive walk gives up after a quarter of them */
	uint64_t max_ms;          /* wall-clock bound (0: none) */
	uint64_t exhaustive_max;  /* walk the space exhaustively when it has at most this many
				   * candidates to try (0: the default, 100000) */
	double temperature;       /* initial annealing temperature (0: the default, 1.0) */
	unsigned long long max_rounds; /* decisions in one search (0: limits.resolver_rounds x 10) */
} th_search_opts;

#define TH_SEARCH_OPTS_INIT { .count = 1, .seed = 42 }

/* A pseudonym's alternative standing in for the project it was offered
 * for: requirements on `original` are satisfied by the pin `name` when they
 * accept one of `origins` (the original's versions the pseudonym offered
 * this alternative for). */
typedef struct th_subst {
	const char *unit;      /* the pseudonym */
	const char *original;  /* canonical */
	const char *name;      /* the alternative's pin (canonical) */
	const char *version;
	const char *const *origins;
	size_t norigins;
} th_subst;

typedef struct th_stack {
	double score;
	th_pin *pins;      /* sorted by name (arena) */
	size_t npins;
	th_just *just;     /* steps (per pin, in pin order), then strides, then wraps (arena) */
	size_t njust;
	th_alt *alts;      /* what pseudonyms offered for its pins (arena) */
	size_t nalts;
	th_subst *subst;   /* the alternatives that stand in for another project (arena) */
	size_t nsubst;
} th_stack;

typedef struct th_search_result {
	bool ok;               /* false: no stack; see why */
	th_buf why;
	th_stack *stacks;      /* best first (enumerate: in the order found) */
	size_t nstacks;
	th_just *boot_just;    /* what boots said (arena) */
	size_t nboot_just;
	bool exhaustive;       /* every valid stack of the space was visited */
	uint64_t finals;       /* final stacks: fully resolved, every step and stride run */
	uint64_t rejected;     /* final stacks a stride rejected */
	uint64_t dead_ends;    /* partial stacks abandoned (no candidate left) */
	uint64_t decisions;    /* candidates tried */
	double seconds;        /* of the search proper (after the space was read) */
	th_arena arena;        /* owns stacks and justifications */
} th_search_result;

void th_search_result_init(th_search_result *r);
void th_search_result_release(th_search_result *r);

/* Runs the pipeline's boots, then the search for its type, over provider p
 * for env (the pipeline's env), from roots (markers evaluated with extra "";
 * false ones dropped). For TH_RECTYPE_LATEST the search still runs (the
 * caller normally uses the exact solver instead): scores then favour newer
 * versions. Returns 0 with out->ok telling whether any stack was found;
 * negative on errors (bad dependency text, memory, limits). */
int th_search_run(th_search_result *out, th_pipeline *pl, th_provider *p, const th_req *roots, size_t nroots,
		  const th_search_opts *opts, th_error *err);

#endif
