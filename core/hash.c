#include "core/hash.h"

#include <openssl/evp.h>

int th_sha256_init(th_sha256 *h, th_error *err)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	h->ctx = c;
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		th_sha256_release(h);
		return th_error_set(err, TH_ERR_NOMEM, "cannot start a SHA-256 digest");
	}
	return 0;
}

void th_sha256_update(th_sha256 *h, const void *data, size_t len)
{
	if (len)
		EVP_DigestUpdate(h->ctx, data, len);
}

void th_sha256_final(th_sha256 *h, char hex[TH_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	for (unsigned int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	th_sha256_release(h);
}

void th_sha256_release(th_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
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
