#include "core/tags.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds that keep a hostile target string from producing a huge list:
 * glibc and musl minors are far below these today. */
#define TAGS__MAX_MINOR 999
#define TAGS__MAX_LIBC_MAJOR 9
#define TAGS__MAX_PLATFORMS 4096

/* A growable list of platform strings, in the arena. */
typedef struct {
	const char **v;
	size_t n, cap;
	th_arena *a;
} tags__list;

static int tags__push(tags__list *l, const char *s, th_error *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		const char **v = th_arena_alloc(l->a, cap * sizeof(*v));
		if (!v)
			return th_error_set(err, TH_ERR_NOMEM, "tags: out of memory");
		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

static int tags__pushf(tags__list *l, th_error *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tags__pushf(tags__list *l, th_error *err, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return th_error_set(err, TH_ERR_INVALID, "tags: platform tag too long");
	s = th_arena_strndup(l->a, tmp, (size_t)n);
	if (!s)
		return th_error_set(err, TH_ERR_NOMEM, "tags: out of memory");
	return tags__push(l, s, err);
}

/* Reads a decimal number of at most 3 digits at *p; -1 if none. */
static int tags__num(const char **p)
{
	int v = 0, digits = 0;

	while (**p >= '0' && **p <= '9') {
		if (++digits > 3)
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return digits ? v : -1;
}

static int tags__parse_python(th_target *out, const char *python, th_arena *a, th_error *err)
{
	const char *p = python;
	int major, minor, patch;
	char tmp[32];

	if (!python)
		return th_error_set(err, TH_ERR_INVALID, "python version: missing");
	major = tags__num(&p);
	if (major < 0 || *p++ != '.')
		goto bad;
	minor = tags__num(&p);
	if (minor < 0)
		goto bad;
	if (*p == '.') {
		p++;
		patch = tags__num(&p);
		if (patch < 0)
			goto bad;
	}
	/* Bounded so a hostile version cannot ask for a huge tag list. */
	if (*p || major < 2 || major > 9 || minor > 99)
		goto bad;
	out->py_major = major;
	out->py_minor = minor;
	snprintf(tmp, sizeof(tmp), "cp%d%d", major, minor);
	out->interpreter = th_arena_strdup(a, tmp);
	if (!out->interpreter)
		return th_error_set(err, TH_ERR_NOMEM, "tags: out of memory");
	return 0;
bad:
	return th_error_set(err, TH_ERR_INVALID, "python version '%.64s': expected X.Y or X.Y.Z", python);
}

/* Architecture spellings uv, Docker and wheel tags use, to the wheel tag's.
 * Every one has manylinux wheels: packaging 23.0 also reads the
 * interpreter's ELF header for armv7l (hard float) and i686 (32-bit), which a
 * target states outright, and knows no riscv64 manylinux (later versions do;
 * thoth follows them). */
static const char *tags__arch(const char *s, size_t len)
{
	static const struct {
		const char *alias, *arch;
	} map[] = {
		{ "x86_64", "x86_64" },   { "amd64", "x86_64" },   { "aarch64", "aarch64" },
		{ "arm64", "aarch64" },   { "i686", "i686" },      { "i586", "i686" },
		{ "i386", "i686" },       { "x86", "i686" },       { "armv7l", "armv7l" },
		{ "armv7", "armv7l" },    { "armhf", "armv7l" },   { "ppc64le", "ppc64le" },
		{ "powerpc64le", "ppc64le" }, { "ppc64", "ppc64" }, { "powerpc64", "ppc64" },
		{ "s390x", "s390x" },     { "riscv64", "riscv64" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].alias) == len && !memcmp(map[i].alias, s, len))
			return map[i].arch;
	return NULL;
}

/* "M_N" exactly (each at most 3 digits). */
static int tags__level(const char *s, int *major, int *minor)
{
	const char *p = s;

	*major = tags__num(&p);
	if (*major < 0 || *p++ != '_')
		return -1;
	*minor = tags__num(&p);
	if (*minor < 0 || *p)
		return -1;
	return 0;
}

static int tags__manylinux(tags__list *l, const th_target *t, th_error *err)
{
	/* The oldest glibc a manylinux wheel may need: 2.5 on x86, 2.17 elsewhere. */
	bool x86 = !strcmp(t->arch, "x86_64") || !strcmp(t->arch, "i686");
	int floor_minor = x86 ? 5 : 17;
	int rc;

	/* glibc keeps compatibility across majors; for an older major whose
	 * last minor is unknown, packaging assumes 50. */
	for (int major = t->libc_major; major >= 2; major--) {
		int top = major == t->libc_major ? t->libc_minor : 50;
		int low = major == 2 ? floor_minor : 0;
		for (int minor = top; minor >= low; minor--) {
			if ((rc = tags__pushf(l, err, "manylinux_%d_%d_%s", major, minor, t->arch)))
				return rc;
			if (major != 2)
				continue;
			const char *legacy = minor == 17 ? "manylinux2014" : minor == 12 ? "manylinux2010"
							  : minor == 5   ? "manylinux1"
									 : NULL;
			if (legacy && (rc = tags__pushf(l, err, "%s_%s", legacy, t->arch)))
				return rc;
		}
	}
	return 0;
}

/* macOS binary formats a wheel built for `arch` on macOS major.minor may carry. */
static size_t tags__mac_formats(const char **out, int major, int minor, const char *arch)
{
	size_t n = 0;

	/* No x86_64 macOS before 10.4. */
	if (!strcmp(arch, "x86_64") && major == 10 && minor < 4)
		return 0;
	out[n++] = arch;
	if (!strcmp(arch, "x86_64")) {
		out[n++] = "intel";
		out[n++] = "fat64";
		out[n++] = "fat32";
	}
	if (!strcmp(arch, "x86_64") || !strcmp(arch, "arm64"))
		out[n++] = "universal2";
	if (!strcmp(arch, "x86_64"))
		out[n++] = "universal";
	return n;
}

static int tags__macos_one(tags__list *l, int major, int minor, const char *arch, th_error *err)
{
	const char *fmt[8];
	size_t n = tags__mac_formats(fmt, major, minor, arch);
	int rc;

	for (size_t i = 0; i < n; i++)
		if ((rc = tags__pushf(l, err, "macosx_%d_%d_%s", major, minor, fmt[i])))
			return rc;
	return 0;
}

static int tags__macos(tags__list *l, const th_target *t, th_error *err)
{
	const char *arch = !strcmp(t->arch, "aarch64") ? "arm64" : t->arch;
	int major = t->libc_major, rc;

	if (major == 10) {
		for (int minor = t->libc_minor; minor >= 0; minor--)
			if ((rc = tags__macos_one(l, 10, minor, arch, err)))
				return rc;
		return 0;
	}
	/* From macOS 11 each yearly release bumps the major; older x86_64
	 * binaries still run, and universal2 ones may name a 10.x version. */
	for (int m = major; m >= 11; m--)
		if ((rc = tags__macos_one(l, m, 0, arch, err)))
			return rc;
	for (int minor = 16; minor >= 4; minor--) {
		if (!strcmp(arch, "x86_64"))
			rc = tags__macos_one(l, 10, minor, arch, err);
		else
			rc = tags__pushf(l, err, "macosx_10_%d_universal2", minor);
		if (rc)
			return rc;
	}
	return 0;
}

static int tags__platforms(th_target *t, th_arena *a, th_error *err)
{
	tags__list l = { NULL, 0, 0, a };
	int rc = 0;

	switch (t->os) {
	case TH_OS_MANYLINUX:
		rc = tags__manylinux(&l, t, err);
		break;
	case TH_OS_MUSLLINUX:
		for (int minor = t->libc_minor; minor >= 0 && !rc; minor--)
			rc = tags__pushf(&l, err, "musllinux_%d_%d_%s", t->libc_major, minor, t->arch);
		break;
	case TH_OS_MACOS:
		rc = tags__macos(&l, t, err);
		break;
	case TH_OS_WINDOWS:
		rc = tags__push(&l,
				!strcmp(t->arch, "x86_64") ? "win_amd64" : !strcmp(t->arch, "i686") ? "win32" : "win_arm64",
				err);
		break;
	default:
		break;
	}
	if (!rc && (t->os == TH_OS_LINUX || t->os == TH_OS_MANYLINUX || t->os == TH_OS_MUSLLINUX))
		rc = tags__pushf(&l, err, "linux_%s", t->arch);
	t->platforms = l.v;
	t->nplatforms = l.n;
	return rc;
}

/* Fills os/arch/libc from the platform string; 0 or -1 (not understood). */
static int tags__parse_platform(th_target *t, const char *platform)
{
	const char *dash = strchr(platform, '-');
	const char *rest;
	int major, minor;

	if (!strcmp(platform, "linux"))
		platform = "x86_64-unknown-linux-gnu";
	else if (!strcmp(platform, "macos"))
		platform = "aarch64-apple-darwin";
	else if (!strcmp(platform, "windows"))
		platform = "x86_64-pc-windows-msvc";
	dash = strchr(platform, '-');
	if (!dash || !(t->arch = tags__arch(platform, (size_t)(dash - platform))))
		return -1;
	rest = dash + 1;
	t->libc_major = t->libc_minor = 0;
	if (!strcmp(rest, "linux")) {
		t->os = TH_OS_LINUX;
	} else if (!strcmp(rest, "unknown-linux-gnu") || !strcmp(rest, "unknown-linux-gnueabihf")) {
		t->os = TH_OS_MANYLINUX;
		t->libc_major = 2;
		t->libc_minor = 28;
	} else if (!strcmp(rest, "unknown-linux-musl") || !strcmp(rest, "unknown-linux-musleabihf")) {
		t->os = TH_OS_MUSLLINUX;
		t->libc_major = 1;
		t->libc_minor = 2;
	} else if (!strcmp(rest, "manylinux2014") || !strcmp(rest, "manylinux2010") || !strcmp(rest, "manylinux1")) {
		t->os = TH_OS_MANYLINUX;
		t->libc_major = 2;
		t->libc_minor = rest[9] == '2' ? (rest[12] == '4' ? 17 : 12) : 5;
	} else if (!strncmp(rest, "manylinux_", 10) && !tags__level(rest + 10, &major, &minor)) {
		if (major < 2 || major > TAGS__MAX_LIBC_MAJOR)
			return -1;
		t->os = TH_OS_MANYLINUX;
		t->libc_major = major;
		t->libc_minor = minor;
	} else if (!strncmp(rest, "musllinux_", 10) && !tags__level(rest + 10, &major, &minor)) {
		if (major != 1)
			return -1;
		t->os = TH_OS_MUSLLINUX;
		t->libc_major = major;
		t->libc_minor = minor;
	} else if (!strcmp(rest, "apple-darwin") || (!strncmp(rest, "macosx_", 7) && !tags__level(rest + 7, &major, &minor))) {
		if (strcmp(t->arch, "x86_64") && strcmp(t->arch, "aarch64"))
			return -1;
		t->os = TH_OS_MACOS;
		t->libc_major = rest[0] == 'a' ? 12 : major;
		t->libc_minor = rest[0] == 'a' ? 0 : minor;
		if (t->libc_major < 10 || t->libc_major > 99 || (t->libc_major == 10 && t->libc_minor > 16))
			return -1;
	} else if (!strcmp(rest, "pc-windows-msvc")) {
		if (strcmp(t->arch, "x86_64") && strcmp(t->arch, "i686") && strcmp(t->arch, "aarch64"))
			return -1;
		t->os = TH_OS_WINDOWS;
	} else {
		return -1;
	}
	return 0;
}

int th_target_parse(th_target *out, const char *python, const char *platform, th_arena *a, th_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = tags__parse_python(out, python, a, err)))
		return rc;
	if (!platform || tags__parse_platform(out, platform))
		return th_error_set(err, TH_ERR_INVALID,
				    "python platform '%.64s': not understood (expected e.g. x86_64-manylinux_2_36, "
				    "aarch64-musllinux_1_2, x86_64-linux)",
				    platform ? platform : "");
	return tags__platforms(out, a, err);
}

int th_target_init_platforms(th_target *out, const char *python, const char *const *platforms, size_t n,
			     th_arena *a, th_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = tags__parse_python(out, python, a, err)))
		return rc;
	if (n > TAGS__MAX_PLATFORMS)
		return th_error_set(err, TH_ERR_LIMIT, "platform list: %zu platforms, at most %d", n,
				    TAGS__MAX_PLATFORMS);
	out->os = TH_OS_CUSTOM;
	out->arch = "";
	out->platforms = th_arena_alloc(a, (n ? n : 1) * sizeof(*out->platforms));
	if (!out->platforms)
		return th_error_set(err, TH_ERR_NOMEM, "tags: out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!platforms[i])
			return th_error_set(err, TH_ERR_INVALID, "platform list: entry %zu is missing", i);
		char *s = th_arena_strdup(a, platforms[i]);
		if (!s)
			return th_error_set(err, TH_ERR_NOMEM, "tags: out of memory");
		/* A Tag lower-cases its parts. */
		for (char *c = s; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		out->platforms[i] = s;
	}
	out->nplatforms = n;
	return 0;
}

/* The tag list being built. */
typedef struct {
	th_tag *v;
	size_t n, cap;
} tags__out;

static void tags__add(tags__out *o, const char *interp, const char *abi, const char *plat)
{
	/* The capacity is computed exactly beforehand. */
	th_tag *t = &o->v[o->n++];
	t->interpreter = interp;
	t->abi = abi;
	t->platform = plat;
}

/* prefix X Y suffix, e.g. "cp" 3 7 "m" -> "cp37m"; y < 0 leaves Y out. */
static char *tags__name(th_arena *a, const char *prefix, int x, int y, const char *suffix)
{
	char tmp[32];
	int n = y < 0 ? snprintf(tmp, sizeof(tmp), "%s%d%s", prefix, x, suffix)
		      : snprintf(tmp, sizeof(tmp), "%s%d%d%s", prefix, x, y, suffix);
	return th_arena_strndup(a, tmp, (size_t)n);
}

int th_tags_supported(th_tag **out, size_t *n, const th_target *t, th_arena *a, th_error *err)
{
	int X = t->py_major, Y = t->py_minor;
	size_t np = t->nplatforms;
	bool abi3 = X > 3 || (X == 3 && Y >= 2);
	/* Interpreter names py<X><Y>, py<X>, py<X><Y-1> ... py<X>0 (compatible_tags). */
	size_t nrange = (size_t)Y + 2;
	size_t total = np * 3 + (abi3 ? np * (size_t)(Y >= 2 ? Y - 2 : 0) : 0) + nrange * np + 1 + nrange;
	tags__out o;
	const char *cp = t->interpreter, *abi;
	const char **range;

	*out = NULL;
	*n = 0;
	o.v = th_arena_alloc(a, total * sizeof(th_tag));
	range = th_arena_alloc(a, nrange * sizeof(*range));
	if (!o.v || !range)
		return th_error_set(err, TH_ERR_NOMEM, "tags: out of memory");
	o.n = 0;
	o.cap = total;
	/* The CPython ABI of a non-debug build: pymalloc "m" before 3.8, wide
	 * unicode "u" before 3.3. */
	if (X < 3 || (X == 3 && Y < 3))
		abi = tags__name(a, "cp", X, Y, "mu");
	else if (X == 3 && Y < 8)
		abi = tags__name(a, "cp", X, Y, "m");
	else
		abi = cp;
	range[0] = tags__name(a, "py", X, Y, "");
	range[1] = tags__name(a, "py", X, -1, "");
	for (int m = Y - 1, i = 2; m >= 0; m--, i++)
		range[i] = tags__name(a, "py", X, m, "");
	for (size_t i = 0; i < nrange; i++)
		if (!range[i] || !abi)
			return th_error_set(err, TH_ERR_NOMEM, "tags: out of memory");

	for (size_t p = 0; p < np; p++)
		tags__add(&o, cp, abi, t->platforms[p]);
	if (abi3)
		for (size_t p = 0; p < np; p++)
			tags__add(&o, cp, "abi3", t->platforms[p]);
	for (size_t p = 0; p < np; p++)
		tags__add(&o, cp, "none", t->platforms[p]);
	if (abi3)
		for (int m = Y - 1; m >= 2; m--) {
			const char *older = tags__name(a, "cp", X, m, "");
			if (!older)
				return th_error_set(err, TH_ERR_NOMEM, "tags: out of memory");
			for (size_t p = 0; p < np; p++)
				tags__add(&o, older, "abi3", t->platforms[p]);
		}
	for (size_t i = 0; i < nrange; i++)
		for (size_t p = 0; p < np; p++)
			tags__add(&o, range[i], "none", t->platforms[p]);
	tags__add(&o, cp, "none", "any");
	for (size_t i = 0; i < nrange; i++)
		tags__add(&o, range[i], "none", "any");
	*out = o.v;
	*n = o.n;
	return 0;
}

int th_tag_format(const th_tag *t, th_buf *out, th_error *err)
{
	return th_buf_printf(out, err, "%s-%s-%s", t->interpreter, t->abi, t->platform);
}

/* Open addressing over the supported list; slots hold index + 1 (0 = empty). */
struct th_tagset {
	const th_tag *tags;
	uint32_t *slots;
	size_t mask;
};

static uint64_t tags__hash_part(uint64_t h, const char *s)
{
	/* FNV-1a, lower-casing ASCII so wheel tags need no copy. */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 1099511628211ull;
	}
	return (h ^ '-') * 1099511628211ull;
}

static uint64_t tags__hash(const char *i, const char *b, const char *p)
{
	return tags__hash_part(tags__hash_part(tags__hash_part(1469598103934665603ull, i), b), p);
}

static bool tags__ieq(const char *x, const char *y)
{
	for (;; x++, y++) {
		unsigned char a = (unsigned char)*x, b = (unsigned char)*y;
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return false;
		if (!a)
			return true;
	}
}

int th_tagset_build(th_tagset **out, const th_tag *supported, size_t n, th_arena *a, th_error *err)
{
	th_tagset *s;
	size_t size = 16;

	*out = NULL;
	if (n > INT32_MAX / 4)
		return th_error_set(err, TH_ERR_LIMIT, "tag set: %zu tags is too many", n);
	while (size < n * 2)
		size *= 2;
	s = th_arena_alloc(a, sizeof(*s));
	if (!s || !(s->slots = th_arena_zalloc(a, size * sizeof(*s->slots))))
		return th_error_set(err, TH_ERR_NOMEM, "tags: out of memory");
	s->tags = supported;
	s->mask = size - 1;
	for (size_t i = 0; i < n; i++) {
		const th_tag *t = &supported[i];
		size_t j = (size_t)tags__hash(t->interpreter, t->abi, t->platform) & s->mask;
		for (;; j = (j + 1) & s->mask) {
			uint32_t k = s->slots[j];
			if (!k) {
				s->slots[j] = (uint32_t)i + 1;
				break;
			}
			const th_tag *o = &supported[k - 1];
			/* Keep the first (most preferred) of duplicates. */
			if (tags__ieq(o->interpreter, t->interpreter) && tags__ieq(o->abi, t->abi) &&
			    tags__ieq(o->platform, t->platform))
				break;
		}
	}
	*out = s;
	return 0;
}

int th_tagset_find(const th_tagset *s, const char *interpreter, const char *abi, const char *platform)
{
	size_t j = (size_t)tags__hash(interpreter, abi, platform) & s->mask;

	for (;; j = (j + 1) & s->mask) {
		uint32_t k = s->slots[j];
		if (!k)
			return -1;
		const th_tag *o = &s->tags[k - 1];
		if (tags__ieq(o->interpreter, interpreter) && tags__ieq(o->abi, abi) &&
		    tags__ieq(o->platform, platform))
			return (int)(k - 1);
	}
}

int th_tags_rank(const th_tagset *supported, const th_tag *tags, size_t ntags)
{
	int best = -1;

	for (size_t i = 0; i < ntags; i++) {
		int r = th_tagset_find(supported, tags[i].interpreter, tags[i].abi, tags[i].platform);
		if (r >= 0 && (best < 0 || r < best))
			best = r;
	}
	return best;
}
