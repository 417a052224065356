/*
 * Longest-prefix-match tables: path-compressed binary trie (net/rtbl.h).
 *
 * Lookup walks down from the root while the address lies inside the node's
 * prefix, remembering the last node that holds a route: that node is the
 * longest matching prefix.  Insertion finds the first node whose prefix
 * does not contain the new one and splits the edge there, adding at most
 * two nodes (the route's node and a branch node).  Removal turns the node
 * into a branch, then splices out branch nodes with fewer than two
 * children, freeing at most two nodes.
 */

#include "sys/kmem.h"
#include "net/rtbl.h"

static void	rtbl_dir_check(struct rtbl *);
static void	rtbl_dir_added(struct rtbl *, struct rtnode *);

/* Bit pos (0 = most significant) of k. */
static inline int
rtkey_bit(const struct rtkey *k, int pos)
{
	if (pos < 64)
		return (int)(k->rk_hi >> (63 - pos)) & 1;
	return (int)(k->rk_lo >> (127 - pos)) & 1;
}

/* True if the first plen bits of a and k are equal. */
static inline bool
rtkey_prefix_eq(const struct rtkey *a, const struct rtkey *k, int plen)
{
	uint64_t x;

	if (plen <= 64) {
		if (plen == 0)
			return true;
		x = (a->rk_hi ^ k->rk_hi) & (~UINT64_C(0) << (64 - plen));
		return x == 0;
	}
	if (a->rk_hi != k->rk_hi)
		return false;
	x = (a->rk_lo ^ k->rk_lo) & (~UINT64_C(0) << (128 - plen));
	return x == 0;
}

/* Length of the common prefix of a and b, at most max. */
static inline int
rtkey_common(const struct rtkey *a, const struct rtkey *b, int max)
{
	uint64_t x;
	int n;

	if ((x = a->rk_hi ^ b->rk_hi) != 0)
		n = __builtin_clzll(x);
	else if ((x = a->rk_lo ^ b->rk_lo) != 0)
		n = 64 + __builtin_clzll(x);
	else
		n = 128;
	return n < max ? n : max;
}

void
rtbl_init(struct rtbl *t, int maxbits, unsigned dirmin)
{
	KASSERT(maxbits > RTBL_DIRBITS && maxbits <= 128);
	t->rtb_root = NULL;
	t->rtb_maxbits = maxbits;
	t->rtb_count = 0;
	t->rtb_dirmin = dirmin;
	t->rtb_dir = NULL;
}

void
rtbl_fini(struct rtbl *t)
{
	if (t->rtb_dir != NULL)
		kmem_free(t->rtb_dir, RTBL_DIRSIZE * sizeof(*t->rtb_dir));
	t->rtb_dir = NULL;
}

void
rtbl_setdirmin(struct rtbl *t, unsigned dirmin)
{
	t->rtb_dirmin = dirmin;
	rtbl_dir_check(t);
}

/* ---- the direct table ---- */

static inline unsigned
rtbl_dir_index(const struct rtkey *k)
{
	return (unsigned)(k->rk_hi >> (64 - RTBL_DIRBITS));
}

/* Entries [*lop, *lop + *np) are the ones node n covers (plen <= DIRBITS). */
static inline void
rtbl_dir_region(const struct rtnode *n, unsigned *lop, unsigned *np)
{
	*np = 1u << (RTBL_DIRBITS - n->rn_plen);
	*lop = rtbl_dir_index(&n->rn_key) & ~(*np - 1);
}

/* n became a node of the table or got a route: deeper covering wins. */
static void
rtbl_dir_added(struct rtbl *t, struct rtnode *n)
{
	struct rtdirent *d;
	unsigned lo, cnt, i;

	if (t->rtb_dir == NULL || n->rn_plen > RTBL_DIRBITS)
		return;
	rtbl_dir_region(n, &lo, &cnt);
	for (i = lo; i < lo + cnt; i++) {
		d = &t->rtb_dir[i];
		if (d->rd_start == NULL || d->rd_start->rn_plen < n->rn_plen)
			d->rd_start = n;
		if (n->rn_rt != NULL &&
		    (d->rd_best == NULL || d->rd_best->rn_plen < n->rn_plen))
			d->rd_best = n;
	}
}

/*
 * n left the table (gone) or lost its route: entries naming it get the
 * nearest ancestor instead.  gone nodes keep rn_parent, so the walk up
 * passes through them to the survivors.
 */
static void
rtbl_dir_removed(struct rtbl *t, struct rtnode *n, bool gone,
    struct rtnode *const *freed, int nfreed)
{
	struct rtdirent *d;
	struct rtnode *start, *best;
	unsigned lo, cnt, i;
	int j;

	if (t->rtb_dir == NULL || n->rn_plen > RTBL_DIRBITS)
		return;
	for (start = n->rn_parent; start != NULL; start = start->rn_parent) {
		for (j = 0; j < nfreed && freed[j] != start; j++)
			continue;
		if (j == nfreed)
			break;
	}
	for (best = n->rn_parent; best != NULL && best->rn_rt == NULL;
	    best = best->rn_parent)
		continue;
	rtbl_dir_region(n, &lo, &cnt);
	for (i = lo; i < lo + cnt; i++) {
		d = &t->rtb_dir[i];
		if (gone && d->rd_start == n)
			d->rd_start = start;
		if (d->rd_best == n)
			d->rd_best = best;
	}
}

static void
rtbl_dir_fill(struct rtbl *t, struct rtnode *n)
{
	for (; n != NULL && n->rn_plen <= RTBL_DIRBITS; n = n->rn_child[1]) {
		rtbl_dir_added(t, n);
		rtbl_dir_fill(t, n->rn_child[0]);
	}
}

/* Build or drop the direct table as the route count says. */
static void
rtbl_dir_check(struct rtbl *t)
{
	bool want = t->rtb_dirmin != 0 && t->rtb_count >= t->rtb_dirmin;

	if (t->rtb_dir != NULL && (t->rtb_dirmin == 0 ||
	    t->rtb_count < t->rtb_dirmin / 4)) {
		rtbl_fini(t);
		return;
	}
	if (!want || t->rtb_dir != NULL)
		return;
	t->rtb_dir = kmem_zalloc(RTBL_DIRSIZE * sizeof(*t->rtb_dir),
	    KM_NOSLEEP);
	if (t->rtb_dir != NULL)
		rtbl_dir_fill(t, t->rtb_root);
}

static void
rtbl_setchild(struct rtbl *t, struct rtnode *parent, int side,
    struct rtnode *n)
{
	if (parent == NULL)
		t->rtb_root = n;
	else
		parent->rn_child[side] = n;
	if (n != NULL)
		n->rn_parent = parent;
}

static struct rtnode *
rtbl_newnode(struct rtnode *spare[2], int *nusedp, const struct rtkey *k,
    int plen, struct rtentry *rt)
{
	struct rtnode *n;

	KASSERT(*nusedp < 2);
	n = spare[(*nusedp)++];
	memset(n, 0, sizeof(*n));
	n->rn_key = rtkey_mask(*k, plen);
	n->rn_plen = plen;
	n->rn_rt = rt;
	return n;
}

int
rtbl_insert(struct rtbl *t, const struct rtkey *key, int plen,
    struct rtentry *rt, struct rtnode *spare[2], int *nusedp)
{
	struct rtnode *cur = t->rtb_root, *parent = NULL, *n, *b;
	int side = 0, cp;

	KASSERT(plen >= 0 && plen <= t->rtb_maxbits);
	*nusedp = 0;
	for (;;) {
		if (cur == NULL) {
			n = rtbl_newnode(spare, nusedp, key, plen, rt);
			rtbl_setchild(t, parent, side, n);
			rtbl_dir_added(t, n);
			break;
		}
		cp = rtkey_common(key, &cur->rn_key,
		    plen < cur->rn_plen ? plen : cur->rn_plen);
		if (cp < cur->rn_plen) {
			/* The new prefix leaves cur's path at bit cp. */
			if (cp == plen) {
				/* ... and is an ancestor of cur. */
				n = rtbl_newnode(spare, nusedp, key, plen, rt);
				rtbl_setchild(t, parent, side, n);
				rtbl_setchild(t, n,
				    rtkey_bit(&cur->rn_key, plen), cur);
				rtbl_dir_added(t, n);
			} else {
				/* ... or a sibling: branch at cp. */
				b = rtbl_newnode(spare, nusedp, key, cp, NULL);
				n = rtbl_newnode(spare, nusedp, key, plen, rt);
				rtbl_setchild(t, parent, side, b);
				rtbl_setchild(t, b, rtkey_bit(key, cp), n);
				rtbl_setchild(t, b,
				    rtkey_bit(&cur->rn_key, cp), cur);
				rtbl_dir_added(t, b);
				rtbl_dir_added(t, n);
			}
			break;
		}
		if (plen == cur->rn_plen) {
			if (cur->rn_rt != NULL)
				return EEXIST;
			cur->rn_rt = rt;
			n = cur;
			rtbl_dir_added(t, n);
			break;
		}
		parent = cur;
		side = rtkey_bit(key, cur->rn_plen);
		cur = cur->rn_child[side];
	}
	t->rtb_count++;
	rtbl_dir_check(t);
	return 0;
}

static int
rtbl_side(const struct rtnode *parent, const struct rtnode *n)
{
	return parent->rn_child[1] == n;
}

void
rtbl_remove(struct rtbl *t, struct rtnode *n, struct rtnode *out[2],
    int *nfreedp)
{
	struct rtnode *parent, *child;
	int nchild;

	struct rtnode *x = n;
	int j;

	KASSERT(n->rn_rt != NULL);
	*nfreedp = 0;
	n->rn_rt = NULL;
	t->rtb_count--;
	/* Splice out n and then possibly its parent, if now useless. */
	while (n != NULL && n->rn_rt == NULL) {
		nchild = (n->rn_child[0] != NULL) + (n->rn_child[1] != NULL);
		if (nchild == 2)
			break;
		child = n->rn_child[0] != NULL ? n->rn_child[0] :
		    n->rn_child[1];
		parent = n->rn_parent;
		rtbl_setchild(t, parent, parent != NULL ?
		    rtbl_side(parent, n) : 0, child);
		KASSERT(*nfreedp < 2);
		out[(*nfreedp)++] = n;
		/* Only a childless removal can leave the parent useless. */
		n = nchild == 0 ? parent : NULL;
	}
	/* x lost its route (and maybe left); spliced branches left. */
	rtbl_dir_removed(t, x, *nfreedp > 0 && out[0] == x, out, *nfreedp);
	for (j = 0; j < *nfreedp; j++)
		if (out[j] != x)
			rtbl_dir_removed(t, out[j], true, out, *nfreedp);
	rtbl_dir_check(t);
}

struct rtnode *
rtbl_match(const struct rtbl *t, const struct rtkey *k)
{
	const struct rtnode *n = t->rtb_root, *best = NULL;
	const struct rtdirent *d;

	if (t->rtb_dir != NULL) {
		d = &t->rtb_dir[rtbl_dir_index(k)];
		best = d->rd_best;
		if (d->rd_start != NULL)
			n = d->rd_start;
	}

	while (n != NULL && rtkey_prefix_eq(k, &n->rn_key, n->rn_plen)) {
		if (n->rn_rt != NULL)
			best = n;
		if (n->rn_plen >= t->rtb_maxbits)
			break;
		n = n->rn_child[rtkey_bit(k, n->rn_plen)];
	}
	return (struct rtnode *)(uintptr_t)best;
}

struct rtnode *
rtbl_lookup(const struct rtbl *t, const struct rtkey *k, int plen)
{
	const struct rtnode *n = t->rtb_root;
	struct rtkey mk = rtkey_mask(*k, plen);

	while (n != NULL && n->rn_plen <= plen &&
	    rtkey_prefix_eq(&mk, &n->rn_key, n->rn_plen)) {
		if (n->rn_plen == plen)
			return n->rn_rt != NULL ?
			    (struct rtnode *)(uintptr_t)n : NULL;
		n = n->rn_child[rtkey_bit(&mk, n->rn_plen)];
	}
	return NULL;
}

static int
rtbl_walk1(const struct rtnode *n, int (*f)(struct rtentry *, void *),
    void *arg)
{
	int error;

	for (; n != NULL; n = n->rn_child[1]) {
		if (n->rn_rt != NULL && (error = f(n->rn_rt, arg)) != 0)
			return error;
		if ((error = rtbl_walk1(n->rn_child[0], f, arg)) != 0)
			return error;
	}
	return 0;
}

int
rtbl_walk(const struct rtbl *t, int (*f)(struct rtentry *, void *),
    void *arg)
{
	return rtbl_walk1(t->rtb_root, f, arg);
}
