/*
 * Simulated processes: pid, credentials, descriptor table.
 *
 * Pids are allocated per host, counting up from 1, so that runs are
 * deterministic.  A process is freed when its last reference goes: the
 * creator's (dropped by proc_exit) and one per bound LWP.
 */
#include "sys/systm.h"
#include "sys/atomic.h"
#include "sys/filedesc.h"
#include "sys/kmem.h"
#include "sys/lwp.h"
#include "sys/mutex.h"
#include "sys/proc.h"
#include "sys/queue.h"
#include "sys/vnet.h"

LIST_HEAD(proclist, proc);

VNET_DEFINE_STATIC(kmutex_t, proc_lock);
VNET_DEFINE_STATIC(struct proclist, allproc);
VNET_DEFINE_STATIC(pid_t, nextpid);
VNET_DEFINE_STATIC(u_int, nprocs);
#define V_proc_lock	VNET(proc_lock)
#define V_allproc	VNET(allproc)
#define V_nextpid	VNET(nextpid)
#define V_nprocs	VNET(nprocs)

/* Kernel threads act with root's credentials. */
static const struct kauth_cred kernel_cred;

static void
proc_init_vnet(void)
{
	mutex_init(&V_proc_lock, MUTEX_DEFAULT, IPL_NONE);
	LIST_INIT(&V_allproc);
	V_nextpid = 1;
	V_nprocs = 0;
}

static void
proc_fini_vnet(void)
{
	if (V_nprocs != 0)
		kprintf("proc: %u processes left at teardown\n", V_nprocs);
	mutex_destroy(&V_proc_lock);
}
VNET_SYSINIT(proc, VNET_ORDER_KERN, proc_init_vnet, proc_fini_vnet);

int
proc_create(const char *name, uid_t uid, gid_t gid, struct proc **pp)
{
	struct proc *p;

	p = kmem_zalloc(sizeof(*p), KM_SLEEP);
	strncpy(p->p_comm, name != NULL ? name : "proc",
	    sizeof(p->p_comm) - 1);
	p->p_cred.cr_uid = p->p_cred.cr_euid = uid;
	p->p_cred.cr_gid = p->p_cred.cr_egid = gid;
	p->p_fd = fd_init();
	p->p_refcnt = 1;
	mutex_enter(&V_proc_lock);
	p->p_pid = V_nextpid++;
	LIST_INSERT_HEAD(&V_allproc, p, p_list);
	V_nprocs++;
	mutex_exit(&V_proc_lock);
	*pp = p;
	return 0;
}

void
proc_hold(struct proc *p)
{
	atomic_inc_uint(&p->p_refcnt);
}

void
proc_rele(struct proc *p)
{
	if (atomic_dec_uint_nv(&p->p_refcnt) != 0)
		return;
	KASSERT(p->p_fd == NULL);
	mutex_enter(&V_proc_lock);
	LIST_REMOVE(p, p_list);
	V_nprocs--;
	mutex_exit(&V_proc_lock);
	kmem_free(p, sizeof(*p));
}

void
proc_attach_lwp(struct proc *p, struct lwp *l)
{
	KASSERT(lwp_proc(l) == NULL);
	proc_hold(p);
	lwp_setproc(l, p);
}

void
proc_detach_lwp(struct lwp *l)
{
	struct proc *p = lwp_proc(l);

	if (p == NULL)
		return;
	lwp_setproc(l, NULL);
	proc_rele(p);
}

/*
 * Close every descriptor.  Closing runs in the caller's context, which
 * should be an LWP of the process (so that blocking closes, e.g. with
 * SO_LINGER, sleep there) or any LWP of the host.
 */
void
proc_exit(struct proc *p)
{
	struct filedesc *fdp;

	KASSERT(!p->p_exiting);
	p->p_exiting = true;
	fdp = p->p_fd;
	fd_free(fdp);
	p->p_fd = NULL;
	proc_rele(p);
}

struct proc *
proc_find(pid_t pid)
{
	struct proc *p;

	mutex_enter(&V_proc_lock);
	LIST_FOREACH(p, &V_allproc, p_list)
		if (p->p_pid == pid)
			break;
	mutex_exit(&V_proc_lock);
	return p;
}

u_int
proc_count(void)
{
	u_int n;

	mutex_enter(&V_proc_lock);
	n = V_nprocs;
	mutex_exit(&V_proc_lock);
	return n;
}

const struct kauth_cred *
curcred(void)
{
	struct proc *p = curproc;

	return p != NULL ? &p->p_cred : &kernel_cred;
}
