/*
 * pcapng capture: one section per run, one interface description block
 * per captured NIC (if_tsresol 9: timestamps in virtual nanoseconds),
 * one enhanced packet block per frame seen by a captured NIC, with the
 * direction in epb_flags.  Little-endian, as written by this host.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_impl.h"

#define BT_SHB		0x0a0d0d0aU
#define BT_IDB		0x00000001U
#define BT_EPB		0x00000006U
#define LINKTYPE_ETHERNET 1
#define OPT_END		0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME	2
#define OPT_IF_TSRESOL	9
#define OPT_EPB_FLAGS	2

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void
put32(FILE *fp, uint32_t v)
{
	fwrite(&v, 4, 1, fp);
}

static void
put16(FILE *fp, uint16_t v)
{
	fwrite(&v, 2, 1, fp);
}

static void
put_opt(FILE *fp, uint16_t code, const void *val, size_t len)
{
	static const uint8_t zero[4];

	put16(fp, code);
	put16(fp, (uint16_t)len);
	fwrite(val, 1, len, fp);
	fwrite(zero, 1, pad4(len) - len, fp);
}

int
net_pcap_open(struct net *n, const char *path)
{
	static const char appl[] = "knit";
	uint32_t total;
	FILE *fp;

	net_pcap_close(n);
	if ((fp = fopen(path, "wb")) == NULL)
		return errno != 0 ? errno : EIO;
	/* header 16 + section length 8 + option + end + trailer 4 */
	total = 16 + 8 + 4 + (uint32_t)pad4(sizeof(appl) - 1) + 4 + 4;
	put32(fp, BT_SHB);
	put32(fp, total);
	put32(fp, 0x1a2b3c4dU);
	put16(fp, 1);
	put16(fp, 0);
	put32(fp, 0xffffffffU);		/* section length unknown */
	put32(fp, 0xffffffffU);
	put_opt(fp, OPT_SHB_USERAPPL, appl, sizeof(appl) - 1);
	put32(fp, OPT_END);
	put32(fp, total);
	n->n_pcap = fp;
	n->n_pcap_nifs = 0;
	n->n_pcap_frames = 0;
	n->n_pcap_all = false;
	return 0;
}

void
netp_add_if(struct net *n, struct net_nic *nic)
{
	FILE *fp = n->n_pcap;
	size_t namelen = strlen(nic->nn_name);
	uint8_t tsresol = 9;
	uint32_t total;

	if (fp == NULL || nic->nn_pcap_id >= 0)
		return;
	total = 16 + 4 + (uint32_t)pad4(namelen) + 4 + 4 + 4 + 4;
	put32(fp, BT_IDB);
	put32(fp, total);
	put16(fp, LINKTYPE_ETHERNET);
	put16(fp, 0);
	put32(fp, 0);			/* snaplen: no limit */
	put_opt(fp, OPT_IF_NAME, nic->nn_name, namelen);
	put_opt(fp, OPT_IF_TSRESOL, &tsresol, 1);
	put32(fp, OPT_END);
	put32(fp, total);
	nic->nn_pcap_id = n->n_pcap_nifs++;
}

void
net_pcap_all(struct net *n)
{
	struct net_nic *nic;

	if (n->n_pcap == NULL)
		return;
	n->n_pcap_all = true;
	TAILQ_FOREACH(nic, &n->n_nics, nn_list)
		netp_add_if(n, nic);
}

void
net_pcap_nic(struct net *n, struct net_nic *nic)
{
	netp_add_if(n, nic);
}

void
netp_frame(struct net *n, struct net_nic *nic, const struct net_frame *f,
    uint64_t when, bool outbound)
{
	static const uint8_t zero[4];
	FILE *fp = n->n_pcap;
	uint32_t total, flags = outbound ? 2 : 1;

	if (fp == NULL)
		return;
	total = 28 + (uint32_t)pad4(f->nf_len) + 8 + 4 + 4;
	put32(fp, BT_EPB);
	put32(fp, total);
	put32(fp, (uint32_t)nic->nn_pcap_id);
	put32(fp, (uint32_t)(when >> 32));
	put32(fp, (uint32_t)when);
	put32(fp, (uint32_t)f->nf_len);
	put32(fp, (uint32_t)f->nf_len);
	fwrite(f->nf_data, 1, f->nf_len, fp);
	fwrite(zero, 1, pad4(f->nf_len) - f->nf_len, fp);
	put_opt(fp, OPT_EPB_FLAGS, &flags, 4);
	put32(fp, OPT_END);
	put32(fp, total);
	n->n_pcap_frames++;
}

void
net_pcap_close(struct net *n)
{
	struct net_nic *nic;

	if (n->n_pcap == NULL)
		return;
	fclose(n->n_pcap);
	n->n_pcap = NULL;
	n->n_pcap_all = false;
	TAILQ_FOREACH(nic, &n->n_nics, nn_list)
		nic->nn_pcap_id = -1;
}

uint64_t
net_pcap_frames(const struct net *n)
{
	return n->n_pcap_frames;
}
