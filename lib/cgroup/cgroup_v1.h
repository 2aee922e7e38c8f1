/* cgroup v1: the per-controller settings (each in its own hierarchy's
 * directory), the devices controller and the freezer. */
#pragma once
#include <stdbool.h>
#include "lib/cgroup/cgroup_devices.h"
#include "base/err.h"
#include "oci/spec.h"

int cg_v1_set_memory(const char *dir, const struct spec_memory *m, struct oerr *e);
/* cpu.* (shares, CFS quota/period/burst, realtime, idle). */
int cg_v1_set_cpu(const char *dir, const struct spec_cpu *c, struct oerr *e);
int cg_v1_set_cpuset(const char *dir, const struct spec_cpu *c, struct oerr *e);
/* A new cpuset cgroup starts with no cpus and mems, and takes no process
 * that way: give it the parent's. Only for a directory just made. */
int cg_v1_cpuset_inherit(const char *dir, struct oerr *e);
int cg_v1_set_blkio(const char *dir, const struct spec_blkio *b, struct oerr *e);
int cg_v1_set_hugetlb(const char *dir, const struct spec_resources *r, struct oerr *e);
int cg_v1_set_net_cls(const char *dir, const struct spec_resources *r, struct oerr *e);
int cg_v1_set_net_prio(const char *dir, const struct spec_resources *r, struct oerr *e);
/* Bring devices.allow/deny to the target state: without a moment of "deny
 * all" when both the old and new states are allow-lists. */
int cg_v1_set_devices(const char *dir, const struct cg_dev_state *target, struct oerr *e);

/* freezer.state FROZEN/THAWED, waiting until the kernel reports it. */
int cg_v1_freeze(const char *dir, bool frozen, struct oerr *e);
int cg_v1_is_frozen(const char *dir, bool *frozen, struct oerr *e);
