/*
 * AF_LOCAL descriptor passing (SCM_RIGHTS) and the garbage collector.
 *
 * A file sent with SCM_RIGHTS is, at every moment, referenced from a
 * descriptor table, from a message in some receive buffer (then counted
 * in f_msgcount), or "in transit" by a thread that holds a plain
 * reference: internalising takes a transit reference, queueing the
 * message turns it into a message reference (under the receiver's lock),
 * and externalising or disposing turns it back (under the same lock).
 * Hence f_count > f_msgcount exactly when something other than a queued
 * message refers to a file, which is what the collector's marking starts
 * from.  Every change of a message reference bumps unp_gen, and the
 * collector retries if unp_gen moved while it looked.  Transit references
 * that must be dropped where closing is unsafe (under a socket lock) are
 * queued for the collector thread, which closes them.
 *
 * unp_gc_lock protects the thread's state (discard queue, flags).  Lock
 * order: a socket lock, then unp_gc_lock; the collector takes the file
 * list lock, then socket locks (never the reverse).
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

#include "uipc_usrreq_impl.h"

SDT_PROBE_DEFINE(socket, unp, gc, garbage, "struct file *");

struct unp_discard {
	STAILQ_ENTRY(unp_discard) ud_link;
	struct file	*ud_fp;
};

STAILQ_HEAD(unp_discardq, unp_discard);

VNET_DEFINE_STATIC(u_int, unp_rights);	/* files in messages (atomics) */
VNET_DEFINE_STATIC(u_int, unp_gen);	/* message reference moves (atomics) */
VNET_DEFINE_STATIC(kmutex_t, unp_gc_lock);
VNET_DEFINE_STATIC(kcondvar_t, unp_gc_cv);
VNET_DEFINE_STATIC(struct unp_discardq, unp_discardq);
VNET_DEFINE_STATIC(bool, unp_gc_kicked);
VNET_DEFINE_STATIC(bool, unp_gc_exit);
VNET_DEFINE_STATIC(struct lwp *, unp_gc_lwp);
VNET_DEFINE_STATIC(uint64_t, unp_gc_reclaimed);
#define V_unp_rights		VNET(unp_rights)
#define V_unp_gen		VNET(unp_gen)
#define V_unp_gc_lock		VNET(unp_gc_lock)
#define V_unp_gc_cv		VNET(unp_gc_cv)
#define V_unp_discardq		VNET(unp_discardq)
#define V_unp_gc_kicked		VNET(unp_gc_kicked)
#define V_unp_gc_exit		VNET(unp_gc_exit)
#define V_unp_gc_lwp		VNET(unp_gc_lwp)
#define V_unp_gc_reclaimed	VNET(unp_gc_reclaimed)

SYSCTL_OID(unp_inflight, "net.local.inflight", CTLTYPE_INT,
    CTLFLAG_READONLY | CTLFLAG_VNET, &VNET_NAME(unp_rights),
    0, 0, NULL, "Descriptors in flight in SCM_RIGHTS messages");

static void	unp_thread(void *);
static bool	unp_discard_run(void);

static void
unp_rights_init_vnet(void)
{
	mutex_init(&V_unp_gc_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&V_unp_gc_cv, "unpgc");
	STAILQ_INIT(&V_unp_discardq);
	V_unp_rights = 0;
	V_unp_gen = 0;
	V_unp_gc_kicked = false;
	V_unp_gc_exit = false;
	V_unp_gc_reclaimed = 0;
	V_unp_gc_lwp = NULL;
}

/* Runs before unp's destructor: sockets can still be closed here. */
static void
unp_rights_fini_vnet(void)
{
	mutex_enter(&V_unp_gc_lock);
	V_unp_gc_exit = true;
	cv_broadcast(&V_unp_gc_cv);
	mutex_exit(&V_unp_gc_lock);
	if (V_unp_gc_lwp != NULL)
		(void)kthread_join(V_unp_gc_lwp);
	V_unp_gc_lwp = NULL;
	/* with no collector, discards may still be queued: close them */
	(void)unp_discard_run();
	cv_destroy(&V_unp_gc_cv);
	mutex_destroy(&V_unp_gc_lock);
}
VNET_SYSINIT(unp_rights, VNET_ORDER_DOMAIN + 1, unp_rights_init_vnet,
    unp_rights_fini_vnet);

/*
 * The collector thread starts with the host's first AF_LOCAL socket, so
 * hosts that never use one run no extra LWP.
 */
void
unp_thread_start(void)
{
	int error;

	mutex_enter(&V_unp_gc_lock);
	if (V_unp_gc_lwp == NULL) {
		error = kthread_create(PRI_NONE,
		    KTHREAD_MPSAFE | KTHREAD_MUSTJOIN, NULL, unp_thread, NULL,
		    &V_unp_gc_lwp, "unpgc");
		if (error != 0)
			panic("unp: cannot start unpgc: %d", error);
	}
	mutex_exit(&V_unp_gc_lock);
}

u_int
unp_rights_inflight(void)
{
	return atomic_load_acquire_uint(&V_unp_rights);
}

uint64_t
unp_gc_reclaimed(void)
{
	uint64_t n;

	mutex_enter(&V_unp_gc_lock);
	n = V_unp_gc_reclaimed;
	mutex_exit(&V_unp_gc_lock);
	return n;
}

void
unp_gc_kick(void)
{
	mutex_enter(&V_unp_gc_lock);
	V_unp_gc_kicked = true;
	cv_broadcast(&V_unp_gc_cv);
	mutex_exit(&V_unp_gc_lock);
}

static int
unp_rights_count(const struct mbuf *control, struct file ***fpp)
{
	struct cmsghdr *cm = mtod(control, struct cmsghdr *);

	if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return 0;
	*fpp = (struct file **)CMSG_DATA(cm);
	return (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(struct file *));
}

/* Queue a transit reference to be dropped by the collector thread. */
static void
unp_discard_later(struct file *fp)
{
	struct unp_discard *ud;

	ud = kmem_zalloc(sizeof(*ud), KM_SLEEP);
	ud->ud_fp = fp;
	mutex_enter(&V_unp_gc_lock);
	STAILQ_INSERT_TAIL(&V_unp_discardq, ud, ud_link);
	cv_broadcast(&V_unp_gc_cv);
	mutex_exit(&V_unp_gc_lock);
}

/*
 * Turn the descriptors of an SCM_RIGHTS message into file pointers with
 * transit references.  The new control mbuf replaces *controlp.
 */
int
unp_internalize(struct mbuf **controlp)
{
	struct mbuf *control = *controlp, *n;
	struct cmsghdr *cm = mtod(control, struct cmsghdr *), *ncm;
	struct file **rp;
	int *fdp, nfds, i, error;
	size_t size;

	if (control->m_len < (int)CMSG_LEN(0) ||
	    cm->cmsg_len < CMSG_LEN(0) || cm->cmsg_len > (size_t)control->m_len)
		return EINVAL;
	if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return EINVAL;
	nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	if (nfds > FD_NFILES_MAX)
		return EMSGSIZE;
	size = CMSG_SPACE((size_t)nfds * sizeof(struct file *));
	n = size > (size_t)MLEN ? m_getlen(M_WAIT, MT_CONTROL, (int)size) :
	    m_get(M_WAIT, MT_CONTROL);
	if (n == NULL)
		return ENOBUFS;
	n->m_type = MT_CONTROL;
	n->m_flags &= ~M_PKTHDR;
	ncm = mtod(n, struct cmsghdr *);
	memset(ncm, 0, size);
	ncm->cmsg_len = (socklen_t)CMSG_LEN((size_t)nfds *
	    sizeof(struct file *));
	ncm->cmsg_level = SOL_SOCKET;
	ncm->cmsg_type = SCM_RIGHTS;
	n->m_len = (int)size;
	fdp = (int *)CMSG_DATA(cm);
	rp = (struct file **)CMSG_DATA(ncm);
	for (i = 0; i < nfds; i++) {
		error = fd_getfile(fdp[i], &rp[i]);
		if (error != 0) {
			while (--i >= 0)
				unp_discard_later(rp[i]);
			m_free(n);
			return error;
		}
	}
	m_freem(control);
	*controlp = n;
	return 0;
}

/* The message was queued: transit references become message ones. */
void
unp_rights_queued(struct mbuf *control)
{
	struct file **rp;
	int i, n;

	for (; control != NULL; control = control->m_next) {
		n = unp_rights_count(control, &rp);
		for (i = 0; i < n; i++) {
			atomic_inc_uint(&rp[i]->f_msgcount);
			atomic_inc_uint(&V_unp_rights);
		}
		atomic_inc_uint(&V_unp_gen);
	}
}

/* The message could not be queued: drop the transit references. */
void
unp_rights_unsent(struct mbuf *control)
{
	struct file **rp;
	int i, n;

	for (; control != NULL; control = control->m_next) {
		n = unp_rights_count(control, &rp);
		for (i = 0; i < n; i++)
			unp_discard_later(rp[i]);
		/* mark consumed so a later dispose does nothing */
		mtod(control, struct cmsghdr *)->cmsg_type = 0;
	}
}

/* A message reference leaves its buffer (caller holds its lock). */
static struct file *
unp_rights_dequeue(struct file *fp)
{
	KASSERT(fp->f_msgcount > 0);
	atomic_dec_uint(&fp->f_msgcount);
	atomic_dec_uint(&V_unp_rights);
	atomic_inc_uint(&V_unp_gen);
	return fp;
}

/*
 * dp_externalize: install the files of a received SCM_RIGHTS message in
 * the receiver's table and rewrite the message as descriptors.  Called
 * with the receiving socket locked.
 */
int
unp_externalize(struct mbuf *control, struct lwp *l, int flags)
{
	struct cmsghdr *cm = mtod(control, struct cmsghdr *);
	struct proc *p = lwp_proc(l);
	struct file **rp;
	int *fds, i, n, error = 0;

	(void)flags;
	n = unp_rights_count(control, &rp);
	if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return 0;
	for (i = 0; i < n; i++)
		(void)unp_rights_dequeue(rp[i]);
	if (p == NULL || fd_nfree(p) < n) {
		for (i = 0; i < n; i++)
			unp_discard_later(rp[i]);
		error = EMSGSIZE;
		n = 0;
	}
	fds = n > 0 ? kmem_alloc((size_t)n * sizeof(int), KM_SLEEP) : NULL;
	for (i = 0; i < n; i++) {
		/* the transit reference becomes the table's */
		if (fd_install(p, rp[i], 0, &fds[i]) != 0)
			panic("unp_externalize: table filled up");
	}
	if (n > 0)
		memcpy(CMSG_DATA(cm), fds, (size_t)n * sizeof(int));
	cm->cmsg_len = (socklen_t)CMSG_LEN((size_t)n * sizeof(int));
	control->m_len = (int)CMSG_SPACE((size_t)n * sizeof(int));
	if (fds != NULL)
		kmem_free(fds, (size_t)n * sizeof(int));
	return error;
}

/* dp_dispose: rights of a discarded message (caller holds its lock). */
void
unp_dispose(struct mbuf *control)
{
	struct file **rp;
	int i, n;

	for (; control != NULL; control = control->m_next) {
		if (control->m_type != MT_CONTROL)
			continue;
		n = unp_rights_count(control, &rp);
		for (i = 0; i < n; i++)
			unp_discard_later(unp_rights_dequeue(rp[i]));
		mtod(control, struct cmsghdr *)->cmsg_type = 0;
	}
}

/* ---------------------------------------------------------------- */
/* Garbage collection */

static bool
unp_file_is_local(const struct file *fp)
{
	const struct socket *so;

	if (fp->f_type != DTYPE_SOCKET)
		return false;
	so = fp->f_data;
	return so->so_proto->pr_domain->dom_family == AF_LOCAL;
}

/* Take a reference unless the file is already on its way out. */
static bool
unp_file_tryhold(struct file *fp)
{
	u_int c;

	do {
		c = fp->f_count;
		if (c == 0)
			return false;
	} while (atomic_cas_uint(&fp->f_count, c, c + 1) != c);
	return true;
}

/* Mark the files referenced by messages queued at so. */
static bool
unp_mark_contents(struct socket *so)
{
	struct mbuf *rec, *m;
	struct file **rp;
	bool changed = false;
	int i, n;

	solock(so);
	for (rec = so->so_rcv.sb_mb; rec != NULL; rec = rec->m_nextpkt) {
		for (m = rec; m != NULL; m = m->m_next) {
			if (m->m_type != MT_CONTROL)
				continue;
			n = unp_rights_count(m, &rp);
			for (i = 0; i < n; i++) {
				if ((rp[i]->f_gcflag & FMARK) == 0) {
					rp[i]->f_gcflag |= FMARK;
					changed = true;
				}
			}
		}
	}
	sounlock(so);
	return changed;
}

/*
 * Mark and sweep.  Roots are files referenced other than by queued
 * messages; marking follows the rights queued at marked Unix sockets.
 * Unmarked files with message references are garbage (reachable only
 * from messages nobody can receive, e.g. a socket queued on itself):
 * their receive buffers are flushed, which releases the cycle.
 * Returns the number of files reclaimed, or -1 if references moved
 * meanwhile (try again later).
 */
static int
unp_gc(void)
{
	struct filelist *head = filelist_head();
	struct file *fp, **garbage = NULL;
	u_int gen0;
	bool changed;
	int n = 0, cap = 0, i;

	gen0 = atomic_load_acquire_uint(&V_unp_gen);
	filelist_lock();
	LIST_FOREACH(fp, head, f_list) {
		fp->f_gcflag = 0;
		if (fp->f_count > fp->f_msgcount)
			fp->f_gcflag |= FMARK;
		cap++;
	}
	do {
		changed = false;
		LIST_FOREACH(fp, head, f_list) {
			if ((fp->f_gcflag & (FMARK | FSCAN)) != FMARK)
				continue;
			fp->f_gcflag |= FSCAN;
			if (unp_file_is_local(fp) &&
			    unp_mark_contents(fp->f_data))
				changed = true;
		}
	} while (changed);
	if (cap > 0)
		garbage = kmem_alloc((size_t)cap * sizeof(*garbage),
		    KM_SLEEP);
	LIST_FOREACH(fp, head, f_list) {
		if ((fp->f_gcflag & FMARK) != 0 || fp->f_msgcount == 0)
			continue;
		if (unp_file_tryhold(fp))
			garbage[n++] = fp;
	}
	filelist_unlock();

	if (atomic_load_acquire_uint(&V_unp_gen) != gen0) {
		for (i = 0; i < n; i++)
			(void)closef(garbage[i]);
		n = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		fp = garbage[i];
		SDT_PROBE1(socket, unp, gc, garbage, fp);
		if (unp_file_is_local(fp)) {
			struct socket *so = fp->f_data;

			solock(so);
			sorflush(so);
			sounlock(so);
		}
	}
	for (i = 0; i < n; i++)
		(void)closef(garbage[i]);
 out:
	if (garbage != NULL)
		kmem_free(garbage, (size_t)cap * sizeof(*garbage));
	return n;
}

/* Drop the queued transit references; true if there were any. */
static bool
unp_discard_run(void)
{
	struct unp_discard *ud;
	bool any = false;

	for (;;) {
		mutex_enter(&V_unp_gc_lock);
		ud = STAILQ_FIRST(&V_unp_discardq);
		if (ud != NULL)
			STAILQ_REMOVE_HEAD(&V_unp_discardq, ud_link);
		mutex_exit(&V_unp_gc_lock);
		if (ud == NULL)
			return any;
		(void)closef(ud->ud_fp);
		kmem_free(ud, sizeof(*ud));
		any = true;
	}
}

/*
 * The collector thread: closes discarded references on demand, and
 * collects garbage when kicked and once a second while rights are in
 * flight.
 */
static void
unp_thread(void *arg)
{
	bool kicked, timedout;
	int error, r;

	(void)arg;
	for (;;) {
		timedout = false;
		mutex_enter(&V_unp_gc_lock);
		while (!V_unp_gc_kicked && STAILQ_EMPTY(&V_unp_discardq) &&
		    !V_unp_gc_exit) {
			error = cv_timedwait(&V_unp_gc_cv, &V_unp_gc_lock,
			    atomic_load_acquire_uint(&V_unp_rights) != 0 ?
			    hz : 0);
			if (error == EWOULDBLOCK) {
				timedout = true;
				break;
			}
		}
		if (V_unp_gc_exit && STAILQ_EMPTY(&V_unp_discardq)) {
			mutex_exit(&V_unp_gc_lock);
			break;
		}
		kicked = V_unp_gc_kicked;
		V_unp_gc_kicked = false;
		mutex_exit(&V_unp_gc_lock);

		(void)unp_discard_run();
		if ((kicked || timedout) &&
		    atomic_load_acquire_uint(&V_unp_rights) != 0) {
			r = unp_gc();
			if (r > 0) {
				mutex_enter(&V_unp_gc_lock);
				V_unp_gc_reclaimed += (uint64_t)r;
				mutex_exit(&V_unp_gc_lock);
			}
			if (r < 0)
				unp_gc_kick();	/* moved: look again */
			(void)unp_discard_run();
		}
	}
	kthread_exit(0);
}

/* Wake the collector now (tests, sysctl). */
void
unp_gc_request(void)
{
	unp_gc_kick();
}

