/*
 * knit probes: list the SDT probe points linked into knit, sorted by
 * name (the link order is not meaningful).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/sdt.h"

#include "knit.h"

const char cmd_probes_help[] =
    "usage: knit probes\n"
    "\n"
    "List every SDT probe point of the stack, one per line, as\n"
    "provider:module:function:name, followed by its arguments and the\n"
    "source position that defines it.  knit.on_probe(NAME, ...) in a\n"
    "scenario attaches a race window to a probe; NAME is the full name or\n"
    "its last component(s) when that is unique.\n";

static int
probes_cmp(const void *a, const void *b)
{
	const struct sdt_probe *pa = *(const struct sdt_probe *const *)a;
	const struct sdt_probe *pb = *(const struct sdt_probe *const *)b;
	int c;

	if ((c = strcmp(pa->sp_provider, pb->sp_provider)) != 0)
		return c;
	if ((c = strcmp(pa->sp_module, pb->sp_module)) != 0)
		return c;
	if ((c = strcmp(pa->sp_function, pb->sp_function)) != 0)
		return c;
	return strcmp(pa->sp_name, pb->sp_name);
}

int
cmd_probes(int argc, char **argv)
{
	struct sdt_probe *const *start = __link_set_start(sdt_probes);
	size_t i, n = __link_set_count(sdt_probes);
	struct sdt_probe **v;

	if (argc > 1) {
		knit_usage_error("probes", "unexpected argument '%s'",
		    argv[1]);
		return KNIT_EXIT_USAGE;
	}
	if (start == NULL)
		n = 0;
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return KNIT_EXIT_FAIL;
	for (i = 0; i < n; i++)
		v[i] = start[i];
	qsort(v, n, sizeof(*v), probes_cmp);
	for (i = 0; i < n; i++)
		printf("%s:%s:%s:%s\t(%s)\t%s:%d\n", v[i]->sp_provider,
		    v[i]->sp_module, v[i]->sp_function, v[i]->sp_name,
		    v[i]->sp_args ? v[i]->sp_args : "",
		    v[i]->sp_file, v[i]->sp_line);
	printf("%zu probe%s\n", n, n == 1 ? "" : "s");
	free(v);
	return KNIT_EXIT_OK;
}
