/* Fuzz target: PEP 691 JSON index pages, as project page and as root page. */
#include <stddef.h>
#include <stdint.h>

#include "extractors/indexpage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_file(void *ud, const th_indexfile *f)
{
	*(size_t *)ud += f->filename[0] + (f->hash_hex ? 1u : 0u);
	return 0;
}

static int on_project(void *ud, const char *name, const char *href)
{
	*(size_t *)ud += name[0];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a = TH_ARENA_INIT;
	size_t n = 0;

	th_arena_init(&a, 0);
	th_indexpage_json_files((const char *)data, size, 64, on_file, &n, &a, "fuzz", NULL);
	th_indexpage_json_projects((const char *)data, size, 64, on_project, &n, &a, "fuzz", NULL);
	th_arena_release(&a);
	return 0;
}
