/*
 * Every shipped scenario (the .lua files in scenarios/) runs and ends as its header
 * comment documents -- bug-demonstration modes fail exactly as
 * documented -- and running it twice gives the same trace hash.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knit_run.h"

struct scen_case {
	const char	*sc_file;
	const char	*sc_args[6];	/* extra arguments */
	int		 sc_status;	/* expected exit status */
	const char	*sc_out[4];	/* expected in stdout */
	const char	*sc_err[2];	/* expected in stderr */
};

static const struct scen_case scen_cases[] = {
	/* all three policies: none reproduces the bug, the others fix it */
	{ "scenarios/kern3508.lua", { NULL }, 0,
	    { "more specific route appears (the PR)    STALE       fresh       fresh",
	      "IPv6: more specific route appears       STALE       fresh       fresh",
	      "none: bug reproduced", "violations: 0" }, { NULL } },
	/* the bug-demonstration mode fails, naming the bug */
	{ "scenarios/kern3508.lua", { "-D", "invalidation=none" }, 1,
	    { "none: bug reproduced", "expectations: 8 checked, 2 failed" },
	    { "none: the router used the new next hop (it did not: kern/3508)" } },
	{ "scenarios/kern3508.lua", { "-D", "invalidation=generation" }, 0,
	    { "more specific route appears (the PR)    fresh",
	      "expectations: 9 checked, 0 failed" }, { NULL } },
	{ "scenarios/route_flap.lua", { NULL }, 0,
	    { "route_flap (list): 20 route changes, 284 datagrams, 284 "
	      "echoed", "violations: 0",
	      "expectations: 24 checked, 0 failed" }, { NULL } },
	{ "scenarios/route_flap.lua", { "-D", "invalidation=none" }, 1,
	    { "datagrams via g1 284, via g2 0",
	      "expectations: 24 checked, 1 failed" },
	    { "traffic went to both next hops" } },
	{ "scenarios/sockaddr_pool.lua", { NULL }, 0,
	    { "expectations: 9 checked, 0 failed", "violations: 0" },
	    { NULL } },
	{ "scenarios/race_route_delete.lua", { NULL }, 0,
	    { "race_route_delete: window, deleted, freed, ping 0",
	      "expectations: 7 checked, 0 failed", "violations: 0" },
	    { NULL } },
	{ "scenarios/fragments.lua", { NULL }, 0,
	    { "fragments: size 8000, b reassembled 2, r fragmented 10, IPv6 1",
	      "2 datagrams reassembled", "violations: 0",
	      "expectations: 14 checked, 0 failed" }, { NULL } },
	{ "scenarios/fragments.lua", { "-D", "size=1300" }, 0,
	    { "fragments: size 1300, b reassembled 0, r fragmented 0, IPv6 0",
	      "expectations: 14 checked, 0 failed" }, { NULL } },
	/* a's ARP hold (16) drops the oldest 5 of the first request's 21 */
	{ "scenarios/fragments.lua", { "-D", "size=30000" }, 1,
	    { "1 packets received", "net.inet.arp.stats.dfrdropped = 5",
	      "expectations: 14 checked, 3 failed" }, { NULL } },
	{ "scenarios/fragments.lua", { "-D", "size=30000", "-D", "hold=32" },
	    0, { "fragments: size 30000, b reassembled 2, r fragmented 40",
	      "expectations: 14 checked, 0 failed" }, { NULL } },
	{ "scenarios/unix_storm.lua", { NULL }, 0,
	    { "60 accepted, 60 messages", "violations: 0",
	      "expectations: 4 checked, 0 failed" }, { NULL } },
	{ "scenarios/unix_storm.lua", { "--strategy", "random", "--seed",
	    "11", "-D", "conns=40" }, 0,
	    { "120 accepted, 120 messages", "violations: 0" }, { NULL } },
};

static void
run_case(const struct scen_case *sc, struct knit_out *ko)
{
	const char *args[16];
	int n = 0, i;

	args[n++] = "run";
	args[n++] = knit_src(sc->sc_file);
	args[n++] = "--no-db";
	for (i = 0; i < 6 && sc->sc_args[i] != NULL; i++)
		args[n++] = sc->sc_args[i];
	args[n] = NULL;
	knit_run(ko, args);
}

START_TEST(scenario_runs_as_documented)
{
	const struct scen_case *sc = &scen_cases[_i];
	struct knit_out a, b;
	int i;

	run_case(sc, &a);
	ck_assert_msg(a.ko_status == sc->sc_status, "%s: exit %d, expected "
	    "%d\n%s%s", sc->sc_file, a.ko_status, sc->sc_status, a.ko_out,
	    a.ko_err);
	for (i = 0; i < 4 && sc->sc_out[i] != NULL; i++)
		ck_assert_msg(strstr(a.ko_out, sc->sc_out[i]) != NULL,
		    "%s: stdout lacks \"%s\":\n%s", sc->sc_file,
		    sc->sc_out[i], a.ko_out);
	for (i = 0; i < 2 && sc->sc_err[i] != NULL; i++)
		ck_assert_msg(strstr(a.ko_err, sc->sc_err[i]) != NULL,
		    "%s: stderr lacks \"%s\":\n%s", sc->sc_file,
		    sc->sc_err[i], a.ko_err);
	/* determinism: the same inputs, the same trace hash */
	run_case(sc, &b);
	ck_assert_uint_ne(knit_trace_hash(&a), 0);
	ck_assert_msg(knit_trace_hash(&a) == knit_trace_hash(&b),
	    "%s: trace hash 0x%lx then 0x%lx", sc->sc_file,
	    (unsigned long)knit_trace_hash(&a),
	    (unsigned long)knit_trace_hash(&b));
	knit_out_free(&a);
	knit_out_free(&b);
}
END_TEST

/* A recorded kern/3508 run replays to the same trace hash. */
START_TEST(replay_kern3508)
{
	char dir[] = "/tmp/knit-test-replayXXXXXX", db[256], cmd[512];
	struct knit_out a, b;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/k.db", dir);
	{
		const char *const args[] = { "run",
		    knit_src("scenarios/kern3508.lua"), "--db", db, "-D",
		    "invalidation=none", "--seed", "5", NULL };

		knit_run(&a, args);
	}
	ck_assert_int_eq(a.ko_status, 1);
	ck_assert_ptr_nonnull(strstr(a.ko_out, "recorded: run 1"));
	{
		const char *const args[] = { "replay", db, "--run", "1", NULL };

		knit_run(&b, args);
	}
	ck_assert_msg(b.ko_status == 1, "replay exit %d\n%s%s", b.ko_status,
	    b.ko_out, b.ko_err);
	ck_assert_ptr_nonnull(strstr(b.ko_out, "replay of run 1 matches"));
	ck_assert_uint_eq(knit_trace_hash(&a), knit_trace_hash(&b));
	knit_out_free(&a);
	knit_out_free(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int nfailed;

	if (argc < 3) {
		fprintf(stderr, "usage: test_scenarios KNIT SRCDIR\n");
		return 2;
	}
	knit_path = argv[1];
	knit_srcdir = argv[2];
	s = suite_create("scenarios");
	tc = tcase_create("scenarios");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, scenario_runs_as_documented, 0,
	    sizeof(scen_cases) / sizeof(scen_cases[0]));
	tcase_add_test(tc, replay_kern3508);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? 0 : 1;
}
