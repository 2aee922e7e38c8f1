/* What `create` and `restore` share: the config read from the bundle, the
 * state written for the container, and the cleanup of a failed attempt. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/container/container.h"
#include "lib/container/init.h"
#include "lib/net/netdev.h"
#include "lib/resctrl/resctrl.h"
#include "lib/rootfs/mountfds.h"
#include "oci/spec.h"

struct create_run {
	const struct create_opts *o;
	struct spec *spec;
	char *config_text;
	size_t config_len;
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	int dirfd;
	bool state_dir_made;
	pid_t child;		/* first cloned process */
	pid_t init;		/* the container's init (== child unless two-stage) */
	bool child_reaped;
	bool host_mounts;	/* no mount namespace of its own: its mounts are in ours */
	uint64_t host_mnt_id;	/* the mount at the rootfs path before create */
	char *cgroup_path;
	int netns_fd;		/* the container's network namespace, held while devices are moved in */
	char rdt_root[PATH_MAX];	/* the resctrl mount, with linux.intelRdt */
	struct rdt_group rdt;	/* the container's resctrl group */
	struct netdev_set net_devices;	/* moved in: put back if create fails */
	struct init_ctx ictx;
	struct mount_fds mfds;	/* prepared on our side for a user namespace */
	char created[64];
};

/* Read <bundle>/config.json (r->bundle set) into r->spec and r->config_text,
 * and resolve the rootfs into r->rootfs. */
int create_load_config(struct create_run *r, struct oerr *e);
/* What the host must have for the config (NUMA nodes, net devices). */
int create_host_checks(struct create_run *r, struct oerr *e);
/* linux.netDevices into the network namespace of pid (r->netns_fd held,
 * r->net_devices what moved, for create_cleanup_failed to put back). */
int create_move_net_devices(struct create_run *r, pid_t pid, struct oerr *e);
/* The state JSON handed to hooks while the container is made (pid: r->init). */
char *create_hook_state(const struct create_run *r, const char *status);
/* prestart and createRuntime hooks (in the bundle), with the state of
 * create_hook_state(r, "creating"), handed out in *state_out if not NULL. */
int create_runtime_hooks(const struct create_run *r, char **state_out, struct oerr *e);
/* state.json: creating, the first one, before anything is made (pid 0,
 * no cgroup: the records say what exists); otherwise the final one, for
 * r->init (r->created, r->cgroup_path set). */
int create_save_state(struct create_run *r, bool creating, struct oerr *e);
/* The records of lib/container/statedir.h, made as soon as what they name
 * exists: the "init" record for pid (nothing when it is gone already), and
 * the "cgroup" one, a cgroup_claim callback (arg: r). */
int create_record_init(struct create_run *r, pid_t pid, struct oerr *e);
int create_record_cgroup(const char *cg_path, void *arg, struct oerr *e);
int create_write_pid_file(const char *path, pid_t pid, struct oerr *e);
/* Kill and reap what was started, remove the cgroup and the state dir, and
 * run the poststop hooks when a process had been started (r->child > 0). */
void create_cleanup_failed(struct create_run *r);
/* Close and free what r holds (after success or cleanup alike). */
void create_run_free(struct create_run *r);
