/*
 * bench_db_trace: what full-trace logging costs a simulated run.
 *
 * A world with one host of 2 CPUs and 4 LWPs, each doing mutex
 * enter/exit pairs on two shared locks with a little work in between
 * (scheduling points, contention, switches).  Run without recording,
 * then with every lock acquisition and release recorded through
 * db_event (the lock_acquire/lock_release rows the report draws),
 * hooked at the machine's synchronisation funnel (sim/cpu/sync.h).
 * This is the worst case for tracing: nothing but lock traffic.
 *
 *	figure db_trace_off_s		run time without recording (CPU s)
 *	figure db_trace_full_s		the same run, every lock event recorded
 *	figure db_trace_slowdown	full / off (the issue asks <= 2)
 *	figure db_trace_rows		rows recorded per run
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cpu/machine.h"
#include "cpu/sync.h"
#include "record/db.h"
#include "sim.h"
#include "sys/mutex.h"
#include "sys/systm.h"

#define RUNS	5
#define NLWP	4

static kmutex_t locks[2];
static uint64_t pairs = 20000;
static struct db_run *trace_run;
static uint64_t rows;
static volatile uint64_t sink;

static void
rec(struct lwp *l, const char *kind, const char *name)
{
	struct cpu_info *ci = l != NULL ? l->l_cpu : NULL;

	db_event(trace_run, sim_now_internal(), ci != NULL ?
	    host_name(ci->c_host) : NULL, ci != NULL ? ci->c_index : -1,
	    l != NULL ? l->l_id : -1, kind, name, NULL);
	rows++;
}

static void
on_acquired(struct lwp *l, const void *lock, int kind, bool shared,
    bool try, const char *name, const char *file, int line)
{
	(void)lock; (void)kind; (void)shared; (void)try; (void)file;
	(void)line;
	rec(l, "lock_acquire", name);
}

static void
on_released(struct lwp *l, const void *lock, int kind, bool shared)
{
	(void)kind; (void)shared;
	rec(l, "lock_release", lock == &locks[0] ? "lock0" : "lock1");
}

static const struct sync_hooks trace_hooks = {
	.sh_lock_acquired = on_acquired,
	.sh_lock_released = on_released,
};

static void
worker(void *arg)
{
	uintptr_t me = (uintptr_t)arg;
	uint64_t i, j;

	for (i = 0; i < pairs; i++) {
		mutex_enter(&locks[(i + me) & 1]);
		for (j = 0; j < 20; j++)
			sink += j * i;
		mutex_exit(&locks[(i + me) & 1]);
	}
}

/* One run; CPU seconds of world_run. */
static double
run(int trace)
{
	struct world_config wc = { .wc_seed = 1, .wc_strategy = "default" };
	struct db_run_info ri = { .ri_scenario = "bench_db_trace",
	    .ri_trace = DB_TRACE_FULL };
	struct db_run_result res = { .rr_verdict = DB_VERDICT_PASS };
	struct world *w = world_create(&wc);
	struct host *h = world_host_create(w, "a", 2);
	struct db *db = NULL;
	struct db_err err;
	char path[128];
	uint64_t t0, t1;
	uintptr_t i;

	world_run(w, 0);
	host_enter(h);
	mutex_init(&locks[0], MUTEX_DEFAULT, IPL_NONE);
	mutex_init(&locks[1], MUTEX_DEFAULT, IPL_NONE);
	host_leave(h);
	for (i = 0; i < NLWP; i++)
		host_spawn(h, "worker", (int)(i % 2), worker, (void *)i);
	if (trace) {
		snprintf(path, sizeof(path), "/tmp/knit-bench-trace-%d.db",
		    (int)getpid());
		remove(path);
		db = db_open(path, DB_OPEN_WRITE, &err);
		if (db == NULL || (trace_run = db_run_begin(db, &ri, &err)) ==
		    NULL) {
			fprintf(stderr, "bench_db_trace: %s\n", err.de_msg);
			exit(1);
		}
		sync_hooks = &trace_hooks;
	}
	rows = 0;
	t0 = bench_cpu_now_ns();
	world_run(w, SIM_TIME_NEVER);
	if (trace) {
		/* The run is not over until its rows are in the file. */
		if (db_run_end(trace_run, &res, &err) != 0) {
			fprintf(stderr, "bench_db_trace: %s\n", err.de_msg);
			exit(1);
		}
	}
	t1 = bench_cpu_now_ns();
	sync_hooks = NULL;
	trace_run = NULL;
	if (db != NULL) {
		db_close(db);
		remove(path);
		snprintf(path + strlen(path), 8, "-wal");
		remove(path);
	}
	host_enter(h);
	mutex_destroy(&locks[0]);
	mutex_destroy(&locks[1]);
	host_leave(h);
	world_destroy(w);
	return (double)(t1 - t0) * 1e-9;
}

int
main(int argc, char **argv)
{
	double off[RUNS], full[RUNS], ratio[RUNS];
	uint64_t nrows = 0;
	int k;

	if (argc > 1 && !bench_opt_u64(argv[1], "pairs", &pairs)) {
		fprintf(stderr, "usage: bench_db_trace [--pairs=N]\n");
		return 2;
	}
	for (k = 0; k < RUNS; k++) {
		off[k] = run(0);
		full[k] = run(1);
		nrows = rows;
		ratio[k] = full[k] / off[k];
	}
	bench_figure("db_trace_off_s", bench_median(off, RUNS), "cpu-s", RUNS);
	bench_figure("db_trace_full_s", bench_median(full, RUNS), "cpu-s",
	    RUNS);
	bench_figure("db_trace_slowdown", bench_median(ratio, RUNS), "x", RUNS);
	bench_figure("db_trace_rows", (double)nrows, "rows", RUNS);
	return 0;
}
