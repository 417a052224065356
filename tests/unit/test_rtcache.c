/*
 * Route caches on the pthreads platform, one thread: every rtcache_*
 * function and its documented error paths, dom_rtcache membership,
 * rtflushall, the three invalidation policies, PR kern/3508 at table
 * level, and allocation failure at every site.  rtcache_invariants is
 * checked after every step.
 */
#include <check.h>
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

#define INV(ro)	ck_assert_int_eq(rtcache_invariants(ro), 0)

static struct rtstat
stat_now(void)
{
	struct rtstat st;

	rt_getstat(&st);
	return st;
}

static void
add4(const char *dst, int plen, const char *gw)
{
	struct sockaddr_in d = rtt_sin(dst, 0), g = rtt_sin(gw, 0);

	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&d), plen, SA(&g), RTF_GATEWAY,
	    NULL), 0);
}

static void
del4(const char *dst, int plen)
{
	struct sockaddr_in d = rtt_sin(dst, 0);

	ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&d), plen, NULL, 0, NULL), 0);
}

static void
setpolicy(const char *p)
{
	char buf[16];

	ck_assert_int_eq(sysctl_byname_text("net.route.invalidation", buf,
	    sizeof(buf), p), 0);
}

START_TEST(test_rtcache_empty)
{
	struct route ro;
	struct sockaddr_in dst = rtt_sin("10.0.0.1", 0);

	memset(&ro, 0, sizeof(ro));
	INV(&ro);
	ck_assert_ptr_null(rtcache_getdst(&ro));
	ck_assert_ptr_null(rtcache_validate(&ro));
	ck_assert_ptr_null(rtcache_init(&ro));		/* no destination */
	ck_assert_ptr_null(rtcache_update(&ro, 1));
	rtcache_clear(&ro);
	rtcache_free(&ro);
	INV(&ro);
	/* A destination but no route: lookup misses, nothing linked. */
	ck_assert_int_eq(rtcache_setdst(&ro, SA(&dst)), 0);
	ck_assert_ptr_nonnull(rtcache_getdst(&ro));
	ck_assert_ptr_null(rtcache_init(&ro));
	ck_assert_ptr_null(rtcache_init_noclone(&ro));
	INV(&ro);
	ck_assert_uint_eq(stat_now().rts_caches[AF_INET], 0);
	/* A family without a table: a destination, never an entry. */
	{
		struct sockaddr_dl sdl;

		sockaddr_dl_init(&sdl, sizeof(sdl), 1, IFT_ETHER, NULL, 0,
		    NULL, 0);
		ck_assert_ptr_null(rtcache_lookup(&ro, SA(&sdl)));
		ck_assert_int_eq(rtcache_getdst(&ro)->sa_family, AF_LINK);
		INV(&ro);
	}
	rtcache_free(&ro);
	ck_assert_ptr_null(rtcache_getdst(&ro));
	ck_assert_uint_eq(rtt_sockaddrs_out(), 0);
}
END_TEST

START_TEST(test_rtcache_functions)
{
	struct route ro, ro2;
	struct sockaddr_in d1 = rtt_sin("10.1.2.3", 1000);
	struct sockaddr_in d2 = rtt_sin("10.1.2.3", 2000);
	struct sockaddr_in d3 = rtt_sin("10.9.9.9", 1000);
	struct sockaddr_in6 d6 = rtt_sin6_words(0x20010db8ULL << 32, 1, 0);
	struct rtentry *rt, *rt2;
	int hit = -1;

	memset(&ro, 0, sizeof(ro));
	memset(&ro2, 0, sizeof(ro2));
	add4("10.1.0.0", 16, "192.168.0.1");
	add4("0.0.0.0", 0, "192.168.0.254");

	/* setdst + init: linked on the inet domain list, one reference. */
	ck_assert_int_eq(rtcache_setdst(&ro, SA(&d1)), 0);
	ck_assert_int_eq(sockaddr_cmp(rtcache_getdst(&ro), SA(&d1)), 0);
	rt = rtcache_init(&ro);
	ck_assert_ptr_nonnull(rt);
	ck_assert_int_eq(rt->rt_plen, 16);
	ck_assert_uint_eq(rt_refs(rt), 1);
	ck_assert_ptr_eq(LIST_FIRST(DOM_RTCACHE(&inetdomain)), &ro);
	ck_assert_uint_eq(stat_now().rts_caches[AF_INET], 1);
	ck_assert_ptr_eq(rtcache_validate(&ro), rt);
	INV(&ro);

	/* lookup with another port: a hit on the same entry. */
	ck_assert_ptr_eq(rtcache_lookup2(&ro, SA(&d2), 1, &hit), rt);
	ck_assert_int_eq(hit, 1);
	INV(&ro);
	/* lookup with another address: a miss, new destination. */
	rt2 = rtcache_lookup2(&ro, SA(&d3), 1, &hit);
	ck_assert_int_eq(hit, 0);
	ck_assert_int_eq(rt2->rt_plen, 0);
	ck_assert_int_eq(sockaddr_cmp(rtcache_getdst(&ro), SA(&d3)), 0);
	ck_assert_uint_eq(rt_refs(rt), 0);
	ck_assert_uint_eq(rt_refs(rt2), 1);
	INV(&ro);

	/* copy: the second cache shares the entry, two references. */
	rtcache_copy(&ro2, &ro);
	ck_assert_ptr_eq(rtcache_validate(&ro2), rt2);
	ck_assert_uint_eq(rt_refs(rt2), 2);
	ck_assert_uint_eq(stat_now().rts_caches[AF_INET], 2);
	INV(&ro);
	INV(&ro2);

	/* clear keeps the destination; update looks up again. */
	rtcache_clear(&ro2);
	ck_assert_ptr_nonnull(rtcache_getdst(&ro2));
	ck_assert_ptr_null(rtcache_validate(&ro2));
	ck_assert_uint_eq(rt_refs(rt2), 1);
	INV(&ro2);
	ck_assert_ptr_eq(rtcache_update(&ro2, 1), rt2);
	INV(&ro2);

	/* setdst of another family frees the old destination. */
	ck_assert_int_eq(rtcache_setdst(&ro2, SA(&d6)), 0);
	ck_assert_int_eq(rtcache_getdst(&ro2)->sa_family, AF_INET6);
	ck_assert_ptr_null(rtcache_init(&ro2));	/* no IPv6 routes */
	ck_assert_uint_eq(sockaddr_pool(AF_INET6)->pr_nout, 1);
	INV(&ro2);
	/* copy from an empty-route cache: destination only. */
	rtcache_free(&ro);
	rtcache_copy(&ro, &ro2);
	ck_assert_int_eq(rtcache_getdst(&ro)->sa_family, AF_INET6);
	ck_assert_ptr_null(rtcache_validate(&ro));
	INV(&ro);

	rtcache_free(&ro);
	rtcache_free(&ro2);
	INV(&ro);
	ck_assert_ptr_null(rtcache_getdst(&ro));
	ck_assert_uint_eq(stat_now().rts_caches[AF_INET], 0);
	ck_assert_uint_eq(rt_refs(rt2), 0);
	del4("10.1.0.0", 16);
	del4("0.0.0.0", 0);
	ck_assert_uint_eq(rtt_sockaddrs_out(), 0);
}
END_TEST

/* Deleted while cached: the entry lives until the cache lets go. */
START_TEST(test_rtcache_delete_referenced)
{
	struct route ro;
	struct sockaddr_in d = rtt_sin("10.1.2.3", 0);
	struct rtentry *rt;
	int hit;

	memset(&ro, 0, sizeof(ro));
	add4("10.1.0.0", 16, "192.168.0.1");
	rt = rtcache_lookup(&ro, SA(&d));
	ck_assert_ptr_nonnull(rt);
	del4("10.1.0.0", 16);
	ck_assert_uint_eq(stat_now().rts_trash, 1);
	ck_assert_uint_eq(rt->rt_magic, RT_MAGIC);	/* still allocated */
	ck_assert_ptr_null(rtcache_validate(&ro));
	INV(&ro);
	ck_assert_ptr_null(rtcache_lookup2(&ro, SA(&d), 1, &hit));
	ck_assert_int_eq(hit, 0);
	ck_assert_uint_eq(stat_now().rts_trash, 0);	/* now freed */
	INV(&ro);
	rtcache_free(&ro);
	ck_assert_uint_eq(rtt_sockaddrs_out(), 0);
}
END_TEST

/* rtflushall under "list": every cache of the family moves. */
START_TEST(test_rtflushall_list)
{
	struct route ro[5], ro6;
	struct sockaddr_in d;
	struct sockaddr_in6 d6 = rtt_sin6_words(0x20010db8ULL << 32, 1, 0);
	struct rtstat st;
	char a[32];
	int i;

	memset(ro, 0, sizeof(ro));
	memset(&ro6, 0, sizeof(ro6));
	add4("0.0.0.0", 0, "192.168.0.254");
	ck_assert_int_eq(rtt_req(RTM_ADD, SA(&d6), 0, SA(&d6), 0, NULL), 0);
	ck_assert_ptr_nonnull(rtcache_lookup(&ro6, SA(&d6)));
	for (i = 0; i < 5; i++) {
		snprintf(a, sizeof(a), "10.0.0.%d", i + 1);
		d = rtt_sin(a, 0);
		ck_assert_ptr_nonnull(rtcache_lookup(&ro[i], SA(&d)));
	}
	st = stat_now();
	ck_assert_uint_eq(st.rts_caches[AF_INET], 5);
	ck_assert_uint_eq(st.rts_caches[AF_INET6], 1);
	rtflushall(AF_INET);
	st = stat_now();
	ck_assert_uint_eq(st.rts_caches[AF_INET], 0);
	ck_assert_uint_eq(st.rts_invalidcaches, 5);
	ck_assert_uint_eq(st.rts_caches[AF_INET6], 1);	/* other family */
	ck_assert_uint_eq(st.rts_flushall, 3);	/* 2 adds + 1 call */
	for (i = 0; i < 5; i++) {
		ck_assert_ptr_null(rtcache_validate(&ro[i]));
		ck_assert_uint_eq(ro[i].ro_invalid, 1);
		INV(&ro[i]);
	}
	ck_assert_ptr_nonnull(rtcache_validate(&ro6));
	/* The references are dropped lazily, by the owners. */
	ck_assert_uint_eq(rt_refs(ro[0]._ro_rt), 5);
	for (i = 0; i < 5; i++) {
		rtcache_free(&ro[i]);
		INV(&ro[i]);
	}
	rtcache_free(&ro6);
	st = stat_now();
	ck_assert_uint_eq(st.rts_invalidcaches, 0);
	ck_assert_uint_eq(st.rts_caches[AF_INET6], 0);
}
END_TEST

/*
 * PR kern/3508 at table level, for one policy.  A cache resolved through
 * the default route; a more specific route appears; then it goes away.
 */
static void
pr3508(const char *policy)
{
	struct route ro, fresh;
	struct sockaddr_in dst = rtt_sin("10.1.2.3", 7);
	struct sockaddr_in dst2 = rtt_sin("10.1.2.3", 8);
	struct rtentry *rt, *def, *spec;
	int hit;
	bool fixed = strcmp(policy, "none") != 0;

	setpolicy(policy);
	memset(&ro, 0, sizeof(ro));
	memset(&fresh, 0, sizeof(fresh));
	add4("0.0.0.0", 0, "192.168.0.1");
	def = rtcache_lookup2(&ro, SA(&dst), 1, &hit);
	ck_assert_ptr_nonnull(def);
	ck_assert_int_eq(def->rt_plen, 0);
	ck_assert_int_eq(hit, 0);
	/* A hit across ports. */
	ck_assert_ptr_eq(rtcache_lookup2(&ro, SA(&dst2), 1, &hit), def);
	ck_assert_int_eq(hit, 1);
	INV(&ro);

	add4("10.1.0.0", 16, "192.168.0.2");
	rt = rtcache_lookup2(&ro, SA(&dst), 1, &hit);
	INV(&ro);
	if (fixed) {
		/* list and generation: the new, more specific route. */
		ck_assert_int_eq(rt->rt_plen, 16);
		ck_assert_int_eq(hit, 0);
	} else {
		/* none: the stale default route -- the bug. */
		ck_assert_ptr_eq(rt, def);
		ck_assert_int_eq(hit, 1);
	}
	/* A cache filled after the add sees the new route in every policy. */
	spec = rtcache_lookup(&fresh, SA(&dst));
	ck_assert_int_eq(spec->rt_plen, 16);
	INV(&fresh);

	/* Delete it: nobody returns it any more. */
	del4("10.1.0.0", 16);
	rt = rtcache_lookup2(&fresh, SA(&dst), 1, &hit);
	ck_assert_ptr_eq(rt, def);
	ck_assert_int_eq(hit, 0);
	rt = rtcache_lookup2(&ro, SA(&dst), 1, &hit);
	ck_assert_ptr_eq(rt, def);
	INV(&ro);
	INV(&fresh);
	rtcache_free(&ro);
	rtcache_free(&fresh);
	del4("0.0.0.0", 0);
	ck_assert_uint_eq(rtt_sockaddrs_out(), 0);
	ck_assert_uint_eq(stat_now().rts_trash, 0);
}

START_TEST(test_pr3508_none)
{
	pr3508("none");
}
END_TEST

START_TEST(test_pr3508_list)
{
	pr3508("list");
}
END_TEST

START_TEST(test_pr3508_generation)
{
	pr3508("generation");
}
END_TEST

/* IPv6 caches follow the same rules (every family uses struct route). */
START_TEST(test_pr3508_inet6)
{
	struct route ro;
	struct sockaddr_in6 any = rtt_sin6_words(0, 0, 0);
	struct sockaddr_in6 net = rtt_sin6_words(0x20010db8ULL << 32, 0, 0);
	struct sockaddr_in6 dst = rtt_sin6_words(0x20010db8ULL << 32, 5, 80);
	struct sockaddr_in6 gw = rtt_sin6_words(0xfe80ULL << 48, 1, 0);
	struct rtentry *rt;
	const char *pol[] = { "list", "generation", "none" };
	int i, hit;

	for (i = 0; i < 3; i++) {
		setpolicy(pol[i]);
		memset(&ro, 0, sizeof(ro));
		ck_assert_int_eq(rtt_req(RTM_ADD, SA(&any), 0, SA(&gw),
		    RTF_GATEWAY, NULL), 0);
		ck_assert_int_eq(rtcache_lookup(&ro, SA(&dst))->rt_plen, 0);
		ck_assert_int_eq(rtt_req(RTM_ADD, SA(&net), 32, SA(&gw),
		    RTF_GATEWAY, NULL), 0);
		dst.sin6_port = htons(81);
		rt = rtcache_lookup2(&ro, SA(&dst), 1, &hit);
		ck_assert_int_eq(rt->rt_plen, i < 2 ? 32 : 0);
		INV(&ro);
		rtcache_free(&ro);
		ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&net), 32, NULL, 0,
		    NULL), 0);
		ck_assert_int_eq(rtt_req(RTM_DELETE, SA(&any), 0, NULL, 0,
		    NULL), 0);
	}
	ck_assert_uint_eq(rtt_sockaddrs_out(), 0);
}
END_TEST

/* Switching policy with live caches never lets a stale entry through. */
START_TEST(test_policy_switch)
{
	struct route ro;
	struct sockaddr_in dst = rtt_sin("10.1.2.3", 0);
	int hit;

	setpolicy("none");
	memset(&ro, 0, sizeof(ro));
	add4("0.0.0.0", 0, "192.168.0.1");
	ck_assert_ptr_nonnull(rtcache_lookup(&ro, SA(&dst)));
	add4("10.1.0.0", 16, "192.168.0.2");
	ck_assert_int_eq(rtcache_lookup(&ro, SA(&dst))->rt_plen, 0); /* bug */
	setpolicy("generation");
	ck_assert_int_eq(rtcache_lookup2(&ro, SA(&dst), 1, &hit)->rt_plen, 16);
	ck_assert_int_eq(hit, 0);
	INV(&ro);
	setpolicy("list");
	ck_assert_int_eq(rtcache_lookup2(&ro, SA(&dst), 1, &hit)->rt_plen, 16);
	ck_assert_int_eq(hit, 0);
	ck_assert_int_eq(rtcache_lookup2(&ro, SA(&dst), 1, &hit)->rt_plen, 16);
	ck_assert_int_eq(hit, 1);
	INV(&ro);
	rtcache_free(&ro);
}
END_TEST

/* Invariants catch corruption (each check can fail). */
START_TEST(test_invariants_detect)
{
	struct route ro, bad;
	struct sockaddr_in dst = rtt_sin("10.1.2.3", 0);
	struct rtentry *rt;

	memset(&ro, 0, sizeof(ro));
	add4("0.0.0.0", 0, "192.168.0.1");
	rt = rtcache_lookup(&ro, SA(&dst));
	INV(&ro);
	bad = ro;			/* a copy by assignment: not linked */
	ck_assert_int_eq(rtcache_invariants(&bad), 3);
	bad.ro_sa = NULL;
	ck_assert_int_eq(rtcache_invariants(&bad), 1);
	memset(&bad, 0, sizeof(bad));
	bad.ro_invalid = 1;
	ck_assert_int_eq(rtcache_invariants(&bad), 2);
	bad.ro_invalid = 0;
	bad.ro_busy = 1;
	ck_assert_int_eq(rtcache_invariants(&bad), 7);
	ro.ro_invalid = 1;		/* says invalid, is on the valid list */
	ck_assert_int_eq(rtcache_invariants(&ro), 3);
	ro.ro_invalid = 0;
	rt_ref(rt);			/* fine: more refs than holders */
	INV(&ro);
	rtfree(rt);
	rt->rt_refcnt--;		/* fewer refs than holders */
	ck_assert_int_eq(rtcache_invariants(&ro), 4);
	rt->rt_refcnt++;
	INV(&ro);
	rtcache_free(&ro);
}
END_TEST

/*
 * Allocation failure at each site of the cache path: the destination
 * sockaddr (rtcache_setdst: ENOMEM, getdst NULL), and the route
 * addition (ENOBUFS); every pool returns to zero.
 */
START_TEST(test_rtcache_exhaust)
{
	static const int fams[] = { AF_INET, AF_INET6, AF_ISO, AF_LINK,
	    AF_LOCAL };
	struct route ro;
	struct sockaddr_storage ss;
	struct sockaddr *filler, *sa = (struct sockaddr *)&ss;
	const struct pool *pp;
	size_t i;

	for (i = 0; i < __arraycount(fams); i++) {
		memset(&ro, 0, sizeof(ro));
		memset(&ss, 0, sizeof(ss));
		sa->sa_family = (sa_family_t)fams[i];
		sa->sa_len = (uint8_t)pffinddomain(fams[i])->dom_sa_len;
		filler = sockaddr_alloc(sa->sa_family, PR_NOWAIT);
		ck_assert_int_eq(sockaddr_pool_setlimit(fams[i], 1), 0);
		ck_assert_int_eq(rtcache_setdst(&ro, sa), ENOMEM);
		ck_assert_ptr_null(rtcache_getdst(&ro));
		ck_assert_ptr_null(rtcache_lookup(&ro, sa));
		ck_assert_ptr_null(rtcache_getdst(&ro));
		INV(&ro);
		pp = sockaddr_pool(fams[i]);
		ck_assert_uint_eq(pp->pr_nout, 1);
		ck_assert_uint_ge(pp->pr_nfail, 2);
		sockaddr_free(filler);
		ck_assert_int_eq(rtcache_setdst(&ro, sa), 0);
		ck_assert_ptr_nonnull(rtcache_getdst(&ro));
		/* Same family again: the buffer is reused, no allocation. */
		ck_assert_int_eq(rtcache_setdst(&ro, sa), 0);
		rtcache_free(&ro);
		ck_assert_int_eq(sockaddr_pool_setlimit(fams[i], 0), 0);
		ck_assert_uint_eq(pp->pr_nout, 0);
	}
	ck_assert_uint_eq(rtt_sockaddrs_out(), 0);
}
END_TEST

/*
 * Fail the 1st, 2nd, ... inet allocation of a whole sequence: a cache
 * lookup, a route addition, a second lookup.  Whatever fails must fail
 * with the documented error, and cleanup must return every item.
 */
START_TEST(test_rtcache_exhaust_sequence)
{
	struct route ro;
	struct sockaddr_in dst = rtt_sin("10.1.2.3", 0);
	struct sockaddr_in net = rtt_sin("10.1.0.0", 0);
	struct sockaddr_in gw = rtt_sin("192.168.0.2", 0);
	char v[8], buf[8];
	int k, error, sawenomem = 0, sawenobufs = 0;

	add4("0.0.0.0", 0, "192.168.0.1");	/* 2 inet (key, gw) + mask */
	for (k = 0; k < 8; k++) {
		/* The default route holds 3 (never 0 = "no limit"): k free. */
		memset(&ro, 0, sizeof(ro));
		snprintf(v, sizeof(v), "%u",
		    sockaddr_pool(AF_INET)->pr_nout + (unsigned)k);
		ck_assert_int_eq(sysctl_byname_text(
		    "kern.sockaddr.pool.inet.limit", buf, sizeof(buf), v), 0);
		error = rtcache_setdst(&ro, SA(&dst));
		if (error != 0) {
			ck_assert_int_eq(error, ENOMEM);
			ck_assert_ptr_null(rtcache_getdst(&ro));
			sawenomem++;
		} else {
			ck_assert_ptr_nonnull(rtcache_init(&ro));
		}
		error = rtt_req(RTM_ADD, SA(&net), 16, SA(&gw), RTF_GATEWAY,
		    NULL);
		if (error != 0) {
			ck_assert_int_eq(error, ENOBUFS);
			sawenobufs++;
		}
		INV(&ro);
		if (rtcache_getdst(&ro) != NULL) {
			ck_assert_int_eq(rtcache_lookup(&ro, SA(&dst))->rt_plen,
			    error == 0 ? 16 : 0);
		}
		rtcache_free(&ro);
		INV(&ro);
		if (error == 0)
			del4("10.1.0.0", 16);
		ck_assert_int_eq(sysctl_byname_text(
		    "kern.sockaddr.pool.inet.limit", buf, sizeof(buf), "0"), 0);
		ck_assert_uint_eq(sockaddr_pool(AF_INET)->pr_nout, 3);
		ck_assert_uint_eq(stat_now().rts_trash, 0);
	}
	ck_assert_int_eq(sawenomem, 1);		/* k = 0 */
	ck_assert_int_eq(sawenobufs, 4);	/* k = 0..3 */
	del4("0.0.0.0", 0);
	ck_assert_uint_eq(rtt_sockaddrs_out(), 0);
}
END_TEST

static Suite *
rtcache_suite(void)
{
	Suite *s = suite_create("rtcache");
	TCase *tc;

	tc = tcase_create("rtcache");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rtcache_empty);
	tcase_add_test(tc, test_rtcache_functions);
	tcase_add_test(tc, test_rtcache_delete_referenced);
	tcase_add_test(tc, test_rtflushall_list);
	tcase_add_test(tc, test_pr3508_none);
	tcase_add_test(tc, test_pr3508_list);
	tcase_add_test(tc, test_pr3508_generation);
	tcase_add_test(tc, test_pr3508_inet6);
	tcase_add_test(tc, test_policy_switch);
	tcase_add_test(tc, test_invariants_detect);
	tcase_add_test(tc, test_rtcache_exhaust);
	tcase_add_test(tc, test_rtcache_exhaust_sequence);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return rtt_main(rtcache_suite());
}
