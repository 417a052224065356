/*
 * The fuzz entry point: one frame into a simulated host's Ethernet input.
 */
#ifndef _KNIT_TESTS_FUZZ_FUZZ_ETHER_H_
#define _KNIT_TESTS_FUZZ_FUZZ_ETHER_H_

#include <stddef.h>
#include <stdint.h>

/*
 * Hand data to the host as a received frame (its first six bytes are
 * replaced by the host's MAC so that most inputs reach the protocols),
 * run the world for a millisecond, and abort on a violation or on mbufs
 * that do not come back.
 */
void	fuzz_ether_one(const uint8_t *data, size_t size);
/*
 * Drain and check that the host holds no mbuf (abort if it does);
 * returns the IPv4 + IPv6 packets the host received, and in *echoes the
 * echo requests it answered.
 */
uint64_t fuzz_ether_finish(uint64_t *echoes);
/* Datagrams the host reassembled from fragments (IPv4 + IPv6). */
uint64_t fuzz_ether_reassembled(void);

#endif /* !_KNIT_TESTS_FUZZ_FUZZ_ETHER_H_ */
