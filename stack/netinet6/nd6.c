/*
 * IPv6 Neighbor Discovery: address resolution only (NS/NA, RFC 4861
 * section 7), on the neighbour table.  No router or prefix discovery:
 * routes and addresses are configured.
 *
 * Solicitations go to the target's solicited-node multicast address
 * with our link-layer address as an option; advertisements answer with
 * the target's.  Both must arrive with hop limit 255.
 */
#include "net/if.h"
#include "net/if_ether.h"
#include "netinet6/icmp6.h"
#include "netinet6/in6_var.h"
#include "netinet6/ip6_var.h"
#include "netinet6/nd6.h"

VNET_DEFINE(struct lltable, nd6_table);

LLTABLE_SYSCTLS(nd6, "net.inet6.nd6.", nd6_table, "neighbor discovery");

static void nd6_ns_output(struct ifnet *, const void *);

static void
nd6_release(struct ifnet *ifp, const void *addr, struct mbuf *m)
{
	struct sockaddr_in6 dst;

	(void)sockaddr_in6_init(&dst, addr, 0, 0, 0);
	(void)(*ifp->if_output)(ifp, m, sin6tocsa(&dst), NULL);
}

static void
nd6_vnet_init(void)
{
	lltable_init(&V_nd6_table, AF_INET6, nd6_ns_output, nd6_release);
}

static void
nd6_vnet_fini(void)
{
	lltable_fini(&V_nd6_table);
}
/* before the interfaces: lo0 is detached while the table still exists */
VNET_SYSINIT(nd6, VNET_ORDER_IF - 2, nd6_vnet_init, nd6_vnet_fini);

/* Build an NS or NA with a link-layer address option and send it. */
static void
nd6_output(struct ifnet *ifp, int type, const struct in6_addr *src,
    const struct in6_addr *dst, const struct in6_addr *target,
    uint32_t naflags)
{
	struct ip6_hdr *ip6;
	struct nd_neighbor_solicit *ns;
	uint8_t *opt;
	struct mbuf *m;
	int icmplen = (int)sizeof(*ns) + 8;

	if ((m = m_gethdr(M_DONTWAIT, MT_DATA)) == NULL)
		return;
	m->m_len = m->m_pkthdr.len = (int)sizeof(*ip6) + icmplen;
	ip6 = mtod(m, struct ip6_hdr *);
	memset(ip6, 0, (size_t)m->m_len);
	ip6->ip6_flow = htonl(0x60000000U);
	ip6->ip6_plen = htons((uint16_t)icmplen);
	ip6->ip6_nxt = IPPROTO_ICMPV6;
	ip6->ip6_hlim = 255;
	ip6->ip6_src = *src;
	ip6->ip6_dst = *dst;
	/* NS and NA share their layout up to the target */
	ns = (struct nd_neighbor_solicit *)(void *)(ip6 + 1);
	ns->nd_ns_type = (uint8_t)type;
	ns->nd_ns_reserved = htonl(naflags);
	ns->nd_ns_target = *target;
	in6_clearscope(&ns->nd_ns_target);
	opt = (uint8_t *)(ns + 1);
	opt[0] = type == ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LINKADDR :
	    ND_OPT_TARGET_LINKADDR;
	opt[1] = 1;			/* 8 bytes */
	memcpy(opt + 2, ifp->if_lladdr, ETHER_ADDR_LEN);
	(void)ip6_nd_output(ifp, m);
}

static void
nd6_ns_output(struct ifnet *ifp, const void *vtarget)
{
	struct in6_addr target, dst;
	struct in6_ifaddr *src;

	memcpy(&target, vtarget, sizeof(target));
	src = in6_select_src(ifp, &target);
	if (src == NULL)
		src = in6_ifaddr_of_ifp(ifp, true);
	if (src == NULL || !if_is_up_running(ifp))
		return;
	/* solicited-node multicast ff02::1:ffXX:XXXX */
	memset(&dst, 0, sizeof(dst));
	dst.s6_addr[0] = 0xff;
	dst.s6_addr[1] = 0x02;
	dst.s6_addr[11] = 0x01;
	dst.s6_addr[12] = 0xff;
	memcpy(&dst.s6_addr[13], &target.s6_addr[13], 3);
	nd6_output(ifp, ND_NEIGHBOR_SOLICIT, &src->ia_addr.sin6_addr, &dst,
	    &target, 0);
}

int
nd6_resolve(struct ifnet *ifp, const struct in6_addr *dst, struct mbuf *m,
    uint8_t *desten)
{
	return lltable_resolve(&V_nd6_table, ifp, dst, m, desten);
}

bool
nd6_lookup(struct ifnet *ifp, const struct in6_addr *a, uint8_t *lladdr)
{
	struct in6_addr k = *a;

	in6_setscope(&k, ifp->if_index);
	return lltable_lookup(&V_nd6_table, ifp, &k, lladdr);
}

/* The link-layer address option of an NS/NA, or NULL. */
static const uint8_t *
nd6_lladdr_opt(struct mbuf *m, int off, int len, int want)
{
	const uint8_t *p;

	while (len >= 8) {
		p = mtod(m, const uint8_t *) + off;
		if (p[1] == 0)
			return NULL;
		if (p[1] * 8 > len)
			return NULL;
		if (p[0] == want && p[1] == 1)
			return p + 2;
		off += p[1] * 8;
		len -= p[1] * 8;
	}
	return NULL;
}

void
nd6_ns_input(struct mbuf *m, int off, int icmp6len)
{
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct ip6_hdr *ip6 = mtod(m, struct ip6_hdr *);
	struct nd_neighbor_solicit *ns;
	struct in6_addr target, src;
	struct in6_ifaddr *ia;
	const uint8_t *lla;

	if (icmp6len < (int)sizeof(*ns) || ip6->ip6_hlim != 255 ||
	    (m = m_pullup(m, off + icmp6len)) == NULL)
		goto bad;
	ip6 = mtod(m, struct ip6_hdr *);
	ns = (struct nd_neighbor_solicit *)(void *)(mtod(m, char *) + off);
	target = ns->nd_ns_target;
	in6_setscope(&target, ifp->if_index);
	ia = in6_ifaddr_lookup(&target);
	if (ia == NULL || ia->ia_ifa.ifa_ifp != ifp)
		goto free;		/* not ours: ignore */
	lla = nd6_lladdr_opt(m, off + (int)sizeof(*ns),
	    icmp6len - (int)sizeof(*ns), ND_OPT_SOURCE_LINKADDR);
	src = ip6->ip6_src;		/* scope embedded by ip6_input */
	if (IN6_IS_ADDR_UNSPECIFIED(&src))
		goto free;		/* duplicate address detection: none */
	if (lla != NULL)
		lltable_update(&V_nd6_table, ifp, &src, lla, true);
	nd6_output(ifp, ND_NEIGHBOR_ADVERT, &ia->ia_addr.sin6_addr, &src,
	    &target, ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE);
free:
	m_freem(m);
	return;
bad:
	icmp6_badnd(ND_NEIGHBOR_SOLICIT);
	m_freem(m);
}

void
nd6_na_input(struct mbuf *m, int off, int icmp6len)
{
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct ip6_hdr *ip6 = mtod(m, struct ip6_hdr *);
	struct nd_neighbor_advert *na;
	struct in6_addr target;
	const uint8_t *lla;

	if (icmp6len < (int)sizeof(*na) || ip6->ip6_hlim != 255 ||
	    (m = m_pullup(m, off + icmp6len)) == NULL)
		goto bad;
	na = (struct nd_neighbor_advert *)(void *)(mtod(m, char *) + off);
	target = na->nd_na_target;
	in6_setscope(&target, ifp->if_index);
	lla = nd6_lladdr_opt(m, off + (int)sizeof(*na),
	    icmp6len - (int)sizeof(*na), ND_OPT_TARGET_LINKADDR);
	if (lla != NULL)
		lltable_update(&V_nd6_table, ifp, &target, lla, false);
	m_freem(m);
	return;
bad:
	icmp6_badnd(ND_NEIGHBOR_ADVERT);
	m_freem(m);
}
