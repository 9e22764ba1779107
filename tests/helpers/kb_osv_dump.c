/*
 * kb_osv_dump — for the advisory differential test: reads every advisory
 * from a knowledge base (argv[1]) and prints, for each affected package that
 * lists explicit versions, thoth's verdict on each listed version from the
 * ECOSYSTEM ranges alone (not from the list itself), and the ranges' events:
 *   V <tab> id <tab> affected# <tab> version <tab> 1|0 (affected or not) | -1 (not PEP 440)
 *   E <tab> id <tab> affected# <tab> range# <tab> kind <tab> version
 */
#include <stdio.h>
#include <string.h>

#include "analyzer/store_kb.h"

static int each(void *ud, const th_osv *adv)
{
	static const char *const kinds[] = { "introduced", "fixed", "last_affected", "limit" };
	th_arena *a = ud;

	for (size_t i = 0; i < adv->naffected; i++) {
		const th_osv_affected *af = &adv->affected[i];
		if (!af->nversions)
			continue;
		for (size_t r = 0; r < af->nranges; r++) {
			if (strcmp(af->ranges[r].type, "ECOSYSTEM") != 0)
				continue;
			for (size_t e = 0; e < af->ranges[r].nevents; e++)
				printf("E\t%s\t%zu\t%zu\t%s\t%s\n", adv->id, i, r, kinds[af->ranges[r].events[e].kind],
				       af->ranges[r].events[e].version);
		}
		for (size_t k = 0; k < af->nversions; k++) {
			th_version v;
			int hit = 0;
			if (th_version_parse(&v, af->versions[k], strlen(af->versions[k]), a, NULL)) {
				printf("V\t%s\t%zu\t%s\t-1\n", adv->id, i, af->versions[k]);
				continue;
			}
			for (size_t r = 0; r < af->nranges && !hit; r++)
				if (!strcmp(af->ranges[r].type, "ECOSYSTEM"))
					th_osv_range_affects(&af->ranges[r], &v, &hit, NULL, a);
			printf("V\t%s\t%zu\t%s\t%d\n", adv->id, i, af->versions[k], hit);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	th_store *s;
	th_error err = TH_ERROR_INIT;
	th_arena a;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: kb_osv_dump DB\n");
		return 2;
	}
	if (th_store_open(&s, argv[1], &err)) {
		fprintf(stderr, "kb_osv_dump: %s\n", err.msg);
		return 2;
	}
	th_arena_init(&a, 0);
	rc = th_kb_advisories_each(s, each, &a, &err);
	th_arena_release(&a);
	th_store_free(s);
	if (rc) {
		fprintf(stderr, "kb_osv_dump: %s\n", err.msg);
		return 2;
	}
	return 0;
}
