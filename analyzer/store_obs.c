/* store_obs — performance observations, see store_obs.h. */
#include "analyzer/store_obs.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/store_impl.h"

enum { OBS_DEL, OBS_INS, OBS_N };

static const char *const obs__sql[OBS_N] = {
	[OBS_DEL] = "DELETE FROM kb_observation WHERE file_hash = ?1",
	[OBS_INS] = "INSERT INTO kb_observation (file_hash, seq, name, version, stack, metric, value, unit,"
		    " higher_is_better, python, os_name, os_version, arch, cuda, cpu, source)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
};

struct th_obs_writer {
	th_store *s;
	sqlite3_stmt *q[OBS_N];
};

int th_obs_writer_new(th_obs_writer **out, th_store *s, th_error *err)
{
	th_obs_writer *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	w->s = s;
	for (int i = 0; i < OBS_N; i++) {
		if (sqlite3_prepare_v2(s->db, obs__sql[i], -1, &w->q[i], NULL) != SQLITE_OK) {
			int rc = store__dberr(err, s->db, s->path, "preparing the observation statements");
			th_obs_writer_free(w);
			return rc;
		}
	}
	*out = w;
	return 0;
}

void th_obs_writer_free(th_obs_writer *w)
{
	if (!w)
		return;
	for (int i = 0; i < OBS_N; i++)
		sqlite3_finalize(w->q[i]);
	free(w);
}

static void obs__text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int obs__step(th_obs_writer *w, sqlite3_stmt *st, const char *doing, th_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return store__dberr(err, w->s->db, w->s->path, doing);
	return 0;
}

int th_obs_clear(th_obs_writer *w, const char *file_hash, int64_t *out_removed, th_error *err)
{
	sqlite3_stmt *st = w->q[OBS_DEL];
	int rc;

	obs__text(st, 1, file_hash);
	if ((rc = obs__step(w, st, "replacing observations", err)))
		return rc;
	if (out_removed)
		*out_removed = sqlite3_changes64(w->s->db);
	return 0;
}

int th_obs_put(th_obs_writer *w, const char *file_hash, int64_t seq, const th_obs_row *r, th_error *err)
{
	sqlite3_stmt *st = w->q[OBS_INS];
	const char *t[] = { r->name, r->version, r->stack, r->metric };

	obs__text(st, 1, file_hash);
	sqlite3_bind_int64(st, 2, seq);
	for (int i = 0; i < 4; i++)
		obs__text(st, 3 + i, t[i]);
	sqlite3_bind_double(st, 7, r->value);
	obs__text(st, 8, r->unit);
	sqlite3_bind_int(st, 9, r->higher_is_better);
	const char *e[] = { r->python, r->os_name, r->os_version, r->arch, r->cuda, r->cpu, r->source };
	for (int i = 0; i < 7; i++)
		obs__text(st, 10 + i, e[i]);
	return obs__step(w, st, "recording an observation", err);
}

static const char *obs__col(sqlite3_stmt *st, int i, th_arena *a, int *nomem)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *r;

	if (!t)
		return NULL;
	if (!(r = th_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i))))
		*nomem = 1;
	return r;
}

int th_obs_load(th_store *s, th_obs_row **out, size_t *n, th_arena *a, th_error *err)
{
	static const char *const sql =
		"SELECT name, version, stack, metric, value, unit, higher_is_better, python, os_name, os_version, arch,"
		" cuda, cpu, source FROM kb_observation ORDER BY id";
	sqlite3_stmt *st;
	th_obs_row *v = NULL;
	size_t cap = 0;
	int rc, nomem = 0;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "reading observations");
	while (!nomem && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			th_obs_row *nv = th_arena_alloc(a, (cap = cap ? cap * 2 : 64) * sizeof(*nv));
			if (!nv) {
				nomem = 1;
				break;
			}
			if (*n)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
		}
		th_obs_row *r = &v[(*n)++];
		r->name = obs__col(st, 0, a, &nomem);
		r->version = obs__col(st, 1, a, &nomem);
		r->stack = obs__col(st, 2, a, &nomem);
		r->metric = obs__col(st, 3, a, &nomem);
		r->value = sqlite3_column_double(st, 4);
		r->unit = obs__col(st, 5, a, &nomem);
		r->higher_is_better = sqlite3_column_int(st, 6) != 0;
		const char **e[] = { &r->python, &r->os_name, &r->os_version, &r->arch, &r->cuda, &r->cpu, &r->source };
		for (int i = 0; i < 7; i++)
			*e[i] = obs__col(st, 7 + i, a, &nomem);
	}
	if (nomem)
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
	else if (rc != SQLITE_DONE)
		rc = store__dberr(err, s->db, s->path, "reading observations");
	else
		rc = 0;
	sqlite3_finalize(st);
	*out = v;
	return rc;
}
