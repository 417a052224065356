/*
 * Bug corpus, debug.bug.kern3508 (route additions invalidate no route
 * cache): the exploration engine (campaigns with random and pct, and
 * dfs) finds a forwarder whose cache keeps the old route after a more
 * specific one was added on another CPU, within the budget below; with
 * the bug off the same campaigns find nothing.  The scenario is C (the
 * forwarding path is not in the stack yet): a "forwarder" LWP looks its
 * destination up through a route cache while a "router" LWP adds the
 * more specific route; every lookup that starts after the add returned
 * must see it.
 *
 * Budget: random 40 runs, pct (depth 2) 40 runs, dfs (1 pre-emption)
 * until exhausted.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sys/sysctl.h"
#include "sys/systm.h"

#include "bug_world.h"
#include "machine_util.h"
#include "route_test.h"


static volatile int added;	/* the router's add has returned */
static int stale;		/* lookups after it that missed it */

static void
forwarder(void *arg)
{
	struct sockaddr_in dst = rtt_sin("10.1.2.3", 0);
	struct route ro;

	(void)arg;
	memset(&ro, 0, sizeof(ro));
	for (int i = 0; i < 6; i++) {
		int after = added;
		struct rtentry *rt = rtcache_lookup(&ro, SA(&dst));

		if (after && rt != NULL && rt->rt_plen != 16)
			stale++;
		preempt_point();
	}
	rtcache_free(&ro);
}

static void
router(void *arg)
{
	struct sockaddr_in d = rtt_sin("10.1.0.0", 0);
	struct sockaddr_in g = rtt_sin("192.168.0.2", 0);

	(void)arg;
	preempt_point();
	(void)rtt_req(RTM_ADD, SA(&d), 16, SA(&g), RTF_GATEWAY, NULL);
	added = 1;
}

static void
setup_routes(struct host *h, bool add)
{
	struct sockaddr_in def = rtt_sin("0.0.0.0", 0);
	struct sockaddr_in gw = rtt_sin("192.168.0.1", 0);
	struct sockaddr_in spec = rtt_sin("10.1.0.0", 0);
	char buf[16];

	host_enter(h);
	if (add) {
		bug_knob("debug.bug.kern3508");
		ck_assert_int_eq(sysctl_byname_text("net.route.invalidation",
		    buf, sizeof(buf), "generation"), 0);
		ck_assert_int_eq(rtt_req(RTM_ADD, SA(&def), 0, SA(&gw),
		    RTF_GATEWAY, NULL), 0);
	} else {
		(void)rtt_req(RTM_DELETE, SA(&spec), 16, NULL, 0, NULL);
		(void)rtt_req(RTM_DELETE, SA(&def), 0, NULL, 0, NULL);
	}
	host_leave(h);
}

static int
run_one(void *arg, uint64_t run, uint64_t seed, struct xrun_out *o)
{
	struct host *h;
	struct world *w = mkworld(seed, bug_strategy, 2, &h);

	(void)arg;
	(void)run;
	added = 0;
	stale = 0;
	(void)world_run(w, 0);		/* boot the host (VNET_SYSINITs) */
	setup_routes(h, true);
	host_spawn(h, "forwarder", 0, forwarder, NULL);
	host_spawn(h, "router", 1, router, NULL);
	ck_assert_int_eq(world_run(w, SIM_TIME_NEVER), WORLD_QUIESCENT);
	setup_routes(h, false);
	o->ro_status = XRUN_PASS;
	if (stale > 0) {
		o->ro_status = XRUN_FAIL;
		xrun_add_violation(o, "expectation", "kern3508: a cache kept "
		    "the old route after the add", "stale route", NULL);
	}
	for (size_t i = 0; i < world_nviolations(w); i++) {
		o->ro_status = XRUN_FAIL;
		xrun_add_violation(o, "other", world_violation(w, i)->v_message,
		    world_violation(w, i)->v_message, NULL);
	}
	world_destroy(w);
	return 0;
}

static void
expect(const struct xfailure *f)
{
	ck_assert_msg(strncmp(f->xf_signature, "kern3508", 8) == 0,
	    "unexpected failure: %s", f->xf_signature);
}

START_TEST(test_kern3508_random)
{
	ck_assert_uint_gt(bug_campaign("random", 1, 40, run_one, expect), 0);
	ck_assert_uint_eq(bug_campaign("random", 0, 40, run_one, expect), 0);
}
END_TEST

START_TEST(test_kern3508_pct)
{
	ck_assert_uint_gt(bug_campaign("pct", 1, 40, run_one, expect), 0);
	ck_assert_uint_eq(bug_campaign("pct", 0, 40, run_one, expect), 0);
}
END_TEST

START_TEST(test_kern3508_dfs)
{
	bool ex;

	ck_assert_uint_gt(bug_dfs(1, run_one, &ex), 0);
	ck_assert_uint_eq(bug_dfs(0, run_one, &ex), 0);
	ck_assert(ex);		/* the clean space was searched to the end */
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bug_kern3508");
	TCase *tc = tcase_create("corpus");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_kern3508_random);
	tcase_add_test(tc, test_kern3508_pct);
	tcase_add_test(tc, test_kern3508_dfs);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
