/* The container's init, from clone() to execve(). */
#pragma once
#include <stdbool.h>
#include "oci/spec.h"
#include "lib/cgroup/cgroup.h"
#include "lib/rootfs/mountfds.h"

struct init_ctx {
	const struct spec *spec;
	const char *id;
	const char *rootfs;	/* absolute host path */
	const char *bundle;	/* absolute host path */
	int sync_fd;		/* child end of the sync socketpair */
	int fifo_fd;		/* exec fifo, O_RDWR */
	int done_fd;		/* exec.done fifo, O_RDWR, or -1 (see container_start) */
	int console_fd;		/* connected console socket, or -1 */
	bool console_ours;	/* console_fd leads to this runtime (run in the foreground), not to --console-socket */
	int listen_fds;		/* socket activation: fds 3.. of the runtime passed on as LISTEN_FDS (preserve_fds counts them) */
	const int *ns_fds;	/* [SPEC_NS__COUNT], -1 = not joined */
	struct cgroup_join *cgroup;	/* joined first thing; NULL: no cgroup */
	const struct mount_fds *mount_fds;	/* mounts the runtime prepared (lib/rootfs/mountfds.h) */
	int rdt_tasks_fd;	/* linux.intelRdt: its group's tasks file, joined next; or -1 */
	int new_flags;		/* CLONE_NEW* to create */
	bool two_stage;		/* join/unshare here rather than through clone flags */
	bool fork_init;		/* the init is a child of this process (pid/time namespaces) */
	bool setup_handshake;	/* SETUP_REQ/ACK: the runtime writes our id maps, time offsets, oomScoreAdj, moves netDevices in */
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
};

/* Runs in the cloned child; reports failures over sync_fd and never returns. */
__attribute__((noreturn)) void init_main(struct init_ctx *c);
