/* bench_clock — the clock and median the C benchmarks share. CPU time of
 * this process by default: on a shared, overloaded machine wall time
 * measures the other processes as much as this one; THOTH_BENCH_WALL=1
 * measures wall time instead. Header-only: each benchmark is one program. */
#ifndef TH_BENCH_CLOCK_H
#define TH_BENCH_CLOCK_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now_ms(void)
{
	struct timespec ts;
	clock_gettime(getenv("THOTH_BENCH_WALL") ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts t and returns its median. */
static inline double bench_median(double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), bench_cmp);
	return t[n / 2];
}

static inline const char *bench_clock_name(void)
{
	return getenv("THOTH_BENCH_WALL") ? "wall" : "cpu";
}

#endif
