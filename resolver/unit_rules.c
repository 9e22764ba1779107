/* unit_rules — see unit_rules.h. Each rule becomes one th_unit whose self
 * points at a compiled copy of its match (specifiers parsed once, so steps
 * that run at every expansion allocate nothing). */
#include "resolver/unit_rules.h"

#include <string.h>

#include "analyzer/rules_blob.h"
#include "core/name.h"

typedef struct urule__pkg {
	const th_rule_pkg *src;
	const char *canon; /* the name, canonical (candidates' and pins' names are): NULL any */
	th_specset *set;   /* parsed specifier; NULL: no check, or legacy (matched by text) */
} urule__pkg;

typedef struct urule__match {
	bool has_pv;
	urule__pkg pv;
	urule__pkg *resolved;
	size_t nresolved;
	urule__pkg *group;
	size_t ngroup;
	urule__pkg *from; /* state.package_version_from */
	size_t nfrom;
	bool allow_other;
	const char *package_name;
} urule__match;

typedef struct urule {
	const th_rule_unit *ru;
	urule__match *match;
	size_t nmatch;
	th_req *add; /* step.AddPackage: the requirement it adds (name and locked version) */
} urule;

static int urule__compile_pkg(urule__pkg *out, const th_rule_pkg *p, th_arena *a, th_error *err)
{
	out->src = p;
	out->set = p->version.set;
	out->canon = NULL;
	if (p->name) {
		size_t len = strlen(p->name);
		char *c = th_arena_alloc(a, len + len / 2 + 1); /* th_name_canon's room */
		if (!c)
			return th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
		c[th_name_canon(c, p->name, len)] = '\0';
		out->canon = c;
	}
	if (p->version.text && !p->version.legacy && !out->set &&
	    th_specset_parse(&out->set, p->version.text, strlen(p->version.text), a, err) < 0)
		return TH_ERR_INVALID;
	return 0;
}

static int urule__compile_pkgs(urule__pkg **out, const th_rule_pkg *src, size_t n, th_arena *a, th_error *err)
{
	*out = NULL;
	if (!n)
		return 0;
	if (!(*out = th_arena_zalloc(a, n * sizeof **out)))
		return th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
	for (size_t i = 0; i < n; i++)
		if (urule__compile_pkg(&(*out)[i], &src[i], a, err) < 0)
			return TH_ERR_INVALID;
	return 0;
}

static bool urule__pkg_match(const urule__pkg *m, const char *name, const th_cand *c, th_arena *scratch)
{
	const th_rule_pkg *p = m->src;
	if (m->canon && strcmp(m->canon, name)) /* both canonical: compared as bytes */
		return false;
	if (p->develop > 0) /* packages from an index are not develop installs */
		return false;
	if (p->index_url && !p->index_url_not)
		return false;
	if (!p->version.text)
		return true;
	if (!m->set) /* legacy "==TEXT": by text */
		return th_rule_spec_contains(&p->version, c->version_text, scratch);
	return th_specset_contains(m->set, &c->version, -1);
}

/* Every entry of pkgs resolved in the stack with a matching version. */
static bool urule__all_resolved(const urule__pkg *pkgs, size_t n, const th_stackview *s, th_arena *scratch)
{
	for (size_t i = 0; i < n; i++) {
		bool hit = false;
		for (size_t k = 0; k < s->npins && !hit; k++)
			hit = urule__pkg_match(&pkgs[i], s->pins[k].name, s->pins[k].cand, scratch);
		if (!hit)
			return false;
	}
	return true;
}

static th_just_level urule__level(th_rule_level l)
{
	return l == TH_RULE_ERROR ? TH_JUST_ERROR : l == TH_RULE_WARNING ? TH_JUST_WARNING : TH_JUST_INFO;
}

/* stack_info, log and justification of run, about (package, version). */
static int urule__say(const th_rule_unit *ru, th_justs *out, const char *package, const char *version,
		      double score, th_error *err)
{
	const th_rule_run *run = &ru->run;
	int rc = 0;
	for (size_t i = 0; i < run->njustification && rc == 0; i++) {
		const th_rule_justification *j = &run->justification[i];
		th_just x = { urule__level(j->type), ru->name, j->package_name ? j->package_name : package,
			      j->package_name ? NULL : version, j->message ? j->message : "", j->link, i ? 0 : score };
		rc = th_justs_push(out, &x, err);
	}
	for (size_t i = 0; i < run->nstack_info && rc == 0; i++) {
		const th_rule_msg *m = &run->stack_info[i];
		th_just x = { urule__level(m->type), ru->name, package, version, m->message ? m->message : "",
			      m->link, 0 };
		rc = th_justs_push(out, &x, err);
	}
	if (run->has_log && rc == 0) {
		th_just x = { urule__level(run->log.type), ru->name, package, version,
			      run->log.message ? run->log.message : "", run->log.link, 0 };
		rc = th_justs_push(out, &x, err);
	}
	if (score != 0 && run->njustification == 0 && rc == 0)
		rc = th_justs_add(out, TH_JUST_INFO, ru->name, package, version, NULL, score, err, "scored %+.3f by %s",
				  score, ru->name);
	return rc;
}

/* state.package_version_from, as Thoth's adviser reads it: every entry is
 * a resolved package, of a matching version, among the candidate's
 * dependents (the pins whose requirements brought it in); and unless
 * package_version_from_allow_other, no other dependent is resolved. */
static bool urule__from(const urule__match *m, const th_stackview *s, th_arena *scratch)
{
	uint64_t used = 0; /* the dependents named (the first 64; more count as others) */
	for (size_t i = 0; i < m->nfrom; i++) {
		bool hit = false;
		for (size_t k = 0; k < s->nfrom && !hit; k++)
			if (urule__pkg_match(&m->from[i], s->from[k].name, s->from[k].cand, scratch)) {
				hit = true;
				if (k < 64)
					used |= 1ull << k;
			}
		if (!hit)
			return false;
	}
	return m->allow_other || (s->nfrom <= 64 && (size_t)__builtin_popcountll(used) == s->nfrom);
}

/* Whether any entry matches the candidate (partial: the stack for
 * resolved_dependencies; NULL to ignore them). */
static bool urule__fires(const urule *r, const th_project *proj, const th_cand *c, const th_stackview *partial,
			 th_arena *scratch)
{
	if (r->nmatch == 0)
		return r->ru->type != TH_RULE_SIEVE && r->ru->type != TH_RULE_PSEUDONYM;
	for (size_t i = 0; i < r->nmatch; i++) {
		const urule__match *m = &r->match[i];
		if (m->nfrom && (!partial || !urule__from(m, partial, scratch)))
			continue;
		if (m->ngroup) {
			bool member = false;
			for (size_t g = 0; g < m->ngroup && !member; g++)
				member = urule__pkg_match(&m->group[g], proj->name, c, scratch);
			if (!member || !partial)
				continue;
			/* the others of the group resolved (the candidate itself counts) */
			bool all = true;
			for (size_t g = 0; g < m->ngroup && all; g++) {
				if (urule__pkg_match(&m->group[g], proj->name, c, scratch))
					continue;
				all = urule__all_resolved(&m->group[g], 1, partial, scratch);
			}
			if (all)
				return true;
			continue;
		}
		if (m->has_pv && !urule__pkg_match(&m->pv, proj->name, c, scratch))
			continue;
		if (m->nresolved && (!partial || !urule__all_resolved(m->resolved, m->nresolved, partial, scratch)))
			continue;
		return true;
	}
	return false;
}

/* For strides and wraps: any entry whose resolved_dependencies are all in
 * the stack (an entry with none matches any stack). */
static const urule__match *urule__fires_stack(const urule *r, const th_stackview *s, th_arena *scratch)
{
	static const urule__match any;
	if (r->nmatch == 0)
		return &any;
	for (size_t i = 0; i < r->nmatch; i++)
		if (urule__all_resolved(r->match[i].resolved, r->match[i].nresolved, s, scratch))
			return &r->match[i];
	return NULL;
}

static double urule__score(const th_rule_run *run)
{
	double s = run->has_score ? run->score : 0;
	return s < -1 ? -1 : s > 1 ? 1 : s;
}

static int urule__boot(th_unit *u, th_unit_ctx *ctx, const th_req *roots, size_t nroots, th_boot_out *out,
		       th_error *err)
{
	(void)ctx;
	const urule *r = u->self;
	bool fire = r->nmatch == 0;
	for (size_t i = 0; i < r->nmatch && !fire; i++) {
		const char *want = r->match[i].package_name;
		if (!want)
			fire = true;
		for (size_t k = 0; k < nroots && !fire; k++)
			fire = th_name_eq(want, strlen(want), roots[k].name, strlen(roots[k].name));
	}
	if (!fire)
		return 0;
	const th_rule_run *run = &r->ru->run;
	int rc = urule__say(r->ru, out->just, NULL, NULL, 0, err);
	const char *stop = run->not_acceptable ? run->not_acceptable : run->eager_stop_pipeline;
	if (rc == 0 && stop) {
		out->stop = true;
		rc = th_justs_add(out->just, TH_JUST_ERROR, u->name, NULL, NULL, NULL, 0, err, "%s", stop);
	}
	return rc;
}

static int urule__pseudonym(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c,
			    th_alts *out, th_error *err)
{
	const urule *r = u->self;
	const th_rule_run_more *more = r->ru->run.more;
	if (!more || !more->has_yield || !urule__fires(r, proj, c, NULL, ctx->scratch))
		return 0;
	const char *v = more->yield_matched_version > 0 ? c->version_text : more->yield.locked_version;
	if (v && v[0] == '=' && v[1] == '=')
		v += 2;
	return th_alts_add(out, u->name, more->yield.name, v, err);
}

static int urule__sieve(th_unit *u, th_unit_ctx *ctx, const th_project *proj, const th_cand *c,
			th_sieve_out *out, th_error *err)
{
	const urule *r = u->self;
	if (r->ru->type == TH_RULE_SIEVE_SKIP_PACKAGE) {
		bool hit = false;
		for (size_t i = 0; i < r->nmatch && !hit; i++)
			hit = r->match[i].package_name &&
			      th_name_eq(r->match[i].package_name, strlen(r->match[i].package_name), proj->name,
					 strlen(proj->name));
		if (!hit)
			return 0;
		out->skip_package = true;
		out->keep = false;
		return urule__say(r->ru, out->just, proj->name, NULL, 0, err);
	}
	if (!urule__fires(r, proj, c, NULL, ctx->scratch))
		return 0;
	out->keep = false;
	int rc = urule__say(r->ru, out->just, proj->name, c->version_text, 0, err);
	if (rc == 0 && !r->ru->run.nstack_info && !r->ru->run.has_log && !r->ru->run.njustification)
		rc = th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, 0, err,
				  "%s %s removed by %s", proj->name, c->version_text, u->name);
	return rc;
}

static int urule__step(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial, const th_project *proj,
		       const th_cand *c, th_step_out *out, th_error *err)
{
	const urule *r = u->self;
	if (!urule__fires(r, proj, c, partial, ctx->scratch))
		return 0;
	const th_rule_run *run = &r->ru->run;
	switch (r->ru->type) {
	case TH_RULE_STEP_SKIP_PACKAGE:
		out->skip_package = true;
		return urule__say(r->ru, out->just, proj->name, c->version_text, 0, err);
	case TH_RULE_STEP_ADD_PACKAGE: {
		int rc = urule__say(r->ru, out->just, proj->name, c->version_text, 0, err);
		if (rc < 0 || !r->add)
			return rc;
		const char *lv = run->more->add.locked_version ? run->more->add.locked_version : "";
		if (!out->add)
			return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, 0, err,
					    "%s would add %s%s (not applied here)", u->name, r->add->name, lv);
		if ((rc = th_adds_add(out->add, r->add, err)) < 0)
			return rc;
		return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, 0, err,
				    "%s %s adds %s%s to the stack (step.AddPackage %s)", proj->name, c->version_text,
				    r->add->name, lv, u->name);
	}
	default:
		break;
	}
	double s = urule__score(run);
	out->score += s;
	if (run->not_acceptable)
		out->not_acceptable = true;
	if (run->eager_stop_pipeline)
		out->eager_stop = true;
	int rc = urule__say(r->ru, out->just, proj->name, c->version_text, s, err);
	if (rc == 0 && run->not_acceptable)
		rc = th_justs_add(out->just, TH_JUST_ERROR, u->name, proj->name, c->version_text, NULL, 0, err, "%s",
				  run->not_acceptable);
	return rc;
}

static int urule__stride(th_unit *u, th_unit_ctx *ctx, const th_stackview *stack, th_stride_out *out,
			 th_error *err)
{
	const urule *r = u->self;
	if (!urule__fires_stack(r, stack, ctx->scratch))
		return 0;
	const th_rule_run *run = &r->ru->run;
	if (run->not_acceptable)
		out->accept = false;
	if (run->eager_stop_pipeline)
		out->eager_stop = true;
	int rc = urule__say(r->ru, out->just, NULL, NULL, 0, err);
	if (rc == 0 && run->not_acceptable)
		rc = th_justs_add(out->just, TH_JUST_ERROR, u->name, NULL, NULL, NULL, 0, err, "%s", run->not_acceptable);
	return rc;
}

static int urule__wrap(th_unit *u, th_unit_ctx *ctx, const th_stackview *stack, th_justs *out, th_error *err)
{
	const urule *r = u->self;
	const urule__match *m = urule__fires_stack(r, stack, ctx->scratch);
	if (!m)
		return 0;
	const char *pkg = NULL, *ver = NULL;
	if (m->nresolved) { /* about the first resolved dependency it names */
		for (size_t k = 0; k < stack->npins && !pkg; k++)
			if (urule__pkg_match(&m->resolved[0], stack->pins[k].name, stack->pins[k].cand, ctx->scratch)) {
				pkg = stack->pins[k].name;
				ver = stack->pins[k].version;
			}
	}
	int rc = urule__say(r->ru, out, pkg, ver, 0, err);
	const th_rule_run_more *more = r->ru->run.more;
	if (rc == 0 && r->ru->type == TH_RULE_WRAP_GH_RELEASE_NOTES && more && more->gh_organization &&
	    more->gh_repository && ver) {
		th_buf b;
		th_buf_init(&b, 0);
		rc = th_buf_printf(&b, err, "https://github.com/%s/%s/releases/tag/%s%s", more->gh_organization,
				   more->gh_repository, more->gh_tag_version_prefix ? more->gh_tag_version_prefix : "",
				   ver);
		const char *link = rc == 0 ? th_arena_strdup(out->arena, b.ptr) : NULL;
		th_buf_release(&b);
		if (rc == 0 && !link)
			rc = th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
		if (rc == 0)
			rc = th_justs_add(out, TH_JUST_INFO, u->name, pkg, ver, link, 0, err,
					  "release notes of %s %s", pkg, ver);
	}
	return rc;
}

static int urule__compile(urule *r, th_arena *a, th_error *err)
{
	const th_rule_unit *ru = r->ru;
	r->nmatch = ru->nmatch;
	if (!ru->nmatch)
		return 0;
	if (!(r->match = th_arena_zalloc(a, ru->nmatch * sizeof *r->match)))
		return th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
	for (size_t i = 0; i < ru->nmatch; i++) {
		const th_rule_match *m = &ru->match[i];
		urule__match *o = &r->match[i];
		o->package_name = m->package_name;
		o->has_pv = m->has_package_version;
		o->allow_other = m->from_allow_other;
		int rc;
		if ((o->has_pv && (rc = urule__compile_pkg(&o->pv, &m->package_version, a, err)) < 0) ||
		    (rc = urule__compile_pkgs(&o->resolved, m->resolved, m->nresolved, a, err)) < 0 ||
		    (rc = urule__compile_pkgs(&o->from, m->from, m->nfrom, a, err)) < 0 ||
		    (rc = urule__compile_pkgs(&o->group, m->group, m->ngroup, a, err)) < 0) {
			th_error_prefix(err, "rule %s (%s:%u)", ru->name, ru->file, (unsigned)ru->line);
			return rc;
		}
		o->nresolved = m->nresolved;
		o->ngroup = m->ngroup;
		o->nfrom = m->nfrom;
	}
	return 0;
}

/* step.AddPackage's package as a requirement ("name==X", or the name alone
 * without a locked version). */
static int urule__compile_add(urule *r, th_arena *a, th_error *err)
{
	const th_rule_run_more *more = r->ru->run.more;
	if (r->ru->type != TH_RULE_STEP_ADD_PACKAGE || !more || !more->add.name)
		return 0;
	th_buf b;
	th_buf_init(&b, 0);
	int rc = th_buf_printf(&b, err, "%s%s", more->add.name, more->add.locked_version ? more->add.locked_version : "");
	if (rc == 0 && !(r->add = th_arena_zalloc(a, sizeof *r->add)))
		rc = th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
	if (rc == 0 && (rc = th_req_parse(r->add, b.ptr, b.len, a, err)) < 0)
		th_error_prefix(err, "rule %s (%s:%u): package_version", r->ru->name, r->ru->file, (unsigned)r->ru->line);
	th_buf_release(&b);
	return rc;
}

/* Adds the canonical form of name to a list (once). */
static int urule__name(const char ***names, size_t *n, size_t cap, const char *name, th_arena *a)
{
	char canon[256];
	size_t len = strlen(name);
	if (len + len / 2 >= sizeof canon || *n >= cap)
		return 1;
	canon[th_name_canon(canon, name, len)] = '\0';
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], canon))
			return 0;
	if (!((*names)[(*n)++] = th_arena_strdup(a, canon)))
		return TH_ERR_NOMEM;
	return 0;
}

/* The projects a unit can fire for (see th_unit.names): for steps, the
 * candidate's; for strides and wraps, one that must be in the stack. NULL
 * when an entry could fire for any. */
static int urule__names(const urule *r, bool stack, const char *const **out, size_t *nout, th_arena *a)
{
	*out = NULL;
	*nout = 0;
	size_t cap = 0;
	for (size_t i = 0; i < r->nmatch; i++)
		cap += 1 + r->match[i].nresolved + r->match[i].ngroup;
	if (r->nmatch == 0 || cap > 64)
		return 0;
	const char **names = th_arena_alloc(a, cap * sizeof *names);
	if (!names)
		return TH_ERR_NOMEM;
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i < r->nmatch && rc == 0; i++) {
		const urule__match *m = &r->match[i];
		if (stack) {
			bool named = false;
			for (size_t k = 0; k < m->nresolved && rc == 0; k++)
				if (m->resolved[k].src->name) {
					named = true;
					rc = urule__name(&names, &n, cap, m->resolved[k].src->name, a);
				}
			if (!named && rc == 0)
				rc = 1; /* fires for any stack */
		} else if (m->ngroup) {
			for (size_t k = 0; k < m->ngroup && rc == 0; k++)
				rc = m->group[k].src->name ? urule__name(&names, &n, cap, m->group[k].src->name, a) : 1;
		} else if (m->has_pv && m->pv.src->name) {
			rc = urule__name(&names, &n, cap, m->pv.src->name, a);
		} else {
			rc = 1;
		}
	}
	if (rc < 0)
		return rc;
	if (rc == 0) {
		*out = names;
		*nout = n;
	}
	return 0;
}

static bool urule__context_free(const urule *r)
{
	for (size_t i = 0; i < r->nmatch; i++)
		if (r->match[i].nresolved || r->match[i].ngroup || r->match[i].nfrom)
			return false;
	return true;
}

static bool urule__needs_from(const urule *r)
{
	for (size_t i = 0; i < r->nmatch; i++)
		if (r->match[i].nfrom)
			return true;
	return false;
}

int th_unit_rules_add(th_pipeline *p, th_rules *rs, const th_rule_env *renv, th_error *err)
{
	const th_pipeline_config *cfg = th_pipeline_cfg(p);
	th_arena *a = th_pipeline_arena(p);
	th_rule_env env = TH_RULE_ENV_INIT;
	if (renv)
		env = *renv;
	else {
		env.recommendation_type = th_rectype_name(cfg->type);
		env.python_version = cfg->env->python_short;
	}
	int rc;
	if (!env.prepared && (rc = th_rule_env_prepare(&env, a, err)) < 0)
		return rc;
	for (size_t i = 0; i < rs->n; i++) {
		th_rule_unit *ru = rs->units[i];
		if (!th_rule_should_include(ru, &env, NULL))
			continue;
		if ((rc = th_rules_blob_unit(rs, ru, err)) < 0)
			return rc;
		urule *r = th_arena_zalloc(a, sizeof *r);
		if (!r)
			return th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
		r->ru = ru;
		if ((rc = urule__compile(r, a, err)) < 0 || (rc = urule__compile_add(r, a, err)) < 0)
			return rc;
		th_unit u = { .name = ru->name, .self = r };
		switch (ru->type) {
		case TH_RULE_BOOT: u.kind = TH_UNIT_BOOT; u.boot = urule__boot; break;
		case TH_RULE_PSEUDONYM: u.kind = TH_UNIT_PSEUDONYM; u.pseudonym = urule__pseudonym; break;
		case TH_RULE_SIEVE:
		case TH_RULE_SIEVE_SKIP_PACKAGE: u.kind = TH_UNIT_SIEVE; u.sieve = urule__sieve; break;
		case TH_RULE_STEP:
		case TH_RULE_STEP_GROUP:
		case TH_RULE_STEP_SKIP_PACKAGE:
		case TH_RULE_STEP_ADD_PACKAGE:
			u.kind = TH_UNIT_STEP;
			u.step = urule__step;
			u.flags = urule__context_free(r) ? TH_UNIT_CONTEXT_FREE : 0;
			if (urule__needs_from(r))
				u.flags |= TH_UNIT_NEEDS_FROM;
			break;
		case TH_RULE_STRIDE: u.kind = TH_UNIT_STRIDE; u.stride = urule__stride; break;
		case TH_RULE_WRAP:
		case TH_RULE_WRAP_GH_RELEASE_NOTES: u.kind = TH_UNIT_WRAP; u.wrap = urule__wrap; break;
		default: continue;
		}
		if ((u.kind == TH_UNIT_STEP || u.kind == TH_UNIT_STRIDE || u.kind == TH_UNIT_WRAP) &&
		    urule__names(r, u.kind != TH_UNIT_STEP, &u.names, &u.nnames, a) < 0)
			return th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
		if ((rc = th_pipeline_add(p, &u, err)) < 0)
			return rc;
	}
	return 0;
}
