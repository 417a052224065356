/*
 * Unix-domain (AF_LOCAL) socket addresses and options.
 *
 * Names live in a per-host name space (there is no file system): a path
 * is just a key.  As in NetBSD, the address given to bind/connect may be
 * longer than struct sockaddr_un, up to 255 bytes in all (sa_len is one
 * byte), so sun_path may hold up to 253 characters; 254 gives EINVAL.
 * The path need not be NUL-terminated within the given length.
 */
#ifndef _KNIT_SYS_UN_H_
#define _KNIT_SYS_UN_H_

#include "sys/systm.h"

struct sockaddr_un {
	uint8_t		sun_len;	/* total sockaddr length */
	uint8_t		sun_family;	/* AF_LOCAL */
	char		sun_path[104];	/* path name (gag) */
};

/* Longest accepted path: the 255-byte sockaddr minus len and family. */
#define UNP_PATH_MAX	253

/* Socket options at level 0 (SOL_LOCAL) */
#define SOL_LOCAL	0
#define LOCAL_OCREDS	0x0001	/* pass credentials to receiver */
#define LOCAL_CONNWAIT	0x0002	/* connects block until accepted */
#define LOCAL_PEEREID	0x0003	/* get peer identification */
#define LOCAL_CREDS	0x0004	/* pass credentials to receiver */

/* LOCAL_PEEREID result: the peer's pid and effective ids at connect time. */
struct unpcbid {
	pid_t		unp_pid;
	uid_t		unp_euid;
	gid_t		unp_egid;
};

/* Actual length of an AF_LOCAL address (NetBSD SUN_LEN). */
#define SUN_LEN(su)							\
	(sizeof(*(su)) - sizeof((su)->sun_path) + strlen((su)->sun_path))

/* Kernel services of the AF_LOCAL domain (stack/kern/uipc_usrreq.c). */
/* Remove a name from the host's name space (unlink(2)); ENOENT if none. */
int	unp_unlink(const char *path);
/* Files referenced by queued SCM_RIGHTS messages on this host. */
u_int	unp_rights_inflight(void);
/* Files the garbage collector reclaimed so far on this host. */
uint64_t unp_gc_reclaimed(void);
/* Ask the collector thread to run now. */
void	unp_gc_request(void);

#endif /* !_KNIT_SYS_UN_H_ */
