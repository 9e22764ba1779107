/*
 * store_obs — performance observations in the knowledge base (the
 * kb_observation table of analyzer/store.c's migrations): one row per
 * credited pin of an observation (extractors/observations), with the
 * environment it ran on, the metric, value, unit and direction, and the
 * sha256 of the file it came from. Re-importing a file replaces its rows, so
 * an import is idempotent and a corrected file supersedes the old one.
 *
 * Invariants: names are PEP 503-normalised and versions PEP 440-normalised
 * by the caller; writes happen inside the caller's transaction
 * (th_store_begin / th_store_commit). Reading gives every row at once (the
 * resolver filters by environment and project: observations number in the
 * thousands, not millions, and the limit observations bounds one file).
 */
#ifndef TH_STORE_OBS_H
#define TH_STORE_OBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/store.h"
#include "core/arena.h"
#include "core/error.h"

typedef struct th_obs_row {
	const char *name, *version; /* normalised */
	const char *stack;          /* the whole stack ("a==1 b==2"), or NULL */
	const char *metric, *unit;  /* unit may be NULL */
	double value;
	bool higher_is_better;
	/* the environment; NULL: not stated */
	const char *python, *os_name, *os_version, *arch, *cuda, *cpu;
	const char *source;         /* may be NULL */
} th_obs_row;

typedef struct th_obs_writer th_obs_writer;

int th_obs_writer_new(th_obs_writer **out, th_store *s, th_error *err);
void th_obs_writer_free(th_obs_writer *w);
/* Drops the rows an earlier import of the file with this sha256 recorded;
 * returns how many went in *out_removed (may be NULL). */
int th_obs_clear(th_obs_writer *w, const char *file_hash, int64_t *out_removed, th_error *err);
int th_obs_put(th_obs_writer *w, const char *file_hash, int64_t seq, const th_obs_row *r, th_error *err);

/* Every observation recorded, in import order; *out is an arena array. */
int th_obs_load(th_store *s, th_obs_row **out, size_t *n, th_arena *a, th_error *err);

#endif
