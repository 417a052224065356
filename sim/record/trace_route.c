/*
 * The recorder's view of the routing core: routing entries as plain
 * data.  This file alone includes the stack's headers (struct rtentry,
 * sockaddrs); trace.c formats with libc, whose <netinet/in.h> would
 * clash with ours.
 */
#include <string.h>

#include "sys/socket.h"
#include "netinet/in.h"
#include "netinet6/in6.h"
#include "net/route.h"
#include "sys/mbuf.h"

#include "record/trace.h"

static int
sa_copy(const struct sockaddr *sa, uint8_t out[16])
{
	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr, 16);
		return 6;
	}
	return 0;
}

void
trace_rt_decode(const void *p, struct trace_rt *tr)
{
	static const struct { unsigned f; char c; } letters[] = {
		{ RTF_UP, 'U' }, { RTF_GATEWAY, 'G' }, { RTF_HOST, 'H' },
		{ RTF_REJECT, 'R' }, { RTF_DYNAMIC, 'D' },
		{ RTF_MODIFIED, 'M' }, { RTF_CONNECTED, 'C' },
		{ RTF_LLINFO, 'L' }, { RTF_STATIC, 'S' },
		{ RTF_BLACKHOLE, 'B' }, { RTF_CLONED, 'c' },
		{ RTF_LOCAL, 'l' },
	};
	const struct rtentry *rt = p;
	unsigned flags = rt->rt_flags;
	size_t i, n = 0;

	memset(tr, 0, sizeof(*tr));
	tr->tr_family = sa_copy(rt_getkey(rt), tr->tr_dst);
	tr->tr_plen = rt->rt_plen;
	if ((flags & RTF_GATEWAY) != 0 &&
	    sa_copy(rt->rt_gateway, tr->tr_gw) == tr->tr_family)
		tr->tr_hasgw = tr->tr_family != 0;
	for (i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
		if ((flags & letters[i].f) != 0 && n + 1 < sizeof(tr->tr_flags))
			tr->tr_flags[n++] = letters[i].c;
	tr->tr_flags[n] = '\0';
}

size_t
trace_mbuf_copy(const void *p, uint8_t *buf, size_t len)
{
	const struct mbuf *m;
	size_t n = 0, k;

	for (m = p; m != NULL && n < len; m = m->m_next) {
		if (m->m_len <= 0)
			continue;
		k = (size_t)m->m_len < len - n ? (size_t)m->m_len : len - n;
		memcpy(buf + n, mtod(m, const uint8_t *), k);
		n += k;
	}
	return n;
}

const char *
trace_rtm_name(int req)
{
	switch (req) {
	case RTM_ADD:
		return "add";
	case RTM_DELETE:
		return "delete";
	case RTM_CHANGE:
		return "change";
	default:
		return "?";
	}
}

const char *
trace_policy_name(int policy)
{
	switch (policy) {
	case RTCACHE_POLICY_NONE:
		return "none";
	case RTCACHE_POLICY_LIST:
		return "list";
	case RTCACHE_POLICY_GENERATION:
		return "generation";
	default:
		return "?";
	}
}
