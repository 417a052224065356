/*
 * Lock-order checker on synthetic acquisition sequences: cycles within
 * a run and across runs (merge and the text form between processes),
 * what must not be reported (consistent order, trylock, same class),
 * the softint rule, and symbolised stacks in reports.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/lockorder.h"

static int lockA, lockB, lockC, lockA2;

static uint32_t
cls(struct lockorder *lo, const char *n)
{
	return lo_class(lo, n, "stack/kern/test.c", (int)n[0]);
}

static void
acq(struct lockorder *lo, uint32_t tid, const char *n, void *lock,
    unsigned fl)
{
	lo_acquire(lo, tid, cls(lo, n), lock, fl, NULL);
}

START_TEST(test_ab_ba_cycle)
{
	struct lockorder *lo = lo_create();
	const struct lo_report *r;

	acq(lo, 0, "A", &lockA, 0);
	acq(lo, 0, "B", &lockB, 0);
	lo_release(lo, 0, &lockB);
	lo_release(lo, 0, &lockA);
	ck_assert_uint_eq(lo_nreports(lo), 0);
	ck_assert_uint_eq(lo_nedges(lo), 1);
	acq(lo, 1, "B", &lockB, 0);
	acq(lo, 1, "A", &lockA, 0);
	ck_assert_uint_eq(lo_nreports(lo), 1);
	r = lo_report(lo, 0);
	ck_assert_int_eq(r->lr_kind, LO_REPORT_CYCLE);
	ck_assert_uint_eq(r->lr_nclasses, 2);
	/* Canonical rotation: starts at the least class, A. */
	ck_assert_str_eq(r->lr_signature,
	    "lock order: A (test.c:65) -> B (test.c:66) -> A (test.c:65)");
	ck_assert_ptr_nonnull(strstr(r->lr_text, "edge 1: A (test.c:65) -> "
	    "B (test.c:66)"));
	ck_assert_ptr_nonnull(strstr(r->lr_text, "edge 2: B (test.c:66) -> "
	    "A (test.c:65)"));
	/* Closing it again (other thread, same classes) is no new report. */
	lo_release(lo, 1, &lockA);
	lo_release(lo, 1, &lockB);
	acq(lo, 2, "B", &lockB, 0);
	acq(lo, 2, "A", &lockA2, 0);
	ck_assert_uint_eq(lo_nreports(lo), 1);
	lo_destroy(lo);
}
END_TEST

START_TEST(test_no_false_cycles)
{
	struct lockorder *lo = lo_create();

	/* Consistent order A, B, C from several threads. */
	for (uint32_t t = 0; t < 4; t++) {
		acq(lo, t, "A", &lockA, 0);
		acq(lo, t, "B", &lockB, 0);
		acq(lo, t, "C", &lockC, 0);
		lo_release(lo, t, &lockA);	/* out of order release */
		lo_release(lo, t, &lockC);
		lo_release(lo, t, &lockB);
		ck_assert_uint_eq(lo_held_count(lo, t), 0);
	}
	/* Trylock against the order cannot wait: no edge C -> A. */
	acq(lo, 0, "C", &lockC, 0);
	acq(lo, 0, "A", &lockA, LO_TRY);
	lo_release(lo, 0, &lockA);
	lo_release(lo, 0, &lockC);
	/* Two locks of one class (two sockets) nest: no self edge. */
	acq(lo, 1, "A", &lockA, 0);
	acq(lo, 1, "A", &lockA2, 0);
	ck_assert_uint_eq(lo_nreports(lo), 0);
	ck_assert_uint_eq(lo_nedges(lo), 3);	/* AB, AC, BC */
	lo_destroy(lo);
}
END_TEST

START_TEST(test_three_cycle)
{
	struct lockorder *lo = lo_create();

	acq(lo, 0, "A", &lockA, 0);
	acq(lo, 0, "B", &lockB, 0);
	lo_thread_exit(lo, 0);
	acq(lo, 1, "B", &lockB, 0);
	acq(lo, 1, "C", &lockC, 0);
	lo_thread_exit(lo, 1);
	ck_assert_uint_eq(lo_nreports(lo), 0);
	acq(lo, 2, "C", &lockC, 0);
	acq(lo, 2, "A", &lockA, 0);
	ck_assert_uint_eq(lo_nreports(lo), 1);
	ck_assert_uint_eq(lo_report(lo, 0)->lr_nclasses, 3);
	ck_assert_str_eq(lo_report(lo, 0)->lr_signature,
	    "lock order: A (test.c:65) -> B (test.c:66) -> C (test.c:67) -> "
	    "A (test.c:65)");
	lo_destroy(lo);
}
END_TEST

/* Each run alone is clean; the campaign graph sees the inversion. */
START_TEST(test_campaign_merge)
{
	struct lockorder *run1 = lo_create(), *run2 = lo_create();
	struct lockorder *camp = lo_create();

	acq(run1, 0, "A", &lockA, 0);
	acq(run1, 0, "B", &lockB, 0);
	acq(run2, 0, "B", &lockB, 0);
	acq(run2, 0, "A", &lockA, 0);
	ck_assert_uint_eq(lo_nreports(run1) + lo_nreports(run2), 0);
	ck_assert_uint_eq(lo_merge(camp, run1, 1), 0);
	ck_assert_uint_eq(lo_merge(camp, run2, 2), 1);
	ck_assert_uint_eq(lo_report(camp, 0)->lr_run, 2);
	ck_assert_ptr_nonnull(strstr(lo_report(camp, 0)->lr_text,
	    "first in run 1"));
	lo_destroy(run1);
	lo_destroy(run2);
	lo_destroy(camp);
}
END_TEST

/* The text form: incremental blocks, merged in order, same result. */
START_TEST(test_text_roundtrip)
{
	struct lockorder *w = lo_create(), *camp = lo_create();
	FILE *fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	acq(w, 0, "A", &lockA, 0);
	acq(w, 0, "B", &lockB, 0);
	lo_thread_exit(w, 0);
	ck_assert_int_eq(lo_write(w, fp), 0);		/* block 1: AB */
	acq(w, 1, "B", &lockB, 0);
	acq(w, 1, "C", &lockC, LO_IN_SOFTINT);
	lo_thread_exit(w, 1);
	acq(w, 0, "A", &lockA, 0);			/* known edge */
	acq(w, 0, "B", &lockB, 0);
	ck_assert_int_eq(lo_write(w, fp), 0);		/* block 2: BC, U */
	acq(w, 2, "C", &lockC, LO_SOFTINT_ENABLED);
	acq(w, 2, "A", &lockA, 0);
	ck_assert_uint_eq(lo_nreports(w), 2);		/* cycle + softint */
	ck_assert_int_eq(lo_write(w, fp), 0);		/* block 3 */
	rewind(fp);
	ck_assert_int_eq(lo_read(camp, fp, 10), 0);
	ck_assert_uint_eq(lo_nedges(camp), 1);
	ck_assert_int_eq(lo_read(camp, fp, 11), 0);
	ck_assert_uint_eq(lo_nedges(camp), 2);
	ck_assert_int_eq(lo_read(camp, fp, 12), 2);
	ck_assert_uint_eq(lo_nedges(camp), 3);
	ck_assert_str_eq(lo_report(camp, 0)->lr_signature,
	    lo_report(w, 0)->lr_signature);
	ck_assert_str_eq(lo_report(camp, 1)->lr_signature,
	    lo_report(w, 1)->lr_signature);
	/* End of input without a "." terminator is malformed. */
	ck_assert_int_eq(lo_read(camp, fp, 13), -1);
	fclose(fp);
	fp = tmpfile();
	fputs("E\tonly-two\tfields\n.\n", fp);
	rewind(fp);
	ck_assert_int_eq(lo_read(camp, fp, 14), -1);
	fclose(fp);
	lo_destroy(w);
	lo_destroy(camp);
}
END_TEST

START_TEST(test_softint_rule)
{
	struct lockorder *lo = lo_create();

	/* Softint use alone, or thread use with softints blocked: fine. */
	acq(lo, 0, "A", &lockA, LO_IN_SOFTINT);
	lo_release(lo, 0, &lockA);
	acq(lo, 1, "A", &lockA, 0);
	lo_release(lo, 1, &lockA);
	acq(lo, 1, "B", &lockB, LO_SOFTINT_ENABLED);
	lo_release(lo, 1, &lockB);
	ck_assert_uint_eq(lo_nreports(lo), 0);
	acq(lo, 1, "A", &lockA, LO_SOFTINT_ENABLED);
	ck_assert_uint_eq(lo_nreports(lo), 1);
	ck_assert_int_eq(lo_report(lo, 0)->lr_kind, LO_REPORT_SOFTINT_UNSAFE);
	ck_assert_str_eq(lo_report(lo, 0)->lr_signature,
	    "softint-unsafe lock: A (test.c:65)");
	lo_destroy(lo);

	lo = lo_create();
	lo_set_softint_rule(lo, false);
	acq(lo, 0, "A", &lockA, LO_IN_SOFTINT);
	acq(lo, 1, "A", &lockA2, LO_SOFTINT_ENABLED);
	ck_assert_uint_eq(lo_nreports(lo), 0);
	{
		/* The text form carries the rule: a campaign reports none. */
		struct lockorder *camp = lo_create();
		FILE *fp = tmpfile();

		ck_assert_ptr_nonnull(fp);
		ck_assert_int_eq(lo_write(lo, fp), 0);
		rewind(fp);
		ck_assert_int_eq(lo_read(camp, fp, 1), 0);
		ck_assert(!lo_softint_rule(camp));
		fclose(fp);
		lo_destroy(camp);
		/* With the rule on, the same usage is reported. */
		lo_destroy(lo);
		lo = lo_create();
		camp = lo_create();
		fp = tmpfile();
		ck_assert_ptr_nonnull(fp);
		acq(lo, 2, "A", &lockA, LO_IN_SOFTINT);
		acq(lo, 3, "A", &lockA2, LO_SOFTINT_ENABLED);
		ck_assert_int_eq(lo_write(lo, fp), 0);
		rewind(fp);
		ck_assert_int_eq(lo_read(camp, fp, 1), 1);
		ck_assert(lo_softint_rule(camp));
		fclose(fp);
		lo_destroy(camp);
	}
	lo_destroy(lo);
}
END_TEST

static struct lockorder *stk_lo;

static void __attribute__((noinline))
take_in_order_rt_then_so(void)
{
	struct check_stack cs;

	check_stack_capture(&cs, 0);
	lo_acquire(stk_lo, 0, cls(stk_lo, "rt_lock"), &lockA, 0, &cs);
	check_stack_capture(&cs, 0);
	lo_acquire(stk_lo, 0, cls(stk_lo, "so_lock"), &lockB, 0, &cs);
	lo_thread_exit(stk_lo, 0);
}

static void __attribute__((noinline))
take_in_order_so_then_rt(void)
{
	struct check_stack cs;

	check_stack_capture(&cs, 0);
	lo_acquire(stk_lo, 1, cls(stk_lo, "so_lock"), &lockB, 0, &cs);
	check_stack_capture(&cs, 0);
	lo_acquire(stk_lo, 1, cls(stk_lo, "rt_lock"), &lockA, 0, &cs);
	lo_thread_exit(stk_lo, 1);
}

START_TEST(test_report_stacks)
{
	const char *text;

	stk_lo = lo_create();
	take_in_order_rt_then_so();
	take_in_order_so_then_rt();
	ck_assert_uint_eq(lo_nreports(stk_lo), 1);
	text = lo_report(stk_lo, 0)->lr_text;
	if (getenv("LO_SHOW") != NULL)
		fputs(text, stderr);
	ck_assert_ptr_nonnull(strstr(text, "take_in_order_rt_then_so"));
	ck_assert_ptr_nonnull(strstr(text, "take_in_order_so_then_rt"));
	ck_assert_ptr_nonnull(strstr(text, "test_lockorder.c:"));
	lo_destroy(stk_lo);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lockorder");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_ab_ba_cycle);
	tcase_add_test(tc, test_no_false_cycles);
	tcase_add_test(tc, test_three_cycle);
	tcase_add_test(tc, test_campaign_merge);
	tcase_add_test(tc, test_text_roundtrip);
	tcase_add_test(tc, test_softint_rule);
	tcase_add_test(tc, test_report_stacks);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
