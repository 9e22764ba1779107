/* zipdir — a wheel's top_level.txt and RECORD from its zip directory, see
 * zipdir.h. */
#include "extractors/zipdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/io.h"
#include "extractors/inflate.h"

#define ZIPDIR__EOCD_SIG 0x06054b50u
#define ZIPDIR__CD_SIG 0x02014b50u
#define ZIPDIR__LOCAL_SIG 0x04034b50u
#define ZIPDIR__EOCD64_LOC_SIG 0x07064b50u
#define ZIPDIR__CD_FIXED 46
#define ZIPDIR__LOCAL_FIXED 30
/* What may follow a member's data: a data descriptor (signature, CRC, two
 * sizes; 24 bytes with zip64 sizes). */
#define ZIPDIR__DESCRIPTOR 24

static uint32_t zipdir__u16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t zipdir__u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int th_zipdir_end_parse(th_zipdir_end *out, const void *tail, size_t tail_len, uint64_t file_size,
			const th_limits *lim, const char *what, th_error *err)
{
	const unsigned char *t = tail;
	uint64_t tail_start;
	size_t pos;
	int found = 0;

	memset(out, 0, sizeof(*out));
	if (tail_len > file_size)
		return th_error_set(err, TH_ERR_INVALID, "%s: %zu bytes of tail for a file of %llu bytes", what, tail_len,
				    (unsigned long long)file_size);
	if (tail_len < 22)
		return th_error_set(err, TH_ERR_INVALID, "%s: not a zip archive (%zu bytes)", what, tail_len);
	tail_start = file_size - tail_len;
	/* The record is the last one whose comment ends exactly at the end of
	 * the file: scanning back from the end finds it first. */
	for (pos = tail_len - 22;; pos--) {
		if (zipdir__u32(t + pos) == ZIPDIR__EOCD_SIG && pos + 22 + zipdir__u16(t + pos + 20) == tail_len) {
			found = 1;
			break;
		}
		if (!pos || tail_len - 22 - pos >= 65535)
			break;
	}
	if (!found)
		return th_error_set(err, TH_ERR_INVALID, "%s: no end of central directory record: not a zip archive", what);
	{
		const unsigned char *e = t + pos;
		uint32_t disk = zipdir__u16(e + 4), cd_disk = zipdir__u16(e + 6);
		uint32_t n_here = zipdir__u16(e + 8), n = zipdir__u16(e + 10);
		uint64_t cd_size = zipdir__u32(e + 12), cd_off = zipdir__u32(e + 16);
		uint64_t eocd_at = tail_start + pos;

		if (n == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu ||
		    (pos >= 20 && zipdir__u32(e - 20) == ZIPDIR__EOCD64_LOC_SIG))
			return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: a zip64 archive (not read for import names)", what);
		if (disk || cd_disk || n_here != n)
			return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: a multi-disk zip archive", what);
		if (cd_off + cd_size > eocd_at)
			return th_error_set(err, TH_ERR_INVALID,
					    "%s: the central directory (%llu bytes at %llu) overlaps its end record at %llu", what,
					    (unsigned long long)cd_size, (unsigned long long)cd_off, (unsigned long long)eocd_at);
		if ((uint64_t)n * ZIPDIR__CD_FIXED > cd_size)
			return th_error_set(err, TH_ERR_INVALID, "%s: %u entries cannot fit a central directory of %llu bytes",
					    what, n, (unsigned long long)cd_size);
		if (cd_size > lim->zip_dir_bytes)
			return th_error_set(err, TH_ERR_LIMIT,
					    "%s: a central directory of %llu bytes, over the limit of %llu (zip_dir_bytes)", what,
					    (unsigned long long)cd_size, (unsigned long long)lim->zip_dir_bytes);
		out->file_size = file_size;
		out->cd_offset = cd_off;
		out->cd_size = cd_size;
		out->entries = n;
	}
	return 0;
}

/* Which member of the wheel a central-directory name is: 1 top_level.txt,
 * 2 RECORD, 0 neither; *dir_len is the length of "X.dist-info/". */
static int zipdir__which(const char *name, size_t len, size_t *dir_len)
{
	const char *slash = memchr(name, '/', len);
	size_t d;

	if (!slash)
		return 0;
	d = (size_t)(slash - name) + 1;
	if (d < 11 || memcmp(slash - 10, ".dist-info", 10) != 0)
		return 0;
	*dir_len = d;
	if (len - d == 13 && !memcmp(name + d, "top_level.txt", 13))
		return 1;
	if (len - d == 6 && !memcmp(name + d, "RECORD", 6))
		return 2;
	return 0;
}

int th_zipdir_wheel_find(th_zipdir_wheel *out, const th_zipdir_end *end, const void *cd, size_t cd_len,
			 const th_limits *lim, const char *what, th_error *err)
{
	const unsigned char *c = cd;
	const unsigned char *dir = NULL; /* the first .dist-info directory seen decides */
	size_t dir_len = 0, p = 0;
	th_zipdir_member *m;

	memset(out, 0, sizeof(*out));
	if (cd_len != end->cd_size)
		return th_error_set(err, TH_ERR_INVALID, "%s: %zu bytes of central directory, %llu expected", what, cd_len,
				    (unsigned long long)end->cd_size);
	for (uint64_t i = 0; i < end->entries; i++) {
		uint32_t nlen, xlen, clen, method, flags;
		uint64_t csize, usize, off;
		size_t dl = 0;
		int which;

		if (cd_len - p < ZIPDIR__CD_FIXED || zipdir__u32(c + p) != ZIPDIR__CD_SIG)
			return th_error_set(err, TH_ERR_INVALID, "%s: central directory entry %llu is malformed", what,
					    (unsigned long long)i);
		flags = zipdir__u16(c + p + 8);
		method = zipdir__u16(c + p + 10);
		csize = zipdir__u32(c + p + 20);
		usize = zipdir__u32(c + p + 24);
		nlen = zipdir__u16(c + p + 28);
		xlen = zipdir__u16(c + p + 30);
		clen = zipdir__u16(c + p + 32);
		off = zipdir__u32(c + p + 42);
		if (cd_len - p - ZIPDIR__CD_FIXED < (size_t)nlen + xlen + clen)
			return th_error_set(err, TH_ERR_INVALID, "%s: central directory entry %llu runs past the directory",
					    what, (unsigned long long)i);
		if (off + ZIPDIR__LOCAL_FIXED > end->cd_offset)
			return th_error_set(err, TH_ERR_INVALID, "%s: entry %llu starts at %llu, past the data", what,
					    (unsigned long long)i, (unsigned long long)off);
		which = zipdir__which((const char *)c + p + ZIPDIR__CD_FIXED, nlen, &dl);
		if (which && dir && (dl != dir_len || memcmp(dir, c + p + ZIPDIR__CD_FIXED, dl) != 0))
			which = 0; /* another .dist-info directory: not this wheel's */
		if (which) {
			m = which == 1 ? &out->top_level : &out->record;
			if (m->present)
				return th_error_set(err, TH_ERR_INVALID, "%s: %.*s appears twice", what, (int)nlen,
						    (const char *)c + p + ZIPDIR__CD_FIXED);
			if (flags & 1)
				return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: %.*s is encrypted", what, (int)nlen,
						    (const char *)c + p + ZIPDIR__CD_FIXED);
			if (method != 0 && method != 8)
				return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: %.*s uses compression method %u", what,
						    (int)nlen, (const char *)c + p + ZIPDIR__CD_FIXED, method);
			if (csize == 0xffffffffu || usize == 0xffffffffu || off == 0xffffffffu)
				return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: %.*s has zip64 sizes", what, (int)nlen,
						    (const char *)c + p + ZIPDIR__CD_FIXED);
			if (usize > lim->metadata_bytes || csize > lim->metadata_bytes)
				return th_error_set(err, TH_ERR_LIMIT, "%s: %.*s has %llu bytes, over the limit of %llu (metadata_bytes)",
						    what, (int)nlen, (const char *)c + p + ZIPDIR__CD_FIXED,
						    (unsigned long long)(usize > csize ? usize : csize),
						    (unsigned long long)lim->metadata_bytes);
			if (method == 0 && csize != usize)
				return th_error_set(err, TH_ERR_INVALID, "%s: %.*s is stored with two different sizes", what,
						    (int)nlen, (const char *)c + p + ZIPDIR__CD_FIXED);
			if (!dir) {
				dir = c + p + ZIPDIR__CD_FIXED;
				dir_len = dl;
			}
			m->present = 1;
			m->method = (int)method;
			m->crc = zipdir__u32(c + p + 16);
			m->csize = csize;
			m->usize = usize;
			m->span_start = off;
			/* Header, name, extra field, data and a descriptor at most:
			 * narrowed below to where the next member starts. */
			m->span_end = off + ZIPDIR__LOCAL_FIXED + 65535 + 65535 + csize + ZIPDIR__DESCRIPTOR;
			if (m->span_end > end->cd_offset)
				m->span_end = end->cd_offset;
		}
		p += ZIPDIR__CD_FIXED + (size_t)nlen + xlen + clen;
	}
	/* Second pass: a member's span ends where the next one starts. */
	if (out->top_level.present || out->record.present) {
		for (uint64_t i = 0, q = 0; i < end->entries; i++) {
			uint64_t off = zipdir__u32(c + q + 42);
			th_zipdir_member *ms[2] = { &out->top_level, &out->record };
			for (int k = 0; k < 2; k++)
				if (ms[k]->present && off > ms[k]->span_start && off < ms[k]->span_end)
					ms[k]->span_end = off;
			q += ZIPDIR__CD_FIXED + (size_t)zipdir__u16(c + q + 28) + zipdir__u16(c + q + 30) +
			     zipdir__u16(c + q + 32);
		}
	}
	return 0;
}

int th_zipdir_member_read(const char **out, size_t *out_len, const th_zipdir_member *m, const void *span,
			  size_t span_len, const th_limits *lim, th_arena *a, const char *what, th_error *err)
{
	const unsigned char *s = span;
	uint64_t data;
	char *buf;

	*out = NULL;
	*out_len = 0;
	if (m->usize > lim->metadata_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%s: a member of %llu bytes, over the limit of %llu (metadata_bytes)",
				    what, (unsigned long long)m->usize, (unsigned long long)lim->metadata_bytes);
	if (span_len < ZIPDIR__LOCAL_FIXED || zipdir__u32(s) != ZIPDIR__LOCAL_SIG)
		return th_error_set(err, TH_ERR_INVALID, "%s: no local header at offset %llu", what,
				    (unsigned long long)m->span_start);
	data = ZIPDIR__LOCAL_FIXED + (uint64_t)zipdir__u16(s + 26) + zipdir__u16(s + 28);
	if (data > span_len || span_len - data < m->csize)
		return th_error_set(err, TH_ERR_INVALID, "%s: the member at offset %llu runs past its %zu bytes", what,
				    (unsigned long long)m->span_start, span_len);
	if (!(buf = th_arena_alloc(a, (size_t)m->usize + 1)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (m->method == 0) {
		memcpy(buf, s + data, (size_t)m->usize);
	} else {
		th_error e = TH_ERROR_INIT;
		if (th_inflate_whole(s + data, (size_t)m->csize, buf, (size_t)m->usize, &e))
			return th_error_set(err, e.code,
					    "%s: the member at offset %llu does not inflate to its declared %llu bytes (%s)", what,
					    (unsigned long long)m->span_start, (unsigned long long)m->usize, e.msg);
	}
	if (th_inflate_crc32(buf, (size_t)m->usize) != m->crc)
		return th_error_set(err, TH_ERR_INVALID, "%s: the member at offset %llu fails its CRC-32", what,
				    (unsigned long long)m->span_start);
	buf[m->usize] = '\0';
	*out = buf;
	*out_len = (size_t)m->usize;
	return 0;
}

/* Where the bytes come from: a file (pread) or memory. *out points at len
 * bytes, valid as long as the arena. */
typedef struct zipdir__src {
	int fd;                /* -1: memory */
	const unsigned char *mem;
	uint64_t size;
	const char *what;
} zipdir__src;

static int zipdir__read(const unsigned char **out, const zipdir__src *src, uint64_t off, uint64_t len, th_arena *a,
			th_error *err)
{
	unsigned char *b;
	ssize_t got;

	*out = NULL;
	if (off > src->size || len > src->size - off)
		return th_error_set(err, TH_ERR_INVALID, "%s: %llu bytes at %llu lie past its end", src->what,
				    (unsigned long long)len, (unsigned long long)off);
	if (src->fd < 0) {
		*out = src->mem + off;
		return 0;
	}
	if (!(b = th_arena_alloc(a, len ? (size_t)len : 1)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	got = th_io_pread_all(src->fd, b, (size_t)len, off);
	if (got < 0)
		return th_error_set(err, TH_ERR_IO, "%s: read error: %s", src->what, strerror(errno));
	if ((uint64_t)got < len)
		return th_error_set(err, TH_ERR_IO, "%s: shorter than it was a moment ago", src->what);
	*out = b;
	return 0;
}

/* The steps of zipdir.h in a row, on bytes at hand. */
static int zipdir__wheel(th_zipdir_texts *out, const zipdir__src *src, const th_limits *lim, th_arena *a,
			 th_error *err)
{
	th_zipdir_end end;
	th_zipdir_wheel wh;
	const unsigned char *tail, *cd, *span;
	uint64_t tail_len = src->size < TH_ZIPDIR_TAIL ? src->size : TH_ZIPDIR_TAIL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = zipdir__read(&tail, src, src->size - tail_len, tail_len, a, err)) ||
	    (rc = th_zipdir_end_parse(&end, tail, (size_t)tail_len, src->size, lim, src->what, err)))
		return rc;
	out->bytes_read = tail_len;
	if (end.cd_offset >= src->size - tail_len) {
		cd = tail + (end.cd_offset - (src->size - tail_len));
	} else {
		if ((rc = zipdir__read(&cd, src, end.cd_offset, end.cd_size, a, err)))
			return rc;
		out->bytes_read += end.cd_size;
	}
	if ((rc = th_zipdir_wheel_find(&wh, &end, cd, (size_t)end.cd_size, lim, src->what, err)))
		return rc;
	for (int k = 0; k < 2; k++) {
		const th_zipdir_member *m = k ? &wh.record : &wh.top_level;
		if (!m->present)
			continue;
		if (m->span_start >= src->size - tail_len) {
			span = tail + (m->span_start - (src->size - tail_len)); /* read already */
		} else {
			if ((rc = zipdir__read(&span, src, m->span_start, m->span_end - m->span_start, a, err)))
				return rc;
			out->bytes_read += m->span_end - m->span_start;
		}
		if ((rc = th_zipdir_member_read(k ? &out->record : &out->top_level,
						k ? &out->record_len : &out->top_level_len, m, span,
						(size_t)(m->span_end - m->span_start), lim, a, src->what, err)))
			return rc;
	}
	return 0;
}

int th_zipdir_wheel_mem(th_zipdir_texts *out, const void *buf, size_t len, const th_limits *lim, th_arena *a,
			const char *what, th_error *err)
{
	zipdir__src src = { -1, buf, len, what };
	return zipdir__wheel(out, &src, lim, a, err);
}

int th_zipdir_wheel_file(th_zipdir_texts *out, const char *path, const th_limits *lim, th_arena *a, th_error *err)
{
	zipdir__src src = { -1, NULL, 0, path };
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((src.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return th_error_set(err, TH_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(src.fd, &st) || !S_ISREG(st.st_mode))
		rc = th_error_set(err, TH_ERR_IO, "%s: not a regular file", path);
	else {
		src.size = (uint64_t)st.st_size;
		rc = zipdir__wheel(out, &src, lim, a, err);
	}
	close(src.fd);
	return rc;
}
