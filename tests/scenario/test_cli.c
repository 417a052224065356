/*
 * The knit command as users see it: exit codes, help text, error
 * messages for bad input, the sandbox, determinism, recording and
 * replay.  Every case runs build/knit as a subprocess.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knit_run.h"

#define RUN(ko, ...) do {						\
	const char *const args_[] = { __VA_ARGS__, NULL };		\
	knit_run((ko), args_);						\
} while (0)

static void
assert_contains(const char *hay, const char *needle, const char *what)
{
	ck_assert_msg(strstr(hay, needle) != NULL,
	    "%s does not contain \"%s\":\n%s", what, needle, hay);
}

START_TEST(version_and_help)
{
	struct knit_out ko;
	static const char *const run_opts[] = { "--seed", "-D", "--db",
	    "--no-db", "--pcap", "--strategy", "--race-window", "--trace",
	    "--quiet", "--allow-io", "--race", "--race-points", NULL };
	int i;

	RUN(&ko, "version");
	ck_assert_int_eq(ko.ko_status, 0);
	assert_contains(ko.ko_out, "knit 0.", "version");
	knit_out_free(&ko);

	RUN(&ko, "--help");
	ck_assert_int_eq(ko.ko_status, 0);
	assert_contains(ko.ko_out, "run ", "--help");
	assert_contains(ko.ko_out, "replay ", "--help");
	assert_contains(ko.ko_out, "probes ", "--help");
	knit_out_free(&ko);

	RUN(&ko, "help", "run");
	ck_assert_int_eq(ko.ko_status, 0);
	for (i = 0; run_opts[i] != NULL; i++)
		assert_contains(ko.ko_out, run_opts[i], "help run");
	knit_out_free(&ko);

	RUN(&ko, "help", "replay");
	ck_assert_int_eq(ko.ko_status, 0);
	assert_contains(ko.ko_out, "--run", "help replay");
	knit_out_free(&ko);

	RUN(&ko, "help", "nosuch");
	ck_assert_int_eq(ko.ko_status, 2);
	assert_contains(ko.ko_err, "unknown command 'nosuch'", "stderr");
	knit_out_free(&ko);

	RUN(&ko, "frobnicate");
	ck_assert_int_eq(ko.ko_status, 2);
	knit_out_free(&ko);
}
END_TEST

/* Every option `knit help run' lists is accepted by the parser. */
START_TEST(every_documented_option_parses)
{
	struct knit_out ko;
	const char *scen = knit_src("tests/scenario/lua/pass.lua");
	char pcap[] = "/tmp/knit-test-pcapXXXXXX";
	int fd = mkstemp(pcap);

	ck_assert_int_ge(fd, 0);
	close(fd);
	RUN(&ko, "run", scen, "--seed", "7", "-D", "n=3", "--no-db",
	    "--pcap", pcap, "--strategy", "default", "--race-window", "10us",
	    "--trace", "1", "--quiet", "--allow-io", "--race",
	    "--race-points");
	ck_assert_msg(ko.ko_status == 0, "exit %d: %s", ko.ko_status,
	    ko.ko_err);
	assert_contains(ko.ko_out, "PASS", "quiet summary");
	knit_out_free(&ko);
	unlink(pcap);
}
END_TEST

START_TEST(exit_codes)
{
	struct knit_out ko;

	RUN(&ko, "run", knit_src("tests/scenario/lua/pass.lua"), "--no-db");
	ck_assert_msg(ko.ko_status == 0, "pass: exit %d: %s", ko.ko_status,
	    ko.ko_err);
	assert_contains(ko.ko_out, "verdict: PASS", "summary");
	assert_contains(ko.ko_out, "trace hash: 0x", "summary");
	assert_contains(ko.ko_out, "virtual time: 5ms", "summary");
	assert_contains(ko.ko_out, "violations: 0", "summary");
	assert_contains(ko.ko_out, "done at 5ms", "scenario print");
	knit_out_free(&ko);

	/* the same scenario with a parameter that breaks an expectation */
	RUN(&ko, "run", knit_src("tests/scenario/lua/pass.lua"), "--no-db",
	    "-D", "n=4");
	ck_assert_int_eq(ko.ko_status, 1);
	assert_contains(ko.ko_out, "verdict: FAIL", "summary");
	assert_contains(ko.ko_err, "expectation failed at 5ms", "stderr");
	assert_contains(ko.ko_err, "pass.lua:10: n is 3", "stderr");
	knit_out_free(&ko);

	RUN(&ko, "run", knit_src("tests/scenario/lua/fail.lua"), "--no-db");
	ck_assert_int_eq(ko.ko_status, 1);
	assert_contains(ko.ko_out, "expectation failed at 1ms", "summary");
	assert_contains(ko.ko_out, "arithmetic is broken", "summary");
	assert_contains(ko.ko_out, "expectations: 2 checked, 1 failed",
	    "summary");
	knit_out_free(&ko);
}
END_TEST

struct bad_case {
	const char	*bc_file;
	const char	*bc_extra;	/* one extra argument or NULL */
	const char	*bc_msg;	/* expected in stderr */
	bool		 bc_traceback;
};

static const struct bad_case bad_cases[] = {
	{ "bad/syntax.lua", NULL,
	    "syntax.lua:4: ')' expected (to close '(' at line 3)", false },
	{ "bad/runtime.lua", NULL, "runtime.lua:2: boom in inner", true },
	{ "bad/unknown_host.lua", NULL,
	    "unknown_host.lua:2: unknown host 'r9'", true },
	{ "bad/negative_time.lua", NULL,
	    "negative_time.lua:1: bad argument #1 to 'after' "
	    "(negative time '-3ms')", true },
	{ "bad/past_time.lua", NULL,
	    "past_time.lua:2: knit.at: time 1ms is in the past (now is 2ms)",
	    true },
	{ "bad/bad_unit.lua", NULL, "bad time '3 parsecs'", true },
	{ "bad/param.lua", "-D", "unknown -D 'colour'", false },
	{ "bad/probe.lua", NULL, "probe.lua:1: knit.on_probe: no probe "
	    "matches 'no-such-probe' (`knit probes' lists them)", true },
};

static const char *
bad_path(const char *f)
{
	static char b[256];

	snprintf(b, sizeof(b), "tests/scenario/%s", f);
	return b;
}

START_TEST(bad_input)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct knit_out ko;

	if (bc->bc_extra != NULL)
		RUN(&ko, "run", knit_src(bad_path(bc->bc_file)), "--no-db", "-D",
		    "colour=blue");
	else
		RUN(&ko, "run", knit_src(bad_path(bc->bc_file)), "--no-db");
	ck_assert_msg(ko.ko_status == 2, "%s: exit %d\n%s%s", bc->bc_file,
	    ko.ko_status, ko.ko_out, ko.ko_err);
	assert_contains(ko.ko_err, bc->bc_msg, bc->bc_file);
	if (bc->bc_traceback)
		assert_contains(ko.ko_err, "stack traceback:", bc->bc_file);
	/* one message, never a C crash */
	ck_assert_msg(strstr(ko.ko_err, "Segmentation") == NULL &&
	    strstr(ko.ko_err, "PANIC") == NULL, "%s", ko.ko_err);
	knit_out_free(&ko);
}
END_TEST

START_TEST(bad_options)
{
	struct knit_out ko;
	const char *scen = knit_src("tests/scenario/lua/pass.lua");

	RUN(&ko, "run");
	ck_assert_int_eq(ko.ko_status, 2);
	assert_contains(ko.ko_err, "no scenario given", "stderr");
	knit_out_free(&ko);

	RUN(&ko, "run", scen, "--bogus");
	ck_assert_int_eq(ko.ko_status, 2);
	assert_contains(ko.ko_err, "option '--bogus' is unknown", "stderr");
	knit_out_free(&ko);

	RUN(&ko, "run", scen, "--seed", "x1");
	ck_assert_int_eq(ko.ko_status, 2);
	assert_contains(ko.ko_err, "--seed 'x1'", "stderr");
	knit_out_free(&ko);

	RUN(&ko, "run", scen, "-D", "novalue");
	ck_assert_int_eq(ko.ko_status, 2);
	assert_contains(ko.ko_err, "-D 'novalue': expected NAME=VALUE",
	    "stderr");
	knit_out_free(&ko);

	RUN(&ko, "run", scen, "--no-db", "-D", "n=three");
	ck_assert_int_eq(ko.ko_status, 2);
	assert_contains(ko.ko_err, "parameter 'n' expects a number",
	    "stderr");
	knit_out_free(&ko);

	RUN(&ko, "run", scen, "--no-db", "--strategy", "telepathy");
	ck_assert_int_eq(ko.ko_status, 2);
	assert_contains(ko.ko_err, "unknown strategy 'telepathy'", "stderr");
	knit_out_free(&ko);

	RUN(&ko, "run", "/nonexistent/x.lua", "--no-db");
	ck_assert_int_eq(ko.ko_status, 2);
	assert_contains(ko.ko_err, "cannot open scenario '/nonexistent/x.lua'",
	    "stderr");
	knit_out_free(&ko);
}
END_TEST

START_TEST(sandbox)
{
	struct knit_out a, b, c;
	const char *scen = knit_src("tests/scenario/lua/sandbox.lua");

	RUN(&a, "run", scen, "--no-db", "--seed", "5");
	RUN(&b, "run", scen, "--no-db", "--seed", "5");
	RUN(&c, "run", scen, "--no-db", "--seed", "6");
	ck_assert_msg(a.ko_status == 0, "%s", a.ko_err);
	/* sorted keys: numbers, strings, booleans */
	assert_contains(a.ko_out, "pairs: 2 10 alpha beta k1 k2 mid omega "
	    "zeta false true", "pairs");
	/* integers and floats by value, strings bytewise across zeros */
	assert_contains(a.ko_out, "pairs mixed: -inf -3 0.25 1.5 2 10 "
	    "9007199254740992 inf  B a a0a a0b ab\n", "pairs mixed");
	/* 450 keys walked in order, the 150 removed on the way skipped */
	assert_contains(a.ko_out, "pairs big: 450 true\n", "pairs big");
	assert_contains(a.ko_out, "os.time: 1 os.clock: 1.5", "virtual time");
	assert_contains(a.ko_out, "io: false", "io");
	assert_contains(a.ko_out, "require: false", "require");
	assert_contains(a.ko_out, "load binary: false", "load");
	/* math.random is the run's stream: same seed same numbers */
	*strstr(a.ko_out, "wall time") = '\0';	/* the one varying line */
	*strstr(b.ko_out, "wall time") = '\0';
	ck_assert_str_eq(a.ko_out, b.ko_out);
	ck_assert_msg(strcmp(strstr(a.ko_out, "random:"),
	    strstr(c.ko_out, "random:")) != 0, "seed 6 drew the same");
	knit_out_free(&a);
	knit_out_free(&b);
	knit_out_free(&c);

	/* with --allow-io the io library is there */
	RUN(&a, "run", scen, "--no-db", "--allow-io");
	assert_contains(a.ko_out, "io: true", "io with --allow-io");
	knit_out_free(&a);
}
END_TEST

START_TEST(userland_and_sockets)
{
	struct knit_out ko;

	RUN(&ko, "run", knit_src("tests/scenario/lua/userland.lua"),
	    "--no-db");
	ck_assert_msg(ko.ko_status == 0, "exit %d:\n%s%s", ko.ko_status,
	    ko.ko_out, ko.ko_err);
	assert_contains(ko.ko_out, "expectations: 7 checked, 0 failed",
	    "summary");
	knit_out_free(&ko);
}
END_TEST

/* nic:packets and knit.expect_packets: counts of a ping through a
 * router; a wrong count fails the run, names the expectation and does
 * not change the trace hash (keeping frames only observes). */
START_TEST(packets)
{
	struct knit_out ok, bad;
	const char *scen = knit_src("tests/scenario/lua/packets.lua");

	RUN(&ok, "run", scen, "--no-db");
	ck_assert_msg(ok.ko_status == 0, "exit %d:\n%s%s", ok.ko_status,
	    ok.ko_out, ok.ko_err);
	assert_contains(ok.ko_out, "expectations: 14 checked, 0 failed",
	    "summary");
	RUN(&bad, "run", scen, "--no-db", "-D", "wrong=1");
	ck_assert_msg(bad.ko_status == 1, "exit %d:\n%s%s", bad.ko_status,
	    bad.ko_out, bad.ko_err);
	assert_contains(bad.ko_out, "expectations: 15 checked, 1 failed",
	    "summary of the wrong count");
	assert_contains(bad.ko_err, "packets.lua:48: four requests: c:vnic0 "
	    "{dir=tx, proto=icmp, type=echo-request}: 3 packets, expected 4",
	    "the failed expectation named with its place and counts");
	ck_assert_uint_eq(knit_trace_hash(&ok), knit_trace_hash(&bad));
	ck_assert_uint_ne(knit_trace_hash(&ok), 0);
	knit_out_free(&ok);
	knit_out_free(&bad);
}
END_TEST

/* knit.on_probe holds the LWP at the probe while the window runs. */
START_TEST(race_window)
{
	struct knit_out ko;

	RUN(&ko, "run", knit_src("tests/scenario/lua/window.lua"), "--no-db");
	ck_assert_msg(ko.ko_status == 0, "exit %d:\n%s%s", ko.ko_status,
	    ko.ko_out, ko.ko_err);
	assert_contains(ko.ko_out, "expectations: 4 checked, 0 failed",
	    "summary");
	knit_out_free(&ko);
}
END_TEST

START_TEST(same_hash_twice)
{
	struct knit_out a, b;
	const char *scen = knit_src("tests/scenario/lua/pass.lua");

	RUN(&a, "run", scen, "--no-db", "--seed", "3");
	RUN(&b, "run", scen, "--no-db", "--seed", "3");
	ck_assert_int_eq(a.ko_status, 0);
	ck_assert_uint_ne(knit_trace_hash(&a), 0);
	ck_assert_uint_eq(knit_trace_hash(&a), knit_trace_hash(&b));
	knit_out_free(&a);
	knit_out_free(&b);
}
END_TEST

START_TEST(record_and_replay)
{
	char dir[] = "/tmp/knit-test-dbXXXXXX", db[4200], scen[4200];
	char cmd[8600];
	struct knit_out ko;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/runs.db", dir);
	snprintf(scen, sizeof(scen), "%s/s.lua", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s",
	    knit_src("tests/scenario/lua/fail.lua"), scen);
	ck_assert_int_eq(system(cmd), 0);

	RUN(&ko, "run", scen, "--db", db, "--seed", "9");
	ck_assert_int_eq(ko.ko_status, 1);
	assert_contains(ko.ko_out, "recorded: run 1 in", "run");
	knit_out_free(&ko);

	/* a failing run replays as failing, with the same hash */
	RUN(&ko, "replay", db, "--run", "1");
	ck_assert_msg(ko.ko_status == 1, "exit %d: %s%s", ko.ko_status,
	    ko.ko_out, ko.ko_err);
	assert_contains(ko.ko_out, "replay of run 1 matches", "replay");
	knit_out_free(&ko);

	RUN(&ko, "replay", db, "--run", "7");
	ck_assert_int_eq(ko.ko_status, 2);
	knit_out_free(&ko);

	/* the scenario changed since: exit 3 and say so */
	fp = fopen(scen, "a");
	ck_assert_ptr_nonnull(fp);
	fputs("-- edited\n", fp);
	fclose(fp);
	RUN(&ko, "replay", db, "--run", "1");
	ck_assert_int_eq(ko.ko_status, 3);
	assert_contains(ko.ko_err, "scenario changed", "replay");
	knit_out_free(&ko);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, version_and_help);
	tcase_add_test(tc, every_documented_option_parses);
	tcase_add_test(tc, exit_codes);
	tcase_add_loop_test(tc, bad_input, 0,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, bad_options);
	tcase_add_test(tc, sandbox);
	tcase_add_test(tc, same_hash_twice);
	tcase_add_test(tc, userland_and_sockets);
	tcase_add_test(tc, packets);
	tcase_add_test(tc, race_window);
	tcase_add_test(tc, record_and_replay);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int nfailed;

	if (argc < 3) {
		fprintf(stderr, "usage: test_cli KNIT SRCDIR\n");
		return 2;
	}
	knit_path = argv[1];
	knit_srcdir = argv[2];
	sr = srunner_create(cli_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? 0 : 1;
}
