/*
 * Private state of a running scenario, shared by lua/kn_*.c.
 */
#ifndef _KNIT_LUA_KN_INT_H_
#define _KNIT_LUA_KN_INT_H_

#include "sim.h"
#include "sys/queue.h"
#include "kn.h"

#include <lauxlib.h>

/*
 * What runs Lua code: a task (scheduler context) or a process (an LWP).
 * The extra space of every Lua thread we create points to its context;
 * the main state's is NULL.
 */
#define KN_CTX_TASK	1
#define KN_CTX_PROC	2
struct kn_ctx {
	int		 c_kind;
};

/*
 * A scenario task: the main chunk or one knit.at/knit.after callback,
 * running as a coroutine in scheduler context.  A task waits by yielding;
 * whatever it waits for resumes it through kn_task_wake().
 */
struct kn_task {
	struct kn_ctx	 t_ctx;		/* first: KN_CTX_TASK */
	struct kn_scn	*t_scn;
	lua_State	*t_co;		/* the coroutine */
	int		 t_ref;		/* registry reference to t_co */
	struct evq_event t_ev;		/* wake-up event */
	bool		 t_main;	/* the main chunk */
	bool		 t_waiting_quiet; /* knit.run(): wake when quiescent */
	const char	*t_waitfor;	/* what it waits for, for messages */
	int		 t_nresults;	/* values pushed for the resume */
	LIST_ENTRY(kn_task) t_link;
	LIST_ENTRY(kn_task) t_wlink;	/* on a list of waiters */
};
LIST_HEAD(kn_task_list, kn_task);
LIST_HEAD(kn_proc_list, kn_proc);
LIST_HEAD(kn_probe_list, kn_probe);

struct kn_expectation {
	uint64_t	 x_time;
	char		*x_text;	/* "file:line: message" */
	TAILQ_ENTRY(kn_expectation) x_link;
};
TAILQ_HEAD(kn_expectation_list, kn_expectation);

struct kn_scn {
	lua_State	*s_L;		/* the main Lua state */
	struct world	*s_world;
	const struct kn_opts *s_opts;
	struct rng	 s_rng;		/* math.random */
	struct kn_task_list s_tasks;	/* live tasks */
	struct kn_proc_list s_procs;	/* every process of the run */
	struct kn_probe_list s_probes;	/* knit.on_probe windows */
	struct kn_hoststate **s_hs;	/* by host index */
	size_t		 s_nhs;
	struct kn_task	*s_main;	/* NULL once the main chunk ended */
	bool		 s_main_done;
	bool		 s_aborted;	/* a scenario error: stop */
	char		*s_error;	/* its message (first one wins) */
	size_t		 s_nexpect;
	size_t		 s_nfailed;
	struct kn_expectation_list s_failures;
	bool		 s_stopped;	/* knit.stop() was called */
	size_t		 s_nhosts;	/* knit.host calls so far */
	bool		 s_needs_race;	/* knit.check{race = true} without
					   the race build */
	uint64_t	 s_task_seq;
};

struct rng	*kn_rng(lua_State *);
void		 kn_rng_reset(lua_State *);
uint64_t	 kn_now(lua_State *);

/* Tasks. */
struct kn_task	*kn_task_new(struct kn_scn *, bool is_main);
/* Start the function on top of the main state's stack as a new task. */
void		 kn_task_start(struct kn_scn *, struct kn_task *, int nargs);
/* Resume task t now (from scheduler context) with n values already
 * pushed on its coroutine. */
void		 kn_task_resume(struct kn_task *, int n);
/* Resume task t at virtual time `when' (an event). */
void		 kn_task_wake_at(struct kn_task *, uint64_t when);
/* The task whose coroutine is L, or NULL (processes, the main state). */
struct kn_task	*kn_task_of(lua_State *);
void		 kn_task_free(struct kn_task *);

/* Hosts. */
void		 kn_pushhost(lua_State *, struct host *);
void		 kn_host_methods_add(lua_State *, const luaL_Reg *);

/* --trace 1: one line on stderr with the virtual time. */
void		 kn_trace(struct kn_scn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Ask the world to stop running (after the current step). */
void		 kn_world_stop(struct kn_scn *);

#endif /* !_KNIT_LUA_KN_INT_H_ */
