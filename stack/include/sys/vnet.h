/*
 * Per-host kernel instances (the FreeBSD VIMAGE pattern).
 *
 * A global that belongs to a host is defined with VNET_DEFINE and used
 * through VNET(name), conventionally wrapped as `#define V_name
 * VNET(name)`.  Definitions live in the linker section knit_vnet; every
 * host gets a private copy of that section, initialised from the master
 * copy, and the platform points vnet_curbase at the copy of the host whose
 * LWP is running.  The master copy itself is never used at run time.
 *
 * Per-host constructors and destructors are registered with VNET_SYSINIT.
 * They run when a host boots, in LWP context on the host's CPU 0, in
 * ascending (order, name); destructors run in the reverse order when the
 * host is torn down.
 */
#ifndef _KNIT_SYS_VNET_H_
#define _KNIT_SYS_VNET_H_

#include "sys/systm.h"

/* copy base minus master base, for the host now running */
extern uintptr_t vnet_curbase;

#define VNET_NAME(n)		vnet_entry_##n
#define VNET_DEFINE(t, n)						\
	t VNET_NAME(n) __section("knit_vnet") __used __aligned(16)
#define VNET_DEFINE_STATIC(t, n)					\
	static t VNET_NAME(n) __section("knit_vnet") __used __aligned(16)
#define VNET_DECLARE(t, n)	extern t VNET_NAME(n)
#define VNET_PTR(n)							\
	((__typeof__(VNET_NAME(n)) *)(vnet_curbase + (uintptr_t)&VNET_NAME(n)))
#define VNET(n)			(*VNET_PTR(n))

struct vnet_sysinit {
	const char	*vs_name;
	int		 vs_order;
	void		(*vs_init)(void);
	void		(*vs_fini)(void);	/* may be NULL */
};

__link_set_decl(vnet_sysinit, struct vnet_sysinit);

#define VNET_SYSINIT(name, order, init, fini)				\
	static struct vnet_sysinit vnet_sysinit_##name = {		\
		#name, order, init, fini				\
	};								\
	__link_set_add(vnet_sysinit, vnet_sysinit_##name)

/* Orders: lower runs first at boot, last at teardown. */
#define VNET_ORDER_KERN		10	/* sysctl, proc, uipc core */
#define VNET_ORDER_DOMAIN	20	/* domains, sockaddr pools */
#define VNET_ORDER_ROUTE	30	/* routing tables, rtcaches */
#define VNET_ORDER_IF		40	/* interfaces, lo0, drivers */
#define VNET_ORDER_PROTO	50	/* protocols */
#define VNET_ORDER_LAST		90

#endif /* !_KNIT_SYS_VNET_H_ */
