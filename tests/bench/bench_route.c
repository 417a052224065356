/*
 * Routing-core benchmarks on the pthreads platform (the same stack
 * objects as the simulator, without its scheduling points):
 *
 *   route_rtcache_hit		rtcache_lookup on a valid cache (ns/op)
 *   route_lpm_inet_1e5		rtalloc1 + rtfree, 10^5 IPv4 routes (ns/op)
 *   route_trie_inet_1e5	the trie match alone (ns/op)
 *   route_lpm_inet6_1e5	rtalloc1 + rtfree, 10^5 IPv6 routes
 *   route_trie_inet6_1e5
 *   route_flushall_<policy>_<N>	one rtflushall(AF_INET) with N live
 *				caches, policy list or generation (ns)
 *
 * Options: --runs=N (default 7), --quick (smaller counts, for a smoke run),
 * --only=PART.
 *
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not the wall
 * clock: the figures stay put when the machine is shared and the thread
 * is descheduled.  Short timed sections subtract the clock's own cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "kapi_pthreads.h"
#include "sys/rwlock.h"
#include "sys/sysctl.h"
#include "net/route_var.h"
#include "../unit/route_test.h"

static uint64_t rs = 12345;

static uint64_t
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The cost of an empty timed section (median of many). */
static double
cpu_clock_cost(void)
{
	double v[101];
	uint64_t t0;
	int i;

	for (i = 0; i < 101; i++) {
		t0 = cpu_now();
		v[i] = (double)(cpu_now() - t0);
	}
	return bench_median(v, 101);
}

static uint64_t
rnd(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int nruns = 7;
static int quick;
static const char *only;	/* run only the part of this name */

static int
want(const char *part)
{
	return only == NULL || strcmp(only, part) == 0;
}

static void
bench_hit(void)
{
	struct route ro;
	struct sockaddr_in d = rtt_sin("10.1.2.3", 80);
	struct sockaddr_in d2 = rtt_sin("10.1.2.3", 81);
	struct sockaddr_in g = rtt_sin("192.168.0.1", 0);
	double v[32];
	uint64_t t0, i, n = quick ? 100000 : 10000000;
	int r, hit, hits = 0;

	memset(&ro, 0, sizeof(ro));
	rtt_req(RTM_ADD, SA(&d), 16, SA(&g), RTF_GATEWAY, NULL);
	rtcache_lookup(&ro, SA(&d));
	for (r = 0; r < nruns; r++) {
		t0 = cpu_now();
		for (i = 0; i < n; i++) {
			rtcache_lookup2(&ro, (i & 1) ? SA(&d2) : SA(&d), 1,
			    &hit);
			hits += hit;
		}
		v[r] = (double)(cpu_now() - t0) / (double)n;
	}
	if (hits != (int)(n * (uint64_t)nruns)) {
		fprintf(stderr, "bench_route: hit path missed\n");
		exit(1);
	}
	bench_figure("route_rtcache_hit", bench_median(v, nruns), "ns/op",
	    nruns);
	rtcache_free(&ro);
	rtt_req(RTM_DELETE, SA(&d), 16, NULL, 0, NULL);
}

/* A plausible prefix length: mostly /24, some /16-/23, a few hosts. */
static int
plen_pick(int maxbits)
{
	unsigned x = (unsigned)(rnd() % 100);

	if (maxbits == 32)
		return x < 60 ? 24 : x < 90 ? 16 + (int)(x % 8) : x < 97 ?
		    32 : 8 + (int)(x % 8);
	return x < 60 ? 48 : x < 90 ? 32 + (int)(x % 16) : x < 97 ? 128 :
	    64;
}

static struct sockaddr_storage
addr_pick(int af)
{
	struct sockaddr_storage ss;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		sin = rtt_sin_u32((uint32_t)rnd());
		memcpy(&ss, &sin, sizeof(sin));
	} else {
		/* 2000::/3-style global space, random below */
		sin6 = rtt_sin6_words(0x2000000000000000ULL |
		    (rnd() >> 3), rnd(), 0);
		memcpy(&ss, &sin6, sizeof(sin6));
	}
	return ss;
}

static void
bench_lpm(int af, const char *name, const char *trie_name)
{
	const int nroutes = quick ? 10000 : 100000;
	const int nlook = 1 << 18;
	struct sockaddr_storage g = addr_pick(af);
	struct sockaddr_in6 *look;	/* big enough for either family */
	struct sockaddr_storage d;
	struct rtable *tab = rt_gettable(af);
	struct rtentry *rt;
	struct rtkey *keys;
	double v[32], w[32];
	uint64_t t0;
	int i, r, added = 0, found = 0;

	struct sockaddr_storage *rts = calloc((size_t)nroutes, sizeof(*rts));

	while (added < nroutes) {
		d = addr_pick(af);
		if (rtt_req(RTM_ADD, SA(&d), plen_pick(af == AF_INET ? 32 : 128),
		    SA(&g), RTF_GATEWAY, NULL) == 0)
			rts[added++] = d;
	}
	/*
	 * Lookups: three in four are addresses of added routes (their
	 * prefix with other host bits below it is as likely to match), the
	 * rest random.
	 */
	look = calloc((size_t)nlook, sizeof(*look));
	keys = calloc((size_t)nlook, sizeof(*keys));
	for (i = 0; i < nlook; i++) {
		d = (rnd() & 3) != 0 ? rts[rnd() % (unsigned)nroutes] :
		    addr_pick(af);
		memcpy(&look[i], &d, sizeof(look[i]));
		if (af == AF_INET)
			keys[i].rk_hi = (uint64_t)ntohl(((struct sockaddr_in *)
			    &look[i])->sin_addr.s_addr) << 32;
		else
			memcpy(&keys[i], &((struct sockaddr_in6 *)&look[i])->
			    sin6_addr, 16);
		if (af == AF_INET6) {
			keys[i].rk_hi = __builtin_bswap64(keys[i].rk_hi);
			keys[i].rk_lo = __builtin_bswap64(keys[i].rk_lo);
		}
	}
	for (r = 0; r < nruns; r++) {
		t0 = cpu_now();
		for (i = 0; i < nlook; i++) {
			if ((rt = rtalloc1(SA(&look[i]), 1)) != NULL) {
				found++;
				rtfree(rt);
			}
		}
		v[r] = (double)(cpu_now() - t0) / nlook;
		rw_enter(&V_rt_lock, RW_READER);
		t0 = cpu_now();
		for (i = 0; i < nlook; i++)
			found += rtbl_match(&tab->rtt_tbl, &keys[i]) != NULL;
		w[r] = (double)(cpu_now() - t0) / nlook;
		rw_exit(&V_rt_lock);
	}
	if (found == 0) {
		fprintf(stderr, "bench_route: no lookup matched\n");
		exit(1);
	}
	bench_figure(name, bench_median(v, nruns), "ns/op", nruns);
	bench_figure(trie_name, bench_median(w, nruns), "ns/op", nruns);
	free(look);
	free(keys);
	free(rts);
}

static void
bench_flushall(const char *policy, int ncache)
{
	struct route *ro = calloc((size_t)ncache, sizeof(*ro));
	struct sockaddr_in d;
	double v[32], clk = cpu_clock_cost();
	char name[64], buf[16];
	uint64_t t0, total;
	int i, r, rep, nrep = ncache <= 10 ? 1000 : ncache <= 1000 ? 100 : 3;

	sysctl_byname_text("net.route.invalidation", buf, sizeof(buf), policy);
	for (r = 0; r < nruns; r++) {
		total = 0;
		for (rep = 0; rep < nrep; rep++) {
			for (i = 0; i < ncache; i++) {
				d = rtt_sin_u32(0x0a000000u + (uint32_t)i);
				if (rtcache_lookup(&ro[i], SA(&d)) == NULL) {
					fprintf(stderr, "bench_route: miss\n");
					exit(1);
				}
			}
			t0 = cpu_now();
			rtflushall(AF_INET);
			total += cpu_now() - t0;
		}
		v[r] = (double)total / nrep - clk;
	}
	snprintf(name, sizeof(name), "route_flushall_%s_%d", policy, ncache);
	bench_figure(name, bench_median(v, nruns), "ns", nruns);
	for (i = 0; i < ncache; i++)
		rtcache_free(&ro[i]);
	free(ro);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in any = rtt_sin("0.0.0.0", 0);
	struct sockaddr_in g = rtt_sin("192.168.0.1", 0);
	uint64_t u;
	int i;

	for (i = 1; i < argc; i++) {
		if (bench_opt_u64(argv[i], "runs", &u))
			nruns = u < 1 ? 1 : u > 31 ? 31 : (int)u;
		else if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else if (strncmp(argv[i], "--only=", 7) == 0)
			only = argv[i] + 7;
		else {
			fprintf(stderr, "usage: bench_route [--runs=N] "
			    "[--quick] [--only=hit|inet|inet6|flushall]\nunknown argument %s\n", argv[i]);
			return 2;
		}
	}
	kapi_pthreads_boot(1);
	if (want("hit"))
		bench_hit();
	if (want("inet"))
		bench_lpm(AF_INET, "route_lpm_inet_1e5", "route_trie_inet_1e5");
	if (want("inet6"))
		bench_lpm(AF_INET6, "route_lpm_inet6_1e5",
		    "route_trie_inet6_1e5");
	rtt_req(RTM_ADD, SA(&any), 0, SA(&g), RTF_GATEWAY, NULL);
	if (want("flushall")) {
		bench_flushall("list", 10);
		bench_flushall("list", 1000);
		bench_flushall("list", quick ? 10000 : 100000);
		bench_flushall("generation", 10);
		bench_flushall("generation", 1000);
		bench_flushall("generation", quick ? 10000 : 100000);
	}
	kapi_pthreads_shutdown();
	return 0;
}
