/* Minimal rtnetlink client (libmnl) for what init does to its own network namespace. */
#pragma once
#include "err.h"

/* Set the interface up (RTM_NEWLINK with IFF_UP), waiting for the kernel's ack. */
int netlink_link_up(const char *ifname, struct oerr *e);
