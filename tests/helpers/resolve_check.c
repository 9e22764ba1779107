/*
 * resolve_check — a validity checker that shares no code with the solver:
 * given an index JSON, a result {name: version} and the requirements,
 *
 *   resolve_check INDEX.json RESULT.json REQ... [--python X.Y[.Z]]
 *                 [--stand-in ORIGINAL=ALTERNATIVE@V1,V2...]...
 *
 * it checks that every pinned version exists, is not yanked and allows the
 * target Python, and that every applicable requirement (the roots whose
 * markers hold, then every dependency of a pin whose marker holds with extra
 * "" or with an extra some applicable requirement asks of that pin) names a
 * pinned project whose pinned version it accepts. With --stand-in (a
 * pseudonym's alternative standing in for a project, as the search states
 * it), a requirement on ORIGINAL is met by the pin of ALTERNATIVE when it
 * accepts one of the versions V1, V2... the alternative stands in for, and
 * ORIGINAL must not be pinned itself (ALTERNATIVE may be ORIGINAL: another
 * version of it, accepted for V1, V2... as well as for its own). Exit 0 valid, 1 invalid (each problem
 * on stdout), 2 bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/limits.h"
#include "core/name.h"
#include "core/requirement.h"
#include "resolver/env.h"
#include "resolver/jsonindex.h"

#define MAXP 4096
#define MAXX 16

typedef struct pinrec {
	char name[256];
	const char *version;
	th_project *proj;
	th_cand *cand;
	int needed;
	const char *extras[MAXX];
	size_t nextras;
	size_t done_extras; /* extras whose dependencies were checked; 0 = none yet, base pending */
	int base_done;
} pinrec;

typedef struct standin {
	char original[256];
	const char *alt;
	th_version origins[MAXX];
	size_t norigins;
} standin;

typedef struct ctx {
	pinrec pins[MAXP];
	size_t npins;
	int bad;
	standin stand[MAXX];
	size_t nstand;
} ctx;

/* The canonical form of name into canon (256 bytes); false when too long. */
static bool canon_of(char *canon, const char *name)
{
	size_t n = strlen(name);
	if (n + n / 2 >= 256) /* th_name_canon may write 1.5 times n */
		return false;
	canon[th_name_canon(canon, name, n)] = '\0';
	return true;
}

static const standin *find_standin(const ctx *c, const char *name)
{
	char canon[256];
	if (!canon_of(canon, name))
		return NULL;
	for (size_t i = 0; i < c->nstand; i++)
		if (!strcmp(c->stand[i].original, canon))
			return &c->stand[i];
	return NULL;
}

static pinrec *find_pin(ctx *c, const char *name)
{
	char canon[256];
	if (!canon_of(canon, name))
		return NULL;
	for (size_t i = 0; i < c->npins; i++)
		if (!strcmp(c->pins[i].name, canon))
			return &c->pins[i];
	return NULL;
}

static void apply(ctx *c, const th_req *r, const char *who, int *changed)
{
	const standin *si = find_standin(c, r->name);
	if (si) {
		pinrec *a = find_pin(c, si->alt);
		/* another version of the same project: its own version counts too */
		bool ok = a && !strcmp(a->name, si->original) && a->cand &&
			  th_specset_contains(r->spec, &a->cand->version, 1);
		for (size_t i = 0; i < si->norigins && !ok; i++)
			ok = th_specset_contains(r->spec, &si->origins[i], 1);
		if (!a || !ok) {
			printf("%s requires %s, which %s does not stand in for\n", who, r->name, si->alt);
			c->bad = 1;
			return;
		}
		if (!a->needed) {
			a->needed = 1;
			*changed = 1;
		}
		return;
	}
	pinrec *p = find_pin(c, r->name);
	if (!p) {
		printf("%s requires %s, which is not pinned\n", who, r->name);
		c->bad = 1;
		return;
	}
	if (!p->needed) {
		p->needed = 1;
		*changed = 1;
	}
	if (p->cand && !th_specset_contains(r->spec, &p->cand->version, 1)) {
		th_buf b;
		th_buf_init(&b, 0);
		th_req_format(r, &b, NULL);
		printf("%s requires %s, but %s %s is pinned\n", who, b.ptr, p->name, p->version);
		th_buf_release(&b);
		c->bad = 1;
	}
	for (size_t i = 0; i < r->nextras; i++) {
		size_t j = 0;
		while (j < p->nextras && strcmp(p->extras[j], r->extras[i]))
			j++;
		if (j == p->nextras && p->nextras < MAXX) {
			p->extras[p->nextras++] = r->extras[i];
			*changed = 1;
		}
	}
}

int main(int argc, char **argv)
{
	const char *index = NULL, *result = NULL, *python = "3.11.7";
	const char *reqs[256], *stands[MAXX];
	size_t nreqs = 0, nstands = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--python") && i + 1 < argc)
			python = argv[++i];
		else if (!strcmp(argv[i], "--stand-in") && i + 1 < argc && nstands < MAXX)
			stands[nstands++] = argv[++i];
		else if (!index)
			index = argv[i];
		else if (!result)
			result = argv[i];
		else if (nreqs < 256)
			reqs[nreqs++] = argv[i];
	}
	if (!index || !result) {
		fprintf(stderr, "usage: resolve_check INDEX.json RESULT.json REQ... [--python X.Y.Z]\n");
		return 2;
	}
	th_error err = { 0 };
	th_limits lim;
	th_limits_init(&lim);
	th_env env;
	th_provider_mem *mem = NULL;
	th_arena arena;
	th_arena_init(&arena, 0);
	th_json *root = NULL;
	th_buf b;
	th_buf_init(&b, 0);
	int status = 2;
	ctx *c = calloc(1, sizeof *c);
	if (!c)
		return 2;
	if (th_env_init_linux_cpython(&env, python, NULL, &err) < 0 || th_provider_mem_new(&mem, &err) < 0 ||
	    th_jsonindex_load_file(mem, index, &lim, &err) < 0)
		goto done;
	th_provider prov = th_provider_mem_provider(mem);
	FILE *f = fopen(result, "rb");
	if (!f)
		goto done;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		th_buf_put(&b, chunk, got, NULL);
	fclose(f);
	if (th_json_parse(&root, b.ptr, b.len, 64, result, &err) < 0)
		goto done;
	const char *k;
	th_json *v;
	for (size_t i = 0; th_json_member(root, i, &k, &v) && c->npins < MAXP; i++) {
		pinrec *p = &c->pins[c->npins++];
		size_t n = strlen(k);
		if (n >= sizeof p->name)
			goto done;
		p->name[th_name_canon(p->name, k, n)] = '\0';
		p->version = th_json_str(v, NULL);
		if (!p->version)
			goto done;
		prov.ops->project(prov.self, p->name, &p->proj, NULL);
		th_version pv;
		if (!p->proj || th_version_parse(&pv, p->version, strlen(p->version), &arena, NULL) < 0) {
			printf("%s %s is not in the index\n", p->name, p->version);
			c->bad = 1;
			continue;
		}
		for (size_t j = 0; j < p->proj->ncands && !p->cand; j++)
			if (th_version_cmp(&p->proj->cands[j].version, &pv) == 0)
				p->cand = &p->proj->cands[j];
		if (!p->cand) {
			printf("%s %s is not in the index\n", p->name, p->version);
			c->bad = 1;
		} else if (p->cand->yanked) {
			printf("%s %s is yanked\n", p->name, p->version);
			c->bad = 1;
		} else if (p->cand->rp && !th_specset_contains(p->cand->rp, &env.pyver, 1)) {
			printf("%s %s requires Python %s\n", p->name, p->version, p->cand->requires_python);
			c->bad = 1;
		}
	}
	for (size_t i = 0; i < nstands; i++) { /* ORIGINAL=ALTERNATIVE@V1,V2 */
		standin *si = &c->stand[c->nstand++];
		const char *eq = strchr(stands[i], '='), *at = eq ? strchr(eq, '@') : NULL;
		if (!eq || !at || (size_t)(eq - stands[i]) >= sizeof si->original)
			goto done;
		si->original[th_name_canon(si->original, stands[i], (size_t)(eq - stands[i]))] = '\0';
		si->alt = th_arena_strndup(&arena, eq + 1, (size_t)(at - eq - 1));
		for (const char *vs = at + 1; *vs && si->norigins < MAXX;) {
			size_t n = strcspn(vs, ",");
			if (th_version_parse(&si->origins[si->norigins++], vs, n, &arena, &err) < 0)
				goto done;
			vs += n + (vs[n] == ',');
		}
		if (strcmp(si->original, si->alt) && find_pin(c, si->original)) {
			printf("%s is pinned although %s stands in for it\n", si->original, si->alt);
			c->bad = 1;
		}
	}
	int changed = 0;
	for (size_t i = 0; i < nreqs; i++) {
		th_req r;
		if (th_req_parse(&r, reqs[i], strlen(reqs[i]), &arena, &err) < 0)
			goto done;
		if (th_env_marker_holds(&env, r.marker, ""))
			apply(c, &r, "the request", &changed);
	}
	for (int round = 0; changed && round < 100000; round++) {
		changed = 0;
		for (size_t i = 0; i < c->npins; i++) {
			pinrec *p = &c->pins[i];
			if (!p->needed || !p->cand)
				continue;
			const th_req *deps;
			size_t nd;
			if (th_provider_deps(&prov, p->proj, p->cand, &deps, &nd, &err) < 0)
				goto done;
			char who[600];
			snprintf(who, sizeof who, "%s %s", p->name, p->version);
			if (!p->base_done) {
				p->base_done = 1;
				changed = 1;
				for (size_t j = 0; j < nd; j++)
					if (th_env_marker_holds(&env, deps[j].marker, ""))
						apply(c, &deps[j], who, &changed);
			}
			for (; p->done_extras < p->nextras; p->done_extras++) {
				changed = 1;
				for (size_t j = 0; j < nd; j++)
					if (th_env_marker_holds(&env, deps[j].marker, p->extras[p->done_extras]))
						apply(c, &deps[j], who, &changed);
			}
		}
	}
	status = c->bad ? 1 : 0;
done:
	if (status == 2)
		fprintf(stderr, "resolve_check: %s\n", err.code ? err.msg : "bad input");
	th_json_free(root);
	th_buf_release(&b);
	th_provider_mem_free(mem);
	th_arena_release(&arena);
	th_env_release(&env);
	free(c);
	return status;
}
