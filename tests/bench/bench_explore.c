/*
 * Exploration throughput and checker overheads, measured on build/knit
 * and build/knit-race as a user runs them (one process, -j 1):
 *
 *   explore_<scenario>_runs_per_cpu_s   runs per CPU-second (per core)
 *   explore_unix_storm_empty_runs_per_cpu_s
 *                                       the same with no connection
 *                                       (-D conns=0): a run's fixed
 *                                       cost (Lua state, world, hosts,
 *                                       processes, teardown)
 *   race_overhead_<scenario>            CPU time with --race over the
 *                                       same build without it
 *   race_build_overhead_<scenario>      knit-race --race over plain knit
 *   lockorder_overhead_<scenario>       with the lock-order checker over
 *                                       --no-lockorder
 *   explore_<scenario>_nomemcheck_runs_per_cpu_s
 *                                       runs per CPU-second with
 *                                       --no-memcheck (recycled, not
 *                                       poisoned, kernel memory)
 *   memcheck_overhead_<scenario>        with the memory checker over
 *                                       --no-memcheck
 *
 * CPU time (user + system of the child) rather than wall time, so that
 * a loaded machine does not distort the figures.  Each figure is the
 * median of REPS measurements.  Run from the top of the tree.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define REPS	3

static double
median_cpu(const char *const *argv)
{
	double v[REPS];

	for (int i = 0; i < REPS; i++)
		if ((v[i] = bench_child_cpu("bench_explore", argv)) < 0)
			return -1;
	return bench_median(v, REPS);
}

static void
bench_scenario(const char *name, const char *path, const char *runs)
{
	const char *plain[] = { "build/knit", "explore", path, "--runs", runs,
	    "--no-db", "--quiet", NULL };
	const char *nolo[] = { "build/knit", "explore", path, "--runs", runs,
	    "--no-db", "--quiet", "--no-lockorder", NULL };
	const char *nomem[] = { "build/knit", "explore", path, "--runs", runs,
	    "--no-db", "--quiet", "--no-memcheck", NULL };
	const char *rbuild[] = { "build/knit-race", "explore", path, "--runs",
	    runs, "--no-db", "--quiet", NULL };
	const char *race[] = { "build/knit-race", "explore", path, "--runs",
	    runs, "--no-db", "--quiet", "--race", NULL };
	double t_plain, t_nolo, t_nomem, t_rbuild, t_race, n = atof(runs);
	char fig[128];

	if (access(path, R_OK) != 0) {
		fprintf(stderr, "bench_explore: %s missing, skipped\n", path);
		return;
	}
	if ((t_plain = median_cpu(plain)) < 0) {
		fprintf(stderr, "bench_explore: %s does not run in this build "
		    "(knit explore exits 2), skipped\n", path);
		return;
	}
	t_nolo = median_cpu(nolo);
	t_nomem = median_cpu(nomem);
	t_rbuild = median_cpu(rbuild);
	t_race = median_cpu(race);
	snprintf(fig, sizeof(fig), "explore_%s_runs_per_cpu_s", name);
	bench_figure(fig, n / t_plain, "runs/s", REPS);
	snprintf(fig, sizeof(fig), "lockorder_overhead_%s", name);
	bench_figure(fig, t_plain / t_nolo, "x", REPS);
	snprintf(fig, sizeof(fig), "explore_%s_nomemcheck_runs_per_cpu_s",
	    name);
	bench_figure(fig, n / t_nomem, "runs/s", REPS);
	snprintf(fig, sizeof(fig), "memcheck_overhead_%s", name);
	bench_figure(fig, t_plain / t_nomem, "x", REPS);
	snprintf(fig, sizeof(fig), "race_overhead_%s", name);
	bench_figure(fig, t_race / t_rbuild, "x", REPS);
	snprintf(fig, sizeof(fig), "race_build_overhead_%s", name);
	bench_figure(fig, t_race / t_plain, "x", REPS);
}

int
main(int argc, char **argv)
{
	uint64_t runs = 200;
	char rbuf[32], kbuf[32];

	for (int i = 1; i < argc; i++)
		if (!bench_opt_u64(argv[i], "runs", &runs)) {
			fprintf(stderr, "usage: bench_explore [--runs=N]\n");
			return 2;
		}
	snprintf(rbuf, sizeof(rbuf), "%llu", (unsigned long long)runs);
	bench_scenario("unix_storm", "scenarios/unix_storm.lua", rbuf);
	{
		const char *empty[] = { "build/knit", "explore",
		    "scenarios/unix_storm.lua", "--runs", rbuf, "--no-db",
		    "--quiet", "-D", "conns=0", NULL };
		double t = median_cpu(empty);

		if (t > 0)
			bench_figure("explore_unix_storm_empty_runs_per_cpu_s",
			    (double)runs / t, "runs/s", REPS);
	}
	/*
	 * kern3508.lua runs its three topologies (one per invalidation
	 * policy) for ~3.5 s of virtual time each run: a tenth of the runs.
	 */
	snprintf(kbuf, sizeof(kbuf), "%llu",
	    (unsigned long long)(runs >= 10 ? runs / 10 : 1));
	bench_scenario("kern3508", "scenarios/kern3508.lua", kbuf);
	return 0;
}
