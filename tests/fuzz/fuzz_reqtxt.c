/* Fuzz target: pip requirements files, includes answered from the input itself. */
#include <stdint.h>
#include <string.h>

#include "extractors/reqtxt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ud, const th_reqtxt_line *l)
{
	return 0;
}

static int self(void *ud, const char *from, const char *name, th_buf *out, th_buf *resolved, th_error *err)
{
	const th_buf *in = ud;

	th_buf_puts(resolved, name, NULL);
	return th_buf_put(out, in->ptr, in->len, err);
}

static const char *env(const char *name)
{
	return "X";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_buf in = TH_BUF_INIT;
	th_reqtxt_opts o = { self, &in, env };
	th_arena a;

	th_buf_put(&in, data, size, NULL);
	th_arena_init(&a, 4096);
	th_reqtxt_parse((const char *)data, size, "fuzz.txt", &o, sink, NULL, &a, NULL);
	th_arena_release(&a);
	th_buf_release(&in);
	return 0;
}
