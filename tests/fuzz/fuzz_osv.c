/* Fuzz target: OSV advisories, read both as YAML and as JSON. */
#include <stddef.h>
#include <stdint.h>

#include "extractors/osv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_adv(void *ud, const th_osv *adv)
{
	size_t *n = ud;
	for (size_t i = 0; i < adv->naffected; i++)
		for (size_t r = 0; r < adv->affected[i].nranges; r++)
			*n += adv->affected[i].ranges[r].nevents;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a = TH_ARENA_INIT;
	size_t n = 0;

	th_arena_init(&a, 0);
	th_osv_parse((const char *)data, size, TH_OSV_YAML, 64, on_adv, &n, &a, "fuzz", NULL);
	th_osv_parse((const char *)data, size, TH_OSV_JSON, 64, on_adv, &n, &a, "fuzz", NULL);
	th_arena_release(&a);
	return 0;
}
