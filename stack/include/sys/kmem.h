/*
 * General kernel memory (kmem(9)).  Memory is always zeroed on return.
 * kmem_free must be given the size that was allocated; a mismatch, a
 * double free or freeing memory that contains a live lock fails the run.
 */
#ifndef _KNIT_SYS_KMEM_H_
#define _KNIT_SYS_KMEM_H_

#include "sys/systm.h"

typedef unsigned int km_flag_t;
#define KM_SLEEP	0x01
#define KM_NOSLEEP	0x02

void	*kmem_alloc(size_t, km_flag_t);
void	*kmem_zalloc(size_t, km_flag_t);
void	kmem_free(void *, size_t);
char	*kmem_strdup(const char *, km_flag_t);
void	kmem_strfree(char *);

#endif /* !_KNIT_SYS_KMEM_H_ */
