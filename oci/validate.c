/* Checks that need more than one field of the config, and container ids. */
#include "spec.h"
#include <stdio.h>
#include <string.h>

const struct spec_namespace *spec_find_namespace(const struct spec *s, enum spec_ns_type t)
{
	if (!s->linux_)
		return NULL;
	for (size_t i = 0; i < s->linux_->n_namespaces; i++)
		if (s->linux_->namespaces[i].type == t)
			return &s->linux_->namespaces[i];
	return NULL;
}

static int bad(struct oerr *e, const char *path, const char *what)
{
	return oerr_setx(e, EINVAL, "%s: %s", path, what);
}

/* The namespace a sysctl key belongs to (runc's rules), or -1 when it is not namespaced. */
static int sysctl_namespace(const char *key)
{
	static const char *const ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
						"kernel.sem", "kernel.shmall", "kernel.shmmax",
						"kernel.shmmni", "kernel.shm_rmid_forced", NULL };
	for (const char *const *k = ipc_keys; *k; k++)
		if (!strcmp(key, *k))
			return SPEC_NS_IPC;
	if (!strncmp(key, "fs.mqueue.", 10))
		return SPEC_NS_IPC;
	if (!strncmp(key, "net.", 4))
		return SPEC_NS_NETWORK;
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
		return SPEC_NS_UTS;
	return -1;
}

static int validate_linux(const struct spec *s, struct oerr *e)
{
	const struct spec_linux *l = s->linux_;
	const struct spec_namespace *user = spec_find_namespace(s, SPEC_NS_USER);
	if (user && !user->path && (!l->n_uid_mappings || !l->n_gid_mappings))
		return bad(e, "linux.uidMappings", "a new user namespace requires uidMappings and gidMappings");
	if ((l->n_uid_mappings || l->n_gid_mappings) && !user)
		return bad(e, l->n_uid_mappings ? "linux.uidMappings" : "linux.gidMappings",
			   "requires a user namespace");
	if ((l->n_uid_mappings || l->n_gid_mappings) && user && user->path)
		return bad(e, "linux.uidMappings", "must not be set when joining a user namespace by path");
	for (size_t i = 0; i < l->n_uid_mappings; i++)
		if (!l->uid_mappings[i].size) {
			char p[64];
			snprintf(p, sizeof(p), "linux.uidMappings[%zu].size", i);
			return bad(e, p, "must be greater than 0");
		}
	for (size_t i = 0; i < l->n_gid_mappings; i++)
		if (!l->gid_mappings[i].size) {
			char p[64];
			snprintf(p, sizeof(p), "linux.gidMappings[%zu].size", i);
			return bad(e, p, "must be greater than 0");
		}
	if ((l->time_monotonic.set || l->time_boottime.set)) {
		const struct spec_namespace *t = spec_find_namespace(s, SPEC_NS_TIME);
		if (!t)
			return bad(e, "linux.timeOffsets", "requires a time namespace");
		if (t->path)
			return bad(e, "linux.timeOffsets", "must not be set when joining a time namespace by path");
	}
	for (size_t i = 0; i < l->n_sysctl; i++) {
		int ns = sysctl_namespace(l->sysctl[i].key);
		char p[300];
		snprintf(p, sizeof(p), "linux.sysctl.%s", l->sysctl[i].key);
		if (ns < 0)
			return bad(e, p, "is not namespaced and cannot be set in a container");
		if (!spec_find_namespace(s, (enum spec_ns_type)ns)) {
			char msg[96];
			snprintf(msg, sizeof(msg), "requires a %s namespace", spec_ns_type_name((enum spec_ns_type)ns));
			return bad(e, p, msg);
		}
	}
	return 0;
}

int spec_validate(const struct spec *s, struct oerr *e)
{
	if ((s->hostname && *s->hostname) || (s->domainname && *s->domainname)) {
		if (!spec_find_namespace(s, SPEC_NS_UTS))
			return bad(e, s->hostname && *s->hostname ? "hostname" : "domainname",
				   "requires a uts namespace");
	}
	if (s->hostname && strlen(s->hostname) > 64)
		return bad(e, "hostname", "must be at most 64 bytes");
	if (s->domainname && strlen(s->domainname) > 64)
		return bad(e, "domainname", "must be at most 64 bytes");
	if (s->linux_) {
		int r = validate_linux(s, e);
		if (r < 0)
			return r;
	}
	return 0;
}

int spec_validate_container_id(const char *id, struct oerr *e)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0)
		return oerr_setx(e, EINVAL, "invalid container id: must not be empty");
	if (n > 1024)
		return oerr_setx(e, EINVAL, "invalid container id: longer than 1024 bytes");
	bool ok = (id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= '0' && id[0] <= '9');
	for (size_t i = 1; ok && i < n; i++)
		ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-", id[i]) != NULL;
	if (!ok)
		return oerr_setx(e, EINVAL, "invalid container id \"%s\": must match [A-Za-z0-9][A-Za-z0-9_.+-]*", id);
	return 0;
}
