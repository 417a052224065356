/*
 * IPv6 fragmentation and reassembly (RFC 8200 4.5).
 *
 * Only the source fragments (routers send packet too big): frag6_output
 * puts a fragment header after the IPv6 header (knit sends no other
 * extension header, so the unfragmentable part is the IPv6 header) and
 * cuts the rest into pieces of multiples of 8 bytes under one 32-bit
 * identification from the host's counter.
 *
 * frag6_input queues fragments per (source, destination, identification)
 * in the host's table frag6q (netinet/ip_fragq.h): an exact duplicate is
 * dropped alone, any other overlap drops the datagram (RFC 5722).  A
 * fragment with no payload, a non-last one not a multiple of 8 bytes
 * long, or one ending past 65535 bytes is counted and dropped (the last
 * two with an ICMPv6 parameter problem); so is a nested fragment header.  A fragment header on a whole packet (offset
 * 0, M clear: an atomic fragment, RFC 6946) is just removed.  After
 * net.inet6.ip6.fragttl ticks an incomplete datagram is dropped, with
 * an ICMPv6 time exceeded (reassembly) when its first fragment had
 * arrived.
 *
 * Path MTU discovery (RFC 8201): a packet too big about a packet this
 * host sent lowers the MTU it uses toward that destination, kept on a
 * host route (RTF_HOST | RTF_DYNAMIC) cloned from the gateway route
 * that carried the packet; never below 1280.  The route expires
 * net.inet6.ip6.mtudisctimeout seconds later (rmx_expire), so that a
 * larger path MTU is found again: a callout, armed while such routes
 * exist, deletes the expired ones.
 */
#include "net/if.h"
#include "net/route.h"
#include "sys/sysctl.h"
#include "netinet/ip_fragq.h"
#include "netinet6/icmp6.h"
#include "netinet6/in6_var.h"
#include "netinet6/ip6_var.h"

#define IPV6_FRAGTTL	60000		/* ticks: 60 s (RFC 8200) */
#define FRAG6_HLEN	((int)(sizeof(struct ip6_hdr) + sizeof(struct ip6_frag)))

VNET_DEFINE_STATIC(struct fragq_table, frag6q);
VNET_DEFINE_STATIC(uint32_t, frag6_id);
VNET_DEFINE_STATIC(int, ip6_mtudisc_timeout) = 600;	/* seconds */
VNET_DEFINE_STATIC(callout_t, frag6_pmtu_timer);
#define V_frag6q	VNET(frag6q)
#define V_frag6_id	VNET(frag6_id)
#define V_ip6_mtudisc_timeout	VNET(ip6_mtudisc_timeout)
#define V_frag6_pmtu_timer	VNET(frag6_pmtu_timer)

SYSCTL_VNET_INT(ip6_mtudisc_timeout, "net.inet6.ip6.mtudisctimeout",
    ip6_mtudisc_timeout, 1, 86400,
    "Seconds a path MTU learnt from packet too big is kept");

FRAGQ_SYSCTLS(ip6fq, "net.inet6.ip6.", frag6q);

#define FRAG6_OUT_STAT(id, field, descr)				\
	SYSCTL_OID(ip6os_##id, "net.inet6.ip6.stats." #id, CTLTYPE_QUAD, \
	    CTLFLAG_READONLY | CTLFLAG_VNET,				\
	    &VNET_NAME(ip6stat).field, 0, 0, softnet_stat_sysctl, descr)
FRAG6_OUT_STAT(fragmented, ip6s_fragmented, "datagrams fragmented");
FRAG6_OUT_STAT(ofragments, ip6s_ofragments, "fragments created");
FRAG6_OUT_STAT(atomicfrags, ip6s_atomicfrags,
    "fragment headers on whole packets");

static void
frag6_expired(struct mbuf *m)
{
	icmp6_error(m, ICMP6_TIME_EXCEEDED, ICMP6_TIME_EXCEED_REASSEMBLY, 0);
}

static void frag6_pmtu_expire(void *);

static void
frag6_vnet_init(void)
{
	fragq_init(&V_frag6q, "ip6qpl", "ip6qepl", FRAGQ_DISCARD,
	    frag6_expired, IPV6_FRAGTTL);
	V_frag6_id = 1;
	callout_init(&V_frag6_pmtu_timer, CALLOUT_MPSAFE);
	callout_setfunc(&V_frag6_pmtu_timer, frag6_pmtu_expire, NULL);
}

static void
frag6_vnet_fini(void)
{
	callout_halt(&V_frag6_pmtu_timer, NULL);
	callout_destroy(&V_frag6_pmtu_timer);
	fragq_fini(&V_frag6q);
}
VNET_SYSINIT(ip6_frag, VNET_ORDER_PROTO, frag6_vnet_init, frag6_vnet_fini);

void
frag6_stat(struct ip6stat *st)
{
	const struct fragq_stat *fs = &V_frag6q.ft_stat;

	st->ip6s_fragments = fs->fs_fragments;
	st->ip6s_fragdropped = fs->fs_dropped;
	st->ip6s_fragtimeout = fs->fs_timeout;
	st->ip6s_reassembled = fs->fs_reassembled;
	st->ip6s_fragqueues = fs->fs_queues;
}

/* Take the fragment header out of m (contiguous): a plain packet again. */
static struct mbuf *
frag6_strip(struct mbuf *m)
{
	struct ip6_hdr *ip6 = mtod(m, struct ip6_hdr *);
	uint8_t nxt = ((struct ip6_frag *)(void *)(ip6 + 1))->ip6f_nxt;

	memmove(mtod(m, char *) + sizeof(struct ip6_frag), ip6, sizeof(*ip6));
	m_adj(m, (int)sizeof(struct ip6_frag));
	ip6 = mtod(m, struct ip6_hdr *);
	ip6->ip6_nxt = nxt;
	ip6->ip6_plen = htons((uint16_t)(m->m_pkthdr.len - sizeof(*ip6)));
	return m;
}

struct mbuf *
frag6_input(struct mbuf *m)
{
	struct ip6_hdr *ip6;
	struct ip6_frag *fh;
	struct fragq_key key;
	int off, len, hlen = FRAG6_HLEN;
	bool more;

	if (m->m_pkthdr.len < FRAG6_HLEN) {
		fragq_bad(&V_frag6q, m);
		return NULL;
	}
	if (m->m_len < FRAG6_HLEN && (m = m_pullup(m, FRAG6_HLEN)) == NULL) {
		V_ip6stat.ip6s_toosmall++;
		return NULL;
	}
	ip6 = mtod(m, struct ip6_hdr *);
	fh = (struct ip6_frag *)(void *)(ip6 + 1);
	off = ntohs(fh->ip6f_offlg) & IP6F_OFF_MASK;
	more = (ntohs(fh->ip6f_offlg) & IP6F_MORE_FRAG) != 0;
	len = m->m_pkthdr.len - FRAG6_HLEN;
	if (off == 0 && !more) {
		V_ip6stat.ip6s_atomicfrags++;
		return frag6_strip(m);
	}
	if ((more && (len & 7) != 0) || off + len > IPV6_MAXPACKET) {
		/* RFC 8200 4.5: point at the payload length / the offset */
		fragq_bad(&V_frag6q, NULL);
		icmp6_error(m, ICMP6_PARAM_PROB, ICMP6_PARAMPROB_HEADER,
		    (len & 7) != 0 && more ?
		    (int)offsetof(struct ip6_hdr, ip6_plen) :
		    (int)(sizeof(*ip6) + offsetof(struct ip6_frag, ip6f_offlg)));
		return NULL;
	}
	if (len == 0 || fh->ip6f_nxt == IPPROTO_FRAGMENT) {
		fragq_bad(&V_frag6q, m);
		return NULL;
	}
	memset(&key, 0, sizeof(key));
	key.fk_src = ip6->ip6_src;
	key.fk_dst = ip6->ip6_dst;
	key.fk_id = fh->ip6f_ident;
	m = fragq_insert(&V_frag6q, &key, m, FRAG6_HLEN, off, len, more,
	    &hlen);
	if (m == NULL)
		return NULL;
	KASSERT(hlen == FRAG6_HLEN && m->m_len >= FRAG6_HLEN);
	return frag6_strip(m);
}

int
frag6_output(struct mbuf *m, struct ifnet *ifp, u_long mtu,
    const struct sockaddr *dst, struct rtentry *rt)
{
	uint8_t hdr[FRAG6_HLEN];
	struct ip6_hdr *ip6 = (struct ip6_hdr *)(void *)hdr;
	struct ip6_frag *fh = (struct ip6_frag *)(void *)(ip6 + 1);
	struct mbuf *list = NULL, **tail = &list, *f;
	int plen, flen, off, len, n = 0, dropped, error;
	uint32_t id = htonl(V_frag6_id++);

	m_copydata(m, 0, sizeof(*ip6), ip6);
	plen = ntohs(ip6->ip6_plen);
	flen = ((int)mtu - FRAG6_HLEN) & ~7;
	if (flen < 8 || plen <= 0) {
		m_freem(m);
		return EMSGSIZE;
	}
	fh->ip6f_nxt = ip6->ip6_nxt;
	fh->ip6f_reserved = 0;
	fh->ip6f_ident = id;
	ip6->ip6_nxt = IPPROTO_FRAGMENT;
	for (off = 0; off < plen; off += len) {
		len = plen - off < flen ? plen - off : flen;
		ip6->ip6_plen = htons((uint16_t)(sizeof(*fh) + len));
		fh->ip6f_offlg = htons((uint16_t)(off |
		    (off + len < plen ? IP6F_MORE_FRAG : 0)));
		f = fragq_mkfrag(m, hdr, FRAG6_HLEN, (int)sizeof(*ip6) + off,
		    len);
		if (f == NULL) {
			m_freem_list(list);
			m_freem(m);
			V_ip6stat.ip6s_odropped++;
			return ENOBUFS;
		}
		*tail = f;
		tail = &f->m_nextpkt;
		n++;
	}
	m_freem(m);
	V_ip6stat.ip6s_fragmented++;
	V_ip6stat.ip6s_ofragments += (uint64_t)n;
	error = fragq_output(ifp, list, dst, rt, &dropped);
	V_ip6stat.ip6s_odropped += (uint64_t)dropped;
	return error;
}

void
frag6_mtudisc(struct mbuf *m, int off)
{
	struct icmp6_hdr icp;
	struct ip6_hdr oip6;
	struct sockaddr_in6 dst;
	struct rtentry *rt, *nrt;
	u_long mtu;

	if (m->m_pkthdr.len < off + (int)(sizeof(icp) + sizeof(oip6)))
		return;
	m_copydata(m, off, sizeof(icp), &icp);
	m_copydata(m, off + (int)sizeof(icp), sizeof(oip6), &oip6);
	mtu = ntohl(icp.icmp6_mtu);
	if (mtu < IPV6_MMTU)
		mtu = IPV6_MMTU;
	if (IN6_IS_SCOPE_LINKLOCAL(&oip6.ip6_dst) ||
	    IN6_IS_ADDR_MULTICAST(&oip6.ip6_dst) ||
	    in6_ifaddr_lookup(&oip6.ip6_src) == NULL)
		return;		/* not about a packet we sent off link */
	(void)sockaddr_in6_init(&dst, &oip6.ip6_dst, 0, 0, 0);
	if ((rt = rtalloc1(sin6tocsa(&dst), 0)) == NULL)
		return;
	if ((rt->rt_flags & (RTF_HOST | RTF_GATEWAY)) == RTF_GATEWAY &&
	    rtrequest(RTM_ADD, sin6tocsa(&dst), rt->rt_gateway, NULL,
	    RTF_UP | RTF_HOST | RTF_GATEWAY | RTF_DYNAMIC, &nrt) == 0) {
		rtfree(rt);
		rt = nrt;
	}
	if ((rt->rt_flags & (RTF_HOST | RTF_LOCAL)) == RTF_HOST &&
	    mtu < rt->rt_ifp->if_mtu &&
	    (rt->rt_rmx.rmx_mtu == 0 || mtu < rt->rt_rmx.rmx_mtu)) {
		rt->rt_rmx.rmx_mtu = mtu;
		if (rt->rt_flags & RTF_DYNAMIC) {
			rt->rt_rmx.rmx_expire = time_uptime +
			    V_ip6_mtudisc_timeout;
			if (!callout_pending(&V_frag6_pmtu_timer))
				callout_schedule(&V_frag6_pmtu_timer,
				    V_ip6_mtudisc_timeout * hz);
		}
	}
	rtfree(rt);
}

/* A walk for the first expired path MTU route, and the next expiry. */
struct frag6_pmtu_walk {
	int64_t			pw_now, pw_next;
	struct sockaddr_in6	pw_dst;
};

static int
frag6_pmtu_find(struct rtentry *rt, void *arg)
{
	struct frag6_pmtu_walk *pw = arg;

	if ((rt->rt_flags & (RTF_HOST | RTF_DYNAMIC)) !=
	    (RTF_HOST | RTF_DYNAMIC) || rt->rt_rmx.rmx_expire == 0)
		return 0;
	if (rt->rt_rmx.rmx_expire > pw->pw_now) {
		if (rt->rt_rmx.rmx_expire < pw->pw_next)
			pw->pw_next = rt->rt_rmx.rmx_expire;
		return 0;
	}
	memcpy(&pw->pw_dst, rt_getkey(rt), sizeof(pw->pw_dst));
	return 1;
}

/* Delete the path MTU routes whose time is up; come back for the next. */
static void
frag6_pmtu_expire(void *arg)
{
	struct frag6_pmtu_walk pw;

	(void)arg;
	mutex_enter(softnet_lock);
	pw.pw_now = time_uptime;
	for (;;) {
		pw.pw_next = INT64_MAX;
		if (rt_walktree(AF_INET6, frag6_pmtu_find, &pw) == 0)
			break;
		if (rtrequest(RTM_DELETE, sin6tocsa(&pw.pw_dst), NULL, NULL,
		    RTF_HOST, NULL) != 0) {
			pw.pw_next = pw.pw_now + 1;	/* try again */
			break;
		}
	}
	if (pw.pw_next != INT64_MAX)
		callout_schedule(&V_frag6_pmtu_timer,
		    (int)(pw.pw_next - pw.pw_now) * hz);
	mutex_exit(softnet_lock);
}
