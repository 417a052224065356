/*
 * bench_trace_slowdown: what --trace full costs a `knit run' as a user
 * sees it (issue 8: "full-trace logging must not slow a run by more
 * than 2x").  For each shipped scenario, build/knit run SCENARIO --db F
 * --quiet with --trace off and with --trace full, alternately, into a
 * fresh database file each time (the schema is created in both: the
 * only difference is the trace):
 *
 *	figure trace_full_slowdown_<scenario>	median wall time of full over
 *						median wall time of off
 *	figure trace_full_cpu_slowdown_<scenario> the same for CPU time
 *						(user + system of the process,
 *						both its threads)
 *	figure trace_off_ms_<scenario>		median wall ms, --trace off
 *	figure trace_full_ms_<scenario>		median wall ms, --trace full
 *
 * Wall time is what the issue asks for; on a shared machine only the
 * CPU figures are stable.  Run from the top of the tree.
 *
 *	bench_trace_slowdown [--runs=N] [--knit=PATH] [SCENARIO.lua ...]
 *
 * --knit compares another build (default build/knit).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAXRUNS	31

static const char *const shipped[] = {
	"scenarios/unix_storm.lua", "scenarios/kern3508.lua",
	"scenarios/route_flap.lua", "scenarios/fragments.lua",
	"scenarios/race_route_delete.lua", "scenarios/sockaddr_pool.lua",
};

static char dbpath[256];
static const char *knit = "build/knit";

static void
db_remove(void)
{
	char p[300];

	remove(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	remove(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	remove(p);
}

/*
 * One `knit run' into a fresh file: wall and CPU seconds.  Returns -1
 * if the scenario does not run in this build (exit status 2).
 */
static int
run_once(const char *scenario, const char *level, double *wall, double *cpu)
{
	const char *argv[] = { knit, "run", scenario, "--db", dbpath,
	    "--trace", level, "--quiet", NULL };
	uint64_t t0;
	double c;

	db_remove();
	t0 = bench_now_ns();
	c = bench_child_cpu("bench_trace_slowdown", argv);
	*wall = (double)(bench_now_ns() - t0) * 1e-9;
	db_remove();
	if (c < 0)
		return -1;
	*cpu = c;
	return 0;
}

/* "scenarios/route_flap.lua" -> "route_flap" */
static void
scenario_name(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b != NULL ? b + 1 : path;
	n = strcspn(b, ".");
	if (n >= len)
		n = len - 1;
	memcpy(out, b, n);
	out[n] = '\0';
}

static void
bench_scenario(const char *path, int runs)
{
	double woff[MAXRUNS], wfull[MAXRUNS], coff[MAXRUNS], cfull[MAXRUNS];
	double mwoff, mwfull, mcoff, mcfull;
	char name[64], fig[128];
	int k;

	if (access(path, R_OK) != 0) {
		fprintf(stderr, "bench_trace_slowdown: %s missing, skipped\n",
		    path);
		return;
	}
	scenario_name(path, name, sizeof(name));
	/* Alternate, so that a change of load hits both alike. */
	for (k = 0; k < runs; k++) {
		if (run_once(path, "off", &woff[k], &coff[k]) != 0) {
			fprintf(stderr, "bench_trace_slowdown: %s does not run "
			    "in this build, skipped\n", path);
			return;
		}
		run_once(path, "full", &wfull[k], &cfull[k]);
	}
	mwoff = bench_median(woff, runs);
	mwfull = bench_median(wfull, runs);
	mcoff = bench_median(coff, runs);
	mcfull = bench_median(cfull, runs);
	snprintf(fig, sizeof(fig), "trace_full_slowdown_%s", name);
	bench_figure(fig, mwfull / mwoff, "x", runs);
	snprintf(fig, sizeof(fig), "trace_full_cpu_slowdown_%s", name);
	bench_figure(fig, mcfull / mcoff, "x", runs);
	snprintf(fig, sizeof(fig), "trace_off_ms_%s", name);
	bench_figure(fig, mwoff * 1e3, "ms", runs);
	snprintf(fig, sizeof(fig), "trace_full_ms_%s", name);
	bench_figure(fig, mwfull * 1e3, "ms", runs);
}

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	uint64_t runs = 5;
	int i, nscen = 0;

	for (i = 1; i < argc; i++) {
		if (bench_opt_u64(argv[i], "runs", &runs))
			continue;
		if (strncmp(argv[i], "--knit=", 7) == 0) {
			knit = argv[i] + 7;
			continue;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "usage: bench_trace_slowdown [--runs=N] "
			    "[--knit=PATH] [SCENARIO.lua ...]\n");
			return 2;
		}
		nscen++;
	}
	if (runs < 1 || runs > MAXRUNS) {
		fprintf(stderr, "bench_trace_slowdown: --runs must be 1..%d\n",
		    MAXRUNS);
		return 2;
	}
	if (access(knit, X_OK) != 0) {
		fprintf(stderr, "bench_trace_slowdown: %s missing (run from "
		    "the top of the tree)\n", knit);
		return 1;
	}
	snprintf(dbpath, sizeof(dbpath), "%s/knit-bench-slowdown-%d.db",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp", (int)getpid());
	if (nscen > 0) {
		for (i = 1; i < argc; i++)
			if (argv[i][0] != '-')
				bench_scenario(argv[i], (int)runs);
	} else {
		for (i = 0; i < (int)(sizeof(shipped) / sizeof(shipped[0]));
		    i++)
			bench_scenario(shipped[i], (int)runs);
	}
	return 0;
}
