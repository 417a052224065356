/*
 * System calls on Unix-domain sockets: every call's success path and
 * its error paths with NetBSD's errno values.  Each test body runs as a
 * process on a fresh host (tp_run), which also fails the test if a
 * socket, file, process or mbuf leaked.  Compiled once per platform.
 */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "sys/systm.h"
#include "sys/condvar.h"
#include "sys/file.h"
#include "sys/filedesc.h"
#include "sys/lwp.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/socketvar.h"
#include "sys/syscall.h"
#include "sys/uio.h"
#include "sys/un.h"

#include "tp.h"

#define RUN(body)	tp_run(1, 2, (body), NULL)

static int
xsocket(int type)
{
	int fd = -1;

	TP_EQ(sys_socket(AF_LOCAL, type, 0, &fd), 0);
	TP_ASSERT(fd >= 0);
	return fd;
}

static int
xconnect(int type, const char *path)
{
	int s = xsocket(type);

	TP_EQ(tp_connect(s, path), 0);
	return s;
}

static int
xaccept(int ls)
{
	int fd = -1;

	TP_EQ(sys_accept(ls, NULL, NULL, &fd), 0);
	return fd;
}

static void
xsend(int s, const char *msg)
{
	ssize_t n = -1;

	TP_EQ(sys_send(s, msg, strlen(msg), 0, &n), 0);
	TP_EQ(n, (ssize_t)strlen(msg));
}

static void
xrecv(int s, const char *expect)
{
	char buf[256];
	ssize_t n = -1;

	memset(buf, 0, sizeof(buf));
	TP_EQ(sys_recv(s, buf, sizeof(buf) - 1, 0, &n), 0);
	TP_EQ(n, (ssize_t)strlen(expect));
	TP_ASSERT(memcmp(buf, expect, strlen(expect)) == 0);
}

static void
xclose(int fd)
{
	TP_EQ(sys_close(fd), 0);
}

/* ---------------------------------------------------------------- */

static void
body_socket_create(void *arg)
{
	int fd, flags;

	(void)arg;
	fd = xsocket(SOCK_STREAM);
	TP_EQ(fd, 0);			/* lowest free descriptor */
	xclose(fd);
	xclose(xsocket(SOCK_DGRAM));
	xclose(xsocket(SOCK_SEQPACKET));
	TP_EQ(sys_socket(AF_MAX + 3, SOCK_STREAM, 0, &fd), EAFNOSUPPORT);
	TP_EQ(sys_socket(AF_LOCAL, SOCK_RAW, 0, &fd), EPROTOTYPE);
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM, 17, &fd), EPROTONOSUPPORT);
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM | 0x01000000, 0, &fd), EPROTOTYPE);
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM | 0x80000000, 0, &fd), EINVAL);
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM | SOCK_NONBLOCK, 0, &fd), 0);
	TP_EQ(sys_fcntl(fd, F_GETFL, 0, &flags), 0);
	TP_ASSERT((flags & O_NONBLOCK) != 0);
	xclose(fd);
	TP_EQ(sys_close(fd), EBADF);
	TP_EQ(sys_close(-1), EBADF);
}

static void
body_socket_emfile(void *arg)
{
	int fds[FD_NFILES_MAX], fd, i, sv[2];

	(void)arg;
	for (i = 0; i < FD_NFILES_MAX; i++)
		fds[i] = xsocket(SOCK_DGRAM);
	TP_EQ(sys_socket(AF_LOCAL, SOCK_DGRAM, 0, &fd), EMFILE);
	xclose(fds[0]);
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), EMFILE);
	for (i = 1; i < FD_NFILES_MAX; i++)
		xclose(fds[i]);
}

static void
body_bind(void *arg)
{
	struct sockaddr_un sun;
	struct sockaddr_big big, got;
	socklen_t len, glen;
	int s1, s2, s3;

	(void)arg;
	s1 = xsocket(SOCK_STREAM);
	len = tp_mkaddr(&sun, "/tmp/a");
	TP_EQ(sys_bind(s1, (struct sockaddr *)&sun, len), 0);
	TP_EQ(sys_bind(s1, (struct sockaddr *)&sun, len), EINVAL);
	s2 = xsocket(SOCK_STREAM);
	TP_EQ(sys_bind(s2, (struct sockaddr *)&sun, len), EADDRINUSE);
	/* getsockname: the bound name with the length given to bind */
	glen = sizeof(got);
	memset(&got, 0, sizeof(got));
	TP_EQ(sys_getsockname(s1, (struct sockaddr *)&got, &glen), 0);
	TP_EQ(glen, len);
	TP_EQ(got.sb_family, AF_LOCAL);
	TP_ASSERT(strcmp(got.sb_data, "/tmp/a") == 0);
	/* unbound: family only, the length of a struct sockaddr_un */
	glen = sizeof(got);
	memset(&got, 0, sizeof(got));
	TP_EQ(sys_getsockname(s2, (struct sockaddr *)&got, &glen), 0);
	TP_EQ(glen, sizeof(struct sockaddr_un));
	TP_EQ(got.sb_family, AF_LOCAL);
	TP_EQ(got.sb_data[0], 0);
	/* truncation: *namelen is what was stored */
	glen = 4;
	TP_EQ(sys_getsockname(s1, (struct sockaddr *)&got, &glen), 0);
	TP_EQ(glen, 4);
	/* the name outlives the socket, like a socket file */
	xclose(s1);
	TP_EQ(sys_bind(s2, (struct sockaddr *)&sun, len), EADDRINUSE);
	TP_EQ(sys_unlink("/tmp/a"), 0);
	TP_EQ(sys_unlink("/tmp/a"), ENOENT);
	TP_EQ(sys_bind(s2, (struct sockaddr *)&sun, len), 0);
	/* sun_path limits: 253 characters accepted, 254 EINVAL */
	s3 = xsocket(SOCK_DGRAM);
	memset(&big, 0, sizeof(big));
	big.sb_family = AF_LOCAL;
	memset(big.sb_data, 'x', 254);
	TP_EQ(sys_bind(s3, (struct sockaddr *)&big, 2 + 254), EINVAL);
	TP_EQ(sys_bind(s3, (struct sockaddr *)&big, 2 + 253), 0);
	glen = sizeof(got);
	memset(&got, 0, sizeof(got));
	TP_EQ(sys_getsockname(s3, (struct sockaddr *)&got, &glen), 0);
	TP_EQ(glen, 255);
	TP_EQ(strlen(got.sb_data), 253);
	big.sb_data[253] = '\0';
	TP_EQ(sys_unlink(big.sb_data), 0);
	/* empty path, short address, bad descriptor */
	TP_EQ(sys_bind(s3, (struct sockaddr *)&sun, 2), EINVAL);
	xclose(s3);
	s3 = xsocket(SOCK_DGRAM);
	TP_EQ(sys_bind(s3, (struct sockaddr *)&sun, 2), ENOENT);
	TP_EQ(sys_bind(s3, (struct sockaddr *)&sun, 1), EINVAL);
	TP_EQ(sys_bind(s3, NULL, 10), EFAULT);
	TP_EQ(sys_bind(99, (struct sockaddr *)&sun, len), EBADF);
	xclose(s3);
	xclose(s2);
	TP_EQ(sys_unlink("/tmp/a"), 0);
}

static void
body_connect_errors(void *arg)
{
	struct sockaddr_un sun;
	socklen_t len;
	int s, b, l, d;

	(void)arg;
	s = xsocket(SOCK_STREAM);
	len = tp_mkaddr(&sun, "/nonexistent");
	TP_EQ(sys_connect(s, (struct sockaddr *)&sun, len), ENOENT);
	/* bound but not listening */
	b = xsocket(SOCK_STREAM);
	len = tp_mkaddr(&sun, "/b");
	TP_EQ(sys_bind(b, (struct sockaddr *)&sun, len), 0);
	TP_EQ(sys_connect(s, (struct sockaddr *)&sun, len), ECONNREFUSED);
	/* listening, then closed: the stale name refuses */
	l = tp_listen(SOCK_STREAM, "/l");
	xclose(l);
	len = tp_mkaddr(&sun, "/l");
	TP_EQ(sys_connect(s, (struct sockaddr *)&sun, len), ECONNREFUSED);
	/* wrong type */
	d = tp_listen(SOCK_DGRAM, "/d");
	len = tp_mkaddr(&sun, "/d");
	TP_EQ(sys_connect(s, (struct sockaddr *)&sun, len), EPROTOTYPE);
	/* wrong family */
	sun.sun_family = AF_INET;
	TP_EQ(sys_connect(s, (struct sockaddr *)&sun, len), EAFNOSUPPORT);
	/* connected already */
	l = tp_listen(SOCK_STREAM, "/l2");
	len = tp_mkaddr(&sun, "/l2");
	TP_EQ(sys_connect(s, (struct sockaddr *)&sun, len), 0);
	TP_EQ(sys_connect(s, (struct sockaddr *)&sun, len), EISCONN);
	/* listen on a connected socket, connect on a listener */
	TP_EQ(sys_listen(s, 1), EINVAL);
	TP_EQ(sys_connect(l, (struct sockaddr *)&sun, len), EOPNOTSUPP);
	/* a full listen queue refuses (backlog 1: 3/2 * 1 queued) */
	{
		int q, c1, c2, c3;

		q = tp_listen(SOCK_STREAM, "/q");
		TP_EQ(sys_listen(q, 1), 0);
		c1 = xsocket(SOCK_STREAM);
		c2 = xsocket(SOCK_STREAM);
		c3 = xsocket(SOCK_STREAM);
		TP_EQ(tp_connect(c1, "/q"), 0);
		TP_EQ(tp_connect(c2, "/q"), 0);
		TP_EQ(tp_connect(c3, "/q"), ECONNREFUSED);
		xclose(c1);
		xclose(c2);
		xclose(c3);
		xclose(q);
		TP_EQ(sys_unlink("/q"), 0);
	}
	/* listen without a name */
	xclose(b);
	b = xsocket(SOCK_STREAM);
	TP_EQ(sys_listen(b, 1), EINVAL);
	TP_EQ(sys_listen(d, 1), EOPNOTSUPP);
	xclose(b);
	xclose(s);
	xclose(l);
	xclose(d);
	TP_EQ(sys_unlink("/b"), 0);
	TP_EQ(sys_unlink("/l"), 0);
	TP_EQ(sys_unlink("/l2"), 0);
	TP_EQ(sys_unlink("/d"), 0);
}

static void
body_accept(void *arg)
{
	struct sockaddr_big got;
	struct unpcbid id;
	socklen_t glen, idlen;
	pid_t pid;
	int l, c, a, fd, flags;

	(void)arg;
	l = tp_listen(SOCK_STREAM, "/srv");
	TP_EQ(sys_fcntl(l, F_SETFL, O_NONBLOCK, &flags), 0);
	TP_EQ(sys_accept(l, NULL, NULL, &fd), EWOULDBLOCK);
	TP_EQ(sys_accept4(l, NULL, NULL, 0x1, &fd), EINVAL);
	c = xconnect(SOCK_STREAM, "/srv");
	glen = sizeof(got);
	TP_EQ(sys_accept4(l, (struct sockaddr *)&got, &glen, SOCK_NONBLOCK,
	    &a), 0);
	/* the connector is unbound: peer address is the empty name */
	TP_EQ(glen, sizeof(struct sockaddr_un));
	TP_EQ(got.sb_family, AF_LOCAL);
	TP_EQ(sys_fcntl(a, F_GETFL, 0, &flags), 0);
	TP_ASSERT((flags & O_NONBLOCK) != 0);
	/* the accepted socket has the listener's name; so does the peer */
	glen = sizeof(got);
	memset(&got, 0, sizeof(got));
	TP_EQ(sys_getsockname(a, (struct sockaddr *)&got, &glen), 0);
	TP_ASSERT(strcmp(got.sb_data, "/srv") == 0);
	glen = sizeof(got);
	memset(&got, 0, sizeof(got));
	TP_EQ(sys_getpeername(c, (struct sockaddr *)&got, &glen), 0);
	TP_ASSERT(strcmp(got.sb_data, "/srv") == 0);
	glen = sizeof(got);
	memset(&got, 0, sizeof(got));
	TP_EQ(sys_getpeername(l, (struct sockaddr *)&got, &glen), ENOTCONN);
	/* LOCAL_PEEREID both ways */
	TP_EQ(sys_getpid(&pid), 0);
	idlen = sizeof(id);
	TP_EQ(sys_getsockopt(c, SOL_LOCAL, LOCAL_PEEREID, &id, &idlen), 0);
	TP_EQ(idlen, sizeof(id));
	TP_EQ(id.unp_pid, pid);
	TP_EQ(id.unp_euid, 100);
	TP_EQ(id.unp_egid, 100);
	idlen = sizeof(id);
	TP_EQ(sys_getsockopt(a, SOL_LOCAL, LOCAL_PEEREID, &id, &idlen), 0);
	TP_EQ(id.unp_pid, pid);
	idlen = sizeof(id);
	TP_EQ(sys_getsockopt(l, SOL_LOCAL, LOCAL_PEEREID, &id, &idlen),
	    EINVAL);
	/* accept inherits non-blocking mode from the listener */
	xclose(c);
	c = xconnect(SOCK_STREAM, "/srv");
	fd = -1;
	TP_EQ(sys_accept(l, NULL, NULL, &fd), 0);
	TP_EQ(sys_fcntl(fd, F_GETFL, 0, &flags), 0);
	TP_ASSERT((flags & O_NONBLOCK) != 0);
	xclose(fd);
	/* accept on a socket that is not listening */
	TP_EQ(sys_accept(c, NULL, NULL, &fd), EINVAL);
	xclose(c);
	xclose(a);
	xclose(l);
	TP_EQ(sys_unlink("/srv"), 0);
}

static void
body_stream_data(void *arg)
{
	char buf[64];
	ssize_t n;
	int sv[2], v;

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	xsend(sv[0], "hello");
	xsend(sv[0], "world");
	TP_EQ(sys_ioctl(sv[1], FIONREAD, &v), 0);
	TP_EQ(v, 10);
	/* peek leaves the data */
	TP_EQ(sys_recv(sv[1], buf, 3, MSG_PEEK, &n), 0);
	TP_EQ(n, 3);
	TP_ASSERT(memcmp(buf, "hel", 3) == 0);
	/* a stream has no boundaries */
	TP_EQ(sys_recv(sv[1], buf, 7, 0, &n), 0);
	TP_EQ(n, 7);
	TP_ASSERT(memcmp(buf, "hellowo", 7) == 0);
	TP_EQ(sys_read(sv[1], buf, sizeof(buf), &n), 0);
	TP_EQ(n, 3);
	TP_ASSERT(memcmp(buf, "rld", 3) == 0);
	/* nothing there */
	TP_EQ(sys_recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT, &n),
	    EWOULDBLOCK);
	/* write/read in the other direction, MSG_WAITALL */
	TP_EQ(sys_write(sv[1], "abcdef", 6, &n), 0);
	TP_EQ(sys_recv(sv[0], buf, 6, MSG_WAITALL, &n), 0);
	TP_EQ(n, 6);
	/* shutdown(SHUT_WR): the peer reads EOF, we cannot send */
	TP_EQ(sys_shutdown(sv[0], SHUT_WR), 0);
	TP_EQ(sys_recv(sv[1], buf, sizeof(buf), 0, &n), 0);
	TP_EQ(n, 0);
	TP_EQ(sys_send(sv[0], "x", 1, 0, &n), EPIPE);
	TP_EQ(sys_shutdown(sv[0], 7), EINVAL);
	/* the other direction still works */
	xsend(sv[1], "back");
	xrecv(sv[0], "back");
	/* close: EOF for reads, EPIPE for writes */
	xclose(sv[1]);
	TP_EQ(sys_recv(sv[0], buf, sizeof(buf), 0, &n), 0);
	TP_EQ(n, 0);
	TP_EQ(sys_send(sv[0], "x", 1, 0, &n), EPIPE);
	xclose(sv[0]);
}

static void
body_stream_nonblocking(void *arg)
{
	static char big[100000];
	ssize_t n, total = 0;
	int sv[2], on = 1, error;

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	TP_EQ(sys_ioctl(sv[0], FIONBIO, &on), 0);
	/* fill the buffer: a partial count, then EWOULDBLOCK */
	TP_EQ(sys_send(sv[0], big, sizeof(big), 0, &n), 0);
	TP_ASSERT(n > 0 && n < (ssize_t)sizeof(big));
	TP_EQ(sys_send(sv[0], big, sizeof(big), 0, &n), EWOULDBLOCK);
	/* drain and the space comes back */
	do {
		error = sys_recv(sv[1], big, sizeof(big), MSG_DONTWAIT, &n);
		if (error == 0)
			total += n;
	} while (error == 0);
	TP_EQ(error, EWOULDBLOCK);
	TP_ASSERT(total > 0);
	TP_EQ(sys_send(sv[0], big, 10, 0, &n), 0);
	TP_EQ(n, 10);
	xclose(sv[0]);
	xclose(sv[1]);
}

static void
body_unconnected(void *arg)
{
	char buf[8];
	ssize_t n;
	int s;

	(void)arg;
	s = xsocket(SOCK_STREAM);
	TP_EQ(sys_send(s, "x", 1, 0, &n), ENOTCONN);
	TP_EQ(sys_recv(s, buf, sizeof(buf), 0, &n), ENOTCONN);
	TP_EQ(sys_shutdown(s, SHUT_RDWR), ENOTCONN);
	xclose(s);
	s = xsocket(SOCK_DGRAM);
	TP_EQ(sys_send(s, "x", 1, 0, &n), EDESTADDRREQ);
	xclose(s);
}

static void
body_msg_errors(void *arg)
{
	static char big[100000];
	struct msghdr msg;
	struct iovec iov;
	struct timeval tv;
	char cbuf[8];
	ssize_t n;
	int sv[2];

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = big;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = UIO_MAXIOV + 1;
	TP_EQ(sys_sendmsg(sv[0], &msg, 0, &n), EMSGSIZE);
	TP_EQ(sys_recvmsg(sv[0], &msg, 0, &n), EMSGSIZE);
	msg.msg_iovlen = 1;
	/* control shorter than a cmsghdr */
	msg.msg_control = cbuf;
	msg.msg_controllen = 4;
	TP_EQ(sys_sendmsg(sv[0], &msg, 0, &n), EINVAL);
	/* a control message of an unknown type */
	memset(cbuf, 0, sizeof(cbuf));
	{
		char c2[CMSG_SPACE(sizeof(int))];
		struct cmsghdr *cm = (struct cmsghdr *)(void *)c2;

		memset(c2, 0, sizeof(c2));
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = 0x77;
		msg.msg_control = c2;
		msg.msg_controllen = sizeof(c2);
		TP_EQ(sys_sendmsg(sv[0], &msg, 0, &n), EINVAL);
	}
	TP_EQ(sys_sendmsg(sv[0], NULL, 0, &n), EFAULT);
	TP_EQ(sys_send(sv[0], NULL, 5, 0, &n), EFAULT);
	/* SO_SNDTIMEO: a send that cannot make room gives up */
	tv.tv_sec = 0;
	tv.tv_usec = 5000;
	TP_EQ(sys_setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)),
	    0);
	TP_EQ(sys_send(sv[0], big, sizeof(big), 0, &n), 0);
	TP_ASSERT(n > 0 && n < (ssize_t)sizeof(big));	/* partial count */
	TP_EQ(sys_send(sv[0], big, sizeof(big), 0, &n), EWOULDBLOCK);
	xclose(sv[0]);
	xclose(sv[1]);
	TP_EQ(sys_send(sv[0], "x", 1, 0, &n), EBADF);
}

static void
body_dgram(void *arg)
{
	static char big[4096];
	struct sockaddr_un sun, from;
	struct sockaddr_big fromb;
	struct msghdr msg;
	struct iovec iov;
	socklen_t len, flen;
	char buf[64];
	ssize_t n;
	int r, s, b;

	(void)arg;
	r = tp_listen(SOCK_DGRAM, "/dg");
	s = xsocket(SOCK_DGRAM);
	len = tp_mkaddr(&sun, "/dg");
	TP_EQ(sys_sendto(s, "one", 3, 0, (struct sockaddr *)&sun, len, &n),
	    0);
	TP_EQ(n, 3);
	/* from an unbound sender: the empty name */
	flen = sizeof(fromb);
	TP_EQ(sys_recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&fromb,
	    &flen, &n), 0);
	TP_EQ(n, 3);
	TP_EQ(fromb.sb_family, AF_LOCAL);
	TP_EQ(fromb.sb_data[0], '\0');
	/* from a bound sender: its name */
	b = tp_listen(SOCK_DGRAM, "/dgb");
	TP_EQ(sys_sendto(b, "two", 3, 0, (struct sockaddr *)&sun, len, &n),
	    0);
	flen = sizeof(from);
	TP_EQ(sys_recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &flen, &n), 0);
	TP_ASSERT(strcmp(from.sun_path, "/dgb") == 0);
	/* boundaries and truncation */
	TP_EQ(sys_sendto(s, "0123456789", 10, 0, (struct sockaddr *)&sun,
	    len, &n), 0);
	TP_EQ(sys_sendto(s, "ab", 2, 0, (struct sockaddr *)&sun, len, &n),
	    0);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = 4;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	TP_EQ(sys_recvmsg(r, &msg, 0, &n), 0);
	TP_EQ(n, 4);
	TP_ASSERT((msg.msg_flags & MSG_TRUNC) != 0);
	xrecv(r, "ab");
	/* too large for the send buffer */
	TP_EQ(sys_sendto(s, big, sizeof(big), 0, (struct sockaddr *)&sun,
	    len, &n), EMSGSIZE);
	/* connected: send works, sendto is EISCONN */
	TP_EQ(sys_connect(s, (struct sockaddr *)&sun, len), 0);
	xsend(s, "three");
	xrecv(r, "three");
	TP_EQ(sys_sendto(s, "x", 1, 0, (struct sockaddr *)&sun, len, &n),
	    EISCONN);
	/* the receiver's buffer fills up: ENOBUFS */
	for (;;) {
		int error = sys_send(s, big, 2000, 0, &n);

		if (error != 0) {
			TP_EQ(error, ENOBUFS);
			break;
		}
	}
	/* the receiver goes away: the connected sender is reset */
	xclose(r);
	TP_EQ(sys_send(s, "x", 1, 0, &n), ECONNRESET);
	TP_EQ(sys_send(s, "x", 1, 0, &n), EDESTADDRREQ);
	TP_EQ(sys_sendto(s, "x", 1, 0, (struct sockaddr *)&sun, len, &n),
	    ECONNREFUSED);
	xclose(s);
	xclose(b);
	TP_EQ(sys_unlink("/dg"), 0);
	TP_EQ(sys_unlink("/dgb"), 0);
}

static void
body_seqpacket(void *arg)
{
	struct msghdr msg;
	struct iovec iov;
	char buf[64];
	ssize_t n;
	int l, c, a;

	(void)arg;
	l = tp_listen(SOCK_SEQPACKET, "/sp");
	c = xconnect(SOCK_SEQPACKET, "/sp");
	a = xaccept(l);
	xsend(c, "first");
	xsend(c, "second");
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	TP_EQ(sys_recvmsg(a, &msg, 0, &n), 0);
	TP_EQ(n, 5);
	TP_ASSERT((msg.msg_flags & MSG_EOR) != 0);
	iov.iov_len = 3;
	msg.msg_flags = 0;
	TP_EQ(sys_recvmsg(a, &msg, 0, &n), 0);
	TP_EQ(n, 3);
	TP_ASSERT((msg.msg_flags & MSG_TRUNC) != 0);
	/* the rest of the record was discarded */
	TP_EQ(sys_recv(a, buf, sizeof(buf), MSG_DONTWAIT, &n), EWOULDBLOCK);
	xclose(c);
	TP_EQ(sys_recv(a, buf, sizeof(buf), 0, &n), 0);
	TP_EQ(n, 0);
	xclose(a);
	xclose(l);
	TP_EQ(sys_unlink("/sp"), 0);
}

static void
body_socketpair(void *arg)
{
	int sv[2];

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	xsend(sv[0], "s");
	xrecv(sv[1], "s");
	xclose(sv[0]);
	xclose(sv[1]);
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_DGRAM, 0, sv), 0);
	xsend(sv[1], "d");
	xrecv(sv[0], "d");
	xsend(sv[0], "e");
	xrecv(sv[1], "e");
	xclose(sv[0]);
	xclose(sv[1]);
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_SEQPACKET, 0, sv), 0);
	xsend(sv[0], "q");
	xrecv(sv[1], "q");
	xclose(sv[0]);
	xclose(sv[1]);
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_RAW, 0, sv), EPROTOTYPE);
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, NULL), EFAULT);
}

static void
body_rights(void *arg)
{
	int sv[2], xv[2], got, flags, nfiles;

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, xv), 0);
	/* pass xv[0]; the received descriptor is the same socket */
	TP_EQ(tp_send_fd(sv[0], xv[0]), 0);
	TP_EQ(unp_rights_inflight(), 1);
	xclose(xv[0]);
	TP_EQ(tp_recv_fd(sv[1], &got, 256, &flags), 0);
	TP_EQ(unp_rights_inflight(), 0);
	TP_ASSERT(got >= 0);
	xsend(got, "via");
	xrecv(xv[1], "via");
	xclose(got);
	/* a bad descriptor in the message */
	TP_EQ(tp_send_fd(sv[0], 77), EBADF);
	/* a control buffer too small: MSG_CTRUNC and nothing leaks */
	nfiles = (int)file_outstanding();
	TP_EQ(tp_send_fd(sv[0], xv[1]), 0);
	TP_EQ(tp_recv_fd(sv[1], &got, 4, &flags), 0);
	TP_ASSERT((flags & MSG_CTRUNC) != 0);
	TP_EQ(got, -1);
	TP_EQ(unp_rights_inflight(), 0);
	TP_EQ(file_outstanding(), nfiles);
	/* rights left unread are disposed of when the receiver closes */
	TP_EQ(tp_send_fd(sv[0], xv[1]), 0);
	xclose(xv[1]);
	xclose(sv[1]);
	xclose(sv[0]);
}

/* A socket queued on itself, and a cycle of two, are collected. */
static void
body_rights_cycle(void *arg)
{
	uint64_t before;
	int sv[2], i;

	(void)arg;
	before = unp_gc_reclaimed();
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	/* sv[0] into its own receive buffer, sv[1] into sv[1]'s */
	TP_EQ(tp_send_fd(sv[1], sv[0]), 0);
	TP_EQ(tp_send_fd(sv[0], sv[1]), 0);
	TP_EQ(unp_rights_inflight(), 2);
	xclose(sv[0]);
	xclose(sv[1]);
	/* only the collector can free them now */
	for (i = 0; i < 5000 && unp_rights_inflight() != 0; i++) {
		unp_gc_request();
		(void)kpause("gcwait", false, 1, NULL);
	}
	TP_EQ(unp_rights_inflight(), 0);
	TP_ASSERT(unp_gc_reclaimed() > before);
}

static void
body_sockopt(void *arg)
{
	struct linger lg;
	struct timeval tv;
	socklen_t len;
	char buf[8];
	ssize_t n;
	int s, sv[2], v;

	(void)arg;
	s = xsocket(SOCK_STREAM);
	len = sizeof(v);
	TP_EQ(sys_getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len), 0);
	TP_EQ(v, SOCK_STREAM);
	TP_EQ(len, sizeof(int));
	len = sizeof(v);
	TP_EQ(sys_getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len), 0);
	TP_EQ(v, 0);
	v = 1;
	TP_EQ(sys_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
	len = sizeof(v);
	TP_EQ(sys_getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &len), 0);
	TP_ASSERT(v != 0);
	v = 12345;
	TP_EQ(sys_setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
	len = sizeof(v);
	TP_EQ(sys_getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
	TP_EQ(v, 12345);
	v = 0;
	TP_EQ(sys_setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)),
	    EINVAL);
	v = 1 << 30;
	TP_EQ(sys_setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)),
	    ENOBUFS);
	TP_EQ(sys_setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
	lg.l_onoff = 1;
	lg.l_linger = 5;
	TP_EQ(sys_setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	memset(&lg, 0, sizeof(lg));
	len = sizeof(lg);
	TP_EQ(sys_getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len), 0);
	TP_EQ(lg.l_onoff, 1);
	TP_EQ(lg.l_linger, 5);
	TP_EQ(sys_setsockopt(s, SOL_SOCKET, 0x7777, &v, sizeof(v)),
	    ENOPROTOOPT);
	TP_EQ(sys_setsockopt(s, 12345, 1, &v, sizeof(v)), ENOPROTOOPT);
	tv.tv_sec = -1;
	tv.tv_usec = 0;
	TP_EQ(sys_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
	    EDOM);
	TP_EQ(sys_setsockopt(99, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)),
	    EBADF);
	xclose(s);	/* lingering close of an unconnected socket */

	/* SO_RCVTIMEO: a blocking receive gives up with EWOULDBLOCK */
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	tv.tv_sec = 0;
	tv.tv_usec = 20000;
	TP_EQ(sys_setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
	    0);
	memset(&tv, 0, sizeof(tv));
	len = sizeof(tv);
	TP_EQ(sys_getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &len), 0);
	TP_EQ(tv.tv_usec, 20000);
	TP_EQ(sys_recv(sv[0], buf, sizeof(buf), 0, &n), EWOULDBLOCK);
	/* linger on a connected socket: close still completes */
	lg.l_onoff = 1;
	lg.l_linger = 1;
	TP_EQ(sys_setsockopt(sv[1], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)),
	    0);
	xclose(sv[1]);
	xclose(sv[0]);
}

static int
test_ifioctl(struct socket *so, u_long cmd, void *data, struct lwp *l)
{
	(void)so;
	(void)l;
	*(int *)data = (int)(cmd & 0xffff);
	return 0;
}

static void
body_fcntl_ioctl(void *arg)
{
	int (*saved_hook)(struct socket *, u_long, void *, struct lwp *);
	int s, v, r;

	(void)arg;
	s = xsocket(SOCK_STREAM);
	TP_EQ(sys_fcntl(s, F_GETFL, 0, &r), 0);
	TP_EQ(r & O_NONBLOCK, 0);
	TP_EQ(sys_fcntl(s, F_SETFL, O_NONBLOCK, &r), 0);
	TP_EQ(sys_fcntl(s, F_GETFL, 0, &r), 0);
	TP_ASSERT((r & O_NONBLOCK) != 0);
	TP_EQ(sys_fcntl(s, F_SETFD, FD_CLOEXEC, &r), 0);
	TP_EQ(sys_fcntl(s, F_GETFD, 0, &r), 0);
	TP_EQ(r, FD_CLOEXEC);
	TP_EQ(sys_fcntl(s, 9999, 0, &r), EINVAL);
	TP_EQ(sys_fcntl(42, F_GETFL, 0, &r), EBADF);
	v = 0;
	TP_EQ(sys_ioctl(s, FIONBIO, &v), 0);
	TP_EQ(sys_fcntl(s, F_GETFL, 0, &r), 0);
	TP_EQ(r & O_NONBLOCK, 0);
	/* interface ioctls ('i' group) go to the hook, others do not */
	saved_hook = sys_ifioctl_hook;
	sys_ifioctl_hook = NULL;
	TP_EQ(sys_ioctl(s, 0xc0206911UL, &v), EOPNOTSUPP);
	sys_ifioctl_hook = test_ifioctl;
	v = 0;
	TP_EQ(sys_ioctl(s, 0xc0206911UL, &v), 0);
	TP_EQ(v, 0x6911);
	TP_EQ(sys_ioctl(s, 0x20007777UL, &v), EOPNOTSUPP);
	sys_ifioctl_hook = saved_hook;
	TP_EQ(sys_ioctl(42, FIONBIO, &v), EBADF);
	xclose(s);
}

struct poll_arg {
	int	 fd;
};

static void
poll_writer(void *arg)
{
	struct poll_arg *pa = arg;
	ssize_t n;

	(void)kpause("pw", false, 5, NULL);
	TP_EQ(sys_send(pa->fd, "!", 1, 0, &n), 0);
}

static void
body_poll(void *arg)
{
	struct pollfd pfd[3];
	struct poll_arg pa;
	struct tp_thread *t;
	int sv[2], nready;
	char c;
	ssize_t n;

	(void)arg;
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	memset(pfd, 0, sizeof(pfd));
	pfd[0].fd = sv[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = sv[1];
	pfd[1].events = POLLOUT;
	pfd[2].fd = 77;
	pfd[2].events = POLLIN;
	TP_EQ(sys_poll(pfd, 3, 0, &nready), 0);
	TP_EQ(nready, 2);
	TP_EQ(pfd[0].revents, 0);
	TP_EQ(pfd[1].revents, POLLOUT);
	TP_EQ(pfd[2].revents, POLLNVAL);
	/* a timeout with nothing ready */
	TP_EQ(sys_poll(pfd, 1, 10, &nready), 0);
	TP_EQ(nready, 0);
	/* woken by another process's send */
	pa.fd = sv[1];
	t = tp_start(curproc, poll_writer, &pa);
	TP_EQ(sys_poll(pfd, 1, -1, &nready), 0);
	TP_EQ(nready, 1);
	TP_EQ(pfd[0].revents, POLLIN);
	tp_join(t);
	TP_EQ(sys_recv(sv[0], &c, 1, 0, &n), 0);
	/* EOF is readable */
	xclose(sv[1]);
	TP_EQ(sys_poll(pfd, 1, -1, &nready), 0);
	TP_EQ(pfd[0].revents, POLLIN);
	xclose(sv[0]);
	TP_EQ(sys_poll(NULL, 1, 0, &nready), EFAULT);
}

static void
body_sysctl(void *arg)
{
	char text[64], name[128], prev[128];
	socklen_t slen;
	size_t len;
	int v, s, sv[2], n, seen;

	(void)arg;
	/* AF_LOCAL knobs: buffer sizes of new sockets, rights in flight */
	len = sizeof(v);
	TP_EQ(sys_sysctl("net.local.stream.sendspace", &v, &len, NULL, 0), 0);
	TP_EQ(v, 8192);
	v = 5000;
	TP_EQ(sys_sysctl("net.local.stream.sendspace", NULL, NULL, &v,
	    sizeof(v)), 0);
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM, 0, &s), 0);
	slen = sizeof(v);
	TP_EQ(sys_getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &slen), 0);
	TP_EQ(v, 5000);
	xclose(s);
	v = 0;
	TP_EQ(sys_sysctl("net.local.stream.sendspace", NULL, NULL, &v,
	    sizeof(v)), EINVAL);
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	TP_EQ(tp_send_fd(sv[0], sv[0]), 0);
	len = sizeof(v);
	TP_EQ(sys_sysctl("net.local.inflight", &v, &len, NULL, 0), 0);
	TP_EQ(v, 1);
	TP_EQ(sys_sysctl("net.local.inflight", NULL, NULL, &v, sizeof(v)),
	    EPERM);
	xclose(sv[0]);
	xclose(sv[1]);
	len = sizeof(v);
	TP_EQ(sys_sysctl("no.such.knob", &v, &len, NULL, 0), ENOENT);
	TP_EQ(sys_sysctl(NULL, &v, &len, NULL, 0), EFAULT);

	/* The text view sysctl(8) uses: values as text, typed underneath. */
	TP_EQ(sys_sysctl_text("net.local.stream.sendspace", text,
	    sizeof(text), NULL), 0);
	TP_EQ(strcmp(text, "5000"), 0);
	TP_EQ(sys_sysctl_text("net.local.stream.sendspace", NULL, 0, "6000"),
	    0);
	TP_EQ(sys_sysctl_text("net.local.stream.sendspace", text,
	    sizeof(text), NULL), 0);
	TP_EQ(strcmp(text, "6000"), 0);
	TP_EQ(sys_sysctl_text("net.local.stream.sendspace", NULL, 0, "x"),
	    EINVAL);
	TP_EQ(sys_sysctl_text("no.such.knob", text, sizeof(text), NULL),
	    ENOENT);
	/* The walk visits every node once, in strictly increasing order. */
	name[0] = '\0';
	prev[0] = '\0';
	n = 0;
	seen = 0;
	while (sys_sysctl_next(name, name, sizeof(name), NULL, 0) == 0) {
		TP_EQ(strcmp(prev, name) < 0, 1);
		strcpy(prev, name);
		if (strcmp(name, "net.local.stream.sendspace") == 0)
			seen++;
		n++;
	}
	TP_EQ(seen, 1);
	TP_EQ(n > 5, 1);
	TP_EQ(sys_sysctl_next("no.such.knob", name, sizeof(name), NULL, 0),
	    ENOENT);
	TP_EQ(sys_sysctl_next(NULL, name, 2, NULL, 0), ENAMETOOLONG);
}

/*
 * Closing a descriptor wakes the threads blocked on it (accept, recv):
 * they return EBADF, and the socket is then freed (tp_run's leak check).
 */
static void
blocked_accept(void *arg)
{
	int fd;

	TP_EQ(sys_accept(*(int *)arg, NULL, NULL, &fd), EBADF);
}

static void
blocked_recv(void *arg)
{
	char buf[4];
	ssize_t n;

	TP_EQ(sys_recv(*(int *)arg, buf, sizeof(buf), 0, &n), EBADF);
}

static void
body_close_wakes(void *arg)
{
	struct tp_thread *t1, *t2;
	int l, sv[2];

	(void)arg;
	l = tp_listen(SOCK_STREAM, "/cw");
	TP_EQ(sys_socketpair(AF_LOCAL, SOCK_STREAM, 0, sv), 0);
	t1 = tp_start(curproc, blocked_accept, &l);
	t2 = tp_start(curproc, blocked_recv, &sv[0]);
	(void)kpause("cw", false, 5, NULL);
	xclose(l);
	xclose(sv[0]);
	tp_join(t1);
	tp_join(t2);
	xclose(sv[1]);
	TP_EQ(sys_unlink("/cw"), 0);
}

/*
 * A race window on the simulator: hold the connector where unp_connect
 * has dropped its socket lock (probe socket:unp:connect:unlocked) while
 * the listener closes; the connect then finds the name orphaned and is
 * refused.  Without the window the same program connects.
 */
static int window_result;

static void
window_connector(void *arg)
{
	int s;

	(void)arg;
	TP_EQ(sys_socket(AF_LOCAL, SOCK_STREAM, 0, &s), 0);
	window_result = tp_connect(s, "/win");
	xclose(s);
}

static void
body_window(void *arg)
{
	struct tp_thread *t;
	int l;

	(void)arg;
	l = tp_listen(SOCK_STREAM, "/win");
	t = tp_start(NULL, window_connector, NULL);
	(void)kpause("window", false, 2, NULL);
	xclose(l);
	tp_join(t);
	TP_EQ(sys_unlink("/win"), 0);
}

START_TEST(test_window)
{
	if (!tp_is_sim())
		return;
	tp_set_window(NULL, 0);
	window_result = -1;
	RUN(body_window);
	ck_assert_int_eq(window_result, 0);
	tp_set_window("socket:unp:connect:unlocked", 10 * 1000000ULL);
	window_result = -1;
	RUN(body_window);
	tp_set_window(NULL, 0);
	ck_assert_int_eq(window_result, ECONNREFUSED);
}
END_TEST

/* ---------------------------------------------------------------- */

#define T(name)								\
START_TEST(test_##name)							\
{									\
	RUN(body_##name);						\
}									\
END_TEST

T(socket_create)
T(socket_emfile)
T(bind)
T(connect_errors)
T(accept)
T(stream_data)
T(stream_nonblocking)
T(unconnected)
T(dgram)
T(msg_errors)
T(seqpacket)
T(socketpair)
T(rights)
T(rights_cycle)
T(sockopt)
T(fcntl_ioctl)
T(poll)
T(sysctl)
T(close_wakes)

static void
no_process(void *arg)
{
	(void)arg;
}

START_TEST(test_no_process)
{
	int fd;

	/* the seam itself: a body that does nothing leaks nothing */
	RUN(no_process);
	(void)fd;
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("socket");
	TCase *tc = tcase_create("syscalls");
	SRunner *sr;
	int nfail;

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_no_process);
	tcase_add_test(tc, test_socket_create);
	tcase_add_test(tc, test_socket_emfile);
	tcase_add_test(tc, test_bind);
	tcase_add_test(tc, test_connect_errors);
	tcase_add_test(tc, test_accept);
	tcase_add_test(tc, test_stream_data);
	tcase_add_test(tc, test_stream_nonblocking);
	tcase_add_test(tc, test_unconnected);
	tcase_add_test(tc, test_dgram);
	tcase_add_test(tc, test_msg_errors);
	tcase_add_test(tc, test_seqpacket);
	tcase_add_test(tc, test_socketpair);
	tcase_add_test(tc, test_rights);
	tcase_add_test(tc, test_rights_cycle);
	tcase_add_test(tc, test_sockopt);
	tcase_add_test(tc, test_fcntl_ioctl);
	tcase_add_test(tc, test_poll);
	tcase_add_test(tc, test_sysctl);
	tcase_add_test(tc, test_close_wakes);
	tcase_add_test(tc, test_window);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
