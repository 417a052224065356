/*
 * The routing socket: PF_ROUTE, SOCK_RAW (NetBSD's rtsock protocol over
 * the socket layer).
 *
 * A message written to a routing socket goes to rt_msg_output (rtsock.c);
 * the reply is delivered to every routing socket of the host -- the
 * sender included, as with NetBSD's default SO_USELOOPBACK -- so
 * route(8) reads its answer by rtm_seq and rtm_pid.  A reader whose
 * buffer is full loses the message (routing sockets are lossy).  Only
 * root (so_uid 0) may change the table; anybody may RTM_GET.
 *
 * Locks: all routing sockets of a host share one mutex object
 * (V_rts_lock, so_lock of each), which also protects the list of their
 * PCBs, so delivery to all of them needs one lock.  The lock is dropped
 * while the message is processed: the routing table's locks are never
 * taken under it.
 */

#include "sys/domain.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/mutex.h"
#include "sys/protosw.h"
#include "sys/queue.h"
#include "sys/socketvar.h"
#include "sys/sysctl.h"
#include "sys/vnet.h"
#include "net/route.h"

#define RTS_SENDSPACE	8192
#define RTS_RECVSPACE	8192
#define RTS_MSGMAX	2048		/* longest message accepted */

struct rtspcb {
	struct socket		*rp_socket;
	LIST_ENTRY(rtspcb)	 rp_list;
};

LIST_HEAD(rtspcb_head, rtspcb);
VNET_DEFINE_STATIC(kmutex_t *, rts_lock);
VNET_DEFINE_STATIC(struct rtspcb_head, rts_pcbs);
#define V_rts_lock	VNET(rts_lock)
#define V_rts_pcbs	VNET(rts_pcbs)

static const struct sockaddr rts_src = { .sa_len = 2,
    .sa_family = PF_ROUTE };

static void
rts_vnet_init(void)
{
	V_rts_lock = mutex_obj_alloc(MUTEX_DEFAULT, IPL_NONE);
	LIST_INIT(&V_rts_pcbs);
}

static void
rts_vnet_fini(void)
{
	KASSERT(LIST_EMPTY(&V_rts_pcbs));
	(void)mutex_obj_free(V_rts_lock);
}

VNET_SYSINIT(rtsock, VNET_ORDER_PROTO, rts_vnet_init, rts_vnet_fini);

static int
rts_attach(struct socket *so)
{
	struct rtspcb *rp;
	int error;

	if (so->so_pcb != NULL)
		return EISCONN;
	if (so->so_lock == NULL) {
		mutex_obj_hold(V_rts_lock);
		so->so_lock = V_rts_lock;
		solock(so);
	}
	KASSERT(solocked(so));
	if ((error = soreserve(so, RTS_SENDSPACE, RTS_RECVSPACE)) != 0)
		return error;
	rp = kmem_zalloc(sizeof(*rp), KM_SLEEP);
	rp->rp_socket = so;
	so->so_pcb = rp;
	LIST_INSERT_HEAD(&V_rts_pcbs, rp, rp_list);
	soisconnected(so);
	return 0;
}

static void
rts_detach(struct socket *so)
{
	struct rtspcb *rp = so->so_pcb;

	LIST_REMOVE(rp, rp_list);
	so->so_pcb = NULL;
	kmem_free(rp, sizeof(*rp));
}

/* Give a copy of msg to every interested routing socket. */
static void
rts_deliver(const void *msg, size_t len)
{
	struct rtspcb *rp;
	struct socket *so;
	struct mbuf *m;

	KASSERT(mutex_owned(V_rts_lock));
	LIST_FOREACH(rp, &V_rts_pcbs, rp_list) {
		so = rp->rp_socket;
		if ((m = m_devget(msg, (int)len, NULL)) == NULL)
			continue;
		if (sbappendaddr(&so->so_rcv, &rts_src, m, NULL) == 0) {
			m_freem(m);
			continue;
		}
		sorwakeup(so);
	}
}

/*
 * Bug corpus (knit explore's tests; off by default): with
 * debug.bug.rtsock_lock_order = 1, rts_send keeps the routing socket's
 * lock while the message changes the table (socket lock -> table lock),
 * and the route dump (rtsock.c) counts the routing sockets while holding
 * the table lock (table lock -> socket lock): a lock-order inversion,
 * and a deadlock when a writer and a dump interleave badly.
 */
VNET_DEFINE(int, debug_bug_rtsock_order);
SYSCTL_VNET_INT(debug_bug_rtsock_order, "debug.bug.rtsock_lock_order",
    debug_bug_rtsock_order, 0, 1,
    "Bug corpus: routing socket lock and table lock in both orders");

/* Number of routing sockets (takes their lock; see rt_dump_sysctl). */
int
rts_count(void)
{
	struct rtspcb *rp;
	int n = 0;

	mutex_enter(V_rts_lock);
	LIST_FOREACH(rp, &V_rts_pcbs, rp_list)
		n++;
	mutex_exit(V_rts_lock);
	return n;
}

static int
rts_send(struct socket *so, struct mbuf *m)
{
	uint8_t *msg, *reply;
	size_t len, rlen;
	int error;

	len = (m->m_flags & M_PKTHDR) ? (size_t)m->m_pkthdr.len : 0;
	if (len < sizeof(struct rt_msghdr) || len > RTS_MSGMAX) {
		m_freem(m);
		return EINVAL;
	}
	msg = kmem_alloc(len, KM_SLEEP);
	reply = kmem_alloc(RTS_MSGMAX, KM_SLEEP);
	m_copydata(m, 0, (int)len, msg);
	m_freem(m);
	if (!VNET(debug_bug_rtsock_order))	/* BUG CORPUS when set */
		sounlock(so);
	error = rt_msg_output(msg, len, so->so_uid == 0, reply, RTS_MSGMAX,
	    &rlen);
	if (!VNET(debug_bug_rtsock_order))
		solock(so);
	if (rlen >= sizeof(struct rt_msghdr) && rlen <= RTS_MSGMAX)
		rts_deliver(reply, rlen);
	kmem_free(reply, RTS_MSGMAX);
	kmem_free(msg, len);
	return error;
}

static int
rts_usrreq(struct socket *so, int req, struct mbuf *m, struct sockaddr *nam,
    struct mbuf *control, struct lwp *l)
{
	int error = 0;

	(void)l;
	if (req == PRU_ATTACH)
		return rts_attach(so);
	KASSERT(solocked(so));
	if (control != NULL) {
		m_freem(control);
		control = NULL;
		if (req == PRU_SEND) {
			m_freem(m);
			return EOPNOTSUPP;
		}
	}
	if (so->so_pcb == NULL) {
		m_freem(m);
		return EINVAL;
	}
	switch (req) {
	case PRU_DETACH:
		rts_detach(so);
		break;
	case PRU_DISCONNECT:
	case PRU_SHUTDOWN:
		if (req == PRU_DISCONNECT)
			soisdisconnected(so);
		else
			socantsendmore(so);
		break;
	case PRU_SEND:
		error = rts_send(so, m);
		break;
	case PRU_ABORT:
		soisdisconnected(so);
		rts_detach(so);
		break;
	case PRU_SOCKADDR:
	case PRU_PEERADDR:
		memcpy(nam, &rts_src, rts_src.sa_len);
		break;
	case PRU_RCVD:
		break;
	default:
		m_freem(m);
		error = EOPNOTSUPP;
		break;
	}
	return error;
}

static const struct protosw routesw[] = {
	{
		.pr_type = SOCK_RAW,
		.pr_domain = &routedomain,
		.pr_protocol = 0,
		.pr_flags = PR_ATOMIC | PR_ADDR,
		.pr_usrreq = rts_usrreq,
	},
};

const struct domain_protocols route_domain_protocols = {
	.dp_protosw = routesw,
	.dp_protoswNPROTOSW = &routesw[__arraycount(routesw)],
};
