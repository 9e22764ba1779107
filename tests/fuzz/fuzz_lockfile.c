/* Fuzz target: lock files; the first byte of the input picks the format. */
#include <stdint.h>

#include "extractors/lockfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ud, const th_locked *l)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "poetry.lock", "uv.lock", "pylock.toml", "Pipfile.lock" };
	th_limits lim;
	th_arena a;

	if (size == 0)
		return 0;
	th_limits_init(&lim);
	th_arena_init(&a, 4096);
	th_lockfile_read(names[data[0] % 4], (const char *)data + 1, size - 1, "fuzz", sink, NULL, &lim, &a, NULL);
	th_arena_release(&a);
	return 0;
}
