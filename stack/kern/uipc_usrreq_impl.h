/*
 * AF_LOCAL descriptor passing and the collector (uipc_rights.c), as
 * used by the protocol (uipc_usrreq.c).
 */
#ifndef _KNIT_KERN_UIPC_USRREQ_IMPL_H_
#define _KNIT_KERN_UIPC_USRREQ_IMPL_H_

struct mbuf;
struct lwp;

/* SCM_RIGHTS descriptors into files with transit references. */
int	unp_internalize(struct mbuf **controlp);
/* The message was queued (receiver locked): transit -> message refs. */
void	unp_rights_queued(struct mbuf *control);
/* The message could not be queued: drop the transit references. */
void	unp_rights_unsent(struct mbuf *control);
/* dp_externalize and dp_dispose of the domain. */
int	unp_externalize(struct mbuf *control, struct lwp *, int flags);
void	unp_dispose(struct mbuf *control);
/* Start the host's collector thread if it is not running. */
void	unp_thread_start(void);
/* Wake the collector (a close while rights are in flight). */
void	unp_gc_kick(void);

#endif /* !_KNIT_KERN_UIPC_USRREQ_IMPL_H_ */
