#include "default_spec.h"
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

static json_t *strings(const char *const *v)
{
	json_t *a = json_array();
	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *mount(const char *dst, const char *type, const char *src, const char *const *opts)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dst, "type", type, "source", src,
			 "options", strings(opts));
}

char *spec_default_json(bool rootless)
{
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL };
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
		"/proc/scsi", NULL };
	static const char *const readonly[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };
	json_t *mounts = json_array();
	json_array_append_new(mounts, mount("/proc", "proc", "proc", (const char *[]){ NULL }));
	json_array_append_new(mounts, mount("/dev", "tmpfs", "tmpfs",
		(const char *[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL }));
	json_array_append_new(mounts, mount("/dev/pts", "devpts", "devpts",
		(const char *[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
				  rootless ? NULL : "gid=5", NULL }));
	json_array_append_new(mounts, mount("/dev/shm", "tmpfs", "shm",
		(const char *[]){ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL }));
	json_array_append_new(mounts, mount("/dev/mqueue", "mqueue", "mqueue",
		(const char *[]){ "nosuid", "noexec", "nodev", NULL }));
	if (rootless)
		json_array_append_new(mounts, mount("/sys", "none", "/sys",
			(const char *[]){ "rbind", "nosuid", "noexec", "nodev", "ro", NULL }));
	else
		json_array_append_new(mounts, mount("/sys", "sysfs", "sysfs",
			(const char *[]){ "nosuid", "noexec", "nodev", "ro", NULL }));
	if (!rootless)
		json_array_append_new(mounts, mount("/sys/fs/cgroup", "cgroup", "cgroup",
			(const char *[]){ "nosuid", "noexec", "nodev", "relatime", "ro", NULL }));

	json_t *ns = json_array();
	const char *const kinds[] = { "pid", "ipc", "uts", "mount", rootless ? "user" : "network",
				      rootless ? NULL : "cgroup", NULL };
	for (const char *const *k = kinds; *k; k++)
		json_array_append_new(ns, json_pack("{s:s}", "type", *k));
	json_t *linux_ = json_pack("{s:o, s:o, s:o}", "namespaces", ns, "maskedPaths", strings(masked),
				   "readonlyPaths", strings(readonly));
	if (rootless) {
		json_object_set_new(linux_, "uidMappings", json_pack("[{s:i, s:I, s:i}]", "containerID", 0,
			"hostID", (json_int_t)geteuid(), "size", 1));
		json_object_set_new(linux_, "gidMappings", json_pack("[{s:i, s:I, s:i}]", "containerID", 0,
			"hostID", (json_int_t)getegid(), "size", 1));
	} else {
		json_object_set_new(linux_, "resources", json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0,
								   "access", "rwm"));
	}
	json_t *process = json_pack("{s:b, s:{s:i, s:i}, s:o, s:s, s:o, s:{s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], s:b}",
		"terminal", 1, "user", "uid", 0, "gid", 0, "args", strings((const char *[]){ "sh", NULL }),
		"cwd", "/", "env", strings(env),
		"capabilities", "bounding", strings(caps), "effective", strings(caps), "permitted", strings(caps),
		"rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
		"noNewPrivileges", 1);
	json_t *spec = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", SPEC_OCI_VERSION,
				 "process", process, "root", "path", "rootfs", "readonly", 1,
				 "hostname", "ocirt", "mounts", mounts, "linux", linux_);
	char *text = spec ? json_dumps(spec, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(spec);
	return text;
}
