#include "lib/rootfs/mountfds.h"
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "lib/rootfs/mountopts.h"
#include "lib/rootfs/mounts.h"
#include "lib/rootfs/mountutil.h"
#include "lib/rootfs/pathres.h"
#include "base/util.h"

enum { IDMAP_NONE, IDMAP_ONE, IDMAP_REC };

static int *fd_array(size_t n)
{
	int *v = malloc((n ? n : 1) * sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		v[i] = -1;
	return v;
}

void mountfds_close(struct mount_fds *m)
{
	for (size_t i = 0; m->bind && i < m->n_bind; i++)
		if (m->bind[i] >= 0)
			close(m->bind[i]);
	for (size_t i = 0; m->dev && i < m->n_dev; i++)
		if (m->dev[i] >= 0)
			close(m->dev[i]);
	free(m->bind);
	free(m->idmap_pending);
	free(m->dev);
	*m = (struct mount_fds){ 0 };
}

int mountfds_map_id(const struct spec_idmap *m, size_t n, uint32_t id, uint32_t *host)
{
	for (size_t i = 0; i < n; i++) {
		if (id >= m[i].container_id && id - m[i].container_id < m[i].size) {
			*host = m[i].host_id + (id - m[i].container_id);
			return 0;
		}
	}
	return -ERANGE;
}

static int prepare_binds(const struct spec *s, const char *bundle, int userns_fd, struct mount_fds *m,
			 struct oerr *e)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *mt = &s->mounts[i];
		struct mount_opts mo;
		if (mountopts_parse(mt->options, mt->n_options, &mo, e) < 0)
			return oerr_wrap(e, "mounts[%zu]", i);
		bool bind = (mo.flags & MS_BIND) || (mt->type && !strcmp(mt->type, "bind"));
		bool remount = (mo.flags & MS_REMOUNT) != 0;
		bool rec = mo.ridmap, left = false;
		int tree = bind && !remount && mt->source && *mt->source ?
			mounts_bind_tree(s, bundle, i, &mo, userns_fd, &left, e) : -1;
		mountopts_free(&mo);
		if (!bind || remount || !mt->source || !*mt->source)
			continue;
		if (tree < 0)
			return tree;
		m->bind[i] = tree;
		m->idmap_pending[i] = left ? (rec ? IDMAP_REC : IDMAP_ONE) : IDMAP_NONE;
		/* A slave of the host's mount, as the init's own clone of its
		 * (slave) copy would be: nothing goes back to the host. */
		int r = mnt_propagation(tree, MS_SLAVE | MS_REC);
		if (r < 0)
			return oerr_set(e, r, "mount %s on %s: make it a slave", mt->source, mt->destination);
	}
	return 0;
}

static mode_t node_type(char type)
{
	return type == 'b' ? S_IFBLK : S_IFCHR;
}

/* linux.devices[k] as a fresh node of the host's, owned by the host ids
 * its uid and gid map to; -EPERM when the runtime may not mknod. */
static int prepare_device(const struct spec_linux *l, size_t k, int statedir_fd, struct mount_fds *m,
			  struct oerr *e)
{
	const struct spec_device *d = &l->devices[k];
	uint32_t uid = 0, gid = 0;
	if (mountfds_map_id(l->uid_mappings, l->n_uid_mappings, d->has_uid ? d->uid : 0, &uid) < 0)
		return oerr_setx(e, EINVAL, "linux.devices[%zu].uid %u is not mapped by linux.uidMappings", k,
				 d->has_uid ? (unsigned)d->uid : 0);
	if (mountfds_map_id(l->gid_mappings, l->n_gid_mappings, d->has_gid ? d->gid : 0, &gid) < 0)
		return oerr_setx(e, EINVAL, "linux.devices[%zu].gid %u is not mapped by linux.gidMappings", k,
				 d->has_gid ? (unsigned)d->gid : 0);
	char name[32];
	snprintf(name, sizeof(name), "dev.%zu", k);
	mode_t mode = d->has_file_mode ? (mode_t)(d->file_mode & 07777) : 0666;
	mode_t old = umask(0);
	int r = mknodat(statedir_fd, name, node_type(d->type) | mode, makedev(d->major, d->minor));
	umask(old);
	if (r < 0)
		return errno == EPERM ? -EPERM : oerr_set(e, errno, "linux.devices[%zu]: mknod %s", k, d->path);
	if (fchownat(statedir_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return oerr_set(e, errno, "linux.devices[%zu]: chown %s", k, d->path);
	int tree = mnt_clone(statedir_fd, name, false);
	if (tree < 0)
		return oerr_set(e, tree, "linux.devices[%zu]: clone %s", k, d->path);
	m->dev[k] = tree;
	/* usable as a device (the state dir may be nodev), nothing else */
	if ((r = mnt_setattr(tree, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NODEV)) < 0 ||
	    (r = mnt_propagation(tree, MS_PRIVATE)) < 0)
		return oerr_set(e, r, "linux.devices[%zu]: set the options of %s", k, d->path);
	return 0;
}

static int prepare_devices(const struct spec *s, int statedir_fd, struct mount_fds *m, struct oerr *e)
{
	const struct spec_linux *l = s->linux_;
	if (mounts_dev_is_bind(s))
		return 0;	/* the init leaves such a /dev alone */
	for (size_t k = 0; k < l->n_devices; k++) {
		const struct spec_device *d = &l->devices[k];
		/* fifos need no privilege; /dev/ptmx is the devpts one */
		if (!d->path || (d->type != 'c' && d->type != 'u' && d->type != 'b'))
			continue;
		_cleanup_free_ char *p = pathres_clean(d->path);
		if (!p)
			return oerr_setx(e, ENOMEM, "linux.devices[%zu]", k);
		if (!strcmp(p, "/dev/ptmx"))
			continue;
		int r = prepare_device(l, k, statedir_fd, m, e);
		if (r == -EPERM) {
			/* not privileged here: the init binds the host's nodes */
			mountfds_unlink_nodes(m, statedir_fd);
			for (size_t j = 0; j < m->n_dev; j++)
				if (m->dev[j] >= 0)
					close(steal_fd(m->dev[j]));
			return 0;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int mountfds_prepare(const struct spec *s, const char *bundle, int statedir_fd, int userns_fd,
		     struct mount_fds *m, struct oerr *e)
{
	*m = (struct mount_fds){ 0 };
	const struct spec_namespace *mnt = s->linux_ ? spec_find_namespace(s, SPEC_NS_MOUNT) : NULL;
	/* In a joined mount namespace the sources are found in that one. */
	if (!s->linux_ || !spec_find_namespace(s, SPEC_NS_USER) || (mnt && mnt->path))
		return 0;
	m->n_bind = s->n_mounts;
	m->n_dev = s->linux_->n_devices;
	m->bind = fd_array(m->n_bind);
	m->dev = fd_array(m->n_dev);
	m->idmap_pending = calloc(m->n_bind ? m->n_bind : 1, 1);
	if (!m->bind || !m->dev || !m->idmap_pending) {
		mountfds_close(m);
		return oerr_setx(e, ENOMEM, "prepare mounts");
	}
	/* A runtime that may not clone mounts (rootless) leaves all to the init. */
	int probe = mnt_clone(AT_FDCWD, "/", false);
	if (probe < 0) {
		mountfds_close(m);
		return probe == -EPERM ? 0 : oerr_set(e, probe, "clone the mount of /");
	}
	close(probe);
	int r = prepare_binds(s, bundle, userns_fd, m, e);
	/* A joined user namespace's maps are not ours to read: its devices are
	 * the host's nodes, bound by the init. */
	if (r == 0 && userns_fd < 0)
		r = prepare_devices(s, statedir_fd, m, e);
	if (r < 0) {
		mountfds_unlink_nodes(m, statedir_fd);
		mountfds_close(m);
	}
	return r;
}

int mountfds_idmap_pending(const struct spec *s, const struct mount_fds *m, pid_t pid, struct oerr *e)
{
	_cleanup_close_ int ns = -1;
	for (size_t i = 0; i < m->n_bind; i++) {
		if (m->idmap_pending[i] == IDMAP_NONE)
			continue;
		if (ns < 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
			if ((ns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				return oerr_set(e, errno, "open %s", path);
		}
		int r = mounts_idmap(i, m->bind[i], ns, m->idmap_pending[i] == IDMAP_REC, s->mounts[i].source, e);
		if (r < 0)
			return r;
	}
	return 0;
}

void mountfds_unlink_nodes(const struct mount_fds *m, int statedir_fd)
{
	for (size_t k = 0; k < m->n_dev; k++) {
		char name[32];
		snprintf(name, sizeof(name), "dev.%zu", k);
		unlinkat(statedir_fd, name, 0);
	}
}
