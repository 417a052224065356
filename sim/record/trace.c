/*
 * The run recorder (trace.h): packets from the NIC model, routing
 * changes from the probe knit:route:rtrequest:done, and at level full
 * lock holds and CPU switches, all into the run database.
 *
 * The route a packet was sent along: the probes
 * knit:ip:ip_output:rtcache_validated, knit:ip:ip_forward:... (and the
 * IPv6 ones) fire between the route cache lookup and the use of its
 * entry, with the packet.  The recorder keeps the entry twice: under
 * the packet's identity (trace_held: host, destination, IPv4 id or IPv6
 * flow label, length, protocol and the transport bytes no later layer
 * rewrites), and as the last one of the LWP.  An outbound IP frame
 * takes its own packet's entry -- also when it was held for ARP/ND
 * resolution and is sent later by another LWP -- else (a packet the
 * recorder cannot recognise, e.g. a fragment) the sending LWP's last.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/machine.h"
#include "cpu/sync.h"
#include "record/trace.h"
#include "sim.h"

/* The last route an LWP validated, until its next outbound IP frame. */
struct trace_pending {
	bool		 tp_valid;
	struct trace_rt	 tp_rt;
};

/*
 * The route validated for a packet, by packet identity (th_key, 0 =
 * empty), until a frame with that identity leaves; direct-mapped, so a
 * packet never sent is forgotten when another takes its slot.
 */
#define TRACE_HELD	1024
struct trace_held {
	uint64_t	 th_key;
	int		 th_gid;	/* LWP that validated it */
	struct trace_rt	 th_rt;
};

struct trace {
	struct world	*t_world;
	struct db_run	*t_run;
	enum db_trace_level t_level;
	uint64_t	 t_rows;
	const struct sync_hooks *t_prev;	/* chained at level full */
	struct trace_pending *t_pend;		/* by lwp_gid */
	size_t		 t_npend;
	struct trace_held *t_held;		/* TRACE_HELD, or NULL */
	int		*t_last;		/* by CPU c_gindex: lwp_gid */
	size_t		 t_nlast;
};

static uint64_t	trace_packet_id(struct host *, const uint8_t *, size_t);

/* The hooks of cpu/sync.h are global; one recorder at a time uses them. */
static struct trace *trace_synced;

uint64_t
trace_rows(const struct trace *t)
{
	return t != NULL ? t->t_rows : 0;
}

/* ---- formatting ----------------------------------------------------- */

/*
 * An address as inet_ntop writes it.  IPv4 by hand: every recorded
 * frame formats two or three, and glibc's inet_ntop formats IPv4
 * through sprintf (a third of trace_frame's time on route_flap).
 */
static void
addr_text(int family, const uint8_t *a, char *buf, size_t len)
{
	char *p = buf;
	unsigned v;
	int i;

	if (family != 6 && len >= sizeof("255.255.255.255")) {
		for (i = 0; i < 4; i++) {
			v = a[i];
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		return;
	}
	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* "10.0.2.0/24", "10.0.2.1" (host route), "default". */
static void
prefix_text(const struct trace_rt *tr, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (tr->tr_plen == 0) {
		snprintf(buf, len, "default");
		return;
	}
	addr_text(tr->tr_family, tr->tr_dst, a, sizeof(a));
	if (tr->tr_plen == (tr->tr_family == 6 ? 128 : 32))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%d", a, tr->tr_plen);
}

/* ---- routing changes ------------------------------------------------ */

static void
trace_route_done(struct sdt_probe *p, const uintptr_t args[5], void *arg)
{
	struct trace *t = world_recorder(arg);
	struct host *h = sim_host();
	struct trace_rt tr;
	struct db_route_change rc;
	char dst[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN];

	(void)p;
	if (t == NULL)
		return;
	trace_rt_decode((const void *)args[1], &tr);
	if (tr.tr_family == 0)
		return;
	prefix_text(&tr, dst, sizeof(dst));
	if (tr.tr_hasgw)
		addr_text(tr.tr_family, tr.tr_gw, gw, sizeof(gw));
	memset(&rc, 0, sizeof(rc));
	rc.rc_vtime = sim_now();
	rc.rc_host = h != NULL ? host_name(h) : NULL;
	rc.rc_op = trace_rtm_name((int)args[0]);
	rc.rc_dst = dst;
	rc.rc_gateway = tr.tr_hasgw ? gw : NULL;
	rc.rc_flags = tr.tr_flags;
	rc.rc_policy = trace_policy_name((int)args[2]);
	db_route_change(t->t_run, &rc);
	t->t_rows++;
}

static void
trace_route_used(struct sdt_probe *p, const uintptr_t args[5], void *arg)
{
	struct trace *t = world_recorder(arg);
	struct lwp *l = sim_lwp();
	struct trace_pending *np;
	struct trace_held *th;
	uint8_t ip[64];
	uint64_t key;
	size_t gid, n;

	(void)p;
	if (t == NULL || l == NULL)
		return;
	gid = (size_t)lwp_gid(l);
	if (args[1] == 0) {		/* no route: the packet is not sent */
		if (gid < t->t_npend)
			t->t_pend[gid].tp_valid = false;
		return;
	}
	if (gid >= t->t_npend) {
		n = gid * 2 + 16;
		if ((np = realloc(t->t_pend, n * sizeof(*np))) == NULL)
			return;
		memset(np + t->t_npend, 0, (n - t->t_npend) * sizeof(*np));
		t->t_pend = np;
		t->t_npend = n;
	}
	trace_rt_decode((const void *)args[1], &t->t_pend[gid].tp_rt);
	t->t_pend[gid].tp_valid = t->t_pend[gid].tp_rt.tr_family != 0;
	if (t->t_pend[gid].tp_valid && t->t_held != NULL &&
	    (n = trace_mbuf_copy((const void *)args[2], ip, sizeof(ip))) !=
	    0 && (key = trace_packet_id(sim_host(), ip, n)) != 0) {
		th = &t->t_held[key % TRACE_HELD];
		th->th_key = key;
		th->th_gid = (int)gid;
		th->th_rt = t->t_pend[gid].tp_rt;
	}
}

/* ---- packets -------------------------------------------------------- */

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * A packet's identity on host hp, from its IP header on: the same at
 * route lookup (ip_output, ip_forward) and when its frame leaves, so it
 * excludes what is set or rewritten in between (source address,
 * TTL/hop limit, checksums).  0 if not IP or too short.
 */
static uint64_t
trace_packet_id(struct host *hp, const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *name = hp != NULL ? host_name(hp) : "";
	uint8_t b[32];
	size_t k = 0, hl, i;
	int proto;

	if (n >= 20 && p[0] >> 4 == 4) {
		hl = (size_t)(p[0] & 0xf) * 4;
		proto = p[9];
		memcpy(b, p + 16, 4);		/* destination */
		memcpy(b + 4, p + 2, 4);	/* length, id */
		k = 8;
	} else if (n >= 40 && p[0] >> 4 == 6) {
		hl = 40;
		proto = p[6];
		memcpy(b, p + 24, 16);		/* destination */
		memcpy(b + 16, p + 1, 5);	/* flow label, payload length */
		k = 21;
	} else
		return 0;
	b[k++] = (uint8_t)proto;
	if ((proto == 6 || proto == 17) && n >= hl + 4) {
		memcpy(b + k, p + hl, 4);	/* ports */
		k += 4;
	} else if ((proto == 1 || proto == 58) && n >= hl + 8) {
		memcpy(b + k, p + hl, 2);	/* type, code */
		memcpy(b + k + 2, p + hl + 4, 4);	/* id, seq */
		k += 6;
	}
	for (i = 0; i < k; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	for (; *name != '\0'; name++) {
		h ^= (uint8_t)*name;
		h *= 0x100000001b3ULL;
	}
	return h != 0 ? h : 1;
}

/* ICMP and ICMPv6 message types by name, for filters (nic:packets). */
static const char *
icmp_type_name(int proto, int type)
{
	static const struct {
		int		 it_proto, it_type;
		const char	*it_name;
	} names[] = {
		{ 1, 0, "echo-reply" }, { 1, 3, "unreach" },
		{ 1, 5, "redirect" }, { 1, 8, "echo-request" },
		{ 1, 11, "time-exceeded" },
		{ 58, 1, "unreach" }, { 58, 3, "time-exceeded" },
		{ 58, 128, "echo-request" }, { 58, 129, "echo-reply" },
		{ 58, 133, "router-solicit" }, { 58, 134, "router-advert" },
		{ 58, 135, "neighbor-solicit" }, { 58, 136, "neighbor-advert" },
		{ 58, 137, "redirect" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].it_proto == proto && names[i].it_type == type)
			return names[i].it_name;
	return NULL;
}

static void
l4_summary(struct trace_frame_info *fi, int proto, const uint8_t *p, size_t n,
    int ttl)
{
	char *s = fi->fi_sum;
	size_t len = sizeof(fi->fi_sum);
	int o = snprintf(s, len, "%s > %s ", fi->fi_src, fi->fi_dst);

	if (o < 0 || (size_t)o >= len)
		return;
	s += o;
	len -= (size_t)o;
	if ((proto == 1 || proto == 58) && n >= 8) {
		int type = p[0], req = proto == 1 ? 8 : 128,
		    rep = proto == 1 ? 0 : 129;

		fi->fi_proto = proto == 1 ? "icmp" : "icmp6";
		fi->fi_type = icmp_type_name(proto, type);
		fi->fi_typenum = type;
		if (type == req || type == rep)
			snprintf(s, len, "%s echo %s id=0x%04x seq=%u ttl=%d",
			    proto == 1 ? "ICMP" : "ICMPv6",
			    type == req ? "request" : "reply", be16(p + 4),
			    be16(p + 6), ttl);
		else
			snprintf(s, len, "%s type %d code %d",
			    proto == 1 ? "ICMP" : "ICMPv6", type, p[1]);
	} else if (proto == 17 && n >= 8) {
		fi->fi_proto = "udp";
		snprintf(s, len, "UDP %u > %u len=%u", be16(p), be16(p + 2),
		    be16(p + 4) >= 8 ? be16(p + 4) - 8 : 0);
	} else if (proto == 6 && n >= 20) {
		fi->fi_proto = "tcp";
		snprintf(s, len, "TCP %u > %u flags=0x%02x", be16(p),
		    be16(p + 2), p[13]);
	} else {
		fi->fi_proto = "ip";
		snprintf(s, len, "IP protocol %d", proto);
	}
}

void
trace_frame_decode(const void *frame, size_t n, struct trace_frame_info *fi)
{
	const uint8_t *f = frame, *p = f + 14;
	size_t hl;

	memset(fi, 0, sizeof(*fi));
	fi->fi_proto = "eth";
	fi->fi_typenum = -1;
	if (n < 14) {
		snprintf(fi->fi_sum, sizeof(fi->fi_sum), "short frame (%zu "
		    "bytes)", n);
		return;
	}
	n -= 14;
	switch (be16(f + 12)) {
	case 0x0806:
		fi->fi_proto = "arp";
		if (n < 28)
			break;
		addr_text(4, p + 14, fi->fi_src, sizeof(fi->fi_src));
		addr_text(4, p + 24, fi->fi_dst, sizeof(fi->fi_dst));
		fi->fi_typenum = (int)be16(p + 6);
		fi->fi_type = fi->fi_typenum == 1 ? "request" :
		    fi->fi_typenum == 2 ? "reply" : NULL;
		if (be16(p + 6) == 1)
			snprintf(fi->fi_sum, sizeof(fi->fi_sum),
			    "ARP who-has %s tell %s", fi->fi_dst, fi->fi_src);
		else
			snprintf(fi->fi_sum, sizeof(fi->fi_sum),
			    "ARP %s is-at %02x:%02x:%02x:%02x:%02x:%02x",
			    fi->fi_src, p[8], p[9], p[10], p[11], p[12], p[13]);
		return;
	case 0x0800:
		fi->fi_proto = "ip";
		if (n < 20 || (hl = (size_t)(p[0] & 0xf) * 4) < 20 || hl > n)
			break;
		fi->fi_routed = p[16] < 224;
		addr_text(4, p + 12, fi->fi_src, sizeof(fi->fi_src));
		addr_text(4, p + 16, fi->fi_dst, sizeof(fi->fi_dst));
		l4_summary(fi, p[9], p + hl, n - hl, p[8]);
		return;
	case 0x86dd:
		fi->fi_proto = "ip6";
		if (n < 40)
			break;
		/* ND (ICMPv6 133..137) resolves the next hop on the way */
		fi->fi_routed = p[24] != 0xff && !(p[6] == 58 && n >= 41 &&
		    p[40] >= 133 && p[40] <= 137);
		addr_text(6, p + 8, fi->fi_src, sizeof(fi->fi_src));
		addr_text(6, p + 24, fi->fi_dst, sizeof(fi->fi_dst));
		l4_summary(fi, p[6], p + 40, n - 40, p[7]);
		return;
	default:
		break;
	}
	snprintf(fi->fi_sum, sizeof(fi->fi_sum), "ethertype 0x%04x, %zu "
	    "bytes", be16(f + 12), n + 14);
}

void
trace_frame(struct trace *t, struct host *h, int unit, const void *frame,
    size_t len, uint64_t when, bool outbound)
{
	struct trace_frame_info fi;
	struct db_packet pk;
	struct lwp *l;
	struct trace_pending *tp;
	struct trace_held *th;
	const struct trace_rt *rt = NULL;
	uint64_t key;
	char nic[16], rdst[INET6_ADDRSTRLEN + 8], rgw[INET6_ADDRSTRLEN];

	if (t == NULL || t->t_level < DB_TRACE_PACKETS)
		return;
	trace_frame_decode(frame, len, &fi);
	snprintf(nic, sizeof(nic), "vnic%d", unit);
	memset(&pk, 0, sizeof(pk));
	pk.pk_vtime = when;
	pk.pk_host = host_name(h);
	pk.pk_nic = nic;
	pk.pk_dir = outbound ? DB_PKT_TX : DB_PKT_RX;
	pk.pk_proto = fi.fi_proto;
	pk.pk_src = fi.fi_src[0] != '\0' ? fi.fi_src : NULL;
	pk.pk_dst = fi.fi_dst[0] != '\0' ? fi.fi_dst : NULL;
	pk.pk_len = (uint32_t)len;
	pk.pk_summary = fi.fi_sum;
	pk.pk_bytes = frame;
	pk.pk_nbytes = len;
	if (outbound && fi.fi_routed && t->t_held != NULL && len > 14 &&
	    (key = trace_packet_id(h, (const uint8_t *)frame + 14,
	    len - 14)) != 0 && t->t_held[key % TRACE_HELD].th_key == key) {
		/* its own packet's route; the validating LWP's is used up */
		th = &t->t_held[key % TRACE_HELD];
		th->th_key = 0;
		rt = &th->th_rt;
		if ((size_t)th->th_gid < t->t_npend)
			t->t_pend[th->th_gid].tp_valid = false;
	} else if (outbound && fi.fi_routed && (l = sim_lwp()) != NULL &&
	    (size_t)lwp_gid(l) < t->t_npend &&
	    t->t_pend[lwp_gid(l)].tp_valid) {
		tp = &t->t_pend[lwp_gid(l)];
		tp->tp_valid = false;
		rt = &tp->tp_rt;
	}
	if (rt != NULL) {
		prefix_text(rt, rdst, sizeof(rdst));
		pk.pk_route_dst = rdst;
		if (rt->tr_hasgw) {
			addr_text(rt->tr_family, rt->tr_gw, rgw, sizeof(rgw));
			pk.pk_route_gw = rgw;
		}
	}
	db_packet(t->t_run, &pk);
	t->t_rows++;
}

/* ---- full: CPU lanes ------------------------------------------------ */

static void
trace_ev(struct trace *t, struct lwp *l, uint64_t when, const char *kind,
    const char *object)
{
	struct cpu_info *c = l != NULL ? l->l_cpu : NULL;

	db_event(t->t_run, when, c != NULL ? host_name(c->c_host) : NULL,
	    c != NULL ? c->c_index : -1, l != NULL ? l->l_id : -1, kind,
	    object, NULL);
	t->t_rows++;
}

/*
 * t_last[c_gindex]: what CPU c's lane shows, for recording only real
 * changes: an LWP's gid, T_IDLE, or T_NONE (nothing recorded yet).
 */
#define T_NONE	(-1)
#define T_IDLE	(-2)

static int *
trace_lane(struct trace *t, const struct cpu_info *c)
{
	size_t i = (size_t)c->c_gindex, n;
	int *nl;

	if (i >= t->t_nlast) {
		n = i * 2 + 8;
		if ((nl = realloc(t->t_last, n * sizeof(*nl))) == NULL)
			return NULL;
		while (t->t_nlast < n)
			nl[t->t_nlast++] = T_NONE;
		t->t_last = nl;
	}
	return &t->t_last[i];
}

/*
 * Only real changes: a CPU that resumes the LWP it last ran (after
 * waiting for it, or after an interrupt) continues that LWP's span in
 * the report.  Interrupt LWPs are drawn as their handlers' slices.
 */
void
trace_switch(struct trace *t, struct cpu_info *c, struct lwp *l,
    uint64_t when)
{
	int *last;

	if (t == NULL || t->t_level < DB_TRACE_FULL ||
	    (l->l_flags & LW_INTR) != 0 || (last = trace_lane(t, c)) == NULL ||
	    *last == lwp_gid(l))
		return;
	*last = lwp_gid(l);
	db_event(t->t_run, when, host_name(c->c_host), c->c_index, l->l_id,
	    "switch", l->l_name, NULL);
	t->t_rows++;
}

void
trace_idle(struct trace *t, struct cpu_info *c, uint64_t when)
{
	int *last;

	if (t == NULL || t->t_level < DB_TRACE_FULL ||
	    (last = trace_lane(t, c)) == NULL || *last == T_IDLE)
		return;
	*last = T_IDLE;
	db_event(t->t_run, when, host_name(c->c_host), c->c_index, -1,
	    "idle", NULL, NULL);
	t->t_rows++;
}

void
trace_intr(struct trace *t, struct lwp *l, const char *slot, bool begin)
{
	struct cpu_info *c = l->l_cpu;
	bool hard = (l->l_flags & LW_HARDINTR) != 0;
	char ipl[16];

	if (t == NULL || t->t_level < DB_TRACE_FULL)
		return;
	if (begin)
		snprintf(ipl, sizeof(ipl), "ipl %d", l->l_level);
	db_event(t->t_run, c->c_clock, host_name(c->c_host), c->c_index,
	    l->l_id, hard ? (begin ? "intr_begin" : "intr_end") :
	    (begin ? "softint_begin" : "softint_end"), slot,
	    begin ? ipl : NULL);
	t->t_rows++;
}

static void
trace_lock_acquired(struct lwp *l, const void *lock, int kind, bool shared,
    bool try, const char *name, const char *file, int line)
{
	struct trace *t = trace_synced;

	if (t->t_prev != NULL && t->t_prev->sh_lock_acquired != NULL)
		t->t_prev->sh_lock_acquired(l, lock, kind, shared, try, name,
		    file, line);
	trace_ev(t, l, sim_now(), "lock_acquire", name);
}

static void
trace_lock_released(struct lwp *l, const void *lock, int kind, bool shared)
{
	struct trace *t = trace_synced;

	if (t->t_prev != NULL && t->t_prev->sh_lock_released != NULL)
		t->t_prev->sh_lock_released(l, lock, kind, shared);
	trace_ev(t, l, sim_now(), "lock_release", NULL);
}

#define TRACE_CHAIN(fn, proto, args)					\
static void								\
trace_##fn proto							\
{									\
	const struct sync_hooks *prev = trace_synced->t_prev;		\
									\
	if (prev != NULL && prev->sh_##fn != NULL)			\
		prev->sh_##fn args;					\
}
TRACE_CHAIN(release, (struct lwp *l, const void *o), (l, o))
TRACE_CHAIN(acquire, (struct lwp *l, const void *o), (l, o))
TRACE_CHAIN(lwp_created, (struct lwp *a, struct lwp *b), (a, b))
TRACE_CHAIN(lwp_joined, (struct lwp *a, struct lwp *b), (a, b))
TRACE_CHAIN(mem_alloc, (struct lwp *l, const void *p, size_t n), (l, p, n))
TRACE_CHAIN(mem_free, (struct lwp *l, const void *p, size_t n), (l, p, n))
TRACE_CHAIN(atomic, (struct lwp *l, const void *p, size_t n, unsigned f,
    uintptr_t pc), (l, p, n, f, pc))
TRACE_CHAIN(fence, (struct lwp *l, unsigned f), (l, f))

static const struct sync_hooks trace_hooks = {
	.sh_lock_acquired = trace_lock_acquired,
	.sh_lock_released = trace_lock_released,
	.sh_release = trace_release,
	.sh_acquire = trace_acquire,
	.sh_lwp_created = trace_lwp_created,
	.sh_lwp_joined = trace_lwp_joined,
	.sh_mem_alloc = trace_mem_alloc,
	.sh_mem_free = trace_mem_free,
	.sh_atomic = trace_atomic,
	.sh_fence = trace_fence,
};

/* ---- attach / detach ------------------------------------------------ */

struct trace *
trace_begin(struct world *w, struct db_run *r, enum db_trace_level level)
{
	struct trace *t;

	if (r == NULL || level == DB_TRACE_OFF)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->t_world = w;
	t->t_run = r;
	t->t_level = level;
	t->t_held = calloc(TRACE_HELD, sizeof(*t->t_held));
	/* The hooks find the recorder through the world: they outlive it
	 * (probes fire while the world is torn down). */
	sim_probe_attach(w, "knit:route:rtrequest:done", trace_route_done, w);
	sim_probe_attach(w, "knit:*:*:rtcache_validated", trace_route_used,
	    w);
	if (level >= DB_TRACE_FULL && trace_synced == NULL) {
		t->t_prev = sync_hooks;
		trace_synced = t;
		sync_hooks = &trace_hooks;
	}
	world_set_recorder(w, t);
	return t;
}

void
trace_end(struct trace *t)
{
	if (t == NULL)
		return;
	if (trace_synced == t) {
		sync_hooks = t->t_prev;
		trace_synced = NULL;
	}
	/* The probe hooks stay attached (freed with the world) and find
	 * no recorder from now on. */
	world_set_recorder(t->t_world, NULL);
	free(t->t_pend);
	free(t->t_held);
	free(t->t_last);
	free(t);
}
