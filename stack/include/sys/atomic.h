/*
 * Atomic operations and memory barriers (atomic_ops(3), membar_ops(3)).
 *
 * Each call is a scheduling point and a synchronisation event for the
 * race detector (relaxed unless the name says otherwise; the _nv forms
 * and cas are sequentially consistent, membar_* have their usual
 * acquire/release meaning).
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
uint64_t atomic_load_relaxed_64(const volatile uint64_t *);
void	atomic_store_relaxed_64(volatile uint64_t *, uint64_t);

void	membar_enter(void);	/* acquire */
void	membar_exit(void);	/* release */
void	membar_producer(void);
void	membar_consumer(void);
void	membar_sync(void);

#endif /* !_KNIT_SYS_ATOMIC_H_ */
