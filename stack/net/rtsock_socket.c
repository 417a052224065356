/*
 * The PF_ROUTE socket: the routing socket protocol over the socket
 * layer.  A message written to a routing socket goes to rt_msg_output
 * (stack/net/rtsock.c), which changes the table and builds the reply;
 * the reply is queued to every routing socket of the host -- the
 * writer included, as NetBSD does by default -- so route(8) reads its
 * answer and monitors see every change.  The writer also gets the
 * error from write(2).
 *
 * Locking: every routing socket of a host uses the host's softnet_lock
 * (sosetlock), so the list of routing sockets and all their receive
 * buffers are under one lock and delivering to other sockets while
 * holding the writer's lock cannot invert an order.  The table change
 * itself runs with the lock dropped (see rtsock_send).
 */
#include "sys/domain.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/protosw.h"
#include "sys/socketvar.h"
#include "net/route.h"

#define RTS_SENDSPACE	8192
#define RTS_RECVSPACE	8192
#define RTS_MSGMAX	(sizeof(struct rt_msghdr) + RTAX_MAX * 256)

struct rtsock_pcb {
	struct socket	*rp_socket;
	LIST_ENTRY(rtsock_pcb) rp_list;	/* V_rtsock_pcbs, softnet_lock */
};
LIST_HEAD(rtsock_pcblist, rtsock_pcb);

VNET_DEFINE_STATIC(struct rtsock_pcblist, rtsock_pcbs);
#define V_rtsock_pcbs	VNET(rtsock_pcbs)

/* The source address of routing messages (NetBSD's route_src). */
static const struct sockaddr rtsock_src = {
	.sa_len = 2,
	.sa_family = AF_ROUTE,
};

/* Queue a copy of msg to every routing socket of the host. */
static void
rtsock_deliver(const void *msg, size_t len)
{
	struct rtsock_pcb *rp;
	struct mbuf *m;

	LIST_FOREACH(rp, &V_rtsock_pcbs, rp_list) {
		struct socket *so = rp->rp_socket;

		KASSERT(solocked(so));
		if (so->so_state & SS_CANTRCVMORE)
			continue;
		m = m_devget(msg, (int)len, NULL);
		if (m == NULL)
			continue;	/* ENOBUFS: the reader misses it */
		if (sbappendaddr(&so->so_rcv, &rtsock_src, m, NULL) == 0) {
			m_freem(m);	/* no room: dropped, as NetBSD */
			continue;
		}
		sorwakeup(so);
	}
}

static int
rtsock_send(struct socket *so, struct mbuf *m)
{
	uint8_t *msg, *reply;
	size_t replylen = 0;
	int len = m_length(m), error, privileged;

	if (len < (int)sizeof(struct rt_msghdr) || len > (int)RTS_MSGMAX) {
		m_freem(m);
		return EINVAL;
	}
	msg = kmem_alloc((size_t)len, KM_SLEEP);
	reply = kmem_alloc(RTS_MSGMAX, KM_SLEEP);
	m_copydata(m, 0, len, msg);
	m_freem(m);
	privileged = curcred()->cr_euid == 0;
	/*
	 * The table change runs without the socket's lock (softnet_lock):
	 * the routing and interface layers below take softnet_lock
	 * themselves (address and neighbour hooks).  The pcb stays: only
	 * PRU_DETACH frees it, and the caller holds a socket reference.
	 */
	sounlock(so);
	error = rt_msg_output(msg, (size_t)len, privileged, reply,
	    RTS_MSGMAX, &replylen);
	solock(so);
	if (replylen > 0 && replylen <= RTS_MSGMAX)
		rtsock_deliver(reply, replylen);
	kmem_free(reply, RTS_MSGMAX);
	kmem_free(msg, (size_t)len);
	return error;
}

static int
rtsock_usrreq(struct socket *so, int req, struct mbuf *m,
    struct sockaddr *nam, struct mbuf *control, struct lwp *l)
{
	struct rtsock_pcb *rp = so->so_pcb;
	int error = 0;

	(void)nam;
	(void)l;
	if (req == PRU_ATTACH) {
		if (rp != NULL)
			return EISCONN;
		sosetlock(so);
		error = soreserve(so, RTS_SENDSPACE, RTS_RECVSPACE);
		if (error != 0)
			return error;
		rp = kmem_zalloc(sizeof(*rp), KM_SLEEP);
		rp->rp_socket = so;
		so->so_pcb = rp;
		LIST_INSERT_HEAD(&V_rtsock_pcbs, rp, rp_list);
		soisconnected(so);	/* a routing socket talks at once */
		return 0;
	}
	KASSERT(solocked(so));
	if (rp == NULL) {
		m_freem(m);
		m_freem(control);
		return EINVAL;
	}
	switch (req) {
	case PRU_DETACH:
		LIST_REMOVE(rp, rp_list);
		so->so_pcb = NULL;
		kmem_free(rp, sizeof(*rp));
		break;
	case PRU_SEND:
		m_freem(control);
		error = rtsock_send(so, m);
		break;
	case PRU_SHUTDOWN:
		socantsendmore(so);
		break;
	case PRU_DISCONNECT:
		soisdisconnected(so);
		break;
	case PRU_ABORT:
		soisdisconnected(so);
		break;
	case PRU_RCVD:
	case PRU_SENSE:
		break;
	case PRU_SOCKADDR:
	case PRU_PEERADDR:
		if (nam != NULL)
			memcpy(nam, &rtsock_src, sizeof(rtsock_src));
		break;
	default:
		m_freem(m);
		m_freem(control);
		error = EOPNOTSUPP;
		break;
	}
	return error;
}

static void
rtsock_init(void)
{
	LIST_INIT(&V_rtsock_pcbs);
}

static const struct protosw rtsock_protosw[] = {
	{
		.pr_type = SOCK_RAW,
		.pr_domain = &routedomain,
		.pr_protocol = 0,
		.pr_flags = PR_ATOMIC | PR_ADDR,
		.pr_usrreq = rtsock_usrreq,
	},
};

const struct domain_protocols route_domain_protocols = {
	.dp_protosw = rtsock_protosw,
	.dp_protoswNPROTOSW = rtsock_protosw + __arraycount(rtsock_protosw),
	.dp_init = rtsock_init,
};
