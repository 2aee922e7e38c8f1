/* exec: run one more process inside a running container. The runtime joins
 * the container's pid namespace for its children (setns: pid_for_children)
 * and clones a child, born there, that makes itself non-dumpable, joins the
 * container's cgroup and the init's other namespaces through /proc/<pid>/ns,
 * drops to the process's user and capabilities, and execs. Where the runtime
 * cannot join (unprivileged, or a time namespace to join too), the child
 * joins them all and forks into the pid namespace instead. The sync socket is
 * close-on-exec: EOF means the exec went through. */
#include "lib/container/exec.h"
#include "lib/container/sync.h"
#include "base/debug.h"
#include "base/util.h"
#include "lib/process/namespace.h"
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
#include "lib/cgroup/cgroup.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define EXEC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/common_interface_defs.h>
#define EXEC_ASAN 1
#endif
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const char *const ns_proc_names[SPEC_NS__COUNT] = {
	[SPEC_NS_PID] = "pid", [SPEC_NS_NETWORK] = "net", [SPEC_NS_MOUNT] = "mnt",
	[SPEC_NS_IPC] = "ipc", [SPEC_NS_UTS] = "uts", [SPEC_NS_USER] = "user",
	[SPEC_NS_CGROUP] = "cgroup", [SPEC_NS_TIME] = "time",
};

struct exec_child {
	const struct spec *spec;
	const struct exec_opts *o;
	int ns_fds[SPEC_NS__COUNT];
	int sync_fd;
	int console_fd;
	bool console_ours;	/* console_fd leads back to us (exec -t in the foreground) */
	char **env;		/* process.env plus HOME (procenv.h) */
	int trampoline_fd;	/* lib/process/trampoline.h, or -1 */
	int listener_sock;	/* SCMP_ACT_NOTIFY: connected to the agent, or -1 */
	char *listener_state;	/* the container's state, for the agent */
	struct cgroup_join cgroup;	/* n_v1 == 0 and v2_dir < 0: no cgroup */
	int root_fd;		/* the init's root, when it shares our mount namespace; else -1 */
	int rdt_tasks_fd;	/* the container's resctrl group (linux.intelRdt), or -1 */
	bool fork_needed;
	bool shared_mm;		/* the child runs in our memory (exec_spawn): it frees nothing of ours */
	int *settled;		/* exec_spawn's: set by the child once it is done with our memory */
#ifdef EXEC_ASAN
	/* AddressSanitizer is told of the child's stack as of a fiber's (it
	 * shares our thread's state): our stack, to be put back after it. */
	const void **asan_stack;
	size_t *asan_stack_size;
#endif
};

/* Open the init's namespaces that differ from ours. */
static int open_container_ns(pid_t pid, int fds[SPEC_NS__COUNT], struct oerr *e)
{
	for (int t = 0; t < SPEC_NS__COUNT; t++)
		fds[t] = -1;
	for (int t = 0; t < SPEC_NS__COUNT; t++) {
		char path[64], self[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns_proc_names[t]);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_proc_names[t]);
		struct stat a, b;
		if (stat(path, &a) < 0) {
			if (errno == ENOENT)
				continue;	/* kernel without this namespace type */
			return oerr_set(e, errno, "stat %s", path);
		}
		if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue;
		fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0)
			return oerr_set(e, errno, "open %s", path);
	}
	return 0;
}

static int join_userns(struct exec_child *c, struct oerr *e)
{
	int ret = ns_join(c->ns_fds[SPEC_NS_USER], SPEC_NS_USER, e);
	if (ret < 0)
		return ret;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return oerr_set(e, errno, "become root in the container's user namespace");
	return 0;
}

/* Root joins the user namespace last, keeping its privileges for the
 * others (some may be the host's); an unprivileged runtime (rootless) has
 * privileges only in the container's user namespace, so it joins it first. */
static int exec_join(struct exec_child *c, struct oerr *e)
{
	int ret;
	bool userns = c->ns_fds[SPEC_NS_USER] >= 0, user_first = userns && geteuid() != 0;
	if (user_first && (ret = join_userns(c, e)) < 0)
		return ret;
	for (int t = 0; t < SPEC_NS__COUNT; t++) {
		if (t == SPEC_NS_USER || c->ns_fds[t] < 0)
			continue;
		if ((ret = ns_join(c->ns_fds[t], (enum spec_ns_type)t, e)) < 0)
			return ret;
	}
	if (userns && !user_first && (ret = join_userns(c, e)) < 0)
		return ret;
	/* Joining a mount namespace sets the root; a container without one of
	 * its own (chroot'ed in ours) is entered by its init's root. */
	if (c->root_fd >= 0) {
		if (fchdir(c->root_fd) < 0 || chroot(".") < 0)
			return oerr_set(e, errno, "enter the container's root");
		close(c->root_fd);
		c->root_fd = -1;
	}
	return 0;
}

/* Load the filter; a listener fd goes to the agent, as for the init. */
static int exec_load_seccomp(struct exec_child *c, const struct spec_seccomp *sc, struct oerr *e)
{
	int nfd = -1;
	int ret = seccomp_apply(sc, &nfd, e);
	if (ret == 0 && nfd >= 0)
		ret = seccomp_send_listener_on(sc, c->listener_sock, nfd, c->listener_state, e);
	if (nfd >= 0)
		close(nfd);
	if (c->listener_sock >= 0) {
		close(c->listener_sock);
		c->listener_sock = -1;
	}
	return ret;
}

static int exec_setup_process(struct exec_child *c, char *exe, size_t exelen, struct oerr *e)
{
	const struct spec_process *p = c->spec->process;
	int ret;
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
	/* In the container's mount namespace, as root: its /etc/passwd. */
	if ((ret = procenv_prepare(p, 0, &c->env, e)) < 0)
		return ret;
	if ((ret = procattr_apply_rlimits(p, e)) < 0 || (ret = procattr_apply_scheduler(p, e)) < 0 ||
	    (ret = procattr_apply_io_priority(p, e)) < 0 || (ret = mempolicy_apply(c->spec->linux_, e)) < 0)
		return ret;
	/* Before the user switch and before a filter that may refuse getcwd. */
	int deferred = procattr_chdir(p, true, true, e);
	if (deferred < 0)
		return deferred;
	if ((ret = lsm_set_exec_labels(p, e)) < 0)
		return ret;
	const struct spec_seccomp *sc = c->spec->linux_ ? c->spec->linux_->seccomp : NULL;
	/* Before any filter, and only where it will not see the extra exec. */
	struct oerr ignored = { 0 };
	if (trampoline_fits(sc, p))
		c->trampoline_fd = trampoline_open(&ignored);
	if (sc && !p->no_new_privileges && (ret = exec_load_seccomp(c, sc, e)) < 0)
		return ret;
	if ((ret = procattr_become(p, deferred, exe, exelen, e)) < 0)
		return ret;
	if (sc && p->no_new_privileges && (ret = exec_load_seccomp(c, sc, e)) < 0)
		return ret;
	return fds_cloexec_from(3 + c->o->preserve_fds, e);
}

/* process.execCPUAffinity, once in the cgroup: final when given; with
 * neither initial nor final, every CPU the cpuset allows rather than the
 * runtime's own affinity (runc 1.3.1); with initial alone, what the kernel
 * made of it. */
static int exec_final_affinity(const struct spec_process *p, struct oerr *e)
{
	char what[64];
	if (p->exec_cpus_final.end) {
		snprintf(what, sizeof(what), "process.execCPUAffinity.final \"%.20s\"", p->exec_cpu_affinity_final);
		return procattr_set_affinity(&p->exec_cpus_final, what, e);
	}
	if (!p->exec_cpus_initial.end)
		return procattr_set_affinity(NULL, "reset the CPU affinity", e);
	return 0;
}

static __attribute__((noreturn)) void exec_child_main(struct exec_child *c);

/* The child of exec_spawn tells it that it ends by choice: exec'd, or
 * about to exit after reporting its error, and no more in the middle of
 * anything in our memory. */
static void exec_child_settled(struct exec_child *c)
{
	if (c->settled)
		__atomic_store_n(c->settled, 1, __ATOMIC_RELEASE);
}

/* The child of exec_spawn: in our memory, on its own stack, while we wait.
 * It works on a copy of c, and frees nothing of ours. */
static int exec_child_vm(void *arg)
{
#ifdef EXEC_ASAN
	const struct exec_child *pc = arg;
	__sanitizer_finish_switch_fiber(NULL, pc->asan_stack, pc->asan_stack_size);
#endif
	struct exec_child c = *(const struct exec_child *)arg;
	c.shared_mm = true;
	exec_child_main(&c);
}

#define EXEC_CHILD_STACK (1024 * 1024)

/* The exec child as posix_spawn makes its child (cgroup_join_spawn): a
 * fork's copy of our page tables, its copy-on-write faults and the teardown
 * of that copy at its exec cost more than everything else the child does.
 * We are stopped until it has exec'd or died; it has what it needs in c.
 * Every signal stays blocked for it until its own reset: none of our
 * handlers may run in it. What it changes in our memory that we use again,
 * the --debug sink, is put back. -ENOSYS: fork instead. */
static pid_t exec_spawn(struct exec_child *c, struct oerr *e)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, EXEC_CHILD_STACK + page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return -ENOSYS;
	/* a guard page below the stack: an overflow faults rather than
	 * writing over whatever is mapped there */
	if (mprotect(map, page, PROT_NONE) < 0) {
		munmap(map, EXEC_CHILD_STACK + page);
		return -ENOSYS;
	}
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	debug_sink_fn sink = debug_get_sink();
	int settled = 0;
	c->settled = &settled;
#ifdef EXEC_ASAN
	const void *our_stack = NULL;
	size_t our_stack_size = 0;
	void *our_fake_stack = NULL;
	c->asan_stack = &our_stack;
	c->asan_stack_size = &our_stack_size;
	__sanitizer_start_switch_fiber(&our_fake_stack, map + page, EXEC_CHILD_STACK);
#endif
	pid_t pid = cgroup_join_spawn(&c->cgroup, exec_child_vm, c, map + page, EXEC_CHILD_STACK, e);
#ifdef EXEC_ASAN
	/* Back from the child's stack to ours; where the child never got to
	 * its switch, it is finished here first (our stack is the old one). */
	if (!our_stack)
		__sanitizer_finish_switch_fiber(NULL, &our_stack, &our_stack_size);
	__sanitizer_start_switch_fiber(NULL, our_stack, our_stack_size);
	__sanitizer_finish_switch_fiber(our_fake_stack, NULL, NULL);
#endif
	c->settled = NULL;
	if (pid > 0 && !__atomic_load_n(&settled, __ATOMIC_ACQUIRE)) {
		/* The child died before its exec or its error report: killed
		 * (a container process may signal it: it is born in the
		 * container's pid namespace) or crashed, at any point of its
		 * work in our memory, a malloc of ours half done perhaps.
		 * Nothing of that memory may be trusted any more, so nothing
		 * more is done with it: the one place where lib/ exits. */
		static const char msg[] = "ocirt: error: exec: the exec child died (killed or crashed) before its exec\n";
		ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)ignored;
		_exit(255);
	}
	debug_set_sink(sink);
	sigprocmask(SIG_SETMASK, &old, NULL);
	munmap(map, EXEC_CHILD_STACK + page);
	return pid;
}

/* Clone the exec child with process.execCPUAffinity.initial as the
 * affinity it is born with, before it is in the container's cgroup (clone3
 * puts it in the cgroup2 one at birth); ours is put back after. */
static pid_t exec_clone(struct exec_child *c, struct oerr *e)
{
	const struct spec_process *p = c->spec->process;
	_cleanup_(idset_free) struct idset saved = { 0 };
	char what[64];
	snprintf(what, sizeof(what), "process.execCPUAffinity.initial \"%.20s\"", p->exec_cpu_affinity_initial);
	if (p->exec_cpus_initial.end &&
	    (procattr_get_affinity(&saved, e) < 0 || procattr_set_affinity(&p->exec_cpus_initial, what, e) < 0))
		return -1;
	pid_t pid = c->fork_needed ? -ENOSYS : exec_spawn(c, e);
	if (pid == -ENOSYS)
		pid = cgroup_join_clone(&c->cgroup, 0, e);
	if (pid == 0)
		return 0;
	if (pid < 0)
		oerr_wrap(e, "clone exec process");
	struct oerr ignored;
	if (saved.end)
		procattr_set_affinity(&saved, "restore the CPU affinity", &ignored);
	return pid;
}

static __attribute__((noreturn)) void exec_child_main(struct exec_child *c)
{
	struct oerr e = { 0 };
	char exe[PATH_MAX];
	/* --debug: our steps go to the runtime over the sync socket. */
	sync_debug_to(c->sync_fd);
	procattr_reset_signals();
	/* Before joining: nothing in the container may ptrace us or open /proc/<us>/exe. */
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	int r = cgroup_join_self(&c->cgroup, &e);
	/* A child in our memory leaves the fds to its exec (close-on-exec):
	 * j's arrays are ours to free. */
	if (!c->shared_mm)
		cgroup_join_close(&c->cgroup);
	if (r < 0 || exec_final_affinity(c->spec->process, &e) < 0 ||
	    (c->rdt_tasks_fd >= 0 && rdt_join_self(steal_fd(c->rdt_tasks_fd), &e) < 0) || exec_join(c, &e) < 0)
		goto fail;
	debug_step("exec: child in the container's cgroup and namespaces");
	if (c->fork_needed) {
		pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
		if (pid < 0) {
			oerr_set(&e, errno, "fork into the container's pid namespace");
			goto fail;
		}
		if (pid > 0) {
			sync_send(c->sync_fd, SYNC_PID, pid, NULL, &e);
			exec_child_settled(c);
			_exit(0);
		}
	}
	if (exec_setup_process(c, exe, sizeof(exe), &e) < 0)
		goto fail;
	const struct spec_process *p = c->spec->process;
	debug_step("exec: process set up (pid %d in the container): uid %u gid %u, cwd %s, will exec %s", getpid(),
		   p->user.uid, p->user.gid, p->cwd, exe);
	char **env = c->env ? c->env : (char *[]){ NULL };
	/* The process must outlive exec -d: no parent-death signal across
	 * execve (a forked one never had it). */
	if (!c->fork_needed)
		prctl(PR_SET_PDEATHSIG, 0);
	/* Nothing more of the runtime's memory is changed from here on but
	 * by the trampoline's argument vector, or on the way to _exit. */
	exec_child_settled(c);
	if (c->trampoline_fd >= 0)
		trampoline_exec(c->trampoline_fd, c->sync_fd, exe, p->args, env);
	execve(exe, p->args, env);
	oerr_set(&e, errno, "exec: \"%s\"", p->args[0]);
fail:
	exec_child_settled(c);
	sync_report_error(c->sync_fd, &e);
	_exit(255);
}

static int exec_drive(struct exec_child *c, pid_t child, pid_t *pid_out, struct oerr *e)
{
	struct sync_msg *m = malloc(sizeof(*m));
	if (!m)
		return oerr_setx(e, ENOMEM, "sync buffer");
	pid_t target = child;
	bool reaped = false;
	int ret;
	for (;;) {
		ret = sync_recv(c->sync_fd, m, e);
		if (ret == -EPIPE) {
			ret = 0;	/* close-on-exec: the process is running */
			break;
		}
		if (ret < 0)
			break;
		if (m->type == SYNC_ERROR) {
			ret = oerr_setx(e, m->val > 0 ? m->val : EINVAL, "%s", m->data);
			break;
		} else if (m->type == SYNC_LOG) {
			sync_debug_forward(m);
		} else if (m->type == SYNC_PID && c->fork_needed && !reaped) {
			target = m->val;
			while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
				;
			reaped = true;
		} else {
			ret = oerr_setx(e, EPROTO, "sync: unexpected message %d during exec", m->type);
			break;
		}
	}
	free(m);
	if (ret < 0) {
		kill(child, SIGKILL);
		if (target != child)
			kill(target, SIGKILL);
		if (!reaped)
			waitpid(child, NULL, 0);
		return ret;
	}
	if (!reaped && c->fork_needed)
		waitpid(child, NULL, 0);
	*pid_out = target;
	return 0;
}

int container_exec(const struct container *ct, const struct spec *s, const struct exec_opts *o,
		   pid_t *pid_out, struct oerr *e)
{
	struct exec_child c = { .spec = s, .o = o, .sync_fd = -1, .console_fd = o->console_fd,
				 .trampoline_fd = -1, .listener_sock = -1, .cgroup = CGROUP_JOIN_NONE,
				 .root_fd = -1, .rdt_tasks_fd = -1 };
	int sv[2] = { -1, -1 };
	debug_step("exec into %s: container %s, init pid %d", ct->st.id, container_status_name(ct->status),
		   ct->st.pid);
	int ret = open_container_ns(ct->st.pid, c.ns_fds, e);
	_cleanup_free_ char *cg = NULL;
	if (ret < 0)
		goto out;
	if (c.ns_fds[SPEC_NS_MOUNT] < 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/root", ct->st.pid);
		c.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c.root_fd < 0) {
			ret = oerr_set(e, errno, "open %s", path);
			goto out;
		}
	}
	/* A pid namespace applies to children only: our own setns into it
	 * (pid_for_children; we stay where we are) has the child born there,
	 * where the child would have had to fork once more. Not with a time
	 * namespace to join, nor where we may not (an unprivileged runtime):
	 * then the child forks as before. */
	if (c.ns_fds[SPEC_NS_PID] >= 0 && c.ns_fds[SPEC_NS_TIME] < 0) {
		/* The child is seen in the container from its birth on, before
		 * it could make itself non-dumpable (and, cloned with
		 * CLONE_VM, it runs in our memory): we are non-dumpable
		 * first, and it is born so. */
		prctl(PR_SET_DUMPABLE, 0);
		if (setns(c.ns_fds[SPEC_NS_PID], CLONE_NEWPID) == 0) {
			close(c.ns_fds[SPEC_NS_PID]);
			c.ns_fds[SPEC_NS_PID] = -1;
		}
	}
	c.fork_needed = c.ns_fds[SPEC_NS_PID] >= 0 || c.ns_fds[SPEC_NS_TIME] >= 0;
	if (ct->st.cgroup_path) {
		if (o->cgroup_sub && asprintf(&cg, "%s/%s", ct->st.cgroup_path, o->cgroup_sub) < 0) {
			ret = oerr_setx(e, ENOMEM, "cgroup path");
			goto out;
		}
		if (!cg && !(cg = strdup(ct->st.cgroup_path))) {
			ret = oerr_setx(e, ENOMEM, "cgroup path");
			goto out;
		}
	} else if (o->cgroup_sub) {
		ret = oerr_setx(e, EINVAL, "--cgroup: container \"%s\" has no cgroup", ct->st.id);
		goto out;
	}
	if (cg && (ret = cgroup_join_open(cg, &c.cgroup, e)) < 0)
		goto out;
	if (ct->st.rdt_dir && (c.rdt_tasks_fd = ret = rdt_open_tasks(ct->st.rdt_dir, ct->st.rdt_mon_dir, e)) < 0)
		goto out;
	if (c.console_fd < 0 && !o->console_socket && o->console_pair && s->process->terminal) {
		int cp[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cp) < 0) {
			ret = oerr_set(e, errno, "console socketpair");
			goto out;
		}
		*o->console_pair = cp[0];
		c.console_fd = cp[1];
		c.console_ours = true;
	}
	if (c.console_fd < 0 && o->console_socket) {
		c.console_fd = unix_connect(o->console_socket, "console socket", e);
		if (c.console_fd < 0) {
			ret = c.console_fd;
			goto out;
		}
	}
	/* listenerPath resolves in our mount namespace, not the container's */
	const struct spec_seccomp *sc = s->linux_ ? s->linux_->seccomp : NULL;
	if (seccomp_uses_notify(sc)) {
		if ((ret = container_state_json(ct, &c.listener_state, e)) < 0)
			goto out;
		if ((c.listener_sock = ret = seccomp_listener_connect(sc, e)) < 0)
			goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = oerr_set(e, errno, "sync socketpair");
		goto out;
	}
	c.sync_fd = sv[1];
	fflush(NULL);
	pid_t child = exec_clone(&c, e);
	if (child < 0) {
		ret = child;
		goto out;
	}
	if (child == 0) {
		close(sv[0]);
		exec_child_main(&c);
	}
	close(sv[1]);
	sv[1] = -1;
	c.sync_fd = sv[0];
	if (c.listener_sock >= 0) {
		close(c.listener_sock);	/* the child sends the listener fd */
		c.listener_sock = -1;
	}
	if (c.console_fd >= 0 && c.console_fd != o->console_fd) {
		close(c.console_fd);
		c.console_fd = -1;
	}
	cgroup_join_close(&c.cgroup);
	debug_step("exec: cloned pid %d", child);
	if (c.rdt_tasks_fd >= 0)
		close(steal_fd(c.rdt_tasks_fd));
	ret = exec_drive(&c, child, pid_out, e);
	if (ret == 0)
		debug_step("exec: process %d exec'd", *pid_out);
out:
	for (int t = 0; t < SPEC_NS__COUNT; t++)
		if (c.ns_fds[t] >= 0)
			close(c.ns_fds[t]);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (c.console_fd >= 0 && c.console_fd != o->console_fd)
		close(c.console_fd);
	if (c.listener_sock >= 0)
		close(c.listener_sock);
	free(c.listener_state);
	cgroup_join_close(&c.cgroup);
	if (c.root_fd >= 0)
		close(c.root_fd);
	if (c.rdt_tasks_fd >= 0)
		close(c.rdt_tasks_fd);
	return ret;
}
