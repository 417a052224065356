/*
 * callout(9): timed callbacks.
 *
 * A scheduled callout is an event on the world's queue at now + ticks.
 * When it fires (event context) it is appended to its CPU's softclock
 * queue and the CPU's softclock softint is scheduled; the handler runs
 * there, in softint context on an LWP, and may block.  callout_stop
 * really removes the callout, from the event queue or the softclock
 * queue; callout_halt also waits until a running handler returned.
 */
#include <stdlib.h>
#include <string.h>

#include "sys/callout.h"

#include "cpu/locks.h"
#include "cpu/sync.h"

#define CALLOUT_MAGIC	0x43414c4cu	/* "CALL" */

#define CO_PENDING	0x01	/* scheduled, handler not started */
#define CO_FIRED	0x02	/* its time came (callout_expired) */
#define CO_INVOKING	0x04	/* handler started, not acked */
#define CO_ACTIVE	0x08
#define CO_BOUND	0x10
#define CO_ONQ		0x20	/* on its CPU's softclock queue */

struct scallout {
	uint32_t	 co_magic;
	uint32_t	 co_flags;
	struct evq_event co_ev;
	void		(*co_func)(void *);
	void		*co_arg;
	struct cpu_info	*co_cpu;
	TAILQ_ENTRY(scallout) co_q;
};
_Static_assert(sizeof(struct scallout) <= sizeof(callout_t), "callout_t");

static inline struct scallout *
CO(callout_t *c)
{
	return (struct scallout *)(void *)c;
}

static void
callout_check(struct scallout *co, const char *func)
{
	if (co->co_magic != CALLOUT_MAGIC)
		sim_fail(VIOL_PANIC, "panic: %s: uninitialized callout %p",
		    func, (void *)co);
}

static void
softclock_main(void *arg)
{
	struct cpu_info *c = arg;
	struct scallout *co;
	void (*fn)(void *);
	void *fnarg;

	while ((co = TAILQ_FIRST(&c->c_calloutq)) != NULL) {
		TAILQ_REMOVE(&c->c_calloutq, co, co_q);
		co->co_flags &= ~(CO_ONQ | CO_PENDING);
		co->co_flags |= CO_INVOKING;
		fn = co->co_func;
		fnarg = co->co_arg;
		c->c_callout_running = co;
		sync_acquire(sim_curlwp, co);
		if (fn != NULL)
			fn(fnarg);
		/* co may be gone now: only compare the pointer */
		c->c_callout_running = NULL;
		if (!sleepq_empty(&c->c_callout_waiters))
			(void)sleepq_wake_all(&c->c_callout_waiters);
	}
}

void
callout_cpu_init(struct cpu_info *c)
{
	TAILQ_INIT(&c->c_calloutq);
	sleepq_init(&c->c_callout_waiters);
	c->c_softclock = softint_establish_host(c->c_host, INTR_SOFTCLOCK,
	    softclock_main, c);
}

static void
callout_fire(struct evq_event *ev, void *arg)
{
	struct scallout *co = arg;
	struct cpu_info *c = co->co_cpu;

	(void)ev;
	co->co_flags |= CO_FIRED | CO_ONQ;
	TAILQ_INSERT_TAIL(&c->c_calloutq, co, co_q);
	softint_schedule_cpu(c->c_softclock, c);
}

void
callout_init(callout_t *cp, u_int flags)
{
	struct scallout *co = CO(cp);
	struct host *h = sim_curhost();

	(void)flags;
	memset(cp, 0, sizeof(*cp));
	co->co_magic = CALLOUT_MAGIC;
	evq_event_init(&co->co_ev, callout_fire, co);
	if (h != NULL)
		co->co_cpu = &h->h_cpus[0];
}

/* Take co off the event queue or its softclock queue. */
static bool
callout_unqueue(struct scallout *co)
{
	bool was = false;

	if (evq_queued(&co->co_ev)) {
		evq_cancel(&co->co_cpu->c_world->w_evq, &co->co_ev);
		was = true;
	}
	if (co->co_flags & CO_ONQ) {
		TAILQ_REMOVE(&co->co_cpu->c_calloutq, co, co_q);
		co->co_flags &= ~CO_ONQ;
		was = true;
	}
	co->co_flags &= ~CO_PENDING;
	return was;
}

void
callout_destroy(callout_t *cp)
{
	struct scallout *co = CO(cp);

	callout_check(co, "callout_destroy");
	if (co->co_flags & CO_PENDING)
		sim_fail(VIOL_PANIC, "panic: callout_destroy: callout %p is "
		    "pending", (void *)co);
	if (co->co_cpu != NULL && co->co_cpu->c_callout_running == co) {
		if (sim_curlwp != co->co_cpu->c_intr[INTR_SOFTCLOCK])
			sim_fail(VIOL_PANIC, "panic: callout_destroy: "
			    "callout %p is running", (void *)co);
		co->co_cpu->c_callout_running = NULL;
	}
	co->co_magic = LOCK_DEAD;
}

void
callout_setfunc(callout_t *cp, void (*func)(void *), void *arg)
{
	struct scallout *co = CO(cp);

	callout_check(co, "callout_setfunc");
	co->co_func = func;
	co->co_arg = arg;
}

void
callout_schedule(callout_t *cp, int ticks)
{
	struct scallout *co = CO(cp);
	struct cpu_info *c;

	callout_check(co, "callout_schedule");
	(void)callout_unqueue(co);
	c = co->co_cpu;
	if (!(co->co_flags & CO_BOUND) && sim_curcpu != NULL &&
	    !(sim_curlwp->l_flags & LW_NOSCHED))
		c = sim_curcpu;
	if (c == NULL)
		sim_fail(VIOL_PANIC, "panic: callout_schedule: no CPU for "
		    "callout %p", (void *)co);
	co->co_cpu = c;
	co->co_flags |= CO_PENDING | CO_ACTIVE;
	co->co_flags &= ~(CO_FIRED | CO_INVOKING);
	sync_release(sim_curlwp, co);
	if (ticks < 1)
		ticks = 1;
	co->co_ev.ev_owner = c->c_host->h_index;	/* not queued */
	evq_insert(&c->c_world->w_evq, &co->co_ev,
	    sim_now_internal() + (uint64_t)ticks * NS_PER_TICK);
}

void
callout_reset(callout_t *cp, int ticks, void (*func)(void *), void *arg)
{
	callout_setfunc(cp, func, arg);
	callout_schedule(cp, ticks);
}

bool
callout_stop(callout_t *cp)
{
	struct scallout *co = CO(cp);
	bool was;

	callout_check(co, "callout_stop");
	was = callout_unqueue(co);
	co->co_flags &= ~CO_ACTIVE;
	return was;
}

bool
callout_halt(callout_t *cp, kmutex_t *interlock)
{
	struct scallout *co = CO(cp);
	struct cpu_info *c;
	bool was, waited = false;

	was = callout_stop(cp);
	c = co->co_cpu;
	while (c != NULL && c->c_callout_running == co &&
	    sim_curlwp != c->c_intr[INTR_SOFTCLOCK]) {
		if (interlock != NULL)
			mutex_release(MTX(interlock), sim_curlwp);
		(void)sleepq_block(&c->c_callout_waiters, SLK_CALLOUT, co,
		    "callout", 0, false, SIM_OP_SLEEP);
		if (interlock != NULL) {
			sched_point(SIM_OP_MUTEX);
			mutex_acquire(MTX(interlock), sim_curlwp);
		}
		waited = true;
	}
	return was || waited;
}

bool
callout_pending(callout_t *cp)
{
	return (CO(cp)->co_flags & CO_PENDING) != 0;
}

bool
callout_expired(callout_t *cp)
{
	return (CO(cp)->co_flags & CO_FIRED) != 0;
}

bool
callout_active(callout_t *cp)
{
	return (CO(cp)->co_flags & CO_ACTIVE) != 0;
}

bool
callout_invoking(callout_t *cp)
{
	return (CO(cp)->co_flags & CO_INVOKING) != 0;
}

void
callout_ack(callout_t *cp)
{
	CO(cp)->co_flags &= ~CO_INVOKING;
}

void
callout_bind(callout_t *cp, struct cpu_info *ci)
{
	struct scallout *co = CO(cp);

	co->co_cpu = ci;
	co->co_flags |= CO_BOUND;
}
