/* Finding and running the helper programs that ship beside ocirt. */
#include "base/helper.h"
#include "base/util.h"
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef OCIRT_LIBEXECDIR
#define OCIRT_LIBEXECDIR "/usr/local/libexec/ocirt"
#endif

static bool is_program(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int helper_find(const char *name, char *path, size_t len, struct oerr *e)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(path, len, "%s/%s", self, name) < len && is_program(path))
				return 0;
		}
	}
	if ((size_t)snprintf(path, len, "%s/%s", OCIRT_LIBEXECDIR, name) < len && is_program(path))
		return 0;
	return oerr_setx(e, ENOENT, "%s not found (looked beside %s and in %s)", name, n > 0 ? self : "ocirt",
			 OCIRT_LIBEXECDIR);
}

/* The child: the fds to pass lose close-on-exec, stdout and stderr go where told. */
static __attribute__((noreturn)) void exec_helper(const char *path, const char *const *args, const int *pass,
						  size_t n_pass, int out_fd, int err_fd)
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		_exit(127);
	argv[0] = (char *)path;
	memcpy(argv + 1, args, n * sizeof(*argv));
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(127);
	for (size_t i = 0; i < n_pass; i++) {
		int fl = fcntl(pass[i], F_GETFD);
		if (fl < 0 || fcntl(pass[i], F_SETFD, fl & ~FD_CLOEXEC) < 0)
			_exit(127);
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(path, argv);
	dprintf(2, "exec %s: %s\n", path, strerror(errno));
	_exit(127);
}

int helper_run(const char *name, const char *const *args, const int *pass, size_t n_pass, char **out,
	       struct oerr *e)
{
	char path[PATH_MAX];
	int ret = helper_find(name, path, sizeof(path), e);
	if (ret < 0)
		return ret;
	int p[2];
	/* stderr goes to a memfd: it never fills up while stdout is read. */
	_cleanup_close_ int err_fd = memfd_create("ocirt-helper-stderr", MFD_CLOEXEC);
	if (err_fd < 0)
		return oerr_set(e, errno, "run %s: memfd", name);
	if (pipe2(p, O_CLOEXEC) < 0)
		return oerr_set(e, errno, "run %s: pipe", name);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return oerr_set(e, errno, "run %s: fork", name);
	}
	if (pid == 0)
		exec_helper(path, args, pass, n_pass, p[1], err_fd);
	close(p[1]);
	char *text = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (cap - len < 4096) {
			char *t = realloc(text, cap + 8192);
			if (!t)
				break;
			text = t;
			cap += 8192;
		}
		ssize_t r = read(p[0], text + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(p[0]);
	if (text)
		text[len] = '\0';
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char msg[sizeof(e->msg) - 64] = "";
		ssize_t m = pread(err_fd, msg, sizeof(msg) - 1, 0);
		for (ssize_t i = m > 0 ? m : 0; i > 0 && msg[i - 1] == '\n'; i--)
			m = i - 1;
		msg[m > 0 ? m : 0] = '\0';
		/* Its lines (a warning or two, then the error) as one. */
		char joined[sizeof(msg) * 2];
		size_t j = 0;
		for (const char *c = msg; *c && j < sizeof(joined) - 3; c++) {
			if (*c == '\n') {
				joined[j++] = ';';
				joined[j++] = ' ';
			} else {
				joined[j++] = *c;
			}
		}
		joined[j] = '\0';
		free(text);
		if (WIFSIGNALED(status))
			return oerr_setx(e, EIO, "%s was killed by signal %d%s%s", name, WTERMSIG(status),
					 *joined ? ": " : "", joined);
		if (!*joined)
			return oerr_setx(e, EIO, "%s exited with status %d", name, WEXITSTATUS(status));
		return oerr_setx(e, EIO, "%s", joined);
	}
	if (out)
		*out = text ? text : strdup("");
	else
		free(text);
	if (out && !*out)
		return oerr_setx(e, ENOMEM, "run %s", name);
	return 0;
}
