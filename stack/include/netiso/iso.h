/*
 * ISO (OSI) addresses: sockaddr, pool and domain only.  There is no CLNP
 * in knit; AF_ISO exists so that per-family sockaddr pools and struct
 * route are exercised with a family of a different size and comparison.
 */
#ifndef _KNIT_NETISO_ISO_H_
#define _KNIT_NETISO_ISO_H_

#include "sys/socket.h"

/* An NSAP address: length byte then up to 20 bytes. */
struct iso_addr {
	uint8_t		isoa_len;		/* length in bytes */
	char		isoa_genaddr[20];	/* general opaque address */
};

struct sockaddr_iso {
	uint8_t		siso_len;	/* length */
	sa_family_t	siso_family;	/* AF_ISO */
	uint8_t		siso_plen;	/* presentation selector length */
	uint8_t		siso_slen;	/* session selector length */
	uint8_t		siso_tlen;	/* transport selector length */
	struct iso_addr	siso_addr;	/* network address */
	uint8_t		siso_pad[6];	/* space for gosip v2 selectors */
};

#define siso_nlen	siso_addr.isoa_len
#define siso_data	siso_addr.isoa_genaddr

struct sockaddr_iso *sockaddr_iso_init(struct sockaddr_iso *,
	    const struct iso_addr *);
void	sockaddr_iso_init1(struct sockaddr_iso *, const struct iso_addr *);

static inline struct sockaddr_iso *
satosiso(struct sockaddr *sa)
{
	return (struct sockaddr_iso *)(void *)sa;
}

static inline const struct sockaddr_iso *
satocsiso(const struct sockaddr *sa)
{
	return (const struct sockaddr_iso *)(const void *)sa;
}

static inline struct sockaddr *
sisotosa(struct sockaddr_iso *siso)
{
	return (struct sockaddr *)(void *)siso;
}

#endif /* !_KNIT_NETISO_ISO_H_ */
