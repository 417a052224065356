/*
 * Unix-domain (AF_LOCAL) sockets: SOCK_STREAM, SOCK_DGRAM and
 * SOCK_SEQPACKET, with the NetBSD 5 lock scheme.
 *
 * Locks (per host):
 *
 *   uipc_lock      a mutex object shared by every datagram socket, every
 *                  listener and every connecting stream socket, so that
 *                  the three-way operations of connect (connector,
 *                  listener, new server socket) need a single lock.
 *   private locks  a stream or seqpacket socket made by socket() gets its
 *                  own mutex object.  It moves to uipc_lock when it
 *                  listens or connects (unp_resetlock), remembering its
 *                  own lock in unp_streamlock; at accept both ends of the
 *                  connection are handed the connector's saved lock
 *                  (unp_setpeerlocks) and never need two locks again.
 *                  Both ends of a socketpair share one lock from birth.
 *   unp_names_lock the name space (path -> socket).
 *
 *   Lock order: unp_names_lock, then uipc_lock, then a private lock.  A
 *   socket moving to uipc_lock drops its private lock before taking
 *   uipc_lock, so the reverse order never happens.
 *
 * Names.  bind() enters a path in the host's name space; the entry
 * outlives the socket (like a socket file): connect() to it then fails
 * with ECONNREFUSED and bind() with EADDRINUSE until sys_unlink removes
 * it.
 *
 * Descriptor passing and the collector thread: uipc_rights.c.
 */
#include "sys/systm.h"
#include "sys/atomic.h"
#include "sys/condvar.h"
#include "sys/domain.h"
#include "sys/file.h"
#include "sys/filedesc.h"
#include "sys/kmem.h"
#include "sys/kthread.h"
#include "sys/lwp.h"
#include "sys/mbuf.h"
#include "sys/mutex.h"
#include "sys/proc.h"
#include "sys/protosw.h"
#include "sys/queue.h"
#include "sys/sdt.h"
#include "sys/socket.h"
#include "sys/socketvar.h"
#include "sys/sysctl.h"
#include "sys/un.h"
#include "sys/vnet.h"

#include "uipc_socket_impl.h"
#include "uipc_usrreq_impl.h"

SDT_PROBE_DEFINE(socket, unp, connect, unlocked,
    "struct socket *, const char *path");
SDT_PROBE_DEFINE(socket, unp, connect, resetlock, "struct socket *");
SDT_PROBE_DEFINE(socket, unp, detach, unlocked, "struct socket *");

/*
 * Buffer sizes of new sockets (bytes), per host, as NetBSD's
 * net.local.{stream,dgram}.{send,recv}space.  A datagram's size is
 * limited by dgram.sendspace.
 */
VNET_DEFINE_STATIC(int, unpst_sendspace) = 8192;
VNET_DEFINE_STATIC(int, unpst_recvspace) = 8192;
VNET_DEFINE_STATIC(int, unpdg_sendspace) = 2048;
VNET_DEFINE_STATIC(int, unpdg_recvspace) = 16 * 1024;
SYSCTL_VNET_INT(unpst_sendspace, "net.local.stream.sendspace",
    unpst_sendspace, 1, SB_MAX, "Send buffer of new stream sockets");
SYSCTL_VNET_INT(unpst_recvspace, "net.local.stream.recvspace",
    unpst_recvspace, 1, SB_MAX, "Receive buffer of new stream sockets");
SYSCTL_VNET_INT(unpdg_sendspace, "net.local.dgram.sendspace",
    unpdg_sendspace, 1, SB_MAX, "Largest datagram of new sockets");
SYSCTL_VNET_INT(unpdg_recvspace, "net.local.dgram.recvspace",
    unpdg_recvspace, 1, SB_MAX, "Receive buffer of new datagram sockets");

/* unp_flags */
#define UNP_BUSY	0x01	/* bind or connect in progress */
#define UNP_EIDSVALID	0x02	/* unp_connid is valid */
#define UNP_EIDSBIND	0x04	/* unp_connid is the listener's own */

struct unp_name;

struct unpcb {
	struct socket	*unp_socket;
	struct unpcb	*unp_conn;	/* connected peer (dgram: target) */
	LIST_HEAD(, unpcb) unp_refs;	/* dgram sockets connected to us */
	LIST_ENTRY(unpcb) unp_reflink;
	struct sockaddr_un *unp_addr;	/* bound (or inherited) name */
	size_t		 unp_addrsize;	/* bytes allocated at unp_addr */
	struct unp_name	*unp_name;	/* our entry in the name space */
	kmutex_t	*unp_streamlock; /* private lock while on uipc_lock */
	int		 unp_flags;
	struct unpcbid	 unp_connid;	/* peer's (or our own) identity */
};

struct unp_name {
	LIST_ENTRY(unp_name) un_list;
	char		*un_path;	/* NUL-terminated */
	struct socket	*un_so;		/* NULL once the socket is gone */
	bool		 un_unlinked;	/* off the list; the socket frees it */
};

LIST_HEAD(unp_namelist, unp_name);

VNET_DEFINE_STATIC(kmutex_t *, uipc_lock);
VNET_DEFINE_STATIC(kmutex_t, unp_names_lock);
VNET_DEFINE_STATIC(struct unp_namelist, unp_names);
#define V_uipc_lock		VNET(uipc_lock)
#define V_unp_names_lock	VNET(unp_names_lock)
#define V_unp_names		VNET(unp_names)

/* The address of an unbound socket: family only, empty path. */
static const struct sockaddr_un sun_noname = {
	.sun_len = sizeof(sun_noname),
	.sun_family = AF_LOCAL,
};

static void	unp_disconnect(struct unpcb *);

static inline struct unpcb *
sotounpcb(const struct socket *so)
{
	return so->so_pcb;
}

/* ---------------------------------------------------------------- */
/* Per-host setup */

static void
unp_init_vnet(void)
{
	V_uipc_lock = mutex_obj_alloc(MUTEX_DEFAULT, IPL_NONE);
	mutex_init(&V_unp_names_lock, MUTEX_DEFAULT, IPL_NONE);
	LIST_INIT(&V_unp_names);
}

static void
unp_fini_vnet(void)
{
	struct unp_name *un;

	while ((un = LIST_FIRST(&V_unp_names)) != NULL) {
		/* a socket still bound was leaked by its process */
		LIST_REMOVE(un, un_list);
		kmem_strfree(un->un_path);
		kmem_free(un, sizeof(*un));
	}
	mutex_destroy(&V_unp_names_lock);
	(void)mutex_obj_free(V_uipc_lock);
	V_uipc_lock = NULL;
}
VNET_SYSINIT(unp, VNET_ORDER_DOMAIN + 1, unp_init_vnet, unp_fini_vnet);

/* ---------------------------------------------------------------- */
/* Locks */

/*
 * Move so from its private lock to uipc_lock, saving the private lock.
 * The private lock is dropped before uipc_lock is taken (lock order).
 * Called and returns with so locked; so's state may have changed in
 * between (UNP_BUSY keeps bind/connect out).
 */
static void
unp_resetlock(struct socket *so)
{
	struct unpcb *unp = sotounpcb(so);
	kmutex_t *olock = so->so_lock, *nlock = V_uipc_lock;

	KASSERT(solocked(so));
	if (olock == nlock)
		return;
	KASSERT(unp->unp_streamlock == NULL);
	unp->unp_streamlock = olock;		/* so's reference moves here */
	mutex_obj_hold(nlock);
	solockreset(so, nlock);
	mutex_exit(olock);
	SDT_PROBE1(socket, unp, connect, resetlock, so);
	solock(so);
}

/*
 * so (just accepted) and so2 (its connector) both sit on uipc_lock;
 * give them the connector's saved private lock to share.  Called with
 * uipc_lock held; returns with it still held and with the new lock not
 * held (both sockets are then unlocked as far as the caller goes).
 */
static void
unp_setpeerlocks(struct socket *so, struct socket *so2)
{
	struct unpcb *unp2 = sotounpcb(so2);
	kmutex_t *lock;

	KASSERT(solocked2(so, so2));
	KASSERT(so->so_lock == V_uipc_lock);
	KASSERT(so->so_head == NULL && so2->so_head == NULL);

	lock = unp2->unp_streamlock;
	unp2->unp_streamlock = NULL;
	if (lock == NULL)
		lock = mutex_obj_alloc(MUTEX_DEFAULT, IPL_NONE);
	mutex_obj_hold(lock);			/* one reference per socket */
	mutex_enter(lock);
	solockreset(so, lock);
	solockreset(so2, lock);
	/* drop the two sockets' references to uipc_lock (still held) */
	(void)mutex_obj_free(V_uipc_lock);
	(void)mutex_obj_free(V_uipc_lock);
	mutex_exit(lock);
}

/* ---------------------------------------------------------------- */
/* Names */

static struct unp_name *
unp_name_lookup(const char *path)
{
	struct unp_name *un;

	KASSERT(mutex_owned(&V_unp_names_lock));
	LIST_FOREACH(un, &V_unp_names, un_list)
		if (strcmp(un->un_path, path) == 0)
			return un;
	return NULL;
}

/*
 * Extract the path of an AF_LOCAL address into buf (NUL-terminated).
 * The path ends at the first NUL or at sun_len.  EINVAL for a bad
 * address, ENOENT for an empty path.
 */
static int
unp_getpath(const struct sockaddr *nam, char *buf, size_t bufsize)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)nam;
	size_t len, n;

	if (nam->sa_len < offsetof(struct sockaddr_un, sun_path))
		return EINVAL;
	len = nam->sa_len - offsetof(struct sockaddr_un, sun_path);
	if (len > UNP_PATH_MAX || len + 1 > bufsize)
		return EINVAL;
	for (n = 0; n < len && sun->sun_path[n] != '\0'; n++)
		buf[n] = sun->sun_path[n];
	buf[n] = '\0';
	if (n == 0)
		return ENOENT;
	return 0;
}

/* Remove a name (unlink(2) of a socket file). */
int
unp_unlink(const char *path)
{
	struct unp_name *un;
	int error = 0;

	mutex_enter(&V_unp_names_lock);
	un = unp_name_lookup(path);
	if (un == NULL)
		error = ENOENT;
	else {
		LIST_REMOVE(un, un_list);
		if (un->un_so != NULL)
			un->un_unlinked = true;	/* the socket frees it */
		else {
			kmem_strfree(un->un_path);
			kmem_free(un, sizeof(*un));
		}
	}
	mutex_exit(&V_unp_names_lock);
	return error;
}

static int
unp_bind(struct socket *so, struct sockaddr *nam)
{
	struct unpcb *unp = sotounpcb(so);
	struct unp_name *un;
	char path[UNP_PATH_MAX + 1];
	int error;

	KASSERT(solocked(so));

	if (nam->sa_family != AF_LOCAL)
		return EAFNOSUPPORT;
	if (unp->unp_name != NULL || unp->unp_addr != NULL)
		return EINVAL;
	if ((unp->unp_flags & UNP_BUSY) != 0)
		return EALREADY;
	error = unp_getpath(nam, path, sizeof(path));
	if (error != 0)
		return error;

	/* Like namei: the name space is searched without the socket lock. */
	unp->unp_flags |= UNP_BUSY;
	sounlock(so);
	un = kmem_zalloc(sizeof(*un), KM_SLEEP);
	un->un_path = kmem_strdup(path, KM_SLEEP);
	un->un_so = so;
	mutex_enter(&V_unp_names_lock);
	if (unp_name_lookup(path) != NULL)
		error = EADDRINUSE;
	else
		LIST_INSERT_HEAD(&V_unp_names, un, un_list);
	mutex_exit(&V_unp_names_lock);
	if (error != 0) {
		kmem_strfree(un->un_path);
		kmem_free(un, sizeof(*un));
	}
	solock(so);
	if (error == 0) {
		unp->unp_name = un;
		unp->unp_addrsize = (size_t)nam->sa_len + 1;
		unp->unp_addr = kmem_zalloc(unp->unp_addrsize, KM_SLEEP);
		memcpy(unp->unp_addr, nam, nam->sa_len);
	}
	unp->unp_flags &= ~UNP_BUSY;
	return error;
}

/* Copy our (or the peer's) name out; sun_noname if there is none. */
static void
unp_setaddr(struct socket *so, struct sockaddr *nam, bool peer)
{
	struct unpcb *unp = sotounpcb(so);
	const struct sockaddr_un *sun = NULL;

	if (unp != NULL) {
		if (peer)
			sun = unp->unp_conn != NULL ?
			    unp->unp_conn->unp_addr : NULL;
		else
			sun = unp->unp_addr;
	}
	if (sun == NULL)
		sun = &sun_noname;
	memcpy(nam, sun, sun->sun_len);
}

static void
unp_setcred(struct unpcbid *id)
{
	const struct kauth_cred *cred = curcred();
	struct proc *p = curproc;

	id->unp_pid = p != NULL ? p->p_pid : 0;
	id->unp_euid = cred->cr_euid;
	id->unp_egid = cred->cr_egid;
}

/* ---------------------------------------------------------------- */
/* Attach, connect, disconnect, detach */

static int
unp_attach(struct socket *so)
{
	struct unpcb *unp;
	int error;

	if (so->so_pcb != NULL)
		return EISCONN;
	unp_thread_start();
	if (so->so_lock == NULL) {
		if (so->so_type == SOCK_DGRAM) {
			mutex_obj_hold(V_uipc_lock);
			so->so_lock = V_uipc_lock;
		} else
			so->so_lock = mutex_obj_alloc(MUTEX_DEFAULT, IPL_NONE);
		solock(so);
	}
	KASSERT(solocked(so));
	if (so->so_snd.sb_hiwat == 0 || so->so_rcv.sb_hiwat == 0) {
		if (so->so_type == SOCK_DGRAM)
			error = soreserve(so, (u_long)VNET(unpdg_sendspace),
			    (u_long)VNET(unpdg_recvspace));
		else
			error = soreserve(so, (u_long)VNET(unpst_sendspace),
			    (u_long)VNET(unpst_recvspace));
		if (error != 0)
			return error;
	}
	unp = kmem_zalloc(sizeof(*unp), KM_SLEEP);
	unp->unp_socket = so;
	LIST_INIT(&unp->unp_refs);
	so->so_pcb = unp;
	return 0;
}

/* Link two PCBs of the same type; both sockets share one lock. */
static int
unp_connect2(struct socket *so, struct socket *so2)
{
	struct unpcb *unp = sotounpcb(so), *unp2;

	KASSERT(solocked2(so, so2));
	if (so2->so_type != so->so_type)
		return EPROTOTYPE;
	unp2 = sotounpcb(so2);
	if (unp2 == NULL)
		return ECONNREFUSED;
	unp->unp_conn = unp2;
	switch (so->so_type) {
	case SOCK_DGRAM:
		LIST_INSERT_HEAD(&unp2->unp_refs, unp, unp_reflink);
		soisconnected(so);
		break;
	case SOCK_STREAM:
	case SOCK_SEQPACKET:
		unp2->unp_conn = unp;
		soisconnected(so);
		soisconnected(so2);
		break;
	default:
		panic("unp_connect2: type %d", so->so_type);
	}
	return 0;
}

/*
 * Connect so to the socket bound to nam.  The name space is searched
 * with so unlocked (UNP_BUSY turns a concurrent bind or connect on so
 * away with EALREADY); a connection-oriented so then moves to uipc_lock,
 * which the target (a listener or a datagram socket) already uses.
 */
static int
unp_connect(struct socket *so, struct sockaddr *nam)
{
	struct unpcb *unp = sotounpcb(so), *unp2, *unp3;
	struct socket *so2, *so3;
	struct unp_name *un;
	char path[UNP_PATH_MAX + 1];
	int error;

	KASSERT(solocked(so));

	if ((unp->unp_flags & UNP_BUSY) != 0)
		return EALREADY;
	if (nam->sa_family != AF_LOCAL)
		return EAFNOSUPPORT;
	error = unp_getpath(nam, path, sizeof(path));
	if (error != 0)
		return error;

	unp->unp_flags |= UNP_BUSY;
	sounlock(so);
	SDT_PROBE2(socket, unp, connect, unlocked, so, path);

	mutex_enter(&V_unp_names_lock);
	un = unp_name_lookup(path);
	if (un == NULL) {
		mutex_exit(&V_unp_names_lock);
		solock(so);
		error = ENOENT;
		goto out;
	}
	so2 = un->un_so;
	if (so2 == NULL) {
		mutex_exit(&V_unp_names_lock);
		solock(so);
		error = ECONNREFUSED;
		goto out;
	}
	if (so2->so_type != so->so_type) {
		mutex_exit(&V_unp_names_lock);
		solock(so);
		error = EPROTOTYPE;
		goto out;
	}
	solock(so);
	unp_resetlock(so);
	/*
	 * so2 cannot be freed now: its detach must clear un_so under the
	 * name lock and then take so2's lock, which we hold if so2 is on
	 * uipc_lock.  If it is not, it is not listening.
	 */
	mutex_exit(&V_unp_names_lock);
	if (so2->so_lock != so->so_lock) {
		error = ECONNREFUSED;
		goto out;
	}
	if (so == so2) {
		if (so->so_type != SOCK_DGRAM) {
			error = ECONNREFUSED;
			goto out;
		}
	} else if (so->so_type != SOCK_DGRAM) {
		if ((so2->so_options & SO_ACCEPTCONN) == 0 ||
		    (so3 = sonewconn(so2, false)) == NULL) {
			error = ECONNREFUSED;
			goto out;
		}
		unp2 = sotounpcb(so2);
		unp3 = sotounpcb(so3);
		if (unp2->unp_addr != NULL) {
			unp3->unp_addrsize = unp2->unp_addrsize;
			unp3->unp_addr = kmem_alloc(unp2->unp_addrsize,
			    KM_SLEEP);
			memcpy(unp3->unp_addr, unp2->unp_addr,
			    unp2->unp_addrsize);
		}
		/* identities: each side learns the other's */
		unp_setcred(&unp3->unp_connid);
		unp3->unp_flags |= UNP_EIDSVALID;
		if ((unp2->unp_flags & UNP_EIDSBIND) != 0) {
			unp->unp_connid = unp2->unp_connid;
			unp->unp_flags |= UNP_EIDSVALID;
		}
		so2 = so3;
	}
	if (sotounpcb(so2) == NULL) {
		error = ECONNREFUSED;
		goto out;
	}
	error = unp_connect2(so, so2);
 out:
	KASSERT(solocked(so));
	unp->unp_flags &= ~UNP_BUSY;
	return error;
}

static void
unp_disconnect(struct unpcb *unp)
{
	struct unpcb *unp2 = unp->unp_conn;
	struct socket *so = unp->unp_socket, *so2;

	if (unp2 == NULL)
		return;
	so2 = unp2->unp_socket;
	KASSERT(solocked2(so, so2));
	unp->unp_conn = NULL;
	switch (so->so_type) {
	case SOCK_DGRAM:
		LIST_REMOVE(unp, unp_reflink);
		so->so_state &= ~SS_ISCONNECTED;
		break;
	case SOCK_STREAM:
	case SOCK_SEQPACKET:
		soisdisconnected(so);
		unp2->unp_conn = NULL;
		soisdisconnected(so2);
		/* the send buffers mirrored the peers' receive buffers */
		so->so_snd.sb_cc = so->so_snd.sb_mbcnt = 0;
		so2->so_snd.sb_cc = so2->so_snd.sb_mbcnt = 0;
		break;
	}
}

static void
unp_drop(struct unpcb *unp, int errno_)
{
	struct socket *so = unp->unp_socket;

	KASSERT(solocked(so));
	so->so_error = (u_short)errno_;
	unp_disconnect(unp);
}

static void
unp_detach(struct unpcb *unp)
{
	struct socket *so = unp->unp_socket;
	struct unp_name *un;

	KASSERT(solocked(so));

	un = unp->unp_name;
	if (un != NULL) {
		/* give up the name; the name lock comes before ours */
		unp->unp_name = NULL;
		sounlock(so);
		SDT_PROBE1(socket, unp, detach, unlocked, so);
		mutex_enter(&V_unp_names_lock);
		un->un_so = NULL;
		if (un->un_unlinked) {
			kmem_strfree(un->un_path);
			kmem_free(un, sizeof(*un));
		}
		mutex_exit(&V_unp_names_lock);
		solock(so);
	}
	if (unp->unp_conn != NULL)
		unp_disconnect(unp);
	while (!LIST_EMPTY(&unp->unp_refs))
		unp_drop(LIST_FIRST(&unp->unp_refs), ECONNRESET);
	soisdisconnected(so);
	so->so_pcb = NULL;
	if (unp->unp_addr != NULL)
		kmem_free(unp->unp_addr, unp->unp_addrsize);
	if (unp->unp_streamlock != NULL)
		(void)mutex_obj_free(unp->unp_streamlock);
	kmem_free(unp, sizeof(*unp));
	if (unp_rights_inflight() != 0) {
		/* cycles may have become unreachable */
		sorflush(so);
		unp_gc_kick();
	}
}

/* ---------------------------------------------------------------- */
/* The protocol switch entry */

static int
unp_send(struct socket *so, struct mbuf *m, struct sockaddr *nam,
    struct mbuf *control, struct lwp *l)
{
	struct unpcb *unp = sotounpcb(so), *unp2;
	struct socket *so2;
	const struct sockaddr *from;
	struct mbuf *last;
	int error = 0;

	(void)l;
	if (control != NULL) {
		error = unp_internalize(&control);
		if (error != 0) {
			m_freem(control);
			m_freem(m);
			return error;
		}
	}
	switch (so->so_type) {
	case SOCK_DGRAM:
		if (nam != NULL) {
			if (unp->unp_conn != NULL) {
				error = EISCONN;
				break;
			}
			error = unp_connect(so, nam);
			if (error != 0)
				break;
		} else if (unp->unp_conn == NULL) {
			error = ENOTCONN;
			break;
		}
		so2 = unp->unp_conn->unp_socket;
		KASSERT(solocked2(so, so2));
		from = unp->unp_addr != NULL ?
		    (const struct sockaddr *)unp->unp_addr :
		    (const struct sockaddr *)&sun_noname;
		if (sbappendaddr(&so2->so_rcv, from, m, control) != 0) {
			unp_rights_queued(control);
			sorwakeup(so2);
			m = NULL;
			control = NULL;
		} else {
			so2->so_rcv.sb_overflowed++;
			error = ENOBUFS;
		}
		if (nam != NULL)
			unp_disconnect(unp);
		break;

	case SOCK_STREAM:
	case SOCK_SEQPACKET:
		if ((so->so_state & SS_CANTSENDMORE) != 0) {
			error = EPIPE;
			break;
		}
		unp2 = unp->unp_conn;
		if (unp2 == NULL) {
			error = (so->so_state & SS_ISCONNECTED) != 0 ?
			    EPIPE : ENOTCONN;
			break;
		}
		so2 = unp2->unp_socket;
		KASSERT(solocked2(so, so2));
		if (so->so_type == SOCK_SEQPACKET && m != NULL) {
			for (last = m; last->m_next != NULL;
			    last = last->m_next)
				continue;
			last->m_flags |= M_EOR;
		}
		if (control != NULL) {
			if (sbappendcontrol(&so2->so_rcv, m, control) == 0) {
				error = ENOBUFS;
				break;
			}
			unp_rights_queued(control);
		} else if (so->so_type == SOCK_SEQPACKET)
			sbappendrecord(&so2->so_rcv, m);
		else
			sbappendstream(&so2->so_rcv, m);
		m = NULL;
		control = NULL;
		/* our send buffer mirrors what waits in the peer's */
		so->so_snd.sb_cc = so2->so_rcv.sb_cc;
		so->so_snd.sb_mbcnt = so2->so_rcv.sb_mbcnt;
		sorwakeup(so2);
		break;
	}
	if (control != NULL) {
		unp_rights_unsent(control);
		m_freem(control);
	}
	m_freem(m);
	return error;
}

static int
uipc_usrreq(struct socket *so, int req, struct mbuf *m, struct sockaddr *nam,
    struct mbuf *control, struct lwp *l)
{
	struct unpcb *unp = sotounpcb(so);
	struct socket *so2;
	int error = 0;

	if (req == PRU_ATTACH)
		return unp_attach(so);
	KASSERT(solocked(so));
	if (unp == NULL) {
		m_freem(m);
		m_freem(control);
		return EINVAL;
	}
	if (req != PRU_SEND) {
		KASSERT(m == NULL);
		KASSERT(control == NULL);
	}

	switch (req) {
	case PRU_DETACH:
		unp_detach(unp);
		break;

	case PRU_BIND:
		error = unp_bind(so, nam);
		break;

	case PRU_LISTEN:
		if (unp->unp_name == NULL) {
			error = EINVAL;
			break;
		}
		unp_setcred(&unp->unp_connid);
		unp->unp_flags |= UNP_EIDSBIND;
		unp_resetlock(so);
		break;

	case PRU_CONNECT:
		error = unp_connect(so, nam);
		break;

	case PRU_CONNECT2:
		error = unp_connect2(so, (struct socket *)nam);
		break;

	case PRU_DISCONNECT:
		unp_disconnect(unp);
		break;

	case PRU_ACCEPT:
		/*
		 * so has just left its listener's queue; it and its
		 * connector (if still there) share uipc_lock.  Hand the pair
		 * a private lock, then report the peer's name.
		 */
		KASSERT(so->so_lock == V_uipc_lock);
		if (unp->unp_conn != NULL) {
			so2 = unp->unp_conn->unp_socket;
			if ((so2->so_state & SS_ISCONNECTING) != 0)
				soisconnected(so2);
			unp_setaddr(so, nam, true);
			unp_setpeerlocks(so, so2);
		} else
			unp_setaddr(so, nam, true);
		break;

	case PRU_SHUTDOWN:
		socantsendmore(so);
		if (so->so_type != SOCK_DGRAM && unp->unp_conn != NULL)
			socantrcvmore(unp->unp_conn->unp_socket);
		break;

	case PRU_RCVD:
		if (so->so_type == SOCK_DGRAM || unp->unp_conn == NULL)
			break;
		so2 = unp->unp_conn->unp_socket;
		KASSERT(solocked2(so, so2));
		so2->so_snd.sb_cc = so->so_rcv.sb_cc;
		so2->so_snd.sb_mbcnt = so->so_rcv.sb_mbcnt;
		sowwakeup(so2);
		break;

	case PRU_SEND:
		error = unp_send(so, m, nam, control, l);
		break;

	case PRU_ABORT:
		unp_drop(unp, ECONNABORTED);
		unp_detach(unp);
		break;

	case PRU_SOCKADDR:
		unp_setaddr(so, nam, false);
		break;

	case PRU_PEERADDR:
		unp_setaddr(so, nam, true);
		break;

	default:
		error = EOPNOTSUPP;
		break;
	}
	return error;
}

/* SOL_LOCAL options: LOCAL_PEEREID. */
static int
uipc_ctloutput(int op, struct socket *so, struct sockopt *sopt)
{
	struct unpcb *unp = sotounpcb(so);

	if (sopt->sopt_level != SOL_LOCAL)
		return ENOPROTOOPT;
	switch (sopt->sopt_name) {
	case LOCAL_PEEREID:
		if (op != PRCO_GETOPT)
			return EINVAL;
		if (unp == NULL || (unp->unp_flags & UNP_EIDSVALID) == 0)
			return EINVAL;
		return sockopt_set(sopt, &unp->unp_connid,
		    sizeof(unp->unp_connid));
	default:
		return ENOPROTOOPT;
	}
}

static const struct protosw unixsw[] = {
	{
		.pr_type = SOCK_STREAM,
		.pr_domain = &localdomain,
		.pr_flags = PR_CONNREQUIRED | PR_WANTRCVD | PR_RIGHTS |
		    PR_LISTEN,
		.pr_ctloutput = uipc_ctloutput,
		.pr_usrreq = uipc_usrreq,
	},
	{
		.pr_type = SOCK_DGRAM,
		.pr_domain = &localdomain,
		.pr_flags = PR_ATOMIC | PR_ADDR | PR_RIGHTS,
		.pr_ctloutput = uipc_ctloutput,
		.pr_usrreq = uipc_usrreq,
	},
	{
		.pr_type = SOCK_SEQPACKET,
		.pr_domain = &localdomain,
		.pr_flags = PR_ATOMIC | PR_CONNREQUIRED | PR_WANTRCVD |
		    PR_RIGHTS | PR_LISTEN,
		.pr_ctloutput = uipc_ctloutput,
		.pr_usrreq = uipc_usrreq,
	},
};

const struct domain_protocols local_domain_protocols = {
	.dp_protosw = unixsw,
	.dp_protoswNPROTOSW = &unixsw[__arraycount(unixsw)],
	.dp_init = NULL,
	.dp_externalize = unp_externalize,
	.dp_dispose = unp_dispose,
};
