#include "lib/rootfs/rootfs_copyup.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "base/util.h"

#define MAX_DEPTH 128

static int copy_file(int sdir, int ddir, const char *name, const struct stat *sb, struct oerr *e)
{
	_cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (in < 0)
		return oerr_set(e, errno, "open %s", name);
	_cleanup_close_ int out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return oerr_set(e, errno, "create %s", name);
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oerr_set(e, errno, "read %s", name);
		if (n == 0)
			break;
		int r = write_all(out, buf, (size_t)n);
		if (r < 0)
			return oerr_set(e, r, "write %s", name);
	}
	/* chown first: it drops the set-id bits that fchmod then restores */
	if (fchown(out, sb->st_uid, sb->st_gid) < 0)
		return oerr_set(e, errno, "chown %s", name);
	if (fchmod(out, sb->st_mode & 07777) < 0)
		return oerr_set(e, errno, "chmod %s", name);
	return 0;
}

static int copy_dir(int sdir, int ddir, int depth, struct oerr *e);

static int copy_entry(int sdir, int ddir, const char *name, int depth, struct oerr *e)
{
	struct stat sb;
	if (fstatat(sdir, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return oerr_set(e, errno, "stat %s", name);
	switch (sb.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(sdir, ddir, name, &sb, e);
	case S_IFDIR: {
		if (mkdirat(ddir, name, 0700) < 0)
			return oerr_set(e, errno, "mkdir %s", name);
		_cleanup_close_ int s = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0)
			return oerr_set(e, errno, "open %s", name);
		_cleanup_close_ int d = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (d < 0)
			return oerr_set(e, errno, "open %s", name);
		int r = copy_dir(s, d, depth + 1, e);
		return r < 0 ? oerr_wrap(e, "%s", name) : 0;
	}
	case S_IFLNK: {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return oerr_set(e, errno, "readlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0)
			return oerr_set(e, errno, "symlink %s", name);
		if (fchownat(ddir, name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return oerr_set(e, errno, "chown %s", name);
		return 0;
	}
	default:
		/* devices, fifos, sockets: the tmpfs is not reachable by anyone
		 * else yet, so the node we make cannot be swapped under us */
		if (mknodat(ddir, name, sb.st_mode, sb.st_rdev) < 0)
			return oerr_set(e, errno, "mknod %s", name);
		if (fchownat(ddir, name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return oerr_set(e, errno, "chown %s", name);
		if (fchmodat(ddir, name, sb.st_mode & 07777, 0) < 0)
			return oerr_set(e, errno, "chmod %s", name);
		return 0;
	}
}

static int copy_dir(int sdir, int ddir, int depth, struct oerr *e)
{
	if (depth > MAX_DEPTH)
		return oerr_setx(e, ELOOP, "directory tree deeper than %d", MAX_DEPTH);
	int dfd = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return oerr_set(e, errno, "open directory");
	_cleanup_closedir_ DIR *d = fdopendir(dfd);
	if (!d) {
		int r = oerr_set(e, errno, "open directory");
		close(dfd);
		return r;
	}
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				return oerr_set(e, errno, "read directory");
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		int r = copy_entry(sdir, ddir, de->d_name, depth, e);
		if (r < 0)
			return r;
	}
	struct stat sb;
	if (fstat(dfd, &sb) < 0)
		return oerr_set(e, errno, "stat directory");
	/* ddir may be O_PATH: change it through a real open of it */
	_cleanup_close_ int dd = openat(ddir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dd < 0)
		return oerr_set(e, errno, "open directory");
	if (fchown(dd, sb.st_uid, sb.st_gid) < 0)
		return oerr_set(e, errno, "chown directory");
	if (fchmod(dd, sb.st_mode & 07777) < 0)
		return oerr_set(e, errno, "chmod directory");
	return 0;
}

int copyup_tree(int src_dir, int dst_dir, struct oerr *e)
{
	return copy_dir(src_dir, dst_dir, 0, e);
}
