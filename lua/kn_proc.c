/*
 * Processes written in Lua: host:spawn(name, fn [, {cpu = N}]).
 *
 * Each process runs fn(p) on its own LWP of the host, on its own Lua
 * thread.  Its blocking calls (p:sleep, socket calls) block inside C: the
 * LWP's whole C stack, lua_pcall frames included, is switched away and
 * other LWPs run.  That is safe because only one LWP runs at a time and
 * each keeps the Lua values it uses on its own thread's stack.
 */
#define _GNU_SOURCE	/* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "kn_int.h"
#include "kn_proc.h"

#define KN_PROC_MT	"knit.proc"
/* A size hint for the method table: more than it holds (19 today). */
#define KN_PROC_NMETHODS	32

static int	kn_proc_wait_k(lua_State *, int, lua_KContext);
#ifndef KN_NO_USERLAND
static void	kn_rc_run(struct kn_proc *);
#endif
static void	kn_rc_done(struct kn_proc *);

static void
kn_proc_main(void *arg)
{
	struct kn_proc *p = arg;
	struct kn_scn *scn = p->p_scn;
	void *kp;

	if (scn->s_aborted)
		goto out;
	kp = kn_kproc_enter(p->p_name);
#ifndef KN_NO_USERLAND
	if (p->p_rc) {
		kn_rc_run(p);
	} else if (p->p_cmdline != NULL) {
		p->p_exit = kn_exec(p->p_cmdline, &p->p_out, &p->p_err);
		kn_trace(scn, "%s: %s: exit %d", host_name(p->p_host),
		    p->p_cmdline, p->p_exit);
	} else
#endif
	{
		/* fn and p are on the thread's stack (pushed by spawn) */
		if (!kn_pcall_r(scn, p->p_th, p->p_nargs, LUA_MULTRET))
			p->p_status = -1;
		kn_trace(scn, "%s: process %s ended", host_name(p->p_host),
		    p->p_name);
	}
	kn_kproc_leave(kp);
out:
	p->p_done = true;
	if (p->p_rc)
		kn_rc_done(p);
	kn_probe_release(p);
	kn_proc_exited(p);
}

/*
 * The process object at arg.  A process's own system calls (p:send(...)
 * on p's Lua thread) pass its own object: recognised by address, which
 * no other value can have while the object lives (the registry holds it
 * for the whole run), without luaL_checkudata's metatable lookup by name.
 */
struct kn_proc *
kn_checkproc(lua_State *L, int arg)
{
	struct kn_proc *self = kn_proc_of(L), **pp;

	if (self != NULL && lua_touserdata(L, arg) == self->p_obj)
		return self;
	pp = luaL_checkudata(L, arg, KN_PROC_MT);
	return *pp;
}

/* Is L the Lua thread of a process? */
struct kn_proc *
kn_proc_of(lua_State *L)
{
	struct kn_ctx *c = *(struct kn_ctx **)lua_getextraspace(L);

	if (c == NULL || c->c_kind != KN_CTX_PROC)
		return NULL;
	return (struct kn_proc *)c;
}

/* A new process and its Lua object (pushed). */
static struct kn_proc *
kn_proc_new(lua_State *L, struct kn_scn *scn, struct host *h,
    const char *name)
{
	struct kn_proc *p, **pp;

	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		luaL_error(L, "out of memory");
		return NULL;
	}
	p->p_ctx.c_kind = KN_CTX_PROC;
	p->p_scn = scn;
	p->p_host = h;
	p->p_cpu = -1;
	snprintf(p->p_name, sizeof(p->p_name), "%s", name);
	LIST_INIT(&p->p_waiters);
	LIST_INSERT_HEAD(&scn->s_procs, p, p_link);

	pp = lua_newuserdatauv(L, sizeof(*pp), 1);
	*pp = p;
	p->p_obj = pp;
	luaL_setmetatable(L, KN_PROC_MT);
	lua_pushvalue(L, -1);
	p->p_ref = luaL_ref(L, LUA_REGISTRYINDEX);	/* the object */
	return p;
}

/* host:spawn(name, fn [, {cpu = N}]) -> process object */
static int
knL_spawn(lua_State *L)
{
	struct kn_scn *scn = kn_scn_get(L);
	struct host *h = kn_checkhost(L, 1);
	const char *name = luaL_checkstring(L, 2);
	struct kn_proc *p;
	lua_Integer cpu = -1;

	luaL_checktype(L, 3, LUA_TFUNCTION);
	if (!lua_isnoneornil(L, 4)) {
		luaL_checktype(L, 4, LUA_TTABLE);
		if (lua_getfield(L, 4, "cpu") != LUA_TNIL) {
			cpu = luaL_checkinteger(L, -1);
			if (cpu < 0 || cpu >= host_ncpu(h))
				return luaL_error(L, "spawn '%s': host %s has "
				    "no cpu %d (it has %d)", name,
				    host_name(h), (int)cpu, host_ncpu(h));
		}
		lua_pop(L, 1);
	}
	p = kn_proc_create(L, h, name, (int)cpu);
	lua_pushvalue(L, 3);
	lua_pushvalue(L, -2);
	lua_xmove(L, p->p_th, 2);	/* fn, p */
	if (kn_proc_launch(p) != 0)
		return luaL_error(L, "cannot start process '%s' on host %s",
		    name, host_name(h));
	kn_trace(scn, "%s: process %s started", host_name(h), name);
	return 1;
}

/*
 * A Lua process (not started): pushes its object.  The caller pushes
 * the function and its p_nargs arguments on p->p_th, then launches it.
 */
struct kn_proc *
kn_proc_create(lua_State *L, struct host *h, const char *name, int cpu)
{
	struct kn_proc *p = kn_proc_new(L, kn_scn_get(L), h, name);

	p->p_cpu = cpu;
	p->p_nargs = 1;
	p->p_th = lua_newthread(L);
	*(struct kn_ctx **)lua_getextraspace(p->p_th) = &p->p_ctx;
	lua_setiuservalue(L, -2, 1);	/* the object anchors its thread */
	return p;
}

struct kn_hoststate *
kn_hs(struct kn_scn *scn, struct host *h)
{
	size_t i = (size_t)host_index(h);

	if (i >= scn->s_nhs) {
		size_t n = i + 8;
		struct kn_hoststate **v = realloc(scn->s_hs, n * sizeof(*v));

		if (v == NULL)
			abort();
		memset(v + scn->s_nhs, 0, (n - scn->s_nhs) * sizeof(*v));
		scn->s_hs = v;
		scn->s_nhs = n;
	}
	if (scn->s_hs[i] == NULL) {
		scn->s_hs[i] = calloc(1, sizeof(*scn->s_hs[i]));
		if (scn->s_hs[i] == NULL)
			abort();
		TAILQ_INIT(&scn->s_hs[i]->hs_deferred);
	}
	return scn->s_hs[i];
}

static int
kn_proc_spawn(struct kn_proc *p)
{
	p->p_launched = true;
	/* Lua code shares the scenario's state with other hosts' */
	if (!p->p_rc && p->p_cmdline == NULL)
		world_host_couple(p->p_host);
	p->p_lwp = host_spawn(p->p_host, p->p_name, p->p_cpu, kn_proc_main,
	    p);
	return p->p_lwp != NULL ? 0 : -1;
}

/* Start p now, or queue it behind its host's configuration. */
int
kn_proc_launch(struct kn_proc *p)
{
	struct kn_hoststate *hs = kn_hs(p->p_scn, p->p_host);

	if (hs->hs_rc != NULL && hs->hs_rc != p) {
		TAILQ_INSERT_TAIL(&hs->hs_deferred, p, p_dlink);
		return 0;
	}
	return kn_proc_spawn(p);
}

/* The host's rc ended: start what waited for it, up to the next rc. */
static void
kn_rc_done(struct kn_proc *rc)
{
	struct kn_hoststate *hs = kn_hs(rc->p_scn, rc->p_host);
	struct kn_proc *p;

	if (hs->hs_rc != rc)
		return;
	hs->hs_rc = NULL;
	while ((p = TAILQ_FIRST(&hs->hs_deferred)) != NULL) {
		TAILQ_REMOVE(&hs->hs_deferred, p, p_dlink);
		if (p->p_rc)
			hs->hs_rc = p;
		if (kn_proc_spawn(p) != 0)
			kn_scenario_error(p->p_scn, "cannot start a process");
		if (p->p_rc)
			break;
	}
}

#ifndef KN_NO_USERLAND
static void
kn_cmd_start(struct evq_event *ev, void *arg)
{
	struct kn_proc *p = arg;

	(void)ev;
	if (p->p_scn->s_aborted)
		return;
	if (!p->p_rc)
		kn_trace(p->p_scn, "%s: %s", host_name(p->p_host),
		    p->p_cmdline);
	if (kn_proc_launch(p) != 0)
		kn_scenario_error(p->p_scn, "cannot start a command process");
}

/*
 * Start a userland command on host h at virtual time `when'; pushes the
 * process object.
 */
static struct kn_proc *
kn_cmd_new(lua_State *L, struct host *h, const char *cmdline, uint64_t when,
    int cpu)
{
	struct kn_scn *scn = kn_scn_get(L);
	struct kn_proc *p;
	char name[32];
	size_t n = strcspn(cmdline, " \t");

	snprintf(name, sizeof(name), "%.*s", (int)(n < 31 ? n : 31), cmdline);
	p = kn_proc_new(L, scn, h, name);
	p->p_cmdline = strdup(cmdline);
	p->p_cpu = cpu;
	evq_event_init(&p->p_start, kn_cmd_start, p);
	evq_insert(world_evq(scn->s_world), &p->p_start, when);
	return p;
}

/* Run the rc's commands in order; a failing one is a scenario error. */
static void
kn_rc_run(struct kn_proc *p)
{
	char *lines = strdup(p->p_cmdline), *line, *save = NULL;

	kn_wait_nics(kn_hs(p->p_scn, p->p_host)->hs_nnics);

	for (line = strtok_r(lines, "\n", &save); line != NULL &&
	    !p->p_scn->s_aborted; line = strtok_r(NULL, "\n", &save)) {
		char *out = NULL, *err = NULL, *msg;
		int st;

		st = kn_exec(line, &out, &err);
		kn_trace(p->p_scn, "%s: config: %s: exit %d",
		    host_name(p->p_host), line, st);
		if (st != 0) {
			if (asprintf(&msg, "host %s: configuration command "
			    "'%s' failed (exit %d): %s", host_name(p->p_host),
			    line, st, err && *err ? err : out ? out : "") >= 0) {
				kn_scenario_error(p->p_scn, msg);
				free(msg);
			}
		}
		free(out);
		free(err);
	}
	free(lines);
}

void
kn_host_config(lua_State *L, struct host *h, const char *line)
{
	struct kn_scn *scn = kn_scn_get(L);
	struct kn_hoststate *hs = kn_hs(scn, h);
	struct kn_proc *rc = hs->hs_rc;
	char *joined;

	/* append to an rc that has not started; else queue a new one */
	if (rc == NULL || rc->p_launched) {
		struct kn_proc *last = TAILQ_LAST(&hs->hs_deferred,
		    kn_proc_tailq);

		if (last != NULL && last->p_rc && !last->p_launched) {
			rc = last;
		} else {
			rc = kn_proc_new(L, scn, h, "rc");
			lua_pop(L, 1);
			rc->p_rc = true;
			rc->p_cpu = 0;	/* where the NIC driver attaches */
			rc->p_cmdline = strdup(line);
			evq_event_init(&rc->p_start, kn_cmd_start, rc);
			if (hs->hs_rc == NULL)
				hs->hs_rc = rc;
			evq_insert(world_evq(scn->s_world), &rc->p_start,
			    kn_now(L));
			return;
		}
	}
	if (asprintf(&joined, "%s\n%s", rc->p_cmdline, line) < 0)
		luaL_error(L, "out of memory");
	free(rc->p_cmdline);
	rc->p_cmdline = joined;
}

/* h:config(cmdline): configuration command, run before later work. */
static int
knL_host_config(lua_State *L)
{
	struct host *h = kn_checkhost(L, 1);
	const char *line = luaL_checkstring(L, 2);

	if (strchr(line, '\n') != NULL)
		return luaL_error(L, "h:config: one command per call");
	kn_host_config(L, h, line);
	return 0;
}

/* The optional {cpu = N, at = t} table of host:run / host:start. */
static void
kn_cmd_opts(lua_State *L, int arg, struct host *h, int *cpup, uint64_t *atp)
{
	*cpup = -1;
	*atp = kn_now(L);
	if (lua_isnoneornil(L, arg))
		return;
	luaL_checktype(L, arg, LUA_TTABLE);
	if (lua_getfield(L, arg, "cpu") != LUA_TNIL) {
		lua_Integer c = luaL_checkinteger(L, -1);

		if (c < 0 || c >= host_ncpu(h))
			luaL_error(L, "host %s has no cpu %d", host_name(h),
			    (int)c);
		*cpup = (int)c;
	}
	lua_pop(L, 1);
	if (lua_getfield(L, arg, "at") != LUA_TNIL) {
		uint64_t t = kn_checktime(L, lua_gettop(L));

		if (t < kn_now(L))
			luaL_error(L, "at: time is in the past");
		*atp = t;
	}
	lua_pop(L, 1);
}

/*
 * host:run(cmdline [, {cpu = N}]) -> status, stdout, stderr
 * From the main chunk or a knit.at callback it starts the command as a
 * process on the host and waits; from a process of the same host it
 * runs the command in that process.
 */
static int
knL_host_run(lua_State *L)
{
	struct host *h = kn_checkhost(L, 1);
	const char *cmd = luaL_checkstring(L, 2);
	struct kn_proc *self = kn_proc_of(L), *p;
	uint64_t at;
	int cpu, st;
	char *out = NULL, *err = NULL;

	if (self != NULL) {
		if (self->p_host != h)
			return luaL_error(L, "host:run: process '%s' runs on "
			    "%s, not on %s", self->p_name,
			    host_name(self->p_host), host_name(h));
		st = kn_exec(cmd, &out, &err);
		kn_trace(self->p_scn, "%s: %s: exit %d", host_name(h), cmd,
		    st);
		lua_pushinteger(L, st);
		lua_pushstring(L, out ? out : "");
		lua_pushstring(L, err ? err : "");
		free(out);
		free(err);
		return 3;
	}
	if (!kn_can_wait(L))
		return luaL_error(L, "host:run waits for the command, which "
		    "only the main chunk, knit.at/knit.after callbacks and "
		    "processes can do (use host:start)");
	kn_cmd_opts(L, 3, h, &cpu, &at);
	p = kn_cmd_new(L, h, cmd, at, cpu);
	lua_replace(L, 1);
	lua_settop(L, 1);
	{
		struct kn_task *t = kn_task_of(L);

		t->t_waitfor = "a command";
		LIST_INSERT_HEAD(&p->p_waiters, t, t_wlink);
		return lua_yieldk(L, 0, (lua_KContext)p, kn_proc_wait_k);
	}
}

/* host:start(cmdline [, {at = t, cpu = N}]) -> process (p:wait()) */
static int
knL_host_start(lua_State *L)
{
	struct host *h = kn_checkhost(L, 1);
	const char *cmd = luaL_checkstring(L, 2);
	uint64_t at;
	int cpu;

	kn_cmd_opts(L, 3, h, &cpu, &at);
	kn_cmd_new(L, h, cmd, at, cpu);
	return 1;
}
#endif /* !KN_NO_USERLAND */

static int
knL_proc_sleep(lua_State *L)
{
	struct kn_proc *p = kn_checkproc(L, 1);
	uint64_t dt = kn_checktime(L, 2);

	if (kn_proc_of(L) != p)
		return luaL_error(L, "p:sleep: only process '%s' itself can "
		    "sleep", p->p_name);
	kn_lwp_sleep(dt);
	return 0;
}

void
kn_proc_exited(struct kn_proc *p)
{
	struct kn_task *t;
	uint64_t now = world_now(p->p_scn->s_world);

	while ((t = LIST_FIRST(&p->p_waiters)) != NULL) {
		LIST_REMOVE(t, t_wlink);
		kn_task_wake_at(t, now);
	}
}

void
kn_procs_free(struct kn_scn *scn)
{
	struct kn_proc *p;

	for (size_t i = 0; i < scn->s_nhs; i++)
		free(scn->s_hs[i]);
	free(scn->s_hs);
	scn->s_hs = NULL;
	scn->s_nhs = 0;
	while ((p = LIST_FIRST(&scn->s_procs)) != NULL) {
		LIST_REMOVE(p, p_link);
		if (p->p_cmdline != NULL)
			evq_cancel(world_evq(scn->s_world), &p->p_start);
		free(p->p_cmdline);
		free(p->p_out);
		free(p->p_err);
		free(p);
	}
}

/* After p:wait(): the values the process function returned, or a
 * command's exit status, stdout and stderr. */
static int
kn_proc_wait_k(lua_State *L, int status, lua_KContext ctx)
{
	struct kn_proc *p = (struct kn_proc *)ctx;
	int n;

	(void)status;
	lua_settop(L, 0);
	if (p->p_cmdline != NULL) {
		lua_pushinteger(L, p->p_exit);
		lua_pushstring(L, p->p_out ? p->p_out : "");
		lua_pushstring(L, p->p_err ? p->p_err : "");
		return 3;
	}
	n = lua_gettop(p->p_th);
	lua_checkstack(L, n);
	for (int i = 1; i <= n; i++)
		lua_pushvalue(p->p_th, i);
	lua_xmove(p->p_th, L, n);
	return n;
}

/* p:wait(): from a task, wait until the process ends; returns what its
 * function returned. */
static int
knL_proc_wait(lua_State *L)
{
	struct kn_proc *p = kn_checkproc(L, 1);
	struct kn_task *t = kn_task_of(L);

	if (p->p_done)
		return kn_proc_wait_k(L, LUA_OK, (lua_KContext)p);
	if (t == NULL || !lua_isyieldable(L))
		return luaL_error(L, "p:wait: only the main chunk and "
		    "knit.at/knit.after callbacks can wait for a process");
	t->t_waitfor = "a process";
	LIST_INSERT_HEAD(&p->p_waiters, t, t_wlink);
	return lua_yieldk(L, 0, (lua_KContext)p, kn_proc_wait_k);
}

#ifndef KN_NO_USERLAND
/* p:run(cmdline) -> status, stdout, stderr: a command in process p. */
static int
knL_proc_run(lua_State *L)
{
	struct kn_proc *p = kn_checkproc(L, 1);
	const char *cmd = luaL_checkstring(L, 2);
	char *out = NULL, *err = NULL;
	int st;

	if (kn_proc_of(L) != p)
		return luaL_error(L, "p:run: only process '%s' itself can "
		    "run commands in it", p->p_name);
	st = kn_exec(cmd, &out, &err);
	kn_trace(p->p_scn, "%s: %s: exit %d", host_name(p->p_host), cmd, st);
	lua_pushinteger(L, st);
	lua_pushstring(L, out ? out : "");
	lua_pushstring(L, err ? err : "");
	free(out);
	free(err);
	return 3;
}

#endif

static int
knL_proc_name(lua_State *L)
{
	lua_pushstring(L, kn_checkproc(L, 1)->p_name);
	return 1;
}

static int
knL_proc_host(lua_State *L)
{
	kn_pushhost(L, kn_checkproc(L, 1)->p_host);
	return 1;
}

static int
knL_proc_done(lua_State *L)
{
	lua_pushboolean(L, kn_checkproc(L, 1)->p_done);
	return 1;
}

static int
knL_proc_tostring(lua_State *L)
{
	struct kn_proc *p = kn_checkproc(L, 1);

	lua_pushfstring(L, "process %s on %s", p->p_name,
	    host_name(p->p_host));
	return 1;
}

static const luaL_Reg kn_proc_methods[] = {
	{ "sleep", knL_proc_sleep },
	{ "name", knL_proc_name },
	{ "host", knL_proc_host },
	{ "done", knL_proc_done },
	{ "wait", knL_proc_wait },
#ifndef KN_NO_USERLAND
	{ "run", knL_proc_run },
#endif
	{ NULL, NULL }
};

static const luaL_Reg kn_host_proc_methods[] = {
	{ "spawn", knL_spawn },
#ifndef KN_NO_USERLAND
	{ "run", knL_host_run },
	{ "start", knL_host_start },
	{ "config", knL_host_config },
#endif
	{ NULL, NULL }
};

void
kn_open_proc(lua_State *L)
{
	luaL_newmetatable(L, KN_PROC_MT);
	/* sized for every method (kn_proc_methods_add's too): no rehash */
	lua_createtable(L, 0, KN_PROC_NMETHODS);
	luaL_setfuncs(L, kn_proc_methods, 0);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, knL_proc_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	kn_host_methods_add(L, kn_host_proc_methods);
}

/* Add methods to the process object (kn_sock.c, ...). */
void
kn_proc_methods_add(lua_State *L, const luaL_Reg *funcs)
{
	luaL_getmetatable(L, KN_PROC_MT);
	lua_getfield(L, -1, "__index");
	luaL_setfuncs(L, funcs, 0);
	lua_pop(L, 2);
}
