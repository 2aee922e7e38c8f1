/* process.env plus HOME and socket activation (procenv.h). The passwd file is
 * the container's: read after pivot_root, resolved inside the root without
 * magic links, and only when it is a regular file, so that an image cannot
 * point it at a host file, a fifo that blocks or a device. */
#include "lib/process/procenv.h"
#include "lib/rootfs/pathres.h"
#include "base/util.h"
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define PASSWD_MAX_BYTES (16u << 20)
#define PASSWD_LINE_MAX 4096

int passwd_line_home(const char *line, size_t len, uint32_t uid, const char **home, size_t *home_len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	if (!len || *line == '#')
		return 0;
	/* field i spans [start[i], end[i]) */
	const char *start[6], *end[6];
	size_t nf = 0;
	const char *p = line, *stop = line + len;
	while (nf < 6) {
		const char *colon = memchr(p, ':', (size_t)(stop - p));
		start[nf] = p;
		end[nf] = colon ? colon : stop;
		nf++;
		if (!colon)
			break;
		p = colon + 1;
	}
	if (nf < 3 || start[2] == end[2])
		return 0;
	uint64_t v = 0;
	for (const char *q = start[2]; q < end[2]; q++) {
		if (*q < '0' || *q > '9')
			return 0;
		v = v * 10 + (uint64_t)(*q - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	if (v != uid)
		return 0;
	if (nf < 6) {
		*home = "";
		*home_len = 0;
	} else {
		*home = start[5];
		*home_len = (size_t)(end[5] - start[5]);
	}
	return 1;
}

static int found(const char *h, size_t hl, char **home)
{
	*home = hl ? strndup(h, hl) : strdup("/");
	return *home ? 1 : -ENOMEM;
}

int passwd_home_fd(int fd, uint32_t uid, char **home)
{
	char buf[PASSWD_LINE_MAX];
	size_t have = 0, total = 0;
	bool skipping = false;	/* in a line longer than buf: dropped */
	const char *h;
	size_t hl;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 && have && !skipping && passwd_line_home(buf, have, uid, &h, &hl))
				return found(h, hl, home);
			return 0;
		}
		have += (size_t)n;
		total += (size_t)n;
		char *line = buf, *nl;
		while ((nl = memchr(line, '\n', (size_t)(buf + have - line)))) {
			if (!skipping && passwd_line_home(line, (size_t)(nl - line), uid, &h, &hl))
				return found(h, hl, home);
			skipping = false;
			line = nl + 1;
		}
		size_t rest = (size_t)(buf + have - line);
		if (rest == sizeof(buf)) {
			skipping = true;
			rest = 0;
		}
		memmove(buf, line, rest);
		have = rest;
		if (total >= PASSWD_MAX_BYTES)
			return 0;
	}
}

static bool is_home(const char *kv)
{
	return strncmp(kv, "HOME=", 5) == 0;
}

bool procenv_needs_home(const struct spec_process *p)
{
	const char *last = NULL;
	for (size_t i = 0; p->env && p->env[i]; i++)
		if (is_home(p->env[i]))
			last = p->env[i];
	return !last || !last[5];
}

static bool has_key(char **env, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], key, kl) == 0 && env[i][kl] == '=')
			return true;
	return false;
}

char **procenv_build(const struct spec_process *p, const char *home, int listen_fds)
{
	size_t n = 0;
	while (p->env && p->env[n])
		n++;
	char **v = calloc(n + 4, sizeof(*v));
	if (!v)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		if (!home || !is_home(p->env[i]))
			v[o++] = p->env[i];
	size_t added = o;	/* v[added...] are ours */
	char *kv;
	if (home) {
		if (asprintf(&kv, "HOME=%s", home) < 0)
			goto oom;
		v[o++] = kv;
	}
	if (listen_fds > 0 && !has_key(p->env, "LISTEN_FDS")) {
		if (asprintf(&kv, "LISTEN_FDS=%d", listen_fds) < 0)
			goto oom;
		v[o++] = kv;
	}
	if (listen_fds > 0 && !has_key(p->env, "LISTEN_PID")) {
		if (!(kv = strdup("LISTEN_PID=1")))
			goto oom;
		v[o++] = kv;
	}
	return v;
oom:
	for (size_t i = added; i < o; i++)
		free(v[i]);
	free(v);
	return NULL;
}

/* /etc/passwd of the current root, opened for reading as described above, or -1. */
static int open_passwd(void)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	int fd = -1;
	if (pathres_have_openat2()) {
		struct open_how how = {
			.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		fd = (int)syscall(SYS_openat2, root, "etc/passwd", &how, sizeof(how));
		if (fd < 0 && !pathres_openat2_refused(errno))
			return -1;
	}
	if (fd < 0) {
		/* No openat2: resolve to an O_PATH fd, then reopen it once it is known to be a file. */
		struct oerr ignored;
		_cleanup_close_ int path = pathres_open(root, "etc/passwd", 0, &ignored);
		struct stat st;
		if (path < 0 || fstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			return -1;
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path);
		fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

int procenv_prepare(const struct spec_process *p, int listen_fds, char ***env, struct oerr *e)
{
	_cleanup_free_ char *home = NULL;
	if (procenv_needs_home(p)) {
		_cleanup_close_ int fd = open_passwd();
		if (fd >= 0 && passwd_home_fd(fd, p->user.uid, &home) < 0)
			return oerr_setx(e, ENOMEM, "process.env: HOME");
		if (!home && !(home = strdup("/")))
			return oerr_setx(e, ENOMEM, "process.env: HOME");
	}
	if (!home && listen_fds <= 0) {
		*env = p->env;
		return 0;
	}
	if (!(*env = procenv_build(p, home, listen_fds)))
		return oerr_setx(e, ENOMEM, "process.env");
	return 0;
}
