/* Fuzz target: an OCI archive / docker-archive held in memory: the outer
 * tar index (extractors/ociarchive) and the manifest, index and config
 * JSON that extractors/oci reads from it (nested indexes, platforms,
 * docker manifest.json). */
#include <stdint.h>
#include <stddef.h>

#include "extractors/oci.h"
#include "extractors/ociarchive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_limits lim;
	th_ociarchive *ar;
	th_oci_image img;

	th_limits_init(&lim);
	lim.json_bytes = 1 << 20;
	if (th_ociarchive_open_mem(&ar, data, size, "fuzz.tar", &lim, NULL))
		return 0;
	th_oci_src src = { -1, -1, ar, "fuzz.tar" };
	if (th_oci_load(&img, &src, NULL, &lim, NULL) == 0)
		th_oci_release(&img);
	if (th_oci_load(&img, &src, "linux/arm64/v8", &lim, NULL) == 0)
		th_oci_release(&img);
	th_ociarchive_free(ar);
	return 0;
}
