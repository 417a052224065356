/*
 * The scheduler: interleaving under the random strategy, determinism,
 * recording and replay with divergence detection, timed events.
 */
#include <check.h>
#include <stdlib.h>

#include "sys/condvar.h"
#include "sys/mutex.h"
#include "sys/systm.h"

#include "machine_util.h"

#define NLWP	2
#define NITER	3

static kmutex_t cnt_lock;
static int counter;
static bool use_lock;

/* A read-modify-write that straddles a scheduling point. */
static void
incr_worker(void *arg)
{
	int i, v;

	(void)arg;
	for (i = 0; i < NITER; i++) {
		if (use_lock)
			mutex_enter(&cnt_lock);
		v = counter;
		preempt_point();
		counter = v + 1;
		if (use_lock)
			mutex_exit(&cnt_lock);
	}
}

/* Run the counter world with one seed; returns the final counter. */
static int
run_counter(uint64_t seed, const char *strategy, int ncpu, bool locked,
    uint64_t *hashp, struct schedule *sched)
{
	struct host *h;
	struct world *w = mkworld(seed, strategy, ncpu, &h);
	int i;

	counter = 0;
	use_lock = locked;
	host_enter(h);
	mutex_init(&cnt_lock, MUTEX_DEFAULT, IPL_NONE);
	host_leave(h);
	for (i = 0; i < NLWP; i++)
		ck_assert_ptr_nonnull(host_spawn(h, "incr", -1, incr_worker,
		    NULL));
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	if (hashp != NULL)
		*hashp = world_trace_hash(w);
	if (sched != NULL) {
		const struct schedule *s = world_schedule(w);

		schedule_clear(sched);
		for (size_t j = 0; j < s->sd_len; j++)
			schedule_record(sched, s->sd_choices[j].sc_index,
			    s->sd_choices[j].sc_noptions);
	}
	host_enter(h);
	mutex_destroy(&cnt_lock);
	host_leave(h);
	world_destroy(w);
	return counter;
}

START_TEST(test_mutex_exclusion_1000_seeds)
{
	uint64_t seed;

	for (seed = 1; seed <= 1000; seed++)
		ck_assert_int_eq(run_counter(seed, "random", 2, true, NULL,
		    NULL), NLWP * NITER);
}
END_TEST

/* Without the mutex the scheduler must expose the lost update. */
START_TEST(test_lost_update_without_mutex)
{
	uint64_t seed;
	int lost = 0, single_cpu_lost = 0;

	for (seed = 1; seed <= 1000; seed++) {
		if (run_counter(seed, "random", 2, false, NULL, NULL) <
		    NLWP * NITER)
			lost++;
		if (seed <= 200 && run_counter(seed, "random", 1, false, NULL,
		    NULL) < NLWP * NITER)
			single_cpu_lost++;
	}
	ck_assert_int_gt(lost, 0);
	ck_assert_int_lt(lost, 1000);	/* and some seeds do not lose */
	/* on one CPU only pre-emption interleaves: it must happen too */
	ck_assert_int_gt(single_cpu_lost, 0);
}
END_TEST

/* The default strategy is deterministic and never loses updates here. */
START_TEST(test_default_strategy_is_stable)
{
	uint64_t h1, h2;

	ck_assert_int_eq(run_counter(1, "default", 2, false, &h1, NULL),
	    run_counter(2, "default", 2, false, &h2, NULL));
	ck_assert_uint_eq(h1, h2);	/* the seed does not matter */
}
END_TEST

START_TEST(test_same_seed_same_hash_different_seeds_differ)
{
	uint64_t a, b, hs[20];
	int i, j, distinct = 0;

	run_counter(42, "random", 2, true, &a, NULL);
	run_counter(42, "random", 2, true, &b, NULL);
	ck_assert_uint_eq(a, b);
	for (i = 0; i < 20; i++)
		run_counter((uint64_t)i + 100, "random", 2, true, &hs[i],
		    NULL);
	for (i = 0; i < 20; i++) {
		for (j = 0; j < i; j++)
			if (hs[j] == hs[i])
				break;
		distinct += j == i;
	}
	ck_assert_int_ge(distinct, 15);
}
END_TEST

/* Replay a recorded schedule under another strategy's name. */
static struct world *
replay_world(const struct schedule *s, struct host **hp)
{
	struct world_config wc;
	struct world *w;

	memset(&wc, 0, sizeof(wc));
	wc.wc_strategy = "replay";
	wc.wc_replay = s;
	wc.wc_stack_size = 64 * 1024;
	w = world_create(&wc);
	ck_assert_ptr_nonnull(w);
	*hp = world_host_create(w, "a", 2);
	return w;
}

static enum world_status
run_replay(const struct schedule *s, uint64_t *hashp, struct world **wp)
{
	struct host *h;
	struct world *w = replay_world(s, &h);
	enum world_status st;
	int i;

	counter = 0;
	use_lock = false;
	for (i = 0; i < NLWP; i++)
		host_spawn(h, "incr", -1, incr_worker, NULL);
	st = world_run(w, SIM_TIME_NEVER);
	if (st == WORLD_QUIESCENT && !world_replay_finish(w))
		st = WORLD_STOPPED;
	*hashp = world_trace_hash(w);
	*wp = w;
	return st;
}

START_TEST(test_recorded_schedule_replays)
{
	struct schedule s;
	struct world *w;
	uint64_t seed, hrec, hrep;
	int crec;

	schedule_init(&s);
	for (seed = 1; seed <= 50; seed++) {
		crec = run_counter(seed, "random", 2, false, &hrec, &s);
		ck_assert_uint_gt(s.sd_len, 0);
		ck_assert_int_eq(run_replay(&s, &hrep, &w), WORLD_QUIESCENT);
		ck_assert_uint_eq(hrep, hrec);
		ck_assert_int_eq(counter, crec);
		ck_assert(schedule_equal(world_schedule(w), &s));
		world_destroy(w);
	}
	schedule_fini(&s);
}
END_TEST

START_TEST(test_tampered_schedule_diverges)
{
	struct schedule s;
	const struct violation *v;
	struct world *w;
	uint64_t h;
	size_t mid;

	schedule_init(&s);
	run_counter(7, "random", 2, false, NULL, &s);
	ck_assert_uint_ge(s.sd_len, 3);
	mid = s.sd_len / 2;

	/* another number of options at one choice */
	s.sd_choices[mid].sc_noptions += 1;
	ck_assert_int_eq(run_replay(&s, &h, &w), WORLD_STOPPED);
	v = find_violation(w, VIOL_DIVERGENCE);
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(strstr(v->v_message, "diverged"));
	world_destroy(w);
	s.sd_choices[mid].sc_noptions -= 1;

	/* a truncated schedule runs out */
	s.sd_len = mid;
	ck_assert_int_eq(run_replay(&s, &h, &w), WORLD_STOPPED);
	ck_assert_ptr_nonnull(find_violation(w, VIOL_DIVERGENCE));
	world_destroy(w);

	/* choices left over at the end */
	s.sd_len = 0;
	run_counter(7, "random", 2, false, NULL, &s);
	schedule_record(&s, 0, 2);
	ck_assert_int_eq(run_replay(&s, &h, &w), WORLD_STOPPED);
	ck_assert_ptr_nonnull(find_violation(w, VIOL_DIVERGENCE));
	world_destroy(w);
	schedule_fini(&s);
}
END_TEST

/* Unknown strategies are refused. */
START_TEST(test_unknown_strategy_refused)
{
	struct world_config wc;

	memset(&wc, 0, sizeof(wc));
	wc.wc_strategy = "nosuch";
	ck_assert_ptr_null(world_create(&wc));
	wc.wc_strategy = "replay";	/* without a schedule */
	ck_assert_ptr_null(world_create(&wc));
}
END_TEST

/* Timed events fire when the earliest CPU clock reaches them. */
static uint64_t fired_at[3];
static int nfired;

static void
record_time(void *arg)
{
	(void)arg;
	fired_at[nfired++] = sim_now();
}

static void
sleeper(void *arg)
{
	sim_sleep((uint64_t)(uintptr_t)arg);
	record_time(NULL);
}

START_TEST(test_timed_events_and_sleep)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 2, &h);

	nfired = 0;
	world_call_at(w, 5000000, record_time, NULL);
	host_spawn(h, "sleeper", -1, sleeper, (void *)(uintptr_t)2000000);
	ck_assert_int_eq(world_run(w, 1000000), WORLD_TIME_LIMIT);
	ck_assert_int_eq(nfired, 0);
	ck_assert_uint_eq(world_now(w), 1000000);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_int_eq(nfired, 2);
	/* the sleeper wakes at 2 ms plus a context switch at most */
	ck_assert_uint_ge(fired_at[0], 2000000);
	ck_assert_uint_lt(fired_at[0], 2000000 + 10000);
	ck_assert_uint_eq(fired_at[1], 5000000);
	world_destroy(w);
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_create("sched");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_mutex_exclusion_1000_seeds);
	tcase_add_test(tc, test_lost_update_without_mutex);
	tcase_add_test(tc, test_default_strategy_is_stable);
	tcase_add_test(tc, test_same_seed_same_hash_different_seeds_differ);
	tcase_add_test(tc, test_recorded_schedule_replays);
	tcase_add_test(tc, test_tampered_schedule_diverges);
	tcase_add_test(tc, test_unknown_strategy_refused);
	tcase_add_test(tc, test_timed_events_and_sleep);
	return run_tcase("sched", tc);
}
