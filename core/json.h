/*
 * json — reading JSON documents (through jansson, which only this module
 * includes) and writing JSON output (a streaming writer of our own, so the
 * output order and form are ours and stable).
 *
 * Reading: th_json_parse() returns an owned root; every other th_json pointer
 * is borrowed from that root and lives until th_json_free(root). Accessors
 * accept NULL and return NULL / 0 / "" so lookups can be chained; callers
 * check types where the input is untrusted.
 */
#ifndef TH_JSON_H
#define TH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

typedef struct th_json th_json;

typedef enum th_json_type {
	TH_JSON_NONE = 0, /* a missing value (NULL pointer) */
	TH_JSON_NULL,
	TH_JSON_BOOL,
	TH_JSON_INT,
	TH_JSON_REAL,
	TH_JSON_STRING,
	TH_JSON_ARRAY,
	TH_JSON_OBJECT
} th_json_type;

/* Parses (data, len). `what` names the input in error messages; max_depth
 * bounds nesting (core/limits.h json_depth). Strings with NUL are refused. */
int th_json_parse(th_json **out, const char *data, size_t len, unsigned max_depth,
		  const char *what, th_error *err);
void th_json_free(th_json *root);

th_json_type th_json_typeof(const th_json *v);
th_json *th_json_get(const th_json *obj, const char *key);
size_t th_json_len(const th_json *v);                 /* array or object size */
th_json *th_json_at(const th_json *arr, size_t i);
/* Object members in document order: returns false past the end. */
bool th_json_member(const th_json *obj, size_t i, const char **key, th_json **val);
const char *th_json_str(const th_json *v, size_t *len); /* NULL unless a string */
int64_t th_json_int(const th_json *v);
double th_json_real(const th_json *v);                  /* ints are widened */
bool th_json_bool(const th_json *v);

/* Writer. Produces compact or indented JSON into a th_buf. Misuse (a value
 * where a key is expected) is a programmer error and asserts. */
#define TH_JW_MAX_DEPTH 64

typedef struct th_jw {
	th_buf *out;   /* borrowed */
	int pretty;
	int depth;
	unsigned char count[TH_JW_MAX_DEPTH]; /* 0: nothing written yet at that level */
	unsigned char in_object[TH_JW_MAX_DEPTH];
	int after_key;
	th_error *err; /* first write error, sticky; borrowed */
	int rc;
} th_jw;

void th_jw_init(th_jw *w, th_buf *out, int pretty, th_error *err);
void th_jw_obj_begin(th_jw *w);
void th_jw_obj_end(th_jw *w);
void th_jw_arr_begin(th_jw *w);
void th_jw_arr_end(th_jw *w);
void th_jw_key(th_jw *w, const char *key);
void th_jw_str(th_jw *w, const char *s);  /* NULL writes null */
void th_jw_strn(th_jw *w, const char *s, size_t len);
void th_jw_int(th_jw *w, int64_t v);
void th_jw_real(th_jw *w, double v);
void th_jw_bool(th_jw *w, bool v);
void th_jw_null(th_jw *w);
/* Returns the first error met while writing (out of memory, a buffer limit). */
int th_jw_finish(th_jw *w);

/* Appends s as a JSON string literal (quotes included). Invalid UTF-8 bytes
 * are written as U+FFFD so the output is always valid JSON. */
int th_json_quote(th_buf *out, const char *s, size_t len, th_error *err);

#endif
