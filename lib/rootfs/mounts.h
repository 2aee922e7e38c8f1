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
	bool in_userns;		/* the container has a new user namespace */
};

/* Mount spec->mounts[i]. Errors name the entry: "mounts[3]: ..." or
 * "mount proc on /proc: operation not permitted". A bind mount whose
 * destination is "/" goes over the rootfs (as in runc): c->rootfd is then
 * closed and replaced by an fd of the new top of rootfs. */
int mounts_apply(struct mounts_ctx *c, size_t i, struct oerr *e);

/* Whether some entry bind-mounts onto /dev (then the runtime leaves /dev alone). */
bool mounts_dev_is_bind(const struct spec *s);

/* After pivot_root: tmpfs mounts and the /dev mount asked "ro" were mounted
 * read-write so that mount points and device nodes could be made in them;
 * make them read-only now. rootfd is the new "/". */
int mounts_finish_readonly(const struct spec *s, int rootfd, struct oerr *e);

/* O_PATH fd of the mount just made on dest, whose mount point was old_fd: resolve
 * dest again inside rootfd and check it is a different mount, at the same place. */
int mounts_reopen(int rootfd, const char *dest, int old_fd, unsigned pathres_flags, struct oerr *e);
