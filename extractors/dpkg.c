#include "extractors/dpkg.h"

#include <stdbool.h>
#include <string.h>

typedef struct para {
	const char *pkg, *ver, *arch, *status, *src;
	size_t pkg_l, ver_l, arch_l, status_l, src_l;
} para;

static int dpkg__emit(const para *p, th_arena *a, th_dpkg_fn fn, void *ud, th_error *err)
{
	th_dpkg_pkg r;

	if (!p->pkg_l || !p->ver_l)
		return 0;
	if (p->status && !(p->status_l >= 20 && !memcmp(p->status, "install ", 8) &&
			   !memcmp(p->status + p->status_l - 10, " installed", 10)))
		return 0;
	r.name = th_arena_strndup(a, p->pkg, p->pkg_l);
	r.version = th_arena_strndup(a, p->ver, p->ver_l);
	r.arch = th_arena_strndup(a, p->arch ? p->arch : "", p->arch_l);
	if (p->src_l) {
		/* "Source: name (version)" */
		const char *sp = memchr(p->src, ' ', p->src_l);
		size_t nl = sp ? (size_t)(sp - p->src) : p->src_l;
		r.source = th_arena_strndup(a, p->src, nl);
		const char *op = sp ? memchr(sp, '(', p->src_l - nl) : NULL;
		const char *cp = op ? memchr(op, ')', p->src_l - (size_t)(op - p->src)) : NULL;
		r.source_version = cp ? th_arena_strndup(a, op + 1, (size_t)(cp - op - 1)) : r.version;
	} else {
		r.source = r.name;
		r.source_version = r.version;
	}
	if (!r.name || !r.version || !r.arch || !r.source || !r.source_version)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	return fn(ud, &r);
}

static void dpkg__field(para *p, const char *k, size_t kl, const char *v, size_t vl)
{
	static const struct { const char *name; size_t off, loff; } f[] = {
		{ "Package", offsetof(para, pkg), offsetof(para, pkg_l) },
		{ "Version", offsetof(para, ver), offsetof(para, ver_l) },
		{ "Architecture", offsetof(para, arch), offsetof(para, arch_l) },
		{ "Status", offsetof(para, status), offsetof(para, status_l) },
		{ "Source", offsetof(para, src), offsetof(para, src_l) },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		/* Field names are case-insensitive in deb822; dpkg writes them capitalised. */
		if (kl == strlen(f[i].name) && !strncasecmp(k, f[i].name, kl)) {
			*(const char **)((char *)p + f[i].off) = v;
			*(size_t *)((char *)p + f[i].loff) = vl;
		}
	}
}

int th_dpkg_parse(const char *s, size_t len, th_arena *a, th_dpkg_fn fn, void *ud, th_error *err)
{
	para p;
	size_t i = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	while (i <= len) {
		const char *line = s + i, *nl = i < len ? memchr(line, '\n', len - i) : NULL;
		size_t ll = i < len ? (nl ? (size_t)(nl - line) : len - i) : 0;
		bool blank = true;
		i += ll + 1;
		for (size_t k = 0; k < ll && blank; k++)
			blank = line[k] == ' ' || line[k] == '\t' || line[k] == '\r';
		if (blank) {
			if ((rc = dpkg__emit(&p, a, fn, ud, err)))
				return rc;
			memset(&p, 0, sizeof(p));
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t' || line[0] == '#')
			continue; /* continuation: none of the fields we keep spans lines */
		const char *colon = memchr(line, ':', ll);
		if (!colon)
			continue;
		const char *v = colon + 1, *end = line + ll;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		dpkg__field(&p, line, (size_t)(colon - line), v, (size_t)(end - v));
	}
	return 0;
}
