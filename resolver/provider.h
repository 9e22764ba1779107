/*
 * provider — where the solver learns about projects: for a project name,
 * its candidate versions newest first, each with its Requires-Python, its
 * yanked and pre-release flags and its dependency requirements (PEP 508,
 * parsed with core/requirement on first use).
 *
 * The interface is a table of one function (`project`), so a knowledge-base
 * provider plugs in later; th_provider_mem is the fast in-memory model every
 * provider can fill and hand out (the JSON index loader and, later, the KB).
 *
 * Invariants of a th_project handed out: name is canonical (PEP 503);
 * versions are sorted newest first, equal versions in insertion order (a
 * stable sort); versions that do not parse are never added; the project and
 * its candidates live as long as the provider.
 */
#ifndef TH_PROVIDER_H
#define TH_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/requirement.h"
#include "core/version.h"

typedef struct th_cand {
	th_version version;
	const char *version_text;     /* normalised str(Version) */
	const char *requires_python;  /* NULL when none */
	th_specset *rp;               /* parsed requires_python, NULL when none */
	bool yanked;
	/* PEP 592: a yanked version is still taken when a requirement pins it
	 * with == or === (false: never, as resolvelib's reference provider) */
	bool yanked_pinnable;
	bool prerelease;
	const char **dep_text;        /* Requires-Dist strings, as given */
	size_t ndeps;
	th_req *deps;                 /* parsed on first use (th_provider_deps) */
	bool deps_parsed;
	const void *data;             /* the provider's own facts (kbprovider: th_kbp_version), or NULL */
} th_cand;

typedef struct th_project {
	const char *name;             /* canonical */
	th_cand *cands;               /* newest first */
	size_t ncands, cap;
	void *data;                   /* the provider's own facts about the project, or NULL */
} th_project;

typedef struct th_provider_ops {
	/* *out = the project named (canonical) or NULL when unknown. */
	int (*project)(void *self, const char *name, th_project **out, th_error *err);
	/* Optional (NULL: nothing to say): appends lines saying why versions of
	 * the project were left out for the target (the solver's explanation
	 * calls it for every project in the final conflict). */
	int (*explain)(void *self, const char *name, th_buf *out, th_error *err);
} th_provider_ops;

typedef struct th_provider {
	const th_provider_ops *ops;
	void *self;
	th_arena *arena;              /* where parsed dependencies live */
} th_provider;

/* Parsed dependencies of a candidate of project `proj` (parsed once). */
int th_provider_deps(th_provider *p, const th_project *proj, th_cand *c, const th_req **out,
		     size_t *n, th_error *err);

/* The in-memory model: a hash table of projects. */
typedef struct th_provider_mem th_provider_mem;

int th_provider_mem_new(th_provider_mem **out, th_error *err);
void th_provider_mem_free(th_provider_mem *m);
th_arena *th_provider_mem_arena(th_provider_mem *m);
/* Adds one version (deps are copied pointers: they must live in the mem's
 * arena or longer). A version that is not PEP 440 is skipped (*added false). */
int th_provider_mem_add(th_provider_mem *m, const char *name, size_t nlen, const char *version,
			size_t vlen, const char *requires_python, bool yanked, const char **deps,
			size_t ndeps, bool *added, th_error *err);
/* As th_provider_mem_add, with the provider's own facts attached (th_cand.data). */
int th_provider_mem_add_data(th_provider_mem *m, const char *name, size_t nlen, const char *version,
			     size_t vlen, const char *requires_python, bool yanked, const char **deps,
			     size_t ndeps, const void *data, bool *added, th_error *err);
/* The project named (canonical), created empty when absent: a known project
 * with no candidates. */
int th_provider_mem_touch(th_provider_mem *m, const char *name, th_project **out, th_error *err);
/* The project named (canonical), or NULL when never added or touched. */
th_project *th_provider_mem_find(th_provider_mem *m, const char *name);
/* Sorts one project newest first (a provider filling projects lazily). */
void th_provider_mem_finish_project(th_project *p);
/* Sorts every project newest first; call once after the last add. */
void th_provider_mem_finish(th_provider_mem *m);
size_t th_provider_mem_count(const th_provider_mem *m);
/* The generic interface over m. */
th_provider th_provider_mem_provider(th_provider_mem *m);

#endif
