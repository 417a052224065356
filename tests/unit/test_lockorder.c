/*
 * Lock-order checker on synthetic acquisition sequences: cycles within
 * a run and across runs (merge and the text form between processes),
 * what must not be reported (consistent order, trylock, same class),
 * the interrupt rule (spin mutexes by default; adaptive ones only with
 * LO_RULE_ALL), and symbolised stacks in reports.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/intr.h"

#include "check/lockorder.h"

/* Acquisition flags: a spin mutex of IPL_SOFTCLOCK, softnet_lock. */
#define SPIN_IN_SOFTNET	(LO_SPIN | LO_INTR | LO_LEVEL(IPL_SOFTNET) | \
			 LO_IPL(IPL_SOFTNET))
#define SPIN_IN_THREAD	(LO_SPIN | LO_IPL(IPL_SOFTCLOCK))
#define ADAPTIVE_IN_SOFTNET (LO_INTR | LO_LEVEL(IPL_SOFTNET) | \
			 LO_IPL(IPL_SOFTNET))
#define ADAPTIVE_IN_THREAD LO_IPL(IPL_NONE)

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
	acq(w, 1, "C", &lockC, SPIN_IN_SOFTNET);
	lo_thread_exit(w, 1);
	acq(w, 0, "A", &lockA, 0);			/* known edge */
	acq(w, 0, "B", &lockB, 0);
	ck_assert_int_eq(lo_write(w, fp), 0);		/* block 2: BC, U */
	acq(w, 2, "C", &lockC, SPIN_IN_THREAD);
	acq(w, 2, "A", &lockA, 0);
	ck_assert_uint_eq(lo_nreports(w), 2);		/* cycle + interrupt */
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

static void
take(struct lockorder *lo, uint32_t tid, const char *n, void *lock,
    unsigned fl)
{
	acq(lo, tid, n, lock, fl);
	lo_release(lo, tid, lock);
}

/* A spin mutex a softint takes, held where that softint can come in. */
START_TEST(test_intr_rule_spin)
{
	struct lockorder *lo = lo_create();
	const struct lo_report *r;

	/* Held at the softint's own level (splsoftnet first): fine. */
	take(lo, 0, "A", &lockA, SPIN_IN_SOFTNET);
	take(lo, 1, "A", &lockA, LO_SPIN | LO_IPL(IPL_SOFTNET));
	take(lo, 1, "B", &lockB, SPIN_IN_THREAD);	/* no softint use */
	ck_assert_uint_eq(lo_nreports(lo), 0);
	take(lo, 1, "A", &lockA, SPIN_IN_THREAD);
	ck_assert_uint_eq(lo_nreports(lo), 1);
	r = lo_report(lo, 0);
	ck_assert_int_eq(r->lr_kind, LO_REPORT_INTR_UNSAFE);
	ck_assert_str_eq(r->lr_signature,
	    "interrupt-unsafe lock: A (test.c:65)");
	ck_assert_msg(strstr(r->lr_text, "spin mutex A (test.c:65) is "
	    "acquired by a softint at IPL_SOFTNET and held at IPL_SOFTCLOCK")
	    != NULL, "%s", r->lr_text);
	take(lo, 2, "A", &lockA2, SPIN_IN_THREAD);	/* reported once */
	ck_assert_uint_eq(lo_nreports(lo), 1);
	lo_destroy(lo);

	/* Either order; and a lower softint is cut by a higher interrupt. */
	lo = lo_create();
	take(lo, 0, "A", &lockA, LO_SPIN | LO_INTR | LO_LEVEL(IPL_SOFTNET) |
	    LO_IPL(IPL_SOFTNET));
	ck_assert_uint_eq(lo_nreports(lo), 0);
	take(lo, 1, "A", &lockA, LO_SPIN | LO_INTR | LO_LEVEL(IPL_VM) |
	    LO_IPL(IPL_VM));
	ck_assert_uint_eq(lo_nreports(lo), 1);
	ck_assert_ptr_nonnull(strstr(lo_report(lo, 0)->lr_text,
	    "acquired by the hard interrupt at IPL_VM and held at "
	    "IPL_SOFTNET"));
	lo_destroy(lo);
}
END_TEST

/* softnet_lock: softints block on it, threads hold it at IPL_NONE. */
START_TEST(test_intr_rule_adaptive)
{
	struct lockorder *lo = lo_create();

	ck_assert_int_eq(lo_intr_rule(lo), LO_RULE_SPIN);
	take(lo, 0, "A", &lockA, ADAPTIVE_IN_SOFTNET);
	take(lo, 1, "A", &lockA, ADAPTIVE_IN_THREAD);
	ck_assert_uint_eq(lo_nreports(lo), 0);
	/* Rule "all" (softints must not sleep): the same use is reported. */
	lo_set_intr_rule(lo, LO_RULE_ALL);
	take(lo, 1, "A", &lockA, ADAPTIVE_IN_THREAD);
	ck_assert_uint_eq(lo_nreports(lo), 1);
	ck_assert_ptr_nonnull(strstr(lo_report(lo, 0)->lr_text,
	    "lock A (test.c:65) is acquired by a softint at IPL_SOFTNET and "
	    "held at IPL_NONE"));
	lo_destroy(lo);

	/* Rule off: not even a spin inversion. */
	lo = lo_create();
	lo_set_intr_rule(lo, LO_RULE_OFF);
	take(lo, 0, "A", &lockA, SPIN_IN_SOFTNET);
	take(lo, 1, "A", &lockA, SPIN_IN_THREAD);
	ck_assert_uint_eq(lo_nreports(lo), 0);
	lo_destroy(lo);
}
END_TEST

/* Write run graph w into a campaign graph; returns lo_read's result. */
static int
through_text(struct lockorder *w, struct lockorder *camp)
{
	FILE *fp = tmpfile();
	int n;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(lo_write(w, fp), 0);
	rewind(fp);
	n = lo_read(camp, fp, 1);
	fclose(fp);
	return n;
}

/*
 * The text form carries the rule, spin-ness and both usages: halves of
 * an inversion seen in two runs make the report in the campaign.
 */
START_TEST(test_intr_rule_text)
{
	struct lockorder *r1 = lo_create(), *r2 = lo_create();
	struct lockorder *camp = lo_create();

	take(r1, 0, "A", &lockA, SPIN_IN_SOFTNET);
	take(r2, 0, "A", &lockA, SPIN_IN_THREAD);
	take(r2, 0, "B", &lockB, ADAPTIVE_IN_THREAD);
	ck_assert_uint_eq(lo_nreports(r1) + lo_nreports(r2), 0);
	ck_assert_int_eq(through_text(r1, camp), 0);
	ck_assert_int_eq(through_text(r2, camp), 1);
	ck_assert_str_eq(lo_report(camp, 0)->lr_signature,
	    "interrupt-unsafe lock: A (test.c:65)");
	/* Incremental: nothing new is nothing written. */
	ck_assert_int_eq(through_text(r2, camp), 0);
	lo_destroy(r1);
	lo_destroy(r2);
	lo_destroy(camp);

	/* A run with the rule off turns the campaign's off first. */
	r1 = lo_create();
	camp = lo_create();
	lo_set_intr_rule(r1, LO_RULE_OFF);
	take(r1, 0, "A", &lockA, SPIN_IN_SOFTNET);
	take(r1, 1, "A", &lockA2, SPIN_IN_THREAD);
	ck_assert_int_eq(through_text(r1, camp), 0);
	ck_assert_int_eq(lo_intr_rule(camp), LO_RULE_OFF);
	lo_destroy(r1);
	lo_destroy(camp);
	/* And "all" makes adaptive inversions reports there. */
	r1 = lo_create();
	camp = lo_create();
	lo_set_intr_rule(r1, LO_RULE_ALL);
	take(r1, 0, "B", &lockB, ADAPTIVE_IN_SOFTNET);
	take(r1, 1, "B", &lockB, ADAPTIVE_IN_THREAD);
	ck_assert_uint_eq(lo_nreports(r1), 1);
	ck_assert_int_eq(through_text(r1, camp), 1);
	ck_assert_int_eq(lo_intr_rule(camp), LO_RULE_ALL);
	lo_destroy(r1);
	lo_destroy(camp);
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
	tcase_add_test(tc, test_intr_rule_spin);
	tcase_add_test(tc, test_intr_rule_adaptive);
	tcase_add_test(tc, test_intr_rule_text);
	tcase_add_test(tc, test_report_stacks);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
