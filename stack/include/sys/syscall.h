/*
 * System calls of simulated processes.
 *
 * Callers: the Lua layer's process API and the built-in userland programs
 * (route, ifconfig, ping, netstat, sysctl).  Each call acts on curproc,
 * the process bound to the calling LWP (proc_attach_lwp); calling one
 * from an LWP without a process returns ESRCH.
 *
 * Convention: every function returns 0 on success or an errno value
 * (libc's <errno.h> names, chosen with NetBSD's semantics); results come
 * back through out-parameters (new descriptors in *fdp, byte counts in
 * *retsize, ...), which are left untouched on error.  There is no
 * global errno and no -1.  Blocking calls sleep in the kernel: a signal
 * (lwp_interrupt) makes them return EINTR; SO_RCVTIMEO/SO_SNDTIMEO expiry
 * returns EWOULDBLOCK (== EAGAIN), after a partial transfer the byte count
 * so far is returned with 0.
 *
 * Addresses are NetBSD sockaddrs (sa_len first) as in "sys/socket.h";
 * "user" buffers are ordinary memory of the caller.
 */
#ifndef _KNIT_SYS_SYSCALL_H_
#define _KNIT_SYS_SYSCALL_H_

#include <poll.h>		/* libc: struct pollfd, POLL* */
#include <fcntl.h>		/* libc: F_GETFL, F_SETFL, O_NONBLOCK */

#include "sys/systm.h"
#include "sys/socket.h"

struct socket;
struct lwp;

/* accept4 / socket type flags (NetBSD values) */
#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC	0x10000000
#endif
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK	0x20000000
#endif
#ifndef SOCK_NOSIGPIPE
#define SOCK_NOSIGPIPE	0x40000000
#endif

/* socket ioctls handled by the socket layer (NetBSD encodings) */
#define FIONREAD	0x4004667fUL	/* _IOR('f', 127, int) */
#define FIONBIO		0x8004667eUL	/* _IOW('f', 126, int) */
#define FIONWRITE	0x40046679UL	/* _IOR('f', 121, int) */
#define FIONSPACE	0x40046678UL	/* _IOR('f', 120, int) */

int	sys_socket(int domain, int type, int protocol, int *fdp);
int	sys_socketpair(int domain, int type, int protocol, int sv[2]);
int	sys_bind(int s, const struct sockaddr *name, socklen_t namelen);
int	sys_connect(int s, const struct sockaddr *name, socklen_t namelen);
int	sys_listen(int s, int backlog);
/*
 * name/namelen may be NULL; *namelen is in/out: the address is truncated
 * to the caller's size and *namelen set to the bytes stored (NetBSD 5).
 * accept inherits the listener's non-blocking mode (BSD); accept4 sets it
 * from SOCK_NONBLOCK.  accept4 flags: SOCK_NONBLOCK, SOCK_CLOEXEC,
 * SOCK_NOSIGPIPE (others EINVAL).
 */
int	sys_accept(int s, struct sockaddr *name, socklen_t *namelen, int *fdp);
int	sys_accept4(int s, struct sockaddr *name, socklen_t *namelen,
	    int flags, int *fdp);

int	sys_send(int s, const void *buf, size_t len, int flags,
	    ssize_t *retsize);
int	sys_sendto(int s, const void *buf, size_t len, int flags,
	    const struct sockaddr *to, socklen_t tolen, ssize_t *retsize);
int	sys_sendmsg(int s, const struct msghdr *msg, int flags,
	    ssize_t *retsize);
int	sys_recv(int s, void *buf, size_t len, int flags, ssize_t *retsize);
int	sys_recvfrom(int s, void *buf, size_t len, int flags,
	    struct sockaddr *from, socklen_t *fromlen, ssize_t *retsize);
/*
 * Control messages (SCM_RIGHTS: new descriptors are installed in the
 * caller's table) are copied to msg_control; MSG_CTRUNC / MSG_TRUNC are
 * reported in msg_flags.
 */
int	sys_recvmsg(int s, struct msghdr *msg, int flags, ssize_t *retsize);
int	sys_read(int fd, void *buf, size_t len, ssize_t *retsize);
int	sys_write(int fd, const void *buf, size_t len, ssize_t *retsize);

int	sys_shutdown(int s, int how);		/* SHUT_RD, SHUT_WR, SHUT_RDWR */
int	sys_close(int fd);
int	sys_getsockname(int s, struct sockaddr *name, socklen_t *namelen);
int	sys_getpeername(int s, struct sockaddr *name, socklen_t *namelen);
int	sys_setsockopt(int s, int level, int name, const void *val,
	    socklen_t valsize);
int	sys_getsockopt(int s, int level, int name, void *val,
	    socklen_t *valsize);
/* F_GETFL (*retval = O_* flags), F_SETFL (O_NONBLOCK), F_GETFD, F_SETFD */
int	sys_fcntl(int fd, int cmd, int arg, int *retval);
/* timeout in ms, -1: forever; *nready = descriptors with revents != 0 */
int	sys_poll(struct pollfd *fds, u_int nfds, int timeout, int *nready);
/*
 * FIONBIO, FIONREAD, FIONWRITE, FIONSPACE are handled here; other
 * commands go to the socket's protocol (pr_ioctl), and when that is
 * missing or declines with EOPNOTSUPP, to sys_ifioctl_hook (interface
 * configuration: ifioctl when the network interface layer is linked).
 */
int	sys_ioctl(int fd, u_long cmd, void *data);
extern int (*sys_ifioctl_hook)(struct socket *, u_long cmd, void *data,
	    struct lwp *);
/* sysctl by dotted name (wraps sysctl_byname). */
int	sys_sysctl(const char *name, void *oldp, size_t *oldlenp,
	    const void *newp, size_t newlen);
/* sysctl as text (sysctl(8), netstat -s); see uipc_syscalls.c. */
int	sys_sysctl_text(const char *name, char *buf, size_t buflen,
	    const char *newval);
int	sys_sysctl_next(const char *prev, char *name, size_t namelen,
	    char *descr, size_t descrlen);
/* The caller's pid. */
int	sys_getpid(pid_t *);
/*
 * Remove an AF_LOCAL name from the host's name space (there is no file
 * system; a bound name outlives its socket, as a socket file does, and
 * binding it again fails with EADDRINUSE until it is unlinked).
 */
int	sys_unlink(const char *path);

#endif /* !_KNIT_SYS_SYSCALL_H_ */
