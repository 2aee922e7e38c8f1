/* linux.*: namespaces, id mappings, devices, time offsets, propagation,
 * sysctl, masked/readonly paths, intelRdt, memoryPolicy, personality. */
#include "parse.h"
#include "jx.h"
#include "lib/util.h"
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct jx_name ns_names[] = {
	{ "pid", SPEC_NS_PID }, { "network", SPEC_NS_NETWORK }, { "mount", SPEC_NS_MOUNT },
	{ "ipc", SPEC_NS_IPC }, { "uts", SPEC_NS_UTS }, { "user", SPEC_NS_USER },
	{ "cgroup", SPEC_NS_CGROUP }, { "time", SPEC_NS_TIME }, { NULL, 0 },
};
static const int ns_flags[SPEC_NS__COUNT] = {
	[SPEC_NS_PID] = CLONE_NEWPID, [SPEC_NS_NETWORK] = CLONE_NEWNET, [SPEC_NS_MOUNT] = CLONE_NEWNS,
	[SPEC_NS_IPC] = CLONE_NEWIPC, [SPEC_NS_UTS] = CLONE_NEWUTS, [SPEC_NS_USER] = CLONE_NEWUSER,
	[SPEC_NS_CGROUP] = CLONE_NEWCGROUP, [SPEC_NS_TIME] = CLONE_NEWTIME,
};

const char *spec_ns_type_name(enum spec_ns_type t)
{
	for (const struct jx_name *n = ns_names; n->name; n++)
		if (n->value == t)
			return n->name;
	return "unknown";
}

static int parse_namespaces(json_t *lin, struct spec_linux *l, struct oerr *e)
{
	char p[JX_MAX], q[JX_MAX], msg[128];
	json_t *arr;
	int r = jx_array(lin, "linux", "namespaces", false, &arr, e);
	if (r < 0 || !arr)
		return r;
	size_t cnt = json_array_size(arr);
	l->namespaces = calloc(cnt ? cnt : 1, sizeof(*l->namespaces));
	if (!l->namespaces)
		return oerr_setx(e, ENOMEM, "linux.namespaces");
	l->n_namespaces = cnt;
	for (size_t i = 0; i < cnt; i++) {
		json_t *o = json_array_get(arr, i);
		struct spec_namespace *ns = &l->namespaces[i];
		_cleanup_free_ char *type = NULL;
		jx_idx(p, "linux.namespaces", i);
		if ((r = jx_object(o, p, e)) < 0 || (r = jx_str(o, p, "type", true, &type, e)) < 0 ||
		    (r = jx_str(o, p, "path", false, &ns->path, e)) < 0)
			return r;
		long t = jx_lookup(ns_names, type);
		if (t < 0) {
			snprintf(msg, sizeof(msg), "unknown namespace type \"%s\"", type);
			return jx_err(e, jx_key(q, p, "type"), msg);
		}
		ns->type = (enum spec_ns_type)t;
		ns->clone_flag = ns_flags[t];
		for (size_t j = 0; j < i; j++)
			if (l->namespaces[j].type == ns->type) {
				snprintf(msg, sizeof(msg), "duplicate namespace \"%s\"", type);
				return jx_err(e, jx_key(q, p, "type"), msg);
			}
		if (ns->path && ns->path[0] != '/')
			return jx_err(e, jx_key(q, p, "path"), "must be an absolute path");
	}
	return 0;
}

static int parse_devices(json_t *lin, struct spec_linux *l, struct oerr *e)
{
	char p[JX_MAX], q[JX_MAX];
	json_t *arr;
	int r = jx_array(lin, "linux", "devices", false, &arr, e);
	if (r < 0 || !arr)
		return r;
	size_t cnt = json_array_size(arr);
	l->devices = calloc(cnt ? cnt : 1, sizeof(*l->devices));
	if (!l->devices)
		return oerr_setx(e, ENOMEM, "linux.devices");
	l->n_devices = cnt;
	for (size_t i = 0; i < cnt; i++) {
		json_t *o = json_array_get(arr, i);
		struct spec_device *d = &l->devices[i];
		_cleanup_free_ char *type = NULL;
		int64_t v;
		jx_idx(p, "linux.devices", i);
		if ((r = jx_object(o, p, e)) < 0 || (r = jx_str(o, p, "path", true, &d->path, e)) < 0 ||
		    (r = jx_str(o, p, "type", true, &type, e)) < 0)
			return r;
		if (d->path[0] != '/')
			return jx_err(e, jx_key(q, p, "path"), "must be an absolute path");
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return jx_err(e, jx_key(q, p, "type"), "must be one of \"c\", \"b\", \"u\", \"p\"");
		d->type = type[0];
		bool need = d->type != 'p';
		if ((r = jx_int(o, p, "major", need, INT64_MIN, INT64_MAX, &d->major, NULL, e)) < 0 ||
		    (r = jx_int(o, p, "minor", need, INT64_MIN, INT64_MAX, &d->minor, NULL, e)) < 0 ||
		    (r = jx_int(o, p, "fileMode", false, 0, 07777, &v, &d->has_file_mode, e)) < 0)
			return r;
		if (d->has_file_mode)
			d->file_mode = (uint32_t)v;
		if ((r = jx_int(o, p, "uid", false, 0, UINT32_MAX, &v, &d->has_uid, e)) < 0)
			return r;
		d->uid = d->has_uid ? (uint32_t)v : 0;
		if ((r = jx_int(o, p, "gid", false, 0, UINT32_MAX, &v, &d->has_gid, e)) < 0)
			return r;
		d->gid = d->has_gid ? (uint32_t)v : 0;
	}
	return 0;
}

static int parse_time_offsets(json_t *lin, struct spec_linux *l, struct oerr *e)
{
	json_t *t;
	int r = jx_child(lin, "linux", "timeOffsets", false, &t, e);
	if (r < 0 || !t)
		return r;
	static const char *const keys[] = { "monotonic", "boottime" };
	struct spec_time_offset *offs[] = { &l->time_monotonic, &l->time_boottime };
	for (int i = 0; i < 2; i++) {
		json_t *o;
		char p[JX_MAX];
		int64_t v;
		if ((r = jx_child(t, "linux.timeOffsets", keys[i], false, &o, e)) < 0)
			return r;
		if (!o)
			continue;
		jx_key(p, "linux.timeOffsets", keys[i]);
		offs[i]->set = true;
		if ((r = jx_int(o, p, "secs", false, INT64_MIN, INT64_MAX, &offs[i]->secs, NULL, e)) < 0 ||
		    (r = jx_int(o, p, "nanosecs", false, 0, 999999999, &v, NULL, e)) < 0)
			return r;
		offs[i]->nanosecs = json_object_get(o, "nanosecs") ? (uint32_t)v : 0;
	}
	return 0;
}

static const struct jx_name propagations[] = {
	/* runc applies every propagation mode to the whole tree: MS_REC for all of them. */
	{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE }, { "shared", MS_SHARED },
	{ "rshared", MS_SHARED }, { "slave", MS_SLAVE }, { "rslave", MS_SLAVE },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE }, { NULL, 0 },
};

static int parse_net_devices(json_t *lin, struct spec_linux *l, struct oerr *e)
{
	json_t *nd;
	char p[JX_MAX];
	int r = jx_child(lin, "linux", "netDevices", false, &nd, e);
	if (r < 0 || !nd)
		return r;
	size_t cnt = json_object_size(nd), i = 0;
	l->net_devices = calloc(cnt ? cnt : 1, sizeof(*l->net_devices));
	if (!l->net_devices)
		return oerr_setx(e, ENOMEM, "linux.netDevices");
	const char *k;
	json_t *v;
	json_object_foreach(nd, k, v) {
		jx_key(p, "linux.netDevices", k);
		if (!*k || strchr(k, '/') || !strcmp(k, ".") || !strcmp(k, "..") || strlen(k) > 15)
			return jx_err(e, p, "invalid interface name");
		if ((r = jx_object(v, p, e)) < 0)
			return r;
		struct spec_net_device *d = &l->net_devices[i];
		l->n_net_devices = ++i;
		if (!(d->host_name = strdup(k)))
			return oerr_setx(e, ENOMEM, "%s", p);
		if ((r = jx_str(v, p, "name", false, &d->name, e)) < 0)
			return r;
		if (d->name && (!*d->name || strchr(d->name, '/') || strlen(d->name) > 15))
			return jx_err(e, jx_key(p, p, "name"), "invalid interface name");
	}
	return 0;
}

static int parse_extras(json_t *lin, struct spec_linux *l, struct oerr *e)
{
	json_t *o;
	char msg[128];
	int r = jx_child(lin, "linux", "intelRdt", false, &o, e);
	if (r < 0)
		return r;
	if (o) {
		struct spec_intel_rdt *rdt = l->intel_rdt = calloc(1, sizeof(*rdt));
		const char *P = "linux.intelRdt";
		if (!rdt)
			return oerr_setx(e, ENOMEM, "%s", P);
		if ((r = jx_str(o, P, "closID", false, &rdt->clos_id, e)) < 0 ||
		    (r = jx_str(o, P, "l3CacheSchema", false, &rdt->l3_cache_schema, e)) < 0 ||
		    (r = jx_str(o, P, "memBwSchema", false, &rdt->mem_bw_schema, e)) < 0 ||
		    (r = jx_strv(o, P, "schemata", false, false, &rdt->schemata, &rdt->n_schemata, e)) < 0 ||
		    (r = jx_bool(o, P, "enableMonitoring", &rdt->enable_monitoring, NULL, e)) < 0)
			return r;
	}
	if ((r = jx_child(lin, "linux", "memoryPolicy", false, &o, e)) < 0)
		return r;
	if (o) {
		static const struct jx_name modes[] = {
			{ "MPOL_DEFAULT", 0 }, { "MPOL_PREFERRED", 1 }, { "MPOL_BIND", 2 },
			{ "MPOL_INTERLEAVE", 3 }, { "MPOL_LOCAL", 4 }, { "MPOL_PREFERRED_MANY", 5 },
			{ "MPOL_WEIGHTED_INTERLEAVE", 6 }, { NULL, 0 },
		};
		static const struct jx_name flags[] = {
			{ "MPOL_F_STATIC_NODES", 1 << 15 }, { "MPOL_F_RELATIVE_NODES", 1 << 14 },
			{ "MPOL_F_NUMA_BALANCING", 1 << 13 }, { NULL, 0 },
		};
		struct spec_memory_policy *mp = l->memory_policy = calloc(1, sizeof(*mp));
		const char *P = "linux.memoryPolicy";
		if (!mp)
			return oerr_setx(e, ENOMEM, "%s", P);
		if ((r = jx_str(o, P, "mode", true, &mp->mode, e)) < 0 ||
		    (r = jx_str(o, P, "nodes", false, &mp->nodes, e)) < 0 ||
		    (r = jx_strv(o, P, "flags", false, false, &mp->flags, &mp->n_flags, e)) < 0)
			return r;
		long m = jx_lookup(modes, mp->mode);
		if (m < 0) {
			snprintf(msg, sizeof(msg), "unknown mode \"%s\"", mp->mode);
			return jx_err(e, "linux.memoryPolicy.mode", msg);
		}
		mp->mode_num = (int)m;
		for (size_t i = 0; i < mp->n_flags; i++) {
			long f = jx_lookup(flags, mp->flags[i]);
			char p[JX_MAX];
			if (f < 0) {
				snprintf(msg, sizeof(msg), "unknown flag \"%s\"", mp->flags[i]);
				return jx_err(e, jx_idx(p, "linux.memoryPolicy.flags", i), msg);
			}
			mp->flags_mask |= (unsigned)f;
		}
	}
	if ((r = jx_child(lin, "linux", "personality", false, &o, e)) < 0 || !o)
		return r;
	struct spec_personality *pe = l->personality = calloc(1, sizeof(*pe));
	if (!pe)
		return oerr_setx(e, ENOMEM, "linux.personality");
	if ((r = jx_str(o, "linux.personality", "domain", true, &pe->domain, e)) < 0)
		return r;
	if (!strcmp(pe->domain, "LINUX"))
		pe->persona = PER_LINUX;
	else if (!strcmp(pe->domain, "LINUX32"))
		pe->persona = PER_LINUX32;
	else
		return jx_err(e, "linux.personality.domain", "must be \"LINUX\" or \"LINUX32\"");
	json_t *fl;
	if ((r = jx_array(o, "linux.personality", "flags", false, &fl, e)) < 0)
		return r;
	if (fl && json_array_size(fl))
		return jx_err(e, "linux.personality.flags", "no flags are supported");
	return 0;
}

int parse_linux(json_t *lin, struct spec *s, struct oerr *e)
{
	const char *P = "linux";
	struct spec_linux *l = s->linux_ = calloc(1, sizeof(*l));
	if (!l)
		return oerr_setx(e, ENOMEM, "linux");
	json_t *o;
	int r;
	if ((r = parse_namespaces(lin, l, e)) < 0 ||
	    (r = parse_idmaps_at(lin, P, "uidMappings", &l->uid_mappings, &l->n_uid_mappings, e)) < 0 ||
	    (r = parse_idmaps_at(lin, P, "gidMappings", &l->gid_mappings, &l->n_gid_mappings, e)) < 0 ||
	    (r = parse_time_offsets(lin, l, e)) < 0 || (r = parse_devices(lin, l, e)) < 0 ||
	    (r = parse_net_devices(lin, l, e)) < 0 ||
	    (r = jx_str(lin, P, "cgroupsPath", false, &l->cgroups_path, e)) < 0 ||
	    (r = jx_str(lin, P, "rootfsPropagation", false, &l->rootfs_propagation, e)) < 0 ||
	    (r = jx_kv(lin, P, "sysctl", &l->sysctl, &l->n_sysctl, e)) < 0 ||
	    (r = jx_strv(lin, P, "maskedPaths", false, false, &l->masked_paths, &l->n_masked_paths, e)) < 0 ||
	    (r = jx_strv(lin, P, "readonlyPaths", false, false, &l->readonly_paths, &l->n_readonly_paths, e)) < 0 ||
	    (r = jx_str(lin, P, "mountLabel", false, &l->mount_label, e)) < 0)
		return r;
	if (l->rootfs_propagation) {
		long f = jx_lookup(propagations, l->rootfs_propagation);
		if (f < 0)
			return jx_err(e, "linux.rootfsPropagation",
				      "must be one of private, rprivate, shared, rshared, slave, rslave, unbindable, runbindable");
		l->rootfs_propagation_flags = (unsigned long)f | MS_REC;
	}
	if ((r = jx_child(lin, P, "resources", false, &o, e)) < 0)
		return r;
	if (o && (r = parse_resources(o, &l->resources, e)) < 0)
		return r;
	if ((r = jx_child(lin, P, "seccomp", false, &o, e)) < 0)
		return r;
	if (o && (r = parse_seccomp(o, &l->seccomp, e)) < 0)
		return r;
	return parse_extras(lin, l, e);
}
