/* yaml — YAML to JSON text through libyaml's event parser, see yaml.h. */
#include "extractors/yaml.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/json.h"

typedef struct yaml__level {
	int mapping;   /* 1 in a mapping, 0 in a sequence */
	size_t count;  /* values written at this level */
	int want_key;  /* in a mapping: the next node is a key */
} yaml__level;

typedef struct yaml__conv {
	th_buf *out;
	yaml__level *stack; /* max_depth + 1 entries */
	unsigned depth, max_depth;
	const char *what;
	th_error *err;
} yaml__conv;

/* Writes the separator a new node needs at the current level. Returns 1 when
 * the node is a mapping key. */
static int yaml__before(yaml__conv *c, int *rc)
{
	yaml__level *l;

	*rc = 0;
	if (c->depth == 0)
		return 0;
	l = &c->stack[c->depth - 1];
	if (l->mapping && !l->want_key) {
		*rc = th_buf_putc(c->out, ':', c->err);
		l->want_key = 1;
		return 0;
	}
	if (l->count++)
		*rc = th_buf_putc(c->out, ',', c->err);
	if (l->mapping) {
		l->want_key = 0;
		return 1;
	}
	return 0;
}

static int yaml__plain_literal(const char *v, size_t len, const char **lit)
{
	static const char *const words[] = { "null", "Null", "NULL", "~", "true", "True", "TRUE", "false",
					     "False", "FALSE" };
	static const char *const json[] = { "null", "null", "null", "null", "true", "true", "true", "false",
					    "false", "false" };
	if (len == 0) {
		*lit = "null";
		return 1;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strlen(words[i]) == len && !memcmp(words[i], v, len)) {
			*lit = json[i];
			return 1;
		}
	}
	return 0;
}

static int yaml__event(yaml__conv *c, const yaml_event_t *ev, int *finished)
{
	int rc = 0, key;

	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		const char *v = (const char *)ev->data.scalar.value;
		size_t len = ev->data.scalar.length;
		const char *lit;
		key = yaml__before(c, &rc);
		if (rc)
			return rc;
		if (!key && ev->data.scalar.plain_implicit && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    yaml__plain_literal(v, len, &lit))
			return th_buf_puts(c->out, lit, c->err);
		if (memchr(v, '\0', len))
			return th_error_set(c->err, TH_ERR_INVALID, "%s: a string contains a NUL byte", c->what);
		return th_json_quote(c->out, v, len, c->err);
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		key = yaml__before(c, &rc);
		if (rc)
			return rc;
		if (key)
			return th_error_set(c->err, TH_ERR_UNSUPPORTED, "%s: line %zu: a mapping key that is not a scalar",
					    c->what, ev->start_mark.line + 1);
		if (c->depth >= c->max_depth)
			return th_error_set(c->err, TH_ERR_LIMIT, "%s: YAML nested deeper than the limit of %u (yaml_depth)",
					    c->what, c->max_depth);
		c->stack[c->depth].mapping = ev->type == YAML_MAPPING_START_EVENT;
		c->stack[c->depth].count = 0;
		c->stack[c->depth].want_key = 1;
		c->depth++;
		return th_buf_putc(c->out, ev->type == YAML_MAPPING_START_EVENT ? '{' : '[', c->err);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		c->depth--;
		return th_buf_putc(c->out, ev->type == YAML_MAPPING_END_EVENT ? '}' : ']', c->err);
	case YAML_ALIAS_EVENT:
		return th_error_set(c->err, TH_ERR_UNSUPPORTED, "%s: line %zu: YAML aliases are not accepted", c->what,
				    ev->start_mark.line + 1);
	case YAML_DOCUMENT_END_EVENT:
	case YAML_STREAM_END_EVENT:
		*finished = 1;
		return 0;
	default:
		return 0;
	}
}

int th_yaml_to_json(th_buf *out, const char *data, size_t len, unsigned max_depth, const char *what,
		    th_error *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	yaml__conv c = { out, NULL, 0, max_depth ? max_depth : 1, what, err };
	size_t start = out->len;
	int rc = 0, finished = 0, any = 0;

	if (!(c.stack = calloc(c.max_depth + 1, sizeof(*c.stack))))
		return th_error_set(err, TH_ERR_NOMEM, "%s: out of memory", what);
	if (!yaml_parser_initialize(&p)) {
		free(c.stack);
		return th_error_set(err, TH_ERR_NOMEM, "%s: out of memory", what);
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	while (!finished) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = th_error_set(err, TH_ERR_INVALID, "%s: malformed YAML at line %zu column %zu: %s", what,
					  p.problem_mark.line + 1, p.problem_mark.column + 1,
					  p.problem ? p.problem : "unknown problem");
			break;
		}
		if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT)
			any = 1;
		rc = yaml__event(&c, &ev, &finished);
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	if (!rc && !any)
		rc = th_buf_puts(out, "null", err);
	yaml_parser_delete(&p);
	free(c.stack);
	if (rc) {
		out->len = start;
		if (out->cap)
			out->ptr[start] = '\0';
	}
	return rc;
}
