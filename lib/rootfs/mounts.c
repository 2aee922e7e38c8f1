#include "lib/rootfs/mounts.h"
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/rootfs/mountopts.h"
#include "lib/rootfs/mountutil.h"
#include "lib/rootfs/mounts_cgroup.h"
#include "lib/rootfs/pathres.h"
#include "lib/rootfs/procfs.h"
#include "lib/rootfs/rootfs_copyup.h"
#include "base/util.h"

static void mountopts_freep(struct mount_opts *o) { mountopts_free(o); }
#define _cleanup_mountopts_ _cleanup_(mountopts_freep)

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool is_bind(const struct spec_mount *m, const struct mount_opts *mo)
{
	return (mo->flags & MS_BIND) || streq(m->type, "bind");
}

/* Mounting these through a symlinked mount point has been the way to turn a
 * container's proc/sys/pts into the host's: refuse any symlink on the way. */
static bool no_symlinks_type(const char *type)
{
	return streq(type, "proc") || streq(type, "sysfs") || streq(type, "devpts") ||
	       streq(type, "cgroup") || streq(type, "cgroup2");
}

/* The same goes for anything mounted in /proc, /sys or /dev: a rootfs that
 * makes one of them a symlink is refused rather than followed, even inside. */
static unsigned target_flags(const char *type, const char *dest)
{
	if (type && no_symlinks_type(type))
		return PATHRES_NO_SYMLINKS;
	_cleanup_free_ char *clean = pathres_clean(dest);
	if (!clean)
		return PATHRES_NO_SYMLINKS;
	bool special = path_at_or_under(clean, "/proc") || path_at_or_under(clean, "/sys") ||
		       path_at_or_under(clean, "/dev");
	return special ? PATHRES_NO_SYMLINKS : 0;
}

/* Where fd really is, as a path inside the container (the rootfs prefix dropped). */
static int container_path(const struct mounts_ctx *c, size_t i, int fd, char *out, size_t len, struct oerr *e)
{
	char p[PROCFS_FD_PATH_MAX], link[PATH_MAX];
	procfs_fd_path(fd, p);
	ssize_t n = readlink(p, link, sizeof(link) - 1);
	if (n < 0)
		return oerr_set(e, errno, "mounts[%zu]: readlink %s", i, p);
	link[n] = '\0';
	size_t rl = strlen(c->rootfs);
	if (strcmp(c->rootfs, "/") == 0)
		rl = 0;
	if (strncmp(link, c->rootfs, rl) != 0 || (link[rl] != '/' && link[rl] != '\0'))
		return oerr_setx(e, EXDEV, "mounts[%zu]: mount point %s is outside the rootfs %s", i, link, c->rootfs);
	if (link[rl] == '\0' || strcmp(link + rl, "/") == 0)
		return oerr_setx(e, EINVAL, "mounts[%zu]: mount point %s is the rootfs itself", i, link);
	snprintf(out, len, "%s", link + rl);
	return 0;
}

/* Nothing may be mounted over /proc except a procfs, and nothing inside it but
 * the few files that lxcfs emulates: a bind mount there could hide the masks or
 * redirect what the runtime writes into /proc later. */
static int check_proc(size_t i, const char *cpath, bool procfs_source, struct oerr *e)
{
	static const char *const allowed[] = {
		"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
		"/proc/swaps", "/proc/uptime", "/proc/loadavg", "/proc/slabinfo",
		"/proc/sys/kernel/ns_last_pid", "/proc/sys/crypto/fips_enabled",
	};
	if (!path_at_or_under(cpath, "/proc"))
		return 0;
	if (strcmp(cpath, "/proc") == 0) {
		if (procfs_source)
			return 0;
		return oerr_setx(e, EPERM, "mounts[%zu]: %s cannot be mounted because it is not of type proc", i, cpath);
	}
	for (size_t k = 0; k < ARRAY_SIZE(allowed); k++)
		if (strcmp(cpath, allowed[k]) == 0)
			return 0;
	return oerr_setx(e, EPERM, "mounts[%zu]: %s cannot be mounted because it is inside /proc", i, cpath);
}

static int check_target(const struct mounts_ctx *c, size_t i, int fd, bool procfs_source, struct oerr *e)
{
	char cpath[PATH_MAX];
	int r = container_path(c, i, fd, cpath, sizeof(cpath), e);
	if (r < 0)
		return r;
	return check_proc(i, cpath, procfs_source, e);
}

int mounts_reopen(int rootfd, const char *dest, int old_fd, unsigned pathres_flags, struct oerr *e)
{
	_cleanup_close_ int fd = pathres_open(rootfd, dest, pathres_flags & PATHRES_NO_SYMLINKS, e);
	if (fd < 0)
		return fd;
	uint64_t old_id, new_id;
	int r;
	if ((r = mnt_id_of(old_fd, &old_id)) < 0 || (r = mnt_id_of(fd, &new_id)) < 0)
		return oerr_set(e, r, "statx %s", dest);
	char p1[PROCFS_FD_PATH_MAX], p2[PROCFS_FD_PATH_MAX], l1[PATH_MAX], l2[PATH_MAX];
	procfs_fd_path(old_fd, p1);
	procfs_fd_path(fd, p2);
	ssize_t n1 = readlink(p1, l1, sizeof(l1) - 1), n2 = readlink(p2, l2, sizeof(l2) - 1);
	if (n1 < 0 || n2 < 0)
		return oerr_set(e, errno, "readlink %s", dest);
	l1[n1] = l2[n2] = '\0';
	if (old_id == new_id || strcmp(l1, l2) != 0)
		return oerr_setx(e, EAGAIN, "%s changed while it was being mounted", dest);
	return steal_fd(fd);
}

static int apply_propagation(int fd, const struct mount_opts *mo, const char *src, const char *dest, struct oerr *e)
{
	for (size_t k = 0; k < mo->n_propagation; k++) {
		int r = mnt_propagation(fd, mo->propagation[k]);
		if (r < 0)
			return oerr_set(e, r, "change propagation of mount %s on %s", src, dest);
	}
	return 0;
}

static int apply_rec_attrs(int fd, const struct mount_opts *mo, const char *src, const char *dest, struct oerr *e)
{
	int r = mnt_setattr(fd, true, mo->rec_set, mo->rec_clr);
	if (r < 0)
		return oerr_set(e, r, "set recursive options of mount %s on %s", src, dest);
	return 0;
}

/* A user namespace carrying the mount's id mapping, for MOUNT_ATTR_IDMAP: a child
 * unshares one and waits while we write its maps and open it. */
static int make_userns(size_t i, const struct spec_idmap *u, size_t nu, const struct spec_idmap *g,
		       size_t ng, struct oerr *e)
{
	int up[2], down[2];
	if (pipe2(up, O_CLOEXEC) < 0)
		return oerr_set(e, errno, "mounts[%zu]: pipe", i);
	if (pipe2(down, O_CLOEXEC) < 0) {
		int r = oerr_set(e, errno, "mounts[%zu]: pipe", i);
		close(up[0]);
		close(up[1]);
		return r;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int r = oerr_set(e, errno, "mounts[%zu]: fork", i);
		close(up[0]); close(up[1]); close(down[0]); close(down[1]);
		return r;
	}
	if (pid == 0) {
		/* Our pid namespace may not be the one of /proc: tell the parent
		 * the pid under which /proc knows this child. */
		char self[32], b;
		close(up[0]);
		close(down[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		ssize_t l = readlink("/proc/self", self, sizeof(self));
		if (l <= 0 || l >= (ssize_t)sizeof(self) || write(up[1], self, (size_t)l) != l)
			_exit(1);
		while (read(down[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	int r = 0, fd = -1;
	char procpid[32], path[96], line[96];
	ssize_t n;
	while ((n = read(up[0], procpid, sizeof(procpid) - 1)) < 0 && errno == EINTR)
		;
	if (n <= 0) {
		r = oerr_setx(e, EPERM, "mounts[%zu]: could not create a user namespace for the idmap mount", i);
		goto out;
	}
	procpid[n] = '\0';
	for (int which = 0; which < 2 && r == 0; which++) {
		const struct spec_idmap *m = which ? g : u;
		size_t nm = which ? ng : nu;
		size_t cap = nm * 40 + 1, len = 0;
		_cleanup_free_ char *buf = malloc(cap);
		if (!buf) {
			r = oerr_set(e, ENOMEM, "mounts[%zu]: id map", i);
			break;
		}
		for (size_t k = 0; k < nm; k++)
			len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n", m[k].container_id,
						m[k].host_id, m[k].size);
		snprintf(path, sizeof(path), "/proc/%s/%s", procpid, which ? "gid_map" : "uid_map");
		struct oerr e2;
		if (write_file_at(AT_FDCWD, path, buf, len, false, &e2) < 0)
			r = oerr_set(e, e2.code, "mounts[%zu]: write %s", i, which ? "gidMappings" : "uidMappings");
	}
	if (r == 0) {
		snprintf(line, sizeof(line), "/proc/%s/ns/user", procpid);
		fd = open(line, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			r = oerr_set(e, errno, "mounts[%zu]: open %s", i, line);
	}
out:
	close(down[1]);
	close(up[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return r < 0 ? r : fd;
}

int mounts_idmap(size_t i, int tree, int userns_fd, bool recursive, const char *source, struct oerr *e)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0)
		return oerr_set(e, errno, "mounts[%zu]: idmap mount of %s", i, source);
	return 0;
}

static bool wants_idmap(const struct spec_mount *m, const struct mount_opts *mo)
{
	return mo->idmap || mo->ridmap || m->n_uid_mappings || m->n_gid_mappings;
}

void mounts_source_path(const struct spec_mount *m, const char *bundle, char *out, size_t len)
{
	if (m->source[0] == '/' || !bundle)
		snprintf(out, len, "%s", m->source);
	else
		snprintf(out, len, "%s/%s", bundle, m->source);
}

int mounts_bind_tree(const struct spec *s, const char *bundle, size_t i, const struct mount_opts *mo,
		     int userns_fd, bool *idmap_left, struct oerr *e)
{
	const struct spec_mount *m = &s->mounts[i];
	*idmap_left = false;
	if (!m->source || !*m->source)
		return oerr_setx(e, EINVAL, "mounts[%zu]: a bind mount needs a source", i);
	char src[PATH_MAX];
	mounts_source_path(m, bundle, src, sizeof(src));
	_cleanup_close_ int tree = mnt_clone(AT_FDCWD, src, (mo->flags & MS_REC) != 0);
	if (tree < 0)
		return oerr_set(e, tree, "mount %s on %s", m->source, m->destination);
	int r;
	if (wants_idmap(m, mo)) {
		if (m->n_uid_mappings || m->n_gid_mappings) {
			if (!m->n_uid_mappings || !m->n_gid_mappings)
				return oerr_setx(e, EINVAL, "mounts[%zu]: an idmap mount needs uidMappings and gidMappings", i);
			_cleanup_close_ int ns = make_userns(i, m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
							     m->n_gid_mappings, e);
			if (ns < 0)
				return ns;
			r = mounts_idmap(i, tree, ns, mo->ridmap, m->source, e);
		} else if (userns_fd >= 0) {
			r = mounts_idmap(i, tree, userns_fd, mo->ridmap, m->source, e);
		} else if (spec_find_namespace(s, SPEC_NS_USER)) {
			*idmap_left = true;
			r = 0;
		} else {
			r = oerr_setx(e, EINVAL, "mounts[%zu]: an idmap mount without uidMappings and gidMappings "
				      "takes the container's, but the container has no user namespace", i);
		}
		if (r < 0)
			return r;
	}
	/* The flags of the bind itself: only what was asked changes, so flags
	 * the source has locked (in a user namespace) are kept, not cleared. */
	uint64_t set, clr;
	mountopts_ms_to_attr(mo->flags, mo->clear, &set, &clr);
	if ((r = mnt_setattr(tree, false, set, clr)) < 0)
		return oerr_set(e, r, "set options of bind mount %s on %s", m->source, m->destination);
	if ((r = apply_rec_attrs(tree, mo, m->source, m->destination, e)) < 0)
		return r;
	return steal_fd(tree);
}

/* An empty file to bind a file onto; the mount point of a directory is a directory. */
static int make_target(const struct mounts_ctx *c, size_t i, const char *dest, bool dir, struct oerr *e)
{
	if (dir) {
		int fd = pathres_open(c->rootfd, dest, PATHRES_MKDIR | target_flags(NULL, dest), e);
		return fd < 0 ? oerr_wrap(e, "mounts[%zu]", i) : fd;
	}
	/* a dangling symlink is followed (inside the rootfs) to where the file
	 * is made, as runc and crun do */
	_cleanup_free_ char *name = NULL;
	unsigned flags = PATHRES_MKDIR | target_flags(NULL, dest);
	_cleanup_close_ int parent = pathres_open_missing(c->rootfd, dest, flags, &name, e);
	if (parent < 0)
		return oerr_wrap(e, "mounts[%zu]", i);
	int fd = openat(parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return oerr_set(e, errno, "mounts[%zu]: create mount point %s", i, dest);
	close(fd);
	fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "mounts[%zu]: open mount point %s", i, dest);
	return fd;
}

/* 1 when a and b are on the same mount, 0 when not, -errno. */
static int same_mount(int a, int b)
{
	uint64_t ia, ib;
	int r;
	if ((r = mnt_id_of(a, &ia)) < 0 || (r = mnt_id_of(b, &ib)) < 0)
		return r;
	return ia == ib;
}

static int do_bind(struct mounts_ctx *c, size_t i, const char *dest, const struct mount_opts *mo,
		   struct oerr *e)
{
	const struct spec_mount *m = &c->spec->mounts[i];
	int given = c->bind_fds && i < c->n_bind_fds ? c->bind_fds[i] : -1;
	if (!m->source || !*m->source)
		return oerr_setx(e, EINVAL, "mounts[%zu]: a bind mount needs a source", i);
	/* Made by the runtime (lib/rootfs/mountfds.h), or by us now. In a user
	 * namespace an idmap needs the runtime's privileges. */
	if (given < 0 && c->in_userns && wants_idmap(m, mo))
		return oerr_setx(e, EPERM, "mounts[%zu]: an idmap mount in a container with its own user namespace "
				 "is made by the runtime, which needs the privilege to clone mounts", i);
	struct stat sst;
	struct statfs sf;
	char src[PATH_MAX];
	mounts_source_path(m, c->bundle, src, sizeof(src));
	if (given >= 0 ? fstat(given, &sst) < 0 : stat(src, &sst) < 0)
		return oerr_set(e, errno, "mount %s on %s", m->source, m->destination);
	if (given >= 0 ? fstatfs(given, &sf) < 0 : statfs(src, &sf) < 0)
		return oerr_set(e, errno, "mount %s on %s: statfs", m->source, m->destination);
	bool procfs_src = sf.f_type == PROC_SUPER_MAGIC;
	int r = check_proc(i, dest, procfs_src, e);
	if (r < 0)
		return r;

	bool onroot = strcmp(dest, "/") == 0;
	_cleanup_close_ int fd = -1;
	if (onroot) {
		/* over the rootfs: the new tree becomes the container's "/" */
		if (!S_ISDIR(sst.st_mode))
			return oerr_setx(e, ENOTDIR, "mounts[%zu]: a bind mount on / needs a directory, %s is not one",
					 i, m->source);
		fd = fcntl(c->rootfd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return oerr_set(e, errno, "mounts[%zu]: dup the rootfs fd", i);
	} else {
		fd = pathres_open(c->rootfd, dest, 0, e);
		if (fd == -ENOENT)
			fd = make_target(c, i, dest, S_ISDIR(sst.st_mode), e);
		else if (fd < 0)
			return oerr_wrap(e, "mounts[%zu]", i);
		if (fd < 0)
			return fd;
		if ((r = check_target(c, i, fd, procfs_src, e)) < 0)
			return r;
	}

	_cleanup_close_ int tree = -1;
	if (given >= 0) {
		tree = dup(given);
		if (tree < 0)
			return oerr_set(e, errno, "mounts[%zu]", i);
	} else {
		bool left;
		tree = mounts_bind_tree(c->spec, c->bundle, i, mo, -1, &left, e);
		if (tree < 0)
			return tree;
	}
	if ((r = mnt_attach(tree, fd)) < 0)
		return oerr_set(e, r, "mount %s on %s", m->source, m->destination);
	if ((r = apply_propagation(tree, mo, m->source, m->destination, e)) < 0)
		return r;
	if (onroot) {
		/* the rootfs's path leads to the new mount now */
		int nfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (nfd < 0)
			return oerr_set(e, errno, "mounts[%zu]: open rootfs %s", i, c->rootfs);
		bool top = false;
		if ((r = mnt_is_root(nfd, &top)) < 0 || !top || (r = same_mount(nfd, tree)) <= 0) {
			close(nfd);
			return oerr_setx(e, EAGAIN, "mounts[%zu]: the rootfs %s changed while %s was mounted on it",
					 i, c->rootfs, m->source);
		}
		close(c->rootfd);
		c->rootfd = nfd;
	}
	return 0;
}

static int do_remount(const struct mounts_ctx *c, size_t i, const char *dest, const struct mount_opts *mo,
		      struct oerr *e)
{
	const struct spec_mount *m = &c->spec->mounts[i];
	const char *src = m->source ? m->source : (m->type ? m->type : "none");
	_cleanup_close_ int fd = pathres_open(c->rootfd, dest, 0, e);
	if (fd < 0)
		return oerr_wrap(e, "mounts[%zu]", i);
	int r = check_target(c, i, fd, streq(m->type, "proc"), e);
	if (r < 0)
		return r;
	if (is_bind(m, mo)) {
		uint64_t set, clr;
		mountopts_ms_to_attr(mo->flags, mo->clear, &set, &clr);
		r = mnt_setattr(fd, false, set, clr);
	} else {
		r = mnt_at_fd(m->source, fd, m->type, mo->flags & ~(unsigned long)MS_BIND, mo->data);
	}
	if (r < 0)
		return oerr_set(e, r, "remount %s", m->destination);
	if ((r = apply_rec_attrs(fd, mo, src, m->destination, e)) < 0)
		return r;
	return apply_propagation(fd, mo, src, m->destination, e);
}

/* A user namespace gets a sysfs of its own only with a network namespace it
 * owns: without one, the host's /sys, bound recursively and read-only (as
 * crun does). */
static int bind_host_sys(int target)
{
	_cleanup_close_ int tree = mnt_clone(AT_FDCWD, "/sys", true);
	if (tree < 0)
		return tree;
	int r = mnt_setattr(tree, true, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0);
	if (r == 0)
		r = mnt_attach(tree, target);
	return r;
}

static int do_new(const struct mounts_ctx *c, size_t i, const char *dest, const struct mount_opts *mo,
		  struct oerr *e)
{
	const struct spec_mount *m = &c->spec->mounts[i];
	const char *type = m->type;
	const char *src = m->source && *m->source ? m->source : type;
	unsigned rflags = PATHRES_MKDIR | target_flags(type, dest);
	/* as written first, so nothing is created in a refused place; as
	 * resolved below, for what symlinks on the way lead to */
	int r = check_proc(i, dest, streq(type, "proc"), e);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = pathres_open(c->rootfd, dest, rflags, e);
	if (fd < 0)
		return oerr_wrap(e, "mounts[%zu]", i);
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return oerr_set(e, errno, "mounts[%zu]: stat %s", i, m->destination);
	if (no_symlinks_type(type) && !S_ISDIR(sb.st_mode))
		return oerr_setx(e, ENOTDIR, "mounts[%zu]: filesystem %s must be mounted on an ordinary directory", i, type);
	if ((r = check_target(c, i, fd, streq(type, "proc"), e)) < 0)
		return r;
	if (streq(type, "cgroup"))
		return mounts_cgroup(c, i, dest, fd, mo, e);

	/* A tmpfs takes over the mode of the directory it covers unless told otherwise. */
	_cleanup_free_ char *data = NULL;
	if (streq(type, "tmpfs") && S_ISDIR(sb.st_mode)) {
		if (asprintf(&data, "mode=%04o%s%s", (unsigned)(sb.st_mode & 07777),
			     mo->data ? "," : "", mo->data ? mo->data : "") < 0) {
			data = NULL;
			return oerr_set(e, ENOMEM, "mounts[%zu]", i);
		}
	} else if (mo->data && !(data = strdup(mo->data))) {
		return oerr_set(e, ENOMEM, "mounts[%zu]", i);
	}
	unsigned long flags = mo->flags & ~(unsigned long)MS_REC;
	if (streq(type, "tmpfs") || strcmp(dest, "/dev") == 0)
		flags &= ~(unsigned long)MS_RDONLY;	/* see mounts_finish_readonly() */
	if ((r = mnt_at_fd(src, fd, type, flags, data)) < 0 &&
	    !(r == -EPERM && c->in_userns && streq(type, "sysfs") && (r = bind_host_sys(fd)) == 0))
		return oerr_set(e, r, "mount %s on %s", src, m->destination);

	if (!mo->n_propagation && !mo->rec_set && !mo->rec_clr && !mo->tmpcopyup)
		return 0;
	_cleanup_close_ int nfd = mounts_reopen(c->rootfd, dest, fd, rflags, e);
	if (nfd < 0)
		return oerr_wrap(e, "mounts[%zu]", i);
	if (mo->tmpcopyup && (r = copyup_tree(fd, nfd, e)) < 0)
		return oerr_wrap(e, "mounts[%zu]: tmpcopyup %s", i, m->destination);
	if ((r = apply_rec_attrs(nfd, mo, src, m->destination, e)) < 0)
		return r;
	return apply_propagation(nfd, mo, src, m->destination, e);
}

int mounts_apply(struct mounts_ctx *c, size_t i, struct oerr *e)
{
	const struct spec_mount *m = &c->spec->mounts[i];
	if (!m->destination || !*m->destination)
		return oerr_setx(e, EINVAL, "mounts[%zu]: destination is required", i);
	_cleanup_mountopts_ struct mount_opts mo = { 0 };
	int r = mountopts_parse(m->options, m->n_options, &mo, e);
	if (r < 0)
		return oerr_wrap(e, "mounts[%zu]", i);
	_cleanup_free_ char *dest = pathres_clean(m->destination);
	if (!dest)
		return oerr_set(e, ENOMEM, "mounts[%zu]", i);
	bool bind = is_bind(m, &mo);
	if (strcmp(dest, "/") == 0 && (!bind || (mo.flags & MS_REMOUNT)))
		return oerr_setx(e, EINVAL, "mounts[%zu]: destination %s is the rootfs itself: only a bind mount may go there",
				 i, m->destination);
	if (wants_idmap(m, &mo) && !bind)
		return oerr_setx(e, EINVAL, "mounts[%zu]: idmap is only supported for bind mounts", i);
	if (mo.tmpcopyup && (bind || !streq(m->type, "tmpfs")))
		return oerr_setx(e, EINVAL, "mounts[%zu]: tmpcopyup is only supported for tmpfs mounts", i);
	if (mo.flags & MS_REMOUNT)
		return do_remount(c, i, dest, &mo, e);
	if (bind)
		return do_bind(c, i, dest, &mo, e);
	if (!m->type || !*m->type)
		return oerr_setx(e, EINVAL, "mounts[%zu]: type is required unless the mount is a bind mount", i);
	return do_new(c, i, dest, &mo, e);
}

bool mounts_is_bind(const struct spec_mount *m)
{
	if (streq(m->type, "bind"))
		return true;
	for (size_t k = 0; k < m->n_options; k++)
		if (streq(m->options[k], "bind") || streq(m->options[k], "rbind"))
			return true;
	return false;
}

bool mounts_dev_is_bind(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (!m->destination)
			continue;
		_cleanup_free_ char *d = pathres_clean(m->destination);
		if (d && strcmp(d, "/dev") == 0 && mounts_is_bind(m))
			return true;
	}
	return false;
}

int mounts_finish_readonly(const struct spec *s, int rootfd, struct oerr *e)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (!m->destination)
			continue;
		_cleanup_mountopts_ struct mount_opts mo = { 0 };
		if (mountopts_parse(m->options, m->n_options, &mo, e) < 0)
			return oerr_wrap(e, "mounts[%zu]", i);
		if (!(mo.flags & MS_RDONLY) || (mo.flags & MS_REMOUNT) || is_bind(m, &mo))
			continue;
		_cleanup_free_ char *dest = pathres_clean(m->destination);
		if (!dest)
			return oerr_set(e, ENOMEM, "mounts[%zu]", i);
		if (!streq(m->type, "tmpfs") && strcmp(dest, "/dev") != 0)
			continue;
		_cleanup_close_ int fd = pathres_open(rootfd, dest, 0, e);
		if (fd < 0)
			return oerr_wrap(e, "mounts[%zu]", i);
		int r = mnt_setattr(fd, false, MOUNT_ATTR_RDONLY, 0);
		if (r < 0)
			return oerr_set(e, r, "remount %s read-only", m->destination);
	}
	return 0;
}
