#include "resolver/lockout.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"

int th_lockfmt_parse(const char *s)
{
	static const char *const names[] = { "table", "json", "pylock", "requirements", "pipfile-lock" };
	for (int i = 0; s && i < (int)(sizeof names / sizeof names[0]); i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* A sticky writer: the first failure is kept, later writes do nothing. */
typedef struct lockout__w {
	th_buf *out;
	th_error *err;
	int rc;
} lockout__w;

__attribute__((format(printf, 2, 3))) static void lockout__p(lockout__w *w, const char *fmt, ...)
{
	if (w->rc)
		return;
	va_list ap;
	va_start(ap, fmt);
	char small[512];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->rc = th_error_set(w->err, TH_ERR_INVALID, "lockout: cannot format");
		return;
	}
	if ((size_t)n < sizeof small) {
		w->rc = th_buf_put(w->out, small, (size_t)n, w->err);
		return;
	}
	va_start(ap, fmt);
	char *big = NULL;
	if (vasprintf(&big, fmt, ap) < 0)
		big = NULL;
	va_end(ap);
	w->rc = big ? th_buf_puts(w->out, big, w->err) : th_error_set(w->err, TH_ERR_NOMEM, "lockout: out of memory");
	free(big);
}

/* A TOML basic string. */
static void lockout__toml_str(lockout__w *w, const char *s)
{
	lockout__p(w, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && !w->rc; p++) {
		if (*p == '"' || *p == '\\')
			lockout__p(w, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			lockout__p(w, "\\u%04x", *p);
		else
			w->rc = th_buf_putc(w->out, (char)*p, w->err);
	}
	lockout__p(w, "\"");
}

/* An RFC 3339 date-time as the KB keeps it ("2024-01-01T00:00:00.123Z"):
 * written as a TOML offset date-time only when it has that shape. */
static bool lockout__is_datetime(const char *s)
{
	if (!s || strlen(s) < 20)
		return false;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		bool ok = (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '.' || c == '+' || c == 'T' || c == 'Z';
		if (!ok)
			return false;
	}
	return s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':';
}

static bool lockout__hash_ok(const th_kb_pfile *f)
{
	const char *h = f->f.hash_name;
	return h && f->f.hash && *f->f.hash &&
	       (!strcmp(h, "sha256") || !strcmp(h, "sha384") || !strcmp(h, "sha512"));
}

static const th_advise_stack *lockout__best(const th_advice *a)
{
	return a->ok && a->nstacks ? &a->stacks[0] : NULL;
}

/* Ends a JSON document written into w->out: its first error is w's. */
static void lockout__jw_done(lockout__w *w, th_jw *j)
{
	int rc = th_jw_finish(j);
	if (rc < 0 && !w->rc)
		w->rc = rc;
}

/* ---- pylock.toml (PEP 751) ---- */

static void lockout__pylock_file(lockout__w *w, const th_kb_pfile *f)
{
	lockout__p(w, "name = ");
	lockout__toml_str(w, f->f.filename);
	lockout__p(w, "\n");
	if (lockout__is_datetime(f->f.upload_time))
		lockout__p(w, "upload-time = %s\n", f->f.upload_time);
	if (f->f.url) {
		lockout__p(w, "url = ");
		lockout__toml_str(w, f->f.url);
		lockout__p(w, "\n");
	}
	if (f->f.size >= 0)
		lockout__p(w, "size = %lld\n", (long long)f->f.size);
	lockout__p(w, "hashes = { %s = ", f->f.hash_name);
	lockout__toml_str(w, f->f.hash);
	lockout__p(w, " }\n");
}

static void lockout__pylock(lockout__w *w, const th_advice *a)
{
	const th_advise_stack *st = lockout__best(a);
	const th_env *e = a->env;
	lockout__p(w, "lock-version = \"1.0\"\n");
	lockout__p(w,
		   "environments = [\"implementation_name == 'cpython' and sys_platform == 'linux' and "
		   "platform_machine == '%s' and python_full_version == '%s'\"]\n",
		   e->machine, e->python_full);
	lockout__p(w, "requires-python = \"==%s.*\"\n", e->python_short);
	lockout__p(w, "created-by = \"thoth\"\n");
	for (size_t i = 0; st && i < st->npins; i++) {
		const th_advise_pin *p = &st->pins[i];
		lockout__p(w, "\n[[packages]]\nname = ");
		lockout__toml_str(w, p->name);
		lockout__p(w, "\nversion = ");
		lockout__toml_str(w, p->version);
		lockout__p(w, "\n");
		if (!p->kv)
			continue;
		if (p->kv->project->index_url) {
			lockout__p(w, "index = ");
			lockout__toml_str(w, p->kv->project->index_url);
			lockout__p(w, "\n");
		}
		if (p->cand && p->cand->requires_python) {
			lockout__p(w, "requires-python = ");
			lockout__toml_str(w, p->cand->requires_python);
			lockout__p(w, "\n");
		}
		const th_kb_pfile *sdist = NULL;
		for (size_t k = 0; k < p->kv->nfiles; k++) {
			const th_kb_pfile *f = p->kv->files[k];
			if (!lockout__hash_ok(f))
				continue;
			if (!f->f.tags) {
				sdist = sdist ? sdist : f;
				continue;
			}
			lockout__p(w, "\n[[packages.wheels]]\n");
			lockout__pylock_file(w, f);
		}
		if (sdist) {
			lockout__p(w, "\n[packages.sdist]\n");
			lockout__pylock_file(w, sdist);
		}
	}
}

/* ---- requirements.txt ---- */

static void lockout__requirements(lockout__w *w, const th_advice *a)
{
	const th_advise_stack *st = lockout__best(a);
	lockout__p(w, "# thoth advise --type %s for %s (CPython %s)\n", th_rectype_name(a->type), a->env->platform,
		   a->env->python_full);
	for (size_t i = 0; st && i < st->npins; i++) {
		const th_advise_pin *p = &st->pins[i];
		lockout__p(w, "%s==%s", p->name, p->version);
		for (size_t k = 0; p->kv && k < p->kv->nfiles; k++)
			if (lockout__hash_ok(p->kv->files[k]))
				lockout__p(w, " \\\n    --hash=%s:%s", p->kv->files[k]->f.hash_name, p->kv->files[k]->f.hash);
		lockout__p(w, "\n");
		for (size_t k = 0; k < p->nby; k++)
			lockout__p(w, "    # via %s (%s)\n", p->by[k].who, p->by[k].req);
	}
}

/* ---- Pipfile.lock ---- */

static void lockout__pipfile_lock(lockout__w *w, const th_advice *a)
{
	const th_advise_stack *st = lockout__best(a);
	th_jw j;
	th_jw_init(&j, w->out, 1, w->err);
	th_jw_obj_begin(&j);
	th_jw_key(&j, "_meta");
	th_jw_obj_begin(&j);
	th_jw_key(&j, "hash");
	th_jw_obj_begin(&j);
	th_jw_key(&j, "sha256");
	th_jw_str(&j, a->manifest_sha256);
	th_jw_obj_end(&j);
	th_jw_key(&j, "pipfile-spec");
	th_jw_int(&j, 6);
	th_jw_key(&j, "requires");
	th_jw_obj_begin(&j);
	th_jw_key(&j, "python_full_version");
	th_jw_str(&j, a->env->python_full);
	th_jw_key(&j, "python_version");
	th_jw_str(&j, a->env->python_short);
	th_jw_obj_end(&j);
	th_jw_key(&j, "sources");
	th_jw_arr_begin(&j);
	/* each index once, in the order pins meet them */
	for (size_t i = 0; st && i < st->npins; i++) {
		const th_kb_project *kp = st->pins[i].kv ? st->pins[i].kv->project : NULL;
		bool seen = !kp;
		for (size_t k = 0; k < i && !seen; k++)
			seen = st->pins[k].kv && !strcmp(st->pins[k].kv->project->index_name, kp->index_name);
		if (seen)
			continue;
		th_jw_obj_begin(&j);
		th_jw_key(&j, "name");
		th_jw_str(&j, kp->index_name);
		th_jw_key(&j, "url");
		th_jw_str(&j, kp->index_url);
		th_jw_key(&j, "verify_ssl");
		th_jw_bool(&j, true);
		th_jw_obj_end(&j);
	}
	th_jw_arr_end(&j);
	th_jw_obj_end(&j);
	th_jw_key(&j, "default");
	th_jw_obj_begin(&j);
	char ver[320];
	for (size_t i = 0; st && i < st->npins; i++) {
		const th_advise_pin *p = &st->pins[i];
		th_jw_key(&j, p->name);
		th_jw_obj_begin(&j);
		th_jw_key(&j, "hashes");
		th_jw_arr_begin(&j);
		for (size_t k = 0; p->kv && k < p->kv->nfiles; k++) {
			const th_kb_pfile *f = p->kv->files[k];
			if (!lockout__hash_ok(f))
				continue;
			char h[600];
			snprintf(h, sizeof h, "%s:%s", f->f.hash_name, f->f.hash);
			th_jw_str(&j, h);
		}
		th_jw_arr_end(&j);
		if (p->kv) {
			th_jw_key(&j, "index");
			th_jw_str(&j, p->kv->project->index_name);
		}
		snprintf(ver, sizeof ver, "==%s", p->version);
		th_jw_key(&j, "version");
		th_jw_str(&j, ver);
		th_jw_obj_end(&j);
	}
	th_jw_obj_end(&j);
	th_jw_key(&j, "develop");
	th_jw_obj_begin(&j);
	th_jw_obj_end(&j);
	th_jw_obj_end(&j);
	lockout__jw_done(w, &j);
}

/* ---- json ---- */

static void lockout__json_just(th_jw *j, const th_just *x)
{
	th_jw_obj_begin(j);
	th_jw_key(j, "type");
	th_jw_str(j, th_just_level_name(x->level));
	th_jw_key(j, "unit");
	th_jw_str(j, x->unit);
	th_jw_key(j, "package_name");
	th_jw_str(j, x->package);
	th_jw_key(j, "version");
	th_jw_str(j, x->version);
	th_jw_key(j, "message");
	th_jw_str(j, x->message);
	th_jw_key(j, "link");
	th_jw_str(j, x->link);
	th_jw_key(j, "score");
	th_jw_real(j, x->score);
	th_jw_obj_end(j);
}

static void lockout__json(lockout__w *w, const th_advice *a)
{
	th_jw j;
	th_jw_init(&j, w->out, 1, w->err);
	th_jw_obj_begin(&j);
	th_jw_key(&j, "version");
	th_jw_int(&j, 1);
	th_jw_key(&j, "type");
	th_jw_str(&j, th_rectype_name(a->type));
	th_jw_key(&j, "ok");
	th_jw_bool(&j, a->ok);
	if (!a->ok) {
		th_jw_key(&j, "explanation");
		th_jw_strn(&j, a->why.ptr, a->why.len);
	}
	th_jw_key(&j, "advice");
	th_jw_arr_begin(&j);
	for (size_t i = 0; i < a->nnotes; i++)
		lockout__json_just(&j, &a->notes[i]);
	th_jw_arr_end(&j);
	th_jw_key(&j, "stacks");
	th_jw_arr_begin(&j);
	for (size_t s = 0; a->ok && s < a->nstacks; s++) {
		const th_advise_stack *st = &a->stacks[s];
		th_jw_obj_begin(&j);
		th_jw_key(&j, "score");
		th_jw_real(&j, st->score);
		th_jw_key(&j, "packages");
		th_jw_arr_begin(&j);
		for (size_t i = 0; i < st->npins; i++) {
			const th_advise_pin *p = &st->pins[i];
			th_jw_obj_begin(&j);
			th_jw_key(&j, "name");
			th_jw_str(&j, p->name);
			th_jw_key(&j, "version");
			th_jw_str(&j, p->version);
			if (p->kv) {
				th_jw_key(&j, "index");
				th_jw_str(&j, p->kv->project->index_url);
				th_jw_key(&j, "file");
				th_jw_str(&j, p->kv->files[0]->f.filename);
			}
			if (p->nby) {
				th_jw_key(&j, "required_by");
				th_jw_arr_begin(&j);
				for (size_t k = 0; k < p->nby; k++) {
					th_jw_obj_begin(&j);
					th_jw_key(&j, "by");
					th_jw_str(&j, p->by[k].who);
					th_jw_key(&j, "requirement");
					th_jw_str(&j, p->by[k].req);
					th_jw_obj_end(&j);
				}
				th_jw_arr_end(&j);
			}
			if (p->why) {
				th_jw_key(&j, "why");
				th_jw_str(&j, p->why);
			}
			th_jw_obj_end(&j);
		}
		th_jw_arr_end(&j);
		th_jw_key(&j, "justification");
		th_jw_arr_begin(&j);
		for (size_t i = 0; i < st->njust; i++)
			lockout__json_just(&j, &st->just[i]);
		th_jw_arr_end(&j);
		th_jw_obj_end(&j);
	}
	th_jw_arr_end(&j);
	th_jw_key(&j, "requirements");
	th_jw_arr_begin(&j);
	for (size_t i = 0; i < a->nroots; i++) {
		th_jw_obj_begin(&j);
		th_jw_key(&j, "requirement");
		th_jw_str(&j, a->roots[i].text);
		th_jw_key(&j, "where");
		th_jw_str(&j, a->roots[i].where);
		th_jw_key(&j, "constraint");
		th_jw_bool(&j, a->roots[i].constraint);
		th_jw_obj_end(&j);
	}
	th_jw_arr_end(&j);
	th_jw_key(&j, "environment");
	th_env_write_json(a->env, &j);
	th_jw_obj_end(&j);
	lockout__jw_done(w, &j);
}

/* ---- table ---- */

static void lockout__table_just(lockout__w *w, const char *indent, const th_just *x)
{
	lockout__p(w, "%s%s %s%s%s%s%s: %s\n", indent, th_just_level_name(x->level), x->unit ? x->unit : "-",
		   x->package ? " " : "", x->package ? x->package : "", x->version ? " " : "",
		   x->version ? x->version : "", x->message ? x->message : "");
}

static void lockout__table(lockout__w *w, const th_advice *a)
{
	const th_env *e = a->env;
	size_t ncons = 0;
	for (size_t i = 0; i < a->nroots; i++)
		ncons += a->roots[i].constraint;
	lockout__p(w, "advise --type %s for %s (CPython %s): %zu requirement%s", th_rectype_name(a->type), e->platform,
		   e->python_full, a->nroots - ncons, a->nroots - ncons == 1 ? "" : "s");
	if (ncons)
		lockout__p(w, " and %zu constraint%s", ncons, ncons == 1 ? "" : "s");
	lockout__p(w, " from");
	for (size_t i = 0; i < a->nmanifests; i++)
		lockout__p(w, " %s", a->manifests[i]);
	lockout__p(w, "\n");
	/* what the boots said, but the env boot's restatement of the header */
	for (size_t i = 0; i < a->nnotes; i++)
		if (a->notes[i].level != TH_JUST_INFO || !a->notes[i].unit || strcmp(a->notes[i].unit, "env"))
			lockout__table_just(w, "", &a->notes[i]);
	if (!a->ok) {
		lockout__p(w, "no stack: %.*s", (int)a->why.len, a->why.ptr);
		return;
	}
	for (size_t s = 0; s < a->nstacks; s++) {
		const th_advise_stack *st = &a->stacks[s];
		size_t wn = 4, wv = 7;
		for (size_t i = 0; i < st->npins; i++) {
			size_t ln = strlen(st->pins[i].name), lv = strlen(st->pins[i].version);
			wn = ln > wn ? ln : wn;
			wv = lv > wv ? lv : wv;
		}
		lockout__p(w, "\nstack %zu: score %.4f, %zu package%s\n", s + 1, st->score, st->npins,
			   st->npins == 1 ? "" : "s");
		lockout__p(w, "  %-*s  %-*s  %s\n", (int)wn, "NAME", (int)wv, "VERSION", "FILE");
		for (size_t i = 0; i < st->npins; i++) {
			const th_advise_pin *p = &st->pins[i];
			lockout__p(w, "  %-*s  %-*s  %s\n", (int)wn, p->name, (int)wv, p->version,
				   p->kv ? p->kv->files[0]->f.filename : "-");
			for (size_t k = 0; k < p->nby; k++)
				lockout__p(w, "      required by %s: %s\n", p->by[k].who, p->by[k].req);
			if (p->why)
				lockout__p(w, "      why: %s\n", p->why);
		}
		for (size_t i = 0; i < st->njust; i++)
			lockout__table_just(w, "  ", &st->just[i]);
	}
}

int th_lockout_write(th_buf *out, const th_advice *a, th_lockfmt f, th_error *err)
{
	lockout__w w = { out, err, 0 };
	if (!a->ok && f != TH_LOCKFMT_TABLE && f != TH_LOCKFMT_JSON)
		return th_error_set(err, TH_ERR_INVALID, "lockout: no stack to write");
	switch (f) {
	case TH_LOCKFMT_TABLE:
		lockout__table(&w, a);
		break;
	case TH_LOCKFMT_JSON:
		lockout__json(&w, a);
		break;
	case TH_LOCKFMT_PYLOCK:
		lockout__pylock(&w, a);
		break;
	case TH_LOCKFMT_REQUIREMENTS:
		lockout__requirements(&w, a);
		break;
	case TH_LOCKFMT_PIPFILE_LOCK:
		lockout__pipfile_lock(&w, a);
		break;
	default:
		return th_error_set(err, TH_ERR_USAGE, "lockout: unknown format %d", (int)f);
	}
	return w.rc;
}
