/*
 * mutex(9): adaptive and spin mutexes.
 *
 * As in NetBSD, a mutex is a spin mutex when created MUTEX_SPIN or at
 * IPL_VM or above; otherwise (IPL_NONE and the soft levels) it is
 * adaptive and a contended enter sleeps.  A spin mutex raises the IPL
 * while held; a contended spin enter keeps its CPU busy (LSSPIN) until
 * the lock is released.  Every enter, tryenter and exit is a scheduling
 * point, taken before the lock changes hands.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/locks.h"
#include "cpu/sync.h"

static void __attribute__((__noreturn__))
mutex_bad(const struct smutex *m, const char *func)
{
	lockdebug_fail(&m->mtx_lo, "mutex", func,
	    m->mtx_lo.lo_magic == LOCK_DEAD ? "lock used after destroy" :
	    "uninitialized lock");
}

static inline int
mutex_kind(const struct smutex *m)
{
	return m->mtx_spin ? SYNC_SPIN : SYNC_MUTEX;
}

void
mutex_init_named(kmutex_t *mtx, kmutex_type_t type, int ipl,
    const char *name, const char *file, int line)
{
	struct smutex *m = MTX(mtx);

	lockdebug_init(&m->mtx_lo, sizeof(*mtx), LOCK_MAGIC_MUTEX, "mutex",
	    "mutex_init", name, file, line);
	m->mtx_ipl = ipl;
	m->mtx_spin = type == MUTEX_SPIN || ipl >= IPL_VM;
	sleepq_init(&m->mtx_waiters);
}

void
mutex_destroy(kmutex_t *mtx)
{
	struct smutex *m = MTX(mtx);

	if (m->mtx_lo.lo_magic != LOCK_MAGIC_MUTEX)
		mutex_bad(m, "mutex_destroy");
	if (m->mtx_owner != NULL || !sleepq_empty(&m->mtx_waiters))
		lockdebug_fail(&m->mtx_lo, "mutex", "mutex_destroy",
		    "is locked or in use");
	lockdebug_unregister(&m->mtx_lo);
	m->mtx_lo.lo_magic = LOCK_DEAD;
}

/* Take m for l, waiting as long as it is held. */
void
mutex_acquire(struct smutex *m, struct lwp *l)
{
	while (__builtin_expect(m->mtx_owner != NULL, 0)) {
		if (l->l_flags & LW_NOSCHED)
			sim_fail(VIOL_PANIC, "mutex_enter: mutex \"%s\" is "
			    "held and the caller is not an LWP (host_enter "
			    "context cannot wait)", m->mtx_lo.lo_name);
		if (m->mtx_spin) {
			sched_spin_wait(l, &m->mtx_waiters, m,
			    m->mtx_lo.lo_name);
			continue;
		}
		if (l->l_nspin > 0)
			lockdebug_fail(&m->mtx_lo, "mutex", "mutex_enter",
			    "sleeping with spin lock held");
		(void)sleepq_block(&m->mtx_waiters, SLK_LOCK, m,
		    m->mtx_lo.lo_name, 0, false, SIM_OP_MUTEX);
	}
	m->mtx_owner = l;
	lockdebug_held_push(l, m, false);
	sync_lock_acquired(l, m, mutex_kind(m), false, false,
	    m->mtx_lo.lo_name, m->mtx_lo.lo_file, m->mtx_lo.lo_line);
}

static inline void
mutex_release_inline(struct smutex *m, struct lwp *l)
{
	sync_lock_released(l, m, mutex_kind(m), false);
	(void)lockdebug_held_pop(l, m);
	m->mtx_owner = NULL;
	if (__builtin_expect(!sleepq_empty(&m->mtx_waiters), 0))
		(void)sleepq_wake_one(&m->mtx_waiters);
}

void
mutex_release(struct smutex *m, struct lwp *l)
{
	sync_lock_released(l, m, mutex_kind(m), false);
	(void)lockdebug_held_pop(l, m);
	m->mtx_owner = NULL;
	if (!sleepq_empty(&m->mtx_waiters))
		(void)sleepq_wake_one(&m->mtx_waiters);
}

static struct lwp *
mutex_curlwp(const char *func)
{
	struct lwp *l = sim_curlwp;

	if (__builtin_expect(l == NULL, 0))
		sim_fail(VIOL_PANIC, "%s: called outside kernel context "
		    "(no current LWP)", func);
	return l;
}

void
mutex_enter(kmutex_t *mtx)
{
	struct smutex *m = MTX(mtx);
	struct lwp *l = mutex_curlwp("mutex_enter");
	int s;

	if (__builtin_expect(m->mtx_lo.lo_magic != LOCK_MAGIC_MUTEX, 0))
		mutex_bad(m, "mutex_enter");
	if (__builtin_expect(m->mtx_owner == l, 0))
		lockdebug_fail(&m->mtx_lo, "mutex", "mutex_enter",
		    "locking against myself");
	if (m->mtx_spin) {
		s = splraiseipl(m->mtx_ipl);
		if (l->l_nspin++ == 0)
			l->l_spin_oldipl = s;
	} else if (__builtin_expect(l->l_flags & LW_HARDINTR, 0)) {
		lockdebug_fail(&m->mtx_lo, "mutex", "mutex_enter",
		    "acquiring sleep lock from interrupt context");
	}
	sched_point_obj(SIM_OP_MUTEX, m);
	if (__builtin_expect(m->mtx_owner == NULL, 1)) {
		m->mtx_owner = l;
		lockdebug_held_push(l, m, false);
		sync_lock_acquired(l, m, mutex_kind(m), false, false,
		    m->mtx_lo.lo_name, m->mtx_lo.lo_file, m->mtx_lo.lo_line);
		return;
	}
	mutex_acquire(m, l);
}

int
mutex_tryenter(kmutex_t *mtx)
{
	struct smutex *m = MTX(mtx);
	struct lwp *l = mutex_curlwp("mutex_tryenter");
	int s;

	if (m->mtx_lo.lo_magic != LOCK_MAGIC_MUTEX)
		mutex_bad(m, "mutex_tryenter");
	if (m->mtx_owner == l)
		lockdebug_fail(&m->mtx_lo, "mutex", "mutex_tryenter",
		    "locking against myself");
	sched_point_obj(SIM_OP_MUTEX, m);
	if (m->mtx_owner != NULL)
		return 0;
	if (m->mtx_spin) {
		s = splraiseipl(m->mtx_ipl);
		if (l->l_nspin++ == 0)
			l->l_spin_oldipl = s;
	}
	m->mtx_owner = l;
	lockdebug_held_push(l, m, false);
	sync_lock_acquired(l, m, mutex_kind(m), false, true,
	    m->mtx_lo.lo_name, m->mtx_lo.lo_file, m->mtx_lo.lo_line);
	return 1;
}

void
mutex_exit(kmutex_t *mtx)
{
	struct smutex *m = MTX(mtx);
	struct lwp *l = mutex_curlwp("mutex_exit");

	if (__builtin_expect(m->mtx_lo.lo_magic != LOCK_MAGIC_MUTEX, 0))
		mutex_bad(m, "mutex_exit");
	if (__builtin_expect(m->mtx_owner != l, 0))
		lockdebug_fail(&m->mtx_lo, "mutex", "mutex_exit",
		    m->mtx_owner == NULL ? "not locked" :
		    "not held by current LWP");
	sched_point_obj(SIM_OP_MUTEX, m);
	mutex_release_inline(m, l);
	if (m->mtx_spin && --l->l_nspin == 0)
		splx(l->l_spin_oldipl);
}

int
mutex_owned(const kmutex_t *mtx)
{
	const struct smutex *m = MTX(mtx);

	return m->mtx_lo.lo_magic == LOCK_MAGIC_MUTEX && sim_curlwp != NULL &&
	    m->mtx_owner == sim_curlwp;
}

void
mutex_spin_enter(kmutex_t *mtx)
{
	mutex_enter(mtx);
}

void
mutex_spin_exit(kmutex_t *mtx)
{
	mutex_exit(mtx);
}

kmutex_t *
mutex_obj_alloc_named(kmutex_type_t type, int ipl, const char *name,
    const char *file, int line)
{
	kmutex_t *mtx = calloc(1, sizeof(*mtx));

	if (mtx == NULL)
		abort();
	mutex_init_named(mtx, type, ipl, name, file, line);
	MTX(mtx)->mtx_lo.lo_flags |= MTX_OBJ;
	MTX(mtx)->mtx_refcnt = 1;
	return mtx;
}

void
mutex_obj_hold(kmutex_t *mtx)
{
	struct smutex *m = MTX(mtx);

	if (m->mtx_lo.lo_magic != LOCK_MAGIC_MUTEX ||
	    !(m->mtx_lo.lo_flags & MTX_OBJ) || m->mtx_refcnt == 0)
		lockdebug_fail(&m->mtx_lo, "mutex", "mutex_obj_hold",
		    "not a live mutex object");
	sched_point(SIM_OP_ATOMIC);
	m->mtx_refcnt++;
}

bool
mutex_obj_free(kmutex_t *mtx)
{
	struct smutex *m = MTX(mtx);

	if (m->mtx_lo.lo_magic != LOCK_MAGIC_MUTEX ||
	    !(m->mtx_lo.lo_flags & MTX_OBJ) || m->mtx_refcnt == 0)
		lockdebug_fail(&m->mtx_lo, "mutex", "mutex_obj_free",
		    "not a live mutex object");
	sched_point(SIM_OP_ATOMIC);
	if (--m->mtx_refcnt > 0)
		return false;
	mutex_destroy(mtx);
	free(mtx);
	return true;
}
