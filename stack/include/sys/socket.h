/*
 * Socket addresses and socket-level definitions, NetBSD layout and values.
 *
 * This is the stack's own <sys/socket.h>: a sockaddr starts with a length
 * byte (sa_len) followed by a one-byte family, and the address-family
 * numbers are NetBSD's, not the host libc's.  Stack code must include this
 * header ("sys/socket.h") and never libc's <sys/socket.h>; the two define
 * the same names differently.
 */
#ifndef _KNIT_SYS_SOCKET_H_
#define _KNIT_SYS_SOCKET_H_

#include <sys/uio.h>		/* struct iovec (libc; identical layout) */

#include "sys/systm.h"

typedef uint8_t		sa_family_t;
typedef unsigned int	socklen_t;	/* same type as libc's, so no clash */

/* Socket types. */
#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_RAW	3
#define SOCK_RDM	4
#define SOCK_SEQPACKET	5
#define SOCK_CLOEXEC	0x10000000
#define SOCK_NONBLOCK	0x20000000
#define SOCK_FLAGS_MASK	0xf0000000

/* Options for use with getsockopt/setsockopt at level SOL_SOCKET. */
#define SO_DEBUG	0x0001	/* turn on debugging info recording */
#define SO_ACCEPTCONN	0x0002	/* socket has had listen() */
#define SO_REUSEADDR	0x0004	/* allow local address reuse */
#define SO_KEEPALIVE	0x0008	/* keep connections alive */
#define SO_DONTROUTE	0x0010	/* just use interface addresses */
#define SO_BROADCAST	0x0020	/* permit sending of broadcast msgs */
#define SO_USELOOPBACK	0x0040	/* bypass hardware when possible */
#define SO_LINGER	0x0080	/* linger on close if data present */
#define SO_OOBINLINE	0x0100	/* leave received OOB data in line */
#define SO_REUSEPORT	0x0200	/* allow local address & port reuse */
#define SO_TIMESTAMP	0x0400	/* timestamp received dgram traffic (5.x) */
#define SO_NOSIGPIPE	0x0800	/* no SIGPIPE from EPIPE */
#define SO_ACCEPTFILTER	0x1000	/* there is an accept filter */

#define SO_SNDBUF	0x1001	/* send buffer size */
#define SO_RCVBUF	0x1002	/* receive buffer size */
#define SO_SNDLOWAT	0x1003	/* send low-water mark */
#define SO_RCVLOWAT	0x1004	/* receive low-water mark */
#define SO_ERROR	0x1007	/* get error status and clear */
#define SO_TYPE		0x1008	/* get socket type */
#define SO_OVERFLOWED	0x1009	/* datagrams: return packets dropped */
#define SO_NOHEADER	0x100a	/* user supplies no header to kernel */
#define SO_SNDTIMEO	0x100b	/* send timeout */
#define SO_RCVTIMEO	0x100c	/* receive timeout */

struct linger {
	int	l_onoff;	/* option on/off */
	int	l_linger;	/* linger time in seconds */
};

/* Level number for (get/set)sockopt() to apply to the socket itself. */
#define SOL_SOCKET	0xffff

/* Address families (NetBSD numbers). */
#define AF_UNSPEC	0	/* unspecified */
#define AF_LOCAL	1	/* local to host (pipes, portals) */
#define AF_UNIX		AF_LOCAL
#define AF_INET		2	/* internetwork: UDP, TCP, etc. */
#define AF_IMPLINK	3
#define AF_PUP		4
#define AF_CHAOS	5
#define AF_NS		6
#define AF_ISO		7	/* ISO protocols */
#define AF_OSI		AF_ISO
#define AF_ECMA		8
#define AF_DATAKIT	9
#define AF_CCITT	10
#define AF_SNA		11
#define AF_DECnet	12
#define AF_DLI		13
#define AF_LAT		14
#define AF_HYLINK	15
#define AF_APPLETALK	16
#define AF_OROUTE	17
#define AF_LINK		18	/* link layer interface */
#define AF_COIP		20
#define AF_CNT		21
#define AF_IPX		23
#define AF_INET6	24	/* IP version 6 */
#define AF_ISDN		26
#define AF_E164		AF_ISDN
#define AF_NATM		27
#define AF_ARP		28
#define AF_BLUETOOTH	31
#define AF_IEEE80211	32
#define AF_MPLS		33
#define AF_ROUTE	34	/* internal routing protocol */
#define AF_CAN		35
#define AF_ETHER	36
#define AF_MAX		37

/* Protocol families: same values as the address families. */
#define PF_UNSPEC	AF_UNSPEC
#define PF_LOCAL	AF_LOCAL
#define PF_UNIX		PF_LOCAL
#define PF_INET		AF_INET
#define PF_ISO		AF_ISO
#define PF_OSI		AF_ISO
#define PF_LINK		AF_LINK
#define PF_INET6	AF_INET6
#define PF_ROUTE	AF_ROUTE
#define PF_MAX		AF_MAX

/*
 * The generic socket address.  sa_len is the length of the whole
 * address structure of the family (e.g. sizeof(struct sockaddr_in)); the
 * 14 bytes of sa_data are a minimum, families use more.
 */
struct sockaddr {
	uint8_t		sa_len;		/* total length */
	sa_family_t	sa_family;	/* address family */
	char		sa_data[14];	/* actually longer; address value */
};

/* Longest sockaddr a routing message or a pool may carry. */
#define SOCK_MAXADDRLEN	255

/*
 * Storage large enough and aligned for any family's sockaddr
 * (RFC 2553 layout, as in NetBSD).
 */
#define _SS_MAXSIZE	128
#define _SS_ALIGNSIZE	(sizeof(int64_t))
#define _SS_PAD1SIZE	(_SS_ALIGNSIZE - 2)
#define _SS_PAD2SIZE	(_SS_MAXSIZE - 2 - _SS_PAD1SIZE - _SS_ALIGNSIZE)

struct sockaddr_storage {
	uint8_t		ss_len;
	sa_family_t	ss_family;
	char		__ss_pad1[_SS_PAD1SIZE];
	int64_t		__ss_align;
	char		__ss_pad2[_SS_PAD2SIZE];
};

/* Maximum queue length for listen(2). */
#define SOMAXCONN	128

/* Message header for sendmsg/recvmsg. */
struct msghdr {
	void		*msg_name;	/* optional address */
	socklen_t	 msg_namelen;	/* size of address */
	struct iovec	*msg_iov;	/* scatter/gather array */
	int		 msg_iovlen;	/* # elements in msg_iov */
	void		*msg_control;	/* ancillary data */
	socklen_t	 msg_controllen; /* ancillary data buffer len */
	int		 msg_flags;	/* flags on received message */
};

#define MSG_OOB		0x0001	/* process out-of-band data */
#define MSG_PEEK	0x0002	/* peek at incoming message */
#define MSG_DONTROUTE	0x0004	/* send without using routing tables */
#define MSG_EOR		0x0008	/* data completes record */
#define MSG_TRUNC	0x0010	/* data discarded before delivery */
#define MSG_CTRUNC	0x0020	/* control data lost before delivery */
#define MSG_WAITALL	0x0040	/* wait for full request or error */
#define MSG_DONTWAIT	0x0080	/* this message should be nonblocking */
#define MSG_BCAST	0x0100	/* received via link-level broadcast */
#define MSG_MCAST	0x0200	/* received via link-level multicast */
#define MSG_NOSIGNAL	0x0400	/* do not generate SIGPIPE on EOF */
#define MSG_CMSG_CLOEXEC 0x0800	/* close-on-exec received descriptors */
#define MSG_NBIO	0x1000	/* use non-blocking I/O (internal) */

/*
 * Ancillary data: a sequence of cmsghdr, each followed by its data,
 * every header aligned to a long.
 */
struct cmsghdr {
	socklen_t	cmsg_len;	/* data byte count, including hdr */
	int		cmsg_level;	/* originating protocol */
	int		cmsg_type;	/* protocol-specific type */
	/* followed by unsigned char cmsg_data[]; */
};

#define __CMSG_ALIGN(n)	(((n) + sizeof(long) - 1) & ~(sizeof(long) - 1))
#define CMSG_ALIGN(n)	__CMSG_ALIGN(n)
#define CMSG_DATA(cmsg)							\
	((unsigned char *)(void *)(cmsg) + __CMSG_ALIGN(sizeof(struct cmsghdr)))
#define CMSG_SPACE(l)							\
	(__CMSG_ALIGN(sizeof(struct cmsghdr)) + __CMSG_ALIGN(l))
#define CMSG_LEN(l)	(__CMSG_ALIGN(sizeof(struct cmsghdr)) + (l))
#define CMSG_FIRSTHDR(mhdr)						\
	((mhdr)->msg_controllen >= sizeof(struct cmsghdr) ?		\
	    (struct cmsghdr *)(mhdr)->msg_control :			\
	    (struct cmsghdr *)0)
#define CMSG_NXTHDR(mhdr, cmsg)						\
	(((char *)(cmsg) + __CMSG_ALIGN((cmsg)->cmsg_len) +		\
	    __CMSG_ALIGN(sizeof(struct cmsghdr)) >			\
	    ((char *)(mhdr)->msg_control) + (mhdr)->msg_controllen) ?	\
	    (struct cmsghdr *)0 :					\
	    (struct cmsghdr *)(void *)((char *)(cmsg) +			\
		__CMSG_ALIGN((cmsg)->cmsg_len)))

/* "Socket"-level control message types. */
#define SCM_RIGHTS	0x01	/* access rights (array of int) */
#define SCM_TIMESTAMP	0x08	/* timestamp (struct timeval) */
#define SCM_CREDS	0x10	/* credentials */

/* howto arguments for shutdown(2). */
#define SHUT_RD		0
#define SHUT_WR		1
#define SHUT_RDWR	2

#endif /* !_KNIT_SYS_SOCKET_H_ */
