#include "extractors/imgsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

typedef struct imgsrc__ctx {
	th_imgsrc *out;
	const th_imgsrc_opts *o;
	const char *root;   /* without the leading "/": "" or "app/srv" */
	size_t rootlen;
	size_t cap;
	th_error *err;
} imgsrc__ctx;

static bool imgsrc__is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(p, word, n);
}

/* pythonX or pythonX.Y: an interpreter's library directory under lib/. */
static bool imgsrc__pylib(const char *p, size_t n)
{
	if (n < 7 || memcmp(p, "python", 6))
		return false;
	for (size_t i = 6; i < n; i++)
		if ((p[i] < '0' || p[i] > '9') && p[i] != '.')
			return false;
	return true;
}

bool th_imgsrc_skipped_dir(const char *rel, size_t len)
{
	const char *p = rel, *end = rel + len, *prev = NULL;
	size_t prevlen = 0;
	char name[256];

	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t n = slash ? (size_t)(slash - p) : (size_t)(end - p);

		if (n >= sizeof(name))
			return true; /* no real directory name is this long (name_bytes) */
		memcpy(name, p, n);
		name[n] = '\0';
		if (th_repowalk_skip_name(name, p == rel) || imgsrc__is(p, n, "site-packages") ||
		    imgsrc__is(p, n, "dist-packages") ||
		    (prev && (imgsrc__is(prev, prevlen, "lib") || imgsrc__is(prev, prevlen, "lib64")) && imgsrc__pylib(p, n)))
			return true;
		prev = p;
		prevlen = n;
		p += n + 1;
	}
	return false;
}

/* The part of an image path (relative to the image root) below our root,
 * or NULL when the path is not under it. */
static const char *imgsrc__below(const imgsrc__ctx *c, const char *path, size_t len, size_t *rlen)
{
	if (c->rootlen) {
		if (len <= c->rootlen + 1 || memcmp(path, c->root, c->rootlen) || path[c->rootlen] != '/')
			return NULL;
		path += c->rootlen + 1;
		len -= c->rootlen + 1;
	}
	*rlen = len;
	return path;
}

/* The kind of a file name (th_repofile_kind), -1 for a .txt kept for
 * includes, -2 for what is not wanted. */
static int imgsrc__kind(const char *rel, size_t len)
{
	const char *b = rel + len;
	char name[256];
	size_t n;
	int k;

	while (b > rel && b[-1] != '/')
		b--;
	n = (size_t)(rel + len - b);
	if (!n || n >= sizeof(name))
		return -2;
	memcpy(name, b, n);
	name[n] = '\0';
	if ((k = th_repowalk_kind(name)) >= 0)
		return k;
	return n > 4 && !strcmp(name + n - 4, ".txt") ? -1 : -2;
}

static bool imgsrc__want(void *ud, const char *path, size_t len)
{
	imgsrc__ctx *c = ud;
	size_t rlen;
	const char *rel = imgsrc__below(c, path, len, &rlen);
	const char *b;

	if (!rel || imgsrc__kind(rel, rlen) == -2)
		return false;
	b = rel + rlen;
	while (b > rel && b[-1] != '/')
		b--;
	return b == rel || !th_imgsrc_skipped_dir(rel, (size_t)(b - rel - 1));
}

/* The caller's excludes, against each directory on the way and the file. */
static bool imgsrc__excluded(const imgsrc__ctx *c, const char *rel)
{
	th_repowalk_opts wo = { c->o->exclude, c->o->nexclude, true };
	char buf[4097];
	size_t len = strlen(rel);

	if (!c->o->nexclude || len >= sizeof(buf))
		return false;
	memcpy(buf, rel, len + 1);
	for (size_t i = 0; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char keep = buf[i], *name = buf + i;
		buf[i] = '\0';
		while (name > buf && name[-1] != '/')
			name--;
		bool x = th_repowalk_excluded(&wo, buf, name);
		buf[i] = keep;
		if (x)
			return true;
	}
	return false;
}

static int imgsrc__file(void *ud, const char *path, size_t len, const void *data, size_t dlen)
{
	imgsrc__ctx *c = ud;
	th_imgsrc *s = c->out;
	size_t rlen;
	const char *rel = imgsrc__below(c, path + 1, len - 1, &rlen);
	th_imgsrc_file *f;
	int kind = rel ? imgsrc__kind(rel, rlen) : -2;

	if (kind == -2 || imgsrc__excluded(c, rel))
		return 0;
	if (!data) {
		s->unread += kind >= 0; /* over file_bytes, or not picked as it streamed */
		return 0;
	}
	if (s->nfiles == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		th_imgsrc_file *nf = th_arena_alloc(&s->arena, cap * sizeof(*nf));
		if (!nf)
			return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
		if (s->nfiles)
			memcpy(nf, s->files, s->nfiles * sizeof(*nf));
		s->files = nf;
		c->cap = cap;
	}
	f = &s->files[s->nfiles];
	f->kind = kind;
	f->len = dlen;
	if (!(f->rel = th_arena_strndup(&s->arena, rel, rlen)) || !(f->data = th_arena_alloc(&s->arena, dlen + 1)))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	memcpy((char *)f->data, data, dlen);
	((char *)f->data)[dlen] = '\0';
	s->nfiles++;
	return 0;
}

static int imgsrc__image(void *ud, const th_image_info *i)
{
	imgsrc__ctx *c = ud;

	if (!(c->out->format = th_arena_strdup(&c->out->arena, i->format)) ||
	    (i->config_digest && !(c->out->id = th_arena_strdup(&c->out->arena, i->config_digest))))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	return 0;
}

static int imgsrc__layer(void *ud, const th_image_layer *l)
{
	imgsrc__ctx *c = ud;

	c->out->layers++;
	c->out->cached_layers += l->cached;
	c->out->skipped += l->skipped;
	return 0;
}

static int imgsrc__cmp(const void *x, const void *y)
{
	return strcmp(((const th_imgsrc_file *)x)->rel, ((const th_imgsrc_file *)y)->rel);
}

int th_imgsrc_prepare(th_imgsrc *out, th_image_pick *out_pick, const th_imgsrc_opts *o, th_error *err)
{
	const char *root = o->root ? o->root : "/";
	imgsrc__ctx *c;
	size_t n;
	char *r, *tag;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(out_pick, 0, sizeof(*out_pick));
	th_arena_init(&out->arena, 1 << 16);
	if (root[0] != '/' || strstr(root, "/../") || strstr(root, "/./") || (n = strlen(root)) > o->lim->path_bytes ||
	    (n >= 3 && !strcmp(root + n - 3, "/..")) || (n >= 2 && !strcmp(root + n - 2, "/.")))
		return th_error_set(err, TH_ERR_USAGE, "--path: '%s' is not an absolute path in the image", root);
	/* the pick's state lives as long as the result it fills */
	if (!(c = th_arena_alloc(&out->arena, sizeof(*c))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	*c = (imgsrc__ctx){ out, o, NULL, 0, 0, err };
	/* "/app//srv/" is /app/srv: the root is compared with squashed paths */
	if (!(r = th_arena_alloc(&out->arena, n + 2)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	n = 0;
	for (const char *p = root; *p; p++)
		if (*p != '/' || (n && r[n - 1] != '/'))
			r[n++] = *p;
	if (n && r[n - 1] == '/')
		n--;
	r[n] = '\0';
	c->root = r;
	c->rootlen = n;
	if (!(out->root = th_arena_alloc(&out->arena, n + 2)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	snprintf(out->root, n + 2, "/%s", r);
	/* What the pick keeps depends on the root alone (excludes apply after).
	 * A long root is named by its hash: the cache key stays short. */
	if (!(tag = th_arena_alloc(&out->arena, TH_SHA256_HEX + 16)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (n <= 128) {
		snprintf(tag, TH_SHA256_HEX + 16, "imgsrc1 %s", out->root);
	} else {
		char hex[TH_SHA256_HEX];
		if ((rc = th_sha256_hex(hex, out->root, strlen(out->root), err)))
			return rc;
		snprintf(tag, TH_SHA256_HEX + 16, "imgsrc1 sha256:%s", hex);
	}
	*out_pick = (th_image_pick){ c, imgsrc__want, imgsrc__file, tag, false, o->lim->image_src_bytes,
				     imgsrc__image, imgsrc__layer };
	return 0;
}

void th_imgsrc_finish(th_imgsrc *s)
{
	if (s->nfiles > 1)
		qsort(s->files, s->nfiles, sizeof(*s->files), imgsrc__cmp);
}

int th_imgsrc_read(th_imgsrc *out, const char *ref, const th_imgsrc_opts *o, th_error *err)
{
	th_image_sink sink = { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	th_image_pick pick;
	th_image_opts io = { o->platform, false, o->lim, o->cache, NULL, NULL, &pick, &out->streams };
	int rc;

	if ((rc = th_imgsrc_prepare(out, &pick, o, err)))
		return rc;
	pick.only = true;
	if ((rc = th_image_scan(ref, &io, &sink, err)))
		return rc;
	th_imgsrc_finish(out);
	return 0;
}

void th_imgsrc_release(th_imgsrc *s)
{
	if (!s)
		return;
	th_arena_release(&s->arena);
	memset(s, 0, sizeof(*s));
}
