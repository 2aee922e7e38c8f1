/* start, kill, delete and status of a container that `create` left in the state dir. */
#include "lib/container/container.h"
#include "lib/resctrl/resctrl.h"
#include "base/util.h"
#include "base/debug.h"
#include "lib/hooks/hooks.h"
#include "lib/cgroup/cgroup.h"
#include "lib/rootfs/rootfs.h"
#include "oci/spec.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#define OCI_VERSION "1.3.0"

const char *container_status_name(enum container_status s)
{
	static const char *const names[] = {
		[CS_CREATING] = "creating", [CS_CREATED] = "created", [CS_RUNNING] = "running",
		[CS_PAUSED] = "paused", [CS_STOPPED] = "stopped",
	};
	return names[s];
}

void container_refresh_status(struct container *c)
{
	if (!state_init_alive(&c->st)) {
		c->status = CS_STOPPED;
		return;
	}
	/* A create that did not finish: its init lives, but it never got as far as created. */
	if (c->incomplete) {
		c->status = CS_CREATING;
		return;
	}
	struct stat st;
	if (fstatat(c->dirfd, "exec.fifo", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		c->status = CS_CREATED;
		return;
	}
	bool frozen = false;
	struct oerr ignored;
	if (c->st.cgroup_path && cgroup_is_frozen(c->st.cgroup_path, &frozen, &ignored) == 0 && frozen)
		c->status = CS_PAUSED;
	else
		c->status = CS_RUNNING;
}

/* The cgroup mounts create saved (statedir.h: cgroup.mounts), so that a
 * command on the container need not read /proc/self/mountinfo. */
static void adopt_cgroup_mounts(const struct container *c)
{
	if (!c->st.cgroup_path || cgroup_mounts_known())
		return;
	_cleanup_free_ char *text = NULL;
	struct oerr ignored;
	if (read_regular_file_at(c->dirfd, STATE_CGROUP_MOUNTS, 1 << 20, "1 MiB", &text, NULL, &ignored) == 0)
		cgroup_mounts_adopt(text);
}

/* salvage: a state.json that cannot be read is no error; what the records
 * say stands in for it (delete --force), and e keeps why. */
static int open_state(const char *root, const char *id, bool exclusive, bool salvage, struct container *c,
		      struct oerr *e)
{
	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
	int ret = spec_validate_container_id(id, e);
	if (ret < 0)
		return ret;
	if ((ret = statedir_open(root, id, exclusive, &c->dirfd, e)) < 0)
		return ret;
	ret = state_read(c->dirfd, &c->st, e);
	if (ret < 0 && ret != -ENOENT && !(salvage && ret == -EBADMSG)) {
		container_close(c);
		if (ret == -EBADMSG) {
			struct oerr why = *e;
			oerr_setx(e, EBADMSG, "container \"%s\": %s; \"delete --force\" removes what it can find of it",
				  id, why.msg);
		}
		return ret;
	}
	c->corrupt = ret == -EBADMSG;
	if (ret < 0 || c->st.creating) {
		/* A create that did not finish, or a state.json lost: the records say what exists. */
		c->incomplete = true;
		if (!c->st.id)
			c->st.id = strdup(id);
		state_read_records(c->dirfd, &c->st);
	}
	adopt_cgroup_mounts(c);
	container_refresh_status(c);
	return 0;
}

int container_open(const char *root, const char *id, bool exclusive, struct container *c, struct oerr *e)
{
	return open_state(root, id, exclusive, false, c, e);
}

void container_close(struct container *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
	state_clear(&c->st);
}

int container_state_json(const struct container *c, char **out, struct oerr *e)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion", OCI_VERSION,
			      "id", c->st.id, "status", container_status_name(c->status),
			      "pid", (json_int_t)(c->status == CS_STOPPED ? 0 : c->st.pid),
			      "bundle", c->st.bundle ? c->st.bundle : "");
	if (!o)
		return oerr_setx(e, ENOMEM, "encode state");
	if (c->st.rootfs)
		json_object_set_new(o, "rootfs", json_string(c->st.rootfs));
	if (c->st.created)
		json_object_set_new(o, "created", json_string(c->st.created));
	json_object_set_new(o, "owner", json_string(""));
	if (c->st.annotations)
		json_object_set(o, "annotations", c->st.annotations);
	*out = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (!*out)
		return oerr_setx(e, ENOMEM, "encode state");
	return 0;
}

/* The config as it was at create, parsed only when it has hooks of that phase. */
static int load_saved_spec_for(const struct container *c, enum hook_phase phase, struct spec **out,
			       struct oerr *e)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	*out = NULL;
	if (!(c->st.hooks & (1u << phase)))
		return 0;
	int ret = spec_read_json_file(c->dirfd, "config.json", &text, &len, e);
	if (ret < 0)
		return ret;
	return spec_parse(text, len, out, e);
}

/* runtime.md "Lifecycle" 7-9: a failing startContainer hook fails start, and
 * poststart hooks run only once the process was executed. The init holds
 * exec.done open for writing: it writes '1' once its startContainer hooks
 * passed, and the fd closes when it execs. The end of file without the '1',
 * or the init's exit (its pidfd; it may have died before we opened the fifo,
 * and then no end of file comes), means the process never ran. */
static int wait_process_exec(const struct container *c, int rfd, int pidfd, struct oerr *e)
{
	bool hooks_passed = false;
	for (;;) {
		struct pollfd p[2] = { { .fd = rfd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		if (poll(p, pidfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return oerr_set(e, errno, "wait for the process of container \"%s\"", c->st.id);
		}
		if (p[0].revents & POLLIN) {
			char byte = 0;
			ssize_t n = read(rfd, &byte, 1);
			if (n == 1 && byte == '1') {
				hooks_passed = true;
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			break;	/* end of file, or not the init's word */
		}
		if (p[0].revents & (POLLHUP | POLLERR))
			break;
		if (pidfd >= 0 && (p[1].revents & POLLIN))
			break;
	}
	if (hooks_passed)
		return 0;
	return oerr_setx(e, ECHILD, "container \"%s\" exited before its process ran "
			 "(a startContainer hook failed; see the container's stderr)", c->st.id);
}

/* poststart: a failure fails start and stops the container. */
static int run_poststart_hooks(const struct container *c, int pidfd, struct oerr *e)
{
	struct spec *s = NULL;
	int ret = load_saved_spec_for(c, HOOK_POSTSTART, &s, e);
	if (ret < 0 || !s)
		return ret;
	_cleanup_free_ char *state = NULL;
	ret = container_state_json(c, &state, e);
	if (ret == 0)
		ret = hooks_run(s, HOOK_POSTSTART, state, e);
	spec_free(s);
	if (ret < 0) {
		if (pidfd < 0 || syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
			kill(c->st.pid, SIGKILL);
	}
	return ret;
}

static void run_warn_hooks(const struct container *c, enum hook_phase phase, const char *key)
{
	struct oerr e = { 0 };
	struct spec *s = NULL;
	if (load_saved_spec_for(c, phase, &s, &e) < 0 || !s) {
		if (e.code)
			fprintf(stderr, "warning: %s hooks: %s\n", key, e.msg);
		return;
	}
	_cleanup_free_ char *state = NULL;
	if (container_state_json(c, &state, &e) == 0 && hooks_run(s, phase, state, &e) < 0)
		fprintf(stderr, "warning: %s\n", e.msg);
	spec_free(s);
}

int container_start(const char *root, const char *id, struct oerr *e)
{
	_cleanup_close_ int pidfd = -1, rfd = -1;
	struct container c;
	int ret = container_open(root, id, true, &c, e);
	if (ret < 0)
		return ret;
	debug_step("start %s: state dir locked, container %s, init pid %d", id, container_status_name(c.status),
		   c.st.pid);
	if (c.status != CS_CREATED) {
		ret = oerr_setx(e, EINVAL, "cannot start a container that is %s",
				container_status_name(c.status));
		goto out;
	}
	if (c.st.no_process) {
		/* runtime.md: process is required by start; the container stops. */
		kill(c.st.pid, SIGKILL);
		ret = oerr_setx(e, EINVAL, "container \"%s\" has no process in its config.json: "
				"nothing to start", id);
		goto out;
	}
	/* Only with hooks that need it: wait for the exec after the fifo. */
	if (c.st.hooks & (1u << HOOK_START_CONTAINER | 1u << HOOK_POSTSTART)) {
		pidfd = (int)syscall(SYS_pidfd_open, c.st.pid, 0);
		rfd = openat(c.dirfd, "exec.done", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	}
	int fd = openat(c.dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = oerr_set(e, errno, "open exec fifo of container \"%s\"", id);
		goto out;
	}
	ret = write_all(fd, "0", 1);
	close(fd);
	if (ret < 0) {
		ret = oerr_set(e, -ret, "write exec fifo of container \"%s\"", id);
		goto out;
	}
	unlinkat(c.dirfd, "exec.fifo", 0);
	c.status = CS_RUNNING;
	debug_step("start: exec fifo written: the init goes on to exec the process");
	if (rfd >= 0) {
		ret = wait_process_exec(&c, rfd, pidfd, e);
		unlinkat(c.dirfd, "exec.done", 0);
		if (ret < 0)
			goto out;
		debug_step("start: startContainer hooks passed and the process was exec'd");
	}
	ret = run_poststart_hooks(&c, pidfd, e);
	if (ret == 0 && (c.st.hooks & (1u << HOOK_POSTSTART)))
		debug_step("start: poststart hooks ran");
out:
	container_close(&c);
	return ret;
}

/* pidfd_open of the init, checked to be the init still; -ENOSYS (nothing
 * in e) where there are no pidfds (pidfd_open_or_nosys). */
static int pidfd_for(const struct container *c, struct oerr *e)
{
	int fd = pidfd_open_or_nosys(c->st.pid);
	if (fd < 0 && fd != -ENOSYS)
		return oerr_set(e, -fd, "pidfd_open %d", c->st.pid);
	/* The pid might have been reused between the status check and pidfd_open. */
	if (proc_start_time(c->st.pid) != c->st.start_time) {
		if (fd >= 0)
			close(fd);
		return oerr_setx(e, ESRCH, "container \"%s\" is not running", c->st.id);
	}
	return fd >= 0 ? fd : -ENOSYS;
}

int container_kill(struct container *c, int sig, bool all, struct oerr *e)
{
	if (c->status == CS_STOPPED && !(all && c->st.cgroup_path))
		return oerr_setx(e, ESRCH, "container \"%s\" is not running", c->st.id);
	if (all && c->st.cgroup_path)
		return cgroup_signal_all(c->st.cgroup_path, sig, e);
	_cleanup_close_ int pfd = pidfd_for(c, e);
	if (pfd < 0 && pfd != -ENOSYS)
		return pfd;
	/* Without a pidfd, by pid, just checked to be the init's (as runc
	 * does; the pid could only be reused between that check and here).
	 * The same after an EPERM, which is also a seccomp filter's answer
	 * for a pidfd_send_signal it does not know; kill repeats a real one. */
	long r = pfd >= 0 ? syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) : kill(c->st.pid, sig);
	if (r < 0 && pfd >= 0 && errno == EPERM)
		r = kill(c->st.pid, sig);
	if (r < 0)
		return oerr_set(e, errno, "signal %d to container \"%s\"", sig, c->st.id);
	return 0;
}

/* Wait until the init is gone, up to timeout_ms: on its pidfd, or, where
 * there are none (pidfd_for), looking every millisecond. */
static int wait_gone(const struct container *c, int timeout_ms)
{
	int fd = pidfd_open_or_nosys(c->st.pid);
	if (fd < 0 && fd != -ENOSYS)
		return 0;	/* ESRCH: gone */
	if (!state_init_alive(&c->st)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (fd < 0) {
		const struct timespec ms = { 0, 1000000 };
		for (int i = 0; i < timeout_ms; i++) {
			nanosleep(&ms, NULL);
			if (!state_init_alive(&c->st))
				return 0;
		}
		return -ETIMEDOUT;
	}
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);
	close(fd);
	/* A pidfd polls readable when the process exits; it may still be a zombie of someone else. */
	return r > 0 ? 0 : -ETIMEDOUT;
}

/* A garbled state.json and no cgroup record: the cgroup its saved config
 * would have had (for a relative cgroupsPath, below our own cgroups). */
static void guess_cgroup(struct container *c)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	struct spec *s = NULL;
	struct oerr ignored;
	if (c->st.cgroup_path || spec_read_json_file(c->dirfd, "config.json", &text, &len, &ignored) < 0 ||
	    spec_parse(text, len, &s, &ignored) < 0)
		return;
	if (cgroup_path_for(s, c->st.id, &c->st.cgroup_path, &ignored) < 0)
		c->st.cgroup_path = NULL;
	spec_free(s);
}

/* What delete --force of a container with a garbled state.json found, said
 * as a warning when the records were enough, as the error when not. */
static int report_salvage(const struct container *c, bool cgroup_guessed, const struct oerr *why, struct oerr *e)
{
	const char *id = c->st.id;
	bool init = c->st.pid > 0 && c->st.start_time;
	if (!init && !c->st.cgroup_path)
		return oerr_setx(e, EBADMSG, "container \"%s\": %s, and neither its init nor its cgroup is "
				 "recorded: removed its state dir only; its processes and cgroups, if any, may remain",
				 id, why->msg);
	if (!c->st.cgroup_path)
		return oerr_setx(e, EBADMSG, "container \"%s\": %s, and its cgroup is not recorded: killed its "
				 "init (pid %d) and removed its state dir; its cgroups may remain", id, why->msg,
				 c->st.pid);
	fprintf(stderr, "warning: container \"%s\": %s: removed it as %s%s\n", id, why->msg,
		cgroup_guessed ? "its config.json places its cgroup: " : "its records say: cgroup ",
		c->st.cgroup_path);
	return 0;
}

int container_delete(const char *root, const char *id, bool force, struct oerr *e)
{
	struct container c;
	struct oerr why = { 0 };
	/* Up here: no goto may jump over a cleanup variable (clang refuses it). */
	uint64_t mnt_id;
	_cleanup_free_ char *rootfs = NULL;
	int ret = open_state(root, id, true, force, &c, &why);
	if (ret == -ENOENT && force)
		return 0;
	if (ret < 0) {
		*e = why;
		return ret;
	}
	debug_step("delete %s: state dir locked, container %s", id, container_status_name(c.status));
	if (c.status != CS_STOPPED && !force) {
		ret = oerr_setx(e, EBUSY, "cannot delete container \"%s\" that is not stopped: %s",
				id, container_status_name(c.status));
		goto out;
	}
	bool guessed = c.corrupt && !c.st.cgroup_path;
	if (guessed)
		guess_cgroup(&c);
	if (force) {
		/* Every process of the cgroup, also where the init is gone: a create
		 * killed part-way can leave others there (a createContainer hook). */
		struct oerr ignored;
		if (c.st.cgroup_path)
			cgroup_signal_all(c.st.cgroup_path, SIGKILL, &ignored);
		if (c.status != CS_STOPPED)
			container_kill(&c, SIGKILL, false, &ignored);
		if (wait_gone(&c, 10000) < 0) {
			ret = oerr_setx(e, ETIMEDOUT, "container \"%s\" did not die after SIGKILL", id);
			goto out;
		}
		c.status = CS_STOPPED;
		debug_step("delete: killed, and gone");
	}
	/* runtime.md: poststop once the container's process existed. */
	if (!c.corrupt && (!c.incomplete || c.st.pid > 0) && (c.st.hooks & (1u << HOOK_POSTSTOP))) {
		run_warn_hooks(&c, HOOK_POSTSTOP, "poststop");
		debug_step("delete: poststop hooks ran");
	}
	if (c.st.cgroup_path && (ret = cgroup_destroy(c.st.cgroup_path, e)) < 0)
		goto out;
	if (c.st.cgroup_path)
		debug_step("delete: cgroup %s removed", c.st.cgroup_path);
	/* a container without a mount namespace: its mounts are in ours */
	ret = statedir_read_host_mounts(c.dirfd, &mnt_id, &rootfs, e);
	if (ret < 0 && ret != -ENOENT)
		goto out;
	if (ret == 0) {
		if ((ret = rootfs_host_unmount(rootfs, mnt_id, e)) < 0)
			goto out;
		debug_step("delete: the container's mounts at %s removed", rootfs);
	}
	if ((ret = rdt_destroy(c.st.rdt_dir, c.st.rdt_mon_dir, c.st.rdt_created, e)) < 0)
		goto out;
	ret = statedir_remove(root, id, e);
	if (ret == 0)
		debug_step("delete: state dir removed");
	if (ret == 0 && c.corrupt)
		ret = report_salvage(&c, guessed, &why, e);
out:
	container_close(&c);
	return ret;
}
