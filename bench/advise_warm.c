/* advise_warm DB PROJECT PYTHON PLATFORM [N] — the in-process cost of one
 * `advise --type latest` stack with a warm knowledge base: N times, read the
 * project's manifests, fit every project met from the KB (a fresh provider
 * each time: nothing cached between stacks but SQLite's and the OS's pages),
 * resolve, explain every pin and write the requirements output. Prints the
 * median and mean milliseconds per stack and the split between loading and
 * solving of the last run. Times are CPU time of this process (the machine
 * the figures come from is shared: wall time there measures the others). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resolver/advise.h"
#include "resolver/lockout.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: advise_warm DB PROJECT PYTHON PLATFORM [N]\n");
		return 2;
	}
	int n = argc > 5 ? atoi(argv[5]) : 100;
	if (n < 1 || n > 100000)
		n = 100;
	th_error err = TH_ERROR_INIT;
	th_limits lim;
	th_limits_init(&lim);
	th_store *s;
	th_env env;
	if (th_store_open(&s, argv[1], &err) < 0 || th_env_init_linux_cpython(&env, argv[3], argv[4], &err) < 0) {
		fprintf(stderr, "advise_warm: %s\n", err.msg);
		return 2;
	}
	double *t = calloc((size_t)n, sizeof *t), solve = 0;
	size_t pins = 0;
	for (int i = 0; i < n; i++) {
		th_advise_opts o;
		memset(&o, 0, sizeof o);
		o.lim = &lim;
		o.count = 1;
		o.pre = TH_SOLVER_PRE_PIP;
		th_advice a;
		th_advice_init(&a);
		th_buf out = TH_BUF_INIT;
		double t0 = now_ms();
		if (th_advise_declared(&a, argv[2], &o, &err) < 0 || th_advise_resolve(&a, s, &env, &o, &err) < 0 ||
		    !a.ok || th_lockout_write(&out, &a, TH_LOCKFMT_REQUIREMENTS, &err) < 0) {
			fprintf(stderr, "advise_warm: %s%.*s\n", err.msg, (int)a.why.len, a.why.ptr);
			return 1;
		}
		t[i] = now_ms() - t0;
		solve = a.seconds * 1e3;
		pins = a.nstacks ? a.stacks[0].npins : 0;
		th_buf_release(&out);
		th_advice_release(&a);
	}
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("%zu pins: %.2f ms CPU per stack (median of %d), mean %.2f ms; last solver run %.2f ms wall (KB reads inside)\n",
	       pins, t[n / 2], n, sum / n, solve);
	free(t);
	th_env_release(&env);
	th_store_free(s);
	return 0;
}
