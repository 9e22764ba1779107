#include "extractors/osrelease.h"

#include <ctype.h>
#include <string.h>

#include "core/buf.h"

/* Undoes os-release quoting: "..." with \" \\ \$ \` escapes, '...' literal,
 * or a bare word. */
static char *osr__value(th_arena *a, const char *v, size_t len)
{
	char *o = th_arena_alloc(a, len + 1);
	size_t n = 0;

	if (!o)
		return NULL;
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
		len--;
	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
		char q = v[0];
		for (size_t i = 1; i + 1 < len; i++) {
			if (q == '"' && v[i] == '\\' && i + 2 < len)
				i++;
			o[n++] = v[i];
		}
	} else {
		memcpy(o, v, len);
		n = len;
	}
	o[n] = '\0';
	return o;
}

static void osr__lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

const char *th_osrelease_family(const char *id, const char *id_like)
{
	static const struct { const char *word, *family; } fam[] = {
		{ "debian", "debian" }, { "ubuntu", "debian" }, { "rhel", "rhel" }, { "fedora", "rhel" },
		{ "centos", "rhel" },   { "rocky", "rhel" },    { "almalinux", "rhel" }, { "amzn", "rhel" },
		{ "ol", "rhel" },       { "suse", "suse" },     { "opensuse", "suse" }, { "sles", "suse" },
		{ "alpine", "alpine" }, { "wolfi", "alpine" },  { "arch", "arch" },
	};
	const char *lists[2] = { id, id_like };

	for (int l = 0; l < 2; l++) {
		const char *p = lists[l];
		while (p && *p) {
			while (*p == ' ')
				p++;
			size_t wl = strcspn(p, " ");
			for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
				if (wl == strlen(fam[i].word) && !strncmp(p, fam[i].word, wl))
					return fam[i].family;
			if (!strncmp(p, "opensuse", 8))
				return "suse";
			p += wl;
		}
	}
	return id ? id : "";
}

static void osr__defaults(th_osrelease *out)
{
	out->id = out->version_id = out->name = out->pretty_name = out->id_like = out->codename = "";
	out->family = "";
}

int th_osrelease_parse(th_osrelease *out, const char *s, size_t len, th_arena *a, th_error *err)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "ID", offsetof(th_osrelease, id) },
		{ "VERSION_ID", offsetof(th_osrelease, version_id) },
		{ "NAME", offsetof(th_osrelease, name) },
		{ "PRETTY_NAME", offsetof(th_osrelease, pretty_name) },
		{ "ID_LIKE", offsetof(th_osrelease, id_like) },
		{ "VERSION_CODENAME", offsetof(th_osrelease, codename) },
	};
	size_t i = 0;

	osr__defaults(out);
	while (i < len) {
		const char *line = s + i, *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i;
		i += ll + 1;
		while (ll && (*line == ' ' || *line == '\t'))
			line++, ll--;
		const char *eq = memchr(line, '=', ll);
		if (!ll || *line == '#' || !eq)
			continue;
		size_t kl = (size_t)(eq - line);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (kl != strlen(keys[k].key) || memcmp(line, keys[k].key, kl))
				continue;
			char *v = osr__value(a, eq + 1, ll - kl - 1);
			if (!v)
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
			*(const char **)((char *)out + keys[k].off) = v;
		}
	}
	if (!*out->id)
		return th_error_set(err, TH_ERR_INVALID, "os-release: no ID field");
	osr__lower((char *)out->id);
	out->family = th_osrelease_family(out->id, out->id_like);
	return 0;
}

/* The first line, trimmed, as an arena string. */
static char *osr__first_line(th_arena *a, const char *s, size_t len)
{
	const char *nl = memchr(s, '\n', len);
	size_t ll = nl ? (size_t)(nl - s) : len;

	while (ll && isspace((unsigned char)s[ll - 1]))
		ll--;
	while (ll && isspace((unsigned char)*s))
		s++, ll--;
	return th_arena_strndup(a, s, ll);
}

int th_osrelease_parse_fallback(th_osrelease *out, const char *path, const char *s, size_t len, th_arena *a,
				th_error *err)
{
	char *line;

	osr__defaults(out);
	if (!strcmp(path, "/etc/lsb-release")) {
		/* Same syntax as os-release, other keys: rewrite the two we need. */
		th_buf b = TH_BUF_INIT;
		size_t i = 0;
		int rc = 0;
		while (i < len && !rc) {
			const char *l = s + i, *nl = memchr(l, '\n', len - i);
			size_t ll = nl ? (size_t)(nl - l) : len - i;
			i += ll + 1;
			if (ll > 11 && !memcmp(l, "DISTRIB_ID=", 11))
				rc = th_buf_printf(&b, err, "ID=%.*s\n", (int)(ll - 11), l + 11);
			else if (ll > 16 && !memcmp(l, "DISTRIB_RELEASE=", 16))
				rc = th_buf_printf(&b, err, "VERSION_ID=%.*s\n", (int)(ll - 16), l + 16);
			else if (ll > 20 && !memcmp(l, "DISTRIB_DESCRIPTION=", 20))
				rc = th_buf_printf(&b, err, "PRETTY_NAME=%.*s\n", (int)(ll - 20), l + 20);
		}
		if (!rc)
			rc = th_osrelease_parse(out, b.ptr, b.len, a, err);
		th_buf_release(&b);
		return rc;
	}
	if (!(line = osr__first_line(a, s, len)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (!*line)
		return th_error_set(err, TH_ERR_INVALID, "%s: empty", path);
	if (!strcmp(path, "/etc/debian_version")) {
		/* "12.4" -> 12; "bookworm/sid" stays as the codename */
		out->id = "debian";
		out->name = "Debian GNU/Linux";
		if (isdigit((unsigned char)line[0])) {
			line[strspn(line, "0123456789")] = '\0';
			out->version_id = line;
		} else {
			out->codename = line;
		}
	} else if (!strcmp(path, "/etc/alpine-release")) {
		out->id = "alpine";
		out->name = "Alpine Linux";
		out->version_id = line;
	} else if (!strcmp(path, "/etc/redhat-release") || !strcmp(path, "/etc/centos-release") ||
		   !strcmp(path, "/etc/system-release")) {
		/* "Rocky Linux release 9.2 (Blue Onyx)" */
		char *rel = strstr(line, " release ");
		char *id = th_arena_strndup(a, line, strcspn(line, " "));
		if (!id)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		osr__lower(id);
		out->id = !strcmp(id, "red") ? "rhel" : id;
		out->name = line;
		if (rel) {
			rel += 9;
			out->version_id = th_arena_strndup(a, rel, strcspn(rel, " "));
		}
	} else {
		return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: not a release file thoth knows", path);
	}
	if (!out->version_id)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	out->family = th_osrelease_family(out->id, "");
	return 0;
}
