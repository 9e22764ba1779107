/*
 * inflate — DEFLATE decompression (RFC 1951), raw (zip members) or inside
 * gzip members (RFC 1952, image layers), and CRC-32: the one module that
 * uses zlib.
 *
 * A stream decompresses piece by piece (th_inflate_step) with bounded
 * memory (zlib's 32 KiB window); a raw buffer in one call
 * (th_inflate_whole). Corrupt input is TH_ERR_INVALID; a step's message is
 * zlib's reason alone ("invalid distance too far back"), for the caller to
 * say what was corrupt.
 */
#ifndef TH_INFLATE_H
#define TH_INFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef enum th_inflate_format {
	TH_INFLATE_RAW,  /* bare DEFLATE data */
	TH_INFLATE_GZIP  /* one gzip member: header, DEFLATE data, CRC and size checked */
} th_inflate_format;

typedef struct th_inflate th_inflate;

int th_inflate_new(th_inflate **out, th_inflate_format format, th_error *err);
void th_inflate_free(th_inflate *z);
/* Ready for the next stream (a gzip file may hold several members). */
void th_inflate_reset(th_inflate *z);

/* Decompresses from (in, inlen) into (out, cap): *used bytes of input were
 * consumed, *got bytes written; *end says the stream (member) ended, after
 * which the rest of the input belongs to whatever follows. Stops when the
 * input is used up or the output is full. */
int th_inflate_step(th_inflate *z, const void *in, size_t inlen, size_t *used, void *out, size_t cap, size_t *got,
		    bool *end, th_error *err);

/* Raw DEFLATE data (in, inlen) that must inflate to exactly outlen bytes
 * into out: TH_ERR_INVALID when it is corrupt, ends early or goes on. */
int th_inflate_whole(const void *in, size_t inlen, void *out, size_t outlen, th_error *err);

/* CRC-32 (ISO-HDLC, as zip and gzip use it) of (p, n). */
uint32_t th_inflate_crc32(const void *p, size_t n);

#endif
