#include "analyzer/rules.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/name.h"
#include "core/yaml.h"
#include "extractors/archive.h"

static const char *const rules__type_names[TH_RULE_NTYPES] = {
	"boot", "pseudonym", "sieve", "sieve.SkipPackage", "step", "step.Group", "step.SkipPackage",
	"step.AddPackage", "stride", "wrap", "wrap.GHReleaseNotes",
};

static const char *const rules__sections[TH_RULE_NTYPES] = {
	"boots", "pseudonyms", "sieves", "sieves", "steps", "steps", "steps", "steps", "strides", "wraps", "wraps",
};

const char *th_rule_type_name(th_rule_type t)
{
	return (unsigned)t < TH_RULE_NTYPES ? rules__type_names[t] : "?";
}

const char *th_rule_type_section(th_rule_type t)
{
	return (unsigned)t < TH_RULE_NTYPES ? rules__sections[t] : "?";
}

int th_rule_type_parse(const char *s)
{
	for (int i = 0; i < TH_RULE_NTYPES; i++)
		if (!strcmp(s, rules__type_names[i]))
			return i;
	return -1;
}

bool th_rules_is_rule_file(const char *path)
{
	size_t n = strlen(path);
	return (n > 5 && !strcmp(path + n - 5, ".yaml")) || (n > 4 && !strcmp(path + n - 4, ".yml"));
}

void th_rules_init(th_rules *r, const th_limits *lim)
{
	memset(r, 0, sizeof(*r));
	th_arena_init(&r->arena, 1 << 20);
	if (lim)
		r->limits = *lim;
	else
		th_limits_init(&r->limits);
}

void th_rules_release(th_rules *r)
{
	if (!r)
		return;
	th_arena_release(&r->arena);
	free(r->units);
	free(r->blob);
	for (size_t i = 0; i < r->nerrors && i < TH_RULES_MAX_ERRORS; i++)
		free(r->errors[i]);
	memset(r, 0, sizeof(*r));
}

/* ---- loading: one file ---- */

/* The state of loading one file: where we are, for messages. */
typedef struct rules__ld {
	th_rules *r;
	th_arena *a;        /* r->arena: where typed units live */
	th_arena *scratch;  /* this file's YAML tree and temporary parses */
	const char *file;   /* names the file in messages (source and path) */
	const char *kept;   /* arena copy of the path kept in the units */
	const char *unit;   /* name of the unit being read, or NULL */
	th_error *err;
	th_buf tmp;
} rules__ld;

__attribute__((format(printf, 4, 5)))
static int rules__bad(rules__ld *ld, const th_yaml_node *at, const char *key, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	th_error_set(ld->err, TH_ERR_INVALID, "%s:%u:%u: %s%s%s%s%s%s", ld->file, at ? at->line : 1, at ? at->col : 1,
		     ld->unit ? "unit " : "", ld->unit ? ld->unit : "", ld->unit ? ": " : "", key ? key : "",
		     key ? ": " : "", why);
	return TH_ERR_INVALID;
}

#define NOMEM(ld) th_error_set((ld)->err, TH_ERR_NOMEM, "out of memory")

static const char *rules__dup(rules__ld *ld, const th_yaml_node *n)
{
	return th_arena_strndup(ld->a, n->u.str.ptr, n->u.str.len);
}

/* Checks that `map` is a mapping whose keys are all in `allowed` (NULL-ended). */
static int rules__keys(rules__ld *ld, const th_yaml_node *map, const char *key, const char *const *allowed)
{
	if (th_yaml_typeof(map) != TH_YAML_MAPPING)
		return rules__bad(ld, map, key, "expected a mapping, got %s", th_yaml_type_name(th_yaml_typeof(map)));
	for (size_t i = 0; i < map->u.map.n; i++) {
		const th_yaml_node *k = map->u.map.pairs[i].key;
		const char *const *p;
		if (k->kind != TH_YAML_SCALAR)
			return rules__bad(ld, k, key, "a key must be a string");
		for (p = allowed; *p; p++)
			if ((*p)[0] == k->u.str.ptr[0] && !strncmp(*p, k->u.str.ptr, k->u.str.len) && !(*p)[k->u.str.len])
				break;
		if (!*p)
			return rules__bad(ld, k, key, "unknown key '%.*s'", (int)(k->u.str.len > 64 ? 64 : k->u.str.len),
					  k->u.str.ptr);
	}
	return 0;
}

/* A non-empty string. */
static int rules__str(rules__ld *ld, const th_yaml_node *n, const char *key, const char **out)
{
	if (th_yaml_typeof(n) != TH_YAML_STR)
		return rules__bad(ld, n, key, "expected a non-empty string, got %s", th_yaml_type_name(th_yaml_typeof(n)));
	if (!n->u.str.len)
		return rules__bad(ld, n, key, "expected a non-empty string, got an empty one");
	if (memchr(n->u.str.ptr, '\0', n->u.str.len))
		return rules__bad(ld, n, key, "a NUL character in a string");
	if (!(*out = rules__dup(ld, n)))
		return NOMEM(ld);
	return 0;
}

/* An optional string: absent or null leaves *out NULL. */
static int rules__ostr(rules__ld *ld, const th_yaml_node *n, const char *key, const char **out, bool null_ok)
{
	*out = NULL;
	if (!n || (null_ok && n->type == TH_YAML_NULL))
		return 0;
	return rules__str(ld, n, key, out);
}

static int rules__bool(rules__ld *ld, const th_yaml_node *n, const char *key, bool *out)
{
	if (th_yaml_bool(n, out))
		return rules__bad(ld, n, key, "expected true or false, got %s", th_yaml_type_name(th_yaml_typeof(n)));
	return 0;
}

static int rules__tri(rules__ld *ld, const th_yaml_node *n, const char *key, int *out)
{
	bool b;
	int rc;

	*out = -1;
	if (!n)
		return 0;
	if ((rc = rules__bool(ld, n, key, &b)))
		return rc;
	*out = b;
	return 0;
}

/* A PEP 503 package name, written normalized as Thoth requires. */
static int rules__pkgname(rules__ld *ld, const th_yaml_node *n, const char *key, const char **out)
{
	int rc;

	if ((rc = rules__str(ld, n, key, out)))
		return rc;
	th_buf_clear(&ld->tmp);
	if (th_name_normalize(&ld->tmp, *out, n->u.str.len, NULL) || strcmp(ld->tmp.ptr, *out))
		return rules__bad(ld, n, key, "package name '%s' is not in normalized form (PEP 503: '%s')", *out,
				  ld->tmp.ptr);
	return 0;
}

/* Legacy clauses as pre-22 packaging's LegacySpecifier read them, limited
 * to "==TEXT" (TEXT without , ; ) or blanks): the only legacy form the Thoth
 * corpus uses, and the only one with a clear meaning (exact text). An ordered
 * comparison with a non-PEP 440 version (">=3..6") is refused as a mistake. */
static bool rules__legacy_ok(const char *s, size_t len)
{
	size_t i = 0, start;

	while (i < len) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i + 1 >= len || s[i] != '=' || s[i + 1] != '=')
			return false;
		i += 2;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		start = i;
		while (i < len && !strchr(",; \t)=", s[i]))
			i++;
		if (i == start)
			return false;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < len && s[i] != ',')
			return false;
		i++;
	}
	return true;
}

/* A specifier set (string); null allowed where Thoth allows it. */
static int rules__spec(rules__ld *ld, const th_yaml_node *n, const char *key, th_rule_spec *out, bool null_ok)
{
	out->text = NULL;
	out->set = NULL;
	out->legacy = false;
	if (!n || (null_ok && n->type == TH_YAML_NULL))
		return 0;
	if (th_yaml_typeof(n) != TH_YAML_STR)
		return rules__bad(ld, n, key, "expected a version specifier (a string such as '<1.0,>=0.5'), got %s",
				  th_yaml_type_name(th_yaml_typeof(n)));
	if (memchr(n->u.str.ptr, '\0', n->u.str.len))
		return rules__bad(ld, n, key, "a NUL character in a string");
	if (!(out->text = rules__dup(ld, n)))
		return NOMEM(ld);
	if (!th_specset_parse(&out->set, out->text, n->u.str.len, ld->a, NULL))
		return 0;
	out->set = NULL;
	if (rules__legacy_ok(out->text, n->u.str.len)) {
		out->legacy = true;
		ld->r->nlegacy++;
		return 0;
	}
	return rules__bad(ld, n, key, "'%s' is not a valid version specifier", out->text);
}

/* Justification / stack_info links: a URL or a Thoth justification id. */
static int rules__link(rules__ld *ld, const th_yaml_node *n, const char *key, const char **out)
{
	int rc;

	if ((rc = rules__str(ld, n, key, out)))
		return rc;
	if (!strncmp(*out, "https://", 8) || !strncmp(*out, "http://", 7))
		return 0;
	for (const char *p = *out; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return rules__bad(ld, n, key, "link '%s' is neither a URL nor a justification id ([a-z0-9_-]+)", *out);
	return 0;
}

static int rules__level(rules__ld *ld, const th_yaml_node *n, const char *key, th_rule_level *out)
{
	const char *s = th_yaml_str(n, NULL);

	if (s && !strcmp(s, "INFO"))
		*out = TH_RULE_INFO;
	else if (s && !strcmp(s, "WARNING"))
		*out = TH_RULE_WARNING;
	else if (s && !strcmp(s, "ERROR"))
		*out = TH_RULE_ERROR;
	else
		return rules__bad(ld, n, key, "type must be INFO, WARNING or ERROR");
	return 0;
}

static int rules__required(rules__ld *ld, const th_yaml_node *map, const char *key, const char *name,
			   const th_yaml_node **out)
{
	if (!(*out = th_yaml_get(map, name)))
		return rules__bad(ld, map, key, "required key '%s' is missing", name);
	return 0;
}

/* stack_info entries and log: {type, message, link?} */
static int rules__msg(rules__ld *ld, const th_yaml_node *n, const char *key, th_rule_msg *out, bool with_link)
{
	static const char *const keys_link[] = { "type", "message", "link", NULL };
	static const char *const keys_log[] = { "type", "message", NULL };
	const th_yaml_node *v;
	int rc;

	if ((rc = rules__keys(ld, n, key, with_link ? keys_link : keys_log)) ||
	    (rc = rules__required(ld, n, key, "type", &v)) || (rc = rules__level(ld, v, key, &out->type)) ||
	    (rc = rules__required(ld, n, key, "message", &v)) || (rc = rules__str(ld, v, key, &out->message)))
		return rc;
	out->link = NULL;
	if (with_link && ((rc = rules__required(ld, n, key, "link", &v)) || (rc = rules__link(ld, v, key, &out->link))))
		return rc;
	return 0;
}

/* A sequence: checks the type and the minimum length. */
static int rules__seq(rules__ld *ld, const th_yaml_node *n, const char *key, size_t min)
{
	if (th_yaml_typeof(n) != TH_YAML_SEQUENCE)
		return rules__bad(ld, n, key, "expected a list, got %s", th_yaml_type_name(th_yaml_typeof(n)));
	if (n->u.seq.n < min)
		return rules__bad(ld, n, key, "expected a non-empty list");
	return 0;
}

static void *rules__array(rules__ld *ld, size_t n, size_t size)
{
	return n ? th_arena_zalloc(ld->a, n * size) : NULL;
}

enum { LIST_NOT = 1, LIST_NULLS = 2, LIST_INTS = 4 };

/* A list of strings (or integers, kept as decimal text), maybe {not: [...]},
 * maybe with nulls, maybe restricted to `choices`. Non-empty. */
static int rules__list(rules__ld *ld, const th_yaml_node *n, const char *key, th_rule_list *out, int flags,
		       const char *const *choices)
{
	static const char *const not_key[] = { "not", NULL };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!n)
		return 0;
	out->present = true;
	if ((flags & LIST_NOT) && th_yaml_typeof(n) == TH_YAML_MAPPING) {
		if ((rc = rules__keys(ld, n, key, not_key)) || (rc = rules__required(ld, n, key, "not", &n)))
			return rc;
		out->negated = true;
	}
	if ((rc = rules__seq(ld, n, key, 1)))
		return rc;
	if (!(out->items = rules__array(ld, n->u.seq.n, sizeof(*out->items))))
		return NOMEM(ld);
	out->n = n->u.seq.n;
	for (size_t i = 0; i < n->u.seq.n; i++) {
		const th_yaml_node *it = n->u.seq.items[i];
		if ((flags & LIST_NULLS) && it->type == TH_YAML_NULL)
			continue; /* stays NULL */
		if (flags & LIST_INTS) {
			int64_t v;
			char num[32];
			if (th_yaml_int(it, &v))
				return rules__bad(ld, it, key, "expected an integer%s, got %s",
						  flags & LIST_NULLS ? " or null" : "", th_yaml_type_name(it->type));
			snprintf(num, sizeof(num), "%lld", (long long)v);
			if (!(out->items[i] = th_arena_strdup(ld->a, num)))
				return NOMEM(ld);
			continue;
		}
		if ((rc = rules__str(ld, it, key, &out->items[i])))
			return rc;
		if (choices) {
			const char *const *c;
			for (c = choices; *c && strcmp(*c, out->items[i]); c++)
				;
			if (!*c)
				return rules__bad(ld, it, key, "'%s' is not one of the allowed values", out->items[i]);
		}
	}
	return 0;
}

/* A list of non-empty strings (library_usage symbols, api_removed symbols). */
static int rules__strings(rules__ld *ld, const th_yaml_node *n, const char *key, const char ***out, size_t *nout)
{
	th_rule_list l;
	int rc;

	if ((rc = rules__list(ld, n, key, &l, 0, NULL)))
		return rc;
	*out = l.items;
	*nout = l.n;
	return 0;
}

/* ---- package descriptions in match ---- */

static int rules__pkg(rules__ld *ld, const th_yaml_node *n, const char *key, th_rule_pkg *out, bool name_required)
{
	static const char *const keys[] = { "name", "version", "index_url", "develop", NULL };
	static const char *const not_key[] = { "not", NULL };
	const th_yaml_node *v;
	int rc;

	memset(out, 0, sizeof(*out));
	out->develop = -1;
	if ((rc = rules__keys(ld, n, key, keys)))
		return rc;
	if ((v = th_yaml_get(n, "name")) || name_required) {
		if ((rc = rules__required(ld, n, key, "name", &v)) || (rc = rules__pkgname(ld, v, key, &out->name)))
			return rc;
	}
	if ((rc = rules__spec(ld, th_yaml_get(n, "version"), key, &out->version, false)))
		return rc;
	if ((v = th_yaml_get(n, "index_url"))) {
		if (v->type == TH_YAML_MAPPING) {
			if ((rc = rules__keys(ld, v, key, not_key)) || (rc = rules__required(ld, v, key, "not", &v)))
				return rc;
			out->index_url_not = true;
		}
		if ((rc = rules__str(ld, v, key, &out->index_url)))
			return rc;
	}
	return rules__tri(ld, th_yaml_get(n, "develop"), key, &out->develop);
}

static int rules__pkgs(rules__ld *ld, const th_yaml_node *n, const char *key, th_rule_pkg **out, size_t *nout,
		       bool name_required, size_t min)
{
	int rc;

	if ((rc = rules__seq(ld, n, key, min)))
		return rc;
	*nout = n->u.seq.n;
	if (!(*out = rules__array(ld, n->u.seq.n, sizeof(**out))) && n->u.seq.n)
		return NOMEM(ld);
	for (size_t i = 0; i < n->u.seq.n; i++)
		if ((rc = rules__pkg(ld, n->u.seq.items[i], key, &(*out)[i], name_required)))
			return rc;
	return 0;
}

static int rules__locked(rules__ld *ld, const th_yaml_node *n, const char *key, th_rule_locked *out, bool all_required)
{
	static const char *const keys[] = { "name", "locked_version", "index_url", "develop", NULL };
	const th_yaml_node *v;
	int rc;

	memset(out, 0, sizeof(*out));
	out->develop = -1;
	if ((rc = rules__keys(ld, n, key, keys)) || (rc = rules__required(ld, n, key, "name", &v)) ||
	    (rc = rules__pkgname(ld, v, key, &out->name)))
		return rc;
	if (all_required) {
		static const char *const req[] = { "locked_version", "index_url", "develop", NULL };
		for (const char *const *p = req; *p; p++)
			if ((rc = rules__required(ld, n, key, *p, &v)))
				return rc;
	}
	if ((v = th_yaml_get(n, "locked_version")) && v->type != TH_YAML_NULL) {
		if ((rc = rules__str(ld, v, key, &out->locked_version)))
			return rc;
		if (strncmp(out->locked_version, "==", 2))
			return rules__bad(ld, v, key, "'%s' is not a locked version (example: '==1.0.0')", out->locked_version);
	}
	if ((rc = rules__ostr(ld, th_yaml_get(n, "index_url"), key, &out->index_url, false)))
		return rc;
	return rules__tri(ld, th_yaml_get(n, "develop"), key, &out->develop);
}

/* ---- should_include ---- */

static const char *const rules__rec_types[] = { "latest", "performance", "security", "stable", "testing", NULL };
static const char *const rules__dec_types[] = { "all", "random", NULL };
static const char *const rules__dep_keys[TH_RULE_NDEPS + 1] = { "boots", "pseudonyms", "sieves", "steps",
								 "strides", "wraps", NULL };

static int rules__hw(rules__ld *ld, const th_yaml_node *n, th_rule_hw *out)
{
	static const char *const keys[] = { "cpu_families", "cpu_models", "cpu_flags", "gpu_models", NULL };
	const char *k = "should_include.runtime_environments.hardware";
	int rc;

	if ((rc = rules__keys(ld, n, k, keys)) ||
	    (rc = rules__list(ld, th_yaml_get(n, "cpu_families"), k, &out->cpu_families, LIST_NOT | LIST_NULLS | LIST_INTS, NULL)) ||
	    (rc = rules__list(ld, th_yaml_get(n, "cpu_models"), k, &out->cpu_models, LIST_NOT | LIST_NULLS | LIST_INTS, NULL)) ||
	    (rc = rules__list(ld, th_yaml_get(n, "cpu_flags"), k, &out->cpu_flags, LIST_NOT, NULL)) ||
	    (rc = rules__list(ld, th_yaml_get(n, "gpu_models"), k, &out->gpu_models, LIST_NOT | LIST_NULLS, NULL)))
		return rc;
	return 0;
}

static int rules__rpm(rules__ld *ld, const th_yaml_node *n, th_rule_rpm *out)
{
	static const char *const keys[] = { "package_name", "arch", "epoch", "package_identifier",
					    "package_version", "release", "src", NULL };
	const char *k = "should_include.runtime_environments.rpm_packages";
	const th_yaml_node *v;
	int rc;

	if ((rc = rules__keys(ld, n, k, keys)) || (rc = rules__required(ld, n, k, "package_name", &v)) ||
	    (rc = rules__str(ld, v, k, &out->package_name)) ||
	    (rc = rules__ostr(ld, th_yaml_get(n, "arch"), k, &out->arch, false)) ||
	    (rc = rules__ostr(ld, th_yaml_get(n, "epoch"), k, &out->epoch, false)) ||
	    (rc = rules__ostr(ld, th_yaml_get(n, "package_identifier"), k, &out->package_identifier, false)) ||
	    (rc = rules__ostr(ld, th_yaml_get(n, "package_version"), k, &out->package_version, false)) ||
	    (rc = rules__ostr(ld, th_yaml_get(n, "release"), k, &out->release, false)) ||
	    (rc = rules__tri(ld, th_yaml_get(n, "src"), k, &out->src)))
		return rc;
	return 0;
}

static int rules__pypkg(rules__ld *ld, const th_yaml_node *n, th_rule_pypkg *out)
{
	static const char *const keys[] = { "name", "version", "location", NULL };
	const char *k = "should_include.runtime_environments.python_packages";
	const th_yaml_node *v;
	int rc;

	if ((rc = rules__keys(ld, n, k, keys)) || (rc = rules__required(ld, n, k, "name", &v)) ||
	    (rc = rules__pkgname(ld, v, k, &out->name)) ||
	    (rc = rules__spec(ld, th_yaml_get(n, "version"), k, &out->version, false)) ||
	    (rc = rules__ostr(ld, th_yaml_get(n, "location"), k, &out->location, true)))
		return rc;
	if (out->location) {
		regex_t re;
		if (regcomp(&re, out->location, REG_EXTENDED | REG_NOSUB))
			return rules__bad(ld, th_yaml_get(n, "location"), k, "'%s' is not a valid regular expression",
					  out->location);
		regfree(&re);
	}
	return 0;
}

/* `{not: [...]}` or `[...]` of mappings: returns the list node and the flag. */
static int rules__maybe_not(rules__ld *ld, const th_yaml_node *n, const char *key, const th_yaml_node **list,
			    bool *negated)
{
	static const char *const not_key[] = { "not", NULL };
	int rc;

	*negated = false;
	*list = n;
	if (th_yaml_typeof(n) == TH_YAML_MAPPING) {
		if ((rc = rules__keys(ld, n, key, not_key)) || (rc = rules__required(ld, n, key, "not", list)))
			return rc;
		*negated = true;
	}
	return rules__seq(ld, *list, key, 1);
}

static int rules__runtime(rules__ld *ld, const th_yaml_node *n, th_rule_runtime *out)
{
	static const char *const keys[] = { "operating_systems", "hardware", "python_version", "cuda_version",
					    "platforms", "openblas_version", "openmpi_version", "cudnn_version",
					    "mkl_version", "base_images", "abi", "rpm_packages", "python_packages", NULL };
	static const char *const os_keys[] = { "name", "version", NULL };
	const char *k = "should_include.runtime_environments";
	const th_yaml_node *v, *list;
	int rc;

	if ((rc = rules__keys(ld, n, k, keys)))
		return rc;
	if ((v = th_yaml_get(n, "operating_systems"))) {
		const char *ko = "should_include.runtime_environments.operating_systems";
		if ((rc = rules__seq(ld, v, ko, 0)))
			return rc;
		out->noperating_systems = v->u.seq.n;
		if (!(out->operating_systems = rules__array(ld, v->u.seq.n, sizeof(th_rule_os))) && v->u.seq.n)
			return NOMEM(ld);
		for (size_t i = 0; i < v->u.seq.n; i++) {
			const th_yaml_node *it = v->u.seq.items[i];
			if ((rc = rules__keys(ld, it, ko, os_keys)) ||
			    (rc = rules__ostr(ld, th_yaml_get(it, "name"), ko, &out->operating_systems[i].name, false)) ||
			    (rc = rules__ostr(ld, th_yaml_get(it, "version"), ko, &out->operating_systems[i].version, false)))
				return rc;
		}
	}
	if ((v = th_yaml_get(n, "hardware"))) {
		if ((rc = rules__seq(ld, v, "should_include.runtime_environments.hardware", 1)))
			return rc;
		out->nhardware = v->u.seq.n;
		if (!(out->hardware = rules__array(ld, v->u.seq.n, sizeof(th_rule_hw))))
			return NOMEM(ld);
		for (size_t i = 0; i < v->u.seq.n; i++)
			if ((rc = rules__hw(ld, v->u.seq.items[i], &out->hardware[i])))
				return rc;
	}
	if ((rc = rules__spec(ld, th_yaml_get(n, "python_version"), "should_include.runtime_environments.python_version", &out->python_version, true)) ||
	    (rc = rules__spec(ld, th_yaml_get(n, "cuda_version"), "should_include.runtime_environments.cuda_version", &out->cuda_version, true)) ||
	    (rc = rules__spec(ld, th_yaml_get(n, "cudnn_version"), "should_include.runtime_environments.cudnn_version", &out->cudnn_version, true)) ||
	    (rc = rules__spec(ld, th_yaml_get(n, "mkl_version"), "should_include.runtime_environments.mkl_version", &out->mkl_version, true)) ||
	    (rc = rules__spec(ld, th_yaml_get(n, "openblas_version"), "should_include.runtime_environments.openblas_version", &out->openblas_version, true)) ||
	    (rc = rules__spec(ld, th_yaml_get(n, "openmpi_version"), "should_include.runtime_environments.openmpi_version", &out->openmpi_version, true)) ||
	    (rc = rules__list(ld, th_yaml_get(n, "platforms"), "should_include.runtime_environments.platforms", &out->platforms, LIST_NOT | LIST_NULLS, NULL)) ||
	    (rc = rules__list(ld, th_yaml_get(n, "base_images"), "should_include.runtime_environments.base_images", &out->base_images, LIST_NOT | LIST_NULLS, NULL)) ||
	    (rc = rules__list(ld, th_yaml_get(n, "abi"), "should_include.runtime_environments.abi", &out->abi, LIST_NOT, NULL)))
		return rc;
	if ((v = th_yaml_get(n, "rpm_packages"))) {
		if ((rc = rules__maybe_not(ld, v, "should_include.runtime_environments.rpm_packages", &list, &out->rpm_packages_not)))
			return rc;
		out->nrpm_packages = list->u.seq.n;
		if (!(out->rpm_packages = rules__array(ld, list->u.seq.n, sizeof(th_rule_rpm))))
			return NOMEM(ld);
		for (size_t i = 0; i < list->u.seq.n; i++)
			if ((rc = rules__rpm(ld, list->u.seq.items[i], &out->rpm_packages[i])))
				return rc;
	}
	if ((v = th_yaml_get(n, "python_packages"))) {
		if ((rc = rules__maybe_not(ld, v, "should_include.runtime_environments.python_packages", &list, &out->python_packages_not)))
			return rc;
		out->npython_packages = list->u.seq.n;
		if (!(out->python_packages = rules__array(ld, list->u.seq.n, sizeof(th_rule_pypkg))))
			return NOMEM(ld);
		for (size_t i = 0; i < list->u.seq.n; i++)
			if ((rc = rules__pypkg(ld, list->u.seq.items[i], &out->python_packages[i])))
				return rc;
	}
	return 0;
}

static int rules__should_include(rules__ld *ld, const th_yaml_node *n, th_rule_include *out)
{
	static const char *const keys[] = { "times", "adviser_pipeline", "dependency_monkey_pipeline", "labels",
					    "dependencies", "recommendation_types", "decision_types",
					    "runtime_environments", "library_usage", "authenticated", NULL };
	const char *k = "should_include";
	const th_yaml_node *v;
	int rc;

	out->times = 1;
	out->authenticated = -1;
	if ((rc = rules__keys(ld, n, k, keys)))
		return rc;
	if ((v = th_yaml_get(n, "times"))) {
		int64_t t;
		bool b;
		/* Python's int check also takes booleans */
		if (!th_yaml_bool(v, &b))
			t = b;
		else if (th_yaml_int(v, &t))
			return rules__bad(ld, v, "should_include.times", "expected 0 or 1, got %s", th_yaml_type_name(v->type));
		if (t < 0 || t > 1)
			return rules__bad(ld, v, "should_include.times", "expected 0 or 1, got %lld", (long long)t);
		out->times = (int)t;
	}
	if ((v = th_yaml_get(n, "adviser_pipeline")) && (rc = rules__bool(ld, v, "should_include.adviser_pipeline", &out->adviser_pipeline)))
		return rc;
	if ((v = th_yaml_get(n, "dependency_monkey_pipeline")) &&
	    (rc = rules__bool(ld, v, "should_include.dependency_monkey_pipeline", &out->dependency_monkey_pipeline)))
		return rc;
	if ((rc = rules__tri(ld, th_yaml_get(n, "authenticated"), "should_include.authenticated", &out->authenticated)) ||
	    (rc = rules__list(ld, th_yaml_get(n, "recommendation_types"), "should_include.recommendation_types",
			      &out->recommendation_types, LIST_NOT, rules__rec_types)) ||
	    (rc = rules__list(ld, th_yaml_get(n, "decision_types"), "should_include.decision_types",
			      &out->decision_types, LIST_NOT, rules__dec_types)))
		return rc;
	if ((v = th_yaml_get(n, "labels"))) {
		if (v->type != TH_YAML_MAPPING)
			return rules__bad(ld, v, "should_include.labels", "expected a mapping, got %s", th_yaml_type_name(v->type));
		out->nlabels = v->u.map.n;
		if (!(out->labels = rules__array(ld, v->u.map.n, sizeof(th_rule_kv))) && v->u.map.n)
			return NOMEM(ld);
		for (size_t i = 0; i < v->u.map.n; i++) {
			const th_yaml_node *key = v->u.map.pairs[i].key;
			if (key->kind != TH_YAML_SCALAR)
				return rules__bad(ld, key, "should_include.labels", "a label name must be a scalar");
			if (!(out->labels[i].key = rules__dup(ld, key)))
				return NOMEM(ld);
			if ((rc = rules__str(ld, v->u.map.pairs[i].value, "should_include.labels", &out->labels[i].value)))
				return rc;
		}
	}
	if ((v = th_yaml_get(n, "library_usage"))) {
		const char *kl = "should_include.library_usage";
		if (v->type != TH_YAML_MAPPING || !v->u.map.n)
			return rules__bad(ld, v, kl, "expected a non-empty mapping of library names to symbols");
		out->nlibrary_usage = v->u.map.n;
		if (!(out->library_usage = rules__array(ld, v->u.map.n, sizeof(th_rule_libuse))))
			return NOMEM(ld);
		for (size_t i = 0; i < v->u.map.n; i++) {
			th_rule_libuse *lu = &out->library_usage[i];
			if ((rc = rules__str(ld, v->u.map.pairs[i].key, kl, &lu->library)) ||
			    (rc = rules__strings(ld, v->u.map.pairs[i].value, kl, &lu->symbols, &lu->nsymbols)))
				return rc;
		}
	}
	if ((v = th_yaml_get(n, "dependencies"))) {
		if ((rc = rules__keys(ld, v, "should_include.dependencies", rules__dep_keys)))
			return rc;
		if (!(out->dependencies = rules__array(ld, TH_RULE_NDEPS, sizeof(th_rule_list))))
			return NOMEM(ld);
		for (int i = 0; i < TH_RULE_NDEPS; i++)
			if ((rc = rules__list(ld, th_yaml_get(v, rules__dep_keys[i]), "should_include.dependencies",
					      &out->dependencies[i], 0, NULL)))
				return rc;
	}
	if ((v = th_yaml_get(n, "runtime_environments"))) {
		if (!(out->rt = rules__array(ld, 1, sizeof(th_rule_runtime))))
			return NOMEM(ld);
		if ((rc = rules__runtime(ld, v, out->rt)))
			return rc;
	}
	return 0;
}

/* ---- match ---- */

static int rules__state(rules__ld *ld, const th_yaml_node *n, const char *key, th_rule_match *m, th_rule_type t)
{
	static const char *const step_keys[] = { "resolved_dependencies", "package_version_from",
						 "package_version_from_allow_other", NULL };
	static const char *const wrap_keys[] = { "resolved_dependencies", NULL };
	bool step = t == TH_RULE_STEP || t == TH_RULE_STEP_SKIP_PACKAGE || t == TH_RULE_STEP_ADD_PACKAGE;
	const th_yaml_node *v;
	int rc;

	if ((rc = rules__keys(ld, n, key, step ? step_keys : wrap_keys)))
		return rc;
	v = th_yaml_get(n, "resolved_dependencies");
	if (!step && !v)
		return rules__required(ld, n, key, "resolved_dependencies", &v);
	if (v) {
		if (t == TH_RULE_WRAP_GH_RELEASE_NOTES) {
			/* one package: a list of exactly one, or the mapping itself */
			if (v->type == TH_YAML_MAPPING) {
				m->nresolved = 1;
				if (!(m->resolved = rules__array(ld, 1, sizeof(th_rule_pkg))))
					return NOMEM(ld);
				return rules__pkg(ld, v, key, m->resolved, true);
			}
			if ((rc = rules__pkgs(ld, v, key, &m->resolved, &m->nresolved, true, 1)))
				return rc;
			if (m->nresolved != 1)
				return rules__bad(ld, v, key, "release notes are for exactly one package");
			return 0;
		}
		/* steps need names; strides and wraps take any description */
		if ((rc = rules__pkgs(ld, v, key, &m->resolved, &m->nresolved, step, step ? 1 : 0)))
			return rc;
	}
	if ((v = th_yaml_get(n, "package_version_from")) &&
	    (rc = rules__pkgs(ld, v, key, &m->from, &m->nfrom, true, 1)))
		return rc;
	if ((v = th_yaml_get(n, "package_version_from_allow_other")) && (rc = rules__bool(ld, v, key, &m->from_allow_other)))
		return rc;
	return 0;
}

static int rules__match_entry(rules__ld *ld, const th_yaml_node *n, th_rule_match *m, th_rule_type t)
{
	static const char *const k_name[] = { "package_name", NULL };
	static const char *const k_pv[] = { "package_version", NULL };
	static const char *const k_step[] = { "package_version", "state", NULL };
	static const char *const k_state[] = { "state", NULL };
	static const char *const k_group[] = { "group", NULL };
	const char *k = "match";
	const th_yaml_node *v;
	int rc;

	switch (t) {
	case TH_RULE_BOOT:
	case TH_RULE_SIEVE_SKIP_PACKAGE:
		if ((rc = rules__keys(ld, n, k, k_name)))
			return rc;
		if (t == TH_RULE_SIEVE_SKIP_PACKAGE && (rc = rules__required(ld, n, k, "package_name", &v)))
			return rc;
		return rules__ostr(ld, th_yaml_get(n, "package_name"), "match.package_name", &m->package_name, true);
	case TH_RULE_PSEUDONYM:
	case TH_RULE_SIEVE:
		if ((rc = rules__keys(ld, n, k, k_pv)))
			return rc;
		if (t == TH_RULE_PSEUDONYM && (rc = rules__required(ld, n, k, "package_version", &v)))
			return rc;
		if ((v = th_yaml_get(n, "package_version"))) {
			m->has_package_version = true;
			return rules__pkg(ld, v, "match.package_version", &m->package_version, t == TH_RULE_PSEUDONYM);
		}
		return 0;
	case TH_RULE_STEP:
	case TH_RULE_STEP_SKIP_PACKAGE:
	case TH_RULE_STEP_ADD_PACKAGE:
		if ((rc = rules__keys(ld, n, k, k_step)) || (rc = rules__required(ld, n, k, "package_version", &v)))
			return rc;
		m->has_package_version = true;
		if ((rc = rules__pkg(ld, v, "match.package_version", &m->package_version, false)))
			return rc;
		if ((v = th_yaml_get(n, "state")))
			return rules__state(ld, v, "match.state", m, t);
		return 0;
	case TH_RULE_STEP_GROUP:
		if ((rc = rules__keys(ld, n, k, k_group)) || (rc = rules__required(ld, n, k, "group", &v)) ||
		    (rc = rules__seq(ld, v, "match.group", 1)))
			return rc;
		m->ngroup = v->u.seq.n;
		if (!(m->group = rules__array(ld, v->u.seq.n, sizeof(th_rule_pkg))))
			return NOMEM(ld);
		for (size_t i = 0; i < v->u.seq.n; i++) {
			const th_yaml_node *pv;
			if ((rc = rules__keys(ld, v->u.seq.items[i], "match.group", k_pv)) ||
			    (rc = rules__required(ld, v->u.seq.items[i], "match.group", "package_version", &pv)) ||
			    (rc = rules__pkg(ld, pv, "match.group.package_version", &m->group[i], true)))
				return rc;
		}
		return 0;
	case TH_RULE_STRIDE:
	case TH_RULE_WRAP:
	case TH_RULE_WRAP_GH_RELEASE_NOTES:
		if ((rc = rules__keys(ld, n, k, k_state)))
			return rc;
		if (t != TH_RULE_WRAP && (rc = rules__required(ld, n, k, "state", &v)))
			return rc;
		if ((v = th_yaml_get(n, "state")))
			return rules__state(ld, v, "match.state", m, t);
		return 0;
	default:
		return rules__bad(ld, n, k, "unknown unit type");
	}
}

static int rules__match(rules__ld *ld, const th_yaml_node *n, th_rule_unit *u)
{
	bool required = u->type != TH_RULE_BOOT && u->type != TH_RULE_WRAP;
	int rc;

	if (!n) {
		if (required)
			return rules__bad(ld, NULL, "match", "required key 'match' is missing");
		return 0;
	}
	if (n->type == TH_YAML_SEQUENCE && u->type != TH_RULE_STEP_SKIP_PACKAGE) {
		if ((rc = rules__seq(ld, n, "match", 1)))
			return rc;
		u->nmatch = n->u.seq.n;
		if (!(u->match = rules__array(ld, n->u.seq.n, sizeof(th_rule_match))))
			return NOMEM(ld);
		for (size_t i = 0; i < n->u.seq.n; i++)
			if ((rc = rules__match_entry(ld, n->u.seq.items[i], &u->match[i], u->type)))
				return rc;
		return 0;
	}
	u->nmatch = 1;
	if (!(u->match = rules__array(ld, 1, sizeof(th_rule_match))))
		return NOMEM(ld);
	return rules__match_entry(ld, n, u->match, u->type);
}

/* ---- run ---- */

/* An extension key: one mapping, or a non-empty list of them. Returns the
 * count and allocates the items (zeroed, `size` bytes each). */
static int rules__one_or_many(rules__ld *ld, const th_yaml_node *n, const char *key, size_t size, void **items,
			      size_t *count)
{
	int rc;

	if (n->type == TH_YAML_MAPPING)
		*count = 1;
	else if ((rc = rules__seq(ld, n, key, 1)))
		return rc;
	else
		*count = n->u.seq.n;
	if (!(*items = rules__array(ld, *count, size)))
		return NOMEM(ld);
	return 0;
}

static const th_yaml_node *rules__nth(const th_yaml_node *n, size_t i)
{
	return n->type == TH_YAML_MAPPING ? n : n->u.seq.items[i];
}

static int rules__api_removed(rules__ld *ld, const th_yaml_node *n, th_rule_run_more *run)
{
	static const char *const keys[] = { "package", "version", "symbols", "replacement", NULL };
	const char *k = "run.api_removed";
	const th_yaml_node *v;
	int rc;

	if ((rc = rules__one_or_many(ld, n, k, sizeof(th_rule_api_removed), (void **)&run->api_removed,
				     &run->napi_removed)))
		return rc;
	for (size_t i = 0; i < run->napi_removed; i++) {
		const th_yaml_node *it = rules__nth(n, i);
		th_rule_api_removed *a = &run->api_removed[i];
		if ((rc = rules__keys(ld, it, k, keys)) || (rc = rules__required(ld, it, k, "package", &v)) ||
		    (rc = rules__pkgname(ld, v, k, &a->package)) || (rc = rules__required(ld, it, k, "version", &v)) ||
		    (rc = rules__spec(ld, v, k, &a->version, false)) || (rc = rules__required(ld, it, k, "symbols", &v)) ||
		    (rc = rules__strings(ld, v, k, &a->symbols, &a->nsymbols)) ||
		    (rc = rules__ostr(ld, th_yaml_get(it, "replacement"), k, &a->replacement, false)))
			return rc;
	}
	return 0;
}

static int rules__stdlib_removed(rules__ld *ld, const th_yaml_node *n, th_rule_run_more *run)
{
	static const char *const keys[] = { "module", "python_version", "replacement", NULL };
	const char *k = "run.stdlib_removed";
	const th_yaml_node *v;
	int rc;

	if ((rc = rules__one_or_many(ld, n, k, sizeof(th_rule_stdlib_removed), (void **)&run->stdlib_removed,
				     &run->nstdlib_removed)))
		return rc;
	for (size_t i = 0; i < run->nstdlib_removed; i++) {
		const th_yaml_node *it = rules__nth(n, i);
		th_rule_stdlib_removed *s = &run->stdlib_removed[i];
		if ((rc = rules__keys(ld, it, k, keys)) || (rc = rules__required(ld, it, k, "module", &v)) ||
		    (rc = rules__str(ld, v, k, &s->module)) || (rc = rules__required(ld, it, k, "python_version", &v)) ||
		    (rc = rules__spec(ld, v, k, &s->python_version, false)) ||
		    (rc = rules__ostr(ld, th_yaml_get(it, "replacement"), k, &s->replacement, false)))
			return rc;
	}
	return 0;
}

static int rules__cuda_requires(rules__ld *ld, const th_yaml_node *n, th_rule_run_more *run)
{
	static const char *const keys[] = { "package", "version", "cuda", "cudnn", NULL };
	const char *k = "run.cuda_requires";
	const th_yaml_node *v;
	int rc;

	if ((rc = rules__one_or_many(ld, n, k, sizeof(th_rule_cuda_requires), (void **)&run->cuda_requires,
				     &run->ncuda_requires)))
		return rc;
	for (size_t i = 0; i < run->ncuda_requires; i++) {
		const th_yaml_node *it = rules__nth(n, i);
		th_rule_cuda_requires *c = &run->cuda_requires[i];
		if ((rc = rules__keys(ld, it, k, keys)) || (rc = rules__required(ld, it, k, "package", &v)) ||
		    (rc = rules__pkgname(ld, v, k, &c->package)) || (rc = rules__required(ld, it, k, "version", &v)) ||
		    (rc = rules__spec(ld, v, k, &c->version, false)) || (rc = rules__required(ld, it, k, "cuda", &v)) ||
		    (rc = rules__spec(ld, v, k, &c->cuda, false)) ||
		    (rc = rules__spec(ld, th_yaml_get(it, "cudnn"), k, &c->cudnn, false)))
			return rc;
	}
	return 0;
}

static int rules__python_support(rules__ld *ld, const th_yaml_node *n, th_rule_run_more *run)
{
	static const char *const keys[] = { "package", "version", "python", NULL };
	const char *k = "run.python_support";
	const th_yaml_node *v;
	int rc;

	if ((rc = rules__one_or_many(ld, n, k, sizeof(th_rule_python_support), (void **)&run->python_support,
				     &run->npython_support)))
		return rc;
	for (size_t i = 0; i < run->npython_support; i++) {
		const th_yaml_node *it = rules__nth(n, i);
		th_rule_python_support *p = &run->python_support[i];
		if ((rc = rules__keys(ld, it, k, keys)) || (rc = rules__required(ld, it, k, "package", &v)) ||
		    (rc = rules__pkgname(ld, v, k, &p->package)) || (rc = rules__required(ld, it, k, "version", &v)) ||
		    (rc = rules__spec(ld, v, k, &p->version, false)) || (rc = rules__required(ld, it, k, "python", &v)) ||
		    (rc = rules__spec(ld, v, k, &p->python, false)))
			return rc;
	}
	return 0;
}

/* Keys each type's run accepts, beyond stack_info, log and the extensions. */
static const char *const *rules__run_keys(th_rule_type t)
{
	static const char *const boot[] = { "not_acceptable", "eager_stop_pipeline", NULL };
	static const char *const pseudonym[] = { "yield", NULL };
	static const char *const none[] = { NULL };
	static const char *const step[] = { "score", "justification", "not_acceptable", "eager_stop_pipeline",
					    "multi_package_resolution", NULL };
	static const char *const skip[] = { "multi_package_resolution", NULL };
	static const char *const add[] = { "multi_package_resolution", "package_version", NULL };
	static const char *const wrap[] = { "justification", "advised_manifest_changes", NULL };
	static const char *const gh[] = { "release_notes", NULL };

	switch (t) {
	case TH_RULE_BOOT:
	case TH_RULE_STRIDE: return boot;
	case TH_RULE_PSEUDONYM: return pseudonym;
	case TH_RULE_STEP:
	case TH_RULE_STEP_GROUP: return step;
	case TH_RULE_STEP_SKIP_PACKAGE: return skip;
	case TH_RULE_STEP_ADD_PACKAGE: return add;
	case TH_RULE_WRAP: return wrap;
	case TH_RULE_WRAP_GH_RELEASE_NOTES: return gh;
	default: return none;
	}
}

static int rules__run_check_keys(rules__ld *ld, const th_yaml_node *n, th_rule_type t)
{
	static const char *const base[] = { "stack_info", "log", "api_removed", "stdlib_removed", "cuda_requires",
					    "python_support" };
	const char *keys[16];
	size_t nk = 0;

	/* GitHub release notes take only release_notes (Thoth's schema has no base keys there) */
	if (t != TH_RULE_WRAP_GH_RELEASE_NOTES)
		for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
			keys[nk++] = base[i];
	for (const char *const *p = rules__run_keys(t); *p; p++)
		keys[nk++] = *p;
	keys[nk] = NULL;
	return rules__keys(ld, n, "run", keys);
}

static int rules__run(rules__ld *ld, const th_yaml_node *n, th_rule_unit *u)
{
	th_rule_run *run = &u->run;
	th_rule_run_more more = { .yield_matched_version = -1, .yield = { .develop = -1 }, .add = { .develop = -1 } };
	static const th_rule_run_more none = { .yield_matched_version = -1, .yield = { .develop = -1 }, .add = { .develop = -1 } };
	bool required = u->type != TH_RULE_SIEVE && u->type != TH_RULE_SIEVE_SKIP_PACKAGE &&
			u->type != TH_RULE_STEP_SKIP_PACKAGE;
	const th_yaml_node *v;
	int rc;

	run->multi_package_resolution = -1;
	if (!n) {
		if (required)
			return rules__bad(ld, NULL, "run", "required key 'run' is missing");
		return 0;
	}
	if ((rc = rules__run_check_keys(ld, n, u->type)))
		return rc;
	if ((v = th_yaml_get(n, "log"))) {
		run->has_log = true;
		if ((rc = rules__msg(ld, v, "run.log", &run->log, false)))
			return rc;
	}
	if ((v = th_yaml_get(n, "stack_info"))) {
		if ((rc = rules__seq(ld, v, "run.stack_info", 0)))
			return rc;
		run->nstack_info = v->u.seq.n;
		if (!(run->stack_info = rules__array(ld, v->u.seq.n, sizeof(th_rule_msg))) && v->u.seq.n)
			return NOMEM(ld);
		for (size_t i = 0; i < v->u.seq.n; i++)
			if ((rc = rules__msg(ld, v->u.seq.items[i], "run.stack_info", &run->stack_info[i], true)))
				return rc;
	}
	if ((v = th_yaml_get(n, "justification"))) {
		static const char *const jk[] = { "type", "message", "link", "package_name", "advisory", "cve_id",
						  "cve_name", "version_range", NULL };
		const char *k = "run.justification";
		if ((rc = rules__seq(ld, v, k, 1)))
			return rc;
		run->njustification = v->u.seq.n;
		if (!(run->justification = rules__array(ld, v->u.seq.n, sizeof(th_rule_justification))))
			return NOMEM(ld);
		for (size_t i = 0; i < v->u.seq.n; i++) {
			const th_yaml_node *it = v->u.seq.items[i], *f;
			th_rule_justification *j = &run->justification[i];
			th_rule_msg m;
			if ((rc = rules__keys(ld, it, k, jk)))
				return rc;
			if ((rc = rules__required(ld, it, k, "type", &f)) || (rc = rules__level(ld, f, k, &m.type)) ||
			    (rc = rules__required(ld, it, k, "message", &f)) || (rc = rules__str(ld, f, k, &m.message)) ||
			    (rc = rules__required(ld, it, k, "link", &f)) || (rc = rules__link(ld, f, k, &m.link)))
				return rc;
			j->type = m.type;
			j->message = m.message;
			j->link = m.link;
			if ((f = th_yaml_get(it, "package_name")) && (rc = rules__pkgname(ld, f, k, &j->package_name)))
				return rc;
			if ((rc = rules__ostr(ld, th_yaml_get(it, "advisory"), k, &j->advisory, false)) ||
			    (rc = rules__ostr(ld, th_yaml_get(it, "cve_id"), k, &j->cve_id, false)) ||
			    (rc = rules__ostr(ld, th_yaml_get(it, "cve_name"), k, &j->cve_name, false)) ||
			    (rc = rules__spec(ld, th_yaml_get(it, "version_range"), k, &j->version_range, false)))
				return rc;
		}
	}
	if ((v = th_yaml_get(n, "score"))) {
		/* Thoth's schema asks for a float: `score: 1` is refused there too */
		if (v->type != TH_YAML_FLOAT || th_yaml_float(v, &run->score))
			return rules__bad(ld, v, "run.score", "expected a float (such as 0.5), got %s", th_yaml_type_name(v->type));
		run->has_score = true;
	}
	if ((rc = rules__ostr(ld, th_yaml_get(n, "not_acceptable"), "run.not_acceptable", &run->not_acceptable, false)) ||
	    (rc = rules__ostr(ld, th_yaml_get(n, "eager_stop_pipeline"), "run.eager_stop_pipeline", &run->eager_stop_pipeline, false)) ||
	    (rc = rules__tri(ld, th_yaml_get(n, "multi_package_resolution"), "run.multi_package_resolution", &run->multi_package_resolution)))
		return rc;
	if (u->type == TH_RULE_PSEUDONYM) {
		static const char *const yk[] = { "yield_matched_version", "package_version", NULL };
		if ((rc = rules__required(ld, n, "run", "yield", &v)) || (rc = rules__keys(ld, v, "run.yield", yk)) ||
		    (rc = rules__tri(ld, th_yaml_get(v, "yield_matched_version"), "run.yield", &more.yield_matched_version)))
			return rc;
		more.has_yield = true;
		if ((v = th_yaml_get(v, "package_version")) &&
		    (rc = rules__locked(ld, v, "run.yield.package_version", &more.yield, false)))
			return rc;
	}
	if (u->type == TH_RULE_STEP_ADD_PACKAGE &&
	    ((rc = rules__required(ld, n, "run", "package_version", &v)) ||
	     (rc = rules__locked(ld, v, "run.package_version", &more.add, true))))
		return rc;
	if ((v = th_yaml_get(n, "release_notes"))) {
		static const char *const rk[] = { "organization", "repository", "tag_version_prefix", NULL };
		const char *k = "run.release_notes";
		const th_yaml_node *f;
		if ((rc = rules__keys(ld, v, k, rk)) || (rc = rules__required(ld, v, k, "organization", &f)) ||
		    (rc = rules__str(ld, f, k, &more.gh_organization)) ||
		    (rc = rules__required(ld, v, k, "repository", &f)) || (rc = rules__str(ld, f, k, &more.gh_repository)) ||
		    (rc = rules__ostr(ld, th_yaml_get(v, "tag_version_prefix"), k, &more.gh_tag_version_prefix, false)))
			return rc;
	}
	if ((v = th_yaml_get(n, "advised_manifest_changes")))
		more.nadvised_manifest_changes = v->type == TH_YAML_SEQUENCE ? v->u.seq.n : 1;
	if ((v = th_yaml_get(n, "api_removed")) && (rc = rules__api_removed(ld, v, &more)))
		return rc;
	if ((v = th_yaml_get(n, "stdlib_removed")) && (rc = rules__stdlib_removed(ld, v, &more)))
		return rc;
	if ((v = th_yaml_get(n, "cuda_requires")) && (rc = rules__cuda_requires(ld, v, &more)))
		return rc;
	if ((v = th_yaml_get(n, "python_support")) && (rc = rules__python_support(ld, v, &more)))
		return rc;
	if (memcmp(&more, &none, sizeof(more))) {
		if (!(run->more = rules__array(ld, 1, sizeof(more))))
			return NOMEM(ld);
		*run->more = more;
	}
	return 0;
}

/* ---- units ---- */

static int rules__metadata(rules__ld *ld, const th_yaml_node *n, th_rule_unit *u)
{
	size_t k = 0;

	if (!n)
		return 0;
	if (n->type != TH_YAML_MAPPING)
		return rules__bad(ld, n, "metadata", "expected a mapping, got %s", th_yaml_type_name(n->type));
	if (!(u->metadata = rules__array(ld, n->u.map.n, sizeof(th_rule_kv))) && n->u.map.n)
		return NOMEM(ld);
	/* free-form: only scalar entries are kept (evidence links, versions) */
	for (size_t i = 0; i < n->u.map.n; i++) {
		const th_yaml_node *key = n->u.map.pairs[i].key, *val = n->u.map.pairs[i].value;
		if (key->kind != TH_YAML_SCALAR || val->kind != TH_YAML_SCALAR)
			continue;
		if (!(u->metadata[k].key = rules__dup(ld, key)) || !(u->metadata[k].value = rules__dup(ld, val)))
			return NOMEM(ld);
		k++;
	}
	u->nmetadata = k;
	return 0;
}

static int rules__unit(rules__ld *ld, const th_yaml_node *n, const char *section, th_rule_unit **out)
{
	static const char *const keys[] = { "name", "type", "should_include", "match", "run", "metadata", NULL };
	const th_yaml_node *v;
	th_rule_unit *u;
	const char *type;
	int t, rc;

	*out = NULL;
	ld->unit = NULL;
	if ((rc = rules__keys(ld, n, section, keys)) || (rc = rules__required(ld, n, section, "name", &v)))
		return rc;
	if (!(u = th_arena_zalloc(ld->a, sizeof(*u))))
		return NOMEM(ld);
	if ((rc = rules__str(ld, v, "name", &u->name)))
		return rc;
	ld->unit = u->name;
	u->file = ld->kept;
	u->line = n->line;
	if ((rc = rules__required(ld, n, NULL, "type", &v)) || (rc = rules__str(ld, v, "type", &type)))
		return rc;
	if ((t = th_rule_type_parse(type)) < 0)
		return rules__bad(ld, v, "type", "unknown unit type '%s'", type);
	if (strcmp(rules__sections[t], section))
		return rules__bad(ld, v, "type", "a unit of type '%s' belongs under '%s', not '%s'", type, rules__sections[t],
				  section);
	u->type = (th_rule_type)t;
	if ((rc = rules__required(ld, n, NULL, "should_include", &v)) || (rc = rules__should_include(ld, v, &u->inc)) ||
	    (rc = rules__match(ld, th_yaml_get(n, "match"), u)) || (rc = rules__run(ld, th_yaml_get(n, "run"), u)) ||
	    (rc = rules__metadata(ld, th_yaml_get(n, "metadata"), u)))
		return rc;
	*out = u;
	return 0;
}

static int rules__push(th_rules *r, th_rule_unit *u, th_error *err)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		th_rule_unit **p = realloc(r->units, cap * sizeof(*p));
		if (!p)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		r->units = p;
		r->cap = cap;
	}
	r->units[r->n++] = u;
	r->count[u->type]++;
	return 0;
}

static void rules__record(th_rules *r, const th_error *e)
{
	if (r->nerrors < TH_RULES_MAX_ERRORS)
		r->errors[r->nerrors] = strdup(e->msg);
	r->nerrors++;
}

static int rules__file(rules__ld *ld, const th_yaml_node *root)
{
	static const char *const top[] = { "units", NULL };
	static const char *const meta[] = { "prescription", NULL };
	static const char *const sections[] = { "boots", "pseudonyms", "sieves", "steps", "strides", "wraps", NULL };
	th_rules *r = ld->r;
	const th_yaml_node *units, *v;
	th_rule_unit **got = NULL;
	size_t ngot = 0, total = 0;
	int rc;

	if (!root)
		return rules__bad(ld, NULL, NULL, "empty file: expected a mapping with 'units'");
	if (th_yaml_get(root, "prescription")) {
		/* _prescription_metadata.yaml: {prescription: {name, release}} */
		static const char *const pk[] = { "name", "release", NULL };
		const th_yaml_node *p = th_yaml_get(root, "prescription");
		if ((rc = rules__keys(ld, root, NULL, meta)) || (rc = rules__keys(ld, p, "prescription", pk)) ||
		    (rc = rules__ostr(ld, th_yaml_get(p, "name"), "prescription.name", &r->prescription_name, false)) ||
		    (rc = rules__ostr(ld, th_yaml_get(p, "release"), "prescription.release", &r->prescription_release, false)))
			return rc;
		return 0;
	}
	if ((rc = rules__keys(ld, root, NULL, top)) || (rc = rules__required(ld, root, NULL, "units", &units)) ||
	    (rc = rules__keys(ld, units, "units", sections)))
		return rc;
	for (size_t i = 0; i < units->u.map.n; i++) {
		v = units->u.map.pairs[i].value;
		if ((rc = rules__seq(ld, v, th_yaml_text(units->u.map.pairs[i].key, NULL), 0)))
			return rc;
		total += v->u.seq.n;
	}
	/* all units of a file, or none: a file is one prescription */
	if (total && !(got = malloc(total * sizeof(*got))))
		return NOMEM(ld);
	for (size_t i = 0; i < units->u.map.n; i++) {
		const char *section = th_yaml_text(units->u.map.pairs[i].key, NULL);
		v = units->u.map.pairs[i].value;
		for (size_t j = 0; j < v->u.seq.n; j++)
			if ((rc = rules__unit(ld, v->u.seq.items[j], section, &got[ngot++])))
				goto done;
	}
	ld->unit = NULL;
	for (size_t i = 0; i < ngot; i++)
		if ((rc = rules__push(r, got[i], ld->err)))
			goto done;
done:
	free(got);
	return rc;
}

/* `shown` names the file in messages; `kept` is the path units keep (the
 * path inside its source, so a compiled set does not depend on where the
 * source was when it was compiled). */
static int rules__add(th_rules *r, const char *shown, const char *kept, const char *text, size_t len, th_error *err)
{
	th_error local = TH_ERROR_INIT;
	th_arena scratch;
	th_yaml_opts o;
	th_yaml_node *root;
	rules__ld ld = { .r = r, .a = &r->arena, .scratch = &scratch, .err = &local, .tmp = TH_BUF_INIT };
	int rc;

	ld.file = shown;
	if (!(ld.kept = th_arena_strdup(&r->arena, kept)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	th_arena_init(&scratch, 16384);
	th_yaml_opts_init(&o, &r->limits, ld.file);
	o.allow_aliases = true; /* Thoth's corpus shares stack_info entries through anchors */
	rc = th_yaml_parse(&root, text, len, &o, &scratch, &local);
	if (!rc)
		rc = rules__file(&ld, root);
	th_arena_release(&scratch);
	th_buf_release(&ld.tmp);
	if (!rc)
		r->nfiles++;
	if (rc) {
		if (rc == TH_ERR_INVALID || rc == TH_ERR_LIMIT)
			rules__record(r, &local);
		if (err)
			*err = local;
	}
	return rc;
}

int th_rules_add_file(th_rules *r, const char *path, const char *text, size_t len, th_error *err)
{
	return rules__add(r, path, path, text, len, err);
}

/* ---- should_include ---- */

int th_rule_env_prepare(th_rule_env *env, th_arena *a, th_error *err)
{
	const char *v[6] = { env->python_version, env->cuda_version, env->cudnn_version,
			     env->mkl_version, env->openblas_version, env->openmpi_version };

	for (int i = 0; i < 6; i++)
		env->v_ok[i] = v[i] && !th_version_parse(&env->v[i], v[i], strlen(v[i]), a, NULL);
	env->prepared = true;
	return 0;
}

/* A legacy clause list matches only the exact text of one == clause (a
 * LegacyVersion compares as its text). */
static bool rules__legacy_contains(const char *spec, const char *version)
{
	size_t vlen = strlen(version);
	const char *p = spec;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n < 2 || p[0] != '=' || p[1] != '=')
			return false; /* ordering against a legacy version: never in a sane set */
		const char *s = p + 2;
		while (*s == ' ' || *s == '\t')
			s++;
		size_t sl = (size_t)(p + n - s);
		while (sl && (s[sl - 1] == ' ' || s[sl - 1] == '\t'))
			sl--;
		if (sl != vlen || strncasecmp(s, version, vlen))
			return false;
		if (!end)
			return true;
		p = end + 1;
	}
}

static bool rules__check_version(const th_rule_spec *s, const th_version *v, bool v_ok, const char *text)
{
	if (!text)
		return s->text == NULL; /* unknown in the environment: only "no check" passes */
	if (!s->text)
		return true;
	if (s->legacy)
		return rules__legacy_contains(s->text, text);
	return v_ok && s->set && th_specset_contains(s->set, v, -1);
}

bool th_rule_spec_contains(const th_rule_spec *s, const char *version, th_arena *scratch)
{
	th_version v;

	th_specset *set = s->set;

	if (!s->text)
		return true;
	if (!version)
		return false;
	if (s->legacy)
		return rules__legacy_contains(s->text, version);
	/* read from the compiled form: parsed when first needed */
	if (!set && th_specset_parse(&set, s->text, strlen(s->text), scratch, NULL))
		return false;
	if (th_version_parse(&v, version, strlen(version), scratch, NULL))
		return false;
	return th_specset_contains(set, &v, -1);
}

static bool rules__eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* `item in list`, `not` lists inverted; NULL item and NULL entries are None. */
static bool rules__in(const th_rule_list *l, const char *item)
{
	bool found = false;

	for (size_t i = 0; i < l->n && !found; i++)
		found = rules__eq(l->items[i], item);
	return l->negated ? !found : found;
}

/* Base images "name:tag" against entries "name", "name:tag" or "name:prefix*". */
static bool rules__base_image_in(const th_rule_list *l, const char *image)
{
	bool neg = l->negated;
	const char *colon;
	size_t nlen;
	bool name_listed = false;

	if (!image) {
		for (size_t i = 0; i < l->n; i++)
			if (!l->items[i])
				return !neg;
		return neg;
	}
	colon = strrchr(image, ':');
	nlen = colon ? (size_t)(colon - image) : strlen(image);
	for (size_t i = 0; i < l->n; i++) {
		const char *e = l->items[i], *ec;
		size_t elen;
		if (!e)
			continue;
		ec = strrchr(e, ':');
		elen = ec ? (size_t)(ec - e) : strlen(e);
		if (elen != nlen || strncmp(e, image, nlen))
			continue;
		name_listed = true;
		if (!colon)
			continue;
		/* an entry without a tag stands for any tag */
		const char *tag = colon + 1, *etag = ec ? ec + 1 : "*";
		size_t etl = strlen(etag);
		if (etl && etag[etl - 1] == '*') {
			if (!strncmp(tag, etag, etl - 1))
				return !neg;
		} else if (!strcmp(tag, etag)) {
			return !neg;
		}
	}
	if (!colon)
		return neg ? !name_listed : name_listed;
	return neg;
}

static bool rules__has_flag(const th_rule_env *env, const char *flag)
{
	for (size_t i = 0; i < env->ncpu_flags; i++)
		if (!strcmp(env->cpu_flags[i], flag))
			return true;
	return false;
}

/* Thoth compares each expected symbol with the first used symbol only. */
static bool rules__symbols(const th_rule_libuse *want, const th_rule_libuse *used)
{
	if (!used->nsymbols)
		return false;
	for (size_t i = 0; i < want->nsymbols; i++) {
		const char *e = want->symbols[i], *u = used->symbols[0];
		size_t el = strlen(e);
		if (el >= 2 && !strcmp(e + el - 2, ".*")) {
			if (strncmp(u, e, el - 2))
				return false;
		} else if (strcmp(u, e)) {
			return false;
		}
	}
	return true;
}

static bool rules__location_ok(const char *re_text, const char *location)
{
	regex_t re;
	regmatch_t m;
	bool ok;

	if (!re_text)
		return true;
	if (!location || regcomp(&re, re_text, REG_EXTENDED))
		return false;
	/* fullmatch: the match must cover the whole location */
	ok = !regexec(&re, location, 1, &m, 0) && m.rm_so == 0 && (size_t)m.rm_eo == strlen(location);
	regfree(&re);
	return ok;
}

static bool rules__python_packages(const th_rule_runtime *inc, const th_rule_env *env)
{
	th_arena scratch;
	bool result = true;

	th_arena_init(&scratch, 4096);
	for (size_t i = 0; i < inc->npython_packages; i++) {
		const th_rule_pypkg *want = &inc->python_packages[i];
		bool found = false;
		for (size_t j = 0; j < env->npython_packages && !found; j++) {
			const th_rule_pypkg_present *p = &env->python_packages[j];
			if (!p->name || !th_name_eq(p->name, strlen(p->name), want->name, strlen(want->name)))
				continue;
			if (want->version.text && !th_rule_spec_contains(&want->version, p->version, &scratch))
				continue;
			if (!rules__location_ok(want->location, p->location))
				continue;
			found = true;
		}
		if (inc->python_packages_not ? found : !found) {
			result = false;
			break;
		}
	}
	th_arena_release(&scratch);
	return result;
}

static bool rules__rpm_field(const char *want, const char *have)
{
	return !want || rules__eq(want, have);
}

static bool rules__rpm_matches(const th_rule_rpm *w, const th_rule_rpm_present *p)
{
	return rules__rpm_field(w->arch, p->arch) && rules__rpm_field(w->epoch, p->epoch) &&
	       rules__rpm_field(w->package_identifier, p->package_identifier) &&
	       rules__rpm_field(w->package_version, p->package_version) && rules__rpm_field(w->release, p->release) &&
	       (w->src < 0 || w->src == p->src);
}

static bool rules__rpm_packages(const th_rule_runtime *inc, const th_rule_env *env)
{
	for (size_t i = 0; i < inc->nrpm_packages; i++) {
		const th_rule_rpm *w = &inc->rpm_packages[i];
		const th_rule_rpm_present *p = NULL;
		for (size_t j = 0; j < env->nrpm_packages; j++)
			if (rules__eq(env->rpm_packages[j].package_name, w->package_name))
				p = &env->rpm_packages[j]; /* the last one wins, as a dict built from the list */
		if (!inc->rpm_packages_not) {
			if (!p || !rules__rpm_matches(w, p))
				return false;
		} else if (!p || !rules__rpm_matches(w, p)) {
			return true; /* one listed package absent or different: included */
		}
	}
	return !inc->rpm_packages_not;
}

#define NO(reason)                 \
	do {                       \
		if (why)           \
			*why = reason; \
		return false;      \
	} while (0)

bool th_rule_should_include(const th_rule_unit *u, const th_rule_env *env, const char **why)
{
	static const th_rule_runtime none; /* no runtime_environments: nothing to check */
	const th_rule_include *inc = &u->inc;
	const th_rule_runtime *rt = inc->rt ? inc->rt : &none;

	if (why)
		*why = NULL;
	if (inc->times == 0)
		NO("times");
	if (env->is_included && env->is_included(env->ud, u->type, u->name))
		NO("already included");
	if (env->adviser_pipeline) {
		if (!inc->adviser_pipeline)
			NO("adviser_pipeline");
		if (inc->recommendation_types.present && env->recommendation_type &&
		    !rules__in(&inc->recommendation_types, env->recommendation_type))
			NO("recommendation_types");
	} else {
		if (!inc->dependency_monkey_pipeline)
			NO("dependency_monkey_pipeline");
		if (inc->decision_types.present && env->decision_type && !rules__in(&inc->decision_types, env->decision_type))
			NO("decision_types");
	}
	if (inc->authenticated >= 0 && (bool)inc->authenticated != env->authenticated)
		NO("authenticated");
	if (inc->nlabels) {
		bool any = false;
		for (size_t i = 0; i < inc->nlabels && !any; i++)
			for (size_t j = 0; j < env->nlabels && !any; j++)
				any = !strcmp(env->labels[j].key, inc->labels[i].key) &&
				      rules__eq(env->labels[j].value, inc->labels[i].value);
		if (!any)
			NO("labels");
	}
	if (inc->nlibrary_usage) {
		if (!env->nlibrary_usage)
			NO("library_usage");
		for (size_t i = 0; i < inc->nlibrary_usage; i++) {
			const th_rule_libuse *used = NULL;
			for (size_t j = 0; j < env->nlibrary_usage; j++)
				if (!strcmp(env->library_usage[j].library, inc->library_usage[i].library))
					used = &env->library_usage[j];
			if (!used || !rules__symbols(&inc->library_usage[i], used))
				NO("library_usage");
		}
	}
	if (rt->noperating_systems) {
		bool ok = false;
		for (size_t i = 0; i < rt->noperating_systems && !ok; i++)
			ok = rules__eq(rt->operating_systems[i].name, env->os_name) &&
			     rules__eq(rt->operating_systems[i].version, env->os_version);
		if (!ok)
			NO("operating_systems");
	}
	for (size_t i = 0; i < rt->nhardware; i++) {
		const th_rule_hw *hw = &rt->hardware[i];
		if (hw->cpu_families.present && !rules__in(&hw->cpu_families, env->cpu_family))
			NO("hardware.cpu_families");
		if (hw->cpu_models.present && !rules__in(&hw->cpu_models, env->cpu_model))
			NO("hardware.cpu_models");
		if (hw->gpu_models.present && !rules__in(&hw->gpu_models, env->gpu_model))
			NO("hardware.gpu_models");
		if (hw->cpu_flags.present) {
			if (!env->cpu_family || !env->cpu_model)
				NO("hardware.cpu_flags");
			for (size_t j = 0; j < hw->cpu_flags.n; j++)
				if (rules__has_flag(env, hw->cpu_flags.items[j]) == hw->cpu_flags.negated)
					NO("hardware.cpu_flags");
		}
	}
	if (!rules__check_version(&rt->python_version, &env->v[0], env->v_ok[0], env->python_version))
		NO("python_version");
	if (!rules__check_version(&rt->cuda_version, &env->v[1], env->v_ok[1], env->cuda_version))
		NO("cuda_version");
	if (rt->platforms.present && !rules__in(&rt->platforms, env->platform))
		NO("platforms");
	if (!rules__check_version(&rt->openblas_version, &env->v[4], env->v_ok[4], env->openblas_version))
		NO("openblas_version");
	if (!rules__check_version(&rt->openmpi_version, &env->v[5], env->v_ok[5], env->openmpi_version))
		NO("openmpi_version");
	if (!rules__check_version(&rt->cudnn_version, &env->v[2], env->v_ok[2], env->cudnn_version))
		NO("cudnn_version");
	if (!rules__check_version(&rt->mkl_version, &env->v[3], env->v_ok[3], env->mkl_version))
		NO("mkl_version");
	if (rt->base_images.present && !rules__base_image_in(&rt->base_images, env->base_image))
		NO("base_images");
	if (rt->abi.present) {
		if (!env->base_image || !env->nabi_symbols)
			NO("abi");
		for (size_t i = 0; i < rt->abi.n; i++) {
			bool have = false;
			for (size_t j = 0; j < env->nabi_symbols && !have; j++)
				have = !strcmp(env->abi_symbols[j], rt->abi.items[i]);
			if (rt->abi.negated ? have : !have)
				NO("abi");
		}
		goto dependencies; /* Thoth returns here: rpm and Python packages go unchecked */
	}
	if (rt->nrpm_packages) {
		if (!env->base_image || !env->has_image_analysis || !env->nrpm_packages || !rules__rpm_packages(rt, env))
			NO("rpm_packages");
	}
	if (rt->npython_packages) {
		if (!env->base_image || !env->has_image_analysis || !env->npython_packages ||
		    !rules__python_packages(rt, env))
			NO("python_packages");
	}
dependencies:
	for (int t = 0; t < TH_RULE_NDEPS; t++) {
		static const th_rule_type dep_type[TH_RULE_NDEPS] = { TH_RULE_BOOT, TH_RULE_PSEUDONYM, TH_RULE_SIEVE,
								      TH_RULE_STEP, TH_RULE_STRIDE, TH_RULE_WRAP };
		const th_rule_list *d;
		if (!inc->dependencies)
			break;
		d = &inc->dependencies[t];
		for (size_t i = 0; i < d->n; i++)
			if (!env->is_included || !env->is_included(env->ud, dep_type[t], d->items[i]))
				NO("dependencies");
	}
	return true;
}

bool th_rule_pkg_matches(const th_rule_pkg *p, const char *name, const char *version, const char *index_url,
			 int develop, th_arena *scratch)
{
	if (p->name && (!name || !th_name_eq(p->name, strlen(p->name), name, strlen(name))))
		return false;
	if (p->develop >= 0 && develop != p->develop)
		return false;
	if (p->index_url && (p->index_url_not ? rules__eq(p->index_url, index_url) : !rules__eq(p->index_url, index_url)))
		return false;
	return th_rule_spec_contains(&p->version, version, scratch);
}

/* ---- sources: directories and archives ---- */

typedef struct rules__src {
	th_rules *r;
	const char *root;
	th_buf name;       /* "<root>/<rel>" */
	th_sha256 *hash;   /* when hashing instead of loading */
	int first_rc;      /* first invalid file */
	th_error first;
} rules__src;

typedef int (*rules__file_fn)(rules__src *s, const char *rel, const char *data, size_t len, th_error *err);

static int rules__src_file(rules__src *s, const char *rel, const char *data, size_t len, th_error *err)
{
	th_error e = TH_ERROR_INIT;
	int rc;

	if (s->hash) {
		uint64_t n = len;
		th_sha256_update(s->hash, rel, strlen(rel) + 1);
		th_sha256_update(s->hash, &n, sizeof(n));
		th_sha256_update(s->hash, data, len);
		return 0;
	}
	th_buf_clear(&s->name);
	if (s->root && ((rc = th_buf_puts(&s->name, s->root, err)) ||
			(s->name.len && s->name.ptr[s->name.len - 1] != '/' && (rc = th_buf_putc(&s->name, '/', err)))))
		return rc;
	if ((rc = th_buf_puts(&s->name, rel, err)))
		return rc;
	rc = rules__add(s->r, s->name.ptr, rel, data, len, &e);
	if (rc == TH_ERR_INVALID || rc == TH_ERR_LIMIT) {
		/* recorded in r->errors; keep going so every problem is reported */
		if (!s->first_rc) {
			s->first_rc = rc;
			s->first = e;
		}
		return 0;
	}
	if (rc && err)
		*err = e;
	return rc;
}

static bool rules__want(void *ud, const char *path)
{
	(void)ud;
	return th_rules_is_rule_file(path);
}

static int rules__archive_cb(void *ud, const char *path, const void *data, size_t len, th_error *err)
{
	return rules__src_file(ud, path, data, len, err);
}

static int rules__cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists rule files under dir (relative paths, malloced) recursively. */
static int rules__list_dir(const char *root, const char *rel, char ***paths, size_t *n, size_t *cap,
			   const th_limits *lim, th_error *err)
{
	th_buf full = TH_BUF_INIT;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if ((rc = th_buf_printf(&full, err, "%s%s%s", root, *rel ? "/" : "", rel)))
		return rc;
	if (!(d = opendir(full.ptr))) {
		rc = th_error_set(err, TH_ERR_IO, "%s: %s", full.ptr, strerror(errno));
		th_buf_release(&full);
		return rc;
	}
	while (!rc && (de = readdir(d))) {
		struct stat st;
		th_buf sub = TH_BUF_INIT;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((rc = th_buf_printf(&sub, err, "%s%s%s", rel, *rel ? "/" : "", de->d_name)))
			break;
		if (sub.len > lim->path_bytes) {
			rc = th_error_set(err, TH_ERR_LIMIT, "%s/%s: path longer than path_bytes", root, sub.ptr);
		} else {
			th_buf p = TH_BUF_INIT;
			if (!(rc = th_buf_printf(&p, err, "%s/%s", root, sub.ptr)) && lstat(p.ptr, &st))
				rc = th_error_set(err, TH_ERR_IO, "%s: %s", p.ptr, strerror(errno));
			th_buf_release(&p);
		}
		if (!rc && S_ISDIR(st.st_mode)) {
			rc = rules__list_dir(root, sub.ptr, paths, n, cap, lim, err);
		} else if (!rc && S_ISREG(st.st_mode) && th_rules_is_rule_file(sub.ptr)) {
			if (*n >= lim->entries) {
				rc = th_error_set(err, TH_ERR_LIMIT, "%s: more than %llu files (limit entries)", root,
						  (unsigned long long)lim->entries);
			} else if (*n == *cap) {
				size_t c = *cap ? *cap * 2 : 1024;
				char **np = realloc(*paths, c * sizeof(*np));
				if (!np)
					rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
				else
					*paths = np, *cap = c;
			}
			if (!rc)
				(*paths)[(*n)++] = th_buf_detach(&sub, NULL);
		}
		th_buf_release(&sub);
	}
	closedir(d);
	th_buf_release(&full);
	return rc;
}

static int rules__read(const char *path, uint64_t max, th_buf *out, th_error *err)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t got;
	int rc = 0;

	th_buf_clear(out);
	if (!f)
		return th_error_set(err, TH_ERR_IO, "%s: %s", path, strerror(errno));
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + got > max) {
			rc = th_error_set(err, TH_ERR_LIMIT, "%s: larger than %llu bytes (limit yaml_bytes)", path,
					  (unsigned long long)max);
			break;
		}
		if ((rc = th_buf_put(out, chunk, got, err)))
			break;
	}
	if (!rc && ferror(f))
		rc = th_error_set(err, TH_ERR_IO, "%s: read error", path);
	fclose(f);
	return rc;
}

static int rules__walk(rules__src *s, const char *path, const th_limits *lim, th_error *err)
{
	struct stat st;
	int rc = 0;

	if (stat(path, &st))
		return th_error_set(err, TH_ERR_IO, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		char **paths = NULL;
		size_t n = 0, cap = 0;
		th_buf full = TH_BUF_INIT, data = TH_BUF_INIT;
		rc = rules__list_dir(path, "", &paths, &n, &cap, lim, err);
		if (!rc)
			qsort(paths, n, sizeof(*paths), rules__cmp);
		for (size_t i = 0; !rc && i < n; i++) {
			th_buf_clear(&full);
			if (!(rc = th_buf_printf(&full, err, "%s/%s", path, paths[i])) &&
			    !(rc = rules__read(full.ptr, lim->yaml_bytes, &data, err)))
				rc = rules__src_file(s, paths[i], data.ptr, data.len, err);
		}
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
		th_buf_release(&full);
		th_buf_release(&data);
		return rc;
	}
	if (!S_ISREG(st.st_mode))
		return th_error_set(err, TH_ERR_INVALID, "%s: neither a directory nor an archive", path);
	if (th_rules_is_rule_file(path)) {
		/* one rule file: named by its own path */
		th_buf data = TH_BUF_INIT;
		const char *root = s->root;
		if (!(rc = rules__read(path, lim->yaml_bytes, &data, err))) {
			s->root = NULL;
			rc = rules__src_file(s, path, data.ptr, data.len, err);
			s->root = root;
		}
		th_buf_release(&data);
		return rc;
	}
	{
		th_archive_opts o;
		th_archive_opts_init(&o, lim, path);
		o.max_entry_bytes = lim->yaml_bytes;
		o.want = rules__want;
		return th_archive_each(path, &o, rules__archive_cb, s, err);
	}
}

int th_rules_load_path(th_rules *r, const char *path, th_error *err)
{
	rules__src s = { .r = r, .root = path, .name = TH_BUF_INIT, .first = TH_ERROR_INIT };
	int rc;

	rc = rules__walk(&s, path, &r->limits, err);
	th_buf_release(&s.name);
	if (!rc && s.first_rc) {
		if (err)
			*err = s.first;
		rc = s.first_rc;
	}
	return rc;
}

int th_rules_source_hash(char hex[65], const char *path, const th_limits *lim, th_error *err)
{
	th_sha256 h;
	struct stat st;
	th_limits d;
	rules__src s = { .root = path, .name = TH_BUF_INIT, .hash = &h };
	int rc;

	if (!lim) {
		th_limits_init(&d);
		lim = &d;
	}
	if (stat(path, &st))
		return th_error_set(err, TH_ERR_IO, "%s: %s", path, strerror(errno));
	if ((rc = th_sha256_init(&h, err)))
		return rc;
	if (S_ISDIR(st.st_mode)) {
		rc = rules__walk(&s, path, lim, err);
	} else {
		/* an archive is keyed by its own bytes: no need to decompress it */
		th_buf data = TH_BUF_INIT;
		if (!(rc = rules__read(path, lim->blob_bytes, &data, err)))
			th_sha256_update(&h, data.ptr, data.len);
		th_buf_release(&data);
	}
	if (rc) {
		th_sha256_release(&h);
		return rc;
	}
	th_sha256_final(&h, hex);
	return 0;
}

/* ---- runtime environments from .thoth.yaml ---- */

/* Any non-null scalar as text (a YAML 3.8 is the string "3.8" here). */
static const char *rules__scalar(const th_yaml_node *n)
{
	if (!n || n->kind != TH_YAML_SCALAR || n->type == TH_YAML_NULL)
		return NULL;
	return n->u.str.ptr;
}

int th_rule_env_from_thoth_yaml(th_rule_env *env, const char *text, size_t len, const char *name,
				const char *what, th_arena *a, th_error *err)
{
	th_yaml_opts o;
	th_yaml_node *root, *res, *re = NULL, *v;
	int rc;

	th_yaml_opts_init(&o, NULL, what);
	if ((rc = th_yaml_parse(&root, text, len, &o, a, err)))
		return rc;
	res = th_yaml_get(root, "runtime_environments");
	if (th_yaml_typeof(res) != TH_YAML_SEQUENCE || !res->u.seq.n)
		return th_error_set(err, TH_ERR_INVALID, "%s: no runtime_environments list", what);
	for (size_t i = 0; i < res->u.seq.n && !re; i++) {
		const char *n = rules__scalar(th_yaml_get(res->u.seq.items[i], "name"));
		if (!name || (n && !strcmp(n, name)))
			re = res->u.seq.items[i];
	}
	if (!re)
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: no runtime environment named '%s'", what, name);
	if (th_yaml_typeof(re) != TH_YAML_MAPPING)
		return th_error_set(err, TH_ERR_INVALID, "%s:%u:%u: a runtime environment must be a mapping", what,
				    re->line, re->col);
	v = th_yaml_get(re, "operating_system");
	env->os_name = rules__scalar(th_yaml_get(v, "name"));
	env->os_version = rules__scalar(th_yaml_get(v, "version"));
	v = th_yaml_get(re, "hardware");
	env->cpu_family = rules__scalar(th_yaml_get(v, "cpu_family"));
	env->cpu_model = rules__scalar(th_yaml_get(v, "cpu_model"));
	env->gpu_model = rules__scalar(th_yaml_get(v, "gpu_model"));
	env->python_version = rules__scalar(th_yaml_get(re, "python_version"));
	env->cuda_version = rules__scalar(th_yaml_get(re, "cuda_version"));
	env->cudnn_version = rules__scalar(th_yaml_get(re, "cudnn_version"));
	env->mkl_version = rules__scalar(th_yaml_get(re, "mkl_version"));
	env->openblas_version = rules__scalar(th_yaml_get(re, "openblas_version"));
	env->openmpi_version = rules__scalar(th_yaml_get(re, "openmpi_version"));
	env->platform = rules__scalar(th_yaml_get(re, "platform"));
	env->base_image = rules__scalar(th_yaml_get(re, "base_image"));
	if ((v = th_yaml_get(re, "recommendation_type")) && rules__scalar(v)) {
		char *t = th_arena_strdup(a, rules__scalar(v));
		if (!t)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		for (char *p = t; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		env->recommendation_type = t;
	}
	return th_rule_env_prepare(env, a, err);
}
