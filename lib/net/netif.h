/* The network interfaces of the init's own new network namespace. */
#pragma once
#include "base/err.h"

/* Set the interface up (IFF_UP), as `ip link set IFNAME up` does. */
int netif_set_up(const char *ifname, struct oerr *e);
