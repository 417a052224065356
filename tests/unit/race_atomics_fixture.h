/*
 * Instrumented kernel-style code for test_race_atomics: message passing,
 * a shared counter and a reference count through sys/atomic.h, each in a
 * variant with and without the barriers it needs.
 */
#ifndef _RACE_ATOMICS_FIXTURE_H_
#define _RACE_ATOMICS_FIXTURE_H_

#include <stdbool.h>
#include <stdint.h>

/* Every variable and field in a granule (8 bytes) of its own. */
struct fxa_word {
	unsigned int	 w_v;
	unsigned int	 w_pad;
} __attribute__((aligned(8)));

struct fxa_obj {
	uint64_t	 o_a;		/* written by the first LWP */
	uint64_t	 o_b;		/* written by the second LWP */
	struct fxa_word	 o_ref;		/* the reference count */
};

enum fxa_order {
	FXA_RELAXED,		/* relaxed flag, no barrier */
	FXA_ACQREL,		/* store_release / load_acquire */
	FXA_FENCES,		/* relaxed flag, membar_exit / membar_enter */
	FXA_ACQREL_FENCES,	/* membar_release / membar_acquire */
};

extern uint64_t fxa_data;
extern struct fxa_word fxa_flag, fxa_counter;
extern struct fxa_obj fxa_obj;

void	fxa_send(enum fxa_order, uint64_t v);
/* Spins (on atomic loads, each a scheduling point) until the flag is set. */
uint64_t fxa_recv(enum fxa_order);
void	fxa_count(void);
unsigned fxa_peek(void);
/* Sets o_a (first) or o_b, drops a reference; the last one destroys. */
bool	fxa_unref(enum fxa_order, bool first);

#endif
