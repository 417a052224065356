/*
 * Topology from Lua: NICs (host:nic), links (knit.link, knit.hub) and
 * their parameters, link up/down and statistics.
 *
 *	local n1 = r1:nic{irq_cpu = 1}		-- interface "vnic0" of r1
 *	local l = knit.link(n1, n2, {delay = "50us", rate = "100Mbps"})
 *	l:down(); l:up(); l:set{loss = 0.1}; l:stats().delivered
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "net/net.h"
#include "kn_proc.h"

#define KN_NIC_MT	"knit.nic"
#define KN_LINK_MT	"knit.link"

struct kn_nic {
	struct net_nic	*kn_nic;
};

struct kn_link {
	struct net_link	*kl_link;
	struct net_link_params kl_params;
};

struct net *
kn_net(lua_State *L)
{
	struct world *w = kn_world(L);
	struct net *n = net_of_world(w);

	if (n == NULL)
		n = net_create(w);
	if (n == NULL)
		luaL_error(L, "cannot create the network");
	return n;
}

struct net_nic *
kn_checknic(lua_State *L, int arg)
{
	struct kn_nic *kn;

	if (lua_type(L, arg) == LUA_TSTRING) {
		struct net *n = kn_net(L);
		struct net_nic *nic = net_nic_lookup(n, lua_tostring(L, arg));

		if (nic == NULL)
			luaL_error(L, "unknown NIC '%s' (NICs are named "
			    "\"host:vnicN\")", lua_tostring(L, arg));
		return nic;
	}
	kn = luaL_testudata(L, arg, KN_NIC_MT);
	if (kn == NULL)
		luaL_typeerror(L, arg, "NIC");
	return kn->kn_nic;
}

static struct kn_link *
kn_checklink(lua_State *L, int arg)
{
	return luaL_checkudata(L, arg, KN_LINK_MT);
}

/* "100Mbps", "1Gbps", "64kbps", or a number of bits per second. */
static uint64_t
kn_checkrate(lua_State *L, int idx, const char *what)
{
	const char *s, *p;
	double v;
	char *end;

	if (lua_type(L, idx) == LUA_TNUMBER) {
		v = lua_tonumber(L, idx);
		if (v < 0 || isnan(v))
			luaL_error(L, "%s: negative rate", what);
		return (uint64_t)v;
	}
	s = lua_tostring(L, idx);
	if (s == NULL)
		luaL_error(L, "%s: rate expected (\"100Mbps\" or bits per "
		    "second)", what);
	v = strtod(s, &end);
	if (end == s || v < 0)
		luaL_error(L, "%s: bad rate '%s'", what, s);
	p = end;
	while (*p == ' ')
		p++;
	if (strcmp(p, "bps") == 0 || *p == '\0')
		;
	else if (strcmp(p, "kbps") == 0 || strcmp(p, "Kbps") == 0)
		v *= 1e3;
	else if (strcmp(p, "Mbps") == 0)
		v *= 1e6;
	else if (strcmp(p, "Gbps") == 0)
		v *= 1e9;
	else
		luaL_error(L, "%s: bad rate '%s' (units: bps, kbps, Mbps, "
		    "Gbps)", what, s);
	return (uint64_t)llround(v);
}

static double
kn_checkprob(lua_State *L, int idx, const char *what)
{
	double v;

	if (!lua_isnumber(L, idx))
		luaL_error(L, "%s: probability expected (a number in [0, 1])",
		    what);
	v = lua_tonumber(L, idx);
	if (!(v >= 0 && v <= 1))
		luaL_error(L, "%s: probability %g is not in [0, 1]", what, v);
	return v;
}

static unsigned
kn_checkuint(lua_State *L, int idx, const char *what)
{
	lua_Integer v;

	if (!lua_isinteger(L, idx))
		luaL_error(L, "%s: integer expected", what);
	v = lua_tointeger(L, idx);
	if (v < 0 || v > 1000000000)
		luaL_error(L, "%s: %d is out of range", what, (int)v);
	return (unsigned)v;
}

/* Fill p from the table at idx (fields not given keep their value). */
static void
kn_link_params(lua_State *L, int idx, struct net_link_params *p)
{
	const char *bad;

	if (lua_isnoneornil(L, idx))
		return;
	luaL_checktype(L, idx, LUA_TTABLE);
	idx = lua_absindex(L, idx);
	/* Unknown keys are mistakes: name them. */
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		static const char *const known[] = { "delay", "rate", "mtu",
		    "qlen", "loss", "dup", "reorder", "reorder_delay",
		    "corrupt", "name", NULL };
		const char *k = lua_type(L, -2) == LUA_TSTRING ?
		    lua_tostring(L, -2) : NULL;
		int i;

		for (i = 0; known[i] != NULL; i++)
			if (k != NULL && strcmp(k, known[i]) == 0)
				break;
		if (known[i] == NULL)
			luaL_error(L, "unknown link parameter '%s' (known: "
			    "delay, rate, mtu, qlen, loss, dup, reorder, "
			    "reorder_delay, corrupt, name)",
			    k ? k : luaL_typename(L, -2));
		lua_pop(L, 1);
	}
	if (lua_getfield(L, idx, "delay") != LUA_TNIL)
		p->nlp_delay = kn_checktime(L, lua_gettop(L));
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "rate") != LUA_TNIL)
		p->nlp_rate = kn_checkrate(L, -1, "rate");
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "mtu") != LUA_TNIL)
		p->nlp_mtu = kn_checkuint(L, -1, "mtu");
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "qlen") != LUA_TNIL)
		p->nlp_qlen = kn_checkuint(L, -1, "qlen");
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "loss") != LUA_TNIL)
		p->nlp_loss = kn_checkprob(L, -1, "loss");
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "dup") != LUA_TNIL)
		p->nlp_dup = kn_checkprob(L, -1, "dup");
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "reorder") != LUA_TNIL)
		p->nlp_reorder = kn_checkprob(L, -1, "reorder");
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "reorder_delay") != LUA_TNIL)
		p->nlp_reorder_delay = kn_checktime(L, lua_gettop(L));
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "corrupt") != LUA_TNIL)
		p->nlp_corrupt = kn_checkprob(L, -1, "corrupt");
	lua_pop(L, 1);
	if (p->nlp_reorder > 0 && p->nlp_reorder_delay == 0)
		p->nlp_reorder_delay = p->nlp_delay > 0 ? p->nlp_delay : 1000;
	if ((bad = net_link_params_check(p)) != NULL)
		luaL_error(L, "bad link parameters: %s", bad);
}

static void
kn_pushnic(lua_State *L, struct net_nic *nic)
{
	struct kn_nic *kn;

	lua_getfield(L, LUA_REGISTRYINDEX, "knit.nics");
	if (lua_rawgetp(L, -1, nic) == LUA_TUSERDATA) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	kn = lua_newuserdatauv(L, sizeof(*kn), 0);
	kn->kn_nic = nic;
	luaL_setmetatable(L, KN_NIC_MT);
	lua_pushvalue(L, -1);
	lua_rawsetp(L, -3, nic);
	lua_remove(L, -2);
}

static bool
kn_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	int i, n = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2],
	    &v[3], &v[4], &v[5], &n) != 6 || s[n] != '\0')
		return false;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return true;
}

/* host:nic([{irq_cpu = N, ring = N, mac = "02:..."}]) -> NIC */
static int
knL_host_nic(lua_State *L)
{
	struct host *h = kn_checkhost(L, 1);
	struct net_nic *nic;
	uint8_t mac[6];
	bool have_mac = false;
	int irq_cpu = 0;
	unsigned ring = 0;

	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		if (lua_getfield(L, 2, "irq_cpu") != LUA_TNIL) {
			irq_cpu = (int)luaL_checkinteger(L, -1);
			if (irq_cpu < 0 || irq_cpu >= host_ncpu(h))
				return luaL_error(L, "irq_cpu %d: host %s has "
				    "%d CPUs", irq_cpu, host_name(h),
				    host_ncpu(h));
		}
		lua_pop(L, 1);
		if (lua_getfield(L, 2, "ring") != LUA_TNIL)
			ring = kn_checkuint(L, -1, "ring");
		lua_pop(L, 1);
		if (lua_getfield(L, 2, "mac") != LUA_TNIL) {
			const char *s = luaL_checkstring(L, -1);

			if (!kn_parse_mac(s, mac))
				return luaL_error(L, "bad MAC address '%s' "
				    "(expected xx:xx:xx:xx:xx:xx)", s);
			have_mac = true;
		}
		lua_pop(L, 1);
	}
	nic = net_nic_create(kn_net(L), h, have_mac ? mac : NULL, irq_cpu,
	    ring);
	if (nic == NULL)
		return luaL_error(L, "cannot create a NIC on %s",
		    host_name(h));
	kn_hs(kn_scn_get(L), h)->hs_nnics++;
	kn_pushnic(L, nic);
	return 1;
}

/* nic:name() -> "vnic0" (the interface name inside the host) */
static int
knL_nic_ifname(lua_State *L)
{
	lua_pushfstring(L, "vnic%d", net_nic_unit(kn_checknic(L, 1)));
	return 1;
}

static int
knL_nic_host(lua_State *L)
{
	kn_pushhost(L, net_nic_host(kn_checknic(L, 1)));
	return 1;
}

static int
knL_nic_tostring(lua_State *L)
{
	lua_pushstring(L, net_nic_name(kn_checknic(L, 1)));
	return 1;
}

static void
kn_pushlink(lua_State *L, struct net_link *link,
    const struct net_link_params *p)
{
	struct kn_link *kl = lua_newuserdatauv(L, sizeof(*kl), 0);

	kl->kl_link = link;
	kl->kl_params = *p;
	luaL_setmetatable(L, KN_LINK_MT);
}

/* knit.link(nic_a, nic_b [, params]) -> link (point to point) */
static int
knL_link(lua_State *L)
{
	struct net_nic *a = kn_checknic(L, 1), *b = kn_checknic(L, 2);
	struct net_link_params p;
	struct net_link *link;
	char name[128];

	net_link_params_default(&p);
	kn_link_params(L, 3, &p);
	snprintf(name, sizeof(name), "%s-%s", net_nic_name(a),
	    net_nic_name(b));
	if (lua_istable(L, 3) && lua_getfield(L, 3, "name") == LUA_TSTRING)
		snprintf(name, sizeof(name), "%s", lua_tostring(L, -1));
	if (a == b)
		return luaL_error(L, "knit.link: both ends are %s",
		    net_nic_name(a));
	if (net_link_lookup(kn_net(L), name) != NULL)
		return luaL_error(L, "knit.link: a link named '%s' exists",
		    name);
	link = net_link_p2p(kn_net(L), name, a, b, &p);
	if (link == NULL)
		return luaL_error(L, "knit.link: %s or %s is already on a "
		    "link", net_nic_name(a), net_nic_name(b));
	kn_pushlink(L, link, &p);
	return 1;
}

/* knit.hub(name [, params]) -> link (shared segment); hub:attach(nic) */
static int
knL_hub(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	struct net_link_params p;
	struct net_link *link;

	net_link_params_default(&p);
	kn_link_params(L, 2, &p);
	if (net_link_lookup(kn_net(L), name) != NULL)
		return luaL_error(L, "knit.hub: a link named '%s' exists",
		    name);
	link = net_link_hub(kn_net(L), name, &p);
	if (link == NULL)
		return luaL_error(L, "knit.hub: cannot create '%s'", name);
	kn_pushlink(L, link, &p);
	return 1;
}

static int
knL_link_attach(lua_State *L)
{
	struct kn_link *kl = kn_checklink(L, 1);
	struct net_nic *nic = kn_checknic(L, 2);

	if (net_link_attach(kl->kl_link, nic) != 0)
		return luaL_error(L, "%s is already on a link",
		    net_nic_name(nic));
	return 0;
}

static int
knL_link_up(lua_State *L)
{
	net_link_set_up(kn_checklink(L, 1)->kl_link, true);
	return 0;
}

static int
knL_link_down(lua_State *L)
{
	net_link_set_up(kn_checklink(L, 1)->kl_link, false);
	return 0;
}

static int
knL_link_set(lua_State *L)
{
	struct kn_link *kl = kn_checklink(L, 1);
	struct net_link_params p = kl->kl_params;

	kn_link_params(L, 2, &p);
	kl->kl_params = p;
	net_link_set_params(kl->kl_link, &p);
	return 0;
}

static int
knL_link_stats(lua_State *L)
{
	struct net_link_stats st;

	net_link_stats(kn_checklink(L, 1)->kl_link, &st);
	lua_createtable(L, 0, 11);
#define KN_STAT(f, n)	do {						\
	lua_pushinteger(L, (lua_Integer)st.f);				\
	lua_setfield(L, -2, n);						\
} while (0)
	KN_STAT(nls_sent, "sent");
	KN_STAT(nls_delivered, "delivered");
	KN_STAT(nls_drop_down, "drop_down");
	KN_STAT(nls_drop_mtu, "drop_mtu");
	KN_STAT(nls_drop_queue, "drop_queue");
	KN_STAT(nls_lost, "lost");
	KN_STAT(nls_corrupted, "corrupted");
	KN_STAT(nls_duplicated, "duplicated");
	KN_STAT(nls_reordered, "reordered");
	KN_STAT(nls_rx_overrun, "rx_overrun");
	KN_STAT(nls_bytes, "bytes");
#undef KN_STAT
	return 1;
}

static const luaL_Reg kn_nic_methods[] = {
	{ "ifname", knL_nic_ifname },
	{ "host", knL_nic_host },
	{ "capture", knL_nic_capture },
	{ "packets", knL_nic_packets },
	{ NULL, NULL }
};

static const luaL_Reg kn_link_methods[] = {
	{ "attach", knL_link_attach },
	{ "up", knL_link_up },
	{ "down", knL_link_down },
	{ "set", knL_link_set },
	{ "stats", knL_link_stats },
	{ NULL, NULL }
};

static const luaL_Reg kn_host_net_methods[] = {
	{ "nic", knL_host_nic },
	{ NULL, NULL }
};

void
kn_open_net(lua_State *L)
{
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "knit.nics");
	luaL_newmetatable(L, KN_NIC_MT);
	luaL_newlib(L, kn_nic_methods);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, knL_nic_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	luaL_newmetatable(L, KN_LINK_MT);
	luaL_newlib(L, kn_link_methods);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	kn_host_methods_add(L, kn_host_net_methods);
	lua_pushcfunction(L, knL_link);
	lua_setfield(L, -2, "link");
	lua_pushcfunction(L, knL_hub);
	lua_setfield(L, -2, "hub");
	lua_pushcfunction(L, knL_expect_packets);
	lua_setfield(L, -2, "expect_packets");
}
