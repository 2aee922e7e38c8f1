#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_at(int dirfd, const char *path, const void *buf, size_t len, bool create, struct oerr *e)
{
	int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;
	if (create)
		flags |= O_CREAT | O_TRUNC;
	_cleanup_close_ int fd = openat(dirfd, path, flags, 0644);
	if (fd < 0)
		return oerr_set(e, errno, "open %s", path);
	int r = write_all(fd, buf, len);
	if (r < 0)
		return oerr_set(e, -r, "write %s", path);
	return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *lenp, struct oerr *e)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return oerr_set(e, errno, "open %s", path);
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		return oerr_set(e, ENOMEM, "read %s", path);
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb)
				return oerr_set(e, ENOMEM, "read %s", path);
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return oerr_set(e, errno, "read %s", path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	*out = steal_ptr(buf);
	return 0;
}

int read_fd_max(int fd, const char *name, size_t max, const char *max_text, char **out, size_t *lenp,
		struct oerr *e)
{
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		return oerr_set(e, ENOMEM, "read %s", name);
	for (;;) {
		if (len == cap) {
			/* One byte past max tells a file that is too large. */
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if (ncap <= cap)
				return oerr_setx(e, EFBIG, "%s: more than the %s limit", name, max_text);
			char *nb = realloc(buf, ncap + 1);
			if (!nb)
				return oerr_set(e, ENOMEM, "read %s", name);
			buf = nb;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return oerr_set(e, errno, "read %s", name);
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return oerr_setx(e, EFBIG, "%s: more than the %s limit", name, max_text);
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	*out = steal_ptr(buf);
	return 0;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "of an unknown type";
}

int read_regular_file_at(int dirfd, const char *path, size_t max, const char *max_text, char **out,
			 size_t *len, struct oerr *e)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return oerr_set(e, errno, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return oerr_set(e, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return oerr_setx(e, EINVAL, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
	if ((uintmax_t)st.st_size > max)
		return oerr_setx(e, EFBIG, "%s: %jd bytes, more than the %s limit", path, (intmax_t)st.st_size,
				 max_text);
	return read_fd_max(fd, path, max, max_text, out, len, e);
}

bool path_at_or_under(const char *p, const char *dir)
{
	size_t l = strlen(dir);
	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(p, dir, l) && (p[l] == '\0' || p[l] == '/');
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int cmp_fd(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

void close_fds(int *fds, size_t n)
{
	qsort(fds, n, sizeof(*fds), cmp_fd);
	for (size_t i = 0; i < n;) {
		if (fds[i] < 0) {
			i++;
			continue;
		}
		size_t j = i;
		while (j + 1 < n && fds[j + 1] == fds[j] + 1)
			j++;
		if (j == i || syscall(SYS_close_range, (unsigned)fds[i], (unsigned)fds[j], 0) < 0)
			for (size_t k = i; k <= j; k++)
				close(fds[k]);
		i = j + 1;
	}
}

int pidfd_open_or_nosys(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0)
		return fd;
	return errno == ENOSYS || errno == EPERM ? -ENOSYS : -errno;
}
