/* fd sweeps and SCM_RIGHTS passing. */
#include "lib/process/fdutil.h"
#include "base/util.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <errno.h>
#include <sys/syscall.h>
#include <linux/close_range.h>

/* The fallback of both sweeps, for kernels without close_range (5.9) or its
 * CLOEXEC flag (5.11), and under a seccomp filter of the container's that
 * refuses it (loaded first when noNewPrivileges is false): fn on every open
 * fd in [lo, hi) that /proc/self/fd lists. */
static int walk_fds(long lo, long hi, int (*fn)(int fd, struct oerr *e), struct oerr *e)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	if (!d)
		return oerr_set(e, errno, "open /proc/self/fd");
	int self = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < lo || fd >= hi || fd == self)
			continue;
		int r = fn((int)fd, e);
		if (r < 0)
			return r;
	}
	return 0;
}

static int set_cloexec(int fd, struct oerr *e)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl >= 0 && !(fl & FD_CLOEXEC) && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return oerr_set(e, errno, "set close-on-exec on fd %d", fd);
	return 0;
}

static int close_fd(int fd, struct oerr *e)
{
	close(fd);
	return 0;
}

int fds_cloexec_from(int from, struct oerr *e)
{
	if (from < 0)
		from = 0;
	if (syscall(SYS_close_range, (unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL && errno != EPERM)
		return oerr_set(e, errno, "close_range from fd %d", from);
	return walk_fds(from, (long)~0U + 1, set_cloexec, e);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int fds_close_from(int from, const int *keep, size_t n_keep, struct oerr *e)
{
	int sorted[8];
	if (n_keep > sizeof(sorted) / sizeof(sorted[0]))
		return oerr_setx(e, EINVAL, "close fds: too many to keep");
	memcpy(sorted, keep, n_keep * sizeof(int));
	qsort(sorted, n_keep, sizeof(int), cmp_int);
	unsigned lo = from < 0 ? 0 : (unsigned)from;
	for (size_t i = 0; i <= n_keep; i++) {
		unsigned hi = i < n_keep ? (unsigned)sorted[i] : ~0U;
		if (i < n_keep && (sorted[i] < 0 || (unsigned)sorted[i] < lo)) {
			if (sorted[i] >= 0 && (unsigned)sorted[i] + 1 > lo)
				lo = (unsigned)sorted[i] + 1;
			continue;
		}
		if (hi > lo && syscall(SYS_close_range, lo, hi - 1, 0) < 0) {
			if (errno != ENOSYS && errno != EPERM)
				return oerr_set(e, errno, "close fds %u..%u", lo, hi - 1);
			int r = walk_fds(lo, (long)hi, close_fd, e);
			if (r < 0)
				return r;
		}
		if (i < n_keep)
			lo = hi + 1;
	}
	return 0;
}

int unix_connect(const char *path, const char *what, struct oerr *e)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path))
		return oerr_setx(e, ENAMETOOLONG, "%s %s: path longer than %zu bytes", what, path,
				 sizeof(addr.sun_path) - 1);
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return oerr_set(e, errno, "%s %s: socket", what, path);
	int r;
	while ((r = connect(fd, (struct sockaddr *)&addr, sizeof(addr))) < 0 && errno == EINTR)
		;
	if (r < 0) {
		int err = errno;
		close(fd);
		return oerr_set(e, err, "%s %s: connect", what, path);
	}
	return fd;
}

int fdpass_send(int sock, int fd, const void *data, size_t len, struct oerr *e)
{
	char byte = 0;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	if (!data || !len) {
		iov.iov_base = &byte;	/* SCM_RIGHTS needs at least one byte of payload */
		iov.iov_len = 1;
	}
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return oerr_set(e, errno, "send file descriptor");
	return 0;
}

int fdpass_recv(int sock, int *fd, void *data, size_t len, struct oerr *e)
{
	char byte;
	struct iovec iov = { .iov_base = data, .iov_len = len };
	if (!data || !len) {
		iov.iov_base = &byte;
		iov.iov_len = 1;
	}
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	*fd = -1;
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return oerr_set(e, errno, "receive file descriptor");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(fd, CMSG_DATA(c), sizeof(int));
			break;
		}
	if (*fd < 0)
		return oerr_setx(e, n == 0 ? EPIPE : EBADMSG, "receive file descriptor: %s",
				 n == 0 ? "peer closed the socket" : "message carries none");
	if (msg.msg_flags & MSG_CTRUNC) {
		close(*fd);
		*fd = -1;
		return oerr_setx(e, EBADMSG, "receive file descriptor: control data truncated");
	}
	return 0;
}
