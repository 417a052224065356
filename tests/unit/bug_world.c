/*
 * Campaign and dfs drivers shared by the bug-corpus tests (bug_world.h).
 */
#include <check.h>
#include <string.h>

#include "sys/sysctl.h"

#include "bug_world.h"
#include "explore/dfs.h"
#include "explore/strategies.h"

int bug_on;
const char *bug_strategy;

void
bug_knob(const char *name)
{
	char buf[16];

	ck_assert_int_eq(sysctl_byname_text(name, buf, sizeof(buf),
	    bug_on ? "1" : "0"), 0);
}

uint64_t
bug_campaign(const char *strat, int bug, uint64_t runs, xrun_fn_t run_one,
    void (*expect)(const struct xfailure *))
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
	co.co_runs = runs;
	co.co_jobs = 1;
	co.co_seed_base = 1;
	xcampaign_init(&c);
	ck_assert_int_eq(xcampaign_run(&c, &co, run_one, NULL), 0);
	for (size_t i = 0; i < c.xc_nfails; i++)
		expect(&c.xc_fails[i]);
	nf = c.xc_failed;
	xcampaign_fini(&c);
	return nf;
}

uint64_t
bug_dfs(int bug, xrun_fn_t run_one, bool *exhausted)
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
		run_one(NULL, runs, 1, &o);
		fails += o.ro_status == XRUN_FAIL;
		xrun_out_fini(&o);
		more = dfs_run_end(d);
	} while (more && ++runs < 5000);
	*exhausted = dfs_stats(d)->ds_exhausted;
	xstrategy.xs_dfs = NULL;
	dfs_destroy(d);
	return fails;
}
