#include "lib/hooks/hooks.h"
#include "lib/process/process_attrs.h"
#include "lib/container/sync.h"
#include "lib/process/trampoline.h"
#include "base/util.h"
#include "base/debug.h"
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

/* Without a pidfd (kernel < 5.3) the child is polled this often. */
#define POLL_FALLBACK_MS 10

const char *hook_phase_name(enum hook_phase p)
{
	switch (p) {
	case HOOK_PRESTART: return "prestart";
	case HOOK_CREATE_RUNTIME: return "createRuntime";
	case HOOK_CREATE_CONTAINER: return "createContainer";
	case HOOK_START_CONTAINER: return "startContainer";
	case HOOK_POSTSTART: return "poststart";
	case HOOK_POSTSTOP: return "poststop";
	}
	return "unknown";
}

static void phase_hooks(const struct spec_hooks *hk, enum hook_phase p, const struct spec_hook **h, size_t *n)
{
	switch (p) {
	case HOOK_PRESTART: *h = hk->prestart; *n = hk->n_prestart; return;
	case HOOK_CREATE_RUNTIME: *h = hk->create_runtime; *n = hk->n_create_runtime; return;
	case HOOK_CREATE_CONTAINER: *h = hk->create_container; *n = hk->n_create_container; return;
	case HOOK_START_CONTAINER: *h = hk->start_container; *n = hk->n_start_container; return;
	case HOOK_POSTSTART: *h = hk->poststart; *n = hk->n_poststart; return;
	case HOOK_POSTSTOP: *h = hk->poststop; *n = hk->n_poststop; return;
	}
	*h = NULL;
	*n = 0;
}

static void close_from(unsigned first)
{
	if (syscall(SYS_close_range, first, ~0U, 0) == 0)
		return;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1U << 20))
		rl.rlim_cur = 1U << 20;
	for (unsigned fd = first; fd < rl.rlim_cur; fd++)
		close((int)fd);
}

/* In the forked child: never returns. A failure before execve is reported
 * to the parent over err_w (closed by a successful execve) as the header of
 * a SYNC_ERROR message, its val the errno: what the trampoline writes too. */
static _Noreturn void hook_child(const struct spec_hook *h, int stdin_r, int err_w, int tfd, const char *cwd)
{
	int report = err_w;

	/* The hook starts with a clean signal state: ignored dispositions
	 * (SIGPIPE in particular) and the mask survive execve otherwise. */
	procattr_reset_signals();

	/* Move both pipe ends above 3 first so that the dups below cannot
	 * clobber one another whatever numbers pipe2() handed out. */
	int in = fcntl(stdin_r, F_DUPFD_CLOEXEC, 5);
	int er = fcntl(err_w, F_DUPFD_CLOEXEC, 5);
	int t = tfd >= 0 ? fcntl(tfd, F_DUPFD_CLOEXEC, 5) : -1;
	if (in < 0 || er < 0 || (tfd >= 0 && t < 0))
		goto fail;
	report = er;
	if (dup2(in, 0) < 0 || dup3(er, 3, O_CLOEXEC) < 0 || (t >= 0 && dup3(t, 4, O_CLOEXEC) < 0))
		goto fail;
	report = 3;
	close_from(t >= 0 ? 5 : 4);
	if (cwd && chdir(cwd) < 0)
		goto fail;

	char *argv0[] = { h->path, NULL };
	char **argv = h->args && h->n_args > 0 ? h->args : argv0;
	/* A hook without env gets the runtime's own, as with runc and crun. */
	char **envp = h->env ? h->env : environ;
	if (t >= 0)
		trampoline_exec(4, 3, h->path, argv, envp);
	execve(h->path, argv, envp);
fail:;
	int32_t head[2] = { SYNC_ERROR, errno };
	if (write(report, head, sizeof(head)) < 0) {
		/* nothing left to tell anyone */
	}
	_exit(127);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feed as much of the state as the pipe takes without blocking. Returns
 * true once the writing is over (all written, or the hook closed its end). */
static bool feed_stdin(int fd, const char *buf, size_t len, size_t *off)
{
	while (*off < len) {
		ssize_t n = write(fd, buf + *off, len - *off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EPIPE and the like: the hook does not want (more of) its state. */
			return errno != EAGAIN;
		}
		*off += (size_t)n;
	}
	return true;
}

struct hook_wait {
	pid_t pid;
	int pidfd;
	bool reaped;
	int status;
};

/* Wait for the child until the deadline (-1: none) while feeding its stdin.
 * Returns 0 when reaped, -ETIMEDOUT, or another -errno. */
static int wait_feeding(struct hook_wait *w, int *stdin_w, const char *buf, size_t len, int64_t deadline)
{
	size_t off = 0;
	for (;;) {
		if (*stdin_w >= 0 && feed_stdin(*stdin_w, buf, len, &off)) {
			close(*stdin_w);
			*stdin_w = -1;
		}
		pid_t r = waitpid(w->pid, &w->status, WNOHANG);
		if (r == w->pid) {
			w->reaped = true;
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -errno;

		int timeout = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			timeout = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		if (w->pidfd < 0 && (timeout < 0 || timeout > POLL_FALLBACK_MS))
			timeout = POLL_FALLBACK_MS;
		/* poll() skips negative fds, so both entries can always be passed. */
		struct pollfd p[2] = {
			{ .fd = w->pidfd, .events = POLLIN },
			{ .fd = *stdin_w, .events = POLLOUT },
		};
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			return -errno;
	}
}

static void kill_and_reap(struct hook_wait *w)
{
	if (w->reaped)
		return;
	kill(w->pid, SIGKILL);
	while (waitpid(w->pid, &w->status, 0) < 0 && errno == EINTR)
		;
	w->reaped = true;
}

static int run_one(const char *phase, const struct spec_hook *h, const char *state, size_t len, int tfd,
		   const char *cwd, struct oerr *e)
{
	_cleanup_close_ int in_r = -1, in_w = -1, err_r = -1, err_w = -1;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return oerr_set(e, errno, "%s hook %s: pipe", phase, h->path);
	in_r = p[0], in_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return oerr_set(e, errno, "%s hook %s: pipe", phase, h->path);
	err_r = p[0], err_w = p[1];

	struct hook_wait w = { .pidfd = -1 };
	w.pid = fork();
	if (w.pid < 0)
		return oerr_set(e, errno, "%s hook %s: fork", phase, h->path);
	if (w.pid == 0)
		hook_child(h, in_r, err_w, tfd, cwd);
	close(steal_fd(in_r));
	close(steal_fd(err_w));

	/* Race-free: the child cannot be reaped by anyone but us. */
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, w.pid, 0);
	w.pidfd = pidfd;
	/* A hook that never reads must not block us: write only what fits. */
	int fl = fcntl(in_w, F_GETFL);
	if (fl < 0 || fcntl(in_w, F_SETFL, fl | O_NONBLOCK) < 0) {
		int err = errno;
		kill_and_reap(&w);
		return oerr_set(e, err, "%s hook %s: stdin pipe", phase, h->path);
	}

	/* Writing to a hook that exited raises SIGPIPE, which would kill the
	 * runtime: keep it blocked and swallow the one we caused. */
	sigset_t pipeset, oldmask, pending;
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipeset, &oldmask);
	bool pipe_was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);

	int64_t deadline = h->has_timeout ? now_ms() + (int64_t)h->timeout * 1000 : -1;
	int r = wait_feeding(&w, &in_w, state, len, deadline);
	kill_and_reap(&w);

	if (!pipe_was_pending) {
		const struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipeset, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	sigprocmask(SIG_SETMASK, &oldmask, NULL);

	if (r == -ETIMEDOUT)
		return oerr_setx(e, ETIMEDOUT, "%s hook %s: timed out after %d seconds", phase, h->path, h->timeout);
	if (r < 0)
		return oerr_set(e, -r, "%s hook %s: wait", phase, h->path);

	int32_t report[64];
	ssize_t n;
	while ((n = read(err_r, report, sizeof(report))) < 0 && errno == EINTR)
		;
	if (n >= (ssize_t)(2 * sizeof(int32_t)) && report[0] == SYNC_ERROR)
		return oerr_set(e, report[1], "%s hook %s: exec", phase, h->path);

	if (WIFEXITED(w.status) && WEXITSTATUS(w.status) != 0)
		return oerr_setx(e, EIO, "%s hook %s: exit status %d", phase, h->path, WEXITSTATUS(w.status));
	if (WIFSIGNALED(w.status))
		return oerr_setx(e, EIO, "%s hook %s: killed by signal %d", phase, h->path, WTERMSIG(w.status));
	return 0;
}

/* runtime.md "State": hooks in the container namespace get the pid as the
 * container sees it, which for the caller (the container's init) is its own.
 * startContainer runs on a created container. NULL: use the state as is. */
static char *container_ns_state(enum hook_phase phase, const char *state_json)
{
	if (phase != HOOK_CREATE_CONTAINER && phase != HOOK_START_CONTAINER)
		return NULL;
	json_t *o = json_loads(state_json, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "pid", json_integer(getpid()));
	if (phase == HOOK_START_CONTAINER)
		json_object_set_new(o, "status", json_string("created"));
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

int hooks_run(const struct spec *s, enum hook_phase phase, const char *state_json, struct oerr *e)
{
	return hooks_run_via(s, phase, state_json, -1, NULL, e);
}

int hooks_run_via(const struct spec *s, enum hook_phase phase, const char *state_json, int trampoline_fd,
		  const char *cwd, struct oerr *e)
{
	const struct spec_hook *h;
	size_t n;
	if (!s)
		return 0;
	phase_hooks(&s->hooks, phase, &h, &n);
	if (n == 0)
		return 0;
	if (!state_json)
		state_json = "";

	/* With SIGCHLD ignored the kernel reaps hooks itself and their exit
	 * status is lost; restore the default for the duration. */
	struct sigaction chld_old, chld_dfl = { .sa_handler = SIG_DFL };
	sigaction(SIGCHLD, NULL, &chld_old);
	bool chld_fix = chld_old.sa_handler == SIG_IGN || (chld_old.sa_flags & SA_NOCLDWAIT);
	if (chld_fix)
		sigaction(SIGCHLD, &chld_dfl, NULL);

	_cleanup_free_ char *own = container_ns_state(phase, state_json);
	if (own)
		state_json = own;
	int r = 0;
	for (size_t i = 0; i < n && (r == 0 || phase == HOOK_POSTSTOP); i++) {
		/* runtime.md: after a failing poststop hook the rest still run. The
		 * first failure is the result; later ones are warned about here. */
		struct oerr later = { 0 };
		int ri = run_one(hook_phase_name(phase), &h[i], state_json, strlen(state_json), trampoline_fd,
				 cwd, r < 0 ? &later : e);
		debug_step("%s hook %s: %s", hook_phase_name(phase), h[i].path,
			   ri == 0 ? "exit status 0" : (r < 0 ? later.msg : e->msg));
		if (ri < 0 && r < 0)
			fprintf(stderr, "warning: %s\n", later.msg);
		else if (ri < 0)
			r = ri;
	}

	if (chld_fix)
		sigaction(SIGCHLD, &chld_old, NULL);
	return r;
}
