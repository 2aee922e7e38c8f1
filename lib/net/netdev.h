/* linux.netDevices: host network devices moved into the container's network
 * namespace by the ocirt-netdev helper (lib/net/netdev_helper.c: rtnetlink
 * with libmnl, linked dynamically so that ocirt itself stays static). */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include "base/err.h"
#include "oci/spec.h"

#define NETDEV_HELPER "ocirt-netdev"

struct netdev_moved {
	char host[IF_NAMESIZE];		/* its name in the runtime's network namespace */
	char name[IF_NAMESIZE];		/* its name in the container's (a %d filled in) */
	bool was_up;
};

struct netdev_set {
	struct netdev_moved *v;
	size_t n;
};

/* Whether devices can be moved: built with libmnl, and the helper is there. */
bool netdev_supported(void);
/* Before the container is made: each host device exists in the runtime's
 * network namespace and may move to another. */
int netdev_check(const struct spec_linux *l, struct oerr *e);
/* Move them into the network namespace open on nsfd, renamed, with their
 * permanent global addresses, and up. All or none: on failure none moved. */
int netdev_move(const struct spec_linux *l, int nsfd, struct netdev_set *moved, struct oerr *e);
/* Bring them back from there, as they were (a create that failed after the
 * move: the container's namespace would otherwise take them down with it).
 * Failures are warnings on stderr. */
void netdev_move_back(int nsfd, const struct netdev_set *moved);
void netdev_set_free(struct netdev_set *s);
