/*
 * buf — a growable byte buffer.
 *
 * Invariants: ptr is never NULL (an empty buffer points at a shared, read-only
 * empty string until it first grows) and ptr[len] == '\0' whenever cap > 0, so
 * the contents can always be used as a C string. `max` (0 = unbounded) caps
 * the length; filling from untrusted data always sets it, and growing past it
 * fails with TH_ERR_LIMIT instead of allocating.
 */
#ifndef TH_BUF_H
#define TH_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/error.h"

typedef struct th_buf {
	char *ptr;  /* owned once cap > 0 */
	size_t len;
	size_t cap;
	size_t max; /* 0: no cap */
} th_buf;

extern const char th_buf__empty[1];
#define TH_BUF_INIT { (char *)th_buf__empty, 0, 0, 0 }

void th_buf_init(th_buf *b, size_t max);
void th_buf_release(th_buf *b);
void th_buf_clear(th_buf *b);
/* Makes room for `extra` more bytes. */
int th_buf_grow(th_buf *b, size_t extra, th_error *err);
int th_buf_put(th_buf *b, const void *data, size_t len, th_error *err);
int th_buf_puts(th_buf *b, const char *s, th_error *err);
int th_buf_putc(th_buf *b, char c, th_error *err);
int th_buf_printf(th_buf *b, th_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int th_buf_vprintf(th_buf *b, th_error *err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Hands the contents to the caller (who frees them) and resets the buffer.
 * Always returns a malloced string, even for an empty buffer; NULL only when
 * memory runs out. */
char *th_buf_detach(th_buf *b, size_t *len_out);

#endif
