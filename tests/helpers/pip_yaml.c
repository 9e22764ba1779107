/* pip_yaml FILE... — runs pip's former YAML resolver cases (base.available
 * + cases[].request/response) through thoth's solver, converting the YAML at
 * run time:
 *   - "NAME VER; depends REQ, REQ" or {name, version, depends: [...],
 *     extras: {x: [...]}} become provider versions (extra deps get
 *     `; extra == "x"`); versions that are not PEP 440 are skipped, as pip
 *     skips them;
 *   - each request step is an install (what is installed so far stays
 *     installed, its installed version offered first, as pip keeps it unless
 *     the new request needs another) or an uninstall (names removed); after
 *     each step the installed set must equal response[i].state, or, when the
 *     response names an error or an install leaves state null, the step must
 *     have no solution;
 *   - dependencies on setuptools are dropped: pip's harness venv has it;
 *   - a case with its own `available` uses that index;
 *   - options --no-deps: the newest matching version of each name, alone.
 * Prints one line per failing case and "N passed, M failed"; exit 1 when
 * any failed, 2 on unusable input. Every solution is also checked for
 * validity here (each applicable dependency of each pin is satisfied). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/name.h"
#include "core/specifier.h"
#include "core/yaml.h"
#include "resolver/env.h"
#include "resolver/solver.h"
#include "stack_valid.h"

#define MAXSTATE 1024

typedef struct state {
	char *name[MAXSTATE];
	char *version[MAXSTATE];
	size_t n;
} state;

static void state_clear(state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->version[i]);
	}
	s->n = 0;
}

static char *canon(const char *s, size_t n)
{
	char *c = malloc(n + 1);
	if (c)
		c[th_name_canon(c, s, n)] = '\0';
	return c;
}

/* "B == 1.0.0, C >= 1, < 2" -> requirements: a piece starting with an
 * operator continues the previous one. */
static size_t split_depends(const char *s, char **out, size_t max, th_arena *a)
{
	size_t n = 0;
	const char *p = s;
	while (*p && n < max) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *q = p;
		while (q < p + len && *q == ' ')
			q++;
		if (n && q < p + len && strchr("<>=!~", *q)) {
			size_t old = strlen(out[n - 1]);
			char *m = th_arena_alloc(a, old + len + 2);
			memcpy(m, out[n - 1], old);
			m[old] = ',';
			memcpy(m + old + 1, p, len);
			m[old + 1 + len] = '\0';
			out[n - 1] = m;
		} else {
			out[n++] = th_arena_strndup(a, q, len - (size_t)(q - p));
		}
		p = e ? e + 1 : p + len;
	}
	return n;
}

/* pip's harness runs in a virtualenv that already has setuptools (a real
 * one, without the conda-era dependency on certifi), so pip never installs
 * it and its state never lists it: dependencies on it are dropped. */
static bool preinstalled(const char *req)
{
	return !strncmp(req, "setuptools", 10) && !(req[10] == '-' || req[10] == '_' || req[10] == '.' ||
						    (req[10] >= 'a' && req[10] <= 'z'));
}

static int add_version(th_provider_mem *m, const char *name, const char *version, char **deps, size_t ndeps)
{
	th_arena *a = th_provider_mem_arena(m);
	const char **d = th_arena_alloc(a, (ndeps ? ndeps : 1) * sizeof *d);
	size_t k = 0;
	for (size_t i = 0; i < ndeps; i++)
		if (!preinstalled(deps[i]))
			d[k++] = th_arena_strdup(a, deps[i]);
	ndeps = k;
	bool added;
	return th_provider_mem_add(m, name, strlen(name), version, strlen(version), NULL, false, d, ndeps, &added, NULL);
}

static int load_available(th_provider_mem *m, const th_yaml_node *avail)
{
	th_arena *a = th_provider_mem_arena(m);
	char *deps[256];
	for (size_t i = 0; avail && i < avail->u.seq.n; i++) {
		const th_yaml_node *it = avail->u.seq.items[i];
		size_t nd = 0;
		if (it->kind == TH_YAML_SCALAR) {
			char *s = th_arena_strdup(a, it->u.str.ptr);
			char *semi = strchr(s, ';');
			if (semi) {
				*semi = '\0';
				const char *dep = strstr(semi + 1, "depends");
				if (dep)
					nd = split_depends(dep + 7, deps, 256, a);
			}
			char *sp = strchr(s, ' ');
			if (!sp)
				return -1;
			*sp = '\0';
			if (add_version(m, s, sp + 1, deps, nd) < 0)
				return -1;
			continue;
		}
		size_t l;
		const char *name = th_yaml_text(th_yaml_get(it, "name"), &l);
		const char *ver = th_yaml_text(th_yaml_get(it, "version"), &l);
		const th_yaml_node *dl = th_yaml_get(it, "depends"), *ex = th_yaml_get(it, "extras");
		for (size_t k = 0; dl && dl->kind == TH_YAML_SEQ && k < dl->u.seq.n && nd < 256; k++)
			deps[nd++] = (char *)th_yaml_text(dl->u.seq.items[k], &l);
		for (size_t k = 0; ex && ex->kind == TH_YAML_MAP && k < ex->u.map.n; k++) {
			const th_yaml_node *xl = ex->u.map.pairs[k].value;
			const char *xn = th_yaml_text(ex->u.map.pairs[k].key, &l);
			for (size_t j = 0; xl && xl->kind == TH_YAML_SEQ && j < xl->u.seq.n && nd < 256; j++) {
				const char *r = th_yaml_text(xl->u.seq.items[j], &l);
				size_t cap = strlen(r) + strlen(xn) + 32;
				char *t = th_arena_alloc(a, cap);
				snprintf(t, cap, "%s; extra == \"%s\"", r, xn);
				deps[nd++] = t;
			}
		}
		if (!name || !ver || add_version(m, name, ver, deps, nd) < 0)
			return -1;
	}
	th_provider_mem_finish(m);
	return 0;
}

/* The items of an install/uninstall value (a string or a list). */
static size_t items(const th_yaml_node *v, const char **out, size_t max)
{
	size_t n = 0, l;
	if (!v)
		return 0;
	if (v->kind == TH_YAML_SCALAR) {
		out[n++] = th_yaml_text(v, &l);
		return n;
	}
	for (size_t i = 0; v->kind == TH_YAML_SEQ && i < v->u.seq.n && n < max; i++)
		out[n++] = th_yaml_text(v->u.seq.items[i], &l);
	return n;
}

/* pip keeps what is installed unless a new request needs another version:
 * the installed version is offered first (then the others, newest first). */
typedef struct pref {
	th_provider inner;
	const state *st;
	th_project copies[64];
	char names[64][128];
	size_t n;
} pref;

static int pref_project(void *self, const char *name, th_project **out, th_error *err)
{
	pref *p = self;
	int rc = p->inner.ops->project(p->inner.self, name, out, err);
	if (rc < 0 || !*out)
		return rc;
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->names[i], name)) {
			*out = &p->copies[i];
			return 0;
		}
	for (size_t j = 0; j < p->st->n && p->n < 64; j++) {
		if (strcmp(p->st->name[j], name) != 0)
			continue;
		th_project *src = *out, *c = &p->copies[p->n];
		*c = *src;
		c->cands = malloc(src->ncands * sizeof *c->cands);
		if (!c->cands)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		size_t k = 0;
		for (size_t i = 0; i < src->ncands; i++)
			if (!strcmp(src->cands[i].version_text, p->st->version[j]))
				c->cands[k++] = src->cands[i];
		for (size_t i = 0; i < src->ncands; i++)
			if (strcmp(src->cands[i].version_text, p->st->version[j]) != 0)
				c->cands[k++] = src->cands[i];
		c->ncands = k;
		snprintf(p->names[p->n++], 128, "%s", name);
		*out = c;
		break;
	}
	return 0;
}

static const th_provider_ops pref_ops = { pref_project, NULL };

static void pref_free(pref *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->copies[i].cands);
	p->n = 0;
}

typedef struct counts {
	int pass, fail;
} counts;

static void run_case(const char *file, size_t ci, const th_yaml_node *cs, th_provider_mem *m, th_env *env, counts *c)
{
	const th_yaml_node *req = th_yaml_get(cs, "request"), *resp = th_yaml_get(cs, "response");
	th_provider p = th_provider_mem_provider(m);
	th_solver_opts so = { TH_SOLVER_PRE_PIP, 200000, 1 << 28 };
	state st = { { 0 }, { 0 }, 0 };
	char why[1024] = "";
	int ok = 1;
	th_arena a;
	th_arena_init(&a, 0);
	for (size_t s = 0; ok && req && s < req->u.seq.n; s++) {
		const th_yaml_node *step = req->u.seq.items[s];
		const th_yaml_node *rs = resp && s < resp->u.seq.n ? resp->u.seq.items[s] : NULL;
		const char *names[128];
		size_t l, n;
		/* an error, or "state: null" after an install, means pip installs nothing */
		bool expect_error = th_yaml_get(rs, "error") != NULL ||
				    (th_yaml_get(step, "install") && th_yaml_typeof(th_yaml_get(rs, "state")) == TH_YAML_NULL);
		if ((n = items(th_yaml_get(step, "uninstall"), names, 128)) > 0) {
			for (size_t i = 0; i < n; i++) {
				char *cn = canon(names[i], strlen(names[i]));
				for (size_t j = 0; j < st.n; j++)
					if (!strcmp(st.name[j], cn)) {
						free(st.name[j]);
						free(st.version[j]);
						st.name[j] = st.name[st.n - 1];
						st.version[j] = st.version[st.n - 1];
						st.n--;
						break;
					}
				free(cn);
			}
		} else {
			n = items(th_yaml_get(step, "install"), names, 128);
			const char *opt = th_yaml_text(th_yaml_get(step, "options"), &l);
			bool nodeps = opt && strstr(opt, "--no-deps");
			th_req roots[256];
			size_t nr = 0;
			for (size_t i = 0; i < n && ok; i++)
				if (th_req_parse(&roots[nr++], names[i], strlen(names[i]), &a, NULL) < 0)
					ok = 0, snprintf(why, sizeof why, "bad request %s", names[i]);
			/* what is installed stays installed (any version; the installed one preferred) */
			for (size_t j = 0; j < st.n && nr < 256; j++)
				th_req_parse(&roots[nr++], st.name[j], strlen(st.name[j]), &a, NULL);
			pref pf;
			memset(&pf, 0, sizeof pf);
			pf.inner = p;
			pf.st = &st;
			th_provider pp = { &pref_ops, &pf, p.arena };
			th_solution sol;
			th_solution_init(&sol);
			th_error err = TH_ERROR_INIT;
			if (ok && nodeps) {
				/* the newest version each request accepts, without dependencies */
				for (size_t i = 0; i < n; i++) {
					char *cn = canon(roots[i].name, strlen(roots[i].name));
					th_project *pr = NULL;
					p.ops->project(p.self, cn, &pr, NULL);
					const th_cand *best = NULL;
					for (size_t k = 0; pr && k < pr->ncands && !best; k++)
						if (th_specset_contains(roots[i].spec, &pr->cands[k].version, -1))
							best = &pr->cands[k];
					if (best && st.n < MAXSTATE) {
						st.name[st.n] = cn;
						st.version[st.n++] = strdup(best->version_text);
					} else {
						free(cn);
					}
				}
			} else if (ok) {
				int rc = th_solver_resolve(&sol, &pp, env, roots, nr, &so, &err);
				if (rc < 0) {
					ok = 0;
					snprintf(why, sizeof why, "error: %.900s", err.msg);
				} else if (!sol.ok) {
					if (!expect_error) {
						ok = 0;
						snprintf(why, sizeof why, "step %zu: no solution: %.300s", s, sol.why.ptr);
					}
				} else if (expect_error) {
					ok = 0;
					snprintf(why, sizeof why, "step %zu: a solution where pip fails", s);
				} else if (!stack_valid(&pp, env, &sol, 0, why, sizeof why)) {
					ok = 0;
				} else {
					state_clear(&st);
					for (size_t i = 0; i < sol.npins && i < MAXSTATE; i++) {
						st.name[st.n] = strdup(sol.pins[i].name);
						st.version[st.n++] = strdup(sol.pins[i].version);
					}
				}
			}
			th_solution_release(&sol);
			pref_free(&pf);
			if (expect_error)
				continue;
		}
		/* compare with the expected state */
		const th_yaml_node *want = th_yaml_get(rs, "state");
		size_t nw = want && want->kind == TH_YAML_SEQ ? want->u.seq.n : 0;
		if (ok && nw != st.n) {
			ok = 0;
			int w = snprintf(why, sizeof why, "step %zu: %zu packages, expected %zu:", s, st.n, nw);
			for (size_t j = 0; j < st.n && w > 0 && (size_t)w < sizeof why; j++)
				w += snprintf(why + w, sizeof why - (size_t)w, " %s==%s", st.name[j], st.version[j]);
		}
		for (size_t i = 0; ok && i < nw; i++) {
			const char *w = th_yaml_text(want->u.seq.items[i], &l);
			const char *sp = strchr(w, ' ');
			char *cn = canon(w, sp ? (size_t)(sp - w) : strlen(w));
			bool found = false;
			th_version wv;
			if (sp && th_version_parse(&wv, sp + 1, strlen(sp + 1), &a, NULL) == 0)
				for (size_t j = 0; j < st.n && !found; j++) {
					th_version hv;
					found = !strcmp(st.name[j], cn) &&
						th_version_parse(&hv, st.version[j], strlen(st.version[j]), &a, NULL) == 0 &&
						th_version_cmp(&wv, &hv) == 0;
				}
			if (!found) {
				ok = 0;
				snprintf(why, sizeof why, "step %zu: expected %s", s, w);
			}
			free(cn);
		}
	}
	if (ok) {
		c->pass++;
	} else {
		c->fail++;
		printf("FAIL %s case %zu: %s\n", file, ci + 1, why);
	}
	state_clear(&st);
	th_arena_release(&a);
}

int main(int argc, char **argv)
{
	th_limits lim;
	th_limits_init(&lim);
	counts c = { 0, 0 };
	th_env env;
	if (th_env_init_linux_cpython(&env, "3.11.7", NULL, NULL) < 0)
		return 2;
	for (int f = 1; f < argc; f++) {
		FILE *fp = fopen(argv[f], "rb");
		if (!fp) {
			perror(argv[f]);
			return 2;
		}
		static char text[1 << 22];
		size_t len = fread(text, 1, sizeof text - 1, fp);
		fclose(fp);
		th_arena a;
		th_arena_init(&a, 0);
		th_yaml_opts yo;
		th_yaml_opts_init(&yo, &lim, argv[f]);
		th_yaml_node *doc = NULL;
		th_error err = TH_ERROR_INIT;
		th_provider_mem *m = NULL;
		if (th_yaml_parse(&doc, text, len, &yo, &a, &err) < 0 || th_provider_mem_new(&m, &err) < 0 ||
		    load_available(m, th_yaml_get(th_yaml_get(doc, "base"), "available")) < 0) {
			printf("FAIL %s: cannot read: %s\n", argv[f], err.msg);
			c.fail++;
		} else {
			const th_yaml_node *cases = th_yaml_get(doc, "cases");
			const char *base = strrchr(argv[f], '/') ? strrchr(argv[f], '/') + 1 : argv[f];
			for (size_t i = 0; cases && cases->kind == TH_YAML_SEQ && i < cases->u.seq.n; i++) {
				const th_yaml_node *own = th_yaml_get(cases->u.seq.items[i], "available");
				th_provider_mem *cm = NULL;
				/* a case may bring its own index */
				if (own && (th_provider_mem_new(&cm, &err) < 0 || load_available(cm, own) < 0)) {
					printf("FAIL %s case %zu: cannot read its index\n", base, i + 1);
					c.fail++;
				} else {
					run_case(base, i, cases->u.seq.items[i], cm ? cm : m, &env, &c);
				}
				th_provider_mem_free(cm);
			}
		}
		th_provider_mem_free(m);
		th_arena_release(&a);
	}
	th_env_release(&env);
	printf("%d passed, %d failed\n", c.pass, c.fail);
	return c.fail ? 1 : 0;
}
