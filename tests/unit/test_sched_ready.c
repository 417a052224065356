/*
 * The scheduler's incremental ready set (sim/cpu/ready.c) against brute
 * force.  Random worlds (hosts, CPUs, LWPs taking adaptive and spin
 * mutexes, sleeping, scheduling softints, raising hard interrupts on
 * other hosts, changing their IPL, spawning and exiting) run under
 * several race windows and strategies, and at every choice:
 *   - the scheduler's self-check compares its choice with a scan of
 *     every CPU (sched_check_enable);
 *   - a strategy of this test ("model") recomputes the option list
 *     from the CPUs' state with its own code, straight from the rules in
 *     docs/machine.md, and compares it with the list it was given.
 * The default strategy, answered from the ready set without a list,
 * must make the same choices as the same rule applied to the list.
 * Determinism with many CPUs: same seed, same trace hash and schedule;
 * a recorded schedule replays.
 */
#include <check.h>
#include <stdlib.h>

#include "sys/intr.h"
#include "sys/mutex.h"
#include "sys/systm.h"

#include "machine_util.h"
#include "core/rng.h"
#include "cpu/machine.h"
#include "cpu/strategy.h"

#define MAXHOSTS	8

struct rhost {
	struct host	*rh_host;
	kmutex_t	 rh_lock[2];
	kmutex_t	 rh_spin;
	void		*rh_si;
	int		 rh_ncpu;
	int		 rh_count;	/* under rh_lock[0] */
};

static struct rhost rhosts[MAXHOSTS];
static int nrhosts;
static int nchildren;
static int iters;

/* The model strategy's verdict. */
static uint64_t model_decisions, model_mismatches;
static char model_first[200];

static uint64_t
mix(uint64_t a, uint64_t b)
{
	uint64_t s = a * 0x9e3779b97f4a7c15ULL ^ b;

	return splitmix64(&s);
}

static void
softint_work(void *arg)
{
	struct rhost *rh = arg;

	mutex_enter(&rh->rh_lock[0]);
	rh->rh_count++;
	preempt_point();
	mutex_exit(&rh->rh_lock[0]);
}

static void
hard_work(void *arg)
{
	struct rhost *rh = arg;

	mutex_spin_enter(&rh->rh_spin);
	preempt_point();
	mutex_spin_exit(&rh->rh_spin);
	softint_schedule(rh->rh_si);
}

static void
child(void *arg)
{
	struct rhost *rh = arg;

	mutex_enter(&rh->rh_lock[1]);
	preempt_point();
	mutex_exit(&rh->rh_lock[1]);
}

/* One LWP's random program; arg: its seed. */
static void
worker(void *arg)
{
	struct rhost *rh = &rhosts[0];
	struct host *h = sim_host();
	struct rng r;
	int i, s, k;

	for (i = 0; i < nrhosts; i++)
		if (rhosts[i].rh_host == h)
			rh = &rhosts[i];
	rng_seed(&r, (uint64_t)(uintptr_t)arg);
	for (i = 0; i < iters; i++) {
		switch (rng_below(&r, 8)) {
		case 0:
			k = (int)rng_below(&r, 2);
			mutex_enter(&rh->rh_lock[k]);
			preempt_point();
			sim_charge(rng_below(&r, 50));
			mutex_exit(&rh->rh_lock[k]);
			break;
		case 1:
			sim_sleep(1 + rng_below(&r, 3000));
			break;
		case 2:
			softint_schedule(rh->rh_si);
			break;
		case 3:
			s = splsoftnet();
			preempt_point();
			splx(s);
			break;
		case 4:
			k = (int)rng_below(&r, (uint64_t)nrhosts);
			host_intr_raise(rhosts[k].rh_host,
			    (int)rng_below(&r, (uint64_t)rhosts[k].rh_ncpu),
			    hard_work, &rhosts[k]);
			break;
		case 5:
			mutex_spin_enter(&rh->rh_spin);
			preempt_point();
			mutex_spin_exit(&rh->rh_spin);
			break;
		case 6:
			if (nchildren < 40) {
				nchildren++;
				host_spawn(h, "child", -1, child, rh);
			}
			break;
		default:
			sim_charge(rng_below(&r, 100));
			preempt_point();
			break;
		}
	}
}

/*
 * The model: what CPU c runs if stepped, straight from docs/machine.md
 * ("a runnable interrupt LWP whose level is above the IPL of the CPU's
 * LWP, its current LWP, the head of its run queue").
 */
static struct lwp *
model_pick(struct cpu_info *c)
{
	struct lwp *best = NULL;
	int s;

	for (s = INTR_NSLOT - 1; s >= 0; s--) {
		if (c->c_intr[s] != NULL && c->c_intr[s]->l_stat == LSRUN) {
			best = c->c_intr[s];
			break;
		}
	}
	if (best != NULL && (c->c_cur == NULL ||
	    best->l_level > c->c_cur->l_ipl))
		return best;
	if (c->c_cur != NULL)
		return c->c_cur->l_stat == LSONPROC ? c->c_cur : NULL;
	return TAILQ_FIRST(&c->c_runq);
}

static uint64_t
model_eff(struct cpu_info *c, struct lwp *l)
{
	return c->c_clock > l->l_readytime ? c->c_clock : l->l_readytime;
}

static void
model_mismatch(const char *what, uint32_t i)
{
	if (model_mismatches++ == 0)
		snprintf(model_first, sizeof(model_first), "decision %llu: "
		    "%s at option %u", (unsigned long long)model_decisions,
		    what, i);
}

static void *
model_init(struct world *w, const struct world_config *wc)
{
	struct rng *r = calloc(1, sizeof(*r));

	(void)wc;
	world_rng_stream(w, r, "test/model");
	return r;
}

static uint32_t
model_choose(void *state, struct world *w, const struct sched_decision *d)
{
	struct cpu_info *c;
	struct lwp *p, *q;
	uint64_t minclock = UINT64_MAX, limit;
	uint32_t n = 0;
	int i;

	model_decisions++;
	for (i = 0; i < w->w_ncpus; i++) {
		c = w->w_cpus[i];
		if ((p = model_pick(c)) != NULL && model_eff(c, p) < minclock)
			minclock = model_eff(c, p);
	}
	limit = w->w_window == SIM_WINDOW_INFINITE ? UINT64_MAX :
	    minclock + w->w_window;
	for (i = 0; i < w->w_ncpus; i++) {
		c = w->w_cpus[i];
		p = model_pick(c);
		if (p == NULL || model_eff(c, p) > limit)
			continue;
		if (n >= d->sd_nopts || d->sd_opts[n].so_cpu != c ||
		    d->sd_opts[n].so_lwp != p || d->sd_opts[n].so_preempt ||
		    d->sd_opts[n].so_clock != model_eff(c, p))
			model_mismatch("own step", n);
		n++;
		/* pre-emptions: of an LWP at IPL_NONE, by its run queue */
		if (p != c->c_cur || (p->l_flags & LW_INTR) ||
		    p->l_ipl != IPL_NONE)
			continue;
		TAILQ_FOREACH(q, &c->c_runq, l_q) {
			if (n >= d->sd_nopts || d->sd_opts[n].so_lwp != q ||
			    !d->sd_opts[n].so_preempt ||
			    d->sd_opts[n].so_clock != model_eff(c, q))
				model_mismatch("pre-emption", n);
			n++;
		}
	}
	if (n != d->sd_nopts)
		model_mismatch("number of options", n);
	return (uint32_t)rng_below(state, d->sd_nopts);
}

static const struct sched_strategy model_strategy = {
	.ss_name = "test-model",
	.ss_init = model_init,
	.ss_choose = model_choose,
	.ss_fini = free,
};

/* The default rule applied to the listed options (no ss_earliest). */
static uint32_t
listed_default_choose(void *state, struct world *w,
    const struct sched_decision *d)
{
	return sched_strategy_lookup("default")->ss_choose(state, w, d);
}

static const struct sched_strategy listed_default_strategy = {
	.ss_name = "test-default-listed",
	.ss_choose = listed_default_choose,
};

/*
 * The random strategy's rule with the options listed (no ss_blind): the
 * same stream, the same draw, but the scheduler builds the list and
 * takes the chosen option from it.
 */
static void *
listed_random_init(struct world *w, const struct world_config *wc)
{
	struct rng *r = calloc(1, sizeof(*r));

	(void)wc;
	world_rng_stream(w, r, "sched/random");
	return r;
}

static uint32_t
listed_random_choose(void *state, struct world *w,
    const struct sched_decision *d)
{
	(void)w;
	ck_assert_ptr_nonnull(d->sd_opts);
	return (uint32_t)rng_below(state, d->sd_nopts);
}

static const struct sched_strategy listed_random_strategy = {
	.ss_name = "test-random-listed",
	.ss_init = listed_random_init,
	.ss_choose = listed_random_choose,
	.ss_fini = free,
};

static void
register_strategies(void)
{
	if (sched_strategy_lookup(listed_random_strategy.ss_name) == NULL)
		ck_assert_int_eq(sched_strategy_register(
		    &listed_random_strategy), 0);
	if (sched_strategy_lookup(model_strategy.ss_name) == NULL)
		ck_assert_int_eq(sched_strategy_register(&model_strategy), 0);
	if (sched_strategy_lookup(listed_default_strategy.ss_name) == NULL)
		ck_assert_int_eq(sched_strategy_register(
		    &listed_default_strategy), 0);
}

struct rworld_result {
	uint64_t	 rr_hash;
	uint64_t	 rr_decisions;
	uint64_t	 rr_maxopts;
	struct schedule	 rr_sched;
};

/*
 * Build and run a random world of `seed': nhosts hosts of up to maxcpu
 * CPUs, nlwp LWPs each.  replay: a schedule to replay, or NULL.
 */
static void
rworld_run(uint64_t seed, const char *strategy, uint64_t window, int nhosts,
    int maxcpu, int nlwp, bool check, const struct schedule *replay,
    struct rworld_result *rr)
{
	struct world_config wc;
	enum world_status st;
	struct world *w;
	struct rng r;
	char name[16];
	int i, j;

	register_strategies();
	memset(&wc, 0, sizeof(wc));
	wc.wc_seed = seed;
	wc.wc_strategy = strategy;
	wc.wc_race_window = window;
	wc.wc_stack_size = 64 * 1024;
	wc.wc_replay = replay;
	w = world_create(&wc);
	ck_assert_ptr_nonnull(w);
	world_set_console(w, quiet_console, NULL);
	rng_seed(&r, seed);
	nrhosts = nhosts;
	nchildren = 0;
	for (i = 0; i < nhosts; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		rhosts[i].rh_ncpu = 1 + (int)rng_below(&r, (uint64_t)maxcpu);
		rhosts[i].rh_host = world_host_create(w, name,
		    rhosts[i].rh_ncpu);
		rhosts[i].rh_count = 0;
	}
	sched_check_enable(w, check);
	(void)world_run(w, 0);	/* boot */
	for (i = 0; i < nhosts; i++) {
		host_enter(rhosts[i].rh_host);
		mutex_init(&rhosts[i].rh_lock[0], MUTEX_DEFAULT, IPL_NONE);
		mutex_init(&rhosts[i].rh_lock[1], MUTEX_DEFAULT, IPL_NONE);
		mutex_init(&rhosts[i].rh_spin, MUTEX_SPIN, IPL_VM);
		rhosts[i].rh_si = softint_establish(SOFTINT_NET |
		    SOFTINT_MPSAFE, softint_work, &rhosts[i]);
		host_leave(rhosts[i].rh_host);
		for (j = 0; j < nlwp; j++)
			ck_assert_ptr_nonnull(host_spawn(rhosts[i].rh_host,
			    "worker", rng_below(&r, 3) == 0 ? -1 :
			    (int)rng_below(&r, (uint64_t)rhosts[i].rh_ncpu),
			    worker, (void *)(uintptr_t)mix(seed,
			    (uint64_t)(i * 100 + j))));
	}
	st = world_run(w, SIM_TIME_NEVER);
	if (world_nviolations(w) != 0)
		ck_abort_msg("seed %llu window %llu %s: %s",
		    (unsigned long long)seed, (unsigned long long)window,
		    strategy, world_violation(w, 0)->v_message);
	ck_assert_int_eq(st, WORLD_QUIESCENT);
	if (replay != NULL)
		ck_assert(world_replay_finish(w));
	rr->rr_hash = world_trace_hash(w);
	rr->rr_decisions = world_schedule(w)->sd_len;
	rr->rr_maxopts = 0;
	schedule_init(&rr->rr_sched);
	for (size_t k = 0; k < world_schedule(w)->sd_len; k++) {
		const struct sched_choice *sc =
		    &world_schedule(w)->sd_choices[k];

		schedule_record(&rr->rr_sched, sc->sc_index,
		    sc->sc_noptions);
		if (sc->sc_noptions > rr->rr_maxopts)
			rr->rr_maxopts = sc->sc_noptions;
	}
	for (i = 0; i < nhosts; i++) {
		host_enter(rhosts[i].rh_host);
		softint_disestablish(rhosts[i].rh_si);
		mutex_destroy(&rhosts[i].rh_lock[0]);
		mutex_destroy(&rhosts[i].rh_lock[1]);
		mutex_destroy(&rhosts[i].rh_spin);
		host_leave(rhosts[i].rh_host);
	}
	world_destroy(w);
}

static const uint64_t windows[] = { 0, 25, 300, 4000 };
#define NWINDOWS	(sizeof(windows) / sizeof(windows[0]))

/*
 * The listed options equal the model's at every choice, and every
 * choice (listed or not) equals the self-check's scan, over 48 random
 * worlds and 4 windows.
 */
START_TEST(test_options_match_brute_force)
{
	struct rworld_result rr;
	uint64_t seed, decisions = 0, maxopts = 0;
	size_t wi;

	iters = 25;
	for (seed = 1; seed <= 48; seed++) {
		for (wi = 0; wi < NWINDOWS; wi++) {
			model_decisions = model_mismatches = 0;
			rworld_run(seed, "test-model", windows[wi],
			    1 + (int)(seed % MAXHOSTS), 4, 1 + (int)(seed % 4),
			    true, NULL, &rr);
			ck_assert_msg(model_mismatches == 0, "seed %llu "
			    "window %llu: %llu mismatches, first %s",
			    (unsigned long long)seed,
			    (unsigned long long)windows[wi],
			    (unsigned long long)model_mismatches, model_first);
			ck_assert_uint_eq(model_decisions, rr.rr_decisions);
			decisions += rr.rr_decisions;
			if (rr.rr_maxopts > maxopts)
				maxopts = rr.rr_maxopts;
			schedule_fini(&rr.rr_sched);
			/* the same world under the default strategy */
			rworld_run(seed, "default", windows[wi],
			    1 + (int)(seed % MAXHOSTS), 4, 1 + (int)(seed % 4),
			    true, NULL, &rr);
			schedule_fini(&rr.rr_sched);
		}
	}
	/* the worlds did exercise the scheduler: many, and wide, choices */
	ck_assert_uint_gt(decisions, 20000);
	ck_assert_uint_ge(maxopts, 10);
}
END_TEST

/*
 * The default strategy answered from the ready set (ss_earliest) makes
 * the same choices as its rule applied to the listed options.
 */
START_TEST(test_default_without_list_equals_listed)
{
	struct rworld_result a, b;
	uint64_t seed;
	size_t wi, k, total = 0;

	iters = 25;
	for (seed = 100; seed < 124; seed++) {
		for (wi = 0; wi < NWINDOWS; wi++) {
			rworld_run(seed, "default", windows[wi], 6, 4, 3, false,
			    NULL, &a);
			rworld_run(seed, "test-default-listed", windows[wi], 6,
			    4, 3, false, NULL, &b);
			ck_assert_uint_eq(a.rr_hash, b.rr_hash);
			ck_assert_uint_eq(a.rr_sched.sd_len,
			    b.rr_sched.sd_len);
			for (k = 0; k < a.rr_sched.sd_len; k++) {
				ck_assert_uint_eq(
				    a.rr_sched.sd_choices[k].sc_index,
				    b.rr_sched.sd_choices[k].sc_index);
				ck_assert_uint_eq(
				    a.rr_sched.sd_choices[k].sc_noptions,
				    b.rr_sched.sd_choices[k].sc_noptions);
			}
			total += a.rr_sched.sd_len;
			schedule_fini(&a.rr_sched);
			schedule_fini(&b.rr_sched);
		}
	}
	ck_assert_uint_gt(total, 1000);
}
END_TEST

/*
 * The random strategy answered without a list (ss_blind: the chosen
 * option found from the ready set by its index) makes the same choices,
 * and so the same run, as its rule applied to the listed options; with
 * the self-check on, every option found by index equals the scan's.
 * The worlds have run queues (pre-emption options) and up to 32 CPUs
 * per host, so the index lands past a CPU's own step and deep in the
 * Fenwick tree.
 */
START_TEST(test_random_without_list_equals_listed)
{
	struct rworld_result a, b;
	uint64_t seed, deep = 0;
	size_t wi, k, total = 0;

	iters = 20;
	for (seed = 200; seed < 216; seed++) {
		for (wi = 0; wi < NWINDOWS; wi++) {
			rworld_run(seed, "random", windows[wi],
			    1 + (int)(seed % MAXHOSTS), seed % 2 ? 32 : 4, 4,
			    true, NULL, &a);
			rworld_run(seed, "test-random-listed", windows[wi],
			    1 + (int)(seed % MAXHOSTS), seed % 2 ? 32 : 4, 4,
			    false, NULL, &b);
			ck_assert_uint_eq(a.rr_hash, b.rr_hash);
			ck_assert(schedule_equal(&a.rr_sched, &b.rr_sched));
			for (k = 0; k < a.rr_sched.sd_len; k++)
				if (a.rr_sched.sd_choices[k].sc_index >= 2)
					deep++;
			total += a.rr_sched.sd_len;
			schedule_fini(&a.rr_sched);
			schedule_fini(&b.rr_sched);
		}
	}
	ck_assert_uint_gt(total, 5000);
	ck_assert_uint_gt(deep, 1000);
}
END_TEST

/*
 * A replay finds each recorded option by its index, without the list:
 * with the self-check on it equals a scan's at every choice, and the
 * replayed run has the recorded run's hash, under every window.
 */
START_TEST(test_replay_without_list_checked)
{
	struct rworld_result a, r;
	size_t wi;

	iters = 15;
	for (wi = 0; wi < NWINDOWS; wi++) {
		rworld_run(31, "test-model", windows[wi], 5, 8, 4, false,
		    NULL, &a);
		ck_assert_uint_gt(a.rr_sched.sd_len, 100);
		rworld_run(31, "default", windows[wi], 5, 8, 4, true,
		    &a.rr_sched, &r);
		ck_assert_uint_eq(r.rr_hash, a.rr_hash);
		ck_assert(schedule_equal(&a.rr_sched, &r.rr_sched));
		schedule_fini(&a.rr_sched);
		schedule_fini(&r.rr_sched);
	}
}
END_TEST

/*
 * Many CPUs (8 hosts of up to 32): the same seed gives the same trace
 * hash and schedule twice; a different seed a different hash under the
 * random strategy; the recorded schedule replays to the same hash.
 */
START_TEST(test_many_cpus_deterministic_and_replayable)
{
	struct rworld_result a, b, c, r;
	const char *strats[] = { "random", "default" };
	size_t si, wi;

	iters = 12;
	for (si = 0; si < 2; si++) {
		for (wi = 0; wi < NWINDOWS; wi++) {
			rworld_run(7, strats[si], windows[wi], 8, 32, 6, false,
			    NULL, &a);
			rworld_run(7, strats[si], windows[wi], 8, 32, 6, false,
			    NULL, &b);
			ck_assert_uint_eq(a.rr_hash, b.rr_hash);
			ck_assert_uint_eq(a.rr_sched.sd_len,
			    b.rr_sched.sd_len);
			ck_assert(schedule_equal(&a.rr_sched, &b.rr_sched));
			ck_assert_uint_gt(a.rr_sched.sd_len, 100);
			rworld_run(7, "random", windows[wi], 8, 32, 6, false,
			    &a.rr_sched, &r);
			ck_assert_uint_eq(r.rr_hash, a.rr_hash);
			if (si == 0) {
				rworld_run(8, strats[si], windows[wi], 8, 32,
				    6, false, NULL, &c);
				ck_assert_uint_ne(c.rr_hash, a.rr_hash);
				schedule_fini(&c.rr_sched);
			}
			schedule_fini(&a.rr_sched);
			schedule_fini(&b.rr_sched);
			schedule_fini(&r.rr_sched);
		}
	}
}
END_TEST

/* A test hook that moves a ready CPU's clock behind the scheduler's back. */
static struct cpu_info *sneak_cpu;

static void
sneaky(void *arg)
{
	(void)arg;
	preempt_point();
	/* another CPU's clock jumps without sched_cpu_changed() */
	sneak_cpu->c_clock += 1000000;
	preempt_point();
	preempt_point();
}

static void
busy(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 1000; i++)
		preempt_point();
}

/*
 * The self-check is not vacuous: a change the ready set was not told
 * about is reported as a failed self-check.
 */
START_TEST(test_self_check_catches_untold_change)
{
	struct host *h;
	struct world *w = mkworld(1, "default", 2, &h);

	sched_check_enable(w, true);
	(void)world_run(w, 0);
	sneak_cpu = host_cpu(h, 1);
	host_spawn(h, "sneaky", 0, sneaky, NULL);
	host_spawn(h, "busy", 1, busy, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_STOPPED);
	ck_assert_ptr_nonnull(find_violation(w, VIOL_PANIC));
	ck_assert_ptr_nonnull(strstr(find_violation(w, VIOL_PANIC)->v_message,
	    "self-check"));
	world_destroy(w);
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_create("ready");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_options_match_brute_force);
	tcase_add_test(tc, test_default_without_list_equals_listed);
	tcase_add_test(tc, test_random_without_list_equals_listed);
	tcase_add_test(tc, test_replay_without_list_checked);
	tcase_add_test(tc, test_many_cpus_deterministic_and_replayable);
	tcase_add_test(tc, test_self_check_catches_untold_change);
	return run_tcase("sched_ready", tc);
}
