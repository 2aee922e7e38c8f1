/* Internal to the cgroup_* files: the join handles of a loaded hierarchy
 * table (see struct cgroup_join in cgroup.h). */
#pragma once
#include "lib/cgroup/cgroup.h"
#include "lib/cgroup/cgroup_path.h"

int cg_join_open_hiers(const struct cg_hiers *hs, struct cgroup_join *j, struct oerr *e);
