/*
 * The simulated Ethernet NIC as its driver sees it: the "hardware"
 * interface between the vnic driver (stack/net/if_vnic.c) and the
 * device model (sim/net/nic.c).  The platform implements the vnic_hw_*
 * functions; the driver implements vnic_attach.
 *
 * Transmit: the driver asks for a frame buffer, copies the frame in and
 * commits it; the device owns it from then on (the frame may still be
 * dropped by the link: tail drop, loss, link down).  Receive: arriving
 * frames wait in a receive ring; the device raises the established
 * interrupt when the ring goes from empty to non-empty, and the handler
 * drains the ring.  Frames are whole Ethernet frames without FCS.
 *
 * All calls are made on an LWP (or interrupt) of the NIC's host.
 */
#ifndef _KNIT_DEV_VNIC_H_
#define _KNIT_DEV_VNIC_H_

#include "sys/systm.h"

#define VNIC_ADDRLEN	6

struct vnic_hw;

/* Platform side (the device). */
void	vnic_hw_macaddr(const struct vnic_hw *, uint8_t mac[VNIC_ADDRLEN]);
/* Largest payload (bytes after the Ethernet header) of the wire. */
u_int	vnic_hw_mtu(const struct vnic_hw *);
/* Unit number on its host: the driver names the interface vnic<unit>. */
int	vnic_hw_unit(const struct vnic_hw *);
/* A buffer for one frame of len bytes; NULL if len is impossible. */
void	*vnic_hw_tx_buf(struct vnic_hw *, size_t len);
/* Hand the buffer obtained last to the wire. */
void	vnic_hw_tx_commit(struct vnic_hw *, size_t len);
/* The oldest received frame (NULL if none) and its length. */
const void *vnic_hw_rx_peek(struct vnic_hw *, size_t *lenp);
/* Drop the oldest received frame (after the driver copied it). */
void	vnic_hw_rx_pop(struct vnic_hw *);
/* Receive interrupt: handler(arg) runs in hard-interrupt context. */
void	vnic_hw_intr_establish(struct vnic_hw *, void (*handler)(void *),
	    void *arg);
/* Carrier: the link is connected and up. */
bool	vnic_hw_carrier(const struct vnic_hw *);

/* Driver side: called on an LWP of the host when the device appears. */
struct ifnet *vnic_attach(struct vnic_hw *);

#endif /* !_KNIT_DEV_VNIC_H_ */
