/*
 * Lock-order graphs across runs and processes: lo_merge folds a run's
 * graph into the campaign's, and lo_write/lo_read carry the edges and
 * interrupt usage a graph gained between worker processes as text.
 * Either way a class is identified by name and site, never by id, and
 * records are emitted in creation order, so the result does not depend
 * on addresses or on which process ran which run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/lockorder_int.h"

/* Merge one edge given by class ids of dst and stack texts. */
static bool
merge_edge(struct lockorder *dst, uint32_t from, uint32_t to,
    const char *tfrom, const char *tto)
{
	bool isnew;
	uint32_t id = lo_add_edge(dst, from, to, &isnew);

	if (!isnew)
		return false;
	dst->edges[id].e_text_from = lo_xstrdup(tfrom);
	dst->edges[id].e_text_to = lo_xstrdup(tto);
	lo_check_new_edge(dst, id);
	return true;
}

/* Is the edge from -> to (class ids of lo) in lo? */
static bool
edge_in(const struct lockorder *lo, uint32_t from, uint32_t to)
{
	return u64map_find(&lo->edge_by_pair,
	    ((uint64_t)from << 32 | to) + 1) != NULL;
}

/* Would merging src (classes mapped to dst's by map) add to dst? */
static bool
merge_news(const struct lockorder *dst, const struct lockorder *src,
    const uint32_t *map)
{
	for (uint32_t i = 0; i < src->nclasses; i++)
		for (int b = 0; b < 2; b++)
			if (usage_extends(&dst->classes[map[i]], b,
			    src->classes[i].c_lvl[b]))
				return true;
	for (uint32_t i = 0; i < src->nedges; i++)
		if (!edge_in(dst, map[src->edges[i].e_from],
		    map[src->edges[i].e_to]))
			return true;
	return false;
}

size_t
lo_merge(struct lockorder *dst, const struct lockorder *src, uint64_t run)
{
	size_t before = dst->nreports;
	uint64_t saved = dst->run;
	uint32_t *map;

	dst->run = run;
	map = lo_xrealloc(NULL, (src->nclasses + 1) * sizeof(*map));
	for (uint32_t i = 0; i < src->nclasses; i++) {
		const struct lo_class_rec *c = &src->classes[i];

		map[i] = lo_class(dst, c->c_name, c->c_file, c->c_line);
	}
	/*
	 * Symbolise (one batch) only when something is new to dst: stacks
	 * of what dst has already would be thrown away.  In a campaign's
	 * steady state every run's edges and usage are old news.
	 */
	if (merge_news(dst, src, map))
		lo_prefetch(src, 0, NULL, 0);
	for (uint32_t i = 0; i < src->nclasses; i++) {
		const struct lo_class_rec *c = &src->classes[i];

		if (c->c_spin && !dst->classes[map[i]].c_spin) {
			dst->classes[map[i]].c_spin = true;
			lo_intr_check(dst, map[i]);
		}
		for (int b = 0; b < 2; b++) {
			if (!usage_extends(&dst->classes[map[i]], b,
			    c->c_lvl[b]))
				continue;
			/* Materialising caches the text in src. */
			lo_usage_text((struct lockorder *)src, i, b);
			lo_note_usage(dst, map[i], b, c->c_lvl[b], NULL,
			    c->c_usage_text[b]);
		}
	}
	for (uint32_t i = 0; i < src->nedges; i++) {
		struct lo_edge *e = &src->edges[i];
		bool isnew;

		if (edge_in(dst, map[e->e_from], map[e->e_to])) {
			(void)lo_add_edge(dst, map[e->e_from], map[e->e_to],
			    &isnew);		/* counted, text unneeded */
			continue;
		}
		/* Materialising the text caches it in src, hence the cast. */
		lo_edge_materialise_text((struct lo_edge *)e);
		merge_edge(dst, map[e->e_from], map[e->e_to], e->e_text_from,
		    e->e_text_to);
	}
	free(map);
	dst->run = saved;
	return dst->nreports - before;
}

/*
 * Text form.  One record per line, fields separated by tabs, with
 * backslash escapes for tab, newline and backslash:
 *   R rule                  (the interrupt rule, when not the default)
 *   S name file line        (the class is a spin mutex)
 *   U name file line slot level stack   (interrupt usage, USE_*)
 *   E fname ffile fline tname tfile tline fromstack tostack
 *   .                       (end of one lo_write block)
 */
static void
put_field(FILE *fp, const char *s)
{
	fputc('\t', fp);
	for (; *s != '\0'; s++) {
		if (*s == '\t')
			fputs("\\t", fp);
		else if (*s == '\n')
			fputs("\\n", fp);
		else if (*s == '\\')
			fputs("\\\\", fp);
		else
			fputc(*s, fp);
	}
}

bool
lo_unwritten(const struct lockorder *lo)
{
	if (lo->intr_rule != LO_RULE_SPIN)
		return true;	/* lo_write always says so */
	for (uint32_t i = 0; i < lo->nclasses; i++) {
		const struct lo_class_rec *c = &lo->classes[i];

		if ((c->c_spin && !c->c_spin_written) ||
		    c->c_lvl[0] != c->c_lvl_written[0] ||
		    c->c_lvl[1] != c->c_lvl_written[1])
			return true;
	}
	for (uint32_t i = 0; i < lo->nedges; i++)
		if (!lo->edges[i].e_written)
			return true;
	return false;
}

int
lo_write(struct lockorder *lo, FILE *fp)
{
	lo_prefetch(lo, 1, NULL, 0);
	/* Before the usage it governs: a reader applies it to all of it. */
	if (lo->intr_rule != LO_RULE_SPIN)
		fprintf(fp, "R\t%d\n", (int)lo->intr_rule);
	for (uint32_t i = 0; i < lo->nclasses; i++) {
		struct lo_class_rec *c = &lo->classes[i];

		if (c->c_spin && !c->c_spin_written) {
			fputc('S', fp);
			put_field(fp, c->c_name);
			put_field(fp, c->c_file);
			fprintf(fp, "\t%d\n", c->c_line);
			c->c_spin_written = true;
		}
		for (int b = 0; b < 2; b++) {
			if (c->c_lvl[b] == c->c_lvl_written[b])
				continue;
			lo_usage_text(lo, i, b);
			fputc('U', fp);
			put_field(fp, c->c_name);
			put_field(fp, c->c_file);
			fprintf(fp, "\t%d\t%d\t%d", c->c_line, b, c->c_lvl[b]);
			put_field(fp, c->c_usage_text[b]);
			fputc('\n', fp);
			c->c_lvl_written[b] = c->c_lvl[b];
		}
	}
	for (uint32_t i = 0; i < lo->nedges; i++) {
		struct lo_edge *e = &lo->edges[i];
		struct lo_class_rec *f = &lo->classes[e->e_from];
		struct lo_class_rec *t = &lo->classes[e->e_to];

		if (e->e_written)
			continue;
		e->e_written = true;
		lo_edge_materialise_text(e);
		fputc('E', fp);
		put_field(fp, f->c_name);
		put_field(fp, f->c_file);
		fprintf(fp, "\t%d", f->c_line);
		put_field(fp, t->c_name);
		put_field(fp, t->c_file);
		fprintf(fp, "\t%d", t->c_line);
		put_field(fp, e->e_text_from);
		put_field(fp, e->e_text_to);
		fputc('\n', fp);
	}
	fputs(".\n", fp);
	return ferror(fp) ? -1 : 0;
}

/* Split a line in place into unescaped fields; returns the count. */
static int
split_fields(char *line, char **f, int max)
{
	int n = 0;
	char *r = line, *w = line;

	f[n++] = w;
	for (; *r != '\0' && *r != '\n'; r++) {
		if (*r == '\t') {
			*w++ = '\0';
			if (n == max)
				return -1;
			f[n++] = w;
		} else if (*r == '\\' && r[1] != '\0') {
			r++;
			*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return n;
}

int
lo_read(struct lockorder *lo, FILE *fp, uint64_t run)
{
	char *line = NULL, *f[10];
	size_t cap = 0, before = lo->nreports;
	uint64_t saved = lo->run;
	int n, rc = -1;

	lo->run = run;
	while (getline(&line, &cap, fp) > 0) {
		if (strcmp(line, ".\n") == 0) {
			rc = 0;
			break;
		}
		n = split_fields(line, f, 10);
		if (n == 2 && strcmp(f[0], "R") == 0) {
			/* A scenario chose the interrupt rule. */
			int rule = atoi(f[1]);

			if (rule < LO_RULE_OFF || rule > LO_RULE_ALL)
				break;
			lo_set_intr_rule(lo, (enum lo_intr_rule)rule);
		} else if (n == 4 && strcmp(f[0], "S") == 0) {
			uint32_t c = lo_class(lo, f[1], f[2], atoi(f[3]));

			lo->classes[c].c_spin = true;
			lo_intr_check(lo, c);
		} else if (n == 7 && strcmp(f[0], "U") == 0) {
			int slot = atoi(f[4]), lvl = atoi(f[5]);
			uint32_t c;

			if ((slot != USE_INTR && slot != USE_HOLD) || lvl < 0 ||
			    lvl >= LVL_NONE)
				break;
			c = lo_class(lo, f[1], f[2], atoi(f[3]));
			lo_note_usage(lo, c, slot, lvl, NULL, f[6]);
		} else if (n == 9 && strcmp(f[0], "E") == 0) {
			uint32_t a = lo_class(lo, f[1], f[2], atoi(f[3]));
			uint32_t b = lo_class(lo, f[4], f[5], atoi(f[6]));

			merge_edge(lo, a, b, f[7], f[8]);
		} else
			break;
	}
	free(line);
	lo->run = saved;
	return rc < 0 ? -1 : (int)(lo->nreports - before);
}
