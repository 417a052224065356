/*
 * The __tsan_* entry points that -fsanitize=thread code calls, feeding
 * the race detector (race.h) instead of libtsan, which is never linked.
 *
 * The whole family is defined, whatever the compiler emits: plain,
 * unaligned, volatile and _pc accesses of 1..16 bytes, ranges, the
 * atomics of 8..64 bits with every operation, fences, function entry and
 * exit, and __tsan_memcpy/memmove/memset (clang >= 15 calls them; for
 * gcc the build redirects memcpy/memmove/memset of the instrumented
 * objects to them with objcopy).  This file itself must not be
 * instrumented.
 *
 * Memory orders arrive as 0 relaxed, 1 consume, 2 acquire, 3 release,
 * 4 acq_rel, 5 seq_cst.  An acquiring atomic joins the clock of its
 * address; a releasing one publishes to it.  Fences use one global
 * object: more ordering than the hardware gives, which can only hide
 * races, never invent them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check/checkers.h"
#include "check/race_impl.h"

#define MO_RELAXED	0
#define MO_CONSUME	1
#define MO_ACQUIRE	2
#define MO_RELEASE	3
#define MO_ACQ_REL	4
#define MO_SEQ_CST	5

static char fence_object;

/* All public: the compiler's instrumentation calls them by name. */
#define HOOK __attribute__((visibility("default")))

static inline void
hook_access(uintptr_t addr, size_t size, bool write, uintptr_t pc)
{
	struct race *r = race_current;

	if (r == NULL)
		return;
	if (__builtin_expect(race_access_hook_enabled, 0)) {
		race_call_access_hook(r, addr, write);
		r = race_current;	/* the world may have moved on */
		if (r == NULL)
			return;
	}
	race_access_inline(r, addr, size, pc, write);
}

static inline void
sync_before(const volatile void *a, int mo, bool is_store_or_rmw)
{
	struct race *r = race_current;

	if (r == NULL)
		return;
	if (race_access_hook_enabled) {
		race_call_access_hook(r, (uintptr_t)a, is_store_or_rmw);
		r = race_current;
	}
	(void)mo;
}

/* Edges of an atomic operation, after it took effect. */
static inline void
sync_after(const volatile void *a, int mo, bool reads, bool writes)
{
	struct race *r = race_current;
	uint32_t tid;

	if (r == NULL || (tid = race_current_tid(r)) == RACE_NOTID)
		return;
	if (reads && (mo == MO_CONSUME || mo == MO_ACQUIRE ||
	    mo == MO_ACQ_REL || mo == MO_SEQ_CST))
		race_acquire(r, tid, (uintptr_t)a);
	if (writes && (mo == MO_RELEASE || mo == MO_ACQ_REL ||
	    mo == MO_SEQ_CST))
		race_release(r, tid, (uintptr_t)a);
}

static bool tsan_initialised;	/* an instrumented object exists */

bool
check_race_build(void)
{
	return tsan_initialised;
}

/* Called by the constructor of every instrumented object file. */
HOOK void
__tsan_init(void)
{
	tsan_initialised = true;
}

HOOK void
__tsan_func_entry(void *pc)
{
	struct race *r = race_current;

	if (r != NULL)
		race_enter_inline(r, (uintptr_t)pc);
}

HOOK void
__tsan_func_exit(void)
{
	struct race *r = race_current;

	if (r != NULL)
		race_leave_inline(r);
}

#define RA ((uintptr_t)__builtin_return_address(0))

HOOK void __tsan_read_range(void *a, unsigned long n)
{ hook_access((uintptr_t)a, n, false, RA); }
HOOK void __tsan_write_range(void *a, unsigned long n)
{ hook_access((uintptr_t)a, n, true, RA); }
HOOK void __tsan_read_range_pc(void *a, unsigned long n, void *pc)
{ hook_access((uintptr_t)a, n, false, (uintptr_t)pc); }
HOOK void __tsan_write_range_pc(void *a, unsigned long n, void *pc)
{ hook_access((uintptr_t)a, n, true, (uintptr_t)pc); }
HOOK void __tsan_vptr_update(void **vp, void *nv)
{ (void)nv; hook_access((uintptr_t)vp, sizeof(*vp), true, RA); }
HOOK void __tsan_vptr_read(void **vp)
{ hook_access((uintptr_t)vp, sizeof(*vp), false, RA); }
HOOK void __tsan_ignore_thread_begin(void) {}
HOOK void __tsan_ignore_thread_end(void) {}

#define RW(N)								\
HOOK void __tsan_read##N(void *a)					\
{ hook_access((uintptr_t)a, N, false, RA); }					\
HOOK void __tsan_write##N(void *a)					\
{ hook_access((uintptr_t)a, N, true, RA); }					\
HOOK void __tsan_unaligned_read##N(void *a)				\
{ hook_access((uintptr_t)a, N, false, RA); }					\
HOOK void __tsan_unaligned_write##N(void *a)				\
{ hook_access((uintptr_t)a, N, true, RA); }					\
HOOK void __tsan_volatile_read##N(void *a)				\
{ hook_access((uintptr_t)a, N, false, RA); }					\
HOOK void __tsan_volatile_write##N(void *a)				\
{ hook_access((uintptr_t)a, N, true, RA); }					\
HOOK void __tsan_unaligned_volatile_read##N(void *a)			\
{ hook_access((uintptr_t)a, N, false, RA); }					\
HOOK void __tsan_unaligned_volatile_write##N(void *a)			\
{ hook_access((uintptr_t)a, N, true, RA); }					\
HOOK void __tsan_read##N##_pc(void *a, void *pc)			\
{ hook_access((uintptr_t)a, N, false, (uintptr_t)pc); }			\
HOOK void __tsan_write##N##_pc(void *a, void *pc)			\
{ hook_access((uintptr_t)a, N, true, (uintptr_t)pc); }
RW(1) RW(2) RW(4) RW(8) RW(16)

/*
 * Atomics: the operation itself is done sequentially consistent (one
 * LWP runs at a time; the simulated ordering is the race detector's
 * business, not the host CPU's).
 */
#define RMW(N, TY, OP, BUILTIN)						\
HOOK TY __tsan_atomic##N##_##OP(volatile TY *a, TY v, int mo)		\
{									\
	TY old;								\
	sync_before(a, mo, true);					\
	old = BUILTIN(a, v, __ATOMIC_SEQ_CST);				\
	sync_after(a, mo, true, true);					\
	return old;							\
}

#define AT(N, TY)							\
HOOK TY __tsan_atomic##N##_load(const volatile TY *a, int mo)		\
{									\
	TY v;								\
	sync_before(a, mo, false);					\
	v = __atomic_load_n(a, __ATOMIC_SEQ_CST);			\
	sync_after(a, mo, true, false);					\
	return v;							\
}									\
HOOK void __tsan_atomic##N##_store(volatile TY *a, TY v, int mo)	\
{									\
	sync_before(a, mo, true);					\
	/* release before the store becomes visible */			\
	sync_after(a, mo, false, true);					\
	__atomic_store_n(a, v, __ATOMIC_SEQ_CST);			\
}									\
RMW(N, TY, exchange, __atomic_exchange_n)				\
RMW(N, TY, fetch_add, __atomic_fetch_add)				\
RMW(N, TY, fetch_sub, __atomic_fetch_sub)				\
RMW(N, TY, fetch_and, __atomic_fetch_and)				\
RMW(N, TY, fetch_or, __atomic_fetch_or)					\
RMW(N, TY, fetch_xor, __atomic_fetch_xor)				\
RMW(N, TY, fetch_nand, __atomic_fetch_nand)				\
HOOK int __tsan_atomic##N##_compare_exchange_strong(volatile TY *a,	\
    TY *c, TY v, int mo, int fmo)					\
{									\
	int ok;								\
	sync_before(a, mo, true);					\
	ok = __atomic_compare_exchange_n(a, c, v, 0, __ATOMIC_SEQ_CST,	\
	    __ATOMIC_SEQ_CST);						\
	sync_after(a, ok ? mo : fmo, true, ok);				\
	return ok;							\
}									\
HOOK int __tsan_atomic##N##_compare_exchange_weak(volatile TY *a,	\
    TY *c, TY v, int mo, int fmo)					\
{									\
	return __tsan_atomic##N##_compare_exchange_strong(a, c, v, mo,	\
	    fmo);							\
}									\
HOOK TY __tsan_atomic##N##_compare_exchange_val(volatile TY *a, TY c,	\
    TY v, int mo, int fmo)						\
{									\
	__tsan_atomic##N##_compare_exchange_strong(a, &c, v, mo, fmo);	\
	return c;							\
}

/* Prototypes keep -Wmissing-declarations quiet where it is enabled. */
AT(8, uint8_t)
AT(16, uint16_t)
AT(32, uint32_t)
AT(64, uint64_t)

HOOK void
__tsan_atomic_thread_fence(int mo)
{
	struct race *r = race_current;
	uint32_t tid;

	if (r == NULL || (tid = race_current_tid(r)) == RACE_NOTID)
		return;
	if (mo == MO_ACQUIRE || mo == MO_CONSUME || mo == MO_ACQ_REL ||
	    mo == MO_SEQ_CST)
		race_acquire(r, tid, (uintptr_t)&fence_object);
	if (mo == MO_RELEASE || mo == MO_ACQ_REL || mo == MO_SEQ_CST)
		race_release(r, tid, (uintptr_t)&fence_object);
}

HOOK void
__tsan_atomic_signal_fence(int mo)
{
	(void)mo;		/* same thread: no cross-LWP ordering */
}

HOOK void *
__tsan_memcpy(void *d, const void *s, unsigned long n)
{
	hook_access((uintptr_t)s, n, false, RA);
	hook_access((uintptr_t)d, n, true, RA);
	return memcpy(d, s, n);
}

HOOK void *
__tsan_memmove(void *d, const void *s, unsigned long n)
{
	hook_access((uintptr_t)s, n, false, RA);
	hook_access((uintptr_t)d, n, true, RA);
	return memmove(d, s, n);
}

HOOK void *
__tsan_memset(void *d, int c, unsigned long n)
{
	hook_access((uintptr_t)d, n, true, RA);
	return memset(d, c, n);
}
