/*
 * The exploration strategies as machine strategies (cpu/strategy.h):
 *   pct     PCT with depth xs_depth over xs_k expected decisions
 *   dfs     the campaign's DFS engine (xs_dfs) picks every choice
 *   guided  the default strategy except at the deviations in xs_guide,
 *           or, with xs_replay, the recorded choices (lenient: an index
 *           out of range falls back to the default); either way the
 *           deviations the run makes are collected in xs_guided
 * Parameters live in xstrategy (set before world_create); a replay of a
 * run needs none of them, since its schedule is recorded.
 */
#ifndef _KNIT_SIM_EXPLORE_STRATEGIES_H_
#define _KNIT_SIM_EXPLORE_STRATEGIES_H_

#include <stdbool.h>
#include <stdint.h>

#include "explore/minimize.h"

struct dfs;
struct schedule;

struct xstrategy_params {
	uint32_t	 xs_depth;	/* pct */
	uint64_t	 xs_k;		/* pct: decisions per run */
	struct dfs	*xs_dfs;	/* dfs */
	/*
	 * dfs: steps name their synchronisation objects, so sleep sets
	 * prune.  Sound when every memory the LWPs share outside the
	 * kernel API's objects is accessed race-free (the race detector
	 * checks it).  Off for Lua scenarios: processes and probe handlers
	 * share one Lua state, memory no scheduling point names.
	 */
	bool		 xs_objects;
	const struct xdevs *xs_guide;	/* guided */
	const struct schedule *xs_replay; /* guided, replaying */
	struct xguide	 xs_guided;	/* guided: what the run did */
};

extern struct xstrategy_params xstrategy;

struct world;
struct sched_decision;

/* What the machine's default strategy takes at d. */
uint32_t xstrategy_default(struct world *, const struct sched_decision *);

/* Make pct, dfs and guided known to the machine (idempotent). */
void	xstrategies_register(void);

#endif /* !_KNIT_SIM_EXPLORE_STRATEGIES_H_ */
