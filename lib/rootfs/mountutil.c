#include "lib/rootfs/mountutil.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/rootfs/procfs.h"

int mnt_at_fd(const char *src, int target_fd, const char *type, unsigned long flags, const char *data)
{
	char p[PROCFS_FD_PATH_MAX];
	procfs_fd_path(target_fd, p);
	if (mount(src, p, type, flags, data) < 0)
		return -errno;
	return 0;
}

int mnt_clone(int src_dfd, const char *src_path, bool recursive)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	if (recursive)
		flags |= AT_RECURSIVE;
	if (!*src_path)
		flags |= AT_EMPTY_PATH;
	int fd = open_tree(src_dfd, src_path, flags);
	return fd < 0 ? -errno : fd;
}

int mnt_attach(int tree_fd, int target_fd)
{
	if (move_mount(tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int mnt_setattr(int fd, bool recursive, uint64_t attr_set, uint64_t attr_clr)
{
	if (!attr_set && !attr_clr)
		return 0;
	struct mount_attr a = { .attr_set = attr_set, .attr_clr = attr_clr };
	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0)
		return -errno;
	return 0;
}

int mnt_propagation(int fd, unsigned long ms)
{
	struct mount_attr a = { .propagation = ms & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE) };
	if (mount_setattr(fd, "", AT_EMPTY_PATH | ((ms & MS_REC) ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0)
		return -errno;
	return 0;
}

int mnt_new_fs(const char *type, const char *const *params, uint64_t attrs)
{
	int fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	int r = 0;
	for (const char *const *p = params; p && *p && r == 0; p++) {
		const char *eq = strchr(*p, '=');
		if (!eq) {
			if (fsconfig(fs, FSCONFIG_SET_FLAG, *p, NULL, 0) < 0)
				r = -errno;
			continue;
		}
		char key[64];
		size_t kl = (size_t)(eq - *p);
		if (kl >= sizeof(key)) {
			r = -EINVAL;
			break;
		}
		memcpy(key, *p, kl);
		key[kl] = '\0';
		if (fsconfig(fs, FSCONFIG_SET_STRING, key, eq + 1, 0) < 0)
			r = -errno;
	}
	if (r == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		r = -errno;
	int m = -1;
	if (r == 0) {
		m = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs);
		if (m < 0)
			r = -errno;
	}
	close(fs);
	return r < 0 ? r : m;
}

int mnt_id_of(int fd, uint64_t *id)
{
	struct statx sx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
		return -errno;
	if (!(sx.stx_mask & STATX_MNT_ID))
		return -ENOSYS;
	*id = sx.stx_mnt_id;
	return 0;
}

int mnt_is_root(int fd, bool *root)
{
	struct statx sx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0, &sx) < 0)
		return -errno;
	if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -ENOSYS;
	*root = (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	return 0;
}
