#include "lib/cgroup/cgroup_stats.h"
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/cgroup/cgroup_fs.h"
#include "base/util.h"

/* jansson holds signed 64-bit integers: "max" (UINT64_MAX) and other values
 * past INT64_MAX are written as INT64_MAX rather than as a wrapped negative. */
static json_t *ju(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static void put(json_t *o, const char *k, uint64_t v)
{
	json_object_set_new(o, k, ju(v));
}

/* Go's omitempty */
static void put_oe(json_t *o, const char *k, uint64_t v)
{
	if (v)
		put(o, k, v);
}

static uint64_t rd(const char *dir, const char *file)
{
	uint64_t v = 0;
	struct oerr ignored;
	if (!dir || cg_read_u64(dir, file, &v, &ignored) < 0)
		return 0;
	return v;
}

static char *rds(const char *dir, const char *file)
{
	char *s = NULL;
	struct oerr ignored;
	if (!dir || cg_read(dir, file, &s, &ignored) < 0)
		return NULL;
	return s;
}

static bool dir_exists(const char *d)
{
	struct stat st;
	return d && stat(d, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory that holds a controller's files: its v1 hierarchy, else the
 * cgroup2 one. */
static const char *ctl_dir(const struct cg_hiers *hs, const char *v1name)
{
	struct cg_hier *h = hs->layout == CGROUP_UNIFIED ? NULL : cg_hier_v1(hs, v1name);
	if (h)
		return dir_exists(h->dir) ? h->dir : NULL;
	h = cg_hier_v2(hs);
	return h && dir_exists(h->dir) ? h->dir : NULL;
}

static bool is_v2(const struct cg_hiers *hs, const char *dir)
{
	struct cg_hier *h = cg_hier_v2(hs);
	return h && dir && h->dir == dir;
}

static json_t *u64_list(const char *text)
{
	json_t *a = json_array();
	for (const char *p = text; p && *p;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			break;
		json_array_append_new(a, ju(v));
		p = end;
	}
	return a;
}

static void cpu_stats(const struct cg_hiers *hs, json_t *data)
{
	json_t *cpu = json_object(), *usage = json_object(), *thr = json_object();
	uint64_t total = 0, kernel = 0, user = 0;
	const char *acct = ctl_dir(hs, "cpuacct"), *cdir = ctl_dir(hs, "cpu");
	_cleanup_free_ char *cstat = rds(cdir, "cpu.stat");
	if (acct && !is_v2(hs, acct)) {
		total = rd(acct, "cpuacct.usage");
		_cleanup_free_ char *percpu = rds(acct, "cpuacct.usage_percpu");
		_cleanup_free_ char *all = rds(acct, "cpuacct.usage_all");
		_cleanup_free_ char *st = rds(acct, "cpuacct.stat");
		if (percpu) {
			json_t *a = u64_list(percpu);
			if (json_array_size(a))
				json_object_set_new(usage, "percpu", a);
			else
				json_decref(a);
		}
		if (all) {
			/* "cpu user system" then one line per cpu */
			json_t *pk = json_array(), *pu = json_array();
			for (const char *p = strchr(all, '\n'); p && *p; p = strchr(p, '\n')) {
				unsigned long long c, u, s;
				p++;
				if (sscanf(p, "%llu %llu %llu", &c, &u, &s) == 3) {
					json_array_append_new(pu, ju(u));
					json_array_append_new(pk, ju(s));
				}
			}
			if (json_array_size(pk)) {
				json_object_set_new(usage, "percpu_kernel", pk);
				json_object_set_new(usage, "percpu_user", pu);
			} else {
				json_decref(pk);
				json_decref(pu);
			}
		}
		if (st) {
			/* clock ticks -> nanoseconds */
			long hz = sysconf(_SC_CLK_TCK);
			uint64_t u = 0, s = 0;
			cg_text_key_u64(st, "user", &u);
			cg_text_key_u64(st, "system", &s);
			if (hz > 0) {
				user = u * (1000000000ULL / (uint64_t)hz);
				kernel = s * (1000000000ULL / (uint64_t)hz);
			}
		}
		if (cstat) {
			uint64_t v = 0;
			if (cg_text_key_u64(cstat, "nr_periods", &v) == 0)
				put_oe(thr, "periods", v);
			if (cg_text_key_u64(cstat, "nr_throttled", &v) == 0)
				put_oe(thr, "throttledPeriods", v);
			if (cg_text_key_u64(cstat, "throttled_time", &v) == 0)
				put_oe(thr, "throttledTime", v);
		}
	} else if (cstat) {
		uint64_t v = 0;
		if (cg_text_key_u64(cstat, "usage_usec", &v) == 0)
			total = v * 1000;
		if (cg_text_key_u64(cstat, "user_usec", &v) == 0)
			user = v * 1000;
		if (cg_text_key_u64(cstat, "system_usec", &v) == 0)
			kernel = v * 1000;
		if (cg_text_key_u64(cstat, "nr_periods", &v) == 0)
			put_oe(thr, "periods", v);
		if (cg_text_key_u64(cstat, "nr_throttled", &v) == 0)
			put_oe(thr, "throttledPeriods", v);
		if (cg_text_key_u64(cstat, "throttled_usec", &v) == 0)
			put_oe(thr, "throttledTime", v * 1000);
	}
	put_oe(usage, "total", total);
	if (total || kernel || user || json_object_size(usage)) {
		put(usage, "kernel", kernel);
		put(usage, "user", user);
		json_object_set_new(cpu, "usage", usage);
	} else {
		json_decref(usage);
	}
	if (json_object_size(thr))
		json_object_set_new(cpu, "throttling", thr);
	else
		json_decref(thr);
	json_object_set_new(data, "cpu", cpu);
}

static json_t *cpu_list(const char *s)
{
	json_t *a = json_array();
	for (const char *p = s; p && *p;) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi;
		if (end == p)
			break;
		hi = lo;
		p = end;
		if (*p == '-') {
			hi = strtoul(p + 1, &end, 10);
			p = end;
		}
		for (unsigned long i = lo; i <= hi && i - lo < 65536; i++)
			json_array_append_new(a, json_integer((json_int_t)i));
		if (*p == ',')
			p++;
		else
			break;
	}
	return a;
}

static void cpuset_stats(const struct cg_hiers *hs, json_t *data)
{
	json_t *o = json_object();
	const char *d = ctl_dir(hs, "cpuset");
	bool v2 = is_v2(hs, d);
	_cleanup_free_ char *cpus = rds(d, v2 ? "cpuset.cpus.effective" : "cpuset.cpus");
	_cleanup_free_ char *mems = rds(d, v2 ? "cpuset.mems.effective" : "cpuset.mems");
	if (cpus && *cpus)
		json_object_set_new(o, "cpus", cpu_list(cpus));
	put(o, "cpu_exclusive", v2 ? 0 : rd(d, "cpuset.cpu_exclusive"));
	if (mems && *mems)
		json_object_set_new(o, "mems", cpu_list(mems));
	static const char *const scal[] = { "mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
					    "memory_spread_slab", "memory_pressure", "sched_load_balance" };
	for (size_t i = 0; i < ARRAY_SIZE(scal); i++) {
		char f[64];
		snprintf(f, sizeof(f), "cpuset.%s", scal[i]);
		put(o, scal[i], v2 ? 0 : rd(d, f));
	}
	_cleanup_free_ char *lvl = v2 ? NULL : rds(d, "cpuset.sched_relax_domain_level");
	json_object_set_new(o, "sched_relax_domain_level", json_integer(lvl ? strtoll(lvl, NULL, 10) : 0));
	json_object_set_new(data, "cpuset", o);
}

/* MemoryEntry; NULL when all zero (omitzero). */
static json_t *mem_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
	if (!limit && !usage && !max && !failcnt)
		return NULL;
	json_t *o = json_object();
	put(o, "limit", limit);
	put_oe(o, "usage", usage);
	put_oe(o, "max", max);
	put(o, "failcnt", failcnt);
	return o;
}

static void set_entry(json_t *o, const char *k, json_t *v)
{
	if (v)
		json_object_set_new(o, k, v);
}

static json_t *keyed_u64(const char *text)
{
	json_t *raw = json_object();
	for (const char *p = text; p && *p;) {
		char key[128];
		unsigned long long v;
		if (sscanf(p, "%127s %llu", key, &v) == 2)
			put(raw, key, v);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return raw;
}

/* PSI lines "some avg10=0.00 avg60=0.00 avg300=0.00 total=0"; NULL when absent. */
static json_t *psi(const char *dir, const char *file)
{
	_cleanup_free_ char *text = rds(dir, file);
	if (!text)
		return NULL;
	json_t *o = json_object();
	for (const char *p = text; p && *p;) {
		char kind[8];
		double a10, a60, a300;
		unsigned long long tot;
		if (sscanf(p, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu", kind, &a10, &a60, &a300, &tot) == 5 &&
		    (!strcmp(kind, "some") || !strcmp(kind, "full")) && (a10 || a60 || a300 || tot))
			json_object_set_new(o, kind, json_pack("{s:f, s:f, s:f, s:o}", "avg10", a10, "avg60", a60,
								"avg300", a300, "total", ju(tot)));
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return o;
}

static void memory_stats(const struct cg_hiers *hs, json_t *data)
{
	json_t *m = json_object();
	const char *d = ctl_dir(hs, "memory");
	_cleanup_free_ char *stat = rds(d, "memory.stat");
	json_t *raw = stat ? keyed_u64(stat) : NULL;
	if (d && !is_v2(hs, d)) {
		json_t *c = raw ? json_object_get(raw, "cache") : NULL;
		put_oe(m, "cache", c ? (uint64_t)json_integer_value(c) : 0);
		set_entry(m, "usage", mem_entry(rd(d, "memory.limit_in_bytes"), rd(d, "memory.usage_in_bytes"),
						 rd(d, "memory.max_usage_in_bytes"), rd(d, "memory.failcnt")));
		set_entry(m, "swap", mem_entry(rd(d, "memory.memsw.limit_in_bytes"), rd(d, "memory.memsw.usage_in_bytes"),
						rd(d, "memory.memsw.max_usage_in_bytes"), rd(d, "memory.memsw.failcnt")));
		set_entry(m, "kernel", mem_entry(rd(d, "memory.kmem.limit_in_bytes"), rd(d, "memory.kmem.usage_in_bytes"),
						  rd(d, "memory.kmem.max_usage_in_bytes"), rd(d, "memory.kmem.failcnt")));
		set_entry(m, "kernelTCP", mem_entry(rd(d, "memory.kmem.tcp.limit_in_bytes"),
						     rd(d, "memory.kmem.tcp.usage_in_bytes"),
						     rd(d, "memory.kmem.tcp.max_usage_in_bytes"),
						     rd(d, "memory.kmem.tcp.failcnt")));
	} else if (d) {
		json_t *f = raw ? json_object_get(raw, "file") : NULL;
		put_oe(m, "cache", f ? (uint64_t)json_integer_value(f) : 0);
		uint64_t usage = rd(d, "memory.current"), limit = rd(d, "memory.max");
		set_entry(m, "usage", mem_entry(limit, usage, rd(d, "memory.peak"), 0));
		/* v2 counts swap alone; v1 reported memory+swap, and so do we. */
		uint64_t su = rd(d, "memory.swap.current"), sl = rd(d, "memory.swap.max");
		if (cg_exists(d, "memory.swap.current"))
			set_entry(m, "swap", mem_entry(sl == UINT64_MAX || limit == UINT64_MAX ? UINT64_MAX : sl + limit,
							su + usage, 0, 0));
		json_t *p = psi(d, "memory.pressure");
		if (p && json_object_size(p))
			json_object_set_new(m, "psi", p);
		else
			json_decref(p);
	}
	if (raw && json_object_size(raw))
		json_object_set_new(m, "raw", raw);
	else
		json_decref(raw);
	json_object_set_new(data, "memory", m);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static void pids_stats(const struct cg_hiers *hs, json_t *data)
{
	json_t *o = json_object();
	const char *d = ctl_dir(hs, "pids");
	if (d && cg_exists(d, "pids.current")) {
		uint64_t max = rd(d, "pids.max");
		put_oe(o, "current", rd(d, "pids.current"));
		put_oe(o, "limit", max == UINT64_MAX ? 0 : max);
	} else if (d) {
		_cleanup_free_ char *procs = rds(d, "cgroup.procs");
		size_t n = procs && *procs ? count_lines(procs) + 1 : 0;
		put_oe(o, "current", n);
	}
	json_object_set_new(data, "pids", o);
}

/* v1 blkio tables: "8:0 Read 123" lines ("Total N" skipped), or "8:0 123". */
static json_t *blkio_table(const char *dir, const char *file)
{
	_cleanup_free_ char *text = rds(dir, file);
	json_t *a = json_array();
	for (const char *p = text; p && *p;) {
		unsigned long long maj, min, v;
		char op[32];
		json_t *ent = NULL;
		if (sscanf(p, "%llu:%llu %31s %llu", &maj, &min, op, &v) == 4)
			ent = json_object(), json_object_set_new(ent, "op", json_string(op));
		else if (sscanf(p, "%llu:%llu %llu", &maj, &min, &v) == 3)
			ent = json_object();
		if (ent) {
			put_oe(ent, "major", maj);
			put_oe(ent, "minor", min);
			put_oe(ent, "value", v);
			json_array_append_new(a, ent);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return a;
}

static void set_table(json_t *o, const char *k, json_t *a)
{
	if (json_array_size(a))
		json_object_set_new(o, k, a);
	else
		json_decref(a);
}

static void blkio_v1(const char *d, json_t *o)
{
	static const char *const keys[] = { "ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive",
					    "ioServiceTimeRecursive", "ioWaitTimeRecursive", "ioMergedRecursive",
					    "ioTimeRecursive", "sectorsRecursive" };
	static const char *const cfq[] = { "blkio.io_service_bytes_recursive", "blkio.io_serviced_recursive",
					   "blkio.io_queued_recursive", "blkio.io_service_time_recursive",
					   "blkio.io_wait_time_recursive", "blkio.io_merged_recursive",
					   "blkio.time_recursive", "blkio.sectors_recursive" };
	static const char *const bfq[] = { "blkio.bfq.io_service_bytes_recursive", "blkio.bfq.io_serviced_recursive",
					   "blkio.bfq.io_queued_recursive", "blkio.bfq.io_service_time_recursive",
					   "blkio.bfq.io_wait_time_recursive", "blkio.bfq.io_merged_recursive",
					   "blkio.bfq.time_recursive", "blkio.bfq.sectors_recursive" };
	/* CFQ's tables, else BFQ's, else the throttling layer's (which counts all I/O). */
	const char *const *set = cg_exists(d, cfq[1]) ? cfq : cg_exists(d, bfq[1]) ? bfq : NULL;
	if (set) {
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			set_table(o, keys[i], blkio_table(d, set[i]));
		return;
	}
	set_table(o, keys[0], blkio_table(d, "blkio.throttle.io_service_bytes_recursive"));
	set_table(o, keys[1], blkio_table(d, "blkio.throttle.io_serviced_recursive"));
}

static void blkio_v2(const char *d, json_t *o)
{
	_cleanup_free_ char *text = rds(d, "io.stat");
	json_t *bytes = json_array(), *ios = json_array();
	for (const char *p = text; p && *p;) {
		unsigned long long maj, min;
		int n = 0;
		if (sscanf(p, "%llu:%llu%n", &maj, &min, &n) == 2) {
			const char *eol = strchr(p, '\n');
			_cleanup_free_ char *rest = eol ? strndup(p + n, (size_t)(eol - p - n)) : strdup(p + n);
			char *save = NULL;
			for (char *t = rest ? strtok_r(rest, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save)) {
				static const struct { const char *key, *op; bool bytes; } map[] = {
					{ "rbytes=", "Read", true }, { "wbytes=", "Write", true },
					{ "rios=", "Read", false }, { "wios=", "Write", false },
				};
				for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
					size_t kl = strlen(map[i].key);
					if (strncmp(t, map[i].key, kl))
						continue;
					json_t *ent = json_object();
					put_oe(ent, "major", maj);
					put_oe(ent, "minor", min);
					json_object_set_new(ent, "op", json_string(map[i].op));
					put_oe(ent, "value", strtoull(t + kl, NULL, 10));
					json_array_append_new(map[i].bytes ? bytes : ios, ent);
				}
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	set_table(o, "ioServiceBytesRecursive", bytes);
	set_table(o, "ioServicedRecursive", ios);
	json_t *ps = psi(d, "io.pressure");
	if (ps && json_object_size(ps))
		json_object_set_new(o, "psi", ps);
	else
		json_decref(ps);
}

static void blkio_stats(const struct cg_hiers *hs, json_t *data)
{
	json_t *o = json_object();
	const char *d = ctl_dir(hs, "blkio");
	if (d && is_v2(hs, d))
		blkio_v2(d, o);
	else if (d)
		blkio_v1(d, o);
	json_object_set_new(data, "blkio", o);
}

bool cg_hugepage_name(const char *name, char *out, size_t len)
{
	unsigned long long kb;
	int n = 0;
	if (sscanf(name, "hugepages-%llukB%n", &kb, &n) != 1 || name[n] || kb == 0)
		return false;
	if (kb % (1024 * 1024) == 0)
		snprintf(out, len, "%lluGB", kb / (1024 * 1024));
	else if (kb % 1024 == 0)
		snprintf(out, len, "%lluMB", kb / 1024);
	else
		snprintf(out, len, "%lluKB", kb);
	return true;
}

static void hugetlb_stats(const struct cg_hiers *hs, json_t *data)
{
	json_t *o = json_object();
	const char *d = ctl_dir(hs, "hugetlb");
	_cleanup_closedir_ DIR *sys = d ? opendir("/sys/kernel/mm/hugepages") : NULL;
	bool v2 = is_v2(hs, d);
	for (struct dirent *de; sys && (de = readdir(sys));) {
		char ps[32], f[96];
		if (!cg_hugepage_name(de->d_name, ps, sizeof(ps)))
			continue;
		snprintf(f, sizeof(f), v2 ? "hugetlb.%s.current" : "hugetlb.%s.usage_in_bytes", ps);
		if (!cg_exists(d, f))
			continue;
		json_t *h = json_object();
		put_oe(h, "usage", rd(d, f));
		uint64_t failcnt = 0;
		if (v2) {
			snprintf(f, sizeof(f), "hugetlb.%s.events", ps);
			_cleanup_free_ char *ev = rds(d, f);
			if (ev)
				cg_text_key_u64(ev, "max", &failcnt);
		} else {
			snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", ps);
			put_oe(h, "max", rd(d, f));
			snprintf(f, sizeof(f), "hugetlb.%s.failcnt", ps);
			failcnt = rd(d, f);
		}
		put(h, "failcnt", failcnt);
		json_object_set_new(o, ps, h);
	}
	json_object_set_new(data, "hugetlb", o);
}

int cg_stats_collect(const struct cg_hiers *hs, json_t **out, struct oerr *e)
{
	bool any = false;
	for (size_t i = 0; i < hs->n; i++)
		any |= dir_exists(hs->h[i].dir);
	if (!any)
		return oerr_setx(e, ENOENT, "cgroup %s does not exist", hs->n ? hs->h[0].path : "?");
	json_t *data = json_object();
	if (!data)
		return oerr_set(e, ENOMEM, "stats");
	cpu_stats(hs, data);
	cpuset_stats(hs, data);
	memory_stats(hs, data);
	pids_stats(hs, data);
	blkio_stats(hs, data);
	hugetlb_stats(hs, data);
	json_object_set_new(data, "intel_rdt", json_object());
	json_object_set_new(data, "network_interfaces", json_null());
	/* v2 pressure for the cpu goes in cpu.psi */
	struct cg_hier *h2 = hs->layout == CGROUP_UNIFIED ? cg_hier_v2(hs) : NULL;
	if (h2) {
		json_t *p = psi(h2->dir, "cpu.pressure");
		if (p && json_object_size(p))
			json_object_set_new(json_object_get(data, "cpu"), "psi", p);
		else
			json_decref(p);
	}
	*out = data;
	return 0;
}
