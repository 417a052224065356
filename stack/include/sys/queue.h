/*
 * Intrusive lists in the style of BSD <sys/queue.h>: LIST (doubly linked,
 * O(1) removal, head insertion), SLIST, TAILQ (doubly linked with tail),
 * STAILQ (singly linked with tail).  Written for knit; the macro names
 * follow the BSD convention so stack code reads like kernel code.
 */
#ifndef _KNIT_SYS_QUEUE_H_
#define _KNIT_SYS_QUEUE_H_

#include <stddef.h>

/* ---- LIST ---- */
#define LIST_HEAD(name, type)	struct name { struct type *lh_first; }
#define LIST_HEAD_INITIALIZER(h) { NULL }
#define LIST_ENTRY(type)						\
	struct { struct type *le_next; struct type **le_prev; }
#define LIST_FIRST(h)		((h)->lh_first)
#define LIST_EMPTY(h)		((h)->lh_first == NULL)
#define LIST_NEXT(e, f)		((e)->f.le_next)
#define LIST_INIT(h)		do { (h)->lh_first = NULL; } while (0)
#define LIST_FOREACH(v, h, f)						\
	for ((v) = LIST_FIRST(h); (v) != NULL; (v) = LIST_NEXT(v, f))
#define LIST_FOREACH_SAFE(v, h, f, t)					\
	for ((v) = LIST_FIRST(h);					\
	    (v) != NULL && ((t) = LIST_NEXT(v, f), 1); (v) = (t))
#define LIST_INSERT_HEAD(h, e, f) do {					\
	if (((e)->f.le_next = (h)->lh_first) != NULL)			\
		(h)->lh_first->f.le_prev = &(e)->f.le_next;		\
	(h)->lh_first = (e);						\
	(e)->f.le_prev = &(h)->lh_first;				\
} while (0)
#define LIST_INSERT_AFTER(le, e, f) do {				\
	if (((e)->f.le_next = (le)->f.le_next) != NULL)			\
		(le)->f.le_next->f.le_prev = &(e)->f.le_next;		\
	(le)->f.le_next = (e);						\
	(e)->f.le_prev = &(le)->f.le_next;				\
} while (0)
#define LIST_INSERT_BEFORE(le, e, f) do {				\
	(e)->f.le_prev = (le)->f.le_prev;				\
	(e)->f.le_next = (le);						\
	*(le)->f.le_prev = (e);						\
	(le)->f.le_prev = &(e)->f.le_next;				\
} while (0)
#define LIST_REMOVE(e, f) do {						\
	if ((e)->f.le_next != NULL)					\
		(e)->f.le_next->f.le_prev = (e)->f.le_prev;		\
	*(e)->f.le_prev = (e)->f.le_next;				\
	(e)->f.le_next = NULL;						\
	(e)->f.le_prev = NULL;						\
} while (0)

/* ---- SLIST ---- */
#define SLIST_HEAD(name, type)	struct name { struct type *slh_first; }
#define SLIST_HEAD_INITIALIZER(h) { NULL }
#define SLIST_ENTRY(type)	struct { struct type *sle_next; }
#define SLIST_FIRST(h)		((h)->slh_first)
#define SLIST_EMPTY(h)		((h)->slh_first == NULL)
#define SLIST_NEXT(e, f)	((e)->f.sle_next)
#define SLIST_INIT(h)		do { (h)->slh_first = NULL; } while (0)
#define SLIST_FOREACH(v, h, f)						\
	for ((v) = SLIST_FIRST(h); (v) != NULL; (v) = SLIST_NEXT(v, f))
#define SLIST_INSERT_HEAD(h, e, f) do {					\
	(e)->f.sle_next = (h)->slh_first;				\
	(h)->slh_first = (e);						\
} while (0)
#define SLIST_INSERT_AFTER(se, e, f) do {				\
	(e)->f.sle_next = (se)->f.sle_next;				\
	(se)->f.sle_next = (e);						\
} while (0)
#define SLIST_REMOVE_HEAD(h, f) do {					\
	(h)->slh_first = (h)->slh_first->f.sle_next;			\
} while (0)
#define SLIST_REMOVE(h, e, type, f) do {				\
	if ((h)->slh_first == (e)) {					\
		SLIST_REMOVE_HEAD(h, f);				\
	} else {							\
		struct type *slcur_ = (h)->slh_first;			\
		while (slcur_->f.sle_next != (e))			\
			slcur_ = slcur_->f.sle_next;			\
		slcur_->f.sle_next = (e)->f.sle_next;			\
	}								\
} while (0)

/* ---- TAILQ ---- */
#define TAILQ_HEAD(name, type)						\
	struct name { struct type *tqh_first; struct type **tqh_last; }
#define TAILQ_HEAD_INITIALIZER(h) { NULL, &(h).tqh_first }
#define TAILQ_ENTRY(type)						\
	struct { struct type *tqe_next; struct type **tqe_prev; }
#define TAILQ_FIRST(h)		((h)->tqh_first)
#define TAILQ_EMPTY(h)		((h)->tqh_first == NULL)
#define TAILQ_NEXT(e, f)	((e)->f.tqe_next)
#define TAILQ_LAST(h, hname)						\
	(*(((struct hname *)(void *)((h)->tqh_last))->tqh_last))
#define TAILQ_PREV(e, hname, f)						\
	(*(((struct hname *)(void *)((e)->f.tqe_prev))->tqh_last))
#define TAILQ_INIT(h) do {						\
	(h)->tqh_first = NULL;						\
	(h)->tqh_last = &(h)->tqh_first;				\
} while (0)
#define TAILQ_FOREACH(v, h, f)						\
	for ((v) = TAILQ_FIRST(h); (v) != NULL; (v) = TAILQ_NEXT(v, f))
#define TAILQ_FOREACH_SAFE(v, h, f, t)					\
	for ((v) = TAILQ_FIRST(h);					\
	    (v) != NULL && ((t) = TAILQ_NEXT(v, f), 1); (v) = (t))
#define TAILQ_FOREACH_REVERSE(v, h, hname, f)				\
	for ((v) = TAILQ_LAST(h, hname); (v) != NULL;			\
	    (v) = TAILQ_PREV(v, hname, f))
#define TAILQ_INSERT_HEAD(h, e, f) do {					\
	if (((e)->f.tqe_next = (h)->tqh_first) != NULL)			\
		(h)->tqh_first->f.tqe_prev = &(e)->f.tqe_next;		\
	else								\
		(h)->tqh_last = &(e)->f.tqe_next;			\
	(h)->tqh_first = (e);						\
	(e)->f.tqe_prev = &(h)->tqh_first;				\
} while (0)
#define TAILQ_INSERT_TAIL(h, e, f) do {					\
	(e)->f.tqe_next = NULL;						\
	(e)->f.tqe_prev = (h)->tqh_last;				\
	*(h)->tqh_last = (e);						\
	(h)->tqh_last = &(e)->f.tqe_next;				\
} while (0)
#define TAILQ_INSERT_AFTER(h, le, e, f) do {				\
	if (((e)->f.tqe_next = (le)->f.tqe_next) != NULL)		\
		(e)->f.tqe_next->f.tqe_prev = &(e)->f.tqe_next;		\
	else								\
		(h)->tqh_last = &(e)->f.tqe_next;			\
	(le)->f.tqe_next = (e);						\
	(e)->f.tqe_prev = &(le)->f.tqe_next;				\
} while (0)
#define TAILQ_INSERT_BEFORE(le, e, f) do {				\
	(e)->f.tqe_prev = (le)->f.tqe_prev;				\
	(e)->f.tqe_next = (le);						\
	*(le)->f.tqe_prev = (e);					\
	(le)->f.tqe_prev = &(e)->f.tqe_next;				\
} while (0)
#define TAILQ_REMOVE(h, e, f) do {					\
	if ((e)->f.tqe_next != NULL)					\
		(e)->f.tqe_next->f.tqe_prev = (e)->f.tqe_prev;		\
	else								\
		(h)->tqh_last = (e)->f.tqe_prev;			\
	*(e)->f.tqe_prev = (e)->f.tqe_next;				\
	(e)->f.tqe_next = NULL;						\
	(e)->f.tqe_prev = NULL;						\
} while (0)
#define TAILQ_CONCAT(h1, h2, f) do {					\
	if (!TAILQ_EMPTY(h2)) {						\
		*(h1)->tqh_last = (h2)->tqh_first;			\
		(h2)->tqh_first->f.tqe_prev = (h1)->tqh_last;		\
		(h1)->tqh_last = (h2)->tqh_last;			\
		TAILQ_INIT(h2);						\
	}								\
} while (0)

/* ---- STAILQ (SIMPLEQ) ---- */
#define STAILQ_HEAD(name, type)						\
	struct name { struct type *stqh_first; struct type **stqh_last; }
#define STAILQ_HEAD_INITIALIZER(h) { NULL, &(h).stqh_first }
#define STAILQ_ENTRY(type)	struct { struct type *stqe_next; }
#define STAILQ_FIRST(h)		((h)->stqh_first)
#define STAILQ_EMPTY(h)		((h)->stqh_first == NULL)
#define STAILQ_NEXT(e, f)	((e)->f.stqe_next)
#define STAILQ_INIT(h) do {						\
	(h)->stqh_first = NULL;						\
	(h)->stqh_last = &(h)->stqh_first;				\
} while (0)
#define STAILQ_FOREACH(v, h, f)						\
	for ((v) = STAILQ_FIRST(h); (v) != NULL; (v) = STAILQ_NEXT(v, f))
#define STAILQ_INSERT_HEAD(h, e, f) do {				\
	if (((e)->f.stqe_next = (h)->stqh_first) == NULL)		\
		(h)->stqh_last = &(e)->f.stqe_next;			\
	(h)->stqh_first = (e);						\
} while (0)
#define STAILQ_INSERT_TAIL(h, e, f) do {				\
	(e)->f.stqe_next = NULL;					\
	*(h)->stqh_last = (e);						\
	(h)->stqh_last = &(e)->f.stqe_next;				\
} while (0)
#define STAILQ_REMOVE_HEAD(h, f) do {					\
	if (((h)->stqh_first = (h)->stqh_first->f.stqe_next) == NULL)	\
		(h)->stqh_last = &(h)->stqh_first;			\
} while (0)

#endif /* !_KNIT_SYS_QUEUE_H_ */
