/*
 * Private to the system-call layer (sys_socket.c, uipc_syscalls.c).
 */
#ifndef _KNIT_KERN_SYS_SOCKET_IMPL_H_
#define _KNIT_KERN_SYS_SOCKET_IMPL_H_

struct fileops;

extern const struct fileops socketops;

#endif /* !_KNIT_KERN_SYS_SOCKET_IMPL_H_ */
