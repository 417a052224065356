/*
 * The driver of the simulated Ethernet NIC (dev/vnic.h).
 *
 * Transmit copies each frame from its mbuf chain into the device's
 * buffer (padded to the Ethernet minimum); the receive interrupt copies
 * each frame of the device's ring into a new mbuf (data ETHER_ALIGN bytes
 * in) and hands it to ether_input.  The device's link state is its carrier; IFF_RUNNING is
 * the driver's (set by if_init when the interface goes up).
 */
#include <stdio.h>

#include "dev/vnic.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "sys/atomic.h"
#include "sys/kmem.h"
#include "sys/vnet.h"

/*
 * The device is the platform's: weak references, so that platforms
 * without simulated NICs (tests/pthreads) link the same stack objects;
 * there, no device ever attaches.
 */
#pragma weak vnic_hw_macaddr
#pragma weak vnic_hw_mtu
#pragma weak vnic_hw_unit
#pragma weak vnic_hw_tx_buf
#pragma weak vnic_hw_tx_commit
#pragma weak vnic_hw_rx_peek
#pragma weak vnic_hw_rx_pop
#pragma weak vnic_hw_intr_establish

struct vnic_softc {
	struct ifnet	 sc_if;		/* first */
	struct vnic_hw	*sc_hw;
};

/*
 * Send everything on the send queue: the device takes a frame at a time
 * and never refuses one for lack of room, so the queue is emptied in one
 * hold of its lock.  Frames queued meanwhile are sent by the
 * if_transmit that queued them (it calls if_start after enqueueing).
 */
static void
vnic_start(struct ifnet *ifp)
{
	struct vnic_softc *sc = ifp->if_softc;
	struct mbuf *m, *next;
	size_t len;
	uint8_t *buf;

	mutex_spin_enter(&ifp->if_snd.ifq_lock);
	m = mbufq_takeall(&ifp->if_snd.ifq_q);
	mutex_spin_exit(&ifp->if_snd.ifq_lock);
	for (; m != NULL; m = next) {
		next = m->m_nextpkt;
		m->m_nextpkt = NULL;
		len = (size_t)m->m_pkthdr.len;
		buf = vnic_hw_tx_buf(sc->sc_hw, len < ETHER_MIN_LEN ?
		    ETHER_MIN_LEN : len);
		if (buf == NULL) {
			ifp->if_oerrors++;
			m_freem(m);
			continue;
		}
		m_copydata(m, 0, (int)len, buf);
		if (len < ETHER_MIN_LEN) {
			memset(buf + len, 0, ETHER_MIN_LEN - len);
			len = ETHER_MIN_LEN;
		}
		vnic_hw_tx_commit(sc->sc_hw, len);
		ifp->if_opackets++;
		ifp->if_obytes += len;
		m_freem(m);
	}
}

/* Hard interrupt: drain the receive ring. */
static void
vnic_intr(void *arg)
{
	struct vnic_softc *sc = arg;
	struct ifnet *ifp = &sc->sc_if;
	const void *frame;
	struct mbuf *m;
	size_t len;

	while ((frame = vnic_hw_rx_peek(sc->sc_hw, &len)) != NULL) {
		m = len > MJUMBYTES - ETHER_ALIGN ? NULL :
		    m_getlen(M_DONTWAIT, MT_DATA, (int)len + ETHER_ALIGN);
		if (m == NULL) {
			vnic_hw_rx_pop(sc->sc_hw);
			ifp->if_iqdrops++;
			continue;
		}
		/* the IP header after the Ethernet header is 4-aligned */
		m->m_data += ETHER_ALIGN;
		memcpy(m->m_data, frame, len);
		m->m_len = m->m_pkthdr.len = (int)len;
		m->m_pkthdr.rcvif = ifp;
		vnic_hw_rx_pop(sc->sc_hw);
		(*ifp->if_input)(ifp, m);
	}
}

static int
vnic_init(struct ifnet *ifp)
{
	atomic_or_uint(IF_FLAGSP(ifp), IFF_RUNNING);
	return 0;
}

static void
vnic_stop(struct ifnet *ifp, int disable)
{
	(void)disable;
	atomic_and_uint(IF_FLAGSP(ifp), ~(unsigned int)IFF_RUNNING);
}

static int
vnic_ioctl(struct ifnet *ifp, u_long cmd, void *data)
{
	struct vnic_softc *sc = ifp->if_softc;
	struct ifreq *ifr = data;

	if (cmd == SIOCSIFMTU && (u_int)ifr->ifr_mtu > vnic_hw_mtu(sc->sc_hw))
		return EINVAL;
	return 0;
}

struct ifnet *
vnic_attach(struct vnic_hw *hw)
{
	struct vnic_softc *sc = kmem_zalloc(sizeof(*sc), KM_SLEEP);
	struct ifnet *ifp = &sc->sc_if;
	uint8_t mac[VNIC_ADDRLEN];

	sc->sc_hw = hw;
	snprintf(ifp->if_xname, IFNAMSIZ, "vnic%d", vnic_hw_unit(hw));
	ifp->if_softc = sc;
	ifp->if_mtu = vnic_hw_mtu(hw);
	ifp->if_start = vnic_start;
	ifp->if_init = vnic_init;
	ifp->if_stop = vnic_stop;
	ifp->if_ioctl = vnic_ioctl;
	vnic_hw_macaddr(hw, mac);
	ether_ifattach(ifp, mac);
	vnic_hw_intr_establish(hw, vnic_intr, sc);
	return ifp;
}

/* The host's first vnic interface, or NULL. */
static struct vnic_softc *
vnic_first(void)
{
	struct ifnet *ifp;

	if_lock_enter(RW_READER);
	IFNET_FOREACH(ifp)
		if (ifp->if_start == vnic_start)
			break;
	if_lock_exit();
	return ifp != NULL ? ifp->if_softc : NULL;
}

static void
vnic_vnet_init(void)
{
}

/*
 * Host teardown: detach every vnic (before lo0 and the link-layer
 * tables go, "vnic" > "loop" at VNET_ORDER_IF) so that the interface
 * list ends empty and their routes and neighbour entries are freed.
 * The device stops delivering interrupts to the softc first.
 */
static void
vnic_vnet_fini(void)
{
	struct vnic_softc *sc;

	while ((sc = vnic_first()) != NULL) {
		vnic_hw_intr_establish(sc->sc_hw, NULL, NULL);
		ether_ifdetach(&sc->sc_if);
		kmem_free(sc, sizeof(*sc));
	}
}
VNET_SYSINIT(vnic, VNET_ORDER_IF, vnic_vnet_init, vnic_vnet_fini);
