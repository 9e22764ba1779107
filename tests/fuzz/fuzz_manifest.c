/* Fuzz target: the manifest readers (pyproject.toml, Pipfile, setup.cfg,
 * requirements); the first byte of the input picks the format. */
#include <stdint.h>

#include "extractors/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ud, const th_decl *d)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "pyproject.toml", "Pipfile", "setup.cfg", "requirements-dev.txt" };
	th_limits lim;
	th_arena a;

	if (size == 0)
		return 0;
	th_limits_init(&lim);
	th_arena_init(&a, 4096);
	th_manifest_read(names[data[0] % 4], (const char *)data + 1, size - 1, "fuzz", NULL, sink, NULL, &lim, &a, NULL);
	th_arena_release(&a);
	return 0;
}
