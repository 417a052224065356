/*
 * The checkers and the exploration strategies on the real machine:
 * lock-order inversions reported without a deadlock happening, the
 * interrupt rule (a spin mutex a softint takes, held where the softint
 * can come in: reported, and random schedules find the real deadlock;
 * softnet_lock-style adaptive use: neither), data
 * races between LWPs through real -fsanitize=thread code, instrumented
 * accesses as scheduling points, PCT and DFS finding a lost update,
 * guided replay and minimisation, sleep sets pruning DFS on real locks.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/intr.h"
#include "sys/kmem.h"
#include "sys/mutex.h"
#include "sys/systm.h"

#include "check/checkers.h"
#include "explore/dfs.h"
#include "explore/strategies.h"
#include "race_fixture.h"
#include "record/schedule.h"

#include "machine_util.h"

static kmutex_t lock_a, lock_b;
static bool invert, guard;

static void
ab_worker(void *arg)
{
	bool reverse = arg != NULL && invert;
	kmutex_t *first = reverse ? &lock_b : &lock_a;
	kmutex_t *second = reverse ? &lock_a : &lock_b;

	mutex_enter(first);
	mutex_enter(second);
	mutex_exit(second);
	mutex_exit(first);
}

static struct world *
lock_world(bool inverted, bool checked)
{
	struct check_config cc = { .cc_lockorder = checked };
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);

	invert = inverted;
	check_world_begin(w, &cc);
	memset(&lock_a, 0, sizeof(lock_a));	/* a fresh world's memory */
	memset(&lock_b, 0, sizeof(lock_b));
	host_enter(h);
	mutex_init(&lock_a, MUTEX_DEFAULT, IPL_NONE);
	mutex_init(&lock_b, MUTEX_DEFAULT, IPL_NONE);
	host_leave(h);
	host_spawn(h, "ab", -1, ab_worker, NULL);
	host_spawn(h, "ba", -1, ab_worker, (void *)1);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	return w;
}

START_TEST(test_lock_order_on_machine)
{
	struct world *w = lock_world(true, true);
	const struct violation *v = find_violation(w, VIOL_LOCK_ORDER);
	char *edges;

	/* One CPU, default strategy: no deadlock, but the inversion. */
	ck_assert_ptr_null(find_violation(w, VIOL_DEADLOCK));
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(strstr(v->v_message, "&lock_a"));
	ck_assert_ptr_nonnull(strstr(v->v_message, "&lock_b"));
	ck_assert_ptr_nonnull(strstr(v->v_stack, "ab_worker"));
	edges = check_world_end_edges(w);
	ck_assert_ptr_nonnull(edges);
	ck_assert_ptr_nonnull(strstr(edges, "&lock_a"));
	free(edges);
	world_destroy(w);

	w = lock_world(false, true);
	ck_assert_uint_eq(world_nviolations(w), 0);
	check_world_end(w);
	world_destroy(w);

	w = lock_world(true, false);
	ck_assert_uint_eq(world_nviolations(w), 0);
	check_world_end(w);
	world_destroy(w);
}
END_TEST

/*
 * The interrupt rule on the machine.  A worker thread on CPU 0 takes
 * ir_lock three times; a "nic" LWP on CPU 1 raises a hard interrupt on
 * CPU 0 whose handler schedules a softnet softint there, and the softint
 * takes ir_lock too.  Lock kinds:
 *   IR_SPIN_LOW	spin mutex raising only to IPL_SOFTCLOCK: the softint
 *			can cut the worker's hold and spin on it forever
 *   IR_SPIN_OK		spin mutex at IPL_SOFTNET: the softint waits
 *   IR_ADAPTIVE	adaptive (softnet_lock): the softint blocks and the
 *			CPU goes back to the worker
 */
enum ir_kind { IR_SPIN_LOW, IR_SPIN_OK, IR_ADAPTIVE };

static kmutex_t ir_lock;
static void *ir_sih;
static int ir_contended;

static void
ir_softint(void *arg)
{
	(void)arg;
	if (!mutex_tryenter(&ir_lock)) {
		ir_contended++;
		mutex_enter(&ir_lock);
	}
	mutex_exit(&ir_lock);
}

static void
ir_hardintr(void *arg)
{
	(void)arg;
	softint_schedule(ir_sih);
}

static void
ir_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		mutex_enter(&ir_lock);
		preempt_point();
		preempt_point();
		mutex_exit(&ir_lock);
		preempt_point();
	}
}

static void
ir_nic(void *arg)
{
	struct host *h = arg;

	for (int i = 0; i < 3; i++) {
		preempt_point();
		host_intr_raise(h, 0, ir_hardintr, NULL);
	}
}

static struct world *
ir_world(uint64_t seed, enum ir_kind kind)
{
	struct check_config cc = { .cc_lockorder = true };
	struct host *h;
	struct world *w = mkworld(seed, "random", 2, &h);

	check_world_begin(w, &cc);
	memset(&ir_lock, 0, sizeof(ir_lock));
	host_enter(h);
	if (kind == IR_ADAPTIVE)
		mutex_init(&ir_lock, MUTEX_DEFAULT, IPL_NONE);
	else
		mutex_init(&ir_lock, MUTEX_SPIN, kind == IR_SPIN_LOW ?
		    IPL_SOFTCLOCK : IPL_SOFTNET);
	ir_sih = softint_establish(SOFTINT_NET | SOFTINT_MPSAFE, ir_softint,
	    NULL);
	host_leave(h);
	host_spawn(h, "worker", 0, ir_worker, NULL);
	host_spawn(h, "nic", 1, ir_nic, h);
	(void)world_run(w, SIM_TIME_NEVER);
	return w;
}

START_TEST(test_intr_rule_on_machine)
{
	int reported = 0, deadlocked = 0, contended = 0, clean = 0;

	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct world *w = ir_world(seed, IR_SPIN_LOW);
		const struct violation *v = find_violation(w, VIOL_LOCK_ORDER);

		if (v != NULL && strstr(v->v_message, "interrupt-unsafe lock: "
		    "&ir_lock") != NULL) {
			reported++;
			ck_assert_ptr_nonnull(strstr(v->v_stack,
			    "acquired by a softint at IPL_SOFTNET and held at "
			    "IPL_SOFTCLOCK"));
			ck_assert_ptr_nonnull(strstr(v->v_stack, "ir_worker"));
			ck_assert_ptr_nonnull(strstr(v->v_stack, "ir_softint"));
		}
		if ((v = find_violation(w, VIOL_DEADLOCK)) != NULL) {
			deadlocked++;
			ck_assert_ptr_nonnull(strstr(v->v_message, "(softnet/0) "
			    "waits for mutex \"&ir_lock\" held by host a lwp 2 "
			    "(worker)"));
		}
		check_world_end(w);
		world_destroy(w);

		ir_contended = 0;
		w = ir_world(seed, IR_ADAPTIVE);
		clean += world_nviolations(w) == 0;
		contended += ir_contended > 0;
		check_world_end(w);
		world_destroy(w);
		w = ir_world(seed, IR_SPIN_OK);
		clean += world_nviolations(w) == 0;
		check_world_end(w);
		world_destroy(w);
	}
	fprintf(stderr, "intr rule: %d/40 reported, %d deadlocked, adaptive "
	    "contended in %d\n", reported, deadlocked, contended);
	/*
	 * Every run either reports the inversion (the softint took the lock
	 * in it) or deadlocks on it: the softint spins on the CPU whose
	 * worker holds the lock.
	 */
	ck_assert_int_eq(reported + deadlocked, 40);
	ck_assert_int_gt(reported, 0);
	/* Some schedules let the softint in while the worker holds it. */
	ck_assert_int_gt(deadlocked, 0);
	/* Adaptive: the softint did meet the held lock, and never hung. */
	ck_assert_int_gt(contended, 0);
	ck_assert_int_eq(clean, 80);

}
END_TEST

static void
race_worker(void *arg)
{
	(void)arg;
	if (guard)
		mutex_enter(&lock_a);
	fx_inc();
	if (guard)
		mutex_exit(&lock_a);
}

static struct world *
race_world(uint64_t seed, const char *strat, bool guarded, bool points,
    int nlwp)
{
	struct check_config cc = { .cc_race = true, .cc_race_points = points };
	struct host *h;
	struct world *w = mkworld(seed, strat, 2, &h);

	guard = guarded;
	fx_data = 0;
	check_world_begin(w, &cc);
	memset(&lock_a, 0, sizeof(lock_a));
	host_enter(h);
	mutex_init(&lock_a, MUTEX_DEFAULT, IPL_NONE);
	host_leave(h);
	for (int i = 0; i < nlwp; i++)
		host_spawn(h, "racer", i % 2, race_worker, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	return w;
}

START_TEST(test_race_on_machine)
{
	struct world *w = race_world(1, "default", false, false, 2);
	const struct violation *v = find_violation(w, VIOL_DATA_RACE);

	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(strstr(v->v_message, "fx_inc"));
	ck_assert_ptr_nonnull(strstr(v->v_stack, "race_worker"));
	if (getenv("RACE_SHOW") != NULL)
		fprintf(stderr, "%s\n%s\n", v->v_message, v->v_stack);
	ck_assert_ptr_nonnull(strstr(v->v_stack, "(racer) on cpu"));
	check_world_end(w);
	world_destroy(w);

	/* The mutex orders the accesses: no report. */
	w = race_world(1, "default", true, false, 2);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert_uint_ge(check_race_accesses(), 4);
	check_world_end(w);
	world_destroy(w);
}
END_TEST

/* With accesses as points, random schedules split fx_inc's read/write. */
START_TEST(test_race_points)
{
	int lost = 0, lost_without = 0;

	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct world *w = race_world(seed, "random", true, true, 4);

		/* Under the lock the increment is never lost. */
		ck_assert_int_eq(fx_data, 4);
		check_world_end(w);
		world_destroy(w);
		w = race_world(seed, "random", false, true, 4);
		lost += fx_data < 4;
		check_world_end(w);
		world_destroy(w);
		w = race_world(seed, "random", false, false, 4);
		lost_without += fx_data < 4;
		check_world_end(w);
		world_destroy(w);
	}
	ck_assert_int_gt(lost, 0);
	ck_assert_int_eq(lost_without, 0);
}
END_TEST

/* A lost update straddling a kernel scheduling point. */
static int counter;

static void
incr(void *arg)
{
	int v;

	(void)arg;
	v = counter;
	preempt_point();
	counter = v + 1;
}

static int counter_ncpu = 2;

static struct world *
counter_world(uint64_t seed, const char *strat, uint64_t *hash)
{
	struct host *h;
	struct world *w = mkworld(seed, strat, counter_ncpu, &h);

	counter = 0;
	host_spawn(h, "incr", 0, incr, NULL);
	host_spawn(h, "incr", counter_ncpu - 1, incr, NULL);
	host_spawn(h, "incr", 0, incr, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	if (hash != NULL)
		*hash = world_trace_hash(w);
	return w;
}

START_TEST(test_dfs_on_machine)
{
	struct dfs *d = dfs_create(2);
	int runs = 0, lost = 0;
	bool more;

	xstrategies_register();
	xstrategy.xs_dfs = d;
	do {
		struct world *w;

		dfs_run_begin(d);
		w = counter_world(1, "dfs", NULL);
		lost += counter < 3;
		world_destroy(w);
		runs++;
		more = dfs_run_end(d);
	} while (more && runs < 5000);
	ck_assert(dfs_stats(d)->ds_exhausted);
	ck_assert_int_gt(lost, 0);
	ck_assert_uint_eq(dfs_stats(d)->ds_diverged, 0);
	xstrategy.xs_dfs = NULL;
	dfs_destroy(d);
}
END_TEST

/*
 * Sleep sets on the machine: two LWPs each do private work under their
 * own lock, then a lost-update-prone read-modify-write of a shared
 * counter in two critical sections of the shared lock.
 */
static kmutex_t own_lock[2], shared_lock;
static int shared_counter;

static void
split_worker(void *arg)
{
	kmutex_t *own = &own_lock[(uintptr_t)arg];
	int v;

	for (int i = 0; i < 2; i++) {
		mutex_enter(own);
		mutex_exit(own);
	}
	mutex_enter(&shared_lock);
	v = shared_counter;
	mutex_exit(&shared_lock);
	mutex_enter(&shared_lock);
	shared_counter = v + 1;
	mutex_exit(&shared_lock);
}

/*
 * Bound 3: at 2 every option a sleep set would prune is beyond the
 * bound anyway (the same 138 schedules either way).
 */
#define SPLIT_BOUND	3

/* A whole bounded DFS of the split world; returns the runs. */
static int
split_dfs(uint32_t bound, bool objects, int *lost, struct dfs_stats *st)
{
	struct dfs *d = dfs_create(bound);
	int runs = 0;
	bool more;

	*lost = 0;
	xstrategies_register();
	xstrategy.xs_dfs = d;
	xstrategy.xs_objects = objects;
	do {
		struct host *h;
		struct world *w = mkworld(1, "dfs", 2, &h);

		dfs_run_begin(d);
		memset(own_lock, 0, sizeof(own_lock));
		memset(&shared_lock, 0, sizeof(shared_lock));
		shared_counter = 0;
		host_enter(h);
		mutex_init(&own_lock[0], MUTEX_DEFAULT, IPL_NONE);
		mutex_init(&own_lock[1], MUTEX_DEFAULT, IPL_NONE);
		mutex_init(&shared_lock, MUTEX_DEFAULT, IPL_NONE);
		host_leave(h);
		host_spawn(h, "w0", 0, split_worker, (void *)0);
		host_spawn(h, "w1", 1, split_worker, (void *)1);
		ck_assert_int_eq(world_run(w, SIM_TIME_NEVER),
		    WORLD_QUIESCENT);
		*lost += shared_counter < 2;
		world_destroy(w);
		runs++;
		more = dfs_run_end(d);
	} while (more && runs < 20000);
	*st = *dfs_stats(d);
	xstrategy.xs_dfs = NULL;
	xstrategy.xs_objects = false;
	dfs_destroy(d);
	return runs;
}

START_TEST(test_dfs_sleep_sets_on_machine)
{
	struct dfs_stats sd, si;
	int lost_dep, lost_ind;
	int rdep = split_dfs(SPLIT_BOUND, false, &lost_dep, &sd);
	int rind = split_dfs(SPLIT_BOUND, true, &lost_ind, &si);

	printf("dfs split world (bound %d): %d schedules without objects, "
	    "%d with (%ju pruned by sleep sets); lost updates %d / %d\n",
	    SPLIT_BOUND, rdep, rind, (uintmax_t)si.ds_slept, lost_dep,
	    lost_ind);
	/* Both searches finish the bounded space and find the bug. */
	ck_assert(sd.ds_exhausted);
	ck_assert(si.ds_exhausted);
	ck_assert_int_gt(lost_dep, 0);
	ck_assert_int_gt(lost_ind, 0);
	ck_assert_uint_eq(sd.ds_diverged, 0);
	ck_assert_uint_eq(si.ds_diverged, 0);
	/* Only objects let sleep sets prune, and they do. */
	ck_assert_uint_eq(sd.ds_slept, 0);
	ck_assert_uint_gt(si.ds_slept, 0);
	ck_assert_int_lt(rind, rdep);
}
END_TEST

START_TEST(test_pct_on_machine)
{
	int lost = 0;
	uint64_t h1, h2;
	struct world *w;

	xstrategies_register();
	xstrategy.xs_depth = 2;
	xstrategy.xs_k = 20;
	for (uint64_t seed = 1; seed <= 60; seed++) {
		w = counter_world(seed, "pct", &h1);
		lost += counter < 3;
		world_destroy(w);
	}
	ck_assert_int_gt(lost, 0);
	/* Deterministic: same seed, same run. */
	world_destroy(counter_world(7, "pct", &h1));
	world_destroy(counter_world(7, "pct", &h2));
	ck_assert_uint_eq(h1, h2);
}
END_TEST

static uint64_t min_seed;

static bool
counter_try(void *arg, const struct xdevs *try, struct xdevs *actual)
{
	struct world *w;
	bool lost;

	(void)arg;
	xstrategy.xs_replay = NULL;
	xstrategy.xs_guide = try;
	w = counter_world(min_seed, "guided", NULL);
	lost = counter < 3;
	xdevs_copy(actual, &xstrategy.xs_guided.g_actual);
	world_destroy(w);
	xstrategy.xs_guide = NULL;
	return lost;
}

START_TEST(test_guided_replay_and_minimize)
{
	struct schedule s;
	struct world *w = NULL;
	uint64_t seed, hash, hash2;
	size_t ndev;

	xstrategies_register();
	schedule_init(&s);
	/* One CPU: the default strategy never splits an increment. */
	counter_ncpu = 1;
	world_destroy(counter_world(1, "default", NULL));
	ck_assert_int_eq(counter, 3);
	/* A random run that loses an update. */
	for (seed = 1; seed < 200; seed++) {
		w = counter_world(seed, "random", &hash);
		if (counter < 3)
			break;
		world_destroy(w);
		w = NULL;
	}
	ck_assert_ptr_nonnull(w);
	for (size_t j = 0; j < world_schedule(w)->sd_len; j++)
		schedule_record(&s, world_schedule(w)->sd_choices[j].sc_index,
		    world_schedule(w)->sd_choices[j].sc_noptions);
	world_destroy(w);

	/* Guided by the recorded schedule: the same run. */
	xstrategy.xs_replay = &s;
	xstrategy.xs_guide = NULL;
	w = counter_world(seed, "guided", &hash2);
	ck_assert_uint_eq(hash, hash2);
	ck_assert_int_lt(counter, 3);
	ndev = xstrategy.xs_guided.g_actual.xs_len;
	ck_assert_uint_gt(ndev, 0);
	{
		struct xdevs start;
		struct xmin_result res;

		xdevs_copy(&start, &xstrategy.xs_guided.g_actual);
		world_destroy(w);
		xstrategy.xs_replay = NULL;
		min_seed = seed;
		ck_assert_int_eq(xminimize(&start, counter_try, NULL, 200,
		    &res), 0);
		ck_assert(res.mr_minimal);
		/* One LWP must be switched away between read and write. */
		ck_assert_uint_ge(res.mr_devs.xs_len, 1);
		ck_assert_uint_le(res.mr_devs.xs_len, ndev);
		ck_assert_uint_le(res.mr_devs.xs_len, 2);
		xmin_result_fini(&res);
		xdevs_fini(&start);
	}
	schedule_fini(&s);
}
END_TEST

/* Memory: poisoned quarantine, write after free, double free. */
static int uaf_mode;
static unsigned char uaf_seen;

static void
uaf_worker(void *arg)
{
	size_t size = uaf_mode == 3 ? 1000 : 64;
	unsigned char *p = kmem_alloc(size, KM_SLEEP);

	(void)arg;
	p[0] = 1;
	kmem_free(p, size);
	uaf_seen = p[10];		/* a read after free sees poison */
	if (uaf_mode == 1)
		p[5] = 7;		/* a write after free */
	if (uaf_mode == 2)
		kmem_free(p, size);	/* a double free */
	if (uaf_mode == 3)
		p[777] = 0;		/* past the first compared chunk */
	/* Push the block out of the quarantine. */
	for (int i = 0; i < 600; i++)
		kmem_free(kmem_alloc(16, KM_SLEEP), 16);
}

/* The first memory violation's message, or NULL. */
static const char *
uaf_run(int mode)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 1, &h);
	const struct violation *v;
	static char msg[256];

	uaf_mode = mode;
	host_spawn(h, "uaf", -1, uaf_worker, NULL);
	(void)world_run(w, SIM_TIME_NEVER);
	v = find_violation(w, VIOL_MEMORY);
	msg[0] = '\0';
	if (v != NULL)
		snprintf(msg, sizeof(msg), "%s", v->v_message);
	world_destroy(w);
	return v != NULL ? msg : NULL;
}

START_TEST(test_memory_quarantine)
{
	const char *m;

	ck_assert_ptr_null(uaf_run(0));
	ck_assert_uint_eq(uaf_seen, 0xdb);
	m = uaf_run(1);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "write after free: byte 5"));
	m = uaf_run(2);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "double free"));
	m = uaf_run(3);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "write after free: byte 777 of a "
	    "freed 1000-byte block changed to 0x00"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("check_machine");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_lock_order_on_machine);
	tcase_add_test(tc, test_intr_rule_on_machine);
	tcase_add_test(tc, test_race_on_machine);
	tcase_add_test(tc, test_race_points);
	tcase_add_test(tc, test_dfs_on_machine);
	tcase_add_test(tc, test_dfs_sleep_sets_on_machine);
	tcase_add_test(tc, test_pct_on_machine);
	tcase_add_test(tc, test_guided_replay_and_minimize);
	tcase_add_test(tc, test_memory_quarantine);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
