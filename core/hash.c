#include "core/hash.h"

/* OpenSSL's SHA256_* functions, not EVP: the first EVP digest of a process
 * reads openssl.cnf and activates the default provider, ~1.6 ms of CPU —
 * a tenth of a whole `thoth advise`, which hashes one small manifest — and
 * these run the same assembly (SHA extensions included) without any of it.
 * OpenSSL 3 marks them deprecated but keeps them in every 3.x release. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stdlib.h>

int th_sha256_init(th_sha256 *h, th_error *err)
{
	SHA256_CTX *c = malloc(sizeof(*c));

	h->ctx = c;
	if (!c || SHA256_Init(c) != 1) {
		th_sha256_release(h);
		return th_error_set(err, TH_ERR_NOMEM, "cannot start a SHA-256 digest");
	}
	return 0;
}

void th_sha256_update(th_sha256 *h, const void *data, size_t len)
{
	if (len)
		SHA256_Update(h->ctx, data, len);
}

void th_sha256_final(th_sha256 *h, char hex[TH_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256_Final(md, h->ctx);
	for (unsigned int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	th_sha256_release(h);
}

void th_sha256_release(th_sha256 *h)
{
	free(h->ctx);
	h->ctx = NULL;
}

int th_sha256_hex(char hex[TH_SHA256_HEX], const void *data, size_t len, th_error *err)
{
	th_sha256 h;
	int rc = th_sha256_init(&h, err);

	if (rc)
		return rc;
	th_sha256_update(&h, data, len);
	th_sha256_final(&h, hex);
	return 0;
}
