/*
 * ICMP for IPv4: echo, errors about packets we drop, counters.
 *
 * Never an error about an ICMP error, a broadcast, a non-first
 * fragment or a packet from an unspecified or broadcast source
 * (RFC 1122 3.2.2).
 */
#include "net/if.h"
#include "net/route.h"
#include "netinet/in_var.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"

VNET_DEFINE_STATIC(struct icmpstat, icmpstat);
VNET_DEFINE_STATIC(struct icmp_reply_info, icmp_last);
#define V_icmpstat	VNET(icmpstat)
#define V_icmp_last	VNET(icmp_last)

void
icmp_getstat(struct icmpstat *st)
{
	*st = V_icmpstat;
}

void
icmp_last_reply(struct icmp_reply_info *ir)
{
	*ir = V_icmp_last;
}

static bool
icmp_is_error(int type)
{
	return type == ICMP_UNREACH || type == ICMP_SOURCEQUENCH ||
	    type == ICMP_REDIRECT || type == ICMP_TIMXCEED ||
	    type == ICMP_PARAMPROB;
}

/* Checksum the ICMP message at hlen and hand the packet to IP. */
static int
icmp_send(struct mbuf *m, int hlen)
{
	struct ip *ip = mtod(m, struct ip *);
	struct icmp *icp;

	icp = (struct icmp *)(void *)(mtod(m, char *) + hlen);
	icp->icmp_cksum = 0;
	icp->icmp_cksum = in_cksum_off(m, hlen, ntohs(ip->ip_len) - hlen);
	if (icp->icmp_type <= ICMP_MAXTYPE)
		V_icmpstat.icps_outhist[icp->icmp_type]++;
	return ip_output(m, NULL, 0, NULL);
}

void
icmp_error(struct mbuf *n, int type, int code, uint32_t dest, int mtu)
{
	struct ip *oip = mtod(n, struct ip *), *nip;
	struct icmp *icp;
	struct mbuf *m;
	int ohlen = oip->ip_hl << 2, qlen;

	(void)dest;
	V_icmpstat.icps_error++;
	if (ntohs(oip->ip_off) & IP_OFFMASK)
		goto free;
	if (oip->ip_p == IPPROTO_ICMP && type != ICMP_REDIRECT &&
	    n->m_len >= ohlen + ICMP_MINLEN) {
		icp = (struct icmp *)(void *)(mtod(n, char *) + ohlen);
		if (icmp_is_error(icp->icmp_type)) {
			V_icmpstat.icps_oldicmp++;
			goto free;
		}
	}
	if ((n->m_flags & (M_BCAST | M_MCAST)) ||
	    oip->ip_src.s_addr == INADDR_ANY ||
	    oip->ip_src.s_addr == INADDR_BROADCAST ||
	    IN_MULTICAST(ntohl(oip->ip_dst.s_addr)))
		goto free;
	/* quote the header and 8 bytes of data */
	qlen = n->m_pkthdr.len;
	if (qlen > ohlen + 8)
		qlen = ohlen + 8;
	if (qlen < ohlen) {
		V_icmpstat.icps_oldshort++;
		goto free;
	}
	m = m_gethdr(M_DONTWAIT, MT_DATA);
	if (m == NULL)
		goto free;
	m->m_len = m->m_pkthdr.len = (int)sizeof(struct ip) + ICMP_MINLEN +
	    qlen;
	KASSERT(m->m_len <= MHLEN);
	nip = mtod(m, struct ip *);
	memset(nip, 0, sizeof(*nip) + ICMP_MINLEN);
	icp = (struct icmp *)(void *)(nip + 1);
	icp->icmp_type = (uint8_t)type;
	icp->icmp_code = (uint8_t)code;
	if (type == ICMP_UNREACH && code == ICMP_UNREACH_NEEDFRAG)
		icp->icmp_nextmtu = htons((uint16_t)mtu);
	m_copydata(n, 0, qlen, icp->icmp_data);
	nip->ip_len = htons((uint16_t)m->m_len);
	nip->ip_ttl = (uint8_t)V_ip_defttl;
	nip->ip_p = IPPROTO_ICMP;
	nip->ip_dst = oip->ip_src;
	nip->ip_src.s_addr = INADDR_ANY;	/* ip_output picks it */
	(void)icmp_send(m, sizeof(struct ip));
free:
	m_freem(n);
}

int
icmp_echo_send(struct in_addr dst, uint16_t id, uint16_t seq, int datalen,
    int ttl, bool df)
{
	struct ip *ip;
	struct icmp *icp;
	struct mbuf *m;
	int len = (int)sizeof(struct ip) + ICMP_MINLEN + datalen, i, error;
	bool take = !mutex_owned(softnet_lock);

	if (datalen < 0 || len > IP_MAXPACKET)
		return EINVAL;
	m = m_getlen(M_DONTWAIT, MT_DATA, len);
	if (m == NULL)
		return ENOBUFS;
	m->m_len = m->m_pkthdr.len = len;
	ip = mtod(m, struct ip *);
	memset(ip, 0, sizeof(*ip));
	ip->ip_len = htons((uint16_t)len);
	ip->ip_off = df ? htons(IP_DF) : 0;
	ip->ip_ttl = (uint8_t)(ttl > 0 ? ttl : V_ip_defttl);
	ip->ip_p = IPPROTO_ICMP;
	ip->ip_dst = dst;
	icp = (struct icmp *)(void *)(ip + 1);
	icp->icmp_type = ICMP_ECHO;
	icp->icmp_code = 0;
	icp->icmp_id = htons(id);
	icp->icmp_seq = htons(seq);
	for (i = 0; i < datalen; i++)
		icp->icmp_data[i] = (uint8_t)i;
	if (take)
		mutex_enter(softnet_lock);
	error = icmp_send(m, sizeof(struct ip));
	if (take)
		mutex_exit(softnet_lock);
	return error;
}

/* Echo: turn the request around. */
static void
icmp_reflect(struct mbuf *m, int hlen)
{
	struct ip *ip = mtod(m, struct ip *);
	struct in_addr t = ip->ip_dst;

	if (hlen > (int)sizeof(struct ip)) {
		/* drop the options: our reply has none */
		memmove(mtod(m, char *) + hlen - sizeof(struct ip), ip,
		    sizeof(struct ip));
		m_adj(m, hlen - (int)sizeof(struct ip));
		ip = mtod(m, struct ip *);
		ip->ip_len = htons((uint16_t)m->m_pkthdr.len);
		ip->ip_hl = sizeof(struct ip) >> 2;
	}
	ip->ip_dst = ip->ip_src;
	ip->ip_src = t;
	if (in_ifaddr_lookup(t) == NULL)
		ip->ip_src.s_addr = INADDR_ANY;	/* to a broadcast */
	ip->ip_ttl = (uint8_t)V_ip_defttl;
	ip->ip_off = 0;
	V_icmpstat.icps_reflect++;
	(void)icmp_send(m, sizeof(struct ip));
}

void
icmp_input(struct mbuf *m, int hlen)
{
	struct ip *ip = mtod(m, struct ip *);
	struct icmp *icp;
	int icmplen = ntohs(ip->ip_len) - hlen;

	if (icmplen < ICMP_MINLEN) {
		V_icmpstat.icps_tooshort++;
		goto free;
	}
	if (in_cksum_off(m, hlen, icmplen) != 0) {
		V_icmpstat.icps_checksum++;
		goto free;
	}
	if ((m = m_pullup(m, hlen + ICMP_MINLEN)) == NULL) {
		V_icmpstat.icps_tooshort++;
		return;
	}
	ip = mtod(m, struct ip *);
	icp = (struct icmp *)(void *)(mtod(m, char *) + hlen);
	if (icp->icmp_type > ICMP_MAXTYPE)
		goto free;
	V_icmpstat.icps_inhist[icp->icmp_type]++;
	rip_input(m, hlen);	/* raw sockets see every valid message */
	if (icp->icmp_type != ICMP_ECHO) {
		/* for ping and tests: remember what came back */
		V_icmp_last.ir_src = ip->ip_src;
		V_icmp_last.ir_type = icp->icmp_type;
		V_icmp_last.ir_code = icp->icmp_code;
		V_icmp_last.ir_ttl = ip->ip_ttl;
		V_icmp_last.ir_time = getnanouptime();
		if (icp->icmp_type == ICMP_ECHOREPLY) {
			V_icmp_last.ir_id = ntohs(icp->icmp_id);
			V_icmp_last.ir_seq = ntohs(icp->icmp_seq);
		}
		if (icp->icmp_type == ICMP_UNREACH &&
		    icp->icmp_code == ICMP_UNREACH_NEEDFRAG)
			V_icmp_last.ir_nextmtu = ntohs(icp->icmp_nextmtu);
		goto free;
	}
	if (m->m_flags & (M_BCAST | M_MCAST)) {
		V_icmpstat.icps_bmcastecho++;
		goto free;
	}
	icp->icmp_type = ICMP_ECHOREPLY;
	icmp_reflect(m, hlen);
	return;
free:
	m_freem(m);
}
