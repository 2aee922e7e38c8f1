/* cgroup v2 (the unified hierarchy): the conversions from the config's v1
 * numbers, enabling controllers, the per-controller settings, the freezer. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "oci/spec.h"

/* cpu.shares (2..262144) -> cpu.weight (1..10000): 1 + ((shares-2)*9999)/262142, clamped. 0 stays 0 (unset). */
uint64_t cg_v2_cpu_weight(uint64_t shares);
/* blkio weight (10..1000) -> io.weight (1..10000): 1 + ((w-10)*9999)/990. 0 stays 0. */
uint64_t cg_v2_io_weight(uint16_t blkio_weight);
/* memory.swap (memory+swap, v1 semantics) -> memory.swap.max (swap only):
 * *out = -1 for "max", 0 for "leave it" (swap 0 or unset), else swap - limit.
 * limit is the memory limit in force (-1 unlimited, 0 unknown). */
int cg_v2_swap_max(int64_t swap, int64_t limit, int64_t *out, struct oerr *e);

/* The v2 controllers the resources need, from the unified keys too
 * ("memory", "pids", "cpu", "cpuset", "io", "hugetlb", "rdma", ...).
 * Returns how many names were put in out (at most cap). */
size_t cg_v2_needed(const struct spec_resources *r, const char **out, size_t cap);
/* Enable the controllers in cgroup.subtree_control of every cgroup from the
 * mount point down to dir's parent where they are not enabled yet. required:
 * a controller that cannot be enabled is an error; otherwise it is skipped. */
int cg_v2_enable(const char *mountpoint, const char *dir, const char *const *ctrls, size_t n, bool required,
		 struct oerr *e);
/* dir's cgroup.type must allow processes and controllers. */
int cg_v2_check_type(const char *dir, struct oerr *e);

/* What a memory setting writes: memory.max, memory.low and memory.swap.max
 * (-1: "max"). For an update of swap alone, cur_max is the limit in force
 * (-1 unlimited; 0: unknown, then read from dir unless it is NULL). */
/* memory.max of dir now: -1 for "max", 0 when it cannot be read. */
int64_t cg_v2_memory_max_now(const char *dir);
/* cpu.max of dir now: the quota (-1 for "max") and the period; the
 * kernel's defaults (-1, 100000) where it cannot be read or dir is NULL. */
void cg_v2_cpu_max_now(const char *dir, int64_t *quota, uint64_t *period);
struct cg_v2_memory_plan {
	bool max, low, swap;
	int64_t max_v, low_v, swap_v;
};
int cg_v2_memory_plan(const char *dir, int64_t cur_max, const struct spec_memory *m, struct cg_v2_memory_plan *p,
		      struct oerr *e);
/* What a cpu setting writes: cpu.weight, and cpu.max as quota (-1: "max")
 * and period, the half not given taken from dir's cpu.max (dir may be NULL). */
struct cg_v2_cpu_plan {
	bool weight, max;
	uint64_t weight_v, period;
	int64_t quota;
};
void cg_v2_cpu_plan(const char *dir, const struct spec_cpu *c, struct cg_v2_cpu_plan *p);

int cg_v2_set_memory(const char *dir, const struct spec_memory *m, struct oerr *e);
int cg_v2_set_cpu(const char *dir, const struct spec_cpu *c, struct oerr *e);
int cg_v2_set_cpuset(const char *dir, const struct spec_cpu *c, struct oerr *e);
int cg_v2_set_io(const char *dir, const struct spec_blkio *b, struct oerr *e);
int cg_v2_set_hugetlb(const char *dir, const struct spec_resources *r, struct oerr *e);
/* linux.resources.unified, written verbatim (one write per line). */
int cg_v2_set_unified(const char *dir, const struct spec_resources *r, struct oerr *e);

/* cgroup.freeze, then wait for cgroup.events to say so. */
int cg_v2_freeze(const char *dir, bool frozen, struct oerr *e);
int cg_v2_is_frozen(const char *dir, bool *frozen, struct oerr *e);
/* cgroup.kill (Linux 5.14); -ENOENT when the kernel has none. */
int cg_v2_kill(const char *dir, struct oerr *e);
