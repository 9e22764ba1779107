/* Fuzz target: PEP 263 decoding and import/usage extraction of arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "analyzer/pysource.h"
#include "extractors/pyenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static th_pysource_parser *p;
	th_buf text = TH_BUF_INIT;
	th_pyenc_info info;
	th_limits lim;
	th_arena a;
	th_pysource src;

	if (!p && th_pysource_parser_new(&p, NULL))
		abort();
	th_limits_init(&lim);
	lim.parse_ms = 2000;
	th_arena_init(&a, 4096);
	if (th_pyenc_decode(&text, &info, (const char *)data, size, NULL) == 0)
		th_pysource_analyze(&src, p, text.ptr, text.len, true, "fuzz.py", &lim, &a, NULL);
	th_arena_release(&a);
	th_buf_release(&text);
	return 0;
}
