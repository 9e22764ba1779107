/* indexpage — PEP 503 HTML and PEP 691 JSON index pages, see indexpage.h. */
#include "extractors/indexpage.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"

/* ---- small byte helpers ---- */

static int indexpage__lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int indexpage__space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int indexpage__hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = indexpage__lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Case-insensitive: does (s, len) at i start with the lower-case word w? */
static int indexpage__at(const char *s, size_t len, size_t i, const char *w)
{
	size_t n = strlen(w);
	if (len - i < n)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (indexpage__lower((unsigned char)s[i + k]) != w[k])
			return 0;
	return 1;
}

static size_t indexpage__find(const char *s, size_t len, size_t i, const char *w)
{
	while (i < len && !indexpage__at(s, len, i, w))
		i++;
	return i;
}

static char *indexpage__pututf8(char *o, unsigned long cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD; /* what HTML does with a character reference it refuses */
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* An HTML-unescaped, whitespace-trimmed copy in the arena. Only the
 * references index pages use (the five XML ones and numeric ones) are
 * decoded; any other '&' stays literal. The result is never longer than the
 * input, since every reference is at least as long as its UTF-8 form. */
static char *indexpage__unescape(th_arena *a, const char *s, size_t len)
{
	static const struct { const char *name; char c; } named[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' }, { "apos;", '\'' },
	};
	char *out, *o;

	while (len && indexpage__space((unsigned char)*s))
		s++, len--;
	while (len && indexpage__space((unsigned char)s[len - 1]))
		len--;
	if (!(out = th_arena_alloc(a, len + 1)))
		return NULL;
	o = out;
	for (size_t i = 0; i < len;) {
		if (s[i] != '&') {
			*o++ = s[i++];
			continue;
		}
		size_t j = i + 1;
		int done = 0;
		if (j < len && s[j] == '#') {
			int hex = j + 1 < len && (s[j + 1] == 'x' || s[j + 1] == 'X');
			unsigned long cp = 0;
			size_t k = j + 1 + (size_t)hex, digits = 0;
			for (; k < len && digits < 8; k++, digits++) {
				int d = indexpage__hexval((unsigned char)s[k]);
				if (d < 0 || (!hex && d > 9))
					break;
				cp = cp * (hex ? 16 : 10) + (unsigned long)d;
			}
			/* "&#N;" is at least 4 bytes and no reference encodes to more
			 * UTF-8 bytes than it has, so the output fits in len + 1. */
			if (digits && k < len && s[k] == ';') {
				o = indexpage__pututf8(o, cp);
				i = k + 1;
				done = 1;
			}
		} else {
			for (size_t n = 0; n < sizeof(named) / sizeof(named[0]); n++) {
				if (indexpage__at(s, len, j, named[n].name)) {
					*o++ = named[n].c;
					i = j + strlen(named[n].name);
					done = 1;
					break;
				}
			}
		}
		if (!done)
			*o++ = s[i++];
	}
	*o = '\0';
	return out;
}

int th_indexpage_hash(const char **out_name, const char **out_hex, const char *s, size_t len, th_arena *a)
{
	static const struct { const char *name; size_t hexlen; } algs[] = {
		{ "sha256", 64 }, { "sha512", 128 }, { "sha384", 96 }, { "sha224", 56 }, { "sha1", 40 }, { "md5", 32 },
	};
	const char *eq = memchr(s, '=', len);
	size_t nlen, hlen;
	char *hex;

	*out_name = *out_hex = NULL;
	if (!eq)
		return TH_ERR_INVALID;
	nlen = (size_t)(eq - s);
	hlen = len - nlen - 1;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strlen(algs[i].name) != nlen || memcmp(algs[i].name, s, nlen) || hlen != algs[i].hexlen)
			continue;
		if (!(hex = th_arena_alloc(a, hlen + 1)))
			return TH_ERR_NOMEM;
		for (size_t k = 0; k < hlen; k++) {
			if (indexpage__hexval((unsigned char)eq[1 + k]) < 0)
				return TH_ERR_INVALID;
			hex[k] = (char)indexpage__lower((unsigned char)eq[1 + k]);
		}
		hex[hlen] = '\0';
		*out_name = algs[i].name;
		*out_hex = hex;
		return 0;
	}
	return TH_ERR_INVALID;
}

/* ---- HTML ---- */

/* The attributes of one tag that index pages use; first occurrence wins, as
 * in HTML. A NULL value means absent; a bare attribute has value "". */
enum { A_HREF, A_REQPY, A_YANKED, A_COREMD, A_DISTMD, A_NATTR };
static const char *const indexpage__attr_names[A_NATTR] = {
	"href", "data-requires-python", "data-yanked", "data-core-metadata", "data-dist-info-metadata",
};

typedef struct indexpage__tag {
	char name[8]; /* lower-case; longer names are truncated, which is enough to tell "a" */
	const char *val[A_NATTR];
	size_t vlen[A_NATTR];
	int seen[A_NATTR];
} indexpage__tag;

/* Parses a start tag from s[i] == '<'. Returns the index after '>' (or len
 * when the tag never closes). */
static size_t indexpage__tag_parse(indexpage__tag *t, const char *s, size_t len, size_t i)
{
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	i++;
	while (i < len && !indexpage__space((unsigned char)s[i]) && s[i] != '>' && s[i] != '/') {
		if (n + 1 < sizeof(t->name))
			t->name[n++] = (char)indexpage__lower((unsigned char)s[i]);
		i++;
	}
	while (i < len && s[i] != '>') {
		size_t ns, ne, vs = 0, ve = 0;
		int hasval = 0;

		if (indexpage__space((unsigned char)s[i]) || s[i] == '/') {
			i++;
			continue;
		}
		ns = i;
		while (i < len && !indexpage__space((unsigned char)s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/')
			i++;
		ne = i;
		while (i < len && indexpage__space((unsigned char)s[i]))
			i++;
		if (i < len && s[i] == '=') {
			i++;
			while (i < len && indexpage__space((unsigned char)s[i]))
				i++;
			hasval = 1;
			if (i < len && (s[i] == '"' || s[i] == '\'')) {
				char q = s[i++];
				vs = i;
				while (i < len && s[i] != q)
					i++;
				ve = i;
				if (i < len)
					i++;
			} else {
				vs = i;
				while (i < len && !indexpage__space((unsigned char)s[i]) && s[i] != '>')
					i++;
				ve = i;
			}
		}
		for (int k = 0; k < A_NATTR; k++) {
			const char *an = indexpage__attr_names[k];
			if (t->seen[k] || ne - ns != strlen(an) || !indexpage__at(s, len, ns, an))
				continue;
			t->seen[k] = 1;
			t->val[k] = hasval ? s + vs : "";
			t->vlen[k] = hasval ? ve - vs : 0;
		}
		if (ne == ns) /* a stray character: step over it */
			i++;
	}
	return i < len ? i + 1 : len;
}

typedef int (*indexpage__anchor_fn)(void *ud, const indexpage__tag *t, const char *text, size_t tlen);

/* Walks the page and calls fn for every <a> start tag with its text (up to
 * the next tag). Comments, doctype and end tags are stepped over. */
static int indexpage__anchors(const char *s, size_t len, indexpage__anchor_fn fn, void *ud)
{
	size_t i = 0;
	indexpage__tag t;
	int rc;

	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		if (!lt)
			break;
		i = (size_t)(lt - s);
		if (indexpage__at(s, len, i, "<!--")) {
			i = indexpage__find(s, len, i + 4, "-->");
			i = i < len ? i + 3 : len;
			continue;
		}
		if (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?' || s[i + 1] == '/')) {
			const char *gt = memchr(s + i, '>', len - i);
			i = gt ? (size_t)(gt - s) + 1 : len;
			continue;
		}
		i = indexpage__tag_parse(&t, s, len, i);
		if (strcmp(t.name, "a") != 0)
			continue;
		const char *end = memchr(s + i, '<', len - i);
		size_t tlen = end ? (size_t)(end - (s + i)) : len - i;
		if ((rc = fn(ud, &t, s + i, tlen)))
			return rc;
		i += tlen;
	}
	return 0;
}

typedef struct indexpage__html_ctx {
	th_arena *a;
	th_indexfile_fn ffn;
	th_indexproject_fn pfn;
	void *ud;
	const char *what;
	th_error *err;
} indexpage__html_ctx;

static int indexpage__nomem(indexpage__html_ctx *c)
{
	return th_error_set(c->err, TH_ERR_NOMEM, "%s: out of memory", c->what);
}

static int indexpage__html_file(void *ud, const indexpage__tag *t, const char *text, size_t tlen)
{
	indexpage__html_ctx *c = ud;
	th_indexfile f;
	char *href;
	const char *md;
	size_t mdlen;

	if (!t->val[A_HREF])
		return 0;
	memset(&f, 0, sizeof(f));
	f.size = -1;
	if (!(href = indexpage__unescape(c->a, t->val[A_HREF], t->vlen[A_HREF])) ||
	    !(f.filename = indexpage__unescape(c->a, text, tlen)))
		return indexpage__nomem(c);
	if (!*href || !*f.filename)
		return 0;
	char *hash = strchr(href, '#');
	if (hash) {
		*hash++ = '\0';
		if (th_indexpage_hash(&f.hash_name, &f.hash_hex, hash, strlen(hash), c->a) == TH_ERR_NOMEM)
			return indexpage__nomem(c);
	}
	f.url = href;
	if (t->val[A_REQPY]) {
		if (!(f.requires_python = indexpage__unescape(c->a, t->val[A_REQPY], t->vlen[A_REQPY])))
			return indexpage__nomem(c);
		if (!*f.requires_python)
			f.requires_python = NULL;
	}
	if (t->val[A_YANKED]) {
		f.yanked = 1;
		if (!(f.yanked_reason = indexpage__unescape(c->a, t->val[A_YANKED], t->vlen[A_YANKED])))
			return indexpage__nomem(c);
		if (!*f.yanked_reason)
			f.yanked_reason = NULL;
	}
	/* PEP 714: data-core-metadata is the name; the older one is read when it
	 * is the only one given. "false" is not a PEP value but means no file. */
	int k = t->val[A_COREMD] ? A_COREMD : A_DISTMD;
	if ((md = t->val[k])) {
		char *v = indexpage__unescape(c->a, md, t->vlen[k]);
		if (!v)
			return indexpage__nomem(c);
		mdlen = strlen(v);
		if (strcmp(v, "false") != 0) {
			f.has_metadata = 1;
			if (th_indexpage_hash(&f.metadata_hash_name, &f.metadata_hash_hex, v, mdlen, c->a) == TH_ERR_NOMEM)
				return indexpage__nomem(c);
		}
	}
	return c->ffn(c->ud, &f);
}

static int indexpage__html_project(void *ud, const indexpage__tag *t, const char *text, size_t tlen)
{
	indexpage__html_ctx *c = ud;
	char *name, *href = NULL;

	if (!(name = indexpage__unescape(c->a, text, tlen)) ||
	    (t->val[A_HREF] && !(href = indexpage__unescape(c->a, t->val[A_HREF], t->vlen[A_HREF]))))
		return indexpage__nomem(c);
	if (!*name)
		return 0;
	return c->pfn(c->ud, name, href && *href ? href : NULL);
}

int th_indexpage_html_files(const char *data, size_t len, th_indexfile_fn fn, void *ud, th_arena *a,
			    const char *what, th_error *err)
{
	indexpage__html_ctx c = { a, fn, NULL, ud, what, err };
	return indexpage__anchors(data, len, indexpage__html_file, &c);
}

int th_indexpage_html_projects(const char *data, size_t len, th_indexproject_fn fn, void *ud, th_arena *a,
			       const char *what, th_error *err)
{
	indexpage__html_ctx c = { a, NULL, fn, ud, what, err };
	return indexpage__anchors(data, len, indexpage__html_project, &c);
}

/* ---- JSON ---- */

static int indexpage__json_root(th_json **out, const char *data, size_t len, unsigned max_depth, const char *what,
				th_error *err)
{
	th_json *root, *ver;
	const char *v;
	int rc;

	if ((rc = th_json_parse(&root, data, len, max_depth, what, err)))
		return rc;
	if (th_json_typeof(root) != TH_JSON_OBJECT) {
		th_json_free(root);
		return th_error_set(err, TH_ERR_INVALID, "%s: a PEP 691 page must be a JSON object", what);
	}
	ver = th_json_get(th_json_get(root, "meta"), "api-version");
	v = th_json_str(ver, NULL);
	if (!v || v[0] != '1' || (v[1] != '\0' && v[1] != '.')) {
		/* The message quotes the document: set it before freeing it. */
		rc = th_error_set(err, TH_ERR_UNSUPPORTED, "%s: meta.api-version %s is not a 1.x version", what,
				  v ? v : "is missing or");
		th_json_free(root);
		return rc;
	}
	*out = root;
	return 0;
}

static const char *indexpage__jstr(th_json *v, th_arena *a, int *nomem)
{
	size_t len;
	const char *s = th_json_str(v, &len);
	char *r;

	if (!s)
		return NULL;
	if (!(r = th_arena_strndup(a, s, len)))
		*nomem = 1;
	return r;
}

/* Picks a hash from a PEP 691 "hashes" object, sha256 first. */
static int indexpage__json_hashes(const char **name, const char **hex, th_json *h, th_arena *a)
{
	static const char *const pref[] = { "sha256", "sha512", "sha384", "sha224", "sha1", "md5" };
	char tmp[160];

	*name = *hex = NULL;
	for (size_t i = 0; i < sizeof(pref) / sizeof(pref[0]); i++) {
		size_t vlen;
		const char *v = th_json_str(th_json_get(h, pref[i]), &vlen);
		int n;
		if (!v || vlen > 128)
			continue;
		n = snprintf(tmp, sizeof(tmp), "%s=%.*s", pref[i], (int)vlen, v);
		if (th_indexpage_hash(name, hex, tmp, (size_t)n, a) == TH_ERR_NOMEM)
			return TH_ERR_NOMEM;
		if (*name)
			return 0;
	}
	return 0;
}

static int indexpage__json_file(th_indexfile *f, th_json *jf, th_arena *a, size_t i, const char *what,
				th_error *err)
{
	th_json *y, *md;
	int nomem = 0;

	memset(f, 0, sizeof(*f));
	f->size = -1;
	if (th_json_typeof(jf) != TH_JSON_OBJECT)
		return th_error_set(err, TH_ERR_INVALID, "%s: files[%zu] is not an object", what, i);
	f->filename = indexpage__jstr(th_json_get(jf, "filename"), a, &nomem);
	f->url = indexpage__jstr(th_json_get(jf, "url"), a, &nomem);
	if (nomem)
		goto nomem;
	if (!f->filename || !*f->filename || !f->url || !*f->url)
		return th_error_set(err, TH_ERR_INVALID, "%s: files[%zu] lacks a filename or url string", what, i);
	if (indexpage__json_hashes(&f->hash_name, &f->hash_hex, th_json_get(jf, "hashes"), a))
		goto nomem;
	f->requires_python = indexpage__jstr(th_json_get(jf, "requires-python"), a, &nomem);
	if (f->requires_python && !*f->requires_python)
		f->requires_python = NULL;
	y = th_json_get(jf, "yanked");
	if (th_json_typeof(y) == TH_JSON_STRING) {
		f->yanked = 1;
		f->yanked_reason = indexpage__jstr(y, a, &nomem);
		if (f->yanked_reason && !*f->yanked_reason)
			f->yanked_reason = NULL;
	} else if (th_json_typeof(y) == TH_JSON_BOOL) {
		f->yanked = th_json_bool(y);
	}
	md = th_json_get(jf, "core-metadata");
	if (!md)
		md = th_json_get(jf, "dist-info-metadata");
	if (th_json_typeof(md) == TH_JSON_BOOL) {
		f->has_metadata = th_json_bool(md);
	} else if (th_json_typeof(md) == TH_JSON_OBJECT) {
		f->has_metadata = 1;
		if (indexpage__json_hashes(&f->metadata_hash_name, &f->metadata_hash_hex, md, a))
			goto nomem;
	}
	f->upload_time = indexpage__jstr(th_json_get(jf, "upload-time"), a, &nomem);
	if (th_json_typeof(th_json_get(jf, "size")) == TH_JSON_INT && th_json_int(th_json_get(jf, "size")) >= 0)
		f->size = th_json_int(th_json_get(jf, "size"));
	if (nomem)
		goto nomem;
	return 0;
nomem:
	return th_error_set(err, TH_ERR_NOMEM, "%s: out of memory", what);
}

int th_indexpage_json_files(const char *data, size_t len, unsigned max_depth, th_indexfile_fn fn, void *ud,
			    th_arena *a, const char *what, th_error *err)
{
	th_json *root, *files;
	th_indexfile f;
	int rc;

	if ((rc = indexpage__json_root(&root, data, len, max_depth, what, err)))
		return rc;
	files = th_json_get(root, "files");
	if (th_json_typeof(files) != TH_JSON_ARRAY) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: \"files\" is missing or not an array", what);
		goto done;
	}
	for (size_t i = 0; i < th_json_len(files); i++) {
		if ((rc = indexpage__json_file(&f, th_json_at(files, i), a, i, what, err)) || (rc = fn(ud, &f)))
			goto done;
	}
done:
	th_json_free(root);
	return rc;
}

int th_indexpage_json_projects(const char *data, size_t len, unsigned max_depth, th_indexproject_fn fn,
			       void *ud, th_arena *a, const char *what, th_error *err)
{
	th_json *root, *projects;
	int rc;

	if ((rc = indexpage__json_root(&root, data, len, max_depth, what, err)))
		return rc;
	projects = th_json_get(root, "projects");
	if (th_json_typeof(projects) != TH_JSON_ARRAY) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: \"projects\" is missing or not an array", what);
		goto done;
	}
	for (size_t i = 0; i < th_json_len(projects); i++) {
		int nomem = 0;
		const char *name = indexpage__jstr(th_json_get(th_json_at(projects, i), "name"), a, &nomem);
		if (nomem) {
			rc = th_error_set(err, TH_ERR_NOMEM, "%s: out of memory", what);
			goto done;
		}
		if (!name || !*name) {
			rc = th_error_set(err, TH_ERR_INVALID, "%s: projects[%zu] has no name string", what, i);
			goto done;
		}
		if ((rc = fn(ud, name, NULL)))
			goto done;
	}
done:
	th_json_free(root);
	return rc;
}
