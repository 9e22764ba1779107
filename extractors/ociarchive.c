#include "extractors/ociarchive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/io.h"

typedef struct member {
	const char *name; /* normalised, arena */
	const char *link; /* link target as written, arena; NULL unless a link */
	char type;        /* '0' file, '1' hardlink, '2' symlink, '5' dir, other */
	uint64_t offset, size;
} member;

struct th_ociarchive {
	int fd;
	const unsigned char *mem; /* in-memory tar, or NULL */
	size_t mem_len;
	const char *what;         /* arena */
	const th_limits *lim;
	th_arena arena;
	member *m;
	size_t n, cap;
};

enum { BLK = 512, PAX_MAX = 1 << 20 };

static int ar__read(th_ociarchive *a, void *buf, size_t len, uint64_t off, th_error *err)
{
	if (a->mem) {
		if (off > a->mem_len || len > a->mem_len - off)
			return th_error_set(err, TH_ERR_INVALID, "%s: archive is truncated", a->what);
		memcpy(buf, a->mem + off, len);
		return 0;
	}
	ssize_t got = th_io_pread_all(a->fd, buf, len, off);
	if (got < 0)
		return th_error_set(err, TH_ERR_IO, "%s: cannot read: %s", a->what, strerror(errno));
	if ((size_t)got < len)
		return th_error_set(err, TH_ERR_INVALID, "%s: archive is truncated", a->what);
	return 0;
}

/* Octal (space or NUL terminated), or GNU base-256 when the high bit is set. */
static int ar__number(const unsigned char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return -1; /* negative or huge */
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return -1;
			v = (v << 8) | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	if (i < len && f[i] != ' ' && f[i] != '\0')
		return -1;
	*out = v;
	return 0;
}

static bool ar__checksum_ok(const unsigned char *h)
{
	uint64_t want, sum = 0;

	if (ar__number(h + 148, 8, &want))
		return false;
	for (int i = 0; i < BLK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

static const char *ar__clean(th_ociarchive *a, const char *s, size_t len)
{
	char *c;
	size_t i = 0, o = 0;

	c = th_arena_alloc(&a->arena, len + 1);
	if (!c)
		return NULL;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != '/')
			j++;
		size_t cl = j - i;
		if (cl == 2 && s[i] == '.' && s[i + 1] == '.')
			return NULL;
		if (cl && !(cl == 1 && s[i] == '.')) {
			if (o)
				c[o++] = '/';
			memcpy(c + o, s + i, cl);
			o += cl;
		}
		i = j + 1;
	}
	c[o] = '\0';
	return o ? c : NULL;
}

/* Reads "LEN key=value\n" records; picks path, linkpath and size. */
static int ar__pax(th_ociarchive *a, const char *p, size_t len, const char **path, size_t *plen,
		   const char **link, size_t *llen, uint64_t *size, bool *has_size)
{
	size_t i = 0;

	while (i < len) {
		size_t n = 0, j = i;
		while (j < len && p[j] >= '0' && p[j] <= '9' && n < PAX_MAX)
			n = n * 10 + (size_t)(p[j++] - '0');
		if (j >= len || p[j] != ' ' || n < 5 || n > len - i)
			return -1;
		const char *kv = p + j + 1, *end = p + i + n - 1; /* end: the '\n' */
		if (*end != '\n')
			return -1;
		const char *eq = memchr(kv, '=', (size_t)(end - kv));
		if (!eq)
			return -1;
		size_t klen = (size_t)(eq - kv);
		if (klen == 4 && !memcmp(kv, "path", 4)) {
			*path = eq + 1;
			*plen = (size_t)(end - eq - 1);
		} else if (klen == 8 && !memcmp(kv, "linkpath", 8)) {
			*link = eq + 1;
			*llen = (size_t)(end - eq - 1);
		} else if (klen == 4 && !memcmp(kv, "size", 4)) {
			uint64_t v = 0;
			for (const char *q = eq + 1; q < end; q++) {
				if (*q < '0' || *q > '9' || v >> 59)
					return -1;
				v = v * 10 + (uint64_t)(*q - '0');
			}
			*size = v;
			*has_size = true;
		}
		i += n;
	}
	return 0;
}

static int ar__add(th_ociarchive *a, const member *m, th_error *err)
{
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 64;
		member *nm = realloc(a->m, nc * sizeof(*nm));
		if (!nm)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		a->m = nm;
		a->cap = nc;
	}
	a->m[a->n++] = *m;
	return 0;
}

static int ar__index(th_ociarchive *a, th_error *err)
{
	unsigned char h[BLK];
	uint64_t off = 0, total = a->mem ? a->mem_len : 0;
	char *longname = NULL, *longlink = NULL, *pax = NULL;
	size_t longname_len = 0, longlink_len = 0, pax_len = 0;
	int rc = 0;

	if (!a->mem) {
		off_t end = lseek(a->fd, 0, SEEK_END);
		if (end < 0)
			return th_error_set(err, TH_ERR_IO, "%s: cannot seek: %s", a->what, strerror(errno));
		total = (uint64_t)end;
	}
	for (;;) {
		if (off + BLK > total) {
			if (off == total && a->n)
				break; /* no end marker: tolerated, as GNU tar does */
			return th_error_set(err, TH_ERR_INVALID, "%s: not a tar archive or truncated at byte %llu", a->what,
					    (unsigned long long)off);
		}
		if ((rc = ar__read(a, h, BLK, off, err)))
			return rc;
		bool zero = true;
		for (int i = 0; i < BLK && zero; i++)
			zero = h[i] == 0;
		if (zero) {
			if (!a->n)
				return th_error_set(err, TH_ERR_INVALID, "%s: empty tar archive", a->what);
			break;
		}
		if (!ar__checksum_ok(h))
			return th_error_set(err, TH_ERR_INVALID, "%s: not a tar archive (bad header checksum at byte %llu)",
					    a->what, (unsigned long long)off);
		uint64_t size;
		if (ar__number(h + 124, 12, &size))
			return th_error_set(err, TH_ERR_INVALID, "%s: bad size field at byte %llu", a->what,
					    (unsigned long long)off);
		char type = (char)h[156];
		uint64_t data = off + BLK;
		if (size > total || data > total - size)
			return th_error_set(err, TH_ERR_INVALID, "%s: member at byte %llu runs past the end", a->what,
					    (unsigned long long)off);
		uint64_t next = data + ((size + BLK - 1) / BLK) * BLK;
		if (type == 'L' || type == 'K' || type == 'x') {
			if (size > PAX_MAX || size > a->lim->path_bytes * 4 + 4096)
				return th_error_set(err, TH_ERR_LIMIT, "%s: extended header of %llu bytes", a->what,
						    (unsigned long long)size);
			char *buf = th_arena_alloc(&a->arena, (size_t)size + 1);
			if (!buf)
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
			if ((rc = ar__read(a, buf, (size_t)size, data, err)))
				return rc;
			buf[size] = '\0';
			if (type == 'L') {
				longname = buf;
				longname_len = strnlen(buf, (size_t)size);
			} else if (type == 'K') {
				longlink = buf;
				longlink_len = strnlen(buf, (size_t)size);
			} else {
				pax = buf;
				pax_len = (size_t)size;
			}
			off = next;
			continue;
		}
		const char *name = (const char *)h, *link = (const char *)h + 157;
		size_t nlen = strnlen(name, 100), llen = strnlen(link, 100);
		char full[256];
		if (!memcmp(h + 257, "ustar", 5) && h[345]) {
			size_t plen = strnlen((const char *)h + 345, 155);
			memcpy(full, h + 345, plen);
			full[plen] = '/';
			memcpy(full + plen + 1, name, nlen);
			name = full;
			nlen += plen + 1;
		}
		if (longname) {
			name = longname;
			nlen = longname_len;
		}
		if (longlink) {
			link = longlink;
			llen = longlink_len;
		}
		bool has_size = false;
		if (pax && ar__pax(a, pax, pax_len, &name, &nlen, &link, &llen, &size, &has_size))
			return th_error_set(err, TH_ERR_INVALID, "%s: bad pax header before byte %llu", a->what,
					    (unsigned long long)off);
		if (has_size) {
			if (size > total || data > total - size)
				return th_error_set(err, TH_ERR_INVALID, "%s: member at byte %llu runs past the end", a->what,
						    (unsigned long long)off);
			next = data + ((size + BLK - 1) / BLK) * BLK;
		}
		longname = longlink = pax = NULL;
		if (nlen > a->lim->path_bytes || llen > a->lim->path_bytes)
			return th_error_set(err, TH_ERR_LIMIT, "%s: member name longer than %llu bytes (path_bytes)", a->what,
					    (unsigned long long)a->lim->path_bytes);
		if (a->n >= a->lim->entries)
			return th_error_set(err, TH_ERR_LIMIT, "%s: more than %llu members (entries)", a->what,
					    (unsigned long long)a->lim->entries);
		member m = { ar__clean(a, name, nlen), NULL, type == '\0' ? '0' : type, data, size };
		if (m.name && (type == '1' || type == '2'))
			m.link = th_arena_strndup(&a->arena, link, llen);
		if (m.name && (rc = ar__add(a, &m, err)))
			return rc;
		off = next;
	}
	return 0;
}

static int ar__open(th_ociarchive **out, int fd, const void *mem, size_t len, const char *what,
		    const th_limits *lim, th_error *err)
{
	th_ociarchive *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	a->fd = fd;
	a->mem = mem;
	a->mem_len = len;
	a->lim = lim;
	th_arena_init(&a->arena, 16 * 1024);
	a->what = th_arena_strdup(&a->arena, what);
	if (!a->what) {
		th_ociarchive_free(a);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	if ((rc = ar__index(a, err))) {
		th_ociarchive_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

int th_ociarchive_open(th_ociarchive **out, int fd, const char *what, const th_limits *lim, th_error *err)
{
	return ar__open(out, fd, NULL, 0, what, lim, err);
}

int th_ociarchive_open_mem(th_ociarchive **out, const void *data, size_t len, const char *what,
			   const th_limits *lim, th_error *err)
{
	static const unsigned char none[1];
	return ar__open(out, -1, data ? data : none, len, what, lim, err);
}

void th_ociarchive_free(th_ociarchive *a)
{
	if (!a)
		return;
	th_arena_release(&a->arena);
	free(a->m);
	free(a);
}

static const member *ar__lookup(const th_ociarchive *a, const char *name)
{
	/* The last member of a name wins, as when a tar is extracted. */
	for (size_t i = a->n; i-- > 0;)
		if (!strcmp(a->m[i].name, name))
			return &a->m[i];
	return NULL;
}

int th_ociarchive_find(const th_ociarchive *a, const char *name, uint64_t *offset, uint64_t *size,
		       th_error *err)
{
	char path[4200], next[4200];
	const member *m;

	if (strlen(name) >= sizeof(path))
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: no member %.64s...", a->what, name);
	snprintf(path, sizeof(path), "%s", name);
	for (unsigned hops = 0;; hops++) {
		const char *p = path;
		while (*p == '/' || (p[0] == '.' && p[1] == '/'))
			p += *p == '/' ? 1 : 2;
		m = ar__lookup(a, p);
		if (!m)
			return th_error_set(err, TH_ERR_NOTFOUND, "%s: no member %s", a->what, name);
		if (m->type != '1' && m->type != '2')
			break;
		if (hops >= a->lim->symlink_depth)
			return th_error_set(err, TH_ERR_LIMIT, "%s: member %s: too many links (symlink_depth)", a->what, name);
		/* Hardlink targets are archive paths; symlinks are relative to the
		 * member's directory. Either way the result is cleaned of ".." by
		 * resolving lexically, and can never leave the archive. */
		const char *slash = strrchr(m->name, '/');
		int dl = m->type == '2' && slash && m->link[0] != '/' ? (int)(slash - m->name) : 0;
		if ((size_t)snprintf(next, sizeof(next), "%.*s%s%s", dl, m->name, dl ? "/" : "", m->link) >= sizeof(next))
			return th_error_set(err, TH_ERR_LIMIT, "%s: member %s: link too long", a->what, name);
		/* lexical clean with ".." clamped at the archive root */
		size_t o = 0;
		for (const char *s = next; *s;) {
			const char *e = strchr(s, '/');
			size_t cl = e ? (size_t)(e - s) : strlen(s);
			if (cl == 2 && s[0] == '.' && s[1] == '.') {
				while (o && path[o - 1] != '/')
					o--;
				if (o)
					o--;
			} else if (cl && !(cl == 1 && s[0] == '.')) {
				if (o)
					path[o++] = '/';
				memcpy(path + o, s, cl);
				o += cl;
			}
			s += cl + (e ? 1 : 0);
		}
		path[o] = '\0';
	}
	if (m->type != '0' && m->type != '7')
		return th_error_set(err, TH_ERR_INVALID, "%s: member %s is not a regular file", a->what, name);
	*offset = m->offset;
	*size = m->size;
	return 0;
}

int th_ociarchive_read(const th_ociarchive *a, const char *name, uint64_t max, th_buf *out, th_error *err)
{
	uint64_t off, size;
	int rc;

	if ((rc = th_ociarchive_find(a, name, &off, &size, err)))
		return rc;
	if (size > max)
		return th_error_set(err, TH_ERR_LIMIT, "%s: member %s of %llu bytes exceeds %llu", a->what, name,
				    (unsigned long long)size, (unsigned long long)max);
	th_buf_clear(out);
	if ((rc = th_buf_grow(out, (size_t)size, err)))
		return rc;
	if ((rc = ar__read((th_ociarchive *)a, out->ptr, (size_t)size, off, err)))
		return rc;
	out->len = (size_t)size;
	out->ptr[size] = '\0';
	return 0;
}

bool th_ociarchive_has(const th_ociarchive *a, const char *name)
{
	uint64_t o, s;
	return th_ociarchive_find(a, name, &o, &s, NULL) == 0;
}

size_t th_ociarchive_count(const th_ociarchive *a)
{
	return a->n;
}
