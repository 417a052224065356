/*
 * The trace hash: byte input and the finaliser (see tracehash.h).
 */
#include "record/tracehash.h"

/*
 * Bytes are assembled into words by shifts, so the result does not
 * depend on the host's byte order or on the buffer's alignment.  The
 * last partial word is zero-padded; mixing the length afterwards keeps
 * "a" + "\0" apart from "a".
 */
void
tracehash_mix_bytes(struct tracehash *h, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t w;
	size_t i, n;

	for (n = len; n >= 8; n -= 8, p += 8) {
		w = 0;
		for (i = 0; i < 8; i++)
			w |= (uint64_t)p[i] << (8 * i);
		tracehash_mix(h, w);
	}
	if (n > 0) {
		w = 0;
		for (i = 0; i < n; i++)
			w |= (uint64_t)p[i] << (8 * i);
		tracehash_mix(h, w);
	}
	tracehash_mix(h, (uint64_t)len);
}

/* splitmix64's finaliser over (state, count): every bit avalanches. */
uint64_t
tracehash_value(const struct tracehash *h)
{
	uint64_t z = h->th_state ^ (h->th_count * 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
