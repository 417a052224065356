/*
 * Communication domains (address families), NetBSD style.
 *
 * A struct domain describes a family: its name, its sockaddr (size,
 * comparison window, wildcard address), and its protocols.  The
 * descriptions are global and constant after link time; what belongs to a
 * host -- the family's sockaddr pool and its list of live route caches
 * (dom_rtcache) -- lives in a per-host (VNET) struct domain_vnet reached
 * through DOM_SA_POOL(dom) and DOM_RTCACHE(dom).  A pointer to a domain is
 * therefore valid in every host.
 *
 * The domains themselves (AF_LOCAL, AF_INET, AF_ISO, AF_LINK, AF_INET6,
 * AF_ROUTE) are defined in stack/kern/uipc_domain.c.
 *
 * Extension point for protocol owners: a family's protocol switch is not
 * listed here.  Define, in your own file, a
 *
 *	const struct domain_protocols inet_domain_protocols = {
 *		.dp_protosw = inetsw,
 *		.dp_protoswNPROTOSW = &inetsw[__arraycount(inetsw)],
 *		.dp_init = ...,		(per host, may be NULL)
 *	};
 *
 * with one of the names declared below; the domain picks it up through a
 * weak reference (no registration call, no edit of uipc_domain.c).  A
 * family whose object is absent has no protocols: dom_protocols is NULL.
 */
#ifndef _KNIT_SYS_DOMAIN_H_
#define _KNIT_SYS_DOMAIN_H_

#include "sys/pool.h"
#include "sys/queue.h"
#include "sys/socket.h"
#include "sys/vnet.h"

struct protosw;
struct mbuf;
struct lwp;
struct route;

LIST_HEAD(dom_rtlist, route);

/* Supplied by the owner of a family's protocols (see above). */
struct domain_protocols {
	const struct protosw *dp_protosw;	/* first protocol */
	const struct protosw *dp_protoswNPROTOSW; /* one past the last */
	void	(*dp_init)(void);		/* per host, may be NULL */
	/* Control messages (SCM_RIGHTS): AF_LOCAL only, may be NULL. */
	int	(*dp_externalize)(struct mbuf *, struct lwp *, int);
	void	(*dp_dispose)(struct mbuf *);
};

extern const struct domain_protocols local_domain_protocols __attribute__((__weak__));
extern const struct domain_protocols inet_domain_protocols __attribute__((__weak__));
extern const struct domain_protocols inet6_domain_protocols __attribute__((__weak__));
extern const struct domain_protocols link_domain_protocols __attribute__((__weak__));
extern const struct domain_protocols iso_domain_protocols __attribute__((__weak__));
extern const struct domain_protocols route_domain_protocols __attribute__((__weak__));

struct domain {
	int		 dom_family;	/* AF_xxx */
	const char	*dom_name;	/* "internet", ... */
	void		(*dom_init)(void); /* per host, may be NULL */
	const struct domain_protocols *dom_protocols; /* NULL: none yet */

	/*
	 * Sockaddrs of the family.  dom_sa_len is sizeof the family's
	 * sockaddr (what sockaddr_alloc sets sa_len to); dom_sa_maxlen is
	 * the size of a pool item, the longest sockaddr of the family
	 * (larger than dom_sa_len only for AF_LINK).  0: no pool.
	 */
	socklen_t	 dom_sa_len;
	socklen_t	 dom_sa_maxlen;
	const char	*dom_sa_poolname; /* knob kern.sockaddr.pool.<name> */
	/*
	 * sockaddr_cmp compares only bytes [cmpofs, cmpofs + cmplen) when
	 * cmplen != 0 (AF_INET: sin_addr, so the port does not matter),
	 * else uses dom_sockaddr_cmp if set, else the whole sockaddr.
	 * A family with cmplen != 0 has a routing table keyed on that window.
	 */
	int		 dom_sa_cmpofs;
	int		 dom_sa_cmplen;
	int		(*dom_sockaddr_cmp)(const struct sockaddr *,
			    const struct sockaddr *);
	const struct sockaddr *dom_sa_any; /* wildcard address; may be NULL */
};

/* What a host keeps per family. */
struct domain_vnet {
	struct pool	 dv_sa_pool;	/* sockaddrs of the family */
	char		 dv_sa_poolname[32];
	struct dom_rtlist dv_rtcache;	/* live (valid) route caches */
	unsigned	 dv_nrtcache;	/* number of caches on dv_rtcache */
};

VNET_DECLARE(struct domain_vnet, domain_vnet[AF_MAX]);
#define DOM_VNET(dom)		(&VNET(domain_vnet)[(dom)->dom_family])
#define DOM_SA_POOL(dom)	(&DOM_VNET(dom)->dv_sa_pool)
#define DOM_RTCACHE(dom)	(&DOM_VNET(dom)->dv_rtcache)

/* The domains, in ascending family order, NULL-terminated. */
extern struct domain *const domains[];
#define DOMAIN_FOREACH(dom)						\
	for (struct domain *const *dom##_p_ = domains;			\
	    ((dom) = *dom##_p_) != NULL; dom##_p_++)

extern struct domain localdomain, inetdomain, isodomain, linkdomain,
	    inet6domain, routedomain;

struct domain	*pffinddomain(int family);	/* NULL if unknown */

static inline const struct protosw *
domain_protosw(const struct domain *dom)
{
	return dom->dom_protocols != NULL ?
	    dom->dom_protocols->dp_protosw : NULL;
}

static inline const struct protosw *
domain_protosw_end(const struct domain *dom)
{
	return dom->dom_protocols != NULL ?
	    dom->dom_protocols->dp_protoswNPROTOSW : NULL;
}

/*
 * Sockaddrs from the family's per-host pool (stack/kern/uipc_domain.c).
 *
 * sockaddr_alloc returns a zeroed sockaddr of the family with sa_family
 * and sa_len (= dom_sa_len) set, or NULL when the pool is exhausted (with
 * PR_NOWAIT) or the family has no pool.  flags goes to pool_get.
 * sockaddr_copy copies src->sa_len bytes like strcpy and KASSERTs that
 * the families are alike; sockaddr_dup is sockaddr_alloc + copy, like
 * strdup.  sockaddr_free puts it back in its family's pool.
 */
struct sockaddr	*sockaddr_alloc(sa_family_t af, int flags);
struct sockaddr	*sockaddr_copy(struct sockaddr *dst,
		    const struct sockaddr *src);
struct sockaddr	*sockaddr_dup(const struct sockaddr *src, int flags);
void		 sockaddr_free(struct sockaddr *);
/* <0, 0, >0; AF_INET/AF_INET6 compare only the address (see above). */
int		 sockaddr_cmp(const struct sockaddr *,
		    const struct sockaddr *);
const struct sockaddr *sockaddr_any(const struct sockaddr *);
const struct sockaddr *sockaddr_any_by_family(int family);
/* The address bytes of sa (the comparison window) and their length. */
const void	*sockaddr_const_addr(const struct sockaddr *, socklen_t *);
/* "10.0.0.1", "fe80::1%3", "link#2", ...: for messages and tests. */
int		 sockaddr_format(const struct sockaddr *, char *, size_t);

/* Pool capacity of a family on this host (0: unlimited). */
int		 sockaddr_pool_setlimit(int family, unsigned limit);
const struct pool *sockaddr_pool(int family);	/* NULL if none */

#endif /* !_KNIT_SYS_DOMAIN_H_ */
