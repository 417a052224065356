/*
 * Statically defined probe points (sdt(9)).
 *
 * A probe is named provider:module:function:name.  Firing a probe is a
 * scheduling point, and the place where a scenario's race window
 * attaches: the platform may hold the firing LWP while other LWPs run.
 * `knit probes` lists every probe linked into the binary.
 */
#ifndef _KNIT_SYS_SDT_H_
#define _KNIT_SYS_SDT_H_

#include "sys/systm.h"

struct sdt_probe {
	const char	*sp_provider;
	const char	*sp_module;
	const char	*sp_function;
	const char	*sp_name;
	const char	*sp_args;	/* argument description, for listings */
	const char	*sp_file;
	int		 sp_line;
	volatile int	 sp_enabled;	/* platform: nonzero if anyone listens */
};

__link_set_decl(sdt_probes, struct sdt_probe);

#define SDT_PROBE_NAME(prov, mod, func, name)				\
	sdt_probe__##prov##__##mod##__##func##__##name

#define SDT_PROBE_DEFINE(prov, mod, func, name, args)			\
	struct sdt_probe SDT_PROBE_NAME(prov, mod, func, name) = {	\
		#prov, #mod, #func, #name, args, __FILE__, __LINE__, 0	\
	};								\
	SDT_LINK_SET_ADD(sdt_probes, SDT_PROBE_NAME(prov, mod, func, name))

/* One more expansion level, so that the probe's name is pasted. */
#define SDT_LINK_SET_ADD(set, sym)	__link_set_add(set, sym)

#define SDT_PROBE_DECLARE(prov, mod, func, name)			\
	extern struct sdt_probe SDT_PROBE_NAME(prov, mod, func, name)

void	sdt_probe_fire(struct sdt_probe *, uintptr_t, uintptr_t, uintptr_t,
	    uintptr_t, uintptr_t);

#define SDT_PROBE(prov, mod, func, name, a0, a1, a2, a3, a4)		\
	sdt_probe_fire(&SDT_PROBE_NAME(prov, mod, func, name),		\
	    (uintptr_t)(a0), (uintptr_t)(a1), (uintptr_t)(a2),		\
	    (uintptr_t)(a3), (uintptr_t)(a4))
#define SDT_PROBE0(p, m, f, n)		SDT_PROBE(p, m, f, n, 0, 0, 0, 0, 0)
#define SDT_PROBE1(p, m, f, n, a)	SDT_PROBE(p, m, f, n, a, 0, 0, 0, 0)
#define SDT_PROBE2(p, m, f, n, a, b)	SDT_PROBE(p, m, f, n, a, b, 0, 0, 0)
#define SDT_PROBE3(p, m, f, n, a, b, c)	SDT_PROBE(p, m, f, n, a, b, c, 0, 0)

#endif /* !_KNIT_SYS_SDT_H_ */
