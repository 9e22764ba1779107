/* unit_perf — performance observations as pipeline facts, see unit_perf.h. */
#include "resolver/unit_perf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/store_kb.h"
#include "core/buf.h"

/* Observations of one project ignored for another environment. */
typedef struct perf__ignored {
	const char *name;
	size_t n;
	const char *first; /* the first one and why */
} perf__ignored;

/* What the boot unit says (in the pipeline's arena). */
typedef struct perf__summary {
	size_t used, ignored, nonpositive, projects;
	const char *target;        /* "Python 3.11, x86_64, ..." */
	const char *ignored_first; /* the first ignored observation and why */
	perf__ignored *by_project; /* sorted by name */
	size_t nprojects_ignored;
	const char **ignored_names; /* the step's names filter */
} perf__summary;

/* One version's mean on one metric. */
typedef struct perf__mean {
	const th_obs_row *r; /* the first row of the group (name, metric, unit, direction, environment) */
	const char *version;
	double mean, score;
	size_t runs;
	const char *best_version; /* the best version of (name, metric) and its mean */
	double best_mean;
} perf__mean;

static int perf__row_cmp(const void *x, const void *y)
{
	const th_obs_row *a = *(const th_obs_row *const *)x, *b = *(const th_obs_row *const *)y;
	int c = strcmp(a->name, b->name);
	if (!c)
		c = strcmp(a->metric, b->metric);
	return c ? c : strcmp(a->version, b->version);
}

static int perf__mean_cmp(const void *x, const void *y)
{
	const perf__mean *a = x, *b = y;
	int c = strcmp(a->r->name, b->r->name);
	if (!c)
		c = strcmp(a->version, b->version);
	return c ? c : strcmp(a->r->metric, b->r->metric);
}

/* "X.Y" of a version text, into buf. */
static const char *perf__xy(const char *v, char *buf, size_t cap)
{
	const char *dot = strchr(v, '.');
	size_t n = dot ? strcspn(dot + 1, ".") + (size_t)(dot + 1 - v) : strlen(v);

	snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), v);
	return buf;
}

/* NULL when the row applies to the target, else why not (into why). */
static const char *perf__mismatch(const th_obs_row *r, const th_env *env, char *why, size_t cap)
{
	char a[32], b[32];

	if (r->python && strcmp(perf__xy(r->python, a, sizeof(a)), env->python_short))
		snprintf(why, cap, "Python %s, the target has %s", r->python, env->python_short);
	else if (r->arch && env->machine[0] && strcmp(r->arch, env->machine))
		snprintf(why, cap, "%s, the target is %s", r->arch, env->machine);
	else if (r->os_name && env->spec.os_name && strcmp(r->os_name, env->spec.os_name))
		snprintf(why, cap, "%s, the target runs %s", r->os_name, env->spec.os_name);
	else if (r->os_version && env->spec.os_version && r->os_name && env->spec.os_name &&
		 strcmp(r->os_version, env->spec.os_version))
		snprintf(why, cap, "%s %s, the target runs %s %s", r->os_name, r->os_version, env->spec.os_name,
			 env->spec.os_version);
	else if (r->cuda && !env->spec.cuda)
		snprintf(why, cap, "CUDA %s, the target has no CUDA", r->cuda);
	else if (r->cuda && strcmp(perf__xy(r->cuda, a, sizeof(a)), perf__xy(env->spec.cuda, b, sizeof(b))))
		snprintf(why, cap, "CUDA %s, the target has %s", r->cuda, env->spec.cuda);
	else
		return NULL;
	return why;
}

/* The environment a row states, for justifications: "Python 3.11, x86_64". */
static int perf__env_text(th_buf *b, const th_obs_row *r, th_error *err)
{
	const char *parts[][2] = { { "Python ", r->python }, { "", r->arch }, { "", r->os_name }, { "", r->os_version },
				   { "CUDA ", r->cuda }, { "CPU ", r->cpu } };
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && !rc; i++)
		if (parts[i][1])
			rc = th_buf_printf(b, err, "%s%s%s", n++ ? (i == 3 ? " " : ", ") : "", parts[i][0], parts[i][1]);
	if (!rc && !n)
		rc = th_buf_puts(b, "an unstated environment", err);
	return rc;
}

static int perf__boot(th_unit *u, th_unit_ctx *ctx, const th_req *roots, size_t nroots, th_boot_out *out,
		      th_error *err)
{
	const perf__summary *s = u->self;
	int rc = 0;
	(void)ctx, (void)roots, (void)nroots;

	if (s->used)
		rc = th_justs_add(out->just, TH_JUST_INFO, u->name, NULL, NULL, NULL, 0, err,
				  "%zu performance observation%s of %zu project%s apply to the target (%s)", s->used,
				  s->used == 1 ? "" : "s", s->projects, s->projects == 1 ? "" : "s", s->target);
	if (rc >= 0 && s->ignored)
		rc = th_justs_add(out->just, s->used ? TH_JUST_INFO : TH_JUST_WARNING, u->name, NULL, NULL, NULL, 0, err,
				  "%zu performance observation%s recorded on another environment %s ignored (%s)",
				  s->ignored, s->ignored == 1 ? "" : "s", s->ignored == 1 ? "is" : "are", s->ignored_first);
	if (rc >= 0 && s->nonpositive)
		rc = th_justs_add(out->just, TH_JUST_WARNING, u->name, NULL, NULL, NULL, 0, err,
				  "%zu performance observation%s with a value of 0 or less cannot be compared as ratios and %s ignored",
				  s->nonpositive, s->nonpositive == 1 ? "" : "s", s->nonpositive == 1 ? "is" : "are");
	return rc;
}

static int perf__ign_cmp(const void *x, const void *y)
{
	return strcmp(((const perf__ignored *)x)->name, ((const perf__ignored *)y)->name);
}

/* Says, at the candidates of a project whose observations were all or
 * partly made elsewhere, that they were ignored: the boot's justification
 * is about the whole run, this one stands beside the pin it concerns. */
static int perf__step(th_unit *u, th_unit_ctx *ctx, const th_stackview *partial, const th_project *proj,
		      const th_cand *c, th_step_out *out, th_error *err)
{
	const perf__summary *s = u->self;
	perf__ignored key = { proj->name, 0, NULL }, *hit;
	(void)ctx, (void)partial;

	if (!s->nprojects_ignored ||
	    !(hit = bsearch(&key, s->by_project, s->nprojects_ignored, sizeof(key), perf__ign_cmp)))
		return 0;
	return th_justs_add(out->just, TH_JUST_INFO, u->name, proj->name, c->version_text, NULL, 0, err,
			    "%zu performance observation%s of %s recorded on another environment %s ignored (%s)", hit->n,
			    hit->n == 1 ? "" : "s", proj->name, hit->n == 1 ? "is" : "are", hit->first);
}

/* Groups the ignored observations (sorted by name, each with why) by
 * project. */
static void perf__ignored_group(perf__summary *sum, perf__ignored *v, size_t n)
{
	size_t k = 0;

	if (n > 1)
		qsort(v, n, sizeof(*v), perf__ign_cmp); /* stable enough: the first reason of a project is any of its own */
	for (size_t i = 0; i < n; i++) {
		if (k && !strcmp(v[k - 1].name, v[i].name))
			v[k - 1].n++;
		else
			v[k++] = v[i];
	}
	sum->by_project = v;
	sum->nprojects_ignored = k;
}

/* The means of the matching rows (sorted by name, metric, version), each
 * scored against the best version of its (name, metric); returned sorted by
 * name, version, metric. */
static int perf__means(perf__mean **out, size_t *n, const th_obs_row **m, size_t nm, th_arena *a, th_error *err)
{
	perf__mean *v = th_arena_alloc(a, (nm ? nm : 1) * sizeof(*v));
	size_t k = 0;

	if (!v)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < nm;) {
		size_t j = i;
		double sum = 0;
		while (j < nm && !perf__row_cmp(&m[i], &m[j]))
			sum += m[j++]->value;
		v[k++] = (perf__mean){ m[i], m[i]->version, sum / (double)(j - i), 0, j - i, NULL, 0 };
		i = j;
	}
	for (size_t i = 0; i < k;) {
		size_t j = i, best = i;
		for (; j < k && !strcmp(v[j].r->name, v[i].r->name) && !strcmp(v[j].r->metric, v[i].r->metric); j++)
			if (v[j].r->higher_is_better ? v[j].mean > v[best].mean : v[j].mean < v[best].mean)
				best = j;
		for (size_t q = i; q < j; q++) {
			double r = v[q].r->higher_is_better ? v[q].mean / v[best].mean : v[best].mean / v[q].mean;
			v[q].score = r - 1;
			v[q].best_version = v[best].version;
			v[q].best_mean = v[best].mean;
		}
		i = j;
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), perf__mean_cmp);
	*out = v;
	*n = k;
	return 0;
}

int th_unit_perf_add(th_pipeline *p, th_pipeline_facts *facts, th_store *s, const th_env *env, th_error *err)
{
	th_arena *a = th_pipeline_arena(p);
	th_obs_row *rows;
	const th_obs_row **m;
	perf__mean *means = NULL;
	size_t n, nm = 0, nmeans = 0;
	perf__summary *sum = th_arena_zalloc(a, sizeof(*sum));
	th_buf b = TH_BUF_INIT;
	char why[256];
	int rc;

	if (!sum)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if ((rc = th_kb_observations_load(s, &rows, &n, a, err)))
		return rc;
	perf__ignored *ign = th_arena_alloc(a, (n ? n : 1) * sizeof(*ign));
	if (!ign || !(m = th_arena_alloc(a, (n ? n : 1) * sizeof(*m))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *bad = perf__mismatch(&rows[i], env, why, sizeof(why));
		if (bad) {
			char first[512];
			snprintf(first, sizeof(first), "%s %s %s on %s", rows[i].name, rows[i].version, rows[i].metric, bad);
			const char *f = th_arena_strdup(a, first);
			if (!f)
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
			if (!sum->ignored_first)
				sum->ignored_first = f;
			ign[sum->ignored++] = (perf__ignored){ rows[i].name, 1, f };
		} else if (rows[i].value <= 0) {
			sum->nonpositive++;
		} else {
			m[nm++] = &rows[i];
		}
	}
	perf__ignored_group(sum, ign, sum->ignored);
	if (nm > 1)
		qsort(m, nm, sizeof(*m), perf__row_cmp);
	if ((rc = perf__means(&means, &nmeans, m, nm, a, err)))
		return rc;
	sum->used = nm;
	th_observation *obs = th_arena_alloc(a, (nmeans ? nmeans : 1) * sizeof(*obs));
	size_t nobs = 0;
	if (!obs)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	rc = 0;
	for (size_t i = 0; i < nmeans && !rc;) {
		size_t j = i;
		double total = 0;
		th_buf_clear(&b);
		while (j < nmeans && !strcmp(means[j].r->name, means[i].r->name) && !strcmp(means[j].version, means[i].version)) {
			const perf__mean *e = &means[j];
			total += e->score;
			bool top = !strcmp(e->version, e->best_version);
			rc = th_buf_printf(&b, err, "%s%s %g%s%s", j > i ? "; " : "", e->r->metric, e->mean,
					   e->r->unit ? " " : "", e->r->unit ? e->r->unit : "");
			if (!rc && top)
				rc = th_buf_puts(&b, ", the best observed", err);
			else if (!rc)
				rc = th_buf_printf(&b, err, " against %g for %s, the best observed", e->best_mean,
						   e->best_version);
			if (!rc)
				rc = th_buf_printf(&b, err, " (%s is better), over %zu run%s on ",
						   e->r->higher_is_better ? "higher" : "lower", e->runs, e->runs == 1 ? "" : "s");
			if (!rc)
				rc = perf__env_text(&b, e->r, err);
			j++;
		}
		if (!rc && (!(obs[nobs].what = th_arena_strndup(a, b.ptr, b.len))))
			rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		if (!rc) {
			obs[nobs].name = means[i].r->name;
			obs[nobs].version = means[i].version;
			obs[nobs].score = total / (double)(j - i);
			nobs++;
		}
		i = j;
	}
	for (size_t i = 0; i < nobs; i++)
		sum->projects += i == 0 || strcmp(obs[i].name, obs[i - 1].name);
	th_buf_clear(&b);
	if (!rc)
		rc = th_buf_printf(&b, err, "Python %s, %s%s%s%s%s%s%s", env->python_short, env->machine,
				   env->spec.os_name ? ", " : "", env->spec.os_name ? env->spec.os_name : "",
				   env->spec.os_version ? " " : "", env->spec.os_version ? env->spec.os_version : "",
				   env->spec.cuda ? ", CUDA " : "", env->spec.cuda ? env->spec.cuda : "");
	if (!rc && !(sum->target = th_arena_strndup(a, b.ptr, b.len)))
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
	th_buf_release(&b);
	if (rc)
		return rc;
	facts->observations = obs;
	facts->nobservations = nobs;
	th_unit u = { .kind = TH_UNIT_BOOT, .name = "observations", .self = sum, .boot = perf__boot };
	if ((rc = th_pipeline_add(p, &u, err)) < 0 || !sum->nprojects_ignored)
		return rc < 0 ? rc : 0;
	if (!(sum->ignored_names = th_arena_alloc(a, sum->nprojects_ignored * sizeof(*sum->ignored_names))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < sum->nprojects_ignored; i++)
		sum->ignored_names[i] = sum->by_project[i].name;
	th_unit st = { .kind = TH_UNIT_STEP, .name = "observations", .flags = TH_UNIT_CONTEXT_FREE,
		       .names = sum->ignored_names, .nnames = sum->nprojects_ignored, .self = sum, .step = perf__step };
	rc = th_pipeline_add(p, &st, err);
	return rc < 0 ? rc : 0;
}
