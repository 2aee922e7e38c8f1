/* run: create + start, and in the foreground wait for the container's init,
 * forwarding signals (and proxying its terminal), then delete it. */
#include "commands.h"
#include "lib/container.h"
#include "lib/pty.h"
#include "lib/util.h"
#include "foreground.h"
#include <stdio.h>
#include <string.h>

int cmd_run(int argc, char **argv)
{
	struct create_opts o = { .root = G.root, .console_fd = -1, .systemd_cgroup = G.systemd_cgroup };
	bool detach = false, keep = false;
	const struct opt opts[] = {
		{ "bundle", 'b', OPT_STR, &o.bundle, "path to the bundle (default: current directory)" },
		{ "pid-file", 0, OPT_STR, &o.pid_file, "write the init's pid to this file" },
		{ "console-socket", 0, OPT_STR, &o.console_socket, "unix socket that receives the pty master" },
		{ "preserve-fds", 0, OPT_INT, &o.preserve_fds, "pass this many fds after 2 to the container" },
		{ "no-pivot", 0, OPT_BOOL, &o.no_pivot, "use MS_MOVE + chroot instead of pivot_root" },
		{ "no-new-keyring", 0, OPT_BOOL, &o.no_new_keyring, "keep the caller's session keyring" },
		{ "detach", 'd', OPT_BOOL, &detach, "do not wait for the container's process" },
		{ "keep", 0, OPT_BOOL, &keep, "do not delete the container after it exits" },
		{ 0 },
	};
	if (wants_help(argc, argv, "ocirt run [options] <container-id>", opts))
		return 0;
	struct oerr e = { 0 };
	const char *pos[1];
	int argi = 0, npos;
	if (opts_parse("run", opts, argc, argv, &argi, pos, 1, &npos, 0, &e) < 0)
		return fail(&e);
	if (npos != 1) {
		oerr_setx(&e, EINVAL, "run: exactly one container id is required");
		return fail(&e);
	}
	o.id = pos[0];
	pid_t pid;
	if (detach) {
		if (container_create(&o, &pid, &e) < 0 || container_start(G.root, o.id, &e) < 0) {
			struct oerr ignored;
			if (e.code != EEXIST)
				container_delete(G.root, o.id, true, &ignored);
			return fail(&e);
		}
		return 0;
	}

	struct foreground f;
	int console_pair = -1;
	o.console_pair = &console_pair;
	foreground_begin(&f);
	int ret = container_create(&o, &pid, &e);
	if (ret == 0 && console_pair >= 0)
		ret = terminal_recv_master(console_pair, &f.master, &e);
	if (console_pair >= 0)
		close(console_pair);
	if (ret == 0)
		ret = container_start(G.root, o.id, &e);
	if (ret < 0) {
		struct oerr ignored;
		if (e.code != EEXIST)
			container_delete(G.root, o.id, true, &ignored);
		foreground_end(&f);
		return fail(&e);
	}
	int status = foreground_wait(&f, pid);
	if (!keep && container_delete(G.root, o.id, true, &e) < 0)
		fail(&e);
	foreground_end(&f);
	return status;
}
