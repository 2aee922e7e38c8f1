/* A config mount of type "cgroup": the cgroup filesystems of the host, as the
 * container should see them. */
#pragma once
#include "lib/rootfs/mountopts.h"
#include "lib/rootfs/mounts.h"

/* Mount spec->mounts[i] (type "cgroup") on target_fd, the resolved mount point of
 * dest. On a cgroup2-only host that is one cgroup2 mount; otherwise a tmpfs with one
 * cgroup v1 mount per host hierarchy below it (and cgroup2 where the host has its
 * unified hierarchy), named and linked like the host's. Inside a new cgroup namespace
 * these are fresh mounts; without one, binds of the container's own cgroups. */
int mounts_cgroup(const struct mounts_ctx *c, size_t i, const char *dest, int target_fd,
		  const struct mount_opts *mo, struct oerr *e);
