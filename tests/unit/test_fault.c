/*
 * Synchronous faults on an LWP (sim/cpu/fault.c): a NULL dereference, a
 * write to a read-only page and a stack overflow each end the run with a
 * VIOL_FAULT naming the faulting function, deterministically, and the
 * process goes on to run the next world normally.  A fault on the main
 * stack still kills the process.
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sys/mutex.h"
#include "sys/systm.h"
#include "machine_util.h"

#if defined(__SANITIZE_ADDRESS__)
#define FAULT_TEST_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAULT_TEST_ASAN	1
#endif
#endif

static kmutex_t fault_lock;
static int ticks_done;

/* Keep the other CPU busy so that the faulting LWP runs among others. */
static void
ticker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		preempt_point();
		ticks_done++;
	}
}

static int *volatile null_ptr;

__attribute__((__noinline__)) static void
fault_null_deref(void *arg)
{
	(void)arg;
	mutex_enter(&fault_lock);	/* held when it dies: the world's */
	preempt_point();
	ticks_done += *null_ptr;
	mutex_exit(&fault_lock);
}

static const char ro_bytes[64] = "read only";

__attribute__((__noinline__)) static void
fault_ro_write(void *arg)
{
	char *volatile p = (char *)(uintptr_t)ro_bytes;

	(void)arg;
	preempt_point();
	p[3] = 'X';
}

static volatile int recurse_limit = 1 << 30;	/* never reached */

__attribute__((__noinline__)) static int
fault_recurse(int depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	pad[511] = (char)depth;
	if (depth >= recurse_limit)
		return 0;
	return fault_recurse(depth + 1) + pad[0] + pad[511];
}

static void
fault_overflow(void *arg)
{
	(void)arg;
	preempt_point();
	ticks_done += fault_recurse(0);
}

struct fault_result {
	uint64_t	 fr_hash;
	char		 fr_msg[256];
	char		 fr_stack[4096];
};

/* A world of two CPUs with a ticker and fn (a second ticker: NULL). */
static struct world *
fault_world(uint64_t seed, void (*fn)(void *), struct host **hp)
{
	struct world *w = mkworld(seed, "random", 2, hp);

	ticks_done = 0;
	host_enter(*hp);
	mutex_init(&fault_lock, MUTEX_DEFAULT, IPL_NONE);
	host_leave(*hp);
	ck_assert_ptr_nonnull(host_spawn(*hp, "ticker", -1, ticker, NULL));
	ck_assert_ptr_nonnull(host_spawn(*hp, fn ? "faulter" : "ticker", -1,
	    fn ? fn : ticker, NULL));
	return w;
}

/* One world: a ticker and the faulting LWP. */
static void
run_fault(uint64_t seed, void (*fn)(void *), struct fault_result *res)
{
	struct host *h;
	struct world *w = fault_world(seed, fn, &h);
	const struct violation *v;

	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_STOPPED);
	ck_assert(world_stopped(w));
	ck_assert(host_failed(h));
	ck_assert_uint_eq(world_nviolations(w), 1);
	v = find_violation(w, VIOL_FAULT);
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(v->v_message);
	ck_assert_ptr_nonnull(v->v_stack);
	ck_assert_int_ge(v->v_lwp, 0);
	snprintf(res->fr_msg, sizeof(res->fr_msg), "%s", v->v_message);
	snprintf(res->fr_stack, sizeof(res->fr_stack), "%s", v->v_stack);
	res->fr_hash = world_trace_hash(w);
	/* a stopped world stays stopped */
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_STOPPED);
	world_destroy(w);
}

/* After a fault, this process runs a world to its normal end. */
static void
assert_next_world_runs(void)
{
	struct host *h;
	struct world *w = fault_world(7, NULL, &h);

	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert_int_eq(ticks_done, 100);
	ck_assert(!host_failed(h));
	host_enter(h);
	mutex_destroy(&fault_lock);
	host_leave(h);
	world_destroy(w);
}

/* Twice with the same seed: same message, stack and trace hash. */
static void
check_fault(void (*fn)(void *), const char *msgpart, const char *func)
{
	static struct fault_result a, b;

	run_fault(3, fn, &a);
	assert_next_world_runs();
	run_fault(3, fn, &b);
	ck_assert_msg(strstr(a.fr_msg, msgpart) != NULL, "message: %s",
	    a.fr_msg);
	ck_assert_msg(strstr(a.fr_stack, func) != NULL, "%s not in stack:\n%s",
	    func, a.fr_stack);
	/* the innermost frame is the faulting function */
	ck_assert_msg(strstr(a.fr_stack, "#0 ") != NULL &&
	    strstr(strstr(a.fr_stack, "#0 "), func) ==
	    strstr(a.fr_stack, "#0 ") + 3, "#0 is not %s:\n%s", func,
	    a.fr_stack);
	ck_assert_str_eq(a.fr_msg, b.fr_msg);
	ck_assert_str_eq(a.fr_stack, b.fr_stack);
	ck_assert_uint_eq(a.fr_hash, b.fr_hash);
	assert_next_world_runs();
}

START_TEST(test_null_deref)
{
	check_fault(fault_null_deref, "fault: SIGSEGV at 0 (read)",
	    "fault_null_deref");
}
END_TEST

START_TEST(test_readonly_write)
{
	check_fault(fault_ro_write, "(write)", "fault_ro_write");
}
END_TEST

START_TEST(test_stack_overflow)
{
	check_fault(fault_overflow, "stack overflow of LWP", "fault_recurse");
}
END_TEST

/* Outside a world the fault keeps its default action: the process dies. */
START_TEST(test_main_stack_fault_kills)
{
	struct host *h;
	struct world *w = mkworld(1, "random", 1, &h);

	(void)w;
	ticks_done = *null_ptr;
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_create("fault");

	tcase_set_timeout(tc, 30);
#ifndef FAULT_TEST_ASAN
	/* under ASan, its own handler reports faults (ours is not there) */
	tcase_add_test(tc, test_null_deref);
	tcase_add_test(tc, test_readonly_write);
	tcase_add_test(tc, test_stack_overflow);
#endif
	tcase_add_test_raise_signal(tc, test_main_stack_fault_kills, SIGSEGV);
	return run_tcase("fault", tc);
}
