/*
 * Bug corpus, debug.bug.rtcache_noref (a route cache holds no reference
 * on its entry): a "forwarder" LWP looks its destination up through a
 * route cache while a "router" LWP deletes the route on another CPU;
 * with the bug the deleted rtentry is freed while the cache still points
 * to it, and the forwarder's next lookup touches freed (poisoned,
 * quarantined) memory: the route cache's own check panics ("holds a
 * freed rtentry").  Campaigns (random, pct, dfs) find it within the
 * budget below; with the bug off they find nothing.  C scenario.
 *
 * Budget: random 40 runs, pct (depth 2) 40 runs, dfs (1 pre-emption)
 * until exhausted.
 */
#include <string.h>

#include "sys/systm.h"

#include "bug_harness.h"
#include "bug_routes.h"

static void
forwarder(void *arg)
{
	struct sockaddr_in dst = rtt_sin("10.1.2.3", 0);
	struct route ro;

	(void)arg;
	memset(&ro, 0, sizeof(ro));
	for (int i = 0; i < 6; i++) {
		(void)rtcache_lookup(&ro, SA(&dst));
		preempt_point();
	}
	rtcache_free(&ro);
}

static void
router(void *arg)
{
	struct sockaddr_in d = rtt_sin("10.1.0.0", 0);

	(void)arg;
	preempt_point();
	(void)rtt_req(RTM_DELETE, SA(&d), 16, NULL, 0, NULL);
}

static void
setup(void)
{
	bug_routes_add(true);
}

static const char *
rename_panic(const char *message)
{
	return strstr(message, "holds a freed rtentry") != NULL ?
	    "rtcache_noref: use after free" : message;
}

static const struct bug_case rtcache_noref = {
	.bc_suite = "bug_rtcache_noref",
	.bc_knob = "debug.bug.rtcache_noref",
	.bc_runs = 40,
	.bc_dfs = true,
	.bc_may_stop = true,	/* the panic ends the run */
	.bc_signature = "rtcache_noref: use after free",
	.bc_setup = setup,
	.bc_teardown = bug_routes_delete,
	.bc_lwps = { { "forwarder", forwarder, NULL },
	    { "router", router, NULL } },
	.bc_rename = rename_panic,
};

int
main(void)
{
	return bug_main(&rtcache_noref);
}
