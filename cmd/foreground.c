#include "cmd/foreground.h"
#include "base/util.h"
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>

struct fg_wait {
	struct foreground *f;
	pid_t pid;
	bool stdin_open;
	bool exited;
	int status;
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

static void handle_signal(struct fg_wait *w)
{
	struct signalfd_siginfo si;
	if (read(w->f->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	int sig = (int)si.ssi_signo;
	if (sig == SIGCHLD) {
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			if (p == w->pid) {
				w->exited = true;
				w->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			}
		}
	} else if (sig == SIGWINCH) {
		resize_from_stdin(w->f->master);
	} else if (sig != SIGPIPE) {
		kill(w->pid, sig);
	}
}

void foreground_begin(struct foreground *f)
{
	sigset_t all;
	sigfillset(&all);
	f->master = -1;
	sigprocmask(SIG_BLOCK, &all, &f->old_mask);
	f->sfd = signalfd(-1, &all, SFD_CLOEXEC);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

int foreground_wait(struct foreground *f, pid_t pid)
{
	struct fg_wait w = { .f = f, .pid = pid, .stdin_open = true };
	bool master_open = f->master >= 0;
	struct termios saved;
	bool raw = master_open && isatty(0) && tcgetattr(0, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		/* Output processing stays on, as runc has it: the container's pty
		 * sends "\n" (ONLCR cleared there) and ours makes it "\r\n". */
		t.c_oflag |= OPOST;
		tcsetattr(0, TCSANOW, &t);
		resize_from_stdin(f->master);
	}
	/* The process may have exited before the signalfd existed for its SIGCHLD. */
	int st;
	if (waitpid(pid, &st, WNOHANG) == pid) {
		w.exited = true;
		w.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	while (!w.exited) {
		struct pollfd p[3] = {
			{ .fd = f->sfd, .events = POLLIN },
			{ .fd = w.stdin_open && master_open ? 0 : -1, .events = POLLIN },
			{ .fd = master_open ? f->master : -1, .events = POLLIN },
		};
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			handle_signal(&w);
		if (p[1].revents & (POLLIN | POLLHUP))
			copy_once(0, f->master, &w.stdin_open);
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			copy_once(f->master, 1, &master_open);
	}
	/* Drain what the process wrote before it exited. */
	while (master_open) {
		struct pollfd p = { .fd = f->master, .events = POLLIN };
		if (poll(&p, 1, 0) <= 0)
			break;
		copy_once(f->master, 1, &master_open);
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	return w.status;
}

void foreground_end(struct foreground *f)
{
	if (f->master >= 0)
		close(f->master);
	f->master = -1;
	if (f->sfd >= 0)
		close(f->sfd);
	f->sfd = -1;
	sigprocmask(SIG_SETMASK, &f->old_mask, NULL);
}
