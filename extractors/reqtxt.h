/*
 * reqtxt — pip requirements files (requirements*.txt, constraints): logical
 * lines in, one record per requirement out. Knows continuation lines,
 * comments, ${VAR} environment variables (as pip expands them: upper case,
 * digits and '_', left as written when unset), -r/-c includes (read through
 * the caller's loader, relative to the including file, depth-bounded),
 * -e/--editable, per-requirement options (--hash kept, the others dropped)
 * and global options (ignored). The requirement text itself is not parsed
 * here: the caller hands it to core/requirement (PEP 508); lines that are a
 * path or URL rather than PEP 508 are marked, with the #egg= name if any.
 */
#ifndef TH_REQTXT_H
#define TH_REQTXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

#define TH_REQTXT_MAX_DEPTH 16     /* -r/-c nesting: deeper is a cycle or an attack */
#define TH_REQTXT_MAX_INCLUDES 256 /* includes followed in all: files including one another twice over would be exponential */

typedef struct th_reqtxt_line {
	const char *file;      /* the file holding the line, as named by the caller or the include */
	uint32_t line;         /* first physical line, 1-based */
	const char *req;       /* arena: the requirement text, options removed */
	bool editable;         /* -e / --editable */
	bool constraint;       /* read through -c: a constraint, not a requirement */
	bool path_or_url;      /* not PEP 508: a local path or a bare URL */
	const char *egg;       /* arena: #egg=NAME of a path/URL line, or NULL */
	const char **hashes;   /* arena: --hash values ("sha256:...") */
	size_t nhashes;
} th_reqtxt_line;

typedef int (*th_reqtxt_fn)(void *ud, const th_reqtxt_line *l);
/* Reads an included file: `name` as written after -r/-c, `from` the
 * including file. Fills `out` and `resolved` (a name for messages and for
 * the next level of includes). */
typedef int (*th_reqtxt_load_fn)(void *ud, const char *from, const char *name, th_buf *out, th_buf *resolved,
				 th_error *err);

typedef struct th_reqtxt_opts {
	th_reqtxt_load_fn load; /* NULL: includes are an error */
	void *load_ud;
	const char *(*getenv)(const char *name); /* NULL: variables are left as written */
} th_reqtxt_opts;

/* (s, n) without surrounding whitespace, copied into the arena; NULL when
 * memory runs out. Shared with the other line-oriented manifest readers. */
char *th_reqtxt_trimdup(th_arena *a, const char *s, size_t n);

int th_reqtxt_parse(const char *text, size_t len, const char *what, const th_reqtxt_opts *o, th_reqtxt_fn fn,
		    void *ud, th_arena *a, th_error *err);

#endif
