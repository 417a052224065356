/*
 * The simulated machine's internals: worlds, hosts, CPUs, LWPs, sleep
 * queues and the scheduler's entry points.  Private to sim/; the public
 * interface is sim.h and the kernel API in stack/include/sys.
 *
 * Execution model.  Exactly one LWP executes at a time (on the real
 * thread that called world_run).  Every CPU has its own virtual clock;
 * an LWP's scheduling points charge a cost to its CPU's clock and hand
 * the choice of what runs next to the world's strategy (sched.c).  A
 * CPU runs, in order of preference: a runnable interrupt LWP whose level
 * is above the IPL of the CPU's current LWP, the current LWP, the head
 * of its run queue.
 *
 * Invariants:
 *   w_nrun >= the number of LWPs that could run now; it counts every LWP
 *   in LSRUN or LSONPROC (an LWP pinned under an interrupt stays
 *   LSONPROC and is counted although it cannot run).  The fast path of a
 *   scheduling point relies on w_nrun == 1 meaning "only the caller".
 *   c_cur is the LWP that occupies CPU c (running, or spinning on a spin
 *   lock); it is NULL when the CPU is idle or its LWP went to sleep.
 *   An interrupt LWP that pre-empted another records it in l_pinned and
 *   gives the CPU back to it when it sleeps or runs out of work.
 */
#ifndef _KNIT_SIM_CPU_MACHINE_H_
#define _KNIT_SIM_CPU_MACHINE_H_

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "sys/queue.h"
#include "sys/sdt.h"

#include "sim.h"
#include "core/evq.h"
#include "core/rng.h"
#include "cpu/ctx.h"
#include "record/schedule.h"
#include "record/tracehash.h"

struct lwp;
struct cpu_info;
struct host;
struct world;
struct sched_strategy;

TAILQ_HEAD(lwpq, lwp);

/* LWP states */
#define LSIDLE		0	/* interrupt LWP without work; new LWP */
#define LSRUN		1	/* runnable, not on a CPU */
#define LSONPROC	2	/* occupies its CPU (running or pinned) */
#define LSSLEEP		3	/* asleep on a sleep queue or timer */
#define LSSPIN		4	/* spinning on a spin lock: keeps its CPU */
#define LSZOMB		5	/* exited */
#define LSHELD		6	/* created before its host finished booting */

/* l_flags */
#define LW_SOFTINT	0x0001	/* a softint LWP */
#define LW_HARDINTR	0x0002	/* the hard interrupt LWP */
#define LW_BOUND	0x0004	/* must run on l_cpu */
#define LW_NOSCHED	0x0008	/* host_enter pseudo-LWP: no stack */
#define LW_MUSTJOIN	0x0010
#define LW_BOOTLWP	0x0020	/* runs before the host booted */
#define LW_INTR		(LW_SOFTINT | LW_HARDINTR)

/* What an LWP sleeps on (for the deadlock report). */
#define SLK_NONE	0
#define SLK_LOCK	1	/* mutex or rwlock: a deadlock candidate */
#define SLK_CV		2
#define SLK_TIMER	3	/* kpause, sim_sleep */
#define SLK_POOL	4
#define SLK_JOIN	5
#define SLK_CALLOUT	6

/* Interrupt slots per CPU: four softint levels, then hard interrupts. */
#define INTR_SOFTCLOCK	0
#define INTR_SOFTBIO	1
#define INTR_SOFTNET	2
#define INTR_SOFTSERIAL	3
#define INTR_HARD	4
#define INTR_NSLOT	5

#define LWP_MAXHELD	32	/* lock stack depth tracked per LWP */
#define LWP_NAMELEN	32

/*
 * A sleep queue: LWPs waiting on one object, FIFO.  The object's address
 * is the wait channel; sq_kind says what kind of object it is.
 */
struct sleepq {
	struct lwpq	 sq_lwps;
};

struct lwp {
	struct ctx	 l_ctx;		/* must stay first: see sched.c */
	struct world	*l_world;
	struct host	*l_host;
	struct cpu_info	*l_cpu;		/* CPU it runs on or last ran on */
	int		 l_stat;
	int		 l_flags;
	int		 l_ipl;		/* IPL while it runs */
	int		 l_level;	/* interrupt LWPs: their IPL */
	int		 l_slot;	/* interrupt LWPs: INTR_* slot */
	bool		 l_active;	/* interrupt LWPs: between first
					   activation and running dry */
	int		 l_id;		/* unique within the host */
	uint32_t	 l_gid;		/* unique within the world */
	char		 l_name[LWP_NAMELEN];
	void		(*l_fn)(void *);
	void		*l_arg;
	struct lwp	*l_pinned;	/* the LWP this interrupt pre-empted */
	uint64_t	 l_readytime;	/* virtual time it became runnable */
	int		 l_spkind;	/* kind of the point it stopped at */
	const void	*l_spobj;	/* its object (lock, cv, ...) or NULL */

	/* sleeping */
	TAILQ_ENTRY(lwp) l_q;		/* run queue or sleep queue */
	struct sleepq	*l_sleepq;	/* NULL when on a run queue */
	const void	*l_wchan;
	const char	*l_wmesg;
	int		 l_slkind;
	bool		 l_sigok;	/* interruptible sleep */
	bool		 l_sigpending;
	int		 l_result;	/* 0, EWOULDBLOCK, EINTR */
	struct evq_event l_timer;

	/* locks held (for misuse checks, deadlock reports, lock order) */
	const void	*l_held[LWP_MAXHELD];
	uint8_t		 l_heldshared[LWP_MAXHELD];
	int		 l_nheld;
	int		 l_nspin;	/* spin mutexes held */
	int		 l_spin_oldipl;	/* IPL before the first spin mutex */
	int		 l_spin_sleepok; /* spin mutexes a sleep may hold
					   (a cv's interlock) */

	struct proc	*l_proc;
	struct sleepq	 l_joinq;
	int		 l_exitcode;
	TAILQ_ENTRY(lwp) l_wlist;	/* world's list of LWPs */
};

struct softint;

/* A softint's per-CPU pending state. */
struct softint_pcpu {
	TAILQ_ENTRY(softint_pcpu) sp_q;
	struct softint	*sp_si;
	bool		 sp_pending;
};

struct softint {
	struct host	*si_host;
	int		 si_slot;
	void		(*si_func)(void *);
	void		*si_arg;
	LIST_ENTRY(softint) si_list;
	struct softint_pcpu si_pc[];	/* one per CPU of the host */
};

/* A pending hard interrupt. */
struct hardintr {
	STAILQ_ENTRY(hardintr) hi_q;
	void		(*hi_fn)(void *);
	void		*hi_arg;
};

struct scallout;

struct cpu_info {
	/*
	 * The fields a scheduling choice reads and writes come first and
	 * fill one cache line (64 bytes on x86-64): between two choices
	 * the running LWP's own work evicts the scheduler's data, so every
	 * line a choice touches costs a miss.
	 *
	 * The scheduler's view of the CPU (sched.c), brought up to date
	 * for every CPU on the world's w_dirty list before each choice.
	 * c_next is what the CPU would run if stepped (cpu_pick), NULL
	 * when it is not ready; c_eff is its effective clock; c_nopt the
	 * number of options it offers (0: not ready; 1 plus its run queue
	 * when the run queue may pre-empt c_cur).  c_nrunq counts c_runq.
	 * c_heapslot is the CPU's position in w_ready plus one (0: not
	 * in the heap); the heap holds exactly the CPUs with c_nopt > 0.
	 */
	struct world	*c_world;
	int		 c_gindex;	/* within the world: (host, cpu) order */
	uint32_t	 c_nopt;
	uint64_t	 c_clock;	/* virtual ns */
	uint64_t	 c_eff;
	struct lwp	*c_cur;
	struct lwp	*c_next;
	struct lwpq	 c_runq;
	/* second line */
	uint32_t	 c_heapslot;
	int		 c_nrunq;
	unsigned	 c_intrmask;	/* bit s: c_intr[s] is LSRUN */
	bool		 c_dirty;	/* on w_dirty */
	struct host	*c_host;
	int		 c_index;	/* within the host */
	struct lwp	*c_intr[INTR_NSLOT];
	TAILQ_HEAD(, softint_pcpu) c_softq[INTR_NSLOT - 1];
	STAILQ_HEAD(, hardintr) c_hardq;
	/* callouts whose time came, waiting for this CPU's softclock */
	TAILQ_HEAD(, scallout) c_calloutq;
	struct softint	*c_softclock;
	struct scallout	*c_callout_running;
	struct sleepq	 c_callout_waiters;
};

struct host {
	struct world	*h_world;
	char		*h_name;
	int		 h_index;
	int		 h_ncpu;
	struct cpu_info	*h_cpus;	/* h_ncpu entries */
	char		*h_vnet;	/* this host's copy of knit_vnet */
	uintptr_t	 h_vnetbase;	/* h_vnet - master */
	bool		 h_booted;
	bool		 h_failed;
	struct lwpq	 h_heldq;	/* LWPs waiting for boot */
	int		 h_nextlwpid;
	LIST_HEAD(, softint) h_softints;
	struct lwp	 h_ctxlwp;	/* pseudo-LWP for host_enter */
	uint64_t	 h_kmem_bytes;	/* outstanding kmem */
	uint64_t	 h_kmem_allocs;
	/*
	 * The next sequence number of an event this host queues: the host
	 * number + 1 in the high bits, a counter below (lookahead.c).
	 */
	uint64_t	 h_evseq;
	/* shares memory outside its kernel with other hosts: no lookahead */
	bool		 h_lacoupled;
};

struct sim_probe_hook;
struct trace;
struct sim_timer;


struct world {
	struct world_config w_config;
	struct host	**w_hosts;
	int		 w_nhosts;
	struct cpu_info	**w_cpus;	/* (host, cpu) order */
	int		 w_ncpus;
	/*
	 * The ready set, kept up to date incrementally (sched.c) so that a
	 * choice costs O(options + log ncpus), not O(ncpus).  Anything that
	 * may change what a CPU would run or its effective clock puts the
	 * CPU on w_dirty (sched_cpu_changed); sched_choose re-evaluates the
	 * dirty CPUs, and the CPU it chose last (whose LWP ran since and
	 * moved its clock and IPL), before it looks at the set.
	 * Invariants, between choices and after the dirty CPUs are
	 * evaluated:
	 *   w_ready is a binary min-heap on (c_eff, c_gindex) of the CPUs
	 *   with c_nopt > 0; w_readybits has bit c_gindex set for exactly
	 *   those; w_fen is a Fenwick tree over c_gindex of c_nopt (prefix
	 *   sums give an option's index in (host, cpu) order); w_noptsum
	 *   is the sum of all c_nopt.  All arrays have room for w_schedcap
	 *   CPUs (a power of two >= w_ncpus once a host exists).
	 */
	struct cpu_info	**w_ready;
	uint32_t	 w_nready;
	struct cpu_info	**w_dirty;
	uint32_t	 w_ndirty;
	uint64_t	*w_readybits;
	uint32_t	*w_fen;
	uint32_t	*w_winpos;	/* scratch: heap slots in the window */
	struct cpu_info	**w_wincpu;	/* scratch: their CPUs */
	uint32_t	 w_schedcap;
	uint64_t	 w_noptsum;
	struct cpu_info	*w_lastcpu;	/* chosen last; NULL: none */
	/* LWPs asleep or spinning with l_slkind SLK_LOCK (deadlock report) */
	uint32_t	 w_nlockwait;
	bool		 w_schedcheck;	/* compare with a full scan */
	/*
	 * Cross-host lookahead (lookahead.c): w_lookahead says it is on
	 * (world_config.wc_lookahead and a strategy that always takes the
	 * earliest step); w_la_link is the least delay of a link between
	 * two hosts (UINT64_MAX: no such link; 0: hosts are coupled and
	 * lookahead never applies).  w_la_steps counts the steps it chose,
	 * w_ctxsw the context switches between LWPs of the run.
	 */
	bool		 w_lookahead;
	uint64_t	 w_la_link;
	/*
	 * The last horizon la_may_run computed for the one-CPU host of
	 * w_la_cpu (NULL: none): its CPU may step at any effective clock
	 * below w_la_horizon while no event has fired since (eq_fired ==
	 * w_la_fired) and no owner's earliest event became earlier
	 * (eq_earlier == w_la_earlier).  GVT only grows in between.
	 */
	struct cpu_info	*w_la_cpu;
	uint64_t	 w_la_horizon;
	uint64_t	 w_la_fired;
	uint64_t	 w_la_earlier;
	uint64_t	 w_la_steps;
	uint64_t	 w_ctxsw;
	/* events queued outside any host; owner of the event firing */
	uint64_t	 w_evseq;
	int		 w_evowner;
	struct evq	 w_evq;
	int		 w_nrun;
	uint64_t	 w_until;
	uint64_t	 w_now;		/* time of the latest event or stop */
	uint64_t	 w_steps;
	uint64_t	 w_cost[SIM_NOPCLASS];
	uint64_t	 w_window;
	struct tracehash w_trace;
	bool		 w_stopped;
	bool		 w_in_run;
	bool		 w_destroying;
	enum world_status w_reason;
	struct ctx	 w_main;	/* the thread that called world_run */
	jmp_buf		 w_failjmp;	/* failure on the main stack */
	struct lwp	*w_zombie;	/* exited LWP whose stack awaits reaping */
	struct lwpq	 w_lwps;
	uint32_t	 w_nextgid;

	/* the strategy and the schedule */
	const struct sched_strategy *w_strat;
	void		*w_stratstate;
	struct schedule	 w_sched;	/* choices made so far */
	struct schedule	 w_replaysched;	/* copy of the one to replay */
	struct schedule_replay w_replay;
	bool		 w_replaying;
	uint64_t	 w_decisions;	/* points with >= 2 options */
	struct sched_option *w_opts;
	uint32_t	 w_optcap;

	struct violation *w_viol;
	size_t		 w_nviol;
	size_t		 w_violcap;

	void		(*w_console)(void *, const char *host, uint64_t now,
			    const char *line);
	void		*w_console_arg;

	struct sim_probe_hook *w_probes;
	struct trace	*w_recorder;	/* run database recorder, or NULL */
	struct hardintr	*w_hifree;
	struct rng	 w_rng_sched;
	LIST_HEAD(memlist, memhdr) w_mem; /* live kmem/pool blocks (pool.c) */
};

/* The running context (one world runs at a time per process). */
extern struct lwp	*sim_curlwp;	/* NULL in event context */
extern struct cpu_info	*sim_curcpu;
extern struct world	*sim_curworld;
extern struct lwp	*sim_onstack;	/* whose stack runs; NULL: main */
/*
 * Bumped wherever sim_curlwp or an LWP's l_cpu may change: the race
 * detector keeps who runs until it moves (race_set_tid_gen).
 */
extern uint64_t	 sim_switch_gen;

/* Make l (NULL: none) the running LWP on c, and move sim_switch_gen. */
static inline void
sim_set_current(struct lwp *l, struct cpu_info *c)
{
	sim_curlwp = l;
	sim_curcpu = c;
	sim_switch_gen++;
}

/* Virtual now in the running context. */
static inline uint64_t
sim_now_internal(void)
{
	if (sim_curcpu != NULL)
		return sim_curcpu->c_clock;
	return sim_curworld != NULL ? sim_curworld->w_now : 0;
}

/* sched.c */
void	sched_cpus_grow(struct world *);
void	sched_world_fini(struct world *);
/* Check every choice against a scan of all CPUs (slow; for tests). */
void	sched_check_enable(struct world *, bool);

/*
 * Something that decides what CPU c would run, or when, has changed (an
 * LWP became runnable on it or left it, its interrupt mask, ...): have
 * the scheduler re-evaluate c before its next choice.  Cheap and
 * idempotent.
 */
static inline void
sched_cpu_changed(struct cpu_info *c)
{
	struct world *w = c->c_world;

	if (c->c_dirty)
		return;
	if (__builtin_expect(w->w_ndirty == w->w_schedcap, 0))
		sched_cpus_grow(w);
	c->c_dirty = true;
	w->w_dirty[w->w_ndirty++] = c;
}

void	sched_point_slow(struct lwp *, int kind, const void *obj);
void	sched_sleep(struct lwp *, int kind);
void	sched_wakeup(struct lwp *, int result);
void	sched_setrunnable(struct lwp *);
void	sched_exit(struct lwp *) __attribute__((__noreturn__));
struct lwp *sched_choose(struct world *);
void	sched_enter_lwp(struct world *, struct lwp *);
void	sched_spin_wait(struct lwp *, struct sleepq *, const void *wchan,
	    const char *wmesg);
void	sched_intr_idle(struct lwp *);
void	sched_intr_kick(struct cpu_info *, int slot);
void	sched_deadlock_check(struct world *);
void	sched_lwp_init(struct lwp *);

/*
 * One trace datum per scheduling step: the time, with the identity of
 * the step (LWP, CPU, kind of point) spread over all bits by an odd
 * multiplier, so that one mix covers the step.
 */
static inline uint64_t
sched_trace_datum(uint64_t t, uint32_t gid, int cpu, int kind)
{
	uint64_t id = (uint64_t)gid << 24 | (uint64_t)(uint32_t)cpu << 8 |
	    (uint64_t)kind;

	return t ^ ((id + 1) * 0xd6e8feb86659fd93ULL);
}

/*
 * A scheduling point: charge the cost of the operation to the caller's
 * CPU, then continue at once when the caller is the only runnable LWP
 * and no timed event or time limit is due; otherwise ask the strategy.
 * obj names what the operation is about (the lock, cv, atomic address)
 * for strategies that reason about dependences; NULL when none.
 */
static inline void
sched_point_obj(int kind, const void *obj)
{
	struct lwp *l = sim_curlwp;
	struct world *w;
	struct cpu_info *c;
	uint64_t t;

	if (__builtin_expect(l == NULL || (l->l_flags & LW_NOSCHED), 0))
		return;
	w = l->l_world;
	c = l->l_cpu;
	t = c->c_clock + w->w_cost[kind];
	c->c_clock = t;
	w->w_steps++;
	if (__builtin_expect(w->w_nrun == 1 && t <= w->w_until &&
	    t < evq_first_time(&w->w_evq), 1)) {
		tracehash_mix(&w->w_trace, sched_trace_datum(t, l->l_gid,
		    c->c_gindex, kind));
		return;
	}
	sched_point_slow(l, kind, obj);
}

static inline void
sched_point(int kind)
{
	sched_point_obj(kind, NULL);
}

/* sleep queues (sched.c) */
static inline void
sleepq_init(struct sleepq *sq)
{
	TAILQ_INIT(&sq->sq_lwps);
}
static inline bool
sleepq_empty(const struct sleepq *sq)
{
	return TAILQ_EMPTY(&sq->sq_lwps);
}
/*
 * Put curlwp to sleep on sq (NULL: on its timer only) for at most
 * timo_ns (0: no timeout).  Returns 0 when woken, EWOULDBLOCK on
 * timeout, EINTR when interrupted (only if sigok).
 */
int	sleepq_block(struct sleepq *, int slkind, const void *wchan,
	    const char *wmesg, uint64_t timo_ns, bool sigok, int kind);
/* Wake the first / every LWP on sq; returns how many. */
int	sleepq_wake_one(struct sleepq *);
int	sleepq_wake_all(struct sleepq *);

/* lwp.c */
struct lwp *lwp_create_internal(struct host *, struct cpu_info *bind,
	    int flags, const char *name, void (*fn)(void *), void *arg);
void	lwp_free(struct lwp *);
void	lwp_reap(struct world *);
struct host *sim_curhost(void);

/* intr.c */
struct softint *softint_establish_host(struct host *, int slot,
	    void (*func)(void *), void *arg);
void	softint_schedule_cpu(struct softint *, struct cpu_info *);
struct lwp *intr_lwp_create(struct cpu_info *, int slot);
void	intr_cpu_fini(struct cpu_info *);

/* callout.c */
void	callout_cpu_init(struct cpu_info *);

/* sdt.c */
void	probe_world_fini(struct world *);

/* host.c */
extern uintptr_t vnet_curbase;

/* lockdebug.c */
void	lockdebug_describe_owner(const void *lock, char *buf, size_t len);
void	lockdebug_world_fini(struct world *);
void	lockdebug_wait_check(struct lwp *, const void *lock);
void	lockdebug_sleep_check(struct lwp *, const char *wmesg);

/* pool.c: blocks of w still allocated; free them all at w's end. */
size_t	mem_world_live(const struct world *);
size_t	mem_world_fini(struct world *);

/* host.c */
void	host_boot(struct host *);
void	host_teardown(struct host *);
void	host_free(struct host *);

/* world.c */
void	world_fire_event(struct world *, struct evq_event *);
/*
 * Fail the run: record the violation (with the running LWP's stack),
 * stop the world, and never return to the caller.  The LWP that failed
 * is never resumed.
 */
void	sim_fail(enum violation_kind, const char *fmt, ...)
	    __attribute__((__noreturn__, __format__(__printf__, 2, 3)));
void	sim_failv(enum violation_kind, const char *fmt, va_list)
	    __attribute__((__noreturn__));
/*
 * After a violation was recorded: stop the world and abandon the
 * running LWP as sim_fail does.  Returns only when it cannot unwind
 * (no running world).
 */
void	sim_abandon(void);
char	*sim_backtrace(void);
/* fault.c: SIGSEGV & co. on an LWP stack become a VIOL_FAULT. */
void	fault_install(void);
/* In world_run, back on the main stack: record a fault, stop the world. */
void	fault_collect(struct world *);
void	world_violation_record(struct world *, enum violation_kind,
	    char *msg, char *stack);

#endif /* !_KNIT_SIM_CPU_MACHINE_H_ */
