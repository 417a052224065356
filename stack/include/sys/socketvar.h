/*
 * Kernel socket structures and the socket layer's interface.
 *
 * Locking (NetBSD 5 model; see also sys/protosw.h):
 *
 *   so_lock points at a reference-counted mutex (mutex_obj_alloc) and
 *   may change at any time.  solock() loads the pointer, enters the
 *   mutex and retries if the pointer changed meanwhile.  Only the holder
 *   of the current lock may change the pointer (solockreset), which wakes
 *   every sleeper on so_cv and both sockbufs so that each re-waits under
 *   the new lock.  A lock that may still be seen through a stale pointer
 *   stays alive because every socket holds a reference on the lock it
 *   points at (dropped in sofree).
 *
 *   A socket on a listen queue (so_head != NULL) shares its head's lock.
 *   Everything in struct socket and its sockbufs is protected by so_lock,
 *   except so_count-like fields noted otherwise.
 *
 *   SB_LOCK (sblock/sbunlock) serialises whole send and receive
 *   operations, because sosend/soreceive drop so_lock around copies.
 *
 *   softnet_lock (per host) is the lock of every INET/INET6 socket
 *   (sosetlock) and of all INET protocol state.  Protocol softints take
 *   it first and may block on it.  Lock order: softnet_lock before any
 *   other network lock.
 */
#ifndef _KNIT_SYS_SOCKETVAR_H_
#define _KNIT_SYS_SOCKETVAR_H_

#include "sys/systm.h"
#include "sys/queue.h"
#include "sys/mutex.h"
#include "sys/condvar.h"
#include "sys/vnet.h"
#include "sys/socket.h"

struct mbuf;
struct uio;
struct lwp;
struct protosw;
struct domain;

/*
 * A sockaddr large enough for any address the stack produces, including
 * an AF_LOCAL name of the maximal length (sa_len is one byte).
 */
struct sockaddr_big {
	uint8_t		sb_len;
	uint8_t		sb_family;
	char		sb_data[253 + 1];	/* room for a terminating NUL */
};

/*
 * A socket buffer: a chain of records linked through m_nextpkt, each a
 * chain of mbufs linked through m_next.  Stream sockets keep a single
 * record.  sb_cc counts data bytes (not names or control).
 */
struct sockbuf {
	struct socket	*sb_so;		/* back pointer */
	struct mbuf	*sb_mb;		/* the chain */
	struct mbuf	*sb_mbtail;	/* last mbuf of the chain */
	struct mbuf	*sb_lastrecord;	/* first mbuf of the last record */
	u_long		 sb_cc;		/* data bytes in the buffer */
	u_long		 sb_hiwat;	/* max data bytes */
	u_long		 sb_mbcnt;	/* storage bytes in the buffer */
	u_long		 sb_mbmax;	/* max storage bytes */
	long		 sb_lowat;	/* low water mark */
	kcondvar_t	 sb_cv;		/* data arrived / space freed */
	int		 sb_flags;	/* SB_* */
	int		 sb_timeo;	/* sbwait timeout in ticks, 0: none */
	u_long		 sb_overflowed;	/* records dropped for lack of room */
};

#define SB_MAX		(256 * 1024)	/* default max sb_hiwat */

/* sb_flags */
#define SB_LOCK		0x01	/* a send/receive is in progress */
#define SB_NOTIFY	0x04	/* someone is waiting for data/space */
#define SB_SEL		0x08	/* a poller is interested */
#define SB_ASYNC	0x10	/* ASYNC I/O, need signals */
#define SB_UPCALL	0x20	/* someone wants an upcall */
#define SB_NOINTR	0x40	/* operations not interruptible */
#define SB_KNOTE	0x100	/* kernel note attached */
#define SB_AUTOSIZE	0x800

struct soqhead {
	struct socket	*tqh_first;
	struct socket	**tqh_last;
};

struct socket {
	kmutex_t * volatile so_lock;	/* pointer to the lock; see above */
	kcondvar_t	 so_cv;		/* state changes, SB_LOCK, linger */
	short		 so_type;	/* SOCK_* */
	short		 so_options;	/* SO_* from sys/socket.h */
	short		 so_linger;	/* seconds to linger on close */
	short		 so_state;	/* SS_* */
	u_int		 so_restartgen;	/* sorestart() count: wakes sleepers */
	void		*so_pcb;	/* protocol control block */
	const struct protosw *so_proto;

	/*
	 * Listen queues.  so_q0: connections in progress; so_q: complete
	 * connections waiting for accept.  so_onq says which queue a
	 * queued socket is on; so_head is its listener.
	 */
	struct socket	*so_head;
	struct soqhead	*so_onq;
	struct soqhead	 so_q0;
	struct soqhead	 so_q;
	TAILQ_ENTRY(socket) so_qe;
	short		 so_q0len;
	short		 so_qlen;
	short		 so_qlimit;	/* max so_qlen */
	u_short		 so_error;	/* pending error, reported once */
	u_short		 so_aborting;	/* soabort() in progress: do not free */
	u_short		 so_rerror;	/* pending receive error */
	pid_t		 so_cpid;	/* pid of the creator */
	uid_t		 so_uid;	/* creator's effective uid */
	gid_t		 so_gid;

	struct sockbuf	 so_rcv;
	struct sockbuf	 so_snd;

	/* Optional upcall on sowakeup (used by kernel consumers). */
	void		(*so_upcall)(struct socket *, void *, int);
	void		*so_upcallarg;

	LIST_ENTRY(socket) so_list;	/* V_socket_list, under socket_list_lock */
};

/* so_state */
#define SS_NOFDREF		0x001	/* no file table reference any more */
#define SS_ISCONNECTED		0x002	/* connected to a peer */
#define SS_ISCONNECTING		0x004	/* in process of connecting */
#define SS_ISDISCONNECTING	0x008	/* in process of disconnecting */
#define SS_CANTSENDMORE		0x010	/* can't send more data to peer */
#define SS_CANTRCVMORE		0x020	/* can't receive more data */
#define SS_RCVATMARK		0x040
#define SS_NBIO			0x100	/* non-blocking operations */
#define SS_ASYNC		0x200
#define SS_ISDISCONNECTED	0x800	/* socket disconnected from peer */
#define SS_ISCONFIRMING		0x400
#define SS_ISAPIPE		0x1000

/* socket options passed to pr_ctloutput and sosetopt/sogetopt */
struct sockopt {
	int		 sopt_level;
	int		 sopt_name;
	size_t		 sopt_size;	/* bytes at sopt_data */
	void		*sopt_data;	/* caller's buffer */
};
/* copy the option value out of / into a sockopt; EINVAL on size mismatch */
int	sockopt_get(const struct sockopt *, void *, size_t);
int	sockopt_getint(const struct sockopt *, int *);
int	sockopt_set(struct sockopt *, const void *, size_t);
int	sockopt_setint(struct sockopt *, int);

/* Per-host socket layer state. */
#ifndef softnet_lock		/* also declared by net/if.h */
VNET_DECLARE(kmutex_t *, softnet_lock);
#define softnet_lock		VNET(softnet_lock)
#endif
VNET_DECLARE(u_int, socket_count);	/* sockets allocated, not yet freed */
#define V_socket_count		VNET(socket_count)

/* Buffer space arithmetic. */
static inline long
sbspace(const struct sockbuf *sb)
{
	long data = (long)sb->sb_hiwat - (long)sb->sb_cc;
	long mb = (long)sb->sb_mbmax - (long)sb->sb_mbcnt;

	return data < mb ? data : mb;
}

/* Would sowakeup find anybody to tell? */
#define sb_notify(sb)	(((sb)->sb_flags & (SB_NOTIFY | SB_SEL | SB_ASYNC | \
			    SB_UPCALL | SB_KNOTE)) != 0)

/* Readable: data at or above low water, EOF, an error or a connection. */
static inline int
soreadable(const struct socket *so)
{
	return so->so_rcv.sb_cc >= (u_long)so->so_rcv.sb_lowat ||
	    (so->so_state & SS_CANTRCVMORE) != 0 ||
	    so->so_qlen != 0 || so->so_error != 0 || so->so_rerror != 0;
}

/* Writable: room above low water (and connected if required), or error. */
int	sowritable(const struct socket *);

#define sorwakeup(so)	do {						\
	if (sb_notify(&(so)->so_rcv))					\
		sowakeup((so), &(so)->so_rcv, 0);			\
} while (0)
#define sowwakeup(so)	do {						\
	if (sb_notify(&(so)->so_snd))					\
		sowakeup((so), &(so)->so_snd, 0);			\
} while (0)

/* sblock wait flag: SBL_WAIT sleeps for the lock, 0 fails with EWOULDBLOCK */
#define SBL_WAIT	1
#define SBLOCKWAIT(f)	(((f) & MSG_DONTWAIT) ? 0 : SBL_WAIT)

/* Locking (uipc_socket2.c). */
void	solock(struct socket *);
void	sounlock(struct socket *);
bool	solocked(const struct socket *);
bool	solocked2(const struct socket *, const struct socket *);
void	sosetlock(struct socket *);
void	solockreset(struct socket *, kmutex_t *);
void	solockretry(struct socket *, kmutex_t *);
int	sblock(struct sockbuf *, int wf);
void	sbunlock(struct sockbuf *);
int	sbwait(struct sockbuf *);
int	sowait(struct socket *, bool catch, int timo);
void	sowakeup(struct socket *, struct sockbuf *, int code);

/* State transitions (uipc_socket2.c). */
void	soisconnecting(struct socket *);
void	soisconnected(struct socket *);
void	soisdisconnecting(struct socket *);
void	soisdisconnected(struct socket *);
void	socantsendmore(struct socket *);
void	socantrcvmore(struct socket *);
struct socket *sonewconn(struct socket *head, bool soready);
void	soqinsque(struct socket *head, struct socket *so, int q);
bool	soqremque(struct socket *so, int q);
int	soreserve(struct socket *, u_long sndcc, u_long rcvcc);

/* Socket buffers (uipc_socket2.c). */
int	sbreserve(struct sockbuf *, u_long cc, struct socket *);
void	sbrelease(struct sockbuf *, struct socket *);
void	sbappend(struct sockbuf *, struct mbuf *);
void	sbappendstream(struct sockbuf *, struct mbuf *);
void	sbappendrecord(struct sockbuf *, struct mbuf *);
int	sbappendaddr(struct sockbuf *, const struct sockaddr *,
	    struct mbuf *m, struct mbuf *control);	/* 0: no room */
int	sbappendcontrol(struct sockbuf *, struct mbuf *m,
	    struct mbuf *control);			/* 0: no room */
void	sbdrop(struct sockbuf *, int len);
void	sbdroprecord(struct sockbuf *);
void	sbflush(struct sockbuf *);
void	sbcheck(const struct sockbuf *);
struct mbuf *sbcreatecontrol(const void *, int size, int type, int level);

/* Socket operations (uipc_socket.c).  All return 0 or an errno. */
int	socreate(int dom, struct socket **, int type, int proto,
	    struct lwp *, struct socket *lockso);
int	sobind(struct socket *, struct sockaddr *, struct lwp *);
int	solisten(struct socket *, int backlog, struct lwp *);
int	soconnect(struct socket *, struct sockaddr *, struct lwp *);
int	soconnect2(struct socket *, struct socket *);
int	soaccept(struct socket *, struct sockaddr *);
int	sodisconnect(struct socket *);
int	soshutdown(struct socket *, int how);
int	soclose(struct socket *);
void	sofree(struct socket *);
int	soabort(struct socket *);
int	sosend(struct socket *, struct sockaddr *, struct uio *,
	    struct mbuf *top, struct mbuf *control, int flags, struct lwp *);
int	soreceive(struct socket *, struct mbuf **paddr, struct uio *,
	    struct mbuf **mp0, struct mbuf **controlp, int *flagsp);
void	sorflush(struct socket *);
/*
 * A descriptor of so is being closed while other threads may be blocked
 * on it: wake every sleeper; those that slept before return EBADF.
 */
void	sorestart(struct socket *);
int	sosetopt(struct socket *, struct sockopt *);
int	sogetopt(struct socket *, struct sockopt *);
int	sopoll(struct socket *, int events);
/*
 * Pollers: sopoll_gen() before scanning, then sopoll_wait(gen, ticks)
 * sleeps unless a socket changed since (0, EWOULDBLOCK or EINTR).
 */
uint64_t sopoll_gen(void);
int	sopoll_wait(uint64_t gen, int ticks);
void	soinit(void);

/* Number of live sockets of the current host (tests assert zero). */
u_int	socket_outstanding(void);

#endif /* !_KNIT_SYS_SOCKETVAR_H_ */
