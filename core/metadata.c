#include "core/metadata.h"

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

/* One pass over the input: sizes it (out NULL) or writes the clean text:
 * valid UTF-8 without NUL, LF line ends. Returns the clean length. */
static size_t md__clean(char *out, const unsigned char *s, size_t len, size_t *replaced)
{
	size_t i = 0, o = 0;

	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = 3;
	*replaced = 0;
	while (i < len) {
		size_t k;
		if (s[i] == '\r') {
			if (i + 1 < len && s[i + 1] == '\n') {
				i++;
				continue;
			}
			if (out)
				out[o] = '\n';
			o++;
			i++;
		} else if ((k = md__utf8_len(s + i, len - i))) {
			if (out)
				memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else {
			if (out)
				memcpy(out + o, MD__REPLACEMENT, 3);
			o += 3;
			i++;
			(*replaced)++;
		}
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

/* All values of a repeated field, in order. */
static int md__collect(const th_metadata *md, const char *field, const char ***out, size_t *n, th_arena *a)
{
	size_t count = th_metadata_count(md, field), j = 0;

	*out = NULL;
	*n = 0;
	if (!count)
		return 0;
	*out = th_arena_alloc(a, count * sizeof(**out));
	if (!*out)
		return -1;
	for (size_t k = 0; k < md->nfields; k++)
		if (md__ieq(md->fields[k].name, field))
			(*out)[j++] = md->fields[k].value;
	*n = count;
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

/* Splits the clean text into fields and body. With fill false it only
 * counts the fields; with fill true it writes names and values in place
 * (the text is only ever shortened), so memory stays near the input size. */
static size_t md__scan(th_metadata *md, char *text, size_t len, bool fill)
{
	size_t pos = 0, n = 0;
	char *vstart = NULL, *vend = NULL; /* the raw value of field n - 1 */

	while (pos < len) {
		char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		size_t next = pos + llen + (nl ? 1 : 0);
		long colon = -1;

		if (llen && md__is_ws(line[0])) {
			if (vstart)
				vend = line + llen;
			pos = next;
			continue;
		}
		if (fill && vstart) {
			const char *name = md->fields[n - 1].name;
			md->fields[n - 1].value = md__value(vstart, vend, md__ieq(name, "Description"));
		}
		vstart = NULL;
		if (llen == 0) { /* the empty line: the body follows */
			pos = next;
			break;
		}
		if (!(llen >= 5 && !memcmp(line, "From ", 5))) { /* mbox envelope lines are skipped */
			if ((colon = md__header_colon(line, llen)) < 0)
				break; /* not a header: the body starts on this line */
			if (fill) {
				line[colon] = '\0';
				md->fields[n].name = line;
				vstart = line + colon + 1;
				vend = line + llen;
			} else {
				vstart = line; /* a field is open: continuations count for nothing */
			}
			n++;
		}
		pos = next;
	}
	if (fill && vstart) {
		const char *name = md->fields[n - 1].name;
		md->fields[n - 1].value = md__value(vstart, vend, md__ieq(name, "Description"));
	}
	if (fill && pos < len) {
		md->body = text + pos;
		md->body_len = len - pos;
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
	clen = md__clean(NULL, (const unsigned char *)s, len, &out->replaced);
	if (!(text = th_arena_alloc(a, clen + 1)))
		goto nomem;
	md__clean(text, (const unsigned char *)s, len, &out->replaced);
	text[clen] = '\0';
	out->nfields = md__scan(out, text, clen, false);
	if (!(out->fields = th_arena_alloc(a, (out->nfields ? out->nfields : 1) * sizeof(*out->fields))))
		goto nomem;
	md__scan(out, text, clen, true);

	out->metadata_version = th_metadata_get(out, "Metadata-Version", 0);
	md__version(out);
	out->name = th_metadata_get(out, "Name", 0);
	out->version = th_metadata_get(out, "Version", 0);
	out->summary = th_metadata_get(out, "Summary", 0);
	out->requires_python = th_metadata_get(out, "Requires-Python", 0);
	out->license = th_metadata_get(out, "License", 0);
	out->license_expression = th_metadata_get(out, "License-Expression", 0);
	out->description_content_type = th_metadata_get(out, "Description-Content-Type", 0);
	out->description = out->body ? out->body : th_metadata_get(out, "Description", 0);
	if (md__collect(out, "Requires-Dist", &out->requires_dist, &out->nrequires_dist, a) ||
	    md__collect(out, "Provides-Extra", &out->provides_extra, &out->nprovides_extra, a) ||
	    md__collect(out, "Dynamic", &out->dynamic, &out->ndynamic, a) ||
	    md__collect(out, "Classifier", &out->classifiers, &out->nclassifiers, a) ||
	    md__collect(out, "Project-URL", &out->project_urls, &out->nproject_urls, a) ||
	    md__collect(out, "License-File", &out->license_files, &out->nlicense_files, a))
		goto nomem;
	return 0;
nomem:
	return th_error_set(err, TH_ERR_NOMEM, "core metadata: out of memory (%zu bytes)", len);
}
