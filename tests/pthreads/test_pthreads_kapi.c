/*
 * The pthreads platform itself: each primitive does what the kernel API
 * promises, so that stack tests run on it mean something.
 */
#include <check.h>
#include <stdlib.h>

#include "kapi_pthreads.h"
#include "sys/callout.h"
#include "sys/condvar.h"
#include "sys/intr.h"
#include "sys/kmem.h"
#include "sys/kthread.h"
#include "sys/mutex.h"
#include "sys/pool.h"
#include "sys/rwlock.h"
#include "sys/vnet.h"

VNET_DEFINE_STATIC(int, pt_test_value) = 7;
VNET_DEFINE_STATIC(int, pt_test_order);
#define V_pt_test_value	VNET(pt_test_value)
#define V_pt_test_order	VNET(pt_test_order)

static void
init_b(void)
{
	/* Runs second: (order, name) puts "a" before "b". */
	V_pt_test_order = V_pt_test_order * 10 + 2;
}

static void
init_a(void)
{
	V_pt_test_order = V_pt_test_order * 10 + 1;
}

VNET_SYSINIT(pt_test_b, VNET_ORDER_LAST, init_b, NULL);
VNET_SYSINIT(pt_test_a, VNET_ORDER_LAST, init_a, NULL);

static void
setup(void)
{
	kapi_pthreads_boot(2);
}

static void
teardown(void)
{
	kapi_pthreads_shutdown();
}

START_TEST(test_vnet_copy_and_sysinit_order)
{
	ck_assert_int_eq(V_pt_test_order, 12);
	ck_assert_int_eq(V_pt_test_value, 7);
	V_pt_test_value = 99;
	/* The master copy is untouched: only the host's copy changed. */
	ck_assert_int_eq(VNET_NAME(pt_test_value), 7);
	ck_assert_int_eq(V_pt_test_value, 99);
}
END_TEST

struct counter {
	kmutex_t	 c_lock;
	long		 c_value;
};

static void
count_up(void *arg)
{
	struct counter *c = arg;

	for (int i = 0; i < 20000; i++) {
		mutex_enter(&c->c_lock);
		c->c_value++;
		mutex_exit(&c->c_lock);
	}
}

START_TEST(test_mutex_excludes_real_threads)
{
	struct counter c;
	struct lwp *l[4];

	mutex_init(&c.c_lock, MUTEX_DEFAULT, IPL_NONE);
	c.c_value = 0;
	for (int i = 0; i < 4; i++)
		l[i] = kapi_pthreads_spawn("count", count_up, &c);
	for (int i = 0; i < 4; i++)
		kapi_pthreads_join(l[i]);
	ck_assert_int_eq(c.c_value, 4 * 20000);
	ck_assert(!mutex_owned(&c.c_lock));
	mutex_destroy(&c.c_lock);
}
END_TEST

START_TEST(test_cv_timedwait_times_out)
{
	kmutex_t m;
	kcondvar_t cv;
	uint64_t t0;

	mutex_init(&m, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&cv, "test");
	mutex_enter(&m);
	t0 = getnanouptime();
	ck_assert_int_eq(cv_timedwait(&cv, &m, mstohz(20)), EWOULDBLOCK);
	ck_assert(getnanouptime() - t0 >= 19000000ULL);
	ck_assert(mutex_owned(&m));
	mutex_exit(&m);
	cv_destroy(&cv);
	mutex_destroy(&m);
}
END_TEST

static struct pool test_pool;

static void
put_later(void *arg)
{
	kpause("put", false, mstohz(10), NULL);
	pool_put(&test_pool, arg);
}

START_TEST(test_pool_limit_nowait_and_waitok)
{
	void *a, *b, *c;
	struct lwp *l;

	pool_init(&test_pool, 48, "testpl", IPL_NONE);
	pool_sethardlimit(&test_pool, 2);
	a = pool_get(&test_pool, PR_NOWAIT);
	b = pool_get(&test_pool, PR_NOWAIT);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(pool_get(&test_pool, PR_NOWAIT));
	ck_assert_uint_eq(test_pool.pr_nfail, 1);
	/* PR_WAITOK sleeps until another thread puts one back. */
	l = kapi_pthreads_spawn("put", put_later, a);
	c = pool_get(&test_pool, PR_WAITOK);
	ck_assert_ptr_nonnull(c);
	kapi_pthreads_join(l);
	ck_assert_uint_eq(test_pool.pr_nout, 2);
	pool_put(&test_pool, b);
	pool_put(&test_pool, c);
	ck_assert_uint_eq(test_pool.pr_nout, 0);
	pool_destroy(&test_pool);
}
END_TEST

struct fired {
	kmutex_t	 f_lock;
	kcondvar_t	 f_cv;
	int		 f_count;
};

static void
fire(void *arg)
{
	struct fired *f = arg;

	mutex_enter(&f->f_lock);
	f->f_count++;
	cv_broadcast(&f->f_cv);
	mutex_exit(&f->f_lock);
}

START_TEST(test_callout_fires_and_stop_cancels)
{
	struct fired f;
	callout_t c1, c2;

	memset(&f, 0, sizeof(f));
	mutex_init(&f.f_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&f.f_cv, "fired");
	callout_init(&c1, CALLOUT_MPSAFE);
	callout_init(&c2, CALLOUT_MPSAFE);
	callout_reset(&c2, mstohz(5), fire, &f);
	ck_assert(callout_stop(&c2));
	ck_assert(!callout_pending(&c2));
	callout_reset(&c1, mstohz(5), fire, &f);
	mutex_enter(&f.f_lock);
	while (f.f_count == 0)
		cv_wait(&f.f_cv, &f.f_lock);
	mutex_exit(&f.f_lock);
	/* Give a wrongly queued c2 the chance to fire too. */
	kpause("wait", false, mstohz(20), NULL);
	ck_assert_int_eq(f.f_count, 1);
	callout_halt(&c1, NULL);
	callout_destroy(&c1);
	callout_destroy(&c2);
}
END_TEST

START_TEST(test_softint_runs_in_softint_context)
{
	struct fired f;
	void *si;

	memset(&f, 0, sizeof(f));
	mutex_init(&f.f_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&f.f_cv, "soft");
	si = softint_establish(SOFTINT_NET, fire, &f);
	ck_assert(!cpu_softintr_p());
	softint_schedule(si);
	mutex_enter(&f.f_lock);
	while (f.f_count == 0)
		cv_wait(&f.f_cv, &f.f_lock);
	mutex_exit(&f.f_lock);
	softint_disestablish(si);
	ck_assert_int_eq(f.f_count, 1);
}
END_TEST

START_TEST(test_rwlock_downgrade_and_kmem)
{
	krwlock_t rw;
	char *p;

	rw_init(&rw);
	rw_enter(&rw, RW_WRITER);
	ck_assert(rw_write_held(&rw));
	rw_downgrade(&rw);
	ck_assert(!rw_write_held(&rw));
	ck_assert(rw_read_held(&rw));
	ck_assert(rw_tryenter(&rw, RW_READER));
	ck_assert(!rw_tryenter(&rw, RW_WRITER));
	rw_exit(&rw);
	ck_assert(rw_tryupgrade(&rw));
	rw_exit(&rw);
	rw_destroy(&rw);

	p = kmem_zalloc(100, KM_SLEEP);
	ck_assert_int_eq(p[99], 0);
	ck_assert_uint_eq(kapi_pthreads_kmem_outstanding(), 1);
	kmem_free(p, 100);
	ck_assert_uint_eq(kapi_pthreads_kmem_outstanding(), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pthreads-kapi");
	TCase *tc = tcase_create("primitives");
	SRunner *sr;
	int nf;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_vnet_copy_and_sysinit_order);
	tcase_add_test(tc, test_mutex_excludes_real_threads);
	tcase_add_test(tc, test_cv_timedwait_times_out);
	tcase_add_test(tc, test_pool_limit_nowait_and_waitok);
	tcase_add_test(tc, test_callout_fires_and_stop_cancels);
	tcase_add_test(tc, test_softint_runs_in_softint_context);
	tcase_add_test(tc, test_rwlock_downgrade_and_kmem);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
