/* /dev inside the container: the default devices, linux.devices, /dev/ptmx, the
 * /proc/self/fd links and the placeholder file for /dev/console. */
#pragma once
#include <stdbool.h>
#include "oci/spec.h"
#include "base/err.h"

/* Runs before pivot_root, with rootfd the O_PATH fd of the rootfs. Nodes already in
 * the rootfs at these paths are replaced, never trusted. With in_userns (mknod is
 * refused there) device nodes are bind mounts, nosuid and noexec: of the nodes the
 * runtime made for linux.devices (dev_fds[k] for linux.devices[k], -1 where it made
 * none; dev_fds may be NULL), else of the host's nodes at the same path. */
int devices_setup(int rootfd, const struct spec *s, bool in_userns, const int *dev_fds, size_t n_dev_fds,
		  struct oerr *e);
