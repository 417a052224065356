/*
 * The lock-order checker's internals, shared by lockorder.c (classes,
 * graph, cycles, the interrupt rule) and lockorder_merge.c (merging a
 * run's graph into the campaign's, and the text form between
 * processes).  Nothing outside sim/check/lockorder*.c includes this.
 */
#ifndef _KNIT_SIM_CHECK_LOCKORDER_INT_H_
#define _KNIT_SIM_CHECK_LOCKORDER_INT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/lockorder.h"
#include "check/stack.h"
#include "check/u64map.h"

#define LO_NONE		UINT32_MAX

/*
 * Interrupt usage of a class, two slots: USE_INTR the highest level of
 * an interrupt LWP that acquired it (-1: none), USE_HOLD the lowest IPL
 * it was held at (LVL_NONE: none).  Each slot keeps the stack (or its
 * text) of the first acquisition at its current value.
 */
#define USE_INTR	0
#define USE_HOLD	1
#define LVL_NONE	16

struct lo_class_rec {
	char		*c_name, *c_file;
	int		 c_line;
	uint32_t	 c_out;		/* first out edge or LO_NONE */
	bool		 c_spin;	/* a spin mutex */
	bool		 c_spin_written;
	int		 c_lvl[2];	/* per slot, see USE_* */
	int		 c_lvl_written[2];
	bool		 c_intr_reported;
	char		*c_usage_text[2]; /* stacks at c_lvl, per slot */
	struct check_stack c_usage_stack[2];
	bool		 c_have_usage_stack[2];
	/* cycle search scratch */
	uint32_t	 c_seen;	/* search generation */
	uint32_t	 c_via;		/* edge that reached this class */
};

struct lo_edge {
	uint32_t	 e_from, e_to;
	uint32_t	 e_next_out;
	uint64_t	 e_run;
	uint64_t	 e_count;
	bool		 e_written;
	bool		 e_have_stacks;
	struct check_stack e_stack_from, e_stack_to;
	char		*e_text_from, *e_text_to;	/* NULL: format stacks */
};

/*
 * A held lock.  Kept small (every acquisition pushes one and most
 * releases pop the top): its stack, when it has one, lives in the
 * graph's held_stacks[h_stack].
 */
struct lo_held {
	const void	*h_lock;
	uint32_t	 h_cls;
	unsigned	 h_flags;
	uint32_t	 h_stack;	/* LO_NONE: no stack */
};

struct lo_thread {
	struct lo_held	*t_held;
	uint32_t	 t_len, t_cap;
};

struct lockorder {
	struct lo_class_rec *classes;
	uint32_t	 nclasses, capclasses;
	struct u64map	 class_by_key;	/* key hash -> class id */
	struct lo_edge	*edges;
	uint32_t	 nedges, capedges;
	struct u64map	 edge_by_pair;
	struct lo_thread *threads;
	uint32_t	 nthreads;
	/*
	 * Stacks of held locks (lo_held.h_stack).  A slot is taken per
	 * acquisition with a stack and given back when its lock is released;
	 * the array only shrinks from its end, so held locks released in
	 * LIFO order (the common case) keep it as short as the deepest
	 * nesting with stacks.
	 */
	struct check_stack *held_stacks;
	uint32_t	 nheld_stacks, capheld_stacks;
	struct lo_report *reports;
	size_t		 nreports, capreports;
	struct u64map	 reported;	/* signature hash -> 1 */
	uint64_t	 run;
	uint32_t	 search_gen;
	enum lo_intr_rule intr_rule;
	const struct lockorder *fallback;
	lo_report_fn_t	 report_fn;
	void		*report_arg;
};

/* Does level lvl extend slot's usage of c? */
static inline bool
usage_extends(const struct lo_class_rec *c, int slot, int lvl)
{
	return slot == USE_INTR ? lvl > c->c_lvl[USE_INTR] :
	    lvl < c->c_lvl[USE_HOLD];
}

void	*lo_xrealloc(void *, size_t);
char	*lo_xstrdup(const char *);
/* Symbolise the stacks a report or a merge is about to print (one batch). */
void	 lo_prefetch(const struct lockorder *, int, const uint32_t *, uint32_t);
void	 lo_edge_materialise_text(struct lo_edge *);
uint32_t lo_add_edge(struct lockorder *, uint32_t, uint32_t, bool *);
void	 lo_check_new_edge(struct lockorder *, uint32_t);
void	 lo_usage_text(struct lockorder *, uint32_t, int);
void	 lo_intr_check(struct lockorder *, uint32_t);
void	 lo_note_usage(struct lockorder *, uint32_t, int, int,
	    const struct check_stack *, const char *);

#endif /* !_KNIT_SIM_CHECK_LOCKORDER_INT_H_ */
