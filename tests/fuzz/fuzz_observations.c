/* Fuzz target: performance observations files (extractors/observations). */
#include <stdint.h>

#include "extractors/observations.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ud, size_t index, const th_obs *o, th_error *err)
{
	(void)ud, (void)index, (void)err;
	/* touch what the importer reads */
	volatile size_t n = o->ncredited + o->nstack;
	for (size_t i = 0; i < o->ncredited; i++)
		n += o->credited[i].name[0] + o->credited[i].version[0];
	(void)n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_limits lim;

	th_limits_init(&lim);
	lim.observations = 64;
	th_obs_parse((const char *)data, size, &lim, "fuzz.json", sink, NULL, NULL);
	th_obs_sniff((const char *)data, size);
	return 0;
}
