/* create, start, kill, delete. */
#include "cmd/commands.h"
#include "cmd/signals.h"
#include "lib/container/container.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Socket activation (sd_listen_fds(3)): LISTEN_FDS=n in our environment
 * means fds 3 .. 3+n-1 are listening sockets for the container, as crun
 * takes it (whatever LISTEN_PID says: an engine between systemd and us has
 * another pid). */
static int listen_fds(const char *cmd, int *n, struct oerr *e)
{
	const char *v = getenv("LISTEN_FDS");
	*n = 0;
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	long l = strtol(v, &end, 10);
	if (errno || *end || l < 0 || l > (1 << 20))
		return oerr_setx(e, EINVAL, "%s: LISTEN_FDS in the environment: \"%s\" is not a number of fds", cmd, v);
	*n = (int)l;
	return 0;
}

int create_args(const char *cmd, struct create_opts *o, const struct opt *extra, int argc, char **argv,
		struct oerr *e)
{
	const struct opt common[] = {
		{ "bundle", 'b', OPT_STR, &o->bundle, "path to the bundle (default: current directory)" },
		{ "pid-file", 0, OPT_STR, &o->pid_file, "write the init's pid to this file" },
		{ "console-socket", 0, OPT_STR, &o->console_socket, "unix socket that receives the pty master" },
		{ "preserve-fds", 0, OPT_INT, &o->preserve_fds, "pass this many fds after 2 to the container" },
		{ "no-pivot", 0, OPT_BOOL, &o->no_pivot, "use MS_MOVE + chroot instead of pivot_root" },
		{ "no-new-keyring", 0, OPT_BOOL, &o->no_new_keyring, "keep the caller's session keyring" },
	};
	enum { NCOMMON = sizeof(common) / sizeof(common[0]), MAX_EXTRA = 8 };
	size_t nextra = 0;
	while (extra && extra[nextra].name)
		nextra++;
	if (nextra > MAX_EXTRA)
		return oerr_setx(e, EINVAL, "%s: %zu extra flags, at most %d", cmd, nextra, MAX_EXTRA);
	/* run's extras follow the common ones; a zeroed entry ends the table. */
	struct opt opts[NCOMMON + MAX_EXTRA + 1] = { 0 };
	memcpy(opts, common, sizeof(common));
	if (nextra)
		memcpy(opts + NCOMMON, extra, nextra * sizeof(*extra));
	int ret = one_id_args(cmd, opts, argc, argv, &o->id, e);
	if (ret != 0)
		return ret;
	if (o->preserve_fds < 0)
		return oerr_setx(e, EINVAL, "%s: --preserve-fds must not be negative", cmd);
	o->notify_socket = getenv("NOTIFY_SOCKET");
	return listen_fds(cmd, &o->listen_fds, e);
}

int cmd_create(int argc, char **argv)
{
	struct create_opts o = { .root = G.root, .console_fd = -1, .systemd_cgroup = G.systemd_cgroup,
				  .rootless = global_rootless() };
	struct oerr e = { 0 };
	int ret = create_args("create", &o, NULL, argc, argv, &e);
	if (ret != 0)
		return ret < 0 ? fail(&e) : 0;
	pid_t pid;
	if (container_create(&o, &pid, &e) < 0)
		return fail(&e);
	return 0;
}

/* Commands that take only an id, plus optional flags. */
static int one_id(const char *cmd, const char *usage, const struct opt *opts, int argc, char **argv,
		  const char **id, const char **extra, struct oerr *e)
{
	const char *pos[2];
	int argi = 0, npos;
	if (opts_parse(cmd, opts, argc, argv, &argi, pos, extra ? 2 : 1, &npos, 0, e) < 0)
		return -EINVAL;
	if (npos < 1)
		return oerr_setx(e, EINVAL, "%s: a container id is required (usage: %s)", cmd, usage);
	*id = pos[0];
	if (extra)
		*extra = npos > 1 ? pos[1] : NULL;
	return 0;
}

int cmd_start(int argc, char **argv)
{
	static const struct opt opts[] = { { 0 } };
	const char *usage = "ocirt start <container-id>";
	if (wants_help(argc, argv, usage, opts))
		return 0;
	struct oerr e = { 0 };
	const char *id;
	if (one_id("start", usage, opts, argc, argv, &id, NULL, &e) < 0)
		return fail(&e);
	/* NOTIFY_SOCKET: listen before the process runs, wait for its READY=1 after. */
	const char *host = getenv("NOTIFY_SOCKET");
	pid_t init = 0;
	int sock = host && *host ? container_notify_listen(G.root, id, &init, &e) : -ENOENT;
	if (sock < 0 && sock != -ENOENT)
		return fail(&e);
	if (container_start(G.root, id, &e) < 0) {
		if (sock >= 0)
			close(sock);
		return fail(&e);
	}
	if (sock < 0)
		return 0;
	int ret = container_notify_forward(sock, host, init, init, &e);
	close(sock);
	return ret < 0 ? fail(&e) : 0;
}

int cmd_kill(int argc, char **argv)
{
	bool all = false;
	const struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "signal every process in the container" },
		{ 0 },
	};
	const char *usage = "ocirt kill [--all] <container-id> [signal]";
	if (wants_help(argc, argv, usage, opts))
		return 0;
	struct oerr e = { 0 };
	const char *id, *signame;
	if (one_id("kill", usage, opts, argc, argv, &id, &signame, &e) < 0)
		return fail(&e);
	int sig = signal_parse(signame ? signame : "SIGTERM");
	if (sig < 0) {
		oerr_setx(&e, EINVAL, "kill: unknown signal \"%s\"", signame);
		return fail(&e);
	}
	struct container c;
	if (container_open(G.root, id, false, &c, &e) < 0)
		return fail(&e);
	int ret = container_kill(&c, sig, all, &e);
	container_close(&c);
	return ret < 0 ? fail(&e) : 0;
}

int cmd_delete(int argc, char **argv)
{
	bool force = false;
	const struct opt opts[] = {
		{ "force", 'f', OPT_BOOL, &force, "kill the container first if it is running" },
		{ 0 },
	};
	const char *usage = "ocirt delete [--force] <container-id>";
	if (wants_help(argc, argv, usage, opts))
		return 0;
	struct oerr e = { 0 };
	const char *id;
	if (one_id("delete", usage, opts, argc, argv, &id, NULL, &e) < 0 ||
	    container_delete(G.root, id, force, &e) < 0)
		return fail(&e);
	return 0;
}

int cmd_state(int argc, char **argv)
{
	static const struct opt opts[] = { { 0 } };
	const char *usage = "ocirt state <container-id>";
	if (wants_help(argc, argv, usage, opts))
		return 0;
	struct oerr e = { 0 };
	const char *id;
	struct container c;
	if (one_id("state", usage, opts, argc, argv, &id, NULL, &e) < 0 ||
	    container_open(G.root, id, false, &c, &e) < 0)
		return fail(&e);
	char *json = NULL;
	int ret = container_state_json(&c, &json, &e);
	container_close(&c);
	if (ret < 0)
		return fail(&e);
	printf("%s\n", json);
	free(json);
	return 0;
}
