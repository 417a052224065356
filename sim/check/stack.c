/*
 * Stack capture and symbolisation for checker reports.
 *
 * Symbolisation asks addr2line(1) about the module offset of each pc
 * (static functions are not in the dynamic symbol table, so dladdr alone
 * would name most kernel functions wrongly).  Results are cached by pc;
 * the cache only grows, and only report paths reach it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/stack.h"

#define SYMCACHE_SIZE	1024	/* power of two */

struct symcache_entry {
	uintptr_t	 se_pc;
	char		*se_func;	/* NULL: slot empty */
	char		*se_where;
};

static struct symcache_entry symcache[SYMCACHE_SIZE];
static check_stack_walker_t stack_walker;

static size_t
default_walker(uintptr_t *pcs, size_t max)
{
	void *buf[CHECK_STACK_DEPTH + 8];
	int n;

	if (max > CHECK_STACK_DEPTH + 8)
		max = CHECK_STACK_DEPTH + 8;
	n = backtrace(buf, (int)max);
	for (int i = 0; i < n; i++)
		pcs[i] = (uintptr_t)buf[i];
	return n < 0 ? 0 : (size_t)n;
}

void
check_stack_set_walker(check_stack_walker_t w)
{
	stack_walker = w;
}

void
check_stack_capture(struct check_stack *cs, unsigned skip)
{
	uintptr_t pcs[CHECK_STACK_DEPTH + 8];
	size_t n, i;

	n = (stack_walker != NULL ? stack_walker : default_walker)(pcs,
	    CHECK_STACK_DEPTH + 8);
	skip += 2;			/* the walker and this function */
	cs->cs_depth = 0;
	for (i = skip; i < n && cs->cs_depth < CHECK_STACK_DEPTH; i++)
		cs->cs_pc[cs->cs_depth++] = pcs[i];
}

/* Ask addr2line; fills func/where, returns 0 on success. */
static int
addr2line(const char *module, uintptr_t off, char *func, size_t flen,
    char *where, size_t wlen)
{
	char cmd[4200];
	FILE *fp;
	int ok = -1;

	if (strchr(module, '\'') != NULL)
		return -1;
	snprintf(cmd, sizeof(cmd),
	    "addr2line -f -e '%s' 0x%" PRIxPTR " 2>/dev/null", module, off);
	fflush(NULL);			/* a fork must not duplicate buffers */
	if ((fp = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(func, (int)flen, fp) != NULL &&
	    fgets(where, (int)wlen, fp) != NULL) {
		func[strcspn(func, "\n")] = '\0';
		where[strcspn(where, "\n")] = '\0';
		if (strcmp(func, "??") != 0)
			ok = 0;
	}
	pclose(fp);
	return ok;
}

/* The main program's path as the loader knows it (addr2line's target). */
static const char *
main_module(void)
{
	static const char *path;
	Dl_info info;

	if (path == NULL && dladdr((void *)(uintptr_t)main_module, &info) != 0)
		path = info.dli_fname;
	return path;
}

/* The entry for pc, or the empty slot where it goes (se_func NULL). */
static struct symcache_entry *
symcache_slot(uintptr_t pc)
{
	struct symcache_entry *se = NULL;
	size_t h;

	h = (size_t)((pc * UINT64_C(0x9e3779b97f4a7c15)) >> 40) &
	    (SYMCACHE_SIZE - 1);
	for (size_t i = 0; i < SYMCACHE_SIZE; i++) {
		se = &symcache[(h + i) & (SYMCACHE_SIZE - 1)];
		if (se->se_func != NULL && se->se_pc == pc)
			return se;
		if (se->se_func == NULL)
			return se;
	}
	/* full: reuse the home slot */
	se = &symcache[h];
	free(se->se_func);
	free(se->se_where);
	se->se_func = se->se_where = NULL;
	return se;
}

/* Keep "file:line" short: drop the directories and any suffix. */
static void
short_where(char *where)
{
	char *colon = strrchr(where, ':');
	char *base = where, *p;

	for (p = where; colon != NULL && p < colon; p++)
		if (*p == '/')
			base = p + 1;
	memmove(where, base, strlen(base) + 1);
	where[strcspn(where, " ")] = '\0';
}

static void
symcache_fill(struct symcache_entry *se, uintptr_t pc, const char *func,
    const char *where)
{
	se->se_pc = pc;
	se->se_func = strdup(func);
	se->se_where = strdup(where);
	if (se->se_func == NULL || se->se_where == NULL)
		abort();
}

void
check_stack_prefetch(const struct check_stack *const *stacks, size_t n)
{
	char *cmd = NULL, func[512], where[1024];
	size_t len = 0, npcs = 0, cap = 0;
	uintptr_t *pcs = NULL;
	const char *module = NULL;
	Dl_info info;
	FILE *fp;

	/* Only pcs of the main program, the module that matters. */
	for (size_t i = 0; i < n; i++) {
		if (stacks[i] == NULL)
			continue;
		for (uint32_t j = 0; j < stacks[i]->cs_depth; j++) {
			uintptr_t pc = stacks[i]->cs_pc[j];
			struct symcache_entry *se = symcache_slot(pc);

			if (se->se_func != NULL)
				continue;
			if (dladdr((void *)pc, &info) == 0 ||
			    info.dli_fname == NULL)
				continue;
			module = main_module();
			if (module == NULL ||
			    strcmp(module, info.dli_fname) != 0)
				continue;
			if (npcs == cap) {
				cap = cap ? cap * 2 : 64;
				pcs = realloc(pcs, cap * sizeof(*pcs));
				if (pcs == NULL)
					abort();
			}
			pcs[npcs++] = pc;
			/* Mark as pending so duplicates are not repeated. */
			symcache_fill(se, pc, "?", "?");
			se->se_where[0] = '\0';
		}
	}
	if (npcs == 0 || strchr(module, '\'') != NULL) {
		free(pcs);
		return;
	}
	fp = open_memstream(&cmd, &len);
	if (fp == NULL)
		abort();
	fprintf(fp, "addr2line -f -e '%s'", module);
	(void)dladdr((void *)pcs[0], &info);
	for (size_t i = 0; i < npcs; i++)
		fprintf(fp, " 0x%" PRIxPTR,
		    pcs[i] - (uintptr_t)info.dli_fbase - 1);
	fputs(" 2>/dev/null", fp);
	fclose(fp);
	fflush(NULL);
	if ((fp = popen(cmd, "r")) != NULL) {
		for (size_t i = 0; i < npcs; i++) {
			struct symcache_entry *se = symcache_slot(pcs[i]);

			if (fgets(func, sizeof(func), fp) == NULL ||
			    fgets(where, sizeof(where), fp) == NULL)
				break;
			func[strcspn(func, "\n")] = '\0';
			where[strcspn(where, "\n")] = '\0';
			if (strcmp(func, "??") == 0)
				continue;	/* left pending: resolved singly */
			short_where(where);
			free(se->se_func);
			free(se->se_where);
			symcache_fill(se, pcs[i], func, where);
		}
		pclose(fp);
	}
	/* Pending entries that got no answer are forgotten. */
	for (size_t i = 0; i < npcs; i++) {
		struct symcache_entry *se = symcache_slot(pcs[i]);

		if (se->se_func != NULL && se->se_where[0] == '\0') {
			free(se->se_func);
			free(se->se_where);
			se->se_func = se->se_where = NULL;
		}
	}
	free(cmd);
	free(pcs);
}

static struct symcache_entry *
symcache_lookup(uintptr_t pc)
{
	struct symcache_entry *se;
	char func[512], where[1024], mod[600];
	Dl_info info;
	uintptr_t off;
	const char *slash;

	se = symcache_slot(pc);
	if (se->se_func != NULL)
		return se;

	func[0] = where[0] = '\0';
	if (dladdr((void *)pc, &info) == 0 || info.dli_fname == NULL) {
		snprintf(func, sizeof(func), "?");
		snprintf(where, sizeof(where), "0x%" PRIxPTR, pc);
	} else {
		/* pc is a return address: look up the call instruction. */
		off = pc - (uintptr_t)info.dli_fbase - 1;
		snprintf(mod, sizeof(mod), "%s", info.dli_fname);
		/* Libraries: their exported name is enough (no addr2line). */
		if (main_module() == NULL ||
		    strcmp(info.dli_fname, main_module()) != 0 ||
		    addr2line(mod, off, func, sizeof(func), where,
		    sizeof(where)) != 0) {
			slash = strrchr(mod, '/');
			snprintf(func, sizeof(func), "%s",
			    info.dli_sname != NULL ? info.dli_sname : "?");
			snprintf(where, sizeof(where), "%s+0x%" PRIxPTR,
			    slash != NULL ? slash + 1 : mod, off + 1);
		} else
			short_where(where);
	}
	symcache_fill(se, pc, func, where);
	return se;
}

void
check_pc_symbol(uintptr_t pc, char *buf, size_t len)
{
	struct symcache_entry *se = symcache_lookup(pc);

	snprintf(buf, len, "%s (%s)", se->se_func, se->se_where);
}

void
check_pc_function(uintptr_t pc, char *buf, size_t len)
{
	snprintf(buf, len, "%s", symcache_lookup(pc)->se_func);
}

size_t
check_stack_format(const struct check_stack *cs, char *buf, size_t len)
{
	char sym[1600];
	size_t used = 0;
	int n;

	if (len > 0)
		buf[0] = '\0';
	for (uint32_t i = 0; i < cs->cs_depth; i++) {
		check_pc_symbol(cs->cs_pc[i], sym, sizeof(sym));
		n = snprintf(buf + (used < len ? used : len),
		    used < len ? len - used : 0, "    #%u %s\n", i, sym);
		if (n > 0)
			used += (size_t)n;
	}
	return used;
}
