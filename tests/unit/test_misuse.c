/*
 * LOCKDEBUG-style misuse checks, KASSERT/panic and deadlock detection:
 * each fails the run with its message, and the offending LWP is never
 * resumed.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/condvar.h"
#include "sys/intr.h"
#include "sys/kmem.h"
#include "sys/mutex.h"
#include "sys/pool.h"
#include "sys/rwlock.h"
#include "sys/systm.h"

#include "machine_util.h"

static kmutex_t m1, m2, spin;
static kcondvar_t cv;
static krwlock_t rwl;
static struct pool tpool;
static bool resumed;
static struct host *cur_host;

static void
locks_init(struct host *h)
{
	host_enter(h);
	mutex_init(&m1, MUTEX_DEFAULT, IPL_NONE);
	mutex_init(&m2, MUTEX_DEFAULT, IPL_NONE);
	mutex_init(&spin, MUTEX_SPIN, IPL_VM);
	cv_init(&cv, "cv");
	rw_init(&rwl);
	pool_init(&tpool, 256, "tpool", IPL_NONE);
	host_leave(h);
}

/*
 * Run fn (and fn2 if not NULL) on host a; expect the run to stop with a
 * violation of kind k whose message contains `text'.
 */
static void
expect_failure(void (*fn)(void *), void (*fn2)(void *),
    enum violation_kind k, const char *text)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 2, &h);
	const struct violation *v;

	cur_host = h;
	locks_init(h);
	resumed = false;
	host_spawn(h, "culprit", 0, fn, NULL);
	if (fn2 != NULL)
		host_spawn(h, "other", 1, fn2, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_STOPPED);
	ck_assert(world_stopped(w));
	v = find_violation(w, k);
	ck_assert_msg(v != NULL, "no violation of kind %d", k);
	ck_assert_msg(strstr(v->v_message, text) != NULL,
	    "message \"%s\" lacks \"%s\"", v->v_message, text);
	ck_assert(!resumed);
	/* a second run does not resume anything either */
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_STOPPED);
	ck_assert(!resumed);
	world_destroy(w);
}

static void
lock_twice(void *arg)
{
	(void)arg;
	mutex_enter(&m1);
	mutex_enter(&m1);
	resumed = true;
}

START_TEST(test_locking_against_myself)
{
	expect_failure(lock_twice, NULL, VIOL_LOCK_MISUSE,
	    "mutex error: mutex_enter: locking against myself");
}
END_TEST

static void
rw_twice(void *arg)
{
	(void)arg;
	rw_enter(&rwl, RW_WRITER);
	rw_enter(&rwl, RW_READER);
	resumed = true;
}

START_TEST(test_rw_locking_against_myself)
{
	expect_failure(rw_twice, NULL, VIOL_LOCK_MISUSE,
	    "rwlock error: rw_enter: locking against myself");
}
END_TEST

static void
exit_unheld(void *arg)
{
	(void)arg;
	mutex_exit(&m1);
	resumed = true;
}

START_TEST(test_releasing_unlocked)
{
	expect_failure(exit_unheld, NULL, VIOL_LOCK_MISUSE,
	    "mutex error: mutex_exit: not locked");
}
END_TEST

static void
hold_forever(void *arg)
{
	(void)arg;
	mutex_enter(&m1);
	sim_sleep(10000000);
	mutex_exit(&m1);
}

static void
exit_others(void *arg)
{
	(void)arg;
	sim_sleep(1000000);
	mutex_exit(&m1);
	resumed = true;
}

START_TEST(test_releasing_lock_held_by_another)
{
	expect_failure(hold_forever, exit_others, VIOL_LOCK_MISUSE,
	    "mutex error: mutex_exit: not held by current LWP");
}
END_TEST

static void
rw_exit_unheld(void *arg)
{
	(void)arg;
	rw_exit(&rwl);
	resumed = true;
}

START_TEST(test_rw_releasing_unlocked)
{
	expect_failure(rw_exit_unheld, NULL, VIOL_LOCK_MISUSE,
	    "rwlock error: rw_exit: not locked");
}
END_TEST

static void
destroy_held(void *arg)
{
	(void)arg;
	mutex_enter(&m1);
	mutex_destroy(&m1);
	resumed = true;
}

START_TEST(test_destroying_held_lock)
{
	expect_failure(destroy_held, NULL, VIOL_LOCK_MISUSE,
	    "mutex error: mutex_destroy: is locked or in use");
}
END_TEST

static void
sleep_with_spin(void *arg)
{
	(void)arg;
	mutex_enter(&spin);
	mutex_enter(&m1);
	cv_wait(&cv, &m1);
	resumed = true;
}

START_TEST(test_sleeping_with_spin_lock_held)
{
	expect_failure(sleep_with_spin, NULL, VIOL_LOCK_MISUSE,
	    "sleeping with spin lock held");
}
END_TEST

static void
cv_waiter_m1(void *arg)
{
	(void)arg;
	mutex_enter(&m1);
	cv_wait(&cv, &m1);
	mutex_exit(&m1);
}

static void
cv_waiter_m2(void *arg)
{
	(void)arg;
	sim_sleep(1000000);
	mutex_enter(&m2);
	cv_wait(&cv, &m2);
	resumed = true;
}

START_TEST(test_cv_with_two_mutexes)
{
	expect_failure(cv_waiter_m1, cv_waiter_m2, VIOL_LOCK_MISUSE,
	    "multiple locks used with condition variable");
}
END_TEST

static void
intr_takes_sleep_lock(void *arg)
{
	(void)arg;
	mutex_enter(&m1);
	resumed = true;
	mutex_exit(&m1);
}

static void
raise_bad_intr(void *arg)
{
	(void)arg;
	host_intr_raise(cur_host, 0, intr_takes_sleep_lock, NULL);
}

START_TEST(test_sleep_lock_in_hard_interrupt)
{
	expect_failure(raise_bad_intr, NULL, VIOL_LOCK_MISUSE,
	    "acquiring sleep lock from interrupt context");
}
END_TEST

static void
kmem_free_live_lock(void *arg)
{
	kmutex_t *p;

	(void)arg;
	p = kmem_alloc(2 * sizeof(kmutex_t), KM_SLEEP);
	mutex_init(&p[1], MUTEX_DEFAULT, IPL_NONE);
	kmem_free(p, 2 * sizeof(kmutex_t));
	resumed = true;
}

START_TEST(test_kmem_free_with_live_lock)
{
	expect_failure(kmem_free_live_lock, NULL, VIOL_LOCK_MISUSE,
	    "mutex error: kmem_free: allocation contains active lock");
}
END_TEST

static void
pool_put_live_lock(void *arg)
{
	krwlock_t *p;

	(void)arg;
	p = pool_get(&tpool, PR_WAITOK);
	rw_init(p);
	pool_put(&tpool, p);
	resumed = true;
}

START_TEST(test_pool_put_with_live_lock)
{
	expect_failure(pool_put_live_lock, NULL, VIOL_LOCK_MISUSE,
	    "rwlock error: pool_put: allocation contains active lock");
}
END_TEST

/* Destroyed locks are fine to free: the check is not a false alarm. */
static void
kmem_free_dead_lock(void *arg)
{
	kmutex_t *p;

	(void)arg;
	p = kmem_alloc(sizeof(kmutex_t), KM_SLEEP);
	mutex_init(p, MUTEX_DEFAULT, IPL_NONE);
	mutex_enter(p);
	mutex_exit(p);
	mutex_destroy(p);
	kmem_free(p, sizeof(kmutex_t));
	resumed = true;
}

START_TEST(test_kmem_free_after_destroy_is_fine)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);

	resumed = false;
	host_spawn(h, "ok", 0, kmem_free_dead_lock, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert(resumed);
	ck_assert_uint_eq(world_nviolations(w), 0);
	world_destroy(w);
}
END_TEST

static void
kmem_wrong_size(void *arg)
{
	(void)arg;
	kmem_free(kmem_alloc(32, KM_SLEEP), 16);
	resumed = true;
}

START_TEST(test_kmem_free_wrong_size)
{
	expect_failure(kmem_wrong_size, NULL, VIOL_MEMORY,
	    "allocated with size 32");
}
END_TEST

static void
kassert_false(void *arg)
{
	int x = 3;

	(void)arg;
	KASSERTMSG(x == 4, "x is %d", x);
	resumed = true;
}

START_TEST(test_kassert_fails_host_and_run)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);
	const struct violation *v;

	resumed = false;
	host_spawn(h, "asserter", 0, kassert_false, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_STOPPED);
	v = find_violation(w, VIOL_PANIC);
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(strstr(v->v_message,
	    "kernel diagnostic assertion \"x == 4\" failed"));
	ck_assert_ptr_nonnull(strstr(v->v_message, "x is 3"));
	ck_assert_ptr_nonnull(v->v_stack);
	ck_assert_ptr_nonnull(strstr(v->v_stack, "kassert_fail"));
	ck_assert_str_eq(v->v_host, "a");
	ck_assert_int_eq(v->v_cpu, 0);
	ck_assert(host_failed(h));
	ck_assert(!resumed);
	world_destroy(w);
}
END_TEST

static void
panicker(void *arg)
{
	(void)arg;
	panic("route table %s", "corrupt");
	resumed = true;
}

START_TEST(test_panic)
{
	expect_failure(panicker, NULL, VIOL_PANIC, "panic: route table corrupt");
}
END_TEST

static void
abba_a(void *arg)
{
	(void)arg;
	mutex_enter(&m1);
	sim_sleep(1000000);
	mutex_enter(&m2);
	resumed = true;
}

static void
abba_b(void *arg)
{
	(void)arg;
	mutex_enter(&m2);
	sim_sleep(1000000);
	mutex_enter(&m1);
	resumed = true;
}

START_TEST(test_deadlock_reported_with_waiters)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 2, &h);
	const struct violation *v;

	locks_init(h);
	resumed = false;
	host_spawn(h, "abba_a", 0, abba_a, NULL);
	host_spawn(h, "abba_b", 1, abba_b, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_STOPPED);
	v = find_violation(w, VIOL_DEADLOCK);
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(strstr(v->v_message, "(abba_a) waits for "
	    "mutex \"&m2\" held by host a lwp"));
	ck_assert_ptr_nonnull(strstr(v->v_message, "(abba_b) waits for "
	    "mutex \"&m1\""));
	ck_assert(!resumed);
	world_destroy(w);
}
END_TEST

/* A lock cycle is caught at once, even while a timer keeps ticking. */
static void
tick(void *arg)
{
	(void)arg;
	world_call_at(sim_world(), sim_now() + 1000000, tick, NULL);
}

START_TEST(test_deadlock_cycle_found_while_timers_tick)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 2, &h);
	const struct violation *v;

	locks_init(h);
	resumed = false;
	world_call_at(w, 1000000, tick, NULL);
	host_spawn(h, "abba_a", 0, abba_a, NULL);
	host_spawn(h, "abba_b", 1, abba_b, NULL);
	ck_assert_int_eq(world_run(w, 60ULL * 1000000000), WORLD_STOPPED);
	v = find_violation(w, VIOL_DEADLOCK);
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(strstr(v->v_message, "lock cycle"));
	ck_assert_uint_lt(v->v_time, 2000000);	/* found when it formed */
	ck_assert(!resumed);
	world_destroy(w);
}
END_TEST

static void
pause_with_spin(void *arg)
{
	(void)arg;
	mutex_enter(&spin);
	kpause("nap", false, 1, NULL);
	resumed = true;
}

START_TEST(test_kpause_with_spin_lock_held)
{
	expect_failure(pause_with_spin, NULL, VIOL_LOCK_MISUSE,
	    "sleeping with spin lock held");
}
END_TEST

static void
exit_holding(void *arg)
{
	(void)arg;
	mutex_enter(&m2);
}

START_TEST(test_exit_with_lock_held)
{
	expect_failure(exit_holding, NULL, VIOL_LOCK_MISUSE,
	    "exits with 1 lock(s) held, first mutex \"&m2\"");
}
END_TEST

/*
 * A stack overflow is a fault (sim/cpu/fault.c) that fails the run with
 * a message naming the LWP and its stack size, and knit goes on.
 */
static int
recurse(int n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	return n == 0 ? pad[0] : recurse(n - 1) + pad[0];
}

static void
deep(void *arg)
{
	(void)arg;
	(void)recurse(1000000);
}

START_TEST(test_stack_overflow_named)
{
	struct world_config wc;
	const struct violation *v;
	struct world *w;
	struct host *h;

	memset(&wc, 0, sizeof(wc));
	wc.wc_stack_size = 64 * 1024;
	w = world_create(&wc);
	ck_assert_ptr_nonnull(w);
	h = world_host_create(w, "deephost", 1);
	ck_assert_ptr_nonnull(host_spawn(h, "deep", 0, deep, NULL));
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_STOPPED);
	v = find_violation(w, VIOL_FAULT);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->v_host, "deephost");
	ck_assert_msg(strstr(v->v_message, "stack overflow of LWP 2 (deep), "
	    "64 KiB") != NULL, "message: %s", v->v_message);
	ck_assert_ptr_nonnull(strstr(v->v_stack, "recurse"));
	world_destroy(w);
}
END_TEST

/* A cv waiter nobody signals is quiescence, not a deadlock. */
START_TEST(test_cv_sleeper_is_not_deadlock)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);

	locks_init(h);
	host_spawn(h, "waiter", 0, cv_waiter_m1, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	world_destroy(w);
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_create("misuse");

	/* failures symbolise their stacks (addr2line): allow for load */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_locking_against_myself);
	tcase_add_test(tc, test_rw_locking_against_myself);
	tcase_add_test(tc, test_releasing_unlocked);
	tcase_add_test(tc, test_releasing_lock_held_by_another);
	tcase_add_test(tc, test_rw_releasing_unlocked);
	tcase_add_test(tc, test_destroying_held_lock);
	tcase_add_test(tc, test_sleeping_with_spin_lock_held);
	tcase_add_test(tc, test_cv_with_two_mutexes);
	tcase_add_test(tc, test_sleep_lock_in_hard_interrupt);
	tcase_add_test(tc, test_kmem_free_with_live_lock);
	tcase_add_test(tc, test_pool_put_with_live_lock);
	tcase_add_test(tc, test_kmem_free_after_destroy_is_fine);
	tcase_add_test(tc, test_kmem_free_wrong_size);
	tcase_add_test(tc, test_kassert_fails_host_and_run);
	tcase_add_test(tc, test_panic);
	tcase_add_test(tc, test_deadlock_reported_with_waiters);
	tcase_add_test(tc, test_cv_sleeper_is_not_deadlock);
	tcase_add_test(tc, test_deadlock_cycle_found_while_timers_tick);
	tcase_add_test(tc, test_kpause_with_spin_lock_held);
	tcase_add_test(tc, test_exit_with_lock_held);
	tcase_add_test(tc, test_stack_overflow_named);
	return run_tcase("misuse", tc);
}
