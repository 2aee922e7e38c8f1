/* The systemd driver's pure part (cgroup_systemd.h): the unit and cgroup of
 * a "slice:prefix:name" cgroupsPath, and the unit properties of the
 * resources, the device rules and the org.systemd.property.* annotations,
 * as arguments for the ocirt-systemd helper. */
#include "lib/cgroup/cgroup_systemd.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/idset.h"
#include "base/util.h"
#include "lib/cgroup/cgroup_devices.h"
#include "lib/cgroup/cgroup_v2.h"

/* NAME t VALUE */
static void add_u64(struct cg_sd_props *p, const char *name, uint64_t v)
{
	cg_sd_add(p, name);
	cg_sd_add(p, "t");
	cg_sd_addf(p, "%" PRIu64, v);
}

static void add_str(struct cg_sd_props *p, const char *name, const char *v)
{
	cg_sd_add(p, name);
	cg_sd_add(p, "s");
	cg_sd_add(p, v);
}

/* --- unit and path --------------------------------------------------------- */

void cg_sd_unit_free(struct cg_sd_unit *u)
{
	free(u->unit);
	free(u->slice);
	free(u->path);
	*u = (struct cg_sd_unit){ 0 };
}

/* The characters of systemd's unit names, less '\\' (escapes) and ':' (our
 * separator). */
static bool unit_chars(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.@", *s))
			return false;
	return true;
}

int cg_sd_expand_slice(const char *slice, char **path, struct oerr *e)
{
	size_t len = strlen(slice);
	if (len <= 6 || strcmp(slice + len - 6, ".slice") || !unit_chars(slice))
		return oerr_setx(e, EINVAL, "invalid slice name \"%s\": a name ending in \".slice\" (\"system.slice\", "
				 "\"a-b.slice\" for b below a)", slice);
	if (!strcmp(slice, "-.slice"))
		return (*path = strdup("/")) ? 0 : oerr_setx(e, ENOMEM, "slice");
	size_t stem = len - 6;
	/* At most one "/" + prefix + ".slice" per component. */
	char *out = malloc(stem * (stem + 8) + 2);
	if (!out)
		return oerr_setx(e, ENOMEM, "slice");
	size_t o = 0;
	for (size_t i = 0; i <= stem; i++) {
		if (i < stem && slice[i] != '-')
			continue;
		/* slice[0..i) is the next ancestor; "a--b" or "-a" are not names. */
		if (i == 0 || slice[i - 1] == '-' || (i == stem && slice[i - 1] == '-')) {
			free(out);
			return oerr_setx(e, EINVAL, "invalid slice name \"%s\": empty component", slice);
		}
		o += (size_t)sprintf(out + o, "/%.*s.slice", (int)i, slice);
	}
	*path = out;
	return 0;
}

int cg_sd_parse_path(const char *cgroups_path, const char *id, struct cg_sd_unit *u, struct oerr *e)
{
	*u = (struct cg_sd_unit){ 0 };
	char slice[256], prefix[256], name[256];
	if (!cgroups_path || !*cgroups_path) {
		snprintf(slice, sizeof(slice), "system.slice");
		snprintf(prefix, sizeof(prefix), "ocirt");
		snprintf(name, sizeof(name), "%s", id);
	} else {
		const char *c1 = strchr(cgroups_path, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || strchr(c2 + 1, ':') || (size_t)(c1 - cgroups_path) >= sizeof(slice) ||
		    (size_t)(c2 - c1 - 1) >= sizeof(prefix) || strlen(c2 + 1) >= sizeof(name))
			return oerr_setx(e, EINVAL, "linux.cgroupsPath \"%s\": the systemd cgroup driver expects "
					 "\"slice:prefix:name\"", cgroups_path);
		snprintf(slice, sizeof(slice), "%.*s", (int)(c1 - cgroups_path), cgroups_path);
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
		snprintf(name, sizeof(name), "%s", c2 + 1);
		if (!*slice)
			snprintf(slice, sizeof(slice), "system.slice");
	}
	const char *what = cgroups_path && *cgroups_path ? cgroups_path : "";
	if (!*name)
		return oerr_setx(e, EINVAL, "linux.cgroupsPath \"%s\": the name (after the second ':') is empty", what);
	if (!unit_chars(prefix) || !unit_chars(name))
		return oerr_setx(e, EINVAL, "linux.cgroupsPath \"%s\": prefix and name may only have letters, digits "
				 "and \"-_.@\"", what);
	int r;
	_cleanup_free_ char *parent = NULL;
	if ((r = cg_sd_expand_slice(slice, &parent, e)) < 0)
		return oerr_wrap(e, "linux.cgroupsPath \"%s\"", what);
	size_t nl = strlen(name);
	u->is_slice = nl > 6 && !strcmp(name + nl - 6, ".slice");
	if (u->is_slice) {
		/* A slice's place comes from its name, whatever its parent. */
		if (!(u->unit = strdup(name)) || (r = cg_sd_expand_slice(name, &u->path, e)) < 0) {
			cg_sd_unit_free(u);
			return r < 0 ? oerr_wrap(e, "linux.cgroupsPath \"%s\"", what) : oerr_setx(e, ENOMEM, "unit");
		}
	} else if (asprintf(&u->unit, "%s%s%s.scope", prefix, *prefix ? "-" : "", name) < 0 ||
		   asprintf(&u->path, "%s/%s", strcmp(parent, "/") ? parent : "", u->unit) < 0) {
		u->unit = u->path = NULL;
		cg_sd_unit_free(u);
		return oerr_setx(e, ENOMEM, "unit");
	}
	if (!(u->slice = strdup(slice))) {
		cg_sd_unit_free(u);
		return oerr_setx(e, ENOMEM, "unit");
	}
	return 0;
}

/* --- resources ------------------------------------------------------------- */

static uint64_t limit_u64(int64_t v)
{
	return v < 0 ? UINT64_MAX : (uint64_t)v;
}

/* AllowedCPUs and AllowedMemoryNodes: a bit per CPU or node, in bytes. */
static int add_mask(struct cg_sd_props *p, const char *name, const char *list, const char *field,
		    struct oerr *e)
{
	struct idset set = { 0 };
	char why[128];
	if (idset_parse(list, 1u << 16, &set, why, sizeof(why)) < 0)
		return oerr_setx(e, EINVAL, "linux.resources.%s \"%s\": %s", field, list, why);
	size_t nbytes = (set.end + 7) / 8;
	cg_sd_add(p, name);
	cg_sd_add(p, "ay");
	cg_sd_addf(p, "%zu", nbytes);
	for (size_t b = 0; b < nbytes; b++) {
		unsigned byte = 0;
		for (unsigned bit = 0; bit < 8; bit++)
			if (idset_has(&set, (unsigned)(b * 8 + bit)))
				byte |= 1u << bit;
		cg_sd_addf(p, "%u", byte);
	}
	idset_free(&set);
	return 0;
}

/* systemd keeps a CPU quota as a percentage (in a unit's drop-in), so the
 * quota per second is rounded up to a whole percent (10 ms), as runc does;
 * *quota follows, for the cgroup file. */
static uint64_t quota_per_sec(int64_t *quota, uint64_t period)
{
	if (*quota < 0 || !period)
		return UINT64_MAX;
	uint64_t per_sec = (uint64_t)*quota * 1000000 / period;
	if ((uint64_t)*quota * 1000000 % period || per_sec % 10000) {
		per_sec = (per_sec / 10000 + 1) * 10000;
		*quota = (int64_t)(per_sec * period / 1000000);
	}
	return per_sec;
}

static int unified_props(struct spec_resources *r, struct cg_sd_props *p, struct oerr *e)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key, *v = r->unified[i].value ? r->unified[i].value : "";
		while (isspace((unsigned char)*v))
			v++;
		char val[64];
		snprintf(val, sizeof(val), "%s", v);
		for (size_t l = strlen(val); l && isspace((unsigned char)val[l - 1]); l--)
			val[l - 1] = '\0';
		char *end;
		uint64_t num = UINT64_MAX;
		bool is_max = !strcmp(val, "max");
		if (!is_max) {
			errno = 0;
			num = strtoull(val, &end, 10);
			if (errno || end == val || *end || val[0] == '-')
				num = UINT64_MAX - 1;	/* not a number: only some keys care */
		}
		bool number = is_max || num != UINT64_MAX - 1;
		static const struct { const char *key, *prop; } mem[] = {
			{ "memory.high", "MemoryHigh" }, { "memory.low", "MemoryLow" }, { "memory.min", "MemoryMin" },
			{ "memory.max", "MemoryMax" }, { "memory.swap.max", "MemorySwapMax" },
		};
		bool done = false;
		for (size_t m = 0; m < ARRAY_SIZE(mem) && !done; m++) {
			if (strcmp(k, mem[m].key))
				continue;
			if (!number)
				return oerr_setx(e, EINVAL, "linux.resources.unified: \"%s\": \"%s\" is not a number or "
						 "\"max\"", k, val);
			add_u64(p, mem[m].prop, num);
			done = true;
		}
		if (done)
			continue;
		if (!strcmp(k, "pids.max")) {
			if (!number)
				return oerr_setx(e, EINVAL, "linux.resources.unified: \"%s\": \"%s\" is not a number or "
						 "\"max\"", k, val);
			add_u64(p, "TasksMax", num == 0 ? 1 : num);
		} else if (!strcmp(k, "cpu.weight")) {
			if (!number || is_max)
				return oerr_setx(e, EINVAL, "linux.resources.unified: \"%s\": \"%s\" is not a number", k, val);
			add_u64(p, "CPUWeight", num);
		} else if (!strcmp(k, "cpu.idle")) {
			if (!strcmp(val, "1")) {
				/* CPUWeight=0 is systemd's way to say cpu.idle 1. */
				cg_sd_add(p, "CPUWeight@252");
				cg_sd_add(p, "t");
				cg_sd_add(p, "0");
			}
		} else if (!strcmp(k, "cpu.max")) {
			char q[32] = "", extra[8] = "";
			unsigned long long period = 100000;
			int n = sscanf(val, "%31s %llu %7s", q, &period, extra);
			int64_t quota = -1;
			if (n >= 1 && strcmp(q, "max")) {
				quota = strtoll(q, &end, 10);
				if (*end || quota <= 0)
					n = 0;
			}
			if (n < 1 || n > 2 || period == 0)
				return oerr_setx(e, EINVAL, "linux.resources.unified: \"cpu.max\": \"%s\" is not "
						 "\"QUOTA [PERIOD]\"", val);
			add_u64(p, "CPUQuotaPeriodUSec@242", period);
			add_u64(p, "CPUQuotaPerSecUSec", quota_per_sec(&quota, period));
		} else if (!strcmp(k, "cpuset.cpus") || !strcmp(k, "cpuset.mems")) {
			int ret = add_mask(p, k[7] == 'c' ? "AllowedCPUs@244" : "AllowedMemoryNodes@244", val,
					   k[7] == 'c' ? "unified.cpuset.cpus" : "unified.cpuset.mems", e);
			if (ret < 0)
				return ret;
		}
		/* The rest only goes to the cgroup files. */
	}
	return 0;
}

/* CPUQuotaPerSecUSec (and the period, when given) of a quota or period
 * update: the half not given is the one in force, as in the cgroup file.
 * A rounded quota goes back to c. */
static void add_quota(struct cg_sd_props *p, struct spec_cpu *c, const struct cg_sd_now *now)
{
	uint64_t period = c->has_period && c->period ? c->period : now && now->cpu_period ? now->cpu_period : 100000;
	int64_t q = c->has_quota ? (c->quota > 0 ? c->quota : -1) : now ? now->cpu_quota : -1;
	if (c->has_period && c->period)
		add_u64(p, "CPUQuotaPeriodUSec@242", period);
	add_u64(p, "CPUQuotaPerSecUSec", quota_per_sec(&q, period));
	if (c->has_quota && q > 0)
		c->quota = q;
}

/* TasksMax: systemd takes no 0 (runc sends 1); the cgroup file gets 0. */
static void add_tasks(struct cg_sd_props *p, int64_t limit)
{
	add_u64(p, "TasksMax", limit < 0 ? UINT64_MAX : limit == 0 ? 1 : (uint64_t)limit);
}

/* cgroup v1: systemd's v1 names with the config's numbers; no cpuset, no
 * swap, no reservation (systemd manages neither there). */
static int v1_props(struct spec_resources *r, const struct cg_sd_now *now, struct cg_sd_props *p, struct oerr *e)
{
	if (r->n_unified)
		return oerr_setx(e, EINVAL, "invalid configuration: cannot use unified on cgroup v1");
	if (r->memory && r->memory->has_limit && r->memory->limit)
		add_u64(p, "MemoryLimit", limit_u64(r->memory->limit));
	struct spec_cpu *c = r->cpu;
	if (c && c->has_shares && c->shares)
		add_u64(p, "CPUShares", c->shares);
	if (c && (c->has_quota || (c->has_period && c->period)))
		add_quota(p, c, now);
	if (r->has_pids_limit)
		add_tasks(p, r->pids_limit);
	if (r->block_io && r->block_io->has_weight && r->block_io->weight)
		add_u64(p, "BlockIOWeight", r->block_io->weight);
	return p->oom ? oerr_setx(e, ENOMEM, "unit properties") : 0;
}

int cg_sd_resource_props(struct spec_resources *r, const struct cg_sd_now *now, bool creating, bool v1,
			 struct cg_sd_props *p, struct oerr *e)
{
	int ret;
	if (!r)
		return 0;
	if (v1)
		return v1_props(r, now, p, e);
	if (r->memory) {
		struct cg_v2_memory_plan mp;
		if ((ret = cg_v2_memory_plan(NULL, now ? now->memory_max : 0, r->memory, &mp, e)) < 0)
			return ret;
		if (mp.max)
			add_u64(p, "MemoryMax", limit_u64(mp.max_v));
		if (mp.low)
			add_u64(p, "MemoryLow", limit_u64(mp.low_v));
		if (mp.swap)
			add_u64(p, "MemorySwapMax", limit_u64(mp.swap_v));
	}
	struct spec_cpu *c = r->cpu;
	if (c) {
		struct cg_v2_cpu_plan cp;
		cg_v2_cpu_plan(NULL, c, &cp);
		bool idle = c->has_idle && c->idle == 1;
		if (idle) {
			cg_sd_add(p, "CPUWeight@252");
			cg_sd_add(p, "t");
			cg_sd_add(p, "0");
		} else if (cp.weight) {
			add_u64(p, "CPUWeight", cp.weight_v);
		}
		if (cp.max)
			add_quota(p, c, now);
		if (c->cpus && *c->cpus && (ret = add_mask(p, "AllowedCPUs@244", c->cpus, "cpu.cpus", e)) < 0)
			return ret;
		if (c->mems && *c->mems && (ret = add_mask(p, "AllowedMemoryNodes@244", c->mems, "cpu.mems", e)) < 0)
			return ret;
	}
	if (r->has_pids_limit)
		add_tasks(p, r->pids_limit);
	if (r->block_io && r->block_io->has_weight && r->block_io->weight)
		add_u64(p, "IOWeight", cg_v2_io_weight(r->block_io->weight));
	if ((ret = unified_props(r, p, e)) < 0)
		return ret;
	if (creating) {
		for (size_t i = 0; i < r->n_unified; i++) {
			if (strcmp(r->unified[i].key, "memory.oom.group") || !r->unified[i].value)
				continue;
			/* systemd 253 and later take it only when the unit is made. */
			const char *v = r->unified[i].value;
			if (!strcmp(v, "1") || !strcmp(v, "0"))
				add_str(p, "OOMPolicy@253", *v == '1' ? "kill" : "continue");
		}
	}
	return p->oom ? oerr_setx(e, ENOMEM, "unit properties") : 0;
}

/* --- devices --------------------------------------------------------------- */

/* The name /proc/devices gives major alone for a type; NULL when there is
 * none, or when other majors share it (then "char-NAME" would allow more). */
static char *major_name(const char *devices_text, char type, int64_t major)
{
	if (!devices_text)
		return NULL;
	const char *section = type == 'c' ? "Character devices:" : "Block devices:";
	const char *p = strstr(devices_text, section);
	if (!p)
		return NULL;
	p += strlen(section);
	char found[64] = "";
	/* Two passes: find the name, then count the majors with it. */
	for (int pass = 0; pass < 2; pass++) {
		int count = 0;
		for (const char *l = p; *l;) {
			const char *eol = strchr(l, '\n');
			size_t len = eol ? (size_t)(eol - l) : strlen(l);
			if (len == 0 && l != p)
				break;	/* the blank line before the next section */
			long long mj;
			char nm[64];
			char line[128];
			snprintf(line, sizeof(line), "%.*s", (int)len, l);
			if (sscanf(line, "%lld %63s", &mj, nm) == 2) {
				if (pass == 0 && mj == major) {
					snprintf(found, sizeof(found), "%s", nm);
					break;
				}
				if (pass == 1 && !strcmp(nm, found))
					count++;
			}
			if (!eol)
				break;
			l = eol + 1;
		}
		if (!*found)
			return NULL;
		if (pass == 1 && count != 1)
			return NULL;
	}
	/* systemd matches the name as a glob: it must not be one. */
	if (strpbrk(found, "*?[\\"))
		return NULL;
	return strdup(found);
}

int cg_sd_device_props(const struct cg_dev_state *st, const char *devices_text, bool v1, struct cg_sd_props *p)
{
	struct cg_sd_props allow = { 0 };
	bool exact = !st->default_allow;
	/* Allow-all, which DevicePolicy=auto without DeviceAllow says too. */
	if (v1 && st->default_allow && st->n)
		return -ENOTSUP;
	for (size_t i = 0; exact && i < st->n; i++) {
		const struct cg_dev_rule *x = &st->ex[i];
		char acc[4];
		size_t a = cg_dev_access_str(x->access, acc);
		const char *kind = x->type == 'c' ? "char" : "block";
		if (!x->allow || (x->type != 'c' && x->type != 'b') || !a) {
			exact = false;
		} else if (x->major == CG_DEV_WILD && x->minor == CG_DEV_WILD) {
			cg_sd_addf(&allow, "%s-*", kind);
			cg_sd_add(&allow, acc);
		} else if (x->major != CG_DEV_WILD && x->minor != CG_DEV_WILD) {
			/* systemd reads the numbers from such a path; no node needed. */
			cg_sd_addf(&allow, "/dev/%s/%" PRId64 ":%" PRId64, kind, x->major, x->minor);
			cg_sd_add(&allow, acc);
		} else if (x->major != CG_DEV_WILD) {
			_cleanup_free_ char *name = major_name(devices_text, x->type, x->major);
			if (!name) {
				exact = false;
				continue;
			}
			cg_sd_addf(&allow, "%s-%s", kind, name);
			cg_sd_add(&allow, acc);
		} else {
			exact = false;	/* any major with one minor: systemd has no such rule */
		}
	}
	if (v1 && !exact && !st->default_allow) {
		cg_sd_props_free(&allow);
		return -ENOTSUP;
	}
	cg_sd_add(p, "DevicePolicy");
	cg_sd_add(p, "s");
	cg_sd_add(p, exact ? "strict" : "auto");
	/* An empty DeviceAllow first clears what the unit had (update). */
	cg_sd_add(p, "DeviceAllow");
	cg_sd_add(p, "a(ss)");
	cg_sd_add(p, "0");
	if (exact && allow.n) {
		cg_sd_add(p, "DeviceAllow");
		cg_sd_add(p, "a(ss)");
		cg_sd_addf(p, "%zu", allow.n / 2);
		for (size_t i = 0; i < allow.n; i++)
			cg_sd_add(p, allow.v[i]);
	}
	bool oom = allow.oom;
	cg_sd_props_free(&allow);
	return oom || p->oom ? -ENOMEM : 0;
}

/* runc's rule: a name of letters only, at least 3. */
static bool property_name_ok(const char *n)
{
	if (strlen(n) < 3)
		return false;
	for (; *n; n++)
		if (!isalpha((unsigned char)*n))
			return false;
	return true;
}

int cg_sd_annotation_props(const struct spec *s, struct cg_sd_props *p, struct oerr *e)
{
	static const char prefix[] = "org.systemd.property.";
	for (size_t i = 0; i < s->n_annotations; i++) {
		const char *k = s->annotations[i].key, *v = s->annotations[i].value ? s->annotations[i].value : "";
		if (strncmp(k, prefix, sizeof(prefix) - 1))
			continue;
		const char *name = k + sizeof(prefix) - 1;
		if (!property_name_ok(name))
			return oerr_setx(e, EINVAL, "annotations: \"%s\": a systemd property name has only letters, "
					 "3 or more", k);
		struct cg_sd_props val = { 0 };
		char why[160];
		int r = cg_sd_gvariant(v, &val, why, sizeof(why));
		if (r < 0) {
			cg_sd_props_free(&val);
			return oerr_setx(e, -r, "annotations: \"%s\": value \"%s\": %s (GVariant text format, e.g. "
					 "\"uint64 123\" or \"'text'\")", k, v, why);
		}
		size_t nl = strlen(name);
		bool sec = nl > 3 && !strcmp(name + nl - 3, "Sec") && islower((unsigned char)name[nl - 4]);
		if (sec) {
			/* Seconds, of any number type, to microseconds (uint64). */
			const char *sig = val.v[0], *num = val.v[1];
			if (val.n != 2 || strlen(sig) != 1 || !strchr("ynqiuxtd", sig[0]) || num[0] == '-') {
				cg_sd_props_free(&val);
				return oerr_setx(e, EINVAL, "annotations: \"%s\": value \"%s\": seconds must be a "
						 "non-negative number", k, v);
			}
			uint64_t usec;
			if (sig[0] == 'd') {
				double secs = strtod(num, NULL);
				if (!(secs >= 0 && secs < 1.8e13)) {
					cg_sd_props_free(&val);
					return oerr_setx(e, ERANGE, "annotations: \"%s\": %s seconds is out of range", k, num);
				}
				usec = (uint64_t)(secs * 1000000.0 + 0.5);
			} else {
				unsigned long long secs = strtoull(num, NULL, 10);
				if (secs > UINT64_MAX / 1000000) {
					cg_sd_props_free(&val);
					return oerr_setx(e, ERANGE, "annotations: \"%s\": %s seconds is out of range", k, num);
				}
				usec = secs * 1000000;
			}
			cg_sd_addf(p, "%.*sUSec", (int)(nl - 3), name);
			cg_sd_add(p, "t");
			cg_sd_addf(p, "%" PRIu64, usec);
		} else {
			cg_sd_add(p, name);
			for (size_t j = 0; j < val.n; j++)
				cg_sd_add(p, val.v[j]);
		}
		cg_sd_props_free(&val);
	}
	return p->oom ? oerr_setx(e, ENOMEM, "annotations") : 0;
}
