/*
 * UDP input for IPv4 and IPv6: checksum, length, and delivery to the
 * matching PCB (udp_pcb.c); a datagram for a port nobody holds gets a
 * port unreachable (counted in udps_noport).
 */
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"
#include "netinet/udp.h"
#include "netinet/udp_var.h"
#include "netinet6/icmp6.h"
#include "netinet6/ip6_var.h"

VNET_DEFINE(struct udpstat, udpstat);

void
udp_getstat(struct udpstat *st)
{
	*st = V_udpstat;
}

void
udp_input(struct mbuf *m, int off)
{
	struct ip *ip = mtod(m, struct ip *);
	struct udphdr uh;
	int len;

	V_udpstat.udps_ipackets++;
	len = ntohs(ip->ip_len) - off;
	if (len < (int)sizeof(uh)) {
		V_udpstat.udps_hdrops++;
		goto bad;
	}
	m_copydata(m, off, sizeof(uh), &uh);
	if (ntohs(uh.uh_ulen) != len) {
		if (ntohs(uh.uh_ulen) > len || ntohs(uh.uh_ulen) < sizeof(uh)) {
			V_udpstat.udps_badlen++;
			goto bad;
		}
		m_adj(m, ntohs(uh.uh_ulen) - len);
		len = ntohs(uh.uh_ulen);
		ip = mtod(m, struct ip *);
	}
	if (uh.uh_sum != 0 &&
	    in4_cksum(m, IPPROTO_UDP, off, len) != 0) {
		V_udpstat.udps_badsum++;
		goto bad;
	}
	if (udp4_deliver(m, off, &uh))
		return;
	if (m->m_flags & (M_BCAST | M_MCAST)) {
		V_udpstat.udps_noportbcast++;
		goto bad;
	}
	V_udpstat.udps_noport++;
	icmp_error(m, ICMP_UNREACH, ICMP_UNREACH_PORT, 0, 0);
	return;
bad:
	m_freem(m);
}

void
udp6_input(struct mbuf *m, int off)
{
	struct udphdr uh;
	int len = m->m_pkthdr.len - off;

	V_udpstat.udps_ipackets++;
	if (len < (int)sizeof(uh)) {
		V_udpstat.udps_hdrops++;
		goto bad;
	}
	m_copydata(m, off, sizeof(uh), &uh);
	if (ntohs(uh.uh_ulen) != len) {
		V_udpstat.udps_badlen++;
		goto bad;
	}
	/* the checksum is mandatory over IPv6 */
	if (uh.uh_sum == 0 || in6_cksum(m, IPPROTO_UDP, off, len) != 0) {
		V_udpstat.udps_badsum++;
		goto bad;
	}
	if (udp6_deliver(m, off, &uh))
		return;
	V_udpstat.udps_noport++;
	icmp6_error(m, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_NOPORT, 0);
	return;
bad:
	m_freem(m);
}
