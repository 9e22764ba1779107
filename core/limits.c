#include "core/limits.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *name;
	size_t offset;
	uint64_t def;
	const char *why;
} limit_row;

static const limit_row limit_rows[] = {
#define ROW(name, def, why) { #name, offsetof(th_limits, name), (uint64_t)(def), why },
	TH_LIMITS(ROW)
#undef ROW
};

#define NLIMITS (sizeof(limit_rows) / sizeof(limit_rows[0]))

void th_limits_init(th_limits *l)
{
	for (size_t i = 0; i < NLIMITS; i++)
		*(uint64_t *)((char *)l + limit_rows[i].offset) = limit_rows[i].def;
}

static int limits__parse_value(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static const limit_row *limits__find(const char *name, size_t len)
{
	for (size_t i = 0; i < NLIMITS; i++)
		if (strlen(limit_rows[i].name) == len && !strncasecmp(limit_rows[i].name, name, len))
			return &limit_rows[i];
	return NULL;
}

int th_limits_set(th_limits *l, const char *assignment, th_error *err)
{
	const char *eq = strchr(assignment, '=');
	const limit_row *row;
	uint64_t v;

	if (!eq)
		return th_error_set(err, TH_ERR_USAGE, "--limit %s: expected NAME=VALUE", assignment);
	row = limits__find(assignment, (size_t)(eq - assignment));
	if (!row)
		return th_error_set(err, TH_ERR_USAGE, "--limit %s: no limit named '%.*s' (see thoth --help-limits)",
				    assignment, (int)(eq - assignment), assignment);
	if (limits__parse_value(eq + 1, &v) || v == 0)
		return th_error_set(err, TH_ERR_USAGE, "--limit %s: value must be a positive whole number, optionally with K, M or G",
				    assignment);
	*(uint64_t *)((char *)l + row->offset) = v;
	return 0;
}

int th_limits_from_env(th_limits *l, th_error *err)
{
	char var[64];
	const char *val;
	uint64_t v;

	for (size_t i = 0; i < NLIMITS; i++) {
		size_t n = strlen("THOTH_LIMIT_");
		memcpy(var, "THOTH_LIMIT_", n);
		for (const char *p = limit_rows[i].name; *p && n < sizeof(var) - 1; p++)
			var[n++] = (char)toupper((unsigned char)*p);
		var[n] = '\0';
		val = getenv(var);
		if (!val)
			continue;
		if (limits__parse_value(val, &v) || v == 0)
			return th_error_set(err, TH_ERR_USAGE, "%s=%s: value must be a positive whole number, optionally with K, M or G",
					    var, val);
		*(uint64_t *)((char *)l + limit_rows[i].offset) = v;
	}
	return 0;
}

int th_limits_describe(int i, const char **name, uint64_t *def, const char **why)
{
	if (i >= 0 && (size_t)i < NLIMITS) {
		*name = limit_rows[i].name;
		*def = limit_rows[i].def;
		*why = limit_rows[i].why;
	}
	return (int)NLIMITS;
}
