#include "analyzer/pysource.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tree_sitter/api.h>

#include "analyzer/tsarena.h"
#include "core/buf.h"

const TSLanguage *tree_sitter_python(void);

/* Node types and fields the analysis looks at, resolved to ids once per
 * parser so the walk compares integers. */
#define PYSOURCE_SYMS(X) \
	X(IMPORT, "import_statement") X(FROM, "import_from_statement") X(FUTURE, "future_import_statement") \
	X(DOTTED, "dotted_name") X(ALIASED, "aliased_import") X(RELATIVE, "relative_import") \
	X(PREFIX, "import_prefix") X(WILDCARD, "wildcard_import") X(IDENT, "identifier") \
	X(FUNC, "function_definition") X(CLASS, "class_definition") X(LAMBDA, "lambda") \
	X(TRY, "try_statement") X(EXCEPT, "except_clause") X(EXCEPT_GROUP, "except_group_clause") \
	X(IF, "if_statement") X(ELIF, "elif_clause") X(CALL, "call") X(ATTR, "attribute") \
	X(STRING, "string") X(STRING_CONTENT, "string_content") X(STRING_START, "string_start") \
	X(INTERP, "interpolation") X(ESCAPE, "escape_sequence") X(ARGLIST, "argument_list") \
	X(KWARG, "keyword_argument") X(PARAMS, "parameters") X(DEFAULT_PARAM, "default_parameter") \
	X(TYPED_PARAM, "typed_parameter") X(TYPED_DEFAULT, "typed_default_parameter") \
	X(BLOCK, "block") X(EXPR_STMT, "expression_statement") X(DECORATED, "decorated_definition")

#define PYSOURCE_FIELDS(X) \
	X(NAME, "name") X(ALIAS, "alias") X(MODULE_NAME, "module_name") X(BODY, "body") X(VALUE, "value") \
	X(CONDITION, "condition") X(CONSEQUENCE, "consequence") X(ALTERNATIVE, "alternative") \
	X(OBJECT, "object") X(ATTRIBUTE, "attribute") X(FUNCTION, "function") X(ARGUMENTS, "arguments")

#define PYSOURCE__ENUM(id, s) S_##id,
enum { PYSOURCE_SYMS(PYSOURCE__ENUM) S_COUNT };
#undef PYSOURCE__ENUM
#define PYSOURCE__ENUM(id, s) F_##id,
enum { PYSOURCE_FIELDS(PYSOURCE__ENUM) F_COUNT };
#undef PYSOURCE__ENUM

#define SYM_ERROR ((TSSymbol)-1)

/* tree-sitter's memory for one file: up to 256 MiB from the arena (a
 * 1 MiB source needs ~40 MiB), 8 MiB kept between files. */
#define PYSOURCE_ARENA_CAP ((size_t)256 << 20)
#define PYSOURCE_ARENA_KEEP ((size_t)8 << 20)

/* One thread's: the symbol ids and the arena. The tree-sitter parser itself
 * is made for each file inside the arena's scope, so that all its memory
 * goes with the scope. */
struct th_pysource_parser {
	const TSLanguage *lang;
	th_tsarena *arena;
	TSSymbol sym[S_COUNT];
	TSFieldId fld[F_COUNT];
};

int th_pysource_parser_new(th_pysource_parser **out, th_error *err)
{
#define PYSOURCE__SYM(id, s) p->sym[S_##id] = ts_language_symbol_for_name(lang, s, (uint32_t)strlen(s), true);
#define PYSOURCE__FLD(id, s) p->fld[F_##id] = ts_language_field_id_for_name(lang, s, (uint32_t)strlen(s));
	const TSLanguage *lang = tree_sitter_python();
	th_pysource_parser *p = calloc(1, sizeof(*p));
	TSParser *ts = NULL;
	bool loads;

	*out = NULL;
	if (!p || !(p->arena = th_tsarena_new(PYSOURCE_ARENA_CAP, PYSOURCE_ARENA_KEEP)) || !(ts = ts_parser_new())) {
		th_pysource_parser_free(p);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	loads = ts_parser_set_language(ts, lang);
	ts_parser_delete(ts);
	if (!loads) {
		th_pysource_parser_free(p);
		return th_error_set(err, TH_ERR_UNSUPPORTED, "tree-sitter-python: grammar ABI %u not loadable by this tree-sitter",
				    ts_language_abi_version(lang));
	}
	p->lang = lang;
	PYSOURCE_SYMS(PYSOURCE__SYM)
	PYSOURCE_FIELDS(PYSOURCE__FLD)
	*out = p;
	return 0;
#undef PYSOURCE__SYM
#undef PYSOURCE__FLD
}

void th_pysource_parser_free(th_pysource_parser *p)
{
	if (!p)
		return;
	th_tsarena_free(p->arena);
	free(p);
}

const char *th_pysource_ctx_name(unsigned flag)
{
	switch (flag) {
	case TH_PYCTX_FUNCTION: return "function";
	case TH_PYCTX_CLASS: return "class";
	case TH_PYCTX_TRY_IMPORT: return "try_import";
	case TH_PYCTX_IMPORT_FALLBACK: return "import_fallback";
	case TH_PYCTX_TYPE_CHECKING: return "type_checking";
	case TH_PYCTX_VERSION: return "version_check";
	case TH_PYCTX_PLATFORM: return "platform_check";
	case TH_PYCTX_FUTURE: return "future";
	case TH_PYCTX_ERROR: return "syntax_error";
	default: return "module";
	}
}

/* ---- the walk ---- */

typedef struct pysource__frame {
	unsigned ctx;   /* context of the node's children */
	TSSymbol sym;   /* the node's type */
	unsigned cond;  /* if/elif: flags its condition gives; try: 1 when it catches ImportError */
} pysource__frame;

typedef struct pysource__binding {
	const char *name; /* arena */
	size_t nlen;
	const char *target; /* arena, dotted */
	uint32_t import;
} pysource__binding;

typedef struct pysource__walk {
	th_pysource_parser *p;
	const char *text;
	size_t len;
	th_arena *a;
	th_error *err;
	const char *what;
	th_pyimport *imports; /* malloc, grows */
	size_t nimports, capimports;
	th_pyusage *usages;   /* malloc, grows */
	size_t nusages, capusages;
	pysource__binding *bind; /* malloc */
	size_t nbind, capbind;
	uint32_t *index;      /* hash of bindings: slot -> binding + 1 */
	size_t nindex;
	uint32_t *occ;        /* malloc: byte offsets where a bound name may be used, ascending */
	size_t nocc, capocc;
	size_t atocc;         /* the usage walk's position in occ */
	pysource__frame *stack; /* malloc */
	size_t capstack;
	th_buf tmp;
} pysource__walk;

static int pysource__grow(void **v, size_t *cap, size_t n, size_t size, th_error *err)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	*v = nv;
	*cap = ncap;
	return 0;
}

static inline const char *pysource__at(const pysource__walk *w, TSNode n, size_t *len)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);

	if (e > w->len)
		e = (uint32_t)w->len;
	if (s > e)
		s = e;
	*len = e - s;
	return w->text + s;
}

static bool pysource__is(const pysource__walk *w, TSNode n, const char *s)
{
	size_t len;
	const char *t = pysource__at(w, n, &len);

	return len == strlen(s) && !memcmp(t, s, len);
}

/* A dotted_name as CPython writes it: identifiers joined by '.', whatever
 * whitespace or comments sat between them. */
static const char *pysource__dotted(pysource__walk *w, TSNode n)
{
	uint32_t k = ts_node_named_child_count(n);
	size_t len;
	const char *t;

	if (ts_node_symbol(n) == w->p->sym[S_IDENT] || k == 0) {
		t = pysource__at(w, n, &len);
		return th_arena_strndup(w->a, t, len);
	}
	th_buf_clear(&w->tmp);
	for (uint32_t i = 0; i < k; i++) {
		TSNode c = ts_node_named_child(n, i);
		if (ts_node_symbol(c) != w->p->sym[S_IDENT])
			continue;
		t = pysource__at(w, c, &len);
		if ((w->tmp.len && th_buf_putc(&w->tmp, '.', w->err)) || th_buf_put(&w->tmp, t, len, w->err))
			return NULL;
	}
	return th_arena_strndup(w->a, w->tmp.ptr, w->tmp.len);
}

static int pysource__bind(pysource__walk *w, const char *name, size_t nlen, const char *target)
{
	int rc;

	if ((rc = pysource__grow((void **)&w->bind, &w->capbind, w->nbind, sizeof(*w->bind), w->err)))
		return rc;
	w->bind[w->nbind++] = (pysource__binding){ name, nlen, target, (uint32_t)(w->nimports - 1) };
	return 0;
}

static th_pyimport *pysource__new_import(pysource__walk *w, TSNode stmt, th_pyimport_kind kind, unsigned ctx)
{
	TSPoint pt = ts_node_start_point(stmt);
	th_pyimport *im;

	if (pysource__grow((void **)&w->imports, &w->capimports, w->nimports, sizeof(*w->imports), w->err))
		return NULL;
	im = &w->imports[w->nimports++];
	memset(im, 0, sizeof(*im));
	im->kind = kind;
	im->ctx = ctx;
	im->line = pt.row + 1;
	im->col = pt.column + 1;
	return im;
}

/* import a.b, c as d: one record per name, as CPython's ast has one alias each. */
static int pysource__import(pysource__walk *w, TSNode stmt, unsigned ctx)
{
	uint32_t k = ts_node_child_count(stmt);

	for (uint32_t i = 0; i < k; i++) {
		TSNode c = ts_node_child(stmt, i), name = c;
		th_pyimport *im;
		TSSymbol s = ts_node_symbol(c);

		if (s == w->p->sym[S_ALIASED])
			name = ts_node_child_by_field_id(c, w->p->fld[F_NAME]);
		else if (s != w->p->sym[S_DOTTED])
			continue;
		if (ts_node_is_null(name) || !(im = pysource__new_import(w, stmt, TH_PYIMPORT_IMPORT, ctx)) ||
		    !(im->module = pysource__dotted(w, name)))
			return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		if (s == w->p->sym[S_ALIASED]) {
			TSNode al = ts_node_child_by_field_id(c, w->p->fld[F_ALIAS]);
			size_t len;
			const char *t;

			if (!ts_node_is_null(al)) {
				t = pysource__at(w, al, &len);
				if (!(im->alias = th_arena_strndup(w->a, t, len)))
					return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
				if (pysource__bind(w, im->alias, len, im->module))
					return w->err ? w->err->code : TH_ERR_NOMEM;
			}
		} else {
			/* `import a.b` binds a, whose attribute chain names the rest. */
			const char *dot = strchr(im->module, '.');
			size_t len = dot ? (size_t)(dot - im->module) : strlen(im->module);
			char *top = th_arena_strndup(w->a, im->module, len);

			if (!top || pysource__bind(w, top, len, top))
				return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		}
	}
	return 0;
}

/* from X import a as b, c / from . import x / from __future__ import y. */
static int pysource__from(pysource__walk *w, TSNode stmt, bool future, unsigned ctx)
{
	uint32_t k = ts_node_child_count(stmt), nn = 0;
	th_pyimport *im = pysource__new_import(w, stmt, TH_PYIMPORT_FROM, ctx | (future ? TH_PYCTX_FUTURE : 0));
	TSNode mod;
	size_t idx;
	bool after = false;

	if (!im)
		return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	idx = w->nimports - 1;
	if (future) {
		im->module = "__future__";
	} else {
		mod = ts_node_child_by_field_id(stmt, w->p->fld[F_MODULE_NAME]);
		im->module = "";
		if (!ts_node_is_null(mod) && ts_node_symbol(mod) == w->p->sym[S_RELATIVE]) {
			uint32_t mk = ts_node_named_child_count(mod);
			for (uint32_t i = 0; i < mk; i++) {
				TSNode c = ts_node_named_child(mod, i);
				if (ts_node_symbol(c) == w->p->sym[S_PREFIX]) {
					size_t len;
					const char *t = pysource__at(w, c, &len);
					for (size_t j = 0; j < len; j++)
						im->level += t[j] == '.';
				} else if (ts_node_symbol(c) == w->p->sym[S_DOTTED]) {
					if (!(im->module = pysource__dotted(w, c)))
						return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
				}
			}
		} else if (!ts_node_is_null(mod)) {
			if (!(im->module = pysource__dotted(w, mod)))
				return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		}
	}
	nn = 0;
	for (uint32_t i = 0; i < k; i++)
		if (ts_node_is_named(ts_node_child(stmt, i)))
			nn++;
	im->names = th_arena_zalloc(w->a, (nn ? nn : 1) * sizeof(*im->names));
	if (!im->names)
		return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	for (uint32_t i = 0; i < k; i++) {
		TSNode c = ts_node_child(stmt, i), name = c, al = { { 0 }, NULL, NULL };
		TSSymbol s = ts_node_symbol(c);
		th_pyname *pn;

		if (s == w->p->sym[S_WILDCARD]) {
			pn = &w->imports[idx].names[w->imports[idx].nnames++];
			pn->name = "*";
			continue;
		}
		/* Names are what follows the `import` keyword (the module precedes it). */
		if (!ts_node_is_named(c) && pysource__is(w, c, "import")) {
			after = true;
			continue;
		}
		if (!after || (s != w->p->sym[S_DOTTED] && s != w->p->sym[S_ALIASED]))
			continue;
		if (s == w->p->sym[S_ALIASED]) {
			name = ts_node_child_by_field_id(c, w->p->fld[F_NAME]);
			al = ts_node_child_by_field_id(c, w->p->fld[F_ALIAS]);
		}
		if (ts_node_is_null(name))
			continue;
		pn = &w->imports[idx].names[w->imports[idx].nnames++];
		if (!(pn->name = pysource__dotted(w, name)))
			return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		if (al.id) {
			size_t len;
			const char *t = pysource__at(w, al, &len);
			if (!(pn->alias = th_arena_strndup(w->a, t, len)))
				return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		}
		if (!future) {
			const th_pyimport *m = &w->imports[idx];
			const char *bound = pn->alias ? pn->alias : pn->name;
			char *target;

			th_buf_clear(&w->tmp);
			for (unsigned d = 0; d < m->level; d++)
				if (th_buf_putc(&w->tmp, '.', w->err))
					return w->err ? w->err->code : TH_ERR_NOMEM;
			if (th_buf_printf(&w->tmp, w->err, "%s%s%s", m->module, *m->module ? "." : "", pn->name))
				return w->err ? w->err->code : TH_ERR_NOMEM;
			if (!(target = th_arena_strndup(w->a, w->tmp.ptr, w->tmp.len)) ||
			    pysource__bind(w, bound, strlen(bound), target))
				return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		}
	}
	return 0;
}

/* Inside an ERROR node tree-sitter may leave an import as loose tokens
 * (`from __future__ import *` is one: CPython's parser accepts it, the
 * grammar does not). Recovers `from [.]X import ...` and `import X, Y` from
 * the node's direct children. */
static int pysource__error_imports(pysource__walk *w, TSNode err, unsigned ctx)
{
	uint32_t k = ts_node_child_count(err);
	const th_pysource_parser *p = w->p;

	for (uint32_t i = 0; i < k; i++) {
		TSNode c = ts_node_child(err, i);
		bool from;
		th_pyimport *im;

		if (ts_node_is_named(c))
			continue;
		from = pysource__is(w, c, "from");
		if (!from && !pysource__is(w, c, "import"))
			continue;
		if (from) {
			unsigned level = 0;
			const char *mod = "";
			uint32_t j;

			for (j = i + 1; j < k; j++) {
				TSNode m = ts_node_child(err, j);
				TSSymbol s = ts_node_symbol(m);
				size_t len;
				const char *t = pysource__at(w, m, &len);

				if (!ts_node_is_named(m) && pysource__is(w, m, "import"))
					break;
				if (s == p->sym[S_DOTTED] || s == p->sym[S_IDENT] || pysource__is(w, m, "__future__")) {
					if (!(mod = pysource__dotted(w, m)))
						return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
				} else if (len && strspn(t, ".") >= len) {
					level += (unsigned)len;
				} else {
					break;
				}
			}
			if (j >= k || !pysource__is(w, ts_node_child(err, j), "import"))
				continue;
			if (!(im = pysource__new_import(w, c, TH_PYIMPORT_FROM, ctx | TH_PYCTX_ERROR)))
				return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
			im->module = mod;
			im->level = level;
			if (!strcmp(mod, "__future__"))
				im->ctx |= TH_PYCTX_FUTURE;
			i = j;
			continue;
		}
		for (uint32_t j = i + 1; j < k; j++) {
			TSNode m = ts_node_child(err, j);
			TSSymbol s = ts_node_symbol(m);

			if (s == p->sym[S_DOTTED] || s == p->sym[S_IDENT]) {
				if (!(im = pysource__new_import(w, c, TH_PYIMPORT_IMPORT, ctx | TH_PYCTX_ERROR)) ||
				    !(im->module = pysource__dotted(w, m)))
					return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
			} else if (!pysource__is(w, m, ",")) {
				break;
			}
		}
	}
	return 0;
}

/* The flags an if/elif condition gives its branches. */
static unsigned pysource__condition(pysource__walk *w, TSNode cond)
{
	size_t len;
	const char *t;
	unsigned f = 0;

	if (ts_node_is_null(cond))
		return 0;
	t = pysource__at(w, cond, &len);
	if (memmem(t, len, "TYPE_CHECKING", 13))
		f |= TH_PYCTX_TYPE_CHECKING;
	if (memmem(t, len, "version_info", 12) || memmem(t, len, "sys.version", 11) ||
	    memmem(t, len, "hexversion", 10))
		f |= TH_PYCTX_VERSION;
	if (memmem(t, len, "platform", 8) || memmem(t, len, "os.name", 7))
		f |= TH_PYCTX_PLATFORM;
	return f;
}

/* Does this except clause catch ImportError (by name, a base class of it,
 * or a bare except)? */
static bool pysource__catches_import(pysource__walk *w, TSNode clause)
{
	TSNode v = ts_node_child_by_field_id(clause, w->p->fld[F_VALUE]);
	size_t len;
	const char *t;

	if (ts_node_symbol(clause) != w->p->sym[S_EXCEPT])
		return false;
	if (ts_node_is_null(v))
		return true;
	t = pysource__at(w, v, &len);
	return memmem(t, len, "ImportError", 11) || memmem(t, len, "ModuleNotFoundError", 19) ||
	       memmem(t, len, "Exception", 9);
}

static bool pysource__try_catches(pysource__walk *w, TSNode try_stmt)
{
	uint32_t k = ts_node_named_child_count(try_stmt);

	for (uint32_t i = 0; i < k; i++)
		if (pysource__catches_import(w, ts_node_named_child(try_stmt, i)))
			return true;
	return false;
}

/* A plain string literal's value (no f-string, no escapes), or NULL. */
static const char *pysource__literal(pysource__walk *w, TSNode s)
{
	uint32_t k = ts_node_named_child_count(s);
	size_t len;
	const char *t, *content = "";
	size_t clen = 0;

	if (ts_node_symbol(s) != w->p->sym[S_STRING])
		return NULL;
	for (uint32_t i = 0; i < k; i++) {
		TSNode c = ts_node_named_child(s, i);
		TSSymbol sym = ts_node_symbol(c);

		t = pysource__at(w, c, &len);
		if (sym == w->p->sym[S_STRING_START]) {
			if (memchr(t, 'f', len) || memchr(t, 'F', len) || memchr(t, 'b', len) || memchr(t, 'B', len))
				return NULL;
		} else if (sym == w->p->sym[S_STRING_CONTENT]) {
			if (clen || memchr(t, '\\', len))
				return NULL;
			content = t;
			clen = len;
		} else if (sym != w->p->sym[S_STRING_START] && ts_node_type(c)[0] != 's') {
			return NULL; /* interpolation, escape */
		}
	}
	if (clen == 0)
		return NULL;
	return th_arena_strndup(w->a, content, clen);
}

/* importlib.import_module("x"[, pkg]), import_module("x"), __import__("x"). */
static int pysource__dynamic(pysource__walk *w, TSNode call, unsigned ctx)
{
	TSNode fn = ts_node_child_by_field_id(call, w->p->fld[F_FUNCTION]);
	TSNode args = ts_node_child_by_field_id(call, w->p->fld[F_ARGUMENTS]);
	TSSymbol fs = ts_node_symbol(fn);
	const char *lit;
	th_pyimport *im;
	bool match = false;

	if (fs == w->p->sym[S_IDENT]) {
		match = pysource__is(w, fn, "__import__") || pysource__is(w, fn, "import_module");
	} else if (fs == w->p->sym[S_ATTR]) {
		TSNode o = ts_node_child_by_field_id(fn, w->p->fld[F_OBJECT]);
		TSNode at = ts_node_child_by_field_id(fn, w->p->fld[F_ATTRIBUTE]);
		match = !ts_node_is_null(o) && !ts_node_is_null(at) && pysource__is(w, o, "importlib") &&
			pysource__is(w, at, "import_module");
	}
	if (!match || ts_node_is_null(args) || ts_node_symbol(args) != w->p->sym[S_ARGLIST] ||
	    ts_node_named_child_count(args) == 0)
		return 0;
	if (!(lit = pysource__literal(w, ts_node_named_child(args, 0))))
		return 0;
	if (!(im = pysource__new_import(w, call, TH_PYIMPORT_DYNAMIC, ctx)))
		return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	while (*lit == '.') {
		im->level++;
		lit++;
	}
	im->module = lit;
	return 0;
}

/* The context a node gets from its parent's frame and its field. */
static unsigned pysource__ctx(const pysource__walk *w, const pysource__frame *pf, TSFieldId f, TSNode n)
{
	unsigned ctx = pf->ctx;
	const th_pysource_parser *p = w->p;

	if (pf->sym == p->sym[S_FUNC] || pf->sym == p->sym[S_LAMBDA]) {
		if (f == p->fld[F_BODY])
			ctx |= TH_PYCTX_FUNCTION;
	} else if (pf->sym == p->sym[S_CLASS]) {
		if (f == p->fld[F_BODY])
			ctx |= TH_PYCTX_CLASS;
	} else if (pf->sym == p->sym[S_TRY]) {
		if (pf->cond && f == p->fld[F_BODY])
			ctx |= TH_PYCTX_TRY_IMPORT;
	} else if (pf->sym == p->sym[S_IF] || pf->sym == p->sym[S_ELIF]) {
		if (f == p->fld[F_CONSEQUENCE])
			ctx |= pf->cond;
		else if (f == p->fld[F_ALTERNATIVE])
			ctx |= pf->cond & (TH_PYCTX_VERSION | TH_PYCTX_PLATFORM);
	} else if (pf->sym == SYM_ERROR) {
		ctx |= TH_PYCTX_ERROR;
	}
	return ctx;
}

static bool pysource__skip_ident(const pysource__walk *w, TSSymbol parent, TSFieldId f)
{
	const th_pysource_parser *p = w->p;

	if (parent == p->sym[S_ATTR])
		return f == p->fld[F_ATTRIBUTE];
	if (parent == p->sym[S_KWARG] || parent == p->sym[S_FUNC] || parent == p->sym[S_CLASS] ||
	    parent == p->sym[S_DEFAULT_PARAM] || parent == p->sym[S_TYPED_DEFAULT])
		return f == p->fld[F_NAME];
	return parent == p->sym[S_PARAMS] || parent == p->sym[S_TYPED_PARAM];
}

static uint64_t pysource__hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The bindings in an open-addressing table; the last binding of a name wins. */
static int pysource__index(pysource__walk *w)
{
	size_t n = 16;

	while (n < w->nbind * 2)
		n *= 2;
	w->index = calloc(n, sizeof(*w->index));
	if (!w->index)
		return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	w->nindex = n;
	for (size_t i = 0; i < w->nbind; i++) {
		size_t slot = pysource__hash(w->bind[i].name, w->bind[i].nlen) & (n - 1);
		for (;; slot = (slot + 1) & (n - 1)) {
			uint32_t b = w->index[slot];
			if (!b || (w->bind[b - 1].nlen == w->bind[i].nlen &&
				   !memcmp(w->bind[b - 1].name, w->bind[i].name, w->bind[i].nlen))) {
				w->index[slot] = (uint32_t)i + 1;
				break;
			}
		}
	}
	return 0;
}

static const pysource__binding *pysource__lookup(const pysource__walk *w, const char *s, size_t len)
{
	size_t slot = pysource__hash(s, len) & (w->nindex - 1);

	for (;; slot = (slot + 1) & (w->nindex - 1)) {
		uint32_t b = w->index[slot];
		if (!b)
			return NULL;
		if (w->bind[b - 1].nlen == len && !memcmp(w->bind[b - 1].name, s, len))
			return &w->bind[b - 1];
	}
}

static bool pysource__ident_byte(unsigned char ch)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch >= 0x80;
}

/* Where in the text a bound name may be used: the start of every run of
 * identifier bytes that is a bound name, over-approximated (a run with a
 * non-ASCII byte counts, as tree-sitter may cut it elsewhere; so do runs in
 * strings and comments, and attribute names). A run that starts with a digit
 * can end in an identifier (`1if x else y`): its suffixes from each letter
 * are tried. The usage walk then skips every subtree holding none of these
 * offsets, which cannot contain a usage: most of the tree, in most files. */
static int pysource__occurrences(pysource__walk *w)
{
	const unsigned char *t = (const unsigned char *)w->text;
	size_t i = 0;

	while (i < w->len) {
		size_t s, e;
		bool wide = false;
		int64_t at = -1;

		if (!pysource__ident_byte(t[i])) {
			i++;
			continue;
		}
		for (s = i; i < w->len && pysource__ident_byte(t[i]); i++)
			wide |= t[i] >= 0x80;
		e = i;
		if (wide) {
			at = (int64_t)s;
		} else if (t[s] >= '0' && t[s] <= '9') {
			for (size_t k = s + 1; k < e && at < 0; k++)
				if (((t[k] | 0x20) >= 'a' && (t[k] | 0x20) <= 'z') || t[k] == '_')
					if (pysource__lookup(w, w->text + k, e - k))
						at = (int64_t)k;
		} else if (pysource__lookup(w, w->text + s, e - s)) {
			at = (int64_t)s;
		}
		if (at < 0)
			continue;
		if (pysource__grow((void **)&w->occ, &w->capocc, w->nocc, sizeof(*w->occ), w->err))
			return TH_ERR_NOMEM;
		w->occ[w->nocc++] = (uint32_t)at;
	}
	return 0;
}

/* Does [start, end) hold an offset of occ? Nodes come in document order
 * (start never decreases), so the position only moves forward. */
static bool pysource__holds_occurrence(pysource__walk *w, uint32_t start, uint32_t end)
{
	while (w->atocc < w->nocc && w->occ[w->atocc] < start)
		w->atocc++;
	return w->atocc < w->nocc && w->occ[w->atocc] < end;
}

#define PYSOURCE_CHAIN_MAX 64

/* An attribute chain a.b.c rooted at a bound name: records the usage.
 * Returns 1 when the chain is rooted at a name (nothing inside to visit),
 * 0 when its root is another expression (visit the children), <0 on error. */
static int pysource__usage_chain(pysource__walk *w, TSNode n)
{
	TSNode attrs[PYSOURCE_CHAIN_MAX];
	size_t na = 0, len;
	const char *t;
	const pysource__binding *b;
	TSPoint pt = ts_node_start_point(n);
	th_pyusage *u;

	while (ts_node_symbol(n) == w->p->sym[S_ATTR]) {
		TSNode at = ts_node_child_by_field_id(n, w->p->fld[F_ATTRIBUTE]);
		if (na == PYSOURCE_CHAIN_MAX || ts_node_is_null(at))
			return na == PYSOURCE_CHAIN_MAX; /* too long to be an API name: skip it */
		attrs[na++] = at;
		n = ts_node_child_by_field_id(n, w->p->fld[F_OBJECT]);
		if (ts_node_is_null(n))
			return 0;
	}
	if (ts_node_symbol(n) != w->p->sym[S_IDENT])
		return 0;
	t = pysource__at(w, n, &len);
	if (!(b = pysource__lookup(w, t, len)))
		return 1;
	th_buf_clear(&w->tmp);
	if (th_buf_puts(&w->tmp, b->target, w->err))
		return w->err ? w->err->code : TH_ERR_NOMEM;
	while (na > 0) {
		t = pysource__at(w, attrs[--na], &len);
		if (th_buf_putc(&w->tmp, '.', w->err) || th_buf_put(&w->tmp, t, len, w->err))
			return w->err ? w->err->code : TH_ERR_NOMEM;
	}
	if (pysource__grow((void **)&w->usages, &w->capusages, w->nusages, sizeof(*w->usages), w->err))
		return TH_ERR_NOMEM;
	u = &w->usages[w->nusages];
	u->line = pt.row + 1;
	u->col = pt.column + 1;
	u->import = b->import;
	if (!(u->symbol = th_arena_strndup(w->a, w->tmp.ptr, w->tmp.len)))
		return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	w->nusages++;
	return 1;
}

/* Visits one node. *descend says whether to walk its children; *child is
 * the frame they get. */
static int pysource__visit(pysource__walk *w, TSNode n, TSSymbol sym, unsigned ctx, const pysource__frame *pf,
			   TSFieldId f, bool usages, bool *descend, pysource__frame *child)
{
	const th_pysource_parser *p = w->p;
	int rc;

	*descend = true;
	child->ctx = ctx;
	child->sym = sym;
	child->cond = 0;
	if (sym == p->sym[S_IMPORT] || sym == p->sym[S_FROM] || sym == p->sym[S_FUTURE]) {
		*descend = false;
		if (usages)
			return 0;
		if (sym == p->sym[S_IMPORT])
			return pysource__import(w, n, ctx);
		return pysource__from(w, n, sym == p->sym[S_FUTURE], ctx);
	}
	if (usages) {
		if (sym == p->sym[S_ATTR]) {
			rc = pysource__usage_chain(w, n);
			*descend = rc == 0;
			return rc < 0 ? rc : 0;
		}
		if (sym == p->sym[S_IDENT]) {
			*descend = false;
			if (!pysource__skip_ident(w, pf->sym, f))
				return pysource__usage_chain(w, n) < 0 ? TH_ERR_NOMEM : 0;
		}
		return 0;
	}
	if (sym == p->sym[S_CALL])
		return pysource__dynamic(w, n, ctx);
	if (sym == SYM_ERROR)
		return pysource__error_imports(w, n, ctx);
	if (sym == p->sym[S_IF] || sym == p->sym[S_ELIF])
		child->cond = pysource__condition(w, ts_node_child_by_field_id(n, p->fld[F_CONDITION]));
	else if (sym == p->sym[S_TRY])
		child->cond = pysource__try_catches(w, n);
	else if (sym == p->sym[S_EXCEPT] && pf->sym == p->sym[S_TRY] && pf->cond && pysource__catches_import(w, n))
		child->ctx |= TH_PYCTX_IMPORT_FALLBACK;
	return 0;
}

static bool pysource__field_matters(const th_pysource_parser *p, TSSymbol parent)
{
	return parent == p->sym[S_FUNC] || parent == p->sym[S_CLASS] || parent == p->sym[S_LAMBDA] ||
	       parent == p->sym[S_TRY] || parent == p->sym[S_IF] || parent == p->sym[S_ELIF] ||
	       parent == p->sym[S_ATTR] || parent == p->sym[S_KWARG] || parent == p->sym[S_DEFAULT_PARAM] ||
	       parent == p->sym[S_TYPED_DEFAULT];
}

/* Imports of every kind contain the letters "import" (`import`,
 * `__import__`, `importlib`, `import_module`): the import pass visits only
 * nodes whose text holds them, i.e. the statements on the way to an import
 * and their direct children, and skips everything else. */
static int pysource__import_words(pysource__walk *w)
{
	const char *t = w->text, *end = w->text + w->len, *at;

	w->nocc = 0;
	w->atocc = 0;
	while (t < end && (at = memmem(t, (size_t)(end - t), "import", 6))) {
		if (pysource__grow((void **)&w->occ, &w->capocc, w->nocc, sizeof(*w->occ), w->err))
			return TH_ERR_NOMEM;
		w->occ[w->nocc++] = (uint32_t)(at - w->text);
		t = at + 6;
	}
	return 0;
}

/* Depth-first over the whole tree with one cursor; the frames live on a heap
 * stack, so hostile nesting costs memory, never the C stack. */
static int pysource__walk_tree(pysource__walk *w, TSNode root, bool usages)
{
	TSTreeCursor c = ts_tree_cursor_new(root);
	size_t depth = 0;
	int rc = 0;

	if ((rc = pysource__grow((void **)&w->stack, &w->capstack, 1, sizeof(*w->stack), w->err)))
		goto done;
	w->stack[0] = (pysource__frame){ 0, ts_node_symbol(root), 0 };
	if (!ts_tree_cursor_goto_first_child(&c))
		goto done;
	depth = 1;
	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		TSSymbol sym = ts_node_symbol(n);
		const pysource__frame *pf = &w->stack[depth - 1];
		pysource__frame child;
		bool descend = false;

		if (ts_node_is_named(n) || sym == SYM_ERROR) {
			/* The field matters only under the few parents that give
			 * their children a context or a role. */
			TSFieldId f;
			unsigned ctx;

			/* the import words or the bound names, as the pass looks for */
			if (!pysource__holds_occurrence(w, ts_node_start_byte(n), ts_node_end_byte(n)))
				goto next;
			f = pysource__field_matters(w->p, pf->sym) ? ts_tree_cursor_current_field_id(&c) : 0;
			ctx = pysource__ctx(w, pf, f, n);
			if ((rc = pysource__visit(w, n, sym, ctx, pf, f, usages, &descend, &child)))
				goto done;
		}
		if (descend && ts_tree_cursor_goto_first_child(&c)) {
			if ((rc = pysource__grow((void **)&w->stack, &w->capstack, depth + 1, sizeof(*w->stack), w->err)))
				goto done;
			w->stack[depth++] = child;
			continue;
		}
next:
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (!ts_tree_cursor_goto_parent(&c) || --depth == 0)
				goto done;
		}
	}
done:
	ts_tree_cursor_delete(&c);
	return rc;
}

/* The line of the first ERROR or MISSING node, searched only where
 * has_error says one is. */
static uint32_t pysource__first_error(TSNode n)
{
	for (;;) {
		uint32_t k = ts_node_child_count(n), i;

		if (ts_node_symbol(n) == SYM_ERROR || ts_node_is_missing(n))
			return ts_node_start_point(n).row + 1;
		for (i = 0; i < k; i++) {
			TSNode c = ts_node_child(n, i);
			if (ts_node_has_error(c)) {
				n = c;
				break;
			}
		}
		if (i == k)
			return ts_node_start_point(n).row + 1;
	}
}

/* Counts brackets regardless of strings and comments: an over-estimate that
 * only a hostile file reaches, and cheap. */
static bool pysource__nesting_ok(const char *text, size_t len, uint64_t max)
{
	uint64_t depth = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (ch == '(' || ch == '[' || ch == '{') {
			if (++depth > max)
				return false;
		} else if ((ch == ')' || ch == ']' || ch == '}') && depth > 0) {
			depth--;
		}
	}
	return true;
}

/* The text handed to tree-sitter in one piece. */
typedef struct pysource__input {
	const char *text;
	uint32_t len;
} pysource__input;

static const char *pysource__read(void *payload, uint32_t at, TSPoint pt, uint32_t *n)
{
	const pysource__input *in = payload;

	(void)pt;
	if (at >= in->len) {
		*n = 0;
		return "";
	}
	*n = in->len - at;
	return in->text + at;
}

static int64_t pysource__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* tree-sitter asks every hundred or so parse operations whether to stop:
 * past the deadline (parse_ms), it should. */
static bool pysource__past_deadline(TSParseState *state)
{
	return pysource__now_ns() > *(const int64_t *)state->payload;
}

static TSTree *pysource__parse(TSParser *ts, const char *text, size_t len, const char *what, const th_limits *lim,
			       th_error *err)
{
	pysource__input in = { text, (uint32_t)len };
	int64_t deadline;
	TSTree *t;

	if (len > lim->source_bytes || len > UINT32_MAX) {
		th_error_set(err, TH_ERR_LIMIT, "%s: %zu bytes exceeds the limit of %llu (source_bytes)", what, len,
			     (unsigned long long)lim->source_bytes);
		return NULL;
	}
	if (!pysource__nesting_ok(text, len, lim->source_nesting)) {
		th_error_set(err, TH_ERR_LIMIT, "%s: more than %llu brackets open at once (source_nesting)", what,
			     (unsigned long long)lim->source_nesting);
		return NULL;
	}
	deadline = pysource__now_ns() +
		   (lim->parse_ms > INT64_MAX / 4000000 ? INT64_MAX / 4 : (int64_t)lim->parse_ms * 1000000);
	t = ts_parser_parse_with_options(ts, NULL, (TSInput){ &in, pysource__read, TSInputEncodingUTF8, NULL },
					 (TSParseOptions){ &deadline, pysource__past_deadline });
	if (!t) {
		th_error_set(err, TH_ERR_LIMIT, "%s: parsing took longer than %llu ms (parse_ms)", what,
			     (unsigned long long)lim->parse_ms);
	}
	return t;
}

/* A copy of the walk's growing array in the arena (an empty array is an
 * empty, non-NULL allocation). */
static void *pysource__to_arena(th_arena *a, const void *v, size_t n, size_t size)
{
	void *c = th_arena_alloc(a, n ? n * size : 1);

	if (c && n)
		memcpy(c, v, n * size);
	return c;
}

int th_pysource_analyze(th_pysource *out, th_pysource_parser *p, const char *text, size_t len, bool usages,
			const char *what, const th_limits *lim, th_arena *a, th_error *err)
{
	pysource__walk w;
	TSParser *ts;
	TSTree *tree = NULL;
	TSNode root;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.p = p;
	w.text = text;
	w.len = len;
	w.a = a;
	w.err = err;
	w.what = what;
	th_buf_init(&w.tmp, 0);
	/* Everything tree-sitter allocates from here to the end comes from the
	 * arena and goes with it. */
	th_tsarena_enter(p->arena);
	if (!(ts = ts_parser_new()) || !ts_parser_set_language(ts, p->lang)) {
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	if (!(tree = pysource__parse(ts, text, len, what, lim, err))) {
		rc = err ? err->code : TH_ERR_LIMIT;
		goto done;
	}
	root = ts_tree_root_node(tree);
	if (ts_node_has_error(root)) {
		out->has_errors = true;
		out->error_line = pysource__first_error(root);
	}
	if ((rc = pysource__import_words(&w)) || (rc = pysource__walk_tree(&w, root, false)))
		goto done;
	if (usages && w.nbind) {
		w.nocc = 0;
		w.atocc = 0;
		if ((rc = pysource__index(&w)) || (rc = pysource__occurrences(&w)) ||
		    (rc = pysource__walk_tree(&w, root, true)))
			goto done;
	}
	if (!(out->imports = pysource__to_arena(a, w.imports, w.nimports, sizeof(*w.imports))) ||
	    !(out->usages = pysource__to_arena(a, w.usages, w.nusages, sizeof(*w.usages)))) {
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	out->nimports = w.nimports;
	out->nusages = w.nusages;
done:
	/* The tree is deleted node by node only when some of it is on the heap
	 * (past the arena's cap); the parser always, as its scanner state is
	 * the grammar's own malloc. */
	if (tree && th_tsarena_heap_live(p->arena))
		ts_tree_delete(tree);
	ts_parser_delete(ts);
	th_tsarena_leave(p->arena);
	free(w.imports);
	free(w.usages);
	free(w.bind);
	free(w.index);
	free(w.occ);
	free(w.stack);
	th_buf_release(&w.tmp);
	return rc;
}
