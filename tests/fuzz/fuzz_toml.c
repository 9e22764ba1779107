/* Fuzz target: the TOML reader. */
#include <stdint.h>

#include "extractors/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_toml *t;
	th_limits lim;
	th_arena a;

	th_limits_init(&lim);
	th_arena_init(&a, 4096);
	if (th_toml_parse(&t, (const char *)data, size, "fuzz.toml", &lim, &a, NULL) == 0)
		th_toml_path(t, "project.dependencies");
	th_arena_release(&a);
	return 0;
}
