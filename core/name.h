/*
 * name — PEP 503 project-name normalisation and PEP 508 name validity.
 *
 * th_name_normalize is packaging's canonicalize_name: every run of '-', '_'
 * and '.' becomes one '-', and the result is lower-cased. Lower-casing covers
 * ASCII and the two-byte UTF-8 letters whose lower case has the same length
 * (Latin-1, Latin Extended-A, Greek, Cyrillic); other bytes are copied as they
 * are. So the normalised form is never longer than the input, which lets
 * th_name_canon write into a caller's buffer of the input's size without
 * allocating.
 *
 * th_name_is_valid is PEP 508's identifier: ASCII letters and digits, with
 * '.', '_', '-' allowed inside but not at either end.
 */
#ifndef TH_NAME_H
#define TH_NAME_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* Appends canonicalize_name(s) to out. */
int th_name_normalize(th_buf *out, const char *s, size_t len, th_error *err);

/* Writes canonicalize_name(s) to out (room for len bytes) and returns its
 * length, which is at most len. */
size_t th_name_canon(char *out, const char *s, size_t len);

/* True when s is a PEP 508 name. */
bool th_name_is_valid(const char *s, size_t len);

/* True when both names normalise to the same text (no allocation). */
bool th_name_eq(const char *a, size_t alen, const char *b, size_t blen);

#endif
