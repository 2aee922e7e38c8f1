/* The default config.json of `ocirt spec`: runc's example, with ocirt's hostname. */
#include "oci/default_spec.h"
#include "base/util.h"
#include <jansson.h>
#include <string.h>
#include <unistd.h>

struct mount_def {
	const char *destination, *type, *source;
	const char *options[8];
};

static const struct mount_def mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
	{ "/dev/pts", "devpts", "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
	{ "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
	{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
	{ "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
};

/* Without CAP_SYS_ADMIN in the host's user namespace sysfs cannot be mounted
 * fresh (no network namespace of our own), so the host's is bound. */
static const struct mount_def rootless_sys = {
	"/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL },
};

static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };

static const char *const masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
	"/sys/devices/virtual/powercap", "/sys/devices/virtual/tpm", NULL,
};

static const char *const readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* rootless drops uid=/gid= options: those ids need not exist in the mapping. */
static json_t *strings(const char *const *v, bool drop_ids)
{
	json_t *a = json_array();
	for (; a && *v; v++) {
		if (drop_ids && (!strncmp(*v, "uid=", 4) || !strncmp(*v, "gid=", 4)))
			continue;
		if (json_array_append_new(a, json_string(*v)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *mount_list(bool rootless)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < ARRAY_SIZE(mounts); i++) {
		const struct mount_def *m = &mounts[i];
		if (rootless && !strcmp(m->destination, "/sys"))
			m = &rootless_sys;
		json_t *o = json_pack("{s:s, s:s, s:s}", "destination", m->destination, "type", m->type,
				      "source", m->source);
		if (o && m->options[0] && json_object_set_new(o, "options", strings(m->options, rootless)) < 0) {
			json_decref(o);
			o = NULL;
		}
		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *process(void)
{
	return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:{s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1,
			 "user", "uid", 0, "gid", 0,
			 "args", "sh",
			 "env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
			 "cwd", "/",
			 "capabilities", "bounding", strings(caps, false), "effective", strings(caps, false),
			 "permitted", strings(caps, false),
			 "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
			 "noNewPrivileges", 1);
}

static json_t *namespaces(bool rootless)
{
	if (rootless)
		return json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "ipc",
				 "type", "uts", "type", "mount", "type", "user");
	return json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "network",
			 "type", "ipc", "type", "uts", "type", "mount", "type", "cgroup");
}

static json_t *linux_object(bool rootless)
{
	json_t *l = json_object();
	if (!l)
		return NULL;
	int r = 0;
	if (rootless) {
		json_int_t uid = geteuid(), gid = getegid();
		r |= json_object_set_new(l, "uidMappings", json_pack("[{s:i, s:I, s:i}]", "containerID", 0,
								     "hostID", uid, "size", 1));
		r |= json_object_set_new(l, "gidMappings", json_pack("[{s:i, s:I, s:i}]", "containerID", 0,
								     "hostID", gid, "size", 1));
	} else {
		r |= json_object_set_new(l, "resources", json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0,
								   "access", "rwm"));
	}
	r |= json_object_set_new(l, "namespaces", namespaces(rootless));
	r |= json_object_set_new(l, "maskedPaths", strings(masked, false));
	r |= json_object_set_new(l, "readonlyPaths", strings(readonly, false));
	if (r) {
		json_decref(l);
		return NULL;
	}
	return l;
}

/* jansson indents with spaces; runc's file uses one tab per level. Strings
 * are escaped on output, so every leading blank of a line is indentation. */
static void spaces_to_tabs(char *s)
{
	bool bol = true;
	for (; *s; s++) {
		if (*s == '\n')
			bol = true;
		else if (bol && *s == ' ')
			*s = '\t';
		else
			bol = false;
	}
}

char *spec_default_json(bool rootless)
{
	json_t *root = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}",
				 "ociVersion", SPEC_OCI_VERSION,
				 "process", process(),
				 "root", "path", "rootfs", "readonly", 1,
				 "hostname", "ocirt",
				 "mounts", mount_list(rootless),
				 "linux", linux_object(rootless));
	if (!root)
		return NULL;
	char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text)
		spaces_to_tabs(text);
	return text;
}
