/*
 * Race detector: the happens-before engine on synthetic traces, then
 * the __tsan_* hooks driven by real -fsanitize=thread code (the
 * fixture), including atomics' memory orders and redirected memcpy.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/race.h"
#include "race_fixture.h"

static uint64_t word[4];
static int lock1, lock2;

#define PC(n)	((uintptr_t)(n))

START_TEST(test_unsynchronised_writes)
{
	struct race *r = race_create();

	race_thread_create(r, RACE_NOTID, 0, "a");
	race_thread_create(r, RACE_NOTID, 1, "b");
	race_write(r, 0, (uintptr_t)&word[0], 8, PC(0x10));
	ck_assert_uint_eq(race_nreports(r), 0);
	race_write(r, 1, (uintptr_t)&word[0], 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r), 1);
	ck_assert_uint_eq(race_report(r, 0)->rr_tid[0], 1);
	ck_assert_uint_eq(race_report(r, 0)->rr_tid[1], 0);
	/* The same pair of instructions is reported once. */
	race_write(r, 0, (uintptr_t)&word[0], 8, PC(0x10));
	ck_assert_uint_eq(race_nreports(r), 1);
	race_destroy(r);
}
END_TEST

START_TEST(test_lock_orders_accesses)
{
	struct race *r = race_create();

	race_thread_create(r, RACE_NOTID, 0, "a");
	race_thread_create(r, RACE_NOTID, 1, "b");
	race_acquire(r, 0, (uintptr_t)&lock1);
	race_write(r, 0, (uintptr_t)&word[0], 8, PC(0x10));
	race_release(r, 0, (uintptr_t)&lock1);
	race_acquire(r, 1, (uintptr_t)&lock1);
	race_write(r, 1, (uintptr_t)&word[0], 8, PC(0x20));
	race_read(r, 1, (uintptr_t)&word[0], 8, PC(0x21));
	race_release(r, 1, (uintptr_t)&lock1);
	ck_assert_uint_eq(race_nreports(r), 0);
	/* A different lock does not order: thread 0 under lock2 races. */
	race_acquire(r, 0, (uintptr_t)&lock2);
	race_read(r, 0, (uintptr_t)&word[0], 8, PC(0x11));
	ck_assert_uint_eq(race_nreports(r), 1);
	race_destroy(r);
}
END_TEST

START_TEST(test_shared_reads)
{
	struct race *r = race_create();

	race_thread_create(r, RACE_NOTID, 0, "init");
	race_write(r, 0, (uintptr_t)&word[1], 8, PC(0x1));
	race_thread_create(r, 0, 1, "r1");
	race_thread_create(r, 0, 2, "r2");
	race_thread_create(r, 0, 3, "w");
	/* Concurrent reads are no race, and each is ordered after init. */
	race_read(r, 1, (uintptr_t)&word[1], 8, PC(0x10));
	race_read(r, 2, (uintptr_t)&word[1], 8, PC(0x20));
	ck_assert_uint_eq(race_nreports(r), 0);
	/* w synchronises with r1 only: races with r2's read. */
	race_release(r, 1, (uintptr_t)&lock1);
	race_acquire(r, 3, (uintptr_t)&lock1);
	race_write(r, 3, (uintptr_t)&word[1], 8, PC(0x30));
	ck_assert_uint_eq(race_nreports(r), 1);
	ck_assert_uint_eq(race_report(r, 0)->rr_tid[1], 2);
	race_destroy(r);

	/* Synchronised with both readers: no race. */
	r = race_create();
	race_thread_create(r, RACE_NOTID, 0, "init");
	race_thread_create(r, 0, 1, "r1");
	race_thread_create(r, 0, 2, "r2");
	race_thread_create(r, 0, 3, "w");
	race_read(r, 1, (uintptr_t)&word[1], 8, PC(0x10));
	race_read(r, 2, (uintptr_t)&word[1], 8, PC(0x20));
	race_release(r, 1, (uintptr_t)&lock1);
	race_release(r, 2, (uintptr_t)&lock1);
	race_acquire(r, 3, (uintptr_t)&lock1);
	race_write(r, 3, (uintptr_t)&word[1], 8, PC(0x30));
	ck_assert_uint_eq(race_nreports(r), 0);
	race_destroy(r);
}
END_TEST

START_TEST(test_byte_masks)
{
	struct race *r = race_create();
	uintptr_t base = (uintptr_t)&word[2];

	race_thread_create(r, RACE_NOTID, 0, "a");
	race_thread_create(r, RACE_NOTID, 1, "b");
	/* Two fields in one granule, each its own thread: independent. */
	race_write(r, 0, base, 2, PC(0x10));
	race_write(r, 1, base + 4, 4, PC(0x20));
	race_read(r, 0, base, 1, PC(0x11));
	ck_assert_uint_eq(race_nreports(r), 0);
	/* An access straddling into the other field races. */
	race_write(r, 0, base + 2, 4, PC(0x12));
	ck_assert_uint_eq(race_nreports(r), 1);
	/* Unaligned access across two granules. */
	race_write(r, 0, base + 14, 4, PC(0x13));
	race_read(r, 1, base + 16, 1, PC(0x21));
	ck_assert_uint_eq(race_nreports(r), 2);
	race_destroy(r);
}
END_TEST

START_TEST(test_fork_join_forget)
{
	struct race *r = race_create();

	race_thread_create(r, RACE_NOTID, 0, "parent");
	race_write(r, 0, (uintptr_t)&word[3], 8, PC(0x10));
	race_thread_create(r, 0, 1, "child");
	race_read(r, 1, (uintptr_t)&word[3], 8, PC(0x20));
	race_write(r, 1, (uintptr_t)&word[3], 8, PC(0x21));
	race_thread_exit(r, 1);
	race_thread_join(r, 0, 1);
	race_read(r, 0, (uintptr_t)&word[3], 8, PC(0x11));
	ck_assert_uint_eq(race_nreports(r), 0);
	/* After a fork the parent's later writes race with the child. */
	race_thread_create(r, 0, 2, "child2");
	race_write(r, 0, (uintptr_t)&word[3], 8, PC(0x12));
	race_write(r, 2, (uintptr_t)&word[3], 8, PC(0x22));
	ck_assert_uint_eq(race_nreports(r), 1);
	/* Freed and reallocated memory has no history. */
	race_forget(r, (uintptr_t)&word[0], sizeof(word));
	race_write(r, 0, (uintptr_t)&word[3], 8, PC(0x13));
	ck_assert_uint_eq(race_nreports(r), 1);
	race_destroy(r);
}
END_TEST

/* Hooks: the fixture is real -fsanitize=thread code. */
static struct race *
hooked(void)
{
	struct race *r = race_create();

	race_thread_create(r, RACE_NOTID, 0, "main");
	race_thread_create(r, 0, 1, "t1");
	race_thread_create(r, 0, 2, "t2");
	race_set_current(r);
	race_switch(r, 0, 0);
	fx_data = 0;			/* uninstrumented here */
	return r;
}

START_TEST(test_hooks_plain_race)
{
	struct race *r = hooked();

	race_switch(r, 1, 0);
	fx_write_data(1);
	race_switch(r, 2, 1);
	(void)fx_read_data();
	ck_assert_uint_eq(race_nreports(r), 1);
	ck_assert_ptr_nonnull(strstr(race_report(r, 0)->rr_signature,
	    "fx_write_data"));
	ck_assert_ptr_nonnull(strstr(race_report(r, 0)->rr_signature,
	    "fx_read_data"));
	ck_assert_ptr_nonnull(strstr(race_report(r, 0)->rr_text,
	    "by lwp 1 (t1) on cpu 0"));
	ck_assert_ptr_nonnull(strstr(race_report(r, 0)->rr_text,
	    "by lwp 2 (t2) on cpu 1"));
	race_destroy(r);
	ck_assert_ptr_null(race_current);
}
END_TEST

START_TEST(test_hooks_atomics)
{
	struct race *r = hooked();

	race_switch(r, 1, 0);
	fx_publish_release(5);
	race_switch(r, 2, 1);
	ck_assert_int_eq(fx_consume_acquire(), 5);
	ck_assert_uint_eq(race_nreports(r), 0);
	race_destroy(r);

	/* Relaxed publication does not order the data. */
	r = hooked();
	race_switch(r, 1, 0);
	fx_publish_relaxed(6);
	race_switch(r, 2, 1);
	ck_assert_int_eq(fx_consume_relaxed(), 6);
	ck_assert_uint_eq(race_nreports(r), 1);
	race_destroy(r);
}
END_TEST

START_TEST(test_hooks_previous_stack)
{
	struct race *r = hooked();
	const char *text;

	race_switch(r, 1, 0);
	fx_outer_write();
	race_switch(r, 2, 1);
	fx_write_data(3);
	ck_assert_uint_eq(race_nreports(r), 1);
	text = race_report(r, 0)->rr_text;
	if (getenv("RACE_SHOW") != NULL)
		fputs(text, stderr);
	/* The earlier access's stack comes from the call tree. */
	ck_assert_ptr_nonnull(strstr(text, "previous write"));
	ck_assert_ptr_nonnull(strstr(text, "fx_inner_write"));
	ck_assert_ptr_nonnull(strstr(text, "fx_outer_write"));
	race_destroy(r);
}
END_TEST

START_TEST(test_hooks_memcpy_memset)
{
	struct race *r = hooked();
	volatile size_t n = 200;

	race_switch(r, 1, 0);
	fx_copy(n);
	ck_assert_uint_eq(race_nreports(r), 0);
	race_switch(r, 2, 1);
	fx_clear(n);			/* writes what t1's memcpy wrote */
	ck_assert_uint_eq(race_nreports(r), 1);
	ck_assert_uint_ge(race_naccesses(r), 3);
	race_destroy(r);
}
END_TEST

START_TEST(test_hooks_off)
{
	/* With no current detector, instrumented code runs plainly. */
	race_set_current(NULL);
	fx_write_data(9);
	ck_assert_int_eq(fx_read_data(), 9);
	fx_publish_release(1);
	ck_assert_int_eq(fx_consume_acquire(), 1);
}
END_TEST

static int hook_calls;

static void
count_hook(void *arg, uintptr_t addr, bool write)
{
	(void)addr;
	(void)write;
	(*(int *)arg)++;
}

START_TEST(test_access_hook)
{
	struct race *r = race_create();

	race_thread_create(r, RACE_NOTID, 0, "main");
	race_set_access_hook(r, count_hook, &hook_calls);
	race_set_current(r);
	race_switch(r, 0, 0);
	hook_calls = 0;
	fx_flag = 1;			/* uninstrumented here */
	fx_write_data(1);
	(void)fx_consume_acquire();	/* atomic load + plain read */
	ck_assert_int_ge(hook_calls, 3);
	race_destroy(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("race");
	TCase *tc = tcase_create("hb");
	TCase *th = tcase_create("hooks");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_unsynchronised_writes);
	tcase_add_test(tc, test_lock_orders_accesses);
	tcase_add_test(tc, test_shared_reads);
	tcase_add_test(tc, test_byte_masks);
	tcase_add_test(tc, test_fork_join_forget);
	tcase_add_test(th, test_hooks_plain_race);
	tcase_add_test(th, test_hooks_atomics);
	tcase_add_test(th, test_hooks_previous_stack);
	tcase_add_test(th, test_hooks_memcpy_memset);
	tcase_add_test(th, test_hooks_off);
	tcase_add_test(th, test_access_hook);
	tcase_set_timeout(th, 20);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, th);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
