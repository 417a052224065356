/*
 * Lock-order checker: classes, the dependency graph, cycle search,
 * and the interrupt rule.  Merging graphs and their text form between
 * processes are in lockorder_merge.c.
 *
 * Invariants:
 *  - classes[] and edges[] only grow; ids are indexes and never change.
 *  - edge_by_pair maps (from << 32 | to) + 1 to an edge id; every edge
 *    is on its from-class's out list (c_out, e_next_out) exactly once.
 *  - a cycle is reported at most once per set of classes (its canonical
 *    signature), however many edges or runs close it again.
 *  - nothing here iterates in an address-dependent order: outputs walk
 *    classes[] and edges[] in creation order.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sys/intr.h"

#include "check/lockorder_int.h"

void *
lo_xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		abort();
	return p;
}

char *
lo_xstrdup(const char *s)
{
	char *d = strdup(s != NULL ? s : "");

	if (d == NULL)
		abort();
	return d;
}

/* FNV-1a over a string, continuing from h. */
static uint64_t
hash_str(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return (h ^ 0xff) * UINT64_C(0x100000001b3);
}

static uint64_t
class_key(const char *name, const char *file, int line)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = hash_str(h, name);
	h = hash_str(h, file);
	h = (h ^ (uint64_t)(unsigned)line) * UINT64_C(0x100000001b3);
	return h != 0 ? h : 1;
}

struct lockorder *
lo_create(void)
{
	struct lockorder *lo = calloc(1, sizeof(*lo));

	if (lo == NULL)
		abort();
	lo->intr_rule = LO_RULE_SPIN;
	return lo;
}

void
lo_destroy(struct lockorder *lo)
{
	if (lo == NULL)
		return;
	for (uint32_t i = 0; i < lo->nclasses; i++) {
		free(lo->classes[i].c_name);
		free(lo->classes[i].c_file);
		free(lo->classes[i].c_usage_text[0]);
		free(lo->classes[i].c_usage_text[1]);
	}
	for (uint32_t i = 0; i < lo->nedges; i++) {
		free(lo->edges[i].e_text_from);
		free(lo->edges[i].e_text_to);
	}
	for (uint32_t i = 0; i < lo->nthreads; i++)
		free(lo->threads[i].t_held);
	for (size_t i = 0; i < lo->nreports; i++) {
		free(lo->reports[i].lr_signature);
		free(lo->reports[i].lr_text);
		free(lo->reports[i].lr_classes);
	}
	free(lo->classes);
	free(lo->edges);
	free(lo->threads);
	free(lo->held_stacks);
	free(lo->reports);
	u64map_fini(&lo->class_by_key);
	u64map_fini(&lo->edge_by_pair);
	u64map_fini(&lo->reported);
	free(lo);
}

void
lo_set_report_fn(struct lockorder *lo, lo_report_fn_t fn, void *arg)
{
	lo->report_fn = fn;
	lo->report_arg = arg;
}

void
lo_set_run(struct lockorder *lo, uint64_t run)
{
	lo->run = run;
}

/* Usage seen before the change is judged by the new rule too. */
void
lo_set_intr_rule(struct lockorder *lo, enum lo_intr_rule rule)
{
	lo->intr_rule = rule;
	for (uint32_t i = 0; i < lo->nclasses; i++)
		lo_intr_check(lo, i);
}

enum lo_intr_rule
lo_intr_rule(const struct lockorder *lo)
{
	return lo->intr_rule;
}

uint32_t
lo_class(struct lockorder *lo, const char *name, const char *file, int line)
{
	struct lo_class_rec *c;
	uint64_t key;
	uint32_t *idp;

	if (name == NULL)
		name = "?";
	if (file == NULL)
		file = "?";
	/* Probe past (astronomically unlikely) hash collisions. */
	for (key = class_key(name, file, line);; key = key + 1 ? key + 1 : 1) {
		if ((idp = u64map_find(&lo->class_by_key, key)) == NULL)
			break;
		c = &lo->classes[*idp];
		if (c->c_line == line && strcmp(c->c_name, name) == 0 &&
		    strcmp(c->c_file, file) == 0)
			return *idp;
	}
	if (lo->nclasses == lo->capclasses) {
		lo->capclasses = lo->capclasses ? lo->capclasses * 2 : 32;
		lo->classes = lo_xrealloc(lo->classes,
		    lo->capclasses * sizeof(*lo->classes));
	}
	c = &lo->classes[lo->nclasses];
	memset(c, 0, sizeof(*c));
	c->c_name = lo_xstrdup(name);
	c->c_file = lo_xstrdup(file);
	c->c_line = line;
	c->c_out = LO_NONE;
	c->c_lvl[USE_INTR] = c->c_lvl_written[USE_INTR] = -1;
	c->c_lvl[USE_HOLD] = c->c_lvl_written[USE_HOLD] = LVL_NONE;
	u64map_put(&lo->class_by_key, key, lo->nclasses);
	return lo->nclasses++;
}

const char *
lo_class_name(const struct lockorder *lo, uint32_t cls)
{
	return cls < lo->nclasses ? lo->classes[cls].c_name : "?";
}

/* "name (file:line)" with the file's directories dropped. */
static void
class_label(const struct lockorder *lo, uint32_t cls, char *buf, size_t len)
{
	const struct lo_class_rec *c = &lo->classes[cls];
	const char *f = strrchr(c->c_file, '/');

	snprintf(buf, len, "%s (%s:%d)", c->c_name,
	    f != NULL ? f + 1 : c->c_file, c->c_line);
}

/* Find class c of lo in other (by name and site); LO_NONE if absent. */
static uint32_t
class_in(const struct lockorder *lo, uint32_t c, const struct lockorder *other)
{
	const struct lo_class_rec *r = &lo->classes[c];
	uint64_t key;
	uint32_t *idp;

	for (key = class_key(r->c_name, r->c_file, r->c_line);;
	    key = key + 1 ? key + 1 : 1) {
		if ((idp = u64map_find(&other->class_by_key, key)) == NULL)
			return LO_NONE;
		if (other->classes[*idp].c_line == r->c_line &&
		    strcmp(other->classes[*idp].c_name, r->c_name) == 0 &&
		    strcmp(other->classes[*idp].c_file, r->c_file) == 0)
			return *idp;
	}
}

/* Copy an edge's stack texts from the fallback graph, if it has them. */
static void
fallback_text(const struct lockorder *lo, struct lo_edge *e)
{
	const struct lockorder *fb = lo->fallback;
	uint32_t a = class_in(lo, e->e_from, fb), b = class_in(lo, e->e_to, fb);
	uint32_t *idp;

	if (a == LO_NONE || b == LO_NONE)
		return;
	idp = u64map_find(&fb->edge_by_pair, ((uint64_t)a << 32 | b) + 1);
	if (idp == NULL || fb->edges[*idp].e_text_from == NULL)
		return;
	e->e_text_from = lo_xstrdup(fb->edges[*idp].e_text_from);
	e->e_text_to = lo_xstrdup(fb->edges[*idp].e_text_to);
}

/* A growing string for report text. */
struct sbuf {
	char	*s;
	size_t	 len, cap;
};

static void sbuf_printf(struct sbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->s + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (sb->len + (size_t)n < sb->cap) {
			sb->len += (size_t)n;
			return;
		}
		sb->cap = (sb->cap + (size_t)n + 1) * 2;
		sb->s = lo_xrealloc(sb->s, sb->cap);
	}
}

static void
sbuf_init(struct sbuf *sb)
{
	sb->cap = 256;
	sb->len = 0;
	sb->s = lo_xrealloc(NULL, sb->cap);
	sb->s[0] = '\0';
}

static char *
stack_text(const struct check_stack *cs, bool have)
{
	char *buf;
	size_t n;

	if (!have || cs->cs_depth == 0)
		return lo_xstrdup("    (no stack)\n");
	n = check_stack_format(cs, NULL, 0);
	buf = lo_xrealloc(NULL, n + 1);
	check_stack_format(cs, buf, n + 1);
	return buf;
}

/*
 * Resolve the symbols of every stack about to be formatted in one go
 * (one addr2line run instead of one per frame).  which: 0 all edges,
 * 1 the unwritten ones; cyc/n: just those edges.
 */
void
lo_prefetch(const struct lockorder *lo, int which, const uint32_t *cyc,
    uint32_t n)
{
	const struct check_stack **v;
	size_t k = 0, max = 2 * (size_t)lo->nedges + 2 * lo->nclasses + 1;

	v = lo_xrealloc(NULL, max * sizeof(*v));
	for (uint32_t i = 0; i < (cyc != NULL ? n : lo->nedges); i++) {
		const struct lo_edge *e = &lo->edges[cyc != NULL ? cyc[i] : i];

		if (!e->e_have_stacks || (which == 1 && e->e_written) ||
		    e->e_text_from != NULL)
			continue;
		v[k++] = &e->e_stack_from;
		v[k++] = &e->e_stack_to;
	}
	for (uint32_t i = 0; cyc == NULL && i < lo->nclasses; i++)
		for (int b = 0; b < 2; b++)
			if (lo->classes[i].c_have_usage_stack[b] &&
			    lo->classes[i].c_usage_text[b] == NULL)
				v[k++] = &lo->classes[i].c_usage_stack[b];
	if (k > 0)
		check_stack_prefetch(v, k);
	free(v);
}

void
lo_edge_materialise_text(struct lo_edge *e)
{
	if (e->e_text_from == NULL)
		e->e_text_from = stack_text(&e->e_stack_from, e->e_have_stacks);
	if (e->e_text_to == NULL)
		e->e_text_to = stack_text(&e->e_stack_to, e->e_have_stacks);
}

static void
add_report(struct lockorder *lo, enum lo_report_kind kind, char *sig,
    char *text, uint32_t *classes, uint32_t nclasses)
{
	struct lo_report *r;
	uint64_t h = hash_str(UINT64_C(0xcbf29ce484222325), sig);

	if (u64map_find(&lo->reported, h ? h : 1) != NULL) {
		free(sig);
		free(text);
		free(classes);
		return;
	}
	u64map_put(&lo->reported, h ? h : 1, 1);
	if (lo->nreports == lo->capreports) {
		lo->capreports = lo->capreports ? lo->capreports * 2 : 8;
		lo->reports = lo_xrealloc(lo->reports,
		    lo->capreports * sizeof(*lo->reports));
	}
	r = &lo->reports[lo->nreports++];
	r->lr_kind = kind;
	r->lr_run = lo->run;
	r->lr_signature = sig;
	r->lr_text = text;
	r->lr_classes = classes;
	r->lr_nclasses = nclasses;
	if (lo->report_fn != NULL)
		lo->report_fn(lo->report_arg, r);
}

static int
class_cmp(const struct lockorder *lo, uint32_t a, uint32_t b)
{
	const struct lo_class_rec *ca = &lo->classes[a], *cb = &lo->classes[b];
	int d;

	if ((d = strcmp(ca->c_name, cb->c_name)) != 0)
		return d;
	if ((d = strcmp(ca->c_file, cb->c_file)) != 0)
		return d;
	return (ca->c_line > cb->c_line) - (ca->c_line < cb->c_line);
}

/*
 * Report the cycle made of edge ids cyc[0..n-1] (cyc[i].to ==
 * cyc[i+1].from).  The rotation starting at the least class (by name,
 * file, line) makes the signature independent of which edge closed it.
 */
static void
report_cycle(struct lockorder *lo, const uint32_t *cyc, uint32_t n)
{
	struct sbuf sig, text;
	uint32_t start = 0, *classes, *rot;
	char label[600], label2[600];

	for (uint32_t i = 1; i < n; i++)
		if (class_cmp(lo, lo->edges[cyc[i]].e_from,
		    lo->edges[cyc[start]].e_from) < 0)
			start = i;
	classes = lo_xrealloc(NULL, n * sizeof(*classes));
	rot = lo_xrealloc(NULL, n * sizeof(*rot));
	memset(rot, 0, n * sizeof(*rot));
	for (uint32_t i = 0; i < n; i++) {
		rot[i] = cyc[(start + i) % n];
		classes[i] = lo->edges[rot[i]].e_from;
	}
	lo_prefetch(lo, 0, rot, n);

	sbuf_init(&sig);
	sbuf_printf(&sig, "lock order:");
	for (uint32_t i = 0; i < n; i++) {
		class_label(lo, classes[i], label, sizeof(label));
		sbuf_printf(&sig, " %s ->", label);
	}
	class_label(lo, classes[0], label, sizeof(label));
	sbuf_printf(&sig, " %s", label);

	sbuf_init(&text);
	sbuf_printf(&text, "lock order inversion: a cycle of %u lock classes"
	    " (a deadlock in some interleaving)\n  %s\n", n, sig.s + 12);
	for (uint32_t i = 0; i < n; i++) {
		struct lo_edge *e = &lo->edges[rot[i]];

		if (!e->e_have_stacks && e->e_text_from == NULL &&
		    lo->fallback != NULL)
			fallback_text(lo, e);
		lo_edge_materialise_text(e);
		class_label(lo, e->e_from, label, sizeof(label));
		class_label(lo, e->e_to, label2, sizeof(label2));
		sbuf_printf(&text, "edge %u: %s -> %s (first in run %" PRIu64
		    ")\n  %s acquired at:\n%s  then %s acquired at:\n%s",
		    i + 1, label, label2, e->e_run, label, e->e_text_from,
		    label2, e->e_text_to);
	}
	free(rot);
	add_report(lo, LO_REPORT_CYCLE, sig.s, text.s, classes, n);
}

/*
 * Breadth-first search from `from' for `to' over the edges; on success
 * fills path[] with the edge ids from `from' to `to' and returns their
 * number, else 0.  BFS gives the shortest cycle, the easiest to read.
 */
static uint32_t
find_path(struct lockorder *lo, uint32_t from, uint32_t to, uint32_t **pathp)
{
	uint32_t *queue, qh = 0, qt = 0, gen, c, n, *path;

	gen = ++lo->search_gen;
	queue = lo_xrealloc(NULL, lo->nclasses * sizeof(*queue));
	lo->classes[from].c_seen = gen;
	lo->classes[from].c_via = LO_NONE;
	queue[qt++] = from;
	while (qh < qt) {
		c = queue[qh++];
		if (c == to)
			break;
		for (uint32_t e = lo->classes[c].c_out; e != LO_NONE;
		    e = lo->edges[e].e_next_out) {
			uint32_t t = lo->edges[e].e_to;

			if (lo->classes[t].c_seen == gen)
				continue;
			lo->classes[t].c_seen = gen;
			lo->classes[t].c_via = e;
			queue[qt++] = t;
		}
	}
	free(queue);
	if (lo->classes[to].c_seen != gen)
		return 0;
	n = 0;
	for (c = to; lo->classes[c].c_via != LO_NONE;
	    c = lo->edges[lo->classes[c].c_via].e_from)
		n++;
	path = lo_xrealloc(NULL, (n + 1) * sizeof(*path));
	c = to;
	for (uint32_t i = n; i > 0; i--) {
		path[i - 1] = lo->classes[c].c_via;
		c = lo->edges[path[i - 1]].e_from;
	}
	*pathp = path;
	return n;
}

/*
 * Add edge from -> to unless present; returns the edge id and sets
 * *isnew.  A new edge is checked for closing a cycle.
 */
uint32_t
lo_add_edge(struct lockorder *lo, uint32_t from, uint32_t to, bool *isnew)
{
	uint64_t key = ((uint64_t)from << 32 | to) + 1;
	uint32_t *idp, id;
	struct lo_edge *e;

	if ((idp = u64map_find(&lo->edge_by_pair, key)) != NULL) {
		lo->edges[*idp].e_count++;
		*isnew = false;
		return *idp;
	}
	if (lo->nedges == lo->capedges) {
		lo->capedges = lo->capedges ? lo->capedges * 2 : 64;
		lo->edges = lo_xrealloc(lo->edges,
		    lo->capedges * sizeof(*lo->edges));
	}
	id = lo->nedges++;
	e = &lo->edges[id];
	memset(e, 0, sizeof(*e));
	e->e_from = from;
	e->e_to = to;
	e->e_run = lo->run;
	e->e_count = 1;
	e->e_next_out = lo->classes[from].c_out;
	lo->classes[from].c_out = id;
	u64map_put(&lo->edge_by_pair, key, id);
	*isnew = true;
	return id;
}

/* After filling in a new edge's stacks: does it close a cycle? */
void
lo_check_new_edge(struct lockorder *lo, uint32_t id)
{
	uint32_t n, *path, *cyc;

	n = find_path(lo, lo->edges[id].e_to, lo->edges[id].e_from, &path);
	if (n == 0)
		return;
	cyc = lo_xrealloc(NULL, (n + 1) * sizeof(*cyc));
	cyc[0] = id;
	memcpy(cyc + 1, path, n * sizeof(*cyc));
	free(path);
	report_cycle(lo, cyc, n + 1);
	free(cyc);
}

static const char *const ipl_names[NIPL] = {
	[IPL_NONE] = "IPL_NONE", [IPL_SOFTCLOCK] = "IPL_SOFTCLOCK",
	[IPL_SOFTBIO] = "IPL_SOFTBIO", [IPL_SOFTNET] = "IPL_SOFTNET",
	[IPL_SOFTSERIAL] = "IPL_SOFTSERIAL", [IPL_VM] = "IPL_VM",
	[IPL_SCHED] = "IPL_SCHED", [IPL_HIGH] = "IPL_HIGH",
};

static const char *
ipl_name(int ipl)
{
	return ipl >= 0 && ipl < NIPL ? ipl_names[ipl] : "IPL_?";
}

/* A slot's stack text: its own, else the fallback graph's for that level. */
void
lo_usage_text(struct lockorder *lo, uint32_t cls, int slot)
{
	struct lo_class_rec *c = &lo->classes[cls];
	const struct lo_class_rec *f;
	uint32_t fc;

	if (c->c_usage_text[slot] != NULL)
		return;
	if (!c->c_have_usage_stack[slot] && lo->fallback != NULL &&
	    (fc = class_in(lo, cls, lo->fallback)) != LO_NONE) {
		f = &lo->fallback->classes[fc];
		if (f->c_lvl[slot] == c->c_lvl[slot] &&
		    f->c_usage_text[slot] != NULL) {
			c->c_usage_text[slot] = lo_xstrdup(f->c_usage_text[slot]);
			return;
		}
	}
	c->c_usage_text[slot] = stack_text(&c->c_usage_stack[slot],
	    c->c_have_usage_stack[slot]);
}

static void
report_intr(struct lockorder *lo, uint32_t cls)
{
	struct lo_class_rec *c = &lo->classes[cls];
	struct sbuf sig, text;
	uint32_t *classes;
	char label[600];
	int lvl = c->c_lvl[USE_INTR], held = c->c_lvl[USE_HOLD];

	c->c_intr_reported = true;
	lo_usage_text(lo, cls, USE_INTR);
	lo_usage_text(lo, cls, USE_HOLD);
	class_label(lo, cls, label, sizeof(label));
	sbuf_init(&sig);
	sbuf_printf(&sig, "interrupt-unsafe lock: %s", label);
	sbuf_init(&text);
	sbuf_printf(&text, "interrupt-unsafe lock usage: %s %s is acquired by "
	    "%s at %s and held at %s elsewhere; that %s can interrupt the "
	    "holder on its CPU and %s for the lock forever, the holder "
	    "pinned beneath it\n  acquired in %s context at:\n%s"
	    "  held at %s at:\n%s", c->c_spin ? "spin mutex" : "lock", label,
	    lvl >= IPL_VM ? "the hard interrupt" : "a softint",
	    ipl_name(lvl), ipl_name(held),
	    lvl >= IPL_VM ? "interrupt" : "softint",
	    c->c_spin ? "spin" : "wait", ipl_name(lvl),
	    c->c_usage_text[USE_INTR], ipl_name(held),
	    c->c_usage_text[USE_HOLD]);
	classes = lo_xrealloc(NULL, sizeof(*classes));
	classes[0] = cls;
	add_report(lo, LO_REPORT_INTR_UNSAFE, sig.s, text.s, classes, 1);
}

/* Report cls if the rule covers it and an interrupt can cut its hold. */
void
lo_intr_check(struct lockorder *lo, uint32_t cls)
{
	const struct lo_class_rec *c = &lo->classes[cls];

	if (lo->intr_rule == LO_RULE_OFF || c->c_intr_reported ||
	    (lo->intr_rule == LO_RULE_SPIN && !c->c_spin))
		return;
	if (c->c_lvl[USE_INTR] >= 0 && c->c_lvl[USE_HOLD] < c->c_lvl[USE_INTR])
		report_intr(lo, cls);
}

/* Record usage lvl in slot, with a stack or the text of one. */
void
lo_note_usage(struct lockorder *lo, uint32_t cls, int slot, int lvl,
    const struct check_stack *stack, const char *text)
{
	struct lo_class_rec *c = &lo->classes[cls];

	if (!usage_extends(c, slot, lvl))
		return;
	c->c_lvl[slot] = lvl;
	free(c->c_usage_text[slot]);
	c->c_usage_text[slot] = text != NULL ? lo_xstrdup(text) : NULL;
	c->c_have_usage_stack[slot] = text == NULL && stack != NULL;
	if (c->c_have_usage_stack[slot])
		c->c_usage_stack[slot] = *stack;
	lo_intr_check(lo, cls);
}

static struct lo_thread *
thread_get(struct lockorder *lo, uint32_t tid)
{
	if (tid >= lo->nthreads) {
		uint32_t n = tid + 8;

		lo->threads = lo_xrealloc(lo->threads, n * sizeof(*lo->threads));
		memset(lo->threads + lo->nthreads, 0,
		    (n - lo->nthreads) * sizeof(*lo->threads));
		lo->nthreads = n;
	}
	return &lo->threads[tid];
}

void
lo_acquire(struct lockorder *lo, uint32_t tid, uint32_t cls,
    const void *lock, unsigned flags, const struct check_stack *stack)
{
	struct lo_thread *t = thread_get(lo, tid);
	struct lo_class_rec *c = &lo->classes[cls];
	struct lo_held *h;
	bool isnew;

	if ((flags & LO_SPIN) && !c->c_spin) {
		c->c_spin = true;
		lo_intr_check(lo, cls);
	}
	if (usage_extends(c, USE_HOLD, LO_IPL_OF(flags)))
		lo_note_usage(lo, cls, USE_HOLD, LO_IPL_OF(flags), stack, NULL);
	if ((flags & LO_INTR) &&
	    usage_extends(c, USE_INTR, LO_LEVEL_OF(flags)))
		lo_note_usage(lo, cls, USE_INTR, LO_LEVEL_OF(flags), stack, NULL);

	if (!(flags & LO_TRY)) {
		for (uint32_t i = 0; i < t->t_len; i++) {
			uint32_t id;

			h = &t->t_held[i];
			if (h->h_cls == cls)
				continue;
			id = lo_add_edge(lo, h->h_cls, cls, &isnew);
			if (!isnew)
				continue;
			if (h->h_stack != LO_NONE && stack != NULL) {
				lo->edges[id].e_stack_from =
				    lo->held_stacks[h->h_stack];
				lo->edges[id].e_stack_to = *stack;
				lo->edges[id].e_have_stacks = true;
			}
			lo_check_new_edge(lo, id);
		}
	}
	if (t->t_len == t->t_cap) {
		t->t_cap = t->t_cap ? t->t_cap * 2 : 8;
		t->t_held = lo_xrealloc(t->t_held, t->t_cap * sizeof(*t->t_held));
	}
	h = &t->t_held[t->t_len++];
	h->h_lock = lock;
	h->h_cls = cls;
	h->h_flags = flags;
	h->h_stack = LO_NONE;
	if (stack != NULL) {
		if (lo->nheld_stacks == lo->capheld_stacks) {
			lo->capheld_stacks = lo->capheld_stacks ?
			    lo->capheld_stacks * 2 : 8;
			lo->held_stacks = lo_xrealloc(lo->held_stacks,
			    lo->capheld_stacks * sizeof(*lo->held_stacks));
		}
		h->h_stack = lo->nheld_stacks++;
		lo->held_stacks[h->h_stack] = *stack;
	}
}

/*
 * The held lock *h is gone: free its stack slot (cs_depth HELD_STACK_FREE)
 * and shorten the array past the free slots at its end.
 */
#define HELD_STACK_FREE	UINT32_MAX

static inline void
held_stack_put(struct lockorder *lo, const struct lo_held *h)
{
	if (h->h_stack == LO_NONE)
		return;
	lo->held_stacks[h->h_stack].cs_depth = HELD_STACK_FREE;
	while (lo->nheld_stacks > 0 &&
	    lo->held_stacks[lo->nheld_stacks - 1].cs_depth == HELD_STACK_FREE)
		lo->nheld_stacks--;
}

bool
lo_acquire_plain(struct lockorder *lo, uint32_t tid, uint32_t cls,
    const void *lock, unsigned flags)
{
	struct lo_thread *t;
	struct lo_class_rec *c = &lo->classes[cls];
	struct lo_held *h;

	if (tid >= lo->nthreads || (t = &lo->threads[tid])->t_len != 0 ||
	    t->t_cap == 0)
		return false;
	if (((flags & LO_SPIN) && !c->c_spin) ||
	    usage_extends(c, USE_HOLD, LO_IPL_OF(flags)) ||
	    ((flags & LO_INTR) &&
	    usage_extends(c, USE_INTR, LO_LEVEL_OF(flags))))
		return false;
	h = &t->t_held[t->t_len++];
	h->h_lock = lock;
	h->h_cls = cls;
	h->h_flags = flags;
	h->h_stack = LO_NONE;
	return true;
}

void
lo_release(struct lockorder *lo, uint32_t tid, const void *lock)
{
	struct lo_thread *t;

	if (tid >= lo->nthreads)
		return;
	t = &lo->threads[tid];
	/* Usually the innermost: pop it. */
	if (t->t_len > 0 && t->t_held[t->t_len - 1].h_lock == lock) {
		held_stack_put(lo, &t->t_held[--t->t_len]);
		return;
	}
	for (uint32_t i = t->t_len; i > 0; i--) {
		if (t->t_held[i - 1].h_lock != lock)
			continue;
		held_stack_put(lo, &t->t_held[i - 1]);
		memmove(&t->t_held[i - 1], &t->t_held[i],
		    (t->t_len - i) * sizeof(*t->t_held));
		t->t_len--;
		return;
	}
}

void
lo_thread_exit(struct lockorder *lo, uint32_t tid)
{
	if (tid < lo->nthreads) {
		while (lo->threads[tid].t_len > 0)
			held_stack_put(lo, &lo->threads[tid].t_held[
			    --lo->threads[tid].t_len]);
	}
}

uint32_t
lo_held_classes(const struct lockorder *lo, uint32_t tid, uint32_t *cls,
    uint32_t max)
{
	uint32_t n = 0;

	if (tid >= lo->nthreads)
		return 0;
	for (uint32_t i = 0; i < lo->threads[tid].t_len && n < max; i++)
		cls[n++] = lo->threads[tid].t_held[i].h_cls;
	return n;
}

void
lo_set_fallback(struct lockorder *lo, const struct lockorder *fb)
{
	lo->fallback = fb;
}

uint32_t
lo_held_count(const struct lockorder *lo, uint32_t tid)
{
	return tid < lo->nthreads ? lo->threads[tid].t_len : 0;
}

size_t
lo_nreports(const struct lockorder *lo)
{
	return lo->nreports;
}

const struct lo_report *
lo_report(const struct lockorder *lo, size_t i)
{
	return i < lo->nreports ? &lo->reports[i] : NULL;
}

size_t
lo_nedges(const struct lockorder *lo)
{
	return lo->nedges;
}

size_t
lo_nclasses(const struct lockorder *lo)
{
	return lo->nclasses;
}

void
lo_foreach_edge(const struct lockorder *lo,
    void (*fn)(void *, const struct lo_edge_info *), void *arg)
{
	struct lo_edge_info ei;

	lo_prefetch(lo, 0, NULL, 0);
	for (uint32_t i = 0; i < lo->nedges; i++) {
		struct lo_edge *e = &lo->edges[i];
		const struct lo_class_rec *f = &lo->classes[e->e_from];
		const struct lo_class_rec *t = &lo->classes[e->e_to];

		lo_edge_materialise_text(e);
		ei.ei_from_name = f->c_name;
		ei.ei_from_file = f->c_file;
		ei.ei_from_line = f->c_line;
		ei.ei_to_name = t->c_name;
		ei.ei_to_file = t->c_file;
		ei.ei_to_line = t->c_line;
		ei.ei_run = e->e_run;
		ei.ei_count = e->e_count;
		ei.ei_from_stack = e->e_text_from;
		ei.ei_to_stack = e->e_text_to;
		fn(arg, &ei);
	}
}

