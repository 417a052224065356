/*
 * The test seam on the simulator: each run is a fresh world with one
 * host, scheduled by the random strategy from the given seed, so a race
 * test draws a different interleaving per seed and any failure can be
 * replayed from its seed.  The lock-order checker watches every run: an
 * inversion within a run is a violation and fails the test.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"
#include "check/checkers.h"
#include "sys/systm.h"
#include "sys/condvar.h"
#include "sys/file.h"
#include "sys/lwp.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/socketvar.h"
#include "sys/un.h"

#include "tp.h"

/* A run that has not finished by then is stuck (e.g. leaked rights). */
#define TP_SIM_TIME_LIMIT	(600ULL * 1000000000ULL)

struct tp_sim_ctx {
	void	(*tc_fn)(void *);
	void	*tc_arg;
	bool	 tc_done;
};

static bool tp_lockorder = true;

void
tp_set_lockorder(bool on)
{
	tp_lockorder = on;
}

static const char *tp_window_pattern;
static uint64_t tp_window_hold;
static bool tp_window_fired;

void
tp_set_window(const char *pattern, uint64_t hold_ns)
{
	tp_window_pattern = pattern;
	tp_window_hold = hold_ns;
}

static void
tp_window_fn(struct sdt_probe *sp, const uintptr_t args[5], void *arg)
{
	(void)sp;
	(void)args;
	(void)arg;
	if (tp_window_fired)
		return;
	tp_window_fired = true;
	sim_sleep(tp_window_hold);
}

static uint64_t tp_hash;

uint64_t
tp_last_hash(void)
{
	return tp_hash;
}

bool
tp_is_sim(void)
{
	return true;
}

/* 1,000 seeds; TP_SEEDS=N in the environment explores more (or fewer). */
int
tp_race_iterations(void)
{
	const char *s = getenv("TP_SEEDS");

	return s != NULL && atoi(s) > 0 ? atoi(s) : 1000;
}

void
tp_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* fails the host and the run; this LWP never runs again */
	panic("%s:%d: %s", file, line, msg);
}

static void
tp_sim_main(void *arg)
{
	struct tp_sim_ctx *tc = arg;
	struct proc *p;

	(void)proc_create("test", 100, 100, &p);
	proc_attach_lwp(p, curlwp);
	(*tc->tc_fn)(tc->tc_arg);
	proc_exit(p);
	proc_detach_lwp(curlwp);
	tp_finish();
	tc->tc_done = true;
}

void
tp_run(uint64_t seed, int ncpu, void (*fn)(void *), void *arg)
{
	struct check_config cc = { .cc_lockorder = tp_lockorder };
	struct world_config wc;
	struct tp_sim_ctx tc;
	const struct violation *v;
	enum world_status st;
	struct world *w;
	struct host *h;

	memset(&wc, 0, sizeof(wc));
	wc.wc_seed = seed;
	wc.wc_strategy = "random";
	w = world_create(&wc);
	ck_assert_ptr_nonnull(w);
	check_world_begin(w, &cc);
	tp_window_fired = false;
	if (tp_window_pattern != NULL)
		ck_assert_int_gt(sim_probe_attach(w, tp_window_pattern,
		    tp_window_fn, NULL), 0);
	h = world_host_create(w, "h", ncpu);
	ck_assert_ptr_nonnull(h);
	memset(&tc, 0, sizeof(tc));
	tc.tc_fn = fn;
	tc.tc_arg = arg;
	(void)host_spawn(h, "test", -1, tp_sim_main, &tc);
	st = world_run(w, TP_SIM_TIME_LIMIT);
	check_world_end(w);
	if (world_nviolations(w) != 0) {
		v = world_violation(w, 0);
		ck_abort_msg("seed %llu: violation %d: %s%s%s",
		    (unsigned long long)seed, (int)v->v_kind, v->v_message,
		    v->v_stack != NULL ? "\n" : "",
		    v->v_stack != NULL ? v->v_stack : "");
	}
	ck_assert_msg(st == WORLD_QUIESCENT, "seed %llu: run did not finish "
	    "(status %d)", (unsigned long long)seed, (int)st);
	ck_assert_msg(tc.tc_done, "seed %llu: test body did not complete",
	    (unsigned long long)seed);
	tp_hash = world_trace_hash(w);
	world_destroy(w);
}
