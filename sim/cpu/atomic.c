/*
 * atomic_ops(3) and membar_ops(3).  Each call is a scheduling point
 * (before the operation) and a synchronisation event on its address.
 * Only one LWP executes at a time, so the operations themselves need no
 * hardware atomicity; the builtins keep the compiler honest.
 */
#include "sys/atomic.h"

#include "cpu/machine.h"
#include "cpu/sync.h"

#define ATOMIC_PRE(p)	do {						\
	sched_point_obj(SIM_OP_ATOMIC, (const void *)(p));		\
	sync_acquire(sim_curlwp, (const void *)(p));			\
} while (0)
#define ATOMIC_POST(p)	sync_release(sim_curlwp, (const void *)(p))

#define ATOMIC_RMW(name, type, op)					\
void									\
atomic_##name(volatile type *p, type v)					\
{									\
	ATOMIC_PRE(p);							\
	(void)__atomic_##op(p, v, __ATOMIC_SEQ_CST);			\
	ATOMIC_POST(p);							\
}

void
atomic_add_int(volatile unsigned int *p, int d)
{
	ATOMIC_PRE(p);
	(void)__atomic_add_fetch(p, (unsigned int)d, __ATOMIC_SEQ_CST);
	ATOMIC_POST(p);
}

unsigned int
atomic_add_int_nv(volatile unsigned int *p, int d)
{
	unsigned int r;

	ATOMIC_PRE(p);
	r = __atomic_add_fetch(p, (unsigned int)d, __ATOMIC_SEQ_CST);
	ATOMIC_POST(p);
	return r;
}

void
atomic_inc_uint(volatile unsigned int *p)
{
	atomic_add_int(p, 1);
}

unsigned int
atomic_inc_uint_nv(volatile unsigned int *p)
{
	return atomic_add_int_nv(p, 1);
}

void
atomic_dec_uint(volatile unsigned int *p)
{
	atomic_add_int(p, -1);
}

unsigned int
atomic_dec_uint_nv(volatile unsigned int *p)
{
	return atomic_add_int_nv(p, -1);
}

/* The unsigned long and 64-bit arithmetic, each op with its _nv form. */
#define ATOMIC_ARITH(name, type, expr)					\
type									\
atomic_##name##_nv ATOMIC_ARGS_##name					\
{									\
	type r;								\
	ATOMIC_PRE(p);							\
	r = __atomic_add_fetch(p, (type)(expr), __ATOMIC_SEQ_CST);	\
	ATOMIC_POST(p);							\
	return r;							\
}									\
void									\
atomic_##name ATOMIC_ARGS_##name					\
{									\
	(void)atomic_##name##_nv ATOMIC_CALL_##name;			\
}
#define ATOMIC_ARGS_inc_ulong	(volatile unsigned long *p)
#define ATOMIC_CALL_inc_ulong	(p)
#define ATOMIC_ARGS_dec_ulong	(volatile unsigned long *p)
#define ATOMIC_CALL_dec_ulong	(p)
#define ATOMIC_ARGS_add_64	(volatile uint64_t *p, int64_t d)
#define ATOMIC_CALL_add_64	(p, d)

ATOMIC_ARITH(inc_ulong, unsigned long, 1)
ATOMIC_ARITH(dec_ulong, unsigned long, -1)
ATOMIC_ARITH(add_64, uint64_t, d)

ATOMIC_RMW(or_uint, unsigned int, fetch_or)
ATOMIC_RMW(and_uint, unsigned int, fetch_and)

unsigned int
atomic_cas_uint(volatile unsigned int *p, unsigned int expected,
    unsigned int desired)
{
	ATOMIC_PRE(p);
	(void)__atomic_compare_exchange_n(p, &expected, desired, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	ATOMIC_POST(p);
	return expected;
}

unsigned long
atomic_cas_ulong(volatile unsigned long *p, unsigned long expected,
    unsigned long desired)
{
	ATOMIC_PRE(p);
	(void)__atomic_compare_exchange_n(p, &expected, desired, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	ATOMIC_POST(p);
	return expected;
}

void *
atomic_cas_ptr(volatile void *vp, void *expected, void *desired)
{
	void *volatile *p = (void *volatile *)(uintptr_t)vp;

	ATOMIC_PRE(p);
	(void)__atomic_compare_exchange_n(p, &expected, desired, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	ATOMIC_POST(p);
	return expected;
}

unsigned int
atomic_swap_uint(volatile unsigned int *p, unsigned int v)
{
	unsigned int r;

	ATOMIC_PRE(p);
	r = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
	ATOMIC_POST(p);
	return r;
}

void *
atomic_swap_ptr(volatile void *vp, void *v)
{
	void *volatile *p = (void *volatile *)(uintptr_t)vp;
	void *r;

	ATOMIC_PRE(p);
	r = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
	ATOMIC_POST(p);
	return r;
}

unsigned int
atomic_load_acquire_uint(const volatile unsigned int *p)
{
	ATOMIC_PRE(p);
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

void
atomic_store_release_uint(volatile unsigned int *p, unsigned int v)
{
	sched_point_obj(SIM_OP_ATOMIC, (const void *)p);
	ATOMIC_POST(p);
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

void *
atomic_load_acquire_ptr(const volatile void *vp)
{
	void *const volatile *p = (void *const volatile *)(uintptr_t)vp;

	ATOMIC_PRE(p);
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

void
atomic_store_release_ptr(volatile void *vp, void *v)
{
	void *volatile *p = (void *volatile *)(uintptr_t)vp;

	sched_point_obj(SIM_OP_ATOMIC, (const void *)p);
	ATOMIC_POST(p);
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

uint64_t
atomic_load_relaxed_64(const volatile uint64_t *p)
{
	sched_point_obj(SIM_OP_ATOMIC, (const void *)p);
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void
atomic_store_relaxed_64(volatile uint64_t *p, uint64_t v)
{
	sched_point_obj(SIM_OP_ATOMIC, (const void *)p);
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

void
membar_enter(void)
{
	sched_point(SIM_OP_MEMBAR);
	sync_acquire(sim_curlwp, NULL);
}

void
membar_exit(void)
{
	sched_point(SIM_OP_MEMBAR);
	sync_release(sim_curlwp, NULL);
}

void
membar_producer(void)
{
	membar_exit();
}

void
membar_consumer(void)
{
	membar_enter();
}

void
membar_sync(void)
{
	sched_point(SIM_OP_MEMBAR);
	sync_release(sim_curlwp, NULL);
	sync_acquire(sim_curlwp, NULL);
}
