/* run: create + start, and in the foreground wait for the container's init,
 * forwarding signals (and proxying its terminal), then delete it. */
#include "cmd/commands.h"
#include "lib/container/container.h"
#include "lib/process/pty.h"
#include "base/util.h"
#include "base/debug.h"
#include "cmd/foreground.h"
#include <stdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <string.h>

/* NOTIFY_SOCKET: the container's socket, bound before its process runs. */
static int listen_notify(const struct create_opts *o, int *fd, struct oerr *e)
{
	pid_t init;
	*fd = -1;
	if (!o->notify_socket || !*o->notify_socket)
		return 0;
	int ret = container_notify_listen(G.root, o->id, &init, e);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	*fd = ret;
	return 0;
}

/* In the foreground, we stay the process to watch (MAINPID, as runc has
 * it); a child of ours waits for READY=1 while we forward signals. */
static int forward_notify_in_child(int sock, const char *host, pid_t init, struct oerr *e)
{
	pid_t mainpid = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return oerr_set(e, errno, "NOTIFY_SOCKET: fork");
	if (pid > 0)
		return 0;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != mainpid)
		_exit(0);
	struct oerr fe = { 0 };
	if (container_notify_forward(sock, host, init, mainpid, &fe) < 0) {
		fprintf(stderr, "ocirt: %s\n", fe.msg);
		_exit(1);
	}
	_exit(0);
}

int cmd_run(int argc, char **argv)
{
	struct create_opts o = { .root = G.root, .console_fd = -1, .systemd_cgroup = G.systemd_cgroup,
				  .rootless = global_rootless() };
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
	int notify = -1;
	if (detach) {
		if (container_create(&o, &pid, &e) < 0 || listen_notify(&o, &notify, &e) < 0 ||
		    container_start(G.root, o.id, &e) < 0) {
			struct oerr ignored;
			if (e.code != EEXIST)
				container_delete(G.root, o.id, true, &ignored);
			if (notify >= 0)
				close(notify);
			return fail(&e);
		}
		if (notify < 0)
			return 0;
		ret = container_notify_forward(notify, o.notify_socket, pid, pid, &e);
		close(notify);
		return ret < 0 ? fail(&e) : 0;
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
		ret = listen_notify(&o, &notify, &e);
	if (ret == 0)
		ret = container_start(G.root, o.id, &e);
	if (ret == 0 && notify >= 0)
		ret = forward_notify_in_child(notify, o.notify_socket, pid, &e);
	if (notify >= 0)
		close(notify);
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
