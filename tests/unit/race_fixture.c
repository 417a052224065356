/*
 * Instrumented code for test_race: compiled with -fsanitize=thread (and
 * its memcpy/memset redirected to the hooks by objcopy, as the stack's
 * race build is), so that the tests drive the detector through the real
 * __tsan_* calls the compiler emits.
 */
#include <string.h>

#include "race_fixture.h"

int fx_data;
int fx_flag;
char fx_bytes[8];
char fx_buf[256];
char fx_src[256];

void
fx_write_data(int v)
{
	fx_data = v;
}

int
fx_read_data(void)
{
	return fx_data;
}

void __attribute__((noinline))
fx_inner_write(void)
{
	fx_data++;
}

void __attribute__((noinline))
fx_outer_write(void)
{
	fx_inner_write();
	__asm__ volatile("" ::: "memory");	/* keep the call a call */
}

void
fx_publish_release(int v)
{
	fx_data = v;
	__atomic_store_n(&fx_flag, 1, __ATOMIC_RELEASE);
}

int
fx_consume_acquire(void)
{
	if (__atomic_load_n(&fx_flag, __ATOMIC_ACQUIRE))
		return fx_data;
	return -1;
}

void
fx_publish_relaxed(int v)
{
	fx_data = v;
	__atomic_store_n(&fx_flag, 1, __ATOMIC_RELAXED);
}

int
fx_consume_relaxed(void)
{
	if (__atomic_load_n(&fx_flag, __ATOMIC_RELAXED))
		return fx_data;
	return -1;
}

void
fx_write_byte(int i, char v)
{
	fx_bytes[i] = v;
}

/* Variable sizes: out-of-line libc calls unless redirected. */
void
fx_copy(size_t n)
{
	memcpy(fx_buf, fx_src, n);
}

void
fx_clear(size_t n)
{
	memset(fx_buf, 0, n);
}

/* A non-atomic increment: a read and a write of fx_data. */
void
fx_inc(void)
{
	fx_data = fx_data + 1;
}
