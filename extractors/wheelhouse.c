/* wheelhouse — hash and core metadata of a wheel or sdist, see wheelhouse.h. */
#include "extractors/wheelhouse.h"

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "extractors/archive.h"

static int wheelhouse__hash(th_wheelhouse_file *out, const char *path, th_error *err)
{
	FILE *f = fopen(path, "rb");
	th_sha256 h;
	char chunk[65536];
	size_t n;
	int rc;

	if (!f)
		return th_error_set(err, TH_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	if ((rc = th_sha256_init(&h, err))) {
		fclose(f);
		return rc;
	}
	out->size = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		th_sha256_update(&h, chunk, n);
		out->size += n;
	}
	if (ferror(f)) {
		th_sha256_release(&h);
		fclose(f);
		return th_error_set(err, TH_ERR_IO, "%s: read error", path);
	}
	fclose(f);
	th_sha256_final(&h, out->sha256);
	return 0;
}

/* Does an archive path name the metadata file we want? A wheel's is exactly
 * "X.dist-info/METADATA"; an sdist's is "X/PKG-INFO" (one directory deep). */
static int wheelhouse__is_metadata(const char *p, int is_wheel)
{
	const char *slash = strchr(p, '/');
	if (!slash || strchr(slash + 1, '/'))
		return 0;
	if (is_wheel)
		return slash - p > 10 && !memcmp(slash - 10, ".dist-info", 10) && !strcmp(slash + 1, "METADATA");
	return slash > p && !strcmp(slash + 1, "PKG-INFO");
}

typedef struct wheelhouse__walk {
	int is_wheel;
	th_wheelhouse_file *out;
	th_arena *a;
} wheelhouse__walk;

static bool wheelhouse__want(void *ud, const char *path)
{
	return wheelhouse__is_metadata(path, ((wheelhouse__walk *)ud)->is_wheel);
}

/* Keeps the first metadata file and stops the walk (returns 1). */
static int wheelhouse__take(void *ud, const char *path, const void *data, size_t len, th_error *err)
{
	wheelhouse__walk *w = ud;

	if (!(w->out->metadata = th_arena_strndup(w->a, data, len)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	w->out->metadata_len = len;
	return 1;
}

int th_wheelhouse_read(th_wheelhouse_file *out, const char *path, int is_wheel, const th_limits *lim,
		       th_arena *a, th_error *err)
{
	wheelhouse__walk w = { is_wheel, out, a };
	th_archive_opts o;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = wheelhouse__hash(out, path, err)))
		return rc;
	th_archive_opts_init(&o, lim, path);
	o.max_entry_bytes = lim->metadata_bytes;
	o.want = wheelhouse__want;
	rc = th_archive_each(path, &o, wheelhouse__take, &w, err);
	/* 1: found and stopped; 0: no metadata inside, recorded without dependencies. */
	return rc == 1 ? 0 : rc;
}
