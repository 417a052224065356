/*
 * ARP (RFC 826) for IPv4 over Ethernet, on the neighbour table.
 *
 * Requests and replies are processed by the ARP softint with
 * softnet_lock held.  An entry is created when a request names one of
 * our addresses (the sender will talk to us) or when we ask; an answer
 * releases the packets held for it.
 */
#include "net/if.h"
#include "net/if_ether.h"
#include "net/pktqueue.h"
#include "netinet/if_inarp.h"
#include "netinet/in_var.h"

VNET_DEFINE(struct lltable, arp_table);
VNET_DEFINE(struct pktqueue *, arp_pktq);
VNET_DEFINE(struct arpstat, arpstat);

LLTABLE_SYSCTLS(arp, "net.inet.arp.", arp_table, "ARP resolution");

static void arp_input(struct mbuf *);

static void
arp_solicit(struct ifnet *ifp, const void *addr)
{
	struct in_addr a;

	memcpy(&a, addr, sizeof(a));
	arprequest(ifp, a);
}

/* A held packet can go now: through ether_output, which resolves. */
static void
arp_release(struct ifnet *ifp, const void *addr, struct mbuf *m)
{
	struct sockaddr_in dst;
	struct in_addr a;

	memcpy(&a, addr, sizeof(a));
	(void)sockaddr_in_init(&dst, &a, 0);
	(void)(*ifp->if_output)(ifp, m, sintocsa(&dst), NULL);
}

static void
arp_vnet_init(void)
{
	lltable_init(&V_arp_table, AF_INET, arp_solicit, arp_release);
	V_arp_pktq = pktq_create("arp", 256, arp_input);
}

static void
arp_vnet_fini(void)
{
	pktq_destroy(V_arp_pktq);
	V_arp_pktq = NULL;
	lltable_fini(&V_arp_table);
}
/* before the interfaces: lo0 is detached while the table still exists */
VNET_SYSINIT(arp, VNET_ORDER_IF - 2, arp_vnet_init, arp_vnet_fini);

static void
arp_send(struct ifnet *ifp, int op, struct in_addr spa, const uint8_t *tha,
    struct in_addr tpa, const uint8_t *edst)
{
	struct ether_header *eh;
	struct ether_arp *ea;
	struct mbuf *m;
	int len = ETHER_HDR_LEN + (int)sizeof(*ea);

	if ((m = m_gethdr(M_DONTWAIT, MT_DATA)) == NULL)
		return;
	m->m_len = m->m_pkthdr.len = len;
	eh = mtod(m, struct ether_header *);
	memcpy(eh->ether_dhost, edst, ETHER_ADDR_LEN);
	memcpy(eh->ether_shost, ifp->if_lladdr, ETHER_ADDR_LEN);
	eh->ether_type = htons(ETHERTYPE_ARP);
	ea = (struct ether_arp *)(void *)(eh + 1);
	ea->arp_hrd = htons(ARPHRD_ETHER);
	ea->arp_pro = htons(ETHERTYPE_IP);
	ea->arp_hln = ETHER_ADDR_LEN;
	ea->arp_pln = 4;
	ea->arp_op = htons((uint16_t)op);
	memcpy(ea->arp_sha, ifp->if_lladdr, ETHER_ADDR_LEN);
	memcpy(ea->arp_spa, &spa, 4);
	memcpy(ea->arp_tha, tha, ETHER_ADDR_LEN);
	memcpy(ea->arp_tpa, &tpa, 4);
	if (op == ARPOP_REQUEST)
		V_arpstat.as_sndrequest++;
	else
		V_arpstat.as_sndreply++;
	(void)if_transmit(ifp, m);
}

void
arprequest(struct ifnet *ifp, struct in_addr tip)
{
	static const uint8_t zero[ETHER_ADDR_LEN];
	struct in_ifaddr *ia, *src = NULL;
	struct ifaddr *ifa;

	/* the source: our address on the target's subnet, else the first */
	IFADDR_FOREACH(ifa, ifp) {
		if (ifa->ifa_addr->sa_family != AF_INET)
			continue;
		ia = ifatoia(ifa);
		if (src == NULL)
			src = ia;
		if ((ntohl(tip.s_addr) & ia->ia_subnetmask) == ia->ia_subnet) {
			src = ia;
			break;
		}
	}
	if (src == NULL || !if_is_up_running(ifp))
		return;
	arp_send(ifp, ARPOP_REQUEST, src->ia_addr.sin_addr, zero, tip,
	    etherbroadcastaddr);
}

int
arpresolve(struct ifnet *ifp, struct in_addr dst, struct mbuf *m,
    uint8_t *desten)
{
	return lltable_resolve(&V_arp_table, ifp, &dst, m, desten);
}

bool
arp_lookup(struct ifnet *ifp, struct in_addr a, uint8_t *lladdr)
{
	return lltable_lookup(&V_arp_table, ifp, &a, lladdr);
}

static void
arp_input(struct mbuf *m)
{
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct ether_arp *ea;
	struct in_addr isaddr, itaddr;
	struct in_ifaddr *ia;
	uint8_t sha[ETHER_ADDR_LEN];
	bool forme;
	int op;

	if (m->m_pkthdr.len < (int)sizeof(*ea) ||
	    (m = m_pullup(m, sizeof(*ea))) == NULL) {
		V_arpstat.as_rcvbadproto++;
		m_freem(m);
		return;
	}
	ea = mtod(m, struct ether_arp *);
	if (ntohs(ea->arp_hrd) != ARPHRD_ETHER ||
	    ntohs(ea->arp_pro) != ETHERTYPE_IP ||
	    ea->arp_hln != ETHER_ADDR_LEN || ea->arp_pln != 4) {
		V_arpstat.as_rcvbadproto++;
		goto out;
	}
	op = ntohs(ea->arp_op);
	memcpy(&isaddr, ea->arp_spa, 4);
	memcpy(&itaddr, ea->arp_tpa, 4);
	memcpy(sha, ea->arp_sha, ETHER_ADDR_LEN);
	if (op == ARPOP_REQUEST)
		V_arpstat.as_rcvrequest++;
	else if (op == ARPOP_REPLY)
		V_arpstat.as_rcvreply++;
	else {
		V_arpstat.as_rcvbadproto++;
		goto out;
	}
	if (memcmp(sha, ifp->if_lladdr, ETHER_ADDR_LEN) == 0) {
		V_arpstat.as_rcvlocalsha++;
		goto out;
	}
	if (ETHER_IS_MULTICAST(sha) || isaddr.s_addr == INADDR_ANY)
		goto out;
	if ((ia = in_ifaddr_lookup(isaddr)) != NULL && ia->ia_ifp == ifp) {
		V_arpstat.as_dupips++;
		goto out;
	}
	ia = in_ifaddr_lookup(itaddr);
	forme = ia != NULL && ia->ia_ifp == ifp;
	lltable_update(&V_arp_table, ifp, &isaddr, sha, forme);
	if (op == ARPOP_REQUEST && forme)
		arp_send(ifp, ARPOP_REPLY, itaddr, sha, isaddr, sha);
out:
	m_freem(m);
}
