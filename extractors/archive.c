/* archive — zip and tar entries through libarchive, see archive.h. */
#include "extractors/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

struct th_archive {
	struct archive *a;
	char *path; /* owned, for messages */
};

int th_archive_open(th_archive **out, const char *path, th_error *err)
{
	th_archive *ar = calloc(1, sizeof(*ar));

	*out = NULL;
	if (!ar || !(ar->path = strdup(path)) || !(ar->a = archive_read_new())) {
		if (ar)
			free(ar->path);
		free(ar);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	archive_read_support_filter_all(ar->a);
	archive_read_support_format_zip(ar->a);
	archive_read_support_format_tar(ar->a);
	if (archive_read_open_filename(ar->a, path, 65536) != ARCHIVE_OK) {
		int rc = th_error_set(err, TH_ERR_INVALID, "%s: not a readable zip or tar archive: %s", path,
				      archive_error_string(ar->a) ? archive_error_string(ar->a) : "unknown format");
		th_archive_free(ar);
		return rc;
	}
	*out = ar;
	return 0;
}

void th_archive_free(th_archive *ar)
{
	if (!ar)
		return;
	if (ar->a)
		archive_read_free(ar->a);
	free(ar->path);
	free(ar);
}

int th_archive_next(th_archive *ar, const char **path, int *regular, th_error *err)
{
	struct archive_entry *e;
	int r = archive_read_next_header(ar->a, &e);

	if (r == ARCHIVE_EOF)
		return TH_ERR_NOTFOUND;
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return th_error_set(err, TH_ERR_INVALID, "%s: a damaged archive: %s", ar->path,
				    archive_error_string(ar->a) ? archive_error_string(ar->a) : "bad entry");
	*path = archive_entry_pathname(e);
	if (!*path)
		*path = "";
	*regular = archive_entry_filetype(e) == AE_IFREG;
	return 0;
}

int th_archive_read(th_archive *ar, th_buf *out, uint64_t max, th_error *err)
{
	char chunk[65536];
	la_ssize_t n;

	th_buf_clear(out);
	while ((n = archive_read_data(ar->a, chunk, sizeof(chunk))) > 0) {
		if (out->len + (size_t)n > max)
			return th_error_set(err, TH_ERR_LIMIT, "%s: an entry is larger than the limit of %llu bytes", ar->path,
					    (unsigned long long)max);
		if (th_buf_put(out, chunk, (size_t)n, err))
			return TH_ERR_NOMEM;
	}
	if (n < 0)
		return th_error_set(err, TH_ERR_INVALID, "%s: a damaged entry: %s", ar->path,
				    archive_error_string(ar->a) ? archive_error_string(ar->a) : "read error");
	return 0;
}
