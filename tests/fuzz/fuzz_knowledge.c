/* Fuzz target: the knowledge queries over the shipped rules with any text
 * as names, versions, symbols and pins. The input is split at newlines into
 * fields (dist, version, symbol/module, python, cuda, cudnn, then pins as
 * name/version pairs). Queries must never crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/knowledge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Opened once per process and kept (reachable, so no leak is reported):
	 * opening per input would make the fuzzer a YAML benchmark at 9 runs/s.
	 * The harness may keep state; the queries it drives take k const. */
	static th_know *k;
	char *buf = malloc(size + 1), *f[NFIELDS] = { 0 };
	th_know_hit h[TH_KNOW_MAX_HITS];
	th_know_pin pins[(NFIELDS - 6) / 2];
	size_t n = 0;

	if (!buf)
		return 0;
	if (!k && th_know_open(&k, NULL, NULL)) {
		free(buf);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *p = buf; n < NFIELDS && p; n++) {
		f[n] = p;
		if ((p = strchr(p, '\n')))
			*p++ = '\0';
	}
	th_know_api_removed(k, f[0], f[1], f[2], h, TH_KNOW_MAX_HITS, NULL);
	th_know_stdlib_removed(k, f[2], f[3], h, 1, NULL);
	th_know_cuda(k, f[0], f[1], h, 2, NULL);
	th_know_cuda_mismatch(k, f[0], f[1], f[4], f[5], h, TH_KNOW_MAX_HITS, NULL);
	th_know_python_unsupported(k, f[0], f[1], f[3], h, TH_KNOW_MAX_HITS, NULL);
	th_know_python_known(k, f[0], f[1]);
	size_t np = 0;
	for (size_t i = 6; i + 1 < n; i += 2, np++) {
		pins[np].name = f[i];
		pins[np].version = f[i + 1];
	}
	th_know_broken(k, pins, np, h, 1, NULL);
	free(buf);
	return 0;
}
