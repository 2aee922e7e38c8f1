/* One SIOCSIFFLAGS ioctl does what an rtnetlink RTM_NEWLINK request would:
 * no netlink socket, no library, and a binary that can be linked statically. */
#include "lib/net/netif.h"
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "base/util.h"

int netif_set_up(const char *ifname, struct oerr *e)
{
	struct ifreq req = { 0 };
	if (strlen(ifname) >= sizeof(req.ifr_name))
		return oerr_setx(e, ENAMETOOLONG, "set link %s up: name too long", ifname);
	strcpy(req.ifr_name, ifname);
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return oerr_set(e, errno, "set link %s up: socket", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &req) < 0)
		return oerr_set(e, errno, "set link %s up: get flags", ifname);
	if (req.ifr_flags & IFF_UP)
		return 0;
	req.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &req) < 0)
		return oerr_set(e, errno, "set link %s up", ifname);
	return 0;
}
