#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char th_buf__empty[1] = { 0 };

void th_buf_init(th_buf *b, size_t max)
{
	b->ptr = (char *)th_buf__empty;
	b->len = b->cap = 0;
	b->max = max;
}

void th_buf_release(th_buf *b)
{
	if (b->cap)
		free(b->ptr);
	th_buf_init(b, b->max);
}

void th_buf_clear(th_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}

int th_buf_grow(th_buf *b, size_t extra, th_error *err)
{
	size_t need, cap;
	char *p;

	if (extra > (size_t)-1 / 2 - b->len)
		return th_error_set(err, TH_ERR_LIMIT, "buffer size overflow");
	need = b->len + extra;
	if (b->max && need > b->max)
		return th_error_set(err, TH_ERR_LIMIT, "data exceeds the limit of %zu bytes", b->max);
	if (need < b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap <= need)
		cap *= 2;
	if (b->max && cap > b->max + 1)
		cap = b->max + 1;
	p = b->cap ? realloc(b->ptr, cap) : malloc(cap);
	if (!p)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory growing a buffer to %zu bytes", cap);
	if (!b->cap)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int th_buf_put(th_buf *b, const void *data, size_t len, th_error *err)
{
	int rc = th_buf_grow(b, len, err);

	if (rc)
		return rc;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int th_buf_puts(th_buf *b, const char *s, th_error *err)
{
	return th_buf_put(b, s, strlen(s), err);
}

int th_buf_putc(th_buf *b, char c, th_error *err)
{
	return th_buf_put(b, &c, 1, err);
}

int th_buf_vprintf(th_buf *b, th_error *err, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	/* Format into the room there is; only text that does not fit is
	 * formatted twice (callers print many short lines into one buffer). */
	va_copy(cp, ap);
	n = b->cap ? vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, cp) : vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		if (b->cap)
			b->ptr[b->len] = '\0';
		return th_error_set(err, TH_ERR_INVALID, "bad format string");
	}
	if (b->cap && (size_t)n < b->cap - b->len && (!b->max || b->len + (size_t)n <= b->max)) {
		b->len += (size_t)n;
		return 0;
	}
	if (b->cap)
		b->ptr[b->len] = '\0';
	if ((rc = th_buf_grow(b, (size_t)n, err)))
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int th_buf_printf(th_buf *b, th_error *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = th_buf_vprintf(b, err, fmt, ap);
	va_end(ap);
	return rc;
}

char *th_buf_detach(th_buf *b, size_t *len_out)
{
	char *p;

	if (len_out)
		*len_out = b->len;
	if (b->cap) {
		p = b->ptr;
	} else {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	}
	th_buf_init(b, b->max);
	return p;
}
