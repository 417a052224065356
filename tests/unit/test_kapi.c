/*
 * The kernel API on the simulated machine: condvars (no lost wakeups,
 * timed waits), rwlocks, softints that block, pools, VNET, callouts,
 * kthreads.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "sys/atomic.h"
#include "sys/callout.h"
#include "sys/condvar.h"
#include "sys/intr.h"
#include "sys/kmem.h"
#include "sys/kthread.h"
#include "sys/lwp.h"
#include "sys/mutex.h"
#include "sys/pool.h"
#include "sys/rwlock.h"
#include "sys/systm.h"
#include "sys/vnet.h"

#include "machine_util.h"

static kmutex_t mtx;
static kcondvar_t cv;

static void
init_mtx_cv(struct host *h)
{
	host_enter(h);
	mutex_init(&mtx, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&cv, "testcv");
	host_leave(h);
}

/* --- no lost wakeups ------------------------------------------------ */

static int items, consumed;

static void
producer(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 3; i++) {
		mutex_enter(&mtx);
		items++;
		cv_signal(&cv);
		mutex_exit(&mtx);
		preempt_point();
	}
}

static void
consumer(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 3; i++) {
		mutex_enter(&mtx);
		while (items == 0)
			cv_wait(&cv, &mtx);
		items--;
		consumed++;
		mutex_exit(&mtx);
	}
}

START_TEST(test_no_lost_wakeups)
{
	struct host *h;
	struct world *w;
	uint64_t seed;

	for (seed = 1; seed <= 500; seed++) {
		w = mkworld(seed, "random", 2, &h);
		init_mtx_cv(h);
		items = consumed = 0;
		host_spawn(h, "consumer", -1, consumer, NULL);
		host_spawn(h, "producer", -1, producer, NULL);
		/* a lost wakeup leaves the consumer asleep: quiescent early */
		ck_assert_int_eq(world_run(w, SIM_TIME_NEVER),
		    WORLD_QUIESCENT);
		ck_assert_int_eq(consumed, 3);
		ck_assert_uint_eq(world_nviolations(w), 0);
		world_destroy(w);
	}
}
END_TEST

/* --- timed waits ------------------------------------------------------ */

static int tw_result, tw_result2;
static uint64_t tw_start, tw_end, tw_end2;

static void
timed_waiter(void *arg)
{
	(void)arg;
	mutex_enter(&mtx);
	tw_start = getnanouptime();
	tw_result = cv_timedwait(&cv, &mtx, 5);		/* 5 ticks = 5 ms */
	tw_end = getnanouptime();
	tw_result2 = cv_timedwait(&cv, &mtx, 50);	/* signalled at 8 ms */
	tw_end2 = getnanouptime();
	mutex_exit(&mtx);
}

static void
late_signaller(void *arg)
{
	(void)arg;
	sim_sleep(8000000);
	mutex_enter(&mtx);
	cv_signal(&cv);
	mutex_exit(&mtx);
}

START_TEST(test_cv_timedwait_expires_on_time)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 2, &h);

	init_mtx_cv(h);
	host_spawn(h, "waiter", 0, timed_waiter, NULL);
	host_spawn(h, "signaller", 1, late_signaller, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_int_eq(tw_result, EWOULDBLOCK);
	ck_assert_uint_ge(tw_end - tw_start, 5 * NS_PER_TICK);
	ck_assert_uint_lt(tw_end - tw_start, 5 * NS_PER_TICK + 10000);
	ck_assert_int_eq(tw_result2, 0);
	ck_assert_uint_ge(tw_end2, 8000000);
	ck_assert_uint_lt(tw_end2, 8000000 + 10000);
	world_destroy(w);
}
END_TEST

/* --- rwlock exclusion --------------------------------------------------- */

static krwlock_t rwl;
static int rw_value, rw_writers_in, rw_bad;

static void
rw_writer(void *arg)
{
	int i, v;

	(void)arg;
	for (i = 0; i < 3; i++) {
		rw_enter(&rwl, RW_WRITER);
		rw_writers_in++;
		v = rw_value;
		preempt_point();
		rw_value = v + 1;
		rw_writers_in--;
		rw_exit(&rwl);
	}
}

static void
rw_reader(void *arg)
{
	int i, v;

	(void)arg;
	for (i = 0; i < 3; i++) {
		rw_enter(&rwl, RW_READER);
		v = rw_value;
		if (rw_writers_in != 0)
			rw_bad++;
		preempt_point();
		if (rw_value != v || rw_writers_in != 0)
			rw_bad++;
		rw_exit(&rwl);
	}
}

START_TEST(test_rwlock_exclusion)
{
	struct host *h;
	struct world *w;
	uint64_t seed;

	for (seed = 1; seed <= 300; seed++) {
		w = mkworld(seed, "random", 3, &h);
		host_enter(h);
		rw_init(&rwl);
		host_leave(h);
		rw_value = rw_writers_in = rw_bad = 0;
		host_spawn(h, "w1", -1, rw_writer, NULL);
		host_spawn(h, "r1", -1, rw_reader, NULL);
		host_spawn(h, "w2", -1, rw_writer, NULL);
		host_spawn(h, "r2", -1, rw_reader, NULL);
		ck_assert_int_eq(world_run(w, SIM_TIME_NEVER),
		    WORLD_QUIESCENT);
		ck_assert_int_eq(rw_value, 6);
		ck_assert_int_eq(rw_bad, 0);
		world_destroy(w);
	}
}
END_TEST

/* --- softints block on locks ----------------------------------------------- */

static kmutex_t si_lock;
static void *si_cookie;
static struct host *si_host;
static int bg_progress, bg_at_si_start, bg_at_si_end, bg_wrong_cpu;
static uint64_t si_done_at, holder_release_at;
static bool si_ran, si_was_softint, si_on_cpu0;

static void
si_handler(void *arg)
{
	(void)arg;
	si_was_softint = cpu_softintr_p();
	si_on_cpu0 = cpu_index(curcpu()) == 0;
	bg_at_si_start = bg_progress;
	mutex_enter(&si_lock);		/* held elsewhere: blocks */
	mutex_exit(&si_lock);
	bg_at_si_end = bg_progress;
	si_done_at = getnanouptime();
	si_ran = true;
}

static void
hard_handler(void *arg)
{
	(void)arg;
	softint_schedule(si_cookie);
}

static void
raise_intr(void *arg)
{
	(void)arg;
	host_intr_raise(si_host, 0, hard_handler, NULL);
}

static void
holder(void *arg)
{
	(void)arg;
	mutex_enter(&si_lock);
	sim_sleep(3000000);
	holder_release_at = getnanouptime();
	mutex_exit(&si_lock);
}

/* The LWP the interrupt lands on: works in 0.1 ms steps on CPU 0. */
static void
background(void *arg)
{
	(void)arg;
	while (!si_ran || bg_progress < 50) {
		bg_progress++;
		if (cpu_index(curcpu()) != 0)
			bg_wrong_cpu++;
		sim_charge(100000);
		preempt_point();
	}
}

static void
si_setup(struct world *w, struct host *h)
{
	si_host = h;
	bg_progress = bg_wrong_cpu = 0;
	si_ran = false;
	host_enter(h);
	mutex_init(&si_lock, MUTEX_DEFAULT, IPL_NONE);
	si_cookie = softint_establish(SOFTINT_NET | SOFTINT_MPSAFE,
	    si_handler, NULL);
	host_leave(h);
	world_call_at(w, 1000000, raise_intr, NULL);
}

/*
 * A softint blocks on a mutex held by a thread on another CPU: while it
 * sleeps, the LWP it interrupted continues (pinned to its CPU); once
 * the mutex is free the softint pre-empts it again and completes.
 */
START_TEST(test_softint_blocks_on_other_cpus_lock)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 2, &h);

	si_setup(w, h);
	host_spawn(h, "holder", 1, holder, NULL);
	host_spawn(h, "background", 0, background, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert(si_ran);
	ck_assert(si_was_softint);
	ck_assert(si_on_cpu0);
	/* it completed after the holder let go, at the next point */
	ck_assert_uint_ge(si_done_at, holder_release_at);
	ck_assert_uint_lt(si_done_at, holder_release_at + 200000);
	/* the interrupted LWP ran on, on its own CPU only */
	ck_assert_int_gt(bg_at_si_start, 0);
	ck_assert_int_gt(bg_at_si_end, bg_at_si_start);
	ck_assert_int_eq(bg_wrong_cpu, 0);
	ck_assert_int_ge(bg_progress, 50);
	world_destroy(w);
}
END_TEST

/* The interrupted LWP itself holds the lock (one CPU): no deadlock. */
static void
bg_holder(void *arg)
{
	int i;

	(void)arg;
	mutex_enter(&si_lock);
	for (i = 0; i < 30; i++) {
		bg_progress++;
		sim_charge(100000);
		preempt_point();
	}
	holder_release_at = getnanouptime();
	mutex_exit(&si_lock);
	while (!si_ran) {
		bg_progress++;
		sim_charge(100000);
		preempt_point();
	}
}

START_TEST(test_softint_blocks_on_interrupted_lwps_lock)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);

	si_setup(w, h);
	host_spawn(h, "bg_holder", 0, bg_holder, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert(si_ran);
	ck_assert_int_gt(bg_at_si_start, 0);
	ck_assert_int_lt(bg_at_si_start, 30);	/* it came while held */
	ck_assert_uint_ge(si_done_at, holder_release_at);
	ck_assert_uint_lt(si_done_at, holder_release_at + 200000);
	world_destroy(w);
}
END_TEST

/* --- pools ---------------------------------------------------------------- */

static struct pool tpool;
static void *held_items[3];
static uint64_t waitok_got_at, put_at;
static bool waitok_zeroed;

static void
pool_taker(void *arg)
{
	unsigned char *p;
	size_t i;

	(void)arg;
	held_items[0] = pool_get(&tpool, PR_NOWAIT);
	held_items[1] = pool_get(&tpool, PR_NOWAIT);
	memset(held_items[0], 0xa5, tpool.pr_size);
	ck_assert_ptr_null(pool_get(&tpool, PR_NOWAIT));	/* at limit */
	ck_assert_uint_eq(tpool.pr_nfail, 1);
	p = pool_get(&tpool, PR_WAITOK);	/* sleeps until a put */
	waitok_got_at = getnanouptime();
	waitok_zeroed = true;
	for (i = 0; i < tpool.pr_size; i++)
		if (p[i] != 0)
			waitok_zeroed = false;
	pool_put(&tpool, p);
	pool_put(&tpool, held_items[1]);
}

static void
pool_giver(void *arg)
{
	(void)arg;
	sim_sleep(2000000);
	put_at = getnanouptime();
	pool_put(&tpool, held_items[0]);
}

START_TEST(test_pool_exhaustion_nowait_and_waitok)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 2, &h);

	host_enter(h);
	pool_init(&tpool, 48, "tpool", IPL_NONE);
	pool_sethardlimit(&tpool, 2);
	host_leave(h);
	host_spawn(h, "taker", 0, pool_taker, NULL);
	host_spawn(h, "giver", 1, pool_giver, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert_uint_ge(waitok_got_at, put_at);
	ck_assert(waitok_zeroed);	/* the reused item came back zeroed */
	ck_assert_uint_eq(tpool.pr_nout, 0);
	ck_assert_uint_eq(tpool.pr_nget, 3);
	ck_assert_uint_eq(tpool.pr_nput, 3);
	ck_assert_uint_eq(tpool.pr_maxout, 2);
	host_enter(h);
	pool_destroy(&tpool);
	host_leave(h);
	world_destroy(w);
}
END_TEST

START_TEST(test_kmem_zeroed_and_size_checked)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);
	unsigned char *p;
	size_t i;

	host_enter(h);
	for (i = 0; i < 4; i++) {
		p = kmem_alloc(100, KM_SLEEP);
		for (size_t j = 0; j < 100; j++)
			ck_assert_uint_eq(p[j], 0);
		memset(p, 0xff, 100);
		kmem_free(p, 100);
	}
	host_leave(h);
	world_destroy(w);
}
END_TEST

/* --- VNET --------------------------------------------------------------- */

VNET_DEFINE_STATIC(int, test_vcounter);
#define V_test_vcounter	VNET(test_vcounter)
VNET_DEFINE_STATIC(int, test_vorder);
#define V_test_vorder	VNET(test_vorder)
static int vnet_fini_calls;

static void
vtest_init_a(void)
{
	V_test_vcounter = 100;
	V_test_vorder = V_test_vorder * 10 + 1;
}

static void
vtest_init_b(void)
{
	V_test_vorder = V_test_vorder * 10 + 2;
}

static void
vtest_fini(void)
{
	vnet_fini_calls++;
}

/* order 91 runs after 90 although its name sorts first */
VNET_SYSINIT(aa_test_b, VNET_ORDER_LAST + 1, vtest_init_b, vtest_fini);
VNET_SYSINIT(zz_test_a, VNET_ORDER_LAST, vtest_init_a, NULL);

static int vnet_seen[2], vnet_order_seen[2];

static void
vnet_bumper(void *arg)
{
	int n = (int)(uintptr_t)arg, i;

	for (i = 0; i < n; i++) {
		V_test_vcounter++;
		preempt_point();
	}
	vnet_seen[n == 3 ? 0 : 1] = V_test_vcounter;
	vnet_order_seen[n == 3 ? 0 : 1] = V_test_vorder;
}

START_TEST(test_vnet_per_host)
{
	struct host *a, *b;
	struct world *w = mkworld(5, "random", 2, &a);

	b = world_host_create(w, "b", 1);
	ck_assert_ptr_nonnull(b);
	vnet_fini_calls = 0;
	host_spawn(a, "bump3", -1, vnet_bumper, (void *)3);
	host_spawn(b, "bump5", -1, vnet_bumper, (void *)5);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert_int_eq(vnet_seen[0], 103);
	ck_assert_int_eq(vnet_seen[1], 105);
	ck_assert_int_eq(vnet_order_seen[0], 12);	/* a's init, then b's */
	ck_assert_int_eq(vnet_order_seen[1], 12);
	ck_assert_int_eq(VNET_NAME(test_vcounter), 0);		/* master untouched */
	world_destroy(w);
	ck_assert_int_eq(vnet_fini_calls, 2);		/* once per host */
}
END_TEST

/* --- callouts --------------------------------------------------------------- */

static callout_t co1, co2;
static uint64_t co1_at;
static int co1_calls, co2_calls;
static bool co1_in_softint;

static void
co1_fn(void *arg)
{
	(void)arg;
	co1_calls++;
	co1_at = getnanouptime();
	co1_in_softint = cpu_softintr_p();
}

static void
co2_fn(void *arg)
{
	(void)arg;
	co2_calls++;
}

static void
callout_user(void *arg)
{
	(void)arg;
	callout_init(&co1, CALLOUT_MPSAFE);
	callout_init(&co2, CALLOUT_MPSAFE);
	callout_reset(&co1, 3, co1_fn, NULL);
	callout_reset(&co2, 2, co2_fn, NULL);
	ck_assert(callout_pending(&co2));
	sim_sleep(1000000);
	ck_assert(callout_stop(&co2));		/* really removed */
	ck_assert(!callout_pending(&co2));
	sim_sleep(10000000);
	ck_assert(!callout_pending(&co1));
	ck_assert(callout_expired(&co1));
	callout_destroy(&co1);
	callout_destroy(&co2);
}

START_TEST(test_callout_fires_and_stop_removes)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);

	co1_calls = co2_calls = 0;
	host_spawn(h, "cu", -1, callout_user, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert_int_eq(co1_calls, 1);
	ck_assert_int_eq(co2_calls, 0);
	ck_assert(co1_in_softint);
	ck_assert_uint_ge(co1_at, 3 * NS_PER_TICK);
	ck_assert_uint_lt(co1_at, 3 * NS_PER_TICK + 10000);
	world_destroy(w);
}
END_TEST

/* --- kthreads -------------------------------------------------------------- */

static int kt_done;

static void
kt_body(void *arg)
{
	kt_done += (int)(uintptr_t)arg;
	kthread_exit(7);
}

static void
kt_parent(void *arg)
{
	struct lwp *l;

	(void)arg;
	ck_assert_int_eq(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    kt_body, (void *)5, &l, "child%d", 1), 0);
	ck_assert_str_eq(lwp_name(l), "child1");
	ck_assert_int_eq(kthread_join(l), 7);
	ck_assert_int_eq(kt_done, 5);
	kt_done++;
}

START_TEST(test_kthread_create_join)
{
	struct host *h;
	struct world *w = mkworld(1, "random", 2, &h);

	kt_done = 0;
	host_spawn(h, "parent", -1, kt_parent, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert_int_eq(kt_done, 6);
	world_destroy(w);
}
END_TEST

/* --- atomics ------------------------------------------------------------- */

static volatile unsigned int acnt;
static volatile unsigned long aul;
static volatile uint64_t a64;

static void
atomic_worker(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 5; i++) {
		atomic_inc_uint(&acnt);
		atomic_inc_ulong(&aul);
		atomic_add_64(&a64, 3);
	}
}

static void
atomic_values(void *arg)
{
	volatile unsigned int u = 5;
	volatile unsigned long ul = 7;
	volatile uint64_t q = 10;
	int x = 1, y = 2;
	void *volatile ptr = &x;

	(void)arg;
	ck_assert_uint_eq(atomic_inc_uint_nv(&u), 6);
	ck_assert_uint_eq(atomic_dec_uint_nv(&u), 5);
	ck_assert_uint_eq(atomic_add_int_nv(&u, -2), 3);
	ck_assert_uint_eq(atomic_inc_ulong_nv(&ul), 8);
	ck_assert_uint_eq(atomic_dec_ulong_nv(&ul), 7);
	ck_assert_uint_eq(atomic_add_64_nv(&q, -4), 6);
	atomic_or_uint(&u, 0x10);
	atomic_and_uint(&u, 0x12);
	ck_assert_uint_eq(u, 0x12);
	ck_assert_uint_eq(atomic_cas_uint(&u, 0x12, 9), 0x12);
	ck_assert_uint_eq(atomic_cas_uint(&u, 0x12, 1), 9);	/* fails */
	ck_assert_uint_eq(atomic_swap_uint(&u, 4), 9);
	ck_assert_uint_eq(atomic_cas_ulong(&ul, 7, 1), 7);
	ck_assert_ptr_eq(atomic_cas_ptr(&ptr, &x, &y), &x);
	ck_assert_ptr_eq(atomic_swap_ptr(&ptr, &x), &y);
	atomic_store_release_uint(&u, 11);
	ck_assert_uint_eq(atomic_load_acquire_uint(&u), 11);
	atomic_store_release_ptr(&ptr, &y);
	ck_assert_ptr_eq(atomic_load_acquire_ptr(&ptr), &y);
	atomic_store_relaxed_64(&q, 99);
	ck_assert_uint_eq(atomic_load_relaxed_64(&q), 99);
	membar_sync();
	acnt = 1000;
}

START_TEST(test_atomics)
{
	struct host *h;
	struct world *w;
	uint64_t seed, steps;

	for (seed = 1; seed <= 200; seed++) {
		w = mkworld(seed, "random", 2, &h);
		acnt = 0;
		aul = 0;
		a64 = 0;
		host_spawn(h, "a1", -1, atomic_worker, NULL);
		host_spawn(h, "a2", -1, atomic_worker, NULL);
		ck_assert_int_eq(world_run(w, SIM_TIME_NEVER),
		    WORLD_QUIESCENT);
		ck_assert_uint_eq(acnt, 10);
		ck_assert_uint_eq(aul, 10);
		ck_assert_uint_eq(a64, 30);
		world_destroy(w);
	}
	w = mkworld(1, "default", 1, &h);
	world_run(w, SIM_TIME_NEVER);
	steps = world_events(w);
	host_spawn(h, "values", -1, atomic_values, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(acnt, 1000);		/* it ran to the end */
	ck_assert_uint_ge(world_events(w) - steps, 20);	/* each a point */
	world_destroy(w);
}
END_TEST

/* --- mutex objects, kpause, rwlock up/downgrade --------------------------- */

static int obj_stage, kp_result;
static uint64_t kp_before, kp_after;
static bool upgraded;

static void
obj_user(void *arg)
{
	kmutex_t *m;

	(void)arg;
	m = mutex_obj_alloc(MUTEX_DEFAULT, IPL_NONE);
	mutex_obj_hold(m);
	mutex_enter(m);
	ck_assert(mutex_owned(m));
	mutex_exit(m);
	ck_assert(!mutex_obj_free(m));	/* one reference left */
	mutex_enter(m);			/* still a working lock */
	mutex_exit(m);
	ck_assert(mutex_obj_free(m));	/* the last one: gone */
	obj_stage = 1;

	kp_before = getnanouptime();
	kp_result = kpause("nap", false, 4, NULL);
	kp_after = getnanouptime();

	rw_init(&rwl);
	rw_enter(&rwl, RW_READER);
	upgraded = rw_tryupgrade(&rwl);
	ck_assert(rw_write_held(&rwl));
	rw_downgrade(&rwl);
	ck_assert(!rw_write_held(&rwl) && rw_read_held(&rwl));
	rw_exit(&rwl);
	rw_destroy(&rwl);
	obj_stage = 2;
}

START_TEST(test_mutex_obj_kpause_rw_upgrade)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);

	obj_stage = 0;
	host_spawn(h, "obj", -1, obj_user, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert_int_eq(obj_stage, 2);
	ck_assert_int_eq(kp_result, EWOULDBLOCK);
	ck_assert_uint_ge(kp_after - kp_before, 4 * NS_PER_TICK);
	ck_assert_uint_lt(kp_after - kp_before, 4 * NS_PER_TICK + 10000);
	ck_assert(upgraded);
	world_destroy(w);
}
END_TEST

/* --- destroy with endless activity terminates ------------------------------- */

static void
forever(void *arg)
{
	(void)arg;
	for (;;)
		sim_sleep(1000000);
}

START_TEST(test_destroy_with_endless_lwp)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);

	vnet_fini_calls = 0;
	host_spawn(h, "forever", -1, forever, NULL);
	ck_assert_int_eq(world_run(w, 50000000), WORLD_TIME_LIMIT);
	ck_assert_uint_eq(world_now(w), 50000000);
	world_destroy(w);		/* must return */
	ck_assert_int_eq(vnet_fini_calls, 1);
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_create("kapi");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_no_lost_wakeups);
	tcase_add_test(tc, test_cv_timedwait_expires_on_time);
	tcase_add_test(tc, test_rwlock_exclusion);
	tcase_add_test(tc, test_softint_blocks_on_other_cpus_lock);
	tcase_add_test(tc, test_softint_blocks_on_interrupted_lwps_lock);
	tcase_add_test(tc, test_pool_exhaustion_nowait_and_waitok);
	tcase_add_test(tc, test_kmem_zeroed_and_size_checked);
	tcase_add_test(tc, test_vnet_per_host);
	tcase_add_test(tc, test_callout_fires_and_stop_removes);
	tcase_add_test(tc, test_kthread_create_join);
	tcase_add_test(tc, test_destroy_with_endless_lwp);
	tcase_add_test(tc, test_atomics);
	tcase_add_test(tc, test_mutex_obj_kpause_rw_upgrade);
	return run_tcase("kapi", tc);
}
