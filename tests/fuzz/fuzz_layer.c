/* Fuzz target: one image layer (gzip, zstd or plain tar) streamed through
 * extractors/layer into the squashed tree of extractors/vfs, then a few
 * lookups. It must never crash, hang or grow without bound. */
#include <stdint.h>
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

#include "extractors/layer.h"
#include "extractors/vfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
	th_vfs *v;
} fz;

static int entry(void *ud, const th_layer_entry *e, th_layer_stream *ls, th_error *err)
{
	fz *f = ud;
	char buf[256];
	size_t got = 0;

	if (e->type == TH_ENTRY_FILE && th_layer_data(ls, buf, sizeof(buf), &got, err))
		return err ? err->code : -1;
	int rc = th_vfs_apply(f->v, 0, e, e->type == TH_ENTRY_FILE ? buf : NULL, got, err);
	return rc > 0 ? 0 : rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_limits lim;
	th_layer_result res;
	const th_vfs_node *n;
	fz f;
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	th_limits_init(&lim);
	lim.symlink_depth = 8;
	if (th_vfs_new(&f.v, &lim, NULL) == 0) {
		th_layer_src src = { fd, 0, size, UINT64_MAX, NULL, NULL, "fuzz", 8 << 20, 10000 };
		th_layer_scan(&res, &src, &lim, entry, &f, NULL);
		th_vfs_lookup(f.v, "/etc/os-release", true, &n, NULL);
		th_vfs_lookup(f.v, "/a/b/c", true, &n, NULL);
		th_vfs_free(f.v);
	}
	close(fd);
	return 0;
}
