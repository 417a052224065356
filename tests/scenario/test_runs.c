/*
 * Runs in one process are independent of each other.  knit explore
 * does many kn_run() calls in one process and keeps per-process caches
 * between them (the compiled scenario, LWP stacks, the allocator's free
 * lists); none of them may change a run's outcome.  Each test compares
 * the trace hash of a run done after other runs in the same process
 * with the same run done alone in a fresh process (a child forked
 * before this process ran anything), in both orders.  And a world
 * leaves nothing allocated behind it.
 */
#define _GNU_SOURCE
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kn.h"
#include "sys/kmem.h"
#include "sim.h"

static const char *srcdir = ".";

struct runspec {
	const char	*rs_scenario;	/* path (chunk name) */
	const char	*rs_text;	/* NULL: read the file */
	uint64_t	 rs_seed;
	const char	*rs_conns;	/* -D conns=..., or NULL */
};

struct outcome {
	int		 oc_status;
	uint64_t	 oc_hash;
	uint64_t	 oc_events;
};

static struct outcome
run_here(const struct runspec *rs)
{
	struct kn_define d = { .d_name = (char *)"conns" };
	struct kn_opts o;
	struct kn_result r;
	struct outcome oc;

	memset(&o, 0, sizeof(o));
	o.o_scenario = rs->rs_scenario;
	o.o_text = rs->rs_text;
	o.o_textlen = rs->rs_text != NULL ? strlen(rs->rs_text) : 0;
	o.o_seed = rs->rs_seed;
	o.o_strategy = "random";
	o.o_quiet = true;
	if (rs->rs_conns != NULL) {
		d.d_value = (char *)rs->rs_conns;
		o.o_defs = &d;
		o.o_ndefs = 1;
	}
	kn_run(&o, &r);
	oc.oc_status = r.r_status;
	oc.oc_hash = r.r_hash;
	oc.oc_events = r.r_events;
	kn_result_fini(&r);
	return oc;
}

/*
 * The runs seq[0..n-1] one after the other in a child process that has
 * run nothing before; the outcome of the last one.
 */
static struct outcome
run_in_child(const struct runspec *const *seq, size_t n)
{
	struct outcome oc;
	int fds[2], st;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		for (size_t i = 0; i < n; i++)
			oc = run_here(seq[i]);
		_exit(write(fds[1], &oc, sizeof(oc)) == (ssize_t)sizeof(oc) ?
		    0 : 1);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &oc, sizeof(oc)), (ssize_t)sizeof(oc));
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return oc;
}

/* The run alone, in a fresh process. */
static struct outcome
run_alone(const struct runspec *rs)
{
	return run_in_child(&rs, 1);
}

static void
assert_same(struct outcome a, struct outcome b, const char *what)
{
	ck_assert_msg(a.oc_status == b.oc_status && a.oc_hash == b.oc_hash &&
	    a.oc_events == b.oc_events, "%s: status %d hash %016" PRIx64
	    " events %" PRIu64 " alone, status %d hash %016" PRIx64
	    " events %" PRIu64 " after other runs", what, a.oc_status,
	    a.oc_hash, a.oc_events, b.oc_status, b.oc_hash, b.oc_events);
}

static const char *
storm_path(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/scenarios/unix_storm.lua", srcdir);
	return path;
}

/* Two seeds of the Unix-socket storm, each order, against alone. */
START_TEST(test_storm_runs_independent)
{
	struct runspec a = { storm_path(), NULL, 11, "4" };
	struct runspec b = { storm_path(), NULL, 12, "4" };
	struct outcome alone_a = run_alone(&a), alone_b = run_alone(&b);
	const struct runspec *b_then_a[] = { &b, &a };
	struct outcome ab_b, ba_a;

	ck_assert_int_eq(alone_a.oc_status, KN_PASS);
	ck_assert_int_eq(alone_b.oc_status, KN_PASS);
	/* Different seeds give different schedules: the test can fail. */
	ck_assert_uint_ne(alone_a.oc_hash, alone_b.oc_hash);

	/* Order b, a in a child; order a, b here. */
	ba_a = run_in_child(b_then_a, 2);
	assert_same(alone_a, ba_a, "seed 11 after seed 12");

	assert_same(alone_a, run_here(&a), "seed 11 first");
	ab_b = run_here(&b);
	assert_same(alone_b, ab_b, "seed 12 after seed 11");
	/* And again, after both. */
	assert_same(alone_a, run_here(&a), "seed 11 third");
	assert_same(alone_b, run_here(&b), "seed 12 fourth");
}
END_TEST

/*
 * The compiled-scenario cache is keyed by the text, not the name: a new
 * text under the same name runs the new text, and errors in a cached
 * chunk still name file:line.
 */
START_TEST(test_scenario_text_changes)
{
	static const char fail_text[] =
	    "local knit = require('knit')\n"
	    "knit.sleep('1us')\n"
	    "knit.fail('one')\n";
	static const char pass_text[] =
	    "local knit = require('knit')\n"
	    "knit.expect(true, 'fine')\n";
	static const char error_text[] =
	    "local knit = require('knit')\n"
	    "\n"
	    "error('boom')\n";
	static const char syntax_text[] = "local = 1\n";
	struct kn_opts o;
	struct kn_result r;
	const char *texts[] = { fail_text, pass_text, fail_text, error_text,
	    error_text, syntax_text, syntax_text, pass_text };
	int want[] = { KN_FAIL, KN_PASS, KN_FAIL, KN_ERROR, KN_ERROR,
	    KN_ERROR, KN_ERROR, KN_PASS };

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.o_scenario = "same_name.lua";
		o.o_text = texts[i];
		o.o_textlen = strlen(texts[i]);
		o.o_seed = 1;
		o.o_quiet = true;
		kn_run(&o, &r);
		ck_assert_msg(r.r_status == want[i], "run %zu: status %d, "
		    "want %d (%s)", i, r.r_status, want[i],
		    r.r_error != NULL ? r.r_error : "");
		if (texts[i] == fail_text) {
			ck_assert_uint_eq(r.r_nfailures, 1);
			ck_assert_ptr_nonnull(strstr(r.r_failures[0].f_text,
			    "same_name.lua:3: one"));
		}
		if (texts[i] == error_text)
			ck_assert_msg(strstr(r.r_error,
			    "same_name.lua:3: boom") != NULL, "%s",
			    r.r_error);
		if (texts[i] == syntax_text)
			ck_assert_msg(strstr(r.r_error, "same_name.lua:1:") !=
			    NULL, "%s", r.r_error);
		kn_result_fini(&r);
	}
}
END_TEST

/* What o_finish saw of the host teardown, run there while the network
 * (and its NICs) still exists. */
struct teardown_seen {
	bool	 ts_called;
	size_t	 ts_viol_before, ts_viol_after;
	size_t	 ts_live_before, ts_live_after;
	char	 ts_first[512];
};

static void
finish_teardown(void *arg, struct world *w, const struct kn_result *r)
{
	struct teardown_seen *ts = arg;

	(void)r;
	ts->ts_called = true;
	ts->ts_viol_before = world_nviolations(w);
	ts->ts_live_before = world_kmem_live(w);
	world_teardown(w);
	ts->ts_viol_after = world_nviolations(w);
	ts->ts_live_after = world_kmem_live(w);
	if (ts->ts_viol_after > ts->ts_viol_before)
		snprintf(ts->ts_first, sizeof(ts->ts_first), "%s",
		    world_violation(w, ts->ts_viol_before)->v_message);
}

/* Options for one run of srcdir/rel with -D define=value (if define). */
static void
scenario_opts(struct kn_opts *o, char *path, size_t pathlen, const char *rel,
    struct kn_define *d, uint64_t seed, bool no_memcheck)
{
	snprintf(path, pathlen, "%s/%s", srcdir, rel);
	memset(o, 0, sizeof(*o));
	o->o_scenario = path;
	o->o_seed = seed;
	o->o_strategy = "random";
	o->o_quiet = true;
	o->o_defs = d;
	o->o_ndefs = d->d_name != NULL ? 1 : 0;
	o->o_no_memcheck = no_memcheck;
}

static void
teardown_run_mem(const char *rel, const char *define, const char *value,
    struct teardown_seen *ts, bool no_memcheck)
{
	struct kn_define d = { .d_name = (char *)define,
	    .d_value = (char *)value };
	char path[4096];
	struct kn_opts o;
	struct kn_result r;

	scenario_opts(&o, path, sizeof(path), rel, &d, 3, no_memcheck);
	memset(ts, 0, sizeof(*ts));
	o.o_finish = finish_teardown;
	o.o_finish_arg = ts;
	ck_assert_int_eq(sim_mem_blocks(), 0);
	kn_run(&o, &r);
	ck_assert_msg(r.r_status == KN_PASS, "%s: status %d: %s", rel,
	    r.r_status, r.r_error != NULL ? r.r_error : "");
	kn_result_fini(&r);
	ck_assert(ts->ts_called);
	/* The run did hold kernel memory at its end (routes, sockets...). */
	ck_assert_uint_gt(ts->ts_live_before, 0);
	/* The hosts' teardown ran to its end and freed all of it. */
	ck_assert_msg(ts->ts_viol_after == ts->ts_viol_before, "%s: the "
	    "teardown failed: %s", rel, ts->ts_first);
	ck_assert_msg(ts->ts_live_after == 0, "%s: %zu kernel blocks left "
	    "after the teardown", rel, ts->ts_live_after);
	/* Destroyed: not one block (live, quarantined or on the free
	 * lists of the unchecked mode) is left. */
	ck_assert_uint_eq(sim_mem_blocks(), 0);
}

static void
teardown_run(const char *rel, const char *define, const char *value,
    struct teardown_seen *ts)
{
	teardown_run_mem(rel, define, value, ts, false);
}

/*
 * A world's create, run, teardown and destroy leaves no allocation:
 * routed hosts with interfaces, neighbour caches and route caches
 * (kern3508, one policy), and the Unix-socket storm.
 */
START_TEST(test_teardown_frees_everything)
{
	struct teardown_seen ts;

	teardown_run("scenarios/kern3508.lua", "invalidation", "list", &ts);
	teardown_run("scenarios/unix_storm.lua", "conns", "5", &ts);
}
END_TEST

/* The same without the memory checker: recycled blocks leak nothing. */
START_TEST(test_teardown_frees_everything_unchecked)
{
	struct teardown_seen ts;

	teardown_run_mem("scenarios/kern3508.lua", "invalidation", "list",
	    &ts, true);
	teardown_run_mem("scenarios/unix_storm.lua", "conns", "5", &ts, true);
}
END_TEST

/* One run of srcdir/rel (seed 5, random strategy); its result. */
static void
memcheck_run(const char *rel, const char *define, const char *value,
    bool no_memcheck, struct kn_result *r)
{
	struct kn_define d = { .d_name = (char *)define,
	    .d_value = (char *)value };
	char path[4096];
	struct kn_opts o;

	scenario_opts(&o, path, sizeof(path), rel, &d, 5, no_memcheck);
	kn_run(&o, r);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
}

/*
 * The memory checker never changes the schedule: a routed network
 * (kern3508) and the Unix-socket storm give the same trace hash, events
 * and virtual time with it on and off.
 */
START_TEST(test_memcheck_same_hash)
{
	static const char *const rels[][3] = {
		{ "scenarios/kern3508.lua", "invalidation", "list" },
		{ "scenarios/unix_storm.lua", "conns", "6" },
	};
	struct kn_result on, off;
	size_t i;

	for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		memcheck_run(rels[i][0], rels[i][1], rels[i][2], false, &on);
		memcheck_run(rels[i][0], rels[i][1], rels[i][2], true, &off);
		ck_assert_msg(on.r_status == KN_PASS, "%s: %s", rels[i][0],
		    on.r_error != NULL ? on.r_error : "failed");
		ck_assert_int_eq(off.r_status, KN_PASS);
		ck_assert_uint_gt(on.r_events, 100);
		ck_assert_uint_eq(on.r_events, off.r_events);
		ck_assert_uint_eq(on.r_vtime, off.r_vtime);
		ck_assert_msg(on.r_hash == off.r_hash, "%s: hash %016llx on, "
		    "%016llx off", rels[i][0], (unsigned long long)on.r_hash,
		    (unsigned long long)off.r_hash);
		kn_result_fini(&on);
		kn_result_fini(&off);
	}
}
END_TEST

/*
 * The corpus's use after free (debug.bug.rtcache_noref: the forwarding
 * cache keeps a deleted, freed rtentry) does not depend on the memory
 * checker: rtfree clears rt_magic before the entry is freed and the
 * block is not reused before the cache reads it, so the cache's own
 * check panics with the checker on and off, at the same point of the
 * same schedule.  (What the checker adds -- poison, write after free --
 * is tests/unit/test_memcheck.)
 */
START_TEST(test_memcheck_off_rtcache_noref)
{
	struct kn_result on, off;

	memcheck_run("scenarios/bugs/rtcache_noref.lua", NULL, NULL, false,
	    &on);
	memcheck_run("scenarios/bugs/rtcache_noref.lua", NULL, NULL, true,
	    &off);
	ck_assert_int_eq(on.r_status, KN_FAIL);
	ck_assert_int_eq(off.r_status, KN_FAIL);
	ck_assert_ptr_nonnull(on.r_violations);
	ck_assert_ptr_nonnull(off.r_violations);
	ck_assert_msg(strstr(on.r_violations, "holds a freed rtentry") != NULL,
	    "%s", on.r_violations);
	ck_assert_msg(strstr(off.r_violations, "holds a freed rtentry") !=
	    NULL, "%s", off.r_violations);
	ck_assert_uint_eq(on.r_hash, off.r_hash);
	kn_result_fini(&on);
	kn_result_fini(&off);
}
END_TEST

/* o_finish of lua_memcheck_run: whether host h's world recycles a freed
 * block for the next allocation of its size (the unchecked mode). */
static void
finish_recycles(void *arg, struct world *w, const struct kn_result *r)
{
	struct host *h = world_host_lookup(w, "h");
	void *p, *q;

	(void)r;
	ck_assert_ptr_nonnull(h);
	host_enter(h);
	p = kmem_alloc(200, KM_SLEEP);
	kmem_free(p, 200);
	q = kmem_alloc(200, KM_SLEEP);
	kmem_free(q, 200);
	host_leave(h);
	*(bool *)arg = p == q;
}

/* Options for one run (seed 1, quiet) of the scenario text `text'. */
static void
text_opts(struct kn_opts *o, const char *name, const char *text)
{
	memset(o, 0, sizeof(*o));
	o->o_scenario = name;
	o->o_text = text;
	o->o_textlen = strlen(text);
	o->o_seed = 1;
	o->o_quiet = true;
}

static int
lua_memcheck_run(const char *text, bool no_memcheck, bool *recycles,
    char **errp)
{
	struct kn_opts o;
	struct kn_result r;
	int status;

	text_opts(&o, "memcheck.lua", text);
	o.o_no_memcheck = no_memcheck;
	o.o_finish = finish_recycles;
	o.o_finish_arg = recycles;
	*recycles = false;
	status = kn_run(&o, &r);
	*errp = r.r_error != NULL ? strdup(r.r_error) : NULL;
	kn_result_fini(&r);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
	return status;
}

/* knit.check{memcheck = ...} overrides the command line, before the
 * first host only. */
START_TEST(test_lua_memcheck)
{
	static const char off[] = "local knit = require('knit')\n"
	    "knit.check{memcheck = false}\nknit.host('h')\n";
	static const char on[] = "local knit = require('knit')\n"
	    "knit.check{memcheck = true}\nknit.host('h')\n";
	static const char plain[] = "local knit = require('knit')\n"
	    "knit.host('h')\n";
	static const char late[] = "local knit = require('knit')\n"
	    "knit.host('h')\nknit.check{memcheck = false}\n";
	bool recycles;
	char *err;

	ck_assert_int_eq(lua_memcheck_run(plain, false, &recycles, &err),
	    KN_PASS);
	ck_assert(!recycles);
	ck_assert_int_eq(lua_memcheck_run(plain, true, &recycles, &err),
	    KN_PASS);
	ck_assert(recycles);
	ck_assert_int_eq(lua_memcheck_run(off, false, &recycles, &err),
	    KN_PASS);
	ck_assert(recycles);
	ck_assert_int_eq(lua_memcheck_run(on, true, &recycles, &err),
	    KN_PASS);
	ck_assert(!recycles);
	ck_assert_int_eq(lua_memcheck_run(late, false, &recycles, &err),
	    KN_ERROR);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "memcheck.lua:3:") != NULL &&
	    strstr(err, "before the first knit.host") != NULL, "%s", err);
	free(err);
}
END_TEST

/* A run stopped half-way (a violation) abandons its LWPs mid-work: the
 * host teardown is skipped, and destroy still frees every block. */
START_TEST(test_stopped_run_frees_everything)
{
	static const char text[] =
	    "local knit = require('knit')\n"
	    "local h = knit.host('h', {cpus = 2})\n"
	    "h:spawn('s', function(p)\n"
	    "  local s = assert(p:socket('local', 'stream'))\n"
	    "  assert(p:bind(s, '/tmp/x'))\n"
	    "  assert(p:listen(s, 4))\n"
	    "  p:accept(s)\n"
	    "end)\n"
	    "knit.sleep('20us')\n"
	    "knit.stop()\n";
	struct kn_opts o;
	struct kn_result r;

	ck_assert_int_eq(sim_mem_blocks(), 0);
	text_opts(&o, "stopped.lua", text);
	kn_run(&o, &r);
	kn_result_fini(&r);
	ck_assert_uint_eq(sim_mem_blocks(), 0);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("runs");
	TCase *tc = tcase_create("independence");
	SRunner *sr;
	int nf;

	if (argc > 1)
		srcdir = argv[1];
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_storm_runs_independent);
	tcase_add_test(tc, test_scenario_text_changes);
	tcase_add_test(tc, test_teardown_frees_everything);
	tcase_add_test(tc, test_stopped_run_frees_everything);
	tcase_add_test(tc, test_teardown_frees_everything_unchecked);
	tcase_add_test(tc, test_memcheck_same_hash);
	tcase_add_test(tc, test_memcheck_off_rtcache_noref);
	tcase_add_test(tc, test_lua_memcheck);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
