/*
 * knit run --race: one run with the race detector.  build/knit (the
 * program under test) runs build/knit-race for it; a race is a violation
 * (exit 1), printed and recorded, and `knit replay' of the run carries
 * --race.  A scenario can ask for the detector (knit.check{race =
 * true}); without build/knit-race beside knit, both ways exit 2 naming
 * it.  The scenario: the corpus's unlocked route-cache list
 * (scenarios/bugs/rtcache_nolock.lua, -D bug=0 turns the bug off).
 * The emitted file of a race: tests/scenario/test_emit.c.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "knit_run.h"
#include "tmpdb.h"

#define RACE	"scenarios/bugs/rtcache_nolock.lua"
#define SIG	"data race: "

#define RUN(ko, ...) do {						\
	const char *const args_[] = { __VA_ARGS__, NULL };		\
	knit_run((ko), args_);						\
} while (0)

static void
assert_status(const struct knit_out *ko, int status, const char *needle)
{
	const char *both = ko->ko_status == status ? ko->ko_out : "";

	ck_assert_msg(ko->ko_status == status, "exit %d, not %d: %s%s",
	    ko->ko_status, status, ko->ko_out, ko->ko_err);
	if (needle != NULL)
		ck_assert_msg(strstr(ko->ko_out, needle) != NULL ||
		    strstr(ko->ko_err, needle) != NULL, "no \"%s\" in: %s%s",
		    needle, both, ko->ko_err);
}

/* With the bug: a race report, exit 1, in every seed; without: exit 0. */
START_TEST(race_run_reports)
{
	static const char *const seeds[] = { "1", "2", "3", "4" };
	struct knit_out ko;
	uint64_t hash;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		RUN(&ko, "run", knit_src(RACE), "--race", "--no-db",
		    "--strategy", "random", "--seed", seeds[i]);
		assert_status(&ko, 1, SIG);
		ck_assert_ptr_nonnull(strstr(ko.ko_out, "rtcache_"));
		ck_assert_ptr_nonnull(strstr(ko.ko_out, "verdict: FAIL"));
		knit_out_free(&ko);
		RUN(&ko, "run", knit_src(RACE), "--race", "--no-db",
		    "--strategy", "random", "--seed", seeds[i], "-D", "bug=0");
		assert_status(&ko, 0, "violations: 0");
		knit_out_free(&ko);
	}
	/* with race points too (the run ends at the race) */
	RUN(&ko, "run", knit_src(RACE), "--race", "--race-points", "--no-db");
	assert_status(&ko, 1, SIG);
	knit_out_free(&ko);
	/* race points: every access a scheduling point (another schedule,
	 * so another trace hash), still no report */
	RUN(&ko, "run", knit_src(RACE), "--race", "--no-db", "-D", "bug=0");
	assert_status(&ko, 0, "violations: 0");
	hash = knit_trace_hash(&ko);
	knit_out_free(&ko);
	RUN(&ko, "run", knit_src(RACE), "--race", "--race-points", "--no-db",
	    "-D", "bug=0");
	assert_status(&ko, 0, "violations: 0");
	ck_assert_uint_ne(knit_trace_hash(&ko), 0);
	ck_assert_uint_ne(knit_trace_hash(&ko), hash);
	knit_out_free(&ko);
}
END_TEST

/* Recorded with its violation; the replay carries --race and matches. */
START_TEST(race_run_recorded)
{
	struct knit_out ko;
	char db[64];

	tmpdb_path(db, sizeof(db));
	RUN(&ko, "run", knit_src(RACE), "--race", "--db", db);
	assert_status(&ko, 1, "recorded: run 1 in");
	knit_out_free(&ko);
	RUN(&ko, "replay", db, "--run", "1");
	assert_status(&ko, 1, "replay of run 1 matches");
	ck_assert_ptr_nonnull(strstr(ko.ko_out, SIG));
	knit_out_free(&ko);
	tmpdb_remove(db);
}
END_TEST

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

/* Bad combinations: exit 2 with a message naming the input. */
START_TEST(race_run_usage)
{
	static const char *const bad[][2] = {	/* scenario, message */
		{ "local knit = require(\"knit\")\nknit.host(\"h\")\n"
		    "knit.check{race = true}\n",
		    "must come before the first knit.host" },
		{ "local knit = require(\"knit\")\n"
		    "knit.check{race_points = true}\n",
		    "race_points = true needs race = true" },
		{ "local knit = require(\"knit\")\nknit.check{race = 1}\n",
		    "race must be true or false" },
	};
	char path[] = "/tmp/knit-test-raceXXXXXX";
	struct knit_out ko;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	RUN(&ko, "run", knit_src(RACE), "--race-points", "--no-db");
	assert_status(&ko, 2, "--race-points needs --race");
	knit_out_free(&ko);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, bad[i][0]);
		RUN(&ko, "run", path, "--no-db");
		assert_status(&ko, 2, bad[i][1]);
		knit_out_free(&ko);
	}
	unlink(path);
}
END_TEST

/*
 * A knit with no knit-race beside it cannot detect races: --race and a
 * scenario's knit.check{race = true} exit 2 naming build/knit-race,
 * rather than run without the detector and report nothing.
 */
START_TEST(race_run_no_race_build)
{
	char dir[] = "/tmp/knit-test-lonelyXXXXXX", exe[64], scen[80];
	const char *saved = knit_path;
	struct knit_out ko;
	FILE *in, *out;
	char buf[65536];
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(exe, sizeof(exe), "%s/knit", dir);
	snprintf(scen, sizeof(scen), "%s/declared.lua", dir);
	in = fopen(knit_path, "rb");
	out = fopen(exe, "wb");
	ck_assert(in != NULL && out != NULL);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_int_eq(chmod(exe, 0755), 0);
	write_file(scen, "local knit = require(\"knit\")\n"
	    "knit.check{race = true}\nknit.host(\"h\")\n");

	knit_path = exe;
	RUN(&ko, "run", knit_src(RACE), "--race", "--no-db");
	assert_status(&ko, 2, "--race needs build/knit-race");
	knit_out_free(&ko);
	RUN(&ko, "explore", knit_src(RACE), "--race", "--no-db", "--runs",
	    "1");
	assert_status(&ko, 2, "--race needs build/knit-race");
	knit_out_free(&ko);
	RUN(&ko, "run", scen, "--no-db");
	assert_status(&ko, 2, "knit.check{race = true} needs "
	    "build/knit-race");
	knit_out_free(&ko);
	knit_path = saved;
	/* the same file with knit-race beside knit runs (and passes) */
	RUN(&ko, "run", scen, "--no-db");
	assert_status(&ko, 0, "verdict: PASS");
	knit_out_free(&ko);
	unlink(scen);
	unlink(exe);
	rmdir(dir);
}
END_TEST

static Suite *
race_run_suite(void)
{
	Suite *s = suite_create("race_run");
	TCase *tc = tcase_create("run --race");

	tcase_add_test(tc, race_run_reports);
	tcase_add_test(tc, race_run_recorded);
	tcase_add_test(tc, race_run_usage);
	tcase_add_test(tc, race_run_no_race_build);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc < 3) {
		fprintf(stderr, "usage: %s KNIT SRCDIR\n", argv[0]);
		return 2;
	}
	knit_path = argv[1];
	knit_srcdir = argv[2];
	sr = srunner_create(race_run_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
