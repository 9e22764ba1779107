#include "extractors/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/io.h"
#include "core/json.h"

enum { MAX_INDEX_DEPTH = 8 };

typedef struct oci_ctx {
	const th_oci_src *src;
	const th_limits *lim;
	th_oci_image *img;
	const char *want_os, *want_arch, *want_variant;
	bool lenient; /* no platform asked for */
} oci_ctx;

int th_oci_openat(int dirfd, const char *path, int flags, const char *what, th_error *err)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
		/* No openat2 (old kernel or a seccomp filter): walk component by
		 * component without following symlinks. */
		char comp[256];
		int cur = dup(dirfd);
		const char *p = path;
		while (cur >= 0 && *p) {
			const char *e = strchr(p, '/');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (len == 0 || len >= sizeof(comp) || (len == 2 && p[0] == '.' && p[1] == '.')) {
				close(cur);
				cur = -1;
				errno = EXDEV;
				break;
			}
			memcpy(comp, p, len);
			comp[len] = '\0';
			int nfd = openat(cur, comp, (e ? O_DIRECTORY | O_RDONLY : flags) | O_NOFOLLOW | O_CLOEXEC);
			close(cur);
			cur = nfd;
			p += len + (e ? 1 : 0);
		}
		fd = cur;
	}
	if (fd < 0)
		return th_error_set(err, errno == ENOENT ? TH_ERR_NOTFOUND : TH_ERR_IO, "%s: cannot open %s: %s", what, path,
				    errno == ELOOP || errno == EXDEV ? "symlinks and escapes are refused" : strerror(errno));
	return fd;
}

int th_oci_locate(const th_oci_src *src, const char *path, int *fd, int *owned, uint64_t *offset, uint64_t *size,
		  th_error *err)
{
	struct stat st;
	int f;

	if (src->ar) {
		*fd = src->fd;
		*owned = 0;
		return th_ociarchive_find(src->ar, path, offset, size, err);
	}
	if ((f = th_oci_openat(src->dirfd, path, O_RDONLY, src->what, err)) < 0)
		return f;
	if (fstat(f, &st) || !S_ISREG(st.st_mode)) {
		close(f);
		return th_error_set(err, TH_ERR_INVALID, "%s: %s is not a regular file", src->what, path);
	}
	*fd = f;
	*owned = 1;
	*offset = 0;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Reads a small file of the input whole. */
static int oci__read(const oci_ctx *c, const char *path, th_buf *out, th_error *err)
{
	uint64_t off, size;
	int fd, owned, rc;

	if (c->src->ar)
		return th_ociarchive_read(c->src->ar, path, c->lim->json_bytes, out, err);
	if ((rc = th_oci_locate(c->src, path, &fd, &owned, &off, &size, err)))
		return rc;
	if (size > c->lim->json_bytes) {
		rc = th_error_set(err, TH_ERR_LIMIT, "%s: %s of %llu bytes exceeds %llu (json_bytes)", c->src->what, path,
				  (unsigned long long)size, (unsigned long long)c->lim->json_bytes);
		goto done;
	}
	th_buf_clear(out);
	if ((rc = th_buf_grow(out, (size_t)size, err)))
		goto done;
	if (th_io_pread_all(fd, out->ptr, (size_t)size, off) != (ssize_t)size) {
		rc = th_error_set(err, TH_ERR_IO, "%s: cannot read %s", c->src->what, path);
		goto done;
	}
	out->len = (size_t)size;
	out->ptr[size] = '\0';
done:
	if (owned)
		close(fd);
	return rc;
}

static bool oci__digest_ok(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != 71)
		return false;
	for (int i = 7; i < 71; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	return true;
}

/* Reads and verifies a JSON blob named by a descriptor, then parses it. */
static int oci__blob_json(const oci_ctx *c, const th_json *desc, const char *role, th_json **out, th_error *err)
{
	const char *digest = th_json_str(th_json_get(desc, "digest"), NULL);
	th_json *sz = th_json_get(desc, "size");
	char path[96], hex[TH_SHA256_HEX];
	th_buf b = TH_BUF_INIT;
	int rc;

	*out = NULL;
	if (!oci__digest_ok(digest))
		return th_error_set(err, TH_ERR_INVALID, "%s: %s descriptor has no valid sha256 digest", c->src->what, role);
	if (th_json_typeof(sz) != TH_JSON_INT || th_json_int(sz) < 0)
		return th_error_set(err, TH_ERR_INVALID, "%s: %s descriptor %s has no valid size", c->src->what, role,
				    digest);
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest + 7);
	if ((rc = oci__read(c, path, &b, err))) {
		if (rc == TH_ERR_NOTFOUND) {
			th_error_clear(err);
			rc = th_error_set(err, TH_ERR_NOTFOUND, "%s: %s blob %s is missing", c->src->what, role, digest);
		}
		goto done;
	}
	if ((uint64_t)th_json_int(sz) != b.len) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: %s blob %s is %zu bytes, its descriptor says %lld", c->src->what,
				  role, digest, b.len, (long long)th_json_int(sz));
		goto done;
	}
	if ((rc = th_sha256_hex(hex, b.ptr, b.len, err)))
		goto done;
	if (strcmp(hex, digest + 7)) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: %s blob %s has digest sha256:%s", c->src->what, role, digest, hex);
		goto done;
	}
	rc = th_json_parse(out, b.ptr, b.len, (unsigned)c->lim->json_depth, digest, err);
done:
	th_buf_release(&b);
	return rc;
}

static const char *oci__dup(oci_ctx *c, const char *s)
{
	return th_arena_strdup(&c->img->arena, s ? s : "");
}

static int oci__strings(oci_ctx *c, const th_json *arr, const char ***out, size_t *n, th_error *err)
{
	size_t len = th_json_typeof(arr) == TH_JSON_ARRAY ? th_json_len(arr) : 0;

	*out = NULL;
	*n = 0;
	if (!len)
		return 0;
	*out = th_arena_zalloc(&c->img->arena, len * sizeof(**out));
	if (!*out)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		const char *s = th_json_str(th_json_at(arr, i), NULL);
		if (s && !((*out)[(*n)++] = oci__dup(c, s)))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* Fills the image from a parsed config and the layer list. */
static int oci__config(oci_ctx *c, const th_json *cfg, th_error *err)
{
	th_oci_image *img = c->img;
	const th_json *conf = th_json_get(cfg, "config");
	const th_json *diff = th_json_get(th_json_get(cfg, "rootfs"), "diff_ids");
	const th_json *labels = th_json_get(conf, "Labels");
	int rc;

	if (th_json_typeof(cfg) != TH_JSON_OBJECT)
		return th_error_set(err, TH_ERR_INVALID, "%s: image config is not a JSON object", c->src->what);
	img->os = oci__dup(c, th_json_str(th_json_get(cfg, "os"), NULL));
	img->arch = oci__dup(c, th_json_str(th_json_get(cfg, "architecture"), NULL));
	img->variant = oci__dup(c, th_json_str(th_json_get(cfg, "variant"), NULL));
	if ((rc = oci__strings(c, th_json_get(conf, "Env"), &img->env, &img->nenv, err)) ||
	    (rc = oci__strings(c, th_json_get(conf, "Entrypoint"), &img->entrypoint, &img->nentrypoint, err)) ||
	    (rc = oci__strings(c, th_json_get(conf, "Cmd"), &img->cmd, &img->ncmd, err)))
		return rc;
	if (th_json_typeof(labels) == TH_JSON_OBJECT && th_json_len(labels)) {
		const char *k;
		th_json *v;
		img->labels = th_arena_zalloc(&img->arena, th_json_len(labels) * sizeof(*img->labels));
		if (!img->labels)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		for (size_t i = 0; th_json_member(labels, i, &k, &v); i++)
			if (th_json_str(v, NULL))
				img->labels[img->nlabels++] = (th_oci_kv){ oci__dup(c, k), oci__dup(c, th_json_str(v, NULL)) };
	}
	if (th_json_typeof(th_json_get(cfg, "history")) == TH_JSON_ARRAY && th_json_len(th_json_get(cfg, "history"))) {
		const th_json *h = th_json_get(cfg, "history");
		img->history = th_arena_zalloc(&img->arena, th_json_len(h) * sizeof(*img->history));
		if (!img->history)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < th_json_len(h); i++) {
			const th_json *e = th_json_at(h, i);
			th_oci_history *o = &img->history[img->nhistory++];
			const char *at = th_json_str(th_json_get(e, "created"), NULL);
			const char *by = th_json_str(th_json_get(e, "created_by"), NULL);
			o->created = at ? oci__dup(c, at) : NULL;
			o->created_by = by ? oci__dup(c, by) : NULL;
			const char *au = th_json_str(th_json_get(e, "author"), NULL);
			const char *cm = th_json_str(th_json_get(e, "comment"), NULL);
			o->author = au ? oci__dup(c, au) : NULL;
			o->comment = cm ? oci__dup(c, cm) : NULL;
			o->empty_layer = th_json_typeof(th_json_get(e, "empty_layer")) == TH_JSON_BOOL &&
					 th_json_bool(th_json_get(e, "empty_layer"));
		}
	}
	if (th_json_typeof(diff) != TH_JSON_ARRAY || th_json_len(diff) != img->nlayers)
		return th_error_set(err, TH_ERR_INVALID, "%s: the config lists %zu diff_ids for %zu layers", c->src->what,
				    th_json_typeof(diff) == TH_JSON_ARRAY ? th_json_len(diff) : 0, img->nlayers);
	for (size_t i = 0; i < img->nlayers; i++) {
		const char *d = th_json_str(th_json_at(diff, i), NULL);
		if (!oci__digest_ok(d))
			return th_error_set(err, TH_ERR_INVALID, "%s: diff_id %zu of the config is not a sha256 digest",
					    c->src->what, i);
		img->layers[i].diff_id = oci__dup(c, d);
	}
	return 0;
}

static int oci__alloc_layers(th_oci_image *img, size_t n, th_error *err)
{
	img->nlayers = n;
	img->layers = th_arena_zalloc(&img->arena, (n + 1) * sizeof(*img->layers));
	return img->layers ? 0 : th_error_set(err, TH_ERR_NOMEM, "out of memory");
}

static bool oci__is_index(const char *mt)
{
	return mt && (!strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
		      !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

static bool oci__platform_match(const oci_ctx *c, const char *os, const char *arch, const char *variant)
{
	if (!os || !arch || strcmp(os, c->want_os) || strcmp(arch, c->want_arch))
		return false;
	return !*c->want_variant || (variant && !strcmp(variant, c->want_variant));
}

/* Loads a manifest and its config; *matched says whether the config's
 * platform is the one asked for. On a match, the image is filled. */
static int oci__manifest(oci_ctx *c, const th_json *desc, bool need_match, bool *matched, th_error *err)
{
	th_json *man = NULL, *cfg = NULL;
	const th_json *layers;
	th_oci_image *img = c->img;
	int rc;

	*matched = false;
	if ((rc = oci__blob_json(c, desc, "manifest", &man, err)))
		goto done;
	layers = th_json_get(man, "layers");
	if (th_json_typeof(man) != TH_JSON_OBJECT || th_json_typeof(layers) != TH_JSON_ARRAY) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: manifest %s has no layers array", c->src->what,
				  th_json_str(th_json_get(desc, "digest"), NULL));
		goto done;
	}
	if ((rc = oci__blob_json(c, th_json_get(man, "config"), "config", &cfg, err)))
		goto done;
	if (need_match && !oci__platform_match(c, th_json_str(th_json_get(cfg, "os"), NULL),
					       th_json_str(th_json_get(cfg, "architecture"), NULL),
					       th_json_str(th_json_get(cfg, "variant"), NULL)))
		goto done;
	*matched = true;
	img->manifest_digest = oci__dup(c, th_json_str(th_json_get(desc, "digest"), NULL));
	img->config_digest = oci__dup(c, th_json_str(th_json_get(th_json_get(man, "config"), "digest"), NULL));
	if ((rc = oci__alloc_layers(img, th_json_len(layers), err)))
		goto done;
	for (size_t i = 0; i < img->nlayers; i++) {
		const th_json *l = th_json_at(layers, i);
		const char *d = th_json_str(th_json_get(l, "digest"), NULL);
		const char *mt = th_json_str(th_json_get(l, "mediaType"), NULL);
		th_json *sz = th_json_get(l, "size");
		char path[96];
		if (!oci__digest_ok(d) || th_json_typeof(sz) != TH_JSON_INT || th_json_int(sz) < 0) {
			rc = th_error_set(err, TH_ERR_INVALID, "%s: layer %zu of the manifest has no valid digest and size",
					  c->src->what, i);
			goto done;
		}
		if (mt && !strstr(mt, "tar") && !strstr(mt, "layer")) {
			rc = th_error_set(err, TH_ERR_UNSUPPORTED, "%s: layer %s has media type %s, not a tar layer",
					  c->src->what, d, mt);
			goto done;
		}
		snprintf(path, sizeof(path), "blobs/sha256/%s", d + 7);
		img->layers[i] = (th_oci_layer){ oci__dup(c, mt), oci__dup(c, d), (uint64_t)th_json_int(sz),
						 oci__dup(c, path), NULL };
	}
	rc = oci__config(c, cfg, err);
done:
	th_json_free(man);
	th_json_free(cfg);
	return rc;
}

static bool oci__attestation(const th_json *desc)
{
	const th_json *p = th_json_get(desc, "platform");
	const char *t = th_json_str(th_json_get(th_json_get(desc, "annotations"), "vnd.docker.reference.type"), NULL);

	if (t && !strcmp(t, "attestation-manifest"))
		return true;
	const char *os = th_json_str(th_json_get(p, "os"), NULL);
	return os && !strcmp(os, "unknown");
}

/* Walks an index (and the indexes it names) for the wanted manifest. */
static int oci__index(oci_ctx *c, const th_json *idx, int depth, bool *found, th_error *err)
{
	const th_json *ms = th_json_get(idx, "manifests");
	size_t n;
	int rc;

	if (depth > MAX_INDEX_DEPTH)
		return th_error_set(err, TH_ERR_LIMIT, "%s: indexes nest more than %d deep", c->src->what, MAX_INDEX_DEPTH);
	if (th_json_typeof(idx) != TH_JSON_OBJECT || th_json_typeof(ms) != TH_JSON_ARRAY)
		return th_error_set(err, TH_ERR_INVALID, "%s: index has no manifests array", c->src->what);
	n = th_json_len(ms);
	for (size_t i = 0; i < n && !*found; i++) {
		const th_json *d = th_json_at(ms, i), *p = th_json_get(d, "platform");
		const char *mt = th_json_str(th_json_get(d, "mediaType"), NULL);
		if (oci__attestation(d))
			continue;
		if (p && !oci__platform_match(c, th_json_str(th_json_get(p, "os"), NULL),
					      th_json_str(th_json_get(p, "architecture"), NULL),
					      th_json_str(th_json_get(p, "variant"), NULL)) &&
		    !(c->lenient && n == 1 && depth == 0))
			continue;
		if (oci__is_index(mt)) {
			th_json *sub;
			if ((rc = oci__blob_json(c, d, "index", &sub, err)))
				return rc;
			rc = oci__index(c, sub, depth + 1, found, err);
			th_json_free(sub);
			if (rc)
				return rc;
			continue;
		}
		bool need = !p && !(c->lenient && n == 1 && depth == 0);
		if ((rc = oci__manifest(c, d, need, found, err)))
			return rc;
	}
	return 0;
}

static int oci__docker(oci_ctx *c, th_error *err)
{
	th_buf b = TH_BUF_INIT;
	th_json *man = NULL, *cfg = NULL;
	th_oci_image *img = c->img;
	const th_json *e, *layers;
	const char *cfgpath;
	int rc;

	if ((rc = oci__read(c, "manifest.json", &b, err)) ||
	    (rc = th_json_parse(&man, b.ptr, b.len, (unsigned)c->lim->json_depth, "manifest.json", err)))
		goto done;
	e = th_json_at(man, 0);
	cfgpath = th_json_str(th_json_get(e, "Config"), NULL);
	layers = th_json_get(e, "Layers");
	if (th_json_typeof(man) != TH_JSON_ARRAY || !cfgpath || th_json_typeof(layers) != TH_JSON_ARRAY) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: manifest.json has no image with Config and Layers", c->src->what);
		goto done;
	}
	img->format = "docker-archive";
	if ((rc = oci__read(c, cfgpath, &b, err)) ||
	    (rc = th_json_parse(&cfg, b.ptr, b.len, (unsigned)c->lim->json_depth, cfgpath, err)))
		goto done;
	{
		char hex[TH_SHA256_HEX];
		if ((rc = th_sha256_hex(hex, b.ptr, b.len, err)))
			goto done;
		char d[TH_SHA256_HEX + 8];
		snprintf(d, sizeof(d), "sha256:%s", hex);
		img->config_digest = oci__dup(c, d);
	}
	if ((rc = oci__alloc_layers(img, th_json_len(layers), err)))
		goto done;
	for (size_t i = 0; i < img->nlayers; i++) {
		const char *p = th_json_str(th_json_at(layers, i), NULL);
		if (!p) {
			rc = th_error_set(err, TH_ERR_INVALID, "%s: manifest.json layer %zu is not a path", c->src->what, i);
			goto done;
		}
		img->layers[i] = (th_oci_layer){ "", NULL, UINT64_MAX, oci__dup(c, p), NULL };
	}
	rc = oci__config(c, cfg, err);
done:
	th_buf_release(&b);
	th_json_free(man);
	th_json_free(cfg);
	return rc;
}

int th_oci_load(th_oci_image *out, const th_oci_src *src, const char *platform, const th_limits *lim,
		th_error *err)
{
	oci_ctx c = { src, lim, out, "linux", "amd64", "", platform == NULL };
	char plat[128];
	th_buf b = TH_BUF_INIT;
	th_json *idx = NULL;
	bool found = false;
	int rc;

	memset(out, 0, sizeof(*out));
	th_arena_init(&out->arena, 8192);
	out->format = "oci";
	if (platform) {
		char *s1, *s2;
		if (strlen(platform) >= sizeof(plat) || !(s1 = strchr(strcpy(plat, platform), '/')))
			return th_error_set(err, TH_ERR_USAGE, "--platform must be OS/ARCH[/VARIANT], not '%s'", platform);
		*s1++ = '\0';
		if ((s2 = strchr(s1, '/')))
			*s2++ = '\0';
		c.want_os = plat;
		c.want_arch = s1;
		c.want_variant = s2 ? s2 : "";
		if (!*c.want_os || !*c.want_arch || strchr(c.want_variant, '/'))
			return th_error_set(err, TH_ERR_USAGE, "--platform must be OS/ARCH[/VARIANT], not '%s'", platform);
	}
	rc = oci__read(&c, "index.json", &b, err);
	if (rc == TH_ERR_NOTFOUND && src->ar && th_ociarchive_has(src->ar, "manifest.json")) {
		th_error_clear(err);
		rc = oci__docker(&c, err);
		goto done;
	}
	if (rc == TH_ERR_NOTFOUND) {
		th_error_clear(err);
		rc = th_error_set(err, TH_ERR_INVALID, "%s: not an image: no index.json%s", src->what,
				  src->ar ? " or manifest.json" : "");
	}
	if (rc || (rc = th_json_parse(&idx, b.ptr, b.len, (unsigned)lim->json_depth, "index.json", err)))
		goto done;
	/* Docker 25's archive carries an index.json whose manifests may be null;
	 * its manifest.json is then the way in. */
	if (src->ar && th_json_len(th_json_get(idx, "manifests")) == 0 && th_ociarchive_has(src->ar, "manifest.json")) {
		rc = oci__docker(&c, err);
		goto done;
	}
	if ((rc = oci__index(&c, idx, 0, &found, err)))
		goto done;
	if (!found)
		rc = th_error_set(err, TH_ERR_NOTFOUND, "%s: no image for platform %s/%s%s%s", src->what, c.want_os,
				  c.want_arch, *c.want_variant ? "/" : "", c.want_variant);
done:
	th_buf_release(&b);
	th_json_free(idx);
	if (rc)
		th_oci_release(out);
	return rc;
}

void th_oci_release(th_oci_image *img)
{
	if (!img)
		return;
	th_arena_release(&img->arena);
	memset(img, 0, sizeof(*img));
}
