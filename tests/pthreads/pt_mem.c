/*
 * pthreads platform: pools with a hard limit, and kmem.
 */
#include <pthread.h>
#include <stdlib.h>

#include "pt_impl.h"
#include "kapi_pthreads.h"
#include "sys/kmem.h"
#include "sys/pool.h"

struct pt_pool {
	pthread_mutex_t	 pp_lock;
	pthread_cond_t	 pp_cond;	/* an item was put back */
};
__CTASSERT(sizeof(struct pt_pool) <= sizeof(((struct pool *)0)->pr_opaque));

static uint64_t pt_kmem_out;

static struct pt_pool *
PP(struct pool *pp)
{
	return (struct pt_pool *)pp->pr_opaque;
}

void
pool_init(struct pool *pp, size_t size, const char *wchan, int ipl)
{
	memset(pp, 0, sizeof(*pp));
	pp->pr_wchan = wchan;
	pp->pr_size = size;
	pp->pr_ipl = ipl;
	pthread_mutex_init(&PP(pp)->pp_lock, NULL);
	pthread_cond_init(&PP(pp)->pp_cond, NULL);
}

void
pool_destroy(struct pool *pp)
{
	if (pp->pr_nout != 0)
		kprintf("pool_destroy: %s: %u items still out\n",
		    pp->pr_wchan, pp->pr_nout);
	pthread_cond_destroy(&PP(pp)->pp_cond);
	pthread_mutex_destroy(&PP(pp)->pp_lock);
}

void *
pool_get(struct pool *pp, int flags)
{
	struct pt_pool *p = PP(pp);
	void *v;

	pthread_mutex_lock(&p->pp_lock);
	while (pp->pr_hardlimit != 0 && pp->pr_nout >= pp->pr_hardlimit) {
		if ((flags & PR_WAITOK) == 0) {
			pp->pr_nfail++;
			pthread_mutex_unlock(&p->pp_lock);
			return NULL;
		}
		pthread_cond_wait(&p->pp_cond, &p->pp_lock);
	}
	pp->pr_nout++;
	pp->pr_nget++;
	if (pp->pr_nout > pp->pr_maxout)
		pp->pr_maxout = pp->pr_nout;
	pthread_mutex_unlock(&p->pp_lock);
	v = calloc(1, pp->pr_size);
	if (v == NULL)
		panic("pool_get: %s: out of memory", pp->pr_wchan);
	return v;
}

void
pool_put(struct pool *pp, void *v)
{
	struct pt_pool *p = PP(pp);

	KASSERT(v != NULL);
	free(v);
	pthread_mutex_lock(&p->pp_lock);
	KASSERTMSG(pp->pr_nout > 0, "pool_put: %s: nothing out", pp->pr_wchan);
	pp->pr_nout--;
	pp->pr_nput++;
	pthread_cond_signal(&p->pp_cond);
	pthread_mutex_unlock(&p->pp_lock);
}

void
pool_sethardlimit(struct pool *pp, unsigned limit)
{
	struct pt_pool *p = PP(pp);

	pthread_mutex_lock(&p->pp_lock);
	pp->pr_hardlimit = limit;
	pthread_cond_broadcast(&p->pp_cond);
	pthread_mutex_unlock(&p->pp_lock);
}

/* kmem keeps the size in a header so that kmem_free can check it. */
struct pt_kmem_hdr {
	size_t		 kh_size;
	uint64_t	 kh_magic;
};
#define PT_KMEM_MAGIC	0x6b6e69746b6d656dULL
#define PT_KMEM_HDRSZ	((sizeof(struct pt_kmem_hdr) + 15) & ~(size_t)15)

void *
kmem_zalloc(size_t size, km_flag_t flags)
{
	struct pt_kmem_hdr *kh;

	(void)flags;
	kh = calloc(1, PT_KMEM_HDRSZ + size);
	if (kh == NULL)
		panic("kmem_zalloc: out of memory");
	kh->kh_size = size;
	kh->kh_magic = PT_KMEM_MAGIC;
	__atomic_add_fetch(&pt_kmem_out, 1, __ATOMIC_SEQ_CST);
	return (char *)kh + PT_KMEM_HDRSZ;
}

void *
kmem_alloc(size_t size, km_flag_t flags)
{
	return kmem_zalloc(size, flags);
}

void
kmem_free(void *p, size_t size)
{
	struct pt_kmem_hdr *kh = (void *)((char *)p - PT_KMEM_HDRSZ);

	KASSERTMSG(kh->kh_magic == PT_KMEM_MAGIC, "kmem_free: bad pointer");
	KASSERTMSG(kh->kh_size == size, "kmem_free: size %zu, allocated %zu",
	    size, kh->kh_size);
	kh->kh_magic = 0;
	free(kh);
	__atomic_sub_fetch(&pt_kmem_out, 1, __ATOMIC_SEQ_CST);
}

char *
kmem_strdup(const char *s, km_flag_t flags)
{
	size_t n = strlen(s) + 1;
	char *d = kmem_alloc(n, flags);

	memcpy(d, s, n);
	return d;
}

void
kmem_strfree(char *s)
{
	kmem_free(s, strlen(s) + 1);
}

uint64_t
kapi_pthreads_kmem_outstanding(void)
{
	return __atomic_load_n(&pt_kmem_out, __ATOMIC_SEQ_CST);
}
