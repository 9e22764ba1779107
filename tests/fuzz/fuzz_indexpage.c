/* Fuzz target: index pages, through all four parsers (PEP 503 HTML and
 * PEP 691 JSON, project pages and root pages). */
#include <stddef.h>
#include <stdint.h>

#include "extractors/indexpage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_file(void *ud, const th_indexfile *f)
{
	*(size_t *)ud += (size_t)f->filename[0] + (f->hash_hex ? 1u : 0u) + (f->metadata_hash_hex ? 1u : 0u);
	return 0;
}

static int on_project(void *ud, const char *name, const char *href)
{
	*(size_t *)ud += (size_t)name[0] + (href ? 1u : 0u);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	th_arena a = TH_ARENA_INIT;
	size_t n = 0;

	th_arena_init(&a, 0);
	th_indexpage_html_files(s, size, on_file, &n, &a, "fuzz", NULL);
	th_indexpage_html_projects(s, size, on_project, &n, &a, "fuzz", NULL);
	th_indexpage_json_files(s, size, 64, on_file, &n, &a, "fuzz", NULL);
	th_indexpage_json_projects(s, size, 64, on_project, &n, &a, "fuzz", NULL);
	th_arena_release(&a);
	return 0;
}
