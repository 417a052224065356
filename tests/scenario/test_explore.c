/*
 * knit explore and knit minimize from the command line: failures
 * grouped by signature, identical results whatever -j, stop-on-first,
 * shards, recording and replay, exit statuses, usage errors.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knit_run.h"
#include "tmpdb.h"

/* The summary table without the timing line. */
static char *
table(const char *out)
{
	const char *p = strstr(out, "\n  #");

	ck_assert_ptr_nonnull(p);
	return strdup(p);
}

START_TEST(test_groups_and_jobs)
{
	const char *seeds = knit_src("tests/scenario/lua/explore_seeds.lua");
	const char *a1[] = { "explore", seeds, "--runs", "300", "--no-db",
	    NULL };
	const char *a3[] = { "explore", seeds, "--runs", "300", "--no-db",
	    "-j", "3", NULL };
	struct knit_out o1, o3;
	char *t1, *t3;

	knit_run(&o1, a1);
	knit_run(&o3, a3);
	ck_assert_int_eq(o1.ko_status, 1);
	ck_assert_int_eq(o3.ko_status, 1);
	ck_assert_ptr_nonnull(strstr(o1.ko_out, "300 runs (random)"));
	ck_assert_ptr_nonnull(strstr(o1.ko_out, "2 distinct failures"));
	ck_assert_ptr_nonnull(strstr(o1.ko_out, "explore_seeds.lua:4: three"));
	ck_assert_ptr_nonnull(strstr(o1.ko_out, "explore_seeds.lua:5: seven"));
	t1 = table(o1.ko_out);
	t3 = table(o3.ko_out);
	ck_assert_str_eq(t1, t3);
	free(t1);
	free(t3);
	/* No progress noise when stderr is not a terminal. */
	ck_assert_ptr_null(strstr(o1.ko_err, "runs/s"));
	knit_out_free(&o1);
	knit_out_free(&o3);
}
END_TEST

START_TEST(test_stop_and_shards)
{
	const char *seeds = knit_src("tests/scenario/lua/explore_seeds.lua");
	const char *as[] = { "explore", seeds, "--runs", "300", "--no-db",
	    "--stop-on-first", "-j", "2", NULL };
	const char *s1[] = { "explore", seeds, "--runs", "300", "--no-db",
	    "--shard", "1/2", NULL };
	const char *s2[] = { "explore", seeds, "--runs", "300", "--no-db",
	    "--shard", "2/2", NULL };
	struct knit_out o, p, q;
	unsigned long n1 = 0, n2 = 0;

	knit_run(&o, as);
	ck_assert_int_eq(o.ko_status, 1);
	ck_assert_ptr_nonnull(strstr(o.ko_out, "(stopped early)"));
	ck_assert_ptr_nonnull(strstr(o.ko_out, "1 distinct failure"));
	knit_run(&p, s1);
	knit_run(&q, s2);
	ck_assert_ptr_nonnull(strstr(p.ko_out, "150 runs"));
	ck_assert_ptr_nonnull(strstr(q.ko_out, "150 runs"));
	/* Each shard sees some of the "three" runs; together all 33. */
	sscanf(strstr(p.ko_out, "expectation") + 11, "%lu", &n1);
	sscanf(strstr(q.ko_out, "expectation") + 11, "%lu", &n2);
	ck_assert_uint_gt(n1, 0);
	ck_assert_uint_gt(n2, 0);
	knit_out_free(&o);
	knit_out_free(&p);
	knit_out_free(&q);
}
END_TEST

START_TEST(test_pass_and_errors)
{
	const char *pass = knit_src("tests/scenario/lua/explore_pass.lua");
	const char *seeds = knit_src("tests/scenario/lua/explore_seeds.lua");
	const char *ap[] = { "explore", pass, "--runs", "50", "--no-db",
	    "--strategy", "pct", NULL };
	const char *bad1[] = { "explore", seeds, "--strategy", "nope", NULL };
	const char *bad2[] = { "explore", seeds, "--shard", "3/2", NULL };
	const char *bad3[] = { "explore", "/nonexistent.lua", NULL };
	const char *bad4[] = { "explore", seeds, "--runs", "0", NULL };
	const char *const *bads[] = { bad1, bad2, bad3, bad4 };
	struct knit_out o;

	knit_run(&o, ap);
	ck_assert_int_eq(o.ko_status, 0);
	ck_assert_ptr_nonnull(strstr(o.ko_out, "0 distinct failures"));
	ck_assert_ptr_nonnull(strstr(o.ko_out, "pct: depth 3"));
	ck_assert_ptr_nonnull(strstr(o.ko_out, "99% confidence after"));
	knit_out_free(&o);
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		knit_run(&o, bads[i]);
		ck_assert_int_eq(o.ko_status, 2);
		ck_assert_ptr_nonnull(strstr(o.ko_err, "knit"));
		knit_out_free(&o);
	}
}
END_TEST

/*
 * --no-memcheck through the CLI: knit run gives the same trace hash with
 * and without it (the memory checker never changes the schedule);
 * knit explore with it (-j 2) still passes the storm and still finds the
 * corpus's rtcache_noref (the stack's own rt_magic check).
 */
START_TEST(test_no_memcheck)
{
	const char *storm = knit_src("scenarios/unix_storm.lua");
	const char *noref = knit_src("scenarios/bugs/rtcache_noref.lua");
	const char *on[] = { "run", storm, "--no-db", "--quiet", "--seed",
	    "4", "--strategy", "random", NULL };
	const char *off[] = { "run", storm, "--no-db", "--quiet", "--seed",
	    "4", "--strategy", "random", "--no-memcheck", NULL };
	const char *xs[] = { "explore", storm, "--runs", "20", "-j", "2",
	    "--no-db", "--quiet", "--no-memcheck", NULL };
	const char *xn[] = { "explore", noref, "--runs", "3", "--no-db",
	    "--quiet", "--no-memcheck", NULL };
	struct knit_out a, b;
	uint64_t ha;

	knit_run(&a, on);
	knit_run(&b, off);
	ck_assert_int_eq(a.ko_status, 0);
	ck_assert_int_eq(b.ko_status, 0);
	ha = knit_trace_hash(&a);
	ck_assert_uint_ne(ha, 0);
	ck_assert_uint_eq(ha, knit_trace_hash(&b));
	knit_out_free(&a);
	knit_out_free(&b);
	knit_run(&a, xs);
	ck_assert_msg(a.ko_status == 0, "%s%s", a.ko_out, a.ko_err);
	ck_assert_ptr_nonnull(strstr(a.ko_out, "0 distinct failures"));
	knit_out_free(&a);
	knit_run(&a, xn);
	ck_assert_int_eq(a.ko_status, 1);
	ck_assert_ptr_nonnull(strstr(a.ko_out, "rtcache_validate"));
	knit_out_free(&a);
}
END_TEST

START_TEST(test_db_replay_minimize)
{
	const char *seeds = knit_src("tests/scenario/lua/explore_seeds.lua");
	char dbf[64], *rp;
	const char *ae[] = { "explore", seeds, "--runs", "40", "--db", dbf,
	    "--minimize", NULL };
	struct knit_out o, r;
	long id = 0;

	tmpdb_path(dbf, sizeof(dbf));
	knit_run(&o, ae);
	ck_assert_int_eq(o.ko_status, 1);
	rp = strstr(o.ko_out, "replay: knit replay ");
	ck_assert_ptr_nonnull(rp);
	ck_assert_int_eq(sscanf(strstr(rp, "--run ") + 6, "%ld", &id), 1);
	/* A seed-only failure needs no deviation from the default. */
	ck_assert_ptr_nonnull(strstr(o.ko_out, "minimised: 0 deviations"));
	{
		char idbuf[32];
		const char *ar[] = { "replay", dbf, "--run", idbuf, NULL };
		const char *am[] = { "minimize", dbf, "--run", idbuf, NULL };

		snprintf(idbuf, sizeof(idbuf), "%ld", id);
		knit_run(&r, ar);
		ck_assert_ptr_nonnull(strstr(r.ko_out, "matches"));
		knit_out_free(&r);
		knit_run(&r, am);
		ck_assert_int_eq(r.ko_status, 0);
		ck_assert_ptr_nonnull(strstr(r.ko_out, "0 deviations"));
		knit_out_free(&r);
	}
	knit_out_free(&o);
	tmpdb_remove(dbf);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("explore_cli");
	TCase *tc = tcase_create("cli");
	SRunner *sr;
	int nf;

	if (argc < 3) {
		fprintf(stderr, "usage: test_explore KNIT SRCDIR\n");
		return 2;
	}
	knit_path = argv[1];
	knit_srcdir = argv[2];
	tcase_add_test(tc, test_groups_and_jobs);
	tcase_add_test(tc, test_stop_and_shards);
	tcase_add_test(tc, test_pass_and_errors);
	tcase_add_test(tc, test_db_replay_minimize);
	tcase_add_test(tc, test_no_memcheck);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
