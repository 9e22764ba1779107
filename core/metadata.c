#include "core/metadata.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define MD__REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Length of the well-formed UTF-8 sequence at p (n bytes left), or 0. */
static size_t md__utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t k;
	unsigned lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4;
	else
		return 0;
	/* The second byte's range rules out overlongs, surrogates and code
	 * points above U+10FFFF. */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return k;
}

/* One pass over the input writing the clean text (valid UTF-8 without NUL,
 * LF line ends) into out while it fits in cap bytes. Returns the clean
 * length, which may exceed cap (each replaced byte grows to three): then
 * the caller makes room and runs it again. */
static size_t md__clean(char *out, size_t cap, const unsigned char *s, size_t len, size_t *replaced)
{
	size_t i = 0, o = 0;

	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = 3;
	*replaced = 0;
	while (i < len) {
		size_t k = i;
		const char *piece;
		/* Fast path: a run of plain ASCII (no NUL, no CR) is copied at once. */
		while (k < len && (unsigned char)(s[k] - 1) < 0x7F && s[k] != '\r')
			k++;
		if (k > i) {
			piece = (const char *)s + i;
			k -= i;
			i += k;
		} else if (s[i] == '\r') {
			i += i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
			piece = "\n";
			k = 1;
		} else if ((k = md__utf8_len(s + i, len - i))) {
			piece = (const char *)s + i;
			i += k;
		} else {
			piece = MD__REPLACEMENT;
			k = 3;
			i++;
			(*replaced)++;
		}
		if (o + k <= cap)
			memcpy(out + o, piece, k);
		o += k;
	}
	return o;
}

static bool md__is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* "Name:" with name printable ASCII without ':' and space (may be empty,
 * as Python's parser allows). Returns the colon's offset or -1. */
static long md__header_colon(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == ':')
			return (long)i;
		if (c < 0x21 || c > 0x7E)
			return -1;
	}
	return -1;
}

/* Finishes a field's value in place: [v, end) is the text after the colon,
 * then "\n" and each continuation line; the result is never longer. */
static char *md__value(char *v, char *end, bool description)
{
	char *o = v, *p = v;

	while (p < end && md__is_ws(*p))
		p++;
	while (p < end) {
		if (*p != '\n') {
			*o++ = *p++;
			continue;
		}
		p++;
		if (!description)
			continue; /* unfolding deletes the line break only */
		*o++ = '\n';
		if (end - p >= 8 && !memcmp(p, "       |", 8)) {
			p += 8;
		} else if (p < end && *p == '\t') {
			p++;
		} else {
			for (int n = 0; n < 8 && p < end && *p == ' '; n++)
				p++;
		}
	}
	while (o > v && md__is_ws(o[-1]))
		o--;
	*o = '\0';
	return v;
}

static bool md__ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

const char *th_metadata_get(const th_metadata *md, const char *field, size_t i)
{
	for (size_t k = 0; k < md->nfields; k++)
		if (md__ieq(md->fields[k].name, field) && i-- == 0)
			return md->fields[k].value;
	return NULL;
}

size_t th_metadata_count(const th_metadata *md, const char *field)
{
	size_t n = 0;

	for (size_t k = 0; k < md->nfields; k++)
		n += md__ieq(md->fields[k].name, field);
	return n;
}

/* The fields with typed accessors: offsets of the value (single fields) or
 * of the array and its count (repeated fields, count offset non-zero). */
static const struct {
	const char *name;
	size_t len, off, noff;
} md__typed[] = {
#define MD__ONE(n, f) { n, sizeof(n) - 1, offsetof(th_metadata, f), 0 }
#define MD__MANY(n, f, count) { n, sizeof(n) - 1, offsetof(th_metadata, f), offsetof(th_metadata, count) }
	MD__ONE("Metadata-Version", metadata_version),
	MD__ONE("Name", name),
	MD__ONE("Version", version),
	MD__ONE("Summary", summary),
	MD__ONE("Requires-Python", requires_python),
	MD__ONE("License", license),
	MD__ONE("License-Expression", license_expression),
	MD__ONE("Description", description),
	MD__ONE("Description-Content-Type", description_content_type),
	MD__MANY("Requires-Dist", requires_dist, nrequires_dist),
	MD__MANY("Provides-Extra", provides_extra, nprovides_extra),
	MD__MANY("Dynamic", dynamic, ndynamic),
	MD__MANY("Classifier", classifiers, nclassifiers),
	MD__MANY("Project-URL", project_urls, nproject_urls),
	MD__MANY("License-File", license_files, nlicense_files),
#undef MD__ONE
#undef MD__MANY
};

#define MD__NTYPED (sizeof(md__typed) / sizeof(md__typed[0]))

static int md__typed_index(const char *name)
{
	size_t len = strlen(name);

	for (size_t j = 0; j < MD__NTYPED; j++)
		if (md__typed[j].len == len && md__ieq(md__typed[j].name, name))
			return (int)j;
	return -1;
}

/* Fills the typed accessors in two passes over the fields: the first sets
 * single fields (first occurrence wins) and counts repeated ones, the
 * second fills the arrays. */
static int md__fill_typed(th_metadata *md, th_arena *a)
{
	char *base = (char *)md;
	bool any = false;

	for (size_t k = 0; k < md->nfields; k++) {
		int j = md__typed_index(md->fields[k].name);
		if (j < 0)
			continue;
		if (!md__typed[j].noff) {
			const char **slot = (const char **)(void *)(base + md__typed[j].off);
			if (!*slot)
				*slot = md->fields[k].value;
		} else {
			(*(size_t *)(void *)(base + md__typed[j].noff))++;
			any = true;
		}
	}
	if (!any)
		return 0;
	for (size_t j = 0; j < MD__NTYPED; j++) {
		size_t *n = (size_t *)(void *)(base + md__typed[j].noff);
		if (!md__typed[j].noff || !*n)
			continue;
		if (!(*(const char ***)(void *)(base + md__typed[j].off) = th_arena_alloc(a, *n * sizeof(char *))))
			return -1;
		*n = 0;
	}
	for (size_t k = 0; k < md->nfields; k++) {
		int j = md__typed_index(md->fields[k].name);
		if (j < 0 || !md__typed[j].noff)
			continue;
		size_t *n = (size_t *)(void *)(base + md__typed[j].noff);
		(*(const char ***)(void *)(base + md__typed[j].off))[(*n)++] = md->fields[k].value;
	}
	return 0;
}

static void md__version(th_metadata *md)
{
	const char *p = md->metadata_version;
	int major = 0, minor = 0, dm = 0, dn = 0;

	md->mv_major = md->mv_minor = -1;
	md->mv_known = false;
	if (!p)
		return;
	for (; *p >= '0' && *p <= '9' && dm < 4; p++, dm++)
		major = major * 10 + (*p - '0');
	if (!dm || *p++ != '.')
		return;
	for (; *p >= '0' && *p <= '9' && dn < 4; p++, dn++)
		minor = minor * 10 + (*p - '0');
	if (!dn || *p)
		return;
	md->mv_major = major;
	md->mv_minor = minor;
	md->mv_known = (major == 1 && minor <= 2) || (major == 2 && minor <= 4);
}

/* One line of the clean text: [pos, pos + len), the next line at next. */
typedef struct {
	char *s;
	size_t len, next;
} md__line;

static md__line md__line_at(char *text, size_t len, size_t pos)
{
	char *nl = memchr(text + pos, '\n', len - pos);
	md__line l = { text + pos, nl ? (size_t)(nl - (text + pos)) : len - pos, 0 };

	l.next = pos + l.len + (nl ? 1 : 0);
	return l;
}

static bool md__is_from(const md__line *l)
{
	return l->len >= 5 && !memcmp(l->s, "From ", 5);
}

/* Where the header block ends (*hdr_end) and the body starts (*body): at
 * the first empty line (which belongs to neither) or at the first line that
 * is neither a header, a continuation nor a "From " line. */
static void md__split(char *text, size_t len, size_t *hdr_end, size_t *body)
{
	size_t pos = 0;

	while (pos < len) {
		md__line l = md__line_at(text, len, pos);
		if (l.len == 0) {
			*hdr_end = pos;
			*body = l.next;
			return;
		}
		if (!md__is_ws(l.s[0]) && !md__is_from(&l) && md__header_colon(l.s, l.len) < 0)
			break;
		pos = l.next;
	}
	*hdr_end = *body = pos;
}

static void md__finish(th_metadata *md, size_t n, char *vstart, char *vend)
{
	md->fields[n - 1].value = md__value(vstart, vend, md__ieq(md->fields[n - 1].name, "Description"));
}

/* Splits the clean text into fields and body, as Python's email parser
 * does. With fill false it only counts the fields; with fill true it writes
 * names and values in place (the text is only ever shortened), so memory
 * stays near the input size. */
static size_t md__scan(th_metadata *md, char *text, size_t len, bool fill)
{
	size_t hdr_end, body, pos = 0, n = 0;
	char *vstart = NULL, *vend = NULL; /* the raw value of field n - 1, while open */

	md__split(text, len, &hdr_end, &body);
	for (bool first = true; pos < hdr_end; first = false) {
		md__line l = md__line_at(text, len, pos);
		long colon;

		pos = l.next;
		if (md__is_ws(l.s[0])) { /* a continuation; dropped when no field is open */
			if (vstart)
				vend = l.s + l.len;
			continue;
		}
		if (fill && vstart)
			md__finish(md, n, vstart, vend);
		vstart = NULL;
		if (md__is_from(&l)) {
			/* An mbox envelope line is skipped, except as the last header
			 * line: then it is the body's first line (the empty line that
			 * followed it is dropped). */
			if (first || pos < hdr_end)
				continue;
			if (fill) {
				size_t from_len = (size_t)(text + pos - l.s);
				memmove(text + body - from_len, l.s, from_len);
				body -= from_len;
			}
			break;
		}
		colon = md__header_colon(l.s, l.len);
		if (colon == 0) /* no field name: the line is dropped */
			continue;
		if (fill) {
			l.s[colon] = '\0';
			md->fields[n].name = l.s;
			vstart = l.s + colon + 1;
			vend = l.s + l.len;
		} else {
			vstart = l.s; /* a field is open: continuations count for nothing */
		}
		n++;
	}
	if (fill && vstart)
		md__finish(md, n, vstart, vend);
	if (fill && body < len) {
		md->body = text + body;
		md->body_len = len - body;
	}
	return n;
}

int th_metadata_parse(th_metadata *out, const char *s, size_t len, const th_limits *lim, th_arena *a,
		      th_error *err)
{
	th_limits def;
	char *text;
	size_t clen;

	memset(out, 0, sizeof(*out));
	if (!lim) {
		th_limits_init(&def);
		lim = &def;
	}
	if (len > lim->metadata_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "core metadata: %zu bytes, over the metadata_bytes limit of %llu",
				    len, (unsigned long long)lim->metadata_bytes);
	/* Most files need no replacement: one pass into a buffer of the input's size. */
	if (!(text = th_arena_alloc(a, len + 1)))
		goto nomem;
	clen = md__clean(text, len, (const unsigned char *)s, len, &out->replaced);
	if (clen > len) {
		if (!(text = th_arena_alloc(a, clen + 1)))
			goto nomem;
		md__clean(text, clen, (const unsigned char *)s, len, &out->replaced);
	}
	text[clen] = '\0';
	out->nfields = md__scan(out, text, clen, false);
	if (!(out->fields = th_arena_alloc(a, (out->nfields ? out->nfields : 1) * sizeof(*out->fields))))
		goto nomem;
	md__scan(out, text, clen, true);

	if (md__fill_typed(out, a))
		goto nomem;
	md__version(out);
	if (out->body)
		out->description = out->body;
	return 0;
nomem:
	return th_error_set(err, TH_ERR_NOMEM, "core metadata: out of memory (%zu bytes)", len);
}
