/*
 * Binding of the network model to a world (sim.h): events on the
 * world's queue, randomness from its streams, frames into its trace
 * hash, receive interrupts on its hosts, and the driver attached on an
 * LWP of the NIC's host.
 *
 * A small registry maps worlds to their networks (by identity only; it
 * is never ordered or hashed by address).
 */
#include <stdlib.h>

#include "cpu/lookahead.h"
#include "cpu/machine.h"
#include "cpu/sync.h"
#include "dev/vnic.h"
#include "net/net_impl.h"
#include "sim.h"

#define NET_MAXWORLDS	64

static struct {
	const struct world *w;
	struct net	*n;
} registry[NET_MAXWORLDS];

static uint64_t
nw_now(void *ctx)
{
	struct world *w = ctx;
	uint64_t t = sim_now(), wt = world_now(w);

	/* never schedule before the event being processed */
	return t > wt ? t : wt;
}

static void
nw_stream(void *ctx, struct rng *r, const char *name)
{
	world_rng_stream(ctx, r, name);
}

static void
nw_mix(void *ctx, uint64_t d)
{
	world_trace_mix(ctx, d);
}

static void
nw_intr(void *ctx, struct host *h, int cpu, void (*fn)(void *), void *arg)
{
	(void)ctx;
	host_intr_raise(h, cpu, fn, arg);
}

static void
nw_release(void *ctx, const void *obj)
{
	(void)ctx;
	if (sim_curlwp != NULL)
		sync_release(sim_curlwp, obj);
}

static void
nw_acquire(void *ctx, const void *obj)
{
	(void)ctx;
	if (sim_curlwp != NULL)
		sync_acquire(sim_curlwp, obj);
}

static void
nw_lookahead(void *ctx, uint64_t ns)
{
	world_set_link_lookahead(ctx, ns);
}

static void
nw_couple(void *ctx, struct host *h)
{
	(void)ctx;
	world_host_couple(h);
}

static void
nw_attach_lwp(void *arg)
{
	(void)vnic_attach(arg);
}

static void
nw_attach(void *ctx, struct net_nic *nic)
{
	(void)ctx;
	host_spawn(nic->nn_host, "vnic_attach", 0, nw_attach_lwp, nic);
}

struct net *
net_create(struct world *w)
{
	struct net_env env = {
		.ne_ctx = w,
		.ne_evq = world_evq(w),
		.ne_now = nw_now,
		.ne_rng_stream = nw_stream,
		.ne_trace_mix = nw_mix,
		.ne_intr_raise = nw_intr,
		.ne_attach = nw_attach,
		.ne_host_name = host_name,
		.ne_host_index = host_index,
		.ne_release = nw_release,
		.ne_acquire = nw_acquire,
		.ne_lookahead = nw_lookahead,
		.ne_couple = nw_couple,
	};
	struct net *n;
	int i;

	if (net_of_world(w) != NULL)
		return NULL;
	for (i = 0; i < NET_MAXWORLDS; i++)
		if (registry[i].w == NULL)
			break;
	if (i == NET_MAXWORLDS)
		return NULL;
	n = net_create_env(&env);
	n->n_world = w;
	registry[i].w = w;
	registry[i].n = n;
	return n;
}

struct net *
net_of_world(const struct world *w)
{
	int i;

	for (i = 0; i < NET_MAXWORLDS; i++)
		if (registry[i].w == w)
			return registry[i].n;
	return NULL;
}

/* Called by net_destroy for a world-bound network. */
void
netw_unregister(struct net *n)
{
	int i;

	for (i = 0; i < NET_MAXWORLDS; i++)
		if (registry[i].n == n)
			registry[i].w = NULL, registry[i].n = NULL;
}
