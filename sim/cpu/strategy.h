/*
 * Scheduling strategies: the one place where a run's nondeterminism is
 * resolved.
 *
 * At a scheduling point the scheduler collects the enabled options: one
 * per ready CPU whose clock lies within the race window of the earliest
 * ready clock ("step this CPU": it runs its interrupt LWP, its current
 * LWP or the head of its run queue), and one per LWP waiting in the run
 * queue of such a CPU whose own step runs its current, non-interrupt LWP
 * at IPL_NONE ("this LWP pre-empts the CPU's current one"; an LWP at a
 * raised IPL, like every spin-mutex holder, is not pre-empted).  The
 * option set never depends on the strategy, so any run replays under
 * any strategy.  Options are listed in
 * (host, cpu) order, each CPU's plain step before its pre-emptions, so
 * their order never depends on an address.  The scheduler keeps the
 * ready CPUs in a heap by effective clock (sim/cpu/ready.c), so finding
 * the options costs O(options + log ncpus), not a scan of every CPU.
 *
 * With a single option nothing is asked and nothing recorded.  With two
 * or more, ss_choose returns an index; the scheduler records
 * (index, noptions) in the world's schedule, so replaying the schedule
 * reproduces the run.  Replay itself is not a strategy: a world given a
 * schedule (world_config.wc_replay) answers from it and reports any
 * divergence; wc_strategy "replay" is accepted as a name for that.
 *
 * Adding a strategy (pct, dfs, ...):
 *   1. define a `const struct sched_strategy' with a unique ss_name and
 *      ss_choose (ss_init/ss_fini optional: per-world state);
 *   2. make it known: either add it to sched_builtin[] in strategy.c
 *      (one line), or call sched_strategy_register() before
 *      world_create() (e.g. from sim/explore set-up code);
 *   3. world_config.wc_strategy = "<name>" selects it.
 * ss_choose must be a deterministic function of its inputs and of state
 * seeded from the world (world_rng_stream); it must not switch, block or
 * call the kernel API.  Returning an index >= sd_nopts fails the run.
 */
#ifndef _KNIT_SIM_CPU_STRATEGY_H_
#define _KNIT_SIM_CPU_STRATEGY_H_

#include <stdbool.h>
#include <stdint.h>

struct world;
struct world_config;
struct cpu_info;
struct lwp;

struct sched_option {
	struct cpu_info	*so_cpu;
	struct lwp	*so_lwp;	/* the LWP that would run */
	uint64_t	 so_clock;	/* the CPU's clock if chosen */
	int		 so_host;	/* host index */
	int		 so_cpuidx;	/* CPU index within the host */
	int		 so_lwpid;	/* world-unique LWP number */
	bool		 so_preempt;	/* so_lwp pre-empts so_cpu's LWP */
	bool		 so_current;	/* so_lwp is the LWP at the point */
	int		 so_kind;	/* enum sim_opclass of so_lwp's step */
	uintptr_t	 so_obj;	/* that step's object; 0: unknown */
};

struct sched_decision {
	const struct sched_option *sd_opts; /* NULL for an ss_blind strategy */
	uint32_t	 sd_nopts;	/* >= 2 */
	uint64_t	 sd_choice;	/* number of this choice (0-based) */
	int		 sd_kind;	/* enum sim_opclass of the point */
};

struct sched_strategy {
	const char	*ss_name;
	void		*(*ss_init)(struct world *, const struct world_config *);
	uint32_t	(*ss_choose)(void *state, struct world *,
			    const struct sched_decision *);
	void		(*ss_fini)(void *state);
	/*
	 * True when ss_choose always returns the earliest option that is
	 * not a pre-emption (the first of several equally early ones), as
	 * the default strategy does.  The scheduler then finds that option
	 * and its index from its ready set without listing the options or
	 * calling ss_choose: a choice costs O(log ncpus), not O(options).
	 * The recorded schedule is the same either way.
	 */
	bool		 ss_earliest;
	/*
	 * True when ss_choose reads only sd_nopts, sd_choice and sd_kind,
	 * never the options (random does).  The scheduler then passes
	 * sd_opts NULL and finds the chosen option from its ready set by
	 * its index, without listing the options: O(log ncpus) plus the
	 * chosen CPU's run queue up to the option.  The recorded schedule
	 * is the same either way.
	 */
	bool		 ss_blind;
};

const struct sched_strategy *sched_strategy_lookup(const char *name);
/* Returns 0, or -1 when the name is taken or the table is full. */
int	sched_strategy_register(const struct sched_strategy *);

#endif /* !_KNIT_SIM_CPU_STRATEGY_H_ */
