/*
 * The simulator's public interface: worlds, hosts, LWPs and runs.
 *
 * Used by the Lua layer, the CLI, sim/net and the tests.  Stack code
 * never includes this header; it sees only the kernel API
 * (stack/include/sys/).  The kernel API's opaque `struct lwp' and
 * `struct cpu_info' are the simulator's LWPs and CPUs.
 *
 * Determinism: everything that happens in a world is a function of the
 * world's configuration (seed, strategy, schedule to replay) and of the
 * calls made on it.  No wall clock, no unseeded randomness, no order by
 * address.
 */
#ifndef _KNIT_SIM_SIM_H_
#define _KNIT_SIM_SIM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/evq.h"
#include "core/rng.h"
#include "record/schedule.h"

struct world;
struct host;
struct lwp;
struct cpu_info;
struct sdt_probe;

#define SIM_TIME_NEVER		UINT64_MAX
#define SIM_WINDOW_INFINITE	UINT64_MAX

struct world_config {
	uint64_t	 wc_seed;
	const char	*wc_strategy;	/* "default", "random", "replay", ... */
	uint64_t	 wc_race_window; /* ns; SIM_WINDOW_INFINITE: any order;
					   0 means the default (infinite) */
	/*
	 * For "replay": the recorded choices, either as a schedule
	 * (wc_replay, preferred) or flattened as (index, noptions) pairs
	 * of uint32_t (wc_schedule, wc_schedule_len = 2 * choices).
	 */
	const uint32_t	*wc_schedule;
	size_t		 wc_schedule_len;
	const struct schedule *wc_replay;
	size_t		 wc_stack_size;	/* LWP stacks; 0: 1 MiB */
	/*
	 * The memory checker (cpu/pool.c) is on unless this is set: freed
	 * kmem and pool blocks are poisoned and quarantined, and a write
	 * after free is reported when a block leaves the quarantine.  Off,
	 * freed blocks are recycled through size-class free lists (still
	 * zeroed when allocated again), for speed: a use after free then
	 * reads stale or new data and goes unreported.  Leak accounting
	 * (world_kmem_live, pool_destroy) and double-free checks of blocks
	 * not yet reused stay on.  Never changes the schedule.
	 */
	bool		 wc_no_memcheck;
	/*
	 * Cross-host lookahead (sim/cpu/lookahead.c, docs/machine.md): with
	 * a strategy that always takes the earliest step (the default),
	 * the CPU that ran last keeps running while nothing another host
	 * does can reach its host earlier, which saves most context
	 * switches in a network.  Every host executes the same steps at the
	 * same virtual times; only the interleaving of hosts, and so the
	 * trace hash, differ.  knit run sets it unless --no-lookahead; a
	 * replay must use the setting of the run it replays.
	 */
	bool		 wc_lookahead;
};

/*
 * Operation classes: the kinds of scheduling points, each with a cost in
 * virtual ns charged to the CPU that executes it (world_set_cost).
 */
enum sim_opclass {
	SIM_OP_MUTEX = 0,	/* mutex_enter/exit/tryenter */
	SIM_OP_RWLOCK,
	SIM_OP_CV,		/* cv_signal/broadcast */
	SIM_OP_ATOMIC,
	SIM_OP_MEMBAR,
	SIM_OP_SOFTINT,		/* softint_schedule */
	SIM_OP_PREEMPT,		/* preempt_point */
	SIM_OP_PROBE,		/* SDT probe */
	SIM_OP_SLEEP,		/* going to sleep: a context switch */
	SIM_OP_START,		/* an LWP's first step */
	SIM_OP_INTR,		/* taking an interrupt */
	SIM_OP_SPL,		/* splx that lets a pending interrupt in */
	SIM_OP_EXIT,
	SIM_NOPCLASS
};
const char	*sim_opclass_name(enum sim_opclass);
/* -1 when no class has that name. */
int		 sim_opclass_lookup(const char *name);
void		 world_set_cost(struct world *, enum sim_opclass, uint64_t ns);
uint64_t	 world_cost(const struct world *, enum sim_opclass);

enum violation_kind {
	VIOL_PANIC = 1,		/* KASSERT or panic */
	VIOL_LOCK_MISUSE,	/* LOCKDEBUG-style misuse */
	VIOL_DEADLOCK,
	VIOL_LOCK_ORDER,
	VIOL_DATA_RACE,
	VIOL_MEMORY,		/* use after free, leak, double free */
	VIOL_DIVERGENCE,	/* replay no longer matches */
	VIOL_EXPECTATION,	/* a scenario expectation failed */
	VIOL_FAULT,		/* SIGSEGV, SIGBUS, SIGILL, SIGFPE on an LWP */
};

struct violation {
	enum violation_kind v_kind;
	uint64_t	 v_time;
	const char	*v_host;	/* NULL when not host-specific */
	int		 v_cpu;		/* -1 when none */
	int		 v_lwp;		/* -1 when none */
	char		*v_message;
	char		*v_stack;	/* symbolised backtrace(s), may be NULL */
};

enum world_status {
	WORLD_QUIESCENT,	/* nothing left to run and no event pending */
	WORLD_TIME_LIMIT,	/* reached the requested time */
	WORLD_STOPPED,		/* a violation stopped the run */
};

/* NULL (errno EINVAL) when the strategy is unknown or the replay bad. */
struct world	*world_create(const struct world_config *);
/*
 * Destroying a world first tears its hosts down (their VNET destructors
 * run on the world, unless the run was stopped), then frees everything
 * of it, including kernel memory the hosts still held.  A network bound
 * to the world tears it down when it is destroyed (its NICs must outlive
 * the interfaces' detach).  world_teardown alone is idempotent.
 */
void		 world_teardown(struct world *);
void		 world_destroy(struct world *);
/* Switch the memory checker (world_config.wc_no_memcheck) from now on:
 * frees follow the new choice, blocks freed before stay where they are
 * (quarantined or on the free lists).  knit.check{memcheck = ...}. */
void		 world_set_memcheck(struct world *, bool on);
/* Switch cross-host lookahead (world_config.wc_lookahead) from now on. */
void		 world_set_lookahead(struct world *, bool on);
/* Whether lookahead is in effect (asked for, and the strategy allows). */
bool		 world_lookahead(const struct world *);
/*
 * A lower bound on the virtual time of anything that can still happen
 * in the world (a step, a fired event, a frame): the earliest of the
 * ready CPUs' effective clocks, the first queued event and the clock of
 * the CPU running now.  Never decreases while the world runs.
 */
uint64_t	 world_gvt(const struct world *);
/*
 * The least delay of a link between two different hosts (the network
 * keeps it up to date); 0 when hosts are coupled (a shared segment, a
 * link with random impairments) and UINT64_MAX when no link joins two
 * hosts.
 */
uint64_t	 world_link_lookahead(const struct world *);
/*
 * Host h shares memory outside its kernel with other hosts (the Lua
 * processes of a scenario share its Lua state): its CPUs never run
 * ahead of other hosts.  Permanent.
 */
void		 world_host_couple(struct host *);
/* Steps chosen by lookahead, and context switches, so far. */
uint64_t	 world_lookahead_steps(const struct world *);
uint64_t	 world_context_switches(const struct world *);
/* Kernel memory blocks (kmem, pool) of w not yet freed. */
size_t		 world_kmem_live(const struct world *);
/* Blocks kmem and pool hold for worlds, over the whole process (live
 * and quarantined); 0 once every world is destroyed. */
uint64_t	 sim_mem_blocks(void);
/* Bytes of ended worlds' blocks kept for later worlds (bounded). */
size_t		 sim_mem_cache_bytes(void);

/*
 * A host with ncpu CPUs.  Its VNET copy is made and its VNET_SYSINITs
 * run (on an LWP of CPU 0) before world_run returns control for the
 * first time.
 */
struct host	*world_host_create(struct world *, const char *name, int ncpu);
struct host	*world_host_lookup(struct world *, const char *name);
const char	*host_name(const struct host *);
int		 host_ncpu(const struct host *);
int		 host_index(const struct host *);
struct world	*host_world(const struct host *);

/*
 * Start fn(arg) on a new LWP of host h, on CPU cpu (-1: the platform
 * chooses deterministically).  The LWP ends when fn returns.
 */
struct lwp	*host_spawn(struct host *, const char *name, int cpu,
		    void (*fn)(void *), void *arg);

/* Run until quiescent, until virtual time `until', or until stopped. */
enum world_status world_run(struct world *, uint64_t until);
uint64_t	 world_now(const struct world *);
uint64_t	 world_events(const struct world *);	/* steps taken */
uint64_t	 world_trace_hash(const struct world *);
/* Mix extra observable data (packets, ...) into the trace hash. */
void		 world_trace_mix(struct world *, uint64_t datum);
/*
 * The run database recorder of this world (sim/record/trace.h), or
 * NULL.  Recording observes the world and never changes its trace.
 */
struct trace;
void		 world_set_recorder(struct world *, struct trace *);
struct trace	*world_recorder(const struct world *);

/* The recorded schedule: one entry per choice among >= 2 options. */
const struct schedule *world_schedule(const struct world *);
/* True when the world stopped (a violation, a divergence). */
bool		 world_stopped(const struct world *);
/*
 * Stop the world for good: world_run returns WORLD_STOPPED after the
 * current step, and every later world_run at once (the Lua layer: a
 * scenario error, knit.stop()).
 */
void		 world_stop(struct world *);
/*
 * For a replaying world: check that the whole schedule was used (call
 * after the last world_run); records VIOL_DIVERGENCE and returns false
 * if choices were left over.
 */
bool		 world_replay_finish(struct world *);

size_t		 world_nviolations(const struct world *);
const struct violation *world_violation(const struct world *, size_t i);
/* Record a violation (used by checkers, sim/net and the Lua layer). */
void		 world_violation_add(struct world *, enum violation_kind,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Timed events for simulator subsystems (links, NICs, scenarios). */
struct evq	*world_evq(struct world *);
/* A named random stream of this world's seed. */
void		 world_rng_stream(const struct world *, struct rng *,
		    const char *name);

/*
 * Raise a hard interrupt on CPU `cpu' of host h: handler(arg) runs in
 * interrupt context on that CPU at its next scheduling point where the
 * IPL allows (a hard interrupt handler must not sleep).
 */
void		 host_intr_raise(struct host *, int cpu,
		    void (*handler)(void *), void *arg);

/*
 * Make the host's kernel context current (VNET selected, curlwp a
 * pseudo-LWP of CPU 0) outside any LWP, e.g. for set-up from the Lua
 * layer.  Code run this way must not block: a contended lock or a sleep
 * fails the run.  Not allowed inside an LWP.
 */
void		 host_enter(struct host *);
void		 host_leave(struct host *);

/*
 * Helpers for the layers above (Lua, sim/net, the CLI).
 *
 * Event callbacks (world_evq, world_call_at) run in event context: no
 * curlwp, on whatever stack the scheduler runs on.  They must not block;
 * to do kernel work they raise an interrupt or spawn an LWP.
 */
/* The world/host/LWP currently running (NULL outside world_run). */
struct world	*sim_world(void);
struct host	*sim_host(void);
struct lwp	*sim_lwp(void);
/* Virtual now: the running CPU's clock, else the world's time. */
uint64_t	 sim_now(void);
/* Put the running LWP to sleep for ns of virtual time. */
void		 sim_sleep(uint64_t ns);
/* Charge ns of work to the running CPU (no scheduling point). */
void		 sim_charge(uint64_t ns);
/* Call fn(arg) in event context at virtual time `when'. */
struct sim_timer *world_call_at(struct world *, uint64_t when,
		    void (*fn)(void *), void *arg);
/* Cancel a pending call; returns false if it already ran. */
bool		 world_call_cancel(struct world *, struct sim_timer *);
/* Console lines of every host (kprintf); default: stdout. */
void		 world_set_console(struct world *,
		    void (*fn)(void *arg, const char *host, uint64_t now,
		    const char *line), void *arg);
struct cpu_info	*host_cpu(struct host *, int i);
int		 lwp_gid(const struct lwp *);	/* unique in the world */
struct host	*lwp_host(const struct lwp *);
/* Whether the host failed (panic, KASSERT, misuse). */
bool		 host_failed(const struct host *);

/*
 * SDT probes.  sim_probe_attach calls fn in the context of every LWP
 * that fires a probe whose "provider:module:function:name" matches the
 * fnmatch(3) pattern; fn may block or sleep (sim_sleep) to hold the LWP
 * there (a race window).  Returns the number of probes matched, or -1
 * for a bad pattern.
 */
typedef void	(*sim_probe_fn)(struct sdt_probe *, const uintptr_t args[5],
		    void *arg);
int		 sim_probe_attach(struct world *, const char *pattern,
		    sim_probe_fn, void *arg);
/* Every probe linked into the program, sorted by name. */
struct sdt_probe *const *sim_probe_list(size_t *np);
/* "provider:module:function:name" into buf. */
int		 sim_probe_name(const struct sdt_probe *, char *buf,
		    size_t len);

#endif /* !_KNIT_SIM_SIM_H_ */
