/* Fuzz target: a wheel's top_level.txt and RECORD from its zip directory
 * (extractors/zipdir). The input is the whole archive; small limits reach
 * the limit paths with small inputs. */
#include <stdint.h>

#include "extractors/zipdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_zipdir_texts t;
	th_limits lim;
	th_arena a;

	th_limits_init(&lim);
	lim.metadata_bytes = 1 << 16;
	lim.zip_dir_bytes = 1 << 16;
	th_arena_init(&a, 0);
	th_zipdir_wheel_mem(&t, data, size, &lim, &a, "fuzz", NULL);
	th_arena_release(&a);
	return 0;
}
