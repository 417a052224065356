/*
 * UDP sockets over IPv4 and IPv6: PCBs, the protocol switch entries and
 * the user requests.
 *
 * Every PCB holds a route cache, inp_route (reference 1.5).  Output
 * always goes through it: ip_output/ip6_output revalidate it for every
 * packet (rtcache_lookup), so a connected socket reuses its cached entry
 * until the host's invalidation policy says the table changed -- the
 * socket-side half of kern/3508.
 *
 * All PCB state is protected by softnet_lock, which is the lock of every
 * UDP socket (sosetlock) and is held by udp_input.
 */
#include "net/if.h"
#include "net/route.h"
#include "sys/domain.h"
#include "sys/kmem.h"
#include "sys/protosw.h"
#include "sys/socketvar.h"
#include "netinet/in_var.h"
#include "netinet/ip_var.h"
#include "netinet/udp.h"
#include "netinet/udp_var.h"
#include "netinet6/in6_var.h"
#include "netinet6/ip6_var.h"

#define UDP_SENDSPACE	9216
#define UDP_RECVSPACE	(40 * 1024)

struct inpcb {
	LIST_ENTRY(inpcb) inp_list;
	struct socket	*inp_socket;
	int		 inp_af;		/* AF_INET or AF_INET6 */
	struct in6_addr	 inp_laddr6, inp_faddr6;
	struct in_addr	 inp_laddr, inp_faddr;
	in_port_t	 inp_lport, inp_fport;	/* network order */
	bool		 inp_connected;
	struct route	 inp_route;
};

LIST_HEAD(inpcbhead, inpcb);
VNET_DEFINE_STATIC(struct inpcbhead, udbtable);
VNET_DEFINE_STATIC(uint16_t, udp_lastport) = IPPORT_ANONMIN;
#define V_udbtable	VNET(udbtable)
#define V_udp_lastport	VNET(udp_lastport)

static bool
inp_port_used(int af, in_port_t port)
{
	struct inpcb *inp;

	LIST_FOREACH(inp, &V_udbtable, inp_list)
		if (inp->inp_af == af && inp->inp_lport == port)
			return true;
	return false;
}

static int
inp_bind_anon(struct inpcb *inp)
{
	int tries;

	for (tries = 0; tries <= IPPORT_ANONMAX - IPPORT_ANONMIN; tries++) {
		uint16_t p = V_udp_lastport;

		V_udp_lastport = p == IPPORT_ANONMAX ? IPPORT_ANONMIN : p + 1;
		if (!inp_port_used(inp->inp_af, htons(p))) {
			inp->inp_lport = htons(p);
			return 0;
		}
	}
	return EAGAIN;
}

static int
inp_bind(struct inpcb *inp, const struct sockaddr *nam)
{
	in_port_t port;

	if (inp->inp_lport != 0)
		return EINVAL;
	if (nam == NULL)
		return inp_bind_anon(inp);
	if (nam->sa_family != inp->inp_af)
		return EAFNOSUPPORT;
	if (inp->inp_af == AF_INET) {
		const struct sockaddr_in *sin = satocsin(nam);

		if (nam->sa_len < sizeof(*sin))
			return EINVAL;
		if (sin->sin_addr.s_addr != INADDR_ANY &&
		    in_ifaddr_lookup(sin->sin_addr) == NULL)
			return EADDRNOTAVAIL;
		inp->inp_laddr = sin->sin_addr;
		port = sin->sin_port;
	} else {
		const struct sockaddr_in6 *sin6 = satocsin6(nam);

		if (nam->sa_len < sizeof(*sin6))
			return EINVAL;
		if (!IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) &&
		    in6_ifaddr_lookup(&sin6->sin6_addr) == NULL)
			return EADDRNOTAVAIL;
		inp->inp_laddr6 = sin6->sin6_addr;
		port = sin6->sin6_port;
	}
	if (port == 0)
		return inp_bind_anon(inp);
	if (inp_port_used(inp->inp_af, port))
		return EADDRINUSE;
	inp->inp_lport = port;
	return 0;
}

/*
 * The source address toward dst: the bound one, else the one the PCB's
 * route cache gives (in_selectsrc).
 */
static int
inp_select_src(struct inpcb *inp, const struct sockaddr *dst,
    struct in_addr *src, struct in6_addr *src6)
{
	struct rtentry *rt;
	struct in6_ifaddr *ia;

	*src = inp->inp_laddr;
	*src6 = inp->inp_laddr6;
	if (inp->inp_af == AF_INET ? src->s_addr != INADDR_ANY :
	    !IN6_IS_ADDR_UNSPECIFIED(src6))
		return 0;
	rt = rtcache_lookup(&inp->inp_route, dst);
	if (rt == NULL)
		return EHOSTUNREACH;
	if (inp->inp_af == AF_INET) {
		if (rt->rt_ifa == NULL ||
		    rt->rt_ifa->ifa_addr->sa_family != AF_INET)
			return EADDRNOTAVAIL;
		*src = satocsin(rt->rt_ifa->ifa_addr)->sin_addr;
	} else {
		ia = in6_select_src(rt->rt_ifp, &satocsin6(dst)->sin6_addr);
		if (ia == NULL)
			return EADDRNOTAVAIL;
		*src6 = ia->ia_addr.sin6_addr;
	}
	return 0;
}

static int
inp_connect(struct inpcb *inp, const struct sockaddr *nam)
{
	int error;

	if (nam->sa_family != inp->inp_af)
		return EAFNOSUPPORT;
	if (inp->inp_lport == 0 && (error = inp_bind_anon(inp)) != 0)
		return error;
	if ((error = inp_select_src(inp, nam, &inp->inp_laddr,
	    &inp->inp_laddr6)) != 0)
		return error;
	if (inp->inp_af == AF_INET) {
		inp->inp_faddr = satocsin(nam)->sin_addr;
		inp->inp_fport = satocsin(nam)->sin_port;
	} else {
		inp->inp_faddr6 = satocsin6(nam)->sin6_addr;
		inp->inp_fport = satocsin6(nam)->sin6_port;
	}
	if (inp->inp_fport == 0)
		return EADDRNOTAVAIL;
	inp->inp_connected = true;
	return 0;
}

static void
inp_setaddr(struct inpcb *inp, struct sockaddr *nam, bool peer)
{
	if (inp->inp_af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)(void *)nam;

		(void)sockaddr_in_init(sin, peer ? &inp->inp_faddr :
		    &inp->inp_laddr, peer ? inp->inp_fport : inp->inp_lport);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)nam;

		(void)sockaddr_in6_init(sin6, peer ? &inp->inp_faddr6 :
		    &inp->inp_laddr6, peer ? inp->inp_fport : inp->inp_lport,
		    0, 0);
		in6_clearscope(&sin6->sin6_addr);
	}
}

/* Prepend the IP and UDP headers to m (the data) and send it. */
static int
udp_output(struct inpcb *inp, struct mbuf *m, const struct sockaddr *dstsa)
{
	struct udphdr *uh;
	struct in_addr src = inp->inp_laddr;
	struct in6_addr src6 = inp->inp_laddr6;
	int len = m->m_pkthdr.len, error, hdr;
	in_port_t fport;

	if (dstsa != NULL) {
		if ((error = inp_select_src(inp, dstsa, &src, &src6)) != 0)
			goto bad;
		fport = inp->inp_af == AF_INET ? satocsin(dstsa)->sin_port :
		    satocsin6(dstsa)->sin6_port;
	} else
		fport = inp->inp_fport;
	hdr = (inp->inp_af == AF_INET ? (int)sizeof(struct ip) :
	    (int)sizeof(struct ip6_hdr)) + (int)sizeof(*uh);
	/* IPv4 counts its header in the 65535 bytes, IPv6 does not */
	if (len + hdr - (inp->inp_af == AF_INET ? 0 :
	    (int)sizeof(struct ip6_hdr)) > IP_MAXPACKET) {
		error = EMSGSIZE;
		goto bad;
	}
	M_PREPEND(m, hdr, M_DONTWAIT);
	if (m == NULL)
		return ENOBUFS;
	if (m->m_len < hdr && (m = m_pullup(m, hdr)) == NULL)
		return ENOBUFS;
	V_udpstat.udps_opackets++;
	if (inp->inp_af == AF_INET) {
		struct ip *ip = mtod(m, struct ip *);

		memset(ip, 0, sizeof(*ip));
		ip->ip_len = htons((uint16_t)(len + hdr));
		ip->ip_ttl = (uint8_t)V_ip_defttl;
		ip->ip_p = IPPROTO_UDP;
		ip->ip_src = src;
		ip->ip_dst = dstsa != NULL ? satocsin(dstsa)->sin_addr :
		    inp->inp_faddr;
		uh = (struct udphdr *)(void *)(ip + 1);
		uh->uh_sport = inp->inp_lport;
		uh->uh_dport = fport;
		uh->uh_ulen = htons((uint16_t)(len + sizeof(*uh)));
		uh->uh_sum = 0;
		uh->uh_sum = in4_cksum(m, IPPROTO_UDP, sizeof(*ip),
		    len + (int)sizeof(*uh));
		if (uh->uh_sum == 0)
			uh->uh_sum = 0xffff;
		return ip_output(m, &inp->inp_route,
		    (inp->inp_socket->so_options & SO_DONTROUTE) ?
		    IP_ROUTETOIF : 0, NULL);
	} else {
		struct ip6_hdr *ip6 = mtod(m, struct ip6_hdr *);

		memset(ip6, 0, sizeof(*ip6));
		ip6->ip6_plen = htons((uint16_t)(len + sizeof(*uh)));
		ip6->ip6_nxt = IPPROTO_UDP;
		ip6->ip6_hlim = IPV6_DEFHLIM;
		ip6->ip6_src = src6;
		ip6->ip6_dst = dstsa != NULL ? satocsin6(dstsa)->sin6_addr :
		    inp->inp_faddr6;
		uh = (struct udphdr *)(void *)(ip6 + 1);
		uh->uh_sport = inp->inp_lport;
		uh->uh_dport = fport;
		uh->uh_ulen = ip6->ip6_plen;
		uh->uh_sum = 0;
		uh->uh_sum = in6_cksum(m, IPPROTO_UDP, sizeof(*ip6),
		    len + (int)sizeof(*uh));
		if (uh->uh_sum == 0)
			uh->uh_sum = 0xffff;
		return ip6_output(m, &inp->inp_route, 0, NULL);
	}
bad:
	m_freem(m);
	return error;
}

/*
 * The first half of every INET protocol's PRU_ATTACH: refuse a socket
 * that already has a PCB, put it on softnet_lock and give it buffers of
 * the protocol's default sizes unless the caller set them already.
 */
int
in_attach_socket(struct socket *so, u_long sendspace, u_long recvspace)
{
	if (so->so_pcb != NULL)
		return EISCONN;
	sosetlock(so);
	if (so->so_snd.sb_hiwat == 0 || so->so_rcv.sb_hiwat == 0)
		return soreserve(so, sendspace, recvspace);
	return 0;
}

static int
udp_attach(struct socket *so, int af)
{
	struct inpcb *inp;
	int error;

	if ((error = in_attach_socket(so, UDP_SENDSPACE, UDP_RECVSPACE)) != 0)
		return error;
	inp = kmem_zalloc(sizeof(*inp), KM_SLEEP);
	inp->inp_socket = so;
	inp->inp_af = af;
	LIST_INSERT_HEAD(&V_udbtable, inp, inp_list);
	so->so_pcb = inp;
	return 0;
}

static void
udp_detach(struct inpcb *inp)
{
	struct socket *so = inp->inp_socket;

	rtcache_free(&inp->inp_route);
	LIST_REMOVE(inp, inp_list);
	so->so_pcb = NULL;
	kmem_free(inp, sizeof(*inp));
}

static int
udp_usrreq_af(struct socket *so, int req, struct mbuf *m,
    struct sockaddr *nam, struct mbuf *control, struct lwp *l, int af)
{
	struct inpcb *inp = so->so_pcb;
	int error = 0;

	(void)l;
	if (req == PRU_ATTACH)
		return udp_attach(so, af);
	KASSERT(solocked(so));
	m_freem(control);
	if (inp == NULL) {
		m_freem(m);
		return EINVAL;
	}
	switch (req) {
	case PRU_DETACH:
	case PRU_ABORT:
		soisdisconnected(so);
		udp_detach(inp);
		break;
	case PRU_BIND:
		error = inp_bind(inp, nam);
		break;
	case PRU_CONNECT:
		if (inp->inp_connected) {
			error = EISCONN;
			break;
		}
		error = inp_connect(inp, nam);
		if (error == 0)
			soisconnected(so);
		break;
	case PRU_DISCONNECT:
		if (!inp->inp_connected) {
			error = ENOTCONN;
			break;
		}
		inp->inp_connected = false;
		inp->inp_fport = 0;
		so->so_state &= ~SS_ISCONNECTED;
		break;
	case PRU_SHUTDOWN:
		socantsendmore(so);
		break;
	case PRU_SEND:
		if (nam != NULL && inp->inp_connected) {
			error = EISCONN;
		} else if (nam == NULL && !inp->inp_connected) {
			error = ENOTCONN;
		} else if (nam != NULL && nam->sa_family != af) {
			error = EAFNOSUPPORT;
		} else if (inp->inp_lport == 0 &&
		    (error = inp_bind_anon(inp)) != 0) {
			/* error set */
		} else {
			error = udp_output(inp, m, nam);
			m = NULL;
		}
		m_freem(m);
		break;
	case PRU_SOCKADDR:
		inp_setaddr(inp, nam, false);
		break;
	case PRU_PEERADDR:
		if (!inp->inp_connected)
			return ENOTCONN;
		inp_setaddr(inp, nam, true);
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

static int
udp_usrreq(struct socket *so, int req, struct mbuf *m, struct sockaddr *nam,
    struct mbuf *control, struct lwp *l)
{
	return udp_usrreq_af(so, req, m, nam, control, l, AF_INET);
}

static int
udp6_usrreq(struct socket *so, int req, struct mbuf *m, struct sockaddr *nam,
    struct mbuf *control, struct lwp *l)
{
	return udp_usrreq_af(so, req, m, nam, control, l, AF_INET6);
}

static int
in_pr_ioctl(struct socket *so, u_long cmd, void *data, struct lwp *l)
{
	return ifioctl(so, cmd, data, l);
}

/* Hand a datagram to the socket whose PCB matches (connected first). */
static bool
udp_deliver(struct mbuf *m, int off, const struct udphdr *uh, int af)
{
	struct inpcb *inp, *match = NULL;
	struct sockaddr_storage from;
	struct socket *so;

	LIST_FOREACH(inp, &V_udbtable, inp_list) {
		if (inp->inp_af != af || inp->inp_lport != uh->uh_dport)
			continue;
		if (af == AF_INET) {
			const struct ip *ip = mtod(m, const struct ip *);

			if (inp->inp_laddr.s_addr != INADDR_ANY &&
			    inp->inp_laddr.s_addr != ip->ip_dst.s_addr)
				continue;
			if (inp->inp_connected &&
			    (inp->inp_faddr.s_addr != ip->ip_src.s_addr ||
			    inp->inp_fport != uh->uh_sport))
				continue;
		} else {
			const struct ip6_hdr *ip6 =
			    mtod(m, const struct ip6_hdr *);

			if (!IN6_IS_ADDR_UNSPECIFIED(&inp->inp_laddr6) &&
			    !IN6_ARE_ADDR_EQUAL(&inp->inp_laddr6,
			    &ip6->ip6_dst))
				continue;
			if (inp->inp_connected &&
			    (!IN6_ARE_ADDR_EQUAL(&inp->inp_faddr6,
			    &ip6->ip6_src) || inp->inp_fport != uh->uh_sport))
				continue;
		}
		if (match == NULL || inp->inp_connected)
			match = inp;
		if (inp->inp_connected)
			break;
	}
	if (match == NULL)
		return false;
	memset(&from, 0, sizeof(from));
	if (af == AF_INET)
		(void)sockaddr_in_init((struct sockaddr_in *)(void *)&from,
		    &mtod(m, const struct ip *)->ip_src, uh->uh_sport);
	else {
		struct sockaddr_in6 *sin6 = (void *)&from;

		(void)sockaddr_in6_init(sin6,
		    &mtod(m, const struct ip6_hdr *)->ip6_src, uh->uh_sport,
		    0, 0);
		in6_clearscope(&sin6->sin6_addr);
	}
	m_adj(m, off + (int)sizeof(*uh));
	so = match->inp_socket;
	if (sbappendaddr(&so->so_rcv, (struct sockaddr *)(void *)&from, m,
	    NULL) == 0) {
		V_udpstat.udps_fullsock++;
		m_freem(m);
		return true;
	}
	V_udpstat.udps_delivered++;
	sorwakeup(so);
	return true;
}

bool
udp4_deliver(struct mbuf *m, int off, const struct udphdr *uh)
{
	return udp_deliver(m, off, uh, AF_INET);
}

bool
udp6_deliver(struct mbuf *m, int off, const struct udphdr *uh)
{
	return udp_deliver(m, off, uh, AF_INET6);
}

static const struct protosw inetsw[] = {
	{
		.pr_type = SOCK_DGRAM,
		.pr_domain = &inetdomain,
		.pr_protocol = IPPROTO_UDP,
		.pr_flags = PR_ATOMIC | PR_ADDR,
		.pr_usrreq = udp_usrreq,
		.pr_ioctl = in_pr_ioctl,
	},
	{
		.pr_type = SOCK_RAW,
		.pr_domain = &inetdomain,
		.pr_protocol = IPPROTO_ICMP,
		.pr_flags = PR_ATOMIC | PR_ADDR,
		.pr_ctloutput = rip_ctloutput,
		.pr_usrreq = rip_usrreq,
		.pr_ioctl = in_pr_ioctl,
	},
};

static const struct protosw inet6sw[] = {
	{
		.pr_type = SOCK_DGRAM,
		.pr_domain = &inet6domain,
		.pr_protocol = IPPROTO_UDP,
		.pr_flags = PR_ATOMIC | PR_ADDR,
		.pr_usrreq = udp6_usrreq,
		.pr_ioctl = in_pr_ioctl,
	},
	{
		.pr_type = SOCK_RAW,
		.pr_domain = &inet6domain,
		.pr_protocol = IPPROTO_ICMPV6,
		.pr_flags = PR_ATOMIC | PR_ADDR,
		.pr_ctloutput = rip_ctloutput,
		.pr_usrreq = rip6_usrreq,
		.pr_ioctl = in_pr_ioctl,
	},
};

const struct domain_protocols inet_domain_protocols = {
	.dp_protosw = inetsw,
	.dp_protoswNPROTOSW = &inetsw[__arraycount(inetsw)],
};

const struct domain_protocols inet6_domain_protocols = {
	.dp_protosw = inet6sw,
	.dp_protoswNPROTOSW = &inet6sw[__arraycount(inet6sw)],
};
