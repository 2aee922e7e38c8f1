/* The config's "mounts", one entry at a time, inside the container's rootfs. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "oci/spec.h"
#include "base/err.h"

struct mounts_ctx {
	const struct spec *spec;
	const char *rootfs;	/* absolute host path of the rootfs (already bind-mounted onto itself) */
	const char *bundle;	/* relative bind sources are taken from here; NULL: the current directory */
	int rootfd;		/* O_PATH fd of the rootfs */
	bool in_userns;		/* the container has a user namespace */
	const int *bind_fds;	/* [n_bind_fds]: bind sources the runtime cloned (lib/rootfs/mountfds.h), -1 each
				 * one it did not; NULL: none */
	size_t n_bind_fds;
};

/* Mount spec->mounts[i]. Errors name the entry: "mounts[3]: ..." or
 * "mount proc on /proc: operation not permitted". A bind mount whose
 * destination is "/" goes over the rootfs (as in runc): c->rootfd is then
 * closed and replaced by an fd of the new top of rootfs. */
int mounts_apply(struct mounts_ctx *c, size_t i, struct oerr *e);

struct mount_opts;
/* The host path of a bind mount's source: relative ones are taken from bundle. */
void mounts_source_path(const struct spec_mount *m, const char *bundle, char *out, size_t len);
/* spec->mounts[i]'s source as a detached tree (open_tree) with the mount's
 * options applied: its idmap (the mount's uidMappings/gidMappings; without
 * them the container's user namespace, userns_fd, or when that is -1
 * *idmap_left is set for the caller to do it with mounts_idmap), its flags
 * and its recursive attributes. Returns the tree's fd. */
int mounts_bind_tree(const struct spec *s, const char *bundle, size_t i, const struct mount_opts *mo,
		     int userns_fd, bool *idmap_left, struct oerr *e);
/* MOUNT_ATTR_IDMAP with userns_fd on the detached tree (AT_RECURSIVE when recursive). */
int mounts_idmap(size_t i, int tree, int userns_fd, bool recursive, const char *source, struct oerr *e);
/* Whether the entry is a bind mount (type "bind", or a "bind"/"rbind" option). */
bool mounts_is_bind(const struct spec_mount *m);

/* Whether some entry bind-mounts onto /dev (then the runtime leaves /dev alone). */
bool mounts_dev_is_bind(const struct spec *s);

/* After pivot_root: tmpfs mounts and the /dev mount asked "ro" were mounted
 * read-write so that mount points and device nodes could be made in them;
 * make them read-only now. rootfd is the new "/". */
int mounts_finish_readonly(const struct spec *s, int rootfd, struct oerr *e);

/* O_PATH fd of the mount just made on dest, whose mount point was old_fd: resolve
 * dest again inside rootfd and check it is a different mount, at the same place. */
int mounts_reopen(int rootfd, const char *dest, int old_fd, unsigned pathres_flags, struct oerr *e);
