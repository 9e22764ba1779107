/*
 * pkg_compare — compares the oracle's and thoth's answers to the packaging
 * differential queries, line by line.
 *
 *   pkg_compare QUERIES ORACLE THOTH EXPECTED KNOWN_BUGS [DISAGREEMENTS_OUT]
 *
 * What is compared: `valid`; when both are valid, every other field of the
 * answer (deep equality, both ways) except `error` — error texts are never
 * part of the contract. EXPECTED (fixtures/packaging/expected-differences.jsonl)
 * lists queries where thoth is right and the oracle is not, each with thoth's
 * answer and why: for those queries thoth is compared with that answer
 * instead of the oracle's. KNOWN_BUGS (fixtures/packaging/known-bugs.jsonl)
 * lists disagreements found in a packaging module and not fixed yet, each
 * with the module and why ({"query", "module", "why"}): they are printed in
 * full on every run, for the module's owner, and do not fail the run; once
 * fixed they agree and the run says to remove them. Prints a summary per
 * op, the first disagreements in full (all of them go to DISAGREEMENTS_OUT
 * when given), and finishes with "N passed, M failed". Exit status 1 when
 * anything disagrees.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "pkg_json.h"

#define SHOW_MAX 15

typedef struct expect {
	char *key;        /* canonical query */
	th_json *entry;   /* owned root: {query, answer, why} */
	int used;
} expect;

typedef struct opstat {
	char op[32];
	size_t queries, agree, disagree, expected, known;
} opstat;

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "pkg_compare: %s%s\n", what, arg);
	exit(2);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Canonical text of a query: object keys sorted, its "src" left out. */
static char *canon_str(const th_json *v)
{
	th_buf b = TH_BUF_INIT;
	th_jw w;

	th_jw_init(&w, &b, 0, NULL);
	pkg_json_write(&w, v, 1, "src"); /* "src" tags a query's family */
	if (th_jw_finish(&w))
		die("cannot write canonical JSON", "");
	return th_buf_detach(&b, NULL);
}

/* Deep equality; ints and reals compare by value. */
static int json_eq(const th_json *a, const th_json *b)
{
	th_json_type ta = th_json_typeof(a), tb = th_json_typeof(b);
	const char *k, *sa, *sb;
	size_t la, lb;
	th_json *c;

	if ((ta == TH_JSON_INT || ta == TH_JSON_REAL) && (tb == TH_JSON_INT || tb == TH_JSON_REAL))
		return ta == TH_JSON_INT && tb == TH_JSON_INT ? th_json_int(a) == th_json_int(b)
							      : th_json_real(a) == th_json_real(b);
	if (ta != tb)
		return 0;
	switch (ta) {
	case TH_JSON_BOOL: return th_json_bool(a) == th_json_bool(b);
	case TH_JSON_STRING:
		sa = th_json_str(a, &la);
		sb = th_json_str(b, &lb);
		return la == lb && !memcmp(sa, sb, la);
	case TH_JSON_ARRAY:
		if (th_json_len(a) != th_json_len(b))
			return 0;
		for (size_t i = 0; i < th_json_len(a); i++)
			if (!json_eq(th_json_at(a, i), th_json_at(b, i)))
				return 0;
		return 1;
	case TH_JSON_OBJECT:
		if (th_json_len(a) != th_json_len(b))
			return 0;
		for (size_t i = 0; th_json_member(a, i, &k, &c); i++)
			if (!json_eq(c, th_json_get(b, k)) || !th_json_get(b, k))
				return 0;
		return 1;
	default:
		return 1;
	}
}

/* The fields that matter: valid, and when valid everything but "error".
 * Returns NULL when the answers agree, else the first field that differs. */
static const char *answers_differ(const th_json *want, const th_json *got)
{
	th_json *vw = th_json_get(want, "valid"), *vg = th_json_get(got, "valid");
	const char *k;
	th_json *c;

	if (th_json_typeof(vw) != TH_JSON_BOOL || th_json_typeof(vg) != TH_JSON_BOOL)
		return "valid (missing)";
	if (th_json_bool(vw) != th_json_bool(vg))
		return "valid";
	if (!th_json_bool(vw))
		return NULL;
	for (size_t i = 0; th_json_member(want, i, &k, &c); i++)
		if (strcmp(k, "error") && (!th_json_get(got, k) || !json_eq(c, th_json_get(got, k))))
			return k;
	for (size_t i = 0; th_json_member(got, i, &k, &c); i++)
		if (strcmp(k, "error") && !th_json_get(want, k))
			return k;
	return NULL;
}

static FILE *open_or_die(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("cannot read ", path);
	return f;
}

/* Entries keyed by their canonical query; need: the member every entry has
 * besides query and why ("answer" or "module"). */
static expect *load_list(const char *path, const char *need, size_t *n)
{
	FILE *f = fopen(path, "r");
	expect *v = NULL;
	char *line = NULL;
	size_t lcap = 0, cap = 0, lineno = 0;
	ssize_t len;

	*n = 0;
	if (!f)
		return NULL; /* an empty list */
	while ((len = getline(&line, &lcap, f)) >= 0) {
		th_json *root = NULL;
		lineno++;
		if (len <= 1 || line[0] == '#')
			continue;
		if (th_json_parse(&root, line, (size_t)len, 64, path, NULL) ||
		    th_json_typeof(th_json_get(root, "query")) != TH_JSON_OBJECT ||
		    !th_json_get(root, need) || !th_json_str(th_json_get(root, "why"), NULL)) {
			fprintf(stderr, "pkg_compare: %s:%zu: needs \"query\", \"%s\" and \"why\"\n", path, lineno, need);
			exit(2);
		}
		if (*n == cap && !(v = realloc(v, (cap = cap ? 2 * cap : 256) * sizeof(*v))))
			die("out of memory", "");
		v[*n].key = canon_str(th_json_get(root, "query"));
		v[*n].entry = root;
		v[*n].used = 0;
		(*n)++;
	}
	free(line);
	fclose(f);
	if (*n)
		qsort(v, *n, sizeof(*v), key_cmp);
	return v;
}

static expect *find(expect *list, size_t n, const th_json *q)
{
	char *key, *kp;
	expect *e;

	if (!n)
		return NULL;
	kp = key = canon_str(q);
	e = bsearch(&kp, list, n, sizeof(*list), key_cmp);
	free(key);
	if (e)
		e->used = 1;
	return e;
}

static void free_list(expect *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].key);
		th_json_free(list[i].entry);
	}
	free(list);
}

static opstat *stat_for(opstat *st, size_t *nst, const char *op)
{
	for (size_t i = 0; i < *nst; i++)
		if (!strcmp(st[i].op, op))
			return &st[i];
	if (*nst == 16)
		return &st[15];
	snprintf(st[*nst].op, sizeof(st[*nst].op), "%s", op);
	return &st[(*nst)++];
}

/* Prints one disagreement in full. */
static void show(const char *what, size_t lineno, const char *src, const char *field, const char *note,
		 const char *lq, const char *lo, const char *lt)
{
	printf("%s line %zu (%s), field %s%s%s\n  query:  %s", what, lineno, src ? src : "?", field,
	       note ? ": " : "", note ? note : "", lq);
	printf("  oracle: %s", lo ? lo : "(none)\n");
	printf("  thoth:  %s", lt ? lt : "(none)\n");
}

int main(int argc, char **argv)
{
	FILE *fq, *fo, *ft, *fd = NULL;
	char *lq = NULL, *lo = NULL, *lt = NULL;
	size_t cq = 0, co = 0, ct = 0, nexp = 0, nbug = 0, nst = 0, shown = 0, lineno = 0;
	size_t passed = 0, failed = 0, known = 0, fixed = 0;
	ssize_t nq, no, nt;
	opstat st[16];
	expect *exp, *bugs;

	if (argc < 6) {
		fprintf(stderr, "usage: pkg_compare QUERIES ORACLE THOTH EXPECTED KNOWN_BUGS [DISAGREEMENTS_OUT]\n");
		return 2;
	}
	memset(st, 0, sizeof(st));
	fq = open_or_die(argv[1]);
	fo = open_or_die(argv[2]);
	ft = open_or_die(argv[3]);
	exp = load_list(argv[4], "answer", &nexp);
	bugs = load_list(argv[5], "module", &nbug);
	if (argc > 6 && !(fd = fopen(argv[6], "w")))
		die("cannot write ", argv[6]);

	while ((nq = getline(&lq, &cq, fq)) >= 0) {
		th_json *q = NULL, *o = NULL, *t = NULL, *want;
		const char *op, *src, *field;
		expect *e, *bug;
		opstat *s;

		lineno++;
		if (nq <= 1)
			continue;
		no = getline(&lo, &co, fo);
		nt = getline(&lt, &ct, ft);
		if (th_json_parse(&q, lq, (size_t)nq, 64, "query", NULL))
			die("a query line is not JSON: ", lq);
		op = th_json_str(th_json_get(q, "op"), NULL);
		src = th_json_str(th_json_get(q, "src"), NULL);
		s = stat_for(st, &nst, op ? op : "?");
		s->queries++;
		if (no > 0)
			th_json_parse(&o, lo, (size_t)no, 64, "oracle answer", NULL);
		if (nt > 0)
			th_json_parse(&t, lt, (size_t)nt, 64, "thoth answer", NULL);
		e = find(exp, nexp, q);
		bug = find(bugs, nbug, q);
		want = e ? th_json_get(e->entry, "answer") : o;
		if (!want)
			field = "(the oracle's answer is missing or not JSON)";
		else if (!t)
			field = "(thoth's answer is missing or not JSON)";
		else
			field = answers_differ(want, t);
		if (!field) {
			passed++;
			if (e)
				s->expected++;
			else
				s->agree++;
			if (bug) {
				printf("FIXED line %zu: a known bug of %s agrees now: remove it from %s\n  query:  %s", lineno,
				       th_json_str(th_json_get(bug->entry, "module"), NULL), argv[5], lq);
				fixed++;
			}
			goto next;
		}
		if (bug) { /* reported in full every time, for the module's owner */
			char note[512];
			snprintf(note, sizeof(note), "%s: %s", th_json_str(th_json_get(bug->entry, "module"), NULL),
				 th_json_str(th_json_get(bug->entry, "why"), NULL));
			show("KNOWN BUG", lineno, src, field, note, lq, no > 0 ? lo : NULL, nt > 0 ? lt : NULL);
			known++;
			s->known++;
			goto next;
		}
		failed++;
		s->disagree++;
		if (fd)
			fprintf(fd, "{\"line\": %zu, \"field\": \"%s\", \"query\": %.*s, \"oracle\": %.*s, \"thoth\": %.*s}\n",
				lineno, field, (int)(nq - 1), lq, no > 1 ? (int)(no - 1) : 4, no > 1 ? lo : "null",
				nt > 1 ? (int)(nt - 1) : 4, nt > 1 ? lt : "null");
		if (shown++ < SHOW_MAX)
			show("DISAGREE", lineno, src, field,
			     e ? th_json_str(th_json_get(e->entry, "why"), NULL) : NULL, lq, no > 0 ? lo : NULL,
			     nt > 0 ? lt : NULL);
next:
		th_json_free(q);
		th_json_free(o);
		th_json_free(t);
	}
	if (shown > SHOW_MAX)
		printf("... %zu more disagreements%s%s\n", shown - SHOW_MAX, fd ? " in " : "", fd ? argv[6] : "");

	printf("\n%-12s %9s %9s %9s %9s %9s\n", "op", "queries", "agree", "disagree", "expected", "known bug");
	for (size_t i = 0; i < nst; i++)
		printf("%-12s %9zu %9zu %9zu %9zu %9zu\n", st[i].op, st[i].queries, st[i].agree, st[i].disagree,
		       st[i].expected, st[i].known);
	{
		size_t unused = 0;
		for (size_t i = 0; i < nexp; i++)
			unused += !exp[i].used;
		if (unused)
			printf("note: %zu of %zu expected differences were not asked (another seed?)\n", unused, nexp);
	}
	if (known)
		printf("%zu known bugs of packaging modules (listed above, from %s)\n", known, argv[5]);
	if (fixed)
		printf("%zu known bugs are fixed: remove them from %s\n", fixed, argv[5]);
	free_list(exp, nexp);
	free_list(bugs, nbug);
	free(lq);
	free(lo);
	free(lt);
	fclose(fq);
	fclose(fo);
	fclose(ft);
	if (fd)
		fclose(fd);
	printf("%zu passed, %zu failed\n", passed, failed);
	return failed ? 1 : 0;
}
