/* spec and features. */
#include "cmd/commands.h"
#include "base/util.h"
#include "oci/default_spec.h"
#include "lib/net/netdev.h"
#include "lib/criu/criu.h"
#include "lib/resctrl/resctrl.h"
#include <limits.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <stdio.h>
#include <string.h>

int cmd_spec(int argc, char **argv)
{
	const char *bundle = NULL;
	bool rootless = false;
	const struct opt opts[] = {
		{ "bundle", 'b', OPT_STR, &bundle, "directory to write config.json into" },
		{ "rootless", 0, OPT_BOOL, &rootless, "a config for a container run by an unprivileged user" },
		{ 0 },
	};
	if (wants_help(argc, argv, "ocirt spec [--bundle DIR] [--rootless]", opts))
		return 0;
	struct oerr e = { 0 };
	const char *pos[1];
	int argi = 0, npos;
	if (opts_parse("spec", opts, argc, argv, &argi, pos, 0, &npos, 0, &e) < 0)
		return fail(&e);
	_cleanup_free_ char *text = spec_default_json(rootless);
	if (!text) {
		oerr_setx(&e, ENOMEM, "spec: encode config.json");
		return fail(&e);
	}
	_cleanup_close_ int dfd = open(bundle ? bundle : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		oerr_set(&e, errno, "spec: open bundle %s", bundle ? bundle : ".");
		return fail(&e);
	}
	_cleanup_close_ int fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			oerr_setx(&e, EEXIST, "spec: config.json exists, remove it first");
		else
			oerr_set(&e, errno, "spec: create config.json");
		return fail(&e);
	}
	size_t len = strlen(text);
	if (write_all(fd, text, len) < 0 || write_all(fd, "\n", 1) < 0) {
		oerr_set(&e, errno, "spec: write config.json");
		return fail(&e);
	}
	return 0;
}

static json_t *strings(const char *const *v)
{
	json_t *a = json_array();
	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *capability_names(void)
{
	json_t *a = json_array();
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		char *name = cap_to_name(c);
		if (!name)
			continue;
		char up[64] = "CAP_";
		size_t i = 4;
		const char *n = strncmp(name, "cap_", 4) ? name : name + 4;
		for (; *n && i < sizeof(up) - 1; n++)
			up[i++] = (char)(*n >= 'a' && *n <= 'z' ? *n - 32 : *n);
		up[i] = '\0';
		cap_free(name);
		json_array_append_new(a, json_string(up));
	}
	return a;
}

int cmd_features(int argc, char **argv)
{
	static const struct opt opts[] = { { 0 } };
	if (wants_help(argc, argv, "ocirt features", opts))
		return 0;
	static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
					     "startContainer", "poststart", "poststop", NULL };
	static const char *const mount_options[] = {
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
		"idmap", "iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime",
		"noexec", "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime",
		"nosuid", "nosymfollow", "private", "rbind", "relatime", "remount", "ro",
		"rprivate", "rro", "rrw", "rshared", "rslave", "rnosuid", "rnodev", "rnoexec",
		"rsuid", "rdev", "rexec", "ridmap", "rnoatime", "rrelatime", "rstrictatime",
		"rnosymfollow", "rsymfollow", "runbindable", "rw", "shared", "silent", "slave",
		"strictatime", "suid", "symfollow", "sync", "unbindable", NULL };
	static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid",
						  "time", "user", "uts", NULL };
	static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
		"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
		"SCMP_ACT_TRACE", "SCMP_ACT_TRAP", NULL };
	static const char *const operators[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
		"SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL };
	static const char *const archs[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
		"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
	static const char *const seccomp_flags[] = { "SECCOMP_FILTER_FLAG_LOG",
		"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC", NULL };

	static const char *const mpol_modes[] = { "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE",
		"MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL", NULL };
	static const char *const mpol_flags[] = { "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
		"MPOL_F_STATIC_NODES", NULL };

	json_t *linux_ = json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:{s:b, s:o, s:o, s:o, s:o, s:o},"
				   " s:{s:b}, s:{s:b}}",
				   "namespaces", strings(namespaces),
				   "capabilities", capability_names(),
				   "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0,
				   "seccomp", "enabled", 1, "actions", strings(actions),
				   "operators", strings(operators), "archs", strings(archs),
				   "knownFlags", strings(seccomp_flags),
				   "supportedFlags", strings(seccomp_flags),
				   "apparmor", "enabled", 1, "selinux", "enabled", 1);
	/* Only where resctrl is mounted, as runc says: a config with intelRdt fails elsewhere. */
	char rdt_root[PATH_MAX];
	struct oerr ignored;
	bool rdt = rdt_find_root("/proc/self/mountinfo", rdt_root, sizeof(rdt_root), &ignored) == 0;
	json_object_set_new(linux_, "intelRdt", json_pack("{s:b, s:b, s:b}", "enabled", rdt, "schemata", rdt,
							  "monitoring", rdt));
	json_object_set_new(linux_, "netDevices", json_pack("{s:b}", "enabled", netdev_supported()));
	json_object_set_new(linux_, "mountExtensions", json_pack("{s:{s:b}}", "idmap", "enabled", 1));
	json_object_set_new(linux_, "memoryPolicy", json_pack("{s:o, s:o}", "modes", strings(mpol_modes),
							      "flags", strings(mpol_flags)));
	/* runc's annotation: whether checkpoint/restore (CRIU) is there. */
	const char *criu = cr_libcriu_version();
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s}}",
			      "ociVersionMin", "1.0.0", "ociVersionMax", "1.3.0",
			      "hooks", strings(hooks), "mountOptions", strings(mount_options),
			      "linux", linux_, "annotations",
			      "org.opencontainers.runtime-spec.features", "1.3.0",
			      "org.opencontainers.runc.checkpoint.enabled", criu ? "true" : "false");
	if (o && criu)
		json_object_set_new(json_object_get(o, "annotations"), "io.github.checkpoint-restore.criu.libcriu.version",
				    json_string(criu));
	char *text = o ? json_dumps(o, JSON_INDENT(4)) : NULL;
	json_decref(o);
	if (!text) {
		struct oerr e;
		oerr_setx(&e, ENOMEM, "features: encode");
		return fail(&e);
	}
	printf("%s\n", text);
	free(text);
	return 0;
}
