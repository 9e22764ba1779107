#include "core/json.h"

#include <assert.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* th_json is jansson's json_t; the cast stays inside this file. */
#define J(v) ((json_t *)(v))

static unsigned json__depth(json_t *v, unsigned limit)
{
	unsigned best = 0, d;
	size_t i;
	const char *k;
	json_t *c;

	if (json_is_array(v)) {
		json_array_foreach(v, i, c) {
			d = json__depth(c, limit);
			if (d > best)
				best = d;
			if (best > limit)
				break;
		}
		return best + 1;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, k, c) {
			d = json__depth(c, limit);
			if (d > best)
				best = d;
			if (best > limit)
				break;
		}
		return best + 1;
	}
	return 0;
}

int th_json_parse(th_json **out, const char *data, size_t len, unsigned max_depth,
		  const char *what, th_error *err)
{
	json_error_t je;
	json_t *root;

	*out = NULL;
	root = json_loadb(data, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return th_error_set(err, TH_ERR_INVALID, "%s: malformed JSON at line %d column %d: %s",
				    what, je.line, je.column, je.text);
	if (max_depth && json__depth(root, max_depth) > max_depth) {
		json_decref(root);
		return th_error_set(err, TH_ERR_LIMIT, "%s: JSON nested deeper than the limit of %u (json_depth)",
				    what, max_depth);
	}
	*out = (th_json *)root;
	return 0;
}

void th_json_free(th_json *root)
{
	if (root)
		json_decref(J(root));
}

th_json_type th_json_typeof(const th_json *v)
{
	if (!v)
		return TH_JSON_NONE;
	switch (json_typeof(J(v))) {
	case JSON_OBJECT: return TH_JSON_OBJECT;
	case JSON_ARRAY: return TH_JSON_ARRAY;
	case JSON_STRING: return TH_JSON_STRING;
	case JSON_INTEGER: return TH_JSON_INT;
	case JSON_REAL: return TH_JSON_REAL;
	case JSON_TRUE: case JSON_FALSE: return TH_JSON_BOOL;
	case JSON_NULL: return TH_JSON_NULL;
	}
	return TH_JSON_NONE;
}

th_json *th_json_get(const th_json *obj, const char *key)
{
	return json_is_object(J(obj)) ? (th_json *)json_object_get(J(obj), key) : NULL;
}

size_t th_json_len(const th_json *v)
{
	if (json_is_array(J(v)))
		return json_array_size(J(v));
	if (json_is_object(J(v)))
		return json_object_size(J(v));
	return 0;
}

th_json *th_json_at(const th_json *arr, size_t i)
{
	return json_is_array(J(arr)) ? (th_json *)json_array_get(J(arr), i) : NULL;
}

bool th_json_member(const th_json *obj, size_t i, const char **key, th_json **val)
{
	void *it;
	size_t n = 0;

	if (!json_is_object(J(obj)))
		return false;
	/* Callers walk members in order; jansson iterates in insertion order. */
	for (it = json_object_iter(J(obj)); it; it = json_object_iter_next(J(obj), it), n++) {
		if (n == i) {
			*key = json_object_iter_key(it);
			*val = (th_json *)json_object_iter_value(it);
			return true;
		}
	}
	return false;
}

const char *th_json_str(const th_json *v, size_t *len)
{
	if (!json_is_string(J(v)))
		return NULL;
	if (len)
		*len = json_string_length(J(v));
	return json_string_value(J(v));
}

int64_t th_json_int(const th_json *v)
{
	return json_is_integer(J(v)) ? (int64_t)json_integer_value(J(v)) : 0;
}

double th_json_real(const th_json *v)
{
	return json_is_number(J(v)) ? json_number_value(J(v)) : 0.0;
}

bool th_json_bool(const th_json *v)
{
	return json_is_true(J(v));
}

/* ---- writer ---- */

static size_t utf8__valid_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4, cp = c & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

int th_json_quote(th_buf *out, const char *s, size_t len, th_error *err)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	int rc = th_buf_putc(out, '"', err);

	for (size_t i = 0; !rc && i < len;) {
		unsigned char c = p[i];
		size_t run = 0;

		/* Copy plain runs in one go: the common case. */
		while (i + run < len && p[i + run] >= 0x20 && p[i + run] < 0x80 &&
		       p[i + run] != '"' && p[i + run] != '\\')
			run++;
		if (run) {
			rc = th_buf_put(out, p + i, run, err);
			i += run;
			continue;
		}
		switch (c) {
		case '"': rc = th_buf_put(out, "\\\"", 2, err); i++; continue;
		case '\\': rc = th_buf_put(out, "\\\\", 2, err); i++; continue;
		case '\n': rc = th_buf_put(out, "\\n", 2, err); i++; continue;
		case '\r': rc = th_buf_put(out, "\\r", 2, err); i++; continue;
		case '\t': rc = th_buf_put(out, "\\t", 2, err); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			rc = th_buf_put(out, esc, 6, err);
			i++;
			continue;
		}
		run = utf8__valid_len(p + i, len - i);
		if (run) {
			rc = th_buf_put(out, p + i, run, err);
			i += run;
		} else {
			rc = th_buf_put(out, "\xef\xbf\xbd", 3, err);
			i++;
		}
	}
	return rc ? rc : th_buf_putc(out, '"', err);
}

void th_jw_init(th_jw *w, th_buf *out, int pretty, th_error *err)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
	w->err = err;
}

static void jw__put(th_jw *w, const char *s, size_t n)
{
	if (!w->rc)
		w->rc = th_buf_put(w->out, s, n, w->err);
}

static void jw__newline(th_jw *w)
{
	if (!w->pretty)
		return;
	jw__put(w, "\n", 1);
	for (int i = 0; i < w->depth; i++)
		jw__put(w, "  ", 2);
}

/* Before any value: a comma and indentation, unless it follows a key. */
static void jw__value(th_jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	assert(w->depth == 0 || !w->in_object[w->depth]);
	if (w->depth > 0) {
		/* A flag, not a counter: a byte counter wraps after 256 values. */
		if (w->count[w->depth])
			jw__put(w, ",", 1);
		w->count[w->depth] = 1;
		jw__newline(w);
	}
}

static void jw__open(th_jw *w, char c, int object)
{
	jw__value(w);
	jw__put(w, &c, 1);
	assert(w->depth + 1 < TH_JW_MAX_DEPTH);
	w->depth++;
	w->count[w->depth] = 0;
	w->in_object[w->depth] = (unsigned char)object;
}

static void jw__close(th_jw *w, char c)
{
	int had = w->count[w->depth];

	assert(w->depth > 0 && !w->after_key);
	w->depth--;
	if (had)
		jw__newline(w);
	jw__put(w, &c, 1);
	if (w->depth == 0 && w->pretty)
		jw__put(w, "\n", 1);
}

void th_jw_obj_begin(th_jw *w) { jw__open(w, '{', 1); }
void th_jw_obj_end(th_jw *w) { jw__close(w, '}'); }
void th_jw_arr_begin(th_jw *w) { jw__open(w, '[', 0); }
void th_jw_arr_end(th_jw *w) { jw__close(w, ']'); }

void th_jw_key(th_jw *w, const char *key)
{
	assert(w->depth > 0 && w->in_object[w->depth] && !w->after_key);
	if (w->count[w->depth])
		jw__put(w, ",", 1);
	w->count[w->depth] = 1;
	jw__newline(w);
	if (!w->rc)
		w->rc = th_json_quote(w->out, key, strlen(key), w->err);
	jw__put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->after_key = 1;
}

void th_jw_strn(th_jw *w, const char *s, size_t len)
{
	jw__value(w);
	if (!w->rc)
		w->rc = th_json_quote(w->out, s, len, w->err);
}

void th_jw_str(th_jw *w, const char *s)
{
	if (!s) {
		th_jw_null(w);
		return;
	}
	th_jw_strn(w, s, strlen(s));
}

void th_jw_int(th_jw *w, int64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	jw__value(w);
	jw__put(w, tmp, (size_t)n);
}

void th_jw_real(th_jw *w, double v)
{
	char tmp[40];
	int n;

	if (!isfinite(v)) {
		th_jw_null(w);
		return;
	}
	n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	/* Shortest form that round-trips, for stable, readable output. */
	for (int prec = 1; prec < 17; prec++) {
		char t2[40];
		int m = snprintf(t2, sizeof(t2), "%.*g", prec, v);
		if (strtod(t2, NULL) == v) {
			memcpy(tmp, t2, (size_t)m + 1);
			n = m;
			break;
		}
	}
	jw__value(w);
	jw__put(w, tmp, (size_t)n);
}

void th_jw_bool(th_jw *w, bool v)
{
	jw__value(w);
	jw__put(w, v ? "true" : "false", v ? 4 : 5);
}

void th_jw_null(th_jw *w)
{
	jw__value(w);
	jw__put(w, "null", 4);
}

int th_jw_finish(th_jw *w)
{
	return w->rc;
}
