/* Fuzz target: dpkg's status database (deb822 paragraphs). */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "extractors/dpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(void *ud, const th_dpkg_pkg *p)
{
	*(size_t *)ud += strlen(p->name) + strlen(p->version) + strlen(p->source_version);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a = TH_ARENA_INIT;
	size_t total = 0;

	th_dpkg_parse((const char *)data, size, &a, each, &total, NULL);
	th_arena_release(&a);
	return 0;
}
