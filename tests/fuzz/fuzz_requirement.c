/* Fuzz target: PEP 508 requirements. Parsing never crashes; str() of a
 * parsed requirement parses back to the same str() (unless a marker value
 * holds characters 23.0's str() cannot print back); its marker evaluates
 * without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/requirement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Built once per process (a fuzzer's only state; never written after). */
static th_marker_env env;
static bool ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a = TH_ARENA_INIT;
	th_buf b1 = TH_BUF_INIT, b2 = TH_BUF_INIT;
	th_req r, r2;
	bool v;

	if (!ready) {
		th_marker_env_init(&env);
		th_marker_env_set(&env, "python_version", "3.8", 3, NULL);
		ready = true;
	}
	if (th_req_parse(&r, (const char *)data, size, &a, NULL) == 0) {
		if (r.marker)
			th_marker_eval(r.marker, &env, &v, NULL);
		if (th_req_format(&r, &b1, NULL))
			abort();
		if (th_req_parse(&r2, b1.ptr, b1.len, &a, NULL) == 0) {
			if (th_req_format(&r2, &b2, NULL))
				abort();
			if ((b1.len != b2.len || memcmp(b1.ptr, b2.ptr, b1.len)) && (!r.marker || th_marker_roundtrips(r.marker)))
				abort();
		} else if (!r.marker || th_marker_roundtrips(r.marker)) {
			abort();
		}
	}
	th_buf_release(&b1);
	th_buf_release(&b2);
	th_arena_release(&a);
	return 0;
}
