/*
 * Longest-prefix-match tables: a path-compressed binary trie over keys of
 * up to 128 bits (stack/net/rtbl.c).  Private to the routing layer.
 *
 * Keys are big-endian bit strings held in two 64-bit words; an IPv4
 * address occupies the top 32 bits of rk_hi.  Every node stands for one
 * prefix (rn_key masked to rn_plen bits) and holds at most one route
 * (rn_rt), so duplicate keys with different masks are different nodes.
 * A node without a route is a branch node and has two children.
 *
 * Invariants: a child's prefix extends its parent's (rn_plen greater,
 * first rn_plen bits equal), and it hangs on the side given by its bit at
 * position parent->rn_plen.  Bits of rn_key beyond rn_plen are zero.
 *
 * The table does no allocation: rtbl_insert takes two spare nodes and
 * reports how many it used; rtbl_remove hands back the nodes it freed.
 * The caller locks.
 */
#ifndef _KNIT_NET_RTBL_H_
#define _KNIT_NET_RTBL_H_

#include "sys/systm.h"

struct rtentry;

struct rtkey {
	uint64_t	rk_hi;
	uint64_t	rk_lo;
};

struct rtnode {
	struct rtkey	 rn_key;
	int		 rn_plen;
	struct rtnode	*rn_parent;
	struct rtnode	*rn_child[2];
	struct rtentry	*rn_rt;		/* NULL: branch node */
};

/*
 * The direct table: an accelerator for big tables.  Entry i stands for
 * every key whose top RTBL_DIRBITS bits are i: rd_start is the deepest
 * node of prefix length <= RTBL_DIRBITS covering them all (NULL: none,
 * start at the root) and rd_best the deepest such node holding a route.
 * A lookup starts at rd_start with rd_best as its answer so far, which
 * skips the top of the trie.  It exists while the table has at least
 * rtb_dirmin routes (0: never) and memory could be had; lookups give the
 * same answers with or without it.
 */
#define RTBL_DIRBITS	16
#define RTBL_DIRSIZE	(1u << RTBL_DIRBITS)

struct rtdirent {
	struct rtnode	*rd_start;
	struct rtnode	*rd_best;
};

struct rtbl {
	struct rtnode	*rtb_root;
	int		 rtb_maxbits;	/* 32 or 128 */
	unsigned	 rtb_count;	/* routes */
	unsigned	 rtb_dirmin;	/* build the direct table from here */
	struct rtdirent	*rtb_dir;	/* NULL: none */
};

void		 rtbl_init(struct rtbl *, int maxbits, unsigned dirmin);
void		 rtbl_fini(struct rtbl *);	/* frees the direct table */
void		 rtbl_setdirmin(struct rtbl *, unsigned);
/* 0, or EEXIST if (key, plen) holds a route; *nusedp nodes of spare used */
int		 rtbl_insert(struct rtbl *, const struct rtkey *, int plen,
		    struct rtentry *, struct rtnode *spare[2], int *nusedp);
/* Unlink node n's route; freed nodes go to out[0..*nfreedp). */
void		 rtbl_remove(struct rtbl *, struct rtnode *n,
		    struct rtnode *out[2], int *nfreedp);
struct rtnode	*rtbl_match(const struct rtbl *, const struct rtkey *);
struct rtnode	*rtbl_lookup(const struct rtbl *, const struct rtkey *,
		    int plen);
int		 rtbl_walk(const struct rtbl *,
		    int (*)(struct rtentry *, void *), void *);

/* Mask k to its first plen bits. */
static inline struct rtkey
rtkey_mask(struct rtkey k, int plen)
{
	if (plen <= 0)
		k.rk_hi = k.rk_lo = 0;
	else if (plen < 64) {
		k.rk_hi &= ~UINT64_C(0) << (64 - plen);
		k.rk_lo = 0;
	} else if (plen == 64)
		k.rk_lo = 0;
	else if (plen < 128)
		k.rk_lo &= ~UINT64_C(0) << (128 - plen);
	return k;
}

#endif /* !_KNIT_NET_RTBL_H_ */
