/*
 * Helpers for benchmark programs (tests/bench/bench_*.c) only.
 *
 * The wall clock is allowed here and nowhere in a world: a benchmark
 * measures the simulator from outside.  Every figure is the median over
 * several runs, printed as
 *     figure NAME MEDIAN UNIT RUNS
 * which tools/bench collects.
 */
#ifndef _KNIT_TESTS_BENCH_BENCH_H_
#define _KNIT_TESTS_BENCH_BENCH_H_

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Monotonic wall clock in ns. */
static inline uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * CPU time of the calling thread in ns: unlike the wall clock it does
 * not count time the machine gave to other processes (CI shares 2
 * cores), so figures stay stable under load.
 */
static inline uint64_t
bench_cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n-1] (sorts v in place); n > 0. */
static inline double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return (n & 1) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static inline void
bench_figure(const char *name, double median, const char *unit, int runs)
{
	printf("figure %s %.3f %s %d\n", name, median, unit, runs);
	fflush(stdout);
}

/*
 * Parse "--name=value" as an unsigned number into *val.  Returns 1 when
 * arg is that option, 0 when it is another one; exits with a message
 * naming the argument when the value is not a number.
 */
static inline int
bench_opt_u64(const char *arg, const char *name, uint64_t *val)
{
	size_t len = strlen(name);
	char *end;

	if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, len) != 0 ||
	    arg[2 + len] != '=')
		return 0;
	*val = strtoull(arg + 3 + len, &end, 0);
	if (end == arg + 3 + len || *end != '\0') {
		fprintf(stderr, "bad number in argument %s\n", arg);
		exit(2);
	}
	return 1;
}

/*
 * Run argv (stdout and stderr to /dev/null) and wait for it.  Returns
 * its CPU seconds (user + system), or -1 when it exited 2 (cannot run
 * here: a usage or scenario error); any other failure ends the
 * benchmark, naming `who' and the command.
 */
static inline double
bench_child_cpu(const char *who, const char *const *argv)
{
	struct rusage ru;
	int status;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		exit(1);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		fprintf(stderr, "%s: %s %s failed (status %d)\n", who,
		    argv[0], argv[1] != NULL ? argv[1] : "", status);
		exit(1);
	}
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

#endif /* !_KNIT_TESTS_BENCH_BENCH_H_ */
