/*
 * Systematic exploration: depth-first search over the tree of
 * scheduling decisions, bounded by the number of pre-emptions (CHESS,
 * Musuvathi & Qadeer 2007), with sleep sets (Godefroid 1996).
 *
 * Stateless: every run starts from the initial state, replays the
 * current path's prefix and then makes default (non-pre-empting) choices
 * while recording each new decision's options.  After the run, the
 * search backtracks to the deepest decision with an option not yet
 * explored, not asleep and within the pre-emption bound, and the next
 * run takes that option there.
 *
 * Sleep sets.  After the subtree below option t of a decision was
 * explored, t sleeps in the sibling subtrees until an LWP takes a step
 * dependent with t's.  Two steps are independent when they are by
 * different LWPs and their next operations are on different, known
 * objects (for a data-race-free program only synchronisation operations
 * conflict; the race detector checks that premise).  An option whose
 * object is unknown (0) is dependent with everything, which is always
 * sound and merely prunes less.
 *
 * The engine is used by one process for a whole campaign: runs are
 * inherently sequential here.
 */
#ifndef _KNIT_SIM_EXPLORE_DFS_H_
#define _KNIT_SIM_EXPLORE_DFS_H_

#include <stdbool.h>
#include <stdint.h>

#include "explore/xopt.h"

struct dfs;

struct dfs_stats {
	uint64_t	ds_runs;	/* runs started */
	uint64_t	ds_bounded;	/* options cut by the bound */
	uint64_t	ds_slept;	/* options pruned by sleep sets */
	uint64_t	ds_redundant;	/* runs that ended fully asleep */
	uint64_t	ds_diverged;	/* prefix replay found other options */
	uint32_t	ds_maxdepth;	/* deepest decision seen */
	bool		ds_exhausted;	/* the bounded space is done */
};

struct dfs	*dfs_create(uint32_t max_preemptions);
void		 dfs_destroy(struct dfs *);
/* Before each run. */
void		 dfs_run_begin(struct dfs *);
/*
 * At each decision of the run, in order; def is the default strategy's
 * choice, taken on new ground when the current LWP cannot continue.
 */
uint32_t	 dfs_choose(struct dfs *, const struct xopt *, uint32_t n,
		    uint32_t def);
/* After each run: false when the bounded space is exhausted. */
bool		 dfs_run_end(struct dfs *);
const struct dfs_stats *dfs_stats(const struct dfs *);
/* The choices the current (last begun) run made so far. */
uint32_t	 dfs_path(const struct dfs *, const uint32_t **choices);

#endif /* !_KNIT_SIM_EXPLORE_DFS_H_ */
