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

static struct symcache_entry *
symcache_lookup(uintptr_t pc)
{
	struct symcache_entry *se;
	char func[512], where[1024], mod[600];
	Dl_info info;
	uintptr_t off;
	const char *slash;
	size_t h;

	h = (size_t)((pc * UINT64_C(0x9e3779b97f4a7c15)) >> 40) &
	    (SYMCACHE_SIZE - 1);
	for (size_t i = 0; i < SYMCACHE_SIZE; i++) {
		se = &symcache[(h + i) & (SYMCACHE_SIZE - 1)];
		if (se->se_func != NULL && se->se_pc == pc)
			return se;
		if (se->se_func == NULL)
			break;
	}
	if (se->se_func != NULL)	/* full: reuse the home slot */
		se = &symcache[h], free(se->se_func), free(se->se_where);

	func[0] = where[0] = '\0';
	if (dladdr((void *)pc, &info) == 0 || info.dli_fname == NULL) {
		snprintf(func, sizeof(func), "?");
		snprintf(where, sizeof(where), "0x%" PRIxPTR, pc);
	} else {
		/* pc is a return address: look up the call instruction. */
		off = pc - (uintptr_t)info.dli_fbase - 1;
		snprintf(mod, sizeof(mod), "%s", info.dli_fname);
		if (addr2line(mod, off, func, sizeof(func), where,
		    sizeof(where)) != 0) {
			slash = strrchr(mod, '/');
			snprintf(func, sizeof(func), "%s",
			    info.dli_sname != NULL ? info.dli_sname : "?");
			snprintf(where, sizeof(where), "%s+0x%" PRIxPTR,
			    slash != NULL ? slash + 1 : mod, off + 1);
		} else {
			/* Keep "file:line" short: drop the directories. */
			char *colon = strrchr(where, ':');
			char *base = where, *p;

			for (p = where; colon != NULL && p < colon; p++)
				if (*p == '/')
					base = p + 1;
			memmove(where, base, strlen(base) + 1);
			where[strcspn(where, " ")] = '\0';
		}
	}
	se->se_pc = pc;
	se->se_func = strdup(func);
	se->se_where = strdup(where);
	if (se->se_func == NULL || se->se_where == NULL)
		abort();
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
