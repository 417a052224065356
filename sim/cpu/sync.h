/*
 * Synchronisation events: the single funnel through which the kernel-API
 * implementation reports lock acquisitions and releases and every
 * happens-before edge.  sim/check hooks the lock-order checker and the
 * race detector (FastTrack) here by setting sync_hooks; with no hooks
 * installed each call costs one load and a branch.
 *
 * Edges (release on `obj' by one LWP, later acquire on `obj' by another):
 *   mutex/rwlock    exit -> enter of the same lock (through the lock calls)
 *   condvar         cv_signal/cv_broadcast -> the woken cv_wait returns
 *   atomic/membar   sync_atomic and sync_fence, with their memory order
 *                   (check/race_atomic.c): a release store (or a
 *                   relaxed store after a release fence) -> an acquire
 *                   load of the value (or a relaxed load, then an
 *                   acquire fence); relaxed ops alone make no edge
 *   softint         softint_schedule -> the handler runs
 *   callout         callout_schedule/reset -> the handler runs
 *   kthread         creation -> the new LWP's first instruction;
 *                   exit -> kthread_join returns
 *   pool/kmem       no edge; sh_mem_alloc/sh_mem_free report the
 *                   lifetime of every block (zeroed at alloc) so a race
 *                   detector can forget the shadow of freed memory
 *
 * Lock kinds for the lock hooks: SYNC_MUTEX, SYNC_SPIN, SYNC_RWLOCK.
 */
#ifndef _KNIT_SIM_CPU_SYNC_H_
#define _KNIT_SIM_CPU_SYNC_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lwp;

#define SYNC_MUTEX	1
#define SYNC_SPIN	2
#define SYNC_RWLOCK	3

/* What an atomic op does (sync_atomic), or a fence's kind (sync_fence). */
#define SYNC_AT_READ	0x01u
#define SYNC_AT_WRITE	0x02u
#define SYNC_AT_ACQUIRE	0x04u
#define SYNC_AT_RELEASE	0x08u

struct sync_hooks {
	/* after the lock was taken; name/file/line identify its class */
	void	(*sh_lock_acquired)(struct lwp *, const void *lock, int kind,
		    bool shared, bool try, const char *name,
		    const char *file, int line);
	/* before the lock is released */
	void	(*sh_lock_released)(struct lwp *, const void *lock, int kind,
		    bool shared);
	void	(*sh_release)(struct lwp *, const void *obj);
	void	(*sh_acquire)(struct lwp *, const void *obj);
	void	(*sh_lwp_created)(struct lwp *parent, struct lwp *child);
	void	(*sh_lwp_joined)(struct lwp *joiner, struct lwp *exited);
	void	(*sh_mem_alloc)(struct lwp *, const void *p, size_t size);
	void	(*sh_mem_free)(struct lwp *, const void *p, size_t size);
	/* after an atomic op on [obj, obj + size) called from pc */
	void	(*sh_atomic)(struct lwp *, const void *obj, size_t size,
		    unsigned flags, uintptr_t pc);
	void	(*sh_fence)(struct lwp *, unsigned flags);
};

extern const struct sync_hooks *sync_hooks;

static inline void
sync_lock_acquired(struct lwp *l, const void *lock, int kind, bool shared,
    bool try, const char *name, const char *file, int line)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_lock_acquired != NULL)
		sync_hooks->sh_lock_acquired(l, lock, kind, shared, try,
		    name, file, line);
}

static inline void
sync_lock_released(struct lwp *l, const void *lock, int kind, bool shared)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_lock_released != NULL)
		sync_hooks->sh_lock_released(l, lock, kind, shared);
}

static inline void
sync_release(struct lwp *l, const void *obj)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_release != NULL)
		sync_hooks->sh_release(l, obj);
}

static inline void
sync_acquire(struct lwp *l, const void *obj)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_acquire != NULL)
		sync_hooks->sh_acquire(l, obj);
}

static inline void
sync_lwp_created(struct lwp *parent, struct lwp *child)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_lwp_created != NULL)
		sync_hooks->sh_lwp_created(parent, child);
}

static inline void
sync_lwp_joined(struct lwp *joiner, struct lwp *exited)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_lwp_joined != NULL)
		sync_hooks->sh_lwp_joined(joiner, exited);
}

static inline void
sync_mem_alloc(struct lwp *l, const void *p, size_t size)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_mem_alloc != NULL)
		sync_hooks->sh_mem_alloc(l, p, size);
}

static inline void
sync_mem_free(struct lwp *l, const void *p, size_t size)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_mem_free != NULL)
		sync_hooks->sh_mem_free(l, p, size);
}

static inline void
sync_atomic(struct lwp *l, const volatile void *obj, size_t size,
    unsigned flags, uintptr_t pc)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_atomic != NULL)
		sync_hooks->sh_atomic(l, (const void *)obj, size, flags, pc);
}

static inline void
sync_fence(struct lwp *l, unsigned flags)
{
	if (__builtin_expect(sync_hooks != NULL, 0) &&
	    sync_hooks->sh_fence != NULL)
		sync_hooks->sh_fence(l, flags);
}

#endif /* !_KNIT_SIM_CPU_SYNC_H_ */
