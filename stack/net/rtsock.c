/*
 * Routing messages (net/route.h): the PF_ROUTE protocol's work, without
 * the socket.
 *
 * rt_msg_output processes one message written to a routing socket
 * (RTM_ADD, RTM_DELETE, RTM_CHANGE, RTM_GET) and builds the reply that
 * NetBSD's route_output sends back to routing sockets: the request's
 * header with RTF_DONE and the entry's addresses and metrics, or the
 * request itself with rtm_errno set.  The routing-socket protocol (the
 * socket layer's pr_usrreq) hands written messages here and queues the
 * reply for readers.  sysctl net.route.dump lists the tables as the same
 * messages (RTM_GET), one per entry, in walk order, like NET_RT_DUMP.
 *
 * Errors (NetBSD 5.x route_output): EINVAL (short or inconsistent
 * message, no destination, RTM_ADD without a gateway, unknown type),
 * EPROTONOSUPPORT (rtm_version), EACCES (a change by an unprivileged
 * sender), ESRCH (no such route; RTM_CHANGE of a key that is absent),
 * ETOOMANYREFS (RTM_CHANGE: the key exists with other masks only), and
 * whatever rtrequest1 returns.  Replies are built only for messages whose
 * header could be read.
 */

#include "sys/atomic.h"
#include "sys/domain.h"
#include "sys/sysctl.h"
#include "net/if.h"
#include "net/if_dl.h"
#include "net/route.h"
#include "net/route_var.h"

#pragma weak if_byindex
#pragma weak ifunit
#pragma weak ifa_ifwithaddr

/* Longest message we build: header and RTAX_MAX padded sockaddrs. */
#define RT_MSG_MAX	(sizeof(struct rt_msghdr) + RTAX_MAX * 256)

/* The addresses that describe rt in a message; ifp's name in *sdl. */
static void
rt_msg_addrs(const struct rtentry *rt, const struct sockaddr *sa[RTAX_MAX],
    struct sockaddr_dl *sdl)
{
	memset(sa, 0, RTAX_MAX * sizeof(sa[0]));
	sa[RTAX_DST] = rt_getkey(rt);
	sa[RTAX_GATEWAY] = rt->rt_gateway;
	sa[RTAX_NETMASK] = rt_mask(rt);
	if (rt->rt_ifp != NULL &&
	    sockaddr_dl_init(sdl, sizeof(*sdl), rt->rt_ifp->if_index,
	    rt->rt_ifp->if_type, rt->rt_ifp->if_xname,
	    (uint8_t)strnlen(rt->rt_ifp->if_xname, sizeof(sdl->sdl_data)),
	    NULL, 0) != NULL)
		sa[RTAX_IFP] = (const struct sockaddr *)sdl;
	if (rt->rt_ifa != NULL)
		sa[RTAX_IFA] = rt->rt_ifa->ifa_addr;
}

/*
 * Write a message of the given header and addresses into buf (cap
 * bytes); returns its length, which may exceed cap (then buf holds only
 * what fit).
 */
static size_t
rt_msg_build(const struct rt_msghdr *hdr, const struct sockaddr *const
    sa[RTAX_MAX], uint8_t *buf, size_t cap)
{
	struct rt_msghdr rtm = *hdr;
	size_t off = sizeof(rtm), len;
	int i;

	rtm.rtm_addrs = 0;
	for (i = 0; i < RTAX_MAX; i++) {
		if (sa[i] == NULL)
			continue;
		rtm.rtm_addrs |= 1 << i;
		len = RT_ROUNDUP(sa[i]->sa_len);
		if (off + len <= cap) {
			memset(buf + off, 0, len);
			memcpy(buf + off, sa[i], sa[i]->sa_len);
		}
		off += len;
	}
	rtm.rtm_msglen = (u_short)off;
	if (sizeof(rtm) <= cap)
		memcpy(buf, &rtm, sizeof(rtm));
	return off;
}

static void
rt_msg_fromrt(struct rt_msghdr *rtm, const struct rtentry *rt)
{
	rtm->rtm_flags = (int)rt->rt_flags;
	rtm->rtm_use = (int)atomic_load_relaxed_64(&rt->rt_use);
	rtm->rtm_rmx = rt->rt_rmx;
	rtm->rtm_index = rt->rt_ifp != NULL ? rt->rt_ifp->if_index : 0;
}

/* Split the addresses of a message (rt_xaddrs); EINVAL if they overrun. */
static int
rt_msg_xaddrs(const uint8_t *p, const uint8_t *end, int addrs,
    struct rt_addrinfo *info)
{
	const struct sockaddr *sa;
	int i;

	for (i = 0; i < RTAX_MAX; i++) {
		if ((addrs & (1 << i)) == 0)
			continue;
		if (p + 2 > end)
			return EINVAL;
		sa = (const struct sockaddr *)(const void *)p;
		if (sa->sa_len < 2 || p + sa->sa_len > end)
			return EINVAL;
		info->rti_info[i] = sa;
		p += RT_ROUNDUP(sa->sa_len);
	}
	return 0;
}

/* The interface named by RTA_IFP / RTA_IFA, when the layer is linked. */
static void
rt_msg_ifp(struct rt_addrinfo *info)
{
	const struct sockaddr *ifpsa = info->rti_info[RTAX_IFP];
	const struct sockaddr *ifasa = info->rti_info[RTAX_IFA];
	const struct sockaddr_dl *sdl;
	char name[IFNAMSIZ];

	if (ifpsa != NULL && ifpsa->sa_family == AF_LINK) {
		sdl = satocsdl(ifpsa);
		if (sdl->sdl_index != 0 && if_byindex != NULL)
			info->rti_ifp = if_byindex(sdl->sdl_index);
		else if (sdl->sdl_nlen != 0 && sdl->sdl_nlen < IFNAMSIZ &&
		    ifunit != NULL) {
			memcpy(name, sdl->sdl_data, sdl->sdl_nlen);
			name[sdl->sdl_nlen] = '\0';
			info->rti_ifp = ifunit(name);
		}
	}
	if (ifasa != NULL && ifa_ifwithaddr != NULL)
		info->rti_ifa = ifa_ifwithaddr(ifasa);
}

/* RTM_GET: exact with a netmask, else the longest match (rn_lookup). */
static int
rt_msg_get(struct rt_addrinfo *info, struct rtentry **rtp)
{
	if (info->rti_info[RTAX_NETMASK] != NULL &&
	    (info->rti_flags & RTF_HOST) == 0)
		return rtrequest1(RTM_GET, info, rtp);
	if ((*rtp = rtalloc1(info->rti_info[RTAX_DST], 0)) == NULL)
		return ESRCH;
	return 0;
}

int
rt_msg_output(const void *msg, size_t len, int privileged, void *reply,
    size_t replycap, size_t *replylenp)
{
	struct rt_msghdr rtm;
	struct rt_addrinfo info;
	struct rtentry *rt = NULL, *lpm;
	const struct sockaddr *sa[RTAX_MAX];
	struct sockaddr_dl sdl;
	const uint8_t *p = msg;
	int error;

	*replylenp = 0;
	if (len < sizeof(rtm))
		return EINVAL;
	memcpy(&rtm, msg, sizeof(rtm));
	if (rtm.rtm_msglen != len)
		return EINVAL;
	memset(&info, 0, sizeof(info));
	if (rtm.rtm_version != RTM_VERSION) {
		error = EPROTONOSUPPORT;
		goto out;
	}
	if (rtm.rtm_type != RTM_GET && !privileged) {
		error = EACCES;
		goto out;
	}
	error = rt_msg_xaddrs(p + sizeof(rtm), p + len, rtm.rtm_addrs, &info);
	if (error != 0)
		goto out;
	if (info.rti_info[RTAX_DST] == NULL) {
		error = EINVAL;
		goto out;
	}
	info.rti_flags = rtm.rtm_flags;
	info.rti_inits = rtm.rtm_inits;
	info.rti_rmx = rtm.rtm_rmx;
	switch (rtm.rtm_type) {
	case RTM_ADD:
		if (info.rti_info[RTAX_GATEWAY] == NULL) {
			error = EINVAL;
			break;
		}
		rt_msg_ifp(&info);
		error = rtrequest1(RTM_ADD, &info, &rt);
		break;
	case RTM_DELETE:
		error = rtrequest1(RTM_DELETE, &info, &rt);
		break;
	case RTM_GET:
		error = rt_msg_get(&info, &rt);
		break;
	case RTM_CHANGE:
		/* First the exact entry, as route_output's RTM_GET step. */
		error = rtrequest1(RTM_GET, &info, NULL);
		if (error == ESRCH &&
		    (lpm = rtalloc1(info.rti_info[RTAX_DST], 0)) != NULL) {
			/* The key is there, only with other masks. */
			if (sockaddr_cmp(rt_getkey(lpm),
			    info.rti_info[RTAX_DST]) == 0)
				error = ETOOMANYREFS;
			rtfree(lpm);
		}
		if (error != 0)
			break;
		if (info.rti_info[RTAX_GATEWAY] != NULL ||
		    info.rti_info[RTAX_IFP] != NULL ||
		    info.rti_info[RTAX_IFA] != NULL)
			rt_msg_ifp(&info);
		error = rtrequest1(RTM_CHANGE, &info, &rt);
		break;
	default:
		error = EINVAL;
		break;
	}
out:
	rtm.rtm_errno = error;
	if (error == 0 && rt != NULL) {
		rt_msg_fromrt(&rtm, rt);
		rtm.rtm_flags |= RTF_DONE;
		rt_msg_addrs(rt, sa, &sdl);
		*replylenp = rt_msg_build(&rtm, sa, reply, replycap);
		rtfree(rt);
	} else {
		/* The request itself, with the error. */
		if (len <= replycap) {
			memcpy(reply, msg, len);
			memcpy(reply, &rtm, sizeof(rtm));
		}
		*replylenp = len;
	}
	return error;
}

/* ---- sysctl net.route.dump ---- */

struct rt_dumparg {
	uint8_t		*da_buf;	/* NULL: only measure */
	size_t		 da_cap;
	size_t		 da_len;
};

static int
rt_dump1(struct rtentry *rt, void *arg)
{
	struct rt_dumparg *da = arg;
	struct rt_msghdr rtm;
	const struct sockaddr *sa[RTAX_MAX];
	struct sockaddr_dl sdl;
	uint8_t msg[RT_MSG_MAX];
	size_t n;

	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_version = RTM_VERSION;
	rtm.rtm_type = RTM_GET;
	rt_msg_fromrt(&rtm, rt);
	rt_msg_addrs(rt, sa, &sdl);
	n = rt_msg_build(&rtm, sa, msg, sizeof(msg));
	KASSERT(n <= sizeof(msg));
	if (da->da_buf != NULL && da->da_len + n <= da->da_cap)
		memcpy(da->da_buf + da->da_len, msg, n);
	da->da_len += n;
	return 0;
}

/* The bug corpus switch and the routing sockets (rtsock_proto.c). */
VNET_DECLARE(int, debug_bug_rtsock_order);
int	rts_count(void);

static int
rt_dump_sysctl(const struct sysctl_oid *oid, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	struct rt_dumparg da;
	struct domain *dom;

	(void)oid;
	(void)newp;
	(void)newlen;
	if (oldlenp == NULL)
		return 0;
	da.da_buf = oldp;
	da.da_cap = *oldlenp;
	da.da_len = 0;
	/* BUG CORPUS (debug.bug.rtsock_lock_order, see rtsock_proto.c). */
	if (__predict_false(VNET(debug_bug_rtsock_order))) {
		rw_enter(&V_rt_lock, RW_WRITER);
		(void)rts_count();
		rw_exit(&V_rt_lock);
	}
	DOMAIN_FOREACH(dom)
		(void)rt_walktree((sa_family_t)dom->dom_family, rt_dump1, &da);
	*oldlenp = da.da_len;
	if (oldp != NULL && da.da_len > da.da_cap)
		return ENOMEM;
	return 0;
}

SYSCTL_OID(rt_dump, "net.route.dump", CTLTYPE_STRUCT, CTLFLAG_READONLY,
    NULL, 0, 0, rt_dump_sysctl,
    "Every route of this host as routing messages (RTM_GET), walk order");
