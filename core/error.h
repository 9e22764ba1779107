/*
 * error — one error object, set once where the problem is found and passed
 * up unchanged.
 *
 * Fallible functions return int: 0 on success, a negative th_code on
 * failure. They take a `th_error *err` (which may be NULL when the caller
 * only wants the code) and, on failure, fill it with the code and a one-line
 * message that names the input and what is wrong with it. A caller that
 * receives an error does not overwrite the message with a vaguer one; it may
 * prefix context with th_error_prefix().
 */
#ifndef TH_ERROR_H
#define TH_ERROR_H

#include <stddef.h>

typedef enum th_code {
	TH_OK = 0,
	TH_ERR_INVALID = -1,     /* the input is malformed */
	TH_ERR_LIMIT = -2,       /* the input exceeds a limit of core/limits.h */
	TH_ERR_IO = -3,          /* reading or writing a file failed */
	TH_ERR_NOTFOUND = -4,    /* a named thing does not exist */
	TH_ERR_DB = -5,          /* the facts database refused */
	TH_ERR_NOMEM = -6,       /* allocation failed */
	TH_ERR_USAGE = -7,       /* the command line is wrong */
	TH_ERR_UNSUPPORTED = -8, /* valid, but not something thoth does (yet) */
	TH_ERR_NETWORK = -9      /* a server could not be reached or answered badly */
} th_code;

#define TH_ERROR_MSG_MAX 1024

typedef struct th_error {
	int code;                     /* TH_OK while no error is set */
	char msg[TH_ERROR_MSG_MAX];   /* one line, no trailing newline */
} th_error;

#define TH_ERROR_INIT { TH_OK, { 0 } }

/* Sets code and message (printf-style) and returns code, so that
 * `return th_error_set(err, TH_ERR_INVALID, "...")` reads naturally.
 * err may be NULL. Newlines and control characters in the result are
 * replaced by spaces so the message stays one line. */
int th_error_set(th_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "<prefix>: " to an error already set (for context such as a file
 * name the lower layer did not know). No-op when err is NULL or unset. */
void th_error_prefix(th_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void th_error_clear(th_error *err);

/* A short English name for a code ("invalid input", "limit exceeded", ...). */
const char *th_code_name(int code);

#endif
