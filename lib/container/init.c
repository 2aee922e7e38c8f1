/* The container's init: joins and creates namespaces, builds the rootfs,
 * becomes the container's user, then waits on the exec fifo and execs the
 * process. Until READY every error travels back to the runtime verbatim;
 * after it, the runtime is gone and errors go to the container's stderr. */
#include "lib/container/init.h"
#include "lib/container/sync.h"
#include "base/debug.h"
#include "base/util.h"
#include "lib/process/namespace.h"
#include "lib/net/netif.h"
#include "lib/rootfs/rootfs.h"
#include "lib/hooks/hooks.h"
#include "lib/process/capabilities.h"
#include "lib/process/identity.h"
#include "lib/process/lsm.h"
#include "lib/process/process_attrs.h"
#include "lib/process/mempolicy.h"
#include "lib/resctrl/resctrl.h"
#include "lib/process/pty.h"
#include "lib/process/pathlookup.h"
#include "lib/process/procenv.h"
#include "lib/process/fdutil.h"
#include "lib/seccomp/seccomp.h"
#include "lib/process/trampoline.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <jansson.h>

/* SCMP_ACT_NOTIFY: the socket to the seccomp agent, connected before
 * pivot_root (listenerPath resolves in the runtime's mount namespace), and
 * the container state it gets with the listener fd. */
static int listener_sock = -1;
static char *listener_state;

/* The exec trampoline (lib/process/trampoline.h), or -1 to exec directly. */
static int trampoline_fd = -1;

/* The process's environment: process.env plus HOME and LISTEN_* (procenv.h). */
static char **proc_env;

/* Made before any filter is loaded; used only where the filter would let
 * its execveat through unseen, so a profile observes one exec as before. */
static void trampoline_prepare(const struct spec *s)
{
	struct oerr ignored = { 0 };
	if (trampoline_fits(s->linux_->seccomp, s->process))
		trampoline_fd = trampoline_open(&ignored);
}

static int listener_prepare(struct init_ctx *c, struct oerr *e)
{
	const struct spec *s = c->spec;
	/* Before pivot_root /proc is the runtime's: /proc/self is our pid there. */
	char buf[32] = "";
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
	long pid = n > 0 ? strtol(buf, NULL, 10) : (long)getpid();
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion", s->oci_version ? s->oci_version : "1.3.0",
			      "id", c->id, "status", "creating", "pid", (json_int_t)pid, "bundle", c->bundle);
	if (!o)
		return oerr_setx(e, ENOMEM, "seccomp listener state");
	json_t *ann = json_object();
	for (size_t i = 0; i < s->n_annotations; i++)
		json_object_set_new(ann, s->annotations[i].key, json_string(s->annotations[i].value));
	json_object_set_new(o, "annotations", ann);
	listener_state = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!listener_state)
		return oerr_setx(e, ENOMEM, "seccomp listener state");
	listener_sock = seccomp_listener_connect(s->linux_->seccomp, e);
	return listener_sock < 0 ? listener_sock : 0;
}

/* Load the filter; hand a listener fd to the agent. */
static int load_seccomp(const struct spec_seccomp *sc, struct oerr *e)
{
	int nfd = -1;
	int ret = seccomp_apply(sc, &nfd, e);
	if (ret == 0 && nfd >= 0) {
		if (listener_sock < 0)
			ret = oerr_setx(e, EINVAL, "seccomp: no connection to the seccomp agent");
		else
			ret = seccomp_send_listener_on(sc, listener_sock, nfd, listener_state, e);
	}
	if (nfd >= 0)
		close(nfd);
	if (listener_sock >= 0) {
		close(listener_sock);
		listener_sock = -1;
	}
	return ret;
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int join_and_unshare(struct init_ctx *c, struct oerr *e)
{
	int ret;
	/* Join the others while still privileged in the runtime's user namespace;
	 * the user namespace last, so that it owns what is created after. An
	 * unprivileged runtime has privileges only in the user namespace it
	 * joins: that one first then. */
	int user_fd = c->ns_fds[SPEC_NS_USER];
	bool user_first = user_fd >= 0 && geteuid() != 0;
	if (user_first && (ret = ns_join(user_fd, SPEC_NS_USER, e)) < 0)
		return ret;
	for (int t = 0; t < SPEC_NS__COUNT; t++) {
		if (t == SPEC_NS_USER || c->ns_fds[t] < 0)
			continue;
		if ((ret = ns_join(c->ns_fds[t], (enum spec_ns_type)t, e)) < 0)
			return ret;
	}
	if (user_fd >= 0 && !user_first && (ret = ns_join(user_fd, SPEC_NS_USER, e)) < 0)
		return ret;
	int flags = c->new_flags & ~CLONE_NEWCGROUP;
	if (flags && unshare(flags) < 0)
		return oerr_set(e, errno, "unshare namespaces (flags 0x%x)", flags);
	return 0;
}

static bool in_userns(const struct init_ctx *c)
{
	return spec_find_namespace(c->spec, SPEC_NS_USER) != NULL;
}

static int become_ns_root(struct init_ctx *c, struct oerr *e)
{
	if (!in_userns(c))
		return 0;
	if (setresgid(0, 0, 0) < 0)
		return oerr_set(e, errno, "setresgid to root in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		return oerr_set(e, errno, "setresuid to root in the user namespace");
	return 0;
}

/* Up to SETUP_ACK: namespaces exist, ids are mapped. */
static int init_namespaces(struct init_ctx *c, struct oerr *e)
{
	int ret;
	struct sync_msg *m = malloc(sizeof(*m));
	if (!m)
		return oerr_setx(e, ENOMEM, "sync buffer");
	if (c->two_stage && (ret = join_and_unshare(c, e)) < 0)
		goto out;
	if (c->setup_handshake && ((ret = sync_send(c->sync_fd, SYNC_SETUP_REQ, 0, NULL, e)) < 0 ||
				   (ret = sync_expect(c->sync_fd, SYNC_SETUP_ACK, m, e)) < 0))
		goto out;
	if ((ret = become_ns_root(c, e)) < 0)
		goto out;
	if ((c->new_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		ret = oerr_set(e, errno, "unshare cgroup namespace");
out:
	free(m);
	return ret;
}

/* pid and time namespaces entered by setns/unshare apply to children only. */
static int fork_real_init(struct init_ctx *c, struct oerr *e)
{
	/* The runtime must learn the init's pid before anything the init
	 * says (its hooks' state carries that pid; READY ends create): the
	 * init waits for the end of this pipe, which closes once the pid is
	 * sent (or the intermediate is gone, where create fails anyway). */
	int order[2];
	if (pipe2(order, O_CLOEXEC) < 0)
		return oerr_set(e, errno, "pipe for the init's fork");
	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0) {
		int err = errno;
		close(order[0]);
		close(order[1]);
		return oerr_set(e, err, "fork container init");
	}
	if (pid > 0) {
		struct oerr ignored;
		sync_send(c->sync_fd, SYNC_PID, pid, NULL, &ignored);
		_exit(0);
	}
	close(order[1]);
	char byte;
	while (read(order[0], &byte, 1) < 0 && errno == EINTR)
		;
	close(order[0]);
	return 0;
}

static int hooks_handshake(struct init_ctx *c, char **state, struct oerr *e)
{
	const struct spec_hooks *h = &c->spec->hooks;
	*state = NULL;
	if (!h->n_prestart && !h->n_create_runtime && !h->n_create_container && !h->n_start_container)
		return 0;
	struct sync_msg *m = malloc(sizeof(*m));
	if (!m)
		return oerr_setx(e, ENOMEM, "sync buffer");
	int ret = sync_send(c->sync_fd, SYNC_HOOKS_REQ, 0, NULL, e);
	if (ret == 0)
		ret = sync_expect(c->sync_fd, SYNC_HOOKS_ACK, m, e);
	if (ret == 0 && !(*state = strdup(m->data)))
		ret = oerr_setx(e, ENOMEM, "hook state");
	free(m);
	return ret;
}

static int join_session_keyring(struct init_ctx *c, struct oerr *e)
{
	if (c->no_new_keyring)
		return 0;
	char name[1100];
	snprintf(name, sizeof(name), "_ses.%s", c->id);
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS)
		return oerr_set(e, errno, "join session keyring");
	return 0;
}

static int init_rootfs(struct init_ctx *c, char **hook_state, struct oerr *e)
{
	const struct spec *s = c->spec;
	struct rootfs_opts ro = {
		.spec = s, .rootfs = c->rootfs, .no_pivot = c->no_pivot, .in_userns = in_userns(c),
		.bundle = c->bundle, .fds = c->mount_fds,
	};
	int ret;
	if ((ret = rootfs_prepare(&ro, e)) < 0)
		return ret;
	debug_step("init: the config's %zu mounts made in the rootfs", s->n_mounts);
	if ((ret = hooks_handshake(c, hook_state, e)) < 0)
		return ret;
	/* Before the hooks run from our image, and before any filter. */
	trampoline_prepare(s);
	/* In the rootfs (its mounts made), as runc runs them. */
	if (*hook_state &&
	    (ret = hooks_run_via(s, HOOK_CREATE_CONTAINER, *hook_state, trampoline_fd, c->rootfs, e)) < 0)
		return ret;
	if (s->hooks.n_create_container)
		debug_step("init: createContainer hooks ran");
	if (seccomp_uses_notify(s->linux_->seccomp) && (ret = listener_prepare(c, e)) < 0)
		return ret;
	if ((ret = rootfs_pivot(&ro, e)) < 0)
		return ret;
	debug_step("init: %s into the rootfs", c->no_pivot ? "moved and chrooted" : "pivot_root");
	/* Before root.readonly, as runc: a missing cwd is made, inside the root. */
	if (s->process && (ret = procattr_make_cwd(s->process, e)) < 0)
		return ret;
	return rootfs_finalize(&ro, e);
}

/* Nothing of the runtime's may reach the container, nor stay open while
 * the init waits: the state dir fd would hold its lock until start. */
static int close_runtime_fds(struct init_ctx *c, struct oerr *e)
{
	int keep[5] = { c->sync_fd, c->fifo_fd };
	size_t n_keep = 2;
	if (c->done_fd >= 0)
		keep[n_keep++] = c->done_fd;
	if (listener_sock >= 0)
		keep[n_keep++] = listener_sock;
	if (trampoline_fd >= 0)
		keep[n_keep++] = trampoline_fd;
	int ret = fds_close_from(3 + c->preserve_fds, keep, n_keep, e);
	if (ret < 0)
		return ret;
	return fds_cloexec_from(3 + c->preserve_fds, e);
}

static int init_process(struct init_ctx *c, char *exe, size_t exelen, struct oerr *e)
{
	const struct spec *s = c->spec;
	const struct spec_process *p = s->process;
	const struct spec_namespace *net = spec_find_namespace(s, SPEC_NS_NETWORK);
	int ret;
	if ((ret = uts_apply(s, e)) < 0)
		return ret;
	if (net && !net->path && (ret = netif_set_up("lo", e)) < 0)
		return ret;
	if ((ret = join_session_keyring(c, e)) < 0)
		return ret;
	/* A config without a process can be created (runtime.md); start refuses
	 * it, so nothing is exec'd: the trampoline (for createContainer hooks)
	 * goes too. */
	if (!p) {
		if (trampoline_fd >= 0)
			close(steal_fd(trampoline_fd));
		return close_runtime_fds(c, e);
	}
	/* A session of its own, led by the process, with or without a terminal. */
	if (p->terminal) {
		if (c->console_fd < 0)
			return oerr_setx(e, EINVAL, "process.terminal is true but no --console-socket was given");
		if ((ret = terminal_setup_init(c->console_fd, p, c->console_ours, e)) < 0)
			return ret;
		close(c->console_fd);
		c->console_fd = -1;
	} else if (setsid() < 0) {
		return oerr_set(e, errno, "setsid");
	} else {
		stdio_pipes_give(p->user.uid);
	}
	/* The container's /etc/passwd, read as root before the user switch. */
	if ((ret = procenv_prepare(p, c->listen_fds, &proc_env, e)) < 0)
		return ret;
	debug_step("init: rootfs finalized; %s; environment ready", p->terminal ? "terminal made" : "new session");
	if ((ret = procattr_apply_rlimits(p, e)) < 0 || (ret = procattr_apply_scheduler(p, e)) < 0 ||
	    (ret = procattr_apply_io_priority(p, e)) < 0 ||
	    (ret = procattr_apply_personality(s->linux_, e)) < 0 || (ret = mempolicy_apply(s->linux_, e)) < 0)
		return ret;
	/* Before the user switch, so a cwd only root may enter still works, and
	 * before the filter, which may refuse the getcwd that checks it. */
	int deferred = procattr_chdir(p, true, true, e);
	if (deferred < 0)
		return deferred;
	/* Before the filter and the user switch, as runc does; they apply at execve. */
	if ((ret = lsm_set_exec_labels(p, e)) < 0)
		return ret;
	/* Without no_new_privs the filter needs CAP_SYS_ADMIN: load it while we have it. */
	const struct spec_seccomp *sc = s->linux_->seccomp;
	if (sc && !p->no_new_privileges && (ret = load_seccomp(sc, e)) < 0)
		return ret;
	if ((ret = procattr_become(p, deferred, exe, exelen, e)) < 0)
		return ret;
	debug_step("init: uid %u gid %u, capabilities set, cwd %s, will exec %s", p->user.uid, p->user.gid,
		   p->cwd, exe);
	return close_runtime_fds(c, e);
}

static __attribute__((noreturn)) void die_after_ready(const char *what, const struct oerr *e)
{
	if (e)
		dprintf(2, "ocirt: %s\n", e->msg);
	else
		dprintf(2, "ocirt: %s: %s\n", what, strerror(errno));
	_exit(127);
}

void init_main(struct init_ctx *c)
{
	struct oerr e = { 0 };
	char exe[PATH_MAX];
	_cleanup_free_ char *hook_state = NULL;
	const struct spec *s = c->spec;

	/* --debug: our steps go to the runtime, never to what will be the container's stderr. */
	sync_debug_to(c->sync_fd);
	/* The runtime may block or ignore signals (run forwards them); the container starts clean. */
	procattr_reset_signals();
	/* The runtime dying mid-create must take the half-made container with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Nothing in the container may ptrace us or read our memory while we hold
	 * host fds. An unprivileged runtime must still open our /proc/<pid>/uid_map,
	 * which a process that is not dumpable keeps to root: after the maps then. */
	bool privileged = geteuid() == 0;
	if (privileged)
		prctl(PR_SET_DUMPABLE, 0);
	/* Before any namespace: user code must never run outside the cgroup, and
	 * a new cgroup namespace is rooted where the init is when it is made. */
	if (c->cgroup) {
		int r = cgroup_join_self(c->cgroup, &e);
		cgroup_join_close(c->cgroup);
		if (r < 0)
			goto fail;
	}
	if (c->rdt_tasks_fd >= 0 && rdt_join_self(c->rdt_tasks_fd, &e) < 0)
		goto fail;
	/* Not the runtime's affinity but every CPU the cpuset allows, as runc
	 * 1.3.1 has it (execCPUAffinity is for exec'd processes only). */
	if (procattr_set_affinity(NULL, "reset the CPU affinity", &e) < 0)
		goto fail;
	debug_step("init: in the cgroup");
	if (init_namespaces(c, &e) < 0)
		goto fail;
	debug_step("init: namespaces made and joined");
	if (!privileged)
		prctl(PR_SET_DUMPABLE, 0);
	if (c->fork_init && fork_real_init(c, &e) < 0)
		goto fail;
	if (init_rootfs(c, &hook_state, &e) < 0)
		goto fail;
	if (init_process(c, exe, sizeof(exe), &e) < 0)
		goto fail;

	/* The runtime exits after READY; the container must outlive it. */
	prctl(PR_SET_PDEATHSIG, 0);
	sync_debug_to(-1);
	if (sync_send(c->sync_fd, SYNC_READY, 0, NULL, &e) < 0)
		_exit(1);
	close(c->sync_fd);

	char byte;
	ssize_t n;
	do
		n = read(c->fifo_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		die_after_ready("wait on exec fifo", NULL);
	if (!s->process)
		_exit(1);	/* start refuses this container; it should not get here */

	/* With no_new_privs the filter comes now, and the startContainer hooks
	 * run under it whatever noNewPrivileges says, in runc's order. */
	if (s->linux_->seccomp && s->process->no_new_privileges && load_seccomp(s->linux_->seccomp, &e) < 0)
		die_after_ready(NULL, &e);
	if (s->hooks.n_start_container && hook_state &&
	    hooks_run_via(s, HOOK_START_CONTAINER, hook_state, trampoline_fd, NULL, &e) < 0)
		die_after_ready(NULL, &e);
	/* Tell `start` the hooks went through; the fd closes on exec. A failed
	 * write leaves start seeing the end of file alone: not started. */
	if (c->done_fd >= 0 && write(c->done_fd, "1", 1) < 0)
		die_after_ready("tell start the hooks ran", NULL);
	char **env = proc_env ? proc_env : (char *[]){ NULL };
	if (trampoline_fd >= 0)
		trampoline_exec(trampoline_fd, -1, exe, s->process->args, env);
	execve(exe, s->process->args, env);
	oerr_set(&e, errno, "exec: \"%s\"", s->process->args[0]);
	die_after_ready(NULL, &e);

fail:
	sync_report_error(c->sync_fd, &e);
	_exit(1);
}
