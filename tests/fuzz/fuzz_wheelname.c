/* Fuzz target: a wheel or sdist file name from a hostile index page or
 * wheelhouse. It must never crash; a parsed wheel must hold the module's
 * promises (a non-empty, lower-case, duplicate-free tag set; a canonical
 * name) and rank against a real target without trouble. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/tags.h"
#include "core/wheelname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_lower(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			abort();
}

/* The target's tag set is built once per process (never released), so
 * each run spends its time on the file name. */
static th_arena fixed;
static th_tagset *set;
static size_t nsup;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a;
	th_wheelname w;
	th_sdistname s;
	const char *f = (const char *)data;

	if (!set) {
		th_target t;
		th_tag *sup;
		th_arena_init(&fixed, 0);
		if (th_target_parse(&t, "3.12", "x86_64-manylinux_2_28", &fixed, NULL) ||
		    th_tags_supported(&sup, &nsup, &t, &fixed, NULL) || th_tagset_build(&set, sup, nsup, &fixed, NULL))
			abort();
	}
	th_arena_init(&a, 0);
	if (th_wheelname_parse(&w, f, size, &a, NULL) == 0) {
		if (!w.ntags || w.ntags > TH_WHEELNAME_MAX_TAGS || strchr(w.name, '_') || strchr(w.name, '.'))
			abort();
		check_lower(w.name);
		for (size_t i = 0; i < w.ntags; i++) {
			check_lower(w.tags[i].interpreter);
			check_lower(w.tags[i].abi);
			check_lower(w.tags[i].platform);
			for (size_t j = 0; j < i; j++)
				if (!strcmp(w.tags[i].interpreter, w.tags[j].interpreter) &&
				    !strcmp(w.tags[i].abi, w.tags[j].abi) && !strcmp(w.tags[i].platform, w.tags[j].platform))
					abort();
		}
		int r = th_tags_rank(set, w.tags, w.ntags);
		if (r < -1 || r >= (int)nsup)
			abort();
		if ((w.build == NULL) != (w.build_num == NULL) || th_wheelname_build_cmp(&w, &w))
			abort();
	}
	if (th_sdistname_parse(&s, f, size, &a, NULL) == 0 && (strchr(s.name, '_') || strchr(s.name, '.')))
		abort();
	th_arena_release(&a);
	return 0;
}
