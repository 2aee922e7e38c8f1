/* Which cgroup hierarchies this host has, where the caller sits in each, and
 * where a container's cgroup goes. The pure parsers take file contents so
 * that tests can feed them made-up /proc/self/mountinfo and /proc/self/cgroup.
 *
 * The path string kept in the container's state is the container's cgroup
 * path, the same in every hierarchy ("/ocirt/abc"), except when the caller's
 * own cgroups differ between hierarchies and the path is relative to them:
 * then the hierarchies whose base is not "/" are named first,
 *   "memory:/process_api/ff49;/abc"
 * meaning /process_api/ff49/abc in the memory hierarchy and /abc elsewhere.
 * A sub-path appended to the string (exec --cgroup) lands in every hierarchy. */
#pragma once
#include <stdbool.h>
#include "lib/cgroup/cgroup.h"
#include "base/err.h"
#include "base/mountinfo.h"

struct cg_hier {
	char *controllers;	/* as /proc/self/cgroup names it: "memory", "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
	char *mountpoint;
	char *mnt_root;		/* the cgroup mounted there (mountinfo field 4) */
	bool v2;
	char *own;		/* the caller's cgroup in this hierarchy */
	char *path;		/* the container's cgroup (set by cg_paths_*) */
	char *dir;		/* where path is in the file system */
};

struct cg_hiers {
	enum cgroup_layout layout;
	struct cg_hier *h;
	size_t n;
};

/* The cgroup and cgroup2 mounts of a mountinfo text that are visible, in
 * order: one that a later mount at its path, or above it, covers is left out
 * (mountinfo_covered). -ENOMEM or 0; free with mountinfo_free. */
int cg_mounts_parse(const char *mountinfo, struct mountinfo **out, size_t *n);
/* The same from /proc/self/mountinfo, each one confirmed with statfs. */
int cg_mounts_load(struct mountinfo **out, size_t *n, struct oerr *e);

/* Build the hierarchy table from mountinfo and /proc/self/cgroup text.
 * Only visible cgroup mounts at or below /sys/fs/cgroup count. */
int cg_hiers_parse(const char *mountinfo, const char *self_cgroup, struct cg_hiers *out, struct oerr *e);
/* Same from this process's /proc/self files (the mounts confirmed with statfs). */
int cg_hiers_load(struct cg_hiers *out, struct oerr *e);
void cg_hiers_free(struct cg_hiers *hs);

/* The hierarchy that carries a controller ("memory", or "name=systemd"); NULL if none. */
struct cg_hier *cg_hier_v1(const struct cg_hiers *hs, const char *controller);
/* The cgroup2 hierarchy (pure v2 or the hybrid one); NULL if none. */
struct cg_hier *cg_hier_v2(const struct cg_hiers *hs);
bool cg_controllers_has(const char *list, const char *name, char sep);
/* Hierarchies a process may miss without harm: named v1 ones (no
 * controller) and the hybrid host's cgroup2. */
bool cg_hier_optional(const struct cg_hiers *hs, const struct cg_hier *h);
/* Whether a process can join h's cgroup: 1 when its directory is there, 0
 * when it is missing from an optional hierarchy, else -ENOENT (e filled). */
int cg_hier_joinable(const struct cg_hiers *hs, const struct cg_hier *h, struct oerr *e);

/* Set each hierarchy's path and dir for a new container: cgroups_path absolute
 * is used as is; relative (or NULL: "<id>") goes below the caller's own cgroup.
 * *state gets the string to keep (see above). */
int cg_paths_for_spec(struct cg_hiers *hs, const char *cgroups_path, const char *id, char **state,
		      struct oerr *e);
/* Set each hierarchy's path and dir from a kept string. */
int cg_paths_decode(struct cg_hiers *hs, const char *state, struct oerr *e);
/* "slice:prefix:name" is how the systemd driver spells cgroupsPath. */
bool cg_path_systemd_syntax(const char *p);
/* "/a//b/./c/" -> "/a/b/c"; -EINVAL on ".." components. *out malloc'd, starts with '/'. */
int cg_path_clean(const char *in, char **out);
