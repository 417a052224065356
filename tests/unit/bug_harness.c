/*
 * The bug-corpus harness (bug_harness.h): one run of a case, campaigns
 * and dfs searches of it with the knob on and off, the Check suite.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sys/sysctl.h"
#include "sys/systm.h"

#include "bug_harness.h"
#include "check/checkers.h"
#include "explore/dfs.h"
#include "explore/strategies.h"
#include "machine_util.h"

static const struct bug_case *bc;	/* the case of this program */
static int bug_on;			/* the knob, this search */
static const char *bug_strategy;	/* the strategy, this search */

static void
bug_host(struct host *h, bool up)
{
	char buf[16];

	host_enter(h);
	if (up) {
		ck_assert_int_eq(sysctl_byname_text(bc->bc_knob, buf,
		    sizeof(buf), bug_on ? "1" : "0"), 0);
		bc->bc_setup();
	} else
		bc->bc_teardown();
	host_leave(h);
}

static const char *
bug_kind(int kind)
{
	switch (kind) {
	case VIOL_DATA_RACE:
		return "data_race";
	case VIOL_PANIC:
		return "panic";
	default:
		return "other";
	}
}

static int
bug_run(void *arg, uint64_t run, uint64_t seed, struct xrun_out *o)
{
	struct check_config cc = { .cc_lockorder = true, .cc_race = true };
	struct host *h;
	struct world *w = mkworld(seed, bug_strategy, 2, &h);
	const char *sig;

	(void)arg;
	(void)run;
	if (bc->bc_race)
		check_world_begin(w, &cc);
	(void)world_run(w, 0);		/* boot the host (VNET_SYSINITs) */
	bug_host(h, true);
	for (int i = 0; i < 2; i++)
		host_spawn(h, bc->bc_lwps[i].bl_name, i, bc->bc_lwps[i].bl_fn,
		    bc->bc_lwps[i].bl_arg);
	o->ro_status = XRUN_PASS;
	if (world_run(w, SIM_TIME_NEVER) == WORLD_QUIESCENT) {
		bug_host(h, false);
		if (bc->bc_verdict != NULL &&
		    (sig = bc->bc_verdict()) != NULL) {
			o->ro_status = XRUN_FAIL;
			xrun_add_violation(o, "expectation", sig, sig, NULL);
		}
	} else {
		/* stopped: only by the bug's panic, when it may */
		ck_assert(bc->bc_may_stop);
		ck_assert_uint_gt(world_nviolations(w), 0);
	}
	for (size_t i = 0; i < world_nviolations(w); i++) {
		const struct violation *v = world_violation(w, i);

		sig = bc->bc_rename != NULL ? bc->bc_rename(v->v_message) :
		    v->v_message;
		o->ro_status = XRUN_FAIL;
		xrun_add_violation(o, bug_kind(v->v_kind), sig, v->v_message,
		    v->v_stack);
	}
	if (bc->bc_race)
		check_world_end(w);
	world_destroy(w);
	return 0;
}

static void
bug_expect(const struct xfailure *f)
{
	if (bc->bc_kind != NULL)
		ck_assert_str_eq(f->xf_kind, bc->bc_kind);
	ck_assert_msg(strstr(f->xf_signature, bc->bc_signature) != NULL,
	    "unexpected failure: %s", f->xf_signature);
}

/* A campaign (pct: depth 2) with the knob at bug; the runs that failed. */
static uint64_t
bug_campaign(const char *strat, int bug)
{
	struct xcampaign c;
	struct xcampaign_opts co;
	uint64_t nf;

	xstrategies_register();
	xstrategy.xs_depth = 2;
	xstrategy.xs_k = 40;
	bug_strategy = strat;
	bug_on = bug;
	memset(&co, 0, sizeof(co));
	co.co_runs = bc->bc_runs;
	co.co_jobs = 1;
	co.co_seed_base = 1;
	xcampaign_init(&c);
	ck_assert_int_eq(xcampaign_run(&c, &co, bug_run, NULL), 0);
	for (size_t i = 0; i < c.xc_nfails; i++)
		bug_expect(&c.xc_fails[i]);
	nf = c.xc_failed;
	xcampaign_fini(&c);
	return nf;
}

/*
 * dfs (1 pre-emption, at most 5000 runs, seed 1) with the knob at bug;
 * the runs that failed, *exhausted when the search ended.
 */
static uint64_t
bug_dfs(int bug, bool *exhausted)
{
	struct dfs *d = dfs_create(1);
	struct xrun_out o;
	uint64_t fails = 0, runs = 0;
	bool more;

	xstrategies_register();
	xstrategy.xs_dfs = d;
	bug_strategy = "dfs";
	bug_on = bug;
	do {
		memset(&o, 0, sizeof(o));
		dfs_run_begin(d);
		bug_run(NULL, runs, 1, &o);
		fails += o.ro_status == XRUN_FAIL;
		xrun_out_fini(&o);
		more = dfs_run_end(d);
	} while (more && ++runs < 5000);
	*exhausted = dfs_stats(d)->ds_exhausted;
	xstrategy.xs_dfs = NULL;
	dfs_destroy(d);
	return fails;
}

START_TEST(test_random)
{
	ck_assert_uint_gt(bug_campaign("random", 1), 0);
	ck_assert_uint_eq(bug_campaign("random", 0), 0);
}
END_TEST

START_TEST(test_pct)
{
	ck_assert_uint_gt(bug_campaign("pct", 1), 0);
	ck_assert_uint_eq(bug_campaign("pct", 0), 0);
}
END_TEST

START_TEST(test_dfs)
{
	bool ex;

	ck_assert_uint_gt(bug_dfs(1, &ex), 0);
	ck_assert_uint_eq(bug_dfs(0, &ex), 0);
	ck_assert(ex);		/* the clean space was searched to the end */
}
END_TEST

int
bug_main(const struct bug_case *c)
{
	TCase *tc = tcase_create("corpus");

	bc = c;
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_pct);
	if (c->bc_dfs)
		tcase_add_test(tc, test_dfs);
	tcase_set_timeout(tc, 60);
	return run_tcase(c->bc_suite, tc) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
