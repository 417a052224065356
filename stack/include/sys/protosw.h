/*
 * Protocol switch (NetBSD 5 style: one pr_usrreq entry point).
 *
 * A domain (sys/domain.h) has an array of protosw; socreate finds the
 * entry by (type, protocol) and the socket layer reaches the protocol
 * only through these hooks.
 *
 * Locking: pr_usrreq, pr_ctloutput and pr_ioctl are called with the
 * socket locked (solocked(so)), except PRU_ATTACH, which is called with
 * the socket unlocked or with the lock given to socreate held, and must
 * return with so->so_lock set and held (sosetlock does that for
 * protocols content with softnet_lock).  A protocol may change so_lock
 * only while holding the current one (see solockreset).
 */
#ifndef _KNIT_SYS_PROTOSW_H_
#define _KNIT_SYS_PROTOSW_H_

#include "sys/systm.h"

struct mbuf;
struct socket;
struct sockaddr;
struct sockopt;
struct domain;
struct lwp;

struct protosw {
	int		 pr_type;	/* SOCK_STREAM, SOCK_DGRAM, ... */
	struct domain	*pr_domain;
	short		 pr_protocol;	/* IPPROTO_*, or 0 */
	short		 pr_flags;	/* PR_* below */

	/* Protocol input from below (softint context, may block). */
	void		(*pr_input)(struct mbuf *, ...);
	/* Control input (ICMP errors etc.) */
	void		*(*pr_ctlinput)(int, const struct sockaddr *, void *);
	/* Socket options at the protocol's level: PRCO_SETOPT/GETOPT. */
	int		(*pr_ctloutput)(int op, struct socket *,
			    struct sockopt *);
	/*
	 * User requests (PRU_*).  m is data (PRU_SEND, ownership passes to
	 * the protocol, which frees it on error too); nam is an address
	 * (PRU_BIND, PRU_CONNECT, PRU_SEND: input; PRU_ACCEPT,
	 * PRU_SOCKADDR, PRU_PEERADDR: output buffer of at least
	 * sizeof(struct sockaddr_big) bytes); control is PRU_SEND's control
	 * chain (ownership passes too).  For PRU_ATTACH, nam is unused and
	 * m is NULL; for PRU_RCVD, m is unused; for PRU_SHUTDOWN nothing.
	 */
	int		(*pr_usrreq)(struct socket *, int req, struct mbuf *m,
			    struct sockaddr *nam, struct mbuf *control,
			    struct lwp *);
	/*
	 * Socket ioctls the socket layer does not handle itself (interface
	 * configuration and the like).  NULL: EOPNOTSUPP.
	 */
	int		(*pr_ioctl)(struct socket *, u_long cmd, void *data,
			    struct lwp *);

	void		(*pr_init)(void);	/* per host, at domain init */
	void		(*pr_fini)(void);
	void		(*pr_fasttimo)(void);
	void		(*pr_slowtimo)(void);
	void		(*pr_drain)(void);
};

/* pr_flags */
#define PR_ATOMIC	0x01	/* exchange atomic messages only */
#define PR_ADDR		0x02	/* addresses given with messages */
#define PR_CONNREQUIRED	0x04	/* connection required by protocol */
#define PR_WANTRCVD	0x08	/* want PRU_RCVD calls */
#define PR_RIGHTS	0x10	/* passes capabilities */
#define PR_LISTEN	0x20	/* supports listen(2) and accept(2) */
#define PR_LASTHDR	0x40	/* enforce ipsec policy; last header */
#define PR_ABRTACPTDIS	0x80	/* abort on accept(2) of a disconnected socket */
#define PR_PURGEIF	0x100	/* might store struct ifnet pointer */

/* pr_usrreq requests (NetBSD values) */
#define PRU_ATTACH	0	/* attach protocol to up */
#define PRU_DETACH	1	/* detach protocol from up */
#define PRU_BIND	2	/* bind socket to address */
#define PRU_LISTEN	3	/* listen for connection */
#define PRU_CONNECT	4	/* establish connection to peer */
#define PRU_ACCEPT	5	/* accept connection from peer */
#define PRU_DISCONNECT	6	/* disconnect from peer */
#define PRU_SHUTDOWN	7	/* won't send any more data */
#define PRU_RCVD	8	/* have taken data; more room now */
#define PRU_SEND	9	/* send this data */
#define PRU_ABORT	10	/* abort (fast DISCONNECT, DETATCH) */
#define PRU_CONTROL	11	/* control operations on protocol */
#define PRU_SENSE	12	/* return status into m */
#define PRU_RCVOOB	13	/* retrieve out of band data */
#define PRU_SENDOOB	14	/* send out of band data */
#define PRU_SOCKADDR	15	/* fetch socket's address */
#define PRU_PEERADDR	16	/* fetch peer's address */
#define PRU_CONNECT2	17	/* connect two sockets */
#define PRU_FASTTIMO	18
#define PRU_SLOWTIMO	19
#define PRU_PROTORCV	20
#define PRU_PROTOSEND	21
#define PRU_PURGEIF	22
#define PRU_NREQ	23

extern const char * const prurequests[PRU_NREQ];

/* pr_ctloutput ops */
#define PRCO_GETOPT	0
#define PRCO_SETOPT	1

#endif /* !_KNIT_SYS_PROTOSW_H_ */
