#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void error__one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

int th_error_set(th_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	error__one_line(err->msg);
	return code;
}

void th_error_prefix(th_error *err, const char *fmt, ...)
{
	char prefix[TH_ERROR_MSG_MAX], joined[2 * TH_ERROR_MSG_MAX + 2];
	va_list ap;

	if (!err || err->code == TH_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(joined, sizeof(joined), "%s: %s", prefix, err->msg);
	/* Long messages are cut: the message stays one bounded line. */
	memcpy(err->msg, joined, sizeof(err->msg) - 1);
	err->msg[sizeof(err->msg) - 1] = '\0';
	error__one_line(err->msg);
}

void th_error_clear(th_error *err)
{
	if (err) {
		err->code = TH_OK;
		err->msg[0] = '\0';
	}
}

const char *th_code_name(int code)
{
	switch (code) {
	case TH_OK: return "ok";
	case TH_ERR_INVALID: return "invalid input";
	case TH_ERR_LIMIT: return "limit exceeded";
	case TH_ERR_IO: return "I/O error";
	case TH_ERR_NOTFOUND: return "not found";
	case TH_ERR_DB: return "database error";
	case TH_ERR_NOMEM: return "out of memory";
	case TH_ERR_USAGE: return "usage error";
	case TH_ERR_UNSUPPORTED: return "not supported";
	case TH_ERR_NETWORK: return "network error";
	}
	return "error";
}
