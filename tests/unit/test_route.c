/*
 * The routing core on the pthreads platform, one thread: sysctl registry,
 * domains and sockaddr pools, the routing table (requests, errors,
 * longest-prefix match against a brute-force model), allocation failure
 * at every site.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "kapi_pthreads.h"
#include "sys/sysctl.h"
#include "route_test.h"

static void
setup(void)
{
	kapi_pthreads_boot(2);
}

static void
teardown(void)
{
	kapi_pthreads_shutdown();
}

static int
knob(const char *name)
{
	char buf[64];

	ck_assert_int_eq(sysctl_byname_text(name, buf, sizeof(buf), NULL), 0);
	return atoi(buf);
}

static void
setknob(const char *name, const char *v)
{
	char buf[64];

	ck_assert_int_eq(sysctl_byname_text(name, buf, sizeof(buf), v), 0);
}

static unsigned
rt_pools_out(void)
{
	return (unsigned)(knob("net.route.pool.rtentry.inuse") +
	    knob("net.route.pool.rtnode.inuse"));
}

/* Every sockaddr, rtentry and trie node has gone back to its pool. */
static void
assert_nothing_out(void)
{
	ck_assert_uint_eq(rtt_sockaddrs_out(), 0);
	ck_assert_uint_eq(rt_pools_out(), 0);
}

/* ---- sysctl ---- */

VNET_DEFINE_STATIC(int, test_knob) = 5;
#define V_test_knob	VNET(test_knob)
SYSCTL_VNET_INT(test_knob, "test.route.knob", test_knob, 1, 10,
    "a per-host test knob in [1, 10]");
static int test_ro_value = 3;
SYSCTL_OID(test_ro, "test.route.ro", CTLTYPE_INT, CTLFLAG_READONLY,
    &test_ro_value, 0, 0, NULL, "read-only");
static char test_str[8] = "abc";
SYSCTL_OID(test_str, "test.route.str", CTLTYPE_STRING, CTLFLAG_READWRITE,
    test_str, 0, sizeof(test_str), NULL, "a string of 8 bytes");
static int64_t test_quad = -5;
SYSCTL_OID(test_quad, "test.route.quad", CTLTYPE_QUAD, CTLFLAG_READWRITE,
    &test_quad, 0, 0, NULL, "a quad");

START_TEST(test_sysctl_typed)
{
	int v = 0, nv;
	size_t len = sizeof(v);

	ck_assert_int_eq(sysctl_byname("test.route.knob", &v, &len, NULL, 0),
	    0);
	ck_assert_int_eq(v, 5);
	ck_assert_uint_eq(len, sizeof(int));
	nv = 7;
	ck_assert_int_eq(sysctl_byname("test.route.knob", NULL, NULL, &nv,
	    sizeof(nv)), 0);
	/* CTLFLAG_VNET: the host's copy changed, the master did not. */
	ck_assert_int_eq(V_test_knob, 7);
	ck_assert_int_eq(VNET_NAME(test_knob), 5);
	nv = 11;
	ck_assert_int_eq(sysctl_byname("test.route.knob", NULL, NULL, &nv,
	    sizeof(nv)), EINVAL);
	nv = 0;
	ck_assert_int_eq(sysctl_byname("test.route.knob", NULL, NULL, &nv,
	    sizeof(nv)), EINVAL);
	ck_assert_int_eq(sysctl_byname("test.route.knob", NULL, NULL, &nv, 2),
	    EINVAL);
	ck_assert_int_eq(V_test_knob, 7);
	/* Short buffer: ENOMEM and the needed length. */
	len = 2;
	ck_assert_int_eq(sysctl_byname("test.route.knob", &v, &len, NULL, 0),
	    ENOMEM);
	ck_assert_uint_eq(len, sizeof(int));
	/* Size query. */
	len = 0;
	ck_assert_int_eq(sysctl_byname("test.route.knob", NULL, &len, NULL, 0),
	    0);
	ck_assert_uint_eq(len, sizeof(int));
	nv = 4;
	ck_assert_int_eq(sysctl_byname("test.route.ro", NULL, NULL, &nv,
	    sizeof(nv)), EPERM);
	ck_assert_int_eq(test_ro_value, 3);
	ck_assert_int_eq(sysctl_byname("test.route.nope", &v, &len, NULL, 0),
	    ENOENT);
	ck_assert_int_eq(sysctl_byname(NULL, &v, &len, NULL, 0), ENOENT);
}
END_TEST

START_TEST(test_sysctl_text)
{
	char buf[32];

	ck_assert_int_eq(sysctl_byname_text("test.route.knob", buf,
	    sizeof(buf), "9"), 0);
	ck_assert_str_eq(buf, "9");
	ck_assert_int_eq(sysctl_byname_text("test.route.knob", buf,
	    sizeof(buf), "12"), EINVAL);
	ck_assert_int_eq(sysctl_byname_text("test.route.knob", buf,
	    sizeof(buf), "3x"), EINVAL);
	ck_assert_int_eq(sysctl_byname_text("test.route.knob", buf,
	    sizeof(buf), ""), EINVAL);
	ck_assert_int_eq(sysctl_byname_text("test.route.knob", buf,
	    sizeof(buf), "99999999999"), EINVAL);
	ck_assert_int_eq(V_test_knob, 9);
	ck_assert_int_eq(sysctl_byname_text("test.route.ro", buf, sizeof(buf),
	    "1"), EPERM);
	ck_assert_int_eq(sysctl_byname_text("test.route.ro", buf, sizeof(buf),
	    NULL), 0);
	ck_assert_str_eq(buf, "3");
	ck_assert_int_eq(sysctl_byname_text("test.route.str", buf, sizeof(buf),
	    "xyz"), 0);
	ck_assert_str_eq(buf, "xyz");
	ck_assert_str_eq(test_str, "xyz");
	ck_assert_int_eq(sysctl_byname_text("test.route.str", buf, sizeof(buf),
	    "too long for it"), EINVAL);
	ck_assert_str_eq(test_str, "xyz");
	ck_assert_int_eq(sysctl_byname_text("test.route.quad", buf,
	    sizeof(buf), NULL), 0);
	ck_assert_str_eq(buf, "-5");
	ck_assert_int_eq(sysctl_byname_text("test.route.quad", buf,
	    sizeof(buf), "1099511627776"), 0);
	ck_assert_int_eq(test_quad, 1099511627776LL);
	ck_assert_int_eq(sysctl_byname_text("test.route.knob", buf, 1, NULL),
	    ENOMEM);
	ck_assert_int_eq(sysctl_byname_text("no.such", buf, sizeof(buf),
	    NULL), ENOENT);
}
END_TEST

START_TEST(test_sysctl_order)
{
	const struct sysctl_oid *o, *prev = NULL;
	int n = 0, seen = 0;

	for (o = sysctl_next(NULL); o != NULL; o = sysctl_next(o)) {
		if (prev != NULL) {
			/* Component order: '.' sorts below everything. */
			ck_assert_msg(strcmp(prev->oid_name, o->oid_name) != 0,
			    "duplicate %s", o->oid_name);
		}
		if (strcmp(o->oid_name, "kern.sockaddr.pool.inet.limit") == 0)
			seen |= 1;
		if (strcmp(o->oid_name, "kern.sockaddr.pool.inet6.limit") == 0) {
			ck_assert_int_eq(seen & 1, 1);	/* inet < inet6 */
			seen |= 2;
		}
		if (strcmp(o->oid_name, "net.route.invalidation") == 0)
			seen |= 4;
		prev = o;
		n++;
	}
	ck_assert_int_eq(seen, 7);
	ck_assert_int_ge(n, 15);
}
END_TEST

START_TEST(test_sysctl_policy_knob)
{
	char buf[32];

	ck_assert_int_eq(sysctl_byname_text("net.route.invalidation", buf,
	    sizeof(buf), NULL), 0);
	ck_assert_str_eq(buf, "list");
	ck_assert_int_eq(sysctl_byname_text("net.route.invalidation", buf,
	    sizeof(buf), "generation"), 0);
	ck_assert_int_eq(rtcache_getpolicy(), RTCACHE_POLICY_GENERATION);
	ck_assert_int_eq(sysctl_byname_text("net.route.invalidation", buf,
	    sizeof(buf), "none"), 0);
	ck_assert_int_eq(rtcache_getpolicy(), RTCACHE_POLICY_NONE);
	ck_assert_int_eq(sysctl_byname_text("net.route.invalidation", buf,
	    sizeof(buf), "sometimes"), EINVAL);
	ck_assert_int_eq(rtcache_getpolicy(), RTCACHE_POLICY_NONE);
	ck_assert_int_eq(rtcache_setpolicy(7), EINVAL);
	ck_assert_int_eq(sysctl_byname_text("net.route.invalidation", buf,
	    sizeof(buf), NULL), 0);
	ck_assert_str_eq(buf, "none");
}
END_TEST

/* ---- domains and sockaddrs ---- */

START_TEST(test_domains)
{
	struct domain *dom;
	int n = 0, last = -1;

	DOMAIN_FOREACH(dom) {
		ck_assert_int_gt(dom->dom_family, last);
		ck_assert_ptr_eq(pffinddomain(dom->dom_family), dom);
		last = dom->dom_family;
		n++;
	}
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(pffinddomain(AF_INET)->dom_sa_cmplen, 4);
	ck_assert_int_eq(pffinddomain(AF_INET6)->dom_sa_cmpofs,
	    (int)offsetof(struct sockaddr_in6, sin6_addr));
	ck_assert_ptr_null(pffinddomain(AF_APPLETALK));
	ck_assert_ptr_null(pffinddomain(-1));
	ck_assert_ptr_null(pffinddomain(AF_MAX));
	ck_assert_int_eq(sockaddr_any_by_family(AF_INET)->sa_len,
	    sizeof(struct sockaddr_in));
	ck_assert_ptr_null(sockaddr_any_by_family(AF_LOCAL));
	ck_assert(LIST_EMPTY(DOM_RTCACHE(&inetdomain)));
}
END_TEST

START_TEST(test_sockaddr_alloc)
{
	static const struct { int af; size_t len; } f[] = {
		{ AF_INET, sizeof(struct sockaddr_in) },
		{ AF_INET6, sizeof(struct sockaddr_in6) },
		{ AF_LINK, sizeof(struct sockaddr_dl) },
		{ AF_ISO, sizeof(struct sockaddr_iso) },
		{ AF_LOCAL, 106 },
	};
	struct sockaddr *sa, *sb;
	size_t i;

	for (i = 0; i < __arraycount(f); i++) {
		sa = sockaddr_alloc((sa_family_t)f[i].af, PR_NOWAIT);
		ck_assert_ptr_nonnull(sa);
		ck_assert_int_eq(sa->sa_family, f[i].af);
		ck_assert_uint_eq(sa->sa_len, f[i].len);
		ck_assert_uint_eq(sockaddr_pool(f[i].af)->pr_nout, 1);
		sa->sa_data[3] = 42;
		sb = sockaddr_dup(sa, PR_WAITOK);
		ck_assert_ptr_nonnull(sb);
		ck_assert_int_eq(memcmp(sa, sb, sa->sa_len), 0);
		ck_assert_int_eq(sockaddr_cmp(sa, sb), 0);
		sb->sa_data[3] = 0;
		ck_assert_ptr_eq(sockaddr_copy(sb, sa), sb);
		ck_assert_int_eq(sb->sa_data[3], 42);
		sockaddr_free(sa);
		sockaddr_free(sb);
		ck_assert_uint_eq(sockaddr_pool(f[i].af)->pr_nout, 0);
	}
	ck_assert_ptr_null(sockaddr_alloc(AF_ROUTE, PR_NOWAIT));
	ck_assert_ptr_null(sockaddr_alloc(AF_APPLETALK, PR_NOWAIT));
	ck_assert_ptr_null(sockaddr_pool(AF_ROUTE));
	ck_assert_int_eq(sockaddr_pool_setlimit(AF_ROUTE, 1), EAFNOSUPPORT);
}
END_TEST

START_TEST(test_sockaddr_copy_mismatch)
{
	struct sockaddr_in sin = rtt_sin("10.0.0.1", 0);
	struct sockaddr *sa = sockaddr_alloc(AF_INET6, PR_NOWAIT);

	/* KASSERT: families must be alike; the platform aborts. */
	sockaddr_copy(sa, SA(&sin));
}
END_TEST

START_TEST(test_sockaddr_cmp)
{
	struct sockaddr_in a = rtt_sin("10.0.0.1", 80);
	struct sockaddr_in b = rtt_sin("10.0.0.1", 8080);
	struct sockaddr_in c = rtt_sin("10.0.0.2", 80);
	struct sockaddr_in6 a6 = rtt_sin6_words(0x20010db8ULL << 32, 1, 1);
	struct sockaddr_in6 b6 = rtt_sin6_words(0x20010db8ULL << 32, 1, 2);
	struct sockaddr_in6 c6 = rtt_sin6_words(0x20010db8ULL << 32, 2, 1);
	struct sockaddr_dl d1, d2;
	struct sockaddr_iso i1, i2;
	struct iso_addr ia = { 3, { 1, 2, 3 } }, ib = { 4, { 1, 2, 3, 0 } };
	static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t mac2[6] = { 2, 0, 0, 0, 0, 2 };

	/* AF_INET: only sin_addr; ports and sin_zero do not matter. */
	ck_assert_int_eq(sockaddr_cmp(SA(&a), SA(&b)), 0);
	b.sin_zero[3] = 9;
	ck_assert_int_eq(sockaddr_cmp(SA(&a), SA(&b)), 0);
	ck_assert_int_lt(sockaddr_cmp(SA(&a), SA(&c)), 0);
	ck_assert_int_gt(sockaddr_cmp(SA(&c), SA(&a)), 0);
	/* AF_INET6: only sin6_addr; port, flowinfo, scope ignored. */
	b6.sin6_flowinfo = 7;
	b6.sin6_scope_id = 3;
	ck_assert_int_eq(sockaddr_cmp(SA(&a6), SA(&b6)), 0);
	ck_assert_int_lt(sockaddr_cmp(SA(&a6), SA(&c6)), 0);
	/* Different families: by family. */
	ck_assert_int_lt(sockaddr_cmp(SA(&a), SA(&a6)), 0);
	ck_assert_int_gt(sockaddr_cmp(SA(&a6), SA(&a)), 0);
	/* AF_LINK: index, then name, then address. */
	ck_assert_ptr_nonnull(sockaddr_dl_init(&d1, sizeof(d1), 2, IFT_ETHER,
	    "vnic0", 5, mac1, 6));
	/* 8 + 11 bytes fit in the 20-byte minimum. */
	ck_assert_uint_eq(d1.sdl_len, sizeof(d1));
	ck_assert_ptr_nonnull(sockaddr_dl_init(&d2, sizeof(d2), 2, IFT_ETHER,
	    "vnic0", 5, mac2, 6));
	ck_assert_int_lt(sockaddr_cmp(SA(&d1), SA(&d2)), 0);
	d2.sdl_index = 1;
	ck_assert_int_gt(sockaddr_cmp(SA(&d1), SA(&d2)), 0);
	ck_assert_int_eq(memcmp(CLLADDR(&d1), mac1, 6), 0);
	/* Too long for the storage: refused. */
	ck_assert_ptr_null(sockaddr_dl_init(&d1, sizeof(d1), 2, IFT_ETHER,
	    "averylongname0", 14, mac1, 6));
	/* AF_ISO: the NSAP, shorter is lesser. */
	sockaddr_iso_init(&i1, &ia);
	sockaddr_iso_init(&i2, &ib);
	ck_assert_uint_eq(i1.siso_len, sizeof(i1));
	ck_assert_int_lt(sockaddr_cmp(SA(&i1), SA(&i2)), 0);
	i2.siso_addr.isoa_len = 3;
	ck_assert_int_eq(sockaddr_cmp(SA(&i1), SA(&i2)), 0);
}
END_TEST

START_TEST(test_sockaddr_format)
{
	char buf[64];
	struct sockaddr_in a = rtt_sin("192.168.1.20", 0);
	struct sockaddr_in6 b = rtt_sin6_words(0x20010db800000000ULL, 1, 0);
	struct sockaddr_in6 c = rtt_sin6_words(0, 0, 0);
	struct sockaddr_dl d;

	sockaddr_format(SA(&a), buf, sizeof(buf));
	ck_assert_str_eq(buf, "192.168.1.20");
	sockaddr_format(SA(&b), buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::1");
	sockaddr_format(SA(&c), buf, sizeof(buf));
	ck_assert_str_eq(buf, "::");
	b.sin6_scope_id = 2;
	sockaddr_format(SA(&b), buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::1%2");
	sockaddr_dl_init(&d, sizeof(d), 3, IFT_ETHER, NULL, 0, NULL, 0);
	sockaddr_format(SA(&d), buf, sizeof(buf));
	ck_assert_str_eq(buf, "link#3");
}
END_TEST

START_TEST(test_sockaddr_helpers)
{
	struct in_addr a = rtt_inaddr("10.0.0.7");
	struct in6_addr a6 = IN6ADDR_LOOPBACK_INIT;
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 9 };
	struct sockaddr *sa;
	const void *p;
	socklen_t len;
	char buf[32];

	sa = sockaddr_in_alloc(&a, htons(53), PR_NOWAIT);
	ck_assert_int_eq(sa->sa_len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(satocsin(sa)->sin_port, htons(53));
	p = sockaddr_const_addr(sa, &len);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(memcmp(p, &a, 4), 0);
	ck_assert_ptr_eq(sockaddr_any(sa), sockaddr_any_by_family(AF_INET));
	ck_assert_int_eq(satocsin(sockaddr_any(sa))->sin_addr.s_addr,
	    INADDR_ANY);
	sockaddr_free(sa);
	sa = sockaddr_in6_alloc(&a6, htons(80), 5, 2, PR_NOWAIT);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&satocsin6(sa)->sin6_addr));
	ck_assert_uint_eq(satocsin6(sa)->sin6_scope_id, 2);
	ck_assert_uint_eq(satocsin6(sa)->sin6_flowinfo, 5);
	sockaddr_format(sa, buf, sizeof(buf));
	ck_assert_str_eq(buf, "::1%2");
	sockaddr_free(sa);
	sa = sockaddr_dl_alloc(4, IFT_ETHER, "vnic3", 5, mac, 6, PR_NOWAIT);
	ck_assert_int_eq(satocsdl(sa)->sdl_index, 4);
	ck_assert_int_eq(memcmp(CLLADDR(satocsdl(sa)), mac, 6), 0);
	sockaddr_format(sa, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vnic3");
	sockaddr_free(sa);
	/* A name and address that cannot fit in the pool item: NULL. */
	ck_assert_ptr_null(sockaddr_dl_alloc(4, IFT_ETHER,
	    "a-name-far-too-long-for-any-interface-0123456789-0123456789", 56,
	    mac, 6,
	    PR_NOWAIT));
	ck_assert_uint_eq(rtt_sockaddrs_out(), 0);
	ck_assert(IN6_IS_ADDR_LINKLOCAL(&((struct in6_addr){ { { 0xfe, 0x80 } } })));
	ck_assert(IN6_IS_ADDR_UNSPECIFIED(&((struct in6_addr)IN6ADDR_ANY_INIT)));
	ck_assert_uint_eq(ntohs(htons(0x1234)), 0x1234);
	ck_assert_uint_eq(htonl(0x01020304), __BYTE_ORDER__ ==
	    __ORDER_LITTLE_ENDIAN__ ? 0x04030201u : 0x01020304u);
}
END_TEST

START_TEST(test_sockaddr_pool_limit)
{
	struct sockaddr *a, *b, *c;

	ck_assert_int_eq(knob("kern.sockaddr.pool.inet.limit"), 0);
	setknob("kern.sockaddr.pool.inet.limit", "2");
	ck_assert_uint_eq(sockaddr_pool(AF_INET)->pr_hardlimit, 2);
	a = sockaddr_alloc(AF_INET, PR_NOWAIT);
	b = sockaddr_alloc(AF_INET, PR_NOWAIT);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(knob("kern.sockaddr.pool.inet.inuse"), 2);
	ck_assert_ptr_null(sockaddr_alloc(AF_INET, PR_NOWAIT));
	ck_assert_ptr_null(sockaddr_dup(a, PR_NOWAIT));
	/* Other families are not affected. */
	c = sockaddr_alloc(AF_INET6, PR_NOWAIT);
	ck_assert_ptr_nonnull(c);
	sockaddr_free(c);
	sockaddr_free(a);
	a = sockaddr_alloc(AF_INET, PR_NOWAIT);
	ck_assert_ptr_nonnull(a);
	sockaddr_free(a);
	sockaddr_free(b);
	ck_assert_int_eq(knob("kern.sockaddr.pool.inet.inuse"), 0);
	ck_assert_int_eq(sysctl_byname_text("kern.sockaddr.pool.inet.limit",
	    (char[8]){ 0 }, 8, "-1"), EINVAL);
	ck_assert_int_eq(sysctl_byname_text("kern.sockaddr.pool.inet.inuse",
	    (char[8]){ 0 }, 8, "1"), EPERM);
}
END_TEST

/* ---- routing table ---- */

START_TEST(test_rtrequest_basic)
{
	struct sockaddr_in dst = rtt_sin("10.1.0.0", 0);
	struct sockaddr_in gw = rtt_sin("192.168.0.1", 0);
	struct sockaddr_in host = rtt_sin("10.1.2.3", 99);
	struct rtentry *rt, *rt2;
	char buf[32];

	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&dst), 16, SA(&gw),
	    RTF_GATEWAY | RTF_STATIC, &rt), 0);
	ck_assert_int_eq(rt->rt_flags, RTF_UP | RTF_GATEWAY | RTF_STATIC);
	ck_assert_int_eq(rt->rt_plen, 16);
	ck_assert_ptr_eq(rt->rt_ifp, &rtt_ifp);
	ck_assert_ptr_eq(rt->rt_ifa, &rtt_ifa);
	ck_assert_int_eq(sockaddr_cmp(rt->rt_gateway, SA(&gw)), 0);
	ck_assert_ptr_nonnull(rt_mask(rt));
	ck_assert_int_eq(rt_mask2plen(AF_INET, rt_mask(rt)), 16);
	ck_assert_uint_eq(rt_refs(rt), 1);		/* ours */
	sockaddr_format(rt_getkey(rt), buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.1.0.0");
	rtfree(rt);
	ck_assert_int_eq(rt_count(AF_INET), 1);

	rt2 = rtalloc1(SA(&host), 1);
	ck_assert_ptr_eq(rt2, rt);
	ck_assert_uint_eq(rt_refs(rt), 1);
	rtfree(rt2);
	/* RTM_GET: exact key and mask. */
	ck_assert_int_eq(rtt_req(RTM_GET, SA(&dst), 16, NULL, 0, &rt2), 0);
	ck_assert_ptr_eq(rt2, rt);
	rtfree(rt2);
	ck_assert_int_eq(rtt_req(RTM_GET, SA(&dst), 8, NULL, 0, &rt2), ESRCH);
	ck_assert_int_eq(rtt_req(RTM_GET, SA(&host), 16, NULL, 0, NULL), 0);
	ck_assert_int_eq(rtt_req(RTM_GET, SA(&host), -1, NULL, RTF_HOST,
	    NULL), ESRCH);
	/* Duplicate add. */
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&dst), 16, SA(&gw), RTF_GATEWAY,
	    NULL), EEXIST);
	/* A key with host bits is masked: 10.1.2.3/16 is 10.1.0.0/16. */
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&host), 16, SA(&gw), RTF_GATEWAY,
	    NULL), EEXIST);
	/* Delete: the table's reference goes to the caller. */
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&host), 16, NULL, 0, &rt2), 0);
	ck_assert_ptr_eq(rt2, rt);
	ck_assert_int_eq(rt->rt_flags & RTF_UP, 0);
	ck_assert_int_eq(knob("net.route.stats.trash"), 1);
	ck_assert_ptr_null(rtalloc1(SA(&host), 1));
	ck_assert_int_eq(knob("net.route.stats.unreach"), 1);
	rtfree(rt2);
	ck_assert_int_eq(knob("net.route.stats.trash"), 0);
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&dst), 16, NULL, 0, NULL),
	    ESRCH);
	ck_assert_int_eq(rt_count(AF_INET), 0);
	assert_nothing_out();
}
END_TEST

START_TEST(test_rtrequest_errors)
{
	struct sockaddr_in dst = rtt_sin("10.0.0.0", 0);
	struct sockaddr_in gw = rtt_sin("10.0.0.1", 0);
	struct sockaddr_in badmask = rtt_sin("255.0.255.0", 0);
	struct sockaddr_dl sdl;
	struct rt_addrinfo info;

	/* No table for the family. */
	sockaddr_dl_init(&sdl, sizeof(sdl), 1, IFT_ETHER, NULL, 0, NULL, 0);
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&sdl), -1, SA(&gw), 0, NULL),
	    ESRCH);
	ck_assert_int_eq(rtt_req(RTM_GET, SA(&sdl), -1, NULL, 0, NULL), ESRCH);
	ck_assert_ptr_null(rtalloc1(SA(&sdl), 0));
	/* No destination, no gateway, bad mask, bad request. */
	ck_assert_int_eq(rtt_req(RTM_ADD, NULL, -1, SA(&gw), 0, NULL), EINVAL);
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&dst), 8, NULL, 0, NULL), EINVAL);
	memset(&info, 0, sizeof(info));
	info.info_dst = SA(&dst);
	info.info_gateway = SA(&gw);
	info.info_netmask = SA(&badmask);
	info.rti_ifa = &rtt_ifa;
	ck_assert_int_eq(rtrequest1(RTM_ADD, &info, NULL), EINVAL);
	ck_assert_int_eq(rtt_req(99, SA(&dst), 8, SA(&gw), 0, NULL), EINVAL);
	/* No interface address can be found: ENETUNREACH. */
	ck_assert_int_eq(rtrequest(RTM_ADD, SA(&dst), SA(&gw), NULL,
	    RTF_HOST, NULL), ENETUNREACH);
	/* Change/delete of what is not there. */
	ck_assert_int_eq(rtt_req(RTM_CHANGE, SA(&dst), 8, SA(&gw), 0, NULL),
	    ESRCH);
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&dst), 8, NULL, 0, NULL),
	    ESRCH);
	ck_assert_int_eq(rt_count(AF_INET), 0);
	assert_nothing_out();
}
END_TEST

START_TEST(test_rtrequest_change)
{
	struct sockaddr_in dst = rtt_sin("0.0.0.0", 0);
	struct sockaddr_in gw1 = rtt_sin("10.0.0.1", 0);
	struct sockaddr_in gw2 = rtt_sin("10.0.0.2", 0);
	struct sockaddr_in any = rtt_sin("8.8.8.8", 0);
	struct rt_addrinfo info;
	struct rtentry *old, *rt;

	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&dst), 0, SA(&gw1),
	    RTF_GATEWAY | RTF_STATIC, &old), 0);
	old->rt_use = 5;
	memset(&info, 0, sizeof(info));
	info.info_dst = SA(&dst);
	info.info_gateway = SA(&gw2);
	info.info_netmask = NULL;
	info.rti_flags = RTF_GATEWAY | RTF_REJECT;
	info.rti_ifa = &rtt_ifa;
	info.rti_inits = RTV_MTU;
	info.rti_rmx.rmx_mtu = 1280;
	/* A NULL netmask means a host route: the default is 0/0. */
	ck_assert_int_eq(rtrequest1(RTM_CHANGE, &info, &rt), ESRCH);
	{
		struct sockaddr_storage m;

		info.info_netmask = rt_plen2mask(AF_INET, 0, &m);
		ck_assert_int_eq(rtrequest1(RTM_CHANGE, &info, &rt), 0);
	}
	ck_assert_ptr_ne(rt, old);
	ck_assert_int_eq(old->rt_flags & RTF_UP, 0);
	ck_assert_int_eq(rt->rt_flags,
	    RTF_UP | RTF_GATEWAY | RTF_REJECT);		/* STATIC cleared */
	ck_assert_int_eq(rt->rt_use, 5);
	ck_assert_int_eq(rt->rt_rmx.rmx_mtu, 1280);
	ck_assert_int_eq(sockaddr_cmp(rt->rt_gateway, SA(&gw2)), 0);
	rtfree(old);
	rtfree(rt);
	rt = rtalloc1(SA(&any), 0);
	ck_assert_int_eq(sockaddr_cmp(rt->rt_gateway, SA(&gw2)), 0);
	ck_assert_int_eq(rt_mask2plen(AF_INET, rt_mask(rt)), 0);
	rtfree(rt);
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&dst), 0, NULL, 0, NULL), 0);
	assert_nothing_out();
}
END_TEST

START_TEST(test_rtrequest_kinds)
{
	struct sockaddr_in net = rtt_sin("10.0.0.0", 0);
	struct sockaddr_in self = rtt_sin("10.0.0.5", 0);
	struct sockaddr_in other = rtt_sin("10.0.0.6", 0);
	struct sockaddr_in lo = rtt_sin("127.0.0.1", 0);
	struct sockaddr_in bh = rtt_sin("172.16.0.0", 0);
	struct sockaddr_in x = rtt_sin("172.16.9.9", 0);
	struct sockaddr_dl link;
	struct rtentry *rt;

	sockaddr_dl_init(&link, sizeof(link), 1, IFT_ETHER, NULL, 0, NULL, 0);
	/* What an interface address installs: connected + local routes. */
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&net), 24, SA(&link),
	    RTF_CONNECTED, NULL), 0);
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&self), -1, SA(&link),
	    RTF_HOST | RTF_LOCAL, NULL), 0);
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&bh), 16, SA(&lo),
	    RTF_GATEWAY | RTF_BLACKHOLE | RTF_STATIC, NULL), 0);
	rt = rtalloc1(SA(&self), 1);
	ck_assert_int_eq(rt->rt_flags, RTF_UP | RTF_HOST | RTF_LOCAL);
	ck_assert_ptr_null(rt_mask(rt));
	ck_assert_int_eq(rt->rt_gateway->sa_family, AF_LINK);
	rtfree(rt);
	rt = rtalloc1(SA(&other), 1);
	ck_assert_int_eq(rt->rt_flags, RTF_UP | RTF_CONNECTED);
	rtfree(rt);
	rt = rtalloc1(SA(&x), 1);
	ck_assert(rt->rt_flags & RTF_BLACKHOLE);
	rtfree(rt);
	ck_assert_uint_eq(sockaddr_pool(AF_LINK)->pr_nout, 2);
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&self), -1, NULL, RTF_HOST,
	    NULL), 0);
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&net), 24, NULL, 0, NULL), 0);
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&bh), 16, NULL, 0, NULL), 0);
	assert_nothing_out();
}
END_TEST

struct walk_rec {
	char	w_names[16][32];
	int	w_n;
};

static int
walk_collect(struct rtentry *rt, void *arg)
{
	struct walk_rec *w = arg;
	int n;

	n = sockaddr_format(rt_getkey(rt), w->w_names[w->w_n], 32);
	snprintf(w->w_names[w->w_n] + n, 32 - (size_t)n, "/%d", rt->rt_plen);
	w->w_n++;
	return 0;
}

START_TEST(test_walk_order)
{
	static const char *const add[] = { "10.1.0.0/16", "0.0.0.0/0",
	    "10.0.0.0/8", "192.168.1.7/32", "10.0.0.0/16", "10.0.0.0/24",
	    "9.0.0.0/8" };
	static const char *const want[] = { "0.0.0.0/0", "9.0.0.0/8",
	    "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "10.1.0.0/16",
	    "192.168.1.7/32" };
	struct sockaddr_in gw = rtt_sin("1.1.1.1", 0);
	struct walk_rec w;
	char a[32];
	size_t i;
	int plen;

	for (i = 0; i < __arraycount(add); i++) {
		strcpy(a, add[i]);
		*strchr(a, '/') = '\0';
		plen = atoi(strchr(add[i], '/') + 1);
		struct sockaddr_in d = rtt_sin(a, 0);
		ck_assert_int_eq(rtt_req(RTM_ADD, SA(&d), plen, SA(&gw),
		    RTF_GATEWAY, NULL), 0);
	}
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(rt_walktree(AF_INET, walk_collect, &w), 0);
	ck_assert_int_eq(w.w_n, (int)__arraycount(want));
	for (i = 0; i < __arraycount(want); i++)
		ck_assert_str_eq(w.w_names[i], want[i]);
	ck_assert_int_eq(rt_count(AF_INET), 7);
	/* Teardown (rt_vnet_fini) deletes the rest; pools end empty. */
}
END_TEST

/* ---- longest-prefix match against a brute-force model ---- */

struct model_route {
	uint64_t	mr_hi, mr_lo;	/* masked key */
	int		mr_plen;
	bool		mr_live;
};

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	/* splitmix64: a fixed sequence per seed */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
model_mask(uint64_t *hi, uint64_t *lo, int plen)
{
	if (plen == 0) {
		*hi = *lo = 0;
	} else if (plen < 64) {
		*hi &= ~0ULL << (64 - plen);
		*lo = 0;
	} else if (plen == 64) {
		*lo = 0;
	} else if (plen < 128) {
		*lo &= ~0ULL << (128 - plen);
	}
}

static struct sockaddr_storage
model_sa(int af, uint64_t hi, uint64_t lo)
{
	struct sockaddr_storage ss;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		sin = rtt_sin_u32((uint32_t)(hi >> 32));
		memcpy(&ss, &sin, sizeof(sin));
	} else {
		sin6 = rtt_sin6_words(hi, lo, 0);
		memcpy(&ss, &sin6, sizeof(sin6));
	}
	return ss;
}

/* Random address near the interesting keys: few distinct top bits. */
static void
model_addr(int af, uint64_t *hi, uint64_t *lo)
{
	uint64_t r = rnd();

	/* Cluster addresses so that prefixes overlap a lot. */
	*hi = (r & 0xc3f0f00000000000ULL) | (rnd() & 0x000000ff00000000ULL);
	*lo = af == AF_INET6 ? (rnd() & 0xff000000000000ffULL) : 0;
	if (af == AF_INET)
		*hi &= 0xffffffff00000000ULL;
}

static void
lpm_run(int af, int nops, uint64_t seed)
{
	const int maxbits = af == AF_INET ? 32 : 128;
	struct model_route *m;
	struct sockaddr_storage d, g;
	struct rtentry *rt;
	int cap = nops, n = 0, i, j, k, op, plen, best, error;
	uint64_t hi, lo, h2, l2;
	int nadd = 0, ndel = 0, nlook = 0, nhit = 0;

	rng_state = seed;
	m = calloc((size_t)cap, sizeof(*m));
	g = model_sa(af, 0x0a00000100000000ULL, 1);
	for (i = 0; i < nops; i++) {
		op = (int)(rnd() % 10);
		if (op < 4) {
			/* add: default, host, or a prefix length near keys */
			model_addr(af, &hi, &lo);
			j = (int)(rnd() % 8);
			plen = j == 0 ? 0 : j == 1 ? maxbits :
			    (int)(rnd() % (unsigned)(maxbits + 1));
			model_mask(&hi, &lo, plen);
			for (j = 0; j < n; j++)
				if (m[j].mr_live && m[j].mr_plen == plen &&
				    m[j].mr_hi == hi && m[j].mr_lo == lo)
					break;
			d = model_sa(af, hi, lo);
			error = rtt_req(RTM_ADD, SA(&d), plen, SA(&g),
			    RTF_GATEWAY, NULL);
			ck_assert_int_eq(error, j < n ? EEXIST : 0);
			if (j == n) {
				m[n].mr_hi = hi;
				m[n].mr_lo = lo;
				m[n].mr_plen = plen;
				m[n].mr_live = true;
				n++;
				nadd++;
			}
		} else if (op < 6 && n > 0) {
			/* delete a live one (or a missing one: ESRCH) */
			j = (int)(rnd() % (unsigned)n);
			d = model_sa(af, m[j].mr_hi, m[j].mr_lo);
			/* A dead entry may have been added again since. */
			for (k = 0; k < n; k++)
				if (m[k].mr_live && m[k].mr_plen ==
				    m[j].mr_plen && m[k].mr_hi == m[j].mr_hi &&
				    m[k].mr_lo == m[j].mr_lo)
					break;
			error = rtt_req(RTM_DELETE, SA(&d), m[j].mr_plen, NULL,
			    0, NULL);
			ck_assert_int_eq(error, k < n ? 0 : ESRCH);
			if (k < n) {
				ndel++;
				m[k].mr_live = false;
			}
		} else {
			model_addr(af, &hi, &lo);
			best = -1;
			for (j = 0; j < n; j++) {
				if (!m[j].mr_live)
					continue;
				h2 = hi;
				l2 = lo;
				model_mask(&h2, &l2, m[j].mr_plen);
				if (h2 == m[j].mr_hi && l2 == m[j].mr_lo &&
				    (best < 0 || m[j].mr_plen > m[best].mr_plen))
					best = j;
			}
			d = model_sa(af, hi, lo);
			rt = rtalloc1(SA(&d), 1);
			nlook++;
			if (best < 0) {
				ck_assert_ptr_null(rt);
				continue;
			}
			nhit++;
			ck_assert_ptr_nonnull(rt);
			ck_assert_int_eq(rt->rt_plen, m[best].mr_plen);
			d = model_sa(af, m[best].mr_hi, m[best].mr_lo);
			ck_assert_int_eq(sockaddr_cmp(rt_getkey(rt), SA(&d)),
			    0);
			rtfree(rt);
		}
	}
	/* The table agrees with the model on its size, too. */
	for (i = j = 0; i < n; i++)
		j += m[i].mr_live;
	ck_assert_int_eq(rt_count((sa_family_t)af), j);
	ck_assert_int_gt(nadd, nops / 5);
	ck_assert_int_gt(ndel, nops / 20);
	ck_assert_int_gt(nhit, nlook / 4);
	ck_assert_int_lt(nhit, nlook);		/* some misses too */
	/* Delete everything: nodes and sockaddrs all come back. */
	for (i = 0; i < n; i++) {
		if (!m[i].mr_live)
			continue;
		d = model_sa(af, m[i].mr_hi, m[i].mr_lo);
		ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&d), m[i].mr_plen,
		    NULL, 0, NULL), 0);
	}
	ck_assert_int_eq(rt_count((sa_family_t)af), 0);
	assert_nothing_out();
	free(m);
}

/*
 * Each run twice: with the trie alone and with the direct index built
 * from the first route on (net.route.trie.dirmin), which must not change
 * a single answer.
 */
START_TEST(test_lpm_inet)
{
	setknob("net.route.trie.dirmin", "0");
	lpm_run(AF_INET, 12000, 1);
	setknob("net.route.trie.dirmin", "1");
	lpm_run(AF_INET, 12000, 2);
	lpm_run(AF_INET, 12000, 1);
}
END_TEST

START_TEST(test_lpm_inet6)
{
	setknob("net.route.trie.dirmin", "0");
	lpm_run(AF_INET6, 12000, 3);
	setknob("net.route.trie.dirmin", "1");
	lpm_run(AF_INET6, 12000, 4);
	lpm_run(AF_INET6, 12000, 3);
}
END_TEST

START_TEST(test_mask_conv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in m;
	int p;

	for (p = 0; p <= 128; p++) {
		ck_assert_ptr_nonnull(rt_plen2mask(AF_INET6, p, &ss));
		ck_assert_int_eq(rt_mask2plen(AF_INET6, SA(&ss)), p);
	}
	ck_assert_ptr_null(rt_plen2mask(AF_INET, 33, &ss));
	ck_assert_ptr_null(rt_plen2mask(AF_LINK, 3, &ss));
	/* A truncated mask (sa_len 6, as routing messages carry them). */
	m = rtt_sin("255.255.0.0", 0);
	m.sin_len = 6;
	ck_assert_int_eq(rt_mask2plen(AF_INET, SA(&m)), 16);
	m = rtt_sin("255.255.255.255", 0);
	ck_assert_int_eq(rt_mask2plen(AF_INET, SA(&m)), 32);
	m = rtt_sin("0.255.0.0", 0);
	ck_assert_int_eq(rt_mask2plen(AF_INET, SA(&m)), -1);
}
END_TEST

/* ---- allocation failure at every site of a route addition ---- */

/*
 * Limit one pool to (what is out now) + k items for k = 0, 1, 2, ... and
 * add a route whose key, mask and gateway come from that pool (or whose
 * entry and nodes do), until the addition succeeds: the 1st, 2nd, ...
 * allocation from the pool fails in turn.  A pool limit of 0 means "no
 * limit", so a filler item is held to make k = 0 mean "nothing left".
 * Every failure must be ENOBUFS and leave nothing allocated.
 */
static void
exhaust_add(int af, const char *limitknob, int wantfail)
{
	struct sockaddr_storage d, g, f;
	struct sockaddr *filler = NULL;
	char v[16], inuse[64];
	int k, error, nfail = 0, base;
	unsigned sa_base, rt_base;
	int other = af == AF_INET ? AF_INET6 : AF_INET;

	snprintf(inuse, sizeof(inuse), "%.*s.inuse",
	    (int)(strrchr(limitknob, '.') - limitknob), limitknob);
	if (strncmp(limitknob, "kern.sockaddr", 13) == 0) {
		filler = sockaddr_alloc((sa_family_t)af, PR_NOWAIT);
	} else {
		f = model_sa(other, 0x0b00000000000000ULL, 1);
		ck_assert_int_eq(rtt_req(RTM_ADD, SA(&f), -1, SA(&f),
		    RTF_HOST, NULL), 0);
	}
	base = knob(inuse);
	ck_assert_int_gt(base, 0);
	sa_base = rtt_sockaddrs_out();
	rt_base = rt_pools_out();
	d = model_sa(af, 0x0a01000000000000ULL, 0);
	g = model_sa(af, 0x0a00000100000000ULL, 7);
	for (k = 0; k < 10; k++) {
		snprintf(v, sizeof(v), "%d", base + k);
		setknob(limitknob, v);
		error = rtt_req(RTM_ADD, SA(&d), 16, SA(&g), RTF_GATEWAY,
		    NULL);
		if (error == 0)
			break;
		ck_assert_int_eq(error, ENOBUFS);
		ck_assert_int_eq(rt_count((sa_family_t)af), 0);
		ck_assert_uint_eq(rtt_sockaddrs_out(), sa_base);
		ck_assert_uint_eq(rt_pools_out(), rt_base);
		nfail++;
	}
	ck_assert_int_eq(nfail, wantfail);
	setknob(limitknob, "0");
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&d), 16, NULL, 0, NULL), 0);
	if (filler != NULL)
		sockaddr_free(filler);
	else
		ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&f), -1, NULL,
		    RTF_HOST, NULL), 0);
	assert_nothing_out();
}

START_TEST(test_exhaust_add_inet)
{
	/* key, mask, gateway; the entry; two trie nodes */
	exhaust_add(AF_INET, "kern.sockaddr.pool.inet.limit", 3);
	exhaust_add(AF_INET, "net.route.pool.rtentry.limit", 1);
	exhaust_add(AF_INET, "net.route.pool.rtnode.limit", 2);
}
END_TEST

START_TEST(test_exhaust_add_inet6)
{
	exhaust_add(AF_INET6, "kern.sockaddr.pool.inet6.limit", 3);
	exhaust_add(AF_INET6, "net.route.pool.rtentry.limit", 1);
	exhaust_add(AF_INET6, "net.route.pool.rtnode.limit", 2);
}
END_TEST

START_TEST(test_exhaust_change)
{
	struct sockaddr_in d = rtt_sin("10.0.0.0", 0);
	struct sockaddr_in g1 = rtt_sin("10.9.0.1", 0);
	struct sockaddr_in g2 = rtt_sin("10.9.0.2", 0);
	struct sockaddr_dl link;
	struct sockaddr *sa;
	int k, error, nfail = 0;
	char v[8];

	/* A link-gateway route fails on the link pool. */
	sockaddr_dl_init(&link, sizeof(link), 1, IFT_ETHER, NULL, 0, NULL, 0);
	sa = sockaddr_dup(SA(&link), PR_NOWAIT);
	setknob("kern.sockaddr.pool.link.limit", "1");
	ck_assert_int_eq(knob("kern.sockaddr.pool.link.limit"), 1);
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&d), 8, SA(&link), RTF_CONNECTED,
	    NULL), ENOBUFS);
	ck_assert_uint_eq(sockaddr_pool(AF_INET)->pr_nout, 0);
	sockaddr_free(sa);
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&d), 8, SA(&link), RTF_CONNECTED,
	    NULL), 0);
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&d), 8, NULL, 0, NULL), 0);
	setknob("kern.sockaddr.pool.link.limit", "0");
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&d), 8, SA(&g1), RTF_GATEWAY,
	    NULL), 0);
	for (k = 0; k < 6; k++) {
		snprintf(v, sizeof(v), "%d", 3 + k);
		setknob("kern.sockaddr.pool.inet.limit", v);
		error = rtt_req(RTM_CHANGE, SA(&d), 8, SA(&g2), RTF_GATEWAY,
		    NULL);
		if (error == 0)
			break;
		/* Key and mask: ENOBUFS; the new gateway: EDQUOT (5.x). */
		ck_assert(error == ENOBUFS || error == EDQUOT);
		if (k == 2)
			ck_assert_int_eq(error, EDQUOT);
		ck_assert_uint_eq(sockaddr_pool(AF_INET)->pr_nout, 3);
		nfail++;
	}
	ck_assert_int_eq(nfail, 3);
	setknob("kern.sockaddr.pool.inet.limit", "0");
	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&d), 8, NULL, 0, NULL), 0);
	assert_nothing_out();
}
END_TEST

/* ---- routing messages ---- */

struct rtmsg_buf {
	uint8_t	rb_buf[512];
	size_t	rb_len;
};

static void
msg_put(struct rtmsg_buf *m, int rtax, const struct sockaddr *sa)
{
	struct rt_msghdr *rtm = (struct rt_msghdr *)(void *)m->rb_buf;

	if (m->rb_len == 0)
		m->rb_len = sizeof(*rtm);
	if (sa == NULL)
		return;
	(void)rtax;
	memcpy(m->rb_buf + m->rb_len, sa, sa->sa_len);
	m->rb_len += RT_ROUNDUP(sa->sa_len);
	rtm->rtm_addrs |= 1 << rtax;
	rtm->rtm_msglen = (u_short)m->rb_len;
}

static void
msg_init(struct rtmsg_buf *m, int type, int flags,
    const struct sockaddr *dst, const struct sockaddr *gw,
    const struct sockaddr *mask)
{
	struct rt_msghdr *rtm = (struct rt_msghdr *)(void *)m->rb_buf;

	memset(m, 0, sizeof(*m));
	rtm->rtm_version = RTM_VERSION;
	rtm->rtm_type = (u_char)type;
	rtm->rtm_flags = flags;
	rtm->rtm_seq = 42;
	rtm->rtm_pid = 7;
	msg_put(m, RTAX_DST, dst);
	msg_put(m, RTAX_GATEWAY, gw);
	msg_put(m, RTAX_NETMASK, mask);
}

/* Split a reply; returns its header. */
static const struct rt_msghdr *
reply_addrs(const uint8_t *buf, size_t len, const struct sockaddr *sa[])
{
	const struct rt_msghdr *rtm = (const void *)buf;
	size_t off = sizeof(*rtm);
	int i;

	ck_assert_uint_ge(len, sizeof(*rtm));
	ck_assert_uint_eq(rtm->rtm_msglen, len);
	for (i = 0; i < RTAX_MAX; i++) {
		sa[i] = NULL;
		if ((rtm->rtm_addrs & (1 << i)) == 0)
			continue;
		sa[i] = (const void *)(buf + off);
		off += RT_ROUNDUP(sa[i]->sa_len);
		ck_assert_uint_le(off, len);
	}
	return rtm;
}

START_TEST(test_rtsock_messages)
{
	struct sockaddr_in net = rtt_sin("10.1.0.0", 0);
	struct sockaddr_in host = rtt_sin("10.1.2.3", 0);
	struct sockaddr_in gw = rtt_sin("192.168.0.1", 0);
	struct sockaddr_in gw2 = rtt_sin("192.168.0.2", 0);
	struct sockaddr_in other = rtt_sin("10.9.0.0", 0);
	struct sockaddr_storage mask, mask8;
	struct rtmsg_buf m;
	uint8_t reply[512];
	size_t rlen;
	const struct sockaddr *sa[RTAX_MAX];
	const struct rt_msghdr *r;
	char buf[32];

	rt_plen2mask(AF_INET, 16, &mask);
	rt_plen2mask(AF_INET, 8, &mask8);
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&net), 16, SA(&gw),
	    RTF_GATEWAY | RTF_STATIC, NULL), 0);

	/* RTM_GET without a mask: the longest match, with RTF_DONE. */
	msg_init(&m, RTM_GET, 0, SA(&host), NULL, NULL);
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 0, reply,
	    sizeof(reply), &rlen), 0);
	r = reply_addrs(reply, rlen, sa);
	ck_assert_int_eq(r->rtm_errno, 0);
	ck_assert_int_eq(r->rtm_seq, 42);
	ck_assert_int_eq(r->rtm_pid, 7);
	ck_assert_int_eq(r->rtm_type, RTM_GET);
	ck_assert_int_eq(r->rtm_flags,
	    RTF_UP | RTF_GATEWAY | RTF_STATIC | RTF_DONE);
	ck_assert_int_eq(r->rtm_index, 1);
	sockaddr_format(sa[RTAX_DST], buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.1.0.0");
	ck_assert_int_eq(sockaddr_cmp(sa[RTAX_GATEWAY], SA(&gw)), 0);
	ck_assert_int_eq(rt_mask2plen(AF_INET, sa[RTAX_NETMASK]), 16);
	ck_assert_ptr_nonnull(sa[RTAX_IFP]);
	sockaddr_format(sa[RTAX_IFP], buf, sizeof(buf));
	ck_assert_str_eq(buf, "test0");

	/* RTM_GET with a mask is exact: /8 is not there. */
	msg_init(&m, RTM_GET, 0, SA(&net), NULL, SA(&mask8));
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 0, reply,
	    sizeof(reply), &rlen), ESRCH);
	r = (const void *)reply;
	ck_assert_int_eq(r->rtm_errno, ESRCH);
	ck_assert_int_eq(r->rtm_flags & RTF_DONE, 0);
	ck_assert_uint_eq(rlen, m.rb_len);

	/* RTM_CHANGE: flags and metrics, exact key and mask. */
	msg_init(&m, RTM_CHANGE, RTF_GATEWAY | RTF_REJECT, SA(&net), NULL,
	    SA(&mask));
	((struct rt_msghdr *)(void *)m.rb_buf)->rtm_inits = RTV_MTU;
	((struct rt_msghdr *)(void *)m.rb_buf)->rtm_rmx.rmx_mtu = 1400;
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 1, reply,
	    sizeof(reply), &rlen), 0);
	r = reply_addrs(reply, rlen, sa);
	ck_assert_int_eq(sockaddr_cmp(sa[RTAX_GATEWAY], SA(&gw)), 0);
	ck_assert_int_eq(r->rtm_flags, RTF_UP | RTF_GATEWAY | RTF_REJECT |
	    RTF_DONE);
	ck_assert_int_eq(r->rtm_rmx.rmx_mtu, 1400);
	/* A new gateway needs an interface address for it (rt_getifa);
	 * there is no interface layer in this test: ENETUNREACH. */
	msg_init(&m, RTM_CHANGE, RTF_GATEWAY, SA(&net), SA(&gw2),
	    SA(&mask));
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 1, reply,
	    sizeof(reply), &rlen), ENETUNREACH);
	/* ... a mask that is not among the key's: ETOOMANYREFS. */
	msg_init(&m, RTM_CHANGE, RTF_GATEWAY, SA(&net), SA(&gw),
	    SA(&mask8));
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 1, reply,
	    sizeof(reply), &rlen), ETOOMANYREFS);
	/* ... an absent key: ESRCH. */
	msg_init(&m, RTM_CHANGE, RTF_GATEWAY, SA(&other), SA(&gw), SA(&mask));
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 1, reply,
	    sizeof(reply), &rlen), ESRCH);

	/* Unprivileged changes: EACCES (RTM_GET is allowed). */
	msg_init(&m, RTM_DELETE, 0, SA(&net), NULL, SA(&mask));
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 0, reply,
	    sizeof(reply), &rlen), EACCES);
	ck_assert_int_eq(((const struct rt_msghdr *)(void *)reply)->rtm_errno,
	    EACCES);
	/* RTM_ADD without a gateway: EINVAL; without an interface for the
	 * gateway (no interface layer here): ENETUNREACH. */
	msg_init(&m, RTM_ADD, 0, SA(&host), NULL, NULL);
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 1, reply,
	    sizeof(reply), &rlen), EINVAL);
	msg_init(&m, RTM_ADD, RTF_HOST | RTF_GATEWAY, SA(&host), SA(&gw),
	    NULL);
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 1, reply,
	    sizeof(reply), &rlen), ENETUNREACH);
	/* Bad version; bad length; unknown type; no destination. */
	msg_init(&m, RTM_GET, 0, SA(&host), NULL, NULL);
	((struct rt_msghdr *)(void *)m.rb_buf)->rtm_version = 3;
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 0, reply,
	    sizeof(reply), &rlen), EPROTONOSUPPORT);
	msg_init(&m, RTM_GET, 0, SA(&host), NULL, NULL);
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len - 1, 0, reply,
	    sizeof(reply), &rlen), EINVAL);
	ck_assert_uint_eq(rlen, 0);
	ck_assert_int_eq(rt_msg_output(m.rb_buf, 10, 0, reply, sizeof(reply),
	    &rlen), EINVAL);
	((struct rt_msghdr *)(void *)m.rb_buf)->rtm_type = 0x55;
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 1, reply,
	    sizeof(reply), &rlen), EINVAL);
	msg_init(&m, RTM_GET, 0, NULL, SA(&gw), NULL);
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 0, reply,
	    sizeof(reply), &rlen), EINVAL);
	/* An address running past the end: EINVAL. */
	msg_init(&m, RTM_GET, 0, SA(&host), NULL, NULL);
	((struct sockaddr *)(void *)(m.rb_buf +
	    sizeof(struct rt_msghdr)))->sa_len = 200;
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 0, reply,
	    sizeof(reply), &rlen), EINVAL);

	/* RTM_DELETE, privileged: the reply describes the deleted entry. */
	msg_init(&m, RTM_DELETE, 0, SA(&net), NULL, SA(&mask));
	ck_assert_int_eq(rt_msg_output(m.rb_buf, m.rb_len, 1, reply,
	    sizeof(reply), &rlen), 0);
	r = reply_addrs(reply, rlen, sa);
	ck_assert_int_eq(r->rtm_flags & RTF_UP, 0);
	ck_assert(r->rtm_flags & RTF_DONE);
	ck_assert_int_eq(rt_count(AF_INET), 0);
	assert_nothing_out();
}
END_TEST

START_TEST(test_rtsock_dump)
{
	struct sockaddr_in gw = rtt_sin("192.168.0.1", 0);
	struct sockaddr_in6 d6 = rtt_sin6_words(0x20010db8ULL << 32, 0, 0);
	static const char *const nets[] = { "10.2.0.0", "10.1.0.0",
	    "0.0.0.0" };
	const struct sockaddr *sa[RTAX_MAX];
	const struct rt_msghdr *r;
	uint8_t *buf;
	size_t len = 0, off, small;
	char a[32];
	int i, n = 0;

	for (i = 0; i < 3; i++) {
		struct sockaddr_in d = rtt_sin(nets[i], 0);

		ck_assert_int_eq(rtt_req(RTM_ADD, SA(&d), i == 2 ? 0 : 16,
		    SA(&gw), RTF_GATEWAY, NULL), 0);
	}
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&d6), 32, SA(&d6), 0, NULL), 0);
	ck_assert_int_eq(sysctl_byname("net.route.dump", NULL, &len, NULL, 0),
	    0);
	ck_assert_uint_gt(len, 4 * sizeof(struct rt_msghdr));
	buf = malloc(len);
	small = len - 1;
	ck_assert_int_eq(sysctl_byname("net.route.dump", buf, &small, NULL, 0),
	    ENOMEM);
	ck_assert_int_eq(sysctl_byname("net.route.dump", buf, &len, NULL, 0),
	    0);
	for (off = 0; off < len; off += r->rtm_msglen) {
		r = reply_addrs(buf + off, ((const struct rt_msghdr *)(void *)
		    (buf + off))->rtm_msglen, sa);
		ck_assert_int_eq(r->rtm_version, RTM_VERSION);
		ck_assert_int_eq(r->rtm_type, RTM_GET);
		sockaddr_format(sa[RTAX_DST], a, sizeof(a));
		/* Walk order: IPv4 by key, then IPv6. */
		ck_assert_str_eq(a, n == 0 ? "0.0.0.0" : n == 1 ? "10.1.0.0" :
		    n == 2 ? "10.2.0.0" : "2001:db8::");
		n++;
	}
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(sysctl_byname_text("net.route.dump", a, sizeof(a),
	    NULL), EINVAL);
	ck_assert_int_eq(sysctl_byname("net.route.dump", NULL, NULL, &n,
	    sizeof(n)), EPERM);
	free(buf);
}
END_TEST

/* The text interface with no buffer: a write that reads nothing back. */
START_TEST(test_sysctl_text_nobuf)
{
	ck_assert_int_eq(sysctl_byname_text("test.route.knob", NULL, 0, "6"),
	    0);
	ck_assert_int_eq(V_test_knob, 6);
	ck_assert_int_eq(sysctl_byname_text("net.route.invalidation", NULL, 0,
	    "generation"), 0);
	ck_assert_int_eq(rtcache_getpolicy(), RTCACHE_POLICY_GENERATION);
	ck_assert_int_eq(sysctl_byname_text("test.route.knob", NULL, 0, "60"),
	    EINVAL);
}
END_TEST

static Suite *
route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc;

	tc = tcase_create("sysctl");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sysctl_typed);
	tcase_add_test(tc, test_sysctl_text);
	tcase_add_test(tc, test_sysctl_order);
	tcase_add_test(tc, test_sysctl_policy_knob);
	tcase_add_test(tc, test_sysctl_text_nobuf);
	suite_add_tcase(s, tc);

	tc = tcase_create("sockaddr");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_domains);
	tcase_add_test(tc, test_sockaddr_alloc);
	tcase_add_test_raise_signal(tc, test_sockaddr_copy_mismatch, SIGABRT);
	tcase_add_test(tc, test_sockaddr_cmp);
	tcase_add_test(tc, test_sockaddr_format);
	tcase_add_test(tc, test_sockaddr_pool_limit);
	tcase_add_test(tc, test_sockaddr_helpers);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rtrequest_basic);
	tcase_add_test(tc, test_rtrequest_errors);
	tcase_add_test(tc, test_rtrequest_change);
	tcase_add_test(tc, test_rtrequest_kinds);
	tcase_add_test(tc, test_walk_order);
	tcase_add_test(tc, test_mask_conv);
	tcase_add_test(tc, test_lpm_inet);
	tcase_add_test(tc, test_lpm_inet6);
	tcase_add_test(tc, test_exhaust_add_inet);
	tcase_add_test(tc, test_exhaust_add_inet6);
	tcase_add_test(tc, test_exhaust_change);
	suite_add_tcase(s, tc);

	tc = tcase_create("rtsock");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rtsock_messages);
	tcase_add_test(tc, test_rtsock_dump);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return rtt_main(route_suite());
}
