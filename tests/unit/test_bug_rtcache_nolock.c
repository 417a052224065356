/*
 * Bug corpus, debug.bug.rtcache_nolock (the route-cache list is changed
 * without V_rtcache_lock), found by the race detector: this test links
 * the race build of the stack (-fsanitize=thread, like build/knit-race).
 * Two "forwarder" LWPs on two CPUs fill and free their own route caches;
 * both link them into the same per-family list.  With the bug the
 * unlocked list updates race (a report naming the route-cache
 * functions); with the lock no report.  Budget: random 20 runs, pct
 * (depth 2) 20 runs; the race needs no particular interleaving, only
 * both LWPs touching the list.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sys/sysctl.h"
#include "sys/systm.h"

#include "bug_world.h"
#include "check/checkers.h"
#include "machine_util.h"
#include "route_test.h"

static void
forwarder(void *arg)
{
	struct sockaddr_in dst = rtt_sin(arg != NULL ? "10.1.2.3" : "10.1.2.4",
	    0);
	struct route ro;

	for (int i = 0; i < 3; i++) {
		memset(&ro, 0, sizeof(ro));
		(void)rtcache_lookup(&ro, SA(&dst));
		preempt_point();
		rtcache_free(&ro);
	}
}

static void
routes(struct host *h, bool add)
{
	struct sockaddr_in def = rtt_sin("0.0.0.0", 0);
	struct sockaddr_in gw = rtt_sin("192.168.0.1", 0);

	host_enter(h);
	if (add) {
		bug_knob("debug.bug.rtcache_nolock");
		ck_assert_int_eq(rtt_req(RTM_ADD, SA(&def), 0, SA(&gw),
		    RTF_GATEWAY, NULL), 0);
	} else
		(void)rtt_req(RTM_DELETE, SA(&def), 0, NULL, 0, NULL);
	host_leave(h);
}

static int
run_one(void *arg, uint64_t run, uint64_t seed, struct xrun_out *o)
{
	struct check_config cc = { .cc_lockorder = true, .cc_race = true };
	struct host *h;
	struct world *w = mkworld(seed, bug_strategy, 2, &h);

	(void)arg;
	(void)run;
	check_world_begin(w, &cc);
	(void)world_run(w, 0);		/* boot */
	routes(h, true);
	host_spawn(h, "fwd0", 0, forwarder, NULL);
	host_spawn(h, "fwd1", 1, forwarder, (void *)1);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	routes(h, false);
	o->ro_status = XRUN_PASS;
	for (size_t i = 0; i < world_nviolations(w); i++) {
		const struct violation *v = world_violation(w, i);

		o->ro_status = XRUN_FAIL;
		xrun_add_violation(o, v->v_kind == VIOL_DATA_RACE ?
		    "data_race" : "other", v->v_message, v->v_message,
		    v->v_stack);
	}
	check_world_end(w);
	world_destroy(w);
	return 0;
}

static void
expect(const struct xfailure *f)
{
	ck_assert_str_eq(f->xf_kind, "data_race");
	ck_assert_msg(strstr(f->xf_signature, "rtcache") != NULL, "%s",
	    f->xf_signature);
}

START_TEST(test_rtcache_nolock_random)
{
	ck_assert_uint_gt(bug_campaign("random", 1, 20, run_one, expect), 0);
	ck_assert_uint_eq(bug_campaign("random", 0, 20, run_one, expect), 0);
}
END_TEST

START_TEST(test_rtcache_nolock_pct)
{
	ck_assert_uint_gt(bug_campaign("pct", 1, 20, run_one, expect), 0);
	ck_assert_uint_eq(bug_campaign("pct", 0, 20, run_one, expect), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bug_rtcache_nolock");
	TCase *tc = tcase_create("corpus");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_rtcache_nolock_random);
	tcase_add_test(tc, test_rtcache_nolock_pct);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
