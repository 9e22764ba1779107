/* Fuzz target: what extractors/python reads from a distribution's files
 * besides its metadata: RECORD / installed-files.txt (file count and import
 * names) and entry_points.txt. The import names must come out sorted,
 * unique and identifiers whatever the input. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/python.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a = TH_ARENA_INIT;
	const char **v;
	size_t n;

	th_pydist_count_lines((const char *)data, size);
	for (int egg = 0; egg < 2; egg++) {
		if (th_pydist_record_names(&v, &n, (const char *)data, size, egg, &a))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (!*v[i] || (i && strcmp(v[i - 1], v[i]) >= 0))
				abort();
			for (const char *c = v[i]; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
				      *c == '_'))
					abort();
		}
	}
	th_pydist_console_scripts(&v, &n, (const char *)data, size, &a);
	th_arena_release(&a);
	return 0;
}
