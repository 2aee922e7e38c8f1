/* checkpoint and restore, container side: the state dir, the cgroup and the
 * hooks around lib/criu's dump and restore of the processes. */
#include "lib/container/checkpoint.h"
#include "lib/container/create_run.h"
#include "lib/container/statedir.h"
#include "lib/cgroup/cgroup.h"
#include "base/util.h"
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

int container_checkpoint(const char *root, const char *id, const struct cr_opts *o, struct oerr *e)
{
	struct container c;
	int ret = cr_available("checkpoint", e);
	if (ret < 0 || (ret = container_open(root, id, true, &c, e)) < 0)
		return ret;
	struct spec *s = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (c.status != CS_RUNNING && c.status != CS_PAUSED) {
		ret = oerr_setx(e, EINVAL, "cannot checkpoint a container that is %s", container_status_name(c.status));
		goto out;
	}
	if ((ret = read_file_at(c.dirfd, "config.json", &text, &len, e)) < 0 ||
	    (ret = spec_parse(text, len, &s, e)) < 0) {
		oerr_wrap(e, "checkpoint: the config of container \"%s\"", id);
		goto out;
	}
	struct cr_dump d = { .pid = c.st.pid, .rootfs = c.st.rootfs, .cg_path = c.st.cgroup_path, .spec = s,
			     .paused = c.status == CS_PAUSED };
	ret = cr_checkpoint(&d, o, e);
out:
	if (s)
		spec_free(s);
	container_close(&c);
	/* As runc: the dumped processes are gone, and so goes the container. */
	if (ret == 0 && !o->leave_running && !o->pre_dump) {
		struct oerr de = { 0 };
		if (container_delete(root, id, true, &de) < 0)
			fprintf(stderr, "warning: checkpoint: delete container \"%s\": %s\n", id, de.msg);
	}
	return ret;
}

/* Once the namespaces are there and before the processes run: the config's
 * netDevices (CRIU makes the network namespace empty), then prestart and
 * createRuntime, as runc runs them on restore. */
static int restore_hooks(pid_t pid, void *arg, struct oerr *e)
{
	struct create_run *r = arg;
	int ret;
	r->init = pid;
	if (r->spec->linux_->n_net_devices && (ret = create_move_net_devices(r, pid, e)) < 0)
		return ret;
	if (!r->spec->hooks.n_prestart && !r->spec->hooks.n_create_runtime)
		return 0;
	return create_runtime_hooks(r, NULL, e);
}

int container_restore(const struct restore_opts *ro, const struct cr_opts *o, pid_t *pid, struct oerr *e)
{
	struct create_opts co = { .root = ro->root, .id = ro->id, .bundle = ro->bundle, .console_fd = -1 };
	struct create_run r = { .o = &co, .dirfd = -1, .netns_fd = -1 };
	char root_abs[PATH_MAX], criu_root[PATH_MAX + 300];
	struct cgroup_join cg_join = CGROUP_JOIN_NONE;
	int ret = cr_available("restore", e);
	if (ret < 0 || (ret = spec_validate_container_id(ro->id, e)) < 0)
		return ret;
	const char *bundle = ro->bundle && *ro->bundle ? ro->bundle : ".";
	if (!realpath(bundle, r.bundle))
		return oerr_set(e, errno, "bundle %s", bundle);
	if ((ret = create_load_config(&r, e)) < 0 || (ret = create_host_checks(&r, e)) < 0)
		goto out;
	const struct spec_process *p = r.spec->process;
	if (!p) {
		ret = oerr_setx(e, EINVAL, "config.json: process: required to restore a container");
		goto out;
	}
	/* CRIU makes the processes; nothing would put them in a resctrl group. */
	if (r.spec->linux_->intel_rdt) {
		ret = oerr_setx(e, ENOTSUP, "linux.intelRdt: not supported by restore");
		goto out;
	}
	if (p->terminal && !ro->console_socket && !ro->console_master) {
		ret = oerr_setx(e, EINVAL, "process.terminal is true but no --console-socket was given");
		goto out;
	}
	if ((ret = statedir_create(ro->root, ro->id, &r.dirfd, e)) < 0)
		goto out;
	r.state_dir_made = true;
	time_rfc3339(r.created, sizeof(r.created));
	if (!realpath(ro->root, root_abs)) {
		ret = oerr_set(e, errno, "state root %s", ro->root);
		goto fail;
	}
	snprintf(criu_root, sizeof(criu_root), "%s/%s/criu-root", root_abs, ro->id);
	if ((ret = atomic_write_at(r.dirfd, "config.json", r.config_text, r.config_len, false, e)) < 0 ||
	    (ret = create_save_state(&r, true, e)) < 0)
		goto fail;
	/* Made and configured as for create (and recorded as soon as it is
	 * ours, lib/container/statedir.h); CRIU puts the processes in it. */
	struct cgroup_claim claim = { .fn = create_record_cgroup, .arg = &r };
	if ((ret = cgroup_prepare(r.spec, ro->id, false, &claim, &r.cgroup_path, &cg_join, e)) < 0)
		goto fail;
	cgroup_join_close(&cg_join);
	struct cr_restore cr = {
		.spec = r.spec, .bundle = r.bundle, .rootfs = r.rootfs, .cg_path = r.cgroup_path,
		.root_dir = criu_root, .console_socket = ro->console_socket, .console_master = ro->console_master,
		.setup_namespaces = restore_hooks, .arg = &r,
	};
	pid_t init;
	if ((ret = cr_restore(&cr, o, &init, e)) < 0)
		goto fail;
	r.child = r.init = init;	/* our child (CRIU's sibling) */
	if ((ret = create_record_init(&r, init, e)) < 0 || (ret = create_save_state(&r, false, e)) < 0)
		goto fail;
	if (ro->pid_file && (ret = create_write_pid_file(ro->pid_file, init, e)) < 0)
		goto fail;
	*pid = init;
	ret = 0;
	goto out;
fail:
	if (r.cgroup_path) {
		struct oerr ignored;
		cgroup_freeze(r.cgroup_path, false, &ignored);	/* paused again: a frozen process cannot die */
	}
	if (ro->console_master && *ro->console_master >= 0) {
		close(*ro->console_master);
		*ro->console_master = -1;
	}
	create_cleanup_failed(&r);
out:
	cgroup_join_close(&cg_join);
	create_run_free(&r);
	return ret;
}
