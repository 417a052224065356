/*
 * The event queue against a reference model.
 *
 * The model is a plain array scanned linearly for the smallest
 * (time, insertion counter); it is obviously right and shares no code
 * with the heap.  Random insert / re-insert / cancel / pop sequences with
 * many equal times must pop the same events in the same order.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/evq.h"

/* The test's own generator (xorshift64*), independent of core/rng.c. */
static uint64_t
tst_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

struct model {
	int		 m_queued;
	uint64_t	 m_time;
	uint64_t	 m_order;	/* model's own insertion counter */
};

static void
nop(struct evq_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
}

/* Index of the model's earliest queued event, or -1. */
static int
model_min(const struct model *m, int n)
{
	int i, best = -1;

	for (i = 0; i < n; i++) {
		if (!m[i].m_queued)
			continue;
		if (best < 0 || m[i].m_time < m[best].m_time ||
		    (m[i].m_time == m[best].m_time &&
		    m[i].m_order < m[best].m_order))
			best = i;
	}
	return best;
}

/*
 * nev events, nops operations, times drawn from [base, base + spread):
 * a small spread makes most comparisons ties on time.
 */
static void
run_model(uint64_t seed, int nev, int nops, uint64_t spread)
{
	struct evq q;
	struct evq_event *ev = calloc(nev, sizeof(*ev));
	struct model *m = calloc(nev, sizeof(*m));
	uint64_t s = seed, order = 0, now = 0, r;
	uint32_t queued = 0;
	struct evq_event *got;
	int op, i, want;

	ck_assert_ptr_nonnull(ev);
	ck_assert_ptr_nonnull(m);
	evq_init(&q);
	for (i = 0; i < nev; i++)
		evq_event_init(&ev[i], nop, &m[i]);
	for (op = 0; op < nops; op++) {
		r = tst_rand(&s);
		i = (int)((r >> 8) % (uint64_t)nev);
		switch (r % 8) {
		case 0: case 1: case 2: case 3:	/* insert or move */
			m[i].m_time = now + (r >> 40) % spread;
			m[i].m_order = order++;
			if (!m[i].m_queued)
				queued++;
			m[i].m_queued = 1;
			evq_insert(&q, &ev[i], m[i].m_time);
			break;
		case 4:				/* cancel */
			ck_assert_int_eq(evq_cancel(&q, &ev[i]),
			    m[i].m_queued);
			if (m[i].m_queued)
				queued--;
			m[i].m_queued = 0;
			ck_assert(!evq_queued(&ev[i]));
			break;
		default:			/* pop */
			want = model_min(m, nev);
			ck_assert_ptr_eq(evq_peek(&q),
			    want < 0 ? NULL : &ev[want]);
			ck_assert_uint_eq(evq_first_time(&q), want < 0 ?
			    UINT64_MAX : m[want].m_time);
			got = evq_pop(&q);
			if (want < 0) {
				ck_assert_ptr_null(got);
				break;
			}
			ck_assert_ptr_eq(got, &ev[want]);
			ck_assert_uint_eq(got->ev_time, m[want].m_time);
			ck_assert(!evq_queued(got));
			m[want].m_queued = 0;
			queued--;
			now = m[want].m_time;	/* time moves forward */
			break;
		}
		ck_assert_uint_eq(evq_len(&q), queued);
		if (op % 257 == 0)
			ck_assert(evq_check(&q));
	}
	ck_assert(evq_check(&q));
	/* Drain: the rest must come out in model order too. */
	while ((want = model_min(m, nev)) >= 0) {
		ck_assert_ptr_eq(evq_pop(&q), &ev[want]);
		m[want].m_queued = 0;
	}
	ck_assert_ptr_null(evq_pop(&q));
	ck_assert_uint_eq(evq_len(&q), 0);
	evq_fini(&q);
	free(ev);
	free(m);
}

START_TEST(test_model_ties)
{
	/* 1.2e5 operations, times in a window of 4 ns: ties everywhere. */
	run_model(0x1234567ULL, 200, 120000, 4);
}
END_TEST

START_TEST(test_model_spread)
{
	run_model(0xfeedfaceULL, 500, 100000, 1000000);
}
END_TEST

START_TEST(test_equal_times_fifo)
{
	struct evq q;
	struct evq_event ev[100];
	int i;

	evq_init(&q);
	/* Insert in an order unrelated to addresses: reverse. */
	for (i = 99; i >= 0; i--) {
		evq_event_init(&ev[i], nop, NULL);
		evq_insert(&q, &ev[i], 7);
	}
	for (i = 99; i >= 0; i--)
		ck_assert_ptr_eq(evq_pop(&q), &ev[i]);
	ck_assert_ptr_null(evq_pop(&q));
	evq_fini(&q);
}
END_TEST

START_TEST(test_reinsert_moves)
{
	struct evq q;
	struct evq_event a, b, c;

	evq_init(&q);
	evq_event_init(&a, nop, NULL);
	evq_event_init(&b, nop, NULL);
	evq_event_init(&c, nop, NULL);
	evq_insert(&q, &a, 10);
	evq_insert(&q, &b, 10);
	evq_insert(&q, &c, 20);
	/* Re-inserting a at the same time puts it behind b. */
	evq_insert(&q, &a, 10);
	ck_assert_uint_eq(evq_len(&q), 3);
	/* Moving c earlier puts it first. */
	evq_insert(&q, &c, 5);
	ck_assert_uint_eq(evq_len(&q), 3);
	ck_assert_ptr_eq(evq_pop(&q), &c);
	ck_assert_ptr_eq(evq_pop(&q), &b);
	ck_assert_ptr_eq(evq_pop(&q), &a);
	ck_assert_ptr_null(evq_pop(&q));
	ck_assert_uint_eq(q.eq_fired, 3);
	evq_fini(&q);
}
END_TEST

START_TEST(test_cancel_really_removes)
{
	struct evq q;
	struct evq_event ev[10];
	int i;

	evq_init(&q);
	for (i = 0; i < 10; i++) {
		evq_event_init(&ev[i], nop, NULL);
		evq_insert(&q, &ev[i], (uint64_t)i);
	}
	ck_assert(evq_cancel(&q, &ev[0]));	/* the head */
	ck_assert(evq_cancel(&q, &ev[9]));	/* the last slot */
	ck_assert(evq_cancel(&q, &ev[4]));
	ck_assert(!evq_cancel(&q, &ev[4]));	/* twice: no-op */
	ck_assert_uint_eq(evq_len(&q), 7);
	ck_assert(evq_check(&q));
	for (i = 1; i < 9; i++) {
		if (i == 4)
			continue;
		ck_assert_ptr_eq(evq_pop(&q), &ev[i]);
	}
	ck_assert_ptr_null(evq_pop(&q));
	/* A cancelled event can be queued again. */
	evq_insert(&q, &ev[4], 3);
	ck_assert_ptr_eq(evq_peek(&q), &ev[4]);
	ck_assert_uint_eq(evq_len(&q), 1);
	evq_fini(&q);
	ck_assert(!evq_queued(&ev[4]));		/* fini leaves it idle */
}
END_TEST

/* Grow well past the initial capacity; the order stays sorted. */
START_TEST(test_large_sorted_drain)
{
	enum { N = 100000 };
	struct evq q;
	struct evq_event *ev = calloc(N, sizeof(*ev)), *e;
	uint64_t s = 99, last = 0, lastseq = 0;
	int i, n = 0;

	ck_assert_ptr_nonnull(ev);
	evq_init(&q);
	for (i = 0; i < N; i++) {
		evq_event_init(&ev[i], nop, NULL);
		evq_insert(&q, &ev[i], tst_rand(&s) % 5000);
	}
	ck_assert(evq_check(&q));
	while ((e = evq_pop(&q)) != NULL) {
		ck_assert(e->ev_time > last ||
		    (e->ev_time == last && (n == 0 || e->ev_seq > lastseq)));
		last = e->ev_time;
		lastseq = e->ev_seq;
		n++;
	}
	ck_assert_int_eq(n, N);
	evq_fini(&q);
	free(ev);
}
END_TEST

static Suite *
evq_suite(void)
{
	Suite *s = suite_create("evq");
	TCase *tc = tcase_create("evq");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_model_ties);
	tcase_add_test(tc, test_model_spread);
	tcase_add_test(tc, test_equal_times_fifo);
	tcase_add_test(tc, test_reinsert_moves);
	tcase_add_test(tc, test_cancel_really_removes);
	tcase_add_test(tc, test_large_sorted_drain);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(evq_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? EXIT_FAILURE : EXIT_SUCCESS;
}
