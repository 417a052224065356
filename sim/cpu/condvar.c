/*
 * condvar(9) and kpause(9).
 *
 * A waiter releases its mutex and sleeps on the cv in one step (nothing
 * runs in between), so a cv_signal issued after the waiter released the
 * mutex always finds it: there are no lost wakeups by construction.
 * Timed waits arm the LWP's timer event; it fires when the earliest
 * ready CPU clock reaches the deadline.
 */
#include <errno.h>
#include <string.h>

#include "cpu/locks.h"
#include "cpu/sync.h"

static inline struct scv *
CV(const kcondvar_t *cv)
{
	return (struct scv *)(uintptr_t)cv;
}

static void
cv_fail(const char *func, const char *msg)
{
	sim_fail(VIOL_LOCK_MISUSE, "condvar error: %s: %s", func, msg);
}

void
cv_init(kcondvar_t *cvp, const char *wmesg)
{
	struct scv *cv = CV(cvp);

	memset(cvp, 0, sizeof(*cvp));
	cv->cv_magic = LOCK_MAGIC_CV;
	cv->cv_wmesg = wmesg;
	sleepq_init(&cv->cv_waiters);
}

void
cv_destroy(kcondvar_t *cvp)
{
	struct scv *cv = CV(cvp);

	if (cv->cv_magic != LOCK_MAGIC_CV)
		cv_fail("cv_destroy", "uninitialized condition variable");
	if (!sleepq_empty(&cv->cv_waiters))
		cv_fail("cv_destroy", "destroying a condition variable "
		    "with waiters");
	cv->cv_magic = LOCK_DEAD;
}

static int
cv_wait_common(kcondvar_t *cvp, kmutex_t *mtx, int ticks, bool sigok,
    const char *func)
{
	struct scv *cv = CV(cvp);
	struct smutex *m = MTX(mtx);
	struct lwp *l = sim_curlwp;
	int error;

	if (cv->cv_magic != LOCK_MAGIC_CV)
		cv_fail(func, "uninitialized condition variable");
	if (l == NULL || m->mtx_lo.lo_magic != LOCK_MAGIC_MUTEX ||
	    m->mtx_owner != l)
		lockdebug_fail(&m->mtx_lo, "mutex", func,
		    "interlocking mutex not held by current LWP");
	if (cv->cv_mtx != NULL && cv->cv_mtx != m &&
	    !sleepq_empty(&cv->cv_waiters))
		lockdebug_fail(&m->mtx_lo, "mutex", func,
		    "multiple locks used with condition variable");
	if (l->l_nspin > (m->mtx_spin ? 1 : 0))
		lockdebug_fail(&m->mtx_lo, "mutex", func,
		    "sleeping with spin lock held");
	cv->cv_mtx = m;
	cv->cv_nwaiters++;
	mutex_release(m, l);
	l->l_spin_sleepok = m->mtx_spin ? 1 : 0;
	error = sleepq_block(&cv->cv_waiters, SLK_CV, cv, cv->cv_wmesg,
	    ticks > 0 ? (uint64_t)ticks * NS_PER_TICK : 0, sigok,
	    SIM_OP_CV);
	l->l_spin_sleepok = 0;
	cv->cv_nwaiters--;
	if (error == 0)
		sync_acquire(l, cv);
	sched_point_obj(SIM_OP_MUTEX, m);
	mutex_acquire(m, l);
	return error;
}

void
cv_wait(kcondvar_t *cv, kmutex_t *mtx)
{
	(void)cv_wait_common(cv, mtx, 0, false, "cv_wait");
}

int
cv_wait_sig(kcondvar_t *cv, kmutex_t *mtx)
{
	return cv_wait_common(cv, mtx, 0, true, "cv_wait_sig");
}

int
cv_timedwait(kcondvar_t *cv, kmutex_t *mtx, int ticks)
{
	return cv_wait_common(cv, mtx, ticks, false, "cv_timedwait");
}

int
cv_timedwait_sig(kcondvar_t *cv, kmutex_t *mtx, int ticks)
{
	return cv_wait_common(cv, mtx, ticks, true, "cv_timedwait_sig");
}

void
cv_signal(kcondvar_t *cvp)
{
	struct scv *cv = CV(cvp);

	if (cv->cv_magic != LOCK_MAGIC_CV)
		cv_fail("cv_signal", "uninitialized condition variable");
	sched_point_obj(SIM_OP_CV, cv);
	if (sleepq_empty(&cv->cv_waiters))
		return;
	sync_release(sim_curlwp, cv);
	(void)sleepq_wake_one(&cv->cv_waiters);
}

void
cv_broadcast(kcondvar_t *cvp)
{
	struct scv *cv = CV(cvp);

	if (cv->cv_magic != LOCK_MAGIC_CV)
		cv_fail("cv_broadcast", "uninitialized condition variable");
	sched_point_obj(SIM_OP_CV, cv);
	if (sleepq_empty(&cv->cv_waiters))
		return;
	sync_release(sim_curlwp, cv);
	(void)sleepq_wake_all(&cv->cv_waiters);
}

bool
cv_has_waiters(kcondvar_t *cvp)
{
	return !sleepq_empty(&CV(cvp)->cv_waiters);
}

int
kpause(const char *wmesg, bool intr, int ticks, kmutex_t *mtx)
{
	struct lwp *l = sim_curlwp;
	int error;

	if (mtx != NULL)
		mutex_release(MTX(mtx), l);
	error = sleepq_block(NULL, SLK_TIMER, NULL, wmesg,
	    ticks > 0 ? (uint64_t)ticks * NS_PER_TICK : 0, intr,
	    SIM_OP_SLEEP);
	if (mtx != NULL) {
		sched_point(SIM_OP_MUTEX);
		mutex_acquire(MTX(mtx), l);
	}
	return error == 0 ? EWOULDBLOCK : error;
}
