/* unit_builtin — see unit_builtin.h for the list and the weights. */
#include "resolver/unit_builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/rules_blob.h"
#include "core/name.h"

#define UNIT__CVE_PENALTY (-0.2)
#define UNIT__FIXED_BONUS 0.1
#define UNIT__YOUNG_DAYS 7

static double unit__clamp(double x)
{
	return x < -1 ? -1 : x > 1 ? 1 : x;
}

/* ---- boot ---- */

static int unit__boot_env(th_unit *u, th_unit_ctx *ctx, const th_req *roots, size_t nroots, th_boot_out *out,
			  th_error *err)
{
	(void)roots;
	(void)nroots;
	th_env *env = ctx->env;
	if (!env->python_full[0]) {
		out->stop = true;
		return th_justs_add(out->just, TH_JUST_ERROR, u->name, NULL, NULL, NULL, 0, err,
				    "the target environment has no Python version");
	}
	int rc = th_justs_add(out->just, TH_JUST_INFO, u->name, NULL, NULL, NULL, 0, err,
			      "target: Python %s on %s (%s), recommendation type %s", env->python_full,
			      env->machine, env->markers.var[TH_MV_SYS_PLATFORM].s, th_rectype_name(ctx->type));
	if (rc < 0)
		return rc;
	if (ctx->type == TH_RECTYPE_PERFORMANCE && (!ctx->facts || ctx->facts->nobservations == 0))
		rc = th_justs_add(out->just, TH_JUST_WARNING, u->name, NULL, NULL, NULL, 0, err,
				  "no performance observations are recorded: stacks are ranked by recency only");
	return rc;
}

/* ---- sieves ---- */

static int unit__sieve_rp(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c,
			  th_sieve_out *out, th_error *err)
{
	if (!c->rp || th_specset_contains(c->rp, &ctx->env->pyver, 1))
		return 0;
	out->keep = false;
	return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, 0, err,
			    "%s %s requires Python %s, the target has %s", proj->name, c->version_text,
			    c->requires_python, ctx->env->python_full);
}

/* Whether one tag text ("py2.py3-none-any", compressed sets allowed) is
 * supported. */
static bool unit__tag_ok(const th_tagset *ts, const char *tag, size_t len)
{
	char buf[256];
	if (len >= sizeof buf)
		return false;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(tag[i] >= 'A' && tag[i] <= 'Z' ? tag[i] + 32 : tag[i]);
	buf[len] = '\0';
	char *d1 = strchr(buf, '-');
	char *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	if (!d2 || strchr(d2 + 1, '-'))
		return false;
	*d1 = *d2 = '\0';
	char *parts[3] = { buf, d1 + 1, d2 + 1 };
	/* every combination of the dot-separated alternatives */
	for (char *i = parts[0]; i;) {
		char *ie = strchr(i, '.');
		char isave = ie ? *ie : 0;
		if (ie)
			*ie = '\0';
		for (char *a = parts[1]; a;) {
			char *ae = strchr(a, '.');
			if (ae)
				*ae = '\0';
			for (char *p = parts[2]; p;) {
				char *pe = strchr(p, '.');
				if (pe)
					*pe = '\0';
				bool ok = th_tagset_find(ts, i, a, p) >= 0;
				if (pe)
					*pe = '.';
				if (ok) {
					if (ae)
						*ae = '.';
					if (ie)
						*ie = isave;
					return true;
				}
				p = pe ? pe + 1 : NULL;
			}
			if (ae)
				*ae = '.';
			a = ae ? ae + 1 : NULL;
		}
		if (ie)
			*ie = isave;
		i = ie ? ie + 1 : NULL;
	}
	return false;
}

static int unit__sieve_tags(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c,
			    th_sieve_out *out, th_error *err)
{
	const th_pipeline_facts *f = ctx->facts;
	const th_tagset *ts = th_pipeline_cfg(ctx->pipeline)->tags;
	bool sdist = false;
	const char *tags = f->wheel_tags(f->ud, proj, c, &sdist);
	if (!tags || sdist)
		return 0;
	for (const char *s = tags; *s;) {
		while (*s == ' ')
			s++;
		size_t n = strcspn(s, " ");
		if (n && unit__tag_ok(ts, s, n))
			return 0;
		s += n;
	}
	out->keep = false;
	return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, 0, err,
			    "%s %s has no wheel for cp%c%s on %s and no sdist", proj->name, c->version_text,
			    ctx->env->python_short[0], ctx->env->python_short + 2, ctx->env->machine);
}

static int unit__sieve_yanked(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c,
			      th_sieve_out *out, th_error *err)
{
	(void)ctx;
	if (!c->yanked)
		return 0;
	out->keep = false;
	return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, 0, err,
			    "%s %s is yanked", proj->name, c->version_text);
}

static int unit__sieve_pre(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c,
			   th_sieve_out *out, th_error *err)
{
	if (!c->prerelease || th_pipeline_cfg(ctx->pipeline)->pre == TH_SOLVER_PRE_ALLOW)
		return 0;
	/* The sieve cannot see requirements, so it keeps what some requirement
	 * could admit under pip's rule (solver.h, TH_SOLVER_PRE_PIP) when the
	 * project has no final version for the target (a yanked one counts, as
	 * in pip's finder); the solver run first over the kept space then
	 * applies the rule per requirement. */
	bool final = false;
	for (size_t i = 0; i < proj->ncands && !final; i++)
		final = !proj->cands[i].prerelease &&
			(!proj->cands[i].rp || th_specset_contains(proj->cands[i].rp, &ctx->env->pyver, 1));
	if (!final)
		return 0;
	out->keep = false;
	return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, 0, err,
			    "%s %s is a pre-release and final versions exist", proj->name, c->version_text);
}

static int unit__sieve_cve(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c,
			   th_sieve_out *out, th_error *err)
{
	const th_osv **advs;
	size_t n;
	int rc = th_pipeline_advisories(ctx->pipeline, proj->name, &c->version, &advs, &n, err);
	if (rc < 0 || n == 0)
		return rc;
	out->keep = false;
	return th_justs_add(out->just, TH_JUST_WARNING, u->name, proj->name, c->version_text, advs[0]->id, 0, err,
			    "%s %s has %zu known advisor%s (%s%s)", proj->name, c->version_text, n,
			    n == 1 ? "y" : "ies", advs[0]->id, n > 1 ? ", ..." : "");
}

/* ---- steps ---- */

static int unit__step_cve(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial, const th_project *proj,
			  const th_cand *c, th_step_out *out, th_error *err)
{
	(void)partial;
	const th_osv **advs;
	size_t n;
	int rc = th_pipeline_advisories(ctx->pipeline, proj->name, &c->version, &advs, &n, err);
	if (rc < 0 || n == 0)
		return rc;
	double s = unit__clamp(UNIT__CVE_PENALTY * (double)n);
	out->score += s;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = th_justs_add(out->just, TH_JUST_WARNING, u->name, proj->name, c->version_text, advs[i]->id,
				  i == 0 ? s : 0, err, "%s %s is affected by %s%s%s", proj->name, c->version_text,
				  advs[i]->id, advs[i]->summary ? ": " : "", advs[i]->summary ? advs[i]->summary : "");
	return rc;
}

static int unit__step_fixed(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial, const th_project *proj,
			    const th_cand *c, th_step_out *out, th_error *err)
{
	(void)partial;
	const th_osv **advs;
	size_t n;
	int rc = th_pipeline_advisories(ctx->pipeline, proj->name, &c->version, &advs, &n, err);
	if (rc < 0 || n > 0)
		return rc;
	/* does any advisory name the project (some other version is affected)? */
	if ((rc = th_pipeline_advisories(ctx->pipeline, proj->name, NULL, &advs, &n, err)) < 0 || n == 0)
		return rc;
	out->score += UNIT__FIXED_BONUS;
	return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, UNIT__FIXED_BONUS,
			    err, "%s %s is not affected by the advisories of other versions", proj->name,
			    c->version_text);
}

static int unit__step_recency(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial, const th_project *proj,
			      const th_cand *c, th_step_out *out, th_error *err)
{
	(void)partial;
	(void)u;
	(void)err;
	double w = ctx->type == TH_RECTYPE_LATEST || ctx->type == TH_RECTYPE_TESTING ? 0.5 : 0.05;
	size_t rank = (size_t)(c - proj->cands);
	if (proj->ncands > 1)
		out->score += -w * (double)rank / (double)proj->ncands;
	return 0;
}

static bool unit__vnum_zero(const th_vnum *n)
{
	return !n->digits && n->value == 0;
}

/* Days since 1970-01-01 of an RFC 3339 date (its first 10 characters), or -1. */
static long unit__days(const char *s)
{
	int y, m, d;
	if (!s || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	/* civil-from-days, inverted (Howard Hinnant's public-domain arithmetic) */
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int unit__step_stable(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial, const th_project *proj,
			     const th_cand *c, th_step_out *out, th_error *err)
{
	(void)partial;
	int rc = 0;
	size_t i = (size_t)(c - proj->cands);
	if (c->prerelease) {
		out->score += -0.3;
		rc = th_justs_add(out->just, TH_JUST_WARNING, u->name, proj->name, c->version_text, NULL, -0.3, err,
				  "%s %s is a pre-release", proj->name, c->version_text);
	}
	if (rc == 0 && ((i > 0 && proj->cands[i - 1].yanked) || (i + 1 < proj->ncands && proj->cands[i + 1].yanked))) {
		out->score += -0.1;
		rc = th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, -0.1, err,
				  "a release next to %s %s was yanked", proj->name, c->version_text);
	}
	const th_version *v = &c->version;
	if (rc == 0 && v->nrelease >= 3 && unit__vnum_zero(&v->release[2]) && !c->prerelease) {
		for (size_t k = 0; k < i; k++) { /* newer ones */
			const th_version *w = &proj->cands[k].version;
			if (proj->cands[k].yanked || proj->cands[k].prerelease || w->nrelease < 3 ||
			    th_vnum_cmp(&w->release[0], &v->release[0]) || th_vnum_cmp(&w->release[1], &v->release[1]) ||
			    unit__vnum_zero(&w->release[2]))
				continue;
			out->score += -0.2;
			rc = th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, -0.2,
					  err, "%s %s is a fresh .0 and %s fixes it", proj->name, c->version_text,
					  proj->cands[k].version_text);
			break;
		}
	}
	const th_pipeline_facts *f = ctx->facts;
	if (rc == 0 && f && f->upload_time) {
		long up = unit__days(f->upload_time(f->ud, proj, c));
		long now = f->now ? unit__days(f->now) : (long)(time(NULL) / 86400);
		if (up >= 0 && now >= 0 && now - up < UNIT__YOUNG_DAYS) {
			out->score += -0.2;
			rc = th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, -0.2,
					  err, "%s %s was released %ld day%s ago", proj->name, c->version_text,
					  now - up, now - up == 1 ? "" : "s");
		}
	}
	return rc;
}

static int unit__step_perf(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial, const th_project *proj,
			   const th_cand *c, th_step_out *out, th_error *err)
{
	(void)partial;
	const th_pipeline_facts *f = ctx->facts;
	for (size_t i = 0; f && i < f->nobservations; i++) {
		const th_observation *o = &f->observations[i];
		if (strcmp(o->name, proj->name) || strcmp(o->version, c->version_text))
			continue;
		double s = unit__clamp(o->score);
		out->score += s;
		return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, s, err,
				    "observed performance of %s %s: %+.3f (%s)", proj->name, c->version_text, s,
				    o->what ? o->what : "recorded observation");
	}
	return 0;
}

/* api_removed data gathered from the rules once: the symbols gone from a
 * package's versions. */
typedef struct unit__api {
	const char *unit;
	const th_rule_api_removed *rm;
} unit__api;

typedef struct unit__apis {
	unit__api *items;
	size_t n;
	th_arena *scratch;
} unit__apis;

static bool unit__symbol_hit(const char *removed, const char *used)
{
	size_t n = strlen(removed);
	if (n >= 2 && removed[n - 1] == '*' && removed[n - 2] == '.')
		return !strncmp(removed, used, n - 1);
	return !strncmp(removed, used, n) && (used[n] == '\0' || used[n] == '.');
}

static int unit__step_api(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial, const th_project *proj,
			  const th_cand *c, th_step_out *out, th_error *err)
{
	(void)partial;
	unit__apis *apis = u->self;
	const th_pipeline_facts *f = ctx->facts;
	for (size_t i = 0; i < apis->n; i++) {
		const th_rule_api_removed *rm = apis->items[i].rm;
		if (!th_name_eq(rm->package, strlen(rm->package), proj->name, strlen(proj->name)) ||
		    !th_rule_spec_contains(&rm->version, c->version_text, ctx->scratch))
			continue;
		for (size_t s = 0; s < rm->nsymbols; s++)
			for (size_t k = 0; k < f->nsymbols; k++) {
				if (!unit__symbol_hit(rm->symbols[s], f->symbols[k]))
					continue;
				out->not_acceptable = true;
				return th_justs_add(out->just, TH_JUST_ERROR, apis->items[i].unit, proj->name,
						    c->version_text, NULL, 0, err,
						    "the code uses %s, which %s %s lacks%s%s", f->symbols[k],
						    proj->name, c->version_text, rm->replacement ? "; use " : "",
						    rm->replacement ? rm->replacement : "");
			}
	}
	return 0;
}

static void unit__release_apis(th_unit *u)
{
	unit__apis *apis = u->self;
	if (apis)
		free(apis->items);
}

/* ---- knowledge (analyzer/knowledge.h) ---- */

static int unit__know_say(th_justs *j, th_just_level level, const char *unit, const th_project *proj,
			  const th_cand *c, const th_know_hit *h, th_error *err)
{
	return th_justs_add(j, level, unit, proj->name, c->version_text, h->evidence, 0, err, "%s", h->message ? h->message : "");
}

static int unit__sieve_pysupport(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c,
				 th_sieve_out *out, th_error *err)
{
	th_know_hit h;
	int n = th_know_python_unsupported(th_pipeline_cfg(ctx->pipeline)->know, proj->name, c->version_text,
					   ctx->env->python_full, &h, 1, err);
	if (n <= 0)
		return n;
	out->keep = false;
	return unit__know_say(out->just, TH_JUST_INFO, u->name, proj, c, &h, err);
}

static int unit__sieve_cuda(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c,
			    th_sieve_out *out, th_error *err)
{
	const th_pipeline_config *cfg = th_pipeline_cfg(ctx->pipeline);
	th_know_hit h;
	int n = th_know_cuda_mismatch(cfg->know, proj->name, c->version_text, cfg->cuda_version, cfg->cudnn_version,
				      &h, 1, err);
	if (n <= 0)
		return n;
	out->keep = false;
	return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, h.evidence, 0, err,
			    "%s %s needs CUDA %s%s%s; the target has CUDA %s%s%s", proj->name, c->version_text,
			    h.cuda ? h.cuda : "?", h.cudnn ? " and cuDNN " : "", h.cudnn ? h.cudnn : "",
			    cfg->cuda_version, cfg->cudnn_version ? " and cuDNN " : "",
			    cfg->cudnn_version ? cfg->cudnn_version : "");
}

static int unit__step_know_api(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial,
			       const th_project *proj, const th_cand *c, th_step_out *out, th_error *err)
{
	(void)partial;
	const th_pipeline_facts *f = ctx->facts;
	const th_know *k = th_pipeline_cfg(ctx->pipeline)->know;
	for (size_t i = 0; i < f->nsymbols; i++) {
		th_know_hit h;
		int n = th_know_api_removed(k, proj->name, c->version_text, f->symbols[i], &h, 1, err);
		if (n < 0)
			return n;
		if (n == 0)
			continue;
		out->not_acceptable = true;
		return th_justs_add(out->just, TH_JUST_ERROR, u->name, proj->name, c->version_text, h.evidence, 0, err,
				    "the code uses %s, which %s %s lacks%s%s", f->symbols[i], proj->name,
				    c->version_text, h.replacement ? "; use " : "", h.replacement ? h.replacement : "");
	}
	return 0;
}

/* ---- wrap ---- */

static int unit__wrap_advisories(th_unit *u, th_unit_ctx *ctx, const th_stackview *stack, th_justs *out,
				 th_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < stack->npins && rc == 0; i++) {
		const th_osv **advs;
		size_t n;
		const th_pin *p = &stack->pins[i];
		if ((rc = th_pipeline_advisories(ctx->pipeline, p->name, &p->cand->version, &advs, &n, err)) < 0)
			break;
		for (size_t k = 0; k < n && rc == 0; k++)
			rc = th_justs_add(out, TH_JUST_WARNING, u->name, p->name, p->version, advs[k]->id, 0, err,
					  "%s %s is affected by %s", p->name, p->version, advs[k]->id);
	}
	return rc;
}

/* ---- assembling ---- */

/* The api_removed entries of every rule (whatever its should_include: they
 * are knowledge about packages, not advice). */
static int unit__add_api(th_pipeline *p, th_error *err)
{
	const th_pipeline_config *cfg = th_pipeline_cfg(p);
	if (!cfg->rules || !cfg->facts || cfg->facts->nsymbols == 0)
		return 0;
	th_rules *r = cfg->rules;
	unit__apis *apis = th_arena_zalloc(th_pipeline_arena(p), sizeof *apis);
	if (!apis)
		return th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
	size_t cap = 0;
	for (size_t i = 0; i < r->n; i++) {
		th_rule_unit *ru = r->units[i];
		int rc = th_rules_blob_unit(r, ru, err);
		if (rc < 0) {
			free(apis->items);
			return rc;
		}
		if (!ru->run.more)
			continue;
		for (size_t k = 0; k < ru->run.more->napi_removed; k++) {
			if (apis->n == cap) {
				cap = cap ? cap * 2 : 16;
				unit__api *ni = realloc(apis->items, cap * sizeof *ni);
				if (!ni) {
					free(apis->items);
					return th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
				}
				apis->items = ni;
			}
			apis->items[apis->n++] = (unit__api){ ru->name, &ru->run.more->api_removed[k] };
		}
	}
	if (apis->n == 0) {
		free(apis->items);
		return 0;
	}
	th_unit u = { .kind = TH_UNIT_STEP, .name = "api_removed", .flags = TH_UNIT_CONTEXT_FREE, .self = apis,
		      .step = unit__step_api, .release = unit__release_apis };
	int rc = th_pipeline_add(p, &u, err);
	if (rc < 0)
		free(apis->items);
	return rc;
}

int th_unit_builtin_add(th_pipeline *p, th_error *err)
{
	const th_pipeline_config *cfg = th_pipeline_cfg(p);
	th_rectype t = cfg->type;
	int rc;
#define ADD(...) \
	do { \
		th_unit u_ = { __VA_ARGS__ }; \
		if ((rc = th_pipeline_add(p, &u_, err)) < 0) \
			return rc; \
	} while (0)
#define STEP(nm, fn) ADD(.kind = TH_UNIT_STEP, .name = nm, .flags = TH_UNIT_CONTEXT_FREE, .step = fn)
#define SIEVE(nm, fn) ADD(.kind = TH_UNIT_SIEVE, .name = nm, .sieve = fn)
	ADD(.kind = TH_UNIT_BOOT, .name = "env", .boot = unit__boot_env);
	SIEVE("requires_python", unit__sieve_rp);
	if (cfg->tags && cfg->facts && cfg->facts->wheel_tags)
		SIEVE("wheel_tags", unit__sieve_tags);
	SIEVE("yanked", unit__sieve_yanked);
	SIEVE("prerelease", unit__sieve_pre);
	if (t == TH_RECTYPE_SECURITY) {
		SIEVE("cve", unit__sieve_cve);
		STEP("fixed", unit__step_fixed);
	}
	if ((rc = unit__add_api(p, err)) < 0)
		return rc;
	if (cfg->know) {
		SIEVE("python_support", unit__sieve_pysupport);
		if (cfg->cuda_version)
			SIEVE("cuda", unit__sieve_cuda);
		if (cfg->facts && cfg->facts->nsymbols)
			STEP("api_removed", unit__step_know_api);
	}
	if (t == TH_RECTYPE_STABLE || t == TH_RECTYPE_TESTING || t == TH_RECTYPE_LATEST)
		STEP("cve", unit__step_cve);
	if (t == TH_RECTYPE_STABLE)
		STEP("stable", unit__step_stable);
	if (t == TH_RECTYPE_PERFORMANCE)
		STEP("performance", unit__step_perf);
	STEP("recency", unit__step_recency);
	ADD(.kind = TH_UNIT_WRAP, .name = "advisories", .wrap = unit__wrap_advisories);
#undef STEP
#undef SIEVE
#undef ADD
	return 0;
}
