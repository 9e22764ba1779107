/* Fuzz target: os-release and the older release files. */
#include <stdint.h>
#include <stddef.h>

#include "extractors/osrelease.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/etc/lsb-release", "/etc/debian_version", "/etc/alpine-release",
					     "/etc/redhat-release" };
	th_arena a = TH_ARENA_INIT;
	th_osrelease os;

	th_osrelease_parse(&os, (const char *)data, size, &a, NULL);
	for (int i = 0; i < 4; i++)
		th_osrelease_parse_fallback(&os, paths[i], (const char *)data, size, &a, NULL);
	th_arena_release(&a);
	return 0;
}
