/* ocirt-netdev: moves host network devices into a container's network
 * namespace for linux.netDevices, over rtnetlink with libmnl. ocirt runs it
 * (lib/net/netdev.c) only when the config has netDevices: it is a program of
 * its own, linked dynamically against libmnl, so that ocirt stays static.
 *
 *   ocirt-netdev check HOST...            each exists here and may move
 *   ocirt-netdev move FD HOST=NAME...     move into the netns open on FD
 *   ocirt-netdev back FD NAME=HOST:UP...  move from FD's netns back here
 *
 * "Here" is the helper's own network namespace, the runtime's. NAME may be
 * empty (keep the host name) or a template with %d. A device keeps its
 * permanent addresses of global scope (the kernel drops addresses on a
 * move: they are read first and added back) and is set up (move), or gets
 * its old up/down state back (back). move prints "HOST NAME up|down" per
 * device: its final name, and whether it was up here. On any failure the
 * exit status is 1, stderr has one line naming the device, and move has
 * put every device it had moved back where it was. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Linux 6.15: whether the device is pinned to its network namespace (u8). */
#define OCIRT_IFLA_NETNS_IMMUTABLE 67

struct addr {
	struct ifaddrmsg ifa;
	uint32_t flags;			/* IFA_FLAGS, or ifa_flags */
	unsigned char local[16], address[16], broadcast[16];
	size_t alen;			/* 4 or 16 */
	bool has_local, has_address, has_broadcast, has_prio;
	uint32_t prio;			/* IFA_RT_PRIORITY */
	char label[IFNAMSIZ];		/* IPv4 labels: "eth0" or "eth0:1" */
};

struct dev {
	const char *host;		/* name in the runtime's netns */
	const char *want;		/* name asked for in the container's (may hold %d) */
	char name[IFNAMSIZ];		/* its name now, wherever it is */
	int ifindex;			/* its index now, wherever it is */
	bool was_up, away;		/* away: in the container's netns */
	struct addr *addrs;
	size_t n_addrs;
};

struct nl {
	struct mnl_socket *sock;
	unsigned portid, seq;
};

static char buf[65536];
static char errmsg[512];

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	int code = errno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return -(code ? code : EINVAL);
}

static int nl_open(struct nl *n)
{
	n->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!n->sock || mnl_socket_bind(n->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return fail("open an rtnetlink socket: %s", strerror(errno));
	n->portid = mnl_socket_get_portid(n->sock);
	n->seq = (unsigned)time(NULL);
	return 0;
}

/* A socket in the network namespace open on nsfd; back in ours after. */
static int nl_open_in(struct nl *n, int nsfd, int ours)
{
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return fail("enter the container's network namespace: %s", strerror(errno));
	int r = nl_open(n);
	if (setns(ours, CLONE_NEWNET) < 0) {
		fail("return to the runtime's network namespace: %s", strerror(errno));
		exit(1);
	}
	return r;
}

static struct nlmsghdr *nl_msg(int type, int flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	return h;
}

/* Send h, run cb on each reply until the ACK or the end of a dump.
 * Returns 0 or -errno (the kernel's answer). */
static int nl_talk(struct nl *n, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
	h->nlmsg_seq = ++n->seq;
	if (mnl_socket_sendto(n->sock, h, h->nlmsg_len) < 0)
		return -errno;
	int r;
	do {
		ssize_t len = mnl_socket_recvfrom(n->sock, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)len, n->seq, n->portid, cb, data);
	} while (r > 0);
	return r < 0 ? -errno : 0;
}

struct link_info {
	int ifindex;
	unsigned flags;
	char name[IFNAMSIZ];
	int immutable;		/* -1: the kernel does not say */
};

static int link_attr(const struct nlattr *a, void *data)
{
	struct link_info *li = data;
	if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(a));
	else if (mnl_attr_get_type(a) == OCIRT_IFLA_NETNS_IMMUTABLE && mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
		li->immutable = mnl_attr_get_u8(a);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *h, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	return mnl_attr_parse(h, sizeof(*ifi), link_attr, li);
}

/* The link by name (ifindex 0) or by index. -ENODEV when there is none. */
static int get_link(struct nl *n, const char *name, int ifindex, struct link_info *li)
{
	struct nlmsghdr *h = nl_msg(RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (name)
		mnl_attr_put_strz(h, IFLA_IFNAME, name);
	*li = (struct link_info){ .immutable = -1 };
	return nl_talk(n, h, link_cb, li);
}

struct addr_list {
	int ifindex;
	struct addr *v;
	size_t n;
};

static int addr_attr(const struct nlattr *a, void *data)
{
	struct addr *ad = data;
	uint16_t len = mnl_attr_get_payload_len(a);
	const void *p = mnl_attr_get_payload(a);
	switch (mnl_attr_get_type(a)) {
	case IFA_LOCAL:
		if (len == ad->alen)
			memcpy(ad->local, p, len), ad->has_local = true;
		break;
	case IFA_ADDRESS:
		if (len == ad->alen)
			memcpy(ad->address, p, len), ad->has_address = true;
		break;
	case IFA_BROADCAST:
		if (len == ad->alen)
			memcpy(ad->broadcast, p, len), ad->has_broadcast = true;
		break;
	case IFA_LABEL:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(ad->label, sizeof(ad->label), "%s", mnl_attr_get_str(a));
		break;
	case IFA_FLAGS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			ad->flags = mnl_attr_get_u32(a);
		break;
	case IFA_RT_PRIORITY:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			ad->prio = mnl_attr_get_u32(a), ad->has_prio = true;
		break;
	}
	return MNL_CB_OK;
}

/* Keep the permanent addresses of global scope (config-linux.md, after
 * RFC 3549 2.3.3.2): not those a protocol configured or that name this host only. */
static int addr_cb(const struct nlmsghdr *h, void *data)
{
	struct addr_list *l = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	if ((int)ifa->ifa_index != l->ifindex || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	struct addr ad = { .ifa = *ifa, .flags = ifa->ifa_flags, .alen = ifa->ifa_family == AF_INET ? 4 : 16 };
	int r = mnl_attr_parse(h, sizeof(*ifa), addr_attr, &ad);
	if (r < 0)
		return r;
	if (!(ad.flags & IFA_F_PERMANENT) || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return MNL_CB_OK;
	struct addr *v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	l->v = v;
	l->v[l->n++] = ad;
	return MNL_CB_OK;
}

static int read_addrs(struct nl *n, struct dev *d)
{
	struct nlmsghdr *h = nl_msg(RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	struct addr_list l = { .ifindex = d->ifindex };
	int r = nl_talk(n, h, addr_cb, &l);
	if (r < 0) {
		free(l.v);
		errno = -r;
		return fail("%s: read its addresses: %s", d->host, strerror(-r));
	}
	free(d->addrs);
	d->addrs = l.v;
	d->n_addrs = l.n;
	return 0;
}

/* Flags that say how the address was set up, not its state (tentative...). */
#define KEEP_ADDR_FLAGS (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR | \
			 IFA_F_MCAUTOJOIN)

static int add_addr(struct nl *n, const struct dev *d, const struct addr *ad)
{
	struct nlmsghdr *h = nl_msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	*ifa = ad->ifa;
	ifa->ifa_index = (unsigned)d->ifindex;
	ifa->ifa_flags = (unsigned char)(ad->flags & KEEP_ADDR_FLAGS);
	if (ad->has_local)
		mnl_attr_put(h, IFA_LOCAL, ad->alen, ad->local);
	if (ad->has_address)
		mnl_attr_put(h, IFA_ADDRESS, ad->alen, ad->address);
	if (ad->has_broadcast)
		mnl_attr_put(h, IFA_BROADCAST, ad->alen, ad->broadcast);
	mnl_attr_put_u32(h, IFA_FLAGS, ad->flags & KEEP_ADDR_FLAGS);
	if (ad->has_prio)
		mnl_attr_put_u32(h, IFA_RT_PRIORITY, ad->prio);
	/* An IPv4 label is the device's name, with a ":alias" kept across the rename. */
	const char *colon = strchr(ad->label, ':');
	char label[IFNAMSIZ * 2];
	if (ad->ifa.ifa_family == AF_INET && colon &&
	    (size_t)snprintf(label, sizeof(label), "%s%s", d->name, colon) < IFNAMSIZ)
		mnl_attr_put_strz(h, IFA_LABEL, label);
	return nl_talk(n, h, NULL, NULL);
}

static int set_name(struct nl *n, int ifindex, const char *name)
{
	struct nlmsghdr *h = nl_msg(RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	return nl_talk(n, h, NULL, NULL);
}

static int set_up(struct nl *n, int ifindex)
{
	struct nlmsghdr *h = nl_msg(RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(n, h, NULL, NULL);
}

#define NLFAIL(r, ...) (errno = -(r), fail(__VA_ARGS__))

/* Move d from `from` to the netns open on to_nsfd (whose socket is `to`),
 * named want there (a template is the kernel's to fill), with d->addrs added
 * and set up when up. It travels under a temporary name that nothing there
 * has, so that it can be found by name whatever the kernel does with its
 * index; the rename to want is a separate step, whose EEXIST is the
 * spec's "already exists in the container". */
static int move_dev(struct nl *from, struct nl *to, int to_nsfd, struct dev *d, const char *want, bool up,
		    const char *where)
{
	static unsigned serial;
	char tmp[IFNAMSIZ];
	snprintf(tmp, sizeof(tmp), "ocnd%x.%x", (unsigned)getpid() & 0xfffff, serial++ & 0xff);
	struct nlmsghdr *h = nl_msg(RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = d->ifindex;
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)to_nsfd);
	mnl_attr_put_strz(h, IFLA_IFNAME, tmp);
	int r = nl_talk(from, h, NULL, NULL);
	if (r < 0)
		return NLFAIL(r, "%s: move to %s: %s", d->host, where, strerror(-r));
	d->away = !d->away;
	struct link_info li;
	if ((r = get_link(to, tmp, 0, &li)) < 0)
		return NLFAIL(r, "%s: find it in %s after the move: %s", d->host, where, strerror(-r));
	d->ifindex = li.ifindex;
	snprintf(d->name, sizeof(d->name), "%s", tmp);
	if ((r = set_name(to, d->ifindex, want)) < 0)
		return r == -EEXIST ? NLFAIL(r, "%s: a device named %s already exists in %s", d->host, want, where) :
			NLFAIL(r, "%s: rename to %s in %s: %s", d->host, want, where, strerror(-r));
	if ((r = get_link(to, NULL, d->ifindex, &li)) < 0)
		return NLFAIL(r, "%s: read its name in %s: %s", d->host, where, strerror(-r));
	snprintf(d->name, sizeof(d->name), "%s", li.name);
	for (size_t i = 0; i < d->n_addrs; i++) {
		char text[64] = "?";
		if ((r = add_addr(to, d, &d->addrs[i])) < 0) {
			const struct addr *ad = &d->addrs[i];
			inet_ntop(ad->ifa.ifa_family, ad->has_local ? ad->local : ad->address, text, sizeof(text));
			return NLFAIL(r, "%s: add address %s/%u in %s: %s", d->host, text, ad->ifa.ifa_prefixlen,
				      where, strerror(-r));
		}
	}
	if (up && (r = set_up(to, d->ifindex)) < 0)
		return NLFAIL(r, "%s: set %s up in %s: %s", d->host, d->name, where, strerror(-r));
	return 0;
}

/* Look d->host up here, with what moving it needs. */
static int find_host_dev(struct nl *here, struct dev *d)
{
	struct link_info li;
	int r = get_link(here, d->host, 0, &li);
	if (r == -ENODEV)
		return NLFAIL(r, "%s: no such device in the runtime's network namespace", d->host);
	if (r < 0)
		return NLFAIL(r, "%s: look it up: %s", d->host, strerror(-r));
	if (li.immutable > 0) {
		errno = EINVAL;
		return fail("%s: cannot move to another network namespace (the kernel pins it to its own)", d->host);
	}
	d->ifindex = li.ifindex;
	d->was_up = li.flags & IFF_UP;
	snprintf(d->name, sizeof(d->name), "%s", d->host);
	return 0;
}

static const char container_ns[] = "the container's network namespace";
static const char runtime_ns[] = "the runtime's network namespace";

/* Put the devices that went over back here, under their host names. */
static void move_all_back(struct nl *here, struct nl *there, int ours, struct dev *d, size_t n)
{
	char first[sizeof(errmsg)];
	snprintf(first, sizeof(first), "%s", errmsg);
	for (size_t i = 0; i < n; i++)
		if (d[i].away && move_dev(there, here, ours, &d[i], d[i].host, d[i].was_up, runtime_ns) < 0)
			fprintf(stderr, "ocirt-netdev: warning: could not put %s back: %s\n", d[i].host, errmsg);
	snprintf(errmsg, sizeof(errmsg), "%s", first);
}

static int cmd_move(int nsfd, struct dev *d, size_t n)
{
	struct nl here, there;
	int ours = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ours < 0)
		return fail("open the runtime's network namespace: %s", strerror(errno));
	int r;
	if ((r = nl_open(&here)) < 0 || (r = nl_open_in(&there, nsfd, ours)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if ((r = find_host_dev(&here, &d[i])) < 0 || (r = read_addrs(&here, &d[i])) < 0)
			return r;
		struct link_info li;
		if (!strchr(d[i].want, '%') && get_link(&there, d[i].want, 0, &li) == 0) {
			errno = EEXIST;
			return fail("%s: a device named %s already exists in %s", d[i].host, d[i].want, container_ns);
		}
	}
	for (size_t i = 0; i < n; i++)
		if ((r = move_dev(&here, &there, nsfd, &d[i], d[i].want, true, container_ns)) < 0) {
			move_all_back(&here, &there, ours, d, n);
			return r;
		}
	for (size_t i = 0; i < n; i++)
		printf("%s %s %s\n", d[i].host, d[i].name, d[i].was_up ? "up" : "down");
	return 0;
}

static int cmd_back(int nsfd, struct dev *d, size_t n)
{
	struct nl here, there;
	int ours = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ours < 0)
		return fail("open the runtime's network namespace: %s", strerror(errno));
	int r, ret = 0;
	if ((r = nl_open(&here)) < 0 || (r = nl_open_in(&there, nsfd, ours)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct link_info li;
		d[i].away = true;
		if ((r = get_link(&there, d[i].want, 0, &li)) < 0) {
			ret = NLFAIL(r, "%s: find it in %s: %s", d[i].want, container_ns, strerror(-r));
			continue;
		}
		d[i].ifindex = li.ifindex;
		snprintf(d[i].name, sizeof(d[i].name), "%s", d[i].want);
		if ((r = read_addrs(&there, &d[i])) < 0 ||
		    (r = move_dev(&there, &here, ours, &d[i], d[i].host, d[i].was_up, runtime_ns)) < 0)
			ret = r;
	}
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "usage: ocirt-netdev check HOST... | move FD HOST=NAME... | back FD NAME=HOST:up|down...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	const char *cmd = argv[1];
	bool check = !strcmp(cmd, "check");
	if (!check && strcmp(cmd, "move") && strcmp(cmd, "back"))
		return usage();
	int first = check ? 2 : 3, nsfd = -1;
	if (!check) {
		char *end;
		long v = strtol(argv[2], &end, 10);
		if (*end || v < 0 || v > 1 << 20 || argc < 4)
			return usage();
		nsfd = (int)v;
	}
	size_t n = (size_t)(argc - first);
	struct dev *d = calloc(n, sizeof(*d));
	if (!d)
		return 1;
	for (size_t i = 0; i < n; i++) {
		char *a = argv[first + (int)i], *eq = strchr(a, '=');
		if (check) {
			d[i].host = a;
			continue;
		}
		if (!eq)
			return usage();
		*eq = '\0';
		if (!strcmp(cmd, "move")) {
			d[i].host = a;
			d[i].want = eq[1] ? eq + 1 : a;
		} else {	/* back: NAME=HOST:up */
			char *colon = strrchr(eq + 1, ':');
			if (!colon)
				return usage();
			*colon = '\0';
			d[i].want = a;
			d[i].host = eq + 1;
			d[i].was_up = !strcmp(colon + 1, "up");
		}
	}
	int r = 0;
	if (check) {
		struct nl here;
		if ((r = nl_open(&here)) == 0)
			for (size_t i = 0; i < n && r == 0; i++)
				r = find_host_dev(&here, &d[i]);
	} else if (!strcmp(cmd, "move")) {
		r = cmd_move(nsfd, d, n);
	} else {
		r = cmd_back(nsfd, d, n);
	}
	if (r < 0) {
		fprintf(stderr, "%s\n", errmsg);
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
