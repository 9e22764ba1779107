/* Fuzz target: notebook JSON to code cells. */
#include <stdint.h>
#include <stdlib.h>

#include "extractors/ipynb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_buf code = TH_BUF_INIT;
	th_ipynb nb;
	th_limits lim;
	th_arena a;
	uint32_t cell, line;

	th_limits_init(&lim);
	th_arena_init(&a, 4096);
	if (th_ipynb_code(&code, &nb, (const char *)data, size, "fuzz.ipynb", &lim, &a, NULL) == 0)
		th_ipynb_locate(&nb, 3, &cell, &line);
	th_arena_release(&a);
	th_buf_release(&code);
	return 0;
}
