/*
 * Data-race detector: FastTrack-style happens-before.
 *
 * Every LWP ("thread", a small dense tid) has a vector clock; each
 * synchronisation object (a lock, a condvar, an atomic's address, a
 * softint or callout, a packet in flight) has one too.  A release joins
 * the thread's clock into the object's and ticks the thread; an acquire
 * joins the object's clock into the thread's.  Memory is shadowed per
 * 8-byte granule (check/race_shadow.h): the last write as an epoch
 * (tid, clock) and the last reads as an epoch, or as one epoch per
 * thread once reads are concurrent.  Two accesses to overlapping bytes,
 * at least one a write, neither ordered before the other by
 * happens-before, are a race.
 *
 * Byte masks make adjacent fields in one granule independent (two
 * fields under two locks are not a race).  When information must be
 * dropped (a granule overwritten by an unrelated access), it is the
 * older access that is forgotten: races may be missed, never invented.
 * More happens-before edges than the real machine has (a barrier
 * modelled as a global release/acquire) can likewise only hide races.
 *
 * Stacks: __tsan_func_entry/exit maintain each thread's position in a
 * call tree shared by all threads; an access records its tree node and
 * pc, so a report can show the stack of the earlier access too.
 *
 * The hooks (check/tsan_hooks.c) feed race_current, which the platform
 * sets when it starts a world in race mode and whose current tid it
 * updates at every context switch (race_switch).
 */
#ifndef _KNIT_SIM_CHECK_RACE_H_
#define _KNIT_SIM_CHECK_RACE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct race;

struct race_report {
	char		*rr_signature;	/* kinds and functions, no address */
	char		*rr_text;	/* both accesses, stacks, LWPs, CPUs */
	uint32_t	 rr_tid[2];	/* [0] current access, [1] earlier */
	int		 rr_cpu[2];
};

typedef void	(*race_report_fn_t)(void *arg, const struct race_report *);
/* Called (in race mode) before each instrumented access, e.g. to make
 * it a scheduling point. */
typedef void	(*race_access_hook_t)(void *arg, uintptr_t addr, bool write);

struct race	*race_create(void);
void		 race_destroy(struct race *);
void		 race_set_report_fn(struct race *, race_report_fn_t, void *);
void		 race_set_access_hook(struct race *, race_access_hook_t,
		    void *);

/*
 * Threads.  A thread with no parent starts with an empty history (use
 * race_thread_create with parent RACE_NOTID only for the first LWPs of
 * a world).  Names appear in reports.
 */
#define RACE_NOTID	UINT32_MAX
void		 race_thread_create(struct race *, uint32_t parent,
		    uint32_t child, const char *name);
void		 race_thread_exit(struct race *, uint32_t tid);
/* waiter learns everything the exited thread did */
void		 race_thread_join(struct race *, uint32_t waiter,
		    uint32_t exited);
/* The running thread and its CPU (for the hooks and for reports). */
void		 race_switch(struct race *, uint32_t tid, int cpu);
uint32_t	 race_current_tid(struct race *);
/*
 * Or let the platform say who runs: fn returns the running tid (or
 * RACE_NOTID) and sets *cpu; it then replaces race_switch.
 */
void		 race_set_tid_fn(uint32_t (*fn)(int *cpu));
/*
 * And a counter the platform bumps whenever fn's answer may change:
 * while it stands still, the last answer is reused (NULL: ask fn at
 * every access).  Set after race_set_tid_fn, which clears it; the
 * counter never reaches UINT64_MAX, and a detector that already kept
 * an answer under another counter must not be used with this one.
 */
void		 race_set_tid_gen(const uint64_t *gen);

/* Synchronisation edges on any object key (an address, a cookie). */
void		 race_release(struct race *, uint32_t tid, uintptr_t obj);
void		 race_acquire(struct race *, uint32_t tid, uintptr_t obj);
/* Forget an object's clock (the lock was destroyed). */
void		 race_sync_free(struct race *, uintptr_t obj);
/* Join src's clock into dst's (no thread ticks): fences, see below. */
void		 race_sync_join(struct race *, uintptr_t dst, uintptr_t src);

/* Accesses by tid at pc.  size may be anything (a range). */
void		 race_read(struct race *, uint32_t tid, uintptr_t addr,
		    size_t size, uintptr_t pc);
void		 race_write(struct race *, uint32_t tid, uintptr_t addr,
		    size_t size, uintptr_t pc);
/*
 * The same by the running thread (race_switch or the tid function):
 * what the __tsan_* hooks call.  Accesses by tids >= 2^24 - 1 are not
 * checked (a shadow record holds 24 bits of tid).
 */
void		 race_access(struct race *, uintptr_t addr, size_t size,
		    uintptr_t pc, bool write);
/*
 * An atomic access (C11 / TSan semantics): checked against plain
 * accesses like any other, but never a race with another atomic access
 * (an access is atomic when its pc is one an atomic access used).  It
 * creates no edge: the memory orders and fences are race_atomic_op's
 * (check/race_atomic.c).
 */
void		 race_atomic_access(struct race *, uint32_t tid, uintptr_t addr,
		    size_t size, uintptr_t pc, bool read, bool write);
#define RACE_AT_READ	0x01u	/* the operation reads the location */
#define RACE_AT_WRITE	0x02u	/* ... writes it */
#define RACE_AT_ACQUIRE	0x04u	/* ... with acquire order */
#define RACE_AT_RELEASE	0x08u	/* ... with release order */
void		 race_atomic_op(struct race *, uint32_t tid, uintptr_t addr,
		    size_t size, unsigned flags, uintptr_t pc);
/* A fence by tid: flags RACE_AT_ACQUIRE and/or RACE_AT_RELEASE. */
void		 race_fence(struct race *, uint32_t tid, unsigned flags);
/* tid starts a new thread: no fence history. */
void		 race_fence_reset(struct race *, uint32_t tid);
/* Memory (re)allocated or freed: its history no longer matters. */
void		 race_forget(struct race *, uintptr_t addr, size_t size);

/* Call stacks of thread tid. */
void		 race_func_entry(struct race *, uint32_t tid, uintptr_t pc);
void		 race_func_exit(struct race *, uint32_t tid);
/* The same for the running thread (nothing if none runs). */
void		 race_enter(struct race *, uintptr_t pc);
void		 race_leave(struct race *);

size_t		 race_nreports(const struct race *);
const struct race_report *race_report(const struct race *, size_t i);
uint64_t	 race_naccesses(const struct race *);

/*
 * The detector the __tsan_* hooks feed, or NULL (hooks do nothing).
 * Set (race_set_current) by the platform for a world in race mode.
 */
extern struct race *race_current;
extern bool race_access_hook_enabled;	/* race_current has an access hook */
void		 race_set_current(struct race *);
void		 race_call_access_hook(struct race *, uintptr_t addr,
		    bool write);

#endif /* !_KNIT_SIM_CHECK_RACE_H_ */
