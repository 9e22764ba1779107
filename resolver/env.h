/*
 * env — the target runtime environment of a resolution: the Python version
 * (X.Y.Z) and the PEP 508 marker environment that follows from it.
 *
 * For now it is built from flags (--python X.Y[.Z], --python-platform P) for a
 * Linux CPython target; image facts and .thoth.yaml come later and fill the
 * same struct. Invariants: python_full_version always has three numbers (X.Y
 * becomes X.Y.0), python_version is its X.Y, and every one of the eleven PEP
 * 508 string variables is set (platform_release and platform_version are
 * empty: a Linux target does not know its kernel), so marker evaluation never
 * meets an undefined variable. Release with th_env_release().
 */
#ifndef TH_ENV_H
#define TH_ENV_H

#include "core/error.h"
#include "core/marker.h"
#include "core/version.h"

#define TH_ENV_TEXT_MAX 64

typedef struct th_env {
	char python_full[TH_ENV_TEXT_MAX];  /* "3.8.10" */
	char python_short[TH_ENV_TEXT_MAX]; /* "3.8" */
	char machine[TH_ENV_TEXT_MAX];      /* platform_machine: "x86_64" */
	th_arena arena;                     /* owns pyver's storage */
	th_version pyver;                   /* python_full parsed */
	th_marker_env markers;              /* all PEP 508 variables, extra "" */
} th_env;

/* python: "3.8" or "3.8.10"; platform: a uv-style target ("x86_64-manylinux_2_36",
 * "aarch64-musllinux_1_2", "x86_64-linux") or NULL for x86_64. */
int th_env_init_linux_cpython(th_env *out, const char *python, const char *platform, th_error *err);
/* Overrides one PEP 508 variable (e.g. from an environment JSON). */
int th_env_set(th_env *env, const char *name, const char *value, th_error *err);
void th_env_release(th_env *env);
/* Writes the marker environment as a JSON object (the oracle's --env input). */
int th_env_format_json(const th_env *env, th_buf *out, th_error *err);

#endif
