/*
 * namedreq — the dependency entries of Poetry ([tool.poetry.dependencies] and
 * groups) and of Pipfiles ([packages], [dev-packages]), tables whose keys
 * are names, turned into PEP 508 requirement texts, so that the rest of
 * thoth reads them as it reads any requirement.
 *
 * Poetry, as its documentation defines its constraints: `^V` (up to the next
 * change of the first non-zero part given; all zero: of the last given),
 * `~V` (next minor, or next major when only the major is given), `~=V`,
 * `*`, `1.2.*` / `1.x` wildcards (`==` and `!=`), exact `V` / `=V` / `==V`,
 * `<>` for `!=`, inequalities, `A - B` ranges, several clauses joined by `,`
 * or spaces, alternatives joined by `||`. PEP 508 has no "or" inside a
 * specifier: alternatives that touch or overlap merge into one range; a gap
 * of whole releases between them (`^1.0 || ^3.0`) becomes `!=2.*`; any
 * other gap is an error naming the constraint. Tables: version, python (a
 * constraint on the interpreter, as python_version / python_full_version
 * markers), platform (sys_platform), markers, extras, optional,
 * allow-prereleases (a clause `>=0.dev0`, which admits every version and,
 * naming a pre-release, opts into pre-releases as pip's rule reads it),
 * source; an array of tables is one requirement per table (Poetry's
 * multiple constraints). Path, git, url and file entries are not from an
 * index: they give no requirement text, only what they come from.
 *
 * Pipfile: "*" or a PEP 440 specifier; tables with version, extras, markers,
 * index, and marker-variable keys (`sys_platform = "== 'win32'"`); git,
 * path, file and url entries are not from an index.
 *
 * Every error is one line naming the file, the line and the entry.
 */
#ifndef TH_NAMEDREQ_H
#define TH_NAMEDREQ_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "extractors/toml.h"

typedef enum th_namedreq_format { TH_NAMEDREQ_POETRY, TH_NAMEDREQ_PIPFILE } th_namedreq_format;

typedef struct th_namedreq {
	const char *name;   /* the key as written */
	const char *req;    /* arena: PEP 508 text; NULL for an entry not from an index */
	const char *source; /* "path", "git", "url", "file" for an entry not from an index, else NULL */
	bool optional;      /* Poetry `optional = true`: installed only through an extra */
	uint32_t line;
} th_namedreq;

typedef int (*th_namedreq_fn)(void *ud, const th_namedreq *r);

/* Converts the entry `name = value` of a file (`what`, for messages) into one
 * requirement, or several (a Poetry array of constraint tables), each passed
 * to fn. */
int th_namedreq_convert(th_namedreq_format f, const char *name, const th_toml *value, const char *what,
			th_namedreq_fn fn, void *ud, th_arena *a, th_error *err);

/* A Poetry version constraint as a PEP 440 specifier set ("" for any
 * version); *out is in the arena. `what` names it in errors. */
int th_namedreq_poetry_spec(const char **out, const char *s, const char *what, th_arena *a, th_error *err);

#endif
