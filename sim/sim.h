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

struct world;
struct host;
struct lwp;
struct cpu_info;

#define SIM_TIME_NEVER		UINT64_MAX
#define SIM_WINDOW_INFINITE	UINT64_MAX

struct world_config {
	uint64_t	 wc_seed;
	const char	*wc_strategy;	/* "default", "random", "replay", ... */
	uint64_t	 wc_race_window; /* ns; SIM_WINDOW_INFINITE: any order */
	/* for "replay": the recorded choices */
	const uint32_t	*wc_schedule;
	size_t		 wc_schedule_len;
};

enum violation_kind {
	VIOL_PANIC = 1,		/* KASSERT or panic */
	VIOL_LOCK_MISUSE,	/* LOCKDEBUG-style misuse */
	VIOL_DEADLOCK,
	VIOL_LOCK_ORDER,
	VIOL_DATA_RACE,
	VIOL_MEMORY,		/* use after free, leak, double free */
	VIOL_DIVERGENCE,	/* replay no longer matches */
	VIOL_EXPECTATION,	/* a scenario expectation failed */
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

struct world	*world_create(const struct world_config *);
void		 world_destroy(struct world *);

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

/* The recorded schedule: one entry per choice among >= 2 options. */
const uint32_t	*world_schedule(const struct world *, size_t *lenp);

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

/* Run fn(arg) with the host's kernel context current (VNET selected). */
void		 host_enter(struct host *);
void		 host_leave(struct host *);

#endif /* !_KNIT_SIM_SIM_H_ */
