/* Fuzz target: PEP 508 markers. Parsing never crashes; a parsed marker
 * evaluates without crashing in two environments; str() of a marker parses
 * back to the same str(), except where 23.0's own str() cannot be read back
 * (a value holding a double quote, a backslash, a line break or a NUL is
 * printed between double quotes as it is). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/marker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool unprintable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\\' || s[i] == '\n' || s[i] == '\r' || s[i] == '\0')
			return true;
	/* a value with a '"' shows as three or more quotes in one comparison */
	{
		size_t q = 0;
		for (size_t i = 0; i < n; i++)
			q += s[i] == '"';
		return q % 2 != 0 || memmem(s, n, "\"\"\"", 3) != NULL || q > 2 * n / 3;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a = TH_ARENA_INIT;
	th_marker_env empty, full;
	th_buf b1 = TH_BUF_INIT, b2 = TH_BUF_INIT;
	th_marker *m, *m2;
	bool r;

	th_marker_env_init(&empty);
	th_marker_env_init(&full);
	th_marker_env_set(&full, "python_version", "3.11", 4, NULL);
	th_marker_env_set(&full, "python_full_version", "3.11.4", 6, NULL);
	th_marker_env_set(&full, "os_name", "posix", 5, NULL);
	th_marker_env_set(&full, "sys_platform", "linux", 5, NULL);
	th_marker_env_set(&full, "extra", "Test", 4, NULL);
	th_marker_env_add_extra(&full, "foo", 3, NULL);
	th_marker_env_add_dependency_group(&full, "dev", 3, NULL);
	if (th_marker_parse(&m, (const char *)data, size, &a, NULL) == 0) {
		th_marker_eval(m, &empty, &r, NULL);
		th_marker_eval(m, &full, &r, NULL);
		if (th_marker_format(m, &b1, NULL))
			abort();
		if (th_marker_parse(&m2, b1.ptr, b1.len, &a, NULL) == 0) {
			if (th_marker_format(m2, &b2, NULL))
				abort();
			/* the first extra comparison is normalised once more on
			 * reparse only when str() moved it: compare when stable */
			if ((b1.len != b2.len || memcmp(b1.ptr, b2.ptr, b1.len)) && !unprintable(b1.ptr, b1.len))
				abort();
		} else if (!unprintable(b1.ptr, b1.len)) {
			abort();
		}
	}
	th_buf_release(&b1);
	th_buf_release(&b2);
	th_marker_env_release(&empty);
	th_marker_env_release(&full);
	th_arena_release(&a);
	return 0;
}
