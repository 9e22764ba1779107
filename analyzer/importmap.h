/*
 * importmap — which distribution provides an imported module, from facts
 * before guesses:
 *   1. installed: the target's installed distributions (an image's
 *      top_level.txt, else the top-level packages and modules of RECORD),
 *      when the caller added them;
 *   1b. kb names: the import names the knowledge base recorded for the
 *      distributions it imported (their top_level.txt / RECORD, see
 *      analyzer/store_kb th_kb_import_name_providers, which states the order
 *      of several providers), when the caller gave a lookup: facts, so
 *      before the curated table, except that a table key more specific than
 *      the recorded name wins (an image's names stop at a namespace
 *      package); reported as TH_IMPORTMAP_KB;
 *   2. table: the curated table of well-known differences (PIL -> pillow,
 *      sklearn -> scikit-learn, alternative builds such as
 *      opencv-python-headless), rules/import-names.txt, built into the
 *      binary (cmake/Embed.cmake);
 *   3. kb: a project of the import's (normalised) name in the knowledge
 *      base, when the caller gave a lookup. The knowledge base holds project
 *      names, not the modules each provides, so a name match there is weaker
 *      evidence than a curated difference and comes after the table;
 *   4. guess: the import name itself, marked as a guess.
 *
 * A lookup gives every distribution that may provide the module, the usual
 * one first: declaring any of them satisfies the import. Dotted keys match a
 * module and its submodules, the longest key winning (google.protobuf ->
 * protobuf although many distributions share the google namespace).
 *
 * The installed distributions also answer "how does this distribution get
 * installed": th_importmap_chain follows their Requires-Dist from a set of
 * declared roots to a distribution, giving the chain that makes an import
 * transitively present.
 *
 * Memory: the map owns copies of everything added; hits and chains point
 * into the map and live as long as it. Not thread-safe (lookups sort lazily).
 */
#ifndef TH_IMPORTMAP_H
#define TH_IMPORTMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/store.h"
#include "analyzer/store_image.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/marker.h"

typedef enum th_importmap_via {
	TH_IMPORTMAP_INSTALLED,
	TH_IMPORTMAP_TABLE,
	TH_IMPORTMAP_KB,
	TH_IMPORTMAP_GUESS
} th_importmap_via;

typedef struct th_importmap_hit {
	const char *const *dists; /* borrowed from the map: candidates, the usual one first */
	size_t ndists;            /* >= 1 */
	th_importmap_via via;
	const char *key;          /* the module prefix (or top-level name) that matched */
} th_importmap_hit;

/* An installed distribution of the target (strings and arrays are copied). */
typedef struct th_importmap_installed {
	const char *name;                 /* as its metadata spells it */
	const char *version;              /* may be NULL */
	const char *const *top_level;     /* importable top-level names ('/' or '.' separated) */
	size_t ntop_level;
	const char *const *requires;      /* Requires-Dist values */
	size_t nrequires;
} th_importmap_installed;

/* Does the knowledge base know a project of this normalised name? */
typedef int (*th_importmap_kb_fn)(void *ud, const char *normalized, bool *out, th_error *err);

typedef struct th_importmap th_importmap;

/* A map holding the built-in table. */
int th_importmap_new(th_importmap **out, th_error *err);
/* A map with no table at all (tests, fuzzing). */
int th_importmap_new_empty(th_importmap **out, th_error *err);
void th_importmap_free(th_importmap *m);

/* Adds the entries of a table in the import-names format (see
 * rules/import-names.txt): "IMPORT DIST [DIST...]" lines, '#' comments.
 * Errors name `what` and the line: a malformed module path or distribution
 * name, an entry without a distribution, an import listed twice. On error
 * the map is unchanged. */
int th_importmap_table_load(th_importmap *m, const char *text, size_t len, const char *what, th_error *err);
size_t th_importmap_table_size(const th_importmap *m);

int th_importmap_add_installed(th_importmap *m, const th_importmap_installed *d, th_error *err);
/* Every Python distribution an image scan found (analyzer/imgscan), with
 * top_level.txt, else the top-level names of RECORD, as what it provides. */
int th_importmap_add_image(th_importmap *m, const th_imgfacts *f, th_error *err);
size_t th_importmap_ninstalled(const th_importmap *m);
/* The installed distribution of this name (any spelling), or NULL. */
const th_importmap_installed *th_importmap_installed_get(const th_importmap *m, const char *name);

/* Consulted after the table; fn may be NULL. */
void th_importmap_set_kb(th_importmap *m, th_importmap_kb_fn fn, void *ud);

/* The projects whose recorded versions provide the import name `name`
 * (dotted, looked up exactly), best first, normalised, in arena a; *n = 0
 * when none. canonical is name PEP 503-normalised. */
typedef int (*th_importmap_names_fn)(void *ud, const char *name, const char *canonical, const char *const **out,
				     size_t *n, th_arena *a, th_error *err);
/* Consulted after the installed distributions and before the table, for
 * the module and each of its dotted prefixes, longest first; fn may be
 * NULL. */
void th_importmap_set_kb_names(th_importmap *m, th_importmap_names_fn fn, void *ud);
/* th_importmap_set_kb_names with the knowledge base of store s (which must
 * outlive the map's lookups). */
void th_importmap_use_kb_names(th_importmap *m, th_store *s);

/* The distributions that may provide `module` (a dotted absolute module
 * path). Errors come only from the knowledge-base lookup or memory. */
int th_importmap_lookup(th_importmap *m, const char *module, th_importmap_hit *out, th_error *err);

/* 1 when some key names a submodule of `module` (so `from module import x`
 * may need x's own distribution), 0 when none does, or a negative error. */
int th_importmap_has_below(th_importmap *m, const char *module, th_error *err);

/* The shortest chain of installed distributions from one of `roots` to
 * `dist` through Requires-Dist ("root -> a -> dist" in out), following a
 * requirement when its marker holds in env (NULL env: when it names no
 * extra). *found false when none exists or dist is not installed. */
int th_importmap_chain(th_importmap *m, const char *const *roots, size_t nroots, const char *dist,
		       const th_marker_env *env, th_buf *out, bool *found, th_error *err);

/* Without an image, the knowledge base shows chains: fn gives the
 * Requires-Dist of a project (normalised name) as the knowledge base knows
 * it (its newest release with metadata), in arena a; *n = 0 when unknown. */
typedef int (*th_importmap_deps_fn)(void *ud, const char *normalized, const char *const **out, size_t *n,
				    th_arena *a, th_error *err);
/* max_projects bounds the projects the map ever walks (the kb_chain_projects
 * limit): chains beyond it are not found. */
void th_importmap_set_kb_deps(th_importmap *m, th_importmap_deps_fn fn, void *ud, size_t max_projects);

/* th_importmap_chain over the knowledge base's projects (names written
 * normalised). */
int th_importmap_kb_chain(th_importmap *m, const char *const *roots, size_t nroots, const char *dist,
			  const th_marker_env *env, th_buf *out, bool *found, th_error *err);

const char *th_importmap_via_name(th_importmap_via v);

#endif
