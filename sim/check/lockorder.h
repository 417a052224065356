/*
 * Lock-order checker (lockdep style).
 *
 * A lock class is an init site: (name, file, line) as mutex_init_named
 * and rw_init_named record it.  Every time an LWP acquires a lock of class
 * B while holding one of class A, the edge A -> B enters the dependency
 * graph, remembered with the two acquisition stacks of its first
 * occurrence.  A new edge that closes a cycle is a potential deadlock
 * even if this run did not deadlock: some other interleaving can.
 *
 * One graph serves a run (lo_acquire/lo_release, fed by the kernel-API
 * implementation), another a whole campaign: run graphs are merged into
 * it in run order (lo_merge, or lo_write/lo_read across processes), so a
 * cycle whose edges came from different runs is found too, and the result
 * does not depend on how runs were spread over worker processes.
 *
 * Interrupt rule (lockdep's irq-safe/irq-unsafe inversion): a spin
 * mutex acquired by an interrupt LWP of level L (a softint, or the hard
 * interrupt) must never be held at an IPL below L, in thread context or
 * in a lower interrupt: the interrupt can then come in on the holder's
 * CPU and spin on the lock forever, the holder pinned beneath it.  Each
 * class remembers the highest interrupt level that acquired it and the
 * lowest IPL it was held at (with a stack for each); a class is reported
 * once, when the second exceeds the first.  Adaptive mutexes and
 * rwlocks are exempt by default: a softint that blocks on one gives the
 * CPU back to the LWP it interrupted (NetBSD 5, docs/machine.md), so
 * softnet_lock taken by protocol softints and by threads at IPL_NONE is
 * legitimate.  LO_RULE_ALL extends the rule to them (for stacks whose
 * softints must never sleep); LO_RULE_OFF turns it off.
 *
 * Same-class nesting (two sockets' locks, say) is not an ordering fact
 * between classes and is ignored, as are edges into a trylock (a failed
 * trylock cannot wait).
 */
#ifndef _KNIT_SIM_CHECK_LOCKORDER_H_
#define _KNIT_SIM_CHECK_LOCKORDER_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "check/stack.h"

struct lockorder;

/* lo_acquire flags */
#define LO_SHARED		0x01	/* reader hold of an rwlock */
#define LO_TRY			0x02	/* acquired by a trylock */
#define LO_SPIN			0x04	/* spin mutex (raises the IPL) */
#define LO_INTR			0x08	/* the acquirer is an interrupt LWP */
/* The IPL the lock is held at (after a spin mutex raised it). */
#define LO_IPL(ipl)		((unsigned)(ipl) << 8)
/* With LO_INTR: the acquiring interrupt's level. */
#define LO_LEVEL(lvl)		((unsigned)(lvl) << 12)
#define LO_IPL_OF(fl)		((int)(((fl) >> 8) & 0xf))
#define LO_LEVEL_OF(fl)		((int)(((fl) >> 12) & 0xf))

enum lo_report_kind {
	LO_REPORT_CYCLE = 1,
	LO_REPORT_INTR_UNSAFE,
};

/* Which lock classes the interrupt rule covers. */
enum lo_intr_rule {
	LO_RULE_OFF = 0,
	LO_RULE_SPIN = 1,	/* spin mutexes (the default) */
	LO_RULE_ALL = 2,	/* every lock: softints must not sleep */
};

struct lo_report {
	enum lo_report_kind lr_kind;
	uint64_t	 lr_run;	/* run that completed the finding */
	char		*lr_signature;	/* stable: class names and sites */
	char		*lr_text;	/* the full report with stacks */
	uint32_t	 lr_nclasses;
	uint32_t	*lr_classes;	/* the cycle, canonical rotation */
};

/* Everything about one edge, for the run database (lock_edges). */
struct lo_edge_info {
	const char	*ei_from_name, *ei_from_file;
	int		 ei_from_line;
	const char	*ei_to_name, *ei_to_file;
	int		 ei_to_line;
	uint64_t	 ei_run;	/* first run that saw it */
	uint64_t	 ei_count;	/* occurrences (this graph) */
	const char	*ei_from_stack;	/* symbolised, multi-line */
	const char	*ei_to_stack;
};

typedef void	(*lo_report_fn_t)(void *arg, const struct lo_report *);

struct lockorder *lo_create(void);
void		 lo_destroy(struct lockorder *);
/* Called for each new report as it is made (after it is stored). */
void		 lo_set_report_fn(struct lockorder *, lo_report_fn_t, void *);
/* Tag edges and reports made from now on with this run number. */
void		 lo_set_run(struct lockorder *, uint64_t run);
/* The interrupt rule (LO_RULE_SPIN by default; lo_write/lo_read carry it). */
void		 lo_set_intr_rule(struct lockorder *, enum lo_intr_rule);
enum lo_intr_rule lo_intr_rule(const struct lockorder *);

/* Intern a class; the id is stable for this graph's lifetime. */
uint32_t	 lo_class(struct lockorder *, const char *name,
		    const char *file, int line);
const char	*lo_class_name(const struct lockorder *, uint32_t cls);

/*
 * LWP tid acquired `lock' (of class cls).  `stack' may be NULL (no
 * stack in reports).  Locks are released by address, in any order.
 */
void		 lo_acquire(struct lockorder *, uint32_t tid, uint32_t cls,
		    const void *lock, unsigned flags,
		    const struct check_stack *stack);
/*
 * lo_acquire without a stack when that can only push the lock: tid holds
 * no other lock and the acquisition tells nothing new about cls (its
 * spin-ness and interrupt usage are known).  Returns false, having done
 * nothing, otherwise; the caller then calls lo_acquire.
 */
bool		 lo_acquire_plain(struct lockorder *, uint32_t tid,
		    uint32_t cls, const void *lock, unsigned flags);
void		 lo_release(struct lockorder *, uint32_t tid,
		    const void *lock);
/* Forget what tid holds (it exited or the run ended). */
void		 lo_thread_exit(struct lockorder *, uint32_t tid);
/* Number of locks tid holds. */
uint32_t	 lo_held_count(const struct lockorder *, uint32_t tid);
/* The classes tid holds (at most max of them); returns how many. */
uint32_t	 lo_held_classes(const struct lockorder *, uint32_t tid,
		    uint32_t *cls, uint32_t max);
/*
 * Where a report needs the stacks of an edge this graph recorded without
 * them, take them from `fb' (same classes by name and site), e.g. the
 * process's graph of earlier runs.
 */
void		 lo_set_fallback(struct lockorder *, const struct lockorder *fb);

size_t		 lo_nreports(const struct lockorder *);
const struct lo_report *lo_report(const struct lockorder *, size_t i);
size_t		 lo_nedges(const struct lockorder *);
size_t		 lo_nclasses(const struct lockorder *);
/* Edges in the order they were first seen. */
void		 lo_foreach_edge(const struct lockorder *,
		    void (*fn)(void *, const struct lo_edge_info *), void *);

/*
 * Merge src's classes, edges and interrupt usage into dst (edges new to
 * dst are tagged with `run'); cycles this closes in dst are reported by
 * dst.  Returns the number of new reports.
 */
size_t		 lo_merge(struct lockorder *dst, const struct lockorder *src,
		    uint64_t run);
/*
 * A text form of a graph (symbolised stacks, no addresses) for worker
 * processes: lo_write emits the edges and class usage added since the
 * previous lo_write (all of them the first time); lo_read merges such
 * text into a graph as lo_merge does (a graph whose interrupt rule is
 * not the default writes it first, and sets the reader's).  lo_read
 * returns -1 on malformed input, else the number of new reports.
 */
int		 lo_write(struct lockorder *, FILE *);
int		 lo_read(struct lockorder *, FILE *, uint64_t run);
/* Would lo_write emit more than its end marker (".")? */
bool		 lo_unwritten(const struct lockorder *);

#endif /* !_KNIT_SIM_CHECK_LOCKORDER_H_ */
