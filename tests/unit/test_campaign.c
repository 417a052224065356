#define _GNU_SOURCE
/*
 * Campaigns with a synthetic run function: failure groups, first
 * occurrences, the campaign lock-order graph across runs, stop-on-first,
 * sharding, and identical results whatever the number of workers.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/lockorder.h"
#include "explore/campaign.h"

/* Edges "A -> B" and "B -> A" in lo_write's text form. */
static char *
edge_text(const char *from, const char *to)
{
	char *s;

	if (asprintf(&s, "E\t%s\tf.c\t%d\t%s\tf.c\t%d\t    #0 x\\n\t"
	    "    #0 y\\n\n.\n", from, from[0] - 'A' + 1, to,
	    to[0] - 'A' + 1) < 0)
		abort();
	return s;
}

static int
synthetic(void *arg, uint64_t run, uint64_t seed, struct xrun_out *o)
{
	char sched[64];

	(void)arg;
	o->ro_status = XRUN_PASS;
	o->ro_hash = seed * 0x9e3779b97f4a7c15ULL;
	o->ro_nlwps = 2 + seed % 3;
	o->ro_ndecisions = 10 + seed % 17;
	snprintf(sched, sizeof(sched), "knit-schedule 1 1 %" PRIu64 "/3",
	    run % 3);
	o->ro_schedule = strdup(sched);
	if (seed % 7 == 3) {
		o->ro_status = XRUN_FAIL;
		xrun_add_violation(o, "data_race", "race in f / g", "race",
		    "#0 f");
	}
	if (seed % 11 == 5) {
		o->ro_status = XRUN_FAIL;
		xrun_add_violation(o, "deadlock", "deadlock in h", "dl", NULL);
	}
	/* Two halves of an inversion, in different runs. */
	if (seed == 1004)
		o->ro_lockorder = edge_text("A", "B");
	else if (seed == 1040)
		o->ro_lockorder = edge_text("B", "A");
	return 0;
}

static void
campaign(int jobs, uint64_t runs, bool stop, uint32_t si, uint32_t sn,
    struct xcampaign *c)
{
	struct xcampaign_opts co;

	memset(&co, 0, sizeof(co));
	co.co_runs = runs;
	co.co_jobs = jobs;
	co.co_seed_base = 1000;
	co.co_stop_on_first = stop;
	co.co_shard_i = si;
	co.co_shard_n = sn;
	xcampaign_init(c);
	ck_assert_int_eq(xcampaign_run(c, &co, synthetic, NULL), 0);
}

static void
assert_same(const struct xcampaign *a, const struct xcampaign *b)
{
	ck_assert_uint_eq(a->xc_runs, b->xc_runs);
	ck_assert_uint_eq(a->xc_failed, b->xc_failed);
	ck_assert_uint_eq(a->xc_nfails, b->xc_nfails);
	ck_assert_uint_eq(a->xc_max_lwps, b->xc_max_lwps);
	ck_assert_uint_eq(a->xc_max_decisions, b->xc_max_decisions);
	for (size_t i = 0; i < a->xc_nfails; i++) {
		ck_assert_str_eq(a->xc_fails[i].xf_signature,
		    b->xc_fails[i].xf_signature);
		ck_assert_uint_eq(a->xc_fails[i].xf_count,
		    b->xc_fails[i].xf_count);
		ck_assert_uint_eq(a->xc_fails[i].xf_first_run,
		    b->xc_fails[i].xf_first_run);
		ck_assert_str_eq(a->xc_fails[i].xf_schedule,
		    b->xc_fails[i].xf_schedule);
	}
}

START_TEST(test_groups)
{
	struct xcampaign c;
	long i;

	campaign(1, 100, false, 0, 0, &c);
	ck_assert_uint_eq(c.xc_runs, 100);
	ck_assert_uint_eq(c.xc_nfails, 3);
	/* seeds 1000..1099: s % 7 == 3 first at 1004 (run 4), 14 runs */
	i = xcampaign_find(&c, "race in f / g");
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(c.xc_fails[i].xf_first_run, 4);
	ck_assert_uint_eq(c.xc_fails[i].xf_first_seed, 1004);
	ck_assert_uint_eq(c.xc_fails[i].xf_count, 14);
	ck_assert_str_eq(c.xc_fails[i].xf_schedule, "knit-schedule 1 1 1/3");
	i = xcampaign_find(&c, "deadlock in h");
	ck_assert_uint_eq(c.xc_fails[i].xf_first_seed, 1006);
	ck_assert_uint_eq(c.xc_fails[i].xf_count, 9);
	/* The inversion needs runs 4 and 40: found at run 40. */
	i = xcampaign_find(&c, "lock order: A (f.c:1) -> B (f.c:2) -> "
	    "A (f.c:1)");
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(c.xc_fails[i].xf_first_run, 40);
	ck_assert_uint_eq(c.xc_max_lwps, 4);
	ck_assert_uint_eq(c.xc_max_decisions, 26);
	xcampaign_fini(&c);
}
END_TEST

START_TEST(test_jobs_identical)
{
	struct xcampaign a, b, d;

	campaign(1, 300, false, 0, 0, &a);
	campaign(3, 300, false, 0, 0, &b);
	campaign(7, 300, false, 0, 0, &d);
	assert_same(&a, &b);
	assert_same(&a, &d);
	xcampaign_fini(&a);
	xcampaign_fini(&b);
	xcampaign_fini(&d);
}
END_TEST

START_TEST(test_stop_on_first)
{
	struct xcampaign a, b;

	campaign(1, 300, true, 0, 0, &a);
	campaign(4, 300, true, 0, 0, &b);
	ck_assert(a.xc_stopped);
	ck_assert_uint_eq(a.xc_runs, 5);	/* runs 0..4 */
	ck_assert_uint_eq(a.xc_nfails, 1);
	assert_same(&a, &b);
	xcampaign_fini(&a);
	xcampaign_fini(&b);
}
END_TEST

START_TEST(test_shards)
{
	struct xcampaign s1, s2, all;
	uint64_t n = 0;

	campaign(2, 101, false, 1, 2, &s1);
	campaign(1, 101, false, 2, 2, &s2);
	campaign(1, 101, false, 0, 0, &all);
	ck_assert_uint_eq(s1.xc_runs, 51);
	ck_assert_uint_eq(s2.xc_runs, 50);
	for (size_t i = 0; i < all.xc_nfails; i++) {
		const char *sig = all.xc_fails[i].xf_signature;
		long a = xcampaign_find(&s1, sig), b = xcampaign_find(&s2, sig);

		if (strncmp(sig, "lock order", 10) == 0)
			continue;	/* needs both halves: knit db merge */
		n = (a >= 0 ? s1.xc_fails[a].xf_count : 0) +
		    (b >= 0 ? s2.xc_fails[b].xf_count : 0);
		ck_assert_uint_eq(n, all.xc_fails[i].xf_count);
	}
	xcampaign_fini(&s1);
	xcampaign_fini(&s2);
	xcampaign_fini(&all);
}
END_TEST

static int
crashy(void *arg, uint64_t run, uint64_t seed, struct xrun_out *o)
{
	(void)arg;
	(void)seed;
	if (run == 17)
		abort();
	o->ro_status = XRUN_PASS;
	return 0;
}

START_TEST(test_worker_crash_reported)
{
	struct xcampaign c;
	struct xcampaign_opts co;

	memset(&co, 0, sizeof(co));
	co.co_runs = 40;
	co.co_jobs = 2;
	xcampaign_init(&c);
	ck_assert_int_eq(xcampaign_run(&c, &co, crashy, NULL), -1);
	ck_assert_uint_eq(c.xc_runs, 17);
	xcampaign_fini(&c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("campaign");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_jobs_identical);
	tcase_add_test(tc, test_stop_on_first);
	tcase_add_test(tc, test_shards);
	tcase_add_test(tc, test_worker_crash_reported);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
