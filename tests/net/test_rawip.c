/*
 * Raw ICMP sockets through the system-call layer: an echo request built
 * by the process and sent on a raw socket is answered, the reply comes
 * back on that socket with the request's id and seq (the whole IPv4
 * datagram; the bare ICMPv6 message with its hop limit as a control
 * message), and a raw socket of the other protocol receives nothing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tnet.h"
#include "sys/lwp.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/syscall.h"
#include "netinet/in.h"
#include "netinet/ip_icmp.h"
#include "netinet/ip_var.h"
#include "netinet6/icmp6.h"
#include "netinet6/in6.h"

#define MS	1000000ULL

struct rjob {
	const char	*r_dst;
	bool		 r_v6;
	int		 r_sent;	/* sendto's error */
	int		 r_got;		/* replies with our id and seq */
	int		 r_hlim;	/* ttl / hop limit of the reply */
	int		 r_other;	/* datagrams on the other protocol's */
	bool		 r_done;
};

/* Count buf (n bytes) if it is the reply to our request. */
static void
raw_check_reply(struct rjob *j, const uint8_t *buf, ssize_t n,
    const struct msghdr *msg, const struct cmsghdr *cm)
{
	int hl = j->r_v6 ? 0 : (buf[0] & 0x0f) << 2;

	if (n < hl + 16)
		return;
	if (buf[hl] != (j->r_v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) ||
	    buf[hl + 4] != 0x12 || buf[hl + 5] != 0x34 ||
	    buf[hl + 6] != 0 || buf[hl + 7] != 7 ||
	    memcmp(buf + hl + 8, "rawknit!", 8) != 0)
		return;
	j->r_got++;
	if (!j->r_v6)
		j->r_hlim = buf[8];
	else if (msg->msg_controllen >= CMSG_LEN(sizeof(int)) &&
	    cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT)
		memcpy(&j->r_hlim, CMSG_DATA(cm), sizeof(int));
}

static void
raw_pinger(struct rjob *j)
{
	struct sockaddr_storage to;
	uint8_t req[16], buf[256];
	union {
		struct cmsghdr	hdr;
		uint8_t		b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct pollfd pfd;
	struct msghdr msg;
	struct iovec iov;
	ssize_t n;
	int s, o, on = 1, nready = 0, tries;

	memset(&to, 0, sizeof(to));
	if (j->r_v6) {
		struct sockaddr_in6 *sin6 = (void *)&to;

		sin6->sin6_len = sizeof(*sin6);
		sin6->sin6_family = AF_INET6;
		ck_assert(tn_parse6(j->r_dst, &sin6->sin6_addr));
	} else {
		struct sockaddr_in *sin = (void *)&to;

		sin->sin_len = sizeof(*sin);
		sin->sin_family = AF_INET;
		ck_assert(tn_parse4(j->r_dst, &sin->sin_addr));
	}
	ck_assert_int_eq(sys_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP,
	    j->r_v6 ? &o : &s), 0);
	ck_assert_int_eq(sys_socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6,
	    j->r_v6 ? &s : &o), 0);
	ck_assert_int_eq(sys_setsockopt(j->r_v6 ? s : o, IPPROTO_IPV6,
	    IPV6_RECVHOPLIMIT, &on, sizeof(on)), 0);
	memset(req, 0, sizeof(req));
	req[0] = j->r_v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	req[4] = 0x12; req[5] = 0x34;		/* id */
	req[6] = 0x00; req[7] = 0x07;		/* seq */
	memcpy(req + 8, "rawknit!", 8);
	if (!j->r_v6) {
		uint16_t ck = in_cksum_buf(req, sizeof(req));

		memcpy(req + 2, &ck, 2);
	}
	j->r_sent = sys_sendto(s, req, sizeof(req), 0,
	    (struct sockaddr *)(void *)&to, to.ss_len, &n);
	pfd.fd = s;
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* neighbour discovery may come first: wait on until the reply */
	for (tries = 0; j->r_got == 0 && tries < 10; tries++) {
		ck_assert_int_eq(sys_poll(&pfd, 1, 10, &nready), 0);
		if (nready == 0)
			continue;
		for (;;) {
			memset(&msg, 0, sizeof(msg));
			iov.iov_base = buf;
			iov.iov_len = sizeof(buf);
			msg.msg_iov = &iov;
			msg.msg_iovlen = 1;
			msg.msg_control = &cm;
			msg.msg_controllen = sizeof(cm);
			if (sys_recvmsg(s, &msg, MSG_DONTWAIT, &n) != 0)
				break;
			raw_check_reply(j, buf, n, &msg, &cm.hdr);
		}
	}
	pfd.fd = o;
	pfd.revents = 0;
	ck_assert_int_eq(sys_poll(&pfd, 1, 0, &nready), 0);
	j->r_other = nready;
	sys_close(s);
	sys_close(o);
	j->r_done = true;
}

static void
lwp_pinger(void *a)
{
	struct proc *p;

	ck_assert_int_eq(proc_create("rawping", 0, 0, &p), 0);
	proc_attach_lwp(p, curlwp);
	raw_pinger(a);
	proc_detach_lwp(curlwp);
	proc_exit(p);
}

static void
raw_echo(bool v6)
{
	struct tnet t;
	struct host *a, *b;
	struct rjob j;

	memset(&j, 0, sizeof(j));
	j.r_v6 = v6;
	j.r_dst = v6 ? "2001:db8::2" : "10.0.0.2";
	j.r_sent = -1;
	tn_init(&t, 23);
	a = tn_host(&t, "a", 1);
	b = tn_host(&t, "b", 1);
	tn_p2p(&t, "ab", a, b, NULL);
	tn_run(&t, MS);
	ck_assert_int_eq(tn_addr(a, "vnic0", v6 ? "2001:db8::1/64" :
	    "10.0.0.1/24"), 0);
	ck_assert_int_eq(tn_addr(b, "vnic0", v6 ? "2001:db8::2/64" :
	    "10.0.0.2/24"), 0);
	tn_run(&t, 5 * MS);
	host_spawn(a, "rawping", -1, lwp_pinger, &j);
	tn_run(&t, 200 * MS);	/* the pinger gives up after 100 ms */
	ck_assert(j.r_done);
	ck_assert_int_eq(j.r_sent, 0);
	ck_assert_int_eq(j.r_got, 1);
	ck_assert_int_eq(j.r_hlim, 64);	/* b's default, one hop */
	ck_assert_int_eq(j.r_other, 0);
	ck_assert_uint_eq(tn_echo_replies(a, v6 ? AF_INET6 : AF_INET), 1);
	tn_fini(&t);	/* no mbuf left: closed sockets freed their queues */
}

START_TEST(test_rawip_echo_v4)
{
	raw_echo(false);
}
END_TEST

START_TEST(test_rawip_echo_v6)
{
	raw_echo(true);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rawip");
	TCase *tc = tcase_create("rawip");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_rawip_echo_v4);
	tcase_add_test(tc, test_rawip_echo_v6);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
