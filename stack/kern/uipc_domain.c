/*
 * Communication domains and their sockaddrs.
 *
 * The domains (sys/domain.h) are constant descriptions; each host has,
 * per family, a pool of sockaddrs of that family (capacity settable at
 * run time through kern.sockaddr.pool.<family>.limit) and the list of live
 * route caches.  sockaddr_alloc/copy/dup/free/cmp follow the 2007 design
 * that introduced the pools (see ../shared/reference/netbsd.md section 2):
 * one fixed item size per family, flags passed straight to pool_get, and
 * comparison of only the address bytes for AF_INET and AF_INET6 so that
 * route caches hit across ports.
 */

#include <stdio.h>

#include "sys/domain.h"
#include "sys/intr.h"
#include "sys/pool.h"
#include "sys/sysctl.h"
#include "sys/vnet.h"
#include "net/if_dl.h"
#include "netinet/in.h"
#include "netinet6/in6.h"
#include "netiso/iso.h"

/*
 * AF_LOCAL addresses are struct sockaddr_un (sys/un.h): sun_len,
 * sun_family and a 104-byte path, 106 bytes.
 */
#define SOCKADDR_UN_LEN		106

VNET_DEFINE(struct domain_vnet, domain_vnet[AF_MAX]);

static const struct sockaddr_in sockaddr_in_any = {
	.sin_len = sizeof(struct sockaddr_in),
	.sin_family = AF_INET,
};

static const struct sockaddr_in6 sockaddr_in6_any = {
	.sin6_len = sizeof(struct sockaddr_in6),
	.sin6_family = AF_INET6,
};

static const struct sockaddr_iso sockaddr_iso_any = {
	.siso_len = sizeof(struct sockaddr_iso),
	.siso_family = AF_ISO,
};

static const struct sockaddr_dl sockaddr_dl_any = {
	.sdl_len = sizeof(struct sockaddr_dl),
	.sdl_family = AF_LINK,
};

static int	sockaddr_dl_cmp(const struct sockaddr *,
		    const struct sockaddr *);
static int	sockaddr_iso_cmp(const struct sockaddr *,
		    const struct sockaddr *);

struct domain localdomain = {
	.dom_family = AF_LOCAL,
	.dom_name = "unix",
	.dom_protocols = &local_domain_protocols,
	.dom_sa_len = SOCKADDR_UN_LEN,
	.dom_sa_maxlen = SOCKADDR_UN_LEN,
	.dom_sa_poolname = "local",
};

struct domain inetdomain = {
	.dom_family = AF_INET,
	.dom_name = "internet",
	.dom_protocols = &inet_domain_protocols,
	.dom_sa_len = sizeof(struct sockaddr_in),
	.dom_sa_maxlen = sizeof(struct sockaddr_in),
	.dom_sa_poolname = "inet",
	.dom_sa_cmpofs = offsetof(struct sockaddr_in, sin_addr),
	.dom_sa_cmplen = sizeof(struct in_addr),
	.dom_sa_any = (const struct sockaddr *)&sockaddr_in_any,
};

struct domain isodomain = {
	.dom_family = AF_ISO,
	.dom_name = "iso",
	.dom_protocols = &iso_domain_protocols,
	.dom_sa_len = sizeof(struct sockaddr_iso),
	.dom_sa_maxlen = sizeof(struct sockaddr_iso),
	.dom_sa_poolname = "iso",
	.dom_sockaddr_cmp = sockaddr_iso_cmp,
	.dom_sa_any = (const struct sockaddr *)&sockaddr_iso_any,
};

struct domain linkdomain = {
	.dom_family = AF_LINK,
	.dom_name = "link",
	.dom_protocols = &link_domain_protocols,
	.dom_sa_len = sizeof(struct sockaddr_dl),
	.dom_sa_maxlen = SOCKADDR_DL_MAXLEN,
	.dom_sa_poolname = "link",
	.dom_sockaddr_cmp = sockaddr_dl_cmp,
	.dom_sa_any = (const struct sockaddr *)&sockaddr_dl_any,
};

struct domain inet6domain = {
	.dom_family = AF_INET6,
	.dom_name = "internet6",
	.dom_protocols = &inet6_domain_protocols,
	.dom_sa_len = sizeof(struct sockaddr_in6),
	.dom_sa_maxlen = sizeof(struct sockaddr_in6),
	.dom_sa_poolname = "inet6",
	.dom_sa_cmpofs = offsetof(struct sockaddr_in6, sin6_addr),
	.dom_sa_cmplen = sizeof(struct in6_addr),
	.dom_sa_any = (const struct sockaddr *)&sockaddr_in6_any,
};

/* The routing socket's domain: protocols only, no sockaddrs. */
struct domain routedomain = {
	.dom_family = AF_ROUTE,
	.dom_name = "route",
	.dom_protocols = &route_domain_protocols,
};

struct domain *const domains[] = {
	&localdomain, &inetdomain, &isodomain, &linkdomain, &inet6domain,
	&routedomain, NULL,
};

static struct domain *const domain_by_family[AF_MAX] = {
	[AF_LOCAL] = &localdomain,
	[AF_INET] = &inetdomain,
	[AF_ISO] = &isodomain,
	[AF_LINK] = &linkdomain,
	[AF_INET6] = &inet6domain,
	[AF_ROUTE] = &routedomain,
};

struct domain *
pffinddomain(int family)
{
	if (family < 0 || family >= AF_MAX)
		return NULL;
	return domain_by_family[family];
}

static void
domain_vnet_init(void)
{
	struct domain *dom;
	struct domain_vnet *dv;

	DOMAIN_FOREACH(dom) {
		dv = DOM_VNET(dom);
		LIST_INIT(&dv->dv_rtcache);
		dv->dv_nrtcache = 0;
		if (dom->dom_sa_maxlen != 0) {
			snprintf(dv->dv_sa_poolname, sizeof(dv->dv_sa_poolname),
			    "sockaddr_%s", dom->dom_sa_poolname);
			pool_init(&dv->dv_sa_pool, dom->dom_sa_maxlen,
			    dv->dv_sa_poolname, IPL_NET);
		}
		if (dom->dom_init != NULL)
			dom->dom_init();
		if (dom->dom_protocols != NULL &&
		    dom->dom_protocols->dp_init != NULL)
			dom->dom_protocols->dp_init();
	}
}

static void
domain_vnet_fini(void)
{
	struct domain *dom;

	DOMAIN_FOREACH(dom) {
		if (dom->dom_sa_maxlen != 0)
			pool_destroy(DOM_SA_POOL(dom));
	}
}

VNET_SYSINIT(domain, VNET_ORDER_DOMAIN, domain_vnet_init, domain_vnet_fini);

/* ---- sockaddr allocation ---- */

static struct domain *
sockaddr_domain(int family)
{
	struct domain *dom = pffinddomain(family);

	if (dom == NULL || dom->dom_sa_maxlen == 0)
		return NULL;
	return dom;
}

struct sockaddr *
sockaddr_alloc(sa_family_t af, int flags)
{
	struct domain *dom;
	struct sockaddr *sa;

	if ((dom = sockaddr_domain(af)) == NULL)
		return NULL;
	sa = pool_get(DOM_SA_POOL(dom), flags);
	if (sa == NULL)
		return NULL;
	memset(sa, 0, dom->dom_sa_maxlen);
	sa->sa_family = af;
	sa->sa_len = (uint8_t)dom->dom_sa_len;
	return sa;
}

struct sockaddr *
sockaddr_copy(struct sockaddr *dst, const struct sockaddr *src)
{
	const struct domain *dom;

	KASSERTMSG(dst->sa_family == src->sa_family,
	    "sockaddr_copy: family %d to %d", src->sa_family,
	    dst->sa_family);
	dom = sockaddr_domain(src->sa_family);
	KASSERTMSG(dom == NULL || src->sa_len <= dom->dom_sa_maxlen,
	    "sockaddr_copy: source too long (%d)", src->sa_len);
	memcpy(dst, src, src->sa_len);
	return dst;
}

struct sockaddr *
sockaddr_dup(const struct sockaddr *src, int flags)
{
	struct sockaddr *dst;

	if ((dst = sockaddr_alloc(src->sa_family, flags)) == NULL)
		return NULL;
	return sockaddr_copy(dst, src);
}

void
sockaddr_free(struct sockaddr *sa)
{
	struct domain *dom = sockaddr_domain(sa->sa_family);

	KASSERTMSG(dom != NULL, "sockaddr_free: family %d has no pool",
	    sa->sa_family);
	pool_put(DOM_SA_POOL(dom), sa);
}

int
sockaddr_pool_setlimit(int family, unsigned limit)
{
	struct domain *dom = sockaddr_domain(family);

	if (dom == NULL)
		return EAFNOSUPPORT;
	pool_sethardlimit(DOM_SA_POOL(dom), limit);
	return 0;
}

const struct pool *
sockaddr_pool(int family)
{
	struct domain *dom = sockaddr_domain(family);

	return dom == NULL ? NULL : DOM_SA_POOL(dom);
}

/* ---- comparison ---- */

/* Compare a and b over their common length, then by length. */
static int
sockaddr_bytecmp(const void *a, size_t alen, const void *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int rc;

	if (n != 0 && (rc = memcmp(a, b, n)) != 0)
		return rc;
	return (int)alen - (int)blen;
}

static int
sockaddr_dl_cmp(const struct sockaddr *sa1, const struct sockaddr *sa2)
{
	const struct sockaddr_dl *sdl1 = satocsdl(sa1);
	const struct sockaddr_dl *sdl2 = satocsdl(sa2);
	int rc;

	if (sdl1->sdl_index != sdl2->sdl_index)
		return (int)sdl1->sdl_index - (int)sdl2->sdl_index;
	rc = sockaddr_bytecmp(sdl1->sdl_data, sdl1->sdl_nlen,
	    sdl2->sdl_data, sdl2->sdl_nlen);
	if (rc != 0)
		return rc;
	rc = sockaddr_bytecmp(CLLADDR(sdl1), sdl1->sdl_alen,
	    CLLADDR(sdl2), sdl2->sdl_alen);
	if (rc != 0)
		return rc;
	return sockaddr_bytecmp(CLLADDR(sdl1) + sdl1->sdl_alen,
	    sdl1->sdl_slen, CLLADDR(sdl2) + sdl2->sdl_alen, sdl2->sdl_slen);
}

static int
sockaddr_iso_cmp(const struct sockaddr *sa1, const struct sockaddr *sa2)
{
	const struct iso_addr *a1 = &satocsiso(sa1)->siso_addr;
	const struct iso_addr *a2 = &satocsiso(sa2)->siso_addr;
	size_t l1 = a1->isoa_len, l2 = a2->isoa_len;

	if (l1 > sizeof(a1->isoa_genaddr))
		l1 = sizeof(a1->isoa_genaddr);
	if (l2 > sizeof(a2->isoa_genaddr))
		l2 = sizeof(a2->isoa_genaddr);
	return sockaddr_bytecmp(a1->isoa_genaddr, l1, a2->isoa_genaddr, l2);
}

int
sockaddr_cmp(const struct sockaddr *sa1, const struct sockaddr *sa2)
{
	const struct domain *dom;
	size_t ofs, end1, end2;

	if (sa1->sa_family != sa2->sa_family)
		return (int)sa1->sa_family - (int)sa2->sa_family;
	/* The route-cache hit: same IPv4 address (inetdomain's window). */
	if (sa1->sa_family == AF_INET && sa1->sa_len >= 8 &&
	    sa2->sa_len >= 8 && __builtin_memcmp(&satocsin(sa1)->sin_addr,
	    &satocsin(sa2)->sin_addr, 4) == 0)
		return 0;
	dom = pffinddomain(sa1->sa_family);
	if (dom != NULL && dom->dom_sockaddr_cmp != NULL)
		return dom->dom_sockaddr_cmp(sa1, sa2);
	if (dom == NULL || dom->dom_sa_cmplen == 0)
		return sockaddr_bytecmp(sa1, sa1->sa_len, sa2, sa2->sa_len);
	/* Only the window [cmpofs, cmpofs + cmplen), clipped to sa_len. */
	ofs = (size_t)dom->dom_sa_cmpofs;
	end1 = end2 = ofs + (size_t)dom->dom_sa_cmplen;
	if (end1 > sa1->sa_len)
		end1 = sa1->sa_len;
	if (end2 > sa2->sa_len)
		end2 = sa2->sa_len;
	/* Fast path for the route-cache hit: whole, equal windows. */
	if (end1 == end2 && end1 - ofs == 4 && ofs + 4 <= end1 &&
	    __builtin_memcmp((const char *)sa1 + ofs, (const char *)sa2 + ofs,
	    4) == 0)
		return 0;
	if (end1 == end2 && end1 - ofs == 16 &&
	    __builtin_memcmp((const char *)sa1 + ofs, (const char *)sa2 + ofs,
	    16) == 0)
		return 0;
	return sockaddr_bytecmp((const char *)sa1 + ofs,
	    end1 > ofs ? end1 - ofs : 0, (const char *)sa2 + ofs,
	    end2 > ofs ? end2 - ofs : 0);
}

const struct sockaddr *
sockaddr_any_by_family(int family)
{
	const struct domain *dom = pffinddomain(family);

	return dom == NULL ? NULL : dom->dom_sa_any;
}

const struct sockaddr *
sockaddr_any(const struct sockaddr *sa)
{
	return sockaddr_any_by_family(sa->sa_family);
}

const void *
sockaddr_const_addr(const struct sockaddr *sa, socklen_t *lenp)
{
	const struct domain *dom = pffinddomain(sa->sa_family);

	if (dom == NULL || dom->dom_sa_cmplen == 0) {
		if (lenp != NULL)
			*lenp = sa->sa_len >= 2 ? sa->sa_len - 2u : 0;
		return sa->sa_data;
	}
	if (lenp != NULL)
		*lenp = (socklen_t)dom->dom_sa_cmplen;
	return (const char *)sa + dom->dom_sa_cmpofs;
}

/* ---- family initialisers ---- */

void
sockaddr_in_init1(struct sockaddr_in *sin, const struct in_addr *addr,
    in_port_t port)
{
	sin->sin_port = port;
	sin->sin_addr = *addr;
	memset(sin->sin_zero, 0, sizeof(sin->sin_zero));
}

struct sockaddr_in *
sockaddr_in_init(struct sockaddr_in *sin, const struct in_addr *addr,
    in_port_t port)
{
	sin->sin_family = AF_INET;
	sin->sin_len = sizeof(*sin);
	sockaddr_in_init1(sin, addr, port);
	return sin;
}

struct sockaddr *
sockaddr_in_alloc(const struct in_addr *addr, in_port_t port, int flags)
{
	struct sockaddr *sa;

	if ((sa = sockaddr_alloc(AF_INET, flags)) == NULL)
		return NULL;
	sockaddr_in_init1(satosin(sa), addr, port);
	return sa;
}

void
sockaddr_in6_init1(struct sockaddr_in6 *sin6, const struct in6_addr *addr,
    in_port_t port, uint32_t flowinfo, uint32_t scope_id)
{
	sin6->sin6_port = port;
	sin6->sin6_flowinfo = flowinfo;
	sin6->sin6_addr = *addr;
	sin6->sin6_scope_id = scope_id;
}

struct sockaddr_in6 *
sockaddr_in6_init(struct sockaddr_in6 *sin6, const struct in6_addr *addr,
    in_port_t port, uint32_t flowinfo, uint32_t scope_id)
{
	sin6->sin6_family = AF_INET6;
	sin6->sin6_len = sizeof(*sin6);
	sockaddr_in6_init1(sin6, addr, port, flowinfo, scope_id);
	return sin6;
}

struct sockaddr *
sockaddr_in6_alloc(const struct in6_addr *addr, in_port_t port,
    uint32_t flowinfo, uint32_t scope_id, int flags)
{
	struct sockaddr *sa;

	if ((sa = sockaddr_alloc(AF_INET6, flags)) == NULL)
		return NULL;
	sockaddr_in6_init1(satosin6(sa), addr, port, flowinfo, scope_id);
	return sa;
}

void
sockaddr_iso_init1(struct sockaddr_iso *siso, const struct iso_addr *addr)
{
	siso->siso_plen = siso->siso_slen = siso->siso_tlen = 0;
	siso->siso_addr = *addr;
	memset(siso->siso_pad, 0, sizeof(siso->siso_pad));
}

struct sockaddr_iso *
sockaddr_iso_init(struct sockaddr_iso *siso, const struct iso_addr *addr)
{
	siso->siso_family = AF_ISO;
	siso->siso_len = sizeof(*siso);
	sockaddr_iso_init1(siso, addr);
	return siso;
}

struct sockaddr_dl *
sockaddr_dl_init(struct sockaddr_dl *sdl, socklen_t socklen,
    uint16_t ifindex, uint8_t iftype, const void *name, uint8_t namelen,
    const void *addr, uint8_t addrlen)
{
	size_t len;

	len = offsetof(struct sockaddr_dl, sdl_data) + namelen + addrlen;
	if (len < sizeof(*sdl))
		len = sizeof(*sdl);
	if (len > socklen || len > SOCKADDR_DL_MAXLEN)
		return NULL;
	memset(sdl, 0, len);
	sdl->sdl_len = (uint8_t)len;
	sdl->sdl_family = AF_LINK;
	sdl->sdl_index = ifindex;
	sdl->sdl_type = iftype;
	sdl->sdl_nlen = namelen;
	sdl->sdl_alen = addrlen;
	sdl->sdl_slen = 0;
	if (namelen != 0)
		memcpy(sdl->sdl_data, name, namelen);
	if (addrlen != 0)
		memcpy(LLADDR(sdl), addr, addrlen);
	return sdl;
}

struct sockaddr *
sockaddr_dl_alloc(uint16_t ifindex, uint8_t iftype, const void *name,
    uint8_t namelen, const void *addr, uint8_t addrlen, int flags)
{
	struct sockaddr *sa;

	if ((sa = sockaddr_alloc(AF_LINK, flags)) == NULL)
		return NULL;
	if (sockaddr_dl_init(satosdl(sa), SOCKADDR_DL_MAXLEN, ifindex, iftype,
	    name, namelen, addr, addrlen) == NULL) {
		sockaddr_free(sa);
		return NULL;
	}
	return sa;
}

/* ---- text form ---- */

static int
sockaddr_format_in6(const struct in6_addr *a, char *buf, size_t len)
{
	int best = -1, bestlen = 0, i, j, n = 0, r;
	uint16_t w[8];

	for (i = 0; i < 8; i++)
		w[i] = (uint16_t)(a->s6_addr[2 * i] << 8 | a->s6_addr[2 * i + 1]);
	/* The longest run (>= 2) of zero words becomes "::". */
	for (i = 0; i < 8; i = j + 1) {
		for (j = i; j < 8 && w[j] == 0; j++)
			continue;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
	}
	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (i == best) {
			r = snprintf(buf + n, len > (size_t)n ? len - n : 0, "::");
			i += bestlen - 1;
		} else {
			r = snprintf(buf + n, len > (size_t)n ? len - n : 0,
			    "%s%x", (i == 0 || i == best + bestlen) ? "" : ":",
			    w[i]);
		}
		if (r < 0)
			return r;
		n += r;
	}
	return n;
}

int
sockaddr_format(const struct sockaddr *sa, char *buf, size_t len)
{
	const uint8_t *b;
	const struct sockaddr_in6 *sin6;
	const struct sockaddr_dl *sdl;
	int n;

	switch (sa->sa_family) {
	case AF_INET:
		b = (const uint8_t *)&satocsin(sa)->sin_addr;
		return snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2],
		    b[3]);
	case AF_INET6:
		sin6 = satocsin6(sa);
		n = sockaddr_format_in6(&sin6->sin6_addr, buf, len);
		if (n >= 0 && sin6->sin6_scope_id != 0)
			n += snprintf(buf + n, len > (size_t)n ? len - n : 0,
			    "%%%u", sin6->sin6_scope_id);
		return n;
	case AF_LINK:
		sdl = satocsdl(sa);
		if (sdl->sdl_nlen != 0)
			return snprintf(buf, len, "%.*s", sdl->sdl_nlen,
			    sdl->sdl_data);
		return snprintf(buf, len, "link#%u", sdl->sdl_index);
	default:
		return snprintf(buf, len, "af%u/%u", sa->sa_family,
		    sa->sa_len);
	}
}

/* ---- knobs: kern.sockaddr.pool.<family>.{limit,inuse} ---- */

static int
sockaddr_pool_sysctl(const struct sysctl_oid *oid, void *oldp,
    size_t *oldlenp, const void *newp, size_t newlen)
{
	const struct domain *dom = oid->oid_arg;

	return sysctl_pool_knob(DOM_SA_POOL(dom), oid->oid_min == 1, oldp,
	    oldlenp, newp, newlen);
}

/*
 * oid_min/oid_max are not a range here: min == max selects the knob
 * (0 limit, 1 inuse), which also disables the registry's range check.
 */
#define SOCKADDR_POOL_KNOBS(fam, dom)					\
	SYSCTL_OID(sockaddr_##fam##_limit,				\
	    "kern.sockaddr.pool." #fam ".limit", CTLTYPE_INT,		\
	    CTLFLAG_READWRITE, &dom, 0, 0, sockaddr_pool_sysctl,	\
	    "Capacity of this host's " #fam " sockaddr pool (0: none)"); \
	SYSCTL_OID(sockaddr_##fam##_inuse,				\
	    "kern.sockaddr.pool." #fam ".inuse", CTLTYPE_INT,		\
	    CTLFLAG_READONLY, &dom, 1, 1, sockaddr_pool_sysctl,		\
	    "Sockaddrs of this family now allocated on this host")

SOCKADDR_POOL_KNOBS(local, localdomain);
SOCKADDR_POOL_KNOBS(inet, inetdomain);
SOCKADDR_POOL_KNOBS(iso, isodomain);
SOCKADDR_POOL_KNOBS(link, linkdomain);
SOCKADDR_POOL_KNOBS(inet6, inet6domain);
