#include "lib/rootfs/mounts_cgroup.h"
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "lib/cgroup/cgroup_path.h"
#include "lib/rootfs/mountutil.h"
#include "base/util.h"

/* What a cgroup mount may carry of the config's flags. */
#define CGROUP_MS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_RELATIME | \
		   MS_STRICTATIME | MS_NODIRATIME)

struct hier {
	char *mountpoint;	/* in the runtime's mount namespace */
	char *root;		/* the cgroup mounted there */
	bool v2;
	char *opts;		/* superblock options that name the hierarchy ("cpu,cpuacct", "name=systemd") */
	const char *base;	/* last component of mountpoint: the name in the container */
};

struct hiers {
	struct hier *h;
	size_t n;
};

static void hiers_free(struct hiers *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		free(hs->h[i].mountpoint);
		free(hs->h[i].root);
		free(hs->h[i].opts);
	}
	free(hs->h);
}

static bool has_token(const char *list, const char *tok, size_t tl)
{
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == tl && strncmp(p, tok, tl) == 0)
			return true;
		if (!c)
			break;
		p = c + 1;
	}
	return false;
}

/* The options that select the hierarchy; rw/ro are the mount's business and a
 * release_agent may only be given in the initial user namespace. */
static char *hierarchy_opts(const char *super)
{
	char *out = malloc(strlen(super) + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (const char *p = super; *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		bool skip = (l == 2 && (strncmp(p, "rw", 2) == 0 || strncmp(p, "ro", 2) == 0)) ||
			    strncmp(p, "release_agent=", 14) == 0 || l == 0;
		if (!skip) {
			if (o)
				out[o++] = ',';
			memcpy(out + o, p, l);
			o += l;
		}
		if (!c)
			break;
		p = c + 1;
	}
	out[o] = '\0';
	return out;
}

static int read_hierarchies(const char *rootfs, struct hiers *hs, struct oerr *e)
{
	struct mountinfo *m;
	size_t nm;
	int r = cg_mounts_load(&m, &nm, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nm; i++) {
		bool v2 = !strcmp(m[i].fstype, "cgroup2");
		if (path_at_or_under(m[i].mountpoint, rootfs))
			continue;
		_cleanup_free_ char *opts = hierarchy_opts(m[i].super_opts);
		if (!opts) {
			r = oerr_set(e, ENOMEM, "read cgroup mounts");
			break;
		}
		const char *base = strrchr(m[i].mountpoint, '/');
		base = base ? base + 1 : m[i].mountpoint;
		if (!*base)
			continue;
		bool dup = false;
		for (size_t k = 0; k < hs->n && !dup; k++)
			dup = (hs->h[k].v2 == v2 && (v2 || strcmp(hs->h[k].opts, opts) == 0)) ||
			      strcmp(hs->h[k].base, base) == 0;
		if (dup)
			continue;
		struct hier *nh = realloc(hs->h, (hs->n + 1) * sizeof(*nh));
		if (!nh) {
			r = oerr_set(e, ENOMEM, "read cgroup mounts");
			break;
		}
		hs->h = nh;
		struct hier *h = &hs->h[hs->n++];
		*h = (struct hier){ .mountpoint = steal_ptr(m[i].mountpoint), .root = steal_ptr(m[i].root), .v2 = v2,
				    .opts = steal_ptr(opts) };
		h->base = strrchr(h->mountpoint, '/') + 1;
	}
	mountinfo_free(m, nm);
	return r;
}

/* Host path of this process's own cgroup in hierarchy h, from /proc/self/cgroup. */
static int own_cgroup_path(const struct hier *h, char *out, size_t len, struct oerr *e)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_file_at(AT_FDCWD, "/proc/self/cgroup", &buf, NULL, e);
	if (r < 0)
		return r;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1, *path = c2 + 1;
		bool match;
		if (h->v2) {
			match = !*ctrls;
		} else {
			match = *ctrls != '\0';
			for (const char *p = ctrls; *p && match;) {
				const char *c = strchr(p, ',');
				size_t l = c ? (size_t)(c - p) : strlen(p);
				match = has_token(h->opts, p, l);
				p = c ? c + 1 : p + l;
			}
		}
		if (!match)
			continue;
		size_t rl = strlen(h->root);
		if (strcmp(h->root, "/") == 0)
			snprintf(out, len, "%s%s", h->mountpoint, path);
		else if (strncmp(path, h->root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0'))
			snprintf(out, len, "%s%s", h->mountpoint, path + rl);
		else
			snprintf(out, len, "%s", h->mountpoint);
		return 0;
	}
	snprintf(out, len, "%s", h->mountpoint);
	return 0;
}

static int bind_cgroup(const char *src, int target_fd, const struct mount_opts *mo, const char *dest,
		       struct oerr *e)
{
	_cleanup_close_ int tree = mnt_clone(AT_FDCWD, src, true);
	if (tree < 0)
		return oerr_set(e, tree, "mount %s on %s", src, dest);
	uint64_t set, clr;
	mountopts_ms_to_attr(mo->flags & CGROUP_MS, mo->clear & CGROUP_MS, &set, &clr);
	int r = mnt_setattr(tree, false, set, clr);
	if (r < 0)
		return oerr_set(e, r, "set options of bind mount %s on %s", src, dest);
	if ((r = mnt_attach(tree, target_fd)) < 0)
		return oerr_set(e, r, "mount %s on %s", src, dest);
	return 0;
}

static int mount_one(const struct hier *h, int tmpfs_fd,
		     const struct mount_opts *mo, const char *dest, bool cgroupns, struct oerr *e)
{
	char where[PATH_MAX];
	snprintf(where, sizeof(where), "%s/%s", dest, h->base);
	if (mkdirat(tmpfs_fd, h->base, 0755) < 0)
		return oerr_set(e, errno, "mkdir %s", where);
	_cleanup_close_ int fd = openat(tmpfs_fd, h->base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "open %s", where);
	if (cgroupns) {
		const char *type = h->v2 ? "cgroup2" : "cgroup";
		int r = mnt_at_fd(type, fd, type, mo->flags & CGROUP_MS, h->v2 ? NULL : h->opts);
		if (r < 0)
			return oerr_set(e, r, "mount %s on %s", type, where);
		return 0;
	}
	char src[PATH_MAX];
	int r = own_cgroup_path(h, src, sizeof(src), e);
	if (r < 0)
		return r;
	return bind_cgroup(src, fd, mo, where, e);
}

static int mount_v1(const struct mounts_ctx *c, size_t i, int target_fd,
		    const struct mount_opts *mo, bool cgroupns, struct oerr *e)
{
	const char *ddest = c->spec->mounts[i].destination;
	_cleanup_(hiers_free) struct hiers hs = { 0 };
	int r = read_hierarchies(c->rootfs, &hs, e);
	if (r < 0)
		return r;
	static const char *const params[] = { "mode=755", NULL };
	_cleanup_close_ int tmpfs = mnt_new_fs("tmpfs", params, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (tmpfs < 0)
		return oerr_set(e, tmpfs, "mount tmpfs on %s", ddest);
	if ((r = mnt_attach(tmpfs, target_fd)) < 0)
		return oerr_set(e, r, "mount tmpfs on %s", ddest);
	for (size_t k = 0; k < hs.n; k++)
		if ((r = mount_one(&hs.h[k], tmpfs, mo, ddest, cgroupns, e)) < 0)
			return r;
	/* co-mounted controllers ("cpu,cpuacct") get one link per controller */
	for (size_t k = 0; k < hs.n; k++) {
		const char *b = hs.h[k].base;
		if (!strchr(b, ','))
			continue;
		_cleanup_free_ char *copy = strdup(b);
		if (!copy)
			return oerr_set(e, ENOMEM, "mount cgroup on %s", ddest);
		char *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (strchr(t, '='))
				continue;
			if (symlinkat(b, tmpfs, t) < 0 && errno != EEXIST)
				return oerr_set(e, errno, "symlink %s/%s", ddest, t);
		}
	}
	if ((mo->flags & MS_RDONLY) && (r = mnt_setattr(tmpfs, false, MOUNT_ATTR_RDONLY, 0)) < 0)
		return oerr_set(e, r, "remount %s read-only", ddest);
	if ((r = mnt_setattr(tmpfs, true, mo->rec_set, mo->rec_clr)) < 0)
		return oerr_set(e, r, "set recursive options of mount on %s", ddest);
	for (size_t k = 0; k < mo->n_propagation; k++)
		if ((r = mnt_propagation(tmpfs, mo->propagation[k])) < 0)
			return oerr_set(e, r, "change propagation of mount on %s", ddest);
	return 0;
}

static int mount_v2(const struct mounts_ctx *c, size_t i, const char *dest, int target_fd,
		    const struct mount_opts *mo, struct oerr *e)
{
	const char *ddest = c->spec->mounts[i].destination;
	int r = mnt_at_fd("cgroup2", target_fd, "cgroup2", mo->flags & CGROUP_MS, mo->data);
	if (r == -EPERM || r == -EBUSY) {
		/* in a user namespace without its own cgroup namespace a new
		 * cgroup2 mount is refused: show the host's hierarchy instead */
		if ((r = bind_cgroup("/sys/fs/cgroup", target_fd, mo, ddest, e)) < 0)
			return r;
	} else if (r < 0) {
		return oerr_set(e, r, "mount cgroup2 on %s", ddest);
	}
	if (!mo->n_propagation && !mo->rec_set && !mo->rec_clr)
		return 0;
	_cleanup_close_ int fd = mounts_reopen(c->rootfd, dest, target_fd, 0, e);
	if (fd < 0)
		return oerr_wrap(e, "mounts[%zu]", i);
	if ((r = mnt_setattr(fd, true, mo->rec_set, mo->rec_clr)) < 0)
		return oerr_set(e, r, "set recursive options of mount on %s", ddest);
	for (size_t k = 0; k < mo->n_propagation; k++)
		if ((r = mnt_propagation(fd, mo->propagation[k])) < 0)
			return oerr_set(e, r, "change propagation of mount on %s", ddest);
	return 0;
}

int mounts_cgroup(const struct mounts_ctx *c, size_t i, const char *dest, int target_fd,
		  const struct mount_opts *mo, struct oerr *e)
{
	bool cgroupns = spec_find_namespace(c->spec, SPEC_NS_CGROUP) != NULL;
	struct statfs sf;
	if (statfs("/sys/fs/cgroup", &sf) < 0)
		return oerr_set(e, errno, "mounts[%zu]: statfs /sys/fs/cgroup", i);
	if (sf.f_type == CGROUP2_SUPER_MAGIC)
		return mount_v2(c, i, dest, target_fd, mo, e);
	return mount_v1(c, i, target_fd, mo, cgroupns, e);
}
