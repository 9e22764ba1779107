/*
 * rules — Thoth prescription v1 rules: loading YAML units into typed C
 * structures, validating them with precise errors, and deciding which units
 * apply to a runtime environment (`should_include`).
 *
 * A th_rules set owns one arena that holds every unit, string and parsed
 * specifier; units are never freed one by one. Files are added with
 * th_rules_add_file() (the caller reads them: from a tree, a tarball, or the
 * compiled form in the facts database). A file that does not validate adds
 * no unit; its errors are collected (up to TH_RULES_MAX_ERRORS messages, all
 * counted) and loading goes on, so `thoth rules check` reports them all.
 *
 * Semantics follow Thoth's adviser (thoth/adviser/prescription/v1), quirks
 * included, so a corpus written for it behaves the same here:
 * - adviser_pipeline defaults to false: a unit that does not say it is for
 *   the adviser pipeline is never included in one.
 * - `times: 0` excludes a unit; `times` defaults to 1.
 * - A null version specifier (`cuda_version: null`) means "no check", not
 *   "no CUDA": it is the same as leaving the key out.
 * - A key's specifier set may match nothing ("<1.5,>1.12"): it loads and
 *   never matches. Specifiers that only pre-22 `packaging` accepted (legacy
 *   "==TEXT" ones such as "==git-unknown", which the corpus has) load too and
 *   match a version by its exact text, as LegacySpecifier did; other legacy
 *   forms (">=3..6") are refused.
 * - labels: the unit applies when ANY one label matches (not all).
 * - library_usage: each expected symbol is compared with the FIRST symbol the
 *   application uses from that library only.
 * - abi: once checked, the remaining checks (rpm_packages, python_packages)
 *   are skipped.
 * Names of packages must be written normalized (PEP 503), as Thoth requires.
 *
 * Extension keys (documented in rules/README.md), allowed in `run` of any
 * unit: `api_removed` (symbols of a library gone from some versions),
 * `stdlib_removed` (a standard-library module gone from some Python versions),
 * `cuda_requires` (the CUDA / cuDNN a framework release was built with) and
 * `python_support` (the Python versions a release supports).
 */
#ifndef TH_RULES_H
#define TH_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/specifier.h"
#include "core/version.h"

typedef enum th_rule_type {
	TH_RULE_BOOT,
	TH_RULE_PSEUDONYM,
	TH_RULE_SIEVE,
	TH_RULE_SIEVE_SKIP_PACKAGE,
	TH_RULE_STEP,
	TH_RULE_STEP_GROUP,
	TH_RULE_STEP_SKIP_PACKAGE,
	TH_RULE_STEP_ADD_PACKAGE,
	TH_RULE_STRIDE,
	TH_RULE_WRAP,
	TH_RULE_WRAP_GH_RELEASE_NOTES,
	TH_RULE_NTYPES
} th_rule_type;

/* "boot", "sieve.SkipPackage", ...; and back (-1 when unknown). */
const char *th_rule_type_name(th_rule_type t);
int th_rule_type_parse(const char *s);
/* The list a type belongs under in a file ("boots", "sieves", ...). */
const char *th_rule_type_section(th_rule_type t);

/* A version specifier set as written. `text` NULL: absent or null (no check).
 * `legacy`: a legacy specifier, matched by exact text (`set` stays NULL).
 * `set` may also be NULL for a valid one read from the compiled form, which
 * parses match specifiers only when first used (th_rule_spec_contains). */
typedef struct th_rule_spec {
	const char *text;
	th_specset *set;
	bool legacy;
} th_rule_spec;

/* A list of values, possibly written as {not: [...]}. `present` false: the
 * key was absent. NULL items stand for YAML null (an allowed "none" value). */
typedef struct th_rule_list {
	const char **items;
	size_t n;
	bool present;
	bool negated;
} th_rule_list;

/* A package as `match` describes it (name NULL: any package). */
typedef struct th_rule_pkg {
	const char *name;
	th_rule_spec version;
	const char *index_url; /* NULL: any index */
	bool index_url_not;    /* {not: URL}: any index but this one */
	int develop;           /* -1 not stated, 0, 1 */
} th_rule_pkg;

/* A package a unit adds or yields (pseudonym yield, step.AddPackage). */
typedef struct th_rule_locked {
	const char *name;
	const char *locked_version; /* "==1.0" or NULL */
	const char *index_url;
	int develop; /* -1 not stated */
} th_rule_locked;

typedef enum th_rule_level { TH_RULE_INFO, TH_RULE_WARNING, TH_RULE_ERROR } th_rule_level;

typedef struct th_rule_msg { /* stack_info entries and log */
	th_rule_level type;
	const char *message;
	const char *link; /* a URL or a Thoth justification id */
} th_rule_msg;

typedef struct th_rule_justification {
	th_rule_level type;
	const char *message, *link;
	const char *package_name, *advisory, *cve_id, *cve_name; /* NULL when absent */
	th_rule_spec version_range;
} th_rule_justification;

/* One entry of `match` (a list in the file is several entries). */
typedef struct th_rule_match {
	bool has_package_version;
	th_rule_pkg package_version;
	const char *package_name;          /* boot and sieve.SkipPackage (NULL: any) */
	th_rule_pkg *resolved;             /* state.resolved_dependencies */
	size_t nresolved;
	th_rule_pkg *from;                 /* state.package_version_from */
	size_t nfrom;
	bool from_allow_other;             /* state.package_version_from_allow_other */
	th_rule_pkg *group;                /* step.Group: the packages of the group */
	size_t ngroup;
} th_rule_match;

typedef struct th_rule_api_removed { /* extension */
	const char *package;
	th_rule_spec version; /* versions without the symbols */
	const char **symbols; /* "numpy.float"; "tensorflow.compat.*" for a prefix */
	size_t nsymbols;
	const char *replacement; /* NULL when none */
} th_rule_api_removed;

typedef struct th_rule_stdlib_removed { /* extension */
	const char *module;   /* "distutils" */
	th_rule_spec python_version; /* Python versions without it */
	const char *replacement;
} th_rule_stdlib_removed;

typedef struct th_rule_cuda_requires { /* extension */
	const char *package;
	th_rule_spec version; /* the releases this build configuration is for */
	th_rule_spec cuda;    /* CUDA versions it was built and tested with */
	th_rule_spec cudnn;   /* cuDNN versions (text NULL: not stated) */
} th_rule_cuda_requires;

typedef struct th_rule_python_support { /* extension */
	const char *package;
	th_rule_spec version; /* the releases */
	th_rule_spec python;  /* the Python versions they support */
} th_rule_python_support;

/* The parts of `run` few units state, kept apart so the common unit stays
 * small (see th_rule_include). */
typedef struct th_rule_run_more {
	/* pseudonym */
	bool has_yield;
	int yield_matched_version; /* -1 not stated */
	th_rule_locked yield;
	/* step.AddPackage */
	th_rule_locked add;
	/* wrap.GHReleaseNotes */
	const char *gh_organization, *gh_repository, *gh_tag_version_prefix;
	/* wrap */
	size_t nadvised_manifest_changes; /* kept as a count: thoth does not apply them */
	/* extensions */
	th_rule_api_removed *api_removed;
	size_t napi_removed;
	th_rule_stdlib_removed *stdlib_removed;
	size_t nstdlib_removed;
	th_rule_cuda_requires *cuda_requires;
	size_t ncuda_requires;
	th_rule_python_support *python_support;
	size_t npython_support;
} th_rule_run_more;

typedef struct th_rule_run {
	bool has_log;
	th_rule_msg log;
	th_rule_msg *stack_info;
	size_t nstack_info;
	th_rule_justification *justification;
	size_t njustification;
	bool has_score;
	double score;
	const char *not_acceptable, *eager_stop_pipeline; /* NULL when absent */
	int multi_package_resolution; /* -1 not stated */
	th_rule_run_more *more; /* NULL: none of those parts */
} th_rule_run;

typedef struct th_rule_kv {
	const char *key, *value;
} th_rule_kv;

typedef struct th_rule_libuse {
	const char *library;
	const char **symbols;
	size_t nsymbols;
} th_rule_libuse;

typedef struct th_rule_os {
	const char *name, *version; /* NULL when not stated: matches only an unknown one */
} th_rule_os;

typedef struct th_rule_hw {
	th_rule_list cpu_families, cpu_models, cpu_flags, gpu_models; /* integers kept as decimal text */
} th_rule_hw;

typedef struct th_rule_pypkg {
	const char *name;
	th_rule_spec version;
	const char *location; /* a regular expression matched against the whole location */
} th_rule_pypkg;

typedef struct th_rule_rpm {
	/* NULL: not stated. The first must be stated. */
	const char *package_name, *arch, *epoch, *package_identifier, *package_version, *release;
	int src; /* -1 not stated */
} th_rule_rpm;

enum { TH_RULE_DEP_BOOTS, TH_RULE_DEP_PSEUDONYMS, TH_RULE_DEP_SIEVES, TH_RULE_DEP_STEPS,
       TH_RULE_DEP_STRIDES, TH_RULE_DEP_WRAPS, TH_RULE_NDEPS };

/* should_include.runtime_environments */
typedef struct th_rule_runtime {
	th_rule_os *operating_systems;
	size_t noperating_systems;
	th_rule_hw *hardware;
	size_t nhardware;
	th_rule_spec python_version, cuda_version, cudnn_version, mkl_version, openblas_version, openmpi_version;
	th_rule_list platforms, base_images, abi;
	th_rule_pypkg *python_packages;
	size_t npython_packages;
	bool python_packages_not;
	th_rule_rpm *rpm_packages;
	size_t nrpm_packages;
	bool rpm_packages_not;
} th_rule_runtime;

typedef struct th_rule_include {
	int times; /* 0 or 1 (default) */
	bool adviser_pipeline, dependency_monkey_pipeline; /* default false */
	int authenticated; /* -1 not stated */
	th_rule_list recommendation_types, decision_types;
	th_rule_kv *labels;
	size_t nlabels;
	th_rule_libuse *library_usage;
	size_t nlibrary_usage;
	/* Rarely stated parts live apart, so the common unit stays small
	 * (90,000 of them load from the compiled form in milliseconds). */
	th_rule_list *dependencies; /* TH_RULE_NDEPS lists, or NULL */
	th_rule_runtime *rt;        /* runtime_environments, or NULL */
} th_rule_include;

typedef struct th_rule_unit {
	th_rule_type type;
	const char *name;
	const char *file; /* path inside its source (th_rules_add_file: as given) */
	uint32_t line;    /* of the unit in its file */
	th_rule_include inc;
	th_rule_match *match; /* entries; a single mapping in the file is one entry */
	size_t nmatch;
	th_rule_run run;
	th_rule_kv *metadata; /* scalar entries of `metadata` */
	size_t nmetadata;
	/* Private. A unit read from the compiled form gets match, run and
	 * metadata when first needed: th_rules_blob_unit() (rules_blob.h) decodes
	 * them from here; NULL once decoded, and for units read from YAML. */
	const void *body;
	size_t body_len;
} th_rule_unit;

#define TH_RULES_MAX_ERRORS 100

typedef struct th_rules {
	th_arena arena;       /* owns every unit and string */
	th_rule_unit **units; /* owned array of arena pointers, in load order */
	size_t n, cap;
	size_t count[TH_RULE_NTYPES];
	size_t nfiles;        /* valid rule files read */
	size_t nlegacy;       /* specifiers only legacy packaging accepted */
	const char *prescription_name, *prescription_release; /* _prescription_metadata.yaml */
	th_limits limits;
	char *errors[TH_RULES_MAX_ERRORS]; /* owned messages */
	void *blob;           /* owned: the compiled form the units point into, or NULL */
	const char *blob_strings; /* its string table (inside blob) */
	size_t blob_strings_len;
	size_t nerrors;       /* all errors, also those past the cap */
} th_rules;

void th_rules_init(th_rules *r, const th_limits *lim);
void th_rules_release(th_rules *r);

/* Adds the units of one file. `path` names it in messages (and is kept).
 * Returns 0, or TH_ERR_INVALID after recording the file's first error in
 * r->errors (err gets the same message); TH_ERR_NOMEM / TH_ERR_LIMIT stop. */
int th_rules_add_file(th_rules *r, const char *path, const char *text, size_t len, th_error *err);

/* Whether a file name is a rule file (*.yaml, *.yml). */
bool th_rules_is_rule_file(const char *path);

/* Adds one rule file (*.yaml, *.yml), every rule file under a directory
 * (recursively, in path order; links are not followed) or in an archive
 * (.tar.gz and what libarchive reads).
 * Files are named "<path>/<relative path>" in messages. Returns 0 when all
 * files are valid, TH_ERR_INVALID when some were not (err: the first; all in
 * r->errors), other codes when reading failed. */
int th_rules_load_path(th_rules *r, const char *path, th_error *err);

/* The content key of a rule source: SHA-256 over the archive's bytes, or
 * over every rule file's relative path and bytes for a directory. */
int th_rules_source_hash(char hex[65], const char *path, const th_limits *lim, th_error *err);

/* ---- should_include ---- */

typedef struct th_rule_pypkg_present {
	const char *name, *version, *location;
} th_rule_pypkg_present;

typedef struct th_rule_rpm_present {
	const char *package_name, *arch, *epoch, *package_identifier, *package_version, *release;
	int src; /* -1 unknown */
} th_rule_rpm_present;

/* The runtime environment and pipeline a unit is checked against. Strings
 * are borrowed; NULL means unknown. Fill with TH_RULE_ENV_INIT then set what
 * is known, then call th_rule_env_prepare() once. */
typedef struct th_rule_env {
	bool adviser_pipeline;           /* true: the adviser; false: dependency monkey */
	const char *recommendation_type; /* "latest", "stable", ... (lower case) or NULL */
	const char *decision_type;
	bool authenticated;
	const char *os_name, *os_version;
	const char *cpu_family, *cpu_model, *gpu_model; /* decimal text for the CPU numbers */
	/* Thoth derives CPU flags from family and model through its CPU database;
	 * here the caller states them (e.g. from /proc/cpuinfo). */
	const char *const *cpu_flags;
	size_t ncpu_flags;
	const char *python_version, *cuda_version, *cudnn_version, *mkl_version, *openblas_version,
		*openmpi_version;
	const char *platform, *base_image;
	/* What an analysis of the base image found (NULL/0 and has_image_analysis
	 * false when there is none). */
	bool has_image_analysis;
	const th_rule_pypkg_present *python_packages;
	size_t npython_packages;
	const th_rule_rpm_present *rpm_packages;
	size_t nrpm_packages;
	const char *const *abi_symbols;
	size_t nabi_symbols;
	const th_rule_kv *labels;
	size_t nlabels;
	const th_rule_libuse *library_usage; /* from source analysis */
	size_t nlibrary_usage;
	/* Units already in the pipeline, for `dependencies` and `times`. */
	bool (*is_included)(void *ud, th_rule_type type, const char *name);
	void *ud;
	/* filled by th_rule_env_prepare */
	bool prepared;
	th_version v[6]; /* python, cuda, cudnn, mkl, openblas, openmpi */
	bool v_ok[6];
} th_rule_env;

#define TH_RULE_ENV_INIT { .adviser_pipeline = true }

/* Parses the environment's version strings once (into `a`). A version that
 * is not PEP 440 makes every specifier on it fail, as Thoth's Version()
 * raising would exclude the unit. */
int th_rule_env_prepare(th_rule_env *env, th_arena *a, th_error *err);

/* Fills env from a Thoth .thoth.yaml (its runtime_environments: the one
 * named `name`, or the first when name is NULL); strings live in `a`. The
 * environment's recommendation_type is taken too. `what` names the file. */
int th_rule_env_from_thoth_yaml(th_rule_env *env, const char *text, size_t len, const char *name,
				const char *what, th_arena *a, th_error *err);

/* Whether the unit applies. `why` (nullable) receives a static reason when
 * it does not ("recommendation_types", "python_version", ...). */
bool th_rule_should_include(const th_rule_unit *u, const th_rule_env *env, const char **why);

/* Whether a package (name, version, index URL; develop -1 unknown) matches a
 * `match` package description, as Thoth compares a resolved dependency. */
bool th_rule_pkg_matches(const th_rule_pkg *p, const char *name, const char *version, const char *index_url,
			 int develop, th_arena *scratch);

/* Whether a version text is in a rule specifier (absent/null: true). */
bool th_rule_spec_contains(const th_rule_spec *s, const char *version, th_arena *scratch);

#endif
