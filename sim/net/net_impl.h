/*
 * sim/net internals shared by link.c, nic.c, pcapng.c and net_world.c.
 *
 * The model reaches the rest of the simulator only through struct
 * net_env, so that the link model can be tested on a bare event queue.
 * net_world.c fills the environment from a world (sim.h).
 */
#ifndef _KNIT_SIM_NET_NET_IMPL_H_
#define _KNIT_SIM_NET_NET_IMPL_H_

#include <stdio.h>

#include "core/evq.h"
#include "core/rng.h"
#include "net/net.h"
#include "sys/queue.h"

struct net_env {
	void		*ne_ctx;
	struct evq	*ne_evq;
	/* virtual time of the caller: its CPU clock inside an LWP */
	uint64_t	(*ne_now)(void *ctx);
	void		(*ne_rng_stream)(void *ctx, struct rng *, const char *);
	void		(*ne_trace_mix)(void *ctx, uint64_t);
	void		(*ne_intr_raise)(void *ctx, struct host *, int cpu,
			    void (*)(void *), void *);
	/* run the driver's vnic_attach(nic) on an LWP of the NIC's host */
	void		(*ne_attach)(void *ctx, struct net_nic *);
	const char	*(*ne_host_name)(const struct host *);
	int		(*ne_host_index)(const struct host *);
	/*
	 * Happens-before edges for the race detector (optional): the
	 * running LWP releases or acquires obj (no LWP: nothing).
	 */
	void		(*ne_release)(void *ctx, const void *obj);
	void		(*ne_acquire)(void *ctx, const void *obj);
	/*
	 * The least delay of a link between two hosts changed (optional;
	 * see netl_lookahead): 0 when hosts are coupled, UINT64_MAX when
	 * no link joins two hosts.
	 */
	void		(*ne_lookahead)(void *ctx, uint64_t ns);
	/* host h is coupled to others beyond link delays (optional) */
	void		(*ne_couple)(void *ctx, struct host *h);
};

/*
 * A frame in a queue or on the wire.  Storage is the model's.
 *
 * Every hand-over of a frame between LWPs is a happens-before edge on
 * the frame (the hardware's DMA ordering): the sender releases it at
 * vnic_hw_tx_commit and the receiver acquires it at vnic_hw_rx_peek;
 * the receiver releases it at vnic_hw_rx_pop and the next sender that
 * takes it from the free list (vnic_hw_tx_buf) acquires it.  So the
 * receive handler's reads follow the sender's writes, and a recycled
 * buffer's new writes follow its last reads.  Copies made by the
 * model itself (duplicates) are not instrumented accesses.  Likewise
 * vnic_hw_intr_establish releases the NIC and its receive interrupt
 * acquires it before calling the handler: the handler sees the softc
 * the driver set up before establishing it.
 */
struct net_frame {
	struct evq_event nf_ev;		/* delivery */
	TAILQ_ENTRY(net_frame) nf_q;	/* rx ring / free list */
	struct net_nic	*nf_from;
	struct net_nic	*nf_to;		/* receiver when on the wire */
	size_t		 nf_len;
	size_t		 nf_cap;
	uint8_t		*nf_data;
};
TAILQ_HEAD(net_frameq, net_frame);

struct net_link {
	struct net	*nl_net;
	char		*nl_name;
	bool		 nl_hub;
	bool		 nl_up;
	struct net_link_params nl_p;
	struct net_link_stats nl_st;
	struct net_nic	**nl_ports;
	unsigned	 nl_nports;
	/* hub: the medium is busy until this time */
	uint64_t	 nl_busy_until;
	struct rng	 nl_rng_loss, nl_rng_dup, nl_rng_reorder,
			 nl_rng_corrupt;
	TAILQ_ENTRY(net_link) nl_list;
};

struct net_nic {
	struct net	*nn_net;
	struct host	*nn_host;
	char		*nn_name;
	int		 nn_unit;
	int		 nn_index;	/* in the world, from 0 */
	int		 nn_irq_cpu;
	uint8_t		 nn_mac[6];
	struct net_link	*nn_link;
	/*
	 * Transmit queue.  Departure times are computed when a frame is
	 * queued (serialisation is FIFO), so the queue is the ring of
	 * departure times still in the future: its length at time t is
	 * the number of entries > t.  The frame itself goes straight to
	 * its delivery event.  nn_dep_cap is 0 or a power of two (slots
	 * wrap by masking).
	 */
	uint64_t	*nn_dep;	/* ring of departure times */
	unsigned	 nn_dep_head, nn_dep_len, nn_dep_cap;
	uint64_t	 nn_tx_free_at;	/* p2p: this direction is free at */
	struct net_frame *nn_txbuf;	/* handed out by vnic_hw_tx_buf */
	/* receive ring */
	struct net_frameq nn_rxq;
	unsigned	 nn_rxlen;
	unsigned	 nn_rxcap;
	bool		 nn_intr_pending;
	void		(*nn_intr)(void *);
	void		*nn_intr_arg;
	/* capture */
	int		 nn_pcap_id;	/* -1: not captured */
	struct net_keep	*nn_keep;	/* NULL: frames not kept (net_keep) */
	TAILQ_ENTRY(net_nic) nn_list;
};

struct net {
	struct net_env	 n_env;
	struct world	*n_world;	/* NULL in model tests */
	TAILQ_HEAD(, net_nic) n_nics;
	TAILQ_HEAD(, net_link) n_links;
	int		 n_nnics;
	struct net_frameq n_free;	/* recycled frames */
	/* capture */
	FILE		*n_pcap;
	bool		 n_pcap_all;
	int		 n_pcap_nifs;
	uint64_t	 n_pcap_frames;
	/* frames held until GVT passes them (pcapng.c) */
	struct netp_held **n_pcap_heap;
	uint32_t	 n_pcap_nheld;
	uint32_t	 n_pcap_heapcap;
	uint64_t	 n_pcap_seq;
};

struct net	*net_create_env(const struct net_env *);
void		 netw_unregister(struct net *);

/* link.c */
void	netl_transmit(struct net_nic *, struct net_frame *, uint64_t now);
void	netl_destroy(struct net_link *);
uint64_t netl_lookahead(struct net *);

/* nic.c */
struct net_frame *netn_frame_get(struct net *, size_t len);
void	netn_frame_put(struct net *, struct net_frame *);
void	netn_receive(struct net_nic *, struct net_frame *, uint64_t now);
void	netn_destroy(struct net_nic *);

/* pcapng.c */
void	netp_add_if(struct net *, struct net_nic *);
void	netp_frame(struct net *, struct net_nic *, const struct net_frame *,
	    uint64_t when, bool outbound);

/* keep.c */
void	netk_frame(struct net_nic *, const struct net_frame *, uint64_t when,
	    bool outbound);

/* FNV-1a over bytes: the frame digest mixed into the trace hash. */
uint64_t net_digest(const void *, size_t);

#endif /* !_KNIT_SIM_NET_NET_IMPL_H_ */
