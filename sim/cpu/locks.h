/*
 * The simulator's lock objects behind the kernel API's opaque storage
 * (kmutex_t, krwlock_t, kcondvar_t), and LOCKDEBUG-style bookkeeping.
 *
 * Every lock starts with a struct lock_obj: a magic number (live, or
 * LOCK_DEAD after destroy), its class (name and init site) and the world
 * it belongs to.  Live locks are registered by address (lockdebug.c) so
 * that freeing memory that contains one can be caught.
 */
#ifndef _KNIT_SIM_CPU_LOCKS_H_
#define _KNIT_SIM_CPU_LOCKS_H_

#include "sys/condvar.h"
#include "sys/mutex.h"
#include "sys/rwlock.h"

#include "cpu/machine.h"

#define LOCK_MAGIC_MUTEX	0x4d555458u	/* "MUTX" */
#define LOCK_MAGIC_RW		0x52574c4bu	/* "RWLK" */
#define LOCK_MAGIC_CV		0x43564152u	/* "CVAR" */
#define LOCK_DEAD		0xdeadb10cu

struct lock_obj {
	uint32_t	 lo_magic;
	uint32_t	 lo_flags;
	const char	*lo_name;
	const char	*lo_file;
	int		 lo_line;
	struct world	*lo_world;
};

#define MTX_OBJ		0x01	/* from mutex_obj_alloc */

struct smutex {
	struct lock_obj	 mtx_lo;
	struct lwp	*mtx_owner;
	struct sleepq	 mtx_waiters;
	int		 mtx_ipl;
	bool		 mtx_spin;
	uint32_t	 mtx_refcnt;	/* mutex_obj */
};

struct srwlock {
	struct lock_obj	 rw_lo;
	struct lwp	*rw_writer;
	uint32_t	 rw_readers;
	uint32_t	 rw_wwant;	/* writers waiting */
	struct sleepq	 rw_rwait;
	struct sleepq	 rw_wwait;
};

struct scv {
	uint32_t	 cv_magic;
	uint32_t	 cv_nwaiters;
	const char	*cv_wmesg;
	struct smutex	*cv_mtx;	/* the mutex of the current waiters */
	struct sleepq	 cv_waiters;
};

_Static_assert(sizeof(struct smutex) <= sizeof(kmutex_t), "kmutex_t");
_Static_assert(sizeof(struct srwlock) <= sizeof(krwlock_t), "krwlock_t");
_Static_assert(sizeof(struct scv) <= sizeof(kcondvar_t), "kcondvar_t");

/* lockdebug.c */
void	lockdebug_init(struct lock_obj *, size_t size, uint32_t magic,
	    const char *type, const char *func, const char *name,
	    const char *file, int line);
void	lockdebug_register(struct lock_obj *);
void	lockdebug_unregister(struct lock_obj *);
bool	lockdebug_registered(const struct lock_obj *);
/* Fail the run if [base, base + size) contains a live lock. */
void	lockdebug_mem_check(const char *func, const void *base, size_t size);
bool	lockdebug_held_pop_slow(struct lwp *, const void *lock);

/* Push a lock on l's stack of held locks. */
static inline void
lockdebug_held_push(struct lwp *l, const void *lock, bool shared)
{
	if (__builtin_expect(l->l_nheld < LWP_MAXHELD, 1)) {
		l->l_held[l->l_nheld] = lock;
		l->l_heldshared[l->l_nheld] = shared;
	}
	l->l_nheld++;
}

/* Remove a lock from l's stack; false if l does not hold it. */
static inline bool
lockdebug_held_pop(struct lwp *l, const void *lock)
{
	int n = l->l_nheld;

	if (__builtin_expect(n > 0 && n <= LWP_MAXHELD &&
	    l->l_held[n - 1] == lock, 1)) {
		l->l_nheld = n - 1;
		return true;
	}
	return lockdebug_held_pop_slow(l, lock);
}
bool	lockdebug_held(const struct lwp *, const void *lock);
void	lockdebug_fail(const struct lock_obj *, const char *type,
	    const char *func, const char *msg)
	    __attribute__((__noreturn__));
void	lockdebug_world_fini(struct world *);

/* mutex.c, for condvars and pools */
void	mutex_acquire(struct smutex *, struct lwp *);
void	mutex_release(struct smutex *, struct lwp *);
static inline struct smutex *
MTX(const kmutex_t *m)
{
	return (struct smutex *)(uintptr_t)m;
}

#endif /* !_KNIT_SIM_CPU_LOCKS_H_ */
