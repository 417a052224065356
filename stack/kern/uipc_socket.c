/*
 * Socket layer, part 1: creation and teardown, connection management,
 * send and receive.  Socket options: uipc_sockopt.c; poll: sys_socket.c.
 *
 * Every entry point takes so_lock (solock) itself, except sofree and
 * soabort, which are called locked.  sosend and soreceive hold the
 * sockbuf's SB_LOCK for the whole operation and drop so_lock around the
 * copies to and from the caller's buffers, as NetBSD does: between the
 * drop and the re-lock the lock pointer may change (the Unix protocol
 * hands an accepted pair a private lock), which solock handles.
 */
#include "sys/systm.h"
#include "sys/atomic.h"
#include "sys/condvar.h"
#include "sys/domain.h"
#include "sys/kmem.h"
#include "sys/lwp.h"
#include "sys/mbuf.h"
#include "sys/mutex.h"
#include "sys/pool.h"
#include "sys/proc.h"
#include "sys/protosw.h"
#include "sys/sdt.h"
#include "sys/socket.h"
#include "sys/socketvar.h"
#include "sys/uio.h"
#include "sys/vnet.h"

#include "uipc_socket_impl.h"

SDT_PROBE_DEFINE(socket, uipc, soclose, entry, "struct socket *");
SDT_PROBE_DEFINE(socket, uipc, soclose, aborted,
    "struct socket *head, struct socket *so");
SDT_PROBE_DEFINE(socket, uipc, soaccept, entry, "struct socket *");

/*
 * softnet_lock.  net/if.c (datapath) may define and create it too; this
 * definition is weak and the socket layer creates its own lock only if
 * nobody did, freeing only what it created.
 */
#undef softnet_lock
VNET_DEFINE(kmutex_t *, softnet_lock) __attribute__((__weak__));
#define softnet_lock	VNET(softnet_lock)
VNET_DEFINE_STATIC(kmutex_t *, so_softnet_lock);	/* ours, if we made it */
#define V_so_softnet_lock	VNET(so_softnet_lock)
VNET_DEFINE_STATIC(struct pool, socket_pool);
#define V_socket_pool	VNET(socket_pool)

const char * const prurequests[PRU_NREQ] = {
	"ATTACH", "DETACH", "BIND", "LISTEN", "CONNECT", "ACCEPT",
	"DISCONNECT", "SHUTDOWN", "RCVD", "SEND", "ABORT", "CONTROL",
	"SENSE", "RCVOOB", "SENDOOB", "SOCKADDR", "PEERADDR", "CONNECT2",
	"FASTTIMO", "SLOWTIMO", "PROTORCV", "PROTOSEND", "PURGEIF",
};

static void
soinit_vnet(void)
{
	V_so_softnet_lock = NULL;
	if (softnet_lock == NULL) {
		V_so_softnet_lock = mutex_obj_alloc(MUTEX_DEFAULT, IPL_NONE);
		softnet_lock = V_so_softnet_lock;
	}
	pool_init(&V_socket_pool, sizeof(struct socket), "sockpl", IPL_NONE);
}

static void
sofini_vnet(void)
{
	/* leftovers are reported by pool_destroy (the platform) */
	if (V_socket_pool.pr_nout != 0)
		kprintf("socket: %u sockets left at teardown\n",
		    V_socket_pool.pr_nout);
	pool_destroy(&V_socket_pool);
	if (V_so_softnet_lock != NULL) {
		if (softnet_lock == V_so_softnet_lock)
			softnet_lock = NULL;
		(void)mutex_obj_free(V_so_softnet_lock);
		V_so_softnet_lock = NULL;
	}
}
VNET_SYSINIT(socket, VNET_ORDER_KERN, soinit_vnet, sofini_vnet);

void
soinit(void)
{
}

u_int
socket_outstanding(void)
{
	return V_socket_pool.pr_nout;
}

/* ---------------------------------------------------------------- */
/* Allocation */

struct socket *
soalloc(const struct protosw *prp, int type)
{
	struct socket *so;

	so = pool_get(&V_socket_pool, PR_WAITOK);
	memset(so, 0, sizeof(*so));
	cv_init(&so->so_cv, "socket");
	cv_init(&so->so_rcv.sb_cv, "netio");
	cv_init(&so->so_snd.sb_cv, "netio");
	so->so_rcv.sb_so = so;
	so->so_snd.sb_so = so;
	TAILQ_INIT(&so->so_q0);
	TAILQ_INIT(&so->so_q);
	so->so_type = (short)type;
	so->so_proto = prp;
	return so;
}

void
sodealloc(struct socket *so)
{
	KASSERT(so->so_rcv.sb_mb == NULL);
	KASSERT(so->so_snd.sb_mb == NULL);
	KASSERT(so->so_head == NULL);

	if (so->so_lock != NULL)
		(void)mutex_obj_free(so->so_lock);
	cv_destroy(&so->so_cv);
	cv_destroy(&so->so_rcv.sb_cv);
	cv_destroy(&so->so_snd.sb_cv);
	pool_put(&V_socket_pool, so);
}

/*
 * Protocol lookup as NetBSD's pffindproto/pffindtype: with a protocol
 * number, the entry with that type and number (or a raw wildcard);
 * without, the first entry of that type.
 */
static const struct protosw *
sofindproto(const struct domain *dp, int type, int proto)
{
	const struct protosw *pr, *end, *maybe = NULL;

	end = domain_protosw_end(dp);
	for (pr = domain_protosw(dp); pr != NULL && pr < end; pr++) {
		if (proto == 0) {
			if (pr->pr_type == type && pr->pr_usrreq != NULL)
				return pr;
			continue;
		}
		if (pr->pr_protocol == proto && pr->pr_type == type)
			return pr;
		if (type == SOCK_RAW && pr->pr_type == SOCK_RAW &&
		    pr->pr_protocol == 0 && maybe == NULL)
			maybe = pr;
	}
	return maybe;
}

int
socreate(int dom, struct socket **aso, int type, int proto, struct lwp *l,
    struct socket *lockso)
{
	const struct kauth_cred *cred = curcred();
	const struct protosw *prp;
	struct domain *dp;
	struct proc *p;
	struct socket *so;
	int error;

	dp = pffinddomain(dom);
	if (dp == NULL)
		return EAFNOSUPPORT;
	prp = sofindproto(dp, type, proto);
	if (prp == NULL) {
		if (proto == 0 && type != 0)
			return EPROTOTYPE;
		return EPROTONOSUPPORT;
	}
	if (prp->pr_usrreq == NULL)
		return EPROTONOSUPPORT;
	if (prp->pr_type != type)
		return EPROTOTYPE;

	so = soalloc(prp, type);
	p = l != NULL ? lwp_proc(l) : NULL;
	so->so_cpid = p != NULL ? p->p_pid : 0;
	so->so_uid = cred->cr_euid;
	so->so_gid = cred->cr_egid;
	if (lockso != NULL) {
		/* the new socket shares lockso's lock from the start */
		mutex_obj_hold(lockso->so_lock);
		so->so_lock = lockso->so_lock;
		solock(so);
	}
	error = (*prp->pr_usrreq)(so, PRU_ATTACH, NULL, NULL, NULL, l);
	if (error != 0) {
		if (so->so_lock != NULL) {
			KASSERT(solocked(so));
			so->so_state |= SS_NOFDREF;
			sofree(so);
		} else
			sodealloc(so);
		return error;
	}
	KASSERT(solocked(so));
	sounlock(so);
	*aso = so;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Naming and connections */

int
sobind(struct socket *so, struct sockaddr *nam, struct lwp *l)
{
	int error;

	solock(so);
	error = (*so->so_proto->pr_usrreq)(so, PRU_BIND, NULL, nam, NULL, l);
	sounlock(so);
	return error;
}

int
solisten(struct socket *so, int backlog, struct lwp *l)
{
	int error;

	solock(so);
	if ((so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING |
	    SS_ISDISCONNECTING)) != 0) {
		sounlock(so);
		return EINVAL;
	}
	if ((so->so_proto->pr_flags & PR_LISTEN) == 0) {
		sounlock(so);
		return EOPNOTSUPP;
	}
	error = (*so->so_proto->pr_usrreq)(so, PRU_LISTEN, NULL, NULL, NULL,
	    l);
	if (error != 0) {
		sounlock(so);
		return error;
	}
	if (TAILQ_EMPTY(&so->so_q))
		so->so_options |= SO_ACCEPTCONN;
	if (backlog < 0)
		backlog = 0;
	so->so_qlimit = (short)(backlog < SOMAXCONN ? backlog : SOMAXCONN);
	sounlock(so);
	return 0;
}

/*
 * Start a connection.  Does not wait for it to complete: the caller
 * (sys_connect) sleeps on so_cv while SS_ISCONNECTING.
 */
int
soconnect(struct socket *so, struct sockaddr *nam, struct lwp *l)
{
	int error;

	KASSERT(solocked(so));

	if ((so->so_options & SO_ACCEPTCONN) != 0)
		return EOPNOTSUPP;
	/*
	 * A connected datagram socket may connect again (to change its
	 * peer); a connection-oriented one may not.
	 */
	if ((so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING)) != 0 &&
	    ((so->so_proto->pr_flags & PR_CONNREQUIRED) != 0 ||
	    (error = sodisconnect(so)) != 0))
		return EISCONN;
	if (nam->sa_family != so->so_proto->pr_domain->dom_family)
		return EAFNOSUPPORT;
	return (*so->so_proto->pr_usrreq)(so, PRU_CONNECT, NULL, nam, NULL,
	    l);
}

/* Connect two sockets of one protocol (socketpair); both locked. */
int
soconnect2(struct socket *so1, struct socket *so2)
{
	KASSERT(solocked2(so1, so2));

	return (*so1->so_proto->pr_usrreq)(so1, PRU_CONNECT2, NULL,
	    (struct sockaddr *)so2, NULL, NULL);
}

/*
 * so was just taken off its listener's complete queue; the listener's
 * lock (shared with so) is held.  On return the listener's lock is still
 * held but so may have been handed a different lock by its protocol.
 */
int
soaccept(struct socket *so, struct sockaddr *nam)
{
	int error;

	KASSERT(solocked(so));
	KASSERT((so->so_state & SS_NOFDREF) != 0);

	SDT_PROBE1(socket, uipc, soaccept, entry, so);
	so->so_state &= ~SS_NOFDREF;
	if ((so->so_state & SS_ISDISCONNECTED) == 0 ||
	    (so->so_proto->pr_flags & PR_ABRTACPTDIS) == 0)
		error = (*so->so_proto->pr_usrreq)(so, PRU_ACCEPT, NULL, nam,
		    NULL, NULL);
	else
		error = ECONNABORTED;
	return error;
}

int
sodisconnect(struct socket *so)
{
	KASSERT(solocked(so));

	if ((so->so_state & SS_ISCONNECTED) == 0)
		return ENOTCONN;
	if ((so->so_state & SS_ISDISCONNECTING) != 0)
		return EALREADY;
	return (*so->so_proto->pr_usrreq)(so, PRU_DISCONNECT, NULL, NULL,
	    NULL, NULL);
}

int
soshutdown(struct socket *so, int how)
{
	int error = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return EINVAL;
	solock(so);
	if ((so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING |
	    SS_ISDISCONNECTING)) == 0 &&
	    (so->so_proto->pr_flags & PR_CONNREQUIRED) != 0) {
		sounlock(so);
		return ENOTCONN;
	}
	if (how == SHUT_RD || how == SHUT_RDWR)
		sorflush(so);
	if (how == SHUT_WR || how == SHUT_RDWR)
		error = (*so->so_proto->pr_usrreq)(so, PRU_SHUTDOWN, NULL,
		    NULL, NULL, NULL);
	sounlock(so);
	return error;
}

/* ---------------------------------------------------------------- */
/* Teardown */

/*
 * Free so if nothing refers to it any more: no protocol state, no
 * descriptor, not queued for accept (a socket on the complete queue
 * stays until accept or the listener's close takes it), and no soabort
 * in progress.  Called locked; returns unlocked.
 */
void
sofree(struct socket *so)
{
	struct mbuf *m;

	KASSERT(solocked(so));

	if (so->so_pcb != NULL || (so->so_state & SS_NOFDREF) == 0 ||
	    so->so_aborting != 0) {
		sounlock(so);
		return;
	}
	if (so->so_head != NULL) {
		/*
		 * Not while it is on the complete queue: accept may already
		 * have been told it is there.
		 */
		if (!soqremque(so, 0)) {
			sounlock(so);
			return;
		}
	}
	KASSERT(!cv_has_waiters(&so->so_cv));
	KASSERT(!cv_has_waiters(&so->so_rcv.sb_cv));
	KASSERT(!cv_has_waiters(&so->so_snd.sb_cv));
	KASSERT(TAILQ_EMPTY(&so->so_q0) && TAILQ_EMPTY(&so->so_q));

	sbflush(&so->so_snd);
	/* in-flight rights in the receive buffer go back to the protocol */
	m = so->so_rcv.sb_mb;
	if (m != NULL) {
		sorflush(so);
	}
	sounlock(so);
	sodealloc(so);
}

/*
 * Abort a connection that never got a descriptor (a queued one, or on
 * the listener's close).  so is locked and already off its queue; the
 * so_aborting count keeps a concurrent sofree from freeing it while the
 * protocol runs.  Returns unlocked.
 */
int
soabort(struct socket *so)
{
	u_int refs;
	int error;

	KASSERT(solocked(so));
	KASSERT(so->so_head == NULL);

	so->so_aborting++;
	error = (*so->so_proto->pr_usrreq)(so, PRU_ABORT, NULL, NULL, NULL,
	    NULL);
	refs = --so->so_aborting;
	if (error != 0 || refs == 0)
		sofree(so);
	else
		sounlock(so);
	return error;
}

/*
 * The last descriptor reference went: abort pending connections,
 * disconnect (lingering if asked to), detach and free.
 */
int
soclose(struct socket *so)
{
	struct socket *so2;
	int error = 0, error2;

	SDT_PROBE1(socket, uipc, soclose, entry, so);
	solock(so);
	if ((so->so_options & SO_ACCEPTCONN) != 0) {
		/* no new connections from here on (sonewconn checks) */
		so->so_options &= ~SO_ACCEPTCONN;
		for (;;) {
			so2 = TAILQ_FIRST(&so->so_q0);
			if (so2 == NULL)
				so2 = TAILQ_FIRST(&so->so_q);
			if (so2 == NULL)
				break;
			KASSERT(solocked2(so, so2));
			if (!soqremque(so2, 0))
				(void)soqremque(so2, 1);
			/* soabort drops the shared lock */
			(void)soabort(so2);
			SDT_PROBE2(socket, uipc, soclose, aborted, so, so2);
			solock(so);
		}
	}
	if (so->so_pcb == NULL)
		goto discard;
	if ((so->so_state & SS_ISCONNECTED) != 0) {
		if ((so->so_state & SS_ISDISCONNECTING) == 0) {
			error = sodisconnect(so);
			if (error != 0)
				goto drop;
		}
		if ((so->so_options & SO_LINGER) != 0) {
			if ((so->so_state & SS_ISDISCONNECTING) != 0 &&
			    (so->so_state & SS_NBIO) != 0)
				goto drop;
			while ((so->so_state & SS_ISCONNECTED) != 0) {
				error = sowait(so, true,
				    so->so_linger * hz);
				if (error != 0)
					break;
			}
			if (error == EWOULDBLOCK)
				error = 0;
		}
	}
 drop:
	if (so->so_pcb != NULL) {
		error2 = (*so->so_proto->pr_usrreq)(so, PRU_DETACH, NULL,
		    NULL, NULL, NULL);
		if (error == 0)
			error = error2;
	}
 discard:
	KASSERT((so->so_state & SS_NOFDREF) == 0);
	so->so_state |= SS_NOFDREF;
	sofree(so);
	return error;
}

/* ---------------------------------------------------------------- */
/* Send */

static bool
so_nbio(const struct socket *so, int flags)
{
	return (so->so_state & SS_NBIO) != 0 ||
	    (flags & (MSG_DONTWAIT | MSG_NBIO)) != 0;
}

/*
 * Room left in front of an atomic message that fits in its first mbuf,
 * for the headers the layers below prepend (UDP 8 + IPv6 40 + Ethernet
 * 14 bytes): their M_PREPENDs then find it instead of allocating an mbuf
 * per datagram, as NetBSD's sosend reserves max_hdr.  A multiple of 8
 * keeps the data aligned.
 */
#define SOSEND_HDRSPACE	64

/*
 * Build an mbuf chain of up to `space' bytes from uio (lock not held).
 * For atomic protocols the whole message is taken.  Returns the chain
 * (NULL with *errorp set on allocation failure).
 */
static struct mbuf *
sosend_copyin(struct uio *uio, long space, bool atomic, int *errorp)
{
	struct mbuf *top = NULL, **mp = &top, *m;
	size_t len;
	int error;

	*errorp = 0;
	do {
		if (top == NULL) {
			m = uio->uio_resid >= (size_t)MLEN && space >= MLEN ?
			    m_getlen(M_WAIT, MT_DATA,
			    uio->uio_resid < MCLBYTES ?
			    (int)uio->uio_resid : MCLBYTES) :
			    m_gethdr(M_WAIT, MT_DATA);
		} else {
			m = m_get(M_WAIT, MT_DATA);
			if (m != NULL && uio->uio_resid > (size_t)MLEN)
				(void)m_clget(m, M_WAIT);
		}
		if (m == NULL) {
			*errorp = ENOBUFS;
			m_freem(top);
			return NULL;
		}
		if (atomic && top == NULL && (size_t)M_TRAILINGSPACE(m) >=
		    uio->uio_resid + SOSEND_HDRSPACE)
			m->m_data += SOSEND_HDRSPACE;
		len = (size_t)M_TRAILINGSPACE(m);
		if (len > uio->uio_resid)
			len = uio->uio_resid;
		if (!atomic && (long)len > space)
			len = (size_t)space;
		error = uiomove(mtod(m, void *), len, uio);
		m->m_len = (int)len;
		*mp = m;
		mp = &m->m_next;
		if (top != m)
			top->m_pkthdr.len += (int)len;
		else
			top->m_pkthdr.len = (int)len;
		space -= (long)len;
		if (error != 0) {
			*errorp = error;
			m_freem(top);
			return NULL;
		}
	} while (uio->uio_resid > 0 && (atomic || space > 0));
	return top;
}

/*
 * Send data.  The protocol gets the data (and control) in PRU_SEND;
 * ownership of top and control passes to sosend in every case.
 */
int
sosend(struct socket *so, struct sockaddr *addr, struct uio *uio,
    struct mbuf *top, struct mbuf *control, int flags, struct lwp *l)
{
	const struct protosw *pr = so->so_proto;
	long space, resid, clen;
	bool atomic;
	int error, req;

	clen = control != NULL ? m_length(control) : 0;
	resid = uio != NULL ? (long)uio->uio_resid : m_length(top);
	atomic = (pr->pr_flags & PR_ATOMIC) != 0 || top != NULL;
	if (resid < 0 || (so->so_type == SOCK_STREAM &&
	    (flags & MSG_EOR) != 0)) {
		error = EINVAL;
		goto out_unlocked;
	}

	solock(so);
 restart:
	error = sblock(&so->so_snd, SBLOCKWAIT(flags));
	if (error != 0)
		goto out;
	do {
		if ((so->so_state & SS_CANTSENDMORE) != 0) {
			error = EPIPE;
			goto release;
		}
		if (so->so_error != 0) {
			error = so->so_error;
			so->so_error = 0;
			goto release;
		}
		if ((so->so_state & SS_ISCONNECTED) == 0) {
			if ((pr->pr_flags & PR_CONNREQUIRED) != 0) {
				if (!(resid == 0 && clen != 0)) {
					error = ENOTCONN;
					goto release;
				}
			} else if (addr == NULL) {
				error = EDESTADDRREQ;
				goto release;
			}
		}
		space = sbspace(&so->so_snd);
		if ((atomic && resid > (long)so->so_snd.sb_hiwat) ||
		    clen > (long)so->so_snd.sb_hiwat) {
			error = EMSGSIZE;
			goto release;
		}
		if (space < resid + clen &&
		    (atomic || space < so->so_snd.sb_lowat || space < clen)) {
			if (so_nbio(so, flags)) {
				error = EWOULDBLOCK;
				goto release;
			}
			sbunlock(&so->so_snd);
			error = sbwait(&so->so_snd);
			if (error != 0)
				goto out;
			goto restart;
		}
		space -= clen;
		do {
			if (uio == NULL) {
				resid = 0;
				if ((flags & MSG_EOR) != 0)
					top->m_flags |= M_EOR;
			} else if (resid > 0 || top == NULL) {
				sounlock(so);
				if (resid > 0)
					top = sosend_copyin(uio, space, atomic,
					    &error);
				else
					top = m_gethdr(M_WAIT, MT_DATA);
				solock(so);
				if (top == NULL) {
					if (error == 0)
						error = ENOBUFS;
					goto release;
				}
				resid = (long)uio->uio_resid;
				space -= m_length(top);
				if (resid == 0 && (flags & MSG_EOR) != 0)
					top->m_flags |= M_EOR;
			}
			/* the state may have changed while unlocked */
			if ((so->so_state & SS_CANTSENDMORE) != 0) {
				error = EPIPE;
				goto release;
			}
			req = (flags & MSG_OOB) != 0 ? PRU_SENDOOB : PRU_SEND;
			error = (*pr->pr_usrreq)(so, req, top, addr, control,
			    l);
			top = NULL;
			control = NULL;
			clen = 0;
			if (error != 0)
				goto release;
		} while (resid > 0 && space > 0);
	} while (resid > 0);

 release:
	sbunlock(&so->so_snd);
 out:
	sounlock(so);
 out_unlocked:
	m_freem(top);
	m_freem(control);
	return error;
}

/* ---------------------------------------------------------------- */
/* Receive */

/* Unlink the first mbuf of the first record, keeping the record chain. */
static struct mbuf *
sb_unlinkhead(struct sockbuf *sb)
{
	struct mbuf *m = sb->sb_mb, *next;

	KASSERT(m != NULL);
	next = m->m_nextpkt;
	if (m->m_next != NULL) {
		sb->sb_mb = m->m_next;
		sb->sb_mb->m_nextpkt = next;
		if (sb->sb_lastrecord == m)
			sb->sb_lastrecord = sb->sb_mb;
	} else {
		sb->sb_mb = next;
		if (sb->sb_lastrecord == m) {
			sb->sb_lastrecord = NULL;
			sb->sb_mbtail = NULL;
			KASSERT(next == NULL);
		}
	}
	m->m_next = NULL;
	m->m_nextpkt = NULL;
	if (m->m_type != MT_CONTROL && m->m_type != MT_SONAME)
		sb->sb_cc -= (u_long)m->m_len;
	sb->sb_mbcnt -= MSIZE +
	    ((m->m_flags & M_EXT) != 0 ? m->m_ext.ext_size : 0);
	return m;
}

static void
sb_dispose(struct socket *so, struct mbuf *control)
{
	const struct domain_protocols *dp =
	    so->so_proto->pr_domain->dom_protocols;

	if ((so->so_proto->pr_flags & PR_RIGHTS) != 0 && dp != NULL &&
	    dp->dp_dispose != NULL && control != NULL)
		(*dp->dp_dispose)(control);
}

/*
 * Receive data.  *paddr gets the sender's address (PR_ADDR protocols),
 * *controlp the control messages (rights are externalised into the
 * caller's descriptor table), *flagsp in: MSG_PEEK, MSG_WAITALL,
 * MSG_DONTWAIT; out: MSG_EOR, MSG_TRUNC, MSG_CTRUNC.
 */
int
soreceive(struct socket *so, struct mbuf **paddr, struct uio *uio,
    struct mbuf **mp0, struct mbuf **controlp, int *flagsp)
{
	const struct protosw *pr = so->so_proto;
	const struct domain_protocols *dp = pr->pr_domain->dom_protocols;
	struct mbuf *m, *cm, **cmp;
	struct lwp *l = curlwp;
	size_t orig_resid = uio->uio_resid, len, moff;
	bool atomic = (pr->pr_flags & PR_ATOMIC) != 0;
	bool gotrecord;
	int flags, error;

	KASSERT(mp0 == NULL);
	flags = flagsp != NULL ? (*flagsp & ~(MSG_EOR | MSG_TRUNC |
	    MSG_CTRUNC)) : 0;
	if (paddr != NULL)
		*paddr = NULL;
	if (controlp != NULL)
		*controlp = NULL;
	if ((flags & MSG_OOB) != 0)
		return EOPNOTSUPP;

	solock(so);
 restart:
	error = sblock(&so->so_rcv, SBLOCKWAIT(flags));
	if (error != 0)
		goto out;
	m = so->so_rcv.sb_mb;
	/*
	 * Wait unless there is a record, or (streams) enough data: the low
	 * water mark or, with MSG_WAITALL, the whole request.
	 */
	if (m == NULL || (!atomic && (flags & MSG_DONTWAIT) == 0 &&
	    so->so_rcv.sb_cc < uio->uio_resid &&
	    (so->so_rcv.sb_cc < (u_long)so->so_rcv.sb_lowat ||
	    ((flags & MSG_WAITALL) != 0 &&
	    uio->uio_resid <= so->so_rcv.sb_hiwat)) &&
	    m->m_nextpkt == NULL)) {
		if (so->so_error != 0) {
			if (m != NULL)
				goto dontblock;
			error = so->so_error;
			if ((flags & MSG_PEEK) == 0)
				so->so_error = 0;
			goto release;
		}
		if ((so->so_state & SS_CANTRCVMORE) != 0) {
			if (m != NULL)
				goto dontblock;
			goto release;
		}
		for (; m != NULL; m = m->m_next)
			if ((m->m_flags & M_EOR) != 0) {
				m = so->so_rcv.sb_mb;
				goto dontblock;
			}
		if ((so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING)) == 0 &&
		    (pr->pr_flags & PR_CONNREQUIRED) != 0) {
			error = ENOTCONN;
			goto release;
		}
		if (uio->uio_resid == 0)
			goto release;
		if (so_nbio(so, flags)) {
			error = EWOULDBLOCK;
			goto release;
		}
		sbunlock(&so->so_rcv);
		error = sbwait(&so->so_rcv);
		if (error != 0)
			goto out;
		goto restart;
	}
 dontblock:
	gotrecord = false;
	if ((pr->pr_flags & PR_ADDR) != 0 && m->m_type == MT_SONAME) {
		gotrecord = true;
		if ((flags & MSG_PEEK) != 0) {
			if (paddr != NULL)
				*paddr = m_copym(m, 0, m->m_len, M_DONTWAIT);
			m = m->m_next;
		} else {
			m = sb_unlinkhead(&so->so_rcv);
			if (paddr != NULL)
				*paddr = m;
			else
				m_free(m);
			m = so->so_rcv.sb_mb;
			if (m != NULL && m->m_type != MT_CONTROL &&
			    m->m_type != MT_DATA && m->m_type != MT_HEADER)
				m = NULL;
		}
	}
	/*
	 * Control messages.  Rights are externalised right here, under the
	 * lock, so that a descriptor is always either in a buffer or in a
	 * table (the garbage collector depends on it).
	 */
	cmp = controlp;
	while (m != NULL && m->m_type == MT_CONTROL && error == 0) {
		gotrecord = true;
		if ((flags & MSG_PEEK) != 0) {
			m = m->m_next;
			continue;
		}
		cm = sb_unlinkhead(&so->so_rcv);
		if (controlp != NULL && (pr->pr_flags & PR_RIGHTS) != 0 &&
		    dp != NULL && dp->dp_externalize != NULL)
			error = (*dp->dp_externalize)(cm, l, flags);
		else if (controlp == NULL)
			sb_dispose(so, cm);
		if (controlp != NULL && error == 0) {
			*cmp = cm;
			cmp = &cm->m_next;
		} else
			m_free(cm);
		m = so->so_rcv.sb_mb;
	}
	if (error != 0)
		goto release;

	/*
	 * Data of an atomic record: take the rest of the record out of the
	 * buffer, copy what fits without the lock, drop the remainder.
	 */
	if (atomic && (flags & MSG_PEEK) == 0) {
		struct mbuf *rec = NULL, *n;

		m = so->so_rcv.sb_mb;
		if (m != NULL && (m->m_type == MT_DATA ||
		    m->m_type == MT_HEADER))
			rec = sbunlinkrecord(&so->so_rcv);
		if (rec != NULL) {
			sounlock(so);
			for (n = rec; n != NULL && error == 0; n = n->m_next) {
				if ((n->m_flags & M_EOR) != 0)
					flags |= MSG_EOR;
				len = uio->uio_resid;
				if (len > (size_t)n->m_len)
					len = (size_t)n->m_len;
				if (len < (size_t)n->m_len)
					flags |= MSG_TRUNC;
				if (len > 0)
					error = uiomove(mtod(n, void *), len,
					    uio);
			}
			m_freem(rec);
			solock(so);
			if (error != 0)
				goto release;
		}
		goto done;
	}

	/* Stream data, or a peek: copy from the buffer in place. */
	moff = 0;
	while (m != NULL && uio->uio_resid > 0) {
		if (m->m_type != MT_DATA && m->m_type != MT_HEADER &&
		    m->m_type != MT_OOBDATA)
			break;
		gotrecord = true;
		len = uio->uio_resid;
		if (len > (size_t)m->m_len - moff)
			len = (size_t)m->m_len - moff;
		/*
		 * Copy without the lock.  SB_LOCK keeps other readers away;
		 * the protocol only appends behind this mbuf.
		 */
		sounlock(so);
		error = uiomove(mtod(m, char *) + moff, len, uio);
		solock(so);
		if (error != 0)
			goto release;
		if (len == (size_t)m->m_len - moff) {
			if ((m->m_flags & M_EOR) != 0)
				flags |= MSG_EOR;
			if ((flags & MSG_PEEK) != 0) {
				m = m->m_next;
				moff = 0;
			} else {
				bool last = m->m_next == NULL;

				m_free(sb_unlinkhead(&so->so_rcv));
				m = so->so_rcv.sb_mb;
				/* a record boundary ends the read */
				if (last && m != NULL)
					break;
			}
		} else {
			if ((flags & MSG_PEEK) != 0)
				moff += len;
			else {
				m->m_data += len;
				m->m_len -= (int)len;
				so->so_rcv.sb_cc -= len;
			}
		}
		if ((flags & MSG_EOR) != 0)
			break;
		/*
		 * MSG_WAITALL on a stream: wait for the rest unless an
		 * error or EOF is pending.
		 */
		if (m == NULL && !atomic && (flags & MSG_WAITALL) != 0 &&
		    (flags & MSG_PEEK) == 0 && uio->uio_resid > 0 &&
		    so->so_error == 0 &&
		    (so->so_state & SS_CANTRCVMORE) == 0) {
			if ((pr->pr_flags & PR_WANTRCVD) != 0 &&
			    so->so_pcb != NULL)
				(void)(*pr->pr_usrreq)(so, PRU_RCVD, NULL,
				    NULL, NULL, l);
			error = sbwait(&so->so_rcv);
			if (error != 0) {
				error = 0;
				goto release;
			}
			m = so->so_rcv.sb_mb;
		}
	}
	if (atomic && m != NULL && (m->m_type == MT_DATA ||
	    m->m_type == MT_HEADER) && (flags & MSG_EOR) == 0)
		flags |= MSG_TRUNC;
 done:
	if ((flags & MSG_PEEK) == 0 && (pr->pr_flags & PR_WANTRCVD) != 0 &&
	    so->so_pcb != NULL)
		(void)(*pr->pr_usrreq)(so, PRU_RCVD, NULL, NULL, NULL, l);
	if (!atomic && !gotrecord && orig_resid == uio->uio_resid &&
	    orig_resid != 0 &&
	    (flags & MSG_EOR) == 0 && (so->so_state & SS_CANTRCVMORE) == 0) {
		sbunlock(&so->so_rcv);
		goto restart;
	}
	if (flagsp != NULL)
		*flagsp |= flags & (MSG_EOR | MSG_TRUNC);
 release:
	sbunlock(&so->so_rcv);
 out:
	sounlock(so);
	return error;
}

/*
 * Discard everything in the receive buffer and refuse more.  Rights in
 * flight are handed back to the protocol (dp_dispose), under the lock,
 * which queues their files for closing.
 */
void
sorflush(struct socket *so)
{
	struct sockbuf *sb = &so->so_rcv;
	struct mbuf *rec, *next;

	KASSERT(solocked(so));

	sb->sb_flags |= SB_NOINTR;
	(void)sblock(sb, SBL_WAIT);
	socantrcvmore(so);
	while ((rec = sbunlinkrecord(sb)) != NULL) {
		for (; rec != NULL; rec = next) {
			next = rec->m_next;
			rec->m_next = NULL;
			if (rec->m_type == MT_CONTROL)
				sb_dispose(so, rec);
			m_free(rec);
		}
	}
	sbunlock(sb);
}
