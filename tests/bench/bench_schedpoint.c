/*
 * Scheduling-point overhead: one runnable LWP (default strategy) doing
 * mutex_enter + mutex_exit pairs; both calls are scheduling points, so
 * this is the fast path twice plus the lock bookkeeping.  And the slow
 * path: two LWPs on two CPUs whose clocks interleave, so that every
 * point is a recorded choice between two options followed by a context
 * switch (what routers forwarding at the same virtual time cost).  And
 * what `knit explore' pays at each point: four LWPs on four CPUs under
 * the random strategy, every point a recorded random choice among four
 * (three times in four a switch).  Figures are CPU ns per point.
 */
#include <stdlib.h>

#include "bench.h"
#include "sim.h"
#include "sys/mutex.h"
#include "sys/systm.h"

#define RUNS	7

static kmutex_t bm;
static uint64_t pairs;
static uint64_t t_start, t_end;

static void
locker(void *arg)
{
	uint64_t i;

	(void)arg;
	t_start = bench_cpu_now_ns();
	for (i = 0; i < pairs; i++) {
		mutex_enter(&bm);
		mutex_exit(&bm);
	}
	t_end = bench_cpu_now_ns();
}

static void
preempter(void *arg)
{
	uint64_t i;

	(void)arg;
	t_start = bench_cpu_now_ns();
	for (i = 0; i < pairs; i++)
		preempt_point();
	t_end = bench_cpu_now_ns();
}

static int nalive;

static void
alternator(void *arg)
{
	uint64_t i;

	(void)arg;
	if (nalive++ == 0)
		t_start = bench_cpu_now_ns();
	for (i = 0; i < pairs; i++)
		preempt_point();
	if (--nalive == 0)
		t_end = bench_cpu_now_ns();
}

/* nlwp alternators, one per CPU of one host, under strategy strat. */
static double
runk(const char *strat, int nlwp, uint64_t n)
{
	struct world_config wc = { .wc_seed = 1, .wc_strategy = strat };
	struct world *w = world_create(&wc);
	struct host *h = world_host_create(w, "a", nlwp);
	int i;

	world_run(w, 0);	/* boot the host first */
	pairs = n;
	nalive = 0;
	for (i = 0; i < nlwp; i++)
		host_spawn(h, "alt", i, alternator, NULL);
	world_run(w, SIM_TIME_NEVER);
	world_destroy(w);
	return (double)(t_end - t_start) / (double)((uint64_t)nlwp * n);
}

static double
run(void (*fn)(void *), uint64_t n)
{
	struct world_config wc = { .wc_seed = 1, .wc_strategy = "default" };
	struct world *w = world_create(&wc);
	struct host *h = world_host_create(w, "a", 2);

	world_run(w, 0);	/* boot the host first */
	host_enter(h);
	mutex_init(&bm, MUTEX_DEFAULT, IPL_NONE);
	host_leave(h);
	pairs = n;
	host_spawn(h, "bench", 0, fn, NULL);
	world_run(w, SIM_TIME_NEVER);
	host_enter(h);
	mutex_destroy(&bm);
	host_leave(h);
	world_destroy(w);
	return (double)(t_end - t_start) / (double)n;
}

int
main(int argc, char **argv)
{
	double pair[RUNS], pp[RUNS], alt[RUNS], rnd[RUNS];
	uint64_t n = 5000000;
	int i;

	for (i = 1; i < argc; i++)
		(void)bench_opt_u64(argv[i], "pairs", &n);
	for (i = 0; i < RUNS; i++)
		pair[i] = run(locker, n);
	for (i = 0; i < RUNS; i++)
		pp[i] = run(preempter, n);
	bench_figure("mutex_enter_exit_pair_1lwp", bench_median(pair, RUNS),
	    "ns", RUNS);
	for (i = 0; i < RUNS; i++)
		alt[i] = runk("default", 2, n / 4);
	for (i = 0; i < RUNS; i++)
		rnd[i] = runk("random", 4, n / 8);
	bench_figure("sched_point_1lwp", bench_median(pp, RUNS), "ns", RUNS);
	bench_figure("sched_point_2cpu_choice_switch", bench_median(alt, RUNS),
	    "ns", RUNS);
	bench_figure("sched_point_4cpu_random", bench_median(rnd, RUNS), "ns",
	    RUNS);
	return 0;
}
