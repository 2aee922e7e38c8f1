/* The container's cgroups, on cgroup v1, hybrid (v1 controllers plus an
 * empty cgroup2 at /sys/fs/cgroup/unified) and pure v2 hosts.
 *
 * Where the cgroup goes: linux.cgroupsPath absolute is used as is in every
 * hierarchy; relative, it goes below the caller's own cgroup of each
 * hierarchy (/proc/self/cgroup); absent, it is the relative path "<id>".
 * (runc and crun use "/<id>"; nesting keeps the limits of a sandbox that
 * runs the runtime in force for its containers.) The systemd driver's
 * "slice:prefix:name" is refused, unless that driver is asked for: then
 * systemd makes the cgroup, a transient unit (lib/cgroup/cgroup_systemd.h).
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
#include "base/err.h"
#include "oci/spec.h"

enum cgroup_layout { CGROUP_LEGACY /* v1 only */, CGROUP_HYBRID /* v1 + cgroup2 at /sys/fs/cgroup/unified */,
		     CGROUP_UNIFIED /* pure v2 */ };

int cgroup_detect(enum cgroup_layout *out, struct oerr *e);

/* Create the cgroup in every hierarchy (v2: with the controllers enabled in
 * the ancestors' cgroup.subtree_control), apply all of linux.resources, and
 * move pid into it. A cgroup that already exists is reused only when it has
 * no processes and is not frozen. *cg_path is malloc'd. */
int cgroup_create(const struct spec *s, const char *id, pid_t pid, char **cg_path, struct oerr *e);
/* What a process needs to join the cgroup by itself, which is much cheaper
 * than being moved (lib/cgroup/cgroup_join.c says why): the cgroup2 directory for
 * clone3(CLONE_INTO_CGROUP) and the v1 hierarchies' "tasks" files. The fds
 * are close-on-exec. */
struct cgroup_join {
	int v2_dir;		/* O_PATH, or -1 */
	int v2_procs;		/* its cgroup.procs, for when clone3 cannot; or -1 */
	char *v2_name;
	int *v1_tasks;		/* the freezer's last */
	char **v1_dirs;
	size_t n_v1;
	bool cloned_into;	/* set by cgroup_join_clone, in parent and child */
	/* The systemd driver: the unit is made for the process once cloned
	 * (cgroup_attach), and the child waits on attach_wait till then. */
	struct cg_sd_pending *sd;
	int attach_wait, attach_go;
};
#define CGROUP_JOIN_NONE ((struct cgroup_join){ .v2_dir = -1, .v2_procs = -1, .attach_wait = -1, .attach_go = -1 })
/* The first field of r under linux.resources that sets a limit ("memory",
 * "cpu", ...), device rules left aside; NULL when there is none. A
 * rootless runtime goes without a cgroup it cannot make only then. */
const char *cgroup_limit_field(const struct spec_resources *r);
/* Called with the path string once the cgroup is known to be ours to make
 * (an existing one passed the checks) and before anything is made: the
 * caller records it, so that a crash from then on leaves it findable. A
 * failure fails the create. (systemd: once the unit is made, by
 * cgroup_attach; a unit whose processes all die goes away by itself.) */
struct cgroup_claim {
	int (*fn)(const char *cg_path, void *arg, struct oerr *e);
	void *arg;
};
/* The same as cgroup_create without moving a process: *j joins it. claim may
 * be NULL. With systemd (--systemd-cgroup), nothing is made yet and *cg_path
 * stays NULL: cgroup_attach has systemd make the unit for the cloned process. */
int cgroup_prepare(const struct spec *s, const char *id, bool systemd, const struct cgroup_claim *claim,
		   char **cg_path, struct cgroup_join *j, struct oerr *e);
/* The path string cgroup_prepare would hand out for this config, made or
 * not; a "slice:prefix:name" cgroupsPath is taken as the systemd driver's. */
int cgroup_path_for(const struct spec *s, const char *id, char **cg_path, struct oerr *e);
/* Whether j's cgroup is only made by cgroup_attach (the child must still
 * call cgroup_join_self, which waits for it). */
bool cgroup_join_pending(const struct cgroup_join *j);
/* In the parent, right after cgroup_join_clone: a cgroup that could not be
 * made before the process (systemd's unit, which needs a process to hold)
 * is made now, with the process in it, and its settings applied; then the
 * child goes on. *cg_path is set (malloc'd) as soon as the unit exists, so
 * that on a later failure cgroup_destroy undoes it; a unit systemd refused
 * (one of that name may be another container's) is never touched. On
 * failure the child is told to fail. Nothing to do for the cgroupfs
 * driver. */
int cgroup_attach(struct cgroup_join *j, pid_t pid, char **cg_path, struct oerr *e);
/* Whether --systemd-cgroup can work: built with libsystemd, helper there. */
bool cgroup_systemd_supported(void);
/* The join handles of a kept cgroup path (exec; "/sub" appended for --cgroup). */
int cgroup_join_open(const char *cg_path, struct cgroup_join *j, struct oerr *e);
/* clone(2) with flags, straight into j's cgroup2 directory where clone3 can;
 * -errno on failure. */
pid_t cgroup_join_clone(struct cgroup_join *j, unsigned long flags, struct oerr *e);
/* clone(2) with CLONE_VM|CLONE_VFORK, as posix_spawn does: the child runs
 * fn(arg) on the given stack, in our memory, while we wait until it execs
 * or exits. No page tables copied, nothing to tear down at its exec: the
 * cheap way to a child that only sets itself up and execs. Into j's
 * cgroup2 directory with clone3 where there is one and clone3 is not
 * refused (then the child joins it with cgroup_join_self). -errno on
 * failure. */
pid_t cgroup_join_spawn(struct cgroup_join *j, int (*fn)(void *), void *arg, void *stack, size_t stack_size,
			struct oerr *e);
/* In the cloned child, single-threaded: join the rest of the hierarchies.
 * j's fds stay open (close-on-exec): cgroup_join_close them where j's
 * memory is the child's own. */
int cgroup_join_self(struct cgroup_join *j, struct oerr *e);
void cgroup_join_close(struct cgroup_join *j);
/* The host's cgroup mounts as a text that create keeps in the container's
 * state dir: a later command on the container adopts it instead of reading
 * /proc/self/mountinfo, whose text the kernel makes anew at each read (2 ms
 * with a thousand mounts), and reads that as before where the text is
 * missing (a state dir of an older ocirt), damaged, or no longer true:
 * adopt takes it only where it is whole and statfs still finds a cgroup
 * file system of that version at each mount point, and says false
 * otherwise. known: this process has them already, adopting is moot. */
int cgroup_mounts_dump(char **text, struct oerr *e);
bool cgroup_mounts_known(void);
bool cgroup_mounts_adopt(const char *text);
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
/* Where a kept cgroup path is, hierarchy by hierarchy (for CRIU, which is
 * told the cgroups and the bind mounts of them). */
struct cgroup_place {
	char *controllers;	/* as /proc/self/cgroup names them: "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
	char *mount_name;	/* last component of the hierarchy's mount point ("cpu,cpuacct", "unified") */
	char *path;		/* the container's cgroup in the hierarchy */
	char *dir;		/* ... in the file system */
	bool v2;
	bool freezer;		/* the hierarchy that freezes the container (v1 freezer, else cgroup2) */
};
int cgroup_places(const char *cg_path, struct cgroup_place **out, size_t *n, struct oerr *e);
void cgroup_places_free(struct cgroup_place *p, size_t n);
/* Apply the fields of r that are set (update). Device rules, when given,
 * replace the container's: r's rules plus the always-allowed devices. */
int cgroup_update(const char *cg_path, const struct spec_resources *r, struct oerr *e);
/* events --stats: the data of runc's "stats" event (cpu, cpuset, memory,
 * pids, blkio, hugetlb, intel_rdt, network_interfaces). */
int cgroup_stats(const char *cg_path, json_t **out, struct oerr *e);
