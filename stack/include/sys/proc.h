/*
 * Simulated processes.
 *
 * A process is a pid, credentials and a descriptor table, owned by one
 * host.  Lua scenario processes and the built-in userland programs run on
 * LWPs bound to a process (lwp_setproc); system calls (sys/syscall.h)
 * act on curproc.  Kernel threads have no process.
 *
 * Lifetime: proc_create returns a process with one reference; each LWP
 * bound with proc_attach_lwp takes another.  proc_exit closes every
 * descriptor; the structure is freed when the last reference goes.
 */
#ifndef _KNIT_SYS_PROC_H_
#define _KNIT_SYS_PROC_H_

#include "sys/systm.h"
#include "sys/queue.h"
#include "sys/mutex.h"

struct filedesc;
struct lwp;

struct kauth_cred {
	uid_t		cr_uid;		/* real */
	uid_t		cr_euid;	/* effective */
	gid_t		cr_gid;
	gid_t		cr_egid;
};
typedef struct kauth_cred *kauth_cred_t;

#define PROC_NAMELEN	32

struct proc {
	pid_t		 p_pid;
	char		 p_comm[PROC_NAMELEN];
	struct kauth_cred p_cred;
	struct filedesc	*p_fd;		/* descriptor table */
	u_int		 p_refcnt;	/* atomic */
	bool		 p_exiting;
	LIST_ENTRY(proc) p_list;	/* V_allproc, under proc_lock */
};

/*
 * Create a process on the current host.  Pids count up from 1 per host,
 * so they are deterministic.  Returns 0 or ENOMEM.
 */
int	proc_create(const char *name, uid_t uid, gid_t gid, struct proc **);
/* Bind an LWP to a process (takes a reference; lwp_setproc). */
void	proc_attach_lwp(struct proc *, struct lwp *);
/* Unbind curlwp from its process (drops the LWP's reference). */
void	proc_detach_lwp(struct lwp *);
/* Close every descriptor and drop the creator's reference. */
void	proc_exit(struct proc *);
void	proc_hold(struct proc *);
void	proc_rele(struct proc *);
/* Look a process up by pid (no reference taken; NULL if none). */
struct proc *proc_find(pid_t);
/* Number of processes of the current host. */
u_int	proc_count(void);

/* The credentials of the current process, or root's for kthreads. */
const struct kauth_cred *curcred(void);

#endif /* !_KNIT_SYS_PROC_H_ */
