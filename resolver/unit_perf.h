/*
 * unit_perf — performance observations for `advise --type performance`: the
 * benchmark results the knowledge base holds (analyzer/store_kb, imported
 * by `kb import` from an observations file) turned into the pipeline's
 * th_observation facts, which the built-in `performance` step scores
 * (resolver/unit_builtin), plus a boot unit `observations` that says which
 * observations apply to the target and which were ignored.
 *
 * Which observations apply: those whose environment matches the target on
 * every field both state — Python compared on X.Y, the architecture, the
 * OS name and version; an observation made with CUDA applies only to a
 * target with the same CUDA X.Y (a GPU result says nothing of a CPU run).
 * The others are ignored, counted, and named in the boot's justification.
 *
 * The score rule, per project and metric, over the matching observations:
 * each version's value is the mean of its runs (only positive values compare
 * as ratios; others are ignored); the best version is the highest mean
 * (higher_is_better) or the lowest; a version scores r - 1, where r =
 * value / best (higher is better) or best / value (lower is better), so the
 * best observed version scores 0, one half as fast -0.5, and the score stays
 * in (-1, 0]. A version observed on several metrics gets the mean of its
 * metric scores. An unobserved version is neither rewarded nor penalised.
 * The justification names each metric, the value against the best and its
 * version, the direction, and the environment the runs were made on.
 */
#ifndef TH_UNIT_PERF_H
#define TH_UNIT_PERF_H

#include "analyzer/store.h"
#include "core/error.h"
#include "resolver/env.h"
#include "resolver/pipeline.h"

/* Loads the observations of store s that apply to env, sets
 * facts->observations / nobservations (in the pipeline's arena: facts must
 * be the one the pipeline was built with, as it borrows it) and adds the
 * boot unit to p. */
int th_unit_perf_add(th_pipeline *p, th_pipeline_facts *facts, th_store *s, const th_env *env, th_error *err);

#endif
