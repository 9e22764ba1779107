#include "extractors/ipynb.h"

#include <string.h>

#include "core/json.h"

/* Appends one line of a cell, commenting out what is not Python. */
static int ipynb__line(th_buf *code, const char *s, size_t len, bool magic_cell, th_error *err)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (magic_cell || (i < len && (s[i] == '%' || s[i] == '!'))) {
		int rc = th_buf_put(code, s, i, err);
		if (rc || (rc = th_buf_putc(code, '#', err)))
			return rc;
		return th_buf_put(code, s + i, len - i, err);
	}
	return th_buf_put(code, s, len, err);
}

static int ipynb__text(th_buf *code, const char *s, size_t len, bool *magic_cell, bool first, th_error *err)
{
	size_t start = 0;
	int rc;

	if (first && len >= 2 && !memcmp(s, "%%", 2))
		*magic_cell = true;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n')
			continue;
		if (i == len && start == len)
			break; /* nothing after the last newline */
		if ((rc = ipynb__line(code, s + start, i - start, *magic_cell, err)))
			return rc;
		if (i < len && (rc = th_buf_putc(code, '\n', err)))
			return rc;
		start = i + 1;
	}
	return 0;
}

int th_ipynb_code(th_buf *code, th_ipynb *out, const char *data, size_t len, const char *what, const th_limits *lim,
		  th_arena *a, th_error *err)
{
	th_json *root = NULL, *cells;
	uint32_t line = 1;
	int rc;

	memset(out, 0, sizeof(*out));
	th_buf_clear(code);
	if (len > lim->json_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%s: %zu bytes exceeds the limit of %llu (json_bytes)", what, len,
				    (unsigned long long)lim->json_bytes);
	if ((rc = th_json_parse(&root, data, len, (unsigned)lim->json_depth, what, err)))
		return rc;
	cells = th_json_get(root, "cells");
	if (th_json_typeof(cells) != TH_JSON_ARRAY) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: not a notebook (no \"cells\" array)", what);
		goto done;
	}
	out->cells = th_arena_alloc(a, (th_json_len(cells) + 1) * sizeof(*out->cells));
	if (!out->cells) {
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < th_json_len(cells); i++) {
		th_json *c = th_json_at(cells, i), *src = th_json_get(c, "source");
		const char *type = th_json_str(th_json_get(c, "cell_type"), NULL);
		bool magic = false;
		size_t before;

		if (!type || strcmp(type, "code"))
			continue;
		if (code->len && code->ptr[code->len - 1] != '\n' && (rc = th_buf_putc(code, '\n', err)))
			goto done;
		before = code->len;
		out->cells[out->ncells++] = (th_ipynb_cell){ (uint32_t)i, line };
		if (th_json_typeof(src) == TH_JSON_STRING) {
			size_t sl;
			const char *s = th_json_str(src, &sl);
			if ((rc = ipynb__text(code, s, sl, &magic, true, err)))
				goto done;
		} else {
			for (size_t k = 0; k < th_json_len(src); k++) {
				size_t sl;
				const char *s = th_json_str(th_json_at(src, k), &sl);
				if (s && (rc = ipynb__text(code, s, sl, &magic, k == 0, err)))
					goto done;
			}
		}
		for (size_t k = before; k < code->len; k++)
			line += code->ptr[k] == '\n';
		if (code->len > before && code->ptr[code->len - 1] != '\n')
			line++;
	}
done:
	th_json_free(root);
	return rc;
}

void th_ipynb_locate(const th_ipynb *nb, uint32_t line, uint32_t *cell, uint32_t *cell_line)
{
	size_t i = 0;

	while (i + 1 < nb->ncells && nb->cells[i + 1].first_line <= line)
		i++;
	if (nb->ncells == 0) {
		*cell = 0;
		*cell_line = line;
		return;
	}
	*cell = nb->cells[i].index;
	*cell_line = line - nb->cells[i].first_line + 1;
}
