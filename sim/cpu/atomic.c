/*
 * atomic_ops(3) and membar_ops(3).  Each call is a scheduling point
 * (before the operation) and reports what it did to the race detector
 * (sync_atomic, sync_fence) with NetBSD's memory orders: the arithmetic,
 * or/and, cas and swap ops (the _nv forms too) and the _relaxed loads
 * and stores are relaxed; atomic_load_acquire_* acquire and
 * atomic_store_release_* release; membar_enter/membar_acquire/
 * membar_consumer are acquire fences, membar_exit/membar_release/
 * membar_producer release fences and membar_sync both (check/
 * race_atomic.c says what the detector makes of them).
 *
 * Only one LWP executes at a time, so the operations themselves need no
 * hardware atomicity; the builtins keep the compiler honest.  Each op
 * reports the pc of its caller in the stack (AT_PC): the entry points
 * call only static inline helpers, never each other.
 */
#include "sys/atomic.h"

#include "cpu/machine.h"
#include "cpu/sync.h"

#define AT_PC		((uintptr_t)__builtin_return_address(0))
#define AT_RMW		(SYNC_AT_READ | SYNC_AT_WRITE)

static inline __attribute__((always_inline)) void
at_point(const volatile void *p)
{
	sched_point_obj(SIM_OP_ATOMIC, (const void *)p);
}

static inline __attribute__((always_inline)) void
at_done(const volatile void *p, size_t size, unsigned flags, uintptr_t pc)
{
	sync_atomic(sim_curlwp, p, size, flags, pc);
}

/* The arithmetic: the new value, as the _nv forms return it. */
#define ATOMIC_ADD_NV(name, type)					\
static inline __attribute__((always_inline)) type			\
at_add_##name(volatile type *p, type d, uintptr_t pc)			\
{									\
	type r;								\
	at_point(p);							\
	r = __atomic_add_fetch(p, d, __ATOMIC_SEQ_CST);			\
	at_done(p, sizeof(*p), AT_RMW, pc);				\
	return r;							\
}
ATOMIC_ADD_NV(uint, unsigned int)
ATOMIC_ADD_NV(ulong, unsigned long)
ATOMIC_ADD_NV(64, uint64_t)

/* atomic_OP and atomic_OP_nv: add delta (of type) through at_add_name. */
#define ATOMIC_ADD_OPS(op, type, name, params, delta)			\
void									\
atomic_##op params							\
{									\
	(void)at_add_##name(p, (type)(delta), AT_PC);			\
}									\
type									\
atomic_##op##_nv params							\
{									\
	return at_add_##name(p, (type)(delta), AT_PC);			\
}

ATOMIC_ADD_OPS(add_int, unsigned int, uint,
    (volatile unsigned int *p, int d), d)
ATOMIC_ADD_OPS(inc_uint, unsigned int, uint, (volatile unsigned int *p), 1)
ATOMIC_ADD_OPS(dec_uint, unsigned int, uint, (volatile unsigned int *p), -1)
ATOMIC_ADD_OPS(inc_ulong, unsigned long, ulong, (volatile unsigned long *p), 1)
ATOMIC_ADD_OPS(dec_ulong, unsigned long, ulong, (volatile unsigned long *p),
    -1)
ATOMIC_ADD_OPS(add_64, uint64_t, 64, (volatile uint64_t *p, int64_t d), d)

void
atomic_or_uint(volatile unsigned int *p, unsigned int v)
{
	at_point(p);
	(void)__atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);
	at_done(p, sizeof(*p), AT_RMW, AT_PC);
}

void
atomic_and_uint(volatile unsigned int *p, unsigned int v)
{
	at_point(p);
	(void)__atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);
	at_done(p, sizeof(*p), AT_RMW, AT_PC);
}

/* A failed cas only read the location. */
#define ATOMIC_CAS(p, expected, desired) do {				\
	bool ok_;							\
	at_point(p);							\
	ok_ = __atomic_compare_exchange_n(p, &(expected), desired,	\
	    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);			\
	at_done(p, sizeof(*(p)), ok_ ? AT_RMW : SYNC_AT_READ, AT_PC);	\
} while (0)

unsigned int
atomic_cas_uint(volatile unsigned int *p, unsigned int expected,
    unsigned int desired)
{
	ATOMIC_CAS(p, expected, desired);
	return expected;
}

unsigned long
atomic_cas_ulong(volatile unsigned long *p, unsigned long expected,
    unsigned long desired)
{
	ATOMIC_CAS(p, expected, desired);
	return expected;
}

void *
atomic_cas_ptr(volatile void *vp, void *expected, void *desired)
{
	void *volatile *p = (void *volatile *)(uintptr_t)vp;

	ATOMIC_CAS(p, expected, desired);
	return expected;
}

unsigned int
atomic_swap_uint(volatile unsigned int *p, unsigned int v)
{
	unsigned int r;

	at_point(p);
	r = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
	at_done(p, sizeof(*p), AT_RMW, AT_PC);
	return r;
}

void *
atomic_swap_ptr(volatile void *vp, void *v)
{
	void *volatile *p = (void *volatile *)(uintptr_t)vp;
	void *r;

	at_point(p);
	r = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
	at_done(p, sizeof(*p), AT_RMW, AT_PC);
	return r;
}

unsigned int
atomic_load_acquire_uint(const volatile unsigned int *p)
{
	unsigned int v;

	at_point(p);
	v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	at_done(p, sizeof(*p), SYNC_AT_READ | SYNC_AT_ACQUIRE, AT_PC);
	return v;
}

void
atomic_store_release_uint(volatile unsigned int *p, unsigned int v)
{
	at_point(p);
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
	at_done(p, sizeof(*p), SYNC_AT_WRITE | SYNC_AT_RELEASE, AT_PC);
}

void *
atomic_load_acquire_ptr(const volatile void *vp)
{
	void *const volatile *p = (void *const volatile *)(uintptr_t)vp;
	void *v;

	at_point(p);
	v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	at_done(p, sizeof(*p), SYNC_AT_READ | SYNC_AT_ACQUIRE, AT_PC);
	return v;
}

void
atomic_store_release_ptr(volatile void *vp, void *v)
{
	void *volatile *p = (void *volatile *)(uintptr_t)vp;

	at_point(p);
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
	at_done(p, sizeof(*p), SYNC_AT_WRITE | SYNC_AT_RELEASE, AT_PC);
}

unsigned int
atomic_load_relaxed_uint(const volatile unsigned int *p)
{
	unsigned int v;

	at_point(p);
	v = __atomic_load_n(p, __ATOMIC_RELAXED);
	at_done(p, sizeof(*p), SYNC_AT_READ, AT_PC);
	return v;
}

void
atomic_store_relaxed_uint(volatile unsigned int *p, unsigned int v)
{
	at_point(p);
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
	at_done(p, sizeof(*p), SYNC_AT_WRITE, AT_PC);
}

uint64_t
atomic_load_relaxed_64(const volatile uint64_t *p)
{
	uint64_t v;

	at_point(p);
	v = __atomic_load_n(p, __ATOMIC_RELAXED);
	at_done(p, sizeof(*p), SYNC_AT_READ, AT_PC);
	return v;
}

void
atomic_store_relaxed_64(volatile uint64_t *p, uint64_t v)
{
	at_point(p);
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
	at_done(p, sizeof(*p), SYNC_AT_WRITE, AT_PC);
}

static void
fence(unsigned flags)
{
	sched_point(SIM_OP_MEMBAR);
	sync_fence(sim_curlwp, flags);
}

void
membar_acquire(void)
{
	fence(SYNC_AT_ACQUIRE);
}

void
membar_release(void)
{
	fence(SYNC_AT_RELEASE);
}

void
membar_enter(void)
{
	fence(SYNC_AT_ACQUIRE);
}

void
membar_exit(void)
{
	fence(SYNC_AT_RELEASE);
}

/* Store-before-store: modelled as a release fence (stronger). */
void
membar_producer(void)
{
	fence(SYNC_AT_RELEASE);
}

/* Load-before-load: modelled as an acquire fence (stronger). */
void
membar_consumer(void)
{
	fence(SYNC_AT_ACQUIRE);
}

void
membar_sync(void)
{
	fence(SYNC_AT_ACQUIRE | SYNC_AT_RELEASE);
}
