/*
 * Userland programs that run inside simulated hosts: route, ifconfig,
 * ping, ping6, netstat, sysctl.
 *
 * Each program is a C function main-like function running as a
 * simulated process: it talks to the kernel only through system calls
 * (sys/syscall.h) and the routing socket, never through libc's socket
 * headers.  Its standard output and error go to memory buffers that the
 * Lua layer returns to the scenario (host:run).  Prefix: ul_.
 */
#ifndef _KNIT_TOOLS_USERLAND_UL_H_
#define _KNIT_TOOLS_USERLAND_UL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* sys/syscall.h names these in a prototype without declaring them */
struct socket;
struct lwp;

#include "sys/socket.h"
#include "netinet/in.h"
#include "netinet6/in6.h"

/* A growing text buffer. */
struct ul_buf {
	char		*b_data;	/* NUL-terminated */
	size_t		 b_len;
	size_t		 b_cap;
};

struct ul_io {
	struct ul_buf	 io_out;
	struct ul_buf	 io_err;
	const char	*io_prog;	/* for messages: "route" */
};

typedef int (*ul_main_t)(struct ul_io *, int argc, char **argv);

struct ul_prog {
	const char	*up_name;
	ul_main_t	 up_main;
};

void	ul_printf(struct ul_io *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	ul_eprintf(struct ul_io *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* "prog: msg: strerror(error)" on stderr, like warn(3). */
void	ul_warnc(struct ul_io *, int error, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	ul_warnx(struct ul_io *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	ul_io_fini(struct ul_io *);

/*
 * Run a command line ("route add -net 10.0.3.0/24 10.0.2.2") in the
 * calling process.  Words are split at blanks; single and double quotes
 * group.  Returns the exit status (127: no such program, 2: bad
 * quoting).
 */
int	ul_exec(struct ul_io *, const char *cmdline);
const struct ul_prog *ul_lookup(const char *name);

/* Process runtime (provided by the Lua layer): virtual time. */
uint64_t ul_clock_ns(void);
void	ul_nanosleep(uint64_t ns);
/*
 * Process memory (provided by the Lua layer): every buffer a program
 * hands to the kernel (read, written by copyin/copyout/uiomove) comes
 * from ul_zalloc, zeroed, and goes back with ul_free and the same size.
 * The processes of a world share one address space, so a block one
 * program frees may be the next one's, on another host; a real kernel
 * would see two address spaces.  Both calls tell the race detector
 * the block's earlier history is no one's (what the kernel did with
 * the old owner's buffer is no race with the new owner).  NULL when
 * out of memory.
 */
void	*ul_zalloc(size_t);
void	ul_free(void *, size_t);

/* Programs. */
int	ul_route_main(struct ul_io *, int, char **);
int	ul_sysctl_main(struct ul_io *, int, char **);
int	ul_netstat_main(struct ul_io *, int, char **);
int	ul_ifconfig_main(struct ul_io *, int, char **);
int	ul_ping_main(struct ul_io *, int, char **);

/* Addresses (ul_addr.c): no libc inet functions in the simulation. */
bool	ul_inet_pton(const char *, struct in_addr *);
bool	ul_inet6_pton(const char *, struct in6_addr *);
/* buf must hold 16 (IPv4) / 46 (IPv6) bytes. */
const char *ul_inet_ntop(const struct in_addr *, char *, size_t);
const char *ul_inet6_ntop(const struct in6_addr *, char *, size_t);
void	ul_sin_init(struct sockaddr_in *, const struct in_addr *);
void	ul_sin6_init(struct sockaddr_in6 *, const struct in6_addr *);
void	ul_plen2mask4(int plen, struct in_addr *);
void	ul_plen2mask6(int plen, struct in6_addr *);
/* Prefix length of a contiguous mask, -1 otherwise. */
int	ul_mask2plen(const uint8_t *, size_t);
/* Text of any sockaddr (inet, inet6, link), for listings. */
const char *ul_sa_ntop(const struct sockaddr *, char *, size_t);
/* NetBSD's error text for route(8) messages. */
const char *ul_strerror(int);

#endif /* !_KNIT_TOOLS_USERLAND_UL_H_ */
