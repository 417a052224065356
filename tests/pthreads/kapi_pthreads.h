/*
 * The pthreads platform: a second, small implementation of the kernel
 * API (stack/include/sys/) on real POSIX threads, for one host.
 *
 * It exists to prove the boundary: the very same stack object files that
 * run on the simulator link against it and pass the socket-layer tests.
 * It is not deterministic and does no misuse checking beyond KASSERTs;
 * a panic aborts the process.
 */
#ifndef _KNIT_TESTS_PTHREADS_KAPI_PTHREADS_H_
#define _KNIT_TESTS_PTHREADS_KAPI_PTHREADS_H_

#include <stdint.h>

struct lwp;

/*
 * Boot the one host: make its VNET copy, adopt the calling thread as an
 * LWP ("main") and run every VNET_SYSINIT in (order, name) order.
 */
void	kapi_pthreads_boot(int ncpu);
/* Run the VNET destructors in reverse order and free the VNET copy. */
void	kapi_pthreads_shutdown(void);

/* Start fn(arg) on a new thread that is an LWP of the host. */
struct lwp *kapi_pthreads_spawn(const char *name, void (*fn)(void *),
	    void *arg);
/* Wait for an LWP started by kapi_pthreads_spawn to return. */
void	kapi_pthreads_join(struct lwp *);

/* Counters for tests: live kmem allocations, bytes. */
uint64_t kapi_pthreads_kmem_outstanding(void);

#endif /* !_KNIT_TESTS_PTHREADS_KAPI_PTHREADS_H_ */
