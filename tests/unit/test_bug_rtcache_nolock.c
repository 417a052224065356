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
#include <string.h>

#include "sys/systm.h"

#include "bug_harness.h"
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
setup(void)
{
	struct sockaddr_in def = rtt_sin("0.0.0.0", 0);
	struct sockaddr_in gw = rtt_sin("192.168.0.1", 0);

	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&def), 0, SA(&gw), RTF_GATEWAY,
	    NULL), 0);
}

static void
teardown(void)
{
	struct sockaddr_in def = rtt_sin("0.0.0.0", 0);

	(void)rtt_req(RTM_DELETE, SA(&def), 0, NULL, 0, NULL);
}

static const struct bug_case rtcache_nolock = {
	.bc_suite = "bug_rtcache_nolock",
	.bc_knob = "debug.bug.rtcache_nolock",
	.bc_runs = 20,
	.bc_race = true,
	.bc_kind = "data_race",
	.bc_signature = "rtcache",
	.bc_setup = setup,
	.bc_teardown = teardown,
	.bc_lwps = { { "fwd0", forwarder, NULL },
	    { "fwd1", forwarder, (void *)1 } },
};

int
main(void)
{
	return bug_main(&rtcache_nolock);
}
