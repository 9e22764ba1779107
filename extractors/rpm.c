#include "extractors/rpm.h"

#include <stdio.h>
#include <string.h>

enum {
	TAG_NAME = 1000, TAG_VERSION = 1001, TAG_RELEASE = 1002, TAG_EPOCH = 1003, TAG_ARCH = 1022,
	TAG_SOURCERPM = 1044, TAG_DIRINDEXES = 1116, TAG_BASENAMES = 1117, TAG_DIRNAMES = 1118,
	TYPE_INT32 = 4, TYPE_STRING = 6, TYPE_STRING_ARRAY = 8, TYPE_I18NSTRING = 9,
	MAX_INDEX = 100000
};

static uint32_t rpm__be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct hdr {
	const unsigned char *index, *data;
	uint32_t il, dl;
} hdr;

/* Finds a tag: its type, offset into the data store, count. */
static int rpm__find(const hdr *h, uint32_t tag, uint32_t *type, uint32_t *off, uint32_t *count)
{
	for (uint32_t i = 0; i < h->il; i++) {
		const unsigned char *e = h->index + 16 * (size_t)i;
		if (rpm__be32(e) != tag)
			continue;
		*type = rpm__be32(e + 4);
		*off = rpm__be32(e + 8);
		*count = rpm__be32(e + 12);
		return *off < h->dl ? 0 : -1;
	}
	return -1;
}

/* The strings of a STRING / STRING_ARRAY / I18NSTRING tag: each must end in
 * a NUL inside the data store. */
static const char **rpm__strings(const hdr *h, uint32_t tag, uint32_t *n, uint32_t max, th_arena *a)
{
	uint32_t type, off, count;

	*n = 0;
	if (rpm__find(h, tag, &type, &off, &count) ||
	    (type != TYPE_STRING && type != TYPE_STRING_ARRAY && type != TYPE_I18NSTRING) || count > max)
		return NULL;
	if (type == TYPE_STRING)
		count = 1;
	const char **v = th_arena_alloc(a, (count ? count : 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < count; i++) {
		const char *s = (const char *)h->data + off;
		const char *z = memchr(s, '\0', h->dl - off);
		if (!z)
			return NULL;
		v[i] = s;
		off += (uint32_t)(z - s) + 1;
		if (off >= h->dl && i + 1 < count)
			return NULL;
	}
	*n = count;
	return v;
}

static const char *rpm__string(const hdr *h, uint32_t tag, th_arena *a)
{
	uint32_t n;
	const char **v = rpm__strings(h, tag, &n, 1, a);
	return v && n ? v[0] : "";
}

int th_rpm_header_parse(th_rpm_pkg *out, const void *blob, size_t len, size_t max_files, th_arena *a,
			th_error *err)
{
	const unsigned char *b = blob;
	hdr h;
	uint32_t type, off, count;

	memset(out, 0, sizeof(*out));
	out->epoch = -1;
	if (len < 8)
		return th_error_set(err, TH_ERR_INVALID, "rpm header: too short");
	h.il = rpm__be32(b);
	h.dl = rpm__be32(b + 4);
	if (h.il == 0 || h.il > MAX_INDEX || (uint64_t)h.il * 16 + h.dl + 8 > len)
		return th_error_set(err, TH_ERR_INVALID, "rpm header: index of %u entries and %u data bytes do not fit in %zu",
				    h.il, h.dl, len);
	h.index = b + 8;
	h.data = h.index + 16 * (size_t)h.il;
	/* The data store is copied into the arena so the strings outlive the blob
	 * and end in a NUL even when the last one did not. */
	unsigned char *copy = th_arena_alloc(a, (size_t)h.dl + 1);
	if (!copy)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	memcpy(copy, h.data, h.dl);
	copy[h.dl] = '\0';
	h.data = copy;
	out->name = rpm__string(&h, TAG_NAME, a);
	out->version = rpm__string(&h, TAG_VERSION, a);
	out->release = rpm__string(&h, TAG_RELEASE, a);
	out->arch = rpm__string(&h, TAG_ARCH, a);
	out->sourcerpm = rpm__string(&h, TAG_SOURCERPM, a);
	if (!rpm__find(&h, TAG_EPOCH, &type, &off, &count) && type == TYPE_INT32 && count >= 1 && off % 4 == 0 &&
	    (uint64_t)off + 4 <= h.dl)
		out->epoch = rpm__be32(h.data + off);
	if (!*out->name || !*out->version)
		return th_error_set(err, TH_ERR_INVALID, "rpm header: no NAME or VERSION");
	/* Files: BASENAMES[i] in DIRNAMES[DIRINDEXES[i]]. */
	uint32_t nb = 0, nd = 0;
	const char **base = rpm__strings(&h, TAG_BASENAMES, &nb, (uint32_t)(max_files < UINT32_MAX ? max_files : UINT32_MAX), a);
	const char **dirs = rpm__strings(&h, TAG_DIRNAMES, &nd, MAX_INDEX * 10, a);
	if (base && dirs && !rpm__find(&h, TAG_DIRINDEXES, &type, &off, &count) && type == TYPE_INT32 && count == nb &&
	    off % 4 == 0 && (uint64_t)off + 4ull * count <= h.dl) {
		out->files = th_arena_alloc(a, (nb ? nb : 1) * sizeof(*out->files));
		for (uint32_t i = 0; out->files && i < nb; i++) {
			uint32_t di = rpm__be32(h.data + off + 4 * (size_t)i);
			if (di >= nd)
				continue;
			size_t dl = strlen(dirs[di]), bl = strlen(base[i]);
			char *p = th_arena_alloc(a, dl + bl + 1);
			if (!p)
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
			memcpy(p, dirs[di], dl);
			memcpy(p + dl, base[i], bl + 1);
			out->files[out->nfiles++] = p;
		}
	}
	return 0;
}

const char *th_rpm_evr(const th_rpm_pkg *p, th_arena *a)
{
	char buf[64];
	size_t vl = strlen(p->version), rl = strlen(p->release);
	int el = p->epoch >= 0 ? snprintf(buf, sizeof(buf), "%lld:", (long long)p->epoch) : 0;
	char *o = th_arena_alloc(a, (size_t)el + vl + rl + 2);

	if (!o)
		return NULL;
	memcpy(o, buf, (size_t)el);
	memcpy(o + el, p->version, vl);
	if (rl) {
		o[(size_t)el + vl] = '-';
		memcpy(o + el + vl + 1, p->release, rl + 1);
	} else {
		o[(size_t)el + vl] = '\0';
	}
	return o;
}
