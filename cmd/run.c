/* run: create + start, and in the foreground wait for the container's init,
 * forwarding signals (and proxying its terminal), then delete it. */
#include "cmd/commands.h"
#include "lib/container/container.h"
#include "lib/process/pty.h"
#include "base/util.h"
#include "base/debug.h"
#include "cmd/foreground.h"
#include <stdio.h>
#include <string.h>

int cmd_run(int argc, char **argv)
{
	struct create_opts o = { .root = G.root, .console_fd = -1, .systemd_cgroup = G.systemd_cgroup,
				  .rootless = G.rootless };
	bool detach = false, keep = false;
	const struct opt extra[] = {
		{ "detach", 'd', OPT_BOOL, &detach, "do not wait for the container's process" },
		{ "keep", 0, OPT_BOOL, &keep, "do not delete the container after it exits" },
		{ 0 },
	};
	struct oerr e = { 0 };
	int ret = create_args("run", &o, extra, argc, argv, &e);
	if (ret != 0)
		return ret < 0 ? fail(&e) : 0;
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
	ret = container_create(&o, &pid, &e);
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
	debug_step("run: the process exited (status %d)", status);
	if (!keep && container_delete(G.root, o.id, true, &e) < 0)
		fail(&e);
	foreground_end(&f);
	return status;
}
