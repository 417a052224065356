/*
 * Fixed-size object pools (pool(9)) with a capacity.
 *
 * pool_get(PR_NOWAIT) returns NULL when the hard limit is reached;
 * pool_get(PR_WAITOK) sleeps until an item is put back.  Items are always
 * returned zeroed (determinism: no stale bytes reach the stack).  The
 * counters are maintained by the platform and may be read by anybody.
 */
#ifndef _KNIT_SYS_POOL_H_
#define _KNIT_SYS_POOL_H_

#include "sys/systm.h"

#define PR_WAITOK	0x01
#define PR_NOWAIT	0x02
#define PR_ZERO		0x04	/* accepted for NetBSD compatibility */
#define PR_LIMITFAIL	0x08

struct pool {
	const char	*pr_wchan;	/* name */
	size_t		pr_size;	/* item size */
	int		pr_ipl;
	unsigned	pr_hardlimit;	/* 0: unlimited */
	unsigned	pr_nout;	/* items outstanding */
	unsigned	pr_maxout;	/* high-water mark */
	uint64_t	pr_nget;	/* successful gets */
	uint64_t	pr_nput;
	uint64_t	pr_nfail;	/* PR_NOWAIT gets refused */
	uintptr_t	pr_opaque[16];	/* platform */
};

void	pool_init(struct pool *, size_t size, const char *wchan, int ipl);
void	pool_destroy(struct pool *);	/* items still out are reported */
void	*pool_get(struct pool *, int flags);
void	pool_put(struct pool *, void *);
void	pool_sethardlimit(struct pool *, unsigned limit);

#endif /* !_KNIT_SYS_POOL_H_ */
