#include "lib/rootfs/procfs.h"
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "base/util.h"
#include "lib/rootfs/pathres.h"

#define PROC_ROOT_INO 1		/* only the root of a procfs has this inode number */

void procfs_fd_path(int fd, char buf[PROCFS_FD_PATH_MAX])
{
	snprintf(buf, PROCFS_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

int procfs_check_fd(int fd, const char *what, struct oerr *e)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return oerr_set(e, errno, "statfs %s", what);
	if (sf.f_type != PROC_SUPER_MAGIC)
		return oerr_setx(e, EXDEV, "%s is not on procfs", what);
	return 0;
}

int procfs_open_checked(const char *path_in_proc, int flags, struct oerr *e)
{
	_cleanup_close_ int root = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		return oerr_set(e, errno, "open /proc");
	int r = procfs_check_fd(root, "/proc", e);
	if (r < 0)
		return r;
	struct stat sb;
	if (fstat(root, &sb) < 0)
		return oerr_set(e, errno, "stat /proc");
	if (sb.st_ino != PROC_ROOT_INO)
		return oerr_setx(e, EXDEV, "/proc is not the root of a procfs");

	while (*path_in_proc == '/')
		path_in_proc++;
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	if (flags & (O_CREAT | O_TMPFILE))
		how.mode = 0644;
	long fd = syscall(SYS_openat2, root, path_in_proc, &how, sizeof(how));
	if (fd < 0 && pathres_openat2_refused(errno))
		fd = openat(root, path_in_proc, flags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return oerr_set(e, errno, "open /proc/%s", path_in_proc);
	char what[512];
	snprintf(what, sizeof(what), "/proc/%s", path_in_proc);
	if ((r = procfs_check_fd((int)fd, what, e)) < 0) {
		close((int)fd);
		return r;
	}
	return (int)fd;
}
