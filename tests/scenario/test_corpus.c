/*
 * The bug corpus as Lua scenarios (scenarios/bugs/): for each bug that
 * used to be shown by C campaigns only, and for the forwarding cache's
 * missing lock, knit explore finds it with each strategy within the
 * budget its scenario's header states, the minimised schedule replays
 * the failure, and the same campaign with -D bug=0 finds nothing
 * (exit 0).
 *
 * Budgets (runs, seeds from 1; the bug on stops at the first failure):
 *   ipforward_nolock	random 50, pct (depth 3) 1000, dfs (1 pre-emption)
 *			500; the default schedule does not overlap the
 *			two forwards (pct and dfs find it after ~620 and
 *			~40 runs; pct found it after ~10 until ether_output
 *			read rt_flags with an atomic load, one more
 *			scheduling point per frame)
 *   rtcache_nolock	knit-race --race: random 20, pct 20, dfs (1
 *			pre-emption) 1000
 *   rtcache_noref	random, pct, dfs: 10 (every schedule fails)
 *   kern3508		random, pct, dfs: 10 (every schedule fails)
 *
 * Usage: test_corpus KNIT KNIT-RACE SRCDIR
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knit_run.h"
#include "tmpdb.h"

static const char *knit_plain, *knit_race;

struct campaign {
	const char	*c_strategy;
	const char	*c_runs;
	const char	*c_opt;		/* --depth / --preemptions or NULL */
	const char	*c_optval;
	bool		 c_race;	/* knit-race explore --race */
};

static void
explore(const char *scn, int bug, const struct campaign *c, bool stop,
    struct knit_out *o)
{
	const char *args[20];
	char def[16];
	int n = 0;

	snprintf(def, sizeof(def), "bug=%d", bug);
	args[n++] = "explore";
	args[n++] = knit_src(scn);
	args[n++] = "-D";
	args[n++] = def;
	args[n++] = "--strategy";
	args[n++] = c->c_strategy;
	args[n++] = "--runs";
	args[n++] = c->c_runs;
	args[n++] = "--no-db";
	if (stop)
		args[n++] = "--stop-on-first";
	if (c->c_opt != NULL) {
		args[n++] = c->c_opt;
		args[n++] = c->c_optval;
	}
	if (c->c_race)
		args[n++] = "--race";
	args[n] = NULL;
	knit_path = c->c_race ? knit_race : knit_plain;
	knit_run(o, args);
}

/* Does out show one of the signatures of what ("A|B": A or B)? */
static bool
has_sig(const char *out, const char *what)
{
	const char *bar;

	while ((bar = strchr(what, '|')) != NULL) {
		for (const char *p = out; (p = strchr(p, what[0])) != NULL;
		    p++)
			if (strncmp(p, what, (size_t)(bar - what)) == 0)
				return true;
		what = bar + 1;
	}
	return strstr(out, what) != NULL;
}

/* The bug on: found (exit 1, signature); off: nothing in the budget. */
static void
finds(const char *scn, const struct campaign *c, const char *what)
{
	struct knit_out on, off;

	explore(scn, 1, c, true, &on);
	ck_assert_msg(on.ko_status == 1, "%s %s: bug not found (exit %d): "
	    "%s%s", scn, c->c_strategy, on.ko_status, on.ko_out, on.ko_err);
	ck_assert_msg(has_sig(on.ko_out, what), "%s %s: no '%s' in %s",
	    scn, c->c_strategy, what, on.ko_out);
	knit_out_free(&on);
	explore(scn, 0, c, false, &off);
	ck_assert_msg(off.ko_status == 0, "%s %s with the bug off (exit %d): "
	    "%s%s", scn, c->c_strategy, off.ko_status, off.ko_out,
	    off.ko_err);
	ck_assert_msg(strstr(off.ko_out, "0 distinct failures") != NULL,
	    "%s", off.ko_out);
	knit_out_free(&off);
}

/*
 * A random campaign with --minimize: the minimised schedule, replayed
 * from the database, matches its recorded trace and fails again with
 * the same signature.  Returns the deviations it kept.
 */
static long
minimised_replays(const char *scn, const char *runs, const char *what)
{
	char dbf[64], idbuf[32];
	struct knit_out o, r;
	const char *p;
	long id = 0, devs = -1;

	tmpdb_path(dbf, sizeof(dbf));
	{
		const char *args[] = { "explore", knit_src(scn), "--runs", runs,
		    "--db", dbf, "--stop-on-first", "--minimize", NULL };

		knit_path = knit_plain;
		knit_run(&o, args);
	}
	ck_assert_msg(o.ko_status == 1, "%s", o.ko_out);
	p = strstr(o.ko_out, "minimised: ");
	ck_assert_msg(p != NULL, "%s", o.ko_out);
	ck_assert_int_eq(sscanf(p, "minimised: %ld deviation", &devs), 1);
	p = strstr(o.ko_out, "replay minimised: knit replay ");
	ck_assert_msg(p != NULL, "%s", o.ko_out);
	ck_assert_int_eq(sscanf(strstr(p, "--run ") + 6, "%ld", &id), 1);
	snprintf(idbuf, sizeof(idbuf), "%ld", id);
	{
		const char *args[] = { "replay", dbf, "--run", idbuf, NULL };

		knit_run(&r, args);
	}
	ck_assert_msg(r.ko_status == 1, "replay exit %d: %s%s", r.ko_status,
	    r.ko_out, r.ko_err);
	ck_assert_msg(strstr(r.ko_out, "matches") != NULL, "%s", r.ko_out);
	ck_assert_msg(strstr(r.ko_out, what) != NULL ||
	    strstr(r.ko_err, what) != NULL, "replay: no '%s' in %s%s", what,
	    r.ko_out, r.ko_err);
	knit_out_free(&r);
	knit_out_free(&o);
	tmpdb_remove(dbf);
	return devs;
}

#define IPFWD	"scenarios/bugs/ipforward_nolock.lua"
#define NOLOCK	"scenarios/bugs/rtcache_nolock.lua"
#define NOREF	"scenarios/bugs/rtcache_noref.lua"
#define K3508	"scenarios/bugs/kern3508.lua"

/*
 * The two LWPs of the bug enter the cache at ip_forward's lookup (no
 * softnet_lock) and at ip_output's (with it): the second panics, in
 * either function, whichever the schedule made it.
 */
#define IPFWD_SIG	"panic in rtcache_enter < ip_forward|" \
			"panic in rtcache_enter < ip_output < ip_forward"
#define NOLOCK_SIG	"in rtcache_invalidate_list"
#define NOREF_SIG	"panic in rtcache_validate < rtcache_lookup2 < ip_forward"
#define K3508_SIG	"(it went to g1: kern/3508)"

static const struct campaign random50 = { "random", "50", NULL, NULL, false };
static const struct campaign pct1000 = { "pct", "1000", "--depth", "3",
    false };
static const struct campaign dfs500 = { "dfs", "500", "--preemptions", "1",
    false };
static const struct campaign race_random20 = { "random", "20", NULL, NULL,
    true };
static const struct campaign race_pct20 = { "pct", "20", NULL, NULL, true };
static const struct campaign race_dfs1000 = { "dfs", "1000", "--preemptions",
    "1", true };
static const struct campaign random10 = { "random", "10", NULL, NULL, false };
static const struct campaign pct10 = { "pct", "10", NULL, NULL, false };
static const struct campaign dfs10 = { "dfs", "10", NULL, NULL, false };

START_TEST(test_ipforward_random) { finds(IPFWD, &random50, IPFWD_SIG); }
END_TEST
START_TEST(test_ipforward_pct) { finds(IPFWD, &pct1000, IPFWD_SIG); }
END_TEST
START_TEST(test_ipforward_dfs) { finds(IPFWD, &dfs500, IPFWD_SIG); }
END_TEST

/* The default schedule is clean: finding it takes a deviation. */
START_TEST(test_ipforward_minimised)
{
	ck_assert_int_gt(minimised_replays(IPFWD, "50", "route cache"), 0);
}
END_TEST

START_TEST(test_rtcache_nolock_random)
{ finds(NOLOCK, &race_random20, NOLOCK_SIG); }
END_TEST
START_TEST(test_rtcache_nolock_pct) { finds(NOLOCK, &race_pct20, NOLOCK_SIG); }
END_TEST
START_TEST(test_rtcache_nolock_dfs)
{ finds(NOLOCK, &race_dfs1000, NOLOCK_SIG); }
END_TEST

START_TEST(test_rtcache_noref)
{
	finds(NOREF, &random10, NOREF_SIG);
	finds(NOREF, &pct10, NOREF_SIG);
	finds(NOREF, &dfs10, NOREF_SIG);
	ck_assert_int_eq(minimised_replays(NOREF, "10", "holds a freed "
	    "rtentry"), 0);
}
END_TEST

START_TEST(test_kern3508)
{
	finds(K3508, &random10, K3508_SIG);
	finds(K3508, &pct10, K3508_SIG);
	finds(K3508, &dfs10, K3508_SIG);
	ck_assert_int_eq(minimised_replays(K3508, "10", "kern/3508"), 0);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("corpus");
	TCase *tc = tcase_create("lua");
	SRunner *sr;
	int nf;

	if (argc < 4) {
		fprintf(stderr, "usage: test_corpus KNIT KNIT-RACE SRCDIR\n");
		return 2;
	}
	knit_plain = argv[1];
	knit_race = argv[2];
	knit_srcdir = argv[3];
	tcase_add_test(tc, test_ipforward_random);
	tcase_add_test(tc, test_ipforward_pct);
	tcase_add_test(tc, test_ipforward_dfs);
	tcase_add_test(tc, test_ipforward_minimised);
	tcase_add_test(tc, test_rtcache_nolock_random);
	tcase_add_test(tc, test_rtcache_nolock_pct);
	tcase_add_test(tc, test_rtcache_nolock_dfs);
	tcase_add_test(tc, test_rtcache_noref);
	tcase_add_test(tc, test_kern3508);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
