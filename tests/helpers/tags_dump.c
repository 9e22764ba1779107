/*
 * tags_dump PYTHON TARGET query|tags — for tests/sh/tags_oracle.sh.
 *   query: the packaging_oracle.py question for the target's platform list,
 *          {"op": "tags", "python": "3.11", "platforms": [...]}
 *   tags:  thoth's supported tag list as the oracle writes it, ["a", "b", ...]
 * so the script compares the oracle's answer with thoth's text for text.
 */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/tags.h"

/* A JSON array in Python's json.dumps layout (", " between items). */
static int dump__array(th_buf *out, const char *const *items, size_t n, th_error *err)
{
	int rc = th_buf_putc(out, '[', err);

	for (size_t i = 0; i < n && !rc; i++) {
		if (i)
			rc = th_buf_puts(out, ", ", err);
		if (!rc)
			rc = th_json_quote(out, items[i], strlen(items[i]), err);
	}
	return rc ? rc : th_buf_putc(out, ']', err);
}

int main(int argc, char **argv)
{
	th_arena a;
	th_error err = TH_ERROR_INIT;
	th_target t;
	th_tag *tags;
	size_t n;
	th_buf out = TH_BUF_INIT, tmp = TH_BUF_INIT;
	int rc = 2;

	if (argc != 4 || (strcmp(argv[3], "query") && strcmp(argv[3], "tags"))) {
		fprintf(stderr, "usage: tags_dump PYTHON TARGET query|tags\n");
		return 2;
	}
	th_arena_init(&a, 0);
	if (th_target_parse(&t, argv[1], argv[2], &a, &err) || th_tags_supported(&tags, &n, &t, &a, &err))
		goto done;
	if (!strcmp(argv[3], "query")) {
		if (th_buf_printf(&out, &err, "{\"op\": \"tags\", \"python\": \"%s\", \"platforms\": ", argv[1]) ||
		    dump__array(&out, t.platforms, t.nplatforms, &err) || th_buf_putc(&out, '}', &err))
			goto done;
	} else {
		const char **strs = th_arena_alloc(&a, (n ? n : 1) * sizeof(*strs));
		if (!strs)
			goto done;
		for (size_t i = 0; i < n; i++) {
			th_buf_clear(&tmp);
			if (th_tag_format(&tags[i], &tmp, &err) || !(strs[i] = th_arena_strdup(&a, tmp.ptr)))
				goto done;
		}
		if (dump__array(&out, strs, n, &err))
			goto done;
	}
	printf("%s\n", out.ptr);
	rc = 0;
done:
	if (rc)
		fprintf(stderr, "tags_dump: %s\n", err.msg[0] ? err.msg : "out of memory");
	th_buf_release(&out);
	th_buf_release(&tmp);
	th_arena_release(&a);
	return rc;
}
