/*
 * IPv4 fragmentation (RFC 791) and reassembly.
 *
 * Output: ip_fragment splits a datagram without DF that is larger than
 * the MTU into fragments whose payloads are multiples of 8 bytes (but
 * the last); the first keeps every option, the others only the options
 * whose copied flag is set.  A datagram that is itself a fragment (a
 * router splitting it again) keeps its offset and its MF flag on the
 * last piece.
 *
 * Input: ip_reass_packet queues fragments addressed to this host, per
 * (source, destination, id, protocol), in the host's table ip_fragq
 * (netinet/ip_fragq.h; overlaps trimmed the BSD way).  A malformed
 * fragment (no payload, a non-last one not a multiple of 8 bytes long,
 * one ending past 65535 bytes) is counted and dropped.  A datagram not
 * complete after net.inet.ip.fragttl ticks is dropped with an ICMP time
 * exceeded (reassembly) when its first fragment had arrived.
 */
#include "net/if.h"
#include "sys/sysctl.h"
#include "netinet/in_var.h"
#include "netinet/ip_fragq.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"

#define IPFRAGTTL	30000		/* ticks: 30 s, as BSD's 60 slow ticks */

VNET_DEFINE_STATIC(struct fragq_table, ip_fragq);
#define V_ip_fragq	VNET(ip_fragq)

FRAGQ_SYSCTLS(ipfq, "net.inet.ip.", ip_fragq);

#define IP_OUT_STAT(id, field, descr)					\
	SYSCTL_OID(ipos_##id, "net.inet.ip.stats." #id, CTLTYPE_QUAD,	\
	    CTLFLAG_READONLY | CTLFLAG_VNET,				\
	    &VNET_NAME(ipstat).field, 0, 0, softnet_stat_sysctl, descr)
IP_OUT_STAT(fragmented, ips_fragmented, "datagrams fragmented");
IP_OUT_STAT(ofragments, ips_ofragments, "fragments created");
IP_OUT_STAT(cantfrag, ips_cantfrag, "datagrams not sent: DF and too big");

static void
ip_reass_expired(struct mbuf *m)
{
	icmp_error(m, ICMP_TIMXCEED, ICMP_TIMXCEED_REASS, 0, 0);
}

static void
ip_frag_vnet_init(void)
{
	fragq_init(&V_ip_fragq, "ipqpl", "ipqepl", FRAGQ_TRIM,
	    ip_reass_expired, IPFRAGTTL);
}

static void
ip_frag_vnet_fini(void)
{
	fragq_fini(&V_ip_fragq);
}
VNET_SYSINIT(ip_frag, VNET_ORDER_PROTO, ip_frag_vnet_init, ip_frag_vnet_fini);

void
ip_reass_stat(struct ipstat *st)
{
	const struct fragq_stat *fs = &V_ip_fragq.ft_stat;

	st->ips_fragments = fs->fs_fragments;
	st->ips_fragdropped = fs->fs_dropped;
	st->ips_fragtimeout = fs->fs_timeout;
	st->ips_reassembled = fs->fs_reassembled;
	st->ips_fragqueues = fs->fs_queues;
}

struct mbuf *
ip_reass_packet(struct mbuf *m)
{
	struct ip *ip = mtod(m, struct ip *);
	struct fragq_key key;
	int hlen = ip->ip_hl << 2, len = ntohs(ip->ip_len) - hlen;
	int off = (ntohs(ip->ip_off) & IP_OFFMASK) << 3;
	bool more = (ntohs(ip->ip_off) & IP_MF) != 0;

	KASSERT(m->m_len >= hlen && m->m_pkthdr.len == hlen + len);
	if (len == 0 || (more && (len & 7) != 0) ||
	    hlen + off + len > IP_MAXPACKET) {
		fragq_bad(&V_ip_fragq, m);
		return NULL;
	}
	memset(&key, 0, sizeof(key));
	memcpy(&key.fk_src, &ip->ip_src, sizeof(ip->ip_src));
	memcpy(&key.fk_dst, &ip->ip_dst, sizeof(ip->ip_dst));
	key.fk_id = ip->ip_id;
	key.fk_proto = ip->ip_p;
	m = fragq_insert(&V_ip_fragq, &key, m, hlen, off, len, more, &hlen);
	if (m == NULL)
		return NULL;
	if (m->m_pkthdr.len > IP_MAXPACKET) {
		/* the first fragment's options made it too long */
		IP_STATINC(ips_toolong);
		m_freem(m);
		return NULL;
	}
	ip = mtod(m, struct ip *);
	ip->ip_len = htons((uint16_t)m->m_pkthdr.len);
	ip->ip_off = 0;
	ip->ip_sum = 0;
	ip->ip_sum = in_cksum(m, hlen);
	return m;
}

/*
 * The header of every fragment but the first: the fixed part and the
 * options with the copied flag, padded with EOL to a 32-bit boundary.
 * Returns its length.
 */
static int
ip_frag_hdr(const uint8_t *hdr, int hlen, uint8_t *out)
{
	const uint8_t *cp = hdr + sizeof(struct ip);
	int cnt = hlen - (int)sizeof(struct ip), n = sizeof(struct ip);
	int optlen;

	memcpy(out, hdr, sizeof(struct ip));
	for (; cnt > 0; cp += optlen, cnt -= optlen) {
		if (cp[0] == IPOPT_EOL)
			break;
		if (cp[0] == IPOPT_NOP) {
			optlen = 1;
			continue;
		}
		if (cnt < 2 || (optlen = cp[IPOPT_OLEN]) < 2 || optlen > cnt)
			break;
		if (IPOPT_COPIED(cp[0])) {
			memcpy(out + n, cp, (size_t)optlen);
			n += optlen;
		}
	}
	while (n & 3)
		out[n++] = IPOPT_EOL;
	((struct ip *)(void *)out)->ip_hl = (uint8_t)(n >> 2);
	return n;
}

int
ip_fragment(struct mbuf *m, struct ifnet *ifp, u_long mtu,
    const struct sockaddr *dst, struct rtentry *rt)
{
	uint8_t hdr[60], mhdr[60];
	struct ip *ip = mtod(m, struct ip *), *fip;
	struct mbuf *list = NULL, **tail = &list, *f;
	int hlen = ip->ip_hl << 2, datalen = ntohs(ip->ip_len) - hlen;
	int flen, off, len, h, mhlen, n = 0, dropped, error;
	int off0 = (ntohs(ip->ip_off) & IP_OFFMASK) << 3;
	bool mf0 = (ntohs(ip->ip_off) & IP_MF) != 0;

	KASSERT((ntohs(ip->ip_off) & IP_DF) == 0);
	flen = ((int)mtu - hlen) & ~7;
	if (flen < 8 || datalen <= 0) {
		IP_STATINC(ips_cantfrag);
		m_freem(m);
		return EMSGSIZE;
	}
	m_copydata(m, 0, hlen, hdr);
	mhlen = ip_frag_hdr(hdr, hlen, mhdr);
	for (off = 0; off < datalen; off += len) {
		len = datalen - off < flen ? datalen - off : flen;
		h = off == 0 ? hlen : mhlen;
		f = fragq_mkfrag(m, off == 0 ? hdr : mhdr, h, hlen + off, len);
		if (f == NULL) {
			m_freem_list(list);
			m_freem(m);
			IP_STATINC(ips_odropped);
			return ENOBUFS;
		}
		fip = mtod(f, struct ip *);
		fip->ip_len = htons((uint16_t)(h + len));
		fip->ip_off = htons((uint16_t)(((off0 + off) >> 3) |
		    (off + len < datalen || mf0 ? IP_MF : 0)));
		fip->ip_sum = 0;
		fip->ip_sum = in_cksum(f, h);
		*tail = f;
		tail = &f->m_nextpkt;
		n++;
	}
	m_freem(m);
	IP_STATINC(ips_fragmented);
	V_ipstat.ips_ofragments += (uint64_t)n;
	error = fragq_output(ifp, list, dst, rt, &dropped);
	V_ipstat.ips_odropped += (uint64_t)dropped;
	return error;
}
