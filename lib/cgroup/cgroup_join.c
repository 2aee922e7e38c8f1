/* A process that joins its cgroup by itself. Writing another process's pid
 * to cgroup.procs makes the kernel take its global threadgroup lock for
 * writing, and the first such write of a burst waits for an RCU grace period
 * (several milliseconds here, more than the rest of an exec). Two ways in
 * skip that lock: clone3(CLONE_INTO_CGROUP) for the cgroup2 hierarchy (pure
 * v2, and the hybrid host's unified one), and, on v1, a single-threaded
 * process writing "0" (itself) to a hierarchy's thread-level "tasks" file. */
#include "lib/cgroup/cgroup_join.h"
#include "lib/cgroup/cgroup_fs.h"
#include "lib/cgroup/cgroup_systemd.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sched.h>
#include "base/util.h"
#include "base/clone3.h"
#include <sched.h>
#include <stdint.h>

static int open_in(const char *dir, const char *file, int flags, struct oerr *e)
{
	_cleanup_free_ char *p = cg_join(dir, file);
	if (!p)
		return oerr_setx(e, ENOMEM, "join cgroup");
	int fd = open(p, flags | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "join cgroup %s", dir);
	return fd;
}

/* open_in for a hierarchy's file, that opens it first and looks why only
 * when it is missing (cg_hier_joinable's stat is the rare case): *skip when
 * the cgroup is missing where cg_hier_optional allows it. */
static int open_joinable(const struct cg_hiers *hs, const struct cg_hier *h, const char *file, int flags,
			 bool *skip, struct oerr *e)
{
	*skip = false;
	_cleanup_free_ char *p = cg_join(h->dir, file);
	if (!p)
		return oerr_setx(e, ENOMEM, "join cgroup");
	int fd = open(p, flags | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : oerr_set(e, errno, "join cgroup %s", h->dir);
	int r = cg_hier_joinable(hs, h, e);
	if (r < 0)
		return r;
	if (r == 0) {
		*skip = true;
		return -ENOENT;
	}
	return oerr_set(e, ENOENT, "join cgroup %s", h->dir);
}

int cg_join_open_hiers(const struct cg_hiers *hs, struct cgroup_join *j, struct oerr *e)
{
	*j = CGROUP_JOIN_NONE;
	if (!(j->v1_tasks = calloc(hs->n + 1, sizeof(*j->v1_tasks))) ||
	    !(j->v1_dirs = calloc(hs->n + 1, sizeof(*j->v1_dirs))))
		goto nomem;
	/* The freezer last: a process that joins a frozen one stops right there
	 * (exec --ignore-paused), so it had better be in every other one first. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < hs->n; i++) {
			const struct cg_hier *h = &hs->h[i];
			if (h->v2 || cg_controllers_has(h->controllers, "freezer", ',') != (pass == 1))
				continue;
			bool skip;
			int fd = open_joinable(hs, h, "tasks", O_WRONLY, &skip, e);
			if (skip)
				continue;
			if (fd < 0)
				goto fail;
			j->v1_tasks[j->n_v1] = fd;
			if (!(j->v1_dirs[j->n_v1++] = strdup(h->dir)))
				goto nomem;
		}
	}
	const struct cg_hier *h2 = cg_hier_v2(hs);
	bool skip = false;
	if (h2 && (j->v2_dir = open_joinable(hs, h2, ".", O_PATH | O_DIRECTORY, &skip, e)) < 0) {
		j->v2_dir = -1;
		if (!skip)
			goto fail;
	}
	if (h2 && !skip) {
		if ((j->v2_procs = open_in(h2->dir, "cgroup.procs", O_WRONLY, e)) < 0)
			goto fail;
		if (!(j->v2_name = strdup(h2->dir)))
			goto nomem;
	}
	return 0;
nomem:
	oerr_setx(e, ENOMEM, "join cgroup");
fail:
	cgroup_join_close(j);
	return -(e->code ? e->code : EINVAL);
}

/* Whether clone3(CLONE_INTO_CGROUP) failed for want of the call rather than
 * because of the cgroup, so that clone(2) and a write of "0" to
 * cgroup.procs (cgroup_join_self) do instead: ENOSYS before Linux 5.3,
 * E2BIG or EINVAL before 5.7 (no CLONE_INTO_CGROUP), and EPERM from a
 * seccomp filter that refuses the calls it does not know, as container
 * engines' default profiles did before they learnt clone3 (Docker before
 * 20.10). The kernel's own checks of the cgroup answer EACCES, ENOENT,
 * ENODEV or EBUSY, which are reported; an EPERM for the namespace flags
 * comes back from clone(2) too. */
static bool clone3_refused(int err)
{
	return err == ENOSYS || err == E2BIG || err == EINVAL || err == EPERM;
}

pid_t cgroup_join_clone(struct cgroup_join *j, unsigned long flags, struct oerr *e)
{
	j->cloned_into = false;
	if (j->v2_dir >= 0) {
		struct clone_args ca = {
			.flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (__u64)j->v2_dir,
		};
		pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid >= 0) {
			j->cloned_into = true;
			return pid;
		}
		if (errno == EBUSY)
			return cg_err_internal_processes(e, j->v2_name);
		if (!clone3_refused(errno))
			return oerr_set(e, errno, "clone3 into cgroup %s", j->v2_name);
	}
	pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0)
		return oerr_set(e, errno, "clone");
	return pid;
}

pid_t cgroup_join_spawn(struct cgroup_join *j, int (*fn)(void *), void *arg, void *stack, size_t stack_size,
			struct oerr *e)
{
	unsigned long flags = CLONE_VM | CLONE_VFORK;
	if (j->v2_dir >= 0) {
		struct clone_args ca = {
			.flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (__u64)j->v2_dir,
			.stack = (__u64)(uintptr_t)stack, .stack_size = stack_size,
		};
		/* set before: the child reads it from our memory, and never
		 * returns from here */
		j->cloned_into = true;
		long pid = clone3_run(&ca, sizeof(ca), fn, arg);
		if (pid >= 0)
			return (pid_t)pid;
		j->cloned_into = false;
		if (pid == -EBUSY)
			return cg_err_internal_processes(e, j->v2_name);
		if (!clone3_refused((int)-pid))
			return oerr_set(e, (int)-pid, "clone3 into cgroup %s", j->v2_name);
	}
	j->cloned_into = false;
	pid_t pid = clone(fn, (char *)stack + stack_size, (int)flags | SIGCHLD, arg);
	if (pid < 0)
		return oerr_set(e, errno, "clone");
	return pid;
}

int cgroup_join_self(struct cgroup_join *j, struct oerr *e)
{
	int ret = 0;
	if (j->attach_wait >= 0) {
		/* The runtime puts us in the cgroup (cgroup_attach): wait for it. */
		char c = 0;
		ssize_t n;
		close(j->attach_go);
		j->attach_go = -1;
		do
			n = read(j->attach_wait, &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			ret = oerr_setx(e, EIO, "the runtime did not place the container's process in its cgroup");
	}
	for (size_t i = 0; i < j->n_v1 && ret == 0; i++)
		if (write(j->v1_tasks[i], "0", 1) < 0)
			ret = oerr_set(e, errno, "join cgroup %s", j->v1_dirs[i]);
	if (ret == 0 && !j->cloned_into && j->v2_procs >= 0 && write(j->v2_procs, "0", 1) < 0) {
		ret = errno == EBUSY ? cg_err_internal_processes(e, j->v2_name)
				     : oerr_set(e, errno, "join cgroup %s", j->v2_name);
	}
	return ret;
}

void cgroup_join_close(struct cgroup_join *j)
{
	for (size_t i = 0; i < j->n_v1; i++)
		free(j->v1_dirs[i]);
	/* the fds were opened one after the other: a close_range or two */
	if (j->v1_tasks) {
		j->v1_tasks[j->n_v1] = j->v2_dir;	/* the array has room for one more */
		close_fds(j->v1_tasks, j->n_v1 + 1);
	} else if (j->v2_dir >= 0) {
		close(j->v2_dir);
	}
	if (j->v2_procs >= 0)
		close(j->v2_procs);
	free(j->v1_tasks);
	free(j->v1_dirs);
	free(j->v2_name);
	if (j->attach_wait >= 0)
		close(j->attach_wait);
	if (j->attach_go >= 0)
		close(j->attach_go);
	cg_sd_pending_free(j->sd);
	bool into = j->cloned_into;
	*j = CGROUP_JOIN_NONE;
	j->cloned_into = into;
}
