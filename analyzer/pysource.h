/*
 * pysource — what one Python source file imports and which names of those
 * imports it uses, read with tree-sitter (the npm grammar tree-sitter-python,
 * fetched by the build). With analyzer/tsarena (its allocator), the only
 * module that includes tree_sitter/api.h.
 *
 * Input is the UTF-8 text extractors/pyenc.c produced (newlines "\n"), so
 * lines and columns are CPython's: line 1-based, column the 1-based byte
 * column of the statement (CPython's col_offset + 1). Every import is found,
 * wherever it is (functions, classes, conditionals, error-recovered code);
 * a file with syntax errors still yields what tree-sitter recovered and is
 * marked has_errors. Parsing time is bounded by limits.parse_ms.
 *
 * API usage: names bound by imports (`import a.b` binds a, `import a.b as c`
 * binds c to a.b, `from x import y as z` binds z to x.y) are followed
 * through attribute chains, so `tf.compat.v1.Session()` after
 * `import tensorflow as tf` is the usage tensorflow.compat.v1.Session. One
 * binding table per file, whatever the scope (a local that shadows an
 * imported name is not told apart: a deliberate approximation).
 *
 * A th_pysource_parser is one thread's parser (tree-sitter parsers are not
 * shared between threads); results live in the caller's arena.
 */
#ifndef TH_PYSOURCE_H
#define TH_PYSOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

typedef enum th_pyimport_kind {
	TH_PYIMPORT_IMPORT = 0, /* import a.b [as c] */
	TH_PYIMPORT_FROM,       /* from [.]a import b [as c] */
	TH_PYIMPORT_DYNAMIC     /* importlib.import_module("a") / __import__("a") with a literal */
} th_pyimport_kind;

/* Where an import sits: flags, any combination. */
enum {
	TH_PYCTX_FUNCTION = 1 << 0,      /* inside a function (or lambda) body */
	TH_PYCTX_CLASS = 1 << 1,         /* inside a class body */
	TH_PYCTX_TRY_IMPORT = 1 << 2,    /* in the body of a try whose handlers catch ImportError */
	TH_PYCTX_IMPORT_FALLBACK = 1 << 3, /* in an except ImportError handler */
	TH_PYCTX_TYPE_CHECKING = 1 << 4, /* under `if TYPE_CHECKING:` */
	TH_PYCTX_VERSION = 1 << 5,       /* under a test of sys.version_info */
	TH_PYCTX_PLATFORM = 1 << 6,      /* under a test of sys.platform / os.name / platform */
	TH_PYCTX_FUTURE = 1 << 7,        /* from __future__ import ... */
	TH_PYCTX_ERROR = 1 << 8          /* recovered from inside a syntax error */
};

typedef struct th_pyname {
	const char *name;  /* arena; "*" for a wildcard */
	const char *alias; /* arena, NULL when none */
} th_pyname;

typedef struct th_pyimport {
	const char *module;  /* arena; as written without the leading dots ("" for `from . import x`) */
	unsigned level;      /* leading dots */
	const char *alias;   /* `import a.b as c`: "c"; NULL otherwise */
	th_pyname *names;    /* arena; from-imports only */
	size_t nnames;
	uint32_t line, col;  /* of the statement (of the call for dynamic imports), 1-based */
	th_pyimport_kind kind;
	unsigned ctx;        /* TH_PYCTX_* */
} th_pyimport;

typedef struct th_pyusage {
	const char *symbol;  /* arena; dotted, through the import's binding ("numpy.linalg.norm") */
	uint32_t line, col;  /* 1-based */
	uint32_t import;     /* index of the import that bound the name */
} th_pyusage;

typedef struct th_pysource {
	th_pyimport *imports; /* arena, in source order */
	size_t nimports;
	th_pyusage *usages;   /* arena, in source order */
	size_t nusages;
	bool has_errors;      /* tree-sitter met syntax errors */
	uint32_t error_line;  /* the first one's line, 0 when none */
} th_pysource;

typedef struct th_pysource_parser th_pysource_parser;

int th_pysource_parser_new(th_pysource_parser **out, th_error *err);
void th_pysource_parser_free(th_pysource_parser *p);

/* Analyzes (text, len) (UTF-8). `what` names the file in messages. Errors:
 * TH_ERR_LIMIT past lim->source_bytes or lim->parse_ms, TH_ERR_NOMEM. With
 * usages false only imports are collected. */
int th_pysource_analyze(th_pysource *out, th_pysource_parser *p, const char *text, size_t len, bool usages,
			const char *what, const th_limits *lim, th_arena *a, th_error *err);

/* "function,try_import" style names of ctx flags, into (buf, cap); "module" when none. */
const char *th_pysource_ctx_name(unsigned flag);

#endif
