/*
 * gate — the pre-deploy gate behind `thoth check`: will this project, with
 * this lock, work on this target (an image, or a target described by a
 * .thoth.yaml or flags)? The answer is a list of findings.
 *
 * This module holds what every family of checks shares: the input (plain
 * facts, gathered by the caller from the image, the lock, the source scan
 * and the knowledge base), the finding and the report, the catalogue of
 * finding ids (th_gate_ids: each with its severity, meaning and fix; the
 * README documents the same table), fingerprints and suppression. The
 * checks themselves live one family per module: gate_install (Requires-Python,
 * wheel tags, packages the OS installed), gate_conflicts (`pip check` over the
 * image plus the lock), gate_gpu (CUDA / cuDNN), gate_code (removed APIs,
 * standard-library modules, imports nothing provides), gate_security
 * (advisories).
 *
 * Invariants:
 * - A finding's id is one of th_gate_ids; its fingerprint is the SHA-256 of
 *   the id and a key that names what is wrong without line numbers or
 *   versions (so it survives edits and upgrades that do not fix it), hex.
 * - Findings are sorted (severity, id, file, line, package) before output, so
 *   output is stable.
 * - Everything a report points to lives in its arena (or is borrowed from
 *   the input, which must outlive it).
 * - The host's GPU driver is never judged: only what the image and the lock
 *   carry (CUDA runtime and cuDNN libraries, nvidia-* wheels).
 */
#ifndef TH_GATE_H
#define TH_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/importmap.h"
#include "analyzer/knowledge.h"
#include "analyzer/srcdeps.h"
#include "analyzer/srcscan.h"
#include "analyzer/store.h"
#include "analyzer/store_kb.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"
#include "resolver/env.h"

/* ---- input ---- */

/* A Python distribution installed in the image. Strings borrowed. */
typedef struct th_gate_dist {
	const char *name; /* PEP 503 normalized */
	const char *version;
	const char *requires_python; /* NULL when absent */
	const char *const *requires; /* Requires-Dist */
	size_t nrequires;
	const char *const *top_level; /* importable names (top_level.txt) */
	size_t ntop_level;
	const char *installer;  /* INSTALLER's first line, or NULL */
	const char *os_package; /* the dpkg/rpm/apk package owning it, or NULL */
	const char *location;
} th_gate_dist;

/* A native library of interest: kind as extractors/image names it
 * (libc, musl, cuda-runtime, cudnn, ...). */
typedef struct th_gate_lib {
	const char *kind, *version, *path;
} th_gate_lib;

typedef struct th_gate_image {
	const char *ref;
	const char *os_id, *os_version; /* NULL when unknown */
	const char *arch;               /* the config's (amd64, arm64), or NULL */
	const char *python;             /* X.Y.Z of the chosen interpreter, NULL: none */
	const char *python_path;
	const char *libc; /* "glibc" | "musl" | NULL */
	int libc_major, libc_minor;
	const char *libc_version; /* "2.36", NULL when unknown */
	const th_gate_dist *dists;
	size_t ndists;
	const th_gate_lib *libs;
	size_t nlibs;
} th_gate_image;

/* One distribution the lock pins. */
typedef struct th_gate_locked {
	const char *name;          /* PEP 503 normalized */
	const char *version;       /* NULL when the entry pins none */
	const char *file;          /* the lock file, relative to the project when inside it */
	uint32_t line;             /* of the entry, 0 when unknown */
	const char *const *wheels; /* wheel file names the lock lists (pylock, uv.lock, poetry.lock) */
	size_t nwheels;
	bool has_sdist;              /* the lock lists an sdist */
	bool files_known;            /* the lock lists its files (wheels/sdist are the whole choice) */
	const char *requires_python; /* the entry's, or NULL */
	const char *marker;          /* the entry's environment marker, or NULL */
	bool dev;
} th_gate_locked;

typedef struct th_gate_lock {
	const char *file;            /* as named in findings */
	const char *format;          /* requirements | pylock | uv | poetry | pipfile */
	const char *requires_python; /* lock-wide, or NULL */
	const th_gate_locked *pkgs;
	size_t n;
} th_gate_lock;

typedef struct th_gate_input {
	const th_env *env;          /* the target (Python, platform, tags, CUDA...); NULL when unknown */
	const char *target_source;  /* "image REF", "FILE", "flags": for messages */
	const th_gate_image *image; /* NULL without --image */
	const th_gate_lock *lock;   /* NULL when the project has no lock */
	const char *root;           /* the project directory (inline ignores are read below it) */
	const th_srcscan *scan;     /* NULL when the project has no sources scanned */
	const th_srcdeps *deps;     /* analysed for the target (its Python, the map below) */
	th_importmap *map;          /* import -> distribution, the image's included; NULL: names as they are */
	th_store *kb;               /* knowledge base: files, metadata, advisories; NULL: none */
	const th_know *know;        /* curated knowledge (shipped rules and extra ones); NULL: none */
	const th_limits *lim;
} th_gate_input;

/* ---- findings ---- */

typedef struct th_gate_id {
	const char *id;
	th_severity severity;
	const char *family; /* install | conflicts | gpu | code | security */
	const char *meaning;
	const char *fix;
} th_gate_id;

extern const th_gate_id th_gate_ids[];
extern const size_t th_gate_nids;
const th_gate_id *th_gate_id_find(const char *id);

typedef struct th_gate_finding {
	const char *id;
	th_severity severity;
	const char *message; /* one line */
	const char *fix;     /* a hint for this case */
	const char *file;    /* evidence: relative to the project, or NULL */
	uint32_t line, col;
	const char *package, *version; /* evidence, NULL when none */
	const char *rule;              /* evidence: advisory id, rule unit, tag, requirement... or NULL */
	const char *key;               /* fingerprint key */
	char fingerprint[TH_SHA256_HEX];
	const char *suppressed; /* NULL, "baseline" or "inline" */
} th_gate_finding;

typedef struct th_gate_kbver {
	const char *name, *version;
	const th_kb_pversion *v; /* NULL: the knowledge base does not know it */
} th_gate_kbver;

typedef struct th_gate_report {
	th_arena *a;       /* borrowed: holds findings' strings */
	th_gate_kbver *kb; /* malloc: knowledge-base lookups made so far */
	size_t nkb, capkb;
	th_gate_finding *f; /* malloc */
	size_t n, cap;
	size_t nsuppressed;
	size_t nchecked[2]; /* locked packages, installed distributions looked at */
	/* The target, from the input's env (NULL / 0 when unknown). */
	const th_env *env;
	const char *python;   /* X.Y.Z */
	const char *platform; /* uv-style */
} th_gate_report;

void th_gate_report_init(th_gate_report *r, th_arena *a);
void th_gate_report_release(th_gate_report *r);

/* Adds a finding (the severity and default fix come from the catalogue; fix
 * may override). key: what the fingerprint hashes after the id. */
int th_gate_add(th_gate_report *r, th_error *err, const char *id, const char *file, uint32_t line, uint32_t col,
                const char *package, const char *version, const char *rule, const char *key, const char *fix,
                const char *fmt, ...) __attribute__((format(printf, 12, 13)));

/* Runs every family of checks, then sorts. */
int th_gate_run(th_gate_report *r, const th_gate_input *in, th_error *err);

/* Shared lookups for the families: a locked / installed distribution by
 * normalized name (NULL when absent). */
const th_gate_locked *th_gate_find_locked(const th_gate_input *in, const char *name);
const th_gate_dist *th_gate_find_dist(const th_gate_input *in, const char *name);
/* The knowledge base's record of name==version (files with tags and
 * Requires-Python, dependencies), looked up once per report; *out NULL when
 * the knowledge base (or its best index) does not have that version. */
int th_gate_kb_version(th_gate_report *r, const th_gate_input *in, const char *name, const char *version,
                       const th_kb_pversion **out, th_error *err);
/* Does an environment marker hold on the target? No marker, no target, or
 * a marker that cannot be decided counts as holding: the gate would rather
 * look at a package too many. */
bool th_gate_applies(th_gate_report *r, const char *marker);
/* The version the target will run: the lock's pin, else the image's. */
const char *th_gate_version_of(const th_gate_input *in, const char *name);

/* ---- suppression ---- */

/* Marks findings whose fingerprint a baseline (a `check --format json`
 * output, schema thoth.check/1: findings[].fingerprint; or a plain list of
 * {"fingerprint"} objects) lists. `what` names the file in errors. */
int th_gate_baseline(th_gate_report *r, const char *text, size_t len, const char *what, const th_limits *lim,
                     th_error *err);

/* Marks findings whose evidence line (file under root) carries a comment
 * `# thoth: ignore[ID]` (several ids separated by commas; `ignore[*]` all). */
int th_gate_inline(th_gate_report *r, const char *root, const th_limits *lim, th_error *err);

/* Reads a regular file of at most max bytes (following links: the user
 * named it). */
int th_gate_file_read(th_buf *out, const char *path, uint64_t max, th_error *err);

/* Whether a line's text carries an inline ignore of id. */
bool th_gate_line_ignores(const char *line, size_t len, const char *id);

/* Unsuppressed findings at or above a severity. */
size_t th_gate_count(const th_gate_report *r, th_severity at_least);

#endif
