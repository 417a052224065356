/*
 * Race windows: knit.on_probe(name, {host = h, cpu = n, once = true}, fn).
 *
 * When an LWP fires a matching SDT probe, the machine calls us on that
 * LWP.  We start fn(p, args) as a new process of the same host on
 * another CPU and block the firing LWP on a condition variable until
 * that process ends: whatever fn does (a route delete, a close) happens
 * while the firing LWP is held between the two statements the probe
 * sits between.  Then the firing LWP continues.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "sys/condvar.h"
#include "sys/intr.h"
#include "sys/lwp.h"
#include "sys/mutex.h"
#include "sys/sdt.h"

#include "kn_proc.h"

struct kn_probe {
	struct kn_scn	*pr_scn;
	char		 pr_pattern[256];
	struct host	*pr_host;	/* NULL: any host */
	int		 pr_cpu;	/* -1: any CPU */
	bool		 pr_once;
	int		 pr_fired;
	int		 pr_fnref;	/* the Lua function */
	LIST_ENTRY(kn_probe) pr_link;
};

/* The firing LWP waits on this until the window's process ends. */
struct kn_probe_wait {
	kmutex_t	 pw_lock;
	kcondvar_t	 pw_cv;
	bool		 pw_done;
};

void
kn_probe_release(struct kn_proc *p)
{
	struct kn_probe_wait *pw = p->p_window;

	if (pw == NULL)
		return;
	mutex_enter(&pw->pw_lock);
	pw->pw_done = true;
	cv_broadcast(&pw->pw_cv);
	mutex_exit(&pw->pw_lock);
}

static void
kn_probe_fire(struct sdt_probe *sp, const uintptr_t args[5], void *arg)
{
	struct kn_probe *pr = arg;
	struct kn_scn *scn = pr->pr_scn;
	struct kn_probe_wait pw;
	struct host *h = sim_host();
	struct kn_proc *p;
	lua_State *L;
	char name[256];
	int cpu, i, top;

	/* the scenario is over (the world's teardown fires probes too) */
	if (scn == NULL)
		return;
	L = scn->s_L;
	if (scn->s_aborted || (pr->pr_once && pr->pr_fired > 0))
		return;
	if (pr->pr_host != NULL && pr->pr_host != h)
		return;
	cpu = (int)cpu_index(curcpu());
	if (pr->pr_cpu >= 0 && pr->pr_cpu != cpu)
		return;
	pr->pr_fired++;
	sim_probe_name(sp, name, sizeof(name));
	kn_trace(scn, "%s: cpu %d: probe %s: window opens", host_name(h),
	    cpu, name);

	/* fn(p, {name = ..., args...}) as a process on another CPU */
	top = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, pr->pr_fnref);
	p = kn_proc_create(L, h, "race-window",
	    host_ncpu(h) > 1 ? (cpu + 1) % host_ncpu(h) : -1);
	lua_createtable(L, 5, 1);
	lua_pushstring(L, name);
	lua_setfield(L, -2, "probe");
	for (i = 0; i < 5; i++) {
		lua_pushinteger(L, (lua_Integer)args[i]);
		lua_seti(L, -2, i + 1);
	}
	/* stack: fn, p, args -> the process's thread */
	lua_xmove(L, p->p_th, 3);
	lua_settop(L, top);

	memset(&pw, 0, sizeof(pw));
	/* at IPL_SOFTNET: a softint (forwarding) may be the held LWP */
	mutex_init(&pw.pw_lock, MUTEX_DEFAULT, IPL_SOFTNET);
	cv_init(&pw.pw_cv, "window");
	p->p_window = &pw;
	p->p_nargs = 2;
	if (kn_proc_launch(p) != 0) {
		kn_scenario_error(scn, "knit.on_probe: cannot start the "
		    "race-window process");
		p->p_window = NULL;
	} else {
		mutex_enter(&pw.pw_lock);
		while (!pw.pw_done)
			cv_wait(&pw.pw_cv, &pw.pw_lock);
		mutex_exit(&pw.pw_lock);
	}
	cv_destroy(&pw.pw_cv);
	mutex_destroy(&pw.pw_lock);
	kn_trace(scn, "%s: cpu %d: probe %s: window closes", host_name(h),
	    cpu, name);
}

/*
 * knit.on_probe(name, [{host = h, cpu = n, once = bool}], fn)
 * name: "provider:module:function:name", a shell pattern, or its last
 * components ("rtcache-validated" matches "*:*:*:rtcache-validated").
 */
static int
knL_on_probe(lua_State *L)
{
	struct kn_scn *scn = kn_scn_get(L);
	const char *name = luaL_checkstring(L, 1);
	struct kn_probe *pr;
	int fnarg = 3, ncolon = 0, n;
	const char *c;

	if (lua_isfunction(L, 2))
		fnarg = 2;
	luaL_checktype(L, fnarg, LUA_TFUNCTION);
	pr = calloc(1, sizeof(*pr));
	if (pr == NULL)
		return luaL_error(L, "out of memory");
	pr->pr_scn = scn;
	pr->pr_cpu = -1;
	pr->pr_once = true;
	LIST_INSERT_HEAD(&scn->s_probes, pr, pr_link);
	for (c = name; *c != '\0'; c++)
		if (*c == ':')
			ncolon++;
	pr->pr_pattern[0] = '\0';
	if (ncolon < 3 && strpbrk(name, "*?[") == NULL)
		for (n = ncolon; n < 3; n++)
			strcat(pr->pr_pattern, "*:");
	strncat(pr->pr_pattern, name, sizeof(pr->pr_pattern) -
	    strlen(pr->pr_pattern) - 1);
	if (fnarg == 3 && !lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		if (lua_getfield(L, 2, "host") != LUA_TNIL)
			pr->pr_host = kn_checkhost(L, lua_gettop(L));
		lua_pop(L, 1);
		if (lua_getfield(L, 2, "cpu") != LUA_TNIL) {
			pr->pr_cpu = (int)luaL_checkinteger(L, -1);
			if (pr->pr_cpu < 0 || (pr->pr_host != NULL &&
			    pr->pr_cpu >= host_ncpu(pr->pr_host)))
				return luaL_error(L, "knit.on_probe: no cpu %d",
				    pr->pr_cpu);
		}
		lua_pop(L, 1);
		if (lua_getfield(L, 2, "once") != LUA_TNIL)
			pr->pr_once = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	/*
	 * The hook runs on the firing host's LWP and touches the Lua
	 * state: couple that host, or every host (no lookahead at all).
	 */
	if (pr->pr_host != NULL)
		world_host_couple(pr->pr_host);
	else
		world_set_lookahead(scn->s_world, false);
	lua_pushvalue(L, fnarg);
	pr->pr_fnref = luaL_ref(L, LUA_REGISTRYINDEX);
	n = sim_probe_attach(scn->s_world, pr->pr_pattern, kn_probe_fire, pr);
	if (n < 0)
		return luaL_error(L, "knit.on_probe: bad probe pattern '%s'",
		    name);
	if (n == 0)
		return luaL_error(L, "knit.on_probe: no probe matches '%s' "
		    "(`knit probes' lists them)", name);
	return 0;
}

/* Times a probe pattern's window opened (for expectations). */
static int
knL_probe_count(lua_State *L)
{
	struct kn_scn *scn = kn_scn_get(L);
	const char *name = luaL_checkstring(L, 1);
	struct kn_probe *pr;
	int n = 0;

	LIST_FOREACH(pr, &scn->s_probes, pr_link) {
		size_t pl = strlen(pr->pr_pattern), nl = strlen(name);

		if (strcmp(pr->pr_pattern, name) == 0 ||
		    (pl > nl && strcmp(pr->pr_pattern + pl - nl, name) == 0))
			n += pr->pr_fired;
	}
	lua_pushinteger(L, n);
	return 1;
}

/* The scenario ends: its hooks stay attached to the world until the
 * world is destroyed, so they are disarmed here and freed after that. */
void
kn_probes_disarm(struct kn_scn *scn)
{
	struct kn_probe *pr;

	LIST_FOREACH(pr, &scn->s_probes, pr_link)
		pr->pr_scn = NULL;
}

void
kn_probes_free(struct kn_scn *scn)
{
	struct kn_probe *pr;

	while ((pr = LIST_FIRST(&scn->s_probes)) != NULL) {
		LIST_REMOVE(pr, pr_link);
		free(pr);
	}
}

void
kn_open_probe(lua_State *L)
{
	lua_pushcfunction(L, knL_on_probe);
	lua_setfield(L, -2, "on_probe");
	lua_pushcfunction(L, knL_probe_count);
	lua_setfield(L, -2, "probe_count");
}
