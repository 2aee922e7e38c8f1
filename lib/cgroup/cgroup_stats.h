/* Statistics of a container's cgroups in the shape of runc's events "stats"
 * data (github.com/opencontainers/runc/types.Stats), from v1 or v2 files. */
#pragma once
#include <jansson.h>
#include "lib/cgroup/cgroup_path.h"
#include "base/err.h"

/* hs has its paths set. Files that are missing leave their numbers out (or
 * zero), as runc does; a cgroup that is gone altogether is an error. */
int cg_stats_collect(const struct cg_hiers *hs, json_t **out, struct oerr *e);
/* "hugepages-2048kB" -> "2MB"; false when the name is not of that form. */
bool cg_hugepage_name(const char *dirent, char *out, size_t len);
