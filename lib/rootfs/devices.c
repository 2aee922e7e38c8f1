#include "lib/rootfs/devices.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "lib/rootfs/mountutil.h"
#include "lib/rootfs/pathres.h"
#include "base/util.h"

struct node {
	const char *path;	/* in the container; also the host node bound in a user namespace */
	char type;		/* 'c', 'u', 'b', 'p' */
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

/* config-linux.md "Default Devices" */
static const struct node defaults[] = {
	{ "/dev/null", 'c', 1, 3, 0666, 0, 0 },
	{ "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
	{ "/dev/full", 'c', 1, 7, 0666, 0, 0 },
	{ "/dev/random", 'c', 1, 8, 0666, 0, 0 },
	{ "/dev/urandom", 'c', 1, 9, 0666, 0, 0 },
	{ "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

static mode_t ifmt(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

/* The directory of the last node or link made: most are in /dev, which is
 * resolved once for all of them. */
struct dircache {
	char *dir;	/* cleaned path of the directory, or NULL */
	int fd;
};

static void dircache_clear(struct dircache *dc)
{
	free(dc->dir);
	dc->dir = NULL;
	if (dc->fd >= 0)
		close(dc->fd);
	dc->fd = -1;
}

/* pathres_open_parent(rootfd, path, PATHRES_MKDIR), through the cache: the
 * fd stays the cache's (the caller must not close it). */
static int open_parent(struct dircache *dc, int rootfd, const char *path, char **name, struct oerr *e)
{
	_cleanup_free_ char *clean = pathres_clean(path);
	if (!clean)
		return oerr_set(e, ENOMEM, "resolve %s in rootfs", path);
	char *slash = strrchr(clean, '/');
	if (slash != clean && dc->dir && strlen(dc->dir) == (size_t)(slash - clean) &&
	    !strncmp(dc->dir, clean, (size_t)(slash - clean))) {
		if (!(*name = strdup(slash + 1)))
			return oerr_set(e, ENOMEM, "resolve %s in rootfs", path);
		return dc->fd;
	}
	dircache_clear(dc);
	int fd = pathres_open_parent(rootfd, path, PATHRES_MKDIR, name, e);
	if (fd < 0)
		return fd;
	dc->fd = fd;
	/* not cached when the directory is "/" or strndup fails */
	if (slash != clean)
		dc->dir = strndup(clean, (size_t)(slash - clean));
	return fd;
}

/* Empty whatever the rootfs has at name: a node the image shipped (or a symlink
 * it planted) must not stand in for the one we make. */
static int clear_entry(int dir, const char *name, const char *path, struct oerr *e)
{
	if (unlinkat(dir, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno == EISDIR)
		return oerr_setx(e, EISDIR, "create %s: a directory is in the way", path);
	return oerr_set(e, errno, "remove %s from the rootfs", path);
}

/* A device node in a user namespace: a bind mount, nosuid and noexec, of
 * the node the runtime made (given, lib/rootfs/mountfds.h) or else of the
 * host's node at the same path. */
static int bind_node(int dir, const char *name, const struct node *n, int given, struct oerr *e)
{
	int fd = openat(dir, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return oerr_set(e, errno, "create %s", n->path);
	close(fd);
	_cleanup_close_ int target = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return oerr_set(e, errno, "open %s", n->path);
	_cleanup_close_ int tree = given >= 0 ? dup(given) : mnt_clone(AT_FDCWD, n->path, false);
	if (tree < 0)
		return oerr_set(e, given >= 0 ? errno : -tree, "mount %s on %s", n->path, n->path);
	int r;
	if (given < 0 && (r = mnt_setattr(tree, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0)) < 0)
		return oerr_set(e, r, "mount %s on %s: nosuid,noexec", n->path, n->path);
	r = mnt_attach(tree, target);
	if (r < 0)
		return oerr_set(e, r, "mount %s on %s", n->path, n->path);
	/* a clone of the host's /dev mount is in its peer group */
	if ((r = mnt_propagation(tree, MS_PRIVATE)) < 0)
		return oerr_set(e, r, "make the mount on %s private", n->path);
	return 0;
}

static int make_node(struct dircache *dc, int rootfd, const struct node *n, bool bind, int given,
		     struct oerr *e)
{
	_cleanup_free_ char *name = NULL;
	int dir = open_parent(dc, rootfd, n->path, &name, e);
	if (dir < 0)
		return oerr_wrap(e, "create device %s", n->path);
	dev_t dev = n->type == 'p' ? 0 : makedev(n->major, n->minor);
	mode_t type = ifmt(n->type);
	int r;
	/* a fifo needs no privilege, so it is made even in a user namespace */
	if ((bind || given >= 0) && n->type != 'p') {
		if ((r = clear_entry(dir, name, n->path, e)) < 0)
			return r;
		return bind_node(dir, name, n, given, e);
	}
	/* Whatever the rootfs has there goes first (clear_entry), but only
	 * when there is something: a fresh /dev has nothing. */
	int made = mknodat(dir, name, type | (n->mode & 07777), dev);
	if (made < 0 && errno == EEXIST) {
		if ((r = clear_entry(dir, name, n->path, e)) < 0)
			return r;
		made = mknodat(dir, name, type | (n->mode & 07777), dev);
	}
	if (made < 0) {
		if (errno == EPERM && n->type != 'p')
			return bind_node(dir, name, n, -1, e);
		return oerr_set(e, errno, "mknod %s", n->path);
	}
	struct stat sb;
	if (fstatat(dir, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return oerr_set(e, errno, "stat %s", n->path);
	if ((sb.st_mode & S_IFMT) != type || (n->type != 'p' && sb.st_rdev != dev))
		return oerr_setx(e, EEXIST, "create device %s: another node took its place", n->path);
	if (sb.st_uid == n->uid && sb.st_gid == n->gid)
		return 0;	/* made with the owner it needs */
	/* chown what was checked, not whatever is at the name by then */
	_cleanup_close_ int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "open %s", n->path);
	if (fstat(fd, &sb) < 0)
		return oerr_set(e, errno, "stat %s", n->path);
	if ((sb.st_mode & S_IFMT) != type || (n->type != 'p' && sb.st_rdev != dev))
		return oerr_setx(e, EEXIST, "create device %s: another node took its place", n->path);
	if (fchownat(fd, "", n->uid, n->gid, AT_EMPTY_PATH) < 0)
		return oerr_set(e, errno, "chown %s", n->path);
	return 0;
}

static bool same_path(const char *a, const char *b)
{
	_cleanup_free_ char *ca = pathres_clean(a);
	_cleanup_free_ char *cb = pathres_clean(b);
	return ca && cb && strcmp(ca, cb) == 0;
}

static int make_link(struct dircache *dc, int rootfd, const char *target, const char *path, bool replace,
		     struct oerr *e)
{
	_cleanup_free_ char *name = NULL;
	int dir = open_parent(dc, rootfd, path, &name, e);
	if (dir < 0)
		return oerr_wrap(e, "symlink %s", path);
	if (symlinkat(target, dir, name) == 0)
		return 0;
	if (errno == EEXIST && replace) {
		int r = clear_entry(dir, name, path, e);
		if (r < 0)
			return r;
		if (symlinkat(target, dir, name) == 0)
			return 0;
	}
	if (errno != EEXIST)
		return oerr_set(e, errno, "symlink %s -> %s", path, target);
	return 0;
}

/* The terminal code bind-mounts the container's pty here later. */
static int make_console(int rootfd, struct oerr *e)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int dir = pathres_open_parent(rootfd, "/dev/console", PATHRES_MKDIR, &name, e);
	if (dir < 0)
		return oerr_wrap(e, "create /dev/console");
	int r = clear_entry(dir, name, "/dev/console", e);
	if (r < 0)
		return r;
	int fd = openat(dir, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0)
		return oerr_set(e, errno, "create /dev/console");
	close(fd);
	return 0;
}

static int setup(struct dircache *dc, int rootfd, const struct spec *s, bool in_userns, const int *dev_fds,
		 size_t n_dev_fds, struct oerr *e)
{
	const struct spec_linux *l = s->linux_;
	size_t nd = l ? l->n_devices : 0;
	int r;
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		bool overridden = false;
		for (size_t k = 0; k < nd && !overridden; k++)
			overridden = l->devices[k].path && same_path(l->devices[k].path, defaults[i].path);
		if (!overridden && (r = make_node(dc, rootfd, &defaults[i], in_userns, -1, e)) < 0)
			return r;
	}
	for (size_t k = 0; k < nd; k++) {
		const struct spec_device *d = &l->devices[k];
		if (!d->path)
			continue;
		/* /dev/ptmx is the devpts one, linked below */
		if (same_path(d->path, "/dev/ptmx"))
			continue;
		struct node n = {
			.path = d->path, .type = d->type,
			.major = (unsigned)d->major, .minor = (unsigned)d->minor,
			.mode = d->has_file_mode ? (mode_t)(d->file_mode & 07777) : 0666,
			.uid = d->has_uid ? d->uid : 0, .gid = d->has_gid ? d->gid : 0,
		};
		if (d->type != 'c' && d->type != 'u' && d->type != 'b' && d->type != 'p')
			return oerr_setx(e, EINVAL, "linux.devices[%zu]: unknown type '%c'", k, d->type);
		int given = dev_fds && k < n_dev_fds ? dev_fds[k] : -1;
		if ((r = make_node(dc, rootfd, &n, in_userns, given, e)) < 0)
			return oerr_wrap(e, "linux.devices[%zu]", k);
	}
	if ((r = make_link(dc, rootfd, "pts/ptmx", "/dev/ptmx", true, e)) < 0)
		return r;
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if ((r = make_link(dc, rootfd, links[i][0], links[i][1], false, e)) < 0)
			return r;
	/* kernels may be built without /proc/kcore */
	if (access("/proc/kcore", F_OK) == 0 && (r = make_link(dc, rootfd, "/proc/kcore", "/dev/core", false, e)) < 0)
		return r;
	if (s->process && s->process->terminal && (r = make_console(rootfd, e)) < 0)
		return r;
	return 0;
}

int devices_setup(int rootfd, const struct spec *s, bool in_userns, const int *dev_fds, size_t n_dev_fds,
		  struct oerr *e)
{
	/* node modes are exactly the configured ones */
	mode_t old = umask(0);
	struct dircache dc = { .dir = NULL, .fd = -1 };
	int r = setup(&dc, rootfd, s, in_userns, dev_fds, n_dev_fds, e);
	dircache_clear(&dc);
	umask(old);
	return r;
}
