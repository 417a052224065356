/*
 * pthreads platform: callouts (one timer thread) and softints (one
 * thread each).
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "pt_impl.h"
#include "sys/callout.h"
#include "sys/intr.h"
#include "sys/queue.h"

struct pt_callout {
	TAILQ_ENTRY(pt_callout) pc_link;	/* on pt_callq while pending */
	void		(*pc_func)(void *);
	void		*pc_arg;
	uint64_t	 pc_when;
	bool		 pc_pending;
	bool		 pc_fired;
	bool		 pc_invoking;
	struct lwp	*pc_running;		/* handler running, or NULL */
};
__CTASSERT(sizeof(struct pt_callout) <= sizeof(callout_t));

TAILQ_HEAD(pt_callq, pt_callout);

static pthread_mutex_t pt_call_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pt_call_cond;	/* new earliest deadline */
static pthread_cond_t pt_call_done;	/* a handler finished */
static struct pt_callq pt_callq = TAILQ_HEAD_INITIALIZER(pt_callq);
static bool pt_call_stop;
static struct lwp *pt_call_lwp;

static struct pt_callout *
PC(callout_t *c)
{
	return (struct pt_callout *)c;
}

static void
pt_callout_thread(void *arg)
{
	struct pt_callout *pc;
	struct timespec ts;
	uint64_t now;

	(void)arg;
	pthread_mutex_lock(&pt_call_lock);
	while (!pt_call_stop) {
		pc = TAILQ_FIRST(&pt_callq);
		now = pt_now_ns();
		if (pc == NULL) {
			pthread_cond_wait(&pt_call_cond, &pt_call_lock);
			continue;
		}
		if (pc->pc_when > now) {
			ts.tv_sec = (time_t)(pc->pc_when / 1000000000ULL);
			ts.tv_nsec = (long)(pc->pc_when % 1000000000ULL);
			pthread_cond_timedwait(&pt_call_cond, &pt_call_lock,
			    &ts);
			continue;
		}
		TAILQ_REMOVE(&pt_callq, pc, pc_link);
		pc->pc_pending = false;
		pc->pc_fired = true;
		pc->pc_invoking = true;
		pc->pc_running = pt_curlwp;
		pthread_mutex_unlock(&pt_call_lock);
		(*pc->pc_func)(pc->pc_arg);
		pthread_mutex_lock(&pt_call_lock);
		/* The handler may have destroyed or re-armed its callout. */
		if (pc->pc_running == pt_curlwp)
			pc->pc_running = NULL;
		pthread_cond_broadcast(&pt_call_done);
	}
	pthread_mutex_unlock(&pt_call_lock);
}

void
pt_callout_boot(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&pt_call_cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&pt_call_done, NULL);
	pt_call_stop = false;
	pt_call_lwp = pt_lwp_start("softclock", pt_callout_thread, NULL, true);
}

void
pt_callout_shutdown(void)
{
	pthread_mutex_lock(&pt_call_lock);
	pt_call_stop = true;
	pthread_cond_broadcast(&pt_call_cond);
	pthread_mutex_unlock(&pt_call_lock);
	pthread_join(pt_call_lwp->l_thread, NULL);
	free(pt_call_lwp);
	pt_call_lwp = NULL;
}

void
callout_init(callout_t *c, u_int flags)
{
	(void)flags;
	memset(c, 0, sizeof(*c));
}

void
callout_destroy(callout_t *c)
{
	KASSERTMSG(!PC(c)->pc_pending, "callout_destroy: callout pending");
}

void
callout_setfunc(callout_t *c, void (*func)(void *), void *arg)
{
	PC(c)->pc_func = func;
	PC(c)->pc_arg = arg;
}

static void
pt_callout_unlink(struct pt_callout *pc)
{
	if (pc->pc_pending) {
		TAILQ_REMOVE(&pt_callq, pc, pc_link);
		pc->pc_pending = false;
	}
}

void
callout_schedule(callout_t *c, int ticks)
{
	struct pt_callout *pc = PC(c), *it;

	pthread_mutex_lock(&pt_call_lock);
	pt_callout_unlink(pc);
	pc->pc_when = pt_now_ns() + (uint64_t)(ticks > 0 ? ticks : 1) *
	    NS_PER_TICK;
	pc->pc_fired = false;
	pc->pc_invoking = false;
	pc->pc_pending = true;
	/* Keep the queue sorted; equal deadlines stay in arrival order. */
	TAILQ_FOREACH(it, &pt_callq, pc_link)
		if (it->pc_when > pc->pc_when)
			break;
	if (it != NULL)
		TAILQ_INSERT_BEFORE(it, pc, pc_link);
	else
		TAILQ_INSERT_TAIL(&pt_callq, pc, pc_link);
	pthread_cond_broadcast(&pt_call_cond);
	pthread_mutex_unlock(&pt_call_lock);
}

void
callout_reset(callout_t *c, int ticks, void (*func)(void *), void *arg)
{
	callout_setfunc(c, func, arg);
	callout_schedule(c, ticks);
}

bool
callout_stop(callout_t *c)
{
	struct pt_callout *pc = PC(c);
	bool was;

	pthread_mutex_lock(&pt_call_lock);
	was = pc->pc_pending;
	pt_callout_unlink(pc);
	pthread_mutex_unlock(&pt_call_lock);
	return was;
}

bool
callout_halt(callout_t *c, kmutex_t *interlock)
{
	struct pt_callout *pc = PC(c);
	bool was;

	pthread_mutex_lock(&pt_call_lock);
	was = pc->pc_pending;
	pt_callout_unlink(pc);
	while (pc->pc_running != NULL && pc->pc_running != pt_curlwp) {
		if (interlock != NULL) {
			pthread_mutex_unlock(&pt_call_lock);
			mutex_exit(interlock);
			pthread_mutex_lock(&pt_call_lock);
		}
		while (pc->pc_running != NULL)
			pthread_cond_wait(&pt_call_done, &pt_call_lock);
		if (interlock != NULL) {
			pthread_mutex_unlock(&pt_call_lock);
			mutex_enter(interlock);
			pthread_mutex_lock(&pt_call_lock);
		}
	}
	pthread_mutex_unlock(&pt_call_lock);
	return was;
}

bool
callout_pending(callout_t *c)
{
	return PC(c)->pc_pending;
}

bool
callout_expired(callout_t *c)
{
	return PC(c)->pc_fired;
}

bool
callout_active(callout_t *c)
{
	return PC(c)->pc_pending || PC(c)->pc_invoking;
}

bool
callout_invoking(callout_t *c)
{
	return PC(c)->pc_invoking;
}

void
callout_ack(callout_t *c)
{
	PC(c)->pc_invoking = false;
}

void
callout_bind(callout_t *c, struct cpu_info *ci)
{
	(void)c;
	(void)ci;
}

/* A softint: one thread sleeping until scheduled. */
struct pt_softint {
	pthread_mutex_t	 si_lock;
	pthread_cond_t	 si_cond;
	bool		 si_pending;
	bool		 si_dying;
	void		(*si_func)(void *);
	void		*si_arg;
	struct lwp	*si_lwp;
};

static void
pt_softint_thread(void *arg)
{
	struct pt_softint *si = arg;

	pt_curlwp->l_softint = true;
	pthread_mutex_lock(&si->si_lock);
	for (;;) {
		while (!si->si_pending && !si->si_dying)
			pthread_cond_wait(&si->si_cond, &si->si_lock);
		if (si->si_dying)
			break;
		si->si_pending = false;
		pthread_mutex_unlock(&si->si_lock);
		(*si->si_func)(si->si_arg);
		pthread_mutex_lock(&si->si_lock);
	}
	pthread_mutex_unlock(&si->si_lock);
}

void *
softint_establish(u_int flags, void (*func)(void *), void *arg)
{
	struct pt_softint *si = calloc(1, sizeof(*si));

	(void)flags;
	if (si == NULL)
		return NULL;
	pthread_mutex_init(&si->si_lock, NULL);
	pthread_cond_init(&si->si_cond, NULL);
	si->si_func = func;
	si->si_arg = arg;
	si->si_lwp = pt_lwp_start("softint", pt_softint_thread, si, true);
	return si;
}

void
softint_schedule(void *cookie)
{
	struct pt_softint *si = cookie;

	pthread_mutex_lock(&si->si_lock);
	si->si_pending = true;
	pthread_cond_signal(&si->si_cond);
	pthread_mutex_unlock(&si->si_lock);
}

void
softint_disestablish(void *cookie)
{
	struct pt_softint *si = cookie;

	pthread_mutex_lock(&si->si_lock);
	si->si_dying = true;
	pthread_cond_signal(&si->si_cond);
	pthread_mutex_unlock(&si->si_lock);
	pthread_join(si->si_lwp->l_thread, NULL);
	free(si->si_lwp);
	pthread_cond_destroy(&si->si_cond);
	pthread_mutex_destroy(&si->si_lock);
	free(si);
}
