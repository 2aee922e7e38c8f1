/* Reading and writing cgroup interface files, shared by the cgroup_* files.
 * Every error names the file and, for writes, the value. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"
#include "oci/spec.h"

/* One write(2) of val (cgroup files take a whole value per write). */
int cg_write(const char *dir, const char *file, const char *val, struct oerr *e);
int cg_writef(const char *dir, const char *file, struct oerr *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Whole file, trailing newlines stripped; -ENOENT when missing. */
int cg_read(const char *dir, const char *file, char **out, struct oerr *e);
/* A single number; "max" reads as UINT64_MAX. */
int cg_read_u64(const char *dir, const char *file, uint64_t *v, struct oerr *e);
bool cg_exists(const char *dir, const char *file);
/* The value of "key N" in a flat keyed file's text; -ENOENT when absent. */
int cg_text_key_u64(const char *text, const char *key, uint64_t *v);
/* Parse a decimal u64 or "max" (UINT64_MAX); -EINVAL otherwise. */
int cg_parse_u64(const char *s, uint64_t *v);
/* Join dir and a relative path: malloc'd "dir/rel" (or dir when rel is empty). */
char *cg_join(const char *dir, const char *rel);
/* EBUSY joining a cgroup2 that hands controllers to sub-cgroups, explained. */
int cg_err_internal_processes(struct oerr *e, const char *dir);
/* Warnings the runtime cannot act on but the user should see. */
void cg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* hugepageLimits as hugetlb.<size>.<suffix> ("limit_in_bytes" on v1, "max"
 * on v2), and the same in hugetlb.<size>.rsvd.<suffix> where the kernel
 * tracks reservations (5.7). */
int cg_write_hugetlb(const char *dir, const struct spec_resources *res, const char *suffix, struct oerr *e);
/* memory.checkBeforeUpdate: refuse a limit (or memory+swap limit) at or
 * below the usage in usage_file. Best effort, as runc: no reading, no check. */
int cg_check_memory_usage(const char *dir, const char *usage_file, const struct spec_memory *m,
			  struct oerr *e);
