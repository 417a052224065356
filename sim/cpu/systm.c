/*
 * systm.h services: panic, KASSERT, the console, time, preempt_point.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/systm.h"

#include "cpu/machine.h"
#include "cpu/sync.h"

const struct sync_hooks *sync_hooks;

void
panic(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sim_fail(VIOL_PANIC, "panic: %s", buf);
}

void
kassert_fail(const char *expr, const char *file, int line, const char *func,
    const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	buf[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
	}
	sim_fail(VIOL_PANIC, "kernel diagnostic assertion \"%s\" failed: "
	    "file \"%s\", line %d, function \"%s\"%s%s", expr, file, line,
	    func, fmt != NULL ? ": " : "", buf);
}

void
vkprintf(const char *fmt, va_list ap)
{
	struct world *w = sim_curworld;
	struct host *h = sim_curhost();
	char buf[1024];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (w == NULL || w->w_console == NULL) {
		fprintf(stderr, "%s\n", buf);
		return;
	}
	w->w_console(w->w_console_arg, h != NULL ? h->h_name : "-",
	    sim_now_internal(), buf);
}

void
kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
}

uint64_t
getnanouptime(void)
{
	return sim_now_internal();
}

int
ncpu_get(void)
{
	struct host *h = sim_curhost();

	return h != NULL ? h->h_ncpu : 1;
}

void
preempt_point(void)
{
	sched_point(SIM_OP_PREEMPT);
}
