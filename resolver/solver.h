/*
 * solver — the exact resolver: backtracking with conflict-driven backjumping,
 * following resolvelib 1.0.1's algorithm step for step (the resolver pip
 * uses), so that `--type latest` pins what pip-style resolution pins:
 *
 * - a criterion per identifier ("name" or "name[extra,...]"): its candidates
 *   (newest first, filtered by every requirement on it, by Requires-Python
 *   for the target, yanked and known-incompatible versions), the
 *   requirements with the candidate that asked for each, and the candidates
 *   known not to work;
 * - each round pins the unsatisfied identifier with the fewest candidates
 *   (ties: the earliest seen) to its newest candidate whose dependencies do
 *   not empty another criterion;
 * - when none works, it backjumps to the latest pin whose candidate
 *   depends on one of the identifiers in the conflict, marks that candidate
 *   incompatible and continues; a name[extra] candidate depends on name at
 *   the same version, and on the extra's marker-gated dependencies.
 *
 * Markers are evaluated for the target once per candidate (extra = each
 * requested extra, or "" for none). Pre-releases follow the policy chosen in
 * th_solver_opts. Rounds are bounded by limits.resolver_rounds.
 *
 * No solution is not an error: the result says ok=false and carries a
 * readable explanation of the conflicts that ended the search.
 */
#ifndef TH_SOLVER_H
#define TH_SOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/requirement.h"
#include "resolver/env.h"
#include "resolver/provider.h"

typedef enum th_solver_pre {
	/* Final versions only, unless no final version satisfies the
	 * requirements on a project: then its pre-releases too (resolvelib's
	 * reference provider; the differential tests' oracle). */
	TH_SOLVER_PRE_FALLBACK,
	/* As pip 23.2 (its packaging 21.3 SpecifierSet.filter over the
	 * intersection of every specifier on the project): pre-releases when an
	 * inclusive clause (==, ===, >=, <=, ~=) names one; with no clause at
	 * all, when the project has no final version for the target (yanked
	 * ones count); otherwise never, even when only pre-releases match. */
	TH_SOLVER_PRE_PIP,
	/* Pre-releases always allowed (--pre). */
	TH_SOLVER_PRE_ALLOW
} th_solver_pre;

typedef struct th_solver_opts {
	th_solver_pre pre;
	unsigned long long max_rounds;  /* limits.resolver_rounds */
	unsigned long long max_bytes;   /* limits.resolver_bytes; 0: unbounded */
} th_solver_opts;

typedef struct th_pin {
	const char *name;      /* canonical */
	const char *version;   /* normalised */
	const th_cand *cand;
	const th_project *proj;
} th_pin;

typedef struct th_solution {
	bool ok;               /* false: no solution; see why */
	th_pin *pins;          /* sorted by name; malloced */
	size_t npins;
	th_buf why;            /* explanation of the conflict when !ok */
	unsigned long long rounds;
	unsigned long long backjumps;
} th_solution;

void th_solution_init(th_solution *s);
void th_solution_release(th_solution *s);

/* Resolves roots (root markers are evaluated for env with extra ""; false
 * ones are dropped) over provider p. Returns 0 with out->ok telling whether a
 * solution exists; negative on errors (bad dependency text, limits, memory). */
int th_solver_resolve(th_solution *out, th_provider *p, th_env *env, const th_req *roots,
		      size_t nroots, const th_solver_opts *opts, th_error *err);

#endif
