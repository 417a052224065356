/*
 * IPv6 input and forwarding (ip6intr softint, softnet_lock held).
 *
 * Only the headers knit speaks are followed: ICMPv6 and UDP directly
 * after the IPv6 header or after a fragment header (reassembled by
 * ip6_frag.c); anything else is counted (noproto) and dropped.
 * Forwarding uses the host's cache ip6_forward_rt, revalidated per
 * packet like ipforward_rt.
 */
#include "net/if.h"
#include "net/pktqueue.h"
#include "net/route.h"
#include "sys/sdt.h"
#include "sys/sysctl.h"
#include "netinet6/icmp6.h"
#include "netinet6/in6_var.h"
#include "netinet6/ip6_var.h"

VNET_DEFINE(int, ip6_forwarding);
VNET_DEFINE(struct route, ip6_forward_rt);
VNET_DEFINE(struct ip6stat, ip6stat);
VNET_DEFINE(struct pktqueue *, ip6_pktq);
/*
 * What ip6_forward keeps of the packet it forwards, for an ICMPv6 error
 * (as much of it as fits in the minimum MTU with the error's headers):
 * one area per host, since forwarding runs with softnet_lock held.
 */
#define IP6_FWD_QUOTE	(IPV6_MMTU - 48)
VNET_DEFINE_STATIC(uint8_t, ip6_fwd_quote[IP6_FWD_QUOTE]);
#define V_ip6_fwd_quote	VNET(ip6_fwd_quote)

SYSCTL_VNET_INT(ip6_forwarding, "net.inet6.ip6.forwarding", ip6_forwarding,
    0, 1, "Forward IPv6 packets between interfaces");

SDT_PROBE_DEFINE(knit, ip6, ip6_forward, rtcache_validated,
    "struct route *ro, struct rtentry *rt, struct mbuf *m");

static void
ip6_vnet_init(void)
{
	V_ip6_pktq = pktq_create("ip6", 1024, ip6_input);
}

static void
ip6_vnet_fini(void)
{
	pktq_destroy(V_ip6_pktq);
	V_ip6_pktq = NULL;
	rtcache_free(&V_ip6_forward_rt);
}
VNET_SYSINIT(ip6, VNET_ORDER_PROTO, ip6_vnet_init, ip6_vnet_fini);

void
ip6_getstat(struct ip6stat *st)
{
	*st = V_ip6stat;
	frag6_stat(st);
}

static void
ip6_forward(struct mbuf *m)
{
	struct ip6_hdr *ip6 = mtod(m, struct ip6_hdr *);
	struct sockaddr_in6 dst;
	struct rtentry *rt;
	struct mbuf *mcopy;
	struct mbuf_snap ms;
	u_long mtu = 0;
	int error, type, code;

	if (IN6_IS_ADDR_MULTICAST(&ip6->ip6_dst) ||
	    IN6_IS_ADDR_UNSPECIFIED(&ip6->ip6_src) ||
	    IN6_IS_SCOPE_LINKLOCAL(&ip6->ip6_src) ||
	    IN6_IS_SCOPE_LINKLOCAL(&ip6->ip6_dst)) {
		V_ip6stat.ip6s_cantforward++;
		m_freem(m);
		return;
	}
	if (ip6->ip6_hlim <= 1) {
		V_ip6stat.ip6s_timxceed++;
		icmp6_error(m, ICMP6_TIME_EXCEEDED, ICMP6_TIME_EXCEED_TRANSIT,
		    0);
		return;
	}
	(void)sockaddr_in6_init(&dst, &ip6->ip6_dst, 0, 0, 0);
	rt = rtcache_lookup(&V_ip6_forward_rt, sin6tocsa(&dst));
	if (rt == NULL) {
		V_ip6stat.ip6s_noroute++;
		icmp6_error(m, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_NOROUTE, 0);
		return;
	}
	SDT_PROBE3(knit, ip6, ip6_forward, rtcache_validated,
	    &V_ip6_forward_rt, rt, m);
	/* no mbuf for the quote unless an error is sent (m_snap) */
	KASSERT(mutex_owned(softnet_lock));
	m_snap(&ms, m, IP6_FWD_QUOTE, V_ip6_fwd_quote);
	ip6->ip6_hlim--;
	error = ip6_output(m, &V_ip6_forward_rt, IPV6_FORWARDING, &mtu);
	if (error == 0) {
		V_ip6stat.ip6s_forward++;
		return;
	}
	V_ip6stat.ip6s_cantforward++;
	switch (error) {
	case EMSGSIZE:
		type = ICMP6_PACKET_TOO_BIG;
		code = 0;
		break;
	case ENETUNREACH:
		type = ICMP6_DST_UNREACH;
		code = ICMP6_DST_UNREACH_NOROUTE;
		break;
	case EHOSTUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
		type = ICMP6_DST_UNREACH;
		code = ICMP6_DST_UNREACH_ADDR;
		break;
	default:
		return;
	}
	if ((mcopy = m_snap_mbuf(&ms)) != NULL)
		icmp6_error(mcopy, type, code,
		    type == ICMP6_PACKET_TOO_BIG ? (int)mtu : 0);
}

void
ip6_input(struct mbuf *m)
{
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct ip6_hdr *ip6;
	int plen;

	KASSERT(mutex_owned(softnet_lock));
	V_ip6stat.ip6s_total++;
	if (m->m_pkthdr.len < (int)sizeof(*ip6) ||
	    (m->m_len < (int)sizeof(*ip6) &&
	    (m = m_pullup(m, sizeof(*ip6))) == NULL)) {
		V_ip6stat.ip6s_toosmall++;
		m_freem(m);
		return;
	}
	ip6 = mtod(m, struct ip6_hdr *);
	if ((ntohl(ip6->ip6_flow) >> 28) != 6) {
		V_ip6stat.ip6s_badvers++;
		goto bad;
	}
	plen = ntohs(ip6->ip6_plen);
	if (plen == 0 || (int)sizeof(*ip6) + plen > m->m_pkthdr.len) {
		/* no jumbograms */
		V_ip6stat.ip6s_tooshort++;
		goto bad;
	}
	if (m->m_pkthdr.len > (int)sizeof(*ip6) + plen)
		m_adj(m, (int)sizeof(*ip6) + plen - m->m_pkthdr.len);
	if (IN6_IS_ADDR_MULTICAST(&ip6->ip6_src) ||
	    IN6_IS_ADDR_V4MAPPED(&ip6->ip6_src) ||
	    IN6_IS_ADDR_V4MAPPED(&ip6->ip6_dst) ||
	    (IN6_IS_ADDR_LOOPBACK(&ip6->ip6_dst) &&
	    (ifp->if_flags & IFF_LOOPBACK) == 0)) {
		V_ip6stat.ip6s_badscope++;
		goto bad;
	}
	if ((ifp->if_flags & IFF_LOOPBACK) == 0) {
		in6_setscope(&ip6->ip6_src, ifp->if_index);
		in6_setscope(&ip6->ip6_dst, ifp->if_index);
	}
	if (!IN6_IS_ADDR_MULTICAST(&ip6->ip6_dst) &&
	    in6_ifaddr_lookup(&ip6->ip6_dst) == NULL) {
		if (!V_ip6_forwarding) {
			V_ip6stat.ip6s_cantforward++;
			goto bad;
		}
		ip6_forward(m);
		return;
	}
	if (IN6_IS_ADDR_MULTICAST(&ip6->ip6_dst) &&
	    !IN6_IS_ADDR_MC_LINKLOCAL(&ip6->ip6_dst)) {
		V_ip6stat.ip6s_cantforward++;	/* no multicast routing */
		goto bad;
	}
	if (ip6->ip6_nxt == IPPROTO_FRAGMENT) {
		if ((m = frag6_input(m)) == NULL)
			return;
		ip6 = mtod(m, struct ip6_hdr *);
	}
	V_ip6stat.ip6s_delivered++;
	switch (ip6->ip6_nxt) {
	case IPPROTO_ICMPV6:
		icmp6_input(m, sizeof(*ip6));
		return;
	case IPPROTO_UDP:
		udp6_input(m, sizeof(*ip6));
		return;
	default:
		V_ip6stat.ip6s_noproto++;
		goto bad;
	}
bad:
	m_freem(m);
}
