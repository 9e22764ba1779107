/* rules_compiled DB SOURCE [RUNS] — times loading a rule set from its
 * compiled form in the facts database (after `thoth rules check SOURCE`
 * compiled it): hashing the source, reading the blob, rebuilding the units
 * (should_include and names), then, apart, decoding the rest of every unit.
 * Prints the median of each phase in milliseconds of CPU time. */
#include <stdio.h>
#include <stdlib.h>

#include "analyzer/rules.h"
#include "analyzer/rules_blob.h"
#include "analyzer/store_rules.h"
#include "bench/bench_clock.h"
#include "core/hash.h"

int main(int argc, char **argv)
{
	th_error err = TH_ERROR_INIT;
	th_store *st;
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	double t[4][64];
	size_t n = 0;

	if (argc < 3 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: rules_compiled DB SOURCE [RUNS<=64]\n");
		return 2;
	}
	if (th_store_open(&st, argv[1], &err)) {
		fprintf(stderr, "rules_compiled: %s\n", err.msg);
		return 1;
	}
	for (int i = 0; i < runs; i++) {
		char hash[TH_SHA256_HEX];
		th_buf blob = TH_BUF_INIT;
		th_rules r;
		double t0 = bench_now_ms(), t1, t2, t3;
		th_rules_init(&r, NULL);
		if (th_rules_source_hash(hash, argv[2], NULL, &err))
			goto fail;
		t1 = bench_now_ms();
		if (th_store_rules_get(st, hash, &blob, &err))
			goto fail;
		t2 = bench_now_ms();
		{
			size_t len;
			void *p = th_buf_detach(&blob, &len);
			if (!p || th_rules_blob_adopt(&r, p, len, &err))
				goto fail;
		}
		t3 = bench_now_ms();
		if (th_rules_blob_units(&r, &err))
			goto fail;
		t[0][i] = t1 - t0;
		t[1][i] = t2 - t1;
		t[2][i] = t3 - t2;
		t[3][i] = bench_now_ms() - t3;
		n = r.n;
		th_buf_release(&blob);
		th_rules_release(&r);
	}
	for (int k = 0; k < 4; k++)
		bench_median(t[k], runs);
	printf("%zu units: hash %.1f ms, read %.1f ms, rebuild %.1f ms, total %.1f ms; "
	       "then decoding every unit's match/run/metadata %.1f ms (%s, medians of %d)\n", n,
	       t[0][runs / 2], t[1][runs / 2], t[2][runs / 2], t[0][runs / 2] + t[1][runs / 2] + t[2][runs / 2],
	       t[3][runs / 2], bench_clock_name(), runs);
	th_store_free(st);
	return 0;
fail:
	fprintf(stderr, "rules_compiled: %s\n", err.msg);
	return 1;
}
