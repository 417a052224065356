/*
 * Compiled with -fsanitize=thread like the stack's race build (see
 * race_atomics_fixture.h); calls the kernel API's atomics and barriers.
 */
#include "sys/atomic.h"

#include "race_atomics_fixture.h"

uint64_t fxa_data;
struct fxa_word fxa_flag, fxa_counter;
struct fxa_obj fxa_obj;

#define FLAG	(&fxa_flag.w_v)
#define COUNTER	(&fxa_counter.w_v)

void
fxa_send(enum fxa_order o, uint64_t v)
{
	fxa_data = v;
	switch (o) {
	case FXA_ACQREL:
		atomic_store_release_uint(FLAG, 1);
		break;
	case FXA_FENCES:
		membar_exit();
		atomic_store_relaxed_uint(FLAG, 1);
		break;
	case FXA_ACQREL_FENCES:
		membar_release();
		atomic_store_relaxed_uint(FLAG, 1);
		break;
	default:
		atomic_store_relaxed_uint(FLAG, 1);
		break;
	}
}

uint64_t
fxa_recv(enum fxa_order o)
{
	if (o == FXA_ACQREL) {
		while (atomic_load_acquire_uint(FLAG) == 0)
			continue;
	} else {
		while (atomic_load_relaxed_uint(FLAG) == 0)
			continue;
	}
	if (o == FXA_FENCES)
		membar_enter();
	else if (o == FXA_ACQREL_FENCES)
		membar_acquire();
	return fxa_data;
}

void
fxa_count(void)
{
	atomic_inc_uint(COUNTER);
}

unsigned
fxa_peek(void)
{
	return *(volatile unsigned int *)COUNTER;
}

bool
fxa_unref(enum fxa_order o, bool first)
{
	struct fxa_obj *obj = &fxa_obj;
	volatile unsigned int *ref = &obj->o_ref.w_v;

	if (first)
		obj->o_a = 1;
	else
		obj->o_b = 2;
	if (o != FXA_RELAXED)
		membar_release();
	if (atomic_dec_uint_nv(ref) != 0)
		return false;
	if (o != FXA_RELAXED)
		membar_acquire();
	/* The destructor poisons the object, as a free would. */
	obj->o_a = 0xdead;
	obj->o_b = 0xdead;
	return true;
}
