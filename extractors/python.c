#include "extractors/python.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/metadata.h"
#include "core/name.h"

static bool py__digits(const char **p, int *v)
{
	int n = 0, d = 0;

	while (isdigit((unsigned char)**p) && d < 4) {
		n = n * 10 + (**p - '0');
		(*p)++;
		d++;
	}
	*v = n;
	return d > 0 && !isdigit((unsigned char)**p);
}

bool th_python_interp_name(const char *b, int *major, int *minor)
{
	const char *p;

	if (!strncmp(b, "python", 6))
		p = b + 6;
	else if (!strncmp(b, "libpython", 9))
		p = b + 9;
	else
		return false;
	if (!py__digits(&p, major) || *p++ != '.' || !py__digits(&p, minor))
		return false;
	if (b[0] == 'p')
		return *p == '\0';
	if (*p == 'm' || *p == 'd' || *p == 'u')
		p++;
	return !strncmp(p, ".so", 3) && (p[3] == '\0' || p[3] == '.');
}

const char *th_python_binary_version(const void *data, size_t len, int major, int minor, th_arena *a)
{
	char pre[16];
	const char *s = data, *end = s + len, *p = s;
	int pl = snprintf(pre, sizeof(pre), "%d.%d.", major, minor);

	while (p < end && (p = memmem(p, (size_t)(end - p), pre, (size_t)pl))) {
		const char *q = p + pl;
		/* PY_VERSION is its own NUL-terminated string: "3.11.2", "3.12.0rc1", "3.13.0+" */
		if ((p == s || p[-1] == '\0') && q < end && isdigit((unsigned char)*q)) {
			const char *e = q;
			while (e < end && (isalnum((unsigned char)*e) || *e == '+') && e - p < 24)
				e++;
			if (e < end && *e == '\0')
				return th_arena_strndup(a, p, (size_t)(e - p));
		}
		p += pl;
	}
	return NULL;
}

bool th_pydist_dirname(const char *name)
{
	size_t n = strlen(name);
	return (n > 10 && !strcmp(name + n - 10, ".dist-info")) || (n > 9 && !strcmp(name + n - 9, ".egg-info"));
}

/* "name-1.0.dist-info" / "name-1.0-py3.11.egg-info" -> name, version. */
static void py__split_dirname(const char *d, th_arena *a, const char **name, const char **version)
{
	size_t n = strlen(d);
	const char *dash;

	n -= (n > 10 && !strcmp(d + n - 10, ".dist-info")) ? 10 : 9;
	dash = memchr(d, '-', n);
	*name = th_arena_strndup(a, d, dash ? (size_t)(dash - d) : n);
	if (dash) {
		const char *v = dash + 1, *e = memchr(v, '-', n - (size_t)(v - d));
		*version = th_arena_strndup(a, v, e ? (size_t)(e - v) : n - (size_t)(v - d));
	} else {
		*version = "";
	}
}

int th_pydist_parse(th_pydist *out, const char *dirname, const char *md, size_t md_len, const th_limits *lim,
		    th_arena *a, th_error *err)
{
	th_metadata m;
	th_buf norm = TH_BUF_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (md && th_metadata_parse(&m, md, md_len, lim, a, NULL) == 0 && m.name && *m.name && m.version) {
		out->name = m.name;
		out->version = m.version;
		out->requires_python = m.requires_python;
		out->requires_dist = m.requires_dist;
		out->nrequires_dist = m.nrequires_dist;
		out->provides_extra = m.provides_extra;
		out->nprovides_extra = m.nprovides_extra;
		out->summary = m.summary;
	} else {
		py__split_dirname(dirname, a, &out->name, &out->version);
		out->from_dirname = true;
	}
	if (!out->name || !*out->name || !out->version)
		return th_error_set(err, TH_ERR_INVALID, "%s: no distribution name", dirname);
	if ((rc = th_name_normalize(&norm, out->name, strlen(out->name), err)))
		goto done;
	if (!(out->normalized = th_arena_strndup(a, norm.ptr, norm.len)))
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
done:
	th_buf_release(&norm);
	return rc;
}

/* One line of txt at *i, without its line end and surrounding blanks. */
static const char *py__line(const char *txt, size_t len, size_t *i, size_t *ll)
{
	const char *l = txt + *i, *nl = memchr(l, '\n', len - *i);
	size_t n = nl ? (size_t)(nl - l) : len - *i;

	*i += n + (nl ? 1 : 0);
	while (n && isspace((unsigned char)l[n - 1]))
		n--;
	while (n && isspace((unsigned char)*l)) {
		l++;
		n--;
	}
	*ll = n;
	return l;
}

int th_pydist_console_scripts(const char ***out, size_t *n, const char *txt, size_t len, th_arena *a)
{
	size_t cap = 1, i;
	bool in = false;

	*out = NULL;
	*n = 0;
	for (i = 0; i < len; i++)
		cap += txt[i] == '\n';
	const char **v = th_arena_alloc(a, cap * sizeof(*v));
	if (!v)
		return TH_ERR_NOMEM;
	for (i = 0; i < len;) {
		size_t ll, k;
		const char *l = py__line(txt, len, &i, &ll);
		if (!ll || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			in = ll == 17 && !memcmp(l, "[console_scripts]", 17);
			continue;
		}
		if (!in)
			continue;
		for (k = 0; k < ll && l[k] != '='; k++)
			;
		if (k == ll)
			continue; /* not "name = value": ignored, like a reader of the format would */
		while (k && isspace((unsigned char)l[k - 1]))
			k--;
		if (k && *n < cap && !(v[(*n)++] = th_arena_strndup(a, l, k)))
			return TH_ERR_NOMEM;
	}
	*out = *n ? v : NULL;
	return 0;
}

uint64_t th_pydist_count_lines(const char *txt, size_t len)
{
	uint64_t c = 0;

	for (size_t i = 0; i < len;) {
		size_t ll;
		py__line(txt, len, &i, &ll);
		c += ll > 0;
	}
	return c;
}

bool th_pydist_is_ident(const char *s, size_t n)
{
	if (!n || isdigit((unsigned char)*s))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int py__cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int th_pydist_record_names(const char ***out, size_t *n, const char *txt, size_t len, bool egg, th_arena *a)
{
	size_t cap = 0, k = 0;
	const char **v;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < len; i++)
		cap += txt[i] == '\n';
	if (!(v = th_arena_alloc(a, (cap + 1) * sizeof(*v))))
		return TH_ERR_NOMEM;
	for (size_t i = 0; i < len;) {
		size_t ll, c;
		const char *l = py__line(txt, len, &i, &ll);
		if (ll && *l == '"') { /* a CSV-quoted path: its first component is what counts */
			l++;
			ll--;
		}
		if (egg) { /* installed-files.txt: relative to the .egg-info directory */
			if (ll < 3 || memcmp(l, "../", 3))
				continue;
			l += 3;
			ll -= 3;
		}
		for (c = 0; c < ll && l[c] != '/' && l[c] != ',' && l[c] != '"'; c++)
			;
		bool dir = c < ll && l[c] == '/';
		size_t nl = c;
		if (!dir) { /* a module file: foo.py, _foo.cpython-311-x86_64-linux-gnu.so, foo.abi3.so */
			const char *dot = memchr(l, '.', c);
			if (!dot)
				continue;
			const char *last = l + c;
			while (last > l && last[-1] != '.')
				last--;
			size_t el = (size_t)(l + c - last);
			if (!((el == 2 && !memcmp(last, "py", 2)) || (el == 2 && !memcmp(last, "so", 2)) ||
			      (el == 3 && !memcmp(last, "pyd", 3))))
				continue;
			nl = (size_t)(dot - l);
		}
		if (!th_pydist_is_ident(l, nl) || (nl == 11 && !memcmp(l, "__pycache__", 11)))
			continue;
		if (k <= cap && !(v[k++] = th_arena_strndup(a, l, nl)))
			return TH_ERR_NOMEM;
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), py__cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (!u || strcmp(v[u - 1], v[i]))
			v[u++] = v[i];
	*out = u ? v : NULL;
	*n = u;
	return 0;
}
