#include "lib/cgroup/cgroup_v2.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/cgroup/cgroup_fs.h"
#include "lib/cgroup/cgroup_path.h"
#include "base/util.h"

uint64_t cg_v2_cpu_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	/* The kernel clamps cpu.shares to [2, 262144]; so does the conversion. */
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_v2_io_weight(uint16_t w)
{
	if (w == 0)
		return 0;
	uint64_t x = w < 10 ? 10 : w > 1000 ? 1000 : w;
	return 1 + ((x - 10) * 9999) / 990;
}

int cg_v2_swap_max(int64_t swap, int64_t limit, int64_t *out, struct oerr *e)
{
	if (limit == -1 && swap == 0) {
		/* Unlimited memory and no word on swap: unlimited both, as on v1. */
		*out = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (limit == -1) {
		*out = swap;
		return 0;
	}
	if (limit == 0)
		return oerr_setx(e, EINVAL, "linux.resources.memory.swap: unable to set swap limit without memory limit");
	if (limit < 0)
		return oerr_setx(e, EINVAL, "linux.resources.memory.limit: invalid value %" PRId64, limit);
	if (swap < limit)
		return oerr_setx(e, EINVAL, "linux.resources.memory.swap: memory+swap limit (%" PRId64 ") should be >= memory limit (%" PRId64 ")",
				 swap, limit);
	*out = swap - limit;
	return 0;
}

static size_t add_name(const char **out, size_t n, size_t cap, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(out[i], name))
			return n;
	if (n < cap)
		out[n++] = name;
	return n;
}

size_t cg_v2_needed(const struct spec_resources *r, const char **out, size_t cap)
{
	size_t n = 0;
	if (!r)
		return 0;
	const struct spec_memory *m = r->memory;
	if (m && ((m->has_limit && m->limit) || (m->has_reservation && m->reservation) || (m->has_swap && m->swap)))
		n = add_name(out, n, cap, "memory");
	const struct spec_cpu *c = r->cpu;
	if (c && ((c->has_shares && c->shares) || c->has_quota || c->has_period || c->has_burst || c->has_idle))
		n = add_name(out, n, cap, "cpu");
	if (c && ((c->cpus && *c->cpus) || (c->mems && *c->mems)))
		n = add_name(out, n, cap, "cpuset");
	if (r->has_pids_limit)
		n = add_name(out, n, cap, "pids");
	const struct spec_blkio *b = r->block_io;
	if (b && ((b->has_weight && b->weight) || b->n_weight_device || b->n_throttle_read_bps ||
		  b->n_throttle_write_bps || b->n_throttle_read_iops || b->n_throttle_write_iops))
		n = add_name(out, n, cap, "io");
	if (r->n_hugepage_limits)
		n = add_name(out, n, cap, "hugetlb");
	if (r->n_rdma)
		n = add_name(out, n, cap, "rdma");
	for (size_t i = 0; i < r->n_unified; i++) {
		static const char *const known[] = { "memory", "cpu", "cpuset", "pids", "io", "hugetlb", "rdma",
						     "misc", "perf_event" };
		const char *k = r->unified[i].key;
		size_t l = strcspn(k, ".");
		for (size_t j = 0; j < ARRAY_SIZE(known); j++)
			if (strlen(known[j]) == l && !strncmp(k, known[j], l))
				n = add_name(out, n, cap, known[j]);
	}
	return n;
}

static int enable_err(struct oerr *e, int err, const char *ctrl, const char *level)
{
	_cleanup_free_ char *type = NULL;
	struct oerr ignored;
	if (err == EBUSY)
		return oerr_setx(e, EBUSY,
				 "cannot enable the %s controller in %s: that cgroup has processes of its own, and cgroup v2 "
				 "only lets a cgroup without processes hand controllers to its children (\"no internal "
				 "processes\" rule); use a linux.cgroupsPath outside of a cgroup with processes",
				 ctrl, level);
	if ((err == EOPNOTSUPP || err == ENOTSUP) && cg_read(level, "cgroup.type", &type, &ignored) == 0)
		return oerr_setx(e, err, "cannot enable the %s controller in %s (cgroup.type \"%s\"): "
				 "the controller does not support threaded cgroups", ctrl, level, type);
	return oerr_set(e, err, "enable the %s controller in %s/cgroup.subtree_control", ctrl, level);
}

/* Processes of its own in a cgroup other than the root (which has no cgroup.type). */
static int has_procs(const char *dir)
{
	_cleanup_free_ char *procs = NULL;
	struct oerr ignored;
	if (!cg_exists(dir, "cgroup.type"))
		return 0;
	return cg_read(dir, "cgroup.procs", &procs, &ignored) == 0 && *procs;
}

int cg_v2_enable(const char *mountpoint, const char *dir, const char *const *ctrls, size_t n, bool required,
		 struct oerr *e)
{
	size_t ml = strlen(mountpoint);
	if (n == 0)
		return 0;
	if (strncmp(dir, mountpoint, ml) || (dir[ml] && dir[ml] != '/'))
		return oerr_setx(e, EINVAL, "cgroup %s is not under %s", dir, mountpoint);
	bool skip[64] = { false };
	if (n > ARRAY_SIZE(skip))
		n = ARRAY_SIZE(skip);
	_cleanup_free_ char *level = strdup(dir);
	if (!level)
		return oerr_set(e, ENOMEM, "enable controllers");
	/* level = each ancestor of dir, from the mount point down; dir's own
	 * subtree_control is not ours to set. */
	size_t len = strlen(dir);
	for (size_t end = ml; end < len; end++) {
		if (dir[end] != '/')
			continue;
		memcpy(level, dir, end);
		level[end] = '\0';
		if (end == 0)
			strcpy(level, "/");
		_cleanup_free_ char *avail = NULL, *enabled = NULL;
		struct oerr ie;
		int r = cg_read(level, "cgroup.controllers", &avail, &ie);
		if (r == 0)
			r = cg_read(level, "cgroup.subtree_control", &enabled, &ie);
		if (r < 0) {
			if (required) {
				*e = ie;
				return r;
			}
			return 0;
		}
		int busy = -1;
		for (size_t i = 0; i < n; i++) {
			if (skip[i] || cg_controllers_has(enabled, ctrls[i], ' '))
				continue;
			if (!cg_controllers_has(avail, ctrls[i], ' ')) {
				if (required)
					return oerr_setx(e, ENOENT, "the %s controller is not available in %s "
							 "(cgroup.controllers: \"%s\")", ctrls[i], level, avail);
				skip[i] = true;
				continue;
			}
			/* A non-root cgroup with processes would take threaded
			 * controllers (and become a thread root, which then refuses
			 * domain controllers to its children): never change it so. */
			if (busy < 0)
				busy = has_procs(level);
			if (busy) {
				if (required)
					return enable_err(e, EBUSY, ctrls[i], level);
				skip[i] = true;
				continue;
			}
			char plus[80];
			snprintf(plus, sizeof(plus), "+%s", ctrls[i]);
			if ((r = cg_write(level, "cgroup.subtree_control", plus, &ie)) < 0) {
				if (required)
					return enable_err(e, -r, ctrls[i], level);
				skip[i] = true;
			}
		}
	}
	return 0;
}

int cg_v2_check_type(const char *dir, struct oerr *e)
{
	_cleanup_free_ char *type = NULL;
	struct oerr ignored;
	if (cg_read(dir, "cgroup.type", &type, &ignored) < 0)
		return 0;	/* no threaded mode in this kernel */
	if (!strcmp(type, "domain invalid"))
		return oerr_setx(e, EINVAL, "cgroup %s is in an invalid state (cgroup.type \"domain invalid\"): "
				 "its parent is part of a threaded subtree", dir);
	return 0;
}

/* -1 (or below) is "max", as v1 took -1 for no limit. */
static void limit_str(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
}

int64_t cg_v2_memory_max_now(const char *dir)
{
	uint64_t v;
	struct oerr ignored;
	if (!dir || cg_read_u64(dir, "memory.max", &v, &ignored) < 0)
		return 0;
	return v == UINT64_MAX ? -1 : (int64_t)v;
}

int cg_v2_memory_plan(const char *dir, int64_t cur_max, const struct spec_memory *m, struct cg_v2_memory_plan *p,
		      struct oerr *e)
{
	*p = (struct cg_v2_memory_plan){ 0 };
	int64_t limit = m->has_limit ? m->limit : 0;
	if (m->has_swap || limit == -1) {
		int64_t cur = limit;
		if (!m->has_limit || limit == 0) {
			/* An update of swap alone: convert against the limit in force. */
			cur = cur_max ? cur_max : cg_v2_memory_max_now(dir);
		}
		int64_t sw;
		int r = cg_v2_swap_max(m->has_swap ? m->swap : 0, cur, &sw, e);
		if (r < 0)
			return r;
		if (sw == -1 || sw > 0 || (m->has_swap && m->swap > 0)) {
			p->swap = true;
			p->swap_v = sw;
		}
	}
	if (m->has_limit && m->limit != 0) {
		p->max = true;
		p->max_v = m->limit < 0 ? -1 : m->limit;
	}
	if (m->has_reservation && m->reservation != 0) {
		p->low = true;
		p->low_v = m->reservation < 0 ? -1 : m->reservation;
	}
	return 0;
}

int cg_v2_set_memory(const char *dir, const struct spec_memory *m, struct oerr *e)
{
	char buf[32];
	int r;
	if (m->has_kernel || m->has_kernel_tcp)
		cg_warn("linux.resources.memory.kernel and kernelTCP have no cgroup v2 equivalent; ignored");
	if (m->has_swappiness)
		cg_warn("linux.resources.memory.swappiness has no cgroup v2 equivalent; ignored");
	if (m->has_disable_oom_killer && m->disable_oom_killer)
		cg_warn("linux.resources.memory.disableOOMKiller has no cgroup v2 equivalent; ignored");
	if (m->has_use_hierarchy && !m->use_hierarchy)
		cg_warn("linux.resources.memory.useHierarchy: cgroup v2 is always hierarchical; ignored");
	if (m->has_check_before_update && m->check_before_update && (r = cg_check_memory_usage(dir, "memory.current", m, e)) < 0)
		return r;
	struct cg_v2_memory_plan p;
	if ((r = cg_v2_memory_plan(dir, 0, m, &p, e)) < 0)
		return r;
	if (p.swap) {
		limit_str(p.swap_v, buf, sizeof(buf));
		if ((r = cg_write(dir, "memory.swap.max", buf, e)) < 0) {
			/* No swap accounting: unlimited or none is what we have anyway. */
			if (r != -ENOENT || (strcmp(buf, "max") && strcmp(buf, "0")))
				return r;
		}
	}
	if (p.max) {
		limit_str(p.max_v, buf, sizeof(buf));
		if ((r = cg_write(dir, "memory.max", buf, e)) < 0)
			return r;
	}
	if (p.low) {
		limit_str(p.low_v, buf, sizeof(buf));
		if ((r = cg_write(dir, "memory.low", buf, e)) < 0)
			return r;
	}
	return 0;
}

void cg_v2_cpu_max_now(const char *dir, int64_t *quota, uint64_t *period)
{
	_cleanup_free_ char *text = NULL;
	struct oerr ignored;
	*quota = -1;
	*period = 100000;	/* the kernel's default */
	if (!dir || cg_read(dir, "cpu.max", &text, &ignored) < 0)
		return;
	char q[32];
	unsigned long long p;
	if (sscanf(text, "%31s %llu", q, &p) == 2) {
		*quota = strcmp(q, "max") ? strtoll(q, NULL, 10) : -1;
		*period = p;
	}
}

void cg_v2_cpu_plan(const char *dir, const struct spec_cpu *c, struct cg_v2_cpu_plan *p)
{
	*p = (struct cg_v2_cpu_plan){ 0 };
	p->weight_v = c->has_shares ? cg_v2_cpu_weight(c->shares) : 0;
	p->weight = p->weight_v != 0;
	p->max = c->has_quota || (c->has_period && c->period);
	if (!p->max)
		return;
	cg_v2_cpu_max_now(dir, &p->quota, &p->period);
	if (c->has_quota)
		p->quota = c->quota > 0 ? c->quota : -1;
	if (c->has_period && c->period)
		p->period = c->period;
}

int cg_v2_set_cpu(const char *dir, const struct spec_cpu *c, struct oerr *e)
{
	int r;
	if ((c->has_realtime_runtime && c->realtime_runtime) || (c->has_realtime_period && c->realtime_period))
		cg_warn("linux.resources.cpu.realtimeRuntime and realtimePeriod have no cgroup v2 equivalent; ignored");
	if (c->has_idle && (r = cg_writef(dir, "cpu.idle", e, "%" PRId64, c->idle)) < 0)
		return r;
	struct cg_v2_cpu_plan p;
	cg_v2_cpu_plan(dir, c, &p);
	if (p.weight && (r = cg_writef(dir, "cpu.weight", e, "%" PRIu64, p.weight_v)) < 0)
		return r;
	bool burst_later = false;
	if (c->has_burst && (r = cg_writef(dir, "cpu.max.burst", e, "%" PRIu64, c->burst)) < 0) {
		/* A burst above the old quota is refused; it may fit the new one. */
		if (r != -EINVAL || !p.max)
			return r;
		burst_later = true;
	}
	if (p.max) {
		char quota[32];
		limit_str(p.quota, quota, sizeof(quota));
		if ((r = cg_writef(dir, "cpu.max", e, "%s %" PRIu64, quota, p.period)) < 0)
			return r;
		if (burst_later && (r = cg_writef(dir, "cpu.max.burst", e, "%" PRIu64, c->burst)) < 0)
			return r;
	}
	return 0;
}

int cg_v2_set_cpuset(const char *dir, const struct spec_cpu *c, struct oerr *e)
{
	int r;
	if (c->cpus && *c->cpus && (r = cg_write(dir, "cpuset.cpus", c->cpus, e)) < 0)
		return oerr_wrap(e, "linux.resources.cpu.cpus \"%s\"", c->cpus);
	if (c->mems && *c->mems && (r = cg_write(dir, "cpuset.mems", c->mems, e)) < 0)
		return oerr_wrap(e, "linux.resources.cpu.mems \"%s\"", c->mems);
	return 0;
}

/* io.bfq.weight takes "major:minor weight" lines since Linux 5.4; before, it
 * reads back as one number. */
static bool bfq_per_device(const char *dir)
{
	_cleanup_free_ char *text = NULL;
	struct oerr ignored;
	uint64_t v;
	return cg_read(dir, "io.bfq.weight", &text, &ignored) == 0 && cg_parse_u64(text, &v) < 0;
}

static int write_throttle(const char *dir, const struct spec_throttle_device *t, size_t n, const char *key,
			  struct oerr *e)
{
	for (size_t i = 0; i < n; i++) {
		int r = cg_writef(dir, "io.max", e, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major, t[i].minor, key,
				  t[i].rate);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_v2_set_io(const char *dir, const struct spec_blkio *b, struct oerr *e)
{
	int r;
	bool bfq = cg_exists(dir, "io.bfq.weight");
	if (b->has_leaf_weight && b->leaf_weight)
		cg_warn("linux.resources.blockIO.leafWeight has no cgroup v2 equivalent; ignored");
	if (b->has_weight && b->weight) {
		/* BFQ takes the v1 range (1..1000) as is; io.weight needs converting. */
		if (bfq)
			r = cg_writef(dir, "io.bfq.weight", e, "%u", (unsigned)b->weight);
		else
			r = cg_writef(dir, "io.weight", e, "default %" PRIu64, cg_v2_io_weight(b->weight));
		if (r < 0)
			return r;
	}
	bool per_dev = bfq && bfq_per_device(dir);
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *d = &b->weight_device[i];
		if (d->has_leaf_weight && d->leaf_weight)
			cg_warn("linux.resources.blockIO.weightDevice leafWeight has no cgroup v2 equivalent; ignored");
		if (!d->has_weight || !d->weight)
			continue;
		if (per_dev)
			r = cg_writef(dir, "io.bfq.weight", e, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
				      (unsigned)d->weight);
		else
			r = cg_writef(dir, "io.weight", e, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
				      cg_v2_io_weight(d->weight));
		if (r < 0)
			return r;
	}
	if ((r = write_throttle(dir, b->throttle_read_bps, b->n_throttle_read_bps, "rbps", e)) < 0 ||
	    (r = write_throttle(dir, b->throttle_write_bps, b->n_throttle_write_bps, "wbps", e)) < 0 ||
	    (r = write_throttle(dir, b->throttle_read_iops, b->n_throttle_read_iops, "riops", e)) < 0 ||
	    (r = write_throttle(dir, b->throttle_write_iops, b->n_throttle_write_iops, "wiops", e)) < 0)
		return r;
	return 0;
}

int cg_v2_set_hugetlb(const char *dir, const struct spec_resources *res, struct oerr *e)
{
	return cg_write_hugetlb(dir, res, "max", e);
}

int cg_v2_set_unified(const char *dir, const struct spec_resources *res, struct oerr *e)
{
	for (size_t i = 0; i < res->n_unified; i++) {
		const char *k = res->unified[i].key, *v = res->unified[i].value;
		if (!*k || strchr(k, '/') || !strcmp(k, ".") || !strcmp(k, ".."))
			return oerr_setx(e, EINVAL, "linux.resources.unified: key \"%s\" must be a file name", k);
		if (!v)
			v = "";
		/* Multi-line values (io.max for several devices) go one line per write. */
		const char *p = v;
		int r = 0;
		do {
			size_t l = strcspn(p, "\n");
			_cleanup_free_ char *line = strndup(p, l);
			if (!line)
				return oerr_set(e, ENOMEM, "unified");
			if (l > 0 || p == v)
				r = cg_write(dir, k, line, e);
			if (r < 0)
				break;
			p += l;
			if (*p == '\n')
				p++;
		} while (*p);
		if (r == -ENOENT || r == -EPERM || r == -EACCES) {
			size_t cl = strcspn(k, ".");
			_cleanup_free_ char *avail = NULL;
			struct oerr ignored;
			if (!k[cl])
				return oerr_setx(e, EINVAL, "linux.resources.unified: key \"%s\" must be "
						 "CONTROLLER.PARAMETER", k);
			if (strncmp(k, "cgroup.", 7) && cg_read(dir, "cgroup.controllers", &avail, &ignored) == 0) {
				char ctrl[64];
				snprintf(ctrl, sizeof(ctrl), "%.*s", (int)cl, k);
				if (!cg_controllers_has(avail, ctrl, ' '))
					return oerr_setx(e, ENOENT, "linux.resources.unified: \"%s\" can't be set: "
							 "controller \"%s\" not available", k, ctrl);
			}
		}
		if (r < 0)
			return oerr_wrap(e, "linux.resources.unified");
	}
	return 0;
}

static void backoff(unsigned *us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)*us * 1000 };
	nanosleep(&ts, NULL);
	if (*us < 100000)
		*us *= 2;
}

static int events_frozen(const char *dir, bool *frozen, struct oerr *e)
{
	_cleanup_free_ char *ev = NULL;
	int r = cg_read(dir, "cgroup.events", &ev, e);
	if (r < 0)
		return r;
	uint64_t v = 0;
	if (cg_text_key_u64(ev, "frozen", &v) < 0)
		return oerr_setx(e, ENOTSUP, "%s/cgroup.events has no \"frozen\" key: the kernel has no cgroup v2 freezer", dir);
	*frozen = v == 1;
	return 0;
}

int cg_v2_freeze(const char *dir, bool frozen, struct oerr *e)
{
	int r = cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", e);
	if (r == -ENOENT)
		return oerr_setx(e, ENOTSUP, "%s/cgroup.freeze is missing: the kernel has no cgroup v2 freezer", dir);
	if (r < 0)
		return r;
	unsigned us = 1000;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		bool cur = false;
		if ((r = events_frozen(dir, &cur, e)) < 0)
			return r;
		if (cur == frozen)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= 10)
			break;
		backoff(&us);
	}
	if (frozen) {
		struct oerr ignored;
		cg_write(dir, "cgroup.freeze", "0", &ignored);
	}
	return oerr_setx(e, ETIMEDOUT, "%s cgroup %s: timed out waiting for cgroup.events to say so",
			 frozen ? "freeze" : "thaw", dir);
}

int cg_v2_is_frozen(const char *dir, bool *frozen, struct oerr *e)
{
	uint64_t want = 0;
	struct oerr ignored;
	/* Asked to freeze, or frozen because an ancestor is. */
	if (cg_read_u64(dir, "cgroup.freeze", &want, &ignored) == 0 && want == 1) {
		*frozen = true;
		return 0;
	}
	return events_frozen(dir, frozen, e);
}

int cg_v2_kill(const char *dir, struct oerr *e)
{
	if (!cg_exists(dir, "cgroup.kill"))
		return -ENOENT;
	return cg_write(dir, "cgroup.kill", "1", e);
}
