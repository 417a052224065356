/*
 * ICMPv6: echo, errors (RFC 4443 2.4 rules: never about an error, a
 * multicast other than for packet too big, or an unspecified source),
 * dispatch of neighbour discovery.
 */
#include "net/if.h"
#include "net/route.h"
#include "netinet6/icmp6.h"
#include "netinet6/in6_var.h"
#include "netinet6/ip6_var.h"
#include "netinet6/nd6.h"

VNET_DEFINE_STATIC(struct icmp6stat, icmp6stat);
VNET_DEFINE_STATIC(struct icmp6_reply_info, icmp6_last);
#define V_icmp6stat	VNET(icmp6stat)
#define V_icmp6_last	VNET(icmp6_last)

void
icmp6_getstat(struct icmp6stat *st)
{
	*st = V_icmp6stat;
}

void
icmp6_last_reply(struct icmp6_reply_info *ir)
{
	*ir = V_icmp6_last;
}

void
icmp6_badnd(int type)
{
	if (type == ND_NEIGHBOR_SOLICIT)
		V_icmp6stat.icp6s_badns++;
	else
		V_icmp6stat.icp6s_badna++;
}

/* Checksum the ICMPv6 message after the IPv6 header and send it. */
static int
icmp6_send(struct mbuf *m, struct ifnet *ifp)
{
	struct ip6_hdr *ip6 = mtod(m, struct ip6_hdr *);
	struct icmp6_hdr *icp = (struct icmp6_hdr *)(void *)(ip6 + 1);
	int plen = ntohs(ip6->ip6_plen);

	icp->icmp6_cksum = 0;
	icp->icmp6_cksum = in6_cksum(m, IPPROTO_ICMPV6, sizeof(*ip6), plen);
	V_icmp6stat.icp6s_outhist[icp->icmp6_type]++;
	if (ifp != NULL && IN6_IS_ADDR_MULTICAST(&ip6->ip6_dst))
		return ip6_nd_output(ifp, m);
	return ip6_output(m, NULL, 0, NULL);
}

void
icmp6_error(struct mbuf *n, int type, int code, int param)
{
	struct ip6_hdr *oip6 = mtod(n, struct ip6_hdr *), *ip6;
	struct icmp6_hdr *icp;
	struct mbuf *m;
	int qlen, len;

	V_icmp6stat.icp6s_error++;
	if (IN6_IS_ADDR_MULTICAST(&oip6->ip6_dst) &&
	    type != ICMP6_PACKET_TOO_BIG)
		goto free;
	if (IN6_IS_ADDR_UNSPECIFIED(&oip6->ip6_src) ||
	    IN6_IS_ADDR_MULTICAST(&oip6->ip6_src))
		goto free;
	if (oip6->ip6_nxt == IPPROTO_ICMPV6 &&
	    n->m_pkthdr.len >= (int)sizeof(*oip6) + 1) {
		uint8_t t;

		m_copydata(n, sizeof(*oip6), 1, &t);
		if (t < ICMP6_ECHO_REQUEST)
			goto free;	/* never about an error */
	}
	qlen = n->m_pkthdr.len;
	if (qlen > IPV6_MMTU - (int)sizeof(*ip6) - 8)
		qlen = IPV6_MMTU - (int)sizeof(*ip6) - 8;
	len = (int)sizeof(*ip6) + 8 + qlen;
	if ((m = m_getlen(M_DONTWAIT, MT_DATA, len)) == NULL)
		goto free;
	m->m_len = m->m_pkthdr.len = len;
	ip6 = mtod(m, struct ip6_hdr *);
	memset(ip6, 0, sizeof(*ip6) + 8);
	ip6->ip6_plen = htons((uint16_t)(8 + qlen));
	ip6->ip6_nxt = IPPROTO_ICMPV6;
	ip6->ip6_hlim = IPV6_DEFHLIM;
	ip6->ip6_dst = oip6->ip6_src;
	if (in6_src_for(&ip6->ip6_dst, &ip6->ip6_src) != 0) {
		m_freem(m);
		goto free;
	}
	icp = (struct icmp6_hdr *)(void *)(ip6 + 1);
	icp->icmp6_type = (uint8_t)type;
	icp->icmp6_code = (uint8_t)code;
	if (type == ICMP6_PACKET_TOO_BIG || type == ICMP6_PARAM_PROB)
		icp->icmp6_mtu = htonl((uint32_t)param);	/* or pptr */
	m_copydata(n, 0, qlen, icp + 1);
	/* the quoted header as it was on the wire */
	in6_clearscope(&((struct ip6_hdr *)(void *)(icp + 1))->ip6_src);
	in6_clearscope(&((struct ip6_hdr *)(void *)(icp + 1))->ip6_dst);
	(void)icmp6_send(m, NULL);
free:
	m_freem(n);
}

int
icmp6_echo_send(const struct in6_addr *udst, struct ifnet *ifp, uint16_t id,
    uint16_t seq, int datalen, int hlim)
{
	struct ip6_hdr *ip6;
	struct icmp6_hdr *icp;
	struct mbuf *m;
	struct in6_addr dst = *udst;
	int len = (int)sizeof(*ip6) + 8 + datalen, i, error;
	bool take = !mutex_owned(softnet_lock);

	if (datalen < 0 || len - (int)sizeof(*ip6) > IPV6_MAXPACKET)
		return EINVAL;
	if (IN6_IS_SCOPE_LINKLOCAL(&dst)) {
		if (ifp == NULL)
			return EINVAL;
		in6_setscope(&dst, ifp->if_index);
	}
	if ((m = m_getlen(M_DONTWAIT, MT_DATA, len)) == NULL)
		return ENOBUFS;
	m->m_len = m->m_pkthdr.len = len;
	ip6 = mtod(m, struct ip6_hdr *);
	memset(ip6, 0, sizeof(*ip6) + 8);
	ip6->ip6_plen = htons((uint16_t)(len - (int)sizeof(*ip6)));
	ip6->ip6_nxt = IPPROTO_ICMPV6;
	ip6->ip6_hlim = (uint8_t)(hlim > 0 ? hlim : IPV6_DEFHLIM);
	ip6->ip6_dst = dst;
	icp = (struct icmp6_hdr *)(void *)(ip6 + 1);
	icp->icmp6_type = ICMP6_ECHO_REQUEST;
	icp->icmp6_id = htons(id);
	icp->icmp6_seq = htons(seq);
	for (i = 0; i < datalen; i++)
		((uint8_t *)(icp + 1))[i] = (uint8_t)i;
	if (take)
		mutex_enter(softnet_lock);
	error = in6_src_for(&dst, &ip6->ip6_src);
	if (error == 0)
		error = icmp6_send(m, NULL);
	else
		m_freem(m);
	if (take)
		mutex_exit(softnet_lock);
	return error;
}

void
icmp6_input(struct mbuf *m, int off)
{
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct ip6_hdr *ip6;
	struct icmp6_hdr *icp;
	struct in6_addr t;
	struct in6_ifaddr *ia;
	int icmp6len = m->m_pkthdr.len - off;

	if (icmp6len < (int)sizeof(*icp)) {
		V_icmp6stat.icp6s_tooshort++;
		goto free;
	}
	if (in6_cksum(m, IPPROTO_ICMPV6, off, icmp6len) != 0) {
		V_icmp6stat.icp6s_checksum++;
		goto free;
	}
	if ((m = m_pullup(m, off + (int)sizeof(*icp))) == NULL) {
		V_icmp6stat.icp6s_tooshort++;
		return;
	}
	ip6 = mtod(m, struct ip6_hdr *);
	icp = (struct icmp6_hdr *)(void *)(mtod(m, char *) + off);
	V_icmp6stat.icp6s_inhist[icp->icmp6_type]++;
	rip6_input(m, off);	/* raw sockets see every valid message */
	switch (icp->icmp6_type) {
	case ND_NEIGHBOR_SOLICIT:
		nd6_ns_input(m, off, icmp6len);
		return;
	case ND_NEIGHBOR_ADVERT:
		nd6_na_input(m, off, icmp6len);
		return;
	case ICMP6_ECHO_REQUEST:
		if (icp->icmp6_code != 0) {
			V_icmp6stat.icp6s_badcode++;
			goto free;
		}
		t = ip6->ip6_dst;
		if (IN6_IS_ADDR_MULTICAST(&t)) {
			ia = in6_select_src(ifp, &ip6->ip6_src);
			if (ia == NULL)
				goto free;
			t = ia->ia_addr.sin6_addr;
		}
		ip6->ip6_dst = ip6->ip6_src;
		ip6->ip6_src = t;
		ip6->ip6_hlim = IPV6_DEFHLIM;
		icp->icmp6_type = ICMP6_ECHO_REPLY;
		V_icmp6stat.icp6s_reflect++;
		(void)icmp6_send(m, NULL);
		return;
	default:
		V_icmp6_last.ir_src = ip6->ip6_src;
		in6_clearscope(&V_icmp6_last.ir_src);
		V_icmp6_last.ir_type = icp->icmp6_type;
		V_icmp6_last.ir_code = icp->icmp6_code;
		V_icmp6_last.ir_hlim = ip6->ip6_hlim;
		V_icmp6_last.ir_time = getnanouptime();
		if (icp->icmp6_type == ICMP6_ECHO_REPLY) {
			V_icmp6_last.ir_id = ntohs(icp->icmp6_id);
			V_icmp6_last.ir_seq = ntohs(icp->icmp6_seq);
		}
		if (icp->icmp6_type == ICMP6_PACKET_TOO_BIG) {
			V_icmp6_last.ir_mtu = ntohl(icp->icmp6_mtu);
			frag6_mtudisc(m, off);
		}
		goto free;
	}
free:
	m_freem(m);
}
