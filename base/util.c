#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

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
