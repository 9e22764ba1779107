/* knowledge_open DB [RUNS] — times opening the knowledge of the shipped rules
 * (embedded in the binary): from YAML (no database), and from the compiled
 * form in DB (the first open compiles it there); then the cost of queries.
 * Prints medians in milliseconds (CPU time; THOTH_BENCH_WALL=1 for wall). */
#include <stdio.h>
#include <stdlib.h>

#include "analyzer/knowledge.h"
#include "bench/bench_clock.h"

int main(int argc, char **argv)
{
	th_error err = TH_ERROR_INIT;
	th_know_opts o = TH_KNOW_OPTS_INIT;
	th_store *st;
	th_know *k;
	int runs = argc > 2 ? atoi(argv[2]) : 21;
	double yaml[64], compiled[64], t0;
	th_know_hit h[TH_KNOW_MAX_HITS];
	th_know_pin pins[] = { { "tensorflow", "2.1.0" }, { "urllib3", "1.26.0" }, { "numpy", "1.26.4" },
			       { "pandas", "2.2.1" }, { "jinja2", "3.1.2" }, { "flask", "2.3.0" } };
	const int nq = 200000;
	long hits = 0;

	if (argc < 2 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: knowledge_open DB [RUNS<=64]\n");
		return 2;
	}
	if (th_store_open(&st, argv[1], &err))
		goto fail;
	for (int i = 0; i < runs; i++) {
		t0 = bench_now_ms();
		if (th_know_open(&k, NULL, &err))
			goto fail;
		yaml[i] = bench_now_ms() - t0;
		th_know_free(k);
	}
	o.store = st;
	if (th_know_open(&k, &o, &err)) /* compiles into DB when it is not there yet */
		goto fail;
	th_know_free(k);
	for (int i = 0; i < runs; i++) {
		t0 = bench_now_ms();
		if (th_know_open(&k, &o, &err))
			goto fail;
		compiled[i] = bench_now_ms() - t0;
		if (i < runs - 1)
			th_know_free(k);
	}
	t0 = bench_now_ms();
	for (int i = 0; i < nq; i++) {
		hits += th_know_api_removed(k, "numpy", i & 1 ? "1.26.4" : "2.0.1", "numpy.float_", h, 1, NULL);
		hits += th_know_stdlib_removed(k, "distutils.core", i & 1 ? "3.11" : "3.12", h, 1, NULL);
	}
	double q1 = bench_now_ms() - t0;
	t0 = bench_now_ms();
	for (int i = 0; i < nq; i++)
		hits += th_know_broken(k, pins, sizeof(pins) / sizeof(pins[0]), h, TH_KNOW_MAX_HITS, NULL);
	double q2 = bench_now_ms() - t0;
	printf("shipped rules (%zu units): open from YAML %.2f ms, from the compiled form %.2f ms (%s, medians of %d)\n",
	       th_know_set(k, 0)->n, bench_median(yaml, runs), bench_median(compiled, runs),
	       bench_clock_name(), runs);
	printf("queries: api_removed + stdlib_removed %.2f us per pair; broken over 6 pins %.2f us (%ld hits)\n",
	       q1 * 1e3 / nq, q2 * 1e3 / nq, hits);
	th_know_free(k);
	th_store_free(st);
	return 0;
fail:
	fprintf(stderr, "knowledge_open: %s\n", err.msg);
	return 1;
}
