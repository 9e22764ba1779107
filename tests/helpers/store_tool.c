/*
 * store_tool — drives the facts store for the crash and concurrency tests.
 *   store_tool write DB PREFIX N [TXNS]  writes N keys PREFIX:i per transaction, TXNS times
 *   store_tool count DB PREFIX           prints how many keys start with PREFIX
 *   store_tool check DB                  integrity check; exit 0 when sound
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/store.h"

int main(int argc, char **argv)
{
	th_error err = TH_ERROR_INIT;
	th_store *s = NULL;
	int rc = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: store_tool write|count|check DB ...\n");
		return 2;
	}
	if (th_store_open(&s, argv[2], &err))
		goto done;
	if (!strcmp(argv[1], "write") && argc >= 5) {
		long n = atol(argv[4]), txns = argc > 5 ? atol(argv[5]) : 1;
		char key[128], val[128];
		for (long t = 0; t < txns; t++) {
			if (th_store_begin(s, &err))
				goto done;
			printf("begun %ld\n", t);
			fflush(stdout);
			for (long i = 0; i < n; i++) {
				snprintf(key, sizeof(key), "%s:%ld:%ld", argv[3], t, i);
				snprintf(val, sizeof(val), "value %ld of transaction %ld, padded to make pages", i, t);
				if (th_store_meta_set(s, key, val, &err))
					goto done;
			}
			if (th_store_commit(s, &err))
				goto done;
		}
		rc = 0;
	} else if (!strcmp(argv[1], "count") && argc >= 4) {
		int64_t n;
		if (th_store_meta_count(s, argv[3], &n, &err))
			goto done;
		printf("%lld\n", (long long)n);
		rc = 0;
	} else if (!strcmp(argv[1], "check")) {
		rc = th_store_check(s, &err) ? 1 : 0;
	} else {
		fprintf(stderr, "store_tool: bad arguments\n");
		rc = 2;
	}
done:
	if (err.code)
		fprintf(stderr, "store_tool: %s\n", err.msg);
	th_store_free(s);
	return rc;
}
