/* Fuzz target: conda-meta records, and their notes read back. */
#include <stdint.h>
#include <stddef.h>

#include "extractors/conda.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a = TH_ARENA_INIT;
	th_buf note = TH_BUF_INIT;
	th_limits lim;
	th_conda_pkg p;

	th_limits_init(&lim);
	th_conda_parse(&p, (const char *)data, size, "fuzz.json", &lim, &a, NULL);
	/* a note made from a record always reads back */
	if (!th_conda_note(&note, (const char *)data, size, "fuzz.json", &lim, NULL) &&
	    th_conda_from_note(&p, note.ptr, note.len, &a, NULL))
		__builtin_trap();
	th_conda_from_note(&p, (const char *)data, size, &a, NULL);
	th_buf_release(&note);
	th_arena_release(&a);
	return 0;
}
