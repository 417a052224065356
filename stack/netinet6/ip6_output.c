/*
 * IPv6 output: like ip_output (a caller's route cache or an on-stack
 * one, the probe knit:ip6:ip6_output:rtcache_validated between
 * validation and use).  Over the MTU the source fragments (ip6_frag.c);
 * a router refuses with EMSGSIZE (packet too big).
 * Link-local addresses lose their embedded scope just before the
 * packet goes to the interface.
 */
#include "net/if.h"
#include "net/route.h"
#include "sys/atomic.h"
#include "sys/sdt.h"
#include "netinet6/in6_var.h"
#include "netinet6/ip6_var.h"

SDT_PROBE_DEFINE(knit, ip6, ip6_output, rtcache_validated,
    "struct route *ro, struct rtentry *rt, struct mbuf *m");

/*
 * The source address for a packet to dst: our address of the same
 * scope on the outgoing interface (dst itself if it is ours).
 */
int
in6_src_for(const struct in6_addr *dst, struct in6_addr *src)
{
	struct sockaddr_in6 sin6;
	struct in6_ifaddr *ia;
	struct rtentry *rt;

	if (in6_ifaddr_lookup(dst) != NULL) {
		*src = *dst;
		return 0;
	}
	(void)sockaddr_in6_init(&sin6, dst, 0, 0, 0);
	rt = rtalloc1(sin6tocsa(&sin6), 0);
	if (rt == NULL)
		return EHOSTUNREACH;
	ia = in6_select_src(rt->rt_ifp, dst);
	rtfree(rt);
	if (ia == NULL)
		return EADDRNOTAVAIL;
	*src = ia->ia_addr.sin6_addr;
	return 0;
}

int
ip6_nd_output(struct ifnet *ifp, struct mbuf *m)
{
	struct ip6_hdr *ip6 = mtod(m, struct ip6_hdr *);
	struct sockaddr_in6 dst;
	int plen = ntohs(ip6->ip6_plen);
	uint16_t *sum;

	(void)sockaddr_in6_init(&dst, &ip6->ip6_dst, 0, 0, 0);
	in6_clearscope(&ip6->ip6_src);
	in6_clearscope(&ip6->ip6_dst);
	sum = (uint16_t *)(void *)(mtod(m, char *) + sizeof(*ip6) + 2);
	*sum = 0;
	*sum = in6_cksum(m, IPPROTO_ICMPV6, sizeof(*ip6), plen);
	V_ip6stat.ip6s_localout++;
	return (*ifp->if_output)(ifp, m, sin6tocsa(&dst), NULL);
}

int
ip6_output(struct mbuf *m, struct route *ro, int flags, u_long *mtup)
{
	struct route ip6route;
	struct sockaddr_in6 dst;
	struct rtentry *rt;
	struct ifnet *ifp;
	struct ip6_hdr *ip6;
	struct in6_ifaddr *ia;
	u_long mtu;
	int error = 0;

	KASSERT(m->m_flags & M_PKTHDR);
	if (ro == NULL) {
		memset(&ip6route, 0, sizeof(ip6route));
		ro = &ip6route;
	}
	if (m->m_len < (int)sizeof(*ip6) &&
	    (m = m_pullup(m, sizeof(*ip6))) == NULL) {
		error = ENOBUFS;
		goto done;
	}
	ip6 = mtod(m, struct ip6_hdr *);
	if ((flags & IPV6_FORWARDING) == 0) {
		ip6->ip6_flow = (ip6->ip6_flow & ~htonl(0xf0000000U)) |
		    htonl(0x60000000U);
		V_ip6stat.ip6s_localout++;
	}
	(void)sockaddr_in6_init(&dst, &ip6->ip6_dst, 0, 0, 0);
	rt = rtcache_lookup(ro, sin6tocsa(&dst));
	SDT_PROBE3(knit, ip6, ip6_output, rtcache_validated, ro, rt, m);
	if (rt == NULL) {
		V_ip6stat.ip6s_noroute++;
		error = EHOSTUNREACH;
		goto bad;
	}
	ifp = rt->rt_ifp;
	atomic_add_64(&rt->rt_use, 1);
	if (IN6_IS_ADDR_UNSPECIFIED(&ip6->ip6_src)) {
		ia = in6_select_src(ifp, &ip6->ip6_dst);
		if (ia == NULL) {
			error = EADDRNOTAVAIL;
			goto bad;
		}
		ip6->ip6_src = ia->ia_addr.sin6_addr;
	}
	mtu = ifp->if_mtu;
	if (rt->rt_rmx.rmx_mtu != 0 && rt->rt_rmx.rmx_mtu < mtu)
		mtu = rt->rt_rmx.rmx_mtu;
	if (sizeof(*ip6) + ntohs(ip6->ip6_plen) > mtu &&
	    (flags & IPV6_FORWARDING) != 0) {
		V_ip6stat.ip6s_toobig++;
		if (mtup != NULL)
			*mtup = mtu;
		error = EMSGSIZE;
		goto bad;
	}
	in6_clearscope(&ip6->ip6_src);
	in6_clearscope(&ip6->ip6_dst);
	if (sizeof(*ip6) + ntohs(ip6->ip6_plen) > mtu) {
		error = frag6_output(m, ifp, mtu, sin6tocsa(&dst), rt);
		goto done;
	}
	error = (*ifp->if_output)(ifp, m, sin6tocsa(&dst), rt);
	if (error != 0)
		V_ip6stat.ip6s_odropped++;
done:
	if (ro == &ip6route)
		rtcache_free(ro);
	return error;
bad:
	m_freem(m);
	goto done;
}
