/*
 * Atomic operations and fences for the race detector, as C11 and TSan
 * define them (NetBSD's atomic_ops(3) and membar_ops(3) in terms of
 * them: atomic ops are relaxed unless the name says otherwise).
 *
 *  - Every atomic op is an atomic access (race_atomic_access): it races
 *    with a plain access of the same bytes that happens-before does not
 *    order, never with another atomic op.
 *  - A relaxed op creates no happens-before edge by itself.
 *  - An acquire load joins the clock of its address into the thread's;
 *    a release store joins the thread's clock into its address's and
 *    ends the thread's epoch (race_acquire / race_release).
 *  - Fences.  A release fence keeps the thread's clock at the fence
 *    (object rel_key(tid)); each later relaxed store or RMW of the
 *    thread joins that clock into its address's, so an acquirer of the
 *    address learns what preceded the fence.  Each relaxed load or RMW
 *    joins its address's clock into the thread's pending clock (object
 *    acq_key(tid)); an acquire fence joins the pending clock into the
 *    thread's, so what the loads saw published before the fence
 *    happens-before what follows it.
 *
 * Modelled more strongly than C11 (can only hide races, never invent
 * them): a store to an address joins its clock (every store continues
 * the release sequence, not only RMWs); the pending clock keeps the
 * loads of the thread's whole life, not only those since its last
 * acquire fence (sound: an acquire fence orders every earlier load).
 */
#include "check/race.h"

/*
 * Per-thread fence objects: keys far above any user-space address
 * (x86-64 and arm64 user addresses are below 2^48) and distinct from
 * every lock cookie (an address, or an address + 1).
 */
#define FENCE_KEY_BASE	((uintptr_t)1 << 62)

static uintptr_t
rel_key(uint32_t tid)
{
	return FENCE_KEY_BASE + ((uintptr_t)tid << 1);
}

static uintptr_t
acq_key(uint32_t tid)
{
	return FENCE_KEY_BASE + ((uintptr_t)tid << 1) + 1;
}

void
race_atomic_op(struct race *r, uint32_t tid, uintptr_t addr, size_t size,
    unsigned flags, uintptr_t pc)
{
	if (tid == RACE_NOTID)
		return;
	/* The load part first: it sees the value before the store part. */
	if (flags & RACE_AT_READ) {
		if (flags & RACE_AT_ACQUIRE)
			race_acquire(r, tid, addr);
		else
			race_sync_join(r, acq_key(tid), addr);
	}
	race_atomic_access(r, tid, addr, size, pc,
	    (flags & RACE_AT_READ) != 0, (flags & RACE_AT_WRITE) != 0);
	if (flags & RACE_AT_WRITE) {
		if (flags & RACE_AT_RELEASE)
			race_release(r, tid, addr);
		else
			race_sync_join(r, addr, rel_key(tid));
	}
}

void
race_fence(struct race *r, uint32_t tid, unsigned flags)
{
	if (tid == RACE_NOTID)
		return;
	if (flags & RACE_AT_ACQUIRE)
		race_acquire(r, tid, acq_key(tid));
	if (flags & RACE_AT_RELEASE)
		race_release(r, tid, rel_key(tid));
}

void
race_fence_reset(struct race *r, uint32_t tid)
{
	race_sync_free(r, rel_key(tid));
	race_sync_free(r, acq_key(tid));
}
