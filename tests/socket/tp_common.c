/*
 * Platform-independent part of the test seam: threads through the
 * kernel API (kthread_create/kthread_join), bound to processes.
 */
#include <stdlib.h>
#include <string.h>

#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/condvar.h"
#include "sys/kthread.h"
#include "sys/lwp.h"
#include "sys/file.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/socket.h"
#include "sys/socketvar.h"
#include "sys/syscall.h"
#include "sys/un.h"

#include "tp.h"

struct tp_thread {
	struct lwp	*tt_lwp;
	struct proc	*tt_proc;
	bool		 tt_ownproc;
	void		(*tt_fn)(void *);
	void		*tt_arg;
};

static void
tp_trampoline(void *arg)
{
	struct tp_thread *tt = arg;

	proc_attach_lwp(tt->tt_proc, curlwp);
	(*tt->tt_fn)(tt->tt_arg);
	if (tt->tt_ownproc)
		proc_exit(tt->tt_proc);
	proc_detach_lwp(curlwp);
	kthread_exit(0);
}

struct tp_thread *
tp_start(struct proc *p, void (*fn)(void *), void *arg)
{
	struct tp_thread *tt;

	tt = kmem_zalloc(sizeof(*tt), KM_SLEEP);
	tt->tt_fn = fn;
	tt->tt_arg = arg;
	if (p == NULL) {
		(void)proc_create("tp", 100, 100, &p);
		tt->tt_ownproc = true;
	}
	tt->tt_proc = p;
	if (kthread_create(PRI_NONE, KTHREAD_MPSAFE | KTHREAD_MUSTJOIN, NULL,
	    tp_trampoline, tt, &tt->tt_lwp, "tp") != 0)
		panic("tp_start: kthread_create");
	return tt;
}

void
tp_join(struct tp_thread *tt)
{
	(void)kthread_join(tt->tt_lwp);
	kmem_free(tt, sizeof(*tt));
}

void
tp_yield(void)
{
	preempt_point();
}

unsigned int
tp_mkaddr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_LOCAL;
	strncpy(sun->sun_path, path, sizeof(sun->sun_path) - 1);
	sun->sun_len = (uint8_t)SUN_LEN(sun);
	return sun->sun_len;
}

int
tp_send_fd(int s, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c = 'F';
	struct cmsghdr *cm;
	struct msghdr msg;
	struct iovec iov;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sys_sendmsg(s, &msg, 0, &n);
}

int
tp_recv_fd(int s, int *fdp, unsigned int clen, int *flagsp)
{
	char cbuf[256], c;
	struct cmsghdr *cm;
	struct msghdr msg;
	struct iovec iov;
	ssize_t n;
	int error;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = clen < sizeof(cbuf) ? clen : sizeof(cbuf);
	*fdp = -1;
	error = sys_recvmsg(s, &msg, 0, &n);
	if (error != 0)
		return error;
	if (flagsp != NULL)
		*flagsp = msg.msg_flags;
	cm = CMSG_FIRSTHDR(&msg);
	if (n == 1 && cm != NULL && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fdp, CMSG_DATA(cm), sizeof(int));
	return 0;
}

void
tp_finish(void)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (socket_outstanding() == 0 && file_outstanding() == 0 &&
		    unp_rights_inflight() == 0)
			break;
		unp_gc_request();
		(void)kpause("settle", false, 1, NULL);
	}
	TP_EQ(socket_outstanding(), 0);
	TP_EQ(file_outstanding(), 0);
	TP_EQ(unp_rights_inflight(), 0);
	TP_EQ(proc_count(), 0);
	TP_EQ(mbuf_outstanding(), 0);
}

int
tp_listen(int type, const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = tp_mkaddr(&sun, path);
	int s = -1;

	TP_EQ(sys_socket(AF_LOCAL, type, 0, &s), 0);
	TP_EQ(sys_bind(s, (struct sockaddr *)&sun, len), 0);
	if (type != SOCK_DGRAM)
		TP_EQ(sys_listen(s, 5), 0);
	return s;
}

int
tp_connect(int s, const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = tp_mkaddr(&sun, path);

	return sys_connect(s, (struct sockaddr *)&sun, len);
}
