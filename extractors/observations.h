/*
 * observations — performance observations as a file: benchmark results of
 * packages or whole stacks on a stated runtime environment, what Thoth's
 * Dependency Monkey runs and Amun inspections recorded, for the resolver's
 * `performance` recommendation type. The format is thoth's own, versioned
 * (README.md, "Performance observations"); its environment fields follow the
 * names of Thoth's runtime_environments (.thoth.yaml):
 *
 *   {
 *     "thoth_observations": 1,
 *     "observations": [
 *       {
 *         "package": {"name": "numpy", "version": "1.26.4"},
 *         "stack": [{"name": "numpy", "version": "1.26.4"}, ...],
 *         "environment": {
 *           "python_version": "3.11",
 *           "operating_system": {"name": "rhel", "version": "9"},
 *           "platform": "linux-x86_64",
 *           "hardware": {"cpu_family": 6, "cpu_model": 85},
 *           "cuda_version": "12.2"
 *         },
 *         "metric": "matmul_gflops", "value": 812.5, "unit": "GFLOPS",
 *         "higher_is_better": true,
 *         "source": "dependency-monkey 2024-05-01 #17"
 *       }
 *     ]
 *   }
 *
 * An observation names what was measured: one "package" (name, version), or
 * a "stack" of pins (the whole resolved stack a run installed; each pin is
 * then credited with the stack's result), or both (the package of interest
 * within its stack: only it is credited). "metric", a finite "value" and
 * "higher_is_better" are required; "unit", "source" and every environment
 * field are optional (an absent field matches any target). Unknown keys are
 * ignored, so later versions of the format can add fields; a different
 * "thoth_observations" version is refused.
 *
 * This module checks the shape and the values (names are PEP 508 names,
 * versions PEP 440, through core/), and hands out each observation through
 * a callback; normalising and storing them is the importer's job. The file
 * is hostile input: bounded by limits.json_bytes (by the caller), json_depth
 * and observations; every error names the file and the observation's index.
 */
#ifndef TH_OBSERVATIONS_H
#define TH_OBSERVATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/limits.h"

#define TH_OBS_FORMAT_VERSION 1

typedef struct th_obs_pin {
	const char *name;    /* as written (a valid PEP 508 name) */
	const char *version; /* as written (valid PEP 440) */
} th_obs_pin;

typedef struct th_obs {
	const th_obs_pin *credited; /* the pins the result is credited to */
	size_t ncredited;
	const th_obs_pin *stack;    /* the whole stack, or NULL */
	size_t nstack;
	/* the environment it ran on; NULL: not stated */
	const char *python;         /* "3.11" or "3.11.7" */
	const char *os_name, *os_version;
	const char *arch;           /* the last part of "platform" ("linux-x86_64" -> "x86_64") */
	const char *cuda;
	const char *cpu;            /* "family F model M", as the hardware fields say */
	const char *metric;
	double value;
	const char *unit;           /* NULL when not stated */
	bool higher_is_better;
	const char *source;         /* NULL when not stated */
} th_obs;

/* Strings in *o are valid during the call only. Non-zero stops the parse
 * and is returned. */
typedef int (*th_obs_fn)(void *ud, size_t index, const th_obs *o, th_error *err);

/* Parses the observations file in (data, len); `what` names it in errors. */
int th_obs_parse(const char *data, size_t len, const th_limits *lim, const char *what, th_obs_fn fn, void *ud,
		 th_error *err);

/* Whether the first bytes look like an observations file (the importer's
 * detection of `kb import FILE.json`): the format's key appears in them. */
bool th_obs_sniff(const char *head, size_t len);

#endif
