#include "extractors/apk.h"

#include <stdlib.h>
#include <string.h>

typedef struct blk {
	th_apk_pkg p;
	size_t cap;
	const char *dir;
	size_t dir_len;
} blk;

static int apk__emit(blk *b, th_apk_fn fn, void *ud)
{
	int rc = 0;

	if (*b->p.name && *b->p.version)
		rc = fn(ud, &b->p);
	free(b->p.files);
	memset(b, 0, sizeof(*b));
	b->p.name = b->p.version = b->p.arch = b->p.origin = "";
	return rc;
}

int th_apk_parse(const char *s, size_t len, size_t max_files, th_arena *a, th_apk_fn fn, void *ud, th_error *err)
{
	blk b;
	size_t i = 0;
	int rc = 0;

	memset(&b, 0, sizeof(b));
	b.p.name = b.p.version = b.p.arch = b.p.origin = "";
	while (i <= len && !rc) {
		const char *l = s + i, *nl = i < len ? memchr(l, '\n', len - i) : NULL;
		size_t ll = i < len ? (nl ? (size_t)(nl - l) : len - i) : 0;
		i += ll + 1;
		if (ll && l[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			rc = apk__emit(&b, fn, ud);
			continue;
		}
		if (ll < 2 || l[1] != ':')
			continue;
		const char *v = l + 2;
		size_t vl = ll - 2;
		const char **field = l[0] == 'P' ? &b.p.name : l[0] == 'V' ? &b.p.version : l[0] == 'A' ? &b.p.arch
				   : l[0] == 'o' ? &b.p.origin : NULL;
		if (field) {
			if (!(*field = th_arena_strndup(a, v, vl)))
				rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		} else if (l[0] == 'F') {
			b.dir = v;
			b.dir_len = vl;
		} else if (l[0] == 'R' && b.p.nfiles < max_files) {
			if (b.p.nfiles == b.cap) {
				size_t nc = b.cap ? b.cap * 2 : 16;
				const char **nf = realloc(b.p.files, nc * sizeof(*nf));
				if (!nf) {
					rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
					break;
				}
				b.p.files = nf;
				b.cap = nc;
			}
			char *p = th_arena_alloc(a, b.dir_len + vl + 3);
			if (!p) {
				rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
				break;
			}
			size_t o = 0;
			p[o++] = '/';
			if (b.dir_len) {
				memcpy(p + o, b.dir, b.dir_len);
				o += b.dir_len;
				p[o++] = '/';
			}
			memcpy(p + o, v, vl);
			p[o + vl] = '\0';
			b.p.files[b.p.nfiles++] = p;
		}
	}
	if (!rc)
		rc = apk__emit(&b, fn, ud);
	else
		free(b.p.files);
	return rc;
}
