/*
 * The harness of the C bug-corpus tests (test_bug_*.c).  A test
 * describes its bug as a struct bug_case: the sysctl knob, the host's
 * routes, two LWPs spawned on CPUs 0 and 1, what every failure must
 * look like, and the budget.  bug_main runs, for each strategy (random
 * and pct campaigns, and dfs where it applies), the same search with
 * the knob on (it must fail) and off (it must not: nothing at all).
 *
 * One run: a two-CPU world (seed, strategy) with the race detector when
 * bc_race; boot; bc_setup; the two LWPs; run to the end; bc_teardown.
 * Every world violation is a failure (kind "data_race", "panic" or
 * "other"; signature the message through bc_rename), and so is
 * bc_verdict's complaint.
 */
#ifndef _KNIT_TESTS_UNIT_BUG_HARNESS_H_
#define _KNIT_TESTS_UNIT_BUG_HARNESS_H_

#include <stdbool.h>
#include <stdint.h>

#include "explore/campaign.h"

struct bug_lwp {
	const char	*bl_name;
	void		(*bl_fn)(void *);
	void		*bl_arg;
};

struct bug_case {
	const char	*bc_suite;	/* "bug_kern3508" */
	const char	*bc_knob;	/* "debug.bug.kern3508" */
	uint64_t	 bc_runs;	/* of each campaign (random, pct) */
	bool		 bc_dfs;	/* and dfs, 1 pre-emption, seed 1: the
					   clean space must be exhausted */
	bool		 bc_race;	/* race detector (race build only) */
	bool		 bc_may_stop;	/* the bug's panic may end a run before
					   its LWPs do (else it must finish) */
	/* Every failure: kind (NULL: any) and a string in its signature. */
	const char	*bc_kind;
	const char	*bc_signature;
	/* Inside host_enter, the knob set: routes and knobs; the reverse. */
	void		(*bc_setup)(void);
	void		(*bc_teardown)(void);
	struct bug_lwp	 bc_lwps[2];	/* on CPU 0 and CPU 1 */
	/* After a finished run: NULL, or the signature of its failure. */
	const char	*(*bc_verdict)(void);
	/* The signature of a world violation's message (NULL: itself). */
	const char	*(*bc_rename)(const char *message);
};

/* Run the case's suite; the exit status of the test program. */
int	bug_main(const struct bug_case *);

#endif /* _KNIT_TESTS_UNIT_BUG_HARNESS_H_ */
