/*
 * Processes of a scenario (lua/kn_proc.c) and what they need from the
 * machine.
 */
#ifndef _KNIT_LUA_KN_PROC_H_
#define _KNIT_LUA_KN_PROC_H_

#include "kn_int.h"

struct kn_proc {
	struct kn_ctx	 p_ctx;		/* first: KN_CTX_PROC */
	struct kn_scn	*p_scn;
	struct host	*p_host;
	struct lwp	*p_lwp;
	lua_State	*p_th;		/* its Lua thread */
	int		 p_ref;		/* registry ref to its object */
	void		*p_obj;		/* that object (a full userdata) */
	char		 p_name[64];
	bool		 p_done;
	int		 p_status;	/* 0, or -1 after a Lua error */
	struct kn_task_list p_waiters;	/* tasks in p:wait() */
	/* a userland command instead of a Lua function */
	char		*p_cmdline;
	int		 p_exit;	/* its exit status */
	char		*p_out, *p_err;	/* its output */
	struct evq_event p_start;	/* host:start(cmd, {at = t}) */
	int		 p_cpu;
	int		 p_nargs;	/* arguments of its function */
	struct kn_probe_wait *p_window;	/* a race window waits for it */
	bool		 p_rc;		/* host configuration (h:config) */
	bool		 p_launched;
	TAILQ_ENTRY(kn_proc) p_dlink;	/* deferred behind its host's rc */
	LIST_ENTRY(kn_proc) p_link;
};

TAILQ_HEAD(kn_proc_tailq, kn_proc);

/*
 * Per host: its configuration process (rc) and what waits for it.  A
 * host's configuration (sysctls given to knit.host, nic:addr,
 * h:config) runs as one process, command after command; processes and
 * commands started on the host meanwhile wait until it is done, so they
 * see the configured host.
 */
struct kn_hoststate {
	struct kn_proc	*hs_rc;		/* queued or running rc, or NULL */
	struct kn_proc_tailq hs_deferred;
	int		 hs_nnics;	/* NICs created (vnic0 .. n-1) */
};
struct kn_hoststate *kn_hs(struct kn_scn *, struct host *);
/* Block until interfaces vnic0 .. vnicN-1 exist (their driver attaches
 * them on LWPs of the host). */
void		 kn_wait_nics(int n);

struct kn_proc	*kn_checkproc(lua_State *, int arg);
/* Append a configuration command for host h (runs before later work). */
void		 kn_host_config(lua_State *, struct host *, const char *line);
struct kn_proc	*kn_proc_of(lua_State *);
void		 kn_proc_exited(struct kn_proc *);
void		 kn_proc_methods_add(lua_State *, const luaL_Reg *);
void		 kn_procs_free(struct kn_scn *);
struct kn_proc	*kn_proc_create(lua_State *, struct host *, const char *name,
		    int cpu);
int		 kn_proc_launch(struct kn_proc *);
/* Race windows (kn_probe.c). */
void		 kn_probe_release(struct kn_proc *);
void		 kn_probes_disarm(struct kn_scn *);
void		 kn_probes_free(struct kn_scn *);

/* Run a userland command line in the calling process. */
int		 kn_exec(const char *cmdline, char **out, char **err);

/* Bind/unbind the calling LWP to a new kernel process. */
void		*kn_kproc_enter(const char *name);
void		 kn_kproc_leave(void *);

/* Block the calling LWP for ns of virtual time. */
void		 kn_lwp_sleep(uint64_t ns);

#endif /* !_KNIT_LUA_KN_PROC_H_ */
