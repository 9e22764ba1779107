/*
 * env — the target runtime environment of a resolution: the Python version
 * (X.Y.Z), the PEP 508 marker environment and the wheel tags that follow
 * from it, plus what the pipeline needs beyond packaging (OS, native
 * libraries such as CUDA and cuDNN, hardware, the recommendation type a
 * .thoth.yaml asks for).
 *
 * Every source fills a th_env_spec (plain text fields, NULL when unknown),
 * and th_env_init turns a spec into an env:
 *   - flags: --python X.Y[.Z] and --python-platform (uv's spelling, see
 *     core/tags.h) through th_env_init_linux_cpython;
 *   - a .thoth.yaml: Thoth's runtime_environments list (name,
 *     operating_system {name, version}, hardware {cpu_family, cpu_model,
 *     gpu_model}, python_version, cuda_version, cudnn_version, mkl_version,
 *     openblas_version, openmpi_version, base_image, platform such as
 *     "linux-x86_64", recommendation_type) through th_env_spec_from_yaml;
 *   - image facts (OS, interpreter, libc, libraries) filled by the caller.
 * When no platform is given it is derived: the architecture (default
 * x86_64) with the libc level: an explicit libc, else the glibc or musl
 * release a known OS ships (debian 12 -> glibc 2.36, alpine -> musl 1.2),
 * else manylinux_2_28 (uv's default glibc).
 *
 * Invariants: python_full always has three numbers (X.Y becomes X.Y.0),
 * python_short is its X.Y; every one of the eleven PEP 508 string variables
 * is set (platform_release and platform_version are empty: a Linux target
 * does not know its kernel), so marker evaluation never meets an undefined
 * variable; platform is the uv-style text the tags were computed for;
 * tags/tagset hold the supported wheel tags, most preferred first. Only a
 * CPython target on Linux (glibc, musl or plain linux) is accepted. All
 * strings live in env->arena; release with th_env_release().
 */
#ifndef TH_ENV_H
#define TH_ENV_H

#include <stdbool.h>

#include "core/error.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/marker.h"
#include "core/tags.h"
#include "core/version.h"

#define TH_ENV_TEXT_MAX 64

/* What a source says about the target; every field may be NULL. */
typedef struct th_env_spec {
	const char *name;          /* runtime environment name (.thoth.yaml) */
	const char *source;        /* "flags", "FILE#NAME", "image REF" (for outputs) */
	const char *python;        /* "3.11" or "3.11.7"; required */
	const char *implementation;/* "cpython" (default); others are refused */
	const char *platform;      /* uv-style "x86_64-manylinux_2_36": wins over arch/libc/os */
	const char *arch;          /* "x86_64", "aarch64" (default x86_64) */
	const char *libc;          /* "glibc" or "musl" */
	const char *libc_version;  /* "2.36", "1.2" */
	const char *os_name;       /* os-release ID: "debian", "rhel", "alpine", "ubi" */
	const char *os_version;    /* VERSION_ID: "12", "9", "3.19" */
	const char *cuda;          /* "12.2" */
	const char *cudnn;
	const char *mkl;
	const char *openblas;
	const char *openmpi;
	const char *base_image;
	const char *cpu_family;
	const char *cpu_model;
	const char *gpu_model;
	const char *recommendation_type; /* "latest", "stable", ... as the file asks */
} th_env_spec;

typedef struct th_env {
	char python_full[TH_ENV_TEXT_MAX];  /* "3.8.10" */
	char python_short[TH_ENV_TEXT_MAX]; /* "3.8" */
	char machine[TH_ENV_TEXT_MAX];      /* platform_machine: "x86_64" */
	th_arena arena;                     /* owns everything below */
	th_version pyver;                   /* python_full parsed */
	th_marker_env markers;              /* all PEP 508 variables, extra "" */
	th_env_spec spec;                   /* the source's facts, copied (NULL: unknown) */
	const char *platform;               /* "x86_64-manylinux_2_36": what the tags are for */
	th_target target;
	th_tag *tags;                       /* supported, most preferred first */
	size_t ntags;
	th_tagset *tagset;
} th_env;

/* The env a spec describes. */
int th_env_init(th_env *out, const th_env_spec *spec, th_error *err);

/* python: "3.8" or "3.8.10"; platform: a uv-style target ("x86_64-manylinux_2_36",
 * "aarch64-musllinux_1_2", "x86_64-linux") or NULL for x86_64-manylinux_2_28. */
int th_env_init_linux_cpython(th_env *out, const char *python, const char *platform, th_error *err);

/* Reads the runtime environment `name` (NULL: the first) of a .thoth.yaml
 * (text, len) into out; strings in a. `what` names the file in errors.
 * TH_ERR_NOTFOUND when no runtime environment has that name. A file
 * without runtime_environments but with a top-level python_version (and
 * the same keys) describes one environment. */
int th_env_spec_from_yaml(th_env_spec *out, const char *text, size_t len, const char *what, const char *name,
			  const th_limits *lim, th_arena *a, th_error *err);

/* The target an image's facts describe (analyzer/imgscan): its default
 * Python interpreter (TH_ERR_NOTFOUND when it has none), architecture, libc
 * family and version, OS, CUDA / cuDNN / MKL / OpenBLAS versions; ref
 * becomes base_image and the source. Strings in a. */
struct th_imgfacts;
int th_env_spec_from_image(th_env_spec *out, const struct th_imgfacts *f, const char *ref, th_arena *a,
			   th_error *err);

/* The glibc / musl release a known OS release ships ("debian", "12" ->
 * "glibc", "2.36"); false when unknown. */
bool th_env_os_libc(const char *os_name, const char *os_version, const char **libc, const char **libc_version);

/* Does marker m (NULL: none, true) hold for the target with `extra` as the
 * extra ("" for none)? A marker that cannot be evaluated does not hold.
 * The env's extra is "" again afterwards. */
bool th_env_marker_holds(th_env *env, const th_marker *m, const char *extra);

/* Overrides one PEP 508 variable (e.g. from an environment JSON). */
int th_env_set(th_env *env, const char *name, const char *value, th_error *err);
void th_env_release(th_env *env);

/* The best rank (0 = most preferred) of a wheel's tags on the target, or -1
 * when the wheel does not install there. */
int th_env_wheel_rank(const th_env *env, const th_tag *tags, size_t ntags);

/* "cp311 on x86_64-manylinux_2_36": for explanations. */
const char *th_env_label(th_env *env);

/* Writes the marker environment as a JSON object (the oracle's --env input). */
int th_env_format_json(const th_env *env, th_buf *out, th_error *err);
/* Writes the whole environment (python, platform, os, libraries, markers)
 * as one JSON object value into w: the "environment" of outputs. */
void th_env_write_json(const th_env *env, th_jw *w);

#endif
