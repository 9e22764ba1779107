/*
 * hash — SHA-256, streaming, for blob digests, diff_ids and content keys.
 * The only module that includes OpenSSL's headers.
 */
#ifndef TH_HASH_H
#define TH_HASH_H

#include <stddef.h>

#include "core/error.h"

typedef struct th_sha256 {
	void *ctx; /* owned SHA256_CTX */
} th_sha256;

#define TH_SHA256_HEX 65 /* 64 hex digits and a NUL */

int th_sha256_init(th_sha256 *h, th_error *err);
void th_sha256_update(th_sha256 *h, const void *data, size_t len);
/* Writes 64 lower-case hex digits and a NUL, and releases the context. */
void th_sha256_final(th_sha256 *h, char hex[TH_SHA256_HEX]);
void th_sha256_release(th_sha256 *h);
/* One-shot convenience. */
int th_sha256_hex(char hex[TH_SHA256_HEX], const void *data, size_t len, th_error *err);

#endif
