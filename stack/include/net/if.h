/*
 * Network interfaces (ifnet) and their addresses (ifaddr).
 *
 * Every host has its own interface list (VNET), lo0 first (index 1).
 * Interfaces are attached by drivers (lo, vnic) and keep their index for
 * their lifetime; indexes are never reused within a host, so the order
 * of the list is the order of attachment and never depends on an address.
 *
 * Locking: the interface list and every interface's address list are
 * protected by the host's ifnet lock (if_lock_enter/if_lock_exit, an
 * adaptive rwlock): writers are ioctls, attach and detach; readers are
 * the lookups below, which return a referenced ifaddr (ifaref) when
 * the caller will keep it.  ifaddrs are reference counted; ifafree
 * releases the storage (and its sockaddrs) on the last reference.
 * An ifnet is freed by its driver after if_detach.
 *
 * softnet_lock is the NetBSD 5 big network lock: protocol input
 * (ipintr, ip6intr), timers (ARP/ND) and the protocol user requests
 * run with it held.  It is an adaptive mutex: holders may block.
 */
#ifndef _KNIT_NET_IF_H_
#define _KNIT_NET_IF_H_

#include "sys/systm.h"
#include "sys/queue.h"
#include "sys/mutex.h"
#include "sys/rwlock.h"
#include "sys/vnet.h"
#include "sys/mbuf.h"

struct sockaddr;
struct rtentry;
struct rt_addrinfo;
struct ifnet;
struct lwp;

#define IFNAMSIZ	16

/* if_flags (NetBSD values) */
#define IFF_UP		0x0001	/* administratively up */
#define IFF_BROADCAST	0x0002
#define IFF_DEBUG	0x0004
#define IFF_LOOPBACK	0x0008
#define IFF_POINTOPOINT	0x0010
#define IFF_NOTRAILERS	0x0020
#define IFF_RUNNING	0x0040	/* resources allocated (driver) */
#define IFF_NOARP	0x0080
#define IFF_PROMISC	0x0100
#define IFF_ALLMULTI	0x0200
#define IFF_OACTIVE	0x0400	/* transmission in progress */
#define IFF_SIMPLEX	0x0800
#define IFF_MULTICAST	0x8000
/* flags the user may change with SIOCSIFFLAGS */
#define IFF_CANTCHANGE	(IFF_BROADCAST | IFF_POINTOPOINT | IFF_RUNNING | \
	IFF_OACTIVE | IFF_SIMPLEX | IFF_MULTICAST | IFF_LOOPBACK)

/* if_type (IANA ifType values) */
#define IFT_OTHER	0x01
#define IFT_ETHER	0x06
#define IFT_LOOP	0x18

/* ifa_flags */
#define IFA_ROUTE	0x01	/* the connected route is installed */

/*
 * An address of an interface.  The sockaddrs are owned by the ifaddr
 * (allocated with it, freed with it).  ifa_dstaddr is the peer of a
 * point-to-point interface, else the broadcast address (or NULL).
 */
struct ifaddr {
	struct sockaddr	*ifa_addr;
	struct sockaddr	*ifa_dstaddr;
	struct sockaddr	*ifa_netmask;
	struct ifnet	*ifa_ifp;
	TAILQ_ENTRY(ifaddr) ifa_list;	/* on ifp->if_addrlist */
	/* called by the routing table for routes using this address */
	void		(*ifa_rtrequest)(int, struct rtentry *,
			    const struct rt_addrinfo *);
	void		(*ifa_free)(struct ifaddr *); /* last reference gone */
	u_int		 ifa_flags;
	u_int		 ifa_refcnt;	/* atomic */
	int		 ifa_metric;
	int		 ifa_seqno;	/* bumped when the address changes */
};
#define ifa_broadaddr	ifa_dstaddr

TAILQ_HEAD(ifaddrhead, ifaddr);

/*
 * The send queue: drivers dequeue from if_start.  The lock is a spin
 * mutex at IPL_NET because the transmit-complete interrupt takes it.
 */
struct ifqueue {
	kmutex_t	 ifq_lock;
	struct mbufq	 ifq_q;
};

struct if_data {
	uint64_t	ifi_ipackets;
	uint64_t	ifi_ierrors;
	uint64_t	ifi_opackets;
	uint64_t	ifi_oerrors;
	uint64_t	ifi_collisions;
	uint64_t	ifi_ibytes;
	uint64_t	ifi_obytes;
	uint64_t	ifi_imcasts;
	uint64_t	ifi_omcasts;
	uint64_t	ifi_iqdrops;	/* input queue full */
	uint64_t	ifi_oqdrops;	/* send queue full */
	uint64_t	ifi_noproto;	/* unknown protocol */
};

struct ifnet {
	char		 if_xname[IFNAMSIZ];	/* "lo0", "vnic0" */
	void		*if_softc;		/* the driver's */
	TAILQ_ENTRY(ifnet) if_list;		/* on the host's ifnet list */
	struct ifaddrhead if_addrlist;		/* under the ifnet lock */
	u_short		 if_index;		/* 1, 2, ... never reused */
	u_char		 if_type;		/* IFT_* */
	u_char		 if_addrlen;		/* link address length */
	u_char		 if_hdrlen;		/* link header length */
	int		 if_flags;		/* IFF_* (IF_FLAGSP) */
	u_int		 if_mtu;
	int		 if_metric;
	uint8_t		 if_lladdr[8];		/* link address (MAC) */
	struct if_data	 if_data;		/* counters */
	struct ifqueue	 if_snd;		/* send queue */
	/* link-level output: frames and queues the packet */
	int		(*if_output)(struct ifnet *, struct mbuf *,
			    const struct sockaddr *, struct rtentry *);
	/* the driver starts transmission of if_snd */
	void		(*if_start)(struct ifnet *);
	/* a received frame enters the link layer (ether_input, ...) */
	void		(*if_input)(struct ifnet *, struct mbuf *);
	/* driver ioctls (SIOCSIFFLAGS, SIOCSIFMTU, ...) */
	int		(*if_ioctl)(struct ifnet *, u_long, void *);
	/* driver up/down when IFF_UP changes (may be NULL) */
	int		(*if_init)(struct ifnet *);
	void		(*if_stop)(struct ifnet *, int disable);
	struct ifaddr	*if_dl;			/* AF_LINK address (first) */
	const struct sockaddr *if_sadl;		/* its sockaddr_dl */
	/* link-layer private state (ARP/ND per interface, ...) */
	void		*if_afdata[4];
	int		 if_detaching;		/* set by if_detach */
};
#define if_ipackets	if_data.ifi_ipackets
#define if_ierrors	if_data.ifi_ierrors
#define if_opackets	if_data.ifi_opackets
#define if_oerrors	if_data.ifi_oerrors
#define if_ibytes	if_data.ifi_ibytes
#define if_obytes	if_data.ifi_obytes
#define if_iqdrops	if_data.ifi_iqdrops
#define if_oqdrops	if_data.ifi_oqdrops
#define if_noproto	if_data.ifi_noproto
#define if_imcasts	if_data.ifi_imcasts
#define if_omcasts	if_data.ifi_omcasts
#define if_collisions	if_data.ifi_collisions

/* if_afdata slots */
#define IF_AFDATA_ARP	0
#define IF_AFDATA_ND6	1
#define IF_AFDATA_IN6	2

TAILQ_HEAD(ifnethead, ifnet);

/* Per-host state. */
VNET_DECLARE(struct ifnethead, ifnet_list);
#define V_ifnet_list	VNET(ifnet_list)
VNET_DECLARE(struct ifnet *, loif);		/* lo0 */
#define V_loif		VNET(loif)
#ifndef softnet_lock		/* also declared by sys/socketvar.h */
VNET_DECLARE(kmutex_t *, softnet_lock);
#define softnet_lock		VNET(softnet_lock)
#endif

#define IFNET_FOREACH(ifp)	TAILQ_FOREACH(ifp, &V_ifnet_list, if_list)
#define IFADDR_FOREACH(ifa, ifp) TAILQ_FOREACH(ifa, &(ifp)->if_addrlist, ifa_list)

void	if_lock_enter(krw_t);
void	if_lock_exit(void);
bool	if_lock_held(void);

/* Attach: assigns if_index, initialises if_snd and the address list. */
void	if_attach(struct ifnet *);
/*
 * Detach: brings the interface down, removes every address (and so the
 * connected and local routes), deletes every route whose rt_ifp is ifp,
 * purges the send queue and unlinks it.  The driver frees it afterwards.
 */
void	if_detach(struct ifnet *);
struct ifnet *if_byindex(u_int);
struct ifnet *ifunit(const char *name);

/* Up/down (as SIOCSIFFLAGS does): calls if_init / if_stop. */
int	if_up(struct ifnet *);
void	if_down(struct ifnet *);
/* True when output may proceed: IFF_UP and IFF_RUNNING. */
static inline bool
if_is_up_running(const struct ifnet *ifp)
{
	return (ifp->if_flags & (IFF_UP | IFF_RUNNING)) ==
	    (IFF_UP | IFF_RUNNING);
}

/* Queue m on if_snd and call if_start; ENOBUFS (m freed) when full. */
int	if_transmit(struct ifnet *, struct mbuf *);

/* Address list. */
void	ifa_insert(struct ifnet *, struct ifaddr *);	/* takes a ref */
void	ifa_remove(struct ifnet *, struct ifaddr *);	/* drops it */
void	ifaref(struct ifaddr *);
void	ifafree(struct ifaddr *);

/*
 * Lookups (the routing table uses them for rt_getifa).  Each returns
 * an ifaddr without taking a reference; the caller holds softnet_lock
 * or the ifnet lock, or takes a reference before dropping them.
 */
struct ifaddr *ifa_ifwithaddr(const struct sockaddr *);
struct ifaddr *ifa_ifwithdstaddr(const struct sockaddr *);
struct ifaddr *ifa_ifwithnet(const struct sockaddr *);
struct ifaddr *ifa_ifwithladdr(const struct sockaddr *);
struct ifaddr *ifa_ifwithroute(int flags, const struct sockaddr *dst,
	    const struct sockaddr *gateway);
struct ifaddr *ifaof_ifpforaddr(const struct sockaddr *, struct ifnet *);

/*
 * Interface ioctls.  Encodings follow NetBSD's _IOW/_IOWR scheme (the
 * size field is the size of our structures).  They reach ifioctl from
 * sys_ioctl on any socket (the protocols' pr_ioctl, or sys_ifioctl_hook).
 */
#define IOCPARM_MASK	0x1fff
#define IOC_OUT		0x40000000UL
#define IOC_IN		0x80000000UL
#define IOC_INOUT	(IOC_IN | IOC_OUT)
#define _IOC(inout, g, n, len)						\
	((u_long)((inout) | (((len) & IOCPARM_MASK) << 16) | ((g) << 8) | (n)))
#define _IOW(g, n, t)	_IOC(IOC_IN, (g), (n), sizeof(t))
#define _IOWR(g, n, t)	_IOC(IOC_INOUT, (g), (n), sizeof(t))

/* The sockaddr storage of an ifreq: large enough for every family. */
struct ifreq {
	char		ifr_name[IFNAMSIZ];
	union {
		struct sockaddr_storage_ifr {
			uint8_t	 ss_len;
			uint8_t	 ss_family;
			char	 ss_data[126];
		} ifru_space;
		short		 ifru_flags;
		int		 ifru_metric;
		int		 ifru_mtu;
		int		 ifru_index;
	} ifr_ifru;
};
#define ifr_addr	ifr_ifru.ifru_space	/* cast with ifreq_sa() */
#define ifr_flags	ifr_ifru.ifru_flags
#define ifr_metric	ifr_ifru.ifru_metric
#define ifr_mtu		ifr_ifru.ifru_mtu
#define ifr_index	ifr_ifru.ifru_index
#define ifreq_sa(ifr)	((struct sockaddr *)(void *)&(ifr)->ifr_ifru.ifru_space)

/*
 * SIOCGIFCONF: one ifreq per address of every interface, in interface
 * order then address order; each interface first lists its AF_LINK
 * address (with the MAC).  ifc_len: in, the buffer size; out, the bytes
 * used.  A buffer too small is filled as far as whole entries go.
 */
struct ifconf {
	int		 ifc_len;
	union {
		void		*ifcu_buf;
		struct ifreq	*ifcu_req;
	} ifc_ifcu;
};
#define ifc_buf		ifc_ifcu.ifcu_buf
#define ifc_req		ifc_ifcu.ifcu_req

/* SIOCGIFDATA: the counters of an interface (netstat -i). */
struct ifdatareq {
	char		 ifdr_name[IFNAMSIZ];
	struct if_data	 ifdr_data;
};

#define SIOCSIFFLAGS	_IOW('i', 16, struct ifreq)
#define SIOCGIFFLAGS	_IOWR('i', 17, struct ifreq)
#define SIOCDIFADDR	_IOW('i', 25, struct ifreq)
#define SIOCGIFADDR	_IOWR('i', 33, struct ifreq)
#define SIOCGIFNETMASK	_IOWR('i', 37, struct ifreq)
#define SIOCGIFCONF	_IOWR('i', 38, struct ifconf)
#define SIOCGIFMTU	_IOWR('i', 126, struct ifreq)
#define SIOCSIFMTU	_IOW('i', 127, struct ifreq)
#define SIOCGIFDATA	_IOWR('i', 133, struct ifdatareq)
#define SIOCGIFINDEX	_IOWR('i', 140, struct ifreq)
/* family-specific: SIOCAIFADDR (netinet/in_var.h), *_IN6 (in6_var.h) */

/*
 * Interface ioctls; `so' may be NULL (used by the protocols' pr_ioctl
 * and by sys_ifioctl_hook).  Errors: ENXIO no such interface, EINVAL
 * bad argument, EADDRNOTAVAIL no such address, EAFNOSUPPORT.
 */
/*
 * if_flags change with softnet_lock held, but the receive path reads
 * them in hard-interrupt context, where it cannot take that lock: the
 * changes (after attach) and those reads are atomic ops on IF_FLAGSP.
 */
#define IF_FLAGSP(ifp)	((volatile unsigned int *)&(ifp)->if_flags)

struct socket;
int	ifioctl(struct socket *, u_long cmd, void *data, struct lwp *);
/*
 * Family hooks (defined, constant, by netinet/in.c and netinet6/in6.c):
 * address ioctls, and purging a detaching interface's addresses and
 * neighbours.
 */
extern void (*if_inet_purge)(struct ifnet *);
extern void (*if_inet6_up)(struct ifnet *);	/* link-local address */
extern void (*if_inet6_purge)(struct ifnet *);
extern int (*if_inet_control)(u_long, void *, struct ifnet *, struct lwp *);
extern int (*if_inet6_control)(u_long, void *, struct ifnet *, struct lwp *);

#endif /* !_KNIT_NET_IF_H_ */
