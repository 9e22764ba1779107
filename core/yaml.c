#include "core/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/json.h"

#define YAML_TAG_PREFIX "tag:yaml.org,2002:"

/* One open sequence or mapping while events stream in. Children are gathered
 * in a malloced vector (reused across frames) and copied to the arena once
 * the container closes, so the arena holds exactly-sized arrays. */
typedef struct yaml__frame {
	th_yaml_node *node;
	th_yaml_node **kids; /* owned, malloced */
	size_t nkids, cap;
	uint64_t start_count; /* node counter when the container opened */
	const char *anchor;   /* arena copy, registered when the container closes */
} yaml__frame;

typedef struct yaml__anchor {
	const char *name;
	th_yaml_node *node;
	uint64_t weight; /* nodes this anchor stands for, aliases expanded */
} yaml__anchor;

/* Real documents use a handful of anchors; the cap keeps lookups cheap. */
#define YAML__MAX_ANCHORS 1024

typedef struct yaml__ctx {
	const th_yaml_opts *opts;
	th_arena *a;
	th_error *err;
	yaml__frame *stack; /* owned, grown on demand up to max_depth frames */
	size_t depth, nframes;
	uint64_t count; /* nodes so far, aliases expanded */
	yaml__anchor *anchors; /* owned */
	size_t nanchors;
	th_yaml_node *root;
	int docs;
} yaml__ctx;

void th_yaml_opts_init(th_yaml_opts *o, const th_limits *lim, const char *what)
{
	th_limits d;

	if (!lim) {
		th_limits_init(&d);
		lim = &d;
	}
	o->max_bytes = lim->yaml_bytes;
	o->max_depth = lim->yaml_depth;
	o->max_nodes = lim->yaml_nodes;
	o->allow_aliases = false;
	o->what = what ? what : "YAML document";
}

static int yaml__fail(yaml__ctx *c, int code, const yaml_mark_t *m, const char *why)
{
	return th_error_set(c->err, code, "%s:%zu:%zu: %s", c->opts->what, m->line + 1, m->column + 1, why);
}

/* ---- YAML 1.1 implicit typing of plain scalars (as PyYAML's resolver) ---- */

static bool yaml__in(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if ((*words)[0] == s[0] && strlen(*words) == n && !memcmp(*words, s, n))
			return true;
	return false;
}

static const char *const yaml__nulls[] = { "~", "null", "Null", "NULL", NULL };
static const char *const yaml__trues[] = { "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL };
static const char *const yaml__falses[] = { "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL };

static bool yaml__digits(const char *s, size_t n, const char *set)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]) || !s[i])
			return false;
	return true;
}

/* (":" [0-5]?[0-9])+ at s, covering all of n */
static bool yaml__sexa_tail(const char *s, size_t n)
{
	size_t i = 0;

	if (!n)
		return false;
	while (i < n) {
		size_t j;
		if (s[i] != ':')
			return false;
		i++;
		for (j = i; j < n && j - i < 2 && s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j == i || (j - i == 2 && s[i] > '5'))
			return false;
		i = j;
	}
	return true;
}

static bool yaml__is_int(const char *s, size_t n)
{
	size_t i = 0, j;

	if (n && (s[0] == '-' || s[0] == '+'))
		i++;
	if (i >= n)
		return false;
	if (n - i > 2 && s[i] == '0' && s[i + 1] == 'b')
		return yaml__digits(s + i + 2, n - i - 2, "01_");
	if (n - i > 2 && s[i] == '0' && s[i + 1] == 'x')
		return yaml__digits(s + i + 2, n - i - 2, "0123456789abcdefABCDEF_");
	if (s[i] == '0')
		return n - i == 1 || yaml__digits(s + i + 1, n - i - 1, "01234567_");
	for (j = i; j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '_'); j++)
		;
	if (j == n)
		return true;
	return s[i] != '0' && yaml__sexa_tail(s + j, n - j);
}

static bool yaml__is_float(const char *s, size_t n)
{
	size_t i = 0, j;

	if (n == 4 && s[0] == '.' && yaml__in(s + 1, 3, (const char *const[]){ "nan", "NaN", "NAN", NULL }))
		return true;
	if (n && (s[0] == '-' || s[0] == '+'))
		i++;
	if (n - i == 4 && s[i] == '.' && yaml__in(s + i + 1, 3, (const char *const[]){ "inf", "Inf", "INF", NULL }))
		return true;
	if (i < n && s[i] == '.') {
		/* \.[0-9_]+ exp?, and PyYAML allows no sign here */
		if (i)
			return false;
		for (j = 1; j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '_'); j++)
			;
		if (j == 1)
			return false;
		goto exponent;
	}
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	for (j = i; j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '_'); j++)
		;
	if (j < n && s[j] == ':') {
		/* sexagesimal: digits (:[0-5]?[0-9])+ \. [0-9_]* */
		size_t k = j;
		while (k < n && s[k] != '.')
			k++;
		if (k == n || !yaml__sexa_tail(s + j, k - j))
			return false;
		return k + 1 == n || yaml__digits(s + k + 1, n - k - 1, "0123456789_");
	}
	if (j >= n || s[j] != '.')
		return false;
	for (j++; j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '_'); j++)
		;
exponent:
	if (j == n)
		return true;
	if (s[j] != 'e' && s[j] != 'E')
		return false;
	j++;
	if (j >= n || (s[j] != '-' && s[j] != '+'))
		return false;
	return yaml__digits(s + j + 1, n - j - 1, "0123456789");
}

static th_yaml_type yaml__resolve_plain(const char *s, size_t n)
{
	/* Most plain scalars (names, URLs, messages) start with a letter that
	 * begins no null, boolean or number: settle them at once. */
	if (n && !strchr("~nNtTfFyYoO0123456789+-.", s[0]))
		return TH_YAML_STR;
	if (!n || yaml__in(s, n, yaml__nulls))
		return TH_YAML_NULL;
	if (yaml__in(s, n, yaml__trues) || yaml__in(s, n, yaml__falses))
		return TH_YAML_BOOL;
	if (yaml__is_int(s, n))
		return TH_YAML_INT;
	if (yaml__is_float(s, n))
		return TH_YAML_FLOAT;
	return TH_YAML_STR;
}

/* Explicit tags: the core schema's own, else refused as PyYAML's safe loader
 * refuses a tag it has no constructor for. Returns -1 for unknown. */
static int yaml__tag_type(const char *tag, th_yaml_kind kind)
{
	const char *t;

	if (!strcmp(tag, "!"))
		return kind == TH_YAML_SCALAR ? TH_YAML_STR : (kind == TH_YAML_SEQ ? TH_YAML_SEQUENCE : TH_YAML_MAPPING);
	if (strncmp(tag, YAML_TAG_PREFIX, strlen(YAML_TAG_PREFIX)))
		return -1;
	t = tag + strlen(YAML_TAG_PREFIX);
	if (kind == TH_YAML_SEQ)
		return !strcmp(t, "seq") ? TH_YAML_SEQUENCE : -1;
	if (kind == TH_YAML_MAP)
		return !strcmp(t, "map") ? TH_YAML_MAPPING : -1;
	if (!strcmp(t, "str"))
		return TH_YAML_STR;
	if (!strcmp(t, "null"))
		return TH_YAML_NULL;
	if (!strcmp(t, "bool"))
		return TH_YAML_BOOL;
	if (!strcmp(t, "int"))
		return TH_YAML_INT;
	if (!strcmp(t, "float"))
		return TH_YAML_FLOAT;
	return -1;
}

/* ---- building the tree ---- */

static int yaml__count(yaml__ctx *c, uint64_t n, const yaml_mark_t *m)
{
	c->count += n;
	if (c->count > c->opts->max_nodes)
		return yaml__fail(c, TH_ERR_LIMIT, m, "too many nodes (limit yaml_nodes)");
	return 0;
}

static int yaml__attach(yaml__ctx *c, th_yaml_node *n, const yaml_mark_t *m)
{
	yaml__frame *f;

	if (!c->depth) {
		c->root = n;
		return 0;
	}
	f = &c->stack[c->depth - 1];
	if (f->nkids == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		th_yaml_node **k = realloc(f->kids, cap * sizeof(*k));
		if (!k)
			return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
		f->kids = k;
		f->cap = cap;
	}
	f->kids[f->nkids++] = n;
	return 0;
}

static int yaml__anchor_add(yaml__ctx *c, const char *name, th_yaml_node *n, uint64_t weight,
			    const yaml_mark_t *m)
{
	if (!name)
		return 0;
	for (size_t i = 0; i < c->nanchors; i++)
		if (!strcmp(c->anchors[i].name, name)) { /* redefinition: the later one wins */
			c->anchors[i].node = n;
			c->anchors[i].weight = weight;
			return 0;
		}
	if (c->nanchors == YAML__MAX_ANCHORS)
		return yaml__fail(c, TH_ERR_LIMIT, m, "too many anchors");
	if (!c->anchors && !(c->anchors = malloc(YAML__MAX_ANCHORS * sizeof(*c->anchors))))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	c->anchors[c->nanchors++] = (yaml__anchor){ name, n, weight };
	return 0;
}

static th_yaml_node *yaml__node(yaml__ctx *c, th_yaml_kind kind, const yaml_mark_t *m)
{
	th_yaml_node *n = th_arena_zalloc(c->a, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->line = (uint32_t)(m->line + 1);
	n->col = (uint32_t)(m->column + 1);
	return n;
}

static int yaml__checks_anchor(yaml__ctx *c, const yaml_char_t *anchor, const yaml_mark_t *m)
{
	if (anchor && !c->opts->allow_aliases)
		return yaml__fail(c, TH_ERR_INVALID, m, "anchors and aliases are not accepted here");
	return 0;
}

static int yaml__scalar(yaml__ctx *c, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	th_yaml_node *n;
	int rc;

	if ((rc = yaml__checks_anchor(c, ev->data.scalar.anchor, m)) || (rc = yaml__count(c, 1, m)))
		return rc;
	if (!(n = yaml__node(c, TH_YAML_SCALAR, m)) ||
	    !(n->u.str.ptr = th_arena_strndup(c->a, (const char *)ev->data.scalar.value, ev->data.scalar.length)))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	n->u.str.len = ev->data.scalar.length;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = TH_YAML_SINGLE; break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = TH_YAML_DOUBLE; break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE: n->style = TH_YAML_BLOCK; break;
	default: n->style = TH_YAML_PLAIN; break;
	}
	if (ev->data.scalar.tag) {
		int t = yaml__tag_type((const char *)ev->data.scalar.tag, TH_YAML_SCALAR);
		if (t < 0)
			return yaml__fail(c, TH_ERR_INVALID, m, "unsupported tag on a scalar");
		if (!(n->tag = th_arena_strdup(c->a, (const char *)ev->data.scalar.tag)))
			return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
		n->type = (th_yaml_type)t;
		/* a tagged value must read as its tag says */
		if ((t == TH_YAML_INT && !yaml__is_int(n->u.str.ptr, n->u.str.len)) ||
		    (t == TH_YAML_FLOAT && !yaml__is_float(n->u.str.ptr, n->u.str.len) &&
		     !yaml__is_int(n->u.str.ptr, n->u.str.len)) ||
		    (t == TH_YAML_BOOL && !yaml__in(n->u.str.ptr, n->u.str.len, yaml__trues) &&
		     !yaml__in(n->u.str.ptr, n->u.str.len, yaml__falses)))
			return yaml__fail(c, TH_ERR_INVALID, m, "scalar does not match its tag");
	} else if (n->style == TH_YAML_PLAIN) {
		n->type = yaml__resolve_plain(n->u.str.ptr, n->u.str.len);
	} else {
		n->type = TH_YAML_STR;
	}
	if (ev->data.scalar.anchor) {
		const char *name = th_arena_strdup(c->a, (const char *)ev->data.scalar.anchor);
		if (!name)
			return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
		if ((rc = yaml__anchor_add(c, name, n, 1, m)))
			return rc;
	}
	return yaml__attach(c, n, m);
}

static int yaml__open(yaml__ctx *c, const yaml_event_t *ev, th_yaml_kind kind)
{
	const yaml_mark_t *m = &ev->start_mark;
	const yaml_char_t *anchor = kind == TH_YAML_SEQ ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
	const yaml_char_t *tag = kind == TH_YAML_SEQ ? ev->data.sequence_start.tag : ev->data.mapping_start.tag;
	yaml__frame *f;
	th_yaml_node *n;
	int rc;

	if ((rc = yaml__checks_anchor(c, anchor, m)) || (rc = yaml__count(c, 1, m)))
		return rc;
	if (c->depth >= c->opts->max_depth)
		return yaml__fail(c, TH_ERR_LIMIT, m, "nested too deeply (limit yaml_depth)");
	if (c->depth == c->nframes) {
		size_t nf = c->nframes ? c->nframes * 2 : 16;
		yaml__frame *fr = realloc(c->stack, nf * sizeof(*fr));
		if (!fr)
			return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
		memset(fr + c->nframes, 0, (nf - c->nframes) * sizeof(*fr));
		c->stack = fr;
		c->nframes = nf;
	}
	if (!(n = yaml__node(c, kind, m)))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	n->type = kind == TH_YAML_SEQ ? TH_YAML_SEQUENCE : TH_YAML_MAPPING;
	if (tag) {
		if (yaml__tag_type((const char *)tag, kind) < 0)
			return yaml__fail(c, TH_ERR_INVALID, m, "unsupported tag on a collection");
		if (!(n->tag = th_arena_strdup(c->a, (const char *)tag)))
			return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	}
	f = &c->stack[c->depth++];
	f->node = n;
	f->nkids = 0;
	f->start_count = c->count;
	f->anchor = NULL;
	if (anchor && !(f->anchor = th_arena_strdup(c->a, (const char *)anchor)))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	return 0;
}

static bool yaml__is_merge_key(const th_yaml_node *k)
{
	return k->kind == TH_YAML_SCALAR && k->style == TH_YAML_PLAIN && !k->tag && k->u.str.len == 2 &&
	       k->u.str.ptr[0] == '<' && k->u.str.ptr[1] == '<';
}

/* Builds a mapping's pairs, applying merge keys as PyYAML does: the merged
 * mappings' pairs come first (of a list of them, the earlier ones win), then
 * the mapping's own pairs, which win over merged ones since lookups take the
 * last of equal keys. */
static int yaml__close_map(yaml__ctx *c, yaml__frame *f, const yaml_mark_t *m)
{
	th_yaml_node *n = f->node;
	size_t npairs = f->nkids / 2, total = 0, k = 0; /* libyaml always pairs keys with values */

	for (size_t i = 0; i < npairs; i++) {
		const th_yaml_node *key = f->kids[2 * i], *v = f->kids[2 * i + 1];
		if (!yaml__is_merge_key(key)) {
			total++;
		} else if (v->kind == TH_YAML_MAP) {
			total += v->u.map.n;
		} else if (v->kind == TH_YAML_SEQ) {
			for (size_t j = 0; j < v->u.seq.n; j++) {
				if (v->u.seq.items[j]->kind != TH_YAML_MAP)
					return yaml__fail(c, TH_ERR_INVALID, m, "a merge key takes mappings only");
				total += v->u.seq.items[j]->u.map.n;
			}
		} else {
			return yaml__fail(c, TH_ERR_INVALID, m, "a merge key takes a mapping or a list of mappings");
		}
	}
	n->u.map.n = total;
	if (!total)
		return 0;
	if (!(n->u.map.pairs = th_arena_alloc(c->a, total * sizeof(*n->u.map.pairs))))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < npairs; i++) {
		const th_yaml_node *key = f->kids[2 * i], *v = f->kids[2 * i + 1];
		if (!yaml__is_merge_key(key))
			continue;
		if (v->kind == TH_YAML_MAP) {
			memcpy(n->u.map.pairs + k, v->u.map.pairs, v->u.map.n * sizeof(*v->u.map.pairs));
			k += v->u.map.n;
			continue;
		}
		for (size_t j = v->u.seq.n; j-- > 0;) {
			const th_yaml_node *src = v->u.seq.items[j];
			memcpy(n->u.map.pairs + k, src->u.map.pairs, src->u.map.n * sizeof(*src->u.map.pairs));
			k += src->u.map.n;
		}
	}
	for (size_t i = 0; i < npairs; i++)
		if (!yaml__is_merge_key(f->kids[2 * i])) {
			n->u.map.pairs[k].key = f->kids[2 * i];
			n->u.map.pairs[k++].value = f->kids[2 * i + 1];
		}
	return 0;
}

static int yaml__close(yaml__ctx *c, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	yaml__frame *f = &c->stack[--c->depth];
	th_yaml_node *n = f->node;
	int rc;

	if (n->kind == TH_YAML_SEQ) {
		n->u.seq.n = f->nkids;
		if (f->nkids) {
			if (!(n->u.seq.items = th_arena_alloc(c->a, f->nkids * sizeof(*n->u.seq.items))))
				return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
			memcpy(n->u.seq.items, f->kids, f->nkids * sizeof(*f->kids));
		}
	} else if ((rc = yaml__close_map(c, f, m))) {
		return rc;
	}
	if ((rc = yaml__anchor_add(c, f->anchor, n, c->count - f->start_count + 1, m)))
		return rc;
	return yaml__attach(c, n, m);
}

static int yaml__alias(yaml__ctx *c, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *name = (const char *)ev->data.alias.anchor;
	int rc;

	if ((rc = yaml__checks_anchor(c, ev->data.alias.anchor, m)))
		return rc;
	for (size_t i = c->nanchors; i-- > 0;)
		if (!strcmp(c->anchors[i].name, name)) {
			if ((rc = yaml__count(c, c->anchors[i].weight, m)))
				return rc;
			return yaml__attach(c, c->anchors[i].node, m);
		}
	/* also covers an alias to a container still open: that would be a cycle */
	return yaml__fail(c, TH_ERR_INVALID, m, "alias to an unknown anchor");
}

static int yaml__event(yaml__ctx *c, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++c->docs > 1)
			return yaml__fail(c, TH_ERR_INVALID, &ev->start_mark, "more than one document");
		c->nanchors = 0; /* anchors do not cross documents */
		return 0;
	case YAML_SCALAR_EVENT: return yaml__scalar(c, ev);
	case YAML_SEQUENCE_START_EVENT: return yaml__open(c, ev, TH_YAML_SEQ);
	case YAML_MAPPING_START_EVENT: return yaml__open(c, ev, TH_YAML_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: return yaml__close(c, ev);
	case YAML_ALIAS_EVENT: return yaml__alias(c, ev);
	default: return 0;
	}
}

int th_yaml_parse(th_yaml_node **out, const char *text, size_t len, const th_yaml_opts *opts,
		  th_arena *a, th_error *err)
{
	yaml__ctx c = { 0 };
	yaml_parser_t parser;
	yaml_event_t ev;
	th_yaml_opts def;
	int rc = 0, done = 0;

	*out = NULL;
	if (!opts) {
		th_yaml_opts_init(&def, NULL, NULL);
		opts = &def;
	}
	if (len > opts->max_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%s: %zu bytes is over the limit yaml_bytes (%llu)", opts->what,
				    len, (unsigned long long)opts->max_bytes);
	c.opts = opts;
	c.a = a;
	c.err = err;
	if (!yaml_parser_initialize(&parser))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			const yaml_mark_t *m = parser.problem ? &parser.problem_mark : &parser.mark;
			rc = th_error_set(err, TH_ERR_INVALID, "%s:%zu:%zu: %s%s%s", opts->what, m->line + 1,
					  m->column + 1, parser.problem ? parser.problem : "malformed YAML",
					  parser.context ? " " : "", parser.context ? parser.context : "");
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = yaml__event(&c, &ev);
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	yaml_parser_delete(&parser);
	for (size_t i = 0; i < c.nframes; i++)
		free(c.stack[i].kids);
	free(c.stack);
	free(c.anchors);
	if (!rc)
		*out = c.root;
	return rc;
}

/* ---- reading ---- */

th_yaml_type th_yaml_typeof(const th_yaml_node *n)
{
	return n ? n->type : TH_YAML_NONE;
}

const char *th_yaml_type_name(th_yaml_type t)
{
	switch (t) {
	case TH_YAML_NONE: return "missing";
	case TH_YAML_NULL: return "null";
	case TH_YAML_BOOL: return "a boolean";
	case TH_YAML_INT: return "an integer";
	case TH_YAML_FLOAT: return "a float";
	case TH_YAML_STR: return "a string";
	case TH_YAML_SEQUENCE: return "a sequence";
	case TH_YAML_MAPPING: return "a mapping";
	}
	return "?";
}

th_yaml_node *th_yaml_get(const th_yaml_node *map, const char *key)
{
	size_t klen;

	if (!map || map->kind != TH_YAML_MAP)
		return NULL;
	klen = strlen(key);
	for (size_t i = map->u.map.n; i-- > 0;) {
		const th_yaml_node *k = map->u.map.pairs[i].key;
		if (k->kind == TH_YAML_SCALAR && k->u.str.len == klen && !memcmp(k->u.str.ptr, key, klen))
			return map->u.map.pairs[i].value;
	}
	return NULL;
}

const char *th_yaml_str(const th_yaml_node *n, size_t *len)
{
	if (!n || n->type != TH_YAML_STR)
		return NULL;
	if (len)
		*len = n->u.str.len;
	return n->u.str.ptr;
}

const char *th_yaml_text(const th_yaml_node *n, size_t *len)
{
	if (!n || n->kind != TH_YAML_SCALAR)
		return NULL;
	if (len)
		*len = n->u.str.len;
	return n->u.str.ptr;
}

int th_yaml_bool(const th_yaml_node *n, bool *out)
{
	if (!n || n->type != TH_YAML_BOOL)
		return TH_ERR_INVALID;
	*out = yaml__in(n->u.str.ptr, n->u.str.len, yaml__trues);
	return 0;
}

/* Copies the digits of (s, n) without underscores into a NUL-terminated buffer. */
static bool yaml__strip(char *buf, size_t cap, const char *s, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_')
			continue;
		if (j + 1 >= cap)
			return false;
		buf[j++] = s[i];
	}
	buf[j] = '\0';
	return true;
}

/* Sexagesimal "a:b:c" as base 60 (integers or floats). */
static double yaml__sexa(const char *s)
{
	double v = 0, sign = 1;

	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? -1 : 1;
	for (;;) {
		char *end;
		double part = strtod(s, &end);
		v = v * 60 + part;
		if (*end != ':')
			break;
		s = end + 1;
	}
	return sign * v;
}

int th_yaml_int(const th_yaml_node *n, int64_t *out)
{
	char buf[128], *p, *end;
	int neg = 0, base = 10;
	unsigned long long v;

	if (!n || n->type != TH_YAML_INT || !yaml__strip(buf, sizeof(buf), n->u.str.ptr, n->u.str.len))
		return TH_ERR_INVALID;
	p = buf;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strchr(p, ':')) {
		double d = yaml__sexa(p);
		if (d > 9e18)
			return TH_ERR_INVALID;
		*out = (int64_t)(neg ? -d : d);
		return 0;
	}
	if (p[0] == '0' && p[1] == 'b')
		base = 2, p += 2;
	else if (p[0] == '0' && p[1] == 'x')
		base = 16, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p++;
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno || *end || v > (unsigned long long)INT64_MAX)
		return TH_ERR_INVALID;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int th_yaml_float(const th_yaml_node *n, double *out)
{
	char buf[128];
	int64_t i;

	if (n && n->type == TH_YAML_INT && !th_yaml_int(n, &i)) {
		*out = (double)i;
		return 0;
	}
	if (!n || n->type != TH_YAML_FLOAT || !yaml__strip(buf, sizeof(buf), n->u.str.ptr, n->u.str.len))
		return TH_ERR_INVALID;
	{
		const char *p = buf + (buf[0] == '-' || buf[0] == '+');
		double sign = buf[0] == '-' ? -1 : 1;
		if (p[0] == '.' && (p[1] == 'i' || p[1] == 'I'))
			*out = sign * INFINITY;
		else if (p[0] == '.' && (p[1] == 'n' || p[1] == 'N'))
			*out = NAN;
		else if (strchr(buf, ':'))
			*out = yaml__sexa(buf);
		else
			*out = strtod(buf, NULL);
	}
	return 0;
}

/* ---- YAML as JSON text ---- */

static bool yaml__json_bool(const th_yaml_node *n, bool *v)
{
	const char *t = n->u.str.ptr;

	if (n->style != TH_YAML_PLAIN || n->type != TH_YAML_BOOL)
		return false;
	if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE"))
		*v = true;
	else if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE"))
		*v = false;
	else
		return false; /* yes/no/on/off stay strings in JSON */
	return true;
}

static void yaml__json_node(th_jw *w, const th_yaml_node *n)
{
	bool b;

	switch (n->kind) {
	case TH_YAML_SEQ:
		th_jw_arr_begin(w);
		for (size_t i = 0; i < n->u.seq.n; i++)
			yaml__json_node(w, n->u.seq.items[i]);
		th_jw_arr_end(w);
		return;
	case TH_YAML_MAP:
		th_jw_obj_begin(w);
		for (size_t i = 0; i < n->u.map.n; i++) {
			const th_yaml_node *k = n->u.map.pairs[i].key;
			th_jw_key(w, k->kind == TH_YAML_SCALAR ? k->u.str.ptr : "");
			yaml__json_node(w, n->u.map.pairs[i].value);
		}
		th_jw_obj_end(w);
		return;
	case TH_YAML_SCALAR:
		if (n->type == TH_YAML_NULL && n->style == TH_YAML_PLAIN)
			th_jw_null(w);
		else if (yaml__json_bool(n, &b))
			th_jw_bool(w, b);
		else
			th_jw_strn(w, n->u.str.ptr, n->u.str.len);
		return;
	}
}

static int yaml__keys_are_scalars(const th_yaml_node *n, const char *what, th_error *err)
{
	int rc = 0;

	if (n->kind == TH_YAML_SEQ) {
		for (size_t i = 0; !rc && i < n->u.seq.n; i++)
			rc = yaml__keys_are_scalars(n->u.seq.items[i], what, err);
	} else if (n->kind == TH_YAML_MAP) {
		for (size_t i = 0; !rc && i < n->u.map.n; i++) {
			const th_yaml_node *k = n->u.map.pairs[i].key;
			if (k->kind != TH_YAML_SCALAR)
				return th_error_set(err, TH_ERR_INVALID, "%s:%u:%u: a mapping key must be a scalar", what,
						    (unsigned)k->line, (unsigned)k->col);
			rc = yaml__keys_are_scalars(n->u.map.pairs[i].value, what, err);
		}
	}
	return rc;
}

int th_yaml_to_json(th_buf *out, const char *data, size_t len, unsigned max_depth, const char *what,
		    th_error *err)
{
	th_arena a;
	th_yaml_opts o;
	th_yaml_node *root;
	th_buf tmp = TH_BUF_INIT;
	th_jw w;
	int rc;

	th_arena_init(&a, 0);
	th_yaml_opts_init(&o, NULL, what);
	o.max_bytes = len + 1;
	o.max_depth = max_depth;
	if ((rc = th_yaml_parse(&root, data, len, &o, &a, err)) ||
	    (root && (rc = yaml__keys_are_scalars(root, what, err))))
		goto done;
	/* Written to a scratch buffer first: out is left as it was on error. */
	th_jw_init(&w, &tmp, 0, err);
	if (root)
		yaml__json_node(&w, root);
	else
		th_jw_null(&w);
	if (!(rc = th_jw_finish(&w)))
		rc = th_buf_put(out, tmp.ptr, tmp.len, err);
done:
	th_buf_release(&tmp);
	th_arena_release(&a);
	return rc;
}
