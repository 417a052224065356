/*
 * IPv4 output.
 *
 * The route comes from the caller's cache (a PCB's inp_route, the
 * forwarding cache) or, when there is none, from a zeroed cache on the
 * stack that is freed before returning (reference 1.5).  The probe
 * knit:ip:ip_output:rtcache_validated fires between the cache's
 * validation and the use of its entry: scenarios open race windows there.
 *
 * A packet larger than the path MTU goes out in fragments (ip_frag.c)
 * unless DF is set: then it is refused with EMSGSIZE (and *mtup).
 */
#include "net/if.h"
#include "net/route.h"
#include "sys/atomic.h"
#include "sys/sdt.h"
#include "netinet/in_var.h"
#include "netinet/ip_var.h"

SDT_PROBE_DEFINE(knit, ip, ip_output, rtcache_validated,
    "struct route *ro, struct rtentry *rt, struct mbuf *m");

int
ip_output(struct mbuf *m, struct route *ro, int flags, u_long *mtup)
{
	struct route iproute;
	struct sockaddr_in dst;
	struct rtentry *rt = NULL;
	struct ifnet *ifp;
	struct ifaddr *ifa;
	struct ip *ip;
	u_long mtu;
	int hlen, error = 0;

	KASSERT(m->m_flags & M_PKTHDR);
	if (ro == NULL) {
		memset(&iproute, 0, sizeof(iproute));
		ro = &iproute;
	}
	if (m->m_len < (int)sizeof(struct ip) &&
	    (m = m_pullup(m, sizeof(struct ip))) == NULL) {
		error = ENOBUFS;
		goto done;
	}
	ip = mtod(m, struct ip *);
	if ((flags & (IP_FORWARDING | IP_RAWOUTPUT)) == 0) {
		ip->ip_v = IPVERSION;
		ip->ip_hl = sizeof(struct ip) >> 2;
		ip->ip_id = ip_newid();
		IP_STATINC(ips_localout);
	}
	hlen = ip->ip_hl << 2;
	(void)sockaddr_in_init(&dst, &ip->ip_dst, 0);
	if (flags & IP_ROUTETOIF) {
		/* no table: the destination must be on a connected net */
		ifa = ifa_ifwithladdr(sintocsa(&dst));
		if (ifa == NULL) {
			IP_STATINC(ips_noroute);
			error = ENETUNREACH;
			goto bad;
		}
		ifp = ifa->ifa_ifp;
	} else {
		rt = rtcache_lookup(ro, sintocsa(&dst));
		SDT_PROBE3(knit, ip, ip_output, rtcache_validated, ro, rt, m);
		if (rt == NULL) {
			IP_STATINC(ips_noroute);
			error = EHOSTUNREACH;
			goto bad;
		}
		ifp = rt->rt_ifp;
		ifa = rt->rt_ifa;
		atomic_add_64(&rt->rt_use, 1);
	}
	if (ip->ip_src.s_addr == INADDR_ANY) {
		if (ifa == NULL || ifa->ifa_addr->sa_family != AF_INET) {
			error = EADDRNOTAVAIL;
			goto bad;
		}
		ip->ip_src = satocsin(ifa->ifa_addr)->sin_addr;
	}
	if (in_broadcast(ip->ip_dst, ifp)) {
		if ((flags & IP_ALLOWBROADCAST) == 0) {
			error = EACCES;
			goto bad;
		}
		m->m_flags |= M_BCAST;
	}
	mtu = ifp->if_mtu;
	if (rt != NULL && rt->rt_rmx.rmx_mtu != 0 && rt->rt_rmx.rmx_mtu < mtu)
		mtu = rt->rt_rmx.rmx_mtu;
	if (ntohs(ip->ip_len) > mtu && (ip->ip_off & htons(IP_DF)) == 0) {
		error = ip_fragment(m, ifp, mtu, sintocsa(&dst), rt);
		goto done;
	}
	if (ntohs(ip->ip_len) > mtu) {
		IP_STATINC(ips_cantfrag);
		if (mtup != NULL)
			*mtup = mtu;
		error = EMSGSIZE;
		goto bad;
	}
	ip->ip_sum = 0;
	ip->ip_sum = in_cksum(m, hlen);
	error = (*ifp->if_output)(ifp, m, sintocsa(&dst), rt);
	if (error != 0)
		IP_STATINC(ips_odropped);
done:
	if (ro == &iproute)
		rtcache_free(ro);
	return error;
bad:
	m_freem(m);
	goto done;
}
