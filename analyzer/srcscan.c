#include "analyzer/srcscan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "extractors/pyenc.h"

#define SRCSCAN_MAX_THREADS 64

static int srcscan__add(void *ud, const char *relpath, th_repofile_kind kind, const struct stat *st)
{
	th_srcscan *s = ud;
	static const size_t grow = 256;

	if (s->nfiles % grow == 0) {
		th_srcscan_file *nf = realloc(s->files, (s->nfiles + grow) * sizeof(*nf));
		if (!nf)
			return TH_ERR_NOMEM;
		s->files = nf;
	}
	memset(&s->files[s->nfiles], 0, sizeof(s->files[0]));
	s->files[s->nfiles].kind = kind;
	s->files[s->nfiles].st = (th_source_stat){ (int64_t)st->st_size,
						   (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
						   (int64_t)st->st_ino };
	if (!(s->files[s->nfiles].path = th_arena_strdup(&s->arena, relpath)))
		return TH_ERR_NOMEM;
	s->nfiles++;
	return 0;
}

/* ---- workers ---- */

typedef struct srcscan__pool {
	th_srcscan *s;
	const th_srcscan_opts *o;
	const th_limits *lim;
	const th_srcscan_mem_file *mem; /* th_srcscan_run_mem: parallel to s->files; NULL: read from disk */
	size_t *todo;        /* indexes of files to process */
	size_t ntodo;
	atomic_size_t next;
	int phase;           /* 0: read + hash; 1: decode + parse */
	/* Parsed files handed to the thread that records them while the
	 * others parse (phase 1 with a store): todo positions, in the order
	 * they were parsed. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t *parsed;      /* NULL: nobody records while parsing */
	size_t nparsed;
	int nfinished;       /* workers that returned */
	atomic_bool stop;    /* recording failed: workers stop early */
	th_error errs[SRCSCAN_MAX_THREADS];
	int rcs[SRCSCAN_MAX_THREADS];
} srcscan__pool;

typedef struct srcscan__worker {
	srcscan__pool *pool;
	int id;
} srcscan__worker;

/* A file over its limit is recorded, not read. */
static bool srcscan__too_big(srcscan__pool *p, th_srcscan_file *f, uint64_t size, th_arena *a)
{
	uint64_t max = f->kind == TH_REPOFILE_NOTEBOOK ? p->lim->json_bytes : p->lim->source_bytes;

	if (size <= max)
		return false;
	f->meta.error = th_arena_strdup(a, f->kind == TH_REPOFILE_NOTEBOOK ? "larger than the json_bytes limit"
									: "larger than the source_bytes limit");
	return true;
}

/* Hashes the bytes of one file (buf, malloc, NUL-terminated; taken over)
 * and keeps them for the parse phase; a notebook's code cells replace it. */
static int srcscan__take(srcscan__pool *p, th_srcscan_file *f, char *buf, size_t len, th_arena *a, th_error *err)
{
	if (th_sha256_hex(f->hash, buf, len, err)) {
		free(buf);
		return err ? err->code : TH_ERR_NOMEM;
	}
	f->raw = buf;
	f->rawlen = len;
	if (f->kind == TH_REPOFILE_NOTEBOOK) {
		/* The cell map is needed even when the facts are cached. */
		th_buf code = TH_BUF_INIT;
		th_error e = TH_ERROR_INIT;

		if (th_ipynb_code(&code, &f->nb, buf, len, f->path, p->lim, a, &e)) {
			f->meta.error = th_arena_strdup(a, e.msg);
			free(f->raw);
			f->raw = NULL;
			f->hash[0] = '\0';
		} else {
			free(f->raw);
			f->raw = th_buf_detach(&code, &f->rawlen);
			if (!f->raw)
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		}
		th_buf_release(&code);
	}
	return 0;
}

/* Reads and hashes one file; the bytes are kept for the parse phase. */
static int srcscan__read(srcscan__pool *p, th_srcscan_file *f, th_arena *a, th_error *err)
{
	th_srcscan *s = p->s;
	char path[8192];
	struct stat st;
	int fd;
	size_t len = 0;
	char *buf;

	if (p->mem) {
		/* th_srcscan_run_mem: the bytes are the caller's; parsing frees its copy */
		const th_srcscan_mem_file *m = &p->mem[f - s->files];
		if (srcscan__too_big(p, f, m->len, a))
			return 0;
		if (!(buf = malloc(m->len + 1)))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		if (m->len)
			memcpy(buf, m->data, m->len);
		buf[m->len] = '\0';
		return srcscan__take(p, f, buf, m->len, a, err);
	}
	snprintf(path, sizeof(path), "%s/%s", s->root, f->path);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		f->meta.error = th_arena_strdup(a, "cannot be read");
		return 0;
	}
	if (srcscan__too_big(p, f, (uint64_t)st.st_size, a)) {
		close(fd);
		return 0;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	f->st = (th_source_stat){ (int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
				  (int64_t)st.st_ino };
	return srcscan__take(p, f, buf, len, a, err);
}

static int srcscan__parse(srcscan__pool *p, th_pysource_parser *ps, th_srcscan_file *f, th_arena *a, th_error *err)
{
	th_buf text = TH_BUF_INIT;
	th_pyenc_info info;
	th_error e = TH_ERROR_INIT;
	int rc = 0;

	if (f->kind == TH_REPOFILE_NOTEBOOK) {
		f->meta.encoding = "utf-8";
		rc = th_pysource_analyze(&f->src, ps, f->raw, f->rawlen, p->o->usages, f->path, p->lim, a, &e);
	} else {
		if ((rc = th_pyenc_decode(&text, &info, f->raw, f->rawlen, err)))
			goto done;
		f->meta.encoding = th_arena_strdup(a, info.encoding);
		f->meta.problem = info.problem;
		rc = th_pysource_analyze(&f->src, ps, text.ptr, text.len, p->o->usages, f->path, p->lim, a, &e);
	}
	if (rc == TH_ERR_LIMIT) {
		/* A file over a limit is recorded, not fatal. */
		f->meta.error = th_arena_strdup(a, e.msg);
		rc = 0;
	} else if (rc) {
		th_error_set(err, rc, "%s", e.msg);
	}
done:
	th_buf_release(&text);
	free(f->raw);
	f->raw = NULL;
	return rc;
}

static void *srcscan__work(void *arg)
{
	srcscan__worker *w = arg;
	srcscan__pool *p = w->pool;
	th_arena *a = &p->s->warenas[w->id];
	th_pysource_parser *ps = NULL;
	th_error *err = &p->errs[w->id];
	int rc = 0;

	if (p->phase == 1 && (rc = th_pysource_parser_new(&ps, err)))
		goto done;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		th_srcscan_file *f;

		if (i >= p->ntodo || atomic_load(&p->stop))
			break;
		f = &p->s->files[p->todo[i]];
		rc = p->phase == 0 ? srcscan__read(p, f, a, err) : srcscan__parse(p, ps, f, a, err);
		if (rc)
			break;
		if (p->parsed) {
			pthread_mutex_lock(&p->mu);
			p->parsed[p->nparsed++] = i;
			pthread_cond_signal(&p->cv);
			pthread_mutex_unlock(&p->mu);
		}
	}
done:
	th_pysource_parser_free(ps);
	p->rcs[w->id] = rc;
	if (p->parsed) {
		pthread_mutex_lock(&p->mu);
		p->nfinished++;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

/* The facts of one parsed file into the store. */
static int srcscan__put(srcscan__pool *p, th_store_source *h, size_t at, th_error *err)
{
	th_srcscan_file *f = &p->s->files[p->todo[at]];

	if (f->hash[0] && !f->meta.error)
		return th_store_source_put(h, f->hash, &f->src, &f->meta, err);
	return 0;
}

/* The recording thread (this one) while `started` workers parse: takes the
 * parsed files as they come and writes their facts, so SQLite's work
 * overlaps the parsing instead of following it. */
static int srcscan__record_while_parsing(srcscan__pool *p, th_store_source *h, int started, th_error *err)
{
	size_t done = 0;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		size_t upto;

		while (done == p->nparsed && p->nfinished < started)
			pthread_cond_wait(&p->cv, &p->mu);
		if (done == p->nparsed)
			break;
		upto = p->nparsed;
		pthread_mutex_unlock(&p->mu);
		for (; done < upto; done++)
			if (!rc && (rc = srcscan__put(p, h, p->parsed[done], err)))
				atomic_store(&p->stop, true);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* Runs the phase on nthreads workers. Without h, this thread is worker 0;
 * with h (the parse phase of a scan with a store), every worker is a new
 * thread and this one records the parsed files' facts meanwhile. */
static int srcscan__run_pool(srcscan__pool *p, int nthreads, th_store_source *h, th_error *err)
{
	pthread_t tids[SRCSCAN_MAX_THREADS];
	srcscan__worker ws[SRCSCAN_MAX_THREADS];
	int first = h ? 0 : 1, created = first, nworked, rc = 0;
	bool streamed = false;

	atomic_store(&p->next, 0);
	atomic_store(&p->stop, false);
	p->nparsed = 0;
	p->nfinished = 0;
	if (nthreads > (int)p->ntodo)
		nthreads = p->ntodo ? (int)p->ntodo : 1;
	for (int i = 0; i < nthreads; i++) {
		ws[i] = (srcscan__worker){ p, i };
		p->rcs[i] = 0;
		th_error_clear(&p->errs[i]);
	}
	if (h) {
		if (!(p->parsed = malloc((p->ntodo + 1) * sizeof(*p->parsed))))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		pthread_mutex_init(&p->mu, NULL);
		pthread_cond_init(&p->cv, NULL);
	}
	/* Threads first..created-1 run; worker 0 is this thread unless it
	 * records. */
	for (int i = first; i < nthreads; i++) {
		if (pthread_create(&tids[i], NULL, srcscan__work, &ws[i]))
			break;
		created = i + 1;
	}
	if (h && created > 0) {
		rc = srcscan__record_while_parsing(p, h, created, err);
		streamed = true;
		nworked = created;
	} else {
		/* No store, or no thread could start: this thread works, and
		 * records afterwards. */
		srcscan__work(&ws[0]);
		nworked = created > 1 ? created : 1;
	}
	for (int i = first; i < created; i++)
		pthread_join(tids[i], NULL);
	if (h) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
	}
	for (int i = 0; i < nworked && !rc; i++)
		if (p->rcs[i]) {
			if (err)
				*err = p->errs[i];
			rc = p->rcs[i];
		}
	if (h && !streamed) {
		/* Worker 0 ran here: record what it parsed now. */
		for (size_t j = 0; j < p->nparsed && !rc; j++)
			rc = srcscan__put(p, h, p->parsed[j], err);
	}
	free(p->parsed);
	p->parsed = NULL;
	return rc;
}

/* ---- the stat cache, read beside the walk and merged ---- */

/* The root's stat cache as the store has it, in path order: read on a
 * second thread while this one walks (the walk is the file system's time,
 * the query SQLite's), then merged with the walked files. */
typedef struct srcscan__cache {
	th_store_source *h;
	const char *root;
	bool with_usages;
	th_arena *a;               /* the facts and paths */
	th_source_root_file *v;    /* malloc */
	size_t n, cap;
	int rc;
	th_error err;
} srcscan__cache;

static int srcscan__keep(void *ud, const th_source_root_file *f, th_error *err)
{
	srcscan__cache *c = ud;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		th_source_root_file *nv = realloc(c->v, cap * sizeof(*nv));
		if (!nv)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		c->v = nv;
		c->cap = cap;
	}
	c->v[c->n] = *f;
	if (!(c->v[c->n].path = th_arena_strdup(c->a, f->path)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	c->n++;
	return 0;
}

static void *srcscan__cache_read(void *arg)
{
	srcscan__cache *c = arg;

	c->rc = th_store_source_root_facts(c->h, c->root, c->with_usages, srcscan__keep, c, c->a, &c->err);
	return NULL;
}

static int srcscan__bypath(const void *x, const void *y, void *ud)
{
	const th_srcscan *s = ud;

	return strcmp(s->files[*(const size_t *)x].path, s->files[*(const size_t *)y].path);
}

/* Walked Python files whose path the cache has with the same size, mtime
 * and inode take their hash and facts from it: they are not read. */
static int srcscan__merge(th_srcscan *s, const srcscan__cache *c, th_error *err)
{
	size_t *order, n = 0, at = 0;

	if (!c->n)
		return 0;
	if (!(order = malloc((s->nfiles + 1) * sizeof(*order))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].kind == TH_REPOFILE_PYTHON)
			order[n++] = i;
	if (n)
		qsort_r(order, n, sizeof(*order), srcscan__bypath, s);
	for (size_t k = 0; k < c->n; k++) {
		const th_source_root_file *e = &c->v[k];
		int cmp = 1;

		while (at < n && (cmp = strcmp(s->files[order[at]].path, e->path)) < 0)
			at++;
		if (at < n && cmp == 0) {
			th_srcscan_file *f = &s->files[order[at]];
			if (f->st.size == e->st.size && f->st.mtime_ns == e->st.mtime_ns && f->st.ino == e->st.ino) {
				memcpy(f->hash, e->hash, TH_SHA256_HEX);
				f->src = e->src;
				f->meta = e->meta;
				f->cached = f->stat_hit = true;
			}
		}
	}
	free(order);
	return 0;
}

static int srcscan__threads(const th_srcscan_opts *o)
{
	long n = o->threads > 0 ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > SRCSCAN_MAX_THREADS ? SRCSCAN_MAX_THREADS : (int)n;
}

/* The scan's arenas, one per worker. */
static int srcscan__init(th_srcscan *out, srcscan__pool *pool, const th_srcscan_opts *o, const th_limits *lim,
			 int nthreads, th_error *err)
{
	memset(out, 0, sizeof(*out));
	memset(pool, 0, sizeof(*pool));
	th_arena_init(&out->arena, 1 << 16);
	th_arena_init(&out->carena, 1 << 16);
	pool->s = out;
	pool->o = o;
	pool->lim = lim;
	out->nworkers = nthreads;
	if (!(out->warenas = calloc((size_t)nthreads, sizeof(*out->warenas))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (int i = 0; i < nthreads; i++)
		th_arena_init(&out->warenas[i], 1 << 16);
	return 0;
}

/* Everything after the file list, shared by trees on disk and files in
 * memory: the stat cache (disk only), read and hash, facts of known
 * content, parse, record. */
static int srcscan__pipeline(th_srcscan *out, srcscan__pool *pool, int nthreads, th_store_source *h, th_error *err)
{
	const th_srcscan_opts *o = pool->o;
	int rc;

	if (!(pool->todo = malloc((out->nfiles + 1) * sizeof(*pool->todo)))) {
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	/* 1. Files the stat cache vouched for (th_srcscan_run merged it) are
	 * not read. */
	for (size_t i = 0; i < out->nfiles; i++)
		if (out->files[i].kind != TH_REPOFILE_MANIFEST && !out->files[i].cached)
			pool->todo[pool->ntodo++] = i;
	/* 2. Read and hash the rest, in parallel. */
	pool->phase = 0;
	if (pool->ntodo && (rc = srcscan__run_pool(pool, nthreads, NULL, err)))
		goto done;
	out->nread = pool->ntodo;
	/* 3. Content the store knows is not parsed again. */
	{
		size_t k = 0;
		for (size_t j = 0; j < pool->ntodo; j++) {
			th_srcscan_file *f = &out->files[pool->todo[j]];
			bool found = false;
			th_ipynb nb = f->nb;

			if (!f->raw)
				continue;
			if (h && (rc = th_store_source_get(h, f->hash, o->load_usages, &f->src, &f->meta, &found, &out->arena,
							   err)))
				goto done;
			f->nb = nb;
			if (found) {
				f->cached = true;
				free(f->raw);
				f->raw = NULL;
			} else {
				pool->todo[k++] = pool->todo[j];
			}
		}
		pool->ntodo = k;
	}
	/* 4. Parse what is new, in parallel, and record its facts meanwhile. */
	pool->phase = 1;
	if (pool->ntodo && (rc = srcscan__run_pool(pool, nthreads, h, err)))
		goto done;
	out->nparsed = pool->ntodo;
	for (size_t i = 0; i < out->nfiles; i++)
		out->ncached += out->files[i].cached;
	/* 5. The stat cache; the scan itself is th_srcscan_record's. */
	if (h) {
		for (size_t i = 0; i < out->nfiles && !pool->mem; i++) {
			th_srcscan_file *f = &out->files[i];
			if (!f->hash[0])
				continue;
			if (f->kind == TH_REPOFILE_PYTHON && !f->meta.error && !f->stat_hit &&
			    (rc = th_store_source_stat_put(h, out->root, f->path, &f->st, f->hash, err)))
				goto done;
		}
	}
	rc = 0;
done:
	free(pool->todo);
	for (size_t i = 0; i < out->nfiles; i++) {
		free(out->files[i].raw);
		out->files[i].raw = NULL;
	}
	return rc;
}

int th_srcscan_run(th_srcscan *out, const char *root, const th_srcscan_opts *o, th_store *store,
		   const th_limits *lim, th_error *err)
{
	th_repowalk_opts wo = { o->exclude, o->nexclude, false };
	srcscan__pool pool;
	srcscan__cache cache;
	th_store_source *h = NULL;
	pthread_t reader;
	bool reading = false;
	int nthreads = srcscan__threads(o), rc;

	memset(&cache, 0, sizeof(cache));
	if ((rc = srcscan__init(out, &pool, o, lim, nthreads, err)))
		return rc;
	if (!(out->root = realpath(root, NULL)))
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: %s", root, strerror(errno));
	if (store) {
		/* The stat cache comes in one query, on its own thread while the
		 * tree is walked (nothing else uses the store meanwhile); without
		 * a thread, after the walk. */
		if ((rc = th_store_source_open(&h, store, err)))
			return rc;
		cache = (srcscan__cache){ h, out->root, o->load_usages, &out->carena, NULL, 0, 0, 0, TH_ERROR_INIT };
		reading = pthread_create(&reader, NULL, srcscan__cache_read, &cache) == 0;
	}
	rc = th_repowalk(out->root, &wo, lim, srcscan__add, out, err);
	if (rc == TH_ERR_NOMEM)
		th_error_set(err, rc, "out of memory");
	if (reading)
		pthread_join(reader, NULL);
	else if (h && !rc)
		srcscan__cache_read(&cache);
	if (!rc && h && cache.rc) {
		rc = cache.rc;
		if (err)
			*err = cache.err;
	}
	if (!rc)
		rc = srcscan__merge(out, &cache, err);
	free(cache.v);
	if (!rc)
		rc = srcscan__pipeline(out, &pool, nthreads, h, err);
	th_store_source_close(h);
	return rc;
}

int th_srcscan_run_mem(th_srcscan *out, const char *root, const th_srcscan_mem_file *files, size_t n,
		       const th_srcscan_opts *o, th_store *store, const th_limits *lim, th_error *err)
{
	srcscan__pool pool;
	th_store_source *h = NULL;
	int nthreads = srcscan__threads(o), rc;

	if ((rc = srcscan__init(out, &pool, o, lim, nthreads, err)))
		return rc;
	if (!(out->root = strdup(root)) || !(out->files = calloc(n + 1, sizeof(*out->files))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		th_srcscan_file *f = &out->files[i];
		f->kind = files[i].kind;
		f->st = (th_source_stat){ (int64_t)files[i].len, 0, 0 };
		if (!(f->path = th_arena_strdup(&out->arena, files[i].path)))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	out->nfiles = n;
	out->mem = pool.mem = files;
	out->nmem = n;
	/* files in memory have no stat: their hash is their identity */
	if (store && (rc = th_store_source_open(&h, store, err)))
		return rc;
	rc = srcscan__pipeline(out, &pool, nthreads, h, err);
	th_store_source_close(h);
	return rc;
}

int th_srcscan_record(th_srcscan *s, th_store_source *h, const char *digest, bool *same, th_error *err)
{
	int64_t same_as;
	int rc;

	*same = false;
	if ((rc = th_store_source_scan_new(h, s->root, digest, &s->scan_id, &same_as, err)))
		return rc;
	if ((*same = same_as != 0))
		return 0;
	for (size_t i = 0; i < s->nfiles; i++) {
		const th_srcscan_file *f = &s->files[i];
		if (f->hash[0] && (rc = th_store_source_scan_file(h, s->scan_id, f->path, f->hash, err)))
			return rc;
	}
	return 0;
}

void th_srcscan_release(th_srcscan *s)
{
	if (!s)
		return;
	free(s->root);
	free(s->files);
	th_arena_release(&s->arena);
	th_arena_release(&s->carena);
	for (int i = 0; i < s->nworkers; i++)
		th_arena_release(&s->warenas[i]);
	free(s->warenas);
	memset(s, 0, sizeof(*s));
}
