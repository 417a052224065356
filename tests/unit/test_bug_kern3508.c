/*
 * Bug corpus, debug.bug.kern3508 (route additions invalidate no route
 * cache): the exploration engine (campaigns with random and pct, and
 * dfs) finds a forwarder whose cache keeps the old route after a more
 * specific one was added on another CPU, within the budget below; with
 * the bug off the same campaigns find nothing.  The scenario is C: a
 * "forwarder" LWP looks its destination up through a route cache while
 * a "router" LWP adds the more specific route; every lookup that starts
 * after the add returned must see it.
 *
 * Budget: random 40 runs, pct (depth 2) 40 runs, dfs (1 pre-emption)
 * until exhausted.
 */
#include <string.h>

#include "sys/systm.h"

#include "bug_harness.h"
#include "bug_routes.h"

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
setup(void)
{
	added = 0;
	stale = 0;
	bug_routes_add(false);
}

static const char *
verdict(void)
{
	return stale > 0 ? "kern3508: a cache kept the old route after the "
	    "add" : NULL;
}

static const struct bug_case kern3508 = {
	.bc_suite = "bug_kern3508",
	.bc_knob = "debug.bug.kern3508",
	.bc_runs = 40,
	.bc_dfs = true,
	.bc_signature = "kern3508: a cache kept the old route",
	.bc_setup = setup,
	.bc_teardown = bug_routes_delete,
	.bc_lwps = { { "forwarder", forwarder, NULL },
	    { "router", router, NULL } },
	.bc_verdict = verdict,
};

int
main(void)
{
	return bug_main(&kern3508);
}
