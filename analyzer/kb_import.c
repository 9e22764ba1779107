/* kb_import — indexes, wheelhouses and advisories into the knowledge base,
 * see kb_import.h. */
#include "analyzer/kb_import.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/store_image.h"
#include "analyzer/store_kb.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/hash.h"
#include "core/metadata.h"
#include "core/name.h"
#include "core/version.h"
#include "core/wheelname.h"
#include "extractors/archive.h"
#include "extractors/http.h"
#include "extractors/importnames.h"
#include "extractors/indexpage.h"
#include "extractors/observations.h"
#include "extractors/osv.h"
#include "extractors/pipconf.h"
#include "extractors/wheelhouse.h"
#include "extractors/zipdir.h"

/* PEP 691: JSON preferred, HTML accepted (servers without PEP 691 send it). */
#define KB_ACCEPT "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

/* ---- helpers ---- */

static int kb__has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

static int kb__is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int kb__is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int kb__is_sdist(const char *name)
{
	return kb__has_suffix(name, ".tar.gz") || kb__has_suffix(name, ".zip") || kb__has_suffix(name, ".tar.bz2") ||
	       kb__has_suffix(name, ".tar.xz") || kb__has_suffix(name, ".tgz");
}

/* "file://" and the absolute path, percent-encoding what a URL path cannot
 * hold as is. */
static int kb__file_url(th_buf *out, const char *path, int dir, th_error *err)
{
	char real[PATH_MAX];
	int rc;

	if (!realpath(path, real))
		return th_error_set(err, TH_ERR_IO, "%s: %s", path, strerror(errno));
	th_buf_clear(out);
	if ((rc = th_buf_puts(out, "file://", err)))
		return rc;
	for (const unsigned char *p = (const unsigned char *)real; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    strchr("/-._~+", *p);
		if ((rc = plain ? th_buf_putc(out, (char)*p, err) : th_buf_printf(out, err, "%%%02X", *p)))
			return rc;
	}
	if (dir && out->ptr[out->len - 1] != '/')
		return th_buf_putc(out, '/', err);
	return 0;
}

static int kb__read_file(th_buf *out, const char *path, uint64_t max, th_error *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = 0;

	th_buf_clear(out);
	if (!f)
		return th_error_set(err, TH_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max) {
			rc = th_error_set(err, TH_ERR_LIMIT, "%s: larger than the limit of %llu bytes", path,
					  (unsigned long long)max);
			break;
		}
		if ((rc = th_buf_put(out, chunk, n, err)))
			break;
	}
	if (!rc && ferror(f))
		rc = th_error_set(err, TH_ERR_IO, "%s: read error", path);
	fclose(f);
	return rc;
}

int th_kb_source_detect(th_kb_source *out, const char *src, th_error *err)
{
	char p[PATH_MAX];
	DIR *d;
	struct dirent *e;

	if (!strncmp(src, "http://", 7) || !strncmp(src, "https://", 8) || !strncmp(src, "file://", 7)) {
		*out = TH_KB_SRC_INDEX;
		return 0;
	}
	if (!strncmp(src, TH_KB_IMAGE_PREFIX, strlen(TH_KB_IMAGE_PREFIX))) {
		if (!src[strlen(TH_KB_IMAGE_PREFIX)])
			return th_error_set(err, TH_ERR_USAGE, "%s: an image source needs a REF after 'image:'", src);
		*out = TH_KB_SRC_IMAGE;
		return 0;
	}
	if (!strncmp(src, TH_KB_OBSERVATIONS_PREFIX, strlen(TH_KB_OBSERVATIONS_PREFIX))) {
		if (!kb__is_file(src + strlen(TH_KB_OBSERVATIONS_PREFIX)))
			return th_error_set(err, TH_ERR_IO, "%s: no such file", src + strlen(TH_KB_OBSERVATIONS_PREFIX));
		*out = TH_KB_SRC_OBSERVATIONS;
		return 0;
	}
	if (kb__is_file(src) && kb__has_suffix(src, ".json")) {
		/* An observations file says so near its start (its format key). */
		char head[4096];
		FILE *f = fopen(src, "rb");
		size_t n = f ? fread(head, 1, sizeof(head), f) : 0;
		if (f)
			fclose(f);
		if (th_obs_sniff(head, n)) {
			*out = TH_KB_SRC_OBSERVATIONS;
			return 0;
		}
	}
	if (kb__is_file(src)) {
		if (kb__has_suffix(src, ".zip") || kb__has_suffix(src, ".json") || kb__has_suffix(src, ".yaml") ||
		    kb__has_suffix(src, ".yml")) {
			*out = TH_KB_SRC_ADVISORIES;
			return 0;
		}
		return th_error_set(err, TH_ERR_USAGE,
				    "%s: not an index, a wheelhouse directory or an advisory file (.json, .yaml, .zip)", src);
	}
	if (!kb__is_dir(src))
		return th_error_set(err, TH_ERR_IO, "%s: no such file or directory", src);
	snprintf(p, sizeof(p), "%s/index.html", src);
	if (kb__is_file(p)) {
		*out = TH_KB_SRC_INDEX;
		return 0;
	}
	snprintf(p, sizeof(p), "%s/simple/index.html", src);
	if (kb__is_file(p)) {
		*out = TH_KB_SRC_INDEX;
		return 0;
	}
	*out = TH_KB_SRC_ADVISORIES;
	if (!(d = opendir(src)))
		return th_error_set(err, TH_ERR_IO, "%s: %s", src, strerror(errno));
	while ((e = readdir(d))) {
		if (kb__has_suffix(e->d_name, ".whl") || kb__is_sdist(e->d_name)) {
			*out = TH_KB_SRC_WHEELHOUSE;
			break;
		}
	}
	closedir(d);
	return 0;
}

/* What a distribution file name says, through core/wheelname. Returns 1 when
 * the file is a wheel or sdist of `project` (normalized), filling version
 * (normalized) and tags ("" for sdists); 0 when it is something else. */
static int kb__dist_name(const char *filename, const char *project, th_buf *version, th_buf *tags, th_arena *a,
			 th_error *err)
{
	size_t len = strlen(filename);
	const char *name;
	const th_version *v;
	th_wheelname wn;
	th_sdistname sn;
	int rc;

	th_buf_clear(version);
	th_buf_clear(tags);
	if (kb__has_suffix(filename, ".whl")) {
		if (th_wheelname_parse(&wn, filename, len, a, NULL))
			return 0;
		name = wn.name;
		v = &wn.version;
		for (size_t i = 0; i < wn.ntags; i++)
			if ((rc = th_buf_printf(tags, err, "%s%s-%s-%s", i ? " " : "", wn.tags[i].interpreter, wn.tags[i].abi,
						wn.tags[i].platform)))
				return rc;
	} else if (kb__is_sdist(filename)) {
		if (th_sdistname_parse(&sn, filename, len, a, NULL))
			return 0;
		name = sn.name;
		v = &sn.version;
	} else {
		return 0;
	}
	if (project && !th_name_eq(name, strlen(name), project, strlen(project)))
		return 0;
	if ((rc = th_version_format(v, version, err)))
		return rc;
	return 1;
}

/* ---- indexes ---- */

enum { REQ_ROOT, REQ_PAGE, REQ_METADATA, REQ_ZTAIL, REQ_ZDIR, REQ_ZMEMBER };

/* One index wheel being read for its import names over HTTP: the tail,
 * perhaps the central directory, then its top_level.txt and RECORD, each a
 * Range request; the names are recorded when the last member arrives. */
typedef struct kb__wjob {
	struct kb__wjob *next; /* the run's jobs, released at its end */
	int64_t vid;
	char *key, *url;       /* in the run's request arena */
	th_zipdir_end end;
	th_zipdir_wheel wh;
	int pending;           /* member requests in flight */
	int failed;            /* skipped already (counted once) */
	const char *top_level, *record; /* in a */
	size_t top_level_len, record_len;
	th_arena a;
} kb__wjob;

typedef struct kb__req {
	int kind;
	kb__wjob *job; /* ZTAIL, ZDIR, ZMEMBER */
	int member;    /* ZMEMBER: 0 top_level.txt, 1 RECORD */
	char *name;      /* normalized project (PAGE, METADATA) */
	char *display;   /* as the root page wrote it (PAGE) */
	char *page_hash; /* stored hash of the page (PAGE), "" when new */
	int64_t file_id; /* METADATA */
	char *md_sha256; /* expected (METADATA), NULL when the page gave none */
} kb__req;

/* An open-addressing set of strings (copies in its own arena). */
typedef struct kb__set {
	char **slot;
	size_t n, cap;
	th_arena a;
} kb__set;

static void kb__set_init(kb__set *t)
{
	memset(t, 0, sizeof(*t));
	th_arena_init(&t->a, 0);
}

static void kb__set_release(kb__set *t)
{
	free(t->slot);
	th_arena_release(&t->a);
	kb__set_init(t);
}

/* FNV-1a: spreads hex digests (already uniform) and anything else. */
static size_t kb__strhash(const char *s)
{
	size_t h = 1469598103934665603u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

static int kb__set_has(const kb__set *t, const char *key)
{
	if (!t->cap)
		return 0;
	for (size_t i = kb__strhash(key) & (t->cap - 1); t->slot[i]; i = (i + 1) & (t->cap - 1))
		if (!strcmp(t->slot[i], key))
			return 1;
	return 0;
}

/* The stored entry for key (key, NUL, then what kb__set_put added), or NULL. */
static const char *kb__set_get(const kb__set *t, const char *key)
{
	if (!t->cap)
		return NULL;
	for (size_t i = kb__strhash(key) & (t->cap - 1); t->slot[i]; i = (i + 1) & (t->cap - 1))
		if (!strcmp(t->slot[i], key))
			return t->slot[i];
	return NULL;
}

static int kb__set_put(kb__set *t, const char *key, const char *extra, size_t nextra);

/* Returns 1 when key was new, 0 when it was there, <0 on allocation failure. */
static int kb__set_add(kb__set *t, const char *key)
{
	return kb__set_put(t, key, NULL, 0);
}

/* Adds key with extra bytes stored after its NUL (kb__set_get returns
 * them); an existing key is left as it is. */
static int kb__set_put(kb__set *t, const char *key, const char *extra, size_t nextra)
{
	size_t klen = strlen(key);
	char *copy;
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024;
		char **nt = calloc(ncap, sizeof(*nt));
		if (!nt)
			return TH_ERR_NOMEM;
		for (size_t k = 0; k < t->cap; k++) {
			if (!t->slot[k])
				continue;
			for (i = kb__strhash(t->slot[k]) & (ncap - 1); nt[i]; i = (i + 1) & (ncap - 1))
				;
			nt[i] = t->slot[k];
		}
		free(t->slot);
		t->slot = nt;
		t->cap = ncap;
	}
	for (i = kb__strhash(key) & (t->cap - 1); t->slot[i]; i = (i + 1) & (t->cap - 1))
		if (!strcmp(t->slot[i], key))
			return 0;
	if (!(copy = th_arena_alloc(&t->a, klen + 1 + nextra)))
		return TH_ERR_NOMEM;
	memcpy(copy, key, klen + 1);
	if (nextra)
		memcpy(copy + klen + 1, extra, nextra);
	t->slot[i] = copy;
	t->n++;
	return 1;
}

/* One index being imported from. The full import uses one for one run; lazy
 * mode keeps one per index for many runs (its HTTP client and its
 * connections live as long as it). */
typedef struct kb__idx {
	th_kb_writer *w;    /* borrowed */
	th_http *http;
	const th_limits *lim;
	th_kb_import_report *rep; /* the run's */
	th_error *err;            /* the run's */
	int lazy;           /* this run asks for named projects only: a missing page is an answer */
	int64_t index_id;
	int file_mode;      /* file:// : a directory URL means its index.html */
	char *root;         /* owned: the root URL, with a final '/' */
	th_arena reqs;      /* kb__req objects of the run */
	th_buf url, tmp, version, tags, etag, page_hash;
	int64_t project_id; /* the page being imported */
	const char *page_url, *project;
	th_arena *page_arena; /* the page being imported: its records and what is parsed from them */
	kb__set pending;    /* metadata hashes asked for in this run: two files sharing one cost one request */
	kb__set states;     /* whole-index runs: every stored project -> "etag\0page_hash\0", read in one query */
	int have_states;
	/* Import names (whole-index runs): the page's newest wheel, final
	 * releases first, is read once the page is parsed. */
	int have_best, best_final;
	th_version best_v;  /* in the page arena */
	int64_t best_vid;
	th_buf best_url, best_key;
	uint64_t wheels_begun; /* this run: limit name_wheels */
	kb__wjob *jobs;
} kb__idx;

static int kb__idx_get(kb__idx *c, const char *url, const char *etag, kb__req *r)
{
	const char *u = url;
	th_buf full = TH_BUF_INIT;
	int rc;

	if (c->file_mode && kb__has_suffix(url, "/")) {
		if ((rc = th_buf_printf(&full, c->err, "%sindex.html", url)))
			return rc;
		u = full.ptr;
	}
	rc = th_http_get(c->http, u, r->kind == REQ_METADATA ? NULL : KB_ACCEPT, etag, r, c->err);
	th_buf_release(&full);
	return rc;
}

static kb__req *kb__req_new(kb__idx *c, int kind, const char *name, const char *display)
{
	kb__req *r = th_arena_zalloc(&c->reqs, sizeof(*r));
	if (!r)
		return NULL;
	r->kind = kind;
	if ((name && !(r->name = th_arena_strdup(&c->reqs, name))) ||
	    (display && !(r->display = th_arena_strdup(&c->reqs, display))))
		return NULL;
	return r;
}

static int kb__is_json(const th_http_resp *resp)
{
	size_t i = 0;
	if (resp->content_type)
		return strstr(resp->content_type, "json") != NULL;
	while (i < resp->len && (resp->body[i] == ' ' || resp->body[i] == '\n' || resp->body[i] == '\r' ||
				 resp->body[i] == '\t'))
		i++;
	return i < resp->len && resp->body[i] == '{';
}

typedef struct kb__root_ctx {
	kb__idx *c;
	const char *root_url;
} kb__root_ctx;

static int kb__on_project(void *ud, const char *name, const char *href)
{
	kb__root_ctx *rc_ = ud;
	kb__idx *c = rc_->c;
	th_buf norm = TH_BUF_INIT;
	kb__req *r;
	int rc, st;

	if ((rc = th_name_normalize(&norm, name, strlen(name), c->err)))
		goto done;
	if (href)
		rc = th_http_resolve(&c->url, rc_->root_url, href, c->err);
	else if (!(rc = th_buf_printf(&c->tmp, c->err, "%s/", norm.ptr)))
		rc = th_http_resolve(&c->url, rc_->root_url, c->tmp.ptr, c->err);
	th_buf_clear(&c->tmp);
	if (rc)
		goto done;
	if (c->have_states) {
		const char *e = kb__set_get(&c->states, norm.ptr);
		th_buf_clear(&c->etag);
		th_buf_clear(&c->page_hash);
		if (e) {
			e += strlen(e) + 1;
			if ((rc = th_buf_puts(&c->etag, e, c->err)) ||
			    (rc = th_buf_puts(&c->page_hash, e + strlen(e) + 1, c->err)))
				goto done;
		}
	} else {
		st = th_kb_project_state(c->w, c->index_id, norm.ptr, &c->etag, &c->page_hash, c->err);
		if (st && st != TH_ERR_NOTFOUND) {
			rc = st;
			goto done;
		}
	}
	if (!(r = kb__req_new(c, REQ_PAGE, norm.ptr, name)) ||
	    !(r->page_hash = th_arena_strdup(&c->reqs, c->page_hash.ptr))) {
		rc = th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	rc = kb__idx_get(c, c->url.ptr, c->etag.len ? c->etag.ptr : NULL, r);
done:
	th_buf_release(&norm);
	return rc;
}

static int kb__on_root(kb__idx *c, const th_http_resp *resp)
{
	th_arena a;
	kb__root_ctx rctx = { c, resp->url };
	int rc;

	th_arena_init(&a, 0);
	if (kb__is_json(resp))
		rc = th_indexpage_json_projects(resp->body, resp->len, (unsigned)c->lim->json_depth, kb__on_project,
						&rctx, &a, resp->url, c->err);
	else
		rc = th_indexpage_html_projects(resp->body, resp->len, kb__on_project, &rctx, &a, resp->url, c->err);
	th_arena_release(&a);
	return rc;
}

/* Keeps the page's wheel to read import names from: the newest final
 * release that has a wheel, else the newest pre-release; the first wheel of
 * that version (names rarely differ between a version's wheels). */
static int kb__best_wheel(kb__idx *c, const th_indexfile *f, int64_t vid)
{
	th_version v;
	int final, rc;

	if (th_version_parse(&v, c->version.ptr, c->version.len, c->page_arena, NULL))
		return 0; /* kb__dist_name formatted it: cannot happen */
	final = !th_version_is_prerelease(&v);
	if (c->have_best && (c->best_final > final || (c->best_final == final && th_version_cmp(&v, &c->best_v) <= 0)))
		return 0;
	c->have_best = 1;
	c->best_final = final;
	c->best_v = v;
	c->best_vid = vid;
	th_buf_clear(&c->best_url);
	if ((rc = th_buf_puts(&c->best_url, c->url.ptr, c->err)))
		return rc;
	th_buf_clear(&c->best_key);
	if (f->hash_name && f->hash_hex && !strcmp(f->hash_name, "sha256"))
		return th_buf_printf(&c->best_key, c->err, "sha256:%s", f->hash_hex);
	return th_buf_printf(&c->best_key, c->err, "url:%s", c->url.ptr);
}

static int kb__on_file(void *ud, const th_indexfile *f)
{
	kb__idx *c = ud;
	int64_t vid, fid;
	int rc, known = 0;
	const char *md = NULL;

	rc = kb__dist_name(f->filename, c->project, &c->version, &c->tags, c->page_arena, c->err);
	if (rc <= 0) {
		if (rc == 0)
			c->rep->files_skipped++;
		goto done;
	}
	rc = 0;
	if ((rc = th_http_resolve(&c->url, c->page_url, f->url, c->err)) ||
	    (rc = th_kb_version_put(c->w, c->project_id, c->version.ptr, &vid, c->err)))
		goto done;
	if (f->has_metadata && f->metadata_hash_name && !strcmp(f->metadata_hash_name, "sha256")) {
		md = f->metadata_hash_hex;
		if ((rc = th_kb_metadata_has(c->w, md, &known, c->err)))
			goto done;
	}
	th_kb_file kf = { f->filename, c->url.ptr, c->tags.len ? c->tags.ptr : NULL, f->hash_name, f->hash_hex,
			  f->requires_python, f->yanked, f->yanked_reason, f->upload_time, f->size, md };
	if ((rc = th_kb_file_put(c->w, vid, &kf, &fid, c->err)))
		goto done;
	c->rep->files++;
	if (!c->lazy && c->tags.len && (rc = kb__best_wheel(c, f, vid)))
		goto done;
	if (f->has_metadata && md && !known && (known = kb__set_add(&c->pending, md)) >= 0)
		known = !known; /* asked for already by another file of this import */
	if (known < 0) {
		rc = th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	if (f->has_metadata && known) {
		c->rep->metadata_reused++;
	} else if (f->has_metadata) {
		kb__req *r = kb__req_new(c, REQ_METADATA, c->project, NULL);
		if (!r || (md && !(r->md_sha256 = th_arena_strdup(&c->reqs, md)))) {
			rc = th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
			goto done;
		}
		r->file_id = fid;
		if ((rc = th_buf_puts(&c->url, ".metadata", c->err)) || (rc = kb__idx_get(c, c->url.ptr, NULL, r)))
			goto done;
	}
done:
	return rc;
}

/* ---- import names of index wheels ---- */

/* A wheel given up on: counted, the first reason kept for the report. Only
 * running out of memory stops the import. */
static int kb__names_skip(kb__idx *c, const th_error *why)
{
	if (why->code == TH_ERR_NOMEM) {
		if (c->err && c->err != why)
			*c->err = *why;
		return TH_ERR_NOMEM;
	}
	if (!c->rep->wheels_skipped++)
		memcpy(c->rep->wheel_skip, why->msg, sizeof(c->rep->wheel_skip));
	return 0;
}

/* Names read from a wheel: recorded for its version and remembered by key. */
static int kb__names_record(kb__idx *c, int64_t vid, const char *key, const char *top_level, size_t top_level_len,
			    const char *record, size_t record_len, const char *what)
{
	const char **names = NULL;
	size_t n = 0;
	th_error perr = TH_ERROR_INIT;
	th_arena a;
	int rc;

	th_arena_init(&a, 0);
	rc = th_importnames_parse(&names, &n, top_level, top_level_len, record, record_len, c->lim, what, &a, &perr);
	if (rc) {
		rc = kb__names_skip(c, &perr);
		goto done;
	}
	if ((rc = th_kb_import_names_put(c->w, vid, names, n, c->err)) ||
	    (rc = th_kb_wheel_names_put(c->w, key, names, n, c->err)))
		goto done;
	c->rep->wheels_read++;
	c->rep->import_names += n;
done:
	th_arena_release(&a);
	return rc;
}

/* "file://" URL to a path: percent-decoded, no host part. */
static int kb__file_path(th_buf *out, const char *url, th_error *err)
{
	const char *p = url + 7;
	int rc;

	th_buf_clear(out);
	if (*p != '/')
		return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: a file URL with a host", url);
	for (; *p && *p != '#' && *p != '?'; p++) {
		int ch = (unsigned char)*p;
		if (*p == '%') {
			char hex[3] = { p[1], p[1] ? p[2] : 0, 0 };
			if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]) ||
			    !(ch = (int)strtol(hex, NULL, 16)))
				return th_error_set(err, TH_ERR_INVALID, "%s: a bad percent-escape", url);
			p += 2;
		}
		if ((rc = th_buf_putc(out, (char)ch, err)))
			return rc;
	}
	return 0;
}

static int kb__names_local(kb__idx *c)
{
	th_zipdir_texts t;
	th_error zerr = TH_ERROR_INIT;
	th_buf path = TH_BUF_INIT;
	th_arena a;
	int rc;

	th_arena_init(&a, 0);
	if ((rc = kb__file_path(&path, c->best_url.ptr, &zerr)) ||
	    (rc = th_zipdir_wheel_file(&t, path.ptr, c->lim, &a, &zerr))) {
		rc = kb__names_skip(c, &zerr);
		goto done;
	}
	c->rep->wheel_bytes += t.bytes_read;
	rc = kb__names_record(c, c->best_vid, c->best_key.ptr, t.top_level, t.top_level_len, t.record, t.record_len,
			      path.ptr);
done:
	th_buf_release(&path);
	th_arena_release(&a);
	return rc;
}

static int kb__zget(kb__idx *c, kb__wjob *j, int kind, int member, uint64_t first, uint64_t last_or_tail)
{
	kb__req *r = kb__req_new(c, kind, NULL, NULL);
	char range[64];

	if (!r)
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	r->job = j;
	r->member = member;
	if (kind == REQ_ZTAIL)
		snprintf(range, sizeof(range), "-%llu", (unsigned long long)last_or_tail);
	else
		snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)first, (unsigned long long)last_or_tail);
	return th_http_get_range(c->http, j->url, range, r, c->err);
}

/* The page's chosen wheel: names known by its key, or read now (file://),
 * or its reading started (HTTP). */
static int kb__names_begin(kb__idx *c)
{
	const char **names;
	size_t n;
	int found, rc;
	th_arena a;
	kb__wjob *j;

	th_arena_init(&a, 0);
	rc = th_kb_wheel_names_get(c->w, c->best_key.ptr, &found, &names, &n, &a, c->err);
	if (!rc && found) {
		rc = th_kb_import_names_put(c->w, c->best_vid, names, n, c->err);
		c->rep->wheels_known++;
		c->rep->import_names += n;
	}
	th_arena_release(&a);
	if (rc || found)
		return rc;
	if (c->wheels_begun >= c->lim->name_wheels) {
		th_error lim = TH_ERROR_INIT;
		th_error_set(&lim, TH_ERR_LIMIT, "more than %llu wheels to read import names from (limit name_wheels)",
			     (unsigned long long)c->lim->name_wheels);
		return kb__names_skip(c, &lim);
	}
	c->wheels_begun++;
	if (!strncmp(c->best_url.ptr, "file://", 7)) {
		if (c->file_mode)
			return kb__names_local(c);
		th_error nf = TH_ERROR_INIT;
		th_error_set(&nf, TH_ERR_UNSUPPORTED, "%s: a local file linked from a remote index", c->best_url.ptr);
		return kb__names_skip(c, &nf);
	}
	if (!(j = th_arena_zalloc(&c->reqs, sizeof(*j))) || !(j->key = th_arena_strdup(&c->reqs, c->best_key.ptr)) ||
	    !(j->url = th_arena_strdup(&c->reqs, c->best_url.ptr)))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	th_arena_init(&j->a, 0);
	j->vid = c->best_vid;
	j->next = c->jobs;
	c->jobs = j;
	return kb__zget(c, j, REQ_ZTAIL, 0, 0, TH_ZIPDIR_TAIL);
}

static int kb__zfail(kb__idx *c, kb__wjob *j, const th_error *why)
{
	if (j->failed)
		return why->code == TH_ERR_NOMEM ? kb__names_skip(c, why) : 0;
	j->failed = 1;
	return kb__names_skip(c, why);
}

/* The central directory is at hand: take the members from the bytes the
 * tail request brought (have, from have_start) when they lie there, as they
 * usually do (RECORD is written last, just before the directory), else ask
 * for them. */
static int kb__zdir(kb__idx *c, kb__wjob *j, const void *cd, size_t len, const char *have, uint64_t have_start,
		    size_t have_len)
{
	th_error zerr = TH_ERROR_INIT;
	int rc = 0;

	if (th_zipdir_wheel_find(&j->wh, &j->end, cd, len, c->lim, j->url, &zerr))
		return kb__zfail(c, j, &zerr);
	for (int k = 0; !rc && k < 2; k++) {
		const th_zipdir_member *m = k ? &j->wh.record : &j->wh.top_level;
		if (!m->present)
			continue;
		if (have && m->span_start >= have_start && m->span_end <= have_start + have_len) {
			if (th_zipdir_member_read(k ? &j->record : &j->top_level, k ? &j->record_len : &j->top_level_len, m,
						  have + (m->span_start - have_start), (size_t)(m->span_end - m->span_start),
						  c->lim, &j->a, j->url, &zerr))
				return kb__zfail(c, j, &zerr);
			continue;
		}
		j->pending++;
		rc = kb__zget(c, j, REQ_ZMEMBER, k, m->span_start, m->span_end - 1);
	}
	if (!rc && !j->pending) /* every member at hand, or none in the wheel */
		rc = kb__names_record(c, j->vid, j->key, j->top_level, j->top_level_len, j->record, j->record_len, j->url);
	return rc;
}

static int kb__on_zip(kb__idx *c, kb__req *r, const th_http_resp *resp)
{
	kb__wjob *j = r->job;
	th_error zerr = TH_ERROR_INIT;

	if (j->failed)
		return 0;
	c->rep->wheel_bytes += resp->len;
	if (r->kind == REQ_ZTAIL) {
		if (!resp->range_total || resp->range_start + resp->len != resp->range_total) {
			th_error_set(&zerr, TH_ERR_INVALID, "%s: the server's reply is not the file's last bytes", resp->url);
			return kb__zfail(c, j, &zerr);
		}
		if (th_zipdir_end_parse(&j->end, resp->body, resp->len, resp->range_total, c->lim, j->url, &zerr))
			return kb__zfail(c, j, &zerr);
		if (j->end.cd_offset >= resp->range_start)
			return kb__zdir(c, j, resp->body + (j->end.cd_offset - resp->range_start), (size_t)j->end.cd_size,
					resp->body, resp->range_start, resp->len);
		return kb__zget(c, j, REQ_ZDIR, 0, j->end.cd_offset, j->end.cd_offset + j->end.cd_size - 1);
	}
	if (r->kind == REQ_ZDIR) {
		if (resp->range_start != j->end.cd_offset || resp->len != j->end.cd_size) {
			th_error_set(&zerr, TH_ERR_INVALID, "%s: the server sent other bytes than the central directory asked for",
				     resp->url);
			return kb__zfail(c, j, &zerr);
		}
		return kb__zdir(c, j, resp->body, resp->len, NULL, 0, 0);
	}
	{
		const th_zipdir_member *m = r->member ? &j->wh.record : &j->wh.top_level;
		const char **text = r->member ? &j->record : &j->top_level;
		size_t *text_len = r->member ? &j->record_len : &j->top_level_len;
		if (resp->range_start != m->span_start || resp->len != m->span_end - m->span_start) {
			th_error_set(&zerr, TH_ERR_INVALID, "%s: the server sent other bytes than the member asked for",
				     resp->url);
			return kb__zfail(c, j, &zerr);
		}
		if (th_zipdir_member_read(text, text_len, m, resp->body, resp->len, c->lim, &j->a, j->url, &zerr))
			return kb__zfail(c, j, &zerr);
	}
	if (--j->pending)
		return 0;
	return kb__names_record(c, j->vid, j->key, j->top_level, j->top_level_len, j->record, j->record_len, j->url);
}

static int kb__on_page(kb__idx *c, kb__req *r, const th_http_resp *resp)
{
	char hex[TH_SHA256_HEX];
	th_arena a;
	int rc;

	if (resp->status == 304) {
		c->rep->projects_unchanged++;
		return 0;
	}
	if ((rc = th_sha256_hex(hex, resp->body, resp->len, c->err)))
		return rc;
	if (!strcmp(hex, r->page_hash)) {
		c->rep->projects_unchanged++;
		return 0;
	}
	if ((rc = th_kb_project_put(c->w, c->index_id, r->name, r->display, resp->etag, hex, &c->project_id, c->err)))
		return rc;
	c->rep->projects++;
	c->page_url = resp->url;
	c->project = r->name;
	th_arena_init(&a, 0);
	c->page_arena = &a;
	c->have_best = 0;
	th_buf_clear(&c->best_url);
	if (kb__is_json(resp))
		rc = th_indexpage_json_files(resp->body, resp->len, (unsigned)c->lim->json_depth, kb__on_file, c, &a,
					     resp->url, c->err);
	else
		rc = th_indexpage_html_files(resp->body, resp->len, kb__on_file, c, &a, resp->url, c->err);
	if (!rc && c->have_best)
		rc = kb__names_begin(c);
	c->have_best = 0;
	th_arena_release(&a);
	return rc;
}

static int kb__on_metadata(kb__idx *c, kb__req *r, const th_http_resp *resp)
{
	char hex[TH_SHA256_HEX];
	th_metadata md;
	th_arena a;
	int rc;

	if ((rc = th_sha256_hex(hex, resp->body, resp->len, c->err)))
		return rc;
	if (r->md_sha256 && strcmp(hex, r->md_sha256) != 0)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: wrong sha256: the index says %s, the file hashes to %s",
				    resp->url, r->md_sha256, hex);
	th_arena_init(&a, 0);
	if ((rc = th_metadata_parse(&md, resp->body, resp->len, c->lim, &a, c->err))) {
		th_error_prefix(c->err, "%s", resp->url);
		goto done;
	}
	if ((rc = th_kb_metadata_put(c->w, hex, md.name ? md.name : "", md.version ? md.version : "",
				     md.requires_python, md.requires_dist, md.nrequires_dist, c->err)))
		goto done;
	if (!r->md_sha256)
		rc = th_kb_file_set_metadata(c->w, r->file_id, hex, c->err);
	c->rep->metadata_fetched++;
done:
	th_arena_release(&a);
	return rc;
}

static int kb__on_response(void *ud, void *req_ud, const th_http_resp *resp, const th_error *failure)
{
	kb__idx *c = ud;
	kb__req *r = req_ud;

	if (failure && r->kind >= REQ_ZTAIL)
		return kb__zfail(c, r->job, failure);
	if (failure && r->kind == REQ_PAGE && c->lazy && failure->code == TH_ERR_NOTFOUND) {
		c->rep->projects_missing++; /* lazy mode: not in this index, which is an answer */
		return 0;
	}
	if (failure) {
		if (c->err)
			*c->err = *failure;
		return failure->code;
	}
	if (r->kind != REQ_PAGE && resp->status == 304)
		return th_error_set(c->err, TH_ERR_NETWORK, "%s: an unasked-for 304 reply", resp->url);
	switch (r->kind) {
	case REQ_ROOT:
		return kb__on_root(c, resp);
	case REQ_PAGE:
		return kb__on_page(c, r, resp);
	case REQ_METADATA:
		return kb__on_metadata(c, r, resp);
	default:
		return kb__on_zip(c, r, resp);
	}
}

/* Sets up an index: its root URL (a directory becomes a file:// URL, its
 * simple/ when it holds one; a URL is the root, given a final '/') and its
 * HTTP client. */
static int kb__idx_open(kb__idx *c, th_kb_writer *w, const char *src, const th_kb_import_opts *o, th_error *err)
{
	th_http_opts ho = TH_HTTP_OPTS_INIT;
	int rc;

	memset(c, 0, sizeof(*c));
	c->w = w;
	c->lim = o->lim;
	th_arena_init(&c->reqs, 0);
	th_buf_init(&c->url, 0);
	th_buf_init(&c->tmp, 0);
	th_buf_init(&c->version, 0);
	th_buf_init(&c->tags, 0);
	th_buf_init(&c->etag, 0);
	th_buf_init(&c->page_hash, 0);
	th_buf_init(&c->best_url, 0);
	th_buf_init(&c->best_key, 0);
	kb__set_init(&c->pending);
	kb__set_init(&c->states);
	if (strncmp(src, "http://", 7) && strncmp(src, "https://", 8) && strncmp(src, "file://", 7)) {
		char sub[PATH_MAX];
		snprintf(sub, sizeof(sub), "%s/simple/index.html", src);
		if ((rc = kb__file_url(&c->url, src, 1, err)) ||
		    (kb__is_file(sub) && (rc = th_buf_puts(&c->url, "simple/", err))))
			return rc;
	} else if ((rc = th_buf_puts(&c->url, src, err)) ||
		   (!kb__has_suffix(src, "/") && (rc = th_buf_putc(&c->url, '/', err)))) {
		return rc;
	}
	if (!(c->root = strdup(c->url.ptr)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	c->file_mode = !strncmp(c->root, "file://", 7);
	if (o->parallel > 0)
		ho.parallel = o->parallel;
	if (o->retries >= 0)
		ho.retries = o->retries;
	if (o->backoff_ms > 0)
		ho.backoff_ms = o->backoff_ms;
	if (o->timeout_ms > 0)
		ho.timeout_ms = o->timeout_ms;
	ho.max_bytes = o->lim->http_bytes;
	ho.allow_file = c->file_mode;
	return th_http_new(&c->http, &ho, kb__on_response, c, err);
}

static void kb__idx_close(kb__idx *c)
{
	th_http_free(c->http);
	free(c->root);
	kb__set_release(&c->pending);
	kb__set_release(&c->states);
	th_arena_release(&c->reqs);
	th_buf_release(&c->url);
	th_buf_release(&c->tmp);
	th_buf_release(&c->version);
	th_buf_release(&c->tags);
	th_buf_release(&c->etag);
	th_buf_release(&c->page_hash);
	th_buf_release(&c->best_url);
	th_buf_release(&c->best_key);
}

static int kb__on_state(void *ud, const char *name, const char *etag, const char *page_hash)
{
	kb__idx *c = ud;
	size_t ne = strlen(etag) + 1, nh = strlen(page_hash) + 1;
	char *extra = malloc(ne + nh);
	int rc;

	if (!extra)
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	memcpy(extra, etag, ne);
	memcpy(extra + ne, page_hash, nh);
	rc = kb__set_put(&c->states, name, extra, ne + nh) < 0 ? th_error_set(c->err, TH_ERR_NOMEM, "out of memory") : 0;
	free(extra);
	return rc;
}

/* One run inside the caller's transaction: the whole index (nprojects == 0:
 * its root page, then every project page), or only the named projects'
 * pages at root/<normalized>/ (lazy). Leaves the object ready for another
 * run, whatever happened. */
static int kb__idx_run(kb__idx *c, const char *index_name, int priority, const char *const *projects,
		       size_t nprojects, th_kb_import_report *rep, th_error *err)
{
	th_http_stats before, after;
	int rc;

	c->rep = rep;
	c->err = err;
	c->lazy = nprojects > 0;
	th_http_stats_get(c->http, &before);
	if ((rc = th_kb_index_put(c->w, index_name ? index_name : c->root, c->root, priority, &c->index_id, err)))
		goto done;
	if (c->lazy) {
		kb__root_ctx rctx = { c, c->root };
		for (size_t i = 0; !rc && i < nprojects; i++)
			rc = kb__on_project(&rctx, projects[i], NULL);
	} else {
		kb__req *root = kb__req_new(c, REQ_ROOT, NULL, NULL);
		/* Every page will be compared with what is stored: one query. */
		if ((rc = th_kb_project_states(c->w, c->index_id, kb__on_state, c, err)))
			goto done;
		c->have_states = 1;
		rc = root ? kb__idx_get(c, c->root, NULL, root) : th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	if (!rc)
		rc = th_http_run(c->http, err);
done:
	th_http_cancel(c->http);
	th_http_stats_get(c->http, &after);
	rep->requests += after.requests - before.requests;
	rep->retries += after.retries - before.retries;
	rep->not_modified += after.not_modified - before.not_modified;
	rep->connects += after.connects - before.connects;
	rep->bytes += after.bytes - before.bytes;
	/* The run's requests are finished or dropped; its metadata hashes are
	 * in the store now (or rolled back with it). */
	kb__set_release(&c->pending);
	kb__set_release(&c->states);
	c->have_states = 0;
	while (c->jobs) {
		kb__wjob *j = c->jobs;
		c->jobs = j->next;
		th_arena_release(&j->a);
	}
	c->wheels_begun = 0;
	th_arena_release(&c->reqs);
	th_arena_init(&c->reqs, 0);
	c->rep = NULL;
	c->err = NULL;
	return rc;
}

int th_kb_import_index(th_store *s, const char *src, const th_kb_import_opts *o, th_kb_import_report *rep,
		       th_error *err)
{
	kb__idx c;
	th_kb_writer *w = NULL;
	int rc;

	if ((rc = th_kb_writer_new(&w, s, err)))
		return rc;
	if (!(rc = kb__idx_open(&c, w, src, o, err)))
		rc = kb__idx_run(&c, o->index_name, o->priority, o->projects, o->nprojects, rep, err);
	kb__idx_close(&c);
	th_kb_writer_free(w);
	return rc;
}

/* ---- lazy mode ---- */

struct th_kb_lazy {
	th_store *s;
	th_kb_writer *w;
	kb__idx *idx;      /* best priority first */
	char **names;      /* owned: the name each index is stored under, or NULL */
	int *priority;
	size_t n;
	kb__set asked;     /* normalized names already asked of the indexes in this object's life */
	th_kb_import_report rep;
};

static int kb__ref_cmp(const void *x, const void *y)
{
	const th_kb_index_ref *a = *(const th_kb_index_ref *const *)x, *b = *(const th_kb_index_ref *const *)y;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return a < b ? -1 : a > b; /* same priority: configuration order */
}

int th_kb_lazy_new(th_kb_lazy **out, th_store *s, const th_kb_index_ref *idx, size_t nidx, const th_kb_import_opts *o,
		   th_error *err)
{
	th_kb_lazy *l = calloc(1, sizeof(*l));
	const th_kb_index_ref **order = nidx ? calloc(nidx, sizeof(*order)) : NULL;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	if (!l || (nidx && !order)) {
		free(l);
		free(order);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	l->s = s;
	kb__set_init(&l->asked);
	for (size_t i = 0; i < nidx; i++)
		if (!idx[i].explicit_only)
			order[n++] = &idx[i];
	if (n)
		qsort(order, n, sizeof(*order), kb__ref_cmp);
	if ((rc = th_kb_writer_new(&l->w, s, err)))
		goto done;
	if (n && (!(l->idx = calloc(n, sizeof(*l->idx))) || !(l->names = calloc(n, sizeof(*l->names))) ||
		  !(l->priority = calloc(n, sizeof(*l->priority))))) {
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		rc = kb__idx_open(&l->idx[i], l->w, order[i]->url, o, err);
		l->n++; /* opened or half-opened: closed either way */
		if (rc)
			goto done;
		if (order[i]->name && !(l->names[i] = strdup(order[i]->name))) {
			rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
			goto done;
		}
		l->priority[i] = order[i]->priority;
	}
done:
	free(order);
	if (rc) {
		th_kb_lazy_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

void th_kb_lazy_free(th_kb_lazy *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		kb__idx_close(&l->idx[i]);
		free(l->names[i]);
	}
	free(l->idx);
	free(l->names);
	free(l->priority);
	kb__set_release(&l->asked);
	th_kb_writer_free(l->w);
	free(l);
}

int th_kb_lazy_fetch(th_kb_lazy *l, const char *name, int *out_found, th_error *err)
{
	th_buf norm = TH_BUF_INIT;
	th_kb_import_report rep;
	const char *one[1];
	int rc, known = 0;

	*out_found = 0;
	if (!th_name_is_valid(name, strlen(name)))
		return th_error_set(err, TH_ERR_INVALID, "'%s': not a valid project name", name);
	if ((rc = th_name_normalize(&norm, name, strlen(name), err)))
		return rc;
	if (kb__set_has(&l->asked, norm.ptr))
		goto settle;
	/* Known to a configured index already: nothing to ask. (Known only to
	 * another one — an image's, an earlier import's — is no reason not to
	 * ask: the configured indexes may have the full list of versions.) */
	for (size_t i = 0; i < l->n; i++) {
		if ((rc = th_kb_project_known_in(l->w, l->names[i] ? l->names[i] : l->idx[i].root, norm.ptr, &known, err)))
			goto done;
		if (known) {
			*out_found = 1;
			goto done;
		}
	}
	if (!l->n)
		goto remember;
	if ((rc = th_store_begin(l->s, err)))
		goto done;
	one[0] = norm.ptr;
	for (size_t i = 0; i < l->n && !*out_found; i++) {
		memset(&rep, 0, sizeof(rep));
		rc = kb__idx_run(&l->idx[i], l->names[i], l->priority[i], one, 1, &rep, err);
		l->rep.projects += rep.projects;
		l->rep.projects_missing += rep.projects_missing;
		l->rep.versions += rep.versions;
		l->rep.files += rep.files;
		l->rep.files_skipped += rep.files_skipped;
		l->rep.metadata_fetched += rep.metadata_fetched;
		l->rep.metadata_reused += rep.metadata_reused;
		l->rep.requests += rep.requests;
		l->rep.retries += rep.retries;
		l->rep.bytes += rep.bytes;
		l->rep.connects += rep.connects;
		if (rc) {
			th_store_rollback(l->s);
			goto done;
		}
		*out_found = rep.projects + rep.projects_unchanged > 0;
	}
	if ((rc = th_store_commit(l->s, err)))
		goto done;
remember:
	if (kb__set_add(&l->asked, norm.ptr) < 0) {
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
settle:
	/* Asked once: whatever the knowledge base has now is the answer. */
	if (!*out_found && !(rc = th_kb_project_known(l->w, norm.ptr, &known, err)))
		*out_found = known;
done:
	th_buf_release(&norm);
	return rc;
}

void th_kb_lazy_report(const th_kb_lazy *l, th_kb_import_report *out)
{
	*out = l->rep;
}

/* ---- wheelhouses ---- */

typedef struct kb__dist {
	char *file;    /* owned: the file name */
	char *project; /* owned: normalized */
	char *version; /* owned: normalized */
	char *tags;    /* owned, or NULL */
} kb__dist;

static int kb__dist_cmp(const void *x, const void *y)
{
	const kb__dist *a = x, *b = y;
	int c = strcmp(a->project, b->project);
	return c ? c : strcmp(a->file, b->file);
}

static int kb__wheelhouse_scan(const char *dir, kb__dist **out, size_t *n, th_kb_import_report *rep, th_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	kb__dist *v = NULL;
	size_t cap = 0;
	th_buf ver = TH_BUF_INIT, tags = TH_BUF_INIT, norm = TH_BUF_INIT;
	int rc = 0;

	*n = 0;
	if (!d)
		return th_error_set(err, TH_ERR_IO, "%s: %s", dir, strerror(errno));
	while (!rc && (e = readdir(d))) {
		th_arena a;
		th_wheelname wn;
		th_sdistname sn;
		const char *name = NULL;
		int wheel = kb__has_suffix(e->d_name, ".whl");
		if (!wheel && !kb__is_sdist(e->d_name))
			continue;
		th_arena_init(&a, 0);
		if (wheel && !th_wheelname_parse(&wn, e->d_name, strlen(e->d_name), &a, NULL))
			name = wn.name;
		else if (!wheel && !th_sdistname_parse(&sn, e->d_name, strlen(e->d_name), &a, NULL))
			name = sn.name;
		if (!name) {
			rep->files_skipped++;
			th_arena_release(&a);
			continue;
		}
		th_buf_clear(&norm);
		if (!(rc = th_name_normalize(&norm, name, strlen(name), err)))
			rc = kb__dist_name(e->d_name, NULL, &ver, &tags, &a, err);
		th_arena_release(&a);
		if (rc <= 0) {
			if (rc < 0)
				break;
			rep->files_skipped++;
			continue;
		}
		rc = 0;
		if (*n == cap) {
			kb__dist *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*nv));
			if (!nv) {
				rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
				break;
			}
			v = nv;
		}
		kb__dist *k = &v[(*n)++];
		k->file = strdup(e->d_name);
		k->project = strdup(norm.ptr);
		k->version = strdup(ver.ptr);
		k->tags = tags.len ? strdup(tags.ptr) : NULL;
		if (!k->file || !k->project || !k->version || (tags.len && !k->tags))
			rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	closedir(d);
	th_buf_release(&ver);
	th_buf_release(&tags);
	th_buf_release(&norm);
	if (*n)
		qsort(v, *n, sizeof(*v), kb__dist_cmp);
	*out = v;
	return rc;
}

int th_kb_import_wheelhouse(th_store *s, const char *dir, const th_kb_import_opts *o, th_kb_import_report *rep,
			    th_error *err)
{
	th_kb_writer *w = NULL;
	kb__dist *v = NULL;
	size_t n = 0;
	th_buf url = TH_BUF_INIT, furl = TH_BUF_INIT;
	int64_t idx, pid = 0, vid;
	int rc;

	if ((rc = kb__file_url(&url, dir, 1, err)) || (rc = th_kb_writer_new(&w, s, err)) ||
	    (rc = th_kb_index_put(w, o->index_name ? o->index_name : url.ptr, url.ptr, o->priority, &idx, err)) ||
	    (rc = kb__wheelhouse_scan(dir, &v, &n, rep, err)))
		goto done;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		th_wheelhouse_file wf;
		th_metadata md;
		th_arena a;
		char mdhash[TH_SHA256_HEX];
		int known = 0;

		if (i == 0 || strcmp(v[i].project, v[i - 1].project)) {
			if ((rc = th_kb_project_put(w, idx, v[i].project, v[i].project, NULL, NULL, &pid, err)))
				goto done;
			rep->projects++;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, v[i].file);
		th_arena_init(&a, 0);
		if ((rc = th_wheelhouse_read(&wf, path, v[i].tags != NULL, o->lim, &a, err)) ||
		    (wf.metadata && (rc = th_sha256_hex(mdhash, wf.metadata, wf.metadata_len, err))) ||
		    (wf.metadata && (rc = th_kb_metadata_has(w, mdhash, &known, err)))) {
			th_arena_release(&a);
			goto done;
		}
		if (wf.metadata && !known) {
			if ((rc = th_metadata_parse(&md, wf.metadata, wf.metadata_len, o->lim, &a, err)) ||
			    (rc = th_kb_metadata_put(w, mdhash, md.name ? md.name : "", md.version ? md.version : "",
						     md.requires_python, md.requires_dist, md.nrequires_dist, err))) {
				th_error_prefix(err, "%s", path);
				th_arena_release(&a);
				goto done;
			}
			rep->metadata_fetched++;
		} else if (wf.metadata) {
			rep->metadata_reused++;
		}
		th_kb_file kf = { v[i].file, NULL, v[i].tags, "sha256", wf.sha256, NULL, 0, NULL, NULL,
				  (int64_t)wf.size, wf.metadata ? mdhash : NULL };
		const char **names = NULL;
		size_t nnames = 0;
		if ((rc = th_buf_printf(&furl, err, "%s%s", url.ptr, v[i].file)) == 0) {
			kf.url = furl.ptr;
			if (!(rc = th_kb_version_put(w, pid, v[i].version, &vid, err)))
				rc = th_kb_file_put(w, vid, &kf, NULL, err);
			if (!rc && (wf.top_level || wf.record) &&
			    !(rc = th_importnames_parse(&names, &nnames, wf.top_level, wf.top_level_len, wf.record,
							wf.record_len, o->lim, path, &a, err)))
				rc = th_kb_import_names_put(w, vid, names, nnames, err);
			rep->import_names += nnames;
		}
		th_buf_clear(&furl);
		th_arena_release(&a);
		if (rc)
			goto done;
		rep->files++;
	}
done:
	for (size_t i = 0; i < n; i++) {
		free(v[i].file);
		free(v[i].project);
		free(v[i].version);
		free(v[i].tags);
	}
	free(v);
	th_buf_release(&url);
	th_buf_release(&furl);
	th_kb_writer_free(w);
	return rc;
}

/* ---- advisories ---- */

typedef struct kb__adv {
	th_kb_writer *w;
	th_kb_import_report *rep;
	th_arena *a;
	th_error *err;
} kb__adv;

/* Keeps the PyPI entries (names normalized) and records the advisory. */
static int kb__on_advisory(void *ud, const th_osv *adv)
{
	kb__adv *c = ud;
	th_osv keep = *adv;
	th_osv_affected *af = adv->naffected ? th_arena_zalloc(c->a, adv->naffected * sizeof(*af)) : NULL;
	th_buf norm = TH_BUF_INIT;
	size_t n = 0;
	int rc = 0;

	if (adv->naffected && !af)
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < adv->naffected; i++) {
		const th_osv_affected *x = &adv->affected[i];
		if (!x->ecosystem || strcmp(x->ecosystem, "PyPI") != 0 || !x->name)
			continue;
		th_buf_clear(&norm);
		if ((rc = th_name_normalize(&norm, x->name, strlen(x->name), c->err)))
			goto done;
		af[n] = *x;
		if (!(af[n++].name = th_arena_strdup(c->a, norm.ptr))) {
			rc = th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
			goto done;
		}
	}
	if (!n) {
		c->rep->advisories_skipped++;
		goto done;
	}
	keep.affected = af;
	keep.naffected = n;
	if (!(rc = th_kb_advisory_put(c->w, &keep, c->err)))
		c->rep->advisories++;
done:
	th_buf_release(&norm);
	return rc;
}

static int kb__advisory_bytes(kb__adv *c, const char *data, size_t len, const char *what, const th_limits *lim)
{
	th_osv_format f = kb__has_suffix(what, ".json") ? TH_OSV_JSON : TH_OSV_YAML;
	th_arena a;
	int rc;

	th_arena_init(&a, 0);
	c->a = &a;
	rc = th_osv_parse(data, len, f, (unsigned)(f == TH_OSV_JSON ? lim->json_depth : lim->yaml_depth),
			  kb__on_advisory, c, &a, what, c->err);
	th_arena_release(&a);
	return rc;
}

static int kb__is_advisory_name(const char *name)
{
	return kb__has_suffix(name, ".json") || kb__has_suffix(name, ".yaml") || kb__has_suffix(name, ".yml");
}

static int kb__name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Walks a directory tree (sorted, so imports are reproducible), importing
 * every advisory file; hidden entries are skipped. */
static int kb__advisory_dir(kb__adv *c, const char *dir, th_buf *data, const th_limits *lim, int depth)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (depth > 32)
		return th_error_set(c->err, TH_ERR_LIMIT, "%s: directories nested too deep", dir);
	if (!(d = opendir(dir)))
		return th_error_set(c->err, TH_ERR_IO, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*nn));
			if (!nn) {
				rc = th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
				break;
			}
			names = nn;
		}
		if (!(names[n++] = strdup(e->d_name))) {
			rc = th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
			break;
		}
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), kb__name_cmp);
	for (size_t i = 0; !rc && i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			rc = kb__advisory_dir(c, path, data, lim, depth + 1);
		else if (S_ISREG(st.st_mode) && kb__is_advisory_name(names[i]) &&
			 !(rc = kb__read_file(data, path, lim->json_bytes, c->err)))
			rc = kb__advisory_bytes(c, data->ptr, data->len, path, lim);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

typedef struct kb__zipwalk {
	kb__adv *c;
	const char *path;
	const th_limits *lim;
} kb__zipwalk;

static bool kb__zip_want(void *ud, const char *name)
{
	return kb__is_advisory_name(name);
}

static int kb__zip_entry(void *ud, const char *name, const void *data, size_t len, th_error *err)
{
	kb__zipwalk *z = ud;
	char what[PATH_MAX];

	snprintf(what, sizeof(what), "%s:%s", z->path, name);
	return kb__advisory_bytes(z->c, data, len, what, z->lim);
}

static int kb__advisory_zip(kb__adv *c, const char *path, th_buf *data, const th_limits *lim)
{
	kb__zipwalk z = { c, path, lim };
	th_archive_opts o;

	th_archive_opts_init(&o, lim, path);
	o.max_entry_bytes = lim->json_bytes;
	o.want = kb__zip_want;
	return th_archive_each(path, &o, kb__zip_entry, &z, c->err);
}

int th_kb_import_advisories(th_store *s, const char *src, const th_kb_import_opts *o, th_kb_import_report *rep,
			    th_error *err)
{
	kb__adv c = { NULL, rep, NULL, err };
	th_buf data = TH_BUF_INIT;
	int rc;

	if ((rc = th_kb_writer_new(&c.w, s, err)))
		return rc;
	if (kb__is_dir(src))
		rc = kb__advisory_dir(&c, src, &data, o->lim, 0);
	else if (kb__has_suffix(src, ".zip"))
		rc = kb__advisory_zip(&c, src, &data, o->lim);
	else if (!(rc = kb__read_file(&data, src, o->lim->json_bytes, err)))
		rc = kb__advisory_bytes(&c, data.ptr, data.len, src, o->lim);
	th_buf_release(&data);
	th_kb_writer_free(c.w);
	return rc;
}

/* ---- image distributions ---- */

typedef struct kb__idist {
	const th_image_dist *d;
	const char *version; /* normalized (arena), NULL when not PEP 440 */
} kb__idist;

static int kb__idist_cmp(const void *x, const void *y)
{
	const kb__idist *a = x, *b = y;
	int c = strcmp(a->d->d.normalized, b->d->d.normalized);
	return c ? c : strcmp(a->d->path, b->d->path);
}

/* The canonical text an image distribution's metadata is addressed by:
 * fields a resolver reads, one per line, in a fixed order. */
static int kb__idist_hash(char hex[TH_SHA256_HEX], const th_pydist *d, th_buf *tmp, th_error *err)
{
	int rc;

	th_buf_clear(tmp);
	if ((rc = th_buf_printf(tmp, err, "thoth image distribution\nName: %s\nVersion: %s\nRequires-Python: %s\n",
				d->name ? d->name : "", d->version ? d->version : "",
				d->requires_python ? d->requires_python : "")))
		return rc;
	for (size_t i = 0; i < d->nrequires_dist; i++)
		if ((rc = th_buf_printf(tmp, err, "Requires-Dist: %s\n", d->requires_dist[i])))
			return rc;
	return th_sha256_hex(hex, tmp->ptr, tmp->len, err);
}

/* What an image distribution provides to `import`: its top_level.txt when
 * the scan found one, else the top-level names of its RECORD (the scan
 * keeps those, not RECORD itself, so namespace packages stay at their top
 * level here). top_level.txt goes through extractors/importnames like a
 * wheel's, which checks and dots its names. */
static int kb__idist_names(th_kb_writer *w, int64_t vid, const th_image_dist *d, const th_kb_import_opts *o,
			   th_kb_import_report *rep, th_buf *tmp, th_arena *a, th_error *err)
{
	const char *const *names = d->record_names;
	size_t n = d->nrecord_names;
	const char **tl = NULL;
	int rc;

	if (d->ntop_level) {
		th_buf_clear(tmp);
		for (size_t i = 0; i < d->ntop_level; i++)
			if ((rc = th_buf_printf(tmp, err, "%s\n", d->top_level[i])))
				return rc;
		if ((rc = th_importnames_parse(&tl, &n, tmp->ptr, tmp->len, NULL, 0, o->lim, d->path, a, err)))
			return rc;
		names = tl;
	}
	if (n > o->lim->import_names)
		return th_error_set(err, TH_ERR_LIMIT, "%s: more than %llu import names (limit import_names)", d->path,
				    (unsigned long long)o->lim->import_names);
	rep->import_names += n;
	return th_kb_import_names_put(w, vid, names, n, err);
}

int th_kb_import_image(th_store *s, int64_t scan, const th_kb_import_opts *o, th_kb_import_report *rep,
		       th_error *err)
{
	th_imgfacts f;
	th_arena a;
	th_kb_writer *w = NULL;
	kb__idist *v = NULL;
	th_buf name = TH_BUF_INIT, url = TH_BUF_INIT, tmp = TH_BUF_INIT, ver = TH_BUF_INIT;
	int64_t idx, pid = 0, vid;
	const char *key, *cur = NULL;
	int rc;

	th_arena_init(&a, 0);
	if ((rc = th_store_img_load(s, scan, &f, &a, err)))
		goto done;
	key = f.info.config_digest ? f.info.config_digest : f.info.ref;
	if ((rc = th_buf_printf(&name, err, "%s%s", TH_KB_IMAGE_PREFIX, key)) ||
	    (rc = th_buf_printf(&url, err, "%s%s", TH_KB_IMAGE_PREFIX, f.info.ref)) ||
	    (rc = th_kb_writer_new(&w, s, err)) ||
	    (rc = th_kb_index_put(w, o->index_name ? o->index_name : name.ptr, url.ptr, o->priority, &idx, err)))
		goto done;
	if (f.ndists && !(v = calloc(f.ndists, sizeof(*v)))) {
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < f.ndists; i++) {
		th_version pv;
		const char *dv = f.dists[i].d.version;
		v[i].d = &f.dists[i];
		th_buf_clear(&ver);
		if (dv && !th_version_parse(&pv, dv, strlen(dv), &a, NULL)) {
			if ((rc = th_version_format(&pv, &ver, err)))
				goto done;
			if (!(v[i].version = th_arena_strdup(&a, ver.ptr))) {
				rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
				goto done;
			}
		}
	}
	if (f.ndists)
		qsort(v, f.ndists, sizeof(*v), kb__idist_cmp);
	for (size_t i = 0; i < f.ndists; i++) {
		const th_image_dist *d = v[i].d;
		char hex[TH_SHA256_HEX];
		int known = 0;
		if (!v[i].version) {
			rep->files_skipped++;
			continue;
		}
		if (!cur || strcmp(cur, d->d.normalized) != 0) {
			cur = d->d.normalized;
			/* A new page for the project: its older rows in this index go. */
			if ((rc = th_kb_project_put(w, idx, d->d.normalized, d->d.name ? d->d.name : d->d.normalized, NULL,
						    NULL, &pid, err)))
				goto done;
			rep->projects++;
		}
		if (!d->d.from_dirname) {
			if ((rc = kb__idist_hash(hex, &d->d, &tmp, err)) || (rc = th_kb_metadata_has(w, hex, &known, err)) ||
			    (!known && (rc = th_kb_metadata_put(w, hex, d->d.name ? d->d.name : d->d.normalized, v[i].version,
								d->d.requires_python, d->d.requires_dist,
								d->d.nrequires_dist, err))))
				goto done;
			if (known)
				rep->metadata_reused++;
			else
				rep->metadata_fetched++;
		}
		th_buf_clear(&tmp);
		if ((rc = th_buf_printf(&tmp, err, "%s%s#%s", TH_KB_IMAGE_PREFIX, f.info.ref, d->path)))
			goto done;
		th_kb_file kf = { d->path, tmp.ptr, NULL, NULL, NULL, d->d.requires_python, 0, NULL, NULL, -1,
				  d->d.from_dirname ? NULL : hex };
		if ((rc = th_kb_version_put(w, pid, v[i].version, &vid, err)) ||
		    (rc = th_kb_file_put(w, vid, &kf, NULL, err)) || (rc = kb__idist_names(w, vid, d, o, rep, &tmp, &a, err)))
			goto done;
		rep->files++;
	}
done:
	free(v);
	th_buf_release(&name);
	th_buf_release(&url);
	th_buf_release(&tmp);
	th_buf_release(&ver);
	th_kb_writer_free(w);
	th_arena_release(&a);
	return rc;
}

/* ---- performance observations ---- */

typedef struct kb__obs {
	th_kb_writer *w;
	const char *hash;
	th_kb_import_report *rep;
	th_buf name, version, stack;
	th_arena a;
	int64_t seq;
} kb__obs;

/* name and version normalised into the buffers. */
static int kb__obs_pin(kb__obs *c, const th_obs_pin *p, th_error *err)
{
	th_version v;
	int rc;

	th_buf_clear(&c->name);
	th_buf_clear(&c->version);
	if ((rc = th_name_normalize(&c->name, p->name, strlen(p->name), err)) ||
	    (rc = th_version_parse(&v, p->version, strlen(p->version), &c->a, err)))
		return rc;
	return th_version_format(&v, &c->version, err);
}

static int kb__on_obs(void *ud, size_t index, const th_obs *o, th_error *err)
{
	kb__obs *c = ud;
	int rc = 0;

	(void)index;
	th_buf_clear(&c->stack);
	for (size_t i = 0; i < o->nstack && !rc; i++)
		if (!(rc = kb__obs_pin(c, &o->stack[i], err)))
			rc = th_buf_printf(&c->stack, err, "%s%s==%s", i ? " " : "", c->name.ptr, c->version.ptr);
	for (size_t i = 0; i < o->ncredited && !rc; i++) {
		if ((rc = kb__obs_pin(c, &o->credited[i], err)))
			break;
		th_obs_row r = { c->name.ptr, c->version.ptr, o->nstack ? c->stack.ptr : NULL, o->metric, o->unit,
				 o->value, o->higher_is_better, o->python, o->os_name, o->os_version, o->arch, o->cuda,
				 o->cpu, o->source };
		if (!(rc = th_kb_observation_put(c->w, c->hash, c->seq++, &r, err)))
			c->rep->observations++;
	}
	th_arena_release(&c->a);
	th_arena_init(&c->a, 0);
	return rc;
}

int th_kb_import_observations(th_store *s, const char *path, const th_kb_import_opts *o, th_kb_import_report *rep,
			      th_error *err)
{
	th_buf data = TH_BUF_INIT;
	char hex[TH_SHA256_HEX];
	kb__obs c = { NULL, hex, rep, TH_BUF_INIT, TH_BUF_INIT, TH_BUF_INIT, { 0 }, 0 };
	int rc;

	if (!strncmp(path, TH_KB_OBSERVATIONS_PREFIX, strlen(TH_KB_OBSERVATIONS_PREFIX)))
		path += strlen(TH_KB_OBSERVATIONS_PREFIX);
	th_arena_init(&c.a, 0);
	if ((rc = kb__read_file(&data, path, o->lim->json_bytes, err)) ||
	    (rc = th_sha256_hex(hex, data.ptr, data.len, err)) || (rc = th_kb_writer_new(&c.w, s, err)) ||
	    (rc = th_kb_observations_clear(c.w, hex, err)))
		goto done;
	rc = th_obs_parse(data.ptr, data.len, o->lim, path, kb__on_obs, &c, err);
done:
	th_kb_writer_free(c.w);
	th_buf_release(&data);
	th_buf_release(&c.name);
	th_buf_release(&c.version);
	th_buf_release(&c.stack);
	th_arena_release(&c.a);
	return rc;
}

/* ---- configured indexes ---- */

int th_kb_indexes_configured(th_kb_index_ref **out, size_t *n, const char *const *given, size_t ngiven,
			     const char *project_dir, const struct th_pipconf_env *env, th_arena *a, th_error *err)
{
	th_kb_index_ref *v;
	th_pipconf pc;
	th_pipconf_env penv;
	th_limits lim;
	int rc;

	*out = NULL;
	*n = 0;
	if (ngiven) {
		if (!(v = th_arena_zalloc(a, ngiven * sizeof(*v))))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < ngiven; i++) {
			v[i].url = given[i];
			v[i].priority = (int)i;
			v[i].origin = "--index";
		}
		*out = v;
		*n = ngiven;
		return 0;
	}
	if (!env) {
		th_pipconf_env_from_process(&penv);
		env = &penv;
	}
	/* Configuration files are small: the default bound is plenty. */
	th_limits_init(&lim);
	if ((rc = th_pipconf_load(&pc, env, project_dir, &lim, a, err)))
		return rc;
	if (!pc.n)
		return 0;
	if (!(v = th_arena_zalloc(a, pc.n * sizeof(*v))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < pc.n; i++) {
		v[i].name = pc.idx[i].name;
		v[i].url = pc.idx[i].url;
		v[i].priority = (int)i;
		v[i].explicit_only = pc.idx[i].explicit_only;
		v[i].origin = pc.idx[i].origin;
	}
	*out = v;
	*n = pc.n;
	return 0;
}
