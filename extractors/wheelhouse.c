/* wheelhouse — hash and core metadata of a wheel or sdist, see wheelhouse.h. */
#include "extractors/wheelhouse.h"

#include <errno.h>
#include <stdio.h>
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

int th_wheelhouse_read(th_wheelhouse_file *out, const char *path, int is_wheel, const th_limits *lim,
		       th_arena *a, th_error *err)
{
	th_archive *ar = NULL;
	th_buf b = TH_BUF_INIT;
	const char *p;
	int regular, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = wheelhouse__hash(out, path, err)) || (rc = th_archive_open(&ar, path, err)))
		goto done;
	while (!(rc = th_archive_next(ar, &p, &regular, err))) {
		if (!regular || !wheelhouse__is_metadata(p, is_wheel))
			continue;
		if ((rc = th_archive_read(ar, &b, lim->metadata_bytes, err)))
			goto done;
		if (!(out->metadata = th_arena_strndup(a, b.ptr, b.len))) {
			rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
			goto done;
		}
		out->metadata_len = b.len;
		break;
	}
	if (rc == TH_ERR_NOTFOUND)
		rc = 0; /* no metadata inside: recorded without dependencies */
done:
	th_archive_free(ar);
	th_buf_release(&b);
	return rc;
}
