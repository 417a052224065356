/*
 * Ethernet framing: output (neighbour resolution, header) and input
 * (filtering and demultiplexing into the protocols' input queues).
 */
#include "net/if.h"
#include "net/if_ether.h"
#include "net/pktqueue.h"
#include "net/route.h"
#include "sys/atomic.h"
#include "netinet/in.h"
#include "netinet/if_inarp.h"
#include "netinet/ip_var.h"
#include "netinet6/in6.h"
#include "netinet6/nd6.h"
#include "netinet6/ip6_var.h"

const uint8_t etherbroadcastaddr[ETHER_ADDR_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

const char *
ether_sprintf(const uint8_t *ap)
{
	static char buf[18];
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < ETHER_ADDR_LEN; i++) {
		buf[i * 3] = hex[ap[i] >> 4];
		buf[i * 3 + 1] = hex[ap[i] & 0xf];
		buf[i * 3 + 2] = i == ETHER_ADDR_LEN - 1 ? '\0' : ':';
	}
	return buf;
}

void
ether_ifattach(struct ifnet *ifp, const uint8_t *lla)
{
	ifp->if_type = IFT_ETHER;
	ifp->if_addrlen = ETHER_ADDR_LEN;
	ifp->if_hdrlen = ETHER_HDR_LEN;
	if (ifp->if_mtu == 0)
		ifp->if_mtu = ETHERMTU;
	ifp->if_flags |= IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST;
	ifp->if_output = ether_output;
	ifp->if_input = ether_input;
	memcpy(ifp->if_lladdr, lla, ETHER_ADDR_LEN);
	if_attach(ifp);
}

void
ether_ifdetach(struct ifnet *ifp)
{
	if_detach(ifp);
}

/*
 * The route's verdict on a packet (reference 3.6): a reject route
 * refuses with EHOSTUNREACH through a gateway, else EHOSTDOWN.
 */
static int
ether_check_reject(const struct rtentry *rt, unsigned flags)
{
	if (rt == NULL || (flags & RTF_REJECT) == 0)
		return 0;
	if (rt->rt_rmx.rmx_expire != 0 &&
	    (uint64_t)rt->rt_rmx.rmx_expire <= getnanouptime() / 1000000000ULL)
		return 0;
	return (flags & RTF_GATEWAY) ? EHOSTUNREACH : EHOSTDOWN;
}

int
ether_output(struct ifnet *ifp, struct mbuf *m, const struct sockaddr *dst,
    struct rtentry *rt)
{
	const struct sockaddr *nh = dst;
	uint8_t edst[ETHER_ADDR_LEN];
	struct ether_header *eh;
	uint16_t etype;
	unsigned rtflags;
	int error;

	if (!if_is_up_running(ifp)) {
		m_freem(m);
		return ENETDOWN;
	}
	/*
	 * rt_unlink clears RTF_UP with an atomic op while we hold only a
	 * reference: read the flags atomically (the others never change).
	 */
	rtflags = rt != NULL ? atomic_load_relaxed_uint(&rt->rt_flags) : 0;
	if ((error = ether_check_reject(rt, rtflags)) != 0) {
		m_freem(m);
		return error;
	}
	if (rt != NULL && (rtflags & RTF_GATEWAY) &&
	    rt->rt_gateway->sa_family == dst->sa_family)
		nh = rt->rt_gateway;
	switch (dst->sa_family) {
	case AF_INET:
		etype = ETHERTYPE_IP;
		if (m->m_flags & M_BCAST) {
			memcpy(edst, etherbroadcastaddr, ETHER_ADDR_LEN);
			break;
		}
		if (arpresolve(ifp, satocsin(nh)->sin_addr, m, edst) != 0)
			return 0;	/* held until ARP answers */
		break;
	case AF_INET6:
		etype = ETHERTYPE_IPV6;
		if (IN6_IS_ADDR_MULTICAST(&satocsin6(nh)->sin6_addr)) {
			const uint8_t *a = satocsin6(nh)->sin6_addr.s6_addr;

			edst[0] = 0x33;
			edst[1] = 0x33;
			memcpy(edst + 2, a + 12, 4);
			break;
		}
		if (nd6_resolve(ifp, &satocsin6(nh)->sin6_addr, m, edst) != 0)
			return 0;	/* held until ND answers */
		break;
	default:
		m_freem(m);
		return EAFNOSUPPORT;
	}
	M_PREPEND(m, ETHER_HDR_LEN, M_DONTWAIT);
	if (m == NULL) {
		ifp->if_oerrors++;
		return ENOBUFS;
	}
	eh = mtod(m, struct ether_header *);
	memcpy(eh->ether_dhost, edst, ETHER_ADDR_LEN);
	memcpy(eh->ether_shost, ifp->if_lladdr, ETHER_ADDR_LEN);
	eh->ether_type = htons(etype);
	return if_transmit(ifp, m);
}

/*
 * A frame from the driver, in hard-interrupt context: filter by
 * destination, strip the header, queue for the protocol's softint.
 */
void
ether_input(struct ifnet *ifp, struct mbuf *m)
{
	struct ether_header *eh;
	struct pktqueue *pq;
	uint16_t etype;
	int flags = (int)atomic_load_acquire_uint(IF_FLAGSP(ifp));

	if ((flags & IFF_UP) == 0) {
		m_freem(m);
		return;
	}
	if (m->m_len < ETHER_HDR_LEN &&
	    (m = m_pullup(m, ETHER_HDR_LEN)) == NULL) {
		ifp->if_ierrors++;
		return;
	}
	eh = mtod(m, struct ether_header *);
	if (ETHER_IS_MULTICAST(eh->ether_dhost)) {
		if (memcmp(eh->ether_dhost, etherbroadcastaddr,
		    ETHER_ADDR_LEN) == 0)
			m->m_flags |= M_BCAST;
		else
			m->m_flags |= M_MCAST;
		ifp->if_imcasts++;
	} else if (memcmp(eh->ether_dhost, ifp->if_lladdr, ETHER_ADDR_LEN) &&
	    (flags & IFF_PROMISC) == 0) {
		/* not for us (a hub delivers everything) */
		m_freem(m);
		return;
	}
	ifp->if_ipackets++;
	ifp->if_ibytes += (uint64_t)m->m_pkthdr.len;
	etype = ntohs(eh->ether_type);
	m->m_pkthdr.rcvif = ifp;
	m_adj(m, ETHER_HDR_LEN);
	switch (etype) {
	case ETHERTYPE_IP:
		pq = V_ip_pktq;
		break;
	case ETHERTYPE_ARP:
		pq = V_arp_pktq;
		break;
	case ETHERTYPE_IPV6:
		pq = V_ip6_pktq;
		break;
	default:
		pq = NULL;
		break;
	}
	if (pq == NULL) {
		ifp->if_noproto++;
		m_freem(m);
		return;
	}
	if (!pktq_enqueue(pq, m))
		ifp->if_iqdrops++;
}
