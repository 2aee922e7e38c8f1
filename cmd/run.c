/* run: create + start, and in the foreground wait for the container's init,
 * forwarding signals (and proxying its terminal), then delete it. */
#include "commands.h"
#include "lib/container.h"
#include "lib/terminal.h"
#include "lib/util.h"
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>

struct fg {
	pid_t init;
	int sfd;
	int master;		/* pty master, -1 without a terminal */
	bool stdin_open;
	int status;
	bool exited;
};

static void resize_from_stdin(int master)
{
	struct winsize ws;
	if (master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

static void copy_once(int from, int to, bool *open_flag)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			*open_flag = false;
		return;
	}
	write_all(to, buf, (size_t)n);
}

static void handle_signal(struct fg *f)
{
	struct signalfd_siginfo si;
	if (read(f->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	int sig = (int)si.ssi_signo;
	if (sig == SIGCHLD) {
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			if (p == f->init) {
				f->exited = true;
				f->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			}
		}
	} else if (sig == SIGWINCH) {
		resize_from_stdin(f->master);
	} else if (sig != SIGPIPE) {
		kill(f->init, sig);
	}
}

static void wait_foreground(struct fg *f)
{
	bool master_open = f->master >= 0;
	while (!f->exited) {
		struct pollfd p[3] = {
			{ .fd = f->sfd, .events = POLLIN },
			{ .fd = f->stdin_open && master_open ? 0 : -1, .events = POLLIN },
			{ .fd = master_open ? f->master : -1, .events = POLLIN },
		};
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			handle_signal(f);
		if (p[1].revents & (POLLIN | POLLHUP))
			copy_once(0, f->master, &f->stdin_open);
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			copy_once(f->master, 1, &master_open);
	}
	/* Drain what the container wrote before it exited. */
	while (master_open) {
		struct pollfd p = { .fd = f->master, .events = POLLIN };
		if (poll(&p, 1, 0) <= 0)
			break;
		copy_once(f->master, 1, &master_open);
	}
}

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

	struct fg f = { .sfd = -1, .master = -1, .stdin_open = true };
	int console_pair = -1;
	o.console_pair = &console_pair;
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	f.sfd = signalfd(-1, &all, SFD_CLOEXEC);
	/* Two-stage inits are grandchildren: adopt them so that we can reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
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
		if (f.master >= 0)
			close(f.master);
		return fail(&e);
	}
	f.init = pid;
	struct termios saved;
	bool raw = f.master >= 0 && isatty(0) && tcgetattr(0, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
		resize_from_stdin(f.master);
	}
	wait_foreground(&f);
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	if (f.master >= 0)
		close(f.master);
	if (!keep && container_delete(G.root, o.id, true, &e) < 0)
		fail(&e);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return f.status;
}
