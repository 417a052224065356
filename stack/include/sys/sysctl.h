/*
 * Named kernel variables (sysctl(3)-style, dotted names).
 *
 * Nodes are declared at compile time with SYSCTL_INT / SYSCTL_PROC and
 * collected through a linker set; values are per host when the variable
 * is a VNET (CTLFLAG_VNET: oid_arg is the VNET master address and is
 * translated at access time).  The registry lives in stack/kern.
 */
#ifndef _KNIT_SYS_SYSCTL_H_
#define _KNIT_SYS_SYSCTL_H_

#include "sys/vnet.h"

#define CTLTYPE_INT	1
#define CTLTYPE_STRING	2
#define CTLTYPE_QUAD	3
#define CTLTYPE_STRUCT	4	/* opaque bytes (handler only); no text form */

#define CTLFLAG_READONLY 0x01
#define CTLFLAG_READWRITE 0x02
#define CTLFLAG_VNET	0x04

struct sysctl_oid;

/*
 * A handler reads the current value into oldp, *oldlenp (if oldp is not
 * NULL) and, if newp is not NULL, validates and stores the new value.
 * Returns 0 or an errno (EINVAL for a bad value, EPERM for read-only).
 */
typedef int (*sysctl_handler_t)(const struct sysctl_oid *, void *oldp,
	    size_t *oldlenp, const void *newp, size_t newlen);

struct sysctl_oid {
	const char	*oid_name;	/* "net.inet.ip.forwarding" */
	int		 oid_type;
	int		 oid_flags;
	void		*oid_arg;	/* variable, or handler's argument */
	int		 oid_min, oid_max; /* CTLTYPE_INT range, if min < max */
	sysctl_handler_t oid_handler;	/* NULL: plain variable */
	const char	*oid_descr;
};

__link_set_decl(sysctl_oids, struct sysctl_oid);

#define SYSCTL_OID(id, name, type, flags, arg, min, max, handler, descr) \
	static struct sysctl_oid sysctl_oid_##id = {			\
		name, type, flags, arg, min, max, handler, descr	\
	};								\
	__link_set_add(sysctl_oids, sysctl_oid_##id)

/* A per-host int variable in [min, max] (min == max: no range check). */
#define SYSCTL_VNET_INT(id, name, var, min, max, descr)		\
	SYSCTL_OID(id, name, CTLTYPE_INT, CTLFLAG_READWRITE | CTLFLAG_VNET, \
	    &VNET_NAME(var), min, max, NULL, descr)

/*
 * Read and/or write by name.  Integers travel as int, strings as
 * NUL-terminated text.  ENOENT for an unknown name.
 */
int	sysctl_byname(const char *name, void *oldp, size_t *oldlenp,
	    const void *newp, size_t newlen);
/*
 * Read or write any node as text ("1", "list"); used by sysctl(8).  With
 * buf NULL a write does not read the value back.  EINVAL for nodes that
 * have no text form (CTLTYPE_STRUCT).
 */
int	sysctl_byname_text(const char *name, char *buf, size_t buflen,
	    const char *newval);
/* Iterate over every node in name order. */
const struct sysctl_oid *sysctl_next(const struct sysctl_oid *prev);

/*
 * For handlers.  sysctl_oid_var is oid_arg translated to the current
 * host when the node is CTLFLAG_VNET.  The _out helpers copy a value to
 * oldp, *oldlenp (NULL oldp: report the size; short buffer: ENOMEM); the
 * _in helpers fetch the new value (EINVAL on a bad length).  Strings
 * travel NUL-terminated; newlen may or may not count the NUL.
 */
void	*sysctl_oid_var(const struct sysctl_oid *);
int	sysctl_int_out(int, void *oldp, size_t *oldlenp);
int	sysctl_quad_out(int64_t, void *oldp, size_t *oldlenp);
int	sysctl_int_in(const void *newp, size_t newlen, int *);
int	sysctl_string_out(const char *, void *oldp, size_t *oldlenp);
int	sysctl_string_in(const void *newp, size_t newlen, char *buf,
	    size_t buflen);
/*
 * An int knob's handler body: report cur; if a new value came, check it
 * is >= min (EINVAL) and return it in *vp with *changedp set.
 */
int	sysctl_int_update(int cur, int min, void *oldp, size_t *oldlenp,
	    const void *newp, size_t newlen, int *vp, bool *changedp);
/*
 * A pool's capacity as an int knob (read: pr_hardlimit; write: a limit
 * >= 0, 0 meaning none) or, with inuse, its outstanding items (read-only).
 */
struct pool;
int	sysctl_pool_knob(struct pool *, bool inuse, void *oldp,
	    size_t *oldlenp, const void *newp, size_t newlen);

#endif /* !_KNIT_SYS_SYSCTL_H_ */
