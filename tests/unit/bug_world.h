/*
 * Helpers shared by the bug-corpus tests (test_bug_*.c): run a test's
 * run function as a campaign (random, pct) or a dfs search, with the
 * bug's knob on or off.  The run function reads bug_strategy for its
 * world and sets the knob with bug_knob().
 */
#ifndef _KNIT_TESTS_UNIT_BUG_WORLD_H_
#define _KNIT_TESTS_UNIT_BUG_WORLD_H_

#include <stdbool.h>
#include <stdint.h>

#include "explore/campaign.h"

extern int		 bug_on;	/* the knob's value for this search */
extern const char	*bug_strategy;	/* the strategy for this search */

/* Set the sysctl knob name to bug_on; the caller is inside host_enter. */
void		bug_knob(const char *name);

/*
 * Run runs runs of run_one with strategy strat (pct: depth 2) and the
 * bug on or off; call expect on every failure group (it asserts the
 * failure is the bug's); return the runs that failed.
 */
uint64_t	bug_campaign(const char *strat, int bug, uint64_t runs,
		    xrun_fn_t run_one, void (*expect)(const struct xfailure *));

/*
 * Search run_one's schedules with dfs (1 pre-emption, at most 5000 runs,
 * seed 1) and the bug on or off; set *exhausted when the search ended;
 * return the runs that failed.
 */
uint64_t	bug_dfs(int bug, xrun_fn_t run_one, bool *exhausted);

#endif /* _KNIT_TESTS_UNIT_BUG_WORLD_H_ */
