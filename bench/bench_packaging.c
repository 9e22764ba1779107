/*
 * bench_packaging — the packaging core's benchmark workload (bench/packaging.sh
 * runs it against the same work done by packaging 23.0).
 *
 *   bench_packaging DATA_DIR work   parse and sort version_sample.txt, then
 *                                   evaluate every specifier set of
 *                                   specs_sample.txt against every version;
 *                                   prints the times and a checksum
 *   bench_packaging DATA_DIR cmp    version comparisons per second on one core
 *
 * DATA_DIR is ../shared/data/packaging. Lines that packaging refuses (an
 * invalid version or specifier set) are skipped, by both sides.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/specifier.h"
#include "core/version.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "bench_packaging: cannot read %s\n", path);
		exit(2);
	}
	if (!(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "bench_packaging: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* Splits text into lines in place: returns the number of non-empty lines. */
static size_t lines(char *text, char ***out)
{
	size_t n = 0, cap = 0;
	char **v = NULL;

	for (char *p = text, *e; *p; p = e + 1) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		if (e > p) {
			if (n == cap && !(v = realloc(v, (cap = cap ? 2 * cap : 1024) * sizeof(*v))))
				exit(2);
			v[n++] = p;
		}
		if (!*e)
			break;
		*e = '\0';
	}
	*out = v;
	return n;
}

static int cmp_versions(const void *a, const void *b)
{
	return th_version_cmp(a, b);
}

int main(int argc, char **argv)
{
	th_arena arena;
	char *vtext, *stext, **vl, **sl;
	size_t vlen, slen, nv, ns, good = 0, sets = 0, hits = 0;
	th_version *vs;
	th_specset **ss;
	double t0, t1, t2, t3;

	if (argc < 3 || (strcmp(argv[2], "work") && strcmp(argv[2], "cmp"))) {
		fprintf(stderr, "usage: bench_packaging DATA_DIR work|cmp\n");
		return 2;
	}
	vtext = slurp(argv[1], "version_sample.txt", &vlen);
	stext = slurp(argv[1], "specs_sample.txt", &slen);
	nv = lines(vtext, &vl);
	ns = lines(stext, &sl);
	th_arena_init(&arena, 1 << 20);
	vs = calloc(nv, sizeof(*vs));
	ss = calloc(ns, sizeof(*ss));
	if (!vs || !ss)
		return 2;

	t0 = now();
	for (size_t i = 0; i < nv; i++)
		if (!th_version_parse(&vs[good], vl[i], strlen(vl[i]), &arena, NULL))
			good++;
	qsort(vs, good, sizeof(*vs), cmp_versions);
	t1 = now();
	for (size_t i = 0; i < ns; i++)
		if (!th_specset_parse(&ss[sets], sl[i], strlen(sl[i]), &arena, NULL))
			sets++;
	for (size_t i = 0; i < sets; i++)
		for (size_t j = 0; j < good; j++)
			hits += th_specset_contains(ss[i], &vs[j], -1);
	t2 = now();

	if (!strcmp(argv[2], "work")) {
		printf("thoth: %zu versions parsed and sorted in %.3f ms; %zu sets x %zu versions = %zu contains in "
		       "%.3f ms (%zu true); total %.3f ms\n",
		       good, (t1 - t0) * 1e3, sets, good, sets * good, (t2 - t1) * 1e3, hits, (t2 - t0) * 1e3);
	} else {
		/* Pseudo-random pairs, so the branch predictor cannot learn an order. */
		enum { NPAIRS = 1 << 20, ROUNDS = 20 };
		uint32_t *pairs = malloc(NPAIRS * sizeof(*pairs));
		uint64_t x = 88172645463325252ull;
		long sum = 0;
		if (!pairs)
			return 2;
		for (size_t i = 0; i < NPAIRS; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			pairs[i] = (uint32_t)((x % good) << 16 | ((x >> 32) % good));
		}
		t2 = now();
		for (int r = 0; r < ROUNDS; r++)
			for (size_t i = 0; i < NPAIRS; i++)
				sum += th_version_cmp(&vs[pairs[i] >> 16], &vs[pairs[i] & 0xffff]);
		t3 = now();
		printf("thoth: %d version comparisons in %.3f s on one core: %.1f million/s (checksum %ld)\n",
		       NPAIRS * ROUNDS, t3 - t2, NPAIRS * ROUNDS / (t3 - t2) / 1e6, sum);
		free(pairs);
	}
	th_arena_release(&arena);
	free(vs);
	free(ss);
	free(vl);
	free(sl);
	free(vtext);
	free(stext);
	return 0;
}
