/* Mounts a container with its own user namespace gets from the runtime's
 * side. Once the init is in that namespace it reaches the host's files with
 * the permissions of its mapped ids only, and may not make device nodes or
 * idmapped mounts of the host's file systems. So the runtime, still
 * privileged, prepares them before the clone, as detached mounts (fds the
 * init inherits and attaches with move_mount):
 *   - each bind mount's source, cloned (open_tree) with its options, its
 *     idmap (the mount's mappings, a joined user namespace, or, left for
 *     mountfds_idmap_pending, the container's new one) and made a slave of
 *     the host's mount, as the init's own clones were;
 *   - each linux.devices node, made (mknod, mode, owner mapped to the host)
 *     in the state dir, cloned nosuid,noexec and not nodev; the files are
 *     removed by mountfds_unlink_nodes once the init has attached them.
 * A runtime that may not clone mounts (rootless) prepares nothing, nor for a
 * container that joins a mount namespace (its sources are found there); the
 * init then does what it can by itself. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "base/err.h"
#include "oci/spec.h"

struct mount_fds {
	int *bind;		/* [n_bind]: the tree for spec->mounts[i], or -1 */
	unsigned char *idmap_pending;	/* [n_bind]: to be idmapped (recursively) with the container's
					 * new user namespace: 0 no, 1 yes, 2 recursively */
	size_t n_bind;
	int *dev;		/* [n_dev]: the node for linux.devices[i], or -1 */
	size_t n_dev;
};

/* Prepare what is listed above for a container that has a user namespace
 * (userns_fd: the one it joins, or -1 for a new one); nothing otherwise.
 * statedir_fd holds the device nodes. On failure nothing stays open. */
int mountfds_prepare(const struct spec *s, const char *bundle, int statedir_fd, int userns_fd,
		     struct mount_fds *m, struct oerr *e);
/* Idmap the trees that wait for the container's new user namespace, once
 * its maps are written; pid is the process in it. */
int mountfds_idmap_pending(const struct spec *s, const struct mount_fds *m, pid_t pid, struct oerr *e);
/* Remove the device node files from the state dir. */
void mountfds_unlink_nodes(const struct mount_fds *m, int statedir_fd);
void mountfds_close(struct mount_fds *m);

/* The host id of id under a container's mappings; -ERANGE when unmapped. */
int mountfds_map_id(const struct spec_idmap *m, size_t n, uint32_t id, uint32_t *host);
