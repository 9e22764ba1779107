/* Fuzz target: import-name tables (analyzer/importmap), then lookups and a
 * chain over installed distributions named by the same bytes. */
#include <stdint.h>
#include <string.h>

#include "analyzer/importmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_importmap *m = NULL;
	th_importmap_hit hit;
	th_buf text = TH_BUF_INIT, chain = TH_BUF_INIT;
	const char *tops[2] = { "pkg", "yaml" }, *reqs[2];
	bool found;

	if (th_importmap_new_empty(&m, NULL) || th_buf_put(&text, data, size, NULL))
		goto done;
	th_importmap_table_load(m, (const char *)data, size, "fuzz.txt", NULL);
	/* Each line also names an installed distribution requiring the next. */
	for (char *line = text.ptr, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		reqs[0] = next && *next ? next : "x";
		reqs[1] = line;
		th_importmap_add_installed(m, &(th_importmap_installed){ line, "1", tops, 2, reqs, 2 }, NULL);
	}
	th_importmap_lookup(m, "pkg.sub.mod", &hit, NULL);
	th_importmap_lookup(m, "yaml", &hit, NULL);
	th_importmap_lookup(m, "zzz", &hit, NULL);
	th_importmap_chain(m, tops, 2, "x", NULL, &chain, &found, NULL);
done:
	th_buf_release(&text);
	th_buf_release(&chain);
	th_importmap_free(m);
	return 0;
}
