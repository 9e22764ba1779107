/* Fuzz target: the gate's lock reader (resolver/gate_lock) and its baseline
 * and inline-ignore readers (resolver/gate); the first byte of the input
 * picks what reads the rest. */
#include <stdint.h>
#include <string.h>

#include "resolver/gate.h"
#include "resolver/gate_lock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"requirements.txt", "pylock.toml", "uv.lock", "poetry.lock",
	                                    "Pipfile.lock"};
	th_limits lim;
	th_arena a;
	th_gate_lock l;
	th_gate_report r;
	const char *text = (const char *)data + 1;

	if (size == 0)
		return 0;
	th_limits_init(&lim);
	th_arena_init(&a, 4096);
	if (data[0] % 7 < 5) {
		th_gate_lock_read(&l, names[data[0] % 7], text, size - 1, "fuzz", &lim, &a, NULL);
	} else if (data[0] % 7 == 5) {
		th_gate_report_init(&r, &a);
		th_gate_add(&r, NULL, "api-removed", "f.py", 1, 1, NULL, NULL, NULL, "k", NULL, "m");
		th_gate_baseline(&r, text, size - 1, "fuzz", &lim, NULL);
		th_gate_report_release(&r);
	} else {
		th_gate_line_ignores(text, size - 1, "api-removed");
	}
	th_arena_release(&a);
	return 0;
}
