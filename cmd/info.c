/* spec and features. */
#include "cmd/commands.h"
#include "base/util.h"
#include "oci/default_spec.h"
#include "lib/net/netdev.h"
#include "lib/criu/criu.h"
#include "lib/process/capabilities.h"
#include "lib/resctrl/resctrl.h"
#include "lib/rootfs/mountopts.h"
#include "lib/seccomp/seccomp.h"
#include "lib/cgroup/cgroup.h"
#include <limits.h>
#include <fcntl.h>
#include <jansson.h>
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

/* A list of names the parser knows, those for which supported() is true
 * when it is given (what this libseccomp and kernel can do). */
static json_t *known(enum spec_names list, bool (*supported)(const char *))
{
	json_t *a = json_array();
	const char *name;
	for (size_t i = 0; (name = spec_known_name(list, i)); i++)
		if (!supported || supported(name))
			json_array_append_new(a, json_string(name));
	return a;
}

static json_t *mount_options(void)
{
	json_t *a = json_array();
	const char *name;
	for (size_t i = 0; (name = mountopts_name(i)); i++)
		json_array_append_new(a, json_string(name));
	return a;
}

static json_t *capability_names(void)
{
	json_t *a = json_array();
	for (int c = 0; caps_name(c); c++)
		json_array_append_new(a, json_string(caps_name(c)));
	return a;
}

int cmd_features(int argc, char **argv)
{
	static const struct opt opts[] = { { 0 } };
	if (wants_help(argc, argv, "ocirt features", opts))
		return 0;
	static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
					     "startContainer", "poststart", "poststop", NULL };
	json_t *linux_ = json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:{s:b, s:o, s:o, s:o, s:o, s:o},"
				   " s:{s:b}, s:{s:b}}",
				   "namespaces", known(SPEC_NAMES_NAMESPACES, NULL),
				   "capabilities", capability_names(),
				   "cgroup", "v1", 1, "v2", 1, "systemd", cgroup_systemd_supported(), "systemdUser", 0, "rdma", 1,
				   "seccomp", "enabled", 1, "actions", known(SPEC_NAMES_SECCOMP_ACTIONS, NULL),
				   "operators", known(SPEC_NAMES_SECCOMP_OPERATORS, NULL),
				   "archs", known(SPEC_NAMES_SECCOMP_ARCHES, seccomp_arch_supported),
				   "knownFlags", known(SPEC_NAMES_SECCOMP_FLAGS, NULL),
				   "supportedFlags", known(SPEC_NAMES_SECCOMP_FLAGS, seccomp_flag_supported),
				   "apparmor", "enabled", 1, "selinux", "enabled", 1);
	/* Only where resctrl is mounted, as runc says: a config with intelRdt fails elsewhere. */
	char rdt_root[PATH_MAX];
	struct oerr ignored;
	bool rdt = rdt_find_root("/proc/self/mountinfo", rdt_root, sizeof(rdt_root), &ignored) == 0;
	json_object_set_new(linux_, "intelRdt", json_pack("{s:b, s:b, s:b}", "enabled", rdt, "schemata", rdt,
							  "monitoring", rdt));
	json_object_set_new(linux_, "netDevices", json_pack("{s:b}", "enabled", netdev_supported()));
	json_object_set_new(linux_, "mountExtensions", json_pack("{s:{s:b}}", "idmap", "enabled", 1));
	json_object_set_new(linux_, "memoryPolicy",
			    json_pack("{s:o, s:o}", "modes", known(SPEC_NAMES_MEMORY_POLICY_MODES, NULL),
				      "flags", known(SPEC_NAMES_MEMORY_POLICY_FLAGS, NULL)));
	/* runc's annotation: whether checkpoint/restore (CRIU) is there. */
	const char *criu = cr_libcriu_version();
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s}}",
			      "ociVersionMin", "1.0.0", "ociVersionMax", "1.3.0",
			      "hooks", strings(hooks), "mountOptions", mount_options(),
			      "linux", linux_, "annotations",
			      "org.opencontainers.runtime-spec.features", "1.3.0",
			      "org.opencontainers.runc.checkpoint.enabled", criu ? "true" : "false");
	/* Annotations of config.json that change what ocirt does. */
	static const char *const unsafe_annotations[] = { "org.criu.config", NULL };
	if (o)
		json_object_set_new(o, "potentiallyUnsafeConfigAnnotations", strings(unsafe_annotations));
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
