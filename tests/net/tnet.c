/*
 * Test helpers for simulated networks (see tnet.h).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tnet.h"
#include "check/checkers.h"
#include "net/if.h"
#include "net/route.h"
#include "sys/mbuf.h"
#include "sys/sysctl.h"
#include "netinet/in_var.h"
#include "netinet/ip_var.h"
#include "netinet/ip_icmp.h"
#include "netinet6/icmp6.h"
#include "netinet6/in6_var.h"

static void
tn_init_world(struct tnet *t, uint64_t seed, const char *strategy)
{
	struct world_config wc;

	memset(t, 0, sizeof(*t));
	memset(&wc, 0, sizeof(wc));
	wc.wc_seed = seed;
	wc.wc_strategy = strategy;
	t->tn_w = world_create(&wc);
	ck_assert_ptr_nonnull(t->tn_w);
	t->tn_n = net_create(t->tn_w);
	ck_assert_ptr_nonnull(t->tn_n);
}

void
tn_init(struct tnet *t, uint64_t seed)
{
	tn_init_world(t, seed, "default");
}

void
tn_init_checked(struct tnet *t, uint64_t seed, const char *strategy)
{
	struct check_config cc = { .cc_lockorder = true };

	tn_init_world(t, seed, strategy);
	check_world_begin(t->tn_w, &cc);
	t->tn_checked = true;
}

struct host *
tn_host(struct tnet *t, const char *name, int ncpu)
{
	struct host *h = world_host_create(t->tn_w, name, ncpu);

	ck_assert_ptr_nonnull(h);
	ck_assert_int_lt(t->tn_nh, TN_MAXHOSTS);
	t->tn_h[t->tn_nh++] = h;
	return h;
}

struct net_nic *
tn_nic(struct tnet *t, struct host *h)
{
	struct net_nic *nic = net_nic_create(t->tn_n, h, NULL, 0, 0);

	ck_assert_ptr_nonnull(nic);
	return nic;
}

struct net_link *
tn_p2p(struct tnet *t, const char *name, struct host *a, struct host *b,
    const struct net_link_params *p)
{
	struct net_link_params d;
	struct net_link *l;
	struct net_nic *na, *nb;

	if (p == NULL) {
		net_link_params_default(&d);
		p = &d;
	}
	/* in this order: NIC numbers (and so MACs) follow creation */
	na = tn_nic(t, a);
	nb = tn_nic(t, b);
	l = net_link_p2p(t->tn_n, name, na, nb, p);
	ck_assert_ptr_nonnull(l);
	return l;
}

void
tn_run(struct tnet *t, uint64_t ns)
{
	enum world_status st;
	size_t i;

	st = world_run(t->tn_w, world_now(t->tn_w) + ns);
	for (i = 0; i < world_nviolations(t->tn_w); i++)
		fprintf(stderr, "violation: %s\n%s\n",
		    world_violation(t->tn_w, i)->v_message,
		    world_violation(t->tn_w, i)->v_stack ?
		    world_violation(t->tn_w, i)->v_stack : "");
	ck_assert_int_ne(st, WORLD_STOPPED);
}

uint64_t
tn_mbufs(struct tnet *t, struct host *h)
{
	uint64_t n;

	(void)t;
	host_enter(h);
	n = mbuf_outstanding();
	host_leave(h);
	return n;
}

void
tn_fini(struct tnet *t)
{
	int i;

	/* let everything in flight land, and the timers run out */
	tn_run(t, 30ULL * 1000000000ULL);
	for (i = 0; i < t->tn_nh; i++)
		ck_assert_msg(tn_mbufs(t, t->tn_h[i]) == 0,
		    "%s: %llu mbufs outstanding", host_name(t->tn_h[i]),
		    (unsigned long long)tn_mbufs(t, t->tn_h[i]));
	if (t->tn_checked)
		check_world_end(t->tn_w);
	ck_assert_uint_eq(world_nviolations(t->tn_w), 0);
	net_destroy(t->tn_n);
	world_destroy(t->tn_w);
}

bool
tn_parse4(const char *s, void *out)
{
	unsigned a, b, c, d;
	uint8_t *p = out;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 ||
	    a > 255 || b > 255 || c > 255 || d > 255)
		return false;
	p[0] = (uint8_t)a;
	p[1] = (uint8_t)b;
	p[2] = (uint8_t)c;
	p[3] = (uint8_t)d;
	return true;
}

/* IPv6 text: groups of hex, one "::" allowed. */
bool
tn_parse6(const char *s, void *out)
{
	uint16_t head[8], tail[8];
	int nh = 0, nt = 0, *n = &nh, i;
	uint16_t *g = head;
	uint8_t *p = out;
	bool gap = false;

	while (*s != '\0') {
		if (s[0] == ':' && s[1] == ':') {
			if (gap)
				return false;
			gap = true;
			g = tail;
			n = &nt;
			s += 2;
			continue;
		}
		if (*s == ':')
			s++;
		if (*n >= 8)
			return false;
		g[(*n)++] = (uint16_t)strtoul(s, (char **)(uintptr_t)&s, 16);
	}
	if (nh + nt > 8 || (!gap && nh != 8))
		return false;
	memset(p, 0, 16);
	for (i = 0; i < nh; i++) {
		p[2 * i] = (uint8_t)(head[i] >> 8);
		p[2 * i + 1] = (uint8_t)head[i];
	}
	for (i = 0; i < nt; i++) {
		p[16 - 2 * (nt - i)] = (uint8_t)(tail[i] >> 8);
		p[16 - 2 * (nt - i) + 1] = (uint8_t)tail[i];
	}
	return true;
}

struct ifnet *
tn_ifp(struct host *h, const char *ifname)
{
	struct ifnet *ifp;

	host_enter(h);
	ifp = ifunit(ifname);
	host_leave(h);
	return ifp;
}

/* "a/len" into address text and prefix length */
static int
split_cidr(const char *cidr, char *addr, size_t sz, int deflen)
{
	const char *slash = strchr(cidr, '/');

	if (slash == NULL) {
		snprintf(addr, sz, "%s", cidr);
		return deflen;
	}
	snprintf(addr, sz, "%.*s", (int)(slash - cidr), cidr);
	return atoi(slash + 1);
}

int
tn_addr(struct host *h, const char *ifname, const char *cidr)
{
	char a[64];
	struct in_addr in, mask;
	struct in6_addr in6;
	struct ifnet *ifp;
	int plen, error;

	host_enter(h);
	ifp = ifunit(ifname);
	ck_assert_ptr_nonnull(ifp);
	if (strchr(cidr, ':') != NULL) {
		plen = split_cidr(cidr, a, sizeof(a), 64);
		ck_assert(tn_parse6(a, &in6));
		error = in6_addaddr(ifp, &in6, plen);
	} else {
		plen = split_cidr(cidr, a, sizeof(a), 24);
		ck_assert(tn_parse4(a, &in));
		mask.s_addr = plen == 0 ? 0 : htonl(0xffffffffU << (32 - plen));
		error = in_addaddr(ifp, in, mask);
	}
	host_leave(h);
	return error;
}

int
tn_deladdr(struct host *h, const char *ifname, const char *addr)
{
	struct in_addr in;
	struct in6_addr in6;
	struct ifnet *ifp;
	int error;

	host_enter(h);
	ifp = ifunit(ifname);
	ck_assert_ptr_nonnull(ifp);
	if (strchr(addr, ':') != NULL) {
		ck_assert(tn_parse6(addr, &in6));
		error = in6_deladdr(ifp, &in6);
	} else {
		ck_assert(tn_parse4(addr, &in));
		error = in_deladdr(ifp, in);
	}
	host_leave(h);
	return error;
}

int
tn_route(struct host *h, int req, const char *dst, const char *gw,
    int extraflags)
{
	struct sockaddr_storage d, g, m;
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;
	char a[64];
	int plen, error, flags = RTF_UP | RTF_STATIC | extraflags;
	bool v6 = strchr(gw, ':') != NULL;

	memset(&d, 0, sizeof(d));
	memset(&g, 0, sizeof(g));
	if (strcmp(dst, "default") == 0) {
		snprintf(a, sizeof(a), "%s", v6 ? "::" : "0.0.0.0");
		plen = 0;
	} else
		plen = split_cidr(dst, a, sizeof(a), v6 ? 128 : 32);
	if (v6) {
		sin6 = (struct sockaddr_in6 *)(void *)&d;
		sin6->sin6_len = sizeof(*sin6);
		sin6->sin6_family = AF_INET6;
		ck_assert(tn_parse6(a, &sin6->sin6_addr));
		sin6 = (struct sockaddr_in6 *)(void *)&g;
		sin6->sin6_len = sizeof(*sin6);
		sin6->sin6_family = AF_INET6;
		ck_assert(tn_parse6(gw, &sin6->sin6_addr));
	} else {
		sin = (struct sockaddr_in *)(void *)&d;
		sin->sin_len = sizeof(*sin);
		sin->sin_family = AF_INET;
		ck_assert(tn_parse4(a, &sin->sin_addr));
		sin = (struct sockaddr_in *)(void *)&g;
		sin->sin_len = sizeof(*sin);
		sin->sin_family = AF_INET;
		ck_assert(tn_parse4(gw, &sin->sin_addr));
	}
	if ((flags & (RTF_REJECT | RTF_BLACKHOLE)) == 0)
		flags |= RTF_GATEWAY;
	if (plen == (v6 ? 128 : 32))
		flags |= RTF_HOST;
	host_enter(h);
	error = rtrequest(req, (struct sockaddr *)(void *)&d,
	    (struct sockaddr *)(void *)&g,
	    (flags & RTF_HOST) ? NULL : rt_plen2mask(v6 ? AF_INET6 : AF_INET,
	    plen, &m), flags, NULL);
	host_leave(h);
	return error;
}

void
tn_forwarding(struct host *h, bool on)
{
	int v = on;

	host_enter(h);
	ck_assert_int_eq(sysctl_byname("net.inet.ip.forwarding", NULL, NULL,
	    &v, sizeof(v)), 0);
	ck_assert_int_eq(sysctl_byname("net.inet6.ip6.forwarding", NULL, NULL,
	    &v, sizeof(v)), 0);
	host_leave(h);
}

int
tn_policy(struct host *h, const char *policy)
{
	char buf[32];
	int error;

	host_enter(h);
	error = sysctl_byname_text("net.route.invalidation", buf, sizeof(buf),
	    policy);
	host_leave(h);
	return error;
}

int
tn_ifflags(struct host *h, const char *ifname, bool up)
{
	struct ifreq ifr;
	int error;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	host_enter(h);
	error = ifioctl(NULL, SIOCGIFFLAGS, &ifr, NULL);
	if (error == 0) {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		error = ifioctl(NULL, SIOCSIFFLAGS, &ifr, NULL);
	}
	host_leave(h);
	return error;
}

int
tn_ping(struct host *h, const char *dst, uint16_t seq, int datalen, int ttl,
    bool df)
{
	struct in_addr in;
	struct in6_addr in6;
	struct ifnet *ifp = NULL;
	char a[64], *pct;
	int error;

	host_enter(h);
	if (strchr(dst, ':') != NULL) {
		snprintf(a, sizeof(a), "%s", dst);
		if ((pct = strchr(a, '%')) != NULL) {
			*pct = '\0';
			ifp = ifunit(pct + 1);
		}
		ck_assert(tn_parse6(a, &in6));
		error = icmp6_echo_send(&in6, ifp, 0x4b4e, seq, datalen, ttl);
	} else {
		ck_assert(tn_parse4(dst, &in));
		error = icmp_echo_send(in, 0x4b4e, seq, datalen, ttl, df);
	}
	host_leave(h);
	return error;
}

uint64_t
tn_icmp_in(struct host *h, int family, int type)
{
	struct icmpstat st;
	struct icmp6stat st6;
	uint64_t n;

	host_enter(h);
	if (family == AF_INET6) {
		icmp6_getstat(&st6);
		n = st6.icp6s_inhist[type];
	} else {
		icmp_getstat(&st);
		n = st.icps_inhist[type];
	}
	host_leave(h);
	return n;
}

uint64_t
tn_echo_replies(struct host *h, int family)
{
	return tn_icmp_in(h, family, family == AF_INET6 ? ICMP6_ECHO_REPLY :
	    ICMP_ECHOREPLY);
}

uint64_t
tn_opackets(struct host *h, const char *ifname)
{
	struct ifnet *ifp = tn_ifp(h, ifname);

	ck_assert_ptr_nonnull(ifp);
	return ifp->if_opackets;
}

void
tn_inject(struct host *h, const char *ifname, const void *frame, size_t len)
{
	struct ifnet *ifp;
	struct mbuf *m;

	host_enter(h);
	ifp = ifunit(ifname);
	ck_assert_ptr_nonnull(ifp);
	m = m_devget(frame, (int)len, ifp);
	if (m != NULL)
		(*ifp->if_input)(ifp, m);
	host_leave(h);
}

void
tn_pr3508(struct tnet *t, const char *policy, struct tn_pr3508 *p)
{
	struct host *s, *r, *n1, *n2, *d;

	s = p->p_s = tn_host(t, "s", 1);
	r = p->p_r = tn_host(t, "r", 2);
	n1 = p->p_n1 = tn_host(t, "n1", 1);
	n2 = p->p_n2 = tn_host(t, "n2", 1);
	d = p->p_d = tn_host(t, "d", 1);
	tn_p2p(t, "s-r", s, r, NULL);
	tn_p2p(t, "r-n1", r, n1, NULL);
	tn_p2p(t, "r-n2", r, n2, NULL);
	tn_p2p(t, "n1-d", n1, d, NULL);
	tn_p2p(t, "n2-d", n2, d, NULL);
	tn_run(t, 1000000);
	ck_assert_int_eq(tn_addr(s, "vnic0", "10.0.1.1/24"), 0);
	ck_assert_int_eq(tn_addr(r, "vnic0", "10.0.1.2/24"), 0);
	ck_assert_int_eq(tn_addr(r, "vnic1", "10.0.2.1/24"), 0);
	ck_assert_int_eq(tn_addr(r, "vnic2", "10.0.3.1/24"), 0);
	ck_assert_int_eq(tn_addr(n1, "vnic0", "10.0.2.2/24"), 0);
	ck_assert_int_eq(tn_addr(n1, "vnic1", "10.0.4.1/24"), 0);
	ck_assert_int_eq(tn_addr(n2, "vnic0", "10.0.3.2/24"), 0);
	ck_assert_int_eq(tn_addr(n2, "vnic1", "10.0.5.1/24"), 0);
	ck_assert_int_eq(tn_addr(d, "vnic0", "10.0.4.2/24"), 0);
	ck_assert_int_eq(tn_addr(d, "vnic1", "10.0.5.2/24"), 0);
	ck_assert_int_eq(tn_addr(d, "lo0", "10.9.0.1/32"), 0);
	/* The policy first: route changes are recorded with it. */
	ck_assert_int_eq(tn_policy(r, policy), 0);
	ck_assert_int_eq(tn_route(s, RTM_ADD, "default", "10.0.1.2", 0), 0);
	ck_assert_int_eq(tn_route(r, RTM_ADD, "10.9.0.0/16", "10.0.2.2", 0), 0);
	ck_assert_int_eq(tn_route(n1, RTM_ADD, "10.9.0.0/16", "10.0.4.2", 0),
	    0);
	ck_assert_int_eq(tn_route(n2, RTM_ADD, "10.9.0.0/16", "10.0.5.2", 0),
	    0);
	tn_forwarding(r, true);
	tn_forwarding(n1, true);
	tn_forwarding(n2, true);
}

uint64_t
tn_forwarded4(struct host *h)
{
	struct ipstat st;

	host_enter(h);
	ip_getstat(&st);
	host_leave(h);
	return st.ips_forward;
}

void
tn_pair(struct tnet *t, struct host **a, struct host **b, bool v6)
{
	*a = tn_host(t, "a", 1);
	*b = tn_host(t, "b", 1);
	tn_p2p(t, "ab", *a, *b, NULL);
	tn_run(t, 1000000);
	ck_assert_int_eq(tn_addr(*a, "vnic0", "10.0.0.1/24"), 0);
	ck_assert_int_eq(tn_addr(*b, "vnic0", "10.0.0.2/24"), 0);
	if (!v6)
		return;
	ck_assert_int_eq(tn_addr(*a, "vnic0", "2001:db8::1/64"), 0);
	ck_assert_int_eq(tn_addr(*b, "vnic0", "2001:db8::2/64"), 0);
}

void
tn_chain3(struct tnet *t, struct host **hp,
    const struct net_link_params *p1, unsigned mtu2)
{
	struct net_link_params p;

	net_link_params_default(&p);
	p.nlp_mtu = mtu2;
	hp[0] = tn_host(t, "a", 1);
	hp[1] = tn_host(t, "r1", 1);
	hp[2] = tn_host(t, "r2", 1);
	hp[3] = tn_host(t, "b", 1);
	tn_p2p(t, "l1", hp[0], hp[1], p1);
	tn_p2p(t, "l2", hp[1], hp[2], &p);
	tn_p2p(t, "l3", hp[2], hp[3], NULL);
	tn_run(t, 1000000);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(tn_addr(hp[i], "lo0", "127.0.0.1/8"), 0);
	ck_assert_int_eq(tn_addr(hp[0], "vnic0", "10.0.1.1/24"), 0);
	ck_assert_int_eq(tn_addr(hp[1], "vnic0", "10.0.1.2/24"), 0);
	ck_assert_int_eq(tn_addr(hp[1], "vnic1", "10.0.2.1/24"), 0);
	ck_assert_int_eq(tn_addr(hp[2], "vnic0", "10.0.2.2/24"), 0);
	ck_assert_int_eq(tn_addr(hp[2], "vnic1", "10.0.3.1/24"), 0);
	ck_assert_int_eq(tn_addr(hp[3], "vnic0", "10.0.3.2/24"), 0);
	ck_assert_int_eq(tn_addr(hp[0], "vnic0", "2001:db8:1::1/64"), 0);
	ck_assert_int_eq(tn_addr(hp[1], "vnic0", "2001:db8:1::2/64"), 0);
	ck_assert_int_eq(tn_addr(hp[1], "vnic1", "2001:db8:2::1/64"), 0);
	ck_assert_int_eq(tn_addr(hp[2], "vnic0", "2001:db8:2::2/64"), 0);
	ck_assert_int_eq(tn_addr(hp[2], "vnic1", "2001:db8:3::1/64"), 0);
	ck_assert_int_eq(tn_addr(hp[3], "vnic0", "2001:db8:3::2/64"), 0);
	ck_assert_int_eq(tn_route(hp[0], RTM_ADD, "default", "10.0.1.2", 0), 0);
	ck_assert_int_eq(tn_route(hp[1], RTM_ADD, "default", "10.0.2.2", 0), 0);
	ck_assert_int_eq(tn_route(hp[2], RTM_ADD, "default", "10.0.2.1", 0), 0);
	ck_assert_int_eq(tn_route(hp[3], RTM_ADD, "default", "10.0.3.1", 0), 0);
	ck_assert_int_eq(tn_route(hp[0], RTM_ADD, "default", "2001:db8:1::2",
	    0), 0);
	ck_assert_int_eq(tn_route(hp[1], RTM_ADD, "2001:db8:3::/64",
	    "2001:db8:2::2", 0), 0);
	ck_assert_int_eq(tn_route(hp[2], RTM_ADD, "2001:db8:1::/64",
	    "2001:db8:2::1", 0), 0);
	ck_assert_int_eq(tn_route(hp[3], RTM_ADD, "default", "2001:db8:3::1",
	    0), 0);
	tn_forwarding(hp[1], true);
	tn_forwarding(hp[2], true);
}

int
tn_tshark(const char *path, const char *args, int nfields,
    void (*fn)(void *, char **), void *arg)
{
	char cmd[768], line[512], *f[TN_TSHARK_MAXFIELDS], *p;
	int i, lines = 0;
	FILE *fp;

	ck_assert_int_le(nfields, TN_TSHARK_MAXFIELDS);
	ck_assert_msg(system("command -v tshark >/dev/null 2>&1") == 0,
	    "tshark is not installed (tools/setup installs it)");
	snprintf(cmd, sizeof(cmd), "tshark -r %s %s -T fields -E separator=, "
	    "2>/dev/null", path, args);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		for (p = line, i = 0; i < nfields; i++) {
			f[i] = p;
			p = strchr(p, ',');
			if (p != NULL)
				*p++ = '\0';
			else
				p = f[i] + strlen(f[i]);
		}
		(*fn)(arg, f);
		lines++;
	}
	ck_assert_int_eq(pclose(fp), 0);
	return lines;
}
