/*
 * The loopback interface lo0: what is sent to it is received by it.
 * Local routes (flags UHl) of every address point here, and so do
 * blackhole routes (reference 3.6: "Gateway must be lo0").
 */
#include "net/if.h"
#include "net/pktqueue.h"
#include "net/route.h"
#include "sys/kmem.h"
#include "netinet/ip_var.h"
#include "netinet6/ip6_var.h"

#define LOMTU	(32768 + 16384)

static int
looutput(struct ifnet *ifp, struct mbuf *m, const struct sockaddr *dst,
    struct rtentry *rt)
{
	struct pktqueue *pq;

	KASSERT(m->m_flags & M_PKTHDR);
	if (rt != NULL && (rt->rt_flags & (RTF_REJECT | RTF_BLACKHOLE))) {
		m_freem(m);
		if (rt->rt_flags & RTF_BLACKHOLE)
			return 0;
		return (rt->rt_flags & RTF_HOST) ? EHOSTUNREACH : ENETUNREACH;
	}
	if ((ifp->if_flags & IFF_UP) == 0) {
		m_freem(m);
		return ENETDOWN;
	}
	ifp->if_opackets++;
	ifp->if_obytes += (uint64_t)m->m_pkthdr.len;
	m->m_pkthdr.rcvif = ifp;
	m->m_flags |= M_LOOP;
	switch (dst->sa_family) {
	case AF_INET:
		pq = V_ip_pktq;
		break;
	case AF_INET6:
		pq = V_ip6_pktq;
		break;
	default:
		pq = NULL;
		break;
	}
	if (pq == NULL) {
		m_freem(m);
		return EAFNOSUPPORT;
	}
	ifp->if_ipackets++;
	ifp->if_ibytes += (uint64_t)m->m_pkthdr.len;
	if (!pktq_enqueue(pq, m)) {
		ifp->if_iqdrops++;
		return ENOBUFS;
	}
	return 0;
}

static void
lo_vnet_init(void)
{
	struct ifnet *ifp = kmem_zalloc(sizeof(*ifp), KM_SLEEP);

	strncpy(ifp->if_xname, "lo0", IFNAMSIZ - 1);
	ifp->if_type = IFT_LOOP;
	ifp->if_mtu = LOMTU;
	ifp->if_flags = IFF_LOOPBACK | IFF_MULTICAST | IFF_UP | IFF_RUNNING;
	ifp->if_output = looutput;
	V_loif = ifp;
	if_attach(ifp);
}

static void
lo_vnet_fini(void)
{
	struct ifnet *ifp = V_loif;

	if_detach(ifp);
	V_loif = NULL;
	kmem_free(ifp, sizeof(*ifp));
}
VNET_SYSINIT(loop, VNET_ORDER_IF, lo_vnet_init, lo_vnet_fini);
