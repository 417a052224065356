/*
 * pthreads platform: mutexes, reader/writer locks, condition variables,
 * IPL bookkeeping and atomics.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "pt_impl.h"
#include "sys/atomic.h"
#include "sys/intr.h"
#include "sys/lwp.h"
#include "sys/rwlock.h"

/*
 * A reader/writer lock of our own (pthreads cannot downgrade).
 * Invariant: rw_writer != NULL => rw_readers == 0.
 */
struct pt_rwlock {
	pthread_mutex_t	 rw_mutex;
	pthread_cond_t	 rw_cond;
	struct lwp	*rw_writer;
	unsigned	 rw_readers;
	unsigned	 rw_wwait;	/* writers waiting: readers yield */
};
__CTASSERT(sizeof(struct pt_rwlock) <= sizeof(krwlock_t));

static struct pt_mutex *
PM(const kmutex_t *m)
{
	return (struct pt_mutex *)(uintptr_t)m;
}

static struct pt_rwlock *
PRW(krwlock_t *rw)
{
	return (struct pt_rwlock *)rw;
}

static struct pt_cv *
PCV(kcondvar_t *cv)
{
	return (struct pt_cv *)cv;
}

int
splraiseipl(ipl_t ipl)
{
	struct lwp *l = pt_curlwp;
	int s;

	if (l == NULL)
		return IPL_NONE;
	s = l->l_ipl;
	if (ipl > l->l_ipl)
		l->l_ipl = ipl;
	return s;
}

void
splx(int s)
{
	if (pt_curlwp != NULL)
		pt_curlwp->l_ipl = s;
}

bool
cpu_intr_p(void)
{
	return false;
}

bool
cpu_softintr_p(void)
{
	return pt_curlwp != NULL && pt_curlwp->l_softint;
}

void
mutex_init_named(kmutex_t *m, kmutex_type_t type, int ipl, const char *name,
    const char *file, int line)
{
	struct pt_mutex *pm = PM(m);

	(void)type;
	(void)file;
	(void)line;
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&pm->pm_mutex, NULL);
	pm->pm_ipl = ipl;
	pm->pm_name = name;
}

void
mutex_destroy(kmutex_t *m)
{
	struct pt_mutex *pm = PM(m);

	KASSERTMSG(pm->pm_owner == NULL, "mutex_destroy: %s is locked",
	    pm->pm_name);
	pthread_mutex_destroy(&pm->pm_mutex);
}

void
mutex_enter(kmutex_t *m)
{
	struct pt_mutex *pm = PM(m);
	int s = IPL_NONE;

	KASSERTMSG(pm->pm_owner == NULL || pm->pm_owner != pt_curlwp,
	    "mutex_enter: %s: locking against myself", pm->pm_name);
	if (pm->pm_ipl != IPL_NONE)
		s = splraiseipl(pm->pm_ipl);
	pthread_mutex_lock(&pm->pm_mutex);
	pm->pm_owner = pt_curlwp;
	pm->pm_oldipl = s;
}

void
mutex_exit(kmutex_t *m)
{
	struct pt_mutex *pm = PM(m);
	int s = pm->pm_oldipl;

	KASSERTMSG(pm->pm_owner == pt_curlwp,
	    "mutex_exit: %s: not held by current LWP", pm->pm_name);
	pm->pm_owner = NULL;
	pthread_mutex_unlock(&pm->pm_mutex);
	if (pm->pm_ipl != IPL_NONE)
		splx(s);
}

int
mutex_tryenter(kmutex_t *m)
{
	struct pt_mutex *pm = PM(m);

	if (pthread_mutex_trylock(&pm->pm_mutex) != 0)
		return 0;
	pm->pm_owner = pt_curlwp;
	pm->pm_oldipl = pm->pm_ipl != IPL_NONE ?
	    splraiseipl(pm->pm_ipl) : IPL_NONE;
	return 1;
}

int
mutex_owned(const kmutex_t *m)
{
	return PM(m)->pm_owner == pt_curlwp;
}

void
mutex_spin_enter(kmutex_t *m)
{
	mutex_enter(m);
}

void
mutex_spin_exit(kmutex_t *m)
{
	mutex_exit(m);
}

struct pt_mutex_obj {
	kmutex_t	 mo_mutex;	/* first: the object is its mutex */
	unsigned	 mo_refcnt;
};

kmutex_t *
mutex_obj_alloc_named(kmutex_type_t type, int ipl, const char *name,
    const char *file, int line)
{
	struct pt_mutex_obj *mo = calloc(1, sizeof(*mo));

	if (mo == NULL)
		panic("mutex_obj_alloc: out of memory");
	mutex_init_named(&mo->mo_mutex, type, ipl, name, file, line);
	mo->mo_refcnt = 1;
	return &mo->mo_mutex;
}

void
mutex_obj_hold(kmutex_t *m)
{
	struct pt_mutex_obj *mo = (struct pt_mutex_obj *)m;

	__atomic_add_fetch(&mo->mo_refcnt, 1, __ATOMIC_SEQ_CST);
}

bool
mutex_obj_free(kmutex_t *m)
{
	struct pt_mutex_obj *mo = (struct pt_mutex_obj *)m;

	if (__atomic_sub_fetch(&mo->mo_refcnt, 1, __ATOMIC_SEQ_CST) != 0)
		return false;
	mutex_destroy(&mo->mo_mutex);
	free(mo);
	return true;
}

void
rw_init_named(krwlock_t *rw, const char *name, const char *file, int line)
{
	struct pt_rwlock *p = PRW(rw);

	(void)name;
	(void)file;
	(void)line;
	memset(rw, 0, sizeof(*rw));
	pthread_mutex_init(&p->rw_mutex, NULL);
	pthread_cond_init(&p->rw_cond, NULL);
}

void
rw_destroy(krwlock_t *rw)
{
	struct pt_rwlock *p = PRW(rw);

	KASSERT(p->rw_writer == NULL && p->rw_readers == 0);
	pthread_cond_destroy(&p->rw_cond);
	pthread_mutex_destroy(&p->rw_mutex);
}

void
rw_enter(krwlock_t *rw, krw_t op)
{
	struct pt_rwlock *p = PRW(rw);

	KASSERTMSG(p->rw_writer != pt_curlwp || pt_curlwp == NULL,
	    "rw_enter: locking against myself");
	pthread_mutex_lock(&p->rw_mutex);
	if (op == RW_WRITER) {
		p->rw_wwait++;
		while (p->rw_writer != NULL || p->rw_readers != 0)
			pthread_cond_wait(&p->rw_cond, &p->rw_mutex);
		p->rw_wwait--;
		p->rw_writer = pt_curlwp;
	} else {
		while (p->rw_writer != NULL || p->rw_wwait != 0)
			pthread_cond_wait(&p->rw_cond, &p->rw_mutex);
		p->rw_readers++;
	}
	pthread_mutex_unlock(&p->rw_mutex);
}

int
rw_tryenter(krwlock_t *rw, krw_t op)
{
	struct pt_rwlock *p = PRW(rw);
	int ok = 0;

	pthread_mutex_lock(&p->rw_mutex);
	if (op == RW_WRITER && p->rw_writer == NULL && p->rw_readers == 0) {
		p->rw_writer = pt_curlwp;
		ok = 1;
	} else if (op == RW_READER && p->rw_writer == NULL) {
		p->rw_readers++;
		ok = 1;
	}
	pthread_mutex_unlock(&p->rw_mutex);
	return ok;
}

void
rw_exit(krwlock_t *rw)
{
	struct pt_rwlock *p = PRW(rw);

	pthread_mutex_lock(&p->rw_mutex);
	if (p->rw_writer != NULL) {
		KASSERTMSG(p->rw_writer == pt_curlwp,
		    "rw_exit: not held by current LWP");
		p->rw_writer = NULL;
	} else {
		KASSERTMSG(p->rw_readers > 0, "rw_exit: not held");
		p->rw_readers--;
	}
	pthread_cond_broadcast(&p->rw_cond);
	pthread_mutex_unlock(&p->rw_mutex);
}

void
rw_downgrade(krwlock_t *rw)
{
	struct pt_rwlock *p = PRW(rw);

	pthread_mutex_lock(&p->rw_mutex);
	KASSERT(p->rw_writer == pt_curlwp);
	p->rw_writer = NULL;
	p->rw_readers = 1;
	pthread_cond_broadcast(&p->rw_cond);
	pthread_mutex_unlock(&p->rw_mutex);
}

int
rw_tryupgrade(krwlock_t *rw)
{
	struct pt_rwlock *p = PRW(rw);
	int ok = 0;

	pthread_mutex_lock(&p->rw_mutex);
	KASSERT(p->rw_readers > 0);
	if (p->rw_readers == 1 && p->rw_writer == NULL) {
		p->rw_readers = 0;
		p->rw_writer = pt_curlwp;
		ok = 1;
	}
	pthread_mutex_unlock(&p->rw_mutex);
	return ok;
}

int
rw_read_held(krwlock_t *rw)
{
	return PRW(rw)->rw_readers != 0;
}

int
rw_write_held(krwlock_t *rw)
{
	return PRW(rw)->rw_writer == pt_curlwp;
}

int
rw_lock_held(krwlock_t *rw)
{
	return rw_read_held(rw) || rw_write_held(rw);
}

void
cv_init(kcondvar_t *cv, const char *wmesg)
{
	struct pt_cv *pc = PCV(cv);
	pthread_condattr_t attr;

	memset(cv, 0, sizeof(*cv));
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&pc->pc_cond, &attr);
	pthread_condattr_destroy(&attr);
	pc->pc_wmesg = wmesg;
}

void
cv_destroy(kcondvar_t *cv)
{
	pthread_cond_destroy(&PCV(cv)->pc_cond);
}

/*
 * Sleep on cv, releasing m.  ticks == 0: no timeout.  Returns 0, or
 * EWOULDBLOCK on timeout, or EINTR when interruptible and interrupted.
 */
static int
pt_cv_sleep(kcondvar_t *cv, kmutex_t *m, int ticks, bool intr)
{
	struct pt_cv *pc = PCV(cv);
	struct pt_mutex *pm = PM(m);
	struct lwp *l = pt_curlwp;
	struct timespec ts;
	int error = 0, oldipl = pm->pm_oldipl;
	u_int gen;

	KASSERTMSG(pm->pm_owner == l, "cv_wait: interlock not held");
	if (intr && l != NULL && l->l_interrupted) {
		l->l_interrupted = false;
		return EINTR;
	}
	if (l != NULL)
		l->l_sleepcv = pc;
	gen = pc->pc_gen;
	pc->pc_nwaiters++;
	pm->pm_owner = NULL;
	if (ticks > 0) {
		pt_abstime(&ts, ticks);
		if (pthread_cond_timedwait(&pc->pc_cond, &pm->pm_mutex, &ts)
		    == ETIMEDOUT)
			error = EWOULDBLOCK;
	} else
		pthread_cond_wait(&pc->pc_cond, &pm->pm_mutex);
	pm->pm_owner = l;
	pm->pm_oldipl = oldipl;
	/* not counted off by a broadcast: a timeout, signal or spurious wake */
	if (pc->pc_gen == gen && pc->pc_nwaiters > 0)
		pc->pc_nwaiters--;
	if (l != NULL) {
		l->l_sleepcv = NULL;
		if (intr && l->l_interrupted) {
			l->l_interrupted = false;
			error = EINTR;
		}
	}
	return error;
}

void
cv_wait(kcondvar_t *cv, kmutex_t *m)
{
	(void)pt_cv_sleep(cv, m, 0, false);
}

int
cv_wait_sig(kcondvar_t *cv, kmutex_t *m)
{
	return pt_cv_sleep(cv, m, 0, true);
}

int
cv_timedwait(kcondvar_t *cv, kmutex_t *m, int ticks)
{
	return pt_cv_sleep(cv, m, ticks, false);
}

int
cv_timedwait_sig(kcondvar_t *cv, kmutex_t *m, int ticks)
{
	return pt_cv_sleep(cv, m, ticks, true);
}

void
cv_signal(kcondvar_t *cv)
{
	pthread_cond_signal(&PCV(cv)->pc_cond);
}

void
cv_broadcast(kcondvar_t *cv)
{
	struct pt_cv *pc = PCV(cv);

	pc->pc_gen++;
	pc->pc_nwaiters = 0;
	pthread_cond_broadcast(&pc->pc_cond);
}

bool
cv_has_waiters(kcondvar_t *cv)
{
	/*
	 * Sleepers not yet woken by cv_broadcast (exact when the caller
	 * holds the interlock; a cv_signal'ed sleeper counts until it runs).
	 */
	return PCV(cv)->pc_nwaiters != 0;
}

void
lwp_interrupt(struct lwp *l)
{
	struct pt_cv *pc = l->l_sleepcv;

	l->l_interrupted = true;
	if (pc != NULL)
		pthread_cond_broadcast(&pc->pc_cond);
}

int
kpause(const char *wmesg, bool intr, int ticks, kmutex_t *mtx)
{
	struct timespec ts;
	struct lwp *l = pt_curlwp;

	(void)wmesg;
	if (mtx != NULL)
		mutex_exit(mtx);
	ts.tv_sec = (time_t)((uint64_t)ticks * NS_PER_TICK / 1000000000ULL);
	ts.tv_nsec = (long)((uint64_t)ticks * NS_PER_TICK % 1000000000ULL);
	nanosleep(&ts, NULL);
	if (mtx != NULL)
		mutex_enter(mtx);
	if (intr && l != NULL && l->l_interrupted) {
		l->l_interrupted = false;
		return EINTR;
	}
	return EWOULDBLOCK;
}

/* Atomics: the compiler's sequentially consistent builtins. */
#define SC	__ATOMIC_SEQ_CST

void atomic_add_int(volatile unsigned int *p, int v) { __atomic_add_fetch(p, (unsigned)v, SC); }
unsigned int atomic_add_int_nv(volatile unsigned int *p, int v) { return __atomic_add_fetch(p, (unsigned)v, SC); }
void atomic_inc_uint(volatile unsigned int *p) { __atomic_add_fetch(p, 1, SC); }
unsigned int atomic_inc_uint_nv(volatile unsigned int *p) { return __atomic_add_fetch(p, 1, SC); }
void atomic_dec_uint(volatile unsigned int *p) { __atomic_sub_fetch(p, 1, SC); }
unsigned int atomic_dec_uint_nv(volatile unsigned int *p) { return __atomic_sub_fetch(p, 1, SC); }
void atomic_inc_ulong(volatile unsigned long *p) { __atomic_add_fetch(p, 1, SC); }
unsigned long atomic_inc_ulong_nv(volatile unsigned long *p) { return __atomic_add_fetch(p, 1, SC); }
void atomic_dec_ulong(volatile unsigned long *p) { __atomic_sub_fetch(p, 1, SC); }
unsigned long atomic_dec_ulong_nv(volatile unsigned long *p) { return __atomic_sub_fetch(p, 1, SC); }
void atomic_add_64(volatile uint64_t *p, int64_t v) { __atomic_add_fetch(p, (uint64_t)v, SC); }
uint64_t atomic_add_64_nv(volatile uint64_t *p, int64_t v) { return __atomic_add_fetch(p, (uint64_t)v, SC); }
void atomic_or_uint(volatile unsigned int *p, unsigned int v) { __atomic_or_fetch(p, v, SC); }
void atomic_and_uint(volatile unsigned int *p, unsigned int v) { __atomic_and_fetch(p, v, SC); }

unsigned int
atomic_cas_uint(volatile unsigned int *p, unsigned int e, unsigned int d)
{
	__atomic_compare_exchange_n(p, &e, d, false, SC, SC);
	return e;
}

unsigned long
atomic_cas_ulong(volatile unsigned long *p, unsigned long e, unsigned long d)
{
	__atomic_compare_exchange_n(p, &e, d, false, SC, SC);
	return e;
}

void *
atomic_cas_ptr(volatile void *p, void *e, void *d)
{
	__atomic_compare_exchange_n((void *volatile *)p, &e, d, false, SC, SC);
	return e;
}

unsigned int atomic_swap_uint(volatile unsigned int *p, unsigned int v) { return __atomic_exchange_n(p, v, SC); }
void *atomic_swap_ptr(volatile void *p, void *v) { return __atomic_exchange_n((void *volatile *)p, v, SC); }
unsigned int atomic_load_acquire_uint(const volatile unsigned int *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void atomic_store_release_uint(volatile unsigned int *p, unsigned int v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
void *atomic_load_acquire_ptr(const volatile void *p) { return __atomic_load_n((void *const volatile *)p, __ATOMIC_ACQUIRE); }
void atomic_store_release_ptr(volatile void *p, void *v) { __atomic_store_n((void *volatile *)p, v, __ATOMIC_RELEASE); }
unsigned int atomic_load_relaxed_uint(const volatile unsigned int *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
void atomic_store_relaxed_uint(volatile unsigned int *p, unsigned int v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
uint64_t atomic_load_relaxed_64(const volatile uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
void atomic_store_relaxed_64(volatile uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

void membar_acquire(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
void membar_release(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
void membar_enter(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
void membar_exit(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
void membar_producer(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
void membar_consumer(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
void membar_sync(void) { __atomic_thread_fence(SC); }
