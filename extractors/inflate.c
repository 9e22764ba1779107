#include "extractors/inflate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct th_inflate {
	z_stream z;
};

int th_inflate_new(th_inflate **out, th_inflate_format format, th_error *err)
{
	th_inflate *z = calloc(1, sizeof(*z));

	*out = NULL;
	if (!z)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	/* windowBits: negative for raw data, +16 for a gzip wrapper */
	if (inflateInit2(&z->z, format == TH_INFLATE_GZIP ? MAX_WBITS + 16 : -MAX_WBITS) != Z_OK) {
		free(z);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory (zlib)");
	}
	*out = z;
	return 0;
}

void th_inflate_free(th_inflate *z)
{
	if (!z)
		return;
	inflateEnd(&z->z);
	free(z);
}

void th_inflate_reset(th_inflate *z)
{
	inflateReset(&z->z);
}

int th_inflate_step(th_inflate *z, const void *in, size_t inlen, size_t *used, void *out, size_t cap, size_t *got,
		    bool *end, th_error *err)
{
	/* zlib counts in uInt: larger pieces go through in several steps */
	uInt ain = inlen > UINT_MAX ? UINT_MAX : (uInt)inlen, aout = cap > UINT_MAX ? UINT_MAX : (uInt)cap;
	int r;

	z->z.next_in = (Bytef *)(uintptr_t)in;
	z->z.avail_in = ain;
	z->z.next_out = out;
	z->z.avail_out = aout;
	r = inflate(&z->z, Z_NO_FLUSH);
	*used = ain - z->z.avail_in;
	*got = aout - z->z.avail_out;
	*end = r == Z_STREAM_END;
	/* Z_BUF_ERROR: no progress possible with what was given, not an error */
	if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
		return th_error_set(err, TH_ERR_INVALID, "%s",
				    z->z.msg ? z->z.msg : r == Z_MEM_ERROR ? "out of memory" : "bad data");
	return 0;
}

int th_inflate_whole(const void *in, size_t inlen, void *out, size_t outlen, th_error *err)
{
	th_inflate *z;
	unsigned char extra;
	size_t used = 0, got = 0, total = 0, inpos = 0;
	bool end = false;
	int rc;

	if ((rc = th_inflate_new(&z, TH_INFLATE_RAW, err)))
		return rc;
	while (!end) {
		/* output past outlen goes to one spare byte: data that inflates
		 * beyond its declared size shows it by filling that byte */
		bool spare = total == outlen;
		if ((rc = th_inflate_step(z, (const unsigned char *)in + inpos, inlen - inpos, &used,
					  spare ? (void *)&extra : (unsigned char *)out + total, spare ? 1 : outlen - total,
					  &got, &end, err))) {
			th_error_prefix(err, "corrupt deflate data");
			break;
		}
		inpos += used;
		total += got;
		if (spare && got) {
			rc = th_error_set(err, TH_ERR_INVALID, "deflate data inflates past its declared %zu bytes", outlen);
			break;
		}
		if (!end && !used && !got) {
			rc = th_error_set(err, TH_ERR_INVALID, "deflate data ends after %zu of its declared %zu bytes",
					  total, outlen);
			break;
		}
	}
	if (!rc && total != outlen)
		rc = th_error_set(err, TH_ERR_INVALID, "deflate data ends after %zu of its declared %zu bytes", total,
				  outlen);
	th_inflate_free(z);
	return rc;
}

uint32_t th_inflate_crc32(const void *p, size_t n)
{
	const unsigned char *b = p;
	uLong crc = crc32(0L, Z_NULL, 0);

	while (n) {
		uInt k = n > UINT_MAX ? UINT_MAX : (uInt)n;
		crc = crc32(crc, b, k);
		b += k;
		n -= k;
	}
	return (uint32_t)crc;
}
