/* spec_validate(): the checks that look at the parsed struct as a whole,
 * mostly which settings need which namespace (the rules runc applies). */
#include "oci/spec_internal.h"
#include "base/util.h"
#include <string.h>

#define FAIL(...) oerr_setx(e, EINVAL, __VA_ARGS__)

static bool abs_path(const char *p)
{
	return p && p[0] == '/';
}

static int validate_process(const struct spec_process *pr, struct oerr *e)
{
	if (!pr)
		return 0;
	if (!pr->cwd)
		return FAIL("process.cwd: required");
	if (!abs_path(pr->cwd))
		return FAIL("process.cwd: must be an absolute path");
	if (pr->n_args == 0 || !pr->args)
		return FAIL("process.args: must be a non-empty array of strings");
	for (size_t i = 0; i < pr->n_rlimits; i++)
		for (size_t j = 0; j < i; j++)
			if (pr->rlimits[j].resource == pr->rlimits[i].resource)
				return FAIL("process.rlimits[%zu].type: duplicate %s", i, pr->rlimits[i].type);
	return 0;
}

static int validate_mounts(const struct spec *s, struct oerr *e)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (!m->destination)
			return FAIL("mounts[%zu].destination: required", i);
		if (!*m->destination)
			return FAIL("mounts[%zu].destination: must not be empty", i);
		/* The spec: each MUST come with the other. */
		if (m->n_uid_mappings && !m->n_gid_mappings)
			return FAIL("mounts[%zu].gidMappings: required with uidMappings", i);
		if (m->n_gid_mappings && !m->n_uid_mappings)
			return FAIL("mounts[%zu].uidMappings: required with gidMappings", i);
	}
	return 0;
}

static int validate_hook_list(const char *name, const struct spec_hook *h, size_t n, struct oerr *e)
{
	for (size_t i = 0; i < n; i++) {
		if (!abs_path(h[i].path))
			return FAIL("hooks.%s[%zu].path: must be an absolute path", name, i);
		if (h[i].has_timeout && h[i].timeout <= 0)
			return FAIL("hooks.%s[%zu].timeout: must be a positive 32-bit integer", name, i);
	}
	return 0;
}

static int validate_hooks(const struct spec_hooks *h, struct oerr *e)
{
	int r;
	if ((r = validate_hook_list("prestart", h->prestart, h->n_prestart, e)) < 0 ||
	    (r = validate_hook_list("createRuntime", h->create_runtime, h->n_create_runtime, e)) < 0 ||
	    (r = validate_hook_list("createContainer", h->create_container, h->n_create_container, e)) < 0 ||
	    (r = validate_hook_list("startContainer", h->start_container, h->n_start_container, e)) < 0 ||
	    (r = validate_hook_list("poststart", h->poststart, h->n_poststart, e)) < 0 ||
	    (r = validate_hook_list("poststop", h->poststop, h->n_poststop, e)) < 0)
		return r;
	return 0;
}

static int validate_namespaces(const struct spec_linux *l, struct oerr *e)
{
	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct spec_namespace *ns = &l->namespaces[i];
		for (size_t j = 0; j < i; j++)
			if (l->namespaces[j].type == ns->type)
				return FAIL("linux.namespaces[%zu].type: duplicate namespace \"%s\"", i,
					    spec_ns_type_name(ns->type));
		if (ns->path && !abs_path(ns->path))
			return FAIL("linux.namespaces[%zu].path: must be an absolute path", i);
	}
	return 0;
}

static int validate_userns(const struct spec *s, const struct spec_linux *l, struct oerr *e)
{
	const struct spec_namespace *user = spec_find_namespace(s, SPEC_NS_USER);
	const char *maps = l->n_uid_mappings ? "linux.uidMappings" : l->n_gid_mappings ? "linux.gidMappings" : NULL;
	if (!user) {
		if (maps)
			return FAIL("%s: requires a user namespace", maps);
		return 0;
	}
	if (user->path) {
		/* The joined namespace already has its mappings. */
		if (maps)
			return FAIL("%s: not allowed when joining a user namespace", maps);
		return 0;
	}
	if (!l->n_uid_mappings)
		return FAIL("linux.uidMappings: required with a new user namespace");
	if (!l->n_gid_mappings)
		return FAIL("linux.gidMappings: required with a new user namespace");
	return 0;
}

static int validate_sizes(const char *name, const struct spec_idmap *m, size_t n, struct oerr *e)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].size == 0)
			return FAIL("%s[%zu].size: must be greater than zero", name, i);
	return 0;
}

static int validate_time(const struct spec *s, const struct spec_linux *l, struct oerr *e)
{
	if (!l->time_monotonic.set && !l->time_boottime.set)
		return 0;
	const struct spec_namespace *t = spec_find_namespace(s, SPEC_NS_TIME);
	if (!t)
		return FAIL("linux.timeOffsets: requires a time namespace");
	/* Offsets can only be written before the first process enters it. */
	if (t->path)
		return FAIL("linux.timeOffsets: not allowed when joining a time namespace");
	return 0;
}

/* Devices move into the container's own network namespace (made or
 * joined), each to a name of its own there (runc's rules). */
static int validate_net_devices(const struct spec *s, const struct spec_linux *l, struct oerr *e)
{
	if (!l->n_net_devices)
		return 0;
	if (!spec_find_namespace(s, SPEC_NS_NETWORK))
		return FAIL("linux.netDevices: requires a network namespace");
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct spec_net_device *d = &l->net_devices[i];
		const char *name = d->name ? d->name : d->host_name;
		for (size_t j = 0; j < i; j++) {
			const struct spec_net_device *o = &l->net_devices[j];
			if (!strchr(name, '%') && !strcmp(name, o->name ? o->name : o->host_name))
				return FAIL("linux.netDevices.%s: %s and %s would both be named %s in the container",
					    d->host_name, o->host_name, d->host_name, name);
		}
	}
	return 0;
}

/* sysctl keys may use '/' as separator (as under /proc/sys). */
static bool key_is(const char *key, const char *want)
{
	for (; *key && *want; key++, want++)
		if (*key != *want && !(*key == '/' && *want == '.'))
			return false;
	return !*key && !*want;
}

static bool key_has_prefix(const char *key, const char *prefix)
{
	for (; *prefix; key++, prefix++)
		if (*key != *prefix && !(*key == '/' && *prefix == '.'))
			return false;
	return true;
}

static bool ipc_sysctl(const char *k)
{
	static const char *const keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
					    "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
					    "kernel.shm_rmid_forced" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (key_is(k, keys[i]))
			return true;
	return key_has_prefix(k, "fs.mqueue.");
}

/* Only sysctls that live in a namespace the container has of its own may be
 * set: anything else would change the host. */
static int validate_sysctl(const struct spec *s, const struct spec_linux *l, struct oerr *e)
{
	for (size_t i = 0; i < l->n_sysctl; i++) {
		const char *k = l->sysctl[i].key;
		if (ipc_sysctl(k)) {
			if (!spec_find_namespace(s, SPEC_NS_IPC))
				return FAIL("linux.sysctl[\"%s\"]: requires an ipc namespace", k);
		} else if (key_has_prefix(k, "net.")) {
			if (!spec_find_namespace(s, SPEC_NS_NETWORK))
				return FAIL("linux.sysctl[\"%s\"]: requires a network namespace", k);
		} else if (key_is(k, "kernel.hostname")) {
			/* runc and crun: the dedicated field is the one way to set it */
			return FAIL("linux.sysctl[\"%s\"]: conflicts with the \"hostname\" field; set the hostname there", k);
		} else if (key_is(k, "kernel.domainname")) {
			const char *v = l->sysctl[i].value ? l->sysctl[i].value : "";
			if (s->domainname && *s->domainname && strcmp(v, s->domainname) != 0)
				return FAIL("linux.sysctl[\"%s\"]: \"%s\" conflicts with the \"domainname\" field \"%s\"",
					    k, v, s->domainname);
			if (!spec_find_namespace(s, SPEC_NS_UTS))
				return FAIL("linux.sysctl[\"%s\"]: requires a uts namespace", k);
		} else {
			return FAIL("linux.sysctl[\"%s\"]: not in a namespace of the container", k);
		}
	}
	return 0;
}

static int validate_paths(const char *name, char *const *v, size_t n, struct oerr *e)
{
	for (size_t i = 0; i < n; i++)
		if (!abs_path(v[i]))
			return FAIL("linux.%s[%zu]: must be an absolute path", name, i);
	return 0;
}

static int validate_linux_misc(const struct spec_linux *l, struct oerr *e)
{
	for (size_t i = 0; i < l->n_devices; i++)
		if (!abs_path(l->devices[i].path))
			return FAIL("linux.devices[%zu].path: must be an absolute path", i);
	if (l->seccomp && l->seccomp->listener_metadata && *l->seccomp->listener_metadata &&
	    !l->seccomp->listener_path)
		return FAIL("linux.seccomp.listenerMetadata: requires listenerPath");
	int r;
	if ((r = validate_paths("maskedPaths", l->masked_paths, l->n_masked_paths, e)) < 0 ||
	    (r = validate_paths("readonlyPaths", l->readonly_paths, l->n_readonly_paths, e)) < 0)
		return r;
	return 0;
}

static int validate_uts(const struct spec *s, struct oerr *e)
{
	bool uts = spec_find_namespace(s, SPEC_NS_UTS) != NULL;
	if (s->hostname && *s->hostname && !uts)
		return FAIL("hostname: requires a uts namespace");
	if (s->domainname && *s->domainname && !uts)
		return FAIL("domainname: requires a uts namespace");
	/* sethostname(2)/setdomainname(2) take at most HOST_NAME_MAX bytes. */
	if (s->hostname && strlen(s->hostname) > 64)
		return FAIL("hostname: longer than 64 bytes");
	if (s->domainname && strlen(s->domainname) > 64)
		return FAIL("domainname: longer than 64 bytes");
	return 0;
}

int spec_validate(const struct spec *s, struct oerr *e)
{
	if (!s->oci_version)
		return FAIL("ociVersion: required");
	if (!s->root_path)
		return FAIL("root.path: required");
	int r;
	if ((r = validate_process(s->process, e)) < 0 || (r = validate_mounts(s, e)) < 0 ||
	    (r = validate_hooks(&s->hooks, e)) < 0 || (r = validate_uts(s, e)) < 0)
		return r;
	const struct spec_linux *l = s->linux_;
	if (!l) {
		static const struct spec_linux none;
		l = &none;
	}
	if ((r = validate_namespaces(l, e)) < 0 || (r = validate_userns(s, l, e)) < 0 ||
	    (r = validate_sizes("linux.uidMappings", l->uid_mappings, l->n_uid_mappings, e)) < 0 ||
	    (r = validate_sizes("linux.gidMappings", l->gid_mappings, l->n_gid_mappings, e)) < 0 ||
	    (r = validate_time(s, l, e)) < 0 || (r = validate_sysctl(s, l, e)) < 0 ||
	    (r = validate_linux_misc(l, e)) < 0 || (r = validate_net_devices(s, l, e)) < 0)
		return r;
	return 0;
}
