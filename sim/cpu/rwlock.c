/*
 * rwlock(9): reader/writer locks.
 *
 * Writers are preferred: once a writer waits, new readers wait too
 * (which is also NetBSD's behaviour, so a reader that recurses while a
 * writer waits deadlocks there as well).  Every operation is a
 * scheduling point, taken before the lock changes state.
 */
#include <string.h>

#include "cpu/locks.h"
#include "cpu/sync.h"

static inline struct srwlock *
RW(const krwlock_t *rw)
{
	return (struct srwlock *)(uintptr_t)rw;
}

static void
rw_check(struct srwlock *rw, const char *func)
{
	if (__builtin_expect(rw->rw_lo.lo_magic != LOCK_MAGIC_RW, 0))
		lockdebug_fail(&rw->rw_lo, "rwlock", func,
		    rw->rw_lo.lo_magic == LOCK_DEAD ?
		    "lock used after destroy" : "uninitialized lock");
	if (__builtin_expect(sim_curlwp == NULL, 0))
		sim_fail(VIOL_PANIC, "%s: called outside kernel context",
		    func);
}

void
rw_init_named(krwlock_t *rwl, const char *name, const char *file, int line)
{
	struct srwlock *rw = RW(rwl);

	lockdebug_init(&rw->rw_lo, sizeof(*rwl), LOCK_MAGIC_RW, "rwlock",
	    "rw_init", name, file, line);
	sleepq_init(&rw->rw_rwait);
	sleepq_init(&rw->rw_wwait);
}

void
rw_destroy(krwlock_t *rwl)
{
	struct srwlock *rw = RW(rwl);

	if (rw->rw_lo.lo_magic != LOCK_MAGIC_RW)
		lockdebug_fail(&rw->rw_lo, "rwlock", "rw_destroy",
		    "uninitialized lock");
	if (rw->rw_writer != NULL || rw->rw_readers != 0 ||
	    !sleepq_empty(&rw->rw_rwait) || !sleepq_empty(&rw->rw_wwait))
		lockdebug_fail(&rw->rw_lo, "rwlock", "rw_destroy",
		    "is locked or in use");
	lockdebug_unregister(&rw->rw_lo);
	rw->rw_lo.lo_magic = LOCK_DEAD;
}

static void
rw_acquired(struct srwlock *rw, struct lwp *l, krw_t op, bool try)
{
	if (op == RW_WRITER)
		rw->rw_writer = l;
	else
		rw->rw_readers++;
	lockdebug_held_push(l, rw, op == RW_READER);
	sync_lock_acquired(l, rw, SYNC_RWLOCK, op == RW_READER, try,
	    rw->rw_lo.lo_name, rw->rw_lo.lo_file, rw->rw_lo.lo_line);
}

static bool
rw_can(const struct srwlock *rw, krw_t op)
{
	if (op == RW_WRITER)
		return rw->rw_writer == NULL && rw->rw_readers == 0;
	return rw->rw_writer == NULL && rw->rw_wwant == 0;
}

static void
rw_enter_checks(struct srwlock *rw, struct lwp *l, const char *func)
{
	rw_check(rw, func);
	if (rw->rw_writer == l ||
	    (rw->rw_readers != 0 && lockdebug_held(l, rw)))
		lockdebug_fail(&rw->rw_lo, "rwlock", func,
		    "locking against myself");
	if (l->l_flags & LW_HARDINTR)
		lockdebug_fail(&rw->rw_lo, "rwlock", func,
		    "acquiring sleep lock from interrupt context");
}

void
rw_enter(krwlock_t *rwl, krw_t op)
{
	struct srwlock *rw = RW(rwl);
	struct lwp *l = sim_curlwp;

	/*
	 * A reader that already holds the lock as reader is not "locking
	 * against myself" in NetBSD; only a writer is.
	 */
	rw_check(rw, "rw_enter");
	if (rw->rw_writer == l || (op == RW_WRITER && lockdebug_held(l, rw)))
		lockdebug_fail(&rw->rw_lo, "rwlock", "rw_enter",
		    "locking against myself");
	if (l->l_flags & LW_HARDINTR)
		lockdebug_fail(&rw->rw_lo, "rwlock", "rw_enter",
		    "acquiring sleep lock from interrupt context");
	sched_point_obj(SIM_OP_RWLOCK, rw);
	while (!rw_can(rw, op)) {
		if (l->l_flags & LW_NOSCHED)
			sim_fail(VIOL_PANIC, "rw_enter: rwlock \"%s\" is held "
			    "and the caller cannot wait", rw->rw_lo.lo_name);
		if (l->l_nspin > 0)
			lockdebug_fail(&rw->rw_lo, "rwlock", "rw_enter",
			    "sleeping with spin lock held");
		if (op == RW_WRITER) {
			rw->rw_wwant++;
			(void)sleepq_block(&rw->rw_wwait, SLK_LOCK, rw,
			    rw->rw_lo.lo_name, 0, false, SIM_OP_RWLOCK);
			rw->rw_wwant--;
		} else {
			(void)sleepq_block(&rw->rw_rwait, SLK_LOCK, rw,
			    rw->rw_lo.lo_name, 0, false, SIM_OP_RWLOCK);
		}
	}
	rw_acquired(rw, l, op, false);
}

int
rw_tryenter(krwlock_t *rwl, krw_t op)
{
	struct srwlock *rw = RW(rwl);
	struct lwp *l = sim_curlwp;

	rw_enter_checks(rw, l, "rw_tryenter");
	sched_point_obj(SIM_OP_RWLOCK, rw);
	if (!rw_can(rw, op))
		return 0;
	rw_acquired(rw, l, op, true);
	return 1;
}

/* Wake whoever may proceed now that the lock changed state. */
static void
rw_wakeup(struct srwlock *rw)
{
	if (rw->rw_writer != NULL)
		return;
	if (rw->rw_readers == 0 && !sleepq_empty(&rw->rw_wwait))
		(void)sleepq_wake_one(&rw->rw_wwait);
	else if (rw->rw_wwant == 0)
		(void)sleepq_wake_all(&rw->rw_rwait);
}

void
rw_exit(krwlock_t *rwl)
{
	struct srwlock *rw = RW(rwl);
	struct lwp *l = sim_curlwp;
	bool shared;

	rw_check(rw, "rw_exit");
	if (rw->rw_writer == l) {
		shared = false;
	} else if (rw->rw_readers != 0 && lockdebug_held(l, rw)) {
		shared = true;
	} else {
		lockdebug_fail(&rw->rw_lo, "rwlock", "rw_exit",
		    rw->rw_writer == NULL && rw->rw_readers == 0 ?
		    "not locked" : "not held by current LWP");
	}
	sched_point_obj(SIM_OP_RWLOCK, rw);
	sync_lock_released(l, rw, SYNC_RWLOCK, shared);
	(void)lockdebug_held_pop(l, rw);
	if (shared)
		rw->rw_readers--;
	else
		rw->rw_writer = NULL;
	rw_wakeup(rw);
}

void
rw_downgrade(krwlock_t *rwl)
{
	struct srwlock *rw = RW(rwl);
	struct lwp *l = sim_curlwp;

	rw_check(rw, "rw_downgrade");
	if (rw->rw_writer != l)
		lockdebug_fail(&rw->rw_lo, "rwlock", "rw_downgrade",
		    "not held by current LWP as writer");
	sched_point_obj(SIM_OP_RWLOCK, rw);
	sync_lock_released(l, rw, SYNC_RWLOCK, false);
	(void)lockdebug_held_pop(l, rw);
	rw->rw_writer = NULL;
	rw_acquired(rw, l, RW_READER, false);
	if (rw->rw_wwant == 0)
		(void)sleepq_wake_all(&rw->rw_rwait);
}

int
rw_tryupgrade(krwlock_t *rwl)
{
	struct srwlock *rw = RW(rwl);
	struct lwp *l = sim_curlwp;

	rw_check(rw, "rw_tryupgrade");
	if (rw->rw_readers == 0 || !lockdebug_held(l, rw))
		lockdebug_fail(&rw->rw_lo, "rwlock", "rw_tryupgrade",
		    "not held by current LWP as reader");
	sched_point_obj(SIM_OP_RWLOCK, rw);
	if (rw->rw_readers != 1)
		return 0;
	sync_lock_released(l, rw, SYNC_RWLOCK, true);
	(void)lockdebug_held_pop(l, rw);
	rw->rw_readers = 0;
	rw_acquired(rw, l, RW_WRITER, true);
	return 1;
}

int
rw_read_held(krwlock_t *rwl)
{
	return RW(rwl)->rw_readers != 0;
}

int
rw_write_held(krwlock_t *rwl)
{
	return sim_curlwp != NULL && RW(rwl)->rw_writer == sim_curlwp;
}

int
rw_lock_held(krwlock_t *rwl)
{
	return rw_read_held(rwl) || rw_write_held(rwl);
}
