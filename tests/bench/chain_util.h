/*
 * Configuring hosts from outside (host_enter) for the chain networks of
 * bench_chain and tests/unit/test_lookahead: addresses, static routes,
 * forwarding, and running a function as a process.  Each returns 0 or
 * -1; the caller reports failures its own way.
 */
#ifndef _KNIT_TESTS_BENCH_CHAIN_UTIL_H_
#define _KNIT_TESTS_BENCH_CHAIN_UTIL_H_

#include <stdint.h>

#include "sim.h"
#include "net/if.h"
#include "net/route.h"
#include "sys/lwp.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/sysctl.h"
#include "netinet/in_var.h"

static inline struct in_addr
chain_ip4(uint32_t a)
{
	struct in_addr x;

	x.s_addr = htonl(a);
	return x;
}

static inline int
chain_addr(struct host *h, const char *ifname, uint32_t a, uint32_t mask)
{
	struct ifnet *ifp;
	int rc;

	host_enter(h);
	ifp = ifunit(ifname);
	rc = ifp == NULL || in_addaddr(ifp, chain_ip4(a), chain_ip4(mask)) !=
	    0 ? -1 : 0;
	host_leave(h);
	return rc;
}

/* A static route to dst/mask via gw (host order). */
static inline int
chain_route(struct host *h, uint32_t dst, uint32_t mask, uint32_t gw)
{
	struct sockaddr_in d, m, g;
	struct in_addr a;
	int rc;

	a = chain_ip4(dst);
	(void)sockaddr_in_init(&d, &a, 0);
	a = chain_ip4(mask);
	(void)sockaddr_in_init(&m, &a, 0);
	a = chain_ip4(gw);
	(void)sockaddr_in_init(&g, &a, 0);
	host_enter(h);
	rc = rtrequest(RTM_ADD, sintocsa(&d), sintocsa(&g), sintocsa(&m),
	    RTF_UP | RTF_GATEWAY | RTF_STATIC, NULL) != 0 ? -1 : 0;
	host_leave(h);
	return rc;
}

static inline int
chain_forwarding(struct host *h)
{
	int one = 1, rc;

	host_enter(h);
	rc = sysctl_byname("net.inet.ip.forwarding", NULL, NULL, &one,
	    sizeof(one)) != 0 ? -1 : 0;
	host_leave(h);
	return rc;
}

/* Run fn(arg) on the calling LWP as the only LWP of a new process. */
static inline int
chain_in_proc(void (*fn)(void *), void *arg)
{
	struct proc *p;

	if (proc_create("flow", 0, 0, &p) != 0)
		return -1;
	proc_attach_lwp(p, curlwp);
	fn(arg);
	proc_detach_lwp(curlwp);
	proc_exit(p);
	return 0;
}

#endif /* !_KNIT_TESTS_BENCH_CHAIN_UTIL_H_ */
