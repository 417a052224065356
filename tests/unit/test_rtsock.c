/*
 * The routing socket through the system calls, on the simulator: what
 * route(8) does.  A root process writes RTM_GET/RTM_DELETE/RTM_ADD
 * messages; every routing socket of the host reads the replies; an
 * unprivileged process may only RTM_GET.  tp_run fails the test on any
 * leaked socket, file, process or mbuf and on any violation.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "sys/proc.h"

struct socket;	/* sys/socketvar.h clashes with net/if.h (softnet_lock) */
#include "sys/syscall.h"
#include "tp.h"
#include "route_test.h"

struct msg {
	uint8_t	mg_buf[512];
	size_t	mg_len;
};

static void
msg_add(struct msg *m, int rtax, const struct sockaddr *sa)
{
	struct rt_msghdr *rtm = (struct rt_msghdr *)(void *)m->mg_buf;

	memcpy(m->mg_buf + m->mg_len, sa, sa->sa_len);
	m->mg_len += RT_ROUNDUP(sa->sa_len);
	rtm->rtm_addrs |= 1 << rtax;
	rtm->rtm_msglen = (u_short)m->mg_len;
}

static void
msg_init(struct msg *m, int type, int flags, int seq)
{
	struct rt_msghdr *rtm = (struct rt_msghdr *)(void *)m->mg_buf;

	memset(m, 0, sizeof(*m));
	m->mg_len = sizeof(*rtm);
	rtm->rtm_version = RTM_VERSION;
	rtm->rtm_type = (u_char)type;
	rtm->rtm_flags = flags;
	rtm->rtm_seq = seq;
	rtm->rtm_msglen = (u_short)m->mg_len;
}

/* Read one message; check it answers seq. */
static const struct rt_msghdr *
xreply(int s, uint8_t *buf, size_t cap, int seq)
{
	const struct rt_msghdr *rtm = (const void *)buf;
	ssize_t n = -1;

	TP_EQ(sys_read(s, buf, cap, &n), 0);
	TP_ASSERT(n >= (ssize_t)sizeof(*rtm));
	TP_EQ(rtm->rtm_msglen, n);
	TP_EQ(rtm->rtm_seq, seq);
	return rtm;
}

static void
root_body(void *arg)
{
	struct sockaddr_in net = rtt_sin("10.1.0.0", 0);
	struct sockaddr_in host = rtt_sin("10.1.2.3", 0);
	struct sockaddr_in gw = rtt_sin("192.168.0.1", 0);
	struct sockaddr_storage mask;
	const struct rt_msghdr *r;
	struct msg m;
	uint8_t buf[512];
	ssize_t n;
	int s, s2;

	(void)arg;
	rt_plen2mask(AF_INET, 16, &mask);
	TP_EQ(sys_socket(PF_ROUTE, SOCK_RAW, 0, &s), 0);
	TP_EQ(sys_socket(PF_ROUTE, SOCK_RAW, 0, &s2), 0);
	TP_EQ(rtt_req(RTM_ADD, SA(&net), 16, SA(&gw), RTF_GATEWAY |
	    RTF_STATIC, NULL), 0);

	/* route get 10.1.2.3: the answer, to both sockets. */
	msg_init(&m, RTM_GET, 0, 1);
	msg_add(&m, RTAX_DST, SA(&host));
	TP_EQ(sys_write(s, m.mg_buf, m.mg_len, &n), 0);
	TP_EQ(n, (ssize_t)m.mg_len);
	r = xreply(s, buf, sizeof(buf), 1);
	TP_EQ(r->rtm_errno, 0);
	TP_EQ(r->rtm_flags, RTF_UP | RTF_GATEWAY | RTF_STATIC | RTF_DONE);
	TP_EQ(r->rtm_addrs & (RTA_DST | RTA_GATEWAY | RTA_NETMASK),
	    RTA_DST | RTA_GATEWAY | RTA_NETMASK);
	r = xreply(s2, buf, sizeof(buf), 1);
	TP_EQ(r->rtm_type, RTM_GET);

	/* route add without an interface for the gateway: the write fails
	 * and the reply carries the error. */
	msg_init(&m, RTM_ADD, RTF_GATEWAY | RTF_HOST, 2);
	msg_add(&m, RTAX_DST, SA(&host));
	msg_add(&m, RTAX_GATEWAY, SA(&gw));
	TP_EQ(sys_write(s, m.mg_buf, m.mg_len, &n), ENETUNREACH);
	r = xreply(s, buf, sizeof(buf), 2);
	TP_EQ(r->rtm_errno, ENETUNREACH);
	r = xreply(s2, buf, sizeof(buf), 2);

	/* route delete 10.1.0.0/16 */
	msg_init(&m, RTM_DELETE, RTF_GATEWAY, 3);
	msg_add(&m, RTAX_DST, SA(&net));
	msg_add(&m, RTAX_NETMASK, (const struct sockaddr *)&mask);
	TP_EQ(sys_write(s, m.mg_buf, m.mg_len, &n), 0);
	r = xreply(s, buf, sizeof(buf), 3);
	TP_EQ(r->rtm_errno, 0);
	TP_ASSERT((r->rtm_flags & RTF_DONE) != 0);
	TP_EQ(rt_count(AF_INET), 0);
	/* Garbage: EINVAL for the writer, nothing to read. */
	TP_EQ(sys_write(s, "hello", 5, &n), EINVAL);
	TP_EQ(sys_close(s2), 0);
	TP_EQ(sys_close(s), 0);
}

static void
user_body(void *arg)
{
	struct sockaddr_in any = rtt_sin("0.0.0.0", 0);
	struct sockaddr_in gw = rtt_sin("192.168.0.1", 0);
	struct sockaddr_storage mask;
	const struct rt_msghdr *r;
	struct msg m;
	uint8_t buf[512];
	ssize_t n;
	int s;

	(void)arg;
	rt_plen2mask(AF_INET, 0, &mask);
	TP_EQ(rtt_req(RTM_ADD, SA(&any), 0, SA(&gw), RTF_GATEWAY, NULL), 0);
	TP_EQ(sys_socket(PF_ROUTE, SOCK_RAW, 0, &s), 0);
	msg_init(&m, RTM_DELETE, RTF_GATEWAY, 9);
	msg_add(&m, RTAX_DST, SA(&any));
	msg_add(&m, RTAX_NETMASK, (const struct sockaddr *)&mask);
	TP_EQ(sys_write(s, m.mg_buf, m.mg_len, &n), EACCES);
	r = xreply(s, buf, sizeof(buf), 9);
	TP_EQ(r->rtm_errno, EACCES);
	TP_EQ(rt_count(AF_INET), 1);
	msg_init(&m, RTM_GET, 0, 10);
	msg_add(&m, RTAX_DST, SA(&gw));
	TP_EQ(sys_write(s, m.mg_buf, m.mg_len, &n), 0);
	r = xreply(s, buf, sizeof(buf), 10);
	TP_EQ(r->rtm_errno, 0);
	TP_EQ(sys_close(s), 0);
	TP_EQ(rtt_req(RTM_DELETE, SA(&any), 0, NULL, 0, NULL), 0);
}

static void
as_root(void *arg)
{
	struct proc *p;
	struct tp_thread *t;

	(void)arg;
	TP_EQ(proc_create("route", 0, 0, &p), 0);
	t = tp_start(p, root_body, NULL);
	tp_join(t);
	proc_exit(p);
}

START_TEST(test_rtsock_root)
{
	uint64_t seed;

	for (seed = 1; seed <= 20; seed++)
		tp_run(seed, 2, as_root, NULL);
}
END_TEST

START_TEST(test_rtsock_unprivileged)
{
	tp_run(1, 2, user_body, NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rtsock");
	TCase *tc = tcase_create("rtsock");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rtsock_root);
	tcase_add_test(tc, test_rtsock_unprivileged);
	suite_add_tcase(s, tc);
	return rtt_main(s);
}
