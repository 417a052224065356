/*
 * LWP context switch: two contexts ping-pong through ctx_jump (the
 * x86-64 switch of sim/cpu), and the same through the scheduler: two
 * LWPs on two CPUs alternating at preempt_point() under the default
 * strategy (a scheduling decision plus a switch per point).
 */
#include <stdlib.h>

#include "bench.h"
#include "cpu/ctx.h"
#include "sim.h"
#include "sys/systm.h"

#define RUNS	7

static struct ctx main_ctx, a_ctx;
static volatile long n_left;

static void
pong(void *arg)
{
	(void)arg;
	ctx_entered();
	for (;;)
		ctx_jump(&a_ctx, &main_ctx);
}

static double
raw_switch_ns(long iters)
{
	uint64_t t0, t1;
	long i;

	t0 = bench_cpu_now_ns();
	for (i = 0; i < iters; i++)
		ctx_jump(&main_ctx, &a_ctx);
	t1 = bench_cpu_now_ns();
	return (double)(t1 - t0) / (double)(2 * iters);	/* two per round */
}

static void
yielder(void *arg)
{
	(void)arg;
	while (n_left-- > 0)
		preempt_point();
}

static double
sched_switch_ns(long iters)
{
	struct world_config wc = { .wc_seed = 1, .wc_strategy = "default" };
	struct world *w = world_create(&wc);
	struct host *h = world_host_create(w, "a", 2);
	uint64_t t0, t1, steps0;

	host_spawn(h, "y0", 0, yielder, NULL);
	host_spawn(h, "y1", 1, yielder, NULL);
	world_run(w, 0);	/* boot */
	steps0 = world_events(w);
	n_left = iters;
	t0 = bench_cpu_now_ns();
	world_run(w, SIM_TIME_NEVER);
	t1 = bench_cpu_now_ns();
	steps0 = world_events(w) - steps0;
	world_destroy(w);
	return (double)(t1 - t0) / (double)steps0;
}

int
main(int argc, char **argv)
{
	double raw[RUNS], sch[RUNS];
	uint64_t iters = 2000000;
	int i;

	for (i = 1; i < argc; i++)
		(void)bench_opt_u64(argv[i], "--iters", &iters);
	ctx_main_init(&main_ctx);
	if (ctx_create(&a_ctx, 64 * 1024, pong, NULL) != 0)
		return 1;
	(void)raw_switch_ns(1000);	/* warm up */
	for (i = 0; i < RUNS; i++)
		raw[i] = raw_switch_ns((long)iters);
	for (i = 0; i < RUNS; i++)
		sch[i] = sched_switch_ns((long)iters / 4);
	bench_figure("lwp_context_switch", bench_median(raw, RUNS), "ns",
	    RUNS);
	bench_figure("sched_point_with_switch", bench_median(sch, RUNS),
	    "ns", RUNS);
	return 0;
}
