/* ocirt: global flags, then one command. */
#include "cmd/commands.h"
#include "cmd/log.h"
#include "lib/container/statedir.h"
#include "base/util.h"
#include "oci/spec.h"
#include <errno.h>
#include <fcntl.h>
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

static void usage(void)
{
	printf("ocirt: an OCI container runtime\n\n"
	       "Usage: ocirt [global options] command [command options] [arguments...]\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\nGlobal options:\n"
	       "  --root value          state directory (default: " STATEDIR_DEFAULT_ROOT ")\n"
	       "  --log value           log file (default: stderr only)\n"
	       "  --log-format value    text or json (default: text)\n"
	       "  --debug               log debug messages\n"
	       "  --systemd-cgroup      use systemd for cgroups\n"
	       "  --help, -h            show help\n"
	       "  --version, -v         print the version\n");
}

int main(int argc, char **argv)
{
	const char *log_path = NULL, *log_format = NULL;
	bool help = false, version = false, rootless = false;
	const char *rootless_s = NULL, *criu = NULL;
	const struct opt globals[] = {
		{ "root", 0, OPT_STR, &G.root, NULL },
		{ "log", 0, OPT_STR, &log_path, NULL },
		{ "log-format", 0, OPT_STR, &log_format, NULL },
		{ "debug", 0, OPT_BOOL, &G.debug, NULL },
		{ "systemd-cgroup", 0, OPT_BOOL, &G.systemd_cgroup, NULL },
		{ "rootless", 0, OPT_STR, &rootless_s, NULL },
		{ "criu", 0, OPT_STR, &criu, NULL },
		{ "help", 'h', OPT_BOOL, &help, NULL },
		{ "version", 'v', OPT_BOOL, &version, NULL },
		{ 0 },
	};
	(void)rootless;
	struct oerr e = { 0 };
	int argi = 1, npos;
	const char *pos[1];
	if (opts_parse("ocirt", globals, argc, argv, &argi, pos, 1, &npos, 1, &e) < 0) {
		fprintf(stderr, "ocirt: %s\n", e.msg);
		return 1;
	}
	if (version) {
		printf("ocirt version %s\nspec: 1.3.0\n", OCIRT_VERSION);
		return 0;
	}
	if (help || npos == 0) {
		usage();
		return help ? 0 : 1;
	}
	if (log_setup(log_path, log_format, G.debug) < 0)
		return 1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, pos[0]))
			return commands[i].fn(argc - argi, argv + argi);
	char msg[256];
	snprintf(msg, sizeof(msg), "unknown command \"%s\"", pos[0]);
	log_error(msg);
	return 1;
}
