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

/* Which member of the archive an archive path names: 1 the metadata file
 * (a wheel's "X.dist-info/METADATA", an sdist's "X/PKG-INFO", one directory
 * deep), 2 a wheel's top_level.txt, 3 its RECORD, 0 none. */
static int wheelhouse__member(const char *p, int is_wheel)
{
	const char *slash = strchr(p, '/');
	if (!slash || strchr(slash + 1, '/'))
		return 0;
	if (!is_wheel)
		return slash > p && !strcmp(slash + 1, "PKG-INFO");
	if (slash - p <= 10 || memcmp(slash - 10, ".dist-info", 10))
		return 0;
	return !strcmp(slash + 1, "METADATA") ? 1 : !strcmp(slash + 1, "top_level.txt") ? 2 :
	       !strcmp(slash + 1, "RECORD") ? 3 : 0;
}

typedef struct wheelhouse__walk {
	int is_wheel;
	int found;    /* bit per member kept */
	th_wheelhouse_file *out;
	th_arena *a;
} wheelhouse__walk;

static bool wheelhouse__want(void *ud, const char *path)
{
	return wheelhouse__member(path, ((wheelhouse__walk *)ud)->is_wheel) != 0;
}

/* Keeps the first of each member; stops the walk (returns 1) once all are
 * there. */
static int wheelhouse__take(void *ud, const char *path, const void *data, size_t len, th_error *err)
{
	wheelhouse__walk *w = ud;
	int m = wheelhouse__member(path, w->is_wheel);
	const char **dst = m == 1 ? &w->out->metadata : m == 2 ? &w->out->top_level : &w->out->record;
	size_t *dlen = m == 1 ? &w->out->metadata_len : m == 2 ? &w->out->top_level_len : &w->out->record_len;

	if (w->found & (1 << m))
		return 0;
	if (!(*dst = th_arena_strndup(w->a, data, len)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	*dlen = len;
	w->found |= 1 << m;
	return w->found == (w->is_wheel ? 14 : 2);
}

int th_wheelhouse_read(th_wheelhouse_file *out, const char *path, int is_wheel, const th_limits *lim,
		       th_arena *a, th_error *err)
{
	wheelhouse__walk w = { is_wheel, 0, out, a };
	th_archive_opts o;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = wheelhouse__hash(out, path, err)))
		return rc;
	th_archive_opts_init(&o, lim, path);
	o.max_entry_bytes = lim->metadata_bytes;
	o.want = wheelhouse__want;
	rc = th_archive_each(path, &o, wheelhouse__take, &w, err);
	/* 1: all found and stopped; 0: some missing (no metadata: recorded
	 * without dependencies; no RECORD: no import names). */
	return rc == 1 ? 0 : rc;
}
