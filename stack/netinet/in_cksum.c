/*
 * The Internet checksum (RFC 1071) over mbuf chains, with the IPv4 and
 * IPv6 pseudo-headers for transport protocols.
 *
 * Bytes are summed as big-endian 16-bit words; a word split across two
 * mbufs is handled by carrying the odd byte over.
 */
#include <string.h>

#include "sys/mbuf.h"
#include "netinet/ip_var.h"
#include "netinet6/ip6_var.h"
#include "netinet6/in6_var.h"

/*
 * Sum of p[0..len-1] as big-endian 16-bit words, folded to at most 17
 * bits.  The bulk is added four bytes at a time in the host's byte
 * order: a ones' complement sum does not depend on byte order except
 * for a swap of its two bytes at the end (RFC 1071, section 2(B)).
 */
static uint32_t
sum_words(const uint8_t *p, int len)
{
	uint64_t acc = 0;
	uint32_t w, s;
	uint16_t h;

	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, sizeof(w));
		acc += w;
	}
	acc = (acc & 0xffffffffU) + (acc >> 32);
	acc = (acc & 0xffffffffU) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	h = (uint16_t)acc;
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	h = (uint16_t)(h << 8 | h >> 8);
#endif
	s = h;
	if (len >= 2) {
		s += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len == 1)
		s += (uint32_t)p[0] << 8;
	return s;
}

/*
 * Add p[0..len-1] to sum.  *odd says that an odd number of bytes came
 * before (in earlier mbufs): p[0] is then the second byte of a word.
 */
static uint32_t
sum_bytes(const uint8_t *p, int len, bool *odd, uint32_t sum)
{
	if (*odd && len > 0) {
		sum += p[0];
		p++;
		len--;
		*odd = false;
	}
	if (len > 0) {
		sum += sum_words(p, len);
		*odd = (len & 1) != 0;
	}
	return sum;
}

static uint16_t
fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Unfolded sum of [off, off + len) of m. */
static uint64_t
sum_mbuf(struct mbuf *m, int off, int len, uint64_t sum)
{
	bool odd = false;
	int n;

	while (m != NULL && off >= m->m_len) {
		off -= m->m_len;
		m = m->m_next;
	}
	for (; m != NULL && len > 0; m = m->m_next) {
		n = m->m_len - off;
		if (n > len)
			n = len;
		sum = sum_bytes(mtod(m, const uint8_t *) + off, n, &odd,
		    (uint32_t)0) + sum;
		len -= n;
		off = 0;
	}
	KASSERTMSG(len == 0, "in_cksum: %d bytes beyond the chain", len);
	return sum;
}

uint16_t
in_cksum_off(struct mbuf *m, int off, int len)
{
	return htons(fold(sum_mbuf(m, off, len, 0)));
}

uint16_t
in_cksum(struct mbuf *m, int len)
{
	return in_cksum_off(m, 0, len);
}

uint16_t
in_cksum_buf(const void *p, int len)
{
	bool odd = false;

	return htons(fold(sum_bytes(p, len, &odd, 0)));
}

uint16_t
in4_cksum(struct mbuf *m, uint8_t nxt, int off, int len)
{
	struct ip ip;
	uint64_t sum;

	m_copydata(m, 0, sizeof(ip), &ip);
	sum = (ntohl(ip.ip_src.s_addr) >> 16) + (ntohl(ip.ip_src.s_addr) &
	    0xffff) + (ntohl(ip.ip_dst.s_addr) >> 16) +
	    (ntohl(ip.ip_dst.s_addr) & 0xffff) + nxt + (uint32_t)len;
	return htons(fold(sum_mbuf(m, off, len, sum)));
}

uint16_t
in6_cksum(struct mbuf *m, uint8_t nxt, int off, int len)
{
	struct ip6_hdr ip6;
	uint64_t sum = 0;
	int i;

	m_copydata(m, 0, sizeof(ip6), &ip6);
	/* the pseudo-header has the addresses as on the wire */
	in6_clearscope(&ip6.ip6_src);
	in6_clearscope(&ip6.ip6_dst);
	for (i = 0; i < 8; i++) {
		sum += ntohs(ip6.ip6_src.s6_addr16[i]);
		sum += ntohs(ip6.ip6_dst.s6_addr16[i]);
	}
	sum += (uint32_t)len + nxt;
	return htons(fold(sum_mbuf(m, off, len, sum)));
}
