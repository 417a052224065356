/*
 * System calls of simulated processes (sys/syscall.h): sockets,
 * descriptors, poll, ioctl, sysctl.
 *
 * Each returns 0 or an errno and passes results through out-parameters.
 * "User" memory is the caller's memory; addresses are copied into kernel
 * buffers (struct sockaddr_big) before the socket layer sees them, and
 * results copied back only on success.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>

#include "sys/systm.h"
#include "sys/file.h"
#include "sys/filedesc.h"
#include "sys/kmem.h"
#include "sys/lwp.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/protosw.h"
#include "sys/socket.h"
#include "sys/socketvar.h"
#include "sys/syscall.h"
#include "sys/sysctl.h"
#include "sys/uio.h"
#include "sys/un.h"

#include "sys_socket_impl.h"

#define __UNCONST(a)	((void *)(uintptr_t)(const void *)(a))
#define SOCK_KNOWN_FLAGS	(SOCK_CLOEXEC | SOCK_NONBLOCK | SOCK_NOSIGPIPE)

static int
curproc_check(struct proc **pp)
{
	struct proc *p = curproc;

	if (p == NULL || p->p_fd == NULL)
		return ESRCH;
	*pp = p;
	return 0;
}

/* The socket behind descriptor s, held (fd_putfile when done). */
static int
getsock(int s, struct file **fpp, struct socket **sop)
{
	struct file *fp;
	int error;

	error = fd_getfile(s, &fp);
	if (error != 0)
		return error;
	if (fp->f_type != DTYPE_SOCKET) {
		fd_putfile(fp);
		return ENOTSOCK;
	}
	*fpp = fp;
	*sop = fp->f_data;
	return 0;
}

/* Copy a caller's sockaddr in; sa_len becomes namelen (as NetBSD). */
static int
sockargs(struct sockaddr_big *sb, const struct sockaddr *name,
    socklen_t namelen)
{
	if (name == NULL)
		return EFAULT;
	if (namelen > SOCK_MAXADDRLEN || namelen < 2)
		return EINVAL;
	memset(sb, 0, sizeof(*sb));
	memcpy(sb, name, namelen);
	sb->sb_len = (uint8_t)namelen;
	return 0;
}

/* Copy an address out, truncated to *namelen; *namelen = bytes stored. */
static int
copyout_sockname(struct sockaddr *name, socklen_t *namelen,
    const struct sockaddr *sa)
{
	socklen_t len;

	if (name == NULL || namelen == NULL)
		return EFAULT;
	len = sa->sa_len;
	if (len > *namelen)
		len = *namelen;
	memcpy(name, sa, len);
	*namelen = len;
	return 0;
}

/* Wrap a new socket in a file and give it a descriptor. */
static int
sofile_install(struct proc *p, struct socket *so, int flags, int *fdp)
{
	struct file *fp;
	int error;

	(void)file_alloc(&fp);
	fp->f_type = DTYPE_SOCKET;
	fp->f_flag = FREAD | FWRITE |
	    ((flags & SOCK_NONBLOCK) != 0 ? FNONBLOCK : 0);
	fp->f_ops = &socketops;
	fp->f_data = so;
	solock(so);
	if ((flags & SOCK_NONBLOCK) != 0)
		so->so_state |= SS_NBIO;
	if ((flags & SOCK_NOSIGPIPE) != 0)
		so->so_options |= SO_NOSIGPIPE;
	sounlock(so);
	error = fd_install(p, fp, (flags & SOCK_CLOEXEC) != 0 ?
	    FD_CLOEXEC_FLAG : 0, fdp);
	if (error != 0)
		(void)closef(fp);
	return error;
}

int
sys_socket(int domain, int type, int protocol, int *fdp)
{
	struct socket *so;
	struct proc *p;
	int flags, error;

	if ((error = curproc_check(&p)) != 0)
		return error;
	flags = type & SOCK_FLAGS_MASK;
	type &= ~SOCK_FLAGS_MASK;
	if ((flags & ~SOCK_KNOWN_FLAGS) != 0)
		return EINVAL;
	if (fd_nfree(p) == 0)
		return EMFILE;
	error = socreate(domain, &so, type, protocol, curlwp, NULL);
	if (error != 0)
		return error;
	return sofile_install(p, so, flags, fdp);
}

int
sys_socketpair(int domain, int type, int protocol, int sv[2])
{
	struct socket *so1, *so2;
	struct proc *p;
	int flags, error, fd1, fd2;

	if ((error = curproc_check(&p)) != 0)
		return error;
	if (sv == NULL)
		return EFAULT;
	flags = type & SOCK_FLAGS_MASK;
	type &= ~SOCK_FLAGS_MASK;
	if ((flags & ~SOCK_KNOWN_FLAGS) != 0)
		return EINVAL;
	if (fd_nfree(p) < 2)
		return EMFILE;
	error = socreate(domain, &so1, type, protocol, curlwp, NULL);
	if (error != 0)
		return error;
	/* so2 shares so1's lock from birth */
	error = socreate(domain, &so2, type, protocol, curlwp, so1);
	if (error != 0) {
		(void)soclose(so1);
		return error;
	}
	solock(so1);
	error = soconnect2(so1, so2);
	if (error == 0 && type == SOCK_DGRAM)
		error = soconnect2(so2, so1);
	sounlock(so1);
	if (error != 0) {
		(void)soclose(so2);
		(void)soclose(so1);
		return error;
	}
	error = sofile_install(p, so1, flags, &fd1);
	if (error != 0) {
		(void)soclose(so2);
		return error;
	}
	error = sofile_install(p, so2, flags, &fd2);
	if (error != 0) {
		(void)fd_close(fd1);
		return error;
	}
	sv[0] = fd1;
	sv[1] = fd2;
	return 0;
}

int
sys_bind(int s, const struct sockaddr *name, socklen_t namelen)
{
	struct sockaddr_big sb;
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	error = sockargs(&sb, name, namelen);
	if (error == 0)
		error = sobind(so, (struct sockaddr *)&sb, curlwp);
	fd_putfile(fp);
	return error;
}

int
sys_listen(int s, int backlog)
{
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	error = solisten(so, backlog, curlwp);
	fd_putfile(fp);
	return error;
}

int
sys_connect(int s, const struct sockaddr *name, socklen_t namelen)
{
	struct sockaddr_big sb;
	struct socket *so;
	struct file *fp;
	bool interrupted = false;
	int error;

	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	error = sockargs(&sb, name, namelen);
	if (error != 0) {
		fd_putfile(fp);
		return error;
	}
	solock(so);
	if ((so->so_state & SS_ISCONNECTING) != 0) {
		error = EALREADY;
		goto out;
	}
	error = soconnect(so, (struct sockaddr *)&sb, curlwp);
	if (error != 0)
		goto bad;
	if ((so->so_state & (SS_NBIO | SS_ISCONNECTING)) ==
	    (SS_NBIO | SS_ISCONNECTING)) {
		error = EINPROGRESS;
		goto out;
	}
	while ((so->so_state & SS_ISCONNECTING) != 0 && so->so_error == 0) {
		error = sowait(so, true, 0);
		if (error != 0) {
			interrupted = true;
			break;
		}
	}
	if (error == 0) {
		error = so->so_error;
		so->so_error = 0;
	}
 bad:
	if (!interrupted)
		so->so_state &= ~SS_ISCONNECTING;
 out:
	sounlock(so);
	fd_putfile(fp);
	return error;
}

static int
do_accept(int s, struct sockaddr *name, socklen_t *namelen, int flags,
    bool inherit, int *fdp)
{
	struct sockaddr_big sb;
	struct socket *so, *so2;
	struct file *fp, *fp2;
	struct proc *p;
	bool nbio;
	int error, fd;

	if ((error = curproc_check(&p)) != 0)
		return error;
	if ((flags & ~SOCK_KNOWN_FLAGS) != 0)
		return EINVAL;
	if (name != NULL && namelen == NULL)
		return EFAULT;
	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	if (fd_nfree(p) == 0) {
		fd_putfile(fp);
		return EMFILE;
	}
	(void)file_alloc(&fp2);
	fp2->f_type = DTYPE_SOCKET;
	fp2->f_ops = &socketops;

	solock(so);
	if ((so->so_options & SO_ACCEPTCONN) == 0) {
		error = EINVAL;
		goto bad;
	}
	if ((so->so_state & SS_NBIO) != 0 && so->so_qlen == 0) {
		error = EWOULDBLOCK;
		goto bad;
	}
	while (so->so_qlen == 0 && so->so_error == 0) {
		if ((so->so_state & SS_CANTRCVMORE) != 0) {
			so->so_error = ECONNABORTED;
			break;
		}
		error = sowait(so, true, 0);
		if (error != 0)
			goto bad;
		if ((so->so_options & SO_ACCEPTCONN) == 0) {
			error = EINVAL;
			goto bad;
		}
	}
	if (so->so_error != 0) {
		error = so->so_error;
		so->so_error = 0;
		goto bad;
	}
	nbio = inherit ? (so->so_state & SS_NBIO) != 0 :
	    (flags & SOCK_NONBLOCK) != 0;
	so2 = TAILQ_FIRST(&so->so_q);
	if (!soqremque(so2, 1))
		panic("accept: socket not on the complete queue");
	memset(&sb, 0, sizeof(sb));
	error = soaccept(so2, (struct sockaddr *)&sb);
	sounlock(so);
	fd_putfile(fp);
	/* so2 is ours now: it has a file, and may have a new lock */
	fp2->f_data = so2;
	fp2->f_flag = FREAD | FWRITE | (nbio ? FNONBLOCK : 0);
	if (error != 0) {
		(void)closef(fp2);
		return error;
	}
	solock(so2);
	if (nbio)
		so2->so_state |= SS_NBIO;
	else
		so2->so_state &= ~SS_NBIO;
	if ((flags & SOCK_NOSIGPIPE) != 0)
		so2->so_options |= SO_NOSIGPIPE;
	sounlock(so2);
	error = fd_install(p, fp2, (flags & SOCK_CLOEXEC) != 0 ?
	    FD_CLOEXEC_FLAG : 0, &fd);
	if (error != 0) {
		(void)closef(fp2);
		return error;
	}
	if (name != NULL)
		(void)copyout_sockname(name, namelen, (struct sockaddr *)&sb);
	*fdp = fd;
	return 0;
 bad:
	sounlock(so);
	fd_putfile(fp);
	(void)closef(fp2);
	return error;
}

int
sys_accept(int s, struct sockaddr *name, socklen_t *namelen, int *fdp)
{
	return do_accept(s, name, namelen, 0, true, fdp);
}

int
sys_accept4(int s, struct sockaddr *name, socklen_t *namelen, int flags,
    int *fdp)
{
	return do_accept(s, name, namelen, flags, false, fdp);
}

/* ---------------------------------------------------------------- */
/* Data transfer */

static int
uio_setup(struct uio *uio, struct iovec *iov, int iovcnt, enum uio_rw rw)
{
	size_t total = 0;
	int i;

	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return EMSGSIZE;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX - total)
			return EINVAL;
		if (iov[i].iov_base == NULL && iov[i].iov_len != 0)
			return EFAULT;
		total += iov[i].iov_len;
	}
	memset(uio, 0, sizeof(*uio));
	uio->uio_iov = iov;
	uio->uio_iovcnt = iovcnt;
	uio->uio_resid = total;
	uio->uio_rw = rw;
	return 0;
}

/*
 * A kernel copy of a message's iovec array (*iovp, *iovsizep bytes, to
 * kmem_free) and a uio over it.
 */
static int
msg_uio(const struct msghdr *mp, struct uio *uio, struct iovec **iovp,
    size_t *iovsizep, enum uio_rw rw)
{
	if (mp->msg_iovlen < 0 || mp->msg_iovlen > UIO_MAXIOV)
		return EMSGSIZE;
	if (mp->msg_iovlen > 0) {
		if (mp->msg_iov == NULL)
			return EFAULT;
		*iovsizep = (size_t)mp->msg_iovlen * sizeof(**iovp);
		*iovp = kmem_alloc(*iovsizep, KM_SLEEP);
		memcpy(*iovp, mp->msg_iov, *iovsizep);
	}
	return uio_setup(uio, *iovp, mp->msg_iovlen, rw);
}

static int
sendit(int s, const struct msghdr *mp, int flags, ssize_t *retsize)
{
	struct sockaddr_big sb, *to = NULL;
	struct iovec *iov = NULL;
	struct mbuf *control = NULL;
	struct socket *so;
	struct file *fp;
	struct uio uio;
	size_t len, iovsize = 0;
	int error;

	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	if (mp->msg_name != NULL) {
		error = sockargs(&sb, mp->msg_name, mp->msg_namelen);
		if (error != 0)
			goto out;
		to = &sb;
	}
	error = msg_uio(mp, &uio, &iov, &iovsize, UIO_WRITE);
	if (error != 0)
		goto out;
	if (mp->msg_control != NULL && mp->msg_controllen != 0) {
		if (mp->msg_controllen < sizeof(struct cmsghdr) ||
		    mp->msg_controllen > MCLBYTES) {
			error = EINVAL;
			goto out;
		}
		control = m_getlen(M_WAIT, MT_CONTROL,
		    (int)mp->msg_controllen);
		if (control == NULL) {
			error = ENOBUFS;
			goto out;
		}
		control->m_type = MT_CONTROL;
		control->m_flags &= ~M_PKTHDR;
		memcpy(mtod(control, void *), mp->msg_control,
		    mp->msg_controllen);
		control->m_len = (int)mp->msg_controllen;
	}
	len = uio.uio_resid;
	error = sosend(so, (struct sockaddr *)to, &uio, NULL, control,
	    flags, curlwp);
	control = NULL;
	if (error != 0 && uio.uio_resid != len &&
	    (error == EINTR || error == EWOULDBLOCK))
		error = 0;
	if (error == 0)
		*retsize = (ssize_t)(len - uio.uio_resid);
 out:
	m_freem(control);
	if (iov != NULL)
		kmem_free(iov, iovsize);
	fd_putfile(fp);
	return error;
}

int
sys_sendmsg(int s, const struct msghdr *msg, int flags, ssize_t *retsize)
{
	if (msg == NULL || retsize == NULL)
		return EFAULT;
	return sendit(s, msg, flags, retsize);
}

int
sys_sendto(int s, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen, ssize_t *retsize)
{
	struct msghdr msg;
	struct iovec iov;

	if (retsize == NULL || (buf == NULL && len != 0))
		return EFAULT;
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = __UNCONST(to);
	msg.msg_namelen = tolen;
	iov.iov_base = __UNCONST(buf);
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	return sendit(s, &msg, flags, retsize);
}

int
sys_send(int s, const void *buf, size_t len, int flags, ssize_t *retsize)
{
	return sys_sendto(s, buf, len, flags, NULL, 0, retsize);
}

/*
 * Copy received control messages out.  A message that does not fit is
 * dropped with MSG_CTRUNC; descriptors it carried are closed, so they
 * do not leak.
 */
static void
copyout_control(struct msghdr *mp, struct mbuf *control)
{
	struct cmsghdr *cm;
	size_t done = 0, len;
	int i, n, *fds;

	for (; control != NULL; control = control->m_next) {
		len = (size_t)control->m_len;
		cm = mtod(control, struct cmsghdr *);
		if (mp->msg_control == NULL || done + len >
		    mp->msg_controllen) {
			/* the last message may lose its padding */
			if (mp->msg_control != NULL &&
			    done + cm->cmsg_len <= mp->msg_controllen &&
			    control->m_next == NULL) {
				len = cm->cmsg_len;
			} else {
				mp->msg_flags |= MSG_CTRUNC;
				if (cm->cmsg_level == SOL_SOCKET &&
				    cm->cmsg_type == SCM_RIGHTS) {
					n = (int)((cm->cmsg_len -
					    CMSG_LEN(0)) / sizeof(int));
					fds = (int *)CMSG_DATA(cm);
					for (i = 0; i < n; i++)
						(void)fd_close(fds[i]);
				}
				continue;
			}
		}
		memcpy((char *)mp->msg_control + done, cm, len);
		done += len;
	}
	mp->msg_controllen = (socklen_t)done;
}

static int
recvit(int s, struct msghdr *mp, int flags, ssize_t *retsize)
{
	struct mbuf *from = NULL, *control = NULL;
	struct iovec *iov = NULL;
	struct socket *so;
	struct file *fp;
	struct uio uio;
	size_t len, iovsize = 0;
	int error;

	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	error = msg_uio(mp, &uio, &iov, &iovsize, UIO_READ);
	if (error != 0)
		goto out;
	len = uio.uio_resid;
	mp->msg_flags = flags & ~(MSG_EOR | MSG_TRUNC | MSG_CTRUNC);
	error = soreceive(so, mp->msg_name != NULL ? &from : NULL, &uio,
	    NULL, mp->msg_control != NULL ? &control : NULL, &mp->msg_flags);
	if (error != 0 && uio.uio_resid != len &&
	    (error == EINTR || error == EWOULDBLOCK))
		error = 0;
	if (error != 0)
		goto out;
	*retsize = (ssize_t)(len - uio.uio_resid);
	mp->msg_flags &= MSG_EOR | MSG_TRUNC | MSG_CTRUNC;
	if (mp->msg_name != NULL) {
		if (from != NULL) {
			socklen_t alen = mp->msg_namelen;

			if ((socklen_t)from->m_len < alen)
				alen = (socklen_t)from->m_len;
			memcpy(mp->msg_name, mtod(from, void *), alen);
			mp->msg_namelen = alen;
		} else
			mp->msg_namelen = 0;
	}
	if (mp->msg_control != NULL)
		copyout_control(mp, control);
 out:
	m_freem(from);
	m_freem(control);
	if (iov != NULL)
		kmem_free(iov, iovsize);
	fd_putfile(fp);
	return error;
}

int
sys_recvmsg(int s, struct msghdr *msg, int flags, ssize_t *retsize)
{
	if (msg == NULL || retsize == NULL)
		return EFAULT;
	return recvit(s, msg, flags, retsize);
}

int
sys_recvfrom(int s, void *buf, size_t len, int flags, struct sockaddr *from,
    socklen_t *fromlen, ssize_t *retsize)
{
	struct msghdr msg;
	struct iovec iov;
	int error;

	if (retsize == NULL || (buf == NULL && len != 0) ||
	    (from != NULL && fromlen == NULL))
		return EFAULT;
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = from;
	msg.msg_namelen = from != NULL ? *fromlen : 0;
	iov.iov_base = buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	error = recvit(s, &msg, flags, retsize);
	if (error == 0 && from != NULL)
		*fromlen = msg.msg_namelen;
	return error;
}

int
sys_recv(int s, void *buf, size_t len, int flags, ssize_t *retsize)
{
	return sys_recvfrom(s, buf, len, flags, NULL, NULL, retsize);
}

/* read(2)/write(2) on a descriptor: one segment through the fileops. */
static int
dofilerw(int fd, void *buf, size_t len, enum uio_rw rw, ssize_t *retsize)
{
	struct iovec iov;
	struct file *fp;
	struct uio uio;
	int error;

	if (retsize == NULL || (buf == NULL && len != 0))
		return EFAULT;
	if ((error = fd_getfile(fd, &fp)) != 0)
		return error;
	iov.iov_base = buf;
	iov.iov_len = len;
	error = uio_setup(&uio, &iov, 1, rw);
	if (error == 0)
		error = rw == UIO_READ ? (*fp->f_ops->fo_read)(fp, &uio, 0) :
		    (*fp->f_ops->fo_write)(fp, &uio, 0);
	if (error != 0 && uio.uio_resid != len &&
	    (error == EINTR || error == EWOULDBLOCK))
		error = 0;
	if (error == 0)
		*retsize = (ssize_t)(len - uio.uio_resid);
	fd_putfile(fp);
	return error;
}

int
sys_read(int fd, void *buf, size_t len, ssize_t *retsize)
{
	return dofilerw(fd, buf, len, UIO_READ, retsize);
}

int
sys_write(int fd, const void *buf, size_t len, ssize_t *retsize)
{
	return dofilerw(fd, __UNCONST(buf), len, UIO_WRITE, retsize);
}

/* ---------------------------------------------------------------- */
/* Control */

int
sys_shutdown(int s, int how)
{
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	error = soshutdown(so, how);
	fd_putfile(fp);
	return error;
}

int
sys_close(int fd)
{
	struct proc *p;
	int error;

	if ((error = curproc_check(&p)) != 0)
		return error;
	return fd_close(fd);
}

static int
getname(int s, struct sockaddr *name, socklen_t *namelen, bool peer)
{
	struct sockaddr_big sb;
	struct socket *so;
	struct file *fp;
	int error;

	if (name == NULL || namelen == NULL)
		return EFAULT;
	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	memset(&sb, 0, sizeof(sb));
	solock(so);
	if (peer && (so->so_state & (SS_ISCONNECTED | SS_ISCONFIRMING)) == 0)
		error = ENOTCONN;
	else
		error = (*so->so_proto->pr_usrreq)(so,
		    peer ? PRU_PEERADDR : PRU_SOCKADDR, NULL,
		    (struct sockaddr *)&sb, NULL, curlwp);
	sounlock(so);
	fd_putfile(fp);
	if (error == 0)
		error = copyout_sockname(name, namelen,
		    (struct sockaddr *)&sb);
	return error;
}

int
sys_getsockname(int s, struct sockaddr *name, socklen_t *namelen)
{
	return getname(s, name, namelen, false);
}

int
sys_getpeername(int s, struct sockaddr *name, socklen_t *namelen)
{
	return getname(s, name, namelen, true);
}

int
sys_setsockopt(int s, int level, int name, const void *val,
    socklen_t valsize)
{
	struct sockopt sopt;
	struct socket *so;
	struct file *fp;
	char buf[MCLBYTES];
	int error;

	if (val == NULL && valsize != 0)
		return EFAULT;
	if (valsize > sizeof(buf))
		return EINVAL;
	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	memset(&sopt, 0, sizeof(sopt));
	memcpy(buf, val, valsize);
	sopt.sopt_level = level;
	sopt.sopt_name = name;
	sopt.sopt_data = buf;
	sopt.sopt_size = valsize;
	error = sosetopt(so, &sopt);
	fd_putfile(fp);
	return error;
}

int
sys_getsockopt(int s, int level, int name, void *val, socklen_t *valsize)
{
	struct sockopt sopt;
	struct socket *so;
	struct file *fp;
	char buf[MCLBYTES];
	int error;

	if (val == NULL || valsize == NULL)
		return EFAULT;
	if ((error = getsock(s, &fp, &so)) != 0)
		return error;
	memset(&sopt, 0, sizeof(sopt));
	memset(buf, 0, sizeof(buf));
	sopt.sopt_level = level;
	sopt.sopt_name = name;
	sopt.sopt_data = buf;
	sopt.sopt_size = *valsize < sizeof(buf) ? *valsize : sizeof(buf);
	error = sogetopt(so, &sopt);
	fd_putfile(fp);
	if (error == 0) {
		memcpy(val, buf, sopt.sopt_size);
		*valsize = (socklen_t)sopt.sopt_size;
	}
	return error;
}

int
sys_fcntl(int fd, int cmd, int arg, int *retval)
{
	struct file *fp;
	int error, flags, on;

	if (retval == NULL)
		return EFAULT;
	if ((error = fd_getfile(fd, &fp)) != 0)
		return error;
	switch (cmd) {
	case F_GETFL:
		*retval = O_RDWR | ((fp->f_flag & FNONBLOCK) != 0 ?
		    O_NONBLOCK : 0);
		break;
	case F_SETFL:
		on = (arg & O_NONBLOCK) != 0;
		error = (*fp->f_ops->fo_ioctl)(fp, FIONBIO, &on);
		*retval = 0;
		break;
	case F_GETFD:
		error = fd_getflags(fd, &flags);
		if (error == 0)
			*retval = (flags & FD_CLOEXEC_FLAG) != 0 ?
			    FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		error = fd_setflags(fd, (arg & FD_CLOEXEC) != 0 ?
		    FD_CLOEXEC_FLAG : 0);
		*retval = 0;
		break;
	default:
		error = EINVAL;
		break;
	}
	fd_putfile(fp);
	return error;
}

int
sys_ioctl(int fd, u_long cmd, void *data)
{
	struct file *fp;
	int error;

	if (data == NULL)
		return EFAULT;
	if ((error = fd_getfile(fd, &fp)) != 0)
		return error;
	error = (*fp->f_ops->fo_ioctl)(fp, cmd, data);
	fd_putfile(fp);
	return error;
}

/* One pass over the set; returns the number of ready descriptors. */
static int
poll_scan(struct pollfd *fds, u_int nfds)
{
	struct file *fp;
	u_int i;
	int n = 0;

	for (i = 0; i < nfds; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		if (fd_getfile(fds[i].fd, &fp) != 0) {
			fds[i].revents = POLLNVAL;
			n++;
			continue;
		}
		fds[i].revents = (short)(*fp->f_ops->fo_poll)(fp,
		    fds[i].events);
		fd_putfile(fp);
		if (fds[i].revents != 0)
			n++;
	}
	return n;
}

int
sys_poll(struct pollfd *fds, u_int nfds, int timeout, int *nready)
{
	uint64_t gen, deadline = 0, now;
	struct proc *p;
	int error, n, ticks;

	if ((error = curproc_check(&p)) != 0)
		return error;
	if (nready == NULL || (fds == NULL && nfds != 0))
		return EFAULT;
	if (nfds > FD_NFILES_MAX)
		return EINVAL;
	if (timeout > 0)
		deadline = getnanouptime() + (uint64_t)timeout * 1000000ULL;
	for (;;) {
		gen = sopoll_gen();
		n = poll_scan(fds, nfds);
		if (n != 0 || timeout == 0)
			break;
		ticks = 0;
		if (timeout > 0) {
			now = getnanouptime();
			if (now >= deadline)
				break;
			ticks = (int)((deadline - now + NS_PER_TICK - 1) /
			    NS_PER_TICK);
		}
		error = sopoll_wait(gen, ticks);
		if (error == EINTR)
			return EINTR;
	}
	*nready = n;
	return 0;
}

int
sys_sysctl(const char *name, void *oldp, size_t *oldlenp, const void *newp,
    size_t newlen)
{
	if (name == NULL)
		return EFAULT;
	return sysctl_byname(name, oldp, oldlenp, newp, newlen);
}

/*
 * sysctl(8)'s view: a node read (and, if newval is not NULL, written) as
 * text, so that userland needs no knowledge of each node's type.
 */
int
sys_sysctl_text(const char *name, char *buf, size_t buflen,
    const char *newval)
{
	if (name == NULL)
		return EFAULT;
	return sysctl_byname_text(name, buf, buflen, newval);
}

/*
 * Walk the nodes in name order: the node after `prev' (NULL or "": the
 * first) is copied out with its description; prev and name may be one
 * buffer, as a walk passes the last name back in.  ENOENT after the last;
 * ENAMETOOLONG if a buffer is too small.
 */
int
sys_sysctl_next(const char *prev, char *name, size_t namelen, char *descr,
    size_t descrlen)
{
	const struct sysctl_oid *o = NULL;

	if (name == NULL)
		return EFAULT;
	if (prev != NULL && prev[0] != '\0') {
		while ((o = sysctl_next(o)) != NULL &&
		    strcmp(o->oid_name, prev) != 0)
			continue;
		if (o == NULL)
			return ENOENT;
	}
	if ((o = sysctl_next(o)) == NULL)
		return ENOENT;
	if (strlen(o->oid_name) >= namelen)
		return ENAMETOOLONG;
	strcpy(name, o->oid_name);
	if (descr != NULL && descrlen > 0)
		snprintf(descr, descrlen, "%s",
		    o->oid_descr != NULL ? o->oid_descr : "");
	return 0;
}

int
sys_getpid(pid_t *pidp)
{
	struct proc *p;
	int error;

	if ((error = curproc_check(&p)) != 0)
		return error;
	*pidp = p->p_pid;
	return 0;
}

int
sys_unlink(const char *path)
{
	if (path == NULL)
		return EFAULT;
	if (path[0] == '\0')
		return ENOENT;
	return unp_unlink(path);
}
