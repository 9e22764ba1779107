/* Fuzz target: PEP 508 markers. Parsing never crashes; a parsed marker
 * evaluates without crashing in two environments; str() of a marker parses
 * back to the same str(), except where 23.0's own str() cannot be read back
 * (a value holding a double quote, a backslash, a line break or a NUL is
 * printed between double quotes as it is: th_marker_roundtrips). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/marker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Built once per process (a fuzzer's only state; it is never written after):
 * building environments costs more than most inputs. */
static th_marker_env empty, full;
static bool ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a = TH_ARENA_INIT;
	th_buf b1 = TH_BUF_INIT, b2 = TH_BUF_INIT;
	th_marker *m, *m2;
	bool r;

	if (!ready) {
		th_marker_env_init(&empty);
		th_marker_env_init(&full);
		th_marker_env_set(&full, "python_version", "3.11", 4, NULL);
		th_marker_env_set(&full, "python_full_version", "3.11.4", 6, NULL);
		th_marker_env_set(&full, "os_name", "posix", 5, NULL);
		th_marker_env_set(&full, "sys_platform", "linux", 5, NULL);
		th_marker_env_set(&full, "extra", "Test", 4, NULL);
		th_marker_env_add_extra(&full, "foo", 3, NULL);
		th_marker_env_add_dependency_group(&full, "dev", 3, NULL);
		ready = true;
	}
	if (th_marker_parse(&m, (const char *)data, size, &a, NULL) == 0) {
		th_marker_eval(m, &empty, &r, NULL);
		th_marker_eval(m, &full, &r, NULL);
		if (th_marker_format(m, &b1, NULL))
			abort();
		if (th_marker_parse(&m2, b1.ptr, b1.len, &a, NULL) == 0) {
			if (th_marker_format(m2, &b2, NULL))
				abort();
			/* Printing is stable from the second print on. (Not from the
			 * first: like packaging 23.0, "(extra == 'R')" prints as
			 * extra == "R", which reads back normalised as "r".) */
			th_buf b3 = TH_BUF_INIT;
			th_marker *m3;
			if (th_marker_roundtrips(m2) && th_marker_parse(&m3, b2.ptr, b2.len, &a, NULL) == 0) {
				if (th_marker_format(m3, &b3, NULL) || b2.len != b3.len || memcmp(b2.ptr, b3.ptr, b2.len))
					abort();
			}
			th_buf_release(&b3);
		} else if (th_marker_roundtrips(m)) {
			abort();
		}
	}
	th_buf_release(&b1);
	th_buf_release(&b2);
	th_arena_release(&a);
	return 0;
}
