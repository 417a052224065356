/*
 * The routes of the forwarding cases of the bug corpus (test_bug_*.c):
 * the default route via 192.168.0.1 and, with spec, 10.1.0.0/16 via
 * 192.168.0.2, in a table whose caches are invalidated by generation.
 * Inline: they go out through the including test's rtt_ifp, as its own
 * requests do.  Call inside host_enter (bug_case.bc_setup/teardown).
 */
#ifndef _KNIT_TESTS_UNIT_BUG_ROUTES_H_
#define _KNIT_TESTS_UNIT_BUG_ROUTES_H_

#include <check.h>
#include <stdbool.h>

#include "sys/sysctl.h"

#include "route_test.h"

static inline void
bug_routes_add(bool spec)
{
	struct sockaddr_in def = rtt_sin("0.0.0.0", 0);
	struct sockaddr_in gw = rtt_sin("192.168.0.1", 0);
	struct sockaddr_in d = rtt_sin("10.1.0.0", 0);
	struct sockaddr_in gw2 = rtt_sin("192.168.0.2", 0);
	char buf[16];

	ck_assert_int_eq(sysctl_byname_text("net.route.invalidation", buf,
	    sizeof(buf), "generation"), 0);
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&def), 0, SA(&gw), RTF_GATEWAY,
	    NULL), 0);
	if (spec)
		ck_assert_int_eq(rtt_req(RTM_ADD, SA(&d), 16, SA(&gw2),
		    RTF_GATEWAY, NULL), 0);
}

/* 10.1.0.0/16 (when there) and the default route go. */
static inline void
bug_routes_delete(void)
{
	struct sockaddr_in def = rtt_sin("0.0.0.0", 0);
	struct sockaddr_in d = rtt_sin("10.1.0.0", 0);

	(void)rtt_req(RTM_DELETE, SA(&d), 16, NULL, 0, NULL);
	(void)rtt_req(RTM_DELETE, SA(&def), 0, NULL, 0, NULL);
}

#endif /* !_KNIT_TESTS_UNIT_BUG_ROUTES_H_ */
