/* Fuzz target: import names from top_level.txt and RECORD
 * (extractors/importnames). The input is split at its first NUL byte: the
 * bytes before are top_level.txt, those after RECORD; without a NUL the
 * whole input is tried as each alone. */
#include <stdint.h>
#include <string.h>

#include "extractors/importnames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data, *nul = memchr(d, '\0', size);
	const char **names;
	size_t n;
	th_limits lim;
	th_arena a;

	th_limits_init(&lim);
	lim.import_names = 64; /* reach the limit's paths with small inputs */
	th_arena_init(&a, 0);
	if (nul) {
		size_t k = (size_t)(nul - d);
		th_importnames_parse(&names, &n, d, k, nul + 1, size - k - 1, &lim, "fuzz", &a, NULL);
	} else {
		th_importnames_parse(&names, &n, NULL, 0, d, size, &lim, "fuzz", &a, NULL);
		th_importnames_parse(&names, &n, d, size, NULL, 0, &lim, "fuzz", &a, NULL);
	}
	th_arena_release(&a);
	return 0;
}
