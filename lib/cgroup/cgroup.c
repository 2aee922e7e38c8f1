#include "lib/cgroup/cgroup.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include "lib/cgroup/cgroup_devices.h"
#include "lib/cgroup/cgroup_ebpf.h"
#include "lib/cgroup/cgroup_fs.h"
#include "lib/cgroup/cgroup_join.h"
#include "lib/cgroup/cgroup_path.h"
#include "lib/cgroup/cgroup_stats.h"
#include "lib/cgroup/cgroup_systemd.h"
#include "lib/cgroup/cgroup_v1.h"
#include "lib/cgroup/cgroup_v2.h"
#include "base/util.h"

int cgroup_detect(enum cgroup_layout *out, struct oerr *e)
{
	struct statfs st;
	if (statfs("/sys/fs/cgroup", &st) < 0)
		return oerr_set(e, errno, "statfs /sys/fs/cgroup");
	if (st.f_type == CGROUP2_SUPER_MAGIC) {
		*out = CGROUP_UNIFIED;
		return 0;
	}
	if (statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		*out = CGROUP_HYBRID;
	else
		*out = CGROUP_LEGACY;
	return 0;
}

static bool dir_exists(const char *d)
{
	struct stat st;
	return stat(d, &st) == 0 && S_ISDIR(st.st_mode);
}

static void backoff(long *us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = *us * 1000 };
	nanosleep(&ts, NULL);
	if (*us < 100000)
		*us *= 2;
}

/* The hierarchies with the paths of a kept cgroup path string. */
static int open_path(const char *cg_path, struct cg_hiers *hs, struct oerr *e)
{
	if (!cg_path || !*cg_path)
		return oerr_setx(e, EINVAL, "no cgroup path");
	int r = cg_hiers_load(hs, e);
	if (r < 0)
		return r;
	if ((r = cg_paths_decode(hs, cg_path, e)) < 0)
		cg_hiers_free(hs);
	return r;
}

/* --- where each setting goes --------------------------------------------- */

static bool v2_has(const struct cg_hiers *hs, const char *ctrl)
{
	struct cg_hier *h = cg_hier_v2(hs);
	if (!h)
		return false;
	if (hs->layout == CGROUP_UNIFIED)
		return true;	/* enabling it tells what is missing */
	_cleanup_free_ char *avail = NULL;
	struct oerr ignored;
	return cg_read(h->mountpoint, "cgroup.controllers", &avail, &ignored) == 0 &&
	       cg_controllers_has(avail, ctrl, ' ');
}

/* The directory for a controller's settings: its v1 hierarchy, else the
 * cgroup2 one when that has the controller. NULL when neither. */
static const char *route(const struct cg_hiers *hs, const char *v1name, const char *v2name, bool *v2)
{
	struct cg_hier *h = hs->layout != CGROUP_UNIFIED && v1name ? cg_hier_v1(hs, v1name) : NULL;
	*v2 = false;
	if (h)
		return h->dir;
	if (v2name && v2_has(hs, v2name)) {
		*v2 = true;
		return cg_hier_v2(hs)->dir;
	}
	return NULL;
}

static int missing(struct oerr *e, const char *field, const char *ctrl)
{
	return oerr_setx(e, ENOTSUP, "linux.resources.%s: no %s cgroup controller is available on this host",
			 field, ctrl);
}

/* Errors of a setting name the config field, unless they do already. */
static int field_err(struct oerr *e, int ret, const char *field)
{
	if (ret < 0 && strncmp(e->msg, "linux.resources.", 16) && strncmp(e->msg, "invalid configuration", 21))
		oerr_wrap(e, "linux.resources.%s", field);
	return ret;
}

static bool cpu_set(const struct spec_cpu *c)
{
	return (c->has_shares && c->shares) || c->has_quota || (c->has_period && c->period) || c->has_burst ||
	       (c->has_realtime_runtime && c->realtime_runtime) || (c->has_realtime_period && c->realtime_period) ||
	       c->has_idle;
}

static bool memory_set(const struct spec_memory *m)
{
	return m->has_limit || m->has_reservation || m->has_swap || m->has_kernel || m->has_kernel_tcp ||
	       m->has_swappiness || m->has_disable_oom_killer || m->has_use_hierarchy;
}

const char *cgroup_limit_field(const struct spec_resources *r)
{
	if (!r)
		return NULL;
	const struct spec_cpu *c = r->cpu;
	const struct spec_blkio *b = r->block_io;
	if (c && ((c->cpus && *c->cpus) || (c->mems && *c->mems) || cpu_set(c)))
		return "cpu";
	if (r->memory && memory_set(r->memory))
		return "memory";
	if (r->has_pids_limit)
		return "pids";
	if (b && ((b->has_weight && b->weight) || (b->has_leaf_weight && b->leaf_weight) || b->n_weight_device ||
		  b->n_throttle_read_bps || b->n_throttle_write_bps || b->n_throttle_read_iops ||
		  b->n_throttle_write_iops))
		return "blockIO";
	if (r->n_hugepage_limits)
		return "hugepageLimits";
	if (r->n_rdma)
		return "rdma";
	if (r->has_net_class_id || r->n_net_priorities)
		return "network";
	if (r->n_unified)
		return "unified";
	return NULL;
}

static int set_pids(const char *dir, int64_t limit, struct oerr *e)
{
	/* -1 (any negative) is no limit; 0 is a limit (runtime-spec 1.3). */
	if (limit < 0)
		return cg_write(dir, "pids.max", "max", e);
	return cg_writef(dir, "pids.max", e, "%" PRId64, limit);
}

static int set_rdma(const char *dir, const struct spec_resources *r, struct oerr *e)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct spec_rdma *d = &r->rdma[i];
		char line[256];
		int n = snprintf(line, sizeof(line), "%s", d->device);
		if (d->has_hca_handles)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " hca_handle=%u", (unsigned)d->hca_handles);
		if (d->has_hca_objects && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - (size_t)n, " hca_object=%u", (unsigned)d->hca_objects);
		if ((size_t)n >= sizeof(line))
			return oerr_setx(e, EINVAL, "linux.resources.rdma: device name \"%s\" too long", d->device);
		int ret = cg_write(dir, "rdma.max", line, e);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int set_devices(const struct cg_hiers *hs, const struct spec_resources *r, const struct spec_linux *l,
		       struct oerr *e)
{
	struct cg_dev_state st;
	int ret = cg_dev_state_for(r, l, &st, e);
	if (ret < 0)
		return ret;
	struct cg_hier *h = hs->layout != CGROUP_UNIFIED ? cg_hier_v1(hs, "devices") : NULL;
	struct cg_hier *h2 = cg_hier_v2(hs);
	if (h)
		ret = cg_v1_set_devices(h->dir, &st, e);
	else if (h2)
		ret = cg_ebpf_apply(h2->dir, &st, e);
	else
		ret = missing(e, "devices", "devices");
	cg_dev_state_free(&st);
	return ret;
}

/* All of r that is set; l (linux.devices, for the default device rules) is
 * NULL on update. */
static int apply_resources(const struct cg_hiers *hs, const struct spec_resources *r, const struct spec_linux *l,
			   struct oerr *e)
{
	const char *d;
	bool v2;
	int ret;
	if (!r)
		return 0;
	const struct spec_cpu *c = r->cpu;
	if (c && ((c->cpus && *c->cpus) || (c->mems && *c->mems))) {
		if (!(d = route(hs, "cpuset", "cpuset", &v2)))
			return missing(e, "cpu.cpus/mems", "cpuset");
		if ((ret = v2 ? cg_v2_set_cpuset(d, c, e) : cg_v1_set_cpuset(d, c, e)) < 0)
			return field_err(e, ret, "cpu");
	}
	if (c && cpu_set(c)) {
		if (!(d = route(hs, "cpu", "cpu", &v2)))
			return missing(e, "cpu", "cpu");
		if ((ret = v2 ? cg_v2_set_cpu(d, c, e) : cg_v1_set_cpu(d, c, e)) < 0)
			return field_err(e, ret, "cpu");
	}
	if (r->memory && memory_set(r->memory)) {
		if (!(d = route(hs, "memory", "memory", &v2)))
			return missing(e, "memory", "memory");
		if ((ret = v2 ? cg_v2_set_memory(d, r->memory, e) : cg_v1_set_memory(d, r->memory, e)) < 0)
			return field_err(e, ret, "memory");
	}
	if (r->has_pids_limit) {
		if (!(d = route(hs, "pids", "pids", &v2)))
			return missing(e, "pids", "pids");
		if ((ret = set_pids(d, r->pids_limit, e)) < 0)
			return field_err(e, ret, "pids.limit");
	}
	const struct spec_blkio *b = r->block_io;
	if (b && ((b->has_weight && b->weight) || (b->has_leaf_weight && b->leaf_weight) || b->n_weight_device ||
		  b->n_throttle_read_bps || b->n_throttle_write_bps || b->n_throttle_read_iops ||
		  b->n_throttle_write_iops)) {
		if (!(d = route(hs, "blkio", "io", &v2)))
			return missing(e, "blockIO", "blkio/io");
		if ((ret = v2 ? cg_v2_set_io(d, b, e) : cg_v1_set_blkio(d, b, e)) < 0)
			return field_err(e, ret, "blockIO");
	}
	if (r->n_hugepage_limits) {
		if (!(d = route(hs, "hugetlb", "hugetlb", &v2)))
			return missing(e, "hugepageLimits", "hugetlb");
		if ((ret = v2 ? cg_v2_set_hugetlb(d, r, e) : cg_v1_set_hugetlb(d, r, e)) < 0)
			return field_err(e, ret, "hugepageLimits");
	}
	if (r->n_rdma) {
		if (!(d = route(hs, "rdma", "rdma", &v2)))
			return missing(e, "rdma", "rdma");
		if ((ret = set_rdma(d, r, e)) < 0)
			return field_err(e, ret, "rdma");
	}
	if (r->has_net_class_id) {
		/* Nothing else limits the container here, so a missing one is a warning, as in runc. */
		if ((d = route(hs, "net_cls", NULL, &v2))) {
			if ((ret = cg_v1_set_net_cls(d, r, e)) < 0)
				return field_err(e, ret, "network.classID");
		} else {
			cg_warn("linux.resources.network.classID ignored: no net_cls cgroup controller%s",
				hs->layout == CGROUP_UNIFIED ? " on cgroup v2" : " is mounted");
		}
	}
	if (r->n_net_priorities) {
		if ((d = route(hs, "net_prio", NULL, &v2))) {
			if ((ret = cg_v1_set_net_prio(d, r, e)) < 0)
				return field_err(e, ret, "network.priorities");
		} else {
			cg_warn("linux.resources.network.priorities ignored: no net_prio cgroup controller%s",
				hs->layout == CGROUP_UNIFIED ? " on cgroup v2" : " is mounted");
		}
	}
	if (r->n_devices && (ret = set_devices(hs, r, l, e)) < 0)
		return field_err(e, ret, "devices");
	if (r->n_unified) {
		if (hs->layout != CGROUP_UNIFIED)
			return oerr_setx(e, EINVAL, "invalid configuration: cannot use unified on cgroup v1");
		if ((ret = cg_v2_set_unified(cg_hier_v2(hs)->dir, r, e)) < 0)
			return ret;
	}
	return 0;
}

/* Enable in the ancestors the v2 controllers that r's settings need (an
 * error when impossible); on a fresh pure v2 cgroup also every other one
 * that can be, for the statistics and for nested use. */
static int enable_v2(const struct cg_hiers *hs, const struct spec_resources *r, bool creating, struct oerr *e)
{
	struct cg_hier *h2 = cg_hier_v2(hs);
	if (!h2)
		return 0;
	const char *need[32];
	size_t n = cg_v2_needed(r, need, ARRAY_SIZE(need)), k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *v1name = strcmp(need[i], "io") ? need[i] : "blkio";
		if (hs->layout == CGROUP_UNIFIED || (!cg_hier_v1(hs, v1name) && v2_has(hs, need[i])))
			need[k++] = need[i];
	}
	if (creating && hs->layout == CGROUP_UNIFIED) {
		static const char *const all[] = { "cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc" };
		struct oerr ignored;
		cg_v2_enable(h2->mountpoint, h2->dir, all, ARRAY_SIZE(all), false, &ignored);
	}
	return cg_v2_enable(h2->mountpoint, h2->dir, need, k, true, e);
}

/* --- processes ------------------------------------------------------------ */

struct pidv {
	pid_t *v;
	size_t n, cap;
};

static int pidv_add(struct pidv *p, pid_t pid)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		pid_t *nv = realloc(p->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n++] = pid;
	return 0;
}

/* cgroup.procs of dir and of every cgroup below it. */
static int collect(const char *dir, struct pidv *out, bool top, struct oerr *e)
{
	_cleanup_free_ char *procs = NULL;
	struct oerr re;
	int r = cg_read(dir, "cgroup.procs", &procs, &re);
	if (r == -ENOENT && !top)
		return 0;	/* removed while we looked */
	if (r < 0) {
		*e = re;
		return r;
	}
	for (char *p = procs; *p;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (v > 0 && pidv_add(out, (pid_t)v) < 0)
			return oerr_set(e, ENOMEM, "list processes");
		p = end;
		while (*p == '\n')
			p++;
	}
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT && !top ? 0 : oerr_set(e, errno, "open %s", dir);
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = cg_join(dir, de->d_name);
		if (!sub)
			return oerr_set(e, ENOMEM, "list processes");
		if ((r = collect(sub, out, false, e)) < 0)
			return r;
	}
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* The hierarchy to list processes from. */
static struct cg_hier *procs_hier(const struct cg_hiers *hs)
{
	static const char *const pref[] = { "pids", "freezer", "memory", "cpu", "devices", "cpuset" };
	if (hs->layout == CGROUP_UNIFIED)
		return cg_hier_v2(hs);
	for (size_t i = 0; i < ARRAY_SIZE(pref); i++) {
		struct cg_hier *h = cg_hier_v1(hs, pref[i]);
		if (h && dir_exists(h->dir))
			return h;
	}
	for (size_t i = 0; i < hs->n; i++)
		if (dir_exists(hs->h[i].dir))
			return &hs->h[i];
	return hs->n ? &hs->h[0] : NULL;
}

/* The freezer: v1's controller, else cgroup2's cgroup.freeze. */
static struct cg_hier *freezer_hier(const struct cg_hiers *hs, bool *v2)
{
	struct cg_hier *h = hs->layout != CGROUP_UNIFIED ? cg_hier_v1(hs, "freezer") : NULL;
	*v2 = !h;
	return h ? h : cg_hier_v2(hs);
}

static int freeze_h(struct cg_hier *h, bool v2, bool frozen, struct oerr *e)
{
	return v2 ? cg_v2_freeze(h->dir, frozen, e) : cg_v1_freeze(h->dir, frozen, e);
}

static int is_frozen_h(struct cg_hier *h, bool v2, bool *frozen, struct oerr *e)
{
	return v2 ? cg_v2_is_frozen(h->dir, frozen, e) : cg_v1_is_frozen(h->dir, frozen, e);
}

static int enter_all(const struct cg_hiers *hs, pid_t pid, struct oerr *e)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	/* v1 first: a hybrid host's cgroup2 follows. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < hs->n; i++) {
			const struct cg_hier *h = &hs->h[i];
			if (h->v2 != (pass == 1))
				continue;
			int r = cg_hier_joinable(hs, h, e);
			if (r <= 0) {
				if (r < 0)
					return r;
				continue;
			}
			r = cg_write(h->dir, "cgroup.procs", buf, e);
			if (r == -EBUSY && h->v2)
				return cg_err_internal_processes(e, h->dir);
			if (r < 0)
				return oerr_wrap(e, "join cgroup");
		}
	}
	return 0;
}

/* --- removal ---------------------------------------------------------------- */

static int rm_tree(const char *dir, struct oerr *e)
{
	/* The common case, a leaf whose processes are gone, in one call; a
	 * cgroup with children (or still with processes) says EBUSY. */
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY)
		return oerr_set(e, errno, "remove cgroup %s", dir);
	int ret = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : oerr_set(e, errno, "open %s", dir);
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = cg_join(dir, de->d_name);
		int r = sub ? rm_tree(sub, e) : oerr_set(e, ENOMEM, "remove %s", dir);
		if (r < 0 && ret == 0)
			ret = r;
	}
	closedir(d);
	if (ret < 0)
		return ret;
	/* Processes that were just killed leave their cgroup a little later. */
	long us = 1000;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return oerr_set(e, errno, "remove cgroup %s", dir);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > 3000)
			return oerr_set(e, EBUSY, "remove cgroup %s", dir);
		backoff(&us);
	}
}

/* --- create -------------------------------------------------------------- */

/* A cgroup of the same path that is there already must be idle. */
static int check_existing(const struct cg_hiers *hs, struct oerr *e)
{
	for (size_t i = 0; i < hs->n; i++) {
		const struct cg_hier *h = &hs->h[i];
		if (!dir_exists(h->dir))
			continue;
		struct pidv p = { 0 };
		int r = collect(h->dir, &p, true, e);
		free(p.v);
		if (r < 0)
			return r;
		if (p.n)
			return oerr_setx(e, EEXIST, "cgroup %s already exists and has processes", h->dir);
	}
	bool v2, frozen = false;
	struct cg_hier *fz = freezer_hier(hs, &v2);
	struct oerr ignored;
	if (fz && dir_exists(fz->dir) && is_frozen_h(fz, v2, &frozen, &ignored) == 0 && frozen)
		return oerr_setx(e, EEXIST, "cgroup %s already exists and is frozen", fz->dir);
	return 0;
}

/* mkdir the cgroup in every hierarchy; tops[i] is the first directory this
 * call made in hierarchy i (what to remove on failure), or NULL. */
static int make_dirs(const struct cg_hiers *hs, char **tops, struct oerr *e)
{
	for (size_t i = 0; i < hs->n; i++) {
		const struct cg_hier *h = &hs->h[i];
		bool cpuset = !h->v2 && cg_controllers_has(h->controllers, "cpuset", ',');
		size_t ml = strlen(h->mountpoint), len = strlen(h->dir);
		/* Mostly the parent is there: one mkdir, and the walk from the
		 * mount point down only when it is not. */
		if (len > ml && mkdir(h->dir, 0755) == 0) {
			int r;
			if (!(tops[i] = strdup(h->dir)))
				return oerr_set(e, ENOMEM, "create cgroup");
			if (cpuset && (r = cg_v1_cpuset_inherit(h->dir, e)) < 0)
				return r;
			continue;
		}
		if (len > ml && errno == EEXIST)
			continue;
		if (len > ml && errno != ENOENT)
			return oerr_set(e, errno, "create cgroup %s", h->dir);
		_cleanup_free_ char *prefix = strdup(h->dir);
		if (!prefix)
			return oerr_set(e, ENOMEM, "create cgroup");
		for (size_t end = ml + 1; end <= len; end++) {
			if (h->dir[end] != '/' && h->dir[end] != '\0')
				continue;
			memcpy(prefix, h->dir, end);
			prefix[end] = '\0';
			if (mkdir(prefix, 0755) < 0) {
				if (errno == EEXIST)
					continue;
				return oerr_set(e, errno, "create cgroup %s", prefix);
			}
			if (!tops[i] && !(tops[i] = strdup(prefix)))
				return oerr_set(e, ENOMEM, "create cgroup");
			int r;
			if (cpuset && (r = cg_v1_cpuset_inherit(prefix, e)) < 0)
				return r;
		}
	}
	return 0;
}

static int setup(const struct spec *s, const char *id, pid_t pid, const struct cgroup_claim *claim,
		 char **cg_path, struct cgroup_join *j, struct oerr *e)
{
	const struct spec_linux *l = s->linux_;
	const struct spec_resources *r = l ? l->resources : NULL;
	struct cg_hiers hs;
	_cleanup_free_ char *state = NULL;
	int ret = cg_hiers_load(&hs, e);
	if (ret < 0)
		return ret;
	char **tops = calloc(hs.n + 1, sizeof(*tops));
	if (!tops) {
		cg_hiers_free(&hs);
		return oerr_set(e, ENOMEM, "create cgroup");
	}
	if ((ret = cg_paths_for_spec(&hs, l ? l->cgroups_path : NULL, id, &state, e)) < 0 ||
	    (ret = check_existing(&hs, e)) < 0 || (claim && (ret = claim->fn(state, claim->arg, e)) < 0) ||
	    (ret = make_dirs(&hs, tops, e)) < 0)
		goto fail;
	struct cg_hier *h2 = cg_hier_v2(&hs);
	if (h2 && ((ret = cg_v2_check_type(h2->dir, e)) < 0 || (ret = enable_v2(&hs, r, true, e)) < 0))
		goto fail;
	if ((ret = apply_resources(&hs, r, l, e)) < 0)
		goto fail;
	if (pid > 0 && (ret = enter_all(&hs, pid, e)) < 0)
		goto fail;
	if (j && (ret = cg_join_open_hiers(&hs, j, e)) < 0)
		goto fail;
	*cg_path = steal_ptr(state);
	for (size_t i = 0; i < hs.n; i++)
		free(tops[i]);
	free(tops);
	cg_hiers_free(&hs);
	return 0;
fail:
	for (size_t i = 0; i < hs.n; i++) {
		struct oerr ignored;
		if (tops[i])
			rm_tree(tops[i], &ignored);
		free(tops[i]);
	}
	free(tops);
	cg_hiers_free(&hs);
	return ret;
}

int cgroup_create(const struct spec *s, const char *id, pid_t pid, char **cg_path, struct oerr *e)
{
	return setup(s, id, pid, NULL, cg_path, NULL, e);
}

/* --- the systemd driver ----------------------------------------------------- */

bool cgroup_systemd_supported(void)
{
	return cg_sd_supported();
}

/* The unit is the last component of the cgroup path of a systemd string. */
static const char *sd_unit_of(const char *cg_path)
{
	if (strncmp(cg_path, CG_SD_PREFIX, strlen(CG_SD_PREFIX)))
		return NULL;
	const char *slash = strrchr(cg_path, '/');
	return slash && slash[1] ? slash + 1 : NULL;
}

static int prepare_systemd(const struct spec *s, const char *id, const struct cgroup_claim *claim,
			   char **cg_path, struct cgroup_join *j, struct oerr *e)
{
	const struct spec_linux *l = s->linux_;
	enum cgroup_layout layout;
	int ret = cg_sd_check(e);
	if (ret < 0 || (ret = cgroup_detect(&layout, e)) < 0)
		return ret;
	struct cg_sd_pending *p = calloc(1, sizeof(*p));
	if (!p)
		return oerr_setx(e, ENOMEM, "systemd unit");
	p->spec = s;
	if (claim) {
		p->claim_fn = claim->fn;
		p->claim_arg = claim->arg;
	}
	int fds[2] = { -1, -1 };
	if ((ret = cg_sd_parse_path(l ? l->cgroups_path : NULL, id, &p->u, e)) < 0 ||
	    (ret = cg_sd_start_args(s, id, &p->u, layout != CGROUP_UNIFIED, &p->args, e)) < 0)
		goto fail;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		ret = oerr_set(e, errno, "pipe");
		goto fail;
	}
	*j = CGROUP_JOIN_NONE;
	j->sd = p;
	j->attach_wait = fds[0];
	j->attach_go = fds[1];
	*cg_path = NULL;
	return 0;
fail:
	cg_sd_pending_free(p);
	return ret;
}

/* The hierarchies where pid is not in its container's cgroup yet, per
 * /proc/<pid>/cgroup: systemd put it in the unit's cgroup in those it
 * manages (on v2: all of it, for a scope). */
static bool already_in(const char *proc_cgroup, const struct cg_hier *h)
{
	for (const char *l = proc_cgroup; l && *l;) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);
		const char *c1 = memchr(l, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - l)) : NULL;
		if (c2 && (size_t)(c2 - c1 - 1) == strlen(h->controllers) &&
		    !strncmp(c1 + 1, h->controllers, (size_t)(c2 - c1 - 1)) &&
		    (size_t)(l + len - c2 - 1) == strlen(h->path) && !strncmp(c2 + 1, h->path, strlen(h->path)))
			return true;
		l = eol ? eol + 1 : NULL;
	}
	return false;
}

static int enter_missing(const struct cg_hiers *hs, pid_t pid, struct oerr *e)
{
	char file[64], buf[24];
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, file, &text, &len, e);
	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	/* v1 first: a hybrid host's cgroup2 follows, as in enter_all. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < hs->n; i++) {
			const struct cg_hier *h = &hs->h[i];
			if (h->v2 != (pass == 1) || already_in(text, h))
				continue;
			if ((r = cg_hier_joinable(hs, h, e)) <= 0) {
				if (r < 0)
					return r;
				continue;
			}
			if ((r = cg_write(h->dir, "cgroup.procs", buf, e)) < 0)
				return oerr_wrap(e, "join cgroup");
		}
	}
	return 0;
}

static int attach_systemd(struct cg_sd_pending *p, pid_t pid, char **cg_path, struct oerr *e)
{
	const struct spec_linux *l = p->spec->linux_;
	const struct spec_resources *r = l ? l->resources : NULL;
	int ret;
	/* A scope holds the process from the start; a slice cannot: it is
	 * entered below, like any cgroup. */
	if (!p->u.is_slice) {
		cg_sd_add(&p->args, "PIDs");
		cg_sd_add(&p->args, "au");
		cg_sd_add(&p->args, "1");
		cg_sd_addf(&p->args, "%d", (int)pid);
	}
	if ((ret = cg_sd_run(&p->args, e)) < 0)
		return ret;
	/* Ours now: recorded at once (the caller's claim), so that a crash
	 * from here on leaves it findable. */
	if (asprintf(cg_path, "%s%s", CG_SD_PREFIX, p->u.path) < 0) {
		*cg_path = NULL;
		ret = oerr_setx(e, ENOMEM, "systemd unit");
	} else if (p->claim_fn) {
		ret = p->claim_fn(*cg_path, p->claim_arg, e);
	}
	if (ret < 0) {
		struct oerr ignored;
		cg_sd_stop(p->u.unit, &ignored);
		free(*cg_path);
		*cg_path = NULL;
		return ret;
	}
	struct cg_hiers hs;
	if ((ret = cg_hiers_load(&hs, e)) < 0)
		return ret;
	char **tops = calloc(hs.n + 1, sizeof(*tops));
	if (!tops) {
		cg_hiers_free(&hs);
		return oerr_set(e, ENOMEM, "create cgroup");
	}
	struct cg_hier *h2 = cg_hier_v2(&hs);
	if ((ret = cg_paths_decode(&hs, p->u.path, e)) < 0)
		goto out;
	if (hs.layout == CGROUP_UNIFIED && !dir_exists(h2->dir)) {
		ret = oerr_setx(e, ENOENT, "systemd started %s, but its cgroup is not at %s", p->u.unit, h2->dir);
		goto out;
	}
	/* The controllers systemd does not enable (hugetlb, rdma, ...), the
	 * hierarchies it does not manage (v1 net_cls, ...), every setting in
	 * the files, and the process in each hierarchy it is not in yet. */
	if ((ret = make_dirs(&hs, tops, e)) < 0 || (h2 && (ret = enable_v2(&hs, r, false, e)) < 0) ||
	    (ret = apply_resources(&hs, r, l, e)) < 0 || (ret = enter_missing(&hs, pid, e)) < 0)
		goto out;
out:
	for (size_t i = 0; i < hs.n; i++)
		free(tops[i]);
	free(tops);
	cg_hiers_free(&hs);
	return ret;
}

int cgroup_prepare(const struct spec *s, const char *id, bool systemd, const struct cgroup_claim *claim,
		   char **cg_path, struct cgroup_join *j, struct oerr *e)
{
	if (systemd)
		return prepare_systemd(s, id, claim, cg_path, j, e);
	return setup(s, id, 0, claim, cg_path, j, e);
}

int cgroup_path_for(const struct spec *s, const char *id, char **cg_path, struct oerr *e)
{
	const char *cp = s->linux_ ? s->linux_->cgroups_path : NULL;
	if (cp && cg_path_systemd_syntax(cp)) {
		struct cg_sd_unit u;
		int ret = cg_sd_parse_path(cp, id, &u, e);
		if (ret < 0)
			return ret;
		ret = asprintf(cg_path, "%s%s", CG_SD_PREFIX, u.path) < 0 ? oerr_setx(e, ENOMEM, "cgroup path") : 0;
		cg_sd_unit_free(&u);
		return ret;
	}
	struct cg_hiers hs;
	int ret = cg_hiers_load(&hs, e);
	if (ret < 0)
		return ret;
	ret = cg_paths_for_spec(&hs, cp, id, cg_path, e);
	cg_hiers_free(&hs);
	return ret;
}

bool cgroup_join_pending(const struct cgroup_join *j)
{
	return j->sd != NULL;
}

int cgroup_attach(struct cgroup_join *j, pid_t pid, char **cg_path, struct oerr *e)
{
	if (!j->sd)
		return 0;
	int ret = attach_systemd(j->sd, pid, cg_path, e);
	/* The child goes on, or reads the end of file and gives up. */
	if (ret == 0 && write(j->attach_go, "1", 1) != 1)
		ret = oerr_set(e, errno, "let the container's init go on");
	close(j->attach_go);
	j->attach_go = -1;
	return ret;
}

int cgroup_join_open(const char *cg_path, struct cgroup_join *j, struct oerr *e)
{
	struct cg_hiers hs;
	int r = open_path(cg_path, &hs, e);
	if (r < 0)
		return r;
	r = cg_join_open_hiers(&hs, j, e);
	cg_hiers_free(&hs);
	return r;
}

/* --- the rest of the API ----------------------------------------------- */

int cgroup_destroy(const char *cg_path, struct oerr *e)
{
	struct cg_hiers hs;
	const char *unit = sd_unit_of(cg_path);
	struct oerr se;
	/* systemd removes the unit's cgroup, and the delegated ones below it;
	 * those it did not make (v1 hierarchies it does not manage) follow. */
	int sd_ret = unit ? cg_sd_stop(unit, &se) : 0;
	int ret = open_path(cg_path, &hs, e);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < hs.n; i++) {
		struct oerr he;
		int r = rm_tree(hs.h[i].dir, &he);
		if (r < 0 && ret == 0) {
			ret = r;
			*e = he;
		}
	}
	cg_hiers_free(&hs);
	if (sd_ret < 0) {
		*e = se;
		return sd_ret;
	}
	return ret;
}

int cgroup_pids(const char *cg_path, pid_t **pids, size_t *n, struct oerr *e)
{
	struct cg_hiers hs;
	int r = open_path(cg_path, &hs, e);
	if (r < 0)
		return r;
	struct cg_hier *h = procs_hier(&hs);
	struct pidv p = { 0 };
	r = h ? collect(h->dir, &p, true, e) : oerr_setx(e, ENOENT, "no cgroup hierarchy");
	cg_hiers_free(&hs);
	if (r < 0) {
		free(p.v);
		return r;
	}
	qsort(p.v, p.n, sizeof(*p.v), cmp_pid);
	size_t k = 0;
	for (size_t i = 0; i < p.n; i++)
		if (k == 0 || p.v[k - 1] != p.v[i])
			p.v[k++] = p.v[i];
	*pids = p.v;
	*n = k;
	return 0;
}

int cgroup_signal_all(const char *cg_path, int sig, struct oerr *e)
{
	struct cg_hiers hs;
	int ret = open_path(cg_path, &hs, e);
	if (ret < 0)
		return ret;
	struct oerr ignored;
	struct cg_hier *h2 = cg_hier_v2(&hs);
	if (sig == SIGKILL && h2 && dir_exists(h2->dir) && cg_v2_kill(h2->dir, &ignored) == 0 &&
	    hs.layout == CGROUP_UNIFIED) {
		cg_hiers_free(&hs);
		return 0;
	}
	bool v2, was_frozen = false, froze = false;
	struct cg_hier *fz = freezer_hier(&hs, &v2);
	if (fz && !dir_exists(fz->dir))
		fz = NULL;
	struct cg_hier *src = fz ? fz : procs_hier(&hs);
	struct pidv p = { 0 };
	ret = src ? collect(src->dir, &p, true, e) : oerr_setx(e, ENOENT, "no cgroup hierarchy");
	/* Empty (delete --force of a stopped container): nothing in it can
	 * fork, so no freeze. That one would cost more than the rest of the
	 * delete: the first frozen v1 freezer cgroup turns a kernel static
	 * key on, and its thaw off, each a patch of the kernel's text with an
	 * IPI to every CPU: 3 ms of every delete --force on this project's
	 * machine, measured. */
	if (ret < 0 || p.n == 0)
		goto out;
	/* Frozen, no process can fork past the list we are about to read. */
	if (fz && is_frozen_h(fz, v2, &was_frozen, &ignored) == 0 && !was_frozen) {
		froze = freeze_h(fz, v2, true, &ignored) == 0;
		p.n = 0;
		ret = collect(src->dir, &p, true, e);
	}
	for (size_t i = 0; ret == 0 && i < p.n; i++)
		if (kill(p.v[i], sig) < 0 && errno != ESRCH)
			ret = oerr_set(e, errno, "signal %d to process %d", sig, (int)p.v[i]);
	/* A paused container stays paused, except to let SIGKILL do its work. */
	if (fz && (froze || (was_frozen && sig == SIGKILL))) {
		struct oerr te;
		int r = freeze_h(fz, v2, false, &te);
		if (r < 0 && ret == 0) {
			ret = r;
			*e = te;
		}
	}
out:
	free(p.v);
	cg_hiers_free(&hs);
	return ret;
}

/* set: freeze or thaw to frozen; otherwise read the state into *frozen. */
static int freezer_op(const char *cg_path, bool set, bool *frozen, struct oerr *e)
{
	struct cg_hiers hs;
	int r = open_path(cg_path, &hs, e);
	if (r < 0)
		return r;
	bool v2;
	struct cg_hier *fz = freezer_hier(&hs, &v2);
	if (!fz)
		r = oerr_setx(e, ENOTSUP, "no freezer cgroup controller is mounted");
	else
		r = set ? freeze_h(fz, v2, *frozen, e) : is_frozen_h(fz, v2, frozen, e);
	cg_hiers_free(&hs);
	return r;
}

int cgroup_freeze(const char *cg_path, bool frozen, struct oerr *e)
{
	return freezer_op(cg_path, true, &frozen, e);
}

int cgroup_is_frozen(const char *cg_path, bool *frozen, struct oerr *e)
{
	return freezer_op(cg_path, false, frozen, e);
}

void cgroup_places_free(struct cgroup_place *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].controllers);
		free(p[i].mount_name);
		free(p[i].path);
		free(p[i].dir);
	}
	free(p);
}

int cgroup_places(const char *cg_path, struct cgroup_place **out, size_t *n, struct oerr *e)
{
	struct cg_hiers hs;
	int r = open_path(cg_path, &hs, e);
	if (r < 0)
		return r;
	bool fz_v2;
	const struct cg_hier *fz = freezer_hier(&hs, &fz_v2);
	struct cgroup_place *p = calloc(hs.n ? hs.n : 1, sizeof(*p));
	for (size_t i = 0; p && i < hs.n; i++) {
		const struct cg_hier *h = &hs.h[i];
		const char *slash = strrchr(h->mountpoint, '/');
		p[i] = (struct cgroup_place){
			.controllers = strdup(h->controllers), .mount_name = strdup(slash ? slash + 1 : h->mountpoint),
			.path = strdup(h->path), .dir = strdup(h->dir), .v2 = h->v2, .freezer = h == fz,
		};
		if (!p[i].controllers || !p[i].mount_name || !p[i].path || !p[i].dir) {
			cgroup_places_free(p, i + 1);
			p = NULL;
		}
	}
	*n = hs.n;
	cg_hiers_free(&hs);
	if (!p)
		return oerr_set(e, ENOMEM, "cgroup paths");
	*out = p;
	return 0;
}

/* update under systemd: the unit's properties first (systemd writes those
 * files), then every file as with cgroupfs. r's CPU quota may be rounded
 * (cg_sd_resource_props): a copy of the cpu part takes that. */
static int update_systemd(const struct cg_hiers *hs, const char *unit, struct spec_resources *r,
			  struct oerr *e)
{
	struct cg_sd_now now = { .memory_max = 0, .cpu_quota = -1, .cpu_period = 0 };
	struct cg_hier *h2 = cg_hier_v2(hs), *hc = cg_hier_v1(hs, "cpu");
	const char *dir = h2 && hs->layout == CGROUP_UNIFIED ? h2->dir : NULL;
	uint64_t v;
	struct oerr ignored;
	_cleanup_free_ char *cpu_max = NULL;
	if (dir) {
		now.memory_max = cg_v2_memory_max_now(dir);
		cg_v2_cpu_max_now(dir, &now.cpu_quota, &now.cpu_period);
	} else if (hc && cg_read(hc->dir, "cpu.cfs_quota_us", &cpu_max, &ignored) == 0) {
		now.cpu_quota = strtoll(cpu_max, NULL, 10);
		if (cg_read_u64(hc->dir, "cpu.cfs_period_us", &v, &ignored) == 0)
			now.cpu_period = v;
	}
	return cg_sd_set(unit, r, &now, hs->layout != CGROUP_UNIFIED, e);
}

int cgroup_update(const char *cg_path, const struct spec_resources *r, struct oerr *e)
{
	struct cg_hiers hs;
	int ret = open_path(cg_path, &hs, e);
	if (ret < 0)
		return ret;
	const char *unit = sd_unit_of(cg_path);
	struct spec_resources rc = *r;
	struct spec_cpu cpu;
	if (r->cpu) {
		cpu = *r->cpu;
		rc.cpu = &cpu;
	}
	if (unit)
		ret = update_systemd(&hs, unit, &rc, e);
	if (ret == 0 && (ret = enable_v2(&hs, &rc, false, e)) == 0)
		ret = apply_resources(&hs, &rc, NULL, e);
	cg_hiers_free(&hs);
	return ret;
}

int cgroup_stats(const char *cg_path, json_t **out, struct oerr *e)
{
	struct cg_hiers hs;
	int r = open_path(cg_path, &hs, e);
	if (r < 0)
		return r;
	r = cg_stats_collect(&hs, out, e);
	cg_hiers_free(&hs);
	return r;
}
