/* Fuzz target: a core-metadata file (METADATA / PKG-INFO) from a hostile
 * image or index. It must never crash, and what it returns must hold the
 * module's promises: every string valid UTF-8 without NUL, repeated-field
 * arrays agreeing with the generic lookup. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t k = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
		if (*p >= 0x80 && *p < 0xC2)
			abort();
		for (size_t i = 1; i < k; i++)
			if ((p[i] & 0xC0) != 0x80)
				abort();
		p += k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a;
	th_metadata md;
	th_limits lim;

	th_limits_init(&lim);
	lim.metadata_bytes = 1 << 20;
	th_arena_init(&a, 0);
	if (th_metadata_parse(&md, (const char *)data, size, &lim, &a, NULL) == 0) {
		for (size_t i = 0; i < md.nfields; i++) {
			check_utf8(md.fields[i].name);
			check_utf8(md.fields[i].value);
		}
		if (md.body) {
			check_utf8(md.body);
			if (strlen(md.body) != md.body_len)
				abort();
		}
		if (th_metadata_count(&md, "Requires-Dist") != md.nrequires_dist)
			abort();
		for (size_t i = 0; i < md.nrequires_dist; i++)
			if (th_metadata_get(&md, "requires-dist", i) != md.requires_dist[i])
				abort();
		if (md.name != th_metadata_get(&md, "NAME", 0))
			abort();
	} else if (size <= lim.metadata_bytes) {
		abort(); /* only the size limit may fail */
	}
	th_arena_release(&a);
	return 0;
}
