/* ocirt: global flags, then one command. */
#include "cmd/commands.h"
#include "cmd/log.h"
#include "cmd/version.h"
#include "base/debug.h"
#include "lib/seccomp/seccomp.h"
#include "lib/container/statedir.h"
#include "lib/process/namespace.h"
#include "lib/criu/criu.h"
#include "base/util.h"
#include "oci/spec.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/random.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct global_opts G = { .root = STATEDIR_DEFAULT_ROOT };

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "create", cmd_create, "create a container" },
	{ "start", cmd_start, "start the process of a created container" },
	{ "run", cmd_run, "create and start a container" },
	{ "exec", cmd_exec, "run a process in a running container" },
	{ "state", cmd_state, "print the state of a container" },
	{ "kill", cmd_kill, "send a signal to the container's init" },
	{ "delete", cmd_delete, "delete a container and what it holds" },
	{ "list", cmd_list, "list the containers" },
	{ "pause", cmd_pause, "freeze every process of a container" },
	{ "resume", cmd_resume, "thaw a paused container" },
	{ "ps", cmd_ps, "list the processes of a container" },
	{ "update", cmd_update, "change the resource limits of a container" },
	{ "events", cmd_events, "print resource statistics of a container" },
	{ "checkpoint", cmd_checkpoint, "checkpoint a running container with CRIU" },
	{ "restore", cmd_restore, "restore a container from a checkpoint" },
	{ "spec", cmd_spec, "write a default config.json" },
	{ "features", cmd_features, "print what this runtime supports (JSON)" },
};

int parse_config_piece(const char *path, const char *prefix, const char *suffix, const char *what,
		       struct spec **out, struct oerr *e)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int ret = strcmp(path, "-") ? spec_read_json_file(AT_FDCWD, path, &text, &len, e)
				    : read_fd_max(0, "standard input", SPEC_JSON_MAX, SPEC_JSON_MAX_TEXT, &text, &len, e);
	if (ret < 0)
		return ret;
	_cleanup_free_ char *wrapped = NULL;
	int n = asprintf(&wrapped, "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},%s%s%s}",
			 prefix, text, suffix);
	if (n < 0)
		return oerr_setx(e, ENOMEM, "%s", what);
	if ((ret = spec_parse(wrapped, (size_t)n, out, e)) < 0)
		return oerr_wrap(e, "%s %s", what, path);
	return 0;
}

/* --rootless: true, false (as Go's strconv.ParseBool spells them, as runc
 * takes them) or auto: rootless when not root, or root in a user namespace. */
static int parse_rootless(const char *v, bool *out, struct oerr *e)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	if (!v || !strcmp(v, "auto")) {
		G.rootless_auto = true;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(v, yes[i]))
			return *out = true, 0;
		if (!strcmp(v, no[i]))
			return *out = false, 0;
	}
	return oerr_setx(e, EINVAL, "--rootless: expected true, false or auto, got \"%s\"", v);
}

bool global_rootless(void)
{
	if (G.rootless_auto) {
		G.rootless = geteuid() != 0 || userns_running_in();
		G.rootless_auto = false;
	}
	return G.rootless;
}

/* Without --root: $XDG_RUNTIME_DIR/ocirt for a user other than root (also
 * root in a user namespace, unless $USER says root), as runc does. */
static const char *default_root(void)
{
	static char buf[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (!xdg || !*xdg || xdg[0] != '/')
		return STATEDIR_DEFAULT_ROOT;
	if (geteuid() == 0) {
		const char *user = getenv("USER");
		if (!userns_running_in() || (user && !strcmp(user, "root")))
			return STATEDIR_DEFAULT_ROOT;
	}
	if ((size_t)snprintf(buf, sizeof(buf), "%s/ocirt", xdg) >= sizeof(buf))
		return STATEDIR_DEFAULT_ROOT;
	return buf;
}

int fail(const struct oerr *e)
{
	log_error(e->msg[0] ? e->msg : "unknown error");
	return 1;
}

bool wants_help(int argc, char **argv, const char *usage, const struct opt *opts)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			opts_help(usage, opts);
			return true;
		}
	}
	return false;
}

int one_id_args(const char *cmd, const struct opt *opts, int argc, char **argv, const char **id, struct oerr *e)
{
	char usage[64];
	snprintf(usage, sizeof(usage), "ocirt %s [options] <container-id>", cmd);
	if (wants_help(argc, argv, usage, opts))
		return 1;
	const char *pos[1];
	int argi = 0, npos;
	if (opts_parse(cmd, opts, argc, argv, &argi, pos, 1, &npos, 0, e) < 0)
		return -e->code;
	if (npos != 1)
		return oerr_setx(e, EINVAL, "%s: exactly one container id is required", cmd);
	*id = pos[0];
	return 0;
}

static void usage(void)
{
	printf("ocirt: an OCI container runtime\n\n"
	       "Usage: ocirt [global options] command [command options] [arguments...]\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\nGlobal options:\n"
	       "  --root value          state directory (default: " STATEDIR_DEFAULT_ROOT
	       ", or $XDG_RUNTIME_DIR/ocirt for a user other than root)\n"
	       "  --log value           log file (default: stderr only)\n"
	       "  --log-format value    text or json (default: text)\n"
	       "  --debug               log debug messages\n"
	       "  --systemd-cgroup      use systemd for cgroups\n"
	       "  --rootless value      true, false or auto (default): when true, a cgroup the user may not\n"
	       "                        create is skipped if the config sets no limits\n"
	       "  --criu value          criu binary for checkpoint/restore (default: $CRIU, else criu in PATH)\n"
	       "  --help, -h            show help\n"
	       "  --version, -v         print the version\n");
}

#if defined(__SANITIZE_ADDRESS__)
/* The sanitizer build's runtime checks no leaks at exit, whoever starts it
 * (an engine's conmon passes no ASAN_OPTIONS on): exec joins the
 * container's pid namespace, where LeakSanitizer's tracer, a child, is born
 * and cannot see its parent to attach to it, and it waits for that forever
 * (podman exec hung so). The unit tests keep their leak checks. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

int main(int argc, char **argv)
{
	const char *log_path = NULL, *log_format = NULL;
	bool help = false, version = false;
	const char *rootless_s = NULL, *root = NULL;
	const struct opt globals[] = {
		{ "root", 0, OPT_STR, &root, NULL },
		{ "log", 0, OPT_STR, &log_path, NULL },
		{ "log-format", 0, OPT_STR, &log_format, NULL },
		{ "debug", 0, OPT_BOOL, &G.debug, NULL },
		{ "systemd-cgroup", 0, OPT_BOOL, &G.systemd_cgroup, NULL },
		{ "rootless", 0, OPT_STR, &rootless_s, NULL },
		{ "criu", 0, OPT_STR, &G.criu, NULL },
		{ "help", 'h', OPT_BOOL, &help, NULL },
		{ "version", 'v', OPT_BOOL, &version, NULL },
		{ 0 },
	};
	/* jansson seeds its hash tables from /dev/urandom (an open, a read and
	 * a close) unless told: one getrandom instead. */
	size_t seed = 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed) && seed)
		json_object_seed(seed);
	struct oerr e = { 0 };
	int argi = 1, npos;
	const char *pos[1];
	if (opts_parse("ocirt", globals, argc, argv, &argi, pos, 1, &npos, 1, &e) < 0) {
		fprintf(stderr, "ocirt: %s\n", e.msg);
		return 1;
	}
	if (version) {
		/* runc's lines: engines (dockerd) read "commit:" and "libseccomp:". */
		char v[32];
		printf("ocirt version %s\ncommit: %s\nspec: 1.3.0\nlibseccomp: %s\n", OCIRT_VERSION,
		       OCIRT_COMMIT, libseccomp_version(v, sizeof(v)));
		const char *criu = cr_libcriu_version();
		if (criu)
			printf("libcriu: %s (checkpoint/restore)\n", criu);
		else
			printf("libcriu: none (built without it: no checkpoint/restore)\n");
		return 0;
	}
	if (help || npos == 0) {
		usage();
		return help ? 0 : 1;
	}
	if (log_setup(log_path, log_format, G.debug) < 0)
		return 1;
	if (parse_rootless(rootless_s, &G.rootless, &e) < 0) {
		log_error(e.msg);
		return 1;
	}
	G.root = root ? root : default_root();
	debug_step("ocirt %s (version %s, commit %s), root %s", pos[0], OCIRT_VERSION, OCIRT_COMMIT, G.root);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, pos[0]))
			return commands[i].fn(argc - argi, argv + argi);
	char msg[256];
	snprintf(msg, sizeof(msg), "unknown command \"%s\"", pos[0]);
	log_error(msg);
	return 1;
}
