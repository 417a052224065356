/*
 * Simulated networks: NICs on hosts, links between them, and capture.
 *
 * A world's network (struct net) is created once per world, before the
 * first NIC, and destroyed before the world.  NICs belong to hosts; the
 * stack's vnic driver attaches each NIC as interface "vnic<unit>" (unit
 * = 0, 1, ... in creation order on that host) on an LWP of the host, so
 * the interface exists once the world has run past the creation time.
 *
 * Links:
 *   point-to-point (full duplex: each direction serialises on its own)
 *   hub segment    (half duplex: one frame on the wire at a time; a
 *                   frame reaches every other NIC of the segment)
 * A NIC is on at most one link.  Parameters (struct net_link_params)
 * apply to every direction of the link and may be changed at any time;
 * a frame already on the wire keeps the parameters it left with.
 *
 * Per frame, in this order, at the sender: link down -> dropped (down);
 * payload larger than the link MTU -> dropped (mtu); queue already holds
 * qlen frames -> dropped (queue).  The frame is serialised at `rate'
 * after the frames before it; then, per receiver: lost with probability
 * loss; one byte flipped with probability corrupt; delivered after
 * `delay' (plus a uniform extra delay in (0, reorder_delay] with
 * probability reorder, letting later frames overtake it); delivered a
 * second time with probability dup.  A receiver whose ring is full drops
 * it (rx overrun).  All draws come from the world's named random streams
 * "net/<link>/<what>", so results depend only on the seed.
 *
 * Every delivered frame is mixed into the world's trace hash (time,
 * receiving NIC, length and a hash of the bytes).
 *
 * Capture: net_pcap_open writes one pcapng file for the run with one
 * interface description block per captured NIC (nanosecond timestamps);
 * frames are recorded when a captured NIC sends them (outbound) and when
 * they arrive at it (inbound).  Capture all NICs (net_pcap_all) or
 * chosen ones (net_pcap_nic); NICs created after net_pcap_all are
 * captured too.
 */
#ifndef _KNIT_SIM_NET_NET_H_
#define _KNIT_SIM_NET_NET_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct world;
struct host;
struct net;
struct net_nic;
struct net_link;

struct net_link_params {
	uint64_t	nlp_delay;	/* propagation, ns */
	uint64_t	nlp_rate;	/* bits per second; 0: infinite */
	unsigned	nlp_mtu;	/* largest payload, bytes */
	unsigned	nlp_qlen;	/* frames waiting per sender; 0: no limit */
	double		nlp_loss;	/* probabilities in [0, 1] */
	double		nlp_dup;
	double		nlp_reorder;
	uint64_t	nlp_reorder_delay; /* ns, > 0 when reorder > 0 */
	double		nlp_corrupt;
};

/* Defaults: 10 us, 1 Gbit/s, MTU 1500, 1000 frames, no impairment. */
void	net_link_params_default(struct net_link_params *);
/* NULL when valid, else a message naming the bad parameter. */
const char *net_link_params_check(const struct net_link_params *);

struct net	*net_create(struct world *);
void		 net_destroy(struct net *);
struct net	*net_of_world(const struct world *);	/* NULL if none */

/*
 * A NIC on host h.  mac NULL: 02:00:00:hh:hh:nn derived from the host
 * index and the NIC's number in the world.  irq_cpu: CPU that takes the
 * receive interrupt.  ring: receive ring size in frames (0: 256).
 */
struct net_nic	*net_nic_create(struct net *, struct host *,
		    const uint8_t *mac, int irq_cpu, unsigned ring);
int		 net_nic_unit(const struct net_nic *);
struct host	*net_nic_host(const struct net_nic *);
const char	*net_nic_name(const struct net_nic *);	/* "host:vnicN" */
/* Look up by "host:vnicN". */
struct net_nic	*net_nic_lookup(struct net *, const char *name);

struct net_link	*net_link_p2p(struct net *, const char *name,
		    struct net_nic *, struct net_nic *,
		    const struct net_link_params *);
struct net_link	*net_link_hub(struct net *, const char *name,
		    const struct net_link_params *);
/* Attach a NIC to a hub; -1 if the NIC is on a link already. */
int		 net_link_attach(struct net_link *, struct net_nic *);
void		 net_link_set_up(struct net_link *, bool up);
void		 net_link_set_params(struct net_link *,
		    const struct net_link_params *);
struct net_link	*net_link_lookup(struct net *, const char *name);

struct net_link_stats {
	uint64_t	nls_sent;	/* frames accepted onto the wire */
	uint64_t	nls_delivered;	/* frames handed to a receiver */
	uint64_t	nls_drop_down;
	uint64_t	nls_drop_mtu;
	uint64_t	nls_drop_queue;
	uint64_t	nls_lost;
	uint64_t	nls_corrupted;
	uint64_t	nls_duplicated;
	uint64_t	nls_reordered;
	uint64_t	nls_rx_overrun;	/* receiver ring full */
	uint64_t	nls_bytes;	/* delivered */
};
void	net_link_stats(const struct net_link *, struct net_link_stats *);

/* Capture.  Returns 0 or an errno (the file could not be created). */
int	net_pcap_open(struct net *, const char *path);
void	net_pcap_all(struct net *);
void	net_pcap_nic(struct net *, struct net_nic *);
/* Flush and close (also done by net_destroy). */
void	net_pcap_close(struct net *);
uint64_t net_pcap_frames(const struct net *);

/*
 * Frames kept in memory for observation (knit's nic:packets): the last
 * `max' frames a NIC sent or received, with their first NET_KEEP_SNAP
 * bytes (enough for the Ethernet, IP and transport headers).  Keeping
 * only observes: the trace hash is the same with or without it, and a
 * NIC that keeps nothing pays one NULL test per frame.
 */
#define NET_KEEP_SNAP	128
struct net_kept {
	uint64_t	nk_time;
	bool		nk_outbound;
	uint32_t	nk_len;		/* of the frame on the wire */
	uint32_t	nk_caplen;	/* bytes in nk_data */
	uint8_t		nk_data[NET_KEEP_SNAP];
};
/* Start keeping (max > 0; a running keep is cleared) or stop and free
 * (max 0).  Returns 0 or ENOMEM. */
int	 net_keep(struct net_nic *, unsigned max);
bool	 net_keeping(const struct net_nic *);
/* Frames kept, oldest first (i < count); NULL past the end. */
size_t	 net_kept_count(const struct net_nic *);
const struct net_kept *net_kept_get(const struct net_nic *, size_t i);
/* Older frames overwritten because more than max arrived. */
uint64_t net_kept_lost(const struct net_nic *);

#endif /* !_KNIT_SIM_NET_NET_H_ */
