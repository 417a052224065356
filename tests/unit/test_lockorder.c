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

/* Stack markers: one frame each, a function symbolisation can name. */
static void __attribute__((noinline)) mark_one(void) { __asm__ volatile(""); }
static void __attribute__((noinline)) mark_two(void) { __asm__ volatile(""); }
static void __attribute__((noinline)) mark_three(void) { __asm__ volatile(""); }
static void __attribute__((noinline)) mark_four(void) { __asm__ volatile(""); }

static struct check_stack *
marked(struct check_stack *cs, void (*fn)(void))
{
	memset(cs, 0, sizeof(*cs));
	cs->cs_depth = 1;
	cs->cs_pc[0] = (uintptr_t)fn + 1;
	return cs;
}

static void
acq_stk(struct lockorder *lo, const char *n, void *lock, void (*fn)(void))
{
	struct check_stack cs;

	lo_acquire(lo, 0, cls(lo, n), lock, 0, marked(&cs, fn));
}

struct edge_want {
	const char	*ew_from, *ew_to;	/* class names */
	const char	*ew_sfrom, *ew_sto;	/* a function in each stack */
	int		 ew_found;
};

static void
edge_check(void *arg, const struct lo_edge_info *ei)
{
	struct edge_want *w = arg;

	if (strcmp(ei->ei_from_name, w->ew_from) != 0 ||
	    strcmp(ei->ei_to_name, w->ew_to) != 0)
		return;
	w->ew_found++;
	ck_assert_msg(ei->ei_from_stack != NULL &&
	    strstr(ei->ei_from_stack, w->ew_sfrom) != NULL,
	    "%s -> %s: from stack %s lacks %s", w->ew_from, w->ew_to,
	    ei->ei_from_stack, w->ew_sfrom);
	ck_assert_msg(ei->ei_to_stack != NULL &&
	    strstr(ei->ei_to_stack, w->ew_sto) != NULL,
	    "%s -> %s: to stack %s lacks %s", w->ew_from, w->ew_to,
	    ei->ei_to_stack, w->ew_sto);
}

static void
expect_edge(struct lockorder *lo, const char *from, const char *to,
    const char *sfrom, const char *sto)
{
	struct edge_want w = { from, to, sfrom, sto, 0 };

	lo_foreach_edge(lo, edge_check, &w);
	ck_assert_msg(w.ew_found == 1, "edge %s -> %s: found %d times", from,
	    to, w.ew_found);
}

/*
 * The stacks of held locks live apart from the held entries, in slots
 * freed on release and reused: a new edge must get the stacks of its own
 * two acquisitions after out-of-order releases and reuse.
 */
START_TEST(test_held_stacks_reused)
{
	struct lockorder *lo = lo_create();

	acq_stk(lo, "A", &lockA, mark_one);
	acq_stk(lo, "B", &lockB, mark_two);
	lo_release(lo, 0, &lockA);		/* not the innermost */
	acq_stk(lo, "C", &lockC, mark_three);
	acq_stk(lo, "D", &lockA2, mark_four);	/* holding B and C */
	expect_edge(lo, "A", "B", "mark_one", "mark_two");
	expect_edge(lo, "B", "D", "mark_two", "mark_four");
	expect_edge(lo, "C", "D", "mark_three", "mark_four");
	lo_release(lo, 0, &lockB);
	lo_release(lo, 0, &lockA2);
	lo_release(lo, 0, &lockC);
	/* Every slot free again: new acquisitions reuse them. */
	acq_stk(lo, "E", &lockA, mark_three);
	acq_stk(lo, "F", &lockB, mark_one);
	acq_stk(lo, "G", &lockC, mark_two);
	expect_edge(lo, "E", "F", "mark_three", "mark_one");
	expect_edge(lo, "F", "G", "mark_one", "mark_two");
	expect_edge(lo, "E", "G", "mark_three", "mark_two");
	lo_destroy(lo);
}
END_TEST

/*
 * lo_acquire_plain pushes the lock only when nothing else would happen:
 * it declines (doing nothing) for a thread holding a lock and for
 * acquisitions that tell something new about the class; a lock it
 * pushed is held like any other (a later acquisition makes the edge).
 */
START_TEST(test_acquire_plain)
{
	struct lockorder *lo = lo_create();
	uint32_t a = cls(lo, "A"), b = cls(lo, "B");

	/* A thread never seen: lo_acquire first. */
	ck_assert(!lo_acquire_plain(lo, 0, a, &lockA, ADAPTIVE_IN_THREAD));
	ck_assert_uint_eq(lo_held_count(lo, 0), 0);
	lo_acquire(lo, 0, a, &lockA, ADAPTIVE_IN_THREAD, NULL);
	lo_release(lo, 0, &lockA);
	lo_acquire(lo, 0, b, &lockB, ADAPTIVE_IN_THREAD, NULL);
	lo_release(lo, 0, &lockB);
	ck_assert_uint_eq(lo_nedges(lo), 0);

	ck_assert(lo_acquire_plain(lo, 0, a, &lockA, ADAPTIVE_IN_THREAD));
	ck_assert_uint_eq(lo_held_count(lo, 0), 1);
	/* Holding A: an acquisition of B may make an edge. */
	ck_assert(!lo_acquire_plain(lo, 0, b, &lockB, ADAPTIVE_IN_THREAD));
	ck_assert_uint_eq(lo_held_count(lo, 0), 1);
	lo_acquire(lo, 0, b, &lockB, ADAPTIVE_IN_THREAD, NULL);
	ck_assert_uint_eq(lo_nedges(lo), 1);
	lo_release(lo, 0, &lockB);
	lo_release(lo, 0, &lockA);
	ck_assert_uint_eq(lo_held_count(lo, 0), 0);

	/* New about A: spin for the first time, an interrupt level. */
	ck_assert(!lo_acquire_plain(lo, 0, a, &lockA, SPIN_IN_THREAD));
	ck_assert(!lo_acquire_plain(lo, 0, a, &lockA, ADAPTIVE_IN_SOFTNET));
	ck_assert_uint_eq(lo_held_count(lo, 0), 0);
	lo_acquire(lo, 0, a, &lockA, ADAPTIVE_IN_SOFTNET, NULL);
	lo_release(lo, 0, &lockA);
	/* Known now. */
	ck_assert(lo_acquire_plain(lo, 0, a, &lockA, ADAPTIVE_IN_SOFTNET));
	lo_release(lo, 0, &lockA);
	ck_assert_uint_eq(lo_held_count(lo, 0), 0);
	lo_destroy(lo);
}
END_TEST

static void
count_edge(void *arg, const struct lo_edge_info *ei)
{
	uint64_t *n = arg;

	if (strcmp(ei->ei_from_name, "A") == 0 &&
	    strcmp(ei->ei_to_name, "B") == 0)
		*n = ei->ei_count;
}

/*
 * A campaign's steady state: runs whose edges the campaign graph has.
 * Merging one counts the edge and keeps the first run's stacks; the
 * graph then has nothing unwritten (no text per run) until a run brings
 * a new edge or new interrupt usage.
 */
START_TEST(test_merge_known_edges)
{
	struct lockorder *camp = lo_create(), *run;
	uint64_t count = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	ck_assert(!lo_unwritten(camp));
	for (int i = 1; i <= 3; i++) {
		run = lo_create();
		acq_stk(run, "A", &lockA, i == 1 ? mark_one : mark_three);
		acq_stk(run, "B", &lockB, i == 1 ? mark_two : mark_four);
		(void)lo_merge(camp, run, (uint64_t)i);
		lo_destroy(run);
		if (i == 1) {
			ck_assert(lo_unwritten(camp));
			fp = open_memstream(&buf, &len);
			ck_assert_int_eq(lo_write(camp, fp), 0);
			fclose(fp);
			ck_assert_ptr_nonnull(strstr(buf, "mark_one"));
			free(buf);
		}
		ck_assert(!lo_unwritten(camp));
	}
	lo_foreach_edge(camp, count_edge, &count);
	ck_assert_uint_eq(count, 3);
	expect_edge(camp, "A", "B", "mark_one", "mark_two");
	/* New usage (a softint takes B) is news again. */
	run = lo_create();
	acq(run, 0, "B", &lockB, ADAPTIVE_IN_SOFTNET);
	(void)lo_merge(camp, run, 4);
	lo_destroy(run);
	ck_assert(lo_unwritten(camp));
	fp = open_memstream(&buf, &len);
	ck_assert_int_eq(lo_write(camp, fp), 0);
	fclose(fp);
	free(buf);
	ck_assert(!lo_unwritten(camp));
	/* A non-default interrupt rule is in every text. */
	lo_set_intr_rule(camp, LO_RULE_ALL);
	ck_assert(lo_unwritten(camp));
	lo_destroy(camp);
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
	tcase_add_test(tc, test_held_stacks_reused);
	tcase_add_test(tc, test_acquire_plain);
	tcase_add_test(tc, test_merge_known_edges);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
