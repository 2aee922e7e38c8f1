/* The container's cgroups, on cgroup v1, hybrid (v1 controllers plus an
 * empty cgroup2 at /sys/fs/cgroup/unified) and pure v2 hosts.
 *
 * Where the cgroup goes: linux.cgroupsPath absolute is used as is in every
 * hierarchy; relative, it goes below the caller's own cgroup of each
 * hierarchy (/proc/self/cgroup); absent, it is the relative path "<id>".
 * (runc and crun use "/<id>"; nesting keeps the limits of a sandbox that
 * runs the runtime in force for its containers.) The systemd driver's
 * "slice:prefix:name" is refused.
 *
 * On a hybrid host the cgroup is also made in the cgroup2 hierarchy and
 * the processes join it there too, so that a cgroup namespace shows the
 * container its own cgroup in every hierarchy; settings go to the v1
 * controllers, except those only the cgroup2 hierarchy has (e.g. hugetlb
 * on some hosts) and the devices rules when no v1 devices controller is
 * mounted (then an eBPF program there).
 *
 * The path strings handed out are opaque: keep them (state.json) and give
 * them back. A "/sub" appended to one names a sub-cgroup of the container. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>
#include "err.h"
#include "../oci/spec.h"

enum cgroup_layout { CGROUP_LEGACY /* v1 only */, CGROUP_HYBRID /* v1 + cgroup2 at /sys/fs/cgroup/unified */,
		     CGROUP_UNIFIED /* pure v2 */ };

int cgroup_detect(enum cgroup_layout *out, struct oerr *e);

/* Create the cgroup in every hierarchy (v2: with the controllers enabled in
 * the ancestors' cgroup.subtree_control), apply all of linux.resources, and
 * move pid into it. A cgroup that already exists is reused only when it has
 * no processes and is not frozen. *cg_path is malloc'd. */
int cgroup_create(const struct spec *s, const char *id, pid_t pid, char **cg_path, struct oerr *e);
/* The same without moving a process; on pure v2 *cg_fd is an O_PATH
 * directory fd of the cgroup for clone3(CLONE_INTO_CGROUP), else -1 (join
 * with cgroup_enter then). */
int cgroup_prepare(const struct spec *s, const char *id, char **cg_path, int *cg_fd, struct oerr *e);
/* Move pid into the cgroup (exec, exec --cgroup with "/sub" appended). */
int cgroup_enter(const char *cg_path, pid_t pid, struct oerr *e);
/* Remove the cgroup and its sub-cgroups in every hierarchy, retrying a while
 * when busy; a cgroup that is gone already is fine. */
int cgroup_destroy(const char *cg_path, struct oerr *e);
/* kill --all: freeze, signal every process of the cgroup and its
 * sub-cgroups, thaw (v2 SIGKILL: cgroup.kill). A container that was paused
 * stays paused, unless sig is SIGKILL. */
int cgroup_signal_all(const char *cg_path, int sig, struct oerr *e);
/* Every process of the cgroup and its sub-cgroups, sorted; *pids malloc'd. */
int cgroup_pids(const char *cg_path, pid_t **pids, size_t *n, struct oerr *e);
/* Freeze or thaw, and wait until the kernel says it is done. */
int cgroup_freeze(const char *cg_path, bool frozen, struct oerr *e);
int cgroup_is_frozen(const char *cg_path, bool *frozen, struct oerr *e);
/* Apply the fields of r that are set (update). Device rules, when given,
 * replace the container's: r's rules plus the always-allowed devices. */
int cgroup_update(const char *cg_path, const struct spec_resources *r, struct oerr *e);
/* events --stats: the data of runc's "stats" event (cpu, cpuset, memory,
 * pids, blkio, hugetlb, intel_rdt, network_interfaces). */
int cgroup_stats(const char *cg_path, json_t **out, struct oerr *e);
