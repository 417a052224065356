/*
 * Interface ioctls (what ifconfig(8) uses), reached from sys_ioctl on
 * any socket.  Every request runs with softnet_lock held.
 */
#include "net/if.h"
#include "net/if_dl.h"
#include "sys/atomic.h"
#include "sys/socket.h"
#include "sys/syscall.h"
#include "netinet/in_var.h"

static int
ifconf(struct ifconf *ifc)
{
	struct ifnet *ifp;
	struct ifaddr *ifa;
	struct ifreq *ifr = ifc->ifc_req;
	int space = ifc->ifc_len, used = 0;

	IFNET_FOREACH(ifp) {
		IFADDR_FOREACH(ifa, ifp) {
			const struct sockaddr *sa = ifa->ifa_addr;

			if (space < (int)sizeof(*ifr))
				goto done;
			if (ifr != NULL) {
				memset(ifr, 0, sizeof(*ifr));
				memcpy(ifr->ifr_name, ifp->if_xname,
				    IFNAMSIZ);
				KASSERT(sa->sa_len <= sizeof(ifr->ifr_addr));
				memcpy(ifreq_sa(ifr), sa, sa->sa_len);
				ifr++;
			}
			space -= (int)sizeof(*ifr);
			used += (int)sizeof(*ifr);
		}
	}
done:
	ifc->ifc_len = used;
	return 0;
}

static int
ifioctl_locked(u_long cmd, void *data, struct lwp *l)
{
	struct ifreq *ifr = data;
	struct ifnet *ifp;
	int error = 0, newflags;

	if (cmd == SIOCGIFCONF)
		return ifconf(data);
	ifp = ifunit(ifr->ifr_name);
	if (ifp == NULL)
		return ENXIO;
	switch (cmd) {
	case SIOCGIFFLAGS:
		ifr->ifr_flags = (short)ifp->if_flags;
		return 0;
	case SIOCSIFFLAGS:
		newflags = (ifr->ifr_flags & ~IFF_CANTCHANGE) & 0xffff;
		if ((ifp->if_flags & IFF_UP) && (newflags & IFF_UP) == 0)
			if_down(ifp);
		else if ((ifp->if_flags & IFF_UP) == 0 && (newflags & IFF_UP))
			error = if_up(ifp);
		(void)atomic_swap_uint(IF_FLAGSP(ifp),
		    (unsigned int)((ifp->if_flags & IFF_CANTCHANGE) |
		    (newflags & ~IFF_CANTCHANGE)));
		if (error == 0 && ifp->if_ioctl != NULL)
			(void)(*ifp->if_ioctl)(ifp, cmd, data);
		return error;
	case SIOCGIFMTU:
		ifr->ifr_mtu = (int)ifp->if_mtu;
		return 0;
	case SIOCSIFMTU:
		if (ifr->ifr_mtu < 68 || ifr->ifr_mtu > 65535)
			return EINVAL;
		if (ifp->if_ioctl != NULL) {
			error = (*ifp->if_ioctl)(ifp, cmd, data);
			if (error != 0)
				return error;
		}
		ifp->if_mtu = (u_int)ifr->ifr_mtu;
		return 0;
	case SIOCGIFINDEX:
		ifr->ifr_index = ifp->if_index;
		return 0;
	case SIOCGIFDATA: {
		struct ifdatareq *ifdr = data;

		ifdr->ifdr_data = ifp->if_data;
		return 0;
	}
	default:
		break;
	}
	/* address requests go to the family of the address */
	if (cmd == SIOCAIFADDR || cmd == SIOCDIFADDR || cmd == SIOCGIFADDR ||
	    cmd == SIOCGIFNETMASK) {
		if (ifreq_sa(ifr)->sa_family == AF_INET6 ||
		    if_inet_control == NULL) {
			if (if_inet6_control == NULL)
				return EAFNOSUPPORT;
			return (*if_inet6_control)(cmd, data, ifp, l);
		}
		return (*if_inet_control)(cmd, data, ifp, l);
	}
	if (if_inet6_control != NULL)
		return (*if_inet6_control)(cmd, data, ifp, l);
	return EOPNOTSUPP;
}

int
ifioctl(struct socket *so, u_long cmd, void *data, struct lwp *l)
{
	bool take = !mutex_owned(softnet_lock);
	int error;

	(void)so;
	if (take)
		mutex_enter(softnet_lock);
	error = ifioctl_locked(cmd, data, l);
	if (take)
		mutex_exit(softnet_lock);
	return error;
}
