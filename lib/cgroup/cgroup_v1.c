#include "lib/cgroup/cgroup_v1.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "lib/cgroup/cgroup_fs.h"
#include "base/util.h"

static int set_limit(const char *dir, int64_t v, struct oerr *e)
{
	int r = cg_writef(dir, "memory.limit_in_bytes", e, "%" PRId64, v);
	if (r != -EBUSY)
		return r;
	/* EBUSY: below what is in use and cannot be reclaimed. */
	uint64_t usage = 0, peak = 0;
	struct oerr ignored;
	cg_read_u64(dir, "memory.usage_in_bytes", &usage, &ignored);
	cg_read_u64(dir, "memory.max_usage_in_bytes", &peak, &ignored);
	return oerr_setx(e, EBUSY, "unable to set memory limit to %" PRId64 " (current usage: %" PRIu64
			 ", peak usage: %" PRIu64 ")", v, usage, peak);
}

static int set_memsw(const char *dir, int64_t v, struct oerr *e)
{
	int r = cg_writef(dir, "memory.memsw.limit_in_bytes", e, "%" PRId64, v);
	if (r == -ENOENT)
		return oerr_setx(e, ENOTSUP, "linux.resources.memory.swap: this kernel does not account swap "
				 "(no %s/memory.memsw.limit_in_bytes)", dir);
	return r;
}

int cg_v1_set_memory(const char *dir, const struct spec_memory *m, struct oerr *e)
{
	int r;
	if (m->has_check_before_update && m->check_before_update && (r = cg_check_memory_usage(dir, "memory.usage_in_bytes", m, e)) < 0)
		return r;
	int64_t lim = m->has_limit ? m->limit : 0, sw = m->has_swap ? m->swap : 0;
	/* Unlimited memory without a word on swap: unlimited swap too. */
	if (lim == -1 && sw == 0 && cg_exists(dir, "memory.memsw.limit_in_bytes"))
		sw = -1;
	if (lim > 0 && sw > 0 && sw < lim)
		return oerr_setx(e, EINVAL, "linux.resources.memory.swap: memory+swap limit (%" PRId64
				 ") should be >= memory limit (%" PRId64 ")", sw, lim);
	if (lim != 0 && sw != 0) {
		/* memsw may never be below the memory limit, before or after each
		 * write: raise memsw first when the current limit fits under it. */
		uint64_t cur;
		if ((r = cg_read_u64(dir, "memory.limit_in_bytes", &cur, e)) < 0)
			return r;
		if (sw == -1 || cur < (uint64_t)sw) {
			if ((r = set_memsw(dir, sw, e)) < 0 || (r = set_limit(dir, lim, e)) < 0)
				return r;
		} else if ((r = set_limit(dir, lim, e)) < 0 || (r = set_memsw(dir, sw, e)) < 0) {
			return r;
		}
	} else if ((lim && (r = set_limit(dir, lim, e)) < 0) || (sw && (r = set_memsw(dir, sw, e)) < 0)) {
		return r;
	}
	if (m->has_reservation && m->reservation &&
	    (r = cg_writef(dir, "memory.soft_limit_in_bytes", e, "%" PRId64, m->reservation)) < 0)
		return r;
	if (m->has_kernel && m->kernel) {
		/* Deprecated in 5.4 and refused since 6.1: say so, go on. */
		struct oerr ke = { 0 };
		if (cg_writef(dir, "memory.kmem.limit_in_bytes", &ke, "%" PRId64, m->kernel) < 0)
			cg_warn("linux.resources.memory.kernel ignored: %s", ke.msg);
	}
	if (m->has_kernel_tcp && m->kernel_tcp &&
	    (r = cg_writef(dir, "memory.kmem.tcp.limit_in_bytes", e, "%" PRId64, m->kernel_tcp)) < 0)
		return r;
	if (m->has_swappiness && (r = cg_writef(dir, "memory.swappiness", e, "%" PRIu64, m->swappiness)) < 0)
		return r;
	if (m->has_disable_oom_killer && (m->disable_oom_killer || cg_exists(dir, "memory.oom_control")) &&
	    (r = cg_write(dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0", e)) < 0)
		return r;
	if (m->has_use_hierarchy) {
		struct oerr he = { 0 };
		r = cg_write(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", &he);
		/* Since 5.16 the hierarchy is always on and 0 is refused. */
		if (r == -EINVAL && !m->use_hierarchy)
			cg_warn("linux.resources.memory.useHierarchy false ignored: this kernel is always hierarchical");
		else if (r < 0) {
			*e = he;
			return r;
		}
	}
	return 0;
}

static int set_rt(const char *dir, const struct spec_cpu *c, struct oerr *e)
{
	int r;
	bool period_later = false;
	if (c->has_realtime_period && c->realtime_period &&
	    (r = cg_writef(dir, "cpu.rt_period_us", e, "%" PRIu64, c->realtime_period)) < 0) {
		/* Period and runtime constrain each other: retry after the runtime. */
		if (r != -EINVAL || !c->has_realtime_runtime || !c->realtime_runtime)
			return r;
		period_later = true;
	}
	if (c->has_realtime_runtime && c->realtime_runtime) {
		if ((r = cg_writef(dir, "cpu.rt_runtime_us", e, "%" PRId64, c->realtime_runtime)) < 0)
			return r;
		if (period_later && (r = cg_writef(dir, "cpu.rt_period_us", e, "%" PRIu64, c->realtime_period)) < 0)
			return r;
	}
	return 0;
}

int cg_v1_set_cpu(const char *dir, const struct spec_cpu *c, struct oerr *e)
{
	int r;
	if ((r = set_rt(dir, c, e)) < 0)
		return r;
	if (c->has_shares && c->shares) {
		if ((r = cg_writef(dir, "cpu.shares", e, "%" PRIu64, c->shares)) < 0)
			return r;
		/* The kernel clamps silently; tell the user instead. */
		uint64_t got;
		if ((r = cg_read_u64(dir, "cpu.shares", &got, e)) < 0)
			return r;
		if (c->shares > got)
			return oerr_setx(e, EINVAL, "linux.resources.cpu.shares: the maximum allowed cpu-shares is %" PRIu64, got);
		if (c->shares < got)
			return oerr_setx(e, EINVAL, "linux.resources.cpu.shares: the minimum allowed cpu-shares is %" PRIu64, got);
	}
	bool quota = c->has_quota && c->quota;
	bool period_later = false, burst_later = false;
	if (c->has_period && c->period && (r = cg_writef(dir, "cpu.cfs_period_us", e, "%" PRIu64, c->period)) < 0) {
		/* A shorter period can break the parent's quota ratio until the new quota is in. */
		if (r != -EINVAL || !quota)
			return r;
		period_later = true;
	}
	if (c->has_burst && (r = cg_writef(dir, "cpu.cfs_burst_us", e, "%" PRIu64, c->burst)) < 0) {
		if (r == -ENOENT)
			cg_warn("linux.resources.cpu.burst ignored: this kernel has no cpu.cfs_burst_us");
		else if (r != -EINVAL || !quota)
			return r;
		else
			burst_later = true;
	}
	if (quota) {
		if ((r = cg_writef(dir, "cpu.cfs_quota_us", e, "%" PRId64, c->quota)) < 0)
			return r;
		if (period_later && (r = cg_writef(dir, "cpu.cfs_period_us", e, "%" PRIu64, c->period)) < 0)
			return r;
		if (burst_later && (r = cg_writef(dir, "cpu.cfs_burst_us", e, "%" PRIu64, c->burst)) < 0)
			return r;
	}
	if (c->has_idle && (r = cg_writef(dir, "cpu.idle", e, "%" PRId64, c->idle)) < 0)
		return r;
	return 0;
}

/* cpuset files are "cpuset.cpus", or "cpus" on a hierarchy mounted noprefix. */
static const char *cpuset_file(const char *dir, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "cpuset.%s", name);
	if (!cg_exists(dir, buf) && cg_exists(dir, name))
		return name;
	return buf;
}

int cg_v1_set_cpuset(const char *dir, const struct spec_cpu *c, struct oerr *e)
{
	char b[32];
	int r;
	if (c->cpus && *c->cpus && (r = cg_write(dir, cpuset_file(dir, "cpus", b, sizeof(b)), c->cpus, e)) < 0)
		return oerr_wrap(e, "linux.resources.cpu.cpus \"%s\"", c->cpus);
	if (c->mems && *c->mems && (r = cg_write(dir, cpuset_file(dir, "mems", b, sizeof(b)), c->mems, e)) < 0)
		return oerr_wrap(e, "linux.resources.cpu.mems \"%s\"", c->mems);
	return 0;
}

int cg_v1_cpuset_inherit(const char *dir, struct oerr *e)
{
	_cleanup_free_ char *parent = strdup(dir);
	if (!parent)
		return oerr_set(e, ENOMEM, "cpuset");
	char *slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return 0;
	*slash = '\0';
	static const char *const names[] = { "cpus", "mems" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		/* The parent's file tells the naming ("cpus" on a hierarchy
		 * mounted noprefix); its value is written as it is: the new
		 * cgroup's own is empty, or already the parent's when the parent
		 * has cgroup.clone_children set, so it needs no reading. */
		char b[32];
		snprintf(b, sizeof(b), "cpuset.%s", names[i]);
		const char *f = b;
		_cleanup_free_ char *theirs = NULL;
		int r = cg_read(parent, f, &theirs, e);
		if (r == -ENOENT) {
			f = names[i];
			r = cg_read(parent, f, &theirs, e);
		}
		if (r < 0 || (r = cg_write(dir, f, theirs, e)) < 0)
			return r;
	}
	return 0;
}

static int write_devs(const char *dir, const char *file, int64_t major, int64_t minor, uint64_t v, struct oerr *e)
{
	return cg_writef(dir, file, e, "%" PRId64 ":%" PRId64 " %" PRIu64, major, minor, v);
}

static int write_throttle(const char *dir, const char *file, const struct spec_throttle_device *t, size_t n,
			  struct oerr *e)
{
	for (size_t i = 0; i < n; i++) {
		int r = write_devs(dir, file, t[i].major, t[i].minor, t[i].rate, e);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_v1_set_blkio(const char *dir, const struct spec_blkio *b, struct oerr *e)
{
	/* CFQ's blkio.weight went with CFQ (5.0); BFQ has its own files. */
	bool cfq = cg_exists(dir, "blkio.weight");
	const char *wfile = cfq ? "blkio.weight" : "blkio.bfq.weight";
	const char *wdfile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
	int r;
	if (b->has_weight && b->weight && (r = cg_writef(dir, wfile, e, "%u", (unsigned)b->weight)) < 0) {
		if (r == -ENOENT)
			return oerr_setx(e, ENOTSUP, "linux.resources.blockIO.weight: no I/O scheduler with weights "
					 "(neither blkio.weight nor blkio.bfq.weight in %s)", dir);
		return r;
	}
	if (b->has_leaf_weight && b->leaf_weight &&
	    (r = cg_writef(dir, "blkio.leaf_weight", e, "%u", (unsigned)b->leaf_weight)) < 0) {
		if (r != -ENOENT)
			return r;
		cg_warn("linux.resources.blockIO.leafWeight ignored: this kernel has no blkio.leaf_weight");
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *d = &b->weight_device[i];
		if (d->has_weight && d->weight && (r = write_devs(dir, wdfile, d->major, d->minor, d->weight, e)) < 0)
			return r;
		if (d->has_leaf_weight && d->leaf_weight &&
		    (r = write_devs(dir, "blkio.leaf_weight_device", d->major, d->minor, d->leaf_weight, e)) < 0) {
			if (r != -ENOENT)
				return r;
			cg_warn("linux.resources.blockIO.weightDevice leafWeight ignored: this kernel has no "
				"blkio.leaf_weight_device");
		}
	}
	if ((r = write_throttle(dir, "blkio.throttle.read_bps_device", b->throttle_read_bps, b->n_throttle_read_bps, e)) < 0 ||
	    (r = write_throttle(dir, "blkio.throttle.write_bps_device", b->throttle_write_bps, b->n_throttle_write_bps, e)) < 0 ||
	    (r = write_throttle(dir, "blkio.throttle.read_iops_device", b->throttle_read_iops, b->n_throttle_read_iops, e)) < 0 ||
	    (r = write_throttle(dir, "blkio.throttle.write_iops_device", b->throttle_write_iops, b->n_throttle_write_iops, e)) < 0)
		return r;
	return 0;
}

int cg_v1_set_hugetlb(const char *dir, const struct spec_resources *res, struct oerr *e)
{
	return cg_write_hugetlb(dir, res, "limit_in_bytes", e);
}

int cg_v1_set_net_cls(const char *dir, const struct spec_resources *r, struct oerr *e)
{
	if (!r->has_net_class_id)
		return 0;
	return cg_writef(dir, "net_cls.classid", e, "%u", (unsigned)r->net_class_id);
}

int cg_v1_set_net_prio(const char *dir, const struct spec_resources *r, struct oerr *e)
{
	for (size_t i = 0; i < r->n_net_priorities; i++) {
		int ret = cg_writef(dir, "net_prio.ifpriomap", e, "%s %u", r->net_priorities[i].name,
				    (unsigned)r->net_priorities[i].priority);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int dev_write(const char *dir, bool allow, const struct cg_dev_rule *x, unsigned access, struct oerr *e)
{
	char line[80];
	struct cg_dev_rule r = *x;
	r.access = access;
	cg_dev_rule_str(&r, line, sizeof(line));
	return cg_write(dir, allow ? "devices.allow" : "devices.deny", line, e);
}

int cg_v1_set_devices(const char *dir, const struct cg_dev_state *target, struct oerr *e)
{
	_cleanup_free_ char *list = NULL;
	struct cg_dev_state cur = { 0 };
	int r = cg_read(dir, "devices.list", &list, e);
	if (r < 0)
		return r;
	if ((r = cg_dev_parse_list(list, &cur)) < 0)
		return oerr_setx(e, -r, "%s/devices.list: cannot parse \"%.60s\"", dir, list);
	if (!cur.default_allow && !target->default_allow) {
		/* Allow-list to allow-list: add what is new, then take away what is gone. */
		for (size_t i = 0; i < target->n && r == 0; i++)
			r = dev_write(dir, true, &target->ex[i], target->ex[i].access, e);
		for (size_t i = 0; i < cur.n && r == 0; i++) {
			unsigned keep = 0;
			for (size_t j = 0; j < target->n; j++)
				if (target->ex[j].type == cur.ex[i].type && target->ex[j].major == cur.ex[i].major &&
				    target->ex[j].minor == cur.ex[i].minor)
					keep = target->ex[j].access;
			if (cur.ex[i].access & ~keep)
				r = dev_write(dir, false, &cur.ex[i], cur.ex[i].access & ~keep, e);
		}
	} else {
		/* The exceptions of a deny-list do not show in devices.list: start over. */
		r = cg_write(dir, target->default_allow ? "devices.allow" : "devices.deny", "a", e);
		for (size_t i = 0; i < target->n && r == 0; i++)
			r = dev_write(dir, target->ex[i].allow, &target->ex[i], target->ex[i].access, e);
	}
	cg_dev_state_free(&cur);
	return r;
}

static int freezer_state(const char *dir, char **state, struct oerr *e)
{
	int r = cg_read(dir, "freezer.state", state, e);
	if (r == -ENOENT)
		return oerr_setx(e, ENOTSUP, "%s/freezer.state is missing", dir);
	return r;
}

int cg_v1_freeze(const char *dir, bool frozen, struct oerr *e)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	long us = 1000;
	for (unsigned i = 0;; i++) {
		int r;
		/* Writing again nudges tasks that were forking when the freeze began. */
		if (i % 10 == 0 && (r = cg_write(dir, "freezer.state", want, e)) < 0)
			return r;
		_cleanup_free_ char *state = NULL;
		if ((r = freezer_state(dir, &state, e)) < 0)
			return r;
		if (!strcmp(state, want))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= 10)
			break;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000 };
		nanosleep(&ts, NULL);
		if (us < 50000)
			us *= 2;
	}
	if (frozen) {
		struct oerr ignored;
		cg_write(dir, "freezer.state", "THAWED", &ignored);
	}
	return oerr_setx(e, ETIMEDOUT, "%s cgroup %s: timed out waiting for freezer.state %s",
			 frozen ? "freeze" : "thaw", dir, want);
}

int cg_v1_is_frozen(const char *dir, bool *frozen, struct oerr *e)
{
	_cleanup_free_ char *state = NULL;
	int r = freezer_state(dir, &state, e);
	if (r < 0)
		return r;
	/* FREEZING counts: a freeze was asked and tasks are on their way. */
	*frozen = strcmp(state, "THAWED") != 0;
	return 0;
}
