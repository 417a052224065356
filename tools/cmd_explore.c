/*
 * knit explore: run a scenario many times under an exploration strategy,
 * group the failures by signature, record them, and say how to replay
 * each.  knit minimize: shrink a recorded failing run's schedule.
 *
 * Every run is one kn_run() with its own seed (base + run number) and
 * the strategy's parameters; the campaign machinery (sim/explore/
 * campaign.h) spreads runs over worker processes and consumes results
 * in run order, so the outcome does not depend on -j.  Failing runs are
 * recorded in the database by the parent, in run order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"
#include "check/checkers.h"
#include "cpu/machine.h"
#include "explore/campaign.h"
#include "explore/dfs.h"
#include "explore/minimize.h"
#include "explore/pct.h"
#include "explore/signature.h"
#include "explore/strategies.h"
#include "record/db.h"
#include "record/schedule.h"

#include "knit.h"
#include "run.h"

#define PCT_CALIBRATION_RUNS	5
#define MINIMIZE_BUDGET		400

const char cmd_explore_help[] =
    "usage: knit explore SCENARIO.lua [options]\n"
    "\n"
    "Run the scenario many times, each run with its own seed (BASE + run\n"
    "number) under an exploration strategy, and report the distinct\n"
    "failures (violations and failed expectations, grouped by kind and\n"
    "stack), each with the command that replays it.\n"
    "\n"
    "  --strategy S       random (default), pct or dfs\n"
    "  --runs N           number of runs (default 1000; dfs: at most N)\n"
    "  --time DURATION    stop after this much wall time (\"30s\", \"2m\");\n"
    "                     the campaign is then the runs finished in time\n"
    "  --depth D          pct: bug depth (default 3)\n"
    "  --preemptions K    dfs: pre-emption bound (default 2)\n"
    "  --window NS        race window: how far apart CPU clocks may be\n"
    "                     and still be reordered (\"1us\"; default: any)\n"
    "  -j N               worker processes (default 1; dfs runs in one)\n"
    "  --shard I/N        run only the runs r with r %% N == I - 1\n"
    "  --seed BASE        seed of run 0 (default 1)\n"
    "  --db FILE          record runs in FILE (default knit.db)\n"
    "  --record WHAT      failures (default): only failing runs; all: every\n"
    "                     run, passing ones too (to compare campaigns)\n"
    "  --no-db            record nothing\n"
    "  --stop-on-first    stop at the first failing run\n"
    "  --minimize         shrink each failure's schedule to the fewest\n"
    "                     deviations from the default strategy\n"
    "  --race             race detection; it needs the race build of the\n"
    "                     stack: build/knit runs build/knit-race (beside\n"
    "                     it) with the same arguments\n"
    "  --race-points      with --race: instrumented accesses are\n"
    "                     scheduling points\n"
    "  --no-lockorder     no lock-order checking (to measure its cost)\n"
    "  --no-memcheck      no memory checker: freed kernel memory is\n"
    "                     recycled, not poisoned (faster; a use after\n"
    "                     free goes unreported, leaks do not)\n"
    "  -D NAME=VALUE      scenario parameter (knit.param)\n"
    "  --quiet            no progress line and only the summary table\n"
    "\n"
    "exit status: 0 no failure found; 1 at least one failure; 2 usage or\n"
    "scenario error.\n";

const char cmd_minimize_help[] =
    "usage: knit minimize DB --run ID [--budget RUNS]\n"
    "\n"
    "Shrink the schedule of a recorded failing run to the fewest\n"
    "deviations from the default strategy that still fail with the same\n"
    "signature, record the result as a new run and print how to replay\n"
    "it.  exit status: 0 minimised, 1 the run does not fail any more,\n"
    "2 usage error.\n";

struct explore {
	const char	*x_scenario;
	char		*x_text;
	size_t		 x_textlen;
	struct kn_define *x_defs;
	size_t		 x_ndefs;
	const char	*x_strategy;	/* for the current campaign step */
	uint64_t	 x_window;
	bool		 x_race, x_race_points, x_no_lockorder;
	bool		 x_no_memcheck;
	uint32_t	 x_depth;
	uint64_t	 x_k;
	struct dfs	*x_dfs;
	bool		 x_dfs_done;
	/* recording */
	struct db	*x_db;
	const char	*x_dbpath;
	bool		 x_record_all;	/* --record all: passing runs too */
	char		 x_campaign[64];
	char		 x_shard[32];
	struct xcampaign *x_camp;
	/* the run being done in this process */
	struct xrun_out	*x_out;
	const struct schedule *x_replay;
};

static void
collect_violations(struct xrun_out *o, struct world *w,
    const struct kn_result *r)
{
	size_t i;

	for (i = 0; i < world_nviolations(w); i++) {
		const struct violation *v = world_violation(w, i);
		const char *kind = db_violation_kind_name((int)v->v_kind);
		char *sig = xsignature(kind, v->v_message, v->v_stack);

		xrun_add_violation(o, kind, sig, v->v_message, v->v_stack);
		free(sig);
	}
	for (i = 0; i < r->r_nfailures; i++) {
		char *sig = xsignature("expectation", r->r_failures[i].f_text,
		    NULL);

		xrun_add_violation(o, "expectation", sig,
		    r->r_failures[i].f_text, NULL);
		free(sig);
	}
}

/* o_finish of every explored run: the world is still alive. */
static void
explore_finish(void *arg, struct world *w, const struct kn_result *r)
{
	struct explore *x = arg;
	struct xrun_out *o = x->x_out;

	o->ro_hash = r->r_hash;
	o->ro_vtime = r->r_vtime;
	o->ro_events = r->r_events;
	o->ro_nlwps = w->w_nextgid;
	o->ro_ndecisions = w->w_decisions;
	collect_violations(o, w, r);
	o->ro_lockorder = check_world_end_edges(w);
	/*
	 * The schedule is wanted only for a failure: the run's own, or a
	 * lock-order cycle its new edges close in the campaign graph (no
	 * new edges, no new cycle).  Thousands of choices per run: not
	 * formatted for the runs that pass, unless every run is recorded
	 * (--record all: each recorded run replays).
	 */
	if (r->r_status != KN_PASS || o->ro_nviols > 0 ||
	    o->ro_lockorder != NULL || x->x_record_all)
		o->ro_schedule = schedule_to_text(world_schedule(w));
}

static void
explore_opts(struct explore *x, struct kn_opts *ko, uint64_t seed,
    const char *strategy)
{
	memset(ko, 0, sizeof(*ko));
	ko->o_scenario = x->x_scenario;
	ko->o_text = x->x_text;
	ko->o_textlen = x->x_textlen;
	ko->o_defs = x->x_defs;
	ko->o_ndefs = x->x_ndefs;
	ko->o_seed = seed;
	ko->o_strategy = strategy;
	ko->o_quiet = true;
	ko->o_race_window = x->x_window;
	ko->o_race = x->x_race;
	ko->o_race_points = x->x_race_points;
	ko->o_no_lockorder = x->x_no_lockorder;
	ko->o_no_memcheck = x->x_no_memcheck;
	ko->o_no_lookahead = true;	/* explore offers every choice */
	ko->o_replay = x->x_replay;
	ko->o_finish = explore_finish;
	ko->o_finish_arg = x;
}

/* The campaign's run function (in a worker or in-process). */
static int
explore_run(void *arg, uint64_t run, uint64_t seed, struct xrun_out *o)
{
	struct explore *x = arg;
	struct kn_opts ko;
	struct kn_result r;

	(void)run;
	xstrategy.xs_depth = x->x_depth;
	xstrategy.xs_k = x->x_k;
	xstrategy.xs_dfs = x->x_dfs;
	if (x->x_dfs != NULL)
		dfs_run_begin(x->x_dfs);
	explore_opts(x, &ko, seed, x->x_strategy);
	x->x_out = o;
	memset(&r, 0, sizeof(r));
	kn_run(&ko, &r);
	x->x_out = NULL;
	o->ro_status = r.r_status == KN_PASS ? XRUN_PASS :
	    r.r_status == KN_FAIL ? XRUN_FAIL : XRUN_ERROR;
	if (r.r_status == KN_ERROR)
		o->ro_error = strdup(r.r_error != NULL ? r.r_error :
		    "scenario error");
	kn_result_fini(&r);
	if (x->x_dfs != NULL && !dfs_run_end(x->x_dfs))
		x->x_dfs_done = true;
	return 0;
}

static const char *
params_text(const struct explore *x, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < x->x_ndefs && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s-D %s=%s",
		    n ? " " : "", x->x_defs[i].d_name, x->x_defs[i].d_value);
	if (x->x_window != 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n,
		    "%s--race-window %" PRIu64 "ns", n ? " " : "",
		    x->x_window);
	if (x->x_race && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s--race%s",
		    n ? " " : "", x->x_race_points ? " --race-points" : "");
	return buf;
}

/*
 * co_done: record each run that failed or that completed a campaign
 * finding (a lock-order cycle across runs), or every run with --record
 * all, in run order, and remember the database id of each failure
 * group's first run.
 */
static void
explore_done(void *arg, uint64_t run, uint64_t seed, const struct xrun_out *o)
{
	struct explore *x = arg;
	struct xcampaign *c = x->x_camp;
	struct db_run_info ri;
	struct db_run_result rr;
	struct db_run *dr;
	struct db_err err;
	struct schedule s;
	char hash[24], params[1024], serr[128];
	bool fresh = false;
	int64_t id;

	for (size_t i = 0; i < c->xc_nfails; i++)
		if (c->xc_fails[i].xf_first_run == run &&
		    c->xc_fails[i].xf_db_run == 0)
			fresh = true;
	if (x->x_db == NULL || (o->ro_nviols == 0 && !fresh &&
	    !x->x_record_all))
		return;
	memset(&ri, 0, sizeof(ri));
	snprintf(hash, sizeof(hash), "%016" PRIx64,
	    kn_text_hash(x->x_text, x->x_textlen));
	ri.ri_scenario = x->x_scenario;
	ri.ri_scenario_hash = hash;
	ri.ri_seed = seed;
	ri.ri_strategy = x->x_strategy;
	ri.ri_params = params_text(x, params, sizeof(params));
	ri.ri_campaign = x->x_campaign;
	ri.ri_shard = x->x_shard[0] != '\0' ? x->x_shard : NULL;
	ri.ri_trace = DB_TRACE_OFF;
	if ((dr = db_run_begin(x->x_db, &ri, &err)) == NULL) {
		fprintf(stderr, "knit explore: %s\n", err.de_msg);
		return;
	}
	id = db_run_id(dr);
	schedule_init(&s);
	if (o->ro_schedule != NULL &&
	    schedule_from_text(&s, o->ro_schedule, serr, sizeof(serr)) == 0)
		db_schedule_save(dr, &s);
	schedule_fini(&s);
	for (size_t i = 0; i < o->ro_nviols; i++)
		db_violation(dr, o->ro_viols[i].xv_kind, o->ro_vtime, NULL, -1,
		    -1, o->ro_viols[i].xv_message, o->ro_viols[i].xv_stack,
		    NULL);
	for (size_t i = 0; i < c->xc_nfails; i++) {
		struct xfailure *f = &c->xc_fails[i];
		bool own = false;

		if (f->xf_first_run != run || f->xf_db_run != 0)
			continue;
		f->xf_db_run = id;
		for (size_t j = 0; j < o->ro_nviols; j++)
			if (strcmp(o->ro_viols[j].xv_signature,
			    f->xf_signature) == 0)
				own = true;
		if (!own)	/* a campaign finding: record it here */
			db_violation(dr, f->xf_kind, o->ro_vtime, NULL, -1, -1,
			    f->xf_signature, f->xf_message, NULL);
	}
	memset(&rr, 0, sizeof(rr));
	rr.rr_verdict = o->ro_nviols != 0 || fresh ? DB_VERDICT_FAIL :
	    o->ro_status == XRUN_ERROR ? DB_VERDICT_ERROR :
	    o->ro_status == XRUN_FAIL ? DB_VERDICT_FAIL : DB_VERDICT_PASS;
	rr.rr_virtual_ns = o->ro_vtime;
	rr.rr_events = o->ro_events;
	rr.rr_trace_hash = o->ro_hash;
	if (db_run_end(dr, &rr, &err) != 0)
		fprintf(stderr, "knit explore: %s\n", err.de_msg);
}

static int
add_define(struct explore *x, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct kn_define *nd;

	if (eq == NULL || eq == arg) {
		knit_usage_error("explore", "-D '%s': expected NAME=VALUE",
		    arg);
		return -1;
	}
	nd = realloc(x->x_defs, (x->x_ndefs + 1) * sizeof(*nd));
	if (nd == NULL)
		return -1;
	x->x_defs = nd;
	nd = &x->x_defs[x->x_ndefs++];
	memset(nd, 0, sizeof(*nd));
	nd->d_name = strndup(arg, (size_t)(eq - arg));
	nd->d_value = strdup(eq + 1);
	return 0;
}

/* ---- minimisation ------------------------------------------------------ */

struct minctx {
	struct explore	*m_x;
	uint64_t	 m_seed;
	const char	*m_sig;
	char		*m_schedule;	/* of the last run that failed */
	uint64_t	 m_hash;
};

/* One guided run; true when it failed with m_sig. */
static bool
min_run(struct minctx *m, const struct xdevs *guide,
    const struct schedule *replay, struct xdevs *actual)
{
	struct explore *x = m->m_x;
	struct xrun_out o;
	struct kn_opts ko;
	struct kn_result r;
	bool hit = false;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	xstrategy.xs_guide = guide;
	xstrategy.xs_replay = replay;
	explore_opts(x, &ko, m->m_seed, "guided");
	ko.o_replay = NULL;
	x->x_out = &o;
	kn_run(&ko, &r);
	x->x_out = NULL;
	for (size_t i = 0; i < o.ro_nviols; i++)
		if (strcmp(o.ro_viols[i].xv_signature, m->m_sig) == 0)
			hit = true;
	if (actual != NULL)
		xdevs_copy(actual, &xstrategy.xs_guided.g_actual);
	if (hit) {
		free(m->m_schedule);
		m->m_schedule = o.ro_schedule;
		o.ro_schedule = NULL;
		m->m_hash = o.ro_hash;
	}
	xstrategy.xs_guide = NULL;
	xstrategy.xs_replay = NULL;
	xrun_out_fini(&o);
	kn_result_fini(&r);
	return hit;
}

static bool
min_try(void *arg, const struct xdevs *try, struct xdevs *actual)
{
	return min_run(arg, try, NULL, actual);
}

/*
 * Minimise a failing run given by seed and schedule text.  Returns 0 and
 * fills the result (and m->m_schedule: the minimised run's schedule), or
 * -1 when the failure does not reproduce.
 */
static int
minimize_failure(struct explore *x, uint64_t seed, const char *sched_text,
    const char *sig, uint64_t budget, struct xmin_result *res,
    struct minctx *m)
{
	struct schedule s;
	struct xdevs start;
	char err[128];
	int rc;

	memset(m, 0, sizeof(*m));
	m->m_x = x;
	m->m_seed = seed;
	m->m_sig = sig;
	schedule_init(&s);
	if (sched_text == NULL ||
	    schedule_from_text(&s, sched_text, err, sizeof(err)) != 0) {
		schedule_fini(&s);
		return -1;
	}
	memset(&start, 0, sizeof(start));
	if (!min_run(m, NULL, &s, &start)) {
		schedule_fini(&s);
		xdevs_fini(&start);
		return -1;
	}
	schedule_fini(&s);
	rc = xminimize(&start, min_try, m, budget, res);
	xdevs_fini(&start);
	/* Leave m_schedule describing the result. */
	if (rc == 0 && !min_run(m, &res->mr_devs, NULL, NULL))
		rc = -1;
	return rc;
}

/* Record a run given by its schedule text; returns its id or 0. */
static int64_t
record_run(struct explore *x, uint64_t seed, const char *strategy,
    const char *sched, uint64_t trace_hash, const char *kind, const char *sig,
    const char *note, int64_t of)
{
	struct db_run_info ri;
	struct db_run_result rr;
	struct db_run *dr;
	struct db_err err;
	struct schedule s;
	char hash[24], params[1024], serr[128];
	int64_t id;

	if (x->x_db == NULL)
		return 0;
	memset(&ri, 0, sizeof(ri));
	snprintf(hash, sizeof(hash), "%016" PRIx64,
	    kn_text_hash(x->x_text, x->x_textlen));
	ri.ri_scenario = x->x_scenario;
	ri.ri_scenario_hash = hash;
	ri.ri_seed = seed;
	ri.ri_strategy = strategy;
	ri.ri_params = params_text(x, params, sizeof(params));
	ri.ri_campaign = x->x_campaign[0] != '\0' ? x->x_campaign : NULL;
	ri.ri_replay_of = of;
	if ((dr = db_run_begin(x->x_db, &ri, &err)) == NULL) {
		fprintf(stderr, "knit: %s\n", err.de_msg);
		return 0;
	}
	id = db_run_id(dr);
	schedule_init(&s);
	if (sched != NULL &&
	    schedule_from_text(&s, sched, serr, sizeof(serr)) == 0)
		db_schedule_save(dr, &s);
	schedule_fini(&s);
	db_violation(dr, kind, 0, NULL, -1, -1, sig, note, NULL);
	memset(&rr, 0, sizeof(rr));
	rr.rr_verdict = DB_VERDICT_FAIL;
	rr.rr_trace_hash = trace_hash;
	if (db_run_end(dr, &rr, &err) != 0) {
		fprintf(stderr, "knit: %s\n", err.de_msg);
		return 0;
	}
	return id;
}

/* ---- knit explore ------------------------------------------------------- */

enum {
	OPT_STRATEGY = 256, OPT_RUNS, OPT_TIME, OPT_DEPTH, OPT_PREEMPT,
	OPT_WINDOW, OPT_SHARD, OPT_SEED, OPT_DB, OPT_NODB, OPT_RECORD, OPT_STOP,
	OPT_MINIMIZE, OPT_RACE, OPT_RACE_POINTS, OPT_QUIET, OPT_RUN,
	OPT_BUDGET, OPT_NO_LOCKORDER, OPT_NO_MEMCHECK,
};

static const struct option explore_longopts[] = {
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "depth", required_argument, NULL, OPT_DEPTH },
	{ "preemptions", required_argument, NULL, OPT_PREEMPT },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "db", required_argument, NULL, OPT_DB },
	{ "no-db", no_argument, NULL, OPT_NODB },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "stop-on-first", no_argument, NULL, OPT_STOP },
	{ "minimize", no_argument, NULL, OPT_MINIMIZE },
	{ "race", no_argument, NULL, OPT_RACE },
	{ "race-points", no_argument, NULL, OPT_RACE_POINTS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "no-lockorder", no_argument, NULL, OPT_NO_LOCKORDER },
	{ "no-memcheck", no_argument, NULL, OPT_NO_MEMCHECK },
	{ NULL, 0, NULL, 0 }
};

static bool
parse_u64_opt(const char *opt, const char *arg, uint64_t *v, uint64_t min)
{
	if (!knit_parse_u64(arg, v) || *v < min) {
		knit_usage_error("explore", "%s '%s': expected an integer >= "
		    "%" PRIu64, opt, arg, min);
		return false;
	}
	return true;
}

static void
explore_fini(struct explore *x)
{
	for (size_t i = 0; i < x->x_ndefs; i++) {
		free(x->x_defs[i].d_name);
		free(x->x_defs[i].d_value);
	}
	free(x->x_defs);
	free(x->x_text);
	if (x->x_db != NULL)
		db_close(x->x_db);
	dfs_destroy(x->x_dfs);
}

static int
read_text(struct explore *x)
{
	struct knit_run_args a;

	memset(&a, 0, sizeof(a));
	a.a_opts.o_scenario = x->x_scenario;
	if (knit_read_scenario(&a) != 0)
		return -1;
	x->x_text = a.a_text;
	x->x_textlen = a.a_opts.o_textlen;
	return 0;
}

/*
 * A lock-order cycle, or an interrupt-unsafe lock (an interrupt spinning
 * over the holder it cut), is a deadlock in some schedule.  Look for one: a
 * deadlock the campaign already hit, else up to DEADLOCK_SEARCH_RUNS
 * runs with fresh seeds, alternating random and pct (depth 2: one badly
 * placed switch is the classic AB-BA deadlock).
 */
#define DEADLOCK_SEARCH_RUNS	200

static bool
deadlock_of(const struct xrun_out *o)
{
	for (size_t i = 0; i < o->ro_nviols; i++)
		if (strcmp(o->ro_viols[i].xv_kind, "deadlock") == 0)
			return true;
	return false;
}

static void
deadlock_search(struct explore *x, const struct xcampaign *c,
    const struct xfailure *f)
{
	const char *saved = x->x_strategy;
	struct xcampaign *savedc = x->x_camp;
	struct dfs *saveddfs = x->x_dfs;
	uint32_t saveddepth = x->x_depth;
	uint64_t base = f->xf_first_seed + UINT64_C(1000000);

	for (size_t i = 0; i < c->xc_nfails; i++) {
		const struct xfailure *g = &c->xc_fails[i];

		if (strcmp(g->xf_kind, "deadlock") != 0)
			continue;
		printf("      deadlock schedule: run %" PRIu64 " (seed %" PRIu64
		    ") deadlocked (#%zu)\n", g->xf_first_run,
		    g->xf_first_seed, i + 1);
		return;
	}
	x->x_dfs = NULL;
	x->x_depth = 2;
	if (x->x_k == 0)
		x->x_k = c->xc_max_decisions > 0 ? c->xc_max_decisions : 100;
	for (uint64_t r = 0; r < DEADLOCK_SEARCH_RUNS; r++) {
		struct xrun_out o;

		x->x_strategy = r % 2 == 0 ? "random" : "pct";
		memset(&o, 0, sizeof(o));
		(void)explore_run(x, r, base + r, &o);
		if (deadlock_of(&o)) {
			int64_t id = record_run(x, base + r, x->x_strategy,
			    o.ro_schedule, o.ro_hash, "deadlock",
			    f->xf_signature, "deadlock of a lock-order report",
			    f->xf_db_run);

			printf("      deadlock schedule: found by %s at seed %"
			    PRIu64 " after %" PRIu64 " runs; ", x->x_strategy,
			    base + r, r + 1);
			if (id != 0)
				printf("replay: knit replay %s --run %" PRId64
				    "\n", x->x_dbpath, id);
			else
				printf("rerun: knit explore %s --strategy %s "
				    "--seed %" PRIu64 " --runs 1\n",
				    x->x_scenario, x->x_strategy, base + r);
			xrun_out_fini(&o);
			goto out;
		}
		xrun_out_fini(&o);
	}
	printf("      deadlock schedule: none in %d pct runs (the cycle may "
	    "need more, or be guarded otherwise)\n", DEADLOCK_SEARCH_RUNS);
out:
	x->x_strategy = saved;
	x->x_camp = savedc;
	x->x_dfs = saveddfs;
	x->x_depth = saveddepth;
}

static void
print_summary(const struct explore *x, const struct xcampaign *c,
    bool minimize, uint64_t budget)
{
	printf("knit explore: %s: %" PRIu64 " runs (%s) in %.2fs, %.0f runs/s,"
	    " %zu distinct failure%s%s\n", x->x_scenario, c->xc_runs,
	    x->x_strategy, c->xc_wall_s, c->xc_wall_s > 0 ?
	    (double)c->xc_runs / c->xc_wall_s : 0.0, c->xc_nfails,
	    c->xc_nfails == 1 ? "" : "s", c->xc_stopped ? " (stopped early)" :
	    "");
	if (c->xc_errors > 0)
		printf("  %" PRIu64 " run%s could not run: %s\n", c->xc_errors,
		    c->xc_errors == 1 ? "" : "s", c->xc_first_error);
	if (c->xc_nfails == 0)
		return;
	printf("  %-3s %-12s %6s %9s %10s  %s\n", "#", "kind", "runs",
	    "first run", "seed", "signature");
	for (size_t i = 0; i < c->xc_nfails; i++) {
		const struct xfailure *f = &c->xc_fails[i];

		printf("  %-3zu %-12s %6" PRIu64 " %9" PRIu64 " %10" PRIu64
		    "  %s\n", i + 1, f->xf_kind, f->xf_count, f->xf_first_run,
		    f->xf_first_seed, f->xf_signature);
		if (f->xf_db_run != 0)
			printf("      replay: knit replay %s --run %" PRId64 "\n",
			    x->x_dbpath, f->xf_db_run);
		else
			printf("      rerun:  knit explore %s --strategy %s "
			    "--seed %" PRIu64 " --runs 1 (with the same "
			    "options)\n", x->x_scenario, x->x_strategy,
			    f->xf_first_seed);
		if (strcmp(f->xf_kind, "lock_order") == 0 &&
		    (strncmp(f->xf_signature, "lock order", 10) == 0 ||
		    strncmp(f->xf_signature, "interrupt-unsafe", 16) == 0))
			deadlock_search((struct explore *)x, c, f);
		if (minimize && strcmp(f->xf_kind, "lock_order") != 0) {
			struct xmin_result res;
			struct minctx m;

			if (minimize_failure((struct explore *)x,
			    f->xf_first_seed, f->xf_schedule,
			    f->xf_signature, budget, &res, &m) != 0) {
				printf("      minimise: the failure does not "
				    "reproduce under guided replay\n");
				free(m.m_schedule);
				continue;
			}
			printf("      minimised: %zu deviation%s (%zu "
			    "pre-emption%s), was %zu; %" PRIu64 " runs%s\n",
			    res.mr_devs.xs_len, res.mr_devs.xs_len == 1 ? "" :
			    "s", xdevs_preemptions(&res.mr_devs),
			    xdevs_preemptions(&res.mr_devs) == 1 ? "" : "s",
			    res.mr_initial, res.mr_runs, res.mr_minimal ? "" :
			    " (budget spent)");
			{
				int64_t id = record_run((struct explore *)x,
				    f->xf_first_seed, "guided", m.m_schedule,
				    m.m_hash, f->xf_kind, f->xf_signature,
				    "minimised schedule", f->xf_db_run);

				if (id != 0)
					printf("      replay minimised: knit "
					    "replay %s --run %" PRId64 "\n"
					    "      as a regression scenario: "
					    "knit replay %s --run %" PRId64
					    " --emit-lua FILE.lua\n",
					    x->x_dbpath, id, x->x_dbpath, id);
			}
			free(m.m_schedule);
			xmin_result_fini(&res);
		}
	}
}

int
cmd_explore(int argc, char **argv)
{
	struct explore x;
	struct xcampaign c;
	struct xcampaign_opts co;
	uint64_t runs = 1000, depth = 3, preempt = 2, v;
	double time_s = 0;
	bool stop = false, minimize = false, quiet = false, runs_given = false;
	int jobs = 1, ch, rc = KNIT_EXIT_USAGE;
	uint32_t shard_i = 0, shard_n = 0;
	uint64_t seed = 1;
	char err[256];

	memset(&x, 0, sizeof(x));
	x.x_strategy = "random";
	x.x_dbpath = "knit.db";
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "D:j:", explore_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'D':
			if (add_define(&x, optarg) != 0)
				goto out;
			break;
		case 'j':
			if (!parse_u64_opt("-j", optarg, &v, 1))
				goto out;
			if (v > 256) {
				knit_usage_error("explore", "-j %s: at most "
				    "256", optarg);
				goto out;
			}
			jobs = (int)v;
			break;
		case OPT_STRATEGY:
			if (strcmp(optarg, "random") != 0 &&
			    strcmp(optarg, "pct") != 0 &&
			    strcmp(optarg, "dfs") != 0) {
				knit_usage_error("explore", "--strategy '%s': "
				    "expected random, pct or dfs", optarg);
				goto out;
			}
			x.x_strategy = optarg;
			break;
		case OPT_RUNS:
			if (!parse_u64_opt("--runs", optarg, &runs, 1))
				goto out;
			runs_given = true;
			break;
		case OPT_TIME:
			if (kn_parse_time(optarg, &v, err, sizeof(err)) != 0 ||
			    v == 0) {
				knit_usage_error("explore", "--time '%s': %s",
				    optarg, v == 0 ? "must be positive" : err);
				goto out;
			}
			time_s = (double)v / 1e9;
			break;
		case OPT_DEPTH:
			if (!parse_u64_opt("--depth", optarg, &depth, 1))
				goto out;
			if (depth > PCT_MAXDEPTH) {
				knit_usage_error("explore", "--depth %s: at "
				    "most %d", optarg, PCT_MAXDEPTH);
				goto out;
			}
			break;
		case OPT_PREEMPT:
			if (!parse_u64_opt("--preemptions", optarg, &preempt,
			    0))
				goto out;
			break;
		case OPT_WINDOW:
			if (kn_parse_time(optarg, &x.x_window, err,
			    sizeof(err)) != 0) {
				knit_usage_error("explore", "--window '%s': %s",
				    optarg, err);
				goto out;
			}
			break;
		case OPT_SHARD:
			if (sscanf(optarg, "%u/%u", &shard_i, &shard_n) != 2 ||
			    shard_n == 0 || shard_i == 0 || shard_i > shard_n) {
				knit_usage_error("explore", "--shard '%s': "
				    "expected I/N with 1 <= I <= N", optarg);
				goto out;
			}
			break;
		case OPT_SEED:
			if (!parse_u64_opt("--seed", optarg, &seed, 0))
				goto out;
			break;
		case OPT_DB:
			x.x_dbpath = optarg;
			break;
		case OPT_NODB:
			x.x_dbpath = NULL;
			break;
		case OPT_RECORD:
			if (strcmp(optarg, "all") != 0 &&
			    strcmp(optarg, "failures") != 0) {
				knit_usage_error("explore", "--record '%s': "
				    "expected all or failures", optarg);
				goto out;
			}
			x.x_record_all = optarg[0] == 'a';
			break;
		case OPT_STOP:
			stop = true;
			break;
		case OPT_MINIMIZE:
			minimize = true;
			break;
		case OPT_RACE:
			x.x_race = true;
			break;
		case OPT_RACE_POINTS:
			x.x_race_points = true;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		case OPT_NO_LOCKORDER:
			x.x_no_lockorder = true;
			break;
		case OPT_NO_MEMCHECK:
			x.x_no_memcheck = true;
			break;
		default:
			if (optopt != 0)
				knit_usage_error("explore", "option '-%c' is "
				    "unknown or needs a value", optopt);
			else
				knit_usage_error("explore", "option '%s' is "
				    "unknown or needs a value",
				    argv[optind - 1]);
			goto out;
		}
	}
	if (optind >= argc) {
		knit_usage_error("explore", "no scenario given");
		goto out;
	}
	x.x_scenario = argv[optind++];
	if (optind < argc) {
		knit_usage_error("explore", "unexpected argument '%s'",
		    argv[optind]);
		goto out;
	}
	if (x.x_race_points && !x.x_race) {
		knit_usage_error("explore", "--race-points needs --race");
		goto out;
	}
	if (x.x_race && knit_race_build("explore", "--race") != 0)
		goto out;
	if (time_s > 0 && !runs_given)
		runs = 0;			/* until the time is up */
	if (read_text(&x) != 0)
		goto out;
	if (x.x_dbpath != NULL) {
		struct db_err derr;

		if ((x.x_db = db_open(x.x_dbpath, DB_OPEN_WRITE, &derr)) ==
		    NULL) {
			fprintf(stderr, "knit explore: %s\n", derr.de_msg);
			goto out;
		}
	}
	xstrategies_register();
	snprintf(x.x_campaign, sizeof(x.x_campaign), "explore-%s-%" PRIu64,
	    x.x_strategy, seed);
	if (shard_n > 0)
		snprintf(x.x_shard, sizeof(x.x_shard), "%u/%u", shard_i,
		    shard_n);

	xcampaign_init(&c);
	x.x_camp = &c;
	memset(&co, 0, sizeof(co));
	co.co_runs = runs;
	co.co_time_s = time_s;
	co.co_jobs = jobs;
	co.co_shard_i = shard_i;
	co.co_shard_n = shard_n;
	co.co_seed_base = seed;
	co.co_stop_on_first = stop;
	co.co_progress = !quiet && isatty(STDERR_FILENO);
	co.co_done = explore_done;
	co.co_done_arg = &x;

	if (strcmp(x.x_strategy, "pct") == 0) {
		struct xcampaign cal;
		struct xcampaign_opts calo = co;
		const char *strat = x.x_strategy;
		double p;
		uint64_t need;

		/* n and k from calibration runs (random, not counted). */
		xcampaign_init(&cal);
		x.x_camp = &cal;
		x.x_strategy = "random";
		calo.co_runs = PCT_CALIBRATION_RUNS;
		calo.co_time_s = 0;
		calo.co_shard_i = calo.co_shard_n = 0;
		calo.co_stop_on_first = false;
		calo.co_progress = false;
		calo.co_done = NULL;
		calo.co_jobs = 1;
		calo.co_seed_base = seed + UINT64_C(0x5eed0000);
		(void)xcampaign_run(&cal, &calo, explore_run, &x);
		x.x_strategy = strat;
		x.x_camp = &c;
		x.x_depth = (uint32_t)depth;
		x.x_k = cal.xc_max_decisions > 0 ? cal.xc_max_decisions : 1;
		p = pct_bound(cal.xc_max_lwps, x.x_k, x.x_depth);
		need = pct_runs_for(p, 0.99);
		printf("pct: depth %u; from %d calibration runs: n = %" PRIu64
		    " LWPs, k = %" PRIu64 " scheduling decisions\n"
		    "pct: each run finds a given depth-%u bug with p >= "
		    "1/(n*k^(d-1)) = %.3g; 99%% confidence after %" PRIu64
		    " runs\n", x.x_depth, PCT_CALIBRATION_RUNS,
		    cal.xc_max_lwps, x.x_k, x.x_depth, p, need);
		xcampaign_fini(&cal);
	}
	if (strcmp(x.x_strategy, "dfs") == 0) {
		x.x_dfs = dfs_create((uint32_t)preempt);
		co.co_jobs = 1;
		co.co_shard_i = co.co_shard_n = 0;
		co.co_halt = &x.x_dfs_done;
		co.co_fixed_seed = true;
		if (jobs > 1 && !quiet)
			fprintf(stderr, "knit explore: dfs runs its schedules "
			    "in one process (-j ignored)\n");
	}
	fflush(stdout);
	if (xcampaign_run(&c, &co, explore_run, &x) != 0) {
		xcampaign_fini(&c);
		goto out;
	}
	if (x.x_dfs != NULL) {
		const struct dfs_stats *st = dfs_stats(x.x_dfs);

		printf("dfs: %" PRIu64 " schedules with at most %" PRIu64
		    " pre-emption%s; bounded space %s (%" PRIu64 " cut by the "
		    "bound, %" PRIu64 " pruned by sleep sets)\n",
		    st->ds_runs, preempt, preempt == 1 ? "" : "s",
		    st->ds_exhausted ? "exhausted" : "NOT exhausted",
		    st->ds_bounded, st->ds_slept);
	}
	if (c.xc_errors > 0 && c.xc_errors == c.xc_runs) {
		fprintf(stderr, "knit explore: %s\n", c.xc_first_error);
		xcampaign_fini(&c);
		goto out;
	}
	print_summary(&x, &c, minimize, MINIMIZE_BUDGET);
	rc = c.xc_nfails > 0 ? KNIT_EXIT_FAIL : c.xc_errors > 0 ?
	    KNIT_EXIT_USAGE : KNIT_EXIT_OK;
	xcampaign_fini(&c);
out:
	explore_fini(&x);
	return rc;
}

/* ---- knit minimize --------------------------------------------------------- */

int
cmd_minimize(int argc, char **argv)
{
	struct explore x;
	struct db_run_record rec;
	struct db_err derr;
	struct schedule s;
	struct xmin_result res;
	struct minctx m;
	struct xrun_out o;
	uint64_t id = 0, budget = MINIMIZE_BUDGET;
	char **pargv = NULL, *text = NULL, *sig = NULL;
	int ch, rc = KNIT_EXIT_USAGE;
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, OPT_RUN },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ NULL, 0, NULL, 0 }
	};

	memset(&x, 0, sizeof(x));
	memset(&rec, 0, sizeof(rec));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == OPT_RUN && knit_parse_u64(optarg, &id) && id > 0)
			continue;
		if (ch == OPT_BUDGET && knit_parse_u64(optarg, &budget) &&
		    budget > 0)
			continue;
		knit_usage_error("minimize", "bad or unknown option '%s'",
		    argv[optind - 1]);
		return KNIT_EXIT_USAGE;
	}
	if (optind + 1 != argc || id == 0) {
		knit_usage_error("minimize", "expected DB --run ID");
		return KNIT_EXIT_USAGE;
	}
	x.x_dbpath = argv[optind];
	if ((x.x_db = db_open(x.x_dbpath, DB_OPEN_WRITE, &derr)) == NULL) {
		fprintf(stderr, "knit minimize: %s\n", derr.de_msg);
		return KNIT_EXIT_USAGE;
	}
	if (db_run_load(x.x_db, (int64_t)id, &rec, &derr) != 0) {
		fprintf(stderr, "knit minimize: %s\n", derr.de_msg);
		goto out;
	}
	schedule_init(&s);
	if (db_run_record_schedule(&rec, &s, &derr) != 0) {
		fprintf(stderr, "knit minimize: run %" PRIu64 ": %s\n", id,
		    derr.de_msg);
		schedule_fini(&s);
		goto out;
	}
	text = schedule_to_text(&s);
	schedule_fini(&s);
	x.x_scenario = rec.rec_scenario;
	x.x_strategy = "guided";
	if (read_text(&x) != 0)
		goto out;
	if (rec.rec_params != NULL && knit_params_decode(rec.rec_params,
	    &pargv) >= 0) {
		for (size_t i = 0; pargv[i] != NULL; i++) {
			if (strcmp(pargv[i], "-D") == 0 && pargv[i + 1]) {
				if (add_define(&x, pargv[++i]) != 0)
					goto out;
			} else if (strcmp(pargv[i], "--race-window") == 0 &&
			    pargv[i + 1] != NULL) {
				char e[128];

				if (kn_parse_time(pargv[++i], &x.x_window, e,
				    sizeof(e)) != 0)
					goto out;
			} else if (strcmp(pargv[i], "--race") == 0) {
				x.x_race = true;
			} else if (strcmp(pargv[i], "--race-points") == 0) {
				x.x_race_points = true;
			}
		}
	}
	if (x.x_race && knit_race_build("minimize", "a run recorded "
	    "with --race") != 0)
		goto out;
	xstrategies_register();
	/* The signature to keep: the replayed run's first failure. */
	memset(&o, 0, sizeof(o));
	{
		struct kn_opts ko;
		struct kn_result r;
		struct schedule rs;
		char e[128];

		schedule_init(&rs);
		(void)schedule_from_text(&rs, text, e, sizeof(e));
		xstrategy.xs_replay = &rs;
		explore_opts(&x, &ko, rec.rec_seed, "guided");
		x.x_out = &o;
		memset(&r, 0, sizeof(r));
		kn_run(&ko, &r);
		x.x_out = NULL;
		xstrategy.xs_replay = NULL;
		schedule_fini(&rs);
		kn_result_fini(&r);
	}
	if (o.ro_nviols == 0) {
		printf("knit minimize: run %" PRIu64 " does not fail when "
		    "replayed\n", id);
		rc = KNIT_EXIT_FAIL;
		xrun_out_fini(&o);
		goto out;
	}
	sig = strdup(o.ro_viols[0].xv_signature);
	if (minimize_failure(&x, rec.rec_seed, text, sig, budget, &res,
	    &m) != 0) {
		printf("knit minimize: run %" PRIu64 " does not reproduce "
		    "under guided replay\n", id);
		rc = KNIT_EXIT_FAIL;
		xrun_out_fini(&o);
		free(m.m_schedule);
		goto out;
	}
	printf("knit minimize: run %" PRIu64 ": %s\n  %zu deviation%s (%zu "
	    "pre-emption%s), was %zu; %" PRIu64 " runs%s\n", id, sig,
	    res.mr_devs.xs_len, res.mr_devs.xs_len == 1 ? "" : "s",
	    xdevs_preemptions(&res.mr_devs),
	    xdevs_preemptions(&res.mr_devs) == 1 ? "" : "s", res.mr_initial,
	    res.mr_runs, res.mr_minimal ? "" : " (budget spent)");
	{
		int64_t nid = record_run(&x, rec.rec_seed, "guided",
		    m.m_schedule, m.m_hash, o.ro_viols[0].xv_kind, sig,
		    "minimised schedule", (int64_t)id);

		if (nid != 0)
			printf("  replay: knit replay %s --run %" PRId64 "\n",
			    x.x_dbpath, nid);
	}
	xrun_out_fini(&o);
	free(m.m_schedule);
	xmin_result_fini(&res);
	rc = KNIT_EXIT_OK;
out:
	free(sig);
	free(text);
	if (pargv != NULL)
		knit_params_free(pargv);
	db_run_record_free(&rec);
	explore_fini(&x);
	return rc;
}
