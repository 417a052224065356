/*
 * Attaching the checkers to a world: the lock-order checker and the race
 * detector listen to the machine's synchronisation funnel (cpu/sync.h)
 * while a world runs, and report into the world's violations.
 *
 * One world is checked at a time per process (the machine runs one at a
 * time).  Call check_world_begin after world_create and before the first
 * world_run, check_world_end before world_destroy.
 *
 * Lock order across runs: each run has its own graph (cycles it closes
 * by itself are violations of the run); at the end it is merged into
 * the process's graph, and check_world_end returns the edges that were
 * new to the process in lo_write's text form, for the campaign's graph
 * (explore/campaign.h), which finds cycles whose edges came from
 * different runs.
 */
#ifndef _KNIT_SIM_CHECK_CHECKERS_H_
#define _KNIT_SIM_CHECK_CHECKERS_H_

#include <stdbool.h>

struct world;
struct lockorder;

struct check_config {
	bool	cc_lockorder;		/* lock-order graph and interrupt rule */
	bool	cc_race;		/* FastTrack over the __tsan_* hooks */
	bool	cc_race_points;		/* instrumented accesses are
					   scheduling points */
	bool	cc_race_halt;		/* a run ends at its first race,
					   before the racing access (also
					   check_set_race_halt) */
};

void	check_world_begin(struct world *, const struct check_config *);
/*
 * Choose the lock-order checker's interrupt rule for the checked world
 * (enum lo_intr_rule: 0 off, 1 spin mutexes -- the default --, 2 every
 * lock, for stacks whose softints must never sleep); a scenario's
 * knit.check{softint_rule = ...}.  In a campaign the choice holds for
 * the campaign's graph too.
 */
void	check_set_intr_rule(int rule);
/*
 * End the checked world's run at its first data race, before the racing
 * access is made (a scenario's knit.check{race_halt = true}): for races
 * whose corruption (a list, a pointer) would crash the simulator later
 * in the run.  Other races then show only in other runs.
 */
void	check_set_race_halt(bool);
/* Stop checking w (no-op if it is not the checked world). */
void	check_world_end(struct world *);
/*
 * The same, merging the run's lock-order graph into the process's and
 * returning the edges new to the process as text (malloc'ed) or NULL.
 * Symbolises the new edges' stacks: for campaigns, not for single runs.
 */
char	*check_world_end_edges(struct world *);
/* The process's lock-order graph (all runs so far). */
struct lockorder *check_process_lockorder(void);
/*
 * Whether the stack linked into this program was compiled with
 * -fsanitize=thread (build/knit-race): its objects' constructors call
 * __tsan_init.  Without it the race detector sees no access at all.
 */
bool	check_race_build(void);
/*
 * Turn the race detector on for the checked world, its accesses as
 * scheduling points with `points' (a scenario's knit.check{race =
 * true}).  Before the world's first host exists this is the same as
 * cc_race from check_world_begin: no LWP has run, nothing was accessed.
 */
void	check_race_enable(bool points);
/* Number of instrumented accesses the race detector saw (this run). */
unsigned long long check_race_accesses(void);

#endif /* !_KNIT_SIM_CHECK_CHECKERS_H_ */
