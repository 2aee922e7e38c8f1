#include "lib/criu/criu.h"
#include <sched.h>
#include <string.h>

int cr_parse_cg_mode(const char *s, enum cr_cg_mode *out, struct oerr *e)
{
	static const struct {
		const char *name;
		enum cr_cg_mode mode;
	} modes[] = { { "soft", CR_CG_SOFT }, { "full", CR_CG_FULL }, { "strict", CR_CG_STRICT },
		      { "ignore", CR_CG_IGNORE } };
	if (!s || !*s) {
		*out = CR_CG_SOFT;
		return 0;
	}
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(s, modes[i].name)) {
			*out = modes[i].mode;
			return 0;
		}
	return oerr_setx(e, EINVAL, "--manage-cgroups-mode: invalid value \"%s\" (soft, full, strict or ignore)", s);
}

int cr_parse_empty_ns(const char *s, unsigned *mask, struct oerr *e)
{
	if (strcmp(s, "network"))
		return oerr_setx(e, EINVAL, "--empty-ns: namespace \"%s\" is not supported (only \"network\")", s);
	*mask |= CLONE_NEWNET;
	return 0;
}

#ifndef OCIRT_HAVE_CRIU

const char *cr_libcriu_version(void)
{
	return NULL;
}

int cr_available(const char *what, struct oerr *e)
{
	return oerr_setx(e, ENOTSUP, "%s: checkpoint/restore is not available: this ocirt was built without libcriu",
			 what);
}

int cr_checkpoint(const struct cr_dump *d, const struct cr_opts *o, struct oerr *e)
{
	return cr_available("checkpoint", e);
}

int cr_restore(const struct cr_restore *r, const struct cr_opts *o, pid_t *pid, struct oerr *e)
{
	return cr_available("restore", e);
}

#else

#include "base/mountinfo.h"
#include "base/util.h"
#include "lib/cgroup/cgroup.h"
#include "lib/net/netif.h"
#include "lib/process/fdutil.h"
#include "lib/rootfs/mounts.h"
#include "lib/rootfs/pathres.h"
#include <criu.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* CRIU 3.16 has join-ns, the orphan pts master and the cgroup v2 freezer.
 * Checked when something fails. */
#define CRIU_MIN_VERSION 31600
#define META_FILE "ocirt.json"
#define DESCRIPTORS_FILE "descriptors.json"
/* Keys of namespaces joined by path, as runc and crun name them. */
#define EXT_NETNS "extRootNetNS"
#define EXT_PIDNS "extRootPidNS"

const char *cr_libcriu_version(void)
{
	return CRIU_VERSION;
}

int cr_available(const char *what, struct oerr *e)
{
	return 0;
}

/* --- the criu binary and the options common to dump and restore ---------- */

static bool executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* name without a slash is looked up in PATH. */
static int find_criu(const char *flag, char *out, size_t len, struct oerr *e)
{
	const char *name = flag && *flag ? flag : getenv("CRIU");
	const char *what = flag && *flag ? "--criu" : "$CRIU";
	if (!name || !*name) {
		name = "criu";
		what = NULL;
	}
	if (strchr(name, '/')) {
		if (!executable_file(name))
			return access(name, X_OK) < 0 ? oerr_set(e, errno, "criu binary %s (%s)", name, what)
						       : oerr_setx(e, EACCES, "criu binary %s (%s): not an executable file",
								   name, what);
		snprintf(out, len, "%s", name);
		return 0;
	}
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	     *p;) {
		const char *colon = strchr(p, ':');
		size_t dl = colon ? (size_t)(colon - p) : strlen(p);
		if (dl && snprintf(out, len, "%.*s/%s", (int)dl, p, name) < (int)len && executable_file(out))
			return 0;
		p += dl + (colon != NULL);
	}
#ifdef OCIRT_CRIU_BIN
	if (!what && executable_file(OCIRT_CRIU_BIN)) {
		snprintf(out, len, "%s", OCIRT_CRIU_BIN);
		return 0;
	}
#endif
	if (what)
		return oerr_setx(e, ENOENT, "criu binary \"%s\" (%s): not found in PATH", name, what);
	return oerr_setx(e, ENOENT, "no criu binary: give --criu PATH, set $CRIU or put criu in PATH");
}

struct cr_ctx {
	criu_opts *c;
	CriuOpts *rpc;
	char criu[PATH_MAX];
	int img_fd, work_fd;
	const char *log_dir;
	const char *log_file;
	const char *what;	/* "checkpoint" or "restore" */
	/* restore's notifications */
	const struct cr_restore *r;
	bool lo_up;
	bool paused;	/* the checkpointed container was paused: freeze before it resumes */
	pid_t restored;
	int status_fd;
	struct oerr notify_err;
};

static void ctx_free(struct cr_ctx *x)
{
	if (x->c)
		criu_local_free_opts(x->c);
	if (x->img_fd >= 0)
		close(x->img_fd);
	if (x->work_fd >= 0)
		close(x->work_fd);
}

/* The Error lines of CRIU's log (the last few; the final "FAILED" and a
 * warning-like one about raising its own RLIMIT_NOFILE left out). */
static void log_errors(const struct cr_ctx *x, char *buf, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", x->log_dir, x->log_file);
	buf[0] = '\0';
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return;
	char *lines[3] = { 0 };
	size_t n = 0;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "Error (") || strstr(line, "FAILED.") || strstr(line, "RLIMIT_NOFILE for self"))
			continue;
		line[strcspn(line, "\n")] = '\0';
		const char *msg = strstr(line, "): ");
		free(lines[n % 3]);
		lines[n % 3] = strdup(msg ? msg + 3 : line);
		n++;
	}
	size_t off = 0;
	for (size_t i = n > 3 ? n - 3 : 0; i < n; i++) {
		const char *l = lines[i % 3];
		if (l && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "; " : "", l);
	}
	for (size_t i = 0; i < 3; i++)
		free(lines[i]);
}

/* A libcriu return value as an errno: most return -1 for "it failed". */
static int lib_errno(int ret)
{
	return ret < -1 ? -ret : EIO;
}

static int criu_failed(struct cr_ctx *x, int ret, const char *op, struct oerr *e)
{
	if (x->notify_err.code) {
		*e = x->notify_err;
		return -e->code;
	}
	/* Asked only now: each question is one more criu process. */
	int v = criu_local_get_version(x->c);
	if (v < 0)
		return oerr_setx(e, lib_errno(v), "%s: cannot run %s (criu swrk)", x->what, x->criu);
	if (v < CRIU_MIN_VERSION)
		return oerr_setx(e, ENOTSUP, "%s: %s is CRIU %d.%d; ocirt needs 3.16 or newer", x->what, x->criu,
				 v / 10000, v / 100 % 100);
	char errs[768];
	log_errors(x, errs, sizeof(errs));
	return oerr_setx(e, ret == -EBADE ? EIO : lib_errno(ret), "%s: criu %s failed%s%s (log: %s/%s)", x->what, op,
			 errs[0] ? ": " : "", errs, x->log_dir, x->log_file);
}

/* A new image dir is 0711: a container with a user namespace of its own is
 * restored by processes in it, that probe for images (absent ones too);
 * the images themselves stay 0600. */
static int open_dir(const char *path, bool create, const char *what, struct oerr *e)
{
	if (create && mkdir(path, 0711) < 0 && errno != EEXIST)
		return oerr_set(e, errno, "%s %s", what, path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "%s %s", what, path);
	return fd;
}

static const char *annotation(const struct spec *s, const char *key)
{
	for (size_t i = 0; i < s->n_annotations; i++)
		if (!strcmp(s->annotations[i].key, key))
			return s->annotations[i].value;
	return NULL;
}

static int setup_common(struct cr_ctx *x, const struct cr_opts *o, const struct spec *s, bool dump,
			struct oerr *e)
{
	x->what = dump ? "checkpoint" : "restore";
	x->log_file = dump ? "dump.log" : "restore.log";
	x->log_dir = o->work_path ? o->work_path : o->image_path;
	if (geteuid() != 0)
		return oerr_setx(e, EPERM, "%s: CRIU needs root", x->what);
	int ret = find_criu(o->criu, x->criu, sizeof(x->criu), e);
	if (ret < 0)
		return oerr_wrap(e, "%s", x->what);
	if (criu_local_init_opts(&x->c) < 0 || criu_local_set_service_binary(x->c, x->criu) < 0)
		return oerr_setx(e, ENOMEM, "%s: libcriu options", x->what);
	/* libcriu has no setter for lazy_pages: its options struct starts with the
	 * RPC request options (rpc.pb-c.h). Checked with a field that has a setter. */
	criu_local_set_log_level(x->c, CRIU_LOG_DEBUG);
	x->rpc = *(CriuOpts **)x->c;
	if (!x->rpc || !x->rpc->has_log_level || x->rpc->log_level != CRIU_LOG_DEBUG)
		return oerr_setx(e, EPROTO, "%s: unexpected layout of libcriu's options", x->what);
	if (!o->image_path || !*o->image_path)
		return oerr_setx(e, EINVAL, "%s: --image-path is required", x->what);
	if ((x->img_fd = open_dir(o->image_path, dump, dump ? "create image directory" : "image directory", e)) < 0)
		return oerr_wrap(e, "%s", x->what);
	criu_local_set_images_dir_fd(x->c, x->img_fd);
	if (o->work_path) {
		if ((x->work_fd = open_dir(o->work_path, true, "work directory", e)) < 0)
			return oerr_wrap(e, "%s", x->what);
		criu_local_set_work_dir_fd(x->c, x->work_fd);
	}
	if (criu_local_set_log_file(x->c, x->log_file) < 0)
		return oerr_setx(e, ENOMEM, "%s: libcriu options", x->what);
	/* As runc: the org.criu.config annotation names a CRIU configuration
	 * file ("" for none), else /etc/criu/runc.conf is read if it exists. */
	const char *conf = annotation(s, "org.criu.config");
	if (!conf)
		conf = "/etc/criu/runc.conf";
	if (*conf && criu_local_set_config_file(x->c, conf) < 0)
		return oerr_setx(e, ENOMEM, "%s: libcriu options", x->what);
	static const enum criu_cg_mode modes[] = { [CR_CG_SOFT] = CRIU_CG_MODE_SOFT, [CR_CG_FULL] = CRIU_CG_MODE_FULL,
		[CR_CG_STRICT] = CRIU_CG_MODE_STRICT, [CR_CG_IGNORE] = CRIU_CG_MODE_IGNORE };
	criu_local_set_manage_cgroups(x->c, true);
	criu_local_set_manage_cgroups_mode(x->c, modes[o->cg_mode]);
	criu_local_set_orphan_pts_master(x->c, true);
	criu_local_set_ext_unix_sk(x->c, o->ext_unix_sk);
	criu_local_set_shell_job(x->c, o->shell_job);
	criu_local_set_tcp_established(x->c, o->tcp_established);
	criu_local_set_file_locks(x->c, o->file_locks);
	criu_local_set_auto_dedup(x->c, o->auto_dedup);
	/* runc never restores the network namespace's devices (an engine sets them up). */
	criu_local_set_empty_ns(x->c, (int)(o->empty_ns | CLONE_NEWNET));
	if (o->lazy_pages) {
		struct criu_feature_check f = { .lazy_pages = true };
		if ((ret = criu_local_feature_check(x->c, &f, sizeof(f))) < 0)
			return oerr_setx(e, lib_errno(ret), "%s: criu feature check failed", x->what);
		if (!f.lazy_pages)
			return oerr_setx(e, ENOTSUP, "%s: --lazy-pages: CRIU cannot do lazy pages here "
					 "(the kernel lacks non-cooperative userfaultfd)", x->what);
		x->rpc->has_lazy_pages = true;
		x->rpc->lazy_pages = true;
	}
	return 0;
}

/* --- mounts ---------------------------------------------------------------- */

/* dest as the container sees it: resolved inside the rootfs (symlinks in it
 * followed), else cleaned. malloc'd. */
static char *resolve_dest(const char *rootfs, const char *dest)
{
	_cleanup_free_ char *clean = pathres_clean(dest);
	if (!clean)
		return NULL;
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct oerr ignored;
	_cleanup_close_ int fd = rootfd < 0 ? -1 : pathres_open(rootfd, clean, 0, &ignored);
	char link[64], target[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = fd < 0 ? -1 : readlink(link, target, sizeof(target) - 1);
	size_t rl = strlen(rootfs);
	if (n > 0) {
		target[n] = '\0';
		if (!strncmp(target, rootfs, rl) && target[rl] == '/')
			return strdup(target + rl);
	}
	return steal_ptr(clean);
}

/* Whether another mount of the same filesystem in the container has its
 * root ("/"): then CRIU makes this one as a bind of that one. */
static bool has_proper_root(const struct mountinfo *mi, size_t n, const struct mountinfo *m)
{
	if (!strcmp(m->root, "/"))
		return true;
	for (size_t i = 0; i < n; i++)
		if (&mi[i] != m && mi[i].major == m->major && mi[i].minor == m->minor && !strcmp(mi[i].root, "/"))
			return true;
	return false;
}

static bool is_masked(const struct spec *s, const char *path)
{
	for (size_t i = 0; s->linux_ && i < s->linux_->n_masked_paths; i++) {
		_cleanup_free_ char *c = pathres_clean(s->linux_->masked_paths[i]);
		if (c && !strcmp(c, path))
			return true;
	}
	return false;
}

static const char *last_component(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The mounts of the container whose source CRIU cannot reach from inside:
 * each becomes an external mount with a key, and ocirt.json records what to
 * put there on restore:
 *   bind    a bind mount of the config: its source (from the config restored with)
 *   null    a masked file: /dev/null
 *   cgroup  a cgroup bound from the host (no cgroup namespace): the new cgroup
 *   path    anything else bound from the host: the same path */
static int dump_mounts(struct cr_ctx *x, const struct cr_dump *d, json_t *list, struct oerr *e)
{
	const struct spec *s = d->spec;
	struct mountinfo *mi;
	size_t n;
	int ret = mountinfo_read(d->pid, &mi, &n, e);
	if (ret < 0)
		return oerr_wrap(e, "checkpoint");
	size_t nb = 0;
	char **binds = calloc(s->n_mounts + 1, sizeof(*binds));
	for (size_t i = 0; binds && i < s->n_mounts; i++)
		if (s->mounts[i].destination && mounts_is_bind(&s->mounts[i]) &&
		    !(binds[nb++] = resolve_dest(d->rootfs, s->mounts[i].destination)))
			ret = oerr_set(e, ENOMEM, "checkpoint: mounts");
	if (!binds)
		ret = oerr_set(e, ENOMEM, "checkpoint: mounts");
	bool cgroupns = spec_find_namespace(s, SPEC_NS_CGROUP) != NULL;
	const struct mountinfo *root = mountinfo_find(mi, n, "/");
	for (size_t i = 0; ret == 0 && i < n; i++) {
		const struct mountinfo *m = &mi[i];
		if (m == root || !strcmp(m->mountpoint, "/"))
			continue;
		const char *kind = NULL, *val = m->mountpoint;
		bool bind = false;
		for (size_t k = 0; k < nb && !bind; k++)
			bind = !strcmp(binds[k], m->mountpoint);
		bool cgroup = !strcmp(m->fstype, "cgroup") || !strcmp(m->fstype, "cgroup2");
		if (bind) {
			kind = "bind";
		} else if (cgroup) {
			/* In a cgroup namespace they are the container's own mounts (CRIU's). */
			if (cgroupns || !strcmp(m->root, "/"))
				continue;
			kind = "cgroup";
		} else if (has_proper_root(mi, n, m)) {
			continue;
		} else if (is_masked(s, m->mountpoint)) {
			kind = "null", val = "/dev/null";
		} else {
			kind = "path";
		}
		/* On restore CRIU knows the mount by val, the key it stored. */
		json_t *o = json_pack("{s:s, s:s, s:s}", "key", val, "mountpoint", m->mountpoint, "kind", kind);
		if (o && !strcmp(kind, "cgroup"))
			json_object_set_new(o, "hierarchy", json_string(last_component(m->mountpoint)));
		if (!o || json_array_append_new(list, o) < 0)
			ret = oerr_set(e, ENOMEM, "checkpoint: mounts");
		else if (criu_local_add_ext_mount(x->c, m->mountpoint, val) < 0)
			ret = oerr_set(e, ENOMEM, "checkpoint: external mount %s", m->mountpoint);
	}
	for (size_t k = 0; binds && k < nb; k++)
		free(binds[k]);
	free(binds);
	mountinfo_free(mi, n);
	return ret;
}

/* The config's bind mount whose destination resolves to key: its source, absolute. */
static char *bind_source(const struct cr_restore *r, const char *key)
{
	const struct spec *s = r->spec;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (!m->destination || !m->source || !mounts_is_bind(m))
			continue;
		_cleanup_free_ char *d = resolve_dest(r->rootfs, m->destination);
		if (!d || strcmp(d, key))
			continue;
		char src[PATH_MAX];
		mounts_source_path(m, r->bundle, src, sizeof(src));
		return strdup(src);
	}
	return NULL;
}

static int restore_mounts(struct cr_ctx *x, const struct cr_restore *r, json_t *list, struct oerr *e)
{
	struct cgroup_place *pl = NULL;
	size_t npl = 0;
	int ret = 0;
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m) {
		const char *key = json_string_value(json_object_get(m, "key"));
		const char *mp = json_string_value(json_object_get(m, "mountpoint"));
		const char *kind = json_string_value(json_object_get(m, "kind"));
		if (!key || !mp || !kind) {
			ret = oerr_setx(e, EINVAL, "restore: " META_FILE ": mounts[%zu]: key, mountpoint and kind are required",
					i);
			break;
		}
		_cleanup_free_ char *val = NULL;
		if (!strcmp(kind, "bind")) {
			if (!(val = bind_source(r, mp))) {
				ret = oerr_setx(e, ENOENT, "restore: the checkpoint has a bind mount on %s, and config.json "
						"has none there", mp);
				break;
			}
		} else if (!strcmp(kind, "null")) {
			val = strdup("/dev/null");
		} else if (!strcmp(kind, "path")) {
			val = strdup(mp);
		} else if (!strcmp(kind, "cgroup")) {
			const char *h = json_string_value(json_object_get(m, "hierarchy"));
			if (!pl && r->cg_path && (ret = cgroup_places(r->cg_path, &pl, &npl, e)) < 0)
				break;
			for (size_t k = 0; h && k < npl && !val; k++)
				if (!strcmp(pl[k].mount_name, h))
					val = strdup(pl[k].dir);
			if (!val) {
				ret = oerr_setx(e, ENOENT, "restore: the checkpoint has the cgroup hierarchy \"%s\" bound "
						"on %s; this host has none by that name", h ? h : "", mp);
				break;
			}
		} else {
			ret = oerr_setx(e, EINVAL, "restore: " META_FILE ": mounts[%zu]: unknown kind \"%s\"", i, kind);
			break;
		}
		if (!val || criu_local_add_ext_mount(x->c, key, val) < 0) {
			ret = oerr_set(e, ENOMEM, "restore: external mount %s", mp);
			break;
		}
	}
	cgroup_places_free(pl, npl);
	return ret;
}

/* Like runc: mount points of the config that are missing from the rootfs
 * (a copy of the bundle, say) are made, unless a tmpfs of the config holds
 * them (CRIU restores its contents). */
static int make_mountpoints(const struct cr_restore *r, struct oerr *e)
{
	const struct spec *s = r->spec;
	_cleanup_close_ int rootfd = open(r->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return oerr_set(e, errno, "restore: rootfs %s", r->rootfs);
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (!m->destination || (m->type && (!strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2"))))
			continue;
		_cleanup_free_ char *dest = pathres_clean(m->destination);
		if (!dest)
			return oerr_set(e, ENOMEM, "restore: mounts");
		bool on_tmpfs = false;
		for (size_t k = 0; k < s->n_mounts && !on_tmpfs; k++) {
			const struct spec_mount *t = &s->mounts[k];
			_cleanup_free_ char *td = t->type && !strcmp(t->type, "tmpfs") && t->destination ?
							 pathres_clean(t->destination) : NULL;
			size_t tl = td ? strlen(td) : 0;
			on_tmpfs = td && !strncmp(dest, td, tl) && (dest[tl] == '/' || tl == 1) && strcmp(dest, td);
		}
		if (on_tmpfs || !strcmp(dest, "/"))
			continue;
		struct oerr ignored;
		_cleanup_close_ int fd = pathres_open(rootfd, dest, 0, &ignored);
		if (fd >= 0)
			continue;
		bool dir = true;
		if (mounts_is_bind(m) && m->source) {
			char src[PATH_MAX];
			struct stat st;
			mounts_source_path(m, r->bundle, src, sizeof(src));
			dir = stat(src, &st) < 0 || S_ISDIR(st.st_mode);
		}
		_cleanup_free_ char *name = NULL;
		_cleanup_close_ int pfd = pathres_open_parent(rootfd, dest, PATHRES_MKDIR, &name, e);
		if (pfd < 0)
			return oerr_wrap(e, "restore: mount point");
		int r2 = dir ? mkdirat(pfd, name, 0755) : openat(pfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (r2 < 0 && errno != EEXIST)
			return oerr_set(e, errno, "restore: create mount point %s in the rootfs", dest);
		if (!dir && r2 >= 0)
			close(r2);
	}
	return 0;
}

/* --- namespaces ------------------------------------------------------------ */

/* No mount namespace of its own, or one joined by path that CRIU can do
 * nothing with. */
static int refuse_joined(const struct spec *s, const char *what, struct oerr *e)
{
	if (!spec_find_namespace(s, SPEC_NS_MOUNT))
		return oerr_setx(e, ENOTSUP, "%s: linux.namespaces: a container without a mount namespace of its own "
				 "cannot be checkpointed or restored", what);
	static const enum spec_ns_type refused[] = { SPEC_NS_MOUNT, SPEC_NS_CGROUP };
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		const struct spec_namespace *ns = spec_find_namespace(s, refused[i]);
		if (ns && ns->path)
			return oerr_setx(e, ENOTSUP, "%s: linux.namespaces: a %s namespace joined by path (%s) cannot be "
					 "checkpointed or restored by CRIU", what, spec_ns_type_name(refused[i]), ns->path);
	}
	return 0;
}

static int dump_namespaces(struct cr_ctx *x, const struct spec *s, struct oerr *e)
{
	static const struct {
		enum spec_ns_type t;
		const char *criu, *key;
	} ext[] = { { SPEC_NS_NETWORK, "net", EXT_NETNS }, { SPEC_NS_PID, "pid", EXT_PIDNS } };
	int ret = refuse_joined(s, "checkpoint", e);
	for (size_t i = 0; ret == 0 && i < sizeof(ext) / sizeof(ext[0]); i++) {
		const struct spec_namespace *ns = spec_find_namespace(s, ext[i].t);
		if (!ns || !ns->path)
			continue;
		struct stat st;
		if (stat(ns->path, &st) < 0)
			return oerr_set(e, errno, "checkpoint: %s namespace %s", ext[i].criu, ns->path);
		char key[128];
		snprintf(key, sizeof(key), "%s[%lu]:%s", ext[i].criu, (unsigned long)st.st_ino, ext[i].key);
		if (criu_local_add_external(x->c, key) < 0)
			ret = oerr_set(e, ENOMEM, "checkpoint: external namespace");
	}
	return ret;
}

/* fds handed to criu swrk must survive its exec; closed by the caller. */
static int restore_namespaces(struct cr_ctx *x, const struct spec *s, int fds[2], struct oerr *e)
{
	int ret = refuse_joined(s, "restore", e);
	for (size_t i = 0; ret == 0 && s->linux_ && i < s->linux_->n_namespaces; i++) {
		const struct spec_namespace *ns = &s->linux_->namespaces[i];
		if (!ns->path)
			continue;
		if (ns->type == SPEC_NS_NETWORK || ns->type == SPEC_NS_PID) {
			int *fd = &fds[ns->type == SPEC_NS_PID];
			*fd = open(ns->path, O_RDONLY);
			if (*fd < 0)
				return oerr_set(e, errno, "restore: %s namespace %s", spec_ns_type_name(ns->type), ns->path);
			if (criu_local_add_inherit_fd(x->c, *fd, ns->type == SPEC_NS_PID ? EXT_PIDNS : EXT_NETNS) < 0)
				ret = oerr_set(e, ENOMEM, "restore: namespace %s", ns->path);
			continue;
		}
		static const char *const names[SPEC_NS__COUNT] = { [SPEC_NS_IPC] = "ipc", [SPEC_NS_UTS] = "uts",
								   [SPEC_NS_TIME] = "time", [SPEC_NS_USER] = "user" };
		if (names[ns->type] && criu_local_join_ns_add(x->c, names[ns->type], ns->path, NULL) < 0)
			ret = oerr_setx(e, EINVAL, "restore: join %s namespace %s", names[ns->type], ns->path);
	}
	return ret;
}

/* Bring lo up in the restored (empty) network namespace, as create does:
 * in it for a moment, and back. */
static int lo_up(pid_t pid, struct oerr *e)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || fd < 0)
		return oerr_set(e, errno, "open %s", self < 0 ? "/proc/self/ns/net" : path);
	if (setns(fd, CLONE_NEWNET) < 0)
		return oerr_set(e, errno, "join the restored network namespace");
	int ret = netif_set_up("lo", e);
	/* On failure the restore fails: nothing of ours runs on in there. */
	if (setns(self, CLONE_NEWNET) < 0)
		return oerr_set(e, errno, "return from the restored network namespace");
	return ret;
}

/* --- stdio ---------------------------------------------------------------------- */

/* mnt_id of /proc/<pid>/fdinfo/<fd>, or -1. */
static int fd_mnt_id(pid_t pid, int fd)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	_cleanup_close_ int f = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = f < 0 ? -1 : read(f, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *p = strstr(buf, "mnt_id:");
	return p ? atoi(p + 7) : -1;
}

/* What the init's fds 0-2 are, as keys CRIU can map on restore: "pipe:[N]"
 * for a pipe, "file[mnt:ino]" for a file on a mount the container does not
 * have (then declared external: CRIU cannot reach it), else the link text.
 * The list goes to descriptors.json, as runc's does. */
static int dump_stdio(struct cr_ctx *x, pid_t pid, json_t *list, struct oerr *e)
{
	struct mountinfo *mi;
	size_t n;
	int ret = mountinfo_read(pid, &mi, &n, e);
	if (ret < 0)
		return oerr_wrap(e, "checkpoint");
	for (int fd = 0; ret == 0 && fd <= 2; fd++) {
		char path[64], link[PATH_MAX] = "";
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
		ssize_t l = readlink(path, link, sizeof(link) - 1);
		if (l < 0) {
			json_array_append_new(list, json_string(""));	/* closed */
			continue;
		}
		link[l] = '\0';
		char key[PATH_MAX + 64];
		snprintf(key, sizeof(key), "%s", link);
		int mnt = link[0] == '/' ? fd_mnt_id(pid, fd) : -1;
		bool inside = false;
		for (size_t i = 0; i < n && !inside; i++)
			inside = mi[i].id == mnt;
		struct stat st;
		if (mnt >= 0 && !inside && stat(path, &st) == 0) {
			snprintf(key, sizeof(key), "file[%x:%llx]", (unsigned)mnt, (unsigned long long)st.st_ino);
			if (criu_local_add_external(x->c, key) < 0)
				ret = oerr_set(e, ENOMEM, "checkpoint: external file");
		}
		if (json_array_append_new(list, json_string(key)) < 0)
			ret = oerr_set(e, ENOMEM, "checkpoint: descriptors");
	}
	mountinfo_free(mi, n);
	return ret;
}

/* Our own fd N stands in for what fd N was at checkpoint, where that was
 * outside the container (runc does so for pipes). */
static int restore_stdio(struct cr_ctx *x, json_t *list, struct oerr *e)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		const char *key = json_string_value(v);
		if (i > 2 || !key || (strncmp(key, "pipe:", 5) && strncmp(key, "file[", 5)))
			continue;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(json_string_value(json_array_get(list, k)) ?: "", key);
		if (seen)
			continue;	/* one fd per key */
		if (fcntl((int)i, F_GETFD) < 0)
			return oerr_setx(e, EBADF, "restore: the checkpointed process had fd %zu (%s) from outside; "
					 "restore needs an fd %zu to stand in for it", i, key, i);
		if (criu_local_add_inherit_fd(x->c, (int)i, key) < 0)
			return oerr_set(e, ENOMEM, "restore: inherit fd %zu", i);
	}
	return 0;
}

/* --- cgroups -------------------------------------------------------------- */

/* Checkpoint: the freezer CRIU stops the processes with. Restore: the
 * container's cgroup in each hierarchy is where the checkpointed one's init
 * was; CRIU puts the processes (and sub-cgroups) below it. */
static int cgroups_to_criu(struct cr_ctx *x, const char *cg_path, bool dump, struct oerr *e)
{
	struct cgroup_place *pl;
	size_t n;
	if (!cg_path)
		return 0;
	int ret = cgroup_places(cg_path, &pl, &n, e);
	if (ret < 0)
		return oerr_wrap(e, "%s", x->what);
	const struct cgroup_place *dflt = NULL;
	for (size_t i = 0; i < n && !dflt; i++)
		if (pl[i].v2)
			dflt = &pl[i];
	if (!dflt && n)
		dflt = &pl[0];
	if (!dump && dflt && criu_local_add_cg_root(x->c, NULL, dflt->path) < 0)
		ret = oerr_set(e, ENOMEM, "restore: cgroup root");
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (dump) {
			if (pl[i].freezer && criu_local_set_freeze_cgroup(x->c, pl[i].dir) < 0)
				ret = oerr_set(e, ENOMEM, "checkpoint: freezer");
			continue;
		}
		if (pl[i].v2 || !strcmp(pl[i].path, dflt->path))
			continue;
		_cleanup_free_ char *ctrls = strdup(pl[i].controllers);
		char *save = NULL;
		for (char *c = ctrls ? strtok_r(ctrls, ",", &save) : NULL; c; c = strtok_r(NULL, ",", &save))
			if (criu_local_add_cg_root(x->c, c, pl[i].path) < 0)
				ret = oerr_set(e, ENOMEM, "restore: cgroup root");
		if (!ctrls)
			ret = oerr_set(e, ENOMEM, "restore: cgroup root");
	}
	cgroup_places_free(pl, n);
	return ret;
}

/* --- notifications ------------------------------------------------------- */

/* libcriu's callback has no argument: the one restore or dump in progress. */
static struct cr_ctx *notify_ctx;

static int notify_cb(char *action, criu_notify_arg_t na)
{
	struct cr_ctx *x = notify_ctx;
	struct oerr *e = &x->notify_err;
	if (!strcmp(action, "status-ready")) {
		if (x->status_fd >= 0) {
			if (write(x->status_fd, "", 1) < 0)
				fprintf(stderr, "warning: checkpoint: write to --status-fd: %s\n", strerror(errno));
			close(x->status_fd);
			x->status_fd = -1;
		}
	} else if (!strcmp(action, "setup-namespaces") && x->r) {
		pid_t pid = criu_notify_pid(na);
		int ret = 0;
		if (x->lo_up)
			ret = lo_up(pid, e);
		if (ret == 0 && x->r->setup_namespaces)
			ret = x->r->setup_namespaces(pid, x->r->arg, e);
		if (ret < 0)
			return ret;
	} else if (!strcmp(action, "pre-resume") && x->r && x->paused && x->r->cg_path) {
		/* Frozen before the processes run a single instruction, as CRIU's
		 * own freezer.state would be if it had made the cgroup. */
		int ret = cgroup_freeze(x->r->cg_path, true, e);
		if (ret < 0)
			return oerr_wrap(e, "restore: pause the container again");
	} else if (!strcmp(action, "post-restore")) {
		x->restored = criu_notify_pid(na);
	} else if (!strcmp(action, "orphan-pts-master") && x->r) {
		_cleanup_close_ int master = criu_get_orphan_pts_master_fd();
		if (master < 0)
			return oerr_setx(e, EBADF, "restore: CRIU sent no terminal master");
		if (x->r->console_socket) {
			_cleanup_close_ int sock = unix_connect(x->r->console_socket, "console socket", e);
			if (sock < 0 || fdpass_send(sock, master, "/dev/console", 12, e) < 0)
				return oerr_wrap(e, "restore");
		} else if (x->r->console_master) {
			*x->r->console_master = fcntl(master, F_DUPFD_CLOEXEC, 3);
			if (*x->r->console_master < 0)
				return oerr_set(e, errno, "restore: keep the terminal master");
		}
	}
	return 0;
}

/* --- image dir files -------------------------------------------------------- */

static int write_json(int dirfd, const char *name, json_t *o, struct oerr *e)
{
	_cleanup_free_ char *text = json_dumps(o, JSON_COMPACT);
	if (!text)
		return oerr_setx(e, ENOMEM, "encode %s", name);
	return write_file_at(dirfd, name, text, strlen(text), true, e);
}

static int read_json(int dirfd, const char *dir, const char *name, json_t **out, struct oerr *e)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int ret = read_file_at(dirfd, name, &text, &len, e);
	if (ret == -ENOENT)
		return oerr_setx(e, ENOENT, "restore: %s holds no checkpoint made by ocirt (no %s)", dir, name);
	if (ret < 0)
		return oerr_wrap(e, "restore");
	json_error_t je;
	*out = json_loadb(text, len, 0, &je);
	if (!*out)
		return oerr_setx(e, EINVAL, "restore: %s/%s: %s", dir, name, je.text);
	return 0;
}

/* --- checkpoint ------------------------------------------------------------ */

int cr_checkpoint(const struct cr_dump *d, const struct cr_opts *o, struct oerr *e)
{
	struct cr_ctx x = { .img_fd = -1, .work_fd = -1, .status_fd = o->status_fd };
	json_t *mounts = json_array(), *stdio = json_array(), *meta = NULL;
	int ret = setup_common(&x, o, d->spec, true, e);
	if (ret < 0)
		goto out;
	if (o->pre_dump || o->parent_path) {
		struct criu_feature_check f = { .mem_track = true };
		if ((ret = criu_local_feature_check(x.c, &f, sizeof(f))) < 0) {
			ret = oerr_setx(e, lib_errno(ret), "checkpoint: criu feature check failed");
			goto out;
		}
		if (!f.mem_track) {
			ret = oerr_setx(e, ENOTSUP, "checkpoint: %s: CRIU cannot track memory changes here (the kernel "
					"has no soft-dirty page tracking), so there are no pre-dumps or incremental images",
					o->pre_dump ? "--pre-dump" : "--parent-path");
			goto out;
		}
		criu_local_set_track_mem(x.c, true);
	}
	if (o->parent_path) {
		struct stat st;
		if (o->parent_path[0] == '/') {
			ret = oerr_setx(e, EINVAL, "checkpoint: --parent-path must be relative to the image path");
			goto out;
		}
		if (fstatat(x.img_fd, o->parent_path, &st, 0) < 0 || !S_ISDIR(st.st_mode)) {
			ret = oerr_set(e, errno ? errno : ENOTDIR, "checkpoint: --parent-path %s", o->parent_path);
			goto out;
		}
		if (criu_local_set_parent_images(x.c, o->parent_path) < 0) {
			ret = oerr_set(e, ENOMEM, "checkpoint: parent images");
			goto out;
		}
	}
	if (o->page_server) {
		const char *colon = strrchr(o->page_server, ':');
		char *end;
		long port = colon ? strtol(colon + 1, &end, 10) : 0;
		if (!colon || colon == o->page_server || !colon[1] || *end || port <= 0 || port > 65535) {
			ret = oerr_setx(e, EINVAL, "checkpoint: --page-server: \"%s\" is not ADDRESS:PORT", o->page_server);
			goto out;
		}
		_cleanup_free_ char *addr = strndup(o->page_server, (size_t)(colon - o->page_server));
		/* libcriu 4.2 returns -ENOMEM even when it succeeded: look instead. */
		if (addr)
			criu_local_set_page_server_address_port(x.c, addr, (int)port);
		if (!addr || !x.rpc->ps) {
			ret = oerr_set(e, ENOMEM, "checkpoint: page server");
			goto out;
		}
	}
	criu_local_set_pid(x.c, d->pid);
	criu_local_set_leave_running(x.c, o->leave_running);
	notify_ctx = &x;
	criu_local_set_notify_cb(x.c, notify_cb);
	if (o->pre_dump) {
		if ((ret = criu_local_pre_dump(x.c)) != 0)
			ret = criu_failed(&x, ret, "pre-dump", e);
		goto out;
	}
	if (criu_local_set_root(x.c, d->rootfs) < 0) {
		ret = oerr_set(e, ENOMEM, "checkpoint: root");
		goto out;
	}
	if (!mounts || !stdio) {
		ret = oerr_set(e, ENOMEM, "checkpoint");
		goto out;
	}
	if ((ret = dump_namespaces(&x, d->spec, e)) < 0 || (ret = dump_mounts(&x, d, mounts, e)) < 0 ||
	    (ret = dump_stdio(&x, d->pid, stdio, e)) < 0 || (ret = cgroups_to_criu(&x, d->cg_path, true, e)) < 0)
		goto out;
	meta = json_pack("{s:s, s:b, s:O}", "runtime", "ocirt " OCIRT_VERSION, "paused", d->paused, "mounts", mounts);
	if (!meta) {
		ret = oerr_set(e, ENOMEM, "checkpoint: " META_FILE);
		goto out;
	}
	if ((ret = write_json(x.img_fd, DESCRIPTORS_FILE, stdio, e)) < 0 ||
	    (ret = write_json(x.img_fd, META_FILE, meta, e)) < 0) {
		oerr_wrap(e, "checkpoint");
		goto out;
	}
	if ((ret = criu_local_dump(x.c)) != 0)
		ret = criu_failed(&x, ret, "dump", e);
out:
	notify_ctx = NULL;
	if (x.status_fd >= 0 && x.status_fd != o->status_fd)
		close(x.status_fd);
	json_decref(mounts);
	json_decref(stdio);
	json_decref(meta);
	ctx_free(&x);
	return ret;
}

/* --- restore -------------------------------------------------------------- */

int cr_restore(const struct cr_restore *r, const struct cr_opts *o, pid_t *pid, struct oerr *e)
{
	struct cr_ctx x = { .img_fd = -1, .work_fd = -1, .status_fd = -1, .r = r };
	json_t *meta = NULL, *stdio = NULL;
	int ns_fds[2] = { -1, -1 };
	bool mounted = false, made = false;
	int ret = setup_common(&x, o, r->spec, false, e);
	if (ret < 0)
		goto out;
	if ((ret = read_json(x.img_fd, o->image_path, META_FILE, &meta, e)) < 0 ||
	    (ret = read_json(x.img_fd, o->image_path, DESCRIPTORS_FILE, &stdio, e)) < 0)
		goto out;
	if (!json_is_array(stdio) || !json_is_array(json_object_get(meta, "mounts"))) {
		ret = oerr_setx(e, EINVAL, "restore: %s: not a checkpoint of ocirt's", o->image_path);
		goto out;
	}
	x.paused = json_is_true(json_object_get(meta, "paused"));
	const struct spec_namespace *user = spec_find_namespace(r->spec, SPEC_NS_USER);
	struct stat st;
	if (user && fstat(x.img_fd, &st) == 0 && !(st.st_mode & S_IXOTH)) {
		ret = oerr_setx(e, EACCES, "restore: the image directory %s must be searchable by others (o+x): "
				"the container's user namespace restores from it", o->image_path);
		goto out;
	}
	const struct spec_namespace *net = spec_find_namespace(r->spec, SPEC_NS_NETWORK);
	x.lo_up = net && !net->path;
	criu_local_set_evasive_devices(x.c, true);
	if ((ret = restore_namespaces(&x, r->spec, ns_fds, e)) < 0 ||
	    (ret = restore_mounts(&x, r, json_object_get(meta, "mounts"), e)) < 0 ||
	    (ret = restore_stdio(&x, stdio, e)) < 0 || (ret = cgroups_to_criu(&x, r->cg_path, false, e)) < 0 ||
	    (ret = make_mountpoints(r, e)) < 0)
		goto out;
	/* CRIU's root must be a mount point whose parent is not overmounted. */
	if (mkdir(r->root_dir, 0755) < 0) {
		ret = oerr_set(e, errno, "restore: create %s", r->root_dir);
		goto out;
	}
	made = true;
	if (mount(r->rootfs, r->root_dir, NULL, MS_BIND | MS_REC, NULL) < 0) {
		ret = oerr_set(e, errno, "restore: bind %s on %s", r->rootfs, r->root_dir);
		goto out;
	}
	mounted = true;
	if (mount(NULL, r->root_dir, NULL, MS_PRIVATE | MS_REC, NULL) < 0) {
		ret = oerr_set(e, errno, "restore: make %s private", r->root_dir);
		goto out;
	}
	if (criu_local_set_root(x.c, r->root_dir) < 0) {
		ret = oerr_set(e, ENOMEM, "restore: root");
		goto out;
	}
	notify_ctx = &x;
	criu_local_set_notify_cb(x.c, notify_cb);
	ret = criu_local_restore_child(x.c);
	if (ret <= 0) {
		ret = criu_failed(&x, ret, "restore", e);
		if (x.restored > 0)
			kill(x.restored, SIGKILL);
		goto out;
	}
	*pid = ret;
	ret = 0;
out:
	notify_ctx = NULL;
	if (mounted)
		umount2(r->root_dir, MNT_DETACH);
	if (made)
		rmdir(r->root_dir);
	for (int i = 0; i < 2; i++)
		if (ns_fds[i] >= 0)
			close(ns_fds[i]);
	json_decref(meta);
	json_decref(stdio);
	ctx_free(&x);
	return ret;
}

#endif
