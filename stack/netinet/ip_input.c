/*
 * IPv4 input and forwarding.
 *
 * ip_input runs in the IP softint (ipintr, via the pktqueue) with
 * softnet_lock held.  Every malformed packet is counted in ipstat and
 * dropped: the checks below are ordered so that each reads only bytes
 * that earlier checks proved present.
 *
 * Forwarding uses the host's single forwarding route cache ipforward_rt
 * (reference 1.5): rtcache_lookup revalidates it for every packet, so
 * whether a route change is seen by the next packet depends on the
 * host's net.route.invalidation policy (kern/3508).
 */
#include "net/if.h"
#include "net/pktqueue.h"
#include "net/route.h"
#include "sys/sdt.h"
#include "sys/sysctl.h"
#include "netinet/in_var.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"

VNET_DEFINE(int, ipforwarding);
VNET_DEFINE(int, ip_defttl) = IPDEFTTL;
VNET_DEFINE(struct route, ipforward_rt);
VNET_DEFINE(struct ipstat, ipstat);
VNET_DEFINE(struct pktqueue *, ip_pktq);
VNET_DEFINE_STATIC(uint16_t, ip_id);
#define V_ip_id		VNET(ip_id)

SYSCTL_VNET_INT(ip_forwarding, "net.inet.ip.forwarding", ipforwarding, 0, 1,
    "Forward IPv4 packets between interfaces");
SYSCTL_VNET_INT(ip_ttl, "net.inet.ip.ttl", ip_defttl, 1, 255,
    "Default TTL of IPv4 packets sent");

/*
 * Bug corpus (off by default): with debug.bug.ipforward_nolock = 1,
 * ip_forward looks ipforward_rt up outside softnet_lock, as an MP-safe
 * forwarding path would that forgot the one cache is shared by every
 * CPU (NetBSD later made it per-CPU for this reason).  Two CPUs
 * forwarding at once then use the cache together: the route cache's
 * serialisation check panics, and the race build reports the race.
 */
VNET_DEFINE_STATIC(int, debug_bug_ipforward_nolock);
SYSCTL_VNET_INT(debug_bug_ipforward_nolock, "debug.bug.ipforward_nolock",
    debug_bug_ipforward_nolock, 0, 1,
    "Bug corpus: ip_forward uses its route cache without softnet_lock");

SDT_PROBE_DEFINE(knit, ip, ip_forward, rtcache_validated,
    "struct route *ro, struct rtentry *rt, struct mbuf *m");

static void
ip_vnet_init(void)
{
	V_ip_pktq = pktq_create("ip", 1024, ip_input);
	V_ip_id = 1;
}

static void
ip_vnet_fini(void)
{
	pktq_destroy(V_ip_pktq);
	V_ip_pktq = NULL;
	rtcache_free(&V_ipforward_rt);
}
VNET_SYSINIT(ip, VNET_ORDER_PROTO, ip_vnet_init, ip_vnet_fini);

uint16_t
ip_newid(void)
{
	return htons(V_ip_id++);
}

void
ip_getstat(struct ipstat *st)
{
	*st = V_ipstat;
	ip_reass_stat(st);
}

/* Options are not acted on, but must be well formed. */
static bool
ip_options_ok(const uint8_t *cp, int cnt)
{
	int optlen;

	while (cnt > 0) {
		if (cp[0] == IPOPT_EOL)
			return true;
		if (cp[0] == IPOPT_NOP) {
			cp++;
			cnt--;
			continue;
		}
		if (cnt < 2)
			return false;
		optlen = cp[IPOPT_OLEN];
		if (optlen < 2 || optlen > cnt)
			return false;
		cp += optlen;
		cnt -= optlen;
	}
	return true;
}

static void
ip_forward(struct mbuf *m)
{
	struct ip *ip = mtod(m, struct ip *);
	struct sockaddr_in dst;
	struct rtentry *rt;
	struct mbuf *mcopy;
	struct mbuf_snap ms;
	uint8_t quote[(0xf << 2) + 8];	/* longest header + 8 bytes */
	u_long mtu = 0;
	int error, type, code;

	/*
	 * ip_input calls us only for a destination that is not a broadcast
	 * address of the receiving interface: no need to ask again.
	 */
	if ((m->m_flags & (M_BCAST | M_MCAST)) ||
	    IN_MULTICAST(ntohl(ip->ip_dst.s_addr))) {
		IP_STATINC(ips_cantforward);
		m_freem(m);
		return;
	}
	if (ip->ip_ttl <= IPTTLDEC) {
		IP_STATINC(ips_timxceed);
		icmp_error(m, ICMP_TIMXCEED, ICMP_TIMXCEED_INTRANS, 0, 0);
		return;
	}
	(void)sockaddr_in_init(&dst, &ip->ip_dst, 0);
	if (__predict_false(VNET(debug_bug_ipforward_nolock)))
		mutex_exit(softnet_lock);		/* BUG CORPUS */
	rt = rtcache_lookup(&V_ipforward_rt, sintocsa(&dst));
	if (__predict_false(VNET(debug_bug_ipforward_nolock)))
		mutex_enter(softnet_lock);
	if (rt == NULL) {
		IP_STATINC(ips_noroute);
		icmp_error(m, ICMP_UNREACH, ICMP_UNREACH_NET, 0, 0);
		return;
	}
	SDT_PROBE3(knit, ip, ip_forward, rtcache_validated, &V_ipforward_rt,
	    rt, m);
	/*
	 * Keep what an ICMP error would quote (the header and 8 bytes) on
	 * the stack; an mbuf is made only if an error is sent.  Most
	 * packets are forwarded and need none (OpenBSD's ip_forward keeps
	 * them the same way).
	 */
	m_snap(&ms, m, (ip->ip_hl << 2) + 8, quote);
	ip->ip_ttl -= IPTTLDEC;
	error = ip_output(m, &V_ipforward_rt, IP_FORWARDING, &mtu);
	if (error == 0) {
		IP_STATINC(ips_forward);
		return;
	}
	IP_STATINC(ips_cantforward);
	switch (error) {
	case EMSGSIZE:
		type = ICMP_UNREACH;
		code = ICMP_UNREACH_NEEDFRAG;
		break;
	case ENETUNREACH:
		type = ICMP_UNREACH;
		code = ICMP_UNREACH_NET;
		break;
	case EHOSTUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
		type = ICMP_UNREACH;
		code = ICMP_UNREACH_HOST;
		break;
	default:
		return;
	}
	if ((mcopy = m_snap_mbuf(&ms)) != NULL)
		icmp_error(mcopy, type, code, 0, (int)mtu);
}

void
ip_input(struct mbuf *m)
{
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct ip *ip;
	int hlen, len;

	KASSERT(mutex_owned(softnet_lock));
	IP_STATINC(ips_total);
	if (m->m_pkthdr.len < (int)sizeof(struct ip)) {
		IP_STATINC(ips_toosmall);
		goto bad;
	}
	if (m->m_len < (int)sizeof(struct ip) &&
	    (m = m_pullup(m, sizeof(struct ip))) == NULL) {
		IP_STATINC(ips_toosmall);
		return;
	}
	ip = mtod(m, struct ip *);
	if (ip->ip_v != IPVERSION) {
		IP_STATINC(ips_badvers);
		goto bad;
	}
	hlen = ip->ip_hl << 2;
	if (hlen < (int)sizeof(struct ip) || hlen > m->m_pkthdr.len) {
		IP_STATINC(ips_badhlen);
		goto bad;
	}
	if (hlen > m->m_len) {
		if ((m = m_pullup(m, hlen)) == NULL) {
			IP_STATINC(ips_badhlen);
			return;
		}
		ip = mtod(m, struct ip *);
	}
	if (in_cksum(m, hlen) != 0) {
		IP_STATINC(ips_badsum);
		goto bad;
	}
	len = ntohs(ip->ip_len);
	if (len < hlen) {
		IP_STATINC(ips_badlen);
		goto bad;
	}
	if (m->m_pkthdr.len < len) {
		IP_STATINC(ips_tooshort);
		goto bad;
	}
	if (m->m_pkthdr.len > len)
		m_adj(m, len - m->m_pkthdr.len);	/* link padding */
	if (hlen > (int)sizeof(struct ip) &&
	    !ip_options_ok((const uint8_t *)(ip + 1),
	    hlen - (int)sizeof(struct ip))) {
		IP_STATINC(ips_badoptions);
		goto bad;
	}
	if (in_ifaddr_lookup(ip->ip_dst) == NULL &&
	    !in_broadcast(ip->ip_dst, ifp)) {
		if (!V_ipforwarding) {
			IP_STATINC(ips_cantforward);
			goto bad;
		}
		ip_forward(m);
		return;
	}
	if (ip->ip_off & htons(IP_MF | IP_OFFMASK)) {
		if ((m = ip_reass_packet(m)) == NULL)
			return;
		ip = mtod(m, struct ip *);
		hlen = ip->ip_hl << 2;
	}
	IP_STATINC(ips_delivered);
	switch (ip->ip_p) {
	case IPPROTO_ICMP:
		icmp_input(m, hlen);
		return;
	case IPPROTO_UDP:
		udp_input(m, hlen);
		return;
	default:
		IP_STATINC(ips_noproto);
		icmp_error(m, ICMP_UNREACH, ICMP_UNREACH_PROTOCOL, 0, 0);
		return;
	}
bad:
	m_freem(m);
}
