/*
 * Private interfaces between the files of the socket layer
 * (uipc_socket.c, uipc_socket2.c, uipc_usrreq.c, sys_socket.c).
 */
#ifndef _KNIT_KERN_UIPC_SOCKET_IMPL_H_
#define _KNIT_KERN_UIPC_SOCKET_IMPL_H_

#include "sys/socketvar.h"

struct protosw;
struct mbuf;

/* A zeroed socket of the given protocol, no lock yet (so_lock NULL). */
struct socket *soalloc(const struct protosw *, int type);
/* Free a socket that never got a file (lock reference dropped too). */
void	sodealloc(struct socket *);
/* Detach and return the first record of sb (accounting removed). */
struct mbuf *sbunlinkrecord(struct sockbuf *);
/* Wake pollers: some socket's readiness may have changed. */
void	sopoll_notify(void);

#endif /* !_KNIT_KERN_UIPC_SOCKET_IMPL_H_ */
