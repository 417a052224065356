/*
 * Helpers shared by the routing-core tests (test_route.c, test_rtcache.c,
 * test_route_race.c, bench_route.c): address constructors and route
 * requests through a test interface.
 */
#ifndef _KNIT_TESTS_ROUTE_TEST_H_
#define _KNIT_TESTS_ROUTE_TEST_H_

#include "sys/domain.h"
#include "sys/pool.h"
#include "net/if.h"
#include "net/if_dl.h"
#include "net/route.h"
#include "netinet/in.h"
#include "netinet6/in6.h"
#include "netiso/iso.h"

/*
 * One interface with one address: every test route goes out through it.
 * The address holds a reference of its own that is never dropped, so the
 * interface layer's ifafree (when linked) never frees this static object.
 */
static struct ifnet rtt_ifp = { .if_xname = "test0", .if_index = 1 };
static struct ifaddr rtt_ifa = { .ifa_ifp = &rtt_ifp, .ifa_refcnt = 1 };

/* "a.b.c.d" in network order (the tests only pass well-formed text). */
static inline struct in_addr
rtt_inaddr(const char *s)
{
	unsigned b[4] = { 0, 0, 0, 0 };
	int i = 0;
	struct in_addr a;

	for (; *s != '\0'; s++) {
		if (*s == '.')
			i++;
		else
			b[i] = b[i] * 10 + (unsigned)(*s - '0');
	}
	a.s_addr = htonl(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
	return a;
}

static inline struct sockaddr_in
rtt_sin(const char *s, int port)
{
	struct sockaddr_in sin;
	struct in_addr a = rtt_inaddr(s);

	memset(&sin, 0, sizeof(sin));
	sockaddr_in_init(&sin, &a, htons((uint16_t)port));
	return sin;
}

static inline struct sockaddr_in
rtt_sin_u32(uint32_t host_order)
{
	struct sockaddr_in sin;
	struct in_addr a = { htonl(host_order) };

	memset(&sin, 0, sizeof(sin));
	sockaddr_in_init(&sin, &a, 0);
	return sin;
}

static inline struct sockaddr_in6
rtt_sin6_words(uint64_t hi, uint64_t lo, int port)
{
	struct sockaddr_in6 sin6;
	struct in6_addr a;
	int i;

	for (i = 0; i < 8; i++) {
		a.s6_addr[i] = (uint8_t)(hi >> (56 - 8 * i));
		a.s6_addr[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
	memset(&sin6, 0, sizeof(sin6));
	sockaddr_in6_init(&sin6, &a, htons((uint16_t)port), 0, 0);
	return sin6;
}

#define SA(x)	((const struct sockaddr *)(const void *)(x))

/* rtrequest1 through the test interface, prefix given as a length. */
static inline int
rtt_req(int req, const struct sockaddr *dst, int plen,
    const struct sockaddr *gw, int flags, struct rtentry **ret)
{
	struct rt_addrinfo info;
	struct sockaddr_storage mask;

	memset(&info, 0, sizeof(info));
	info.info_dst = dst;
	info.info_gateway = gw;
	if (plen >= 0)
		info.info_netmask = rt_plen2mask(dst->sa_family, plen, &mask);
	info.rti_flags = flags;
	info.rti_ifa = &rtt_ifa;
	info.rti_ifp = &rtt_ifp;
	return rtrequest1(req, &info, ret);
}

/* Outstanding items of every sockaddr pool of this host. */
static inline unsigned
rtt_sockaddrs_out(void)
{
	static const int fams[] = { AF_LOCAL, AF_INET, AF_ISO, AF_LINK,
	    AF_INET6 };
	unsigned n = 0;
	size_t i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		n += sockaddr_pool(fams[i])->pr_nout;
	return n;
}

/* Run one suite (Check), exit status as usual. */
#ifdef CHECK_H
static inline int
rtt_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? 0 : 1;
}
#endif

#endif /* !_KNIT_TESTS_ROUTE_TEST_H_ */
