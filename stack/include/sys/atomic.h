/*
 * Atomic operations and memory barriers (atomic_ops(3), membar_ops(3)).
 *
 * Each call is a scheduling point.  As in NetBSD, an atomic op implies
 * no memory barrier: the arithmetic, or/and, cas and swap ops (the _nv
 * forms too) and the _relaxed loads and stores are relaxed, and order
 * no other memory.  atomic_load_acquire_* and atomic_store_release_*
 * are acquire and release; membar_acquire (and membar_enter,
 * membar_consumer) is an acquire fence, membar_release (and
 * membar_exit, membar_producer) a release fence, membar_sync both.
 * The race detector checks exactly these orders: e.g. dropping the last
 * reference with atomic_dec_uint_nv and then freeing needs
 * membar_release before the decrement and membar_acquire after seeing
 * zero.  Atomic ops never race with each other, but do with plain
 * accesses of the same memory.
 */
#ifndef _KNIT_SYS_ATOMIC_H_
#define _KNIT_SYS_ATOMIC_H_

#include "sys/systm.h"

void	atomic_add_int(volatile unsigned int *, int);
unsigned int atomic_add_int_nv(volatile unsigned int *, int);
void	atomic_inc_uint(volatile unsigned int *);
unsigned int atomic_inc_uint_nv(volatile unsigned int *);
void	atomic_dec_uint(volatile unsigned int *);
unsigned int atomic_dec_uint_nv(volatile unsigned int *);
void	atomic_inc_ulong(volatile unsigned long *);
unsigned long atomic_inc_ulong_nv(volatile unsigned long *);
void	atomic_dec_ulong(volatile unsigned long *);
unsigned long atomic_dec_ulong_nv(volatile unsigned long *);
void	atomic_add_64(volatile uint64_t *, int64_t);
uint64_t atomic_add_64_nv(volatile uint64_t *, int64_t);
void	atomic_or_uint(volatile unsigned int *, unsigned int);
void	atomic_and_uint(volatile unsigned int *, unsigned int);
unsigned int atomic_cas_uint(volatile unsigned int *, unsigned int expected,
	    unsigned int desired);		/* returns the old value */
unsigned long atomic_cas_ulong(volatile unsigned long *, unsigned long,
	    unsigned long);
void	*atomic_cas_ptr(volatile void *, void *expected, void *desired);
unsigned int atomic_swap_uint(volatile unsigned int *, unsigned int);
void	*atomic_swap_ptr(volatile void *, void *);

unsigned int atomic_load_acquire_uint(const volatile unsigned int *);
void	atomic_store_release_uint(volatile unsigned int *, unsigned int);
void	*atomic_load_acquire_ptr(const volatile void *);
void	atomic_store_release_ptr(volatile void *, void *);
unsigned int atomic_load_relaxed_uint(const volatile unsigned int *);
void	atomic_store_relaxed_uint(volatile unsigned int *, unsigned int);
uint64_t atomic_load_relaxed_64(const volatile uint64_t *);
void	atomic_store_relaxed_64(volatile uint64_t *, uint64_t);

void	membar_acquire(void);
void	membar_release(void);
void	membar_enter(void);	/* acquire */
void	membar_exit(void);	/* release */
void	membar_producer(void);
void	membar_consumer(void);
void	membar_sync(void);

#endif /* !_KNIT_SYS_ATOMIC_H_ */
