/* packse_case DIR FILE... — runs uv's packse resolver scenarios through the
 * knowledge-base path of `thoth advise`: each scenario's packages become a
 * KB (one index, in a fresh store under DIR): every version gets a wheel
 * (tags from wheel_tags, default py3-none-any; none when wheel = false) and
 * an sdist (unless sdist = false), both with core metadata (Requires-Dist,
 * extras as `; extra == "x"`, Requires-Python), yanked as given; then
 * resolver/kbprovider fits it to the target (resolver_options.python or
 * environment.python, default 3.12; resolver_options.python_platform) and
 * the solver resolves root.requires (pip's pre-release policy, or all
 * pre-releases with prereleases = true).
 * Prints one line per scenario: "PASS name", "SKIP name: why" (universal
 * scenarios, per-package build/binary options) or "FAIL name: why", then
 * "N passed, M failed, K skipped". Exit 0 always unless input is unusable
 * (2): the calling script decides which failures are documented policy
 * differences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/store_kb.h"
#include "core/limits.h"
#include "core/name.h"
#include "extractors/toml.h"
#include "resolver/kbprovider.h"
#include "resolver/solver.h"
#include "stack_valid.h"

static const char *str_or(const th_toml *v, const char *def)
{
	const char *s = th_toml_str(v);
	return s ? s : def;
}

static int put_scenario(th_store *s, const th_toml *pkgs, th_arena *a, th_error *err)
{
	th_kb_writer *w;
	int64_t idx;
	int rc = th_kb_writer_new(&w, s, err);
	if (rc < 0)
		return rc;
	if ((rc = th_store_begin(s, err)) < 0 || (rc = th_kb_index_put(w, "packse", "file:///packse", 0, &idx, err)) < 0)
		goto done;
	for (size_t p = 0; pkgs && p < pkgs->n && rc == 0; p++) {
		const char *name = pkgs->keys[p];
		char canon[256];
		size_t nl = strlen(name);
		if (nl >= sizeof canon)
			continue;
		canon[th_name_canon(canon, name, nl)] = '\0';
		int64_t pid;
		if ((rc = th_kb_project_put(w, idx, canon, name, NULL, NULL, &pid, err)) < 0)
			break;
		const th_toml *vers = th_toml_get(pkgs->vals[p], "versions");
		for (size_t v = 0; vers && v < vers->n && rc == 0; v++) {
			const char *ver = vers->keys[v];
			const th_toml *info = vers->vals[v];
			const char *rp = str_or(th_toml_get(info, "requires_python"), NULL);
			const th_toml *req = th_toml_get(info, "requires"), *ex = th_toml_get(info, "extras");
			const th_toml *y = th_toml_get(info, "yanked"), *wh = th_toml_get(info, "wheel"),
				      *sd = th_toml_get(info, "sdist"), *tags = th_toml_get(info, "wheel_tags");
			const char *deps[256];
			size_t nd = 0;
			for (size_t k = 0; req && k < req->n && nd < 256; k++)
				deps[nd++] = str_or(req->vals[k], "");
			for (size_t k = 0; ex && ex->type == TH_TOML_TABLE && k < ex->n; k++)
				for (size_t j = 0; j < ex->vals[k]->n && nd < 256; j++) {
					size_t cap = strlen(str_or(ex->vals[k]->vals[j], "")) + strlen(ex->keys[k]) + 24;
					char *t = th_arena_alloc(a, cap);
					snprintf(t, cap, "%s; extra == \"%s\"", str_or(ex->vals[k]->vals[j], ""), ex->keys[k]);
					deps[nd++] = t;
				}
			int64_t vid;
			char md[600];
			snprintf(md, sizeof md, "md-%s-%s", canon, ver);
			if ((rc = th_kb_version_put(w, pid, ver, &vid, err)) < 0 ||
			    (rc = th_kb_metadata_put(w, md, canon, ver, rp, deps, nd, err)) < 0)
				break;
			bool yanked = y && ((y->type == TH_TOML_BOOL && y->b) || y->type == TH_TOML_STRING);
			bool wheel = !(wh && wh->type == TH_TOML_BOOL && !wh->b);
			bool sdist = !(sd && sd->type == TH_TOML_BOOL && !sd->b);
			size_t ntags = tags && tags->type == TH_TOML_ARRAY ? tags->n : 1;
			for (size_t t = 0; wheel && t < ntags && rc == 0; t++) {
				const char *tag = tags && tags->type == TH_TOML_ARRAY ? str_or(tags->vals[t], "") : "py3-none-any";
				char fn[512];
				snprintf(fn, sizeof fn, "%s-%s-%s.whl", canon, ver, tag);
				th_kb_file f = { fn, fn, tag, "sha256", "00", rp, yanked, NULL, NULL, -1, md };
				rc = th_kb_file_put(w, vid, &f, NULL, err);
			}
			if (sdist && rc == 0) {
				char fn[512];
				snprintf(fn, sizeof fn, "%s-%s.tar.gz", canon, ver);
				th_kb_file f = { fn, fn, NULL, "sha256", "00", rp, yanked, NULL, NULL, -1, md };
				rc = th_kb_file_put(w, vid, &f, NULL, err);
			}
		}
	}
	if (rc == 0)
		rc = th_store_commit(s, err);
	else
		th_store_rollback(s);
done:
	th_kb_writer_free(w);
	return rc;
}

/* PASS / FAIL / SKIP for one scenario; why gets the reason. */
static const char *run(const char *dir, const char *file, const char *text, size_t len, th_arena *a, char *why,
		       size_t cap, const char **name)
{
	th_limits lim;
	th_limits_init(&lim);
	th_error err = TH_ERROR_INIT;
	th_toml *doc;
	*name = file;
	if (th_toml_parse(&doc, text, len, file, &lim, a, &err) < 0)
		return snprintf(why, cap, "%s", err.msg), "FAIL";
	*name = str_or(th_toml_get(doc, "name"), file);
	const th_toml *ro = th_toml_get(doc, "resolver_options"), *envt = th_toml_get(doc, "environment");
	const th_toml *u = th_toml_get(ro, "universal");
	if (u && u->type == TH_TOML_BOOL && u->b)
		return snprintf(why, cap, "universal (uv's forking mode)"), "SKIP";
	if (th_toml_get(ro, "no_build") || th_toml_get(ro, "no_binary") || th_toml_get(ro, "binary"))
		return snprintf(why, cap, "per-package build/binary options"), "SKIP";
	const char *py = str_or(th_toml_get(ro, "python"), str_or(th_toml_get(envt, "python"), "3.12"));
	const char *plat = str_or(th_toml_get(ro, "python_platform"), NULL);
	const th_toml *pre = th_toml_get(ro, "prereleases");
	char db[4096];
	snprintf(db, sizeof db, "%s/%s.db", dir, *name);
	unlink(db);
	th_store *s = NULL;
	th_env env;
	bool have_env = false;
	th_kbprovider *kp = NULL;
	th_solution sol;
	th_solution_init(&sol);
	const char *verdict = "FAIL";
	if (th_store_open(&s, db, &err) < 0 || put_scenario(s, th_toml_get(doc, "packages"), a, &err) < 0) {
		snprintf(why, cap, "KB: %.900s", err.msg);
		goto done;
	}
	have_env = true;
	if (th_env_init_linux_cpython(&env, py, plat, &err) < 0 || th_kbprovider_new(&kp, s, &env, NULL, &err) < 0) {
		snprintf(why, cap, "env: %.900s", err.msg);
		goto done;
	}
	const th_toml *req = th_toml_path(doc, "root.requires");
	th_req roots[64];
	size_t nr = 0;
	for (size_t i = 0; req && i < req->n && nr < 64; i++) {
		const char *r = str_or(req->vals[i], "");
		if (th_req_parse(&roots[nr++], r, strlen(r), a, &err) < 0) {
			snprintf(why, cap, "root requirement %.100s: %.800s", r, err.msg);
			goto done;
		}
	}
	th_provider p = th_kbprovider_provider(kp);
	th_solver_opts so = { pre && pre->type == TH_TOML_BOOL && pre->b ? TH_SOLVER_PRE_ALLOW : TH_SOLVER_PRE_PIP, 100000,
			      0 };
	if (th_solver_resolve(&sol, &p, &env, roots, nr, &so, &err) < 0) {
		snprintf(why, cap, "error: %.900s", err.msg);
		goto done;
	}
	/* PEP 592: a yanked pin is valid only when a == / === requirement chose it (the solver's rule) */
	if (sol.ok && !stack_valid(&p, &env, &sol, 1, why, cap))
		goto done;
	const th_toml *sat = th_toml_path(doc, "expected.satisfiable");
	bool want = sat && sat->type == TH_TOML_BOOL && sat->b;
	if (want != sol.ok) {
		snprintf(why, cap, "%s", sol.ok ? "thoth finds a stack where uv finds none" : "thoth finds no stack");
		if (!sol.ok) {
			size_t l = strlen(why);
			snprintf(why + l, cap - l, ": %.*s", (int)(sol.why.len > 300 ? 300 : sol.why.len), sol.why.ptr);
			for (char *c = why; *c; c++)
				if (*c == '\n')
					*c = ' ';
		}
		goto done;
	}
	const th_toml *pk = th_toml_path(doc, "expected.packages");
	if (sol.ok && pk) {
		if (pk->n != sol.npins) {
			int w = snprintf(why, cap, "%zu packages, expected %zu:", sol.npins, pk->n);
			for (size_t i = 0; i < sol.npins && w > 0 && (size_t)w < cap; i++)
				w += snprintf(why + w, cap - (size_t)w, " %s==%s", sol.pins[i].name, sol.pins[i].version);
			goto done;
		}
		for (size_t i = 0; i < pk->n; i++) {
			char canon[256];
			size_t nl = strlen(pk->keys[i]);
			canon[th_name_canon(canon, pk->keys[i], nl < 255 ? nl : 255)] = '\0';
			const th_pin *pin = NULL;
			for (size_t j = 0; j < sol.npins && !pin; j++)
				if (!strcmp(sol.pins[j].name, canon))
					pin = &sol.pins[j];
			th_version wv;
			const char *ws = str_or(pk->vals[i], "");
			if (!pin || th_version_parse(&wv, ws, strlen(ws), a, NULL) < 0 ||
			    th_version_cmp(&wv, &pin->cand->version) != 0) {
				snprintf(why, cap, "%s: %s, expected %s", canon, pin ? pin->version : "not pinned", ws);
				goto done;
			}
		}
	}
	verdict = "PASS";
done:
	th_solution_release(&sol);
	th_kbprovider_free(kp);
	if (have_env)
		th_env_release(&env);
	th_store_free(s);
	unlink(db);
	return verdict;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: packse_case TMPDIR SCENARIO.toml...\n");
		return 2;
	}
	int pass = 0, fail = 0, skip = 0;
	for (int i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		static char text[1 << 20];
		size_t len = fread(text, 1, sizeof text - 1, f);
		fclose(f);
		th_arena a;
		th_arena_init(&a, 0);
		char why[1024] = "";
		const char *name;
		const char *v = run(argv[1], argv[i], text, len, &a, why, sizeof why, &name);
		printf("%s %s%s%s\n", v, name, why[0] ? ": " : "", why);
		pass += v[0] == 'P';
		fail += v[0] == 'F';
		skip += v[0] == 'S';
		th_arena_release(&a);
	}
	printf("%d passed, %d failed, %d skipped\n", pass, fail, skip);
	return 0;
}
