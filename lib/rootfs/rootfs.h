/* The container's root filesystem, built by its init in its own mount namespace:
 * rootfs_prepare → (createContainer hooks) → rootfs_pivot → rootfs_finalize. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "oci/spec.h"
#include "base/err.h"
#include "lib/rootfs/mountfds.h"

struct rootfs_opts {
	const struct spec *spec;
	const char *rootfs;	/* absolute host path of the rootfs (bundle-relative root.path already resolved with realpath) */
	bool no_pivot;		/* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	bool in_userns;		/* the container has a user namespace: mknod is not allowed, device nodes are bind mounts */
	const char *bundle;	/* absolute bundle path: relative bind-mount sources are taken from it (NULL: the current directory) */
	const struct mount_fds *fds;	/* mounts the runtime prepared (lib/rootfs/mountfds.h), or NULL */
};

/* Runs in the container's init, already inside its new mount namespace (and pid, user...
 * namespaces), as root there, with host paths still visible. Makes / recursively slave
 * (or linux.rootfsPropagation when private, slave or shared), keeps the rootfs's parent
 * mount from propagating (neither in the caller's mount namespace, when the container
 * has none of its own), bind-mounts the rootfs onto itself, performs every spec mount
 * in order, and unless a mount binds onto /dev creates the default /dev entries and
 * linux.devices. */
int rootfs_prepare(const struct rootfs_opts *o, struct oerr *e);

/* pivot_root into the rootfs (or MS_MOVE + chroot with no_pivot), detach the old root,
 * chdir("/"). Without a mount namespace of its own (no "mount" in linux.namespaces)
 * chroot, as runc does: the mounts stay in the caller's namespace until
 * rootfs_host_unmount. */
int rootfs_pivot(const struct rootfs_opts *o, struct oerr *e);

/* After pivot: linux.sysctl (written under /proc/sys after checking it is procfs),
 * readonlyPaths, maskedPaths (with the runtime's own /dev/null, taken before the pivot),
 * read-only tmpfs and /dev mounts, root.readonly, and last linux.rootfsPropagation on
 * the new / (shared and unbindable: after every mount, since unbindable refuses binds). */
int rootfs_finalize(const struct rootfs_opts *o, struct oerr *e);

/* A container without a mount namespace of its own makes its mounts in the
 * caller's: rootfs_host_mark gives the id of the mount at the rootfs path before
 * create (the runtime keeps it), rootfs_host_unmount detaches every mount stacked
 * above that one again at delete or after a failed create. */
int rootfs_host_mark(const char *rootfs, uint64_t *id, struct oerr *e);
int rootfs_host_unmount(const char *rootfs, uint64_t id, struct oerr *e);
