/*
 * The race detector on the shipped stack: every scenario knit ships
 * (each .lua file of scenarios/, and of scenarios/bugs/ with -D bug=0),
 * explored by knit-race --race with the random and the pct strategy,
 * and with random and race points (--race-points: every instrumented
 * access a scheduling point), ends with exit 0 and "0 distinct
 * failures": not one data race (nor any other failure).  The list is
 * read from the directories, so a scenario added later is covered
 * without touching this file.  A positive control shows the detector
 * is on and finds a real race: the corpus's debug.bug.rtcache_nolock.
 *
 * What used to be reported, and what removed it:
 *   in_vnet_init, in6_vnet_init, ifioctl_vnet_init   process-wide hooks
 *	written at every host's boot (now constant initialisers)
 *   sysctl_parse_quad   strtoll's errno, shared by every LWP (own parser)
 *   vnic_intr / m_copydata, vnic_attach, ether_ifattach   the frame
 *	transmit -> receive and interrupt establish -> handler edges
 *	(sim/net)
 *   ether_input / ifioctl_locked   if_flags read in hard interrupt
 *	without softnet_lock (atomic ops on IF_FLAGSP)
 *   uiomove / uiomove between ping and ping6 (other hosts): a user
 *	buffer one program freed was the next one's, and the detector
 *	still held the kernel's accesses to the old one (userland
 *	buffers come from ul_zalloc/ul_free, which forget the block)
 *   ip_output / rt_msg_fromrt   rt_use counted without the table lock
 *	the routing socket reads it under (atomic ops)
 *   fragq_* / ip_fragment / sysctl_copy_out   netstat -s and sysctl
 *	read fragment counters without the lock their updates hold (the
 *	nodes' handlers take ft_lock / softnet_lock)
 *
 * Budget: RUNS runs per strategy, POINTS with race points (fewer for
 * slow scenarios, below); about 10 s of CPU for the whole file.
 *
 * Usage: test_race_clean KNIT-RACE SRCDIR
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knit_run.h"

#define RUNS		"12"
#define POINTS		"6"
#define MAXSCN		64

/*
 * Race mode costs fragments.lua ~0.3 s of CPU a run (65 KB datagrams,
 * every byte copied is checked), kern3508 and route_flap ~0.05 s (with
 * race points about twice that): fewer runs, same scenarios.
 */
static const struct {
	const char	*sl_name;
	const char	*sl_runs;
	const char	*sl_points;	/* runs with race points */
} slow[] = {
	{ "scenarios/fragments.lua", "2", "1" },
	{ "scenarios/kern3508.lua", "6", "3" },
	{ "scenarios/route_flap.lua", "6", "3" },
};

static char *scn[MAXSCN];	/* source-relative paths, sorted */
static int nscn;

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_dir(const char *rel)
{
	char path[4096];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s", knit_srcdir, rel);
	if ((dir = opendir(path)) == NULL) {
		perror(path);
		exit(2);
	}
	while ((d = readdir(dir)) != NULL) {
		size_t n = strlen(d->d_name);

		if (n < 5 || strcmp(d->d_name + n - 4, ".lua") != 0)
			continue;
		if (nscn == MAXSCN) {
			fprintf(stderr, "more than %d scenarios\n", MAXSCN);
			exit(2);
		}
		if (asprintf(&scn[nscn++], "%s/%s", rel, d->d_name) < 0)
			exit(2);
	}
	closedir(dir);
}

static const char *
runs_of(const char *rel, bool points)
{
	for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++)
		if (strcmp(slow[i].sl_name, rel) == 0)
			return points ? slow[i].sl_points : slow[i].sl_runs;
	return points ? POINTS : RUNS;
}

static void
explore(struct knit_out *o, const char *rel, const char *strategy,
    bool points, const char *runs, const char *def, bool stop)
{
	const char *args[20];
	int n = 0;

	args[n++] = "explore";
	args[n++] = knit_src(rel);
	if (def != NULL) {
		args[n++] = "-D";
		args[n++] = def;
	}
	args[n++] = "--race";
	if (points)
		args[n++] = "--race-points";
	args[n++] = "--strategy";
	args[n++] = strategy;
	args[n++] = "--runs";
	args[n++] = runs;
	args[n++] = "--no-db";
	args[n++] = "--quiet";
	if (stop)
		args[n++] = "--stop-on-first";
	args[n] = NULL;
	knit_run(o, args);
}

/* Scenario i (every bug off), strategy: no report at all. */
static void
zero(int i, const char *strategy, bool points)
{
	const char *rel = scn[i], *runs = runs_of(rel, points);
	bool bug = strncmp(rel, "scenarios/bugs/", 15) == 0;
	struct knit_out o;
	char done[32];

	explore(&o, rel, strategy, points, runs, bug ? "bug=0" : NULL, false);
	ck_assert_msg(o.ko_status == 0, "%s %s%s: exit %d:\n%s%s", rel,
	    strategy, points ? " race points" : "", o.ko_status, o.ko_out,
	    o.ko_err);
	/* the campaign ran every run, with the detector */
	snprintf(done, sizeof(done), ": %s runs (%s)", runs, strategy);
	ck_assert_msg(strstr(o.ko_out, done) != NULL &&
	    strstr(o.ko_out, "0 distinct failures") != NULL, "%s %s: %s",
	    rel, strategy, o.ko_out);
	knit_out_free(&o);
}

START_TEST(test_zero_random) { zero(_i, "random", false); }
END_TEST
START_TEST(test_zero_pct) { zero(_i, "pct", false); }
END_TEST
START_TEST(test_zero_points) { zero(_i, "random", true); }
END_TEST

/* Every shipped scenario is in the list (the glob found them). */
START_TEST(test_all_listed)
{
	static const char *const known[] = {
		"scenarios/kern3508.lua", "scenarios/fragments.lua",
		"scenarios/route_flap.lua", "scenarios/unix_storm.lua",
		"scenarios/bugs/ipforward_nolock.lua",
		"scenarios/bugs/sbwait_lost_wakeup.lua", NULL,
	};

	for (int k = 0; known[k] != NULL; k++) {
		bool found = false;

		for (int i = 0; i < nscn; i++)
			found |= strcmp(scn[i], known[k]) == 0;
		ck_assert_msg(found, "%s not listed", known[k]);
	}
	for (size_t k = 0; k < sizeof(slow) / sizeof(slow[0]); k++) {
		bool found = false;

		for (int i = 0; i < nscn; i++)
			found |= strcmp(scn[i], slow[k].sl_name) == 0;
		ck_assert_msg(found, "%s gone: fix slow[]", slow[k].sl_name);
	}
}
END_TEST

/* The positive control: the same detector finds the corpus race. */
START_TEST(test_rtcache_nolock_found)
{
	struct knit_out o;

	explore(&o, "scenarios/bugs/rtcache_nolock.lua", "random", false, "5",
	    "bug=1", true);
	ck_assert_msg(o.ko_status == 1, "exit %d: %s%s", o.ko_status,
	    o.ko_out, o.ko_err);
	ck_assert_msg(strstr(o.ko_out, "data_race") != NULL &&
	    strstr(o.ko_out, "in rtcache_invalidate_list") != NULL,
	    "%s", o.ko_out);
	knit_out_free(&o);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("race_clean");
	TCase *tc = tcase_create("race");
	SRunner *sr;
	int nf;

	if (argc < 3) {
		fprintf(stderr, "usage: test_race_clean KNIT-RACE SRCDIR\n");
		return 2;
	}
	knit_path = argv[1];
	knit_srcdir = argv[2];
	list_dir("scenarios");
	list_dir("scenarios/bugs");
	qsort(scn, (size_t)nscn, sizeof(scn[0]), cmp_str);
	tcase_add_test(tc, test_all_listed);
	tcase_add_loop_test(tc, test_zero_random, 0, nscn);
	tcase_add_loop_test(tc, test_zero_pct, 0, nscn);
	tcase_add_loop_test(tc, test_zero_points, 0, nscn);
	tcase_add_test(tc, test_rtcache_nolock_found);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (int i = 0; i < nscn; i++)
		free(scn[i]);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
