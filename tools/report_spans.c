/*
 * Spans of a run, rebuilt from its events in order: which LWP runs on
 * each CPU ("switch" .. next "switch"/"idle"), when it is idle ("idle"
 * .. next "switch"), hard interrupts
 * ("intr_begin" .. "intr_end"), softints, and lock holds
 * ("lock_acquire" .. the matching "lock_release" of that lock on that
 * host, drawn on the acquiring CPU).  Spans still open at the end are
 * closed at `t_end'.  Used by the report timeline and the Chrome trace
 * export.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define SP_NAME		64

struct sp_cpu {
	char		 c_host[SP_NAME];
	int		 c_cpu;
	char		 c_lwp[SP_NAME];	/* "" when idle */
	int64_t		 c_lwp_t;
	int64_t		 c_idle_t;		/* -1: not idle */
	char		 c_intr[SP_NAME];
	int64_t		 c_intr_t;		/* -1: none open */
	char		 c_soft[SP_NAME];
	int64_t		 c_soft_t;
};

struct sp_lock {
	char		 k_host[SP_NAME];
	char		 k_name[SP_NAME];
	int		 k_cpu;
	int64_t		 k_t;
};

struct sp_state {
	struct sp_cpu	*s_cpus;
	size_t		 s_ncpus, s_capcpus;
	struct sp_lock	*s_locks;
	size_t		 s_nlocks, s_caplocks;
	struct rpt_spans *s_out;
};

static void
sp_copy(char *dst, const char *src)
{
	snprintf(dst, SP_NAME, "%s", src != NULL ? src : "");
}

static struct sp_cpu *
sp_cpu(struct sp_state *s, const char *host, int cpu)
{
	struct sp_cpu *c;
	size_t i;

	for (i = 0; i < s->s_ncpus; i++)
		if (s->s_cpus[i].c_cpu == cpu &&
		    strncmp(s->s_cpus[i].c_host, host, SP_NAME - 1) == 0)
			return &s->s_cpus[i];
	if (s->s_ncpus == s->s_capcpus) {
		size_t cap = s->s_capcpus ? 2 * s->s_capcpus : 16;

		c = realloc(s->s_cpus, cap * sizeof(*c));
		if (c == NULL)
			return NULL;
		s->s_cpus = c;
		s->s_capcpus = cap;
	}
	c = &s->s_cpus[s->s_ncpus++];
	memset(c, 0, sizeof(*c));
	sp_copy(c->c_host, host);
	c->c_cpu = cpu;
	c->c_intr_t = c->c_soft_t = c->c_idle_t = -1;
	return c;
}

static void
sp_emit(struct sp_state *s, const struct sp_cpu *c, const char *cls,
    int64_t a, int64_t b, const char *name)
{
	s->s_out->sp_span(s->s_out->sp_arg, c->c_host, c->c_cpu, cls, a,
	    b < a ? a : b, name);
}

static void
sp_acquire(struct sp_state *s, const struct sp_cpu *c, const char *name,
    int64_t t)
{
	struct sp_lock *k;

	if (s->s_nlocks == s->s_caplocks) {
		size_t cap = s->s_caplocks ? 2 * s->s_caplocks : 16;

		k = realloc(s->s_locks, cap * sizeof(*k));
		if (k == NULL)
			return;
		s->s_locks = k;
		s->s_caplocks = cap;
	}
	k = &s->s_locks[s->s_nlocks++];
	sp_copy(k->k_host, c->c_host);
	sp_copy(k->k_name, name);
	k->k_cpu = c->c_cpu;
	k->k_t = t;
}

static void
sp_release(struct sp_state *s, const char *host, const char *name, int64_t t)
{
	struct sp_cpu *c;
	size_t i;

	for (i = s->s_nlocks; i-- > 0;) {
		if (strncmp(s->s_locks[i].k_host, host, SP_NAME - 1) != 0 ||
		    strncmp(s->s_locks[i].k_name, name, SP_NAME - 1) != 0)
			continue;
		c = sp_cpu(s, s->s_locks[i].k_host, s->s_locks[i].k_cpu);
		if (c != NULL)
			sp_emit(s, c, "lock", s->s_locks[i].k_t, t,
			    s->s_locks[i].k_name);
		s->s_locks[i] = s->s_locks[--s->s_nlocks];
		return;
	}
}

static void
sp_event(struct sp_state *s, struct sp_cpu *c, int64_t t, int lwp,
    const char *kind, const char *obj)
{
	char name[32];

	if (strcmp(kind, "switch") == 0 || strcmp(kind, "idle") == 0) {
		if (c->c_lwp[0] != '\0')
			sp_emit(s, c, "lwp", c->c_lwp_t, t, c->c_lwp);
		c->c_lwp[0] = '\0';
		if (c->c_idle_t >= 0 && kind[0] == 's') {
			sp_emit(s, c, "idle", c->c_idle_t, t, "idle");
			c->c_idle_t = -1;
		} else if (c->c_idle_t < 0 && kind[0] == 'i')
			c->c_idle_t = t;
		if (kind[0] == 's') {
			if (obj == NULL || *obj == '\0') {
				snprintf(name, sizeof(name), "lwp %d", lwp);
				obj = name;
			}
			sp_copy(c->c_lwp, obj);
			c->c_lwp_t = t;
		}
	} else if (strcmp(kind, "lock_acquire") == 0)
		sp_acquire(s, c, obj != NULL ? obj : "?", t);
	else if (strcmp(kind, "lock_release") == 0)
		sp_release(s, c->c_host, obj != NULL ? obj : "?", t);
	else if (strcmp(kind, "intr_begin") == 0) {
		c->c_intr_t = t;
		sp_copy(c->c_intr, obj);
	} else if (strcmp(kind, "intr_end") == 0 && c->c_intr_t >= 0) {
		sp_emit(s, c, "intr", c->c_intr_t, t, c->c_intr);
		c->c_intr_t = -1;
	} else if (strcmp(kind, "softint_begin") == 0) {
		c->c_soft_t = t;
		sp_copy(c->c_soft, obj);
	} else if (strcmp(kind, "softint_end") == 0 && c->c_soft_t >= 0) {
		sp_emit(s, c, "softint", c->c_soft_t, t, c->c_soft);
		c->c_soft_t = -1;
	}
}

int
rpt_walk_spans(struct sqlite3 *sql, int64_t run, int64_t max_events,
    int64_t t_end, struct rpt_spans *out, int64_t *nread)
{
	struct sp_state s;
	struct sp_cpu *c;
	sqlite3_stmt *st;
	const char *host;
	size_t i;

	memset(&s, 0, sizeof(s));
	s.s_out = out;
	*nread = 0;
	if (sqlite3_prepare_v2(sql, "SELECT vtime, host, cpu, lwp, kind, "
	    "object FROM events WHERE id BETWEEN ?1 << 36 AND "
	    "(?1 << 36) + (1 << 36) - 1 ORDER BY id LIMIT ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, max_events);
	while (sqlite3_step(st) == SQLITE_ROW) {
		(*nread)++;
		if (sqlite3_column_type(st, 2) == SQLITE_NULL ||
		    sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		host = (const char *)sqlite3_column_text(st, 1);
		c = sp_cpu(&s, host, sqlite3_column_int(st, 2));
		if (c == NULL)
			break;
		sp_event(&s, c, sqlite3_column_int64(st, 0),
		    sqlite3_column_int(st, 3),
		    (const char *)sqlite3_column_text(st, 4),
		    (const char *)sqlite3_column_text(st, 5));
	}
	sqlite3_finalize(st);
	for (i = 0; i < s.s_ncpus; i++) {
		c = &s.s_cpus[i];
		if (c->c_lwp[0] != '\0')
			sp_emit(&s, c, "lwp", c->c_lwp_t, t_end, c->c_lwp);
		if (c->c_idle_t >= 0)
			sp_emit(&s, c, "idle", c->c_idle_t, t_end, "idle");
		if (c->c_intr_t >= 0)
			sp_emit(&s, c, "intr", c->c_intr_t, t_end, c->c_intr);
		if (c->c_soft_t >= 0)
			sp_emit(&s, c, "softint", c->c_soft_t, t_end,
			    c->c_soft);
	}
	while (s.s_nlocks > 0)
		sp_release(&s, s.s_locks[s.s_nlocks - 1].k_host,
		    s.s_locks[s.s_nlocks - 1].k_name, t_end);
	free(s.s_cpus);
	free(s.s_locks);
	return 0;
}
