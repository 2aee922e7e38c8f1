/* `create`, runtime side: read the bundle, make the state dir, clone the
 * container's init and drive it over the sync channel until it waits on the
 * exec fifo. Every failure path kills what was started and removes the state
 * dir; and each thing made is recorded in the state dir as soon as it exists
 * (statedir.h), so that a create killed at any point leaves delete --force
 * what it must remove. */
#include "lib/process/fdutil.h"
#include "lib/container/container.h"
#include "lib/container/create_run.h"
#include "lib/container/notify.h"
#include "lib/container/init.h"
#include "lib/container/sync.h"
#include "base/debug.h"
#include "lib/container/statedir.h"
#include "base/util.h"
#include "lib/process/namespace.h"
#include "lib/process/mempolicy.h"
#include "lib/net/netdev.h"
#include "lib/resctrl/resctrl.h"
#include "lib/hooks/hooks.h"
#include "lib/cgroup/cgroup.h"
#include "lib/rootfs/mountfds.h"
#include "lib/rootfs/rootfs.h"
#include "lib/process/lsm.h"
#include "oci/spec.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>

int create_load_config(struct create_run *r, struct oerr *e)
{
	char path[PATH_MAX + 16];
	free(r->config_text);
	r->config_text = NULL;
	snprintf(path, sizeof(path), "%s/config.json", r->bundle);
	int ret = spec_read_json_file(AT_FDCWD, path, &r->config_text, &r->config_len, e);
	if (ret < 0)
		return ret;
	ret = spec_parse(r->config_text, r->config_len, &r->spec, e);
	if (ret < 0)
		return oerr_wrap(e, "config.json");
	const struct spec *s = r->spec;
	if (!s->root_path)
		return oerr_setx(e, EINVAL, "config.json: root.path: required");
	char root[PATH_MAX * 2];
	if (s->root_path[0] == '/')
		snprintf(root, sizeof(root), "%s", s->root_path);
	else
		snprintf(root, sizeof(root), "%s/%s", r->bundle, s->root_path);
	if (!realpath(root, r->rootfs))
		return oerr_set(e, errno, "config.json: root.path: %s", root);
	struct stat st;
	if (stat(r->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return oerr_setx(e, ENOTDIR, "config.json: root.path: %s is not a directory", root);
	/* Without "mount" in linux.namespaces the container shares ours
	 * (config-linux.md); its mounts are made here and undone at delete. */
	if (!s->linux_)
		return oerr_setx(e, EINVAL, "config.json: linux: required");
	return 0;
}

/* What the config asks of this host, checked before anything is made. */
int create_host_checks(struct create_run *r, struct oerr *e)
{
	const struct spec_linux *l = r->spec->linux_;
	int ret = mempolicy_check_host(l->memory_policy, MEMPOLICY_NODE_DIR, e);
	if (ret < 0)
		return ret;
	if (l->intel_rdt && (ret = rdt_find_root("/proc/self/mountinfo", r->rdt_root, sizeof(r->rdt_root), e)) < 0)
		return ret;
	/* runc's rule: an unprivileged runtime may not move the host's devices. */
	if (l->n_net_devices && r->o->rootless)
		return oerr_setx(e, EPERM, "linux.netDevices: not supported in a rootless container");
	return netdev_check(l, e);
}

/* With startContainer or poststart hooks, start must know when the init has
 * run the first and exec'd: a second fifo the init holds open for writing
 * (O_RDWR never blocks) until exec; see container_start. */
static int open_exec_done(struct create_run *r, int *fd, struct oerr *e)
{
	if (!r->spec->hooks.n_start_container && !r->spec->hooks.n_poststart)
		return 0;
	if (mkfifoat(r->dirfd, "exec.done", 0600) < 0)
		return oerr_set(e, errno, "create exec.done fifo");
	*fd = openat(r->dirfd, "exec.done", O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return oerr_set(e, errno, "open exec.done fifo");
	return 0;
}

char *create_hook_state(const struct create_run *r, const char *status)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion",
			      r->spec->oci_version ? r->spec->oci_version : "1.3.0",
			      "id", r->o->id, "status", status, "pid", (json_int_t)r->init,
			      "bundle", r->bundle);
	if (!o)
		return NULL;
	json_t *ann = json_object();
	for (size_t i = 0; i < r->spec->n_annotations; i++)
		json_object_set_new(ann, r->spec->annotations[i].key,
				    json_string(r->spec->annotations[i].value));
	json_object_set_new(o, "annotations", ann);
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* What the runtime writes for the child between SETUP_REQ and SETUP_ACK;
 * with none of it, they skip the round trip. */
static bool writes_id_maps(const struct spec *s)
{
	const struct spec_namespace *ns = spec_find_namespace(s, SPEC_NS_USER);
	return ns && !ns->path && (s->linux_->n_uid_mappings || s->linux_->n_gid_mappings);
}

static bool writes_time_offsets(const struct spec *s)
{
	const struct spec_namespace *tns = spec_find_namespace(s, SPEC_NS_TIME);
	return tns && !tns->path && (s->linux_->time_monotonic.set || s->linux_->time_boottime.set);
}

static bool writes_oom_score_adj(const struct spec *s)
{
	return s->process && s->process->has_oom_score_adj;
}

/* linux.netDevices go in once the child has its network namespace (the
 * one it was cloned with, or joined or made before asking), before any
 * hook runs and before the init brings its loopback up. */
int create_move_net_devices(struct create_run *r, pid_t pid, struct oerr *e)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	r->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->netns_fd < 0)
		return oerr_set(e, errno, "linux.netDevices: open %s", path);
	return netdev_move(r->spec->linux_, r->netns_fd, &r->net_devices, e);
}

static int setup_for_child(struct create_run *r, struct oerr *e)
{
	const struct spec *s = r->spec;
	int ret;
	if (writes_id_maps(s) && ((ret = userns_write_maps(r->child, s->linux_, e)) < 0 ||
				  (ret = mountfds_idmap_pending(s, &r->mfds, r->child, e)) < 0))
		return ret;
	if (writes_time_offsets(s) && (ret = timens_write_offsets(r->child, s->linux_, e)) < 0)
		return ret;
	if (writes_oom_score_adj(s)) {
		char path[64], val[32];
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", r->child);
		int n = snprintf(val, sizeof(val), "%d", s->process->oom_score_adj);
		if ((ret = write_file_at(AT_FDCWD, path, val, (size_t)n, false, e)) < 0)
			return oerr_wrap(e, "process.oomScoreAdj");
	}
	if (s->linux_->n_net_devices && (ret = create_move_net_devices(r, r->child, e)) < 0)
		return ret;
	return 0;
}

int create_runtime_hooks(const struct create_run *r, char **state_out, struct oerr *e)
{
	_cleanup_free_ char *state = create_hook_state(r, "creating");
	if (!state)
		return oerr_setx(e, ENOMEM, "encode hook state");
	/* In the bundle, as runc and crun run them. */
	int ret = hooks_run_via(r->spec, HOOK_PRESTART, state, -1, r->bundle, e);
	if (ret == 0)
		ret = hooks_run_via(r->spec, HOOK_CREATE_RUNTIME, state, -1, r->bundle, e);
	if (ret == 0 && state_out)
		*state_out = steal_ptr(state);
	return ret;
}

static int run_runtime_hooks(struct create_run *r, struct oerr *e)
{
	_cleanup_free_ char *state = NULL;
	int ret = create_runtime_hooks(r, &state, e);
	if (ret < 0)
		return ret;
	/* createContainer and startContainer run inside; they need the same state. */
	return sync_send(r->ictx.sync_fd, SYNC_HOOKS_ACK, 0, state, e);
}

/* The process in the "init" record: the first cloned one, then the init. */
int create_record_init(struct create_run *r, pid_t pid, struct oerr *e)
{
	unsigned long long start = proc_start_time(pid);
	if (!start)
		return 0;	/* gone already: drive_child says why */
	return state_record_init(r->dirfd, pid, start, e);
}

int create_record_cgroup(const char *cg_path, void *arg, struct oerr *e)
{
	struct create_run *r = arg;
	return state_record_cgroup(r->dirfd, cg_path, e);
}

/* For the commands that come after (statedir.h: cgroup.mounts). */
static int save_cgroup_mounts(struct create_run *r, struct oerr *e)
{
	_cleanup_free_ char *text = NULL;
	int ret = cgroup_mounts_dump(&text, e);
	return ret < 0 ? ret : atomic_write_at(r->dirfd, STATE_CGROUP_MOUNTS, text, strlen(text), false, e);
}

static void reap_child(struct create_run *r)
{
	if (r->child > 0 && !r->child_reaped) {
		while (waitpid(r->child, NULL, 0) < 0 && errno == EINTR)
			;
		r->child_reaped = true;
	}
}

/* Talk to the child until its init reports READY. */
static int drive_child(struct create_run *r, bool two_stage_fork, struct oerr *e)
{
	struct sync_msg *m = malloc(sizeof(*m));
	if (!m)
		return oerr_setx(e, ENOMEM, "sync buffer");
	int ret;
	bool expect_pid = two_stage_fork;
	for (;;) {
		ret = sync_recv(r->ictx.sync_fd, m, e);
		if (ret < 0) {
			int status = 0;
			if (waitpid(r->child, &status, WNOHANG) == r->child) {
				r->child_reaped = true;
				if (WIFSIGNALED(status))
					oerr_setx(e, ECHILD, "container init was killed by signal %d during create",
						  WTERMSIG(status));
				else
					oerr_setx(e, ECHILD, "container init exited with status %d during create",
						  WEXITSTATUS(status));
			}
			break;
		}
		if (m->type == SYNC_ERROR) {
			ret = oerr_setx(e, m->val > 0 ? m->val : EINVAL, "%s", m->data);
			break;
		} else if (m->type == SYNC_SETUP_REQ) {
			if ((ret = setup_for_child(r, e)) < 0)
				break;
			debug_step("create: wrote the id maps, time offsets, oomScoreAdj, net devices the init needs");
			if ((ret = sync_send(r->ictx.sync_fd, SYNC_SETUP_ACK, 0, NULL, e)) < 0)
				break;
		} else if (m->type == SYNC_PID && expect_pid) {
			r->init = m->val;
			expect_pid = false;
			if ((ret = create_record_init(r, r->init, e)) < 0)
				break;
			reap_child(r);
			debug_step("create: the init is pid %d", r->init);
		} else if (m->type == SYNC_HOOKS_REQ) {
			if ((ret = run_runtime_hooks(r, e)) < 0)
				break;
			debug_step("create: prestart and createRuntime hooks ran");
		} else if (m->type == SYNC_READY && !expect_pid) {
			debug_step("create: the init is ready and waits for start");
			ret = 0;
			break;
		} else if (m->type == SYNC_LOG) {
			sync_debug_forward(m);
		} else {
			ret = oerr_setx(e, EPROTO, "sync: unexpected message %d from container init", m->type);
			break;
		}
	}
	free(m);
	return ret;
}

int create_write_pid_file(const char *path, pid_t pid, struct oerr *e)
{
	char abs[PATH_MAX], dir[PATH_MAX], val[32];
	if (path[0] == '/')
		snprintf(abs, sizeof(abs), "%s", path);
	else if (!getcwd(dir, sizeof(dir)) || snprintf(abs, sizeof(abs), "%s/%s", dir, path) >= (int)sizeof(abs))
		return oerr_set(e, ENAMETOOLONG, "pid file %s", path);
	char *slash = strrchr(abs, '/');
	*slash = '\0';
	_cleanup_close_ int dfd = open(abs[0] ? abs : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return oerr_set(e, errno, "pid file %s", path);
	int n = snprintf(val, sizeof(val), "%d", pid);
	int ret = atomic_write_at(dfd, slash + 1, val, (size_t)n, false, e);
	if (ret < 0)
		return oerr_wrap(e, "pid file %s", path);
	fchmodat(dfd, slash + 1, 0644, 0);
	return 0;
}

/* creating: the first state.json, before anything is made; the records
 * (statedir.h) then say what exists. Otherwise the final one. */
int create_save_state(struct create_run *r, bool creating, struct oerr *e)
{
	struct container_state st = {
		.id = (char *)r->o->id, .pid = creating ? 0 : r->init, .bundle = r->bundle,
		.rootfs = r->rootfs, .created = r->created, .owner = geteuid(),
		.cgroup_path = creating ? NULL : r->cgroup_path, .no_process = !r->spec->process,
		.rdt_dir = r->rdt.dir, .rdt_mon_dir = r->rdt.mon_dir, .rdt_created = r->rdt.created,
		.creating = creating,
	};
	/* What start and delete need to know without parsing the config again. */
	const struct spec_hooks *h = &r->spec->hooks;
	size_t counts[] = {
		[HOOK_PRESTART] = h->n_prestart, [HOOK_CREATE_RUNTIME] = h->n_create_runtime,
		[HOOK_CREATE_CONTAINER] = h->n_create_container,
		[HOOK_START_CONTAINER] = h->n_start_container, [HOOK_POSTSTART] = h->n_poststart,
		[HOOK_POSTSTOP] = h->n_poststop,
	};
	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (counts[i])
			st.hooks |= 1u << i;
	if (!creating && (st.start_time = proc_start_time(r->init)) == 0)
		return oerr_setx(e, ESRCH, "container init %d exited during create", r->init);
	if (r->spec->n_annotations) {
		st.annotations = json_object();
		for (size_t i = 0; i < r->spec->n_annotations; i++)
			json_object_set_new(st.annotations, r->spec->annotations[i].key,
					    json_string(r->spec->annotations[i].value));
	}
	int ret = state_write(r->dirfd, &st, e);
	json_decref(st.annotations);
	return ret;
}

void create_run_free(struct create_run *r)
{
	if (r->dirfd >= 0)
		close(r->dirfd);
	r->dirfd = -1;
	if (r->netns_fd >= 0)
		close(r->netns_fd);
	r->netns_fd = -1;
	netdev_set_free(&r->net_devices);
	rdt_group_free(&r->rdt);
	free(r->cgroup_path);
	free(r->config_text);
	if (r->spec)
		spec_free(r->spec);
	r->cgroup_path = r->config_text = NULL;
	r->spec = NULL;
}

void create_cleanup_failed(struct create_run *r)
{
	struct oerr ignored;
	/* Before the namespace goes: with it, a veth would be destroyed and a
	 * physical device come back under its container name. */
	netdev_move_back(r->netns_fd, &r->net_devices);
	if (r->init > 0)
		kill(r->init, SIGKILL);
	if (r->child > 0 && !r->child_reaped)
		kill(r->child, SIGKILL);
	reap_child(r);
	if (r->init > 0 && r->init != r->child) {
		/* Not our child (two-stage): wait until it is gone before removing its cgroup. */
		for (int i = 0; i < 1000 && proc_start_time(r->init); i++)
			usleep(1000);
	}
	if (r->cgroup_path)
		cgroup_destroy(r->cgroup_path, &ignored);
	if (r->host_mounts && rootfs_host_unmount(r->rootfs, r->host_mnt_id, &ignored) < 0)
		fprintf(stderr, "warning: %s\n", ignored.msg);
	rdt_destroy(r->rdt.dir, r->rdt.mon_dir, r->rdt.created, &ignored);
	if (r->state_dir_made)
		statedir_remove(r->o->root, r->o->id, &ignored);
	/* runtime.md: a create that got as far as the container's process goes on
	 * to destroy it (above) and then to the poststop hooks, which only warn. */
	if (r->child > 0 && r->spec && r->spec->hooks.n_poststop) {
		_cleanup_free_ char *state = create_hook_state(r, "stopped");
		struct oerr e = { 0 };
		if (!state)
			fprintf(stderr, "warning: poststop hooks: cannot encode the state\n");
		else if (hooks_run(r->spec, HOOK_POSTSTOP, state, &e) < 0)
			fprintf(stderr, "warning: %s\n", e.msg);
	}
}

static bool needs_two_stage(const struct spec *s, bool *fork_init)
{
	bool joins = false;
	for (size_t i = 0; i < s->linux_->n_namespaces; i++)
		if (s->linux_->namespaces[i].path)
			joins = true;
	const struct spec_namespace *pid = spec_find_namespace(s, SPEC_NS_PID);
	const struct spec_namespace *time = spec_find_namespace(s, SPEC_NS_TIME);
	bool two = joins || time;
	/* pid and time namespaces only apply to children of the process that enters them. */
	*fork_init = two && (pid || time);
	return two;
}

static bool permission_error(int ret)
{
	return ret == -EACCES || ret == -EPERM || ret == -EROFS;
}

/* runc's rule for a rootless container (--rootless): a cgroup the user may
 * not make or enter (cgroup v1, or v2 without a subtree delegated to the
 * user) is left out when the config sets no limits and names no
 * cgroupsPath; otherwise the error says why. ret is the failure. */
static int rootless_cgroup_fallback(struct create_run *r, int ret, struct oerr *e)
{
	if (!r->o->rootless || !permission_error(ret))
		return ret;
	const struct spec_linux *l = r->spec->linux_;
	const char *field = cgroup_limit_field(l->resources);
	char why[sizeof(e->msg)];
	snprintf(why, sizeof(why), "%s", e->msg);
	if (field)
		return oerr_setx(e, -ret, "linux.resources.%s: a rootless container cannot get this limit without a "
				 "cgroup the user may write (cgroup v1, or cgroup v2 without a delegated subtree): %s",
				 field, why);
	if (l->cgroups_path && *l->cgroups_path)
		return oerr_setx(e, -ret, "linux.cgroupsPath \"%s\": a rootless container gets its cgroup only "
				 "where the user may make it: %s", l->cgroups_path, why);
	if (r->cgroup_path) {
		struct oerr ignored;
		cgroup_destroy(r->cgroup_path, &ignored);
		free(r->cgroup_path);
		r->cgroup_path = NULL;
	}
	unlinkat(r->dirfd, "cgroup", 0);	/* its record (create_record_cgroup), if made */
	*e = (struct oerr){ 0 };
	return 0;
}

/* linux.intelRdt: the group is made (or checked) before the init exists,
 * which joins it by itself, as it joins its cgroups. */
static int prepare_rdt(struct create_run *r, struct oerr *e)
{
	const struct spec_intel_rdt *rdt = r->spec->linux_->intel_rdt;
	if (!rdt)
		return 0;
	int ret = rdt_prepare(rdt, r->rdt_root, r->o->id, &r->rdt, e);
	if (ret < 0)
		return ret;
	r->ictx.rdt_tasks_fd = ret = rdt_open_tasks(r->rdt.dir, r->rdt.mon_dir, e);
	return ret < 0 ? ret : 0;
}

/* NOTIFY_SOCKET: the container's own socket, in the state dir (notify.h). */
static int prepare_notify(struct create_run *r, struct oerr *e)
{
	char root[PATH_MAX], dir[PATH_MAX * 2];
	if (!realpath(r->o->root, root))
		return oerr_set(e, errno, "state root %s", r->o->root);
	snprintf(dir, sizeof(dir), "%s/%s", root, r->o->id);
	return notify_prepare(r->spec, r->dirfd, dir, e);
}

/* The container's cgroup, or none (rootless_cgroup_fallback). */
static int prepare_cgroup(struct create_run *r, struct cgroup_join *j, struct oerr *e)
{
	struct spec_resources *res = r->spec->linux_->resources;
	size_t n_devices = res ? res->n_devices : 0;
	/* Device rules need privileges only the host's root has (v1's devices
	 * cgroup, v2's eBPF program); runc's rootless mode leaves them out too.
	 * A user namespace keeps the container from making device nodes. */
	if (r->o->rootless && res && (geteuid() != 0 || userns_running_in()))
		res->n_devices = 0;
	if (r->o->rootless && r->o->systemd_cgroup)
		return oerr_setx(e, ENOTSUP, "--systemd-cgroup: not supported for a rootless container (it would "
				 "need the user's own systemd instance)");
	struct cgroup_claim claim = { .fn = create_record_cgroup, .arg = r };
	int ret = cgroup_prepare(r->spec, r->o->id, r->o->systemd_cgroup, &claim, &r->cgroup_path, j, e);
	if (res)
		res->n_devices = n_devices;
	if (ret < 0)
		ret = rootless_cgroup_fallback(r, ret, e);
	return ret;
}

/* Clone the init into the cgroup; where a rootless runtime may not move a
 * process there, without it when rootless_cgroup_fallback allows. */
static pid_t clone_init(struct create_run *r, struct cgroup_join *j, unsigned long flags, struct oerr *e)
{
	pid_t pid = cgroup_join_clone(j, flags, e);
	if (pid >= 0 || !r->cgroup_path || rootless_cgroup_fallback(r, pid, e) < 0)
		return pid;
	cgroup_join_close(j);
	r->ictx.cgroup = NULL;
	return cgroup_join_clone(j, flags, e);
}

int container_create(const struct create_opts *o, pid_t *init_pid, struct oerr *e)
{
	struct create_run r = { .o = o, .dirfd = -1, .netns_fd = -1, .ictx.sync_fd = -1,
				.ictx.rdt_tasks_fd = -1 };
	int ret = spec_validate_container_id(o->id, e);
	if (ret < 0)
		return ret;
	const char *bundle = o->bundle && *o->bundle ? o->bundle : ".";
	if (!realpath(bundle, r.bundle))
		return oerr_set(e, errno, "bundle %s", bundle);
	int sv[2] = { -1, -1 }, fifo_fd = -1, done_fd = -1, console_fd = o->console_fd;
	bool console_ours = false;
	struct cgroup_join cg_join = CGROUP_JOIN_NONE;
	int ns_fds[SPEC_NS__COUNT];
	for (int i = 0; i < SPEC_NS__COUNT; i++)
		ns_fds[i] = -1;

	if ((ret = create_load_config(&r, e)) < 0 || (ret = create_host_checks(&r, e)) < 0)
		goto out;
	debug_step("create %s: config.json of bundle %s read and checked, rootfs %s", o->id, r.bundle, r.rootfs);
	lsm_warn_unapplied(r.spec, r.spec->process);
	if ((ret = ns_open_joins(r.spec->linux_, ns_fds, e)) < 0)
		goto out;
	if ((ret = statedir_create(o->root, o->id, &r.dirfd, e)) < 0)
		goto out;
	r.state_dir_made = true;
	debug_step("create: state dir %s/%s made", o->root, o->id);
	time_rfc3339(r.created, sizeof(r.created));
	if ((ret = atomic_write_at(r.dirfd, "config.json", r.config_text, r.config_len, false, e)) < 0 ||
	    (ret = create_save_state(&r, true, e)) < 0)
		goto fail;
	if (o->notify_socket && *o->notify_socket && (ret = prepare_notify(&r, e)) < 0)
		goto fail;
	if (mkfifoat(r.dirfd, "exec.fifo", 0600) < 0) {
		ret = oerr_set(e, errno, "create exec fifo");
		goto fail;
	}
	/* O_RDWR never blocks on a fifo; the init then blocks in read() until `start` writes. */
	fifo_fd = openat(r.dirfd, "exec.fifo", O_RDWR | O_CLOEXEC);
	if (fifo_fd < 0) {
		ret = oerr_set(e, errno, "open exec fifo");
		goto fail;
	}
	if ((ret = open_exec_done(&r, &done_fd, e)) < 0)
		goto fail;
	if (!spec_find_namespace(r.spec, SPEC_NS_MOUNT)) {
		if ((ret = rootfs_host_mark(r.rootfs, &r.host_mnt_id, e)) < 0 ||
		    (ret = statedir_write_host_mounts(r.dirfd, r.host_mnt_id, r.rootfs, e)) < 0)
			goto fail;
		r.host_mounts = true;
	}
	if (console_fd < 0 && !o->console_socket && o->console_pair && r.spec->process &&
	    r.spec->process->terminal) {
		int cp[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cp) < 0) {
			ret = oerr_set(e, errno, "console socketpair");
			goto fail;
		}
		*o->console_pair = cp[0];
		console_fd = cp[1];
		console_ours = true;
	}
	if (console_fd < 0 && o->console_socket) {
		console_fd = unix_connect(o->console_socket, "console socket", e);
		if (console_fd < 0) {
			ret = console_fd;
			goto fail;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = oerr_set(e, errno, "sync socketpair");
		goto fail;
	}
	/* Before the init is in its user namespace (lib/rootfs/mountfds.h). */
	if ((ret = mountfds_prepare(r.spec, r.bundle, r.dirfd, ns_fds[SPEC_NS_USER], &r.mfds, e)) < 0)
		goto fail;
	bool fork_init;
	bool two_stage = needs_two_stage(r.spec, &fork_init);
	int new_flags = ns_new_flags(r.spec->linux_);
	r.ictx = (struct init_ctx){
		.spec = r.spec, .id = o->id, .rootfs = r.rootfs, .bundle = r.bundle, .sync_fd = sv[1],
		.fifo_fd = fifo_fd, .done_fd = done_fd, .console_fd = console_fd,
		.console_ours = console_ours, .listen_fds = o->listen_fds, .ns_fds = ns_fds,
		.new_flags = new_flags, .two_stage = two_stage, .fork_init = fork_init,
		.mount_fds = &r.mfds,
		.preserve_fds = o->listen_fds + o->preserve_fds, .no_pivot = o->no_pivot,
		.no_new_keyring = o->no_new_keyring, .rdt_tasks_fd = -1,
		.setup_handshake = writes_id_maps(r.spec) || writes_time_offsets(r.spec) ||
				   writes_oom_score_adj(r.spec) || r.spec->linux_->n_net_devices,
	};
	unsigned long clone_flags = two_stage ? 0 : (unsigned long)(new_flags & ~CLONE_NEWCGROUP);
	if ((ret = prepare_cgroup(&r, &cg_join, e)) < 0 || (ret = prepare_rdt(&r, e)) < 0)
		goto fail;
	debug_step("create: cgroup %s made and configured", r.cgroup_path ? r.cgroup_path
			   : cgroup_join_pending(&cg_join) ? "(made by systemd once the init is cloned)" : "(none)");
	r.ictx.cgroup = r.cgroup_path || cgroup_join_pending(&cg_join) ? &cg_join : NULL;
	fflush(NULL);
	pid_t pid = clone_init(&r, &cg_join, clone_flags, e);
	if (pid < 0) {
		ret = oerr_wrap(e, "clone container init");
		goto fail;
	}
	if (pid == 0) {
		close(sv[0]);
		/* Its flock stays with our copy; the container never needs it. */
		close(r.dirfd);
		init_main(&r.ictx);	/* never returns */
	}
	r.child = pid;
	r.init = fork_init ? 0 : pid;
	debug_step("create: cloned pid %d with namespace flags 0x%lx%s", pid, clone_flags,
		   two_stage ? " (it joins and unshares the namespaces itself)" : "");
	/* systemd's unit is made now, with the child in it; the child waits. */
	if ((ret = cgroup_attach(&cg_join, pid, &r.cgroup_path, e)) < 0 ||
	    (r.cgroup_path && (ret = save_cgroup_mounts(&r, e)) < 0))
		goto fail;
	cgroup_join_close(&cg_join);
	r.ictx.cgroup = NULL;
	if (r.ictx.rdt_tasks_fd >= 0)
		close(steal_fd(r.ictx.rdt_tasks_fd));
	close(sv[1]);
	r.ictx.sync_fd = sv[0];
	sv[0] = sv[1] = -1;
	close(fifo_fd);
	fifo_fd = -1;
	if (done_fd >= 0)
		close(done_fd);
	done_fd = -1;
	if (console_fd >= 0 && console_fd != o->console_fd)
		close(console_fd);
	console_fd = -1;

	if ((ret = create_record_init(&r, pid, e)) < 0 || (ret = drive_child(&r, fork_init, e)) < 0)
		goto fail;
	/* attached by now: the init is READY */
	mountfds_unlink_nodes(&r.mfds, r.dirfd);
	mountfds_close(&r.mfds);
	if ((ret = create_save_state(&r, false, e)) < 0)
		goto fail;
	if (o->pid_file && (ret = create_write_pid_file(o->pid_file, r.init, e)) < 0)
		goto fail;
	debug_step("create: state saved, container %s created, init pid %d", o->id, r.init);
	*init_pid = r.init;
	ret = 0;
	goto out;
fail:
	debug_step("create: failed (%s); cleaning up", e->msg);
	create_cleanup_failed(&r);
	debug_step("create: cleaned up");
out:
	if (r.ictx.sync_fd >= 0)
		close(r.ictx.sync_fd);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (fifo_fd >= 0)
		close(fifo_fd);
	if (done_fd >= 0)
		close(done_fd);
	cgroup_join_close(&cg_join);
	mountfds_close(&r.mfds);
	if (console_fd >= 0 && console_fd != o->console_fd)
		close(console_fd);
	for (int i = 0; i < SPEC_NS__COUNT; i++)
		if (ns_fds[i] >= 0)
			close(ns_fds[i]);
	if (r.ictx.rdt_tasks_fd >= 0)
		close(r.ictx.rdt_tasks_fd);
	create_run_free(&r);
	return ret;
}
