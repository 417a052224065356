/*
 * The race detector and the kernel API's atomics (sys/atomic.h), on the
 * machine, through instrumented code (race_atomics_fixture.c): atomic
 * ops are relaxed and create no happens-before edge; the _acquire and
 * _release forms and the membar_* fences do; two atomic ops never race,
 * an atomic op and a plain access of the same memory do.
 *
 * Each case runs two LWPs on two CPUs under several seeds of the random
 * strategy, so that the interleavings differ: the verdict must not.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/checkers.h"
#include "race_atomics_fixture.h"

#include "machine_util.h"

#define NSEEDS	8

enum role {
	SEND, RECV, COUNT, PEEK, UNREF_A, UNREF_B
};

struct job {
	enum role	 j_role;
	enum fxa_order	 j_order;
};

static uint64_t received;
static int destroyed;

static void
worker(void *arg)
{
	const struct job *j = arg;

	switch (j->j_role) {
	case SEND:
		fxa_send(j->j_order, 42);
		break;
	case RECV:
		received = fxa_recv(j->j_order);
		break;
	case COUNT:
		fxa_count();
		fxa_count();
		break;
	case PEEK:
		(void)fxa_peek();
		break;
	case UNREF_A:
		destroyed += fxa_unref(j->j_order, true);
		break;
	case UNREF_B:
		destroyed += fxa_unref(j->j_order, false);
		break;
	}
}

/*
 * Runs a and b on CPUs 0 and 1 in a race-checked world; returns the
 * number of data-race reports, and in *what the first one's message.
 */
static size_t
run_pair(uint64_t seed, struct job *a, struct job *b, char *what,
    size_t wlen)
{
	struct check_config cc = { .cc_race = true };
	const struct violation *v;
	struct host *h;
	struct world *w = mkworld(seed, "random", 2, &h);
	size_t n = 0;

	fxa_data = 0;
	memset(&fxa_flag, 0, sizeof(fxa_flag));
	memset(&fxa_counter, 0, sizeof(fxa_counter));
	memset(&fxa_obj, 0, sizeof(fxa_obj));
	fxa_obj.o_ref.w_v = 2;
	received = 0;
	destroyed = 0;
	check_world_begin(w, &cc);
	host_spawn(h, "lwp_a", 0, worker, a);
	host_spawn(h, "lwp_b", 1, worker, b);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	/* The detector saw the instrumented accesses. */
	ck_assert_uint_gt(check_race_accesses(), 0);
	for (size_t i = 0; i < world_nviolations(w); i++)
		if (world_violation(w, i)->v_kind == VIOL_DATA_RACE)
			n++;
	if (what != NULL && (v = find_violation(w, VIOL_DATA_RACE)) != NULL)
		snprintf(what, wlen, "%s", v->v_message);
	check_world_end(w);
	world_destroy(w);
	return n;
}

/* Message passing: the data is plain, the flag atomic. */
static size_t
message_passing(uint64_t seed, enum fxa_order o, char *what, size_t wlen)
{
	struct job s = { SEND, o }, r = { RECV, o };
	size_t n = run_pair(seed, &s, &r, what, wlen);

	ck_assert_uint_eq(received, 42);
	return n;
}

/* (1) A relaxed flag orders nothing: the data read races the write. */
START_TEST(test_relaxed_flag_races)
{
	char what[512];

	for (uint64_t seed = 1; seed <= NSEEDS; seed++) {
		what[0] = '\0';
		ck_assert_uint_eq(message_passing(seed, FXA_RELAXED, what,
		    sizeof(what)), 1);
		ck_assert_ptr_nonnull(strstr(what, "fxa_recv"));
		ck_assert_ptr_nonnull(strstr(what, "fxa_send"));
	}
}
END_TEST

/* (2) store_release / load_acquire on the flag: ordered. */
START_TEST(test_release_acquire_flag)
{
	for (uint64_t seed = 1; seed <= NSEEDS; seed++)
		ck_assert_uint_eq(message_passing(seed, FXA_ACQREL, NULL, 0),
		    0);
}
END_TEST

/* (3) A relaxed flag with membar_exit before the store and membar_enter
 * after the load (and the same with membar_release / membar_acquire). */
START_TEST(test_fences_order_relaxed_flag)
{
	for (uint64_t seed = 1; seed <= NSEEDS; seed++) {
		ck_assert_uint_eq(message_passing(seed, FXA_FENCES, NULL, 0),
		    0);
		ck_assert_uint_eq(message_passing(seed, FXA_ACQREL_FENCES,
		    NULL, 0), 0);
	}
}
END_TEST

/* (4) Two LWPs incrementing one counter atomically: no race. */
START_TEST(test_atomic_counter_no_race)
{
	struct job a = { COUNT, FXA_RELAXED }, b = { COUNT, FXA_RELAXED };

	for (uint64_t seed = 1; seed <= NSEEDS; seed++) {
		ck_assert_uint_eq(run_pair(seed, &a, &b, NULL, 0), 0);
		ck_assert_uint_eq(fxa_counter.w_v, 4);
	}
}
END_TEST

/* (5) An atomic increment against a plain read of the counter: a race,
 * whichever comes first. */
START_TEST(test_atomic_vs_plain_races)
{
	struct job a = { COUNT, FXA_RELAXED }, b = { PEEK, FXA_RELAXED };
	char what[512];

	for (uint64_t seed = 1; seed <= NSEEDS; seed++) {
		what[0] = '\0';
		ck_assert_uint_eq(run_pair(seed, &a, &b, what, sizeof(what)),
		    1);
		ck_assert_ptr_nonnull(strstr(what, "fxa_peek"));
		ck_assert_ptr_nonnull(strstr(what, "fxa_count"));
		/* And the other way round (the other LWP reads first). */
		ck_assert_uint_eq(run_pair(seed, &b, &a, NULL, 0), 1);
	}
}
END_TEST

/*
 * (6) Reference drop: each LWP writes its field, drops a reference; the
 * one that sees zero poisons the object.  Without barriers its writes
 * race with the other LWP's; with membar_release before the decrement
 * and membar_acquire after seeing zero they are ordered.
 */
START_TEST(test_refcount_drop)
{
	struct job a = { UNREF_A, FXA_RELAXED }, b = { UNREF_B, FXA_RELAXED };
	struct job fa = { UNREF_A, FXA_ACQREL_FENCES };
	struct job fb = { UNREF_B, FXA_ACQREL_FENCES };
	char what[512];

	for (uint64_t seed = 1; seed <= NSEEDS; seed++) {
		what[0] = '\0';
		ck_assert_uint_eq(run_pair(seed, &a, &b, what, sizeof(what)),
		    1);
		ck_assert_int_eq(destroyed, 1);
		ck_assert_ptr_nonnull(strstr(what, "fxa_unref"));
		ck_assert_uint_eq(run_pair(seed, &fa, &fb, NULL, 0), 0);
		ck_assert_int_eq(destroyed, 1);
	}
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_relaxed_flag_races);
	tcase_add_test(tc, test_release_acquire_flag);
	tcase_add_test(tc, test_fences_order_relaxed_flag);
	tcase_add_test(tc, test_atomic_counter_no_race);
	tcase_add_test(tc, test_atomic_vs_plain_races);
	tcase_add_test(tc, test_refcount_drop);
	tcase_set_timeout(tc, 30);
	return run_tcase("race_atomics", tc);
}
