/* Fuzz target: an SQLite file found inside an image, opened and queried the
 * way the RPM database reader does. It must never crash or hang. */
#include <stdint.h>
#include <stddef.h>

#include "analyzer/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each_row(void *ud, int ncols, const void *const *vals, const size_t *lens)
{
	size_t *total = ud;
	for (int i = 0; i < ncols; i++)
		*total += lens[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_store_image *im;
	th_limits lim;
	size_t total = 0;

	th_limits_init(&lim);
	lim.db_query_ms = 200;
	if (th_store_image_open(&im, data, size, "fuzz.db", &lim, NULL))
		return 0;
	th_store_image_query(im, "SELECT name, sql FROM sqlite_master", each_row, &total, NULL);
	th_store_image_query(im, "SELECT hnum, blob FROM Packages", each_row, &total, NULL);
	th_store_image_free(im);
	return 0;
}
