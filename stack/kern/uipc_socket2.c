/*
 * Socket layer, part 2: socket locking, socket buffers, state
 * transitions and listen queues.
 *
 * Locking rules (see sys/socketvar.h for the whole story):
 *
 *   1. so_lock may change at any time.  After entering the mutex it
 *      loaded, a thread re-checks the pointer and retries with the new
 *      one (solockretry).
 *   2. Only the holder of the current lock may store a new pointer, with
 *      a release barrier.  A thread that does not also hold the new lock
 *      must consider the socket unlocked from then on.
 *   3. Every sleeper (so_cv, sb_cv) re-checks the pointer when it wakes;
 *      solockreset wakes them all so that they re-wait under the new
 *      lock.
 *   4. A queued connection (so_head != NULL) shares its head's lock.
 */
#include "sys/systm.h"
#include "sys/atomic.h"
#include "sys/condvar.h"
#include "sys/kmem.h"
#include "sys/lwp.h"
#include "sys/mbuf.h"
#include "sys/mutex.h"
#include "sys/pool.h"
#include "sys/protosw.h"
#include "sys/socket.h"
#include "sys/socketvar.h"
#include "sys/sysctl.h"
#include "sys/vnet.h"

#include "uipc_socket_impl.h"

/* ---------------------------------------------------------------- */
/* Locking */

static inline kmutex_t *
solock_load(const struct socket *so)
{
	return atomic_load_acquire_ptr(&so->so_lock);
}

void
solockretry(struct socket *so, kmutex_t *lock)
{
	kmutex_t *nlock;

	for (;;) {
		nlock = solock_load(so);
		if (nlock == lock)
			return;
		mutex_exit(lock);
		lock = nlock;
		mutex_enter(lock);
	}
}

void
solock(struct socket *so)
{
	kmutex_t *lock;

	lock = solock_load(so);
	mutex_enter(lock);
	if (__predict_false(lock != solock_load(so)))
		solockretry(so, lock);
}

void
sounlock(struct socket *so)
{
	mutex_exit(so->so_lock);
}

bool
solocked(const struct socket *so)
{
	return mutex_owned(so->so_lock);
}

bool
solocked2(const struct socket *so1, const struct socket *so2)
{
	return so1->so_lock == so2->so_lock && mutex_owned(so1->so_lock);
}

/*
 * Default lock assignment for protocols without special needs (all of
 * INET): the host's softnet_lock.  Returns with the lock held.
 */
void
sosetlock(struct socket *so)
{
	kmutex_t *lock;

	if (so->so_lock == NULL) {
		lock = softnet_lock;
		mutex_obj_hold(lock);
		atomic_store_release_ptr(&so->so_lock, lock);
		mutex_enter(lock);
	}
	KASSERT(solocked(so));
}

/*
 * Point so at a new lock.  The caller holds the current one and is
 * thereafter considered not to hold so's lock unless it also holds the
 * new one.  Reference counts are the caller's business: the old lock
 * must stay alive while anyone may still load it (rule 3 above).
 */
void
solockreset(struct socket *so, kmutex_t *lock)
{
	KASSERT(solocked(so));

	membar_exit();
	atomic_store_release_ptr(&so->so_lock, lock);
	cv_broadcast(&so->so_snd.sb_cv);
	cv_broadcast(&so->so_rcv.sb_cv);
	cv_broadcast(&so->so_cv);
}

/*
 * Acquire the long-term I/O lock of a sockbuf.  Sleeps on so_cv (not
 * sb_cv, which is for data) unless wf says not to wait.
 */
int
sblock(struct sockbuf *sb, int wf)
{
	struct socket *so = sb->sb_so;
	kmutex_t *lock;
	u_int gen;
	int error;

	KASSERT(solocked(so));

	for (;;) {
		if ((sb->sb_flags & SB_LOCK) == 0) {
			sb->sb_flags |= SB_LOCK;
			return 0;
		}
		if (wf != SBL_WAIT)
			return EWOULDBLOCK;
		gen = so->so_restartgen;
		lock = so->so_lock;
		if ((sb->sb_flags & SB_NOINTR) != 0) {
			cv_wait(&so->so_cv, lock);
			error = 0;
		} else
			error = cv_wait_sig(&so->so_cv, lock);
		if (__predict_false(lock != solock_load(so)))
			solockretry(so, lock);
		if (error != 0)
			return error;
		if (so->so_restartgen != gen)
			return EBADF;
	}
}

void
sbunlock(struct sockbuf *sb)
{
	struct socket *so = sb->sb_so;

	KASSERT(solocked(so));
	KASSERT((sb->sb_flags & SB_LOCK) != 0);

	sb->sb_flags &= ~SB_LOCK;
	cv_broadcast(&so->so_cv);
}

/*
 * Bug corpus (knit explore's tests; off by default): with
 * debug.bug.sbwait_lost_wakeup = 1, sbwait lets go of the socket lock
 * between the caller's check of the buffer and going to sleep -- the
 * classic lost wakeup: a sorwakeup in that window finds nobody waiting,
 * and the reader then sleeps although data is there.
 */
VNET_DEFINE_STATIC(int, debug_bug_sbwait);
#define V_debug_bug_sbwait	VNET(debug_bug_sbwait)
SYSCTL_VNET_INT(debug_bug_sbwait, "debug.bug.sbwait_lost_wakeup",
    debug_bug_sbwait, 0, 1,
    "Bug corpus: sbwait drops the socket lock before sleeping (lost wakeup)");

/*
 * Wait for data or space.  Returns EWOULDBLOCK when sb_timeo expired,
 * EINTR when interrupted, EBADF when a descriptor of the socket was
 * closed meanwhile (sorestart), 0 otherwise (the caller re-checks).
 */
int
sbwait(struct sockbuf *sb)
{
	struct socket *so = sb->sb_so;
	kmutex_t *lock;
	u_int gen;
	int error;

	KASSERT(solocked(so));

	sb->sb_flags |= SB_NOTIFY;
	gen = so->so_restartgen;
	lock = so->so_lock;
	if (__predict_false(V_debug_bug_sbwait)) {	/* BUG CORPUS */
		mutex_exit(lock);
		preempt_point();
		mutex_enter(lock);
	}
	if ((sb->sb_flags & SB_NOINTR) != 0)
		error = cv_timedwait(&sb->sb_cv, lock, sb->sb_timeo);
	else
		error = cv_timedwait_sig(&sb->sb_cv, lock, sb->sb_timeo);
	if (__predict_false(lock != solock_load(so)))
		solockretry(so, lock);
	if (error == 0 && so->so_restartgen != gen)
		error = EBADF;
	return error;
}

/* Wait for a state change on so_cv (connect, accept, linger). */
int
sowait(struct socket *so, bool catch, int timo)
{
	kmutex_t *lock;
	u_int gen;
	int error;

	KASSERT(solocked(so));

	gen = so->so_restartgen;
	lock = so->so_lock;
	if (catch)
		error = cv_timedwait_sig(&so->so_cv, lock, timo);
	else
		error = cv_timedwait(&so->so_cv, lock, timo);
	if (__predict_false(lock != solock_load(so)))
		solockretry(so, lock);
	if (error == 0 && so->so_restartgen != gen)
		error = EBADF;
	return error;
}

void
sorestart(struct socket *so)
{
	solock(so);
	so->so_restartgen++;
	cv_broadcast(&so->so_cv);
	cv_broadcast(&so->so_rcv.sb_cv);
	cv_broadcast(&so->so_snd.sb_cv);
	sounlock(so);
	sopoll_notify();
}

void
sowakeup(struct socket *so, struct sockbuf *sb, int code)
{
	KASSERT(solocked(so));
	KASSERT(sb->sb_so == so);

	(void)code;
	if ((sb->sb_flags & SB_SEL) != 0) {
		sb->sb_flags &= ~SB_SEL;
		sopoll_notify();
	}
	sb->sb_flags &= ~SB_NOTIFY;
	cv_broadcast(&sb->sb_cv);
	if ((sb->sb_flags & SB_UPCALL) != 0 && so->so_upcall != NULL)
		(*so->so_upcall)(so, so->so_upcallarg, 0);
}

/* ---------------------------------------------------------------- */
/* State transitions */

void
soisconnecting(struct socket *so)
{
	KASSERT(solocked(so));

	so->so_state &= ~(SS_ISCONNECTED | SS_ISDISCONNECTING);
	so->so_state |= SS_ISCONNECTING;
}

/*
 * A connection completed.  A queued socket moves from the head's
 * incomplete queue to its complete queue, and the head is told.
 */
void
soisconnected(struct socket *so)
{
	struct socket *head = so->so_head;

	KASSERT(solocked(so));
	KASSERT(head == NULL || solocked2(so, head));

	so->so_state &= ~(SS_ISCONNECTING | SS_ISDISCONNECTING |
	    SS_ISDISCONNECTED);
	so->so_state |= SS_ISCONNECTED;
	if (head != NULL && so->so_onq == &head->so_q0) {
		soqremque(so, 0);
		soqinsque(head, so, 1);
		sorwakeup(head);
		cv_broadcast(&head->so_cv);
	} else {
		cv_broadcast(&so->so_cv);
		sorwakeup(so);
		sowwakeup(so);
	}
}

void
soisdisconnecting(struct socket *so)
{
	KASSERT(solocked(so));

	so->so_state &= ~SS_ISCONNECTING;
	so->so_state |= SS_ISDISCONNECTING | SS_CANTRCVMORE | SS_CANTSENDMORE;
	cv_broadcast(&so->so_cv);
	sowwakeup(so);
	sorwakeup(so);
}

void
soisdisconnected(struct socket *so)
{
	KASSERT(solocked(so));

	so->so_state &= ~(SS_ISCONNECTING | SS_ISCONNECTED |
	    SS_ISDISCONNECTING);
	so->so_state |= SS_CANTRCVMORE | SS_CANTSENDMORE | SS_ISDISCONNECTED;
	cv_broadcast(&so->so_cv);
	sowwakeup(so);
	sorwakeup(so);
}

void
socantsendmore(struct socket *so)
{
	KASSERT(solocked(so));

	so->so_state |= SS_CANTSENDMORE;
	sowwakeup(so);
}

void
socantrcvmore(struct socket *so)
{
	KASSERT(solocked(so));

	so->so_state |= SS_CANTRCVMORE;
	sorwakeup(so);
}

/* ---------------------------------------------------------------- */
/* Listen queues */

/*
 * Put so on head's incomplete (q == 0) or complete (q == 1) queue.
 * Both share head's lock.
 */
void
soqinsque(struct socket *head, struct socket *so, int q)
{
	KASSERT(solocked2(head, so));
	KASSERT(so->so_onq == NULL);

	so->so_head = head;
	if (q == 0) {
		head->so_q0len++;
		so->so_onq = &head->so_q0;
	} else {
		head->so_qlen++;
		so->so_onq = &head->so_q;
	}
	TAILQ_INSERT_TAIL(so->so_onq, so, so_qe);
}

/* Take so off queue q of its head; false if it is not on that queue. */
bool
soqremque(struct socket *so, int q)
{
	struct socket *head = so->so_head;

	KASSERT(solocked(so));
	if (head == NULL)
		return false;
	KASSERT(solocked2(so, head));
	if (q == 0) {
		if (so->so_onq != &head->so_q0)
			return false;
		head->so_q0len--;
	} else {
		if (so->so_onq != &head->so_q)
			return false;
		head->so_qlen--;
	}
	TAILQ_REMOVE(so->so_onq, so, so_qe);
	so->so_onq = NULL;
	so->so_head = NULL;
	return true;
}

/*
 * A connection request arrived at listener head: make a socket for it,
 * sharing head's lock, on the incomplete queue (or the complete queue if
 * soready).  NULL when the queues are full or head stopped listening.
 * Called with head locked; returns with it still locked.
 */
struct socket *
sonewconn(struct socket *head, bool soready)
{
	struct socket *so;
	int error;

	KASSERT(solocked(head));

	if ((head->so_options & SO_ACCEPTCONN) == 0)
		return NULL;
	if (head->so_qlen + head->so_q0len > 3 * head->so_qlimit / 2)
		return NULL;
	so = soalloc(head->so_proto, head->so_type);
	if (so == NULL)
		return NULL;
	mutex_obj_hold(head->so_lock);
	so->so_lock = head->so_lock;
	so->so_options = head->so_options & ~SO_ACCEPTCONN;
	so->so_linger = head->so_linger;
	so->so_state = head->so_state | SS_NOFDREF;
	so->so_cpid = head->so_cpid;
	so->so_uid = head->so_uid;
	so->so_gid = head->so_gid;
	so->so_rcv.sb_flags |= head->so_rcv.sb_flags & SB_AUTOSIZE;
	so->so_snd.sb_flags |= head->so_snd.sb_flags & SB_AUTOSIZE;
	so->so_rcv.sb_timeo = head->so_rcv.sb_timeo;
	so->so_snd.sb_timeo = head->so_snd.sb_timeo;
	so->so_rcv.sb_lowat = head->so_rcv.sb_lowat;
	so->so_snd.sb_lowat = head->so_snd.sb_lowat;
	soqinsque(head, so, soready ? 1 : 0);
	error = (*so->so_proto->pr_usrreq)(so, PRU_ATTACH, NULL, NULL, NULL,
	    NULL);
	KASSERT(solocked(so));
	if (error != 0) {
		(void)soqremque(so, soready ? 1 : 0);
		sodealloc(so);
		return NULL;
	}
	if (soready) {
		sorwakeup(head);
		cv_broadcast(&head->so_cv);
	}
	return so;
}

/* ---------------------------------------------------------------- */
/* Socket buffers */

int
soreserve(struct socket *so, u_long sndcc, u_long rcvcc)
{
	KASSERT(so->so_lock == NULL || solocked(so));

	if (sbreserve(&so->so_snd, sndcc, so) == 0)
		return ENOBUFS;
	if (sbreserve(&so->so_rcv, rcvcc, so) == 0)
		return ENOBUFS;
	if (so->so_rcv.sb_lowat == 0)
		so->so_rcv.sb_lowat = 1;
	if (so->so_snd.sb_lowat == 0)
		so->so_snd.sb_lowat = MCLBYTES;
	if ((u_long)so->so_snd.sb_lowat > so->so_snd.sb_hiwat)
		so->so_snd.sb_lowat = (long)so->so_snd.sb_hiwat;
	return 0;
}

/* Set a buffer's limits; 0 if cc is out of range. */
int
sbreserve(struct sockbuf *sb, u_long cc, struct socket *so)
{
	(void)so;
	if (cc == 0 || cc > SB_MAX)
		return 0;
	sb->sb_hiwat = cc;
	sb->sb_mbmax = cc * 8 < SB_MAX * 2 ? cc * 8 : SB_MAX * 2;
	if ((u_long)sb->sb_lowat > sb->sb_hiwat)
		sb->sb_lowat = (long)sb->sb_hiwat;
	return 1;
}

void
sbrelease(struct sockbuf *sb, struct socket *so)
{
	(void)so;
	sbflush(sb);
	sb->sb_hiwat = sb->sb_mbmax = 0;
}

static u_long
sb_storage(const struct mbuf *m)
{
	u_long n = MSIZE;

	if ((m->m_flags & M_EXT) != 0)
		n += m->m_ext.ext_size;
	return n;
}

static void
sballoc(struct sockbuf *sb, struct mbuf *m)
{
	if (m->m_type != MT_CONTROL && m->m_type != MT_SONAME)
		sb->sb_cc += (u_long)m->m_len;
	sb->sb_mbcnt += sb_storage(m);
}

static void
sbfree(struct sockbuf *sb, struct mbuf *m)
{
	if (m->m_type != MT_CONTROL && m->m_type != MT_SONAME) {
		KASSERT(sb->sb_cc >= (u_long)m->m_len);
		sb->sb_cc -= (u_long)m->m_len;
	}
	KASSERT(sb->sb_mbcnt >= sb_storage(m));
	sb->sb_mbcnt -= sb_storage(m);
}

/*
 * Append chain m to the record whose last mbuf is *tailp, coalescing
 * small mbufs into the tail's free space.  Returns the new tail.
 */
static struct mbuf *
sbcompress(struct sockbuf *sb, struct mbuf *m, struct mbuf *tail)
{
	struct mbuf *n;

	while (m != NULL) {
		n = m->m_next;
		m->m_next = NULL;
		m->m_nextpkt = NULL;
		if (m->m_len == 0 && (m->m_flags & M_EOR) == 0 &&
		    tail != NULL) {
			m_free(m);
			m = n;
			continue;
		}
		if (tail != NULL && (tail->m_flags & M_EOR) == 0 &&
		    tail->m_type == m->m_type && m->m_type == MT_DATA &&
		    M_TRAILINGSPACE(tail) >= m->m_len) {
			memcpy(mtod(tail, char *) + tail->m_len,
			    mtod(m, char *), (size_t)m->m_len);
			tail->m_len += m->m_len;
			sb->sb_cc += (u_long)m->m_len;
			tail->m_flags |= m->m_flags & M_EOR;
			m_free(m);
			m = n;
			continue;
		}
		if (tail != NULL) {
			m->m_flags &= ~M_PKTHDR;
			tail->m_next = m;
		}
		sballoc(sb, m);
		tail = m;
		m = n;
	}
	return tail;
}

/*
 * Data for a stream socket: appended to the last record (a stream buffer
 * has more than one record only when control messages were sent).
 */
void
sbappendstream(struct sockbuf *sb, struct mbuf *m)
{
	KASSERT(solocked(sb->sb_so));

	if (m == NULL)
		return;
	if (sb->sb_mb == NULL) {
		struct mbuf *rest = m->m_next;

		m->m_next = NULL;
		m->m_nextpkt = NULL;
		sb->sb_mb = m;
		sb->sb_lastrecord = m;
		sballoc(sb, m);
		sb->sb_mbtail = sbcompress(sb, rest, m);
		return;
	}
	sb->sb_mbtail = sbcompress(sb, m, sb->sb_mbtail);
}

void
sbappend(struct sockbuf *sb, struct mbuf *m)
{
	sbappendstream(sb, m);
}

/* Append m0 as a new record. */
void
sbappendrecord(struct sockbuf *sb, struct mbuf *m0)
{
	struct mbuf *rest;

	KASSERT(solocked(sb->sb_so));
	if (m0 == NULL)
		return;
	rest = m0->m_next;
	m0->m_next = NULL;
	m0->m_nextpkt = NULL;
	sballoc(sb, m0);
	if (sb->sb_lastrecord != NULL)
		sb->sb_lastrecord->m_nextpkt = m0;
	else
		sb->sb_mb = m0;
	sb->sb_lastrecord = m0;
	sb->sb_mbtail = sbcompress(sb, rest, m0);
}

static struct mbuf *
sb_lastmbuf(struct mbuf *m)
{
	while (m->m_next != NULL)
		m = m->m_next;
	return m;
}

/*
 * Append a record [control] data (no room: 0, nothing consumed).  m0 may
 * be NULL when only control is sent.
 */
int
sbappendcontrol(struct sockbuf *sb, struct mbuf *m0, struct mbuf *control)
{
	long space;

	KASSERT(solocked(sb->sb_so));
	KASSERT(control != NULL);

	space = m_length(control) + (m0 != NULL ? m_length(m0) : 0);
	if (space > sbspace(sb))
		return 0;
	sb_lastmbuf(control)->m_next = m0;
	sbappendrecord(sb, control);
	return 1;
}

/*
 * Append a record (name [control] data) for a datagram protocol.  Returns
 * 0 without consuming anything if there is no room.
 */
int
sbappendaddr(struct sockbuf *sb, const struct sockaddr *asa,
    struct mbuf *m0, struct mbuf *control)
{
	struct mbuf *m;
	long space;

	KASSERT(solocked(sb->sb_so));

	space = asa->sa_len;
	if (m0 != NULL)
		space += m_length(m0);
	if (control != NULL)
		space += m_length(control);
	if (space > sbspace(sb))
		return 0;
	if (asa->sa_len > MLEN)
		m = m_getlen(M_DONTWAIT, MT_SONAME, asa->sa_len);
	else
		m = m_get(M_DONTWAIT, MT_SONAME);
	if (m == NULL)
		return 0;
	m->m_type = MT_SONAME;
	m->m_flags &= ~M_PKTHDR;
	memcpy(mtod(m, void *), asa, asa->sa_len);
	m->m_len = asa->sa_len;
	if (control != NULL) {
		m->m_next = control;
		sb_lastmbuf(control)->m_next = m0;
	} else
		m->m_next = m0;
	sbappendrecord(sb, m);
	return 1;
}

/* Recompute the tail pointers after records were removed at the head. */
static void
sb_fixtail(struct sockbuf *sb)
{
	struct mbuf *m;

	if (sb->sb_mb == NULL) {
		sb->sb_lastrecord = NULL;
		sb->sb_mbtail = NULL;
		return;
	}
	for (m = sb->sb_mb; m->m_nextpkt != NULL; m = m->m_nextpkt)
		continue;
	sb->sb_lastrecord = m;
	sb->sb_mbtail = sb_lastmbuf(m);
}

/* Drop len data bytes from the front of a stream buffer. */
void
sbdrop(struct sockbuf *sb, int len)
{
	struct mbuf *m, *next;

	KASSERT(solocked(sb->sb_so));

	next = sb->sb_mb != NULL ? sb->sb_mb->m_nextpkt : NULL;
	m = sb->sb_mb;
	while (len > 0) {
		KASSERT(m != NULL);
		if (m->m_len > len) {
			m->m_len -= len;
			m->m_data += len;
			sb->sb_cc -= (u_long)len;
			break;
		}
		len -= m->m_len;
		sbfree(sb, m);
		m = m_free(m);
	}
	/* zero-length mbufs left at the front carry nothing (except EOR) */
	while (m != NULL && m->m_len == 0 && (m->m_flags & M_EOR) == 0) {
		sbfree(sb, m);
		m = m_free(m);
	}
	if (m != NULL) {
		m->m_nextpkt = next;
		sb->sb_mb = m;
	} else
		sb->sb_mb = next;
	sb_fixtail(sb);
}

/* Detach the first record and return it (accounting removed). */
struct mbuf *
sbunlinkrecord(struct sockbuf *sb)
{
	struct mbuf *m0, *m;

	KASSERT(solocked(sb->sb_so));

	m0 = sb->sb_mb;
	if (m0 == NULL)
		return NULL;
	sb->sb_mb = m0->m_nextpkt;
	m0->m_nextpkt = NULL;
	for (m = m0; m != NULL; m = m->m_next)
		sbfree(sb, m);
	sb_fixtail(sb);
	return m0;
}

void
sbdroprecord(struct sockbuf *sb)
{
	m_freem(sbunlinkrecord(sb));
}

void
sbflush(struct sockbuf *sb)
{
	KASSERT((sb->sb_flags & SB_LOCK) == 0 || sb->sb_mb == NULL ||
	    solocked(sb->sb_so));

	while (sb->sb_mb != NULL)
		sbdroprecord(sb);
	KASSERT(sb->sb_cc == 0);
	KASSERT(sb->sb_mbcnt == 0);
}

/* Consistency check of the accounting (tests and KASSERT builds). */
void
sbcheck(const struct sockbuf *sb)
{
	const struct mbuf *r, *m;
	u_long cc = 0, mbcnt = 0;

	for (r = sb->sb_mb; r != NULL; r = r->m_nextpkt) {
		for (m = r; m != NULL; m = m->m_next) {
			if (m->m_type != MT_CONTROL && m->m_type != MT_SONAME)
				cc += (u_long)m->m_len;
			mbcnt += sb_storage(m);
		}
	}
	KASSERTMSG(cc == sb->sb_cc, "sb_cc %lu != %lu", sb->sb_cc, cc);
	KASSERTMSG(mbcnt == sb->sb_mbcnt, "sb_mbcnt %lu != %lu",
	    sb->sb_mbcnt, mbcnt);
}

/* A control message mbuf: cmsghdr + size bytes of p. */
struct mbuf *
sbcreatecontrol(const void *p, int size, int type, int level)
{
	struct cmsghdr *cp;
	struct mbuf *m;
	int space = (int)CMSG_SPACE((size_t)size);

	if (space > MCLBYTES)
		return NULL;
	m = space > MLEN ? m_getlen(M_DONTWAIT, MT_CONTROL, space) :
	    m_get(M_DONTWAIT, MT_CONTROL);
	if (m == NULL)
		return NULL;
	m->m_type = MT_CONTROL;
	m->m_flags &= ~M_PKTHDR;
	cp = mtod(m, struct cmsghdr *);
	memset(cp, 0, (size_t)space);
	memcpy(CMSG_DATA(cp), p, (size_t)size);
	m->m_len = (int)CMSG_SPACE((size_t)size);
	cp->cmsg_len = (socklen_t)CMSG_LEN((size_t)size);
	cp->cmsg_level = level;
	cp->cmsg_type = type;
	return m;
}
