/* rtnetlink through libmnl: one request, one acknowledged answer. */
#include "rtnl.h"
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int netlink_link_up(const char *ifname, struct oerr *e)
{
	unsigned idx = if_nametoindex(ifname);
	if (!idx)
		return oerr_set(e, errno, "set link %s up: find interface", ifname);
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	if (!buf)
		return oerr_setx(e, ENOMEM, "set link %s up: netlink buffer", ifname);

	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	unsigned seq = (unsigned)time(NULL);
	nlh->nlmsg_seq = seq;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)idx;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;

	int ret = 0;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl) {
		ret = oerr_set(e, errno, "set link %s up: open netlink socket", ifname);
		goto out;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = oerr_set(e, errno, "set link %s up: bind netlink socket", ifname);
		goto out;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = oerr_set(e, errno, "set link %s up: send", ifname);
		goto out;
	}
	unsigned portid = mnl_socket_get_portid(nl);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_BUFFER_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = oerr_set(e, errno, "set link %s up: receive", ifname);
			break;
		}
		/* The callback run turns an NLMSG_ERROR with a non-zero code into errno. */
		int r = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (r == MNL_CB_ERROR) {
			ret = oerr_set(e, errno, "set link %s up", ifname);
			break;
		}
		if (r == MNL_CB_STOP)
			break;
	}
out:
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return ret;
}
