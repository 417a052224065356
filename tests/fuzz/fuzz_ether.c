/*
 * Fuzz target: frames into a host's Ethernet input (see fuzz_ether.h).
 *
 * The host "h" (10.0.0.1/24, 2001:db8::1/64, forwarding on, a default
 * route) sits on a link to "peer"; frames are injected the way the vnic
 * driver's interrupt would, then the world runs so that the softints
 * process them.  Built as a libFuzzer target with clang
 * (LLVMFuzzerTestOneInput) and, for any compiler, as a corpus runner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_ether.h"
#include "sim.h"
#include "net/net.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "net/route.h"
#include "sys/mbuf.h"
#include "sys/sysctl.h"
#include "netinet/in_var.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"
#include "netinet6/in6_var.h"
#include "netinet6/ip6_var.h"

#define MS	1000000ULL

static struct world *fw;
static struct host *fh;
static struct ifnet *fifp;

static void
fail(const char *what)
{
	size_t i;

	fprintf(stderr, "fuzz_ether: %s\n", what);
	for (i = 0; fw != NULL && i < world_nviolations(fw); i++)
		fprintf(stderr, "violation: %s\n",
		    world_violation(fw, i)->v_message);
	abort();
}

static void
run(uint64_t ns)
{
	if (world_run(fw, world_now(fw) + ns) == WORLD_STOPPED ||
	    world_nviolations(fw) != 0)
		fail("the world stopped");
}

static void
fuzz_init(void)
{
	struct world_config wc = { .wc_seed = 1, .wc_strategy = "default" };
	struct net_link_params p;
	struct net *n;
	struct host *peer;
	struct in_addr a, m;
	struct in6_addr a6;
	struct sockaddr_in dst, gw, mask;
	int one = 1, fragttl = 5000;

	fw = world_create(&wc);
	n = net_create(fw);
	fh = world_host_create(fw, "h", 1);
	peer = world_host_create(fw, "peer", 1);
	net_link_params_default(&p);
	net_link_p2p(n, "l", net_nic_create(n, fh, NULL, 0, 0),
	    net_nic_create(n, peer, NULL, 0, 0), &p);
	run(MS);
	host_enter(fh);
	fifp = ifunit("vnic0");
	if (fifp == NULL)
		fail("no vnic0");
	a.s_addr = htonl(0x0a000001);
	m.s_addr = htonl(0xffffff00);
	if (in_addaddr(fifp, a, m) != 0)
		fail("address");
	memset(&a6, 0, sizeof(a6));
	a6.s6_addr[0] = 0x20;
	a6.s6_addr[1] = 0x01;
	a6.s6_addr[2] = 0x0d;
	a6.s6_addr[3] = 0xb8;
	a6.s6_addr[15] = 1;
	if (in6_addaddr(fifp, &a6, 64) != 0)
		fail("address6");
	(void)sysctl_byname("net.inet.ip.forwarding", NULL, NULL, &one,
	    sizeof(one));
	(void)sysctl_byname("net.inet6.ip6.forwarding", NULL, NULL, &one,
	    sizeof(one));
	/* incomplete datagrams go well within the 30 s leak checks */
	(void)sysctl_byname("net.inet.ip.fragttl", NULL, NULL, &fragttl,
	    sizeof(fragttl));
	(void)sysctl_byname("net.inet6.ip6.fragttl", NULL, NULL, &fragttl,
	    sizeof(fragttl));
	m.s_addr = 0;
	a.s_addr = 0;
	(void)sockaddr_in_init(&dst, &a, 0);
	(void)sockaddr_in_init(&mask, &m, 0);
	a.s_addr = htonl(0x0a000002);
	(void)sockaddr_in_init(&gw, &a, 0);
	if (rtrequest(RTM_ADD, sintocsa(&dst), sintocsa(&gw),
	    sintocsa(&mask), RTF_UP | RTF_GATEWAY | RTF_STATIC, NULL) != 0)
		fail("route");
	host_leave(fh);
	run(MS);
}

void
fuzz_ether_one(const uint8_t *data, size_t size)
{
	struct mbuf *m;
	uint8_t buf[9100];
	unsigned out;

	if (fw == NULL)
		fuzz_init();
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	if (size >= 6)
		memcpy(buf, fifp->if_lladdr, 6);
	host_enter(fh);
	/* as the vnic driver: data ETHER_ALIGN bytes in, so that the
	 * network header is 4-byte aligned (UBSan checks it) */
	m = m_getlen(M_DONTWAIT, MT_DATA, (int)size + ETHER_ALIGN);
	if (m != NULL) {
		m->m_data += ETHER_ALIGN;
		memcpy(m->m_data, buf, size);
		m->m_len = m->m_pkthdr.len = (int)size;
		m->m_pkthdr.rcvif = fifp;
		(*fifp->if_input)(fifp, m);
	}
	host_leave(fh);
	run(MS);
	host_enter(fh);
	out = mbuf_outstanding();
	host_leave(fh);
	/* packets may wait for ARP/ND for seconds; a leak keeps growing */
	if (out > 4096) {
		run(30000 * MS);
		host_enter(fh);
		out = mbuf_outstanding();
		host_leave(fh);
		if (out != 0)
			fail("mbufs leaked");
	}
}

uint64_t
fuzz_ether_finish(uint64_t *echoes)
{
	struct ipstat st;
	struct ip6stat st6;
	struct icmpstat ist;
	unsigned out;

	*echoes = 0;
	if (fw == NULL)
		return 0;
	run(30000 * MS);
	host_enter(fh);
	out = mbuf_outstanding();
	ip_getstat(&st);
	ip6_getstat(&st6);
	icmp_getstat(&ist);
	host_leave(fh);
	if (out != 0)
		fail("mbufs leaked");
	*echoes = ist.icps_reflect;
	return st.ips_total + st6.ip6s_total;
}

uint64_t
fuzz_ether_reassembled(void)
{
	struct ipstat st;
	struct ip6stat st6;

	if (fw == NULL)
		return 0;
	host_enter(fh);
	ip_getstat(&st);
	ip6_getstat(&st6);
	host_leave(fh);
	return st.ips_reassembled + st6.ip6s_reassembled;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ether_one(data, size);
	return 0;
}
