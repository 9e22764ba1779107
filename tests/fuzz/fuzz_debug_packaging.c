/* Fuzz target: one line of `thoth debug packaging` input, which reaches
 * every packaging parser (versions, specifiers, markers with their
 * environments, requirements, wheel names, names, tags) through JSON. Whatever
 * the bytes, the answer must be one line of JSON: an object whose "valid" is
 * a boolean. (jansson refuses integers past 64 bits, which Python prints and
 * so does thoth: such an answer is checked by its text only.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int big_int(const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++)
		if ((run = (s[i] >= '0' && s[i] <= '9') ? run + 1 : 0) >= 19)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_buf out = TH_BUF_INIT;
	th_limits lim;
	th_json *ans = NULL;

	th_limits_init(&lim);
	th_debug_packaging_answer(&out, (const char *)data, size, &lim);
	if (!out.len || out.ptr[out.len - 1] != '\n' || memchr(out.ptr, '\n', out.len - 1))
		abort();
	if (strncmp(out.ptr, "{\"valid\":true", 13) && strncmp(out.ptr, "{\"valid\":false,", 15))
		abort();
	if (th_json_parse(&ans, out.ptr, out.len, 8, "answer", NULL)) {
		if (!big_int(out.ptr, out.len))
			abort();
	} else if (th_json_typeof(th_json_get(ans, "valid")) != TH_JSON_BOOL) {
		abort();
	}
	th_json_free(ans);
	th_buf_release(&out);
	return 0;
}
