/* Fuzz target: PEP 440 specifier sets. The first line is a set, the next
 * lines versions. A set that parses must print text that parses to a set
 * printing the same; contains() must answer the same on both, not depend on
 * the pre-release flag for final releases, and agree with the text path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/specifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a;
	th_specset *s, *t;
	th_buf b = TH_BUF_INIT, c = TH_BUF_INIT;
	const char *p = (const char *)data, *end = p + size, *nl;
	size_t len, lines = 0;
	int pre;

	th_arena_init(&a, 0);
	nl = memchr(p, '\n', size);
	len = nl ? (size_t)(nl - p) : size;
	if (th_specset_parse(&s, p, len, &a, NULL))
		goto done;
	if (th_specset_format(s, &b, NULL) || th_specset_parse(&t, b.ptr, b.len, &a, NULL) ||
	    th_specset_format(t, &c, NULL) || b.len != c.len || memcmp(b.ptr, c.ptr, b.len) ||
	    th_specset_count(s) != th_specset_count(t))
		abort();
	while (nl && lines++ < 8) {
		th_version v;
		p = nl + 1;
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (th_version_parse(&v, p, len, &a, NULL))
			continue;
		for (pre = -1; pre <= 1; pre++) {
			bool r = th_specset_contains(s, &v, pre), rs;
			if (r != th_specset_contains(t, &v, pre))
				abort();
			if (th_specset_contains_str(&rs, s, p, len, pre, &a, NULL) == 0 && rs != r)
				abort();
			if (!th_version_is_prerelease(&v) && pre >= 0 && r != th_specset_contains(s, &v, !pre))
				abort();
			if (th_version_is_prerelease(&v) && pre == 0 && r)
				abort();
		}
	}
done:
	th_buf_release(&b);
	th_buf_release(&c);
	th_arena_release(&a);
	return 0;
}
