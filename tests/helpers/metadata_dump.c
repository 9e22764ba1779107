/*
 * metadata_dump FILE... — parses each core-metadata file with core/metadata
 * and prints one JSON line per file: {"file", "fields": [[name, value]...],
 * "body"} or {"file", "error"}. For ad-hoc comparison with other readers and
 * for debugging a METADATA file that thoth reads differently.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/metadata.h"

static int dump__file(const char *path, th_buf *out)
{
	FILE *f = fopen(path, "rb");
	th_buf data = TH_BUF_INIT;
	th_error err = TH_ERROR_INIT;
	th_arena a;
	th_metadata md;
	th_jw w;
	char chunk[65536];
	size_t n;
	int rc;

	if (!f) {
		fprintf(stderr, "metadata_dump: cannot open %s\n", path);
		return 1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (th_buf_put(&data, chunk, n, &err))
			break;
	fclose(f);
	th_arena_init(&a, 0);
	th_buf_clear(out);
	th_jw_init(&w, out, 0, &err);
	th_jw_obj_begin(&w);
	th_jw_key(&w, "file");
	th_jw_str(&w, path);
	rc = th_metadata_parse(&md, data.ptr, data.len, NULL, &a, &err);
	if (rc) {
		th_jw_key(&w, "error");
		th_jw_str(&w, err.msg);
	} else {
		th_jw_key(&w, "fields");
		th_jw_arr_begin(&w);
		for (size_t i = 0; i < md.nfields; i++) {
			th_jw_arr_begin(&w);
			th_jw_str(&w, md.fields[i].name);
			th_jw_str(&w, md.fields[i].value);
			th_jw_arr_end(&w);
		}
		th_jw_arr_end(&w);
		th_jw_key(&w, "body");
		th_jw_str(&w, md.body);
	}
	th_jw_obj_end(&w);
	rc = th_jw_finish(&w);
	if (!rc)
		printf("%s\n", out->ptr);
	th_arena_release(&a);
	th_buf_release(&data);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	th_buf out = TH_BUF_INIT;
	int bad = 0;

	for (int i = 1; i < argc; i++)
		bad |= dump__file(argv[i], &out);
	th_buf_release(&out);
	return bad;
}
