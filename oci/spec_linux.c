/* config.json "linux": namespaces, id mappings, devices, paths, sysctl and
 * the smaller objects (timeOffsets, intelRdt, memoryPolicy, personality).
 * resources and seccomp have their own files. */
#include "oci/spec_internal.h"
#include "base/util.h"
#include <ctype.h>
#include <linux/mempolicy.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct ns_def {
	const char *name;
	int flag;
} ns_defs[SPEC_NS__COUNT] = {
	[SPEC_NS_PID] = { "pid", CLONE_NEWPID },
	[SPEC_NS_NETWORK] = { "network", CLONE_NEWNET },
	[SPEC_NS_MOUNT] = { "mount", CLONE_NEWNS },
	[SPEC_NS_IPC] = { "ipc", CLONE_NEWIPC },
	[SPEC_NS_UTS] = { "uts", CLONE_NEWUTS },
	[SPEC_NS_USER] = { "user", CLONE_NEWUSER },
	[SPEC_NS_CGROUP] = { "cgroup", CLONE_NEWCGROUP },
	[SPEC_NS_TIME] = { "time", CLONE_NEWTIME },
};

static const struct jp_name ns_types[] = {
	{ "pid", SPEC_NS_PID }, { "network", SPEC_NS_NETWORK }, { "mount", SPEC_NS_MOUNT },
	{ "ipc", SPEC_NS_IPC }, { "uts", SPEC_NS_UTS }, { "user", SPEC_NS_USER },
	{ "cgroup", SPEC_NS_CGROUP }, { "time", SPEC_NS_TIME },
};

/* Every value is applied recursively, r-prefixed or not: the spec describes
 * the propagation of the container's whole root, and changing only its top
 * mount would leave the mounts below it (bind mounts made before pivot_root)
 * with the host's propagation, where events can still leak out. runc does
 * the same. */
static const struct jp_name propagations[] = {
	{ "private", MS_PRIVATE | MS_REC }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED | MS_REC }, { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE | MS_REC }, { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE | MS_REC }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* MPOL_WEIGHTED_INTERLEAVE (Linux 6.9) is newer than some uapi headers. */
#define OCIRT_MPOL_WEIGHTED_INTERLEAVE 6
static const struct jp_name mpol_modes[] = {
	{ "MPOL_DEFAULT", MPOL_DEFAULT }, { "MPOL_PREFERRED", MPOL_PREFERRED },
	{ "MPOL_BIND", MPOL_BIND }, { "MPOL_INTERLEAVE", MPOL_INTERLEAVE },
	{ "MPOL_LOCAL", MPOL_LOCAL }, { "MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY },
	{ "MPOL_WEIGHTED_INTERLEAVE", OCIRT_MPOL_WEIGHTED_INTERLEAVE },
};

static const struct jp_name mpol_flags[] = {
	{ "MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING },
	{ "MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES },
	{ "MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES },
};

static const struct jp_name domains[] = {
	{ "LINUX", PER_LINUX }, { "LINUX32", PER_LINUX32 },
};

const char *spec_linux_name(enum spec_names list, size_t i)
{
	if (list == SPEC_NAMES_NAMESPACES)
		return i < ARRAY_SIZE(ns_types) ? ns_types[i].name : NULL;
	if (list == SPEC_NAMES_MEMORY_POLICY_MODES)
		return i < ARRAY_SIZE(mpol_modes) ? mpol_modes[i].name : NULL;
	return i < ARRAY_SIZE(mpol_flags) ? mpol_flags[i].name : NULL;
}

const char *spec_ns_type_name(enum spec_ns_type t)
{
	return (unsigned)t < SPEC_NS__COUNT ? ns_defs[t].name : "unknown";
}

static int parse_namespace(struct jp *p, json_t *o, void *item)
{
	struct spec_namespace *ns = item;
	long t = 0;
	char *name = NULL;
	int r = jp_enum(p, o, "type", JP_REQ, ns_types, ARRAY_SIZE(ns_types), "namespace type", &name, &t);
	free(name);
	if (r < 0 || (r = jp_str(p, o, "path", JP_OPT, &ns->path)) < 0)
		return r;
	ns->type = (enum spec_ns_type)t;
	ns->clone_flag = ns_defs[t].flag;
	/* An empty path means "create one", as it does for Go runtimes. */
	if (ns->path && !*ns->path) {
		free(ns->path);
		ns->path = NULL;
	}
	return 0;
}

int spec_parse_idmap(struct jp *p, json_t *o, void *item)
{
	struct spec_idmap *m = item;
	int r;
	if ((r = jp_u32(p, o, "containerID", JP_REQ, &m->container_id, NULL)) < 0 ||
	    (r = jp_u32(p, o, "hostID", JP_REQ, &m->host_id, NULL)) < 0 ||
	    (r = jp_u32(p, o, "size", JP_REQ, &m->size, NULL)) < 0)
		return r;
	return 0;
}

static int parse_time_offset(struct jp *p, json_t *o, void *arg)
{
	struct spec_time_offset *t = arg;
	int64_t ns = 0;
	int r;
	t->set = true;
	if ((r = jp_i64(p, o, "secs", JP_OPT, &t->secs, NULL)) < 0 ||
	    (r = jp_int(p, o, "nanosecs", JP_OPT, 0, 999999999, "an integer between 0 and 999999999",
			&ns, NULL)) < 0)
		return r;
	t->nanosecs = (uint32_t)ns;
	return 0;
}

static int parse_time_offsets(struct jp *p, json_t *o, void *arg)
{
	struct spec_linux *l = arg;
	int r;
	if ((r = jp_object(p, o, "monotonic", JP_OPT, parse_time_offset, &l->time_monotonic)) < 0 ||
	    (r = jp_object(p, o, "boottime", JP_OPT, parse_time_offset, &l->time_boottime)) < 0)
		return r;
	return 0;
}

static int parse_device(struct jp *p, json_t *o, void *item)
{
	struct spec_device *d = item;
	_cleanup_free_ char *type = NULL;
	int r;
	if ((r = jp_str(p, o, "type", JP_REQ, &type)) < 0 || (r = jp_str(p, o, "path", JP_REQ, &d->path)) < 0)
		return r;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return jp_fail_key(p, "type", "must be one of \"c\", \"b\", \"u\", \"p\"");
	d->type = type[0];
	int req = d->type == 'p' ? JP_OPT : JP_REQ;
	if ((r = jp_i64(p, o, "major", req, &d->major, NULL)) < 0 ||
	    (r = jp_i64(p, o, "minor", req, &d->minor, NULL)) < 0 ||
	    (r = jp_u32(p, o, "fileMode", JP_OPT, &d->file_mode, &d->has_file_mode)) < 0 ||
	    (r = jp_u32(p, o, "uid", JP_OPT, &d->uid, &d->has_uid)) < 0 ||
	    (r = jp_u32(p, o, "gid", JP_OPT, &d->gid, &d->has_gid)) < 0)
		return r;
	return 0;
}

/* What the kernel accepts as an interface name (dev_valid_name()). */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

/* A name in the container may be a template: one "%d" the kernel fills in
 * with the first free number (its dev_alloc_name()). */
static bool valid_ifname_template(const char *s)
{
	const char *pct = strchr(s, '%');
	return valid_ifname(s) && (!pct || (pct[1] == 'd' && !strchr(pct + 2, '%')));
}

static int parse_net_device(struct jp *p, const char *key, json_t *v, void *item)
{
	struct spec_net_device *d = item;
	if (!(d->host_name = strdup(key)))
		return jp_nomem(p);
	if (!valid_ifname(key) || strchr(key, '%'))
		return jp_fail(p, "invalid interface name \"%s\"", key);
	if (!json_is_object(v))
		return jp_fail(p, "must be an object");
	int r = jp_str(p, v, "name", JP_OPT, &d->name);
	if (r == 0 && d->name && !*d->name) {
		free(d->name);	/* as runc: empty means the host name */
		d->name = NULL;
	}
	if (r == 0 && d->name && !valid_ifname_template(d->name))
		return jp_fail_key(p, "name", "invalid interface name \"%s\"%s", d->name,
				   strchr(d->name, '%') ? " (a template has one %d)" : "");
	return r;
}

static int parse_propagation(struct jp *p, json_t *o, struct spec_linux *l)
{
	long flags = 0;
	int r = jp_enum(p, o, "rootfsPropagation", JP_OPT, propagations, ARRAY_SIZE(propagations),
			"propagation", &l->rootfs_propagation, &flags);
	l->rootfs_propagation_flags = (unsigned long)flags;
	return r;
}

static int no_newline(struct jp *p, const char *key, const char *s)
{
	if (s && strchr(s, '\n'))
		return jp_fail_key(p, key, "must not contain a newline");
	return 0;
}

static int parse_intel_rdt(struct jp *p, json_t *o, void *arg)
{
	struct spec_intel_rdt **out = arg, *rdt = calloc(1, sizeof(*rdt));
	if (!rdt)
		return jp_nomem(p);
	*out = rdt;
	int r;
	if ((r = jp_str(p, o, "closID", JP_OPT, &rdt->clos_id)) < 0 ||
	    (r = jp_str(p, o, "l3CacheSchema", JP_OPT, &rdt->l3_cache_schema)) < 0 ||
	    (r = jp_str(p, o, "memBwSchema", JP_OPT, &rdt->mem_bw_schema)) < 0 ||
	    (r = jp_strv(p, o, "schemata", JP_OPT, false, &rdt->schemata, &rdt->n_schemata)) < 0 ||
	    (r = jp_bool(p, o, "enableMonitoring", JP_OPT, &rdt->enable_monitoring, NULL)) < 0 ||
	    (r = no_newline(p, "memBwSchema", rdt->mem_bw_schema)) < 0)
		return r;
	/* A directory of the resctrl root, or "/" for the root group itself. */
	const char *c = rdt->clos_id;
	if (c && strcmp(c, "/") && (!*c || strchr(c, '/') || !strcmp(c, ".") || !strcmp(c, "..")))
		return jp_fail_key(p, "closID", "\"%s\" is not a resctrl group name", c);
	if (rdt->mem_bw_schema && strncmp(rdt->mem_bw_schema, "MB:", 3) != 0)
		return jp_fail_key(p, "memBwSchema", "must start with \"MB:\"");
	for (size_t i = 0; i < rdt->n_schemata; i++)
		if (strchr(rdt->schemata[i], '\n')) {
			size_t m = jp_push_key(p, "schemata");
			jp_push_index(p, i);
			r = jp_fail(p, "must not contain a newline");
			jp_pop(p, m);
			return r;
		}
	return 0;
}

/* What set_mempolicy(2) accepts for each mode, checked here so that a bad
 * policy fails create with the field named rather than in the init. */
static int check_memory_policy(struct jp *p, const struct spec_memory_policy *mp)
{
	unsigned n_nodes = idset_count(&mp->node_set);
	unsigned f = mp->flags_mask;
	switch (mp->mode_num) {
	case MPOL_DEFAULT:
	case MPOL_LOCAL:
		if (n_nodes)
			return jp_fail_key(p, "nodes", "%s takes no nodes", mp->mode);
		if (mp->mode_num == MPOL_DEFAULT && f)
			return jp_fail_key(p, "flags", "MPOL_DEFAULT takes no flags");
		if (f & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
			return jp_fail_key(p, "flags", "MPOL_LOCAL takes no node flags");
		break;
	case MPOL_PREFERRED:
		/* No node means local allocation, and then there is no set for a flag to apply to. */
		if (!n_nodes && (f & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)))
			return jp_fail_key(p, "nodes", "MPOL_PREFERRED with MPOL_F_STATIC_NODES or "
					   "MPOL_F_RELATIVE_NODES needs a node");
		break;
	default:	/* BIND, INTERLEAVE, WEIGHTED_INTERLEAVE, PREFERRED_MANY */
		if (!n_nodes)
			return jp_fail_key(p, "nodes", "%s needs at least one node", mp->mode);
		break;
	}
	if ((f & MPOL_F_STATIC_NODES) && (f & MPOL_F_RELATIVE_NODES))
		return jp_fail_key(p, "flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES "
				   "exclude each other");
	if ((f & MPOL_F_NUMA_BALANCING) && mp->mode_num != MPOL_BIND && mp->mode_num != MPOL_PREFERRED_MANY)
		return jp_fail_key(p, "flags", "MPOL_F_NUMA_BALANCING works only with MPOL_BIND or "
				   "MPOL_PREFERRED_MANY, not %s", mp->mode);
	return 0;
}

static int parse_memory_policy(struct jp *p, json_t *o, void *arg)
{
	struct spec_memory_policy **out = arg, *mp = calloc(1, sizeof(*mp));
	if (!mp)
		return jp_nomem(p);
	*out = mp;
	long mode = 0;
	unsigned long flags = 0;
	int r;
	if ((r = jp_enum(p, o, "mode", JP_REQ, mpol_modes, ARRAY_SIZE(mpol_modes), "memory policy mode",
			 &mp->mode, &mode)) < 0 ||
	    (r = jp_str(p, o, "nodes", JP_OPT, &mp->nodes)) < 0 ||
	    (r = jp_enum_strv(p, o, "flags", mpol_flags, ARRAY_SIZE(mpol_flags), "memory policy flag",
			      &mp->flags, &mp->n_flags, &flags)) < 0)
		return r;
	mp->mode_num = (int)mode;
	mp->flags_mask = (unsigned)flags;
	char why[128];
	if (mp->nodes && (r = idset_parse(mp->nodes, SPEC_MAX_NUMA_NODE, &mp->node_set, why, sizeof(why))) < 0)
		return r == -ENOMEM ? jp_nomem(p) :
			jp_fail_key(p, "nodes", "invalid node list \"%s\": %s", mp->nodes, why);
	return check_memory_policy(p, mp);
}

static int parse_personality(struct jp *p, json_t *o, void *arg)
{
	struct spec_personality **out = arg, *pe = calloc(1, sizeof(*pe));
	if (!pe)
		return jp_nomem(p);
	*out = pe;
	long persona = 0;
	char **flags = NULL;
	size_t n = 0;
	int r = jp_enum(p, o, "domain", JP_REQ, domains, ARRAY_SIZE(domains), "personality domain",
			&pe->domain, &persona);
	if (r == 0)
		r = jp_strv(p, o, "flags", JP_OPT, false, &flags, &n);
	/* The spec defines no flag yet, so any is unsupported. */
	if (r == 0 && n > 0) {
		size_t m = jp_push_key(p, "flags");
		jp_push_index(p, 0);
		r = jp_fail(p, "unsupported personality flag \"%s\"", flags[0]);
		jp_pop(p, m);
	}
	spec_strv_free(flags);
	pe->persona = (unsigned long)persona;
	return r;
}

static int parse_lists(struct jp *p, json_t *o, struct spec_linux *l)
{
	int r;
	if ((r = jp_array(p, o, "namespaces", JP_OPT, sizeof(*l->namespaces), &l->namespaces,
			  &l->n_namespaces, parse_namespace)) < 0 ||
	    (r = jp_array(p, o, "uidMappings", JP_OPT, sizeof(*l->uid_mappings), &l->uid_mappings,
			  &l->n_uid_mappings, spec_parse_idmap)) < 0 ||
	    (r = jp_array(p, o, "gidMappings", JP_OPT, sizeof(*l->gid_mappings), &l->gid_mappings,
			  &l->n_gid_mappings, spec_parse_idmap)) < 0 ||
	    (r = jp_object(p, o, "timeOffsets", JP_OPT, parse_time_offsets, l)) < 0 ||
	    (r = jp_array(p, o, "devices", JP_OPT, sizeof(*l->devices), &l->devices, &l->n_devices,
			  parse_device)) < 0 ||
	    (r = jp_map(p, o, "netDevices", JP_OPT, sizeof(*l->net_devices), &l->net_devices,
			&l->n_net_devices, parse_net_device)) < 0)
		return r;
	return 0;
}

int spec_parse_linux(struct jp *p, json_t *o, void *arg)
{
	struct spec_linux **out = arg, *l = calloc(1, sizeof(*l));
	if (!l)
		return jp_nomem(p);
	*out = l;
	int r;
	if ((r = parse_lists(p, o, l)) < 0 ||
	    (r = jp_str(p, o, "cgroupsPath", JP_OPT, &l->cgroups_path)) < 0 ||
	    (r = jp_object(p, o, "resources", JP_OPT, spec_parse_resources, &l->resources)) < 0 ||
	    (r = parse_propagation(p, o, l)) < 0 ||
	    (r = jp_map(p, o, "sysctl", JP_OPT, sizeof(*l->sysctl), &l->sysctl, &l->n_sysctl,
			spec_parse_kv)) < 0 ||
	    (r = jp_object(p, o, "seccomp", JP_OPT, spec_parse_seccomp, &l->seccomp)) < 0 ||
	    (r = jp_strv(p, o, "maskedPaths", JP_OPT, false, &l->masked_paths, &l->n_masked_paths)) < 0 ||
	    (r = jp_strv(p, o, "readonlyPaths", JP_OPT, false, &l->readonly_paths, &l->n_readonly_paths)) < 0 ||
	    (r = jp_str(p, o, "mountLabel", JP_OPT, &l->mount_label)) < 0 ||
	    (r = jp_object(p, o, "intelRdt", JP_OPT, parse_intel_rdt, &l->intel_rdt)) < 0 ||
	    (r = jp_object(p, o, "memoryPolicy", JP_OPT, parse_memory_policy, &l->memory_policy)) < 0 ||
	    (r = jp_object(p, o, "personality", JP_OPT, parse_personality, &l->personality)) < 0)
		return r;
	return 0;
}

static void small_objects_free(struct spec_linux *l)
{
	if (l->intel_rdt) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		spec_strv_free(l->intel_rdt->schemata);
		free(l->intel_rdt);
	}
	if (l->memory_policy) {
		free(l->memory_policy->mode);
		free(l->memory_policy->nodes);
		idset_free(&l->memory_policy->node_set);
		spec_strv_free(l->memory_policy->flags);
		free(l->memory_policy);
	}
	if (l->personality) {
		free(l->personality->domain);
		free(l->personality);
	}
}

void spec_linux_free(struct spec_linux *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	for (size_t i = 0; i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	free(l->cgroups_path);
	spec_resources_free(l->resources);
	free(l->rootfs_propagation);
	spec_kv_free(l->sysctl, l->n_sysctl);
	spec_seccomp_free(l->seccomp);
	spec_strv_free(l->masked_paths);
	spec_strv_free(l->readonly_paths);
	free(l->mount_label);
	small_objects_free(l);
	free(l);
}
