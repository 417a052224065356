/*
 * Link-level socket addresses (NetBSD 5.x layout).
 *
 * sdl_data holds the interface name (sdl_nlen bytes, no NUL), then the
 * link-level address (sdl_alen bytes), then the selector (sdl_slen).
 * The 12 bytes are a minimum: sdl_len says how long the structure really
 * is, up to SOCKADDR_DL_MAXLEN (the size of an AF_LINK pool item).
 */
#ifndef _KNIT_NET_IF_DL_H_
#define _KNIT_NET_IF_DL_H_

#include "sys/socket.h"

struct sockaddr_dl {
	uint8_t		sdl_len;	/* total length of sockaddr */
	sa_family_t	sdl_family;	/* AF_LINK */
	uint16_t	sdl_index;	/* if != 0, system given index */
	uint8_t		sdl_type;	/* interface type (IFT_*) */
	uint8_t		sdl_nlen;	/* interface name length */
	uint8_t		sdl_alen;	/* link level address length */
	uint8_t		sdl_slen;	/* link layer selector length */
	char		sdl_data[12];	/* minimum work area, can be larger */
};

#define SOCKADDR_DL_MAXLEN	64

#define LLADDR(s)	((char *)((s)->sdl_data + (s)->sdl_nlen))
#define CLLADDR(s)	((const char *)((s)->sdl_data + (s)->sdl_nlen))

/*
 * Initialise sdl (socklen bytes of storage) for interface index ifindex
 * of type iftype with the given name and link-level address.  Returns
 * NULL when they do not fit in socklen.
 */
struct sockaddr_dl *sockaddr_dl_init(struct sockaddr_dl *sdl,
	    socklen_t socklen, uint16_t ifindex, uint8_t iftype,
	    const void *name, uint8_t namelen, const void *addr,
	    uint8_t addrlen);
struct sockaddr	*sockaddr_dl_alloc(uint16_t ifindex, uint8_t iftype,
	    const void *name, uint8_t namelen, const void *addr,
	    uint8_t addrlen, int flags);

static inline struct sockaddr_dl *
satosdl(struct sockaddr *sa)
{
	return (struct sockaddr_dl *)(void *)sa;
}

static inline const struct sockaddr_dl *
satocsdl(const struct sockaddr *sa)
{
	return (const struct sockaddr_dl *)(const void *)sa;
}

static inline struct sockaddr *
sdltosa(struct sockaddr_dl *sdl)
{
	return (struct sockaddr *)(void *)sdl;
}

#endif /* !_KNIT_NET_IF_DL_H_ */
