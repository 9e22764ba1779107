/*
 * pkg_json — the one JSON re-writer the packaging differential helpers share
 * (pkg_vectors copies parameter values into queries; pkg_compare writes a
 * canonical form of a query to match expected differences).
 */
#ifndef TH_PKG_JSON_H
#define TH_PKG_JSON_H

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static int pkg_json__key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writes v. sorted: object keys in byte order (a canonical form); skip: a key
 * of the top-level object to leave out, or NULL. */
static void pkg_json_write(th_jw *w, const th_json *v, int sorted, const char *skip)
{
	const char *k, *keys[128], *s;
	size_t n = 0, len;
	th_json *c;

	switch (th_json_typeof(v)) {
	case TH_JSON_NONE:
	case TH_JSON_NULL: th_jw_null(w); break;
	case TH_JSON_BOOL: th_jw_bool(w, th_json_bool(v)); break;
	case TH_JSON_INT: th_jw_int(w, th_json_int(v)); break;
	case TH_JSON_REAL: th_jw_real(w, th_json_real(v)); break;
	case TH_JSON_STRING:
		s = th_json_str(v, &len);
		th_jw_strn(w, s, len);
		break;
	case TH_JSON_ARRAY:
		th_jw_arr_begin(w);
		for (size_t i = 0; i < th_json_len(v); i++)
			pkg_json_write(w, th_json_at(v, i), sorted, NULL);
		th_jw_arr_end(w);
		break;
	case TH_JSON_OBJECT:
		for (size_t i = 0; th_json_member(v, i, &k, &c) && n < 128; i++)
			if (!skip || strcmp(k, skip))
				keys[n++] = k;
		if (sorted)
			qsort(keys, n, sizeof(*keys), pkg_json__key_cmp);
		th_jw_obj_begin(w);
		for (size_t i = 0; i < n; i++) {
			th_jw_key(w, keys[i]);
			pkg_json_write(w, th_json_get(v, keys[i]), sorted, NULL);
		}
		th_jw_obj_end(w);
		break;
	}
}

#endif
