/* libarchive's headers first: they make th_archive_lib's members visible. */
#include <archive.h>
#include <archive_entry.h>

#include "extractors/archive.h"

#include <stdlib.h>
#include <string.h>

#include "core/dynlib.h"

#define ARCHIVE__SYM(m, s) TH_DYNLIB_SYM(th_archive_lib, m, s)
static const th_dynlib_sym archive__syms[] = {
	ARCHIVE__SYM(read_new, "archive_read_new"),
	ARCHIVE__SYM(read_free, "archive_read_free"),
	ARCHIVE__SYM(read_support_filter_all, "archive_read_support_filter_all"),
	ARCHIVE__SYM(read_support_format_tar, "archive_read_support_format_tar"),
	ARCHIVE__SYM(read_support_format_gnutar, "archive_read_support_format_gnutar"),
	ARCHIVE__SYM(read_support_format_zip, "archive_read_support_format_zip"),
	ARCHIVE__SYM(read_open, "archive_read_open"),
	ARCHIVE__SYM(read_open_filename, "archive_read_open_filename"),
	ARCHIVE__SYM(read_open_memory, "archive_read_open_memory"),
	ARCHIVE__SYM(read_next_header, "archive_read_next_header"),
	ARCHIVE__SYM(read_data, "archive_read_data"),
	ARCHIVE__SYM(error_string, "archive_error_string"),
	ARCHIVE__SYM(set_error, "archive_set_error"),
	ARCHIVE__SYM(entry_pathname, "archive_entry_pathname"),
	ARCHIVE__SYM(entry_pathname_utf8, "archive_entry_pathname_utf8"),
	ARCHIVE__SYM(entry_hardlink, "archive_entry_hardlink"),
	ARCHIVE__SYM(entry_symlink, "archive_entry_symlink"),
	ARCHIVE__SYM(entry_filetype, "archive_entry_filetype"),
	ARCHIVE__SYM(entry_perm, "archive_entry_perm"),
	ARCHIVE__SYM(entry_size, "archive_entry_size"),
	ARCHIVE__SYM(entry_size_is_set, "archive_entry_size_is_set"),
};

int th_archive_lib_init(th_archive_lib *out, const char *why, th_error *err)
{
	memset(out, 0, sizeof(*out));
	return th_dynlib_open(&out->dl, out, TH_SONAME_ARCHIVE, "libarchive", why, archive__syms,
			      sizeof(archive__syms) / sizeof(archive__syms[0]), err);
}

void th_archive_lib_release(th_archive_lib *lib)
{
	if (!lib)
		return;
	th_dynlib_close(lib->dl);
	memset(lib, 0, sizeof(*lib));
}

void th_archive_opts_init(th_archive_opts *o, const th_limits *lim, const char *what)
{
	th_limits d;

	if (!lim) {
		th_limits_init(&d);
		lim = &d;
	}
	memset(o, 0, sizeof(*o));
	o->max_entry_bytes = lim->file_bytes;
	o->max_total_bytes = lim->layer_bytes;
	o->max_entries = lim->entries;
	o->max_path = lim->path_bytes;
	o->what = what ? what : "archive";
}

bool th_archive_sniff(const void *head, size_t len)
{
	const unsigned char *h = head;

	if (len >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		return true; /* gzip */
	if (len >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
		return true; /* zstd */
	if (len >= 4 && !memcmp(h, "PK\3\4", 4))
		return true; /* zip */
	if (len >= 3 && !memcmp(h, "BZh", 3))
		return true;
	if (len >= 6 && !memcmp(h, "\xfd" "7zXZ", 5))
		return true;
	return len >= 262 && !memcmp(h + 257, "ustar", 5);
}

/* Normalizes `in` into `out` (cap bytes): drops "./" and empty components;
 * refuses absolute paths and "..". Returns false for a hostile path. */
static bool archive__clean(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	const char *p = in;

	if (*p == '/')
		return false;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (n && !(n == 1 && p[0] == '.')) {
			if (o + n + 2 > cap)
				return false;
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	out[o] = '\0';
	return o > 0;
}

static int archive__walk(const th_archive_lib *L, struct archive *ar, const th_archive_opts *o, th_archive_fn fn, void *ud, th_error *err)
{
	struct archive_entry *e;
	uint64_t entries = 0, total = 0;
	char *path = malloc(o->max_path + 2);
	char *data = NULL;
	size_t cap = 0;
	int rc = 0, r;

	if (!path)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	while ((r = L->read_next_header(ar, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = L->entry_pathname(e);
		la_int64_t size = L->entry_size(e);
		la_ssize_t got;
		size_t len = 0;

		if (++entries > o->max_entries) {
			rc = th_error_set(err, TH_ERR_LIMIT, "%s: more than %llu entries (limit entries)", o->what,
					  (unsigned long long)o->max_entries);
			goto done;
		}
		if (L->entry_filetype(e) != AE_IFREG)
			continue;
		if (!name || strlen(name) > o->max_path || !archive__clean(name, path, o->max_path + 2)) {
			rc = th_error_set(err, TH_ERR_INVALID, "%s: entry %.200s: unsafe or overlong path", o->what,
					  name ? name : "(no name)");
			goto done;
		}
		if (o->want && !o->want(ud, path))
			continue;
		if (size < 0 || (uint64_t)size > o->max_entry_bytes) {
			rc = th_error_set(err, TH_ERR_LIMIT, "%s: %s: %lld bytes is over the limit file_bytes", o->what, path,
					  (long long)size);
			goto done;
		}
		if ((size_t)size + 1 > cap) {
			char *d = realloc(data, (size_t)size + 1);
			if (!d) {
				rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
				goto done;
			}
			data = d;
			cap = (size_t)size + 1;
		}
		/* read exactly the size the header claims; more is not trusted */
		while (len < (size_t)size && (got = L->read_data(ar, data + len, (size_t)size - len)) > 0)
			len += (size_t)got;
		if (len < (size_t)size) {
			rc = th_error_set(err, TH_ERR_INVALID, "%s: %s: truncated entry (%s)", o->what, path,
					  L->error_string(ar) ? L->error_string(ar) : "short read");
			goto done;
		}
		total += len;
		if (total > o->max_total_bytes) {
			rc = th_error_set(err, TH_ERR_LIMIT, "%s: more than %llu bytes in all (limit layer_bytes)", o->what,
					  (unsigned long long)o->max_total_bytes);
			goto done;
		}
		data[len] = '\0';
		if ((rc = fn(ud, path, data, len, err)))
			goto done;
	}
	if (r != ARCHIVE_EOF)
		rc = th_error_set(err, TH_ERR_INVALID, "%s: %s", o->what,
				  L->error_string(ar) ? L->error_string(ar) : "unreadable archive");
done:
	free(path);
	free(data);
	return rc;
}

static struct archive *archive__new(const th_archive_lib *L)
{
	struct archive *ar = L->read_new();

	if (ar) {
		L->read_support_filter_all(ar);
		L->read_support_format_tar(ar);
		L->read_support_format_gnutar(ar);
		L->read_support_format_zip(ar);
	}
	return ar;
}

/* Walks an archive once it is open (ok: the open call's result). */
static int archive__finish(const th_archive_lib *L, struct archive *ar, int ok, const char *what,
			   const th_archive_opts *o, th_archive_fn fn, void *ud, int code, th_error *err)
{
	int rc;

	if (ok != ARCHIVE_OK)
		rc = th_error_set(err, code, "%s: %s", what, L->error_string(ar) ? L->error_string(ar) : "cannot open");
	else
		rc = archive__walk(L, ar, o, fn, ud, err);
	L->read_free(ar);
	return rc;
}

/* Reads the archive in `file`, or else in (buf, len). */
static int archive__each(const char *file, const void *buf, size_t len, const th_archive_opts *o, th_archive_fn fn,
			 void *ud, th_error *err)
{
	th_archive_lib L;
	struct archive *ar;
	int rc;

	if ((rc = th_archive_lib_init(&L, "to read archives", err)))
		return rc;
	if (!(ar = archive__new(&L)))
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
	else if (file)
		rc = archive__finish(&L, ar, L.read_open_filename(ar, file, 1 << 16), file, o, fn, ud, TH_ERR_IO, err);
	else
		rc = archive__finish(&L, ar, L.read_open_memory(ar, buf, len), o->what, o, fn, ud, TH_ERR_INVALID, err);
	th_archive_lib_release(&L);
	return rc;
}

int th_archive_each(const char *file, const th_archive_opts *o, th_archive_fn fn, void *ud, th_error *err)
{
	return archive__each(file, NULL, 0, o, fn, ud, err);
}

int th_archive_each_mem(const void *buf, size_t len, const th_archive_opts *o, th_archive_fn fn, void *ud,
			th_error *err)
{
	return archive__each(NULL, buf, len, o, fn, ud, err);
}
