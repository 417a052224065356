/*
 * Interrupts and the rest of the machine's surface: IPL deferral, spin
 * mutexes across CPUs, signals on interruptible sleeps, callout_halt,
 * SDT probe hooks holding an LWP, the race window, registered
 * strategies.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "sys/callout.h"
#include "sys/condvar.h"
#include "sys/intr.h"
#include "sys/lwp.h"
#include "sys/mutex.h"
#include "sys/sdt.h"
#include "sys/systm.h"

#include "cpu/strategy.h"
#include "machine_util.h"

static struct host *th;
static int log_buf[32], nlog;

static void
logit(int v)
{
	if (nlog < 32)
		log_buf[nlog++] = v;
}

/* --- a hard interrupt waits for splx --------------------------------- */

static void
hard_logger(void *arg)
{
	logit((int)(uintptr_t)arg);
	ck_assert(cpu_intr_p());
}

static void
raise_on_cpu0(void *arg)
{
	host_intr_raise(th, 0, hard_logger, arg);
}

static void
spl_holder(void *arg)
{
	int s, i;

	(void)arg;
	s = splnet();
	for (i = 0; i < 5; i++) {
		sim_charge(1000000);	/* 1 ms of work */
		preempt_point();
		logit(i);
	}
	splx(s);		/* the pending interrupt runs right here */
	logit(10);
}

START_TEST(test_hard_interrupt_waits_for_spl)
{
	struct world *w = mkworld(1, "default", 1, &th);

	nlog = 0;
	host_spawn(th, "spl", 0, spl_holder, NULL);
	world_call_at(w, 1500000, raise_on_cpu0, (void *)99);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert_int_eq(nlog, 7);
	ck_assert_int_eq(log_buf[4], 4);	/* not taken at splnet */
	ck_assert_int_eq(log_buf[5], 99);	/* taken at splx */
	ck_assert_int_eq(log_buf[6], 10);
	world_destroy(w);
}
END_TEST

/* An interrupt on an idle CPU runs at its time. */
static uint64_t intr_time;

static void
hard_timer(void *arg)
{
	(void)arg;
	intr_time = getnanouptime();
}

static void
raise_timer(void *arg)
{
	(void)arg;
	host_intr_raise(th, 1, hard_timer, NULL);
}

START_TEST(test_interrupt_on_idle_cpu)
{
	struct world *w = mkworld(1, "default", 2, &th);

	intr_time = 0;
	world_call_at(w, 7000000, raise_timer, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_ge(intr_time, 7000000);
	ck_assert_uint_lt(intr_time, 7000000 + 10000);
	world_destroy(w);
}
END_TEST

/* --- spin mutexes across CPUs ------------------------------------------ */

static kmutex_t spinlk;
static int spin_counter, spin_in;
static bool spin_overlap;

static void
spinner(void *arg)
{
	int i, v;

	(void)arg;
	for (i = 0; i < 4; i++) {
		mutex_spin_enter(&spinlk);
		if (spin_in++ != 0)
			spin_overlap = true;
		v = spin_counter;
		preempt_point();
		spin_counter = v + 1;
		spin_in--;
		mutex_spin_exit(&spinlk);
	}
}

START_TEST(test_spin_mutex_exclusion)
{
	struct world *w;
	uint64_t seed;

	for (seed = 1; seed <= 300; seed++) {
		w = mkworld(seed, "random", 3, &th);
		host_enter(th);
		mutex_init(&spinlk, MUTEX_SPIN, IPL_VM);
		host_leave(th);
		spin_counter = spin_in = 0;
		spin_overlap = false;
		host_spawn(th, "s0", 0, spinner, NULL);
		host_spawn(th, "s1", 1, spinner, NULL);
		host_spawn(th, "s2", 2, spinner, NULL);
		ck_assert_int_eq(world_run(w, SIM_TIME_NEVER),
		    WORLD_QUIESCENT);
		ck_assert_uint_eq(world_nviolations(w), 0);
		ck_assert_int_eq(spin_counter, 12);
		ck_assert(!spin_overlap);
		world_destroy(w);
	}
}
END_TEST

/* --- signals on interruptible sleeps ------------------------------------ */

static kmutex_t sm;
static kcondvar_t scv;
static struct lwp *sig_target;
static int sig_result, nosig_result;

static void
sig_sleeper(void *arg)
{
	(void)arg;
	mutex_enter(&sm);
	sig_result = cv_wait_sig(&scv, &sm);
	nosig_result = cv_timedwait(&scv, &sm, 2);	/* not interruptible */
	mutex_exit(&sm);
}

static void
sig_sender(void *arg)
{
	(void)arg;
	sim_sleep(1000000);
	lwp_interrupt(sig_target);
}

START_TEST(test_cv_wait_sig_interrupted)
{
	struct world *w = mkworld(1, "default", 2, &th);

	host_enter(th);
	mutex_init(&sm, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&scv, "sig");
	host_leave(th);
	sig_target = host_spawn(th, "sleeper", 0, sig_sleeper, NULL);
	host_spawn(th, "sender", 1, sig_sender, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_int_eq(sig_result, EINTR);
	ck_assert_int_eq(nosig_result, EWOULDBLOCK);
	world_destroy(w);
}
END_TEST

/* --- callout_halt waits for a running handler ---------------------------- */

static callout_t hco;
static bool handler_done, halted_after;
static kmutex_t hlk;

static void
slow_handler(void *arg)
{
	(void)arg;
	mutex_enter(&hlk);	/* held by the halter's partner for a while */
	mutex_exit(&hlk);
	handler_done = true;
}

static void
lock_holder(void *arg)
{
	(void)arg;
	mutex_enter(&hlk);
	callout_init(&hco, CALLOUT_MPSAFE);
	callout_reset(&hco, 1, slow_handler, NULL);
	sim_sleep(5000000);	/* the handler starts at 1 ms and blocks */
	mutex_exit(&hlk);
}

static void
halter(void *arg)
{
	(void)arg;
	sim_sleep(2000000);
	(void)callout_halt(&hco, NULL);
	halted_after = handler_done;
	callout_destroy(&hco);
}

START_TEST(test_callout_halt_waits)
{
	struct world *w = mkworld(1, "default", 2, &th);

	handler_done = halted_after = false;
	host_enter(th);
	mutex_init(&hlk, MUTEX_DEFAULT, IPL_NONE);
	host_leave(th);
	host_spawn(th, "holder", 0, lock_holder, NULL);
	host_spawn(th, "halter", 1, halter, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_eq(world_nviolations(w), 0);
	ck_assert(handler_done);
	ck_assert(halted_after);
	world_destroy(w);
}
END_TEST

/* --- SDT probes: a hook holds the firing LWP ---------------------------- */

SDT_PROBE_DEFINE(knittest, machine, probe_user, before_write, "int");
SDT_PROBE_DEFINE(knittest, machine, probe_user, after_write, "int");

static int shared_value, observed_in_window;

static void
probe_user(void *arg)
{
	(void)arg;
	SDT_PROBE1(knittest, machine, probe_user, before_write, 1);
	shared_value = 1;
	SDT_PROBE1(knittest, machine, probe_user, after_write, 1);
}

static void
observer(void *arg)
{
	(void)arg;
	sim_sleep(500000);
	observed_in_window = shared_value + 10;
}

static int hook_calls;
static uintptr_t hook_arg0;

static void
window_hook(struct sdt_probe *p, const uintptr_t args[5], void *arg)
{
	(void)p;
	(void)arg;
	hook_calls++;
	hook_arg0 = args[0];
	sim_sleep(1000000);	/* hold the LWP: a race window */
}

START_TEST(test_probe_hook_holds_lwp)
{
	struct world *w = mkworld(1, "default", 2, &th);
	struct sdt_probe *const *v;
	char prev[256] = "", name[256];
	size_t n, i;
	int found = 0;

	v = sim_probe_list(&n);
	for (i = 0; i < n; i++) {
		sim_probe_name(v[i], name, sizeof(name));
		ck_assert_int_le(strcmp(prev, name), 0);	/* sorted */
		strcpy(prev, name);
		if (strncmp(name, "knittest:machine:", 17) == 0)
			found++;
	}
	ck_assert_int_eq(found, 2);
	hook_calls = 0;
	observed_in_window = 0;
	ck_assert_int_eq(sim_probe_attach(w, "knittest:*:before_write",
	    window_hook, NULL), 1);
	ck_assert_int_eq(sim_probe_attach(w, "[", window_hook, NULL), 0);
	host_spawn(th, "writer", 0, probe_user, NULL);
	host_spawn(th, "observer", 1, observer, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_int_eq(hook_calls, 1);
	ck_assert_uint_eq(hook_arg0, 1);
	/* the observer ran while the writer was held before its write */
	ck_assert_int_eq(observed_in_window, 10);
	world_destroy(w);
	ck_assert_int_eq(SDT_PROBE_NAME(knittest, machine, probe_user,
	    before_write).sp_enabled, 0);
}
END_TEST

/* --- the race window limits the options ---------------------------------- */

static uint64_t max_spread;

static void
spreader(void *arg)
{
	int i;

	for (i = 0; i < 20; i++) {
		sim_charge((uint64_t)(uintptr_t)arg);
		preempt_point();
	}
}

static uint32_t
spread_choose(void *state, struct world *w, const struct sched_decision *d)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	uint32_t i;

	(void)state;
	(void)w;
	for (i = 0; i < d->sd_nopts; i++) {
		if (d->sd_opts[i].so_clock < lo)
			lo = d->sd_opts[i].so_clock;
		if (d->sd_opts[i].so_clock > hi)
			hi = d->sd_opts[i].so_clock;
	}
	if (hi - lo > max_spread)
		max_spread = hi - lo;
	return d->sd_nopts - 1;		/* always the last option */
}

static const struct sched_strategy spread_strategy = {
	.ss_name = "test-last",
	.ss_choose = spread_choose,
};

START_TEST(test_race_window_and_registered_strategy)
{
	struct world_config wc;
	struct world *w;
	const struct schedule *s;
	size_t i;

	ck_assert_int_eq(sched_strategy_register(&spread_strategy), 0);
	ck_assert_int_eq(sched_strategy_register(&spread_strategy), -1);
	ck_assert_ptr_eq(sched_strategy_lookup("test-last"),
	    &spread_strategy);
	memset(&wc, 0, sizeof(wc));
	wc.wc_strategy = "test-last";
	wc.wc_race_window = 3000;
	w = world_create(&wc);
	th = world_host_create(w, "a", 2);
	max_spread = 0;
	host_spawn(th, "fast", 0, spreader, (void *)1000);
	host_spawn(th, "slow", 1, spreader, (void *)1700);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	ck_assert_uint_le(max_spread, 3000);
	ck_assert_uint_gt(max_spread, 0);
	s = world_schedule(w);
	ck_assert_uint_gt(s->sd_len, 0);
	for (i = 0; i < s->sd_len; i++)
		ck_assert_uint_eq(s->sd_choices[i].sc_index,
		    s->sd_choices[i].sc_noptions - 1);
	world_destroy(w);
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_create("intr");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_hard_interrupt_waits_for_spl);
	tcase_add_test(tc, test_interrupt_on_idle_cpu);
	tcase_add_test(tc, test_spin_mutex_exclusion);
	tcase_add_test(tc, test_cv_wait_sig_interrupted);
	tcase_add_test(tc, test_callout_halt_waits);
	tcase_add_test(tc, test_probe_hook_holds_lwp);
	tcase_add_test(tc, test_race_window_and_registered_strategy);
	return run_tcase("intr", tc);
}
