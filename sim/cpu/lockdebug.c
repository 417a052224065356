/*
 * LOCKDEBUG-style bookkeeping: the registry of live locks, the stack of
 * locks each LWP holds, and failure reports.
 *
 * Messages follow NetBSD's "<type> error: <function>: <message>" form,
 * followed by the lock's name and initialisation site, its owner and the
 * LWP that misused it.  Every misuse is a VIOL_LOCK_MISUSE that stops
 * the run; the offending LWP is never resumed.
 *
 * The registry is a sorted array of (address, world): lookups and range
 * checks are binary searches; insertions and removals (lock init and
 * destroy, far rarer than allocations) move the tail.  The address
 * order is used for searching only, never to order anything observable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/locks.h"

struct lockreg {
	uintptr_t	 lr_addr;
	struct world	*lr_world;
};

static struct lockreg *lockreg;
static size_t lockreg_len, lockreg_cap;

/* Index of the first entry with address >= a. */
static size_t
lockreg_lower(uintptr_t a)
{
	size_t lo = 0, hi = lockreg_len, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (lockreg[mid].lr_addr < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Start the life of a lock whose storage (the whole opaque kernel-API
 * object of `size' bytes) begins with lo: refuse a live lock
 * ("already initialized"), zero the storage, fill in the class and
 * register it.
 */
void
lockdebug_init(struct lock_obj *lo, size_t size, uint32_t magic,
    const char *type, const char *func, const char *name, const char *file,
    int line)
{
	if (lo->lo_magic == magic && lockdebug_registered(lo))
		lockdebug_fail(lo, type, func, "already initialized");
	memset(lo, 0, size);
	lo->lo_magic = magic;
	lo->lo_name = name;
	lo->lo_file = file;
	lo->lo_line = line;
	lo->lo_world = sim_curworld;
	lockdebug_register(lo);
}

void
lockdebug_register(struct lock_obj *lo)
{
	uintptr_t a = (uintptr_t)lo;
	size_t i = lockreg_lower(a);

	if (i < lockreg_len && lockreg[i].lr_addr == a) {
		lockreg[i].lr_world = lo->lo_world;	/* stale entry */
		return;
	}
	if (lockreg_len == lockreg_cap) {
		lockreg_cap = lockreg_cap ? 2 * lockreg_cap : 256;
		lockreg = realloc(lockreg, lockreg_cap * sizeof(*lockreg));
		if (lockreg == NULL)
			abort();
	}
	memmove(&lockreg[i + 1], &lockreg[i],
	    (lockreg_len - i) * sizeof(*lockreg));
	lockreg[i].lr_addr = a;
	lockreg[i].lr_world = lo->lo_world;
	lockreg_len++;
}

void
lockdebug_unregister(struct lock_obj *lo)
{
	uintptr_t a = (uintptr_t)lo;
	size_t i = lockreg_lower(a);

	if (i == lockreg_len || lockreg[i].lr_addr != a)
		return;
	memmove(&lockreg[i], &lockreg[i + 1],
	    (lockreg_len - i - 1) * sizeof(*lockreg));
	lockreg_len--;
}

bool
lockdebug_registered(const struct lock_obj *lo)
{
	uintptr_t a = (uintptr_t)lo;
	size_t i = lockreg_lower(a);

	return i < lockreg_len && lockreg[i].lr_addr == a;
}

void
lockdebug_world_fini(struct world *w)
{
	size_t i, j;

	for (i = j = 0; i < lockreg_len; i++)
		if (lockreg[i].lr_world != w)
			lockreg[j++] = lockreg[i];
	lockreg_len = j;
}

static const char *
lock_type_name(uint32_t magic)
{
	switch (magic) {
	case LOCK_MAGIC_MUTEX:
		return "mutex";
	case LOCK_MAGIC_RW:
		return "rwlock";
	default:
		return "lock";
	}
}

void
lockdebug_mem_check(const char *func, const void *base, size_t size)
{
	uintptr_t a = (uintptr_t)base;
	size_t i;
	struct lock_obj *lo;

	if (lockreg_len == 0)
		return;
	i = lockreg_lower(a);
	if (i == lockreg_len || lockreg[i].lr_addr >= a + size)
		return;
	lo = (struct lock_obj *)lockreg[i].lr_addr;
	if (lo->lo_magic != LOCK_MAGIC_MUTEX && lo->lo_magic != LOCK_MAGIC_RW)
		return;		/* stale entry: memory reused */
	lockdebug_fail(lo, lock_type_name(lo->lo_magic), func,
	    "allocation contains active lock");
}

bool
lockdebug_held_pop_slow(struct lwp *l, const void *lock)
{
	int i, n = l->l_nheld < LWP_MAXHELD ? l->l_nheld : LWP_MAXHELD;

	for (i = n - 1; i >= 0; i--) {
		if (l->l_held[i] != lock)
			continue;
		memmove(&l->l_held[i], &l->l_held[i + 1],
		    (size_t)(n - i - 1) * sizeof(l->l_held[0]));
		memmove(&l->l_heldshared[i], &l->l_heldshared[i + 1],
		    (size_t)(n - i - 1));
		l->l_nheld--;
		return true;
	}
	if (l->l_nheld > LWP_MAXHELD) {
		l->l_nheld--;	/* beyond what we track: trust it */
		return true;
	}
	return false;
}

bool
lockdebug_held(const struct lwp *l, const void *lock)
{
	int i, n = l->l_nheld < LWP_MAXHELD ? l->l_nheld : LWP_MAXHELD;

	for (i = 0; i < n; i++)
		if (l->l_held[i] == lock)
			return true;
	return false;
}

static void
lwp_describe(const struct lwp *l, char *buf, size_t len)
{
	if (l == NULL)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "host %s lwp %d (%s)", l->l_host->h_name,
		    l->l_id, l->l_name);
}

void
lockdebug_describe_owner(const void *wchan, char *buf, size_t len)
{
	const struct lock_obj *lo = wchan;
	const struct smutex *m = wchan;
	const struct srwlock *rw = wchan;
	char who[100];

	if (lo == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	switch (lo->lo_magic) {
	case LOCK_MAGIC_MUTEX:
		lwp_describe(m->mtx_owner, who, sizeof(who));
		snprintf(buf, len, "mutex \"%s\" held by %s", lo->lo_name, who);
		break;
	case LOCK_MAGIC_RW:
		if (rw->rw_writer != NULL) {
			lwp_describe(rw->rw_writer, who, sizeof(who));
			snprintf(buf, len, "rwlock \"%s\" write-held by %s",
			    lo->lo_name, who);
		} else {
			snprintf(buf, len, "rwlock \"%s\" read-held %u times",
			    lo->lo_name, rw->rw_readers);
		}
		break;
	default:
		snprintf(buf, len, "lock %p", wchan);
	}
}

/* The LWP holding a lock exclusively, or NULL (free, or readers). */
static struct lwp *
lock_owner(const void *wchan)
{
	const struct lock_obj *lo = wchan;

	if (lo == NULL)
		return NULL;
	switch (lo->lo_magic) {
	case LOCK_MAGIC_MUTEX:
		return ((const struct smutex *)wchan)->mtx_owner;
	case LOCK_MAGIC_RW:
		return ((const struct srwlock *)wchan)->rw_writer;
	default:
		return NULL;
	}
}

/*
 * l is about to wait for `lock': follow the chain lock -> owner -> the
 * lock that owner waits for -> ... and fail the run with VIOL_DEADLOCK
 * if it comes back to l.  Catches a deadlock at once, even while timers
 * keep the world busy (the quiescence check would never see it).
 * Readers of an rwlock are not tracked as owners: a cycle through a
 * read-held lock is found by the quiescence check only.
 */
void
lockdebug_wait_check(struct lwp *l, const void *lock)
{
	const void *wchan = lock;
	struct lwp *o;
	char *buf = NULL, desc[200];
	size_t len = 0;
	FILE *fp;
	int depth;

	for (depth = 0; depth < 64; depth++) {
		o = lock_owner(wchan);
		if (o == NULL)
			return;
		if (o == l)
			break;
		if (!((o->l_stat == LSSLEEP || o->l_stat == LSSPIN) &&
		    o->l_slkind == SLK_LOCK))
			return;
		wchan = o->l_wchan;
	}
	if (depth == 64)
		return;
	fp = open_memstream(&buf, &len);
	if (fp == NULL)
		abort();
	fprintf(fp, "deadlock: lock cycle");
	lockdebug_describe_owner(lock, desc, sizeof(desc));
	fprintf(fp, "\n  host %s lwp %d (%s) waits for %s", l->l_host->h_name,
	    l->l_id, l->l_name, desc);
	for (wchan = lock; (o = lock_owner(wchan)) != l; wchan = o->l_wchan) {
		lockdebug_describe_owner(o->l_wchan, desc, sizeof(desc));
		fprintf(fp, "\n  host %s lwp %d (%s) waits for %s",
		    o->l_host->h_name, o->l_id, o->l_name, desc);
	}
	fclose(fp);
	sim_fail(VIOL_DEADLOCK, "%s", buf);
}

/* Sleeping with a spin lock held (other than a cv's interlock). */
void
lockdebug_sleep_check(struct lwp *l, const char *wmesg)
{
	if (__builtin_expect(l->l_nspin <= l->l_spin_sleepok, 1))
		return;
	sim_fail(VIOL_LOCK_MISUSE, "mutex error: sleep \"%s\": sleeping "
	    "with spin lock held\n  current LWP: host %s lwp %d (%s)",
	    wmesg ? wmesg : "?", l->l_host->h_name, l->l_id, l->l_name);
}

void
lockdebug_fail(const struct lock_obj *lo, const char *type, const char *func,
    const char *msg)
{
	char owner[200], me[100];

	lwp_describe(sim_curlwp, me, sizeof(me));
	if (lo != NULL && (lo->lo_magic == LOCK_MAGIC_MUTEX ||
	    lo->lo_magic == LOCK_MAGIC_RW)) {
		lockdebug_describe_owner(lo, owner, sizeof(owner));
		sim_fail(VIOL_LOCK_MISUSE, "%s error: %s: %s\n  lock: %s, "
		    "initialised at %s:%d\n  current LWP: %s", type, func, msg,
		    owner, lo->lo_file ? lo->lo_file : "?", lo->lo_line, me);
	}
	sim_fail(VIOL_LOCK_MISUSE, "%s error: %s: %s\n  lock: %p\n  current "
	    "LWP: %s", type, func, msg, (const void *)lo, me);
}
