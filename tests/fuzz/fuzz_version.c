/* Fuzz target: PEP 440 versions. The input is up to three versions, one a
 * line. Each that parses must format to text that parses to an equal
 * version with the same text; the order must be antisymmetric, transitive
 * and the same through the key and field by field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const th_version *v, th_arena *a)
{
	th_buf b = TH_BUF_INIT, c = TH_BUF_INIT;
	th_version w;

	if (th_version_format(v, &b, NULL))
		abort();
	/* U+0130 lowers to "i" U+0307, which no version contains: such a normal
	 * form does not parse again (as in packaging). */
	if (!memmem(b.ptr, b.len, "\xcc\x87", 2)) {
		if (th_version_parse(&w, b.ptr, b.len, a, NULL))
			abort();
		/* "poſt" prints as ".post", which sorts before it (as in packaging). */
		if ((th_version_cmp(v, &w) != 0 && !v->post_rank) || th_version_format(&w, &c, NULL) || c.len != b.len ||
		    memcmp(b.ptr, c.ptr, b.len))
			abort();
	}
	th_buf_release(&b);
	th_buf_release(&c);
}

static int cmp_slow(const th_version *x, const th_version *y)
{
	th_version sx = *x;
	sx.key = NULL;
	return th_version_cmp(&sx, y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a;
	th_version v[3];
	size_t n = 0, i, j, k;
	const char *p = (const char *)data, *end = p + size;

	th_arena_init(&a, 0);
	while (n < 3) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (th_version_parse(&v[n], p, len, &a, NULL) == 0) {
			check_roundtrip(&v[n], &a);
			n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int r = th_version_cmp(&v[i], &v[j]);
			if (r != -th_version_cmp(&v[j], &v[i]) || r != cmp_slow(&v[i], &v[j]) || (i == j && r))
				abort();
			if (th_version_cmp_public(&v[i], &v[j]) != -th_version_cmp_public(&v[j], &v[i]))
				abort();
			for (k = 0; k < n; k++)
				if (r <= 0 && th_version_cmp(&v[j], &v[k]) <= 0 && th_version_cmp(&v[i], &v[k]) > 0)
					abort();
		}
	th_arena_release(&a);
	return 0;
}
