#include "lib/rootfs/rootfs.h"
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "lib/rootfs/devices.h"
#include "lib/rootfs/mountopts.h"
#include "lib/rootfs/mounts.h"
#include "lib/rootfs/mountutil.h"
#include "lib/rootfs/pathres.h"
#include "lib/rootfs/procfs.h"
#include "base/util.h"

/* A detached clone of the runtime's /dev/null, taken before pivot_root (after it
 * the host's is out of reach) for maskedPaths to bind over files. */
static int devnull_tree = -1;

static int root_propagation(const struct spec *s, unsigned long *flags, struct oerr *e)
{
	const struct spec_linux *l = s->linux_;
	*flags = 0;
	if (!l)
		return 0;
	if (l->rootfs_propagation_flags) {
		*flags = l->rootfs_propagation_flags;
		return 0;
	}
	if (l->rootfs_propagation && *l->rootfs_propagation &&
	    mountopts_propagation(l->rootfs_propagation, flags) < 0)
		return oerr_setx(e, EINVAL, "linux.rootfsPropagation: unknown value %s", l->rootfs_propagation);
	return 0;
}

/* pivot_root refuses a shared parent of the new root, and a bind mount under
 * a shared parent would show up in the host's namespace: change the mount
 * that holds the rootfs (the first ancestor that is a mount point). */
static int parent_mount_propagation(const char *rootfs, unsigned long prop, struct oerr *e)
{
	unsigned long flag = (prop & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", rootfs);
	for (;;) {
		if (mount(NULL, path, NULL, flag, NULL) == 0)
			return 0;
		if (errno != EINVAL || strcmp(path, "/") == 0)
			return oerr_set(e, errno, "make the mount holding %s %s", rootfs,
					flag == MS_SLAVE ? "slave" : "private");
		char *slash = strrchr(path, '/');
		if (slash == path)
			path[1] = '\0';
		else
			*slash = '\0';
	}
}

/* No "mount" in linux.namespaces: the container shares the caller's mount
 * namespace (config-linux.md), whose propagation is left as it is. */
static bool host_mntns(const struct spec *s)
{
	return !spec_find_namespace(s, SPEC_NS_MOUNT);
}

int rootfs_prepare(const struct rootfs_opts *o, struct oerr *e)
{
	if (!o || !o->spec || !o->rootfs || o->rootfs[0] != '/')
		return oerr_setx(e, EINVAL, "rootfs: an absolute rootfs path is required");
	if (strcmp(o->rootfs, "/") == 0)
		return oerr_setx(e, EINVAL, "rootfs: the host's / cannot be the rootfs");
	bool hostns = host_mntns(o->spec);
	unsigned long prop;
	int r = root_propagation(o->spec, &prop, e);
	if (r < 0)
		return r;
	if (o->no_pivot && (prop & MS_PRIVATE) && !hostns)
		return oerr_setx(e, EINVAL, "linux.rootfsPropagation of [r]private is not safe without pivot_root");
	/* mounts are made through /proc/self/fd/N of their resolved target */
	struct statfs sf;
	if (statfs("/proc", &sf) < 0)
		return oerr_set(e, errno, "statfs /proc");
	if (sf.f_type != PROC_SUPER_MAGIC)
		return oerr_setx(e, EXDEV, "/proc of the runtime is not a procfs");

	/* Nothing done from here on may propagate back to the host. Shared is
	 * taken as asked, so that binds of shared host mounts stay in their peer
	 * groups; unbindable waits for rootfs_finalize, or no bind could be made
	 * from the mounts it covers. In the caller's namespace nothing but the
	 * rootfs's own mounts changes: they propagate as any mount made there,
	 * and `delete` takes them away (rootfs_host_unmount). */
	unsigned long rootflags = (prop & (MS_PRIVATE | MS_SLAVE | MS_SHARED)) ? prop : MS_SLAVE | MS_REC;
	if (!hostns && mount(NULL, "/", NULL, rootflags, NULL) < 0)
		return oerr_set(e, errno, "change the propagation of /");
	if (!hostns && (r = parent_mount_propagation(o->rootfs, prop, e)) < 0)
		return r;
	/* every mount of the container lands on this one, so that one detach
	 * takes them all in the caller's namespace */
	if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return oerr_set(e, errno, "bind mount the rootfs %s onto itself", o->rootfs);

	_cleanup_close_ int rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return oerr_set(e, errno, "open rootfs %s", o->rootfs);
	const struct mount_fds *fds = o->fds;
	struct mounts_ctx mc = {
		.spec = o->spec, .rootfs = o->rootfs, .bundle = o->bundle,
		.rootfd = rootfd, .in_userns = o->in_userns,
		.bind_fds = fds ? fds->bind : NULL, .n_bind_fds = fds ? fds->n_bind : 0,
	};
	for (size_t i = 0; i < o->spec->n_mounts; i++) {
		r = mounts_apply(&mc, i, e);
		rootfd = mc.rootfd;	/* a bind mount on "/" replaces it */
		if (r < 0)
			return r;
	}
	/* a /dev bound from elsewhere is used as it is: creating nodes there
	 * would change that other place */
	if (!mounts_dev_is_bind(o->spec) &&
	    (r = devices_setup(rootfd, o->spec, o->in_userns, fds ? fds->dev : NULL, fds ? fds->n_dev : 0, e)) < 0)
		return r;
	return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* With chroot the old root stays in the mount namespace, and a full procfs or
 * sysfs mount anywhere in it would let the container mount new ones (the kernel
 * only checks that some unobstructed instance is visible): take them away. */
static int hide_host_proc_sys(const char *rootfs, struct oerr *e)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", &buf, NULL, e);
	if (r < 0)
		return r;
	/* every mount (its id, parent and mount point), and which to hide */
	struct mnt { const char *id, *parent, *mp; bool hide; } *all = NULL;
	size_t n = 0, cap = 0;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6], *s2 = NULL, *tok = strtok_r(line, " ", &s2);
		int nf = 0;
		for (; tok && nf < 6; tok = strtok_r(NULL, " ", &s2))
			f[nf++] = tok;
		while (tok && strcmp(tok, "-") != 0)
			tok = strtok_r(NULL, " ", &s2);
		char *fstype = strtok_r(NULL, " ", &s2);
		if (nf < 6 || !fstype)
			continue;
		unescape(f[3]);
		unescape(f[4]);
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			struct mnt *nm = realloc(all, cap * sizeof(*nm));
			if (!nm) {
				free(all);
				return oerr_set(e, ENOMEM, "read mounts");
			}
			all = nm;
		}
		all[n++] = (struct mnt){ .id = f[0], .parent = f[1], .mp = f[4],
			.hide = (strcmp(fstype, "proc") == 0 || strcmp(fstype, "sysfs") == 0) &&
				strcmp(f[3], "/") == 0 && !path_at_or_under(f[4], rootfs) };
	}
	r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (!all[i].hide)
			continue;
		const char *p = all[i].mp;
		/* A shared parent (rootfsPropagation shared) would carry the
		 * unmount to its peers: the runtime's /proc and /sys among them. */
		for (size_t k = 0; k < n; k++) {
			if (strcmp(all[k].id, all[i].parent) != 0)
				continue;
			if (mount(NULL, all[k].mp, NULL, MS_SLAVE, NULL) < 0 && errno != ENOENT && errno != EINVAL)
				r = oerr_set(e, errno, "make %s slave", all[k].mp);
			break;
		}
		if (r < 0)
			break;
		if (mount(NULL, p, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;	/* went away with a mount above it */
			r = oerr_set(e, errno, "make %s slave", p);
			break;
		}
		if (umount2(p, MNT_DETACH) == 0)
			continue;
		if (errno != EINVAL && errno != EPERM) {
			r = oerr_set(e, errno, "unmount %s", p);
			break;
		}
		/* locked (user namespace): cover it instead */
		if (mount("tmpfs", p, "tmpfs", 0, NULL) < 0)
			r = oerr_set(e, errno, "mount tmpfs on %s", p);
	}
	free(all);
	return r;
}

static int move_root(const struct rootfs_opts *o, int rootfd, struct oerr *e)
{
	int r = hide_host_proc_sys(o->rootfs, e);
	if (r < 0)
		return r;
	if (fchdir(rootfd) < 0)
		return oerr_set(e, errno, "chdir %s", o->rootfs);
	if (mount(o->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return oerr_set(e, errno, "move %s onto /", o->rootfs);
	if (chroot(".") < 0)
		return oerr_set(e, errno, "chroot %s", o->rootfs);
	if (chdir("/") < 0)
		return oerr_set(e, errno, "chdir /");
	return 0;
}

static int pivot(const struct rootfs_opts *o, int rootfd, struct oerr *e)
{
	_cleanup_close_ int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		return oerr_set(e, errno, "open /");
	if (fchdir(rootfd) < 0)
		return oerr_set(e, errno, "chdir %s", o->rootfs);
	/* pivot_root(".", ".") stacks the old root on top of the new one, where
	 * it can be detached without needing a directory for it in the rootfs */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return oerr_set(e, errno, "pivot_root %s", o->rootfs);
	if (fchdir(oldroot) < 0)
		return oerr_set(e, errno, "chdir to the old root");
	/* slave, so that the unmount below stays in this namespace */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return oerr_set(e, errno, "make the old root slave");
	if (umount2(".", MNT_DETACH) < 0)
		return oerr_set(e, errno, "unmount the old root");
	if (chdir("/") < 0)
		return oerr_set(e, errno, "chdir /");
	return 0;
}

int rootfs_pivot(const struct rootfs_opts *o, struct oerr *e)
{
	if (!o || !o->spec || !o->rootfs)
		return oerr_setx(e, EINVAL, "rootfs: an absolute rootfs path is required");
	_cleanup_close_ int rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return oerr_set(e, errno, "open rootfs %s", o->rootfs);

	const struct spec_linux *l = o->spec->linux_;
	if (l && l->n_masked_paths && devnull_tree < 0) {
		_cleanup_close_ int t = mnt_clone(AT_FDCWD, "/dev/null", false);
		if (t < 0)
			return oerr_set(e, t, "maskedPaths: clone the mount of /dev/null");
		struct stat sb;
		if (fstat(t, &sb) < 0)
			return oerr_set(e, errno, "maskedPaths: stat /dev/null");
		if (!S_ISCHR(sb.st_mode) || sb.st_rdev != makedev(1, 3))
			return oerr_setx(e, EINVAL, "maskedPaths: the runtime's /dev/null is not the null device");
		devnull_tree = steal_fd(t);
	}

	if (host_mntns(o->spec)) {
		/* runc too: there is no mount namespace to pivot in */
		if (fchdir(rootfd) < 0)
			return oerr_set(e, errno, "chdir %s", o->rootfs);
		if (chroot(".") < 0)
			return oerr_set(e, errno, "chroot %s", o->rootfs);
		if (chdir("/") < 0)
			return oerr_set(e, errno, "chdir /");
		return 0;
	}
	return o->no_pivot ? move_root(o, rootfd, e) : pivot(o, rootfd, e);
}

int rootfs_host_mark(const char *rootfs, uint64_t *id, struct oerr *e)
{
	_cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "open rootfs %s", rootfs);
	int r = mnt_id_of(fd, id);
	if (r < 0)
		return oerr_set(e, r, "the mount of rootfs %s", rootfs);
	return 0;
}

int rootfs_host_unmount(const char *rootfs, uint64_t id, struct oerr *e)
{
	/* Whatever lies above the mount that held the rootfs at create: the
	 * init's bind of the rootfs onto itself and what came over it (a bind
	 * on "/"). Each detach takes the mounts below that one with it. The
	 * marked mount cannot go while it is below, so its id is not reused. */
	for (int i = 0; i < 64; i++) {
		uint64_t top;
		int r = rootfs_host_mark(rootfs, &top, e);
		if (r == -ENOENT)
			return 0;	/* the rootfs is gone: nothing of ours is left there */
		if (r < 0)
			return r;
		if (top == id)
			return 0;
		if (umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			return oerr_set(e, errno, "unmount the container's mounts at %s", rootfs);
	}
	return oerr_setx(e, ELOOP, "unmount the container's mounts at %s: more than 64 mounts on it", rootfs);
}

static int sysctl_path(const char *key, char *out, size_t len, struct oerr *e)
{
	/* "net.ipv4.ip_forward" → sys/net/ipv4/ip_forward; a key with slashes is a path already */
	bool slashes = strchr(key, '/') != NULL;
	int n = snprintf(out, len, "sys/%s", key);
	if (n < 0 || (size_t)n >= len)
		return oerr_setx(e, ENAMETOOLONG, "linux.sysctl %s: name too long", key);
	if (!slashes)
		for (char *p = out + 4; *p; p++)
			if (*p == '.')
				*p = '/';
	if (!*key || key[0] == '/' || key[0] == '.')
		return oerr_setx(e, EINVAL, "linux.sysctl %s: invalid name", key);
	for (const char *p = out + 4; *p;) {
		const char *c = strchr(p, '/');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == 0 || (l == 2 && p[0] == '.' && p[1] == '.') || (l == 1 && p[0] == '.'))
			return oerr_setx(e, EINVAL, "linux.sysctl %s: invalid name", key);
		p += l + (c ? 1 : 0);
	}
	return 0;
}

static int write_sysctls(const struct spec_linux *l, struct oerr *e)
{
	for (size_t i = 0; i < l->n_sysctl; i++) {
		const char *key = l->sysctl[i].key, *val = l->sysctl[i].value ? l->sysctl[i].value : "";
		char path[PATH_MAX];
		int r = sysctl_path(key, path, sizeof(path), e);
		if (r < 0)
			return r;
		_cleanup_close_ int fd = procfs_open_checked(path, O_WRONLY, e);
		if (fd < 0)
			return oerr_wrap(e, "linux.sysctl %s", key);
		if ((r = write_all(fd, val, strlen(val))) < 0)
			return oerr_set(e, r, "linux.sysctl %s: write /proc/%s", key, path);
	}
	return 0;
}

static int readonly_paths(const struct spec_linux *l, int rootfd, struct oerr *e)
{
	for (size_t i = 0; i < l->n_readonly_paths; i++) {
		const char *p = l->readonly_paths[i];
		_cleanup_close_ int fd = pathres_open(rootfd, p, 0, e);
		if (fd == -ENOENT || fd == -ENOTDIR)
			continue;	/* nothing there to protect */
		if (fd < 0)
			return oerr_wrap(e, "readonlyPaths[%zu]", i);
		/* a read-only copy of the whole subtree mounted over it: only the
		 * read-only bit changes, so flags locked in a user namespace stay */
		_cleanup_close_ int tree = mnt_clone(fd, "", true);
		if (tree < 0)
			return oerr_set(e, tree, "readonlyPaths[%zu]: bind mount %s", i, p);
		int r = mnt_setattr(tree, true, MOUNT_ATTR_RDONLY, 0);
		if (r < 0)
			return oerr_set(e, r, "readonlyPaths[%zu]: make %s read-only", i, p);
		if ((r = mnt_attach(tree, fd)) < 0)
			return oerr_set(e, r, "readonlyPaths[%zu]: bind mount %s", i, p);
	}
	return 0;
}

/* An empty read-only tmpfs over the directory fd; *mnt: the mount, to be
 * cloned for the next one. */
static int mask_dir(int fd, int *mnt)
{
	static const char *const params[] = { "nr_blocks=1", "nr_inodes=1", NULL };
	static const char *const params2[] = { "nr_blocks=1", "nr_inodes=2", NULL };
	_cleanup_close_ int m = mnt_new_fs("tmpfs", params, MOUNT_ATTR_RDONLY);
	if (m == -EINVAL)	/* some kernels want room for more than the root inode */
		m = mnt_new_fs("tmpfs", params2, MOUNT_ATTR_RDONLY);
	if (m < 0)
		return m;
	int r = mnt_attach(m, fd);
	if (r == 0)
		*mnt = steal_fd(m);
	return r;
}

static int masked_paths(const struct spec_linux *l, int rootfd, struct oerr *e)
{
	int src = -1;	/* a /dev/null mount in this namespace, to clone for the next file */
	_cleanup_close_ int dir_src = -1;	/* for directories: the first one's empty read-only tmpfs */
	for (size_t i = 0; i < l->n_masked_paths; i++) {
		const char *p = l->masked_paths[i];
		_cleanup_close_ int fd = pathres_open(rootfd, p, 0, e);
		if (fd == -ENOENT || fd == -ENOTDIR)
			continue;
		if (fd < 0)
			return oerr_wrap(e, "maskedPaths[%zu]", i);
		struct stat sb;
		if (fstat(fd, &sb) < 0)
			return oerr_set(e, errno, "maskedPaths[%zu]: stat %s", i, p);
		int r;
		if (S_ISDIR(sb.st_mode)) {
			/* One tmpfs for all of them (nothing can be written to
			 * it): the next ones get a clone of the first's mount,
			 * two calls instead of six. */
			if (dir_src < 0)
				r = mask_dir(fd, &dir_src);
			else if ((r = mnt_clone(dir_src, "", false)) >= 0) {
				int t = r;
				r = mnt_attach(t, fd);
				close(t);
			}
			if (r < 0)
				return oerr_set(e, r, "maskedPaths[%zu]: mount tmpfs on %s", i, p);
			continue;
		}
		if (src < 0) {
			if (devnull_tree < 0)
				return oerr_setx(e, EINVAL, "maskedPaths: no /dev/null was taken before pivot_root");
			if ((r = mnt_attach(devnull_tree, fd)) < 0)
				return oerr_set(e, r, "maskedPaths[%zu]: mount /dev/null on %s", i, p);
			/* a clone of the host's /dev mount is in its peer group */
			if ((r = mnt_propagation(devnull_tree, MS_PRIVATE)) < 0)
				return oerr_set(e, r, "maskedPaths[%zu]: make the mount on %s private", i, p);
			/* attached now: the detached original cannot be cloned again,
			 * but this mount of it can */
			src = devnull_tree;
			continue;
		}
		_cleanup_close_ int t = mnt_clone(src, "", false);
		if (t < 0)
			return oerr_set(e, t, "maskedPaths[%zu]: mount /dev/null on %s", i, p);
		if ((r = mnt_attach(t, fd)) < 0)
			return oerr_set(e, r, "maskedPaths[%zu]: mount /dev/null on %s", i, p);
	}
	return 0;
}

static int finalize(const struct rootfs_opts *o, struct oerr *e)
{
	const struct spec *s = o->spec;
	const struct spec_linux *l = s->linux_;
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return oerr_set(e, errno, "open /");
	int r;
	/* sysctls first: /proc/sys may be among the read-only paths */
	if (l && (r = write_sysctls(l, e)) < 0)
		return r;
	if (l && (r = readonly_paths(l, rootfd, e)) < 0)
		return r;
	if (l && (r = masked_paths(l, rootfd, e)) < 0)
		return r;
	if ((r = mounts_finish_readonly(s, rootfd, e)) < 0)
		return r;
	if (s->root_readonly && (r = mnt_setattr(rootfd, false, MOUNT_ATTR_RDONLY, 0)) < 0)
		return oerr_set(e, r, "remount / read-only");
	/* Only now, after every mount of the container (masked and read-only
	 * paths too), on its own "/": done before the pivot it would have
	 * reached the host's mounts, and unbindable would have refused every
	 * bind. Private and slave were applied to the rootfs's parent in
	 * rootfs_prepare already. */
	unsigned long prop;
	if ((r = root_propagation(s, &prop, e)) < 0)
		return r;
	if (prop && !(prop & (MS_PRIVATE | MS_SLAVE)) && mount(NULL, "/", NULL, prop, NULL) < 0)
		return oerr_set(e, errno, "apply linux.rootfsPropagation to /");
	return 0;
}

int rootfs_finalize(const struct rootfs_opts *o, struct oerr *e)
{
	if (!o || !o->spec)
		return oerr_setx(e, EINVAL, "rootfs: no spec");
	int r = finalize(o, e);
	if (devnull_tree >= 0) {
		close(devnull_tree);
		devnull_tree = -1;
	}
	return r;
}
