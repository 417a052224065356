/*
 * Raw ICMP sockets for IPv4 (IPPROTO_ICMP) and IPv6 (IPPROTO_ICMPV6).
 *
 * Output: the user supplies the whole ICMP message; the kernel adds only
 * the IP header (and, for ICMPv6, the checksum, which covers the
 * pseudo-header the user cannot know) and sends it through the PCB's
 * route cache.  Input: icmp_input/icmp6_input hand every valid message
 * to rip_input/rip6_input before acting on it; each raw socket of that
 * protocol gets a copy -- the whole IPv4 datagram, or the ICMPv6
 * message alone (its hop limit as an IPV6_HOPLIMIT control message when
 * IPV6_RECVHOPLIMIT is set), as NetBSD does.
 *
 * All PCB state is protected by softnet_lock, the lock of every raw
 * socket (sosetlock), held by the input path.
 */
#include "net/if.h"
#include "net/route.h"
#include "sys/kmem.h"
#include "sys/protosw.h"
#include "sys/socketvar.h"
#include "netinet/in_var.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"
#include "netinet6/icmp6.h"
#include "netinet6/in6_var.h"
#include "netinet6/ip6_var.h"

#define RIP_SENDSPACE	(64 * 1024)
#define RIP_RECVSPACE	(64 * 1024)

struct rawpcb {
	LIST_ENTRY(rawpcb) rp_list;
	struct socket	*rp_socket;
	int		 rp_af;		/* AF_INET or AF_INET6 */
	int		 rp_ttl;	/* IP_TTL / IPV6_UNICAST_HOPS, -1: default */
	bool		 rp_recvhlim;	/* IPV6_RECVHOPLIMIT */
	struct route	 rp_route;
};

LIST_HEAD(rawpcbhead, rawpcb);
VNET_DEFINE_STATIC(struct rawpcbhead, rawcbtable);
#define V_rawcbtable	VNET(rawcbtable)

static int
rip_attach(struct socket *so, int af)
{
	struct rawpcb *rp;
	int error;

	if ((error = in_attach_socket(so, RIP_SENDSPACE, RIP_RECVSPACE)) != 0)
		return error;
	rp = kmem_zalloc(sizeof(*rp), KM_SLEEP);
	rp->rp_socket = so;
	rp->rp_af = af;
	rp->rp_ttl = -1;
	LIST_INSERT_HEAD(&V_rawcbtable, rp, rp_list);
	so->so_pcb = rp;
	return 0;
}

static void
rip_detach(struct rawpcb *rp)
{
	rtcache_free(&rp->rp_route);
	LIST_REMOVE(rp, rp_list);
	rp->rp_socket->so_pcb = NULL;
	kmem_free(rp, sizeof(*rp));
}

/* Prepend the IP header to m (an ICMP message) and send it to dst. */
static int
rip_output(struct rawpcb *rp, struct mbuf *m, const struct sockaddr *dst)
{
	int len = m->m_pkthdr.len, hdr, error;

	hdr = rp->rp_af == AF_INET ? (int)sizeof(struct ip) :
	    (int)sizeof(struct ip6_hdr);
	if (dst->sa_len < (rp->rp_af == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6))) {
		error = EINVAL;
		goto bad;
	}
	if (len + hdr > IP_MAXPACKET) {
		error = EMSGSIZE;
		goto bad;
	}
	M_PREPEND(m, hdr, M_DONTWAIT);
	if (m == NULL)
		return ENOBUFS;
	if (m->m_len < hdr + (rp->rp_af == AF_INET6 && len >= 4 ? 4 : 0) &&
	    (m = m_pullup(m, hdr + (rp->rp_af == AF_INET6 && len >= 4 ?
	    4 : 0))) == NULL)
		return ENOBUFS;
	if (rp->rp_af == AF_INET) {
		struct ip *ip = mtod(m, struct ip *);

		memset(ip, 0, sizeof(*ip));
		ip->ip_len = htons((uint16_t)(len + hdr));
		ip->ip_ttl = (uint8_t)(rp->rp_ttl >= 0 ? rp->rp_ttl :
		    V_ip_defttl);
		ip->ip_p = IPPROTO_ICMP;
		ip->ip_dst = satocsin(dst)->sin_addr;
		ip->ip_src.s_addr = INADDR_ANY;	/* ip_output picks it */
		return ip_output(m, &rp->rp_route,
		    (rp->rp_socket->so_options & SO_DONTROUTE) ?
		    IP_ROUTETOIF : 0, NULL);
	} else {
		struct ip6_hdr *ip6 = mtod(m, struct ip6_hdr *);
		struct icmp6_hdr *icp;

		if (len < 4) {
			error = EINVAL;
			goto bad;
		}
		memset(ip6, 0, sizeof(*ip6));
		ip6->ip6_plen = htons((uint16_t)len);
		ip6->ip6_nxt = IPPROTO_ICMPV6;
		ip6->ip6_hlim = (uint8_t)(rp->rp_ttl >= 0 ? rp->rp_ttl :
		    IPV6_DEFHLIM);
		ip6->ip6_dst = satocsin6(dst)->sin6_addr;
		if (IN6_IS_SCOPE_LINKLOCAL(&ip6->ip6_dst)) {
			error = EINVAL;	/* no scope support for raw yet */
			goto bad;
		}
		if ((error = in6_src_for(&ip6->ip6_dst, &ip6->ip6_src)) != 0)
			goto bad;
		icp = (struct icmp6_hdr *)(void *)(ip6 + 1);
		icp->icmp6_cksum = 0;
		icp->icmp6_cksum = in6_cksum(m, IPPROTO_ICMPV6, hdr, len);
		return ip6_output(m, &rp->rp_route, 0, NULL);
	}
bad:
	m_freem(m);
	return error;
}

/* Queue a copy of m (from off on) on every raw socket of family af. */
static void
rip_deliver(struct mbuf *m, int off, int af)
{
	struct sockaddr_storage from;
	struct rawpcb *rp;
	struct mbuf *n, *ctl;
	struct socket *so;

	KASSERT(mutex_owned(softnet_lock));
	memset(&from, 0, sizeof(from));
	if (af == AF_INET)
		(void)sockaddr_in_init((struct sockaddr_in *)(void *)&from,
		    &mtod(m, const struct ip *)->ip_src, 0);
	else {
		struct sockaddr_in6 *sin6 = (void *)&from;

		(void)sockaddr_in6_init(sin6,
		    &mtod(m, const struct ip6_hdr *)->ip6_src, 0, 0, 0);
		in6_clearscope(&sin6->sin6_addr);
	}
	LIST_FOREACH(rp, &V_rawcbtable, rp_list) {
		if (rp->rp_af != af)
			continue;
		so = rp->rp_socket;
		n = m_copym(m, off, M_COPYALL, M_DONTWAIT);
		if (n == NULL)
			continue;
		ctl = NULL;
		if (af == AF_INET6 && rp->rp_recvhlim) {
			struct cmsghdr *cm;
			int hlim = mtod(m, const struct ip6_hdr *)->ip6_hlim;

			ctl = m_get(M_DONTWAIT, MT_CONTROL);
			if (ctl != NULL) {
				ctl->m_len = (int)CMSG_SPACE(sizeof(int));
				cm = mtod(ctl, struct cmsghdr *);
				memset(cm, 0, (size_t)ctl->m_len);
				cm->cmsg_len = CMSG_LEN(sizeof(int));
				cm->cmsg_level = IPPROTO_IPV6;
				cm->cmsg_type = IPV6_HOPLIMIT;
				memcpy(CMSG_DATA(cm), &hlim, sizeof(hlim));
			}
		}
		if (sbappendaddr(&so->so_rcv,
		    (struct sockaddr *)(void *)&from, n, ctl) == 0) {
			m_freem(n);
			m_freem(ctl);
			continue;
		}
		sorwakeup(so);
	}
}

void
rip_input(struct mbuf *m, int hlen)
{
	(void)hlen;
	rip_deliver(m, 0, AF_INET);
}

void
rip6_input(struct mbuf *m, int off)
{
	rip_deliver(m, off, AF_INET6);
}

int
rip_ctloutput(int op, struct socket *so, struct sockopt *sopt)
{
	struct rawpcb *rp = so->so_pcb;
	int v, error;

	if (rp == NULL)
		return EINVAL;
	if (rp->rp_af == AF_INET ? (sopt->sopt_level != IPPROTO_IP ||
	    sopt->sopt_name != IP_TTL) : (sopt->sopt_level != IPPROTO_IPV6 ||
	    (sopt->sopt_name != IPV6_UNICAST_HOPS &&
	    sopt->sopt_name != IPV6_RECVHOPLIMIT)))
		return ENOPROTOOPT;
	if (op == PRCO_GETOPT) {
		if (sopt->sopt_name == IPV6_RECVHOPLIMIT)
			return sockopt_setint(sopt, rp->rp_recvhlim);
		return sockopt_setint(sopt, rp->rp_ttl >= 0 ? rp->rp_ttl :
		    rp->rp_af == AF_INET ? V_ip_defttl : IPV6_DEFHLIM);
	}
	if ((error = sockopt_getint(sopt, &v)) != 0)
		return error;
	if (sopt->sopt_name == IPV6_RECVHOPLIMIT) {
		rp->rp_recvhlim = v != 0;
		return 0;
	}
	if (v < -1 || v > 255)
		return EINVAL;
	rp->rp_ttl = v;
	return 0;
}

static int
rip_usrreq_af(struct socket *so, int req, struct mbuf *m,
    struct sockaddr *nam, struct mbuf *control, int af)
{
	struct rawpcb *rp = so->so_pcb;
	int error = 0;

	if (req == PRU_ATTACH)
		return rip_attach(so, af);
	KASSERT(solocked(so));
	m_freem(control);
	if (rp == NULL) {
		m_freem(m);
		return EINVAL;
	}
	switch (req) {
	case PRU_DETACH:
	case PRU_ABORT:
		soisdisconnected(so);
		rip_detach(rp);
		break;
	case PRU_SEND:
		if (nam == NULL) {
			error = EDESTADDRREQ;
		} else if (nam->sa_family != af) {
			error = EAFNOSUPPORT;
		} else {
			error = rip_output(rp, m, nam);
			m = NULL;
		}
		m_freem(m);
		break;
	case PRU_SOCKADDR:
		if (af == AF_INET)
			(void)sockaddr_in_init((struct sockaddr_in *)(void *)nam,
			    &(struct in_addr){ .s_addr = INADDR_ANY }, 0);
		else {
			static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

			(void)sockaddr_in6_init((struct sockaddr_in6 *)(void *)
			    nam, &any6, 0, 0, 0);
		}
		break;
	case PRU_PEERADDR:
		return ENOTCONN;
	case PRU_SHUTDOWN:
		socantsendmore(so);
		break;
	case PRU_RCVD:
	case PRU_SENSE:
		break;
	default:
		m_freem(m);
		error = EOPNOTSUPP;
		break;
	}
	return error;
}

int
rip_usrreq(struct socket *so, int req, struct mbuf *m, struct sockaddr *nam,
    struct mbuf *control, struct lwp *l)
{
	(void)l;
	return rip_usrreq_af(so, req, m, nam, control, AF_INET);
}

int
rip6_usrreq(struct socket *so, int req, struct mbuf *m, struct sockaddr *nam,
    struct mbuf *control, struct lwp *l)
{
	(void)l;
	return rip_usrreq_af(so, req, m, nam, control, AF_INET6);
}
