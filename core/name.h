/*
 * name — PEP 503 project-name normalisation and PEP 508 name validity.
 *
 * th_name_normalize is packaging's canonicalize_name: every run of '-', '_'
 * and '.' becomes one '-', and the result is lower-cased as Python's
 * str.lower() does (Unicode lowercase mappings, U+0130 included; not the
 * final-sigma rule). Bytes that are not UTF-8 are copied as they are. The
 * result is at most 1.5 times as long as the input (a two-byte letter may
 * lower to three bytes), so th_name_canon writes into a caller's buffer of
 * that size without allocating.
 *
 * th_name_is_valid is PEP 508's identifier: ASCII letters and digits, with
 * '.', '_', '-' allowed inside but not at either end.
 */
#ifndef TH_NAME_H
#define TH_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* Appends canonicalize_name(s) to out. */
int th_name_normalize(th_buf *out, const char *s, size_t len, th_error *err);

/* Writes canonicalize_name(s) to out (room for len + len / 2 bytes) and
 * returns its length. */
size_t th_name_canon(char *out, const char *s, size_t len);

/* True when s is a PEP 508 name. */
bool th_name_is_valid(const char *s, size_t len);

/* Writes the UTF-8 bytes of code point cp (at most 4; surrogates as WTF-8,
 * as Python strings may hold them) and returns their count. Shared with the
 * marker module's string-literal decoder. */
size_t th_name_utf8_put(char *out, uint32_t cp);

/* True when both names normalise to the same text (no allocation). */
bool th_name_eq(const char *a, size_t alen, const char *b, size_t blen);

#endif
