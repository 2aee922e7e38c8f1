/* Namespaces: open and verify the ones to join, compute the ones to create,
 * and write the settings a new user or time namespace takes from outside. */
#include "lib/process/namespace.h"
#include "base/util.h"
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/nsfs.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_open_joins(const struct spec_linux *l, int fds[SPEC_NS__COUNT], struct oerr *e)
{
	for (int t = 0; t < SPEC_NS__COUNT; t++)
		fds[t] = -1;
	if (!l)
		return 0;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct spec_namespace *ns = &l->namespaces[i];
		if (!ns->path)
			continue;
		if ((unsigned)ns->type >= SPEC_NS__COUNT)
			return oerr_setx(e, EINVAL, "linux.namespaces[%zu]: unknown type", i);
		if (fds[ns->type] >= 0)
			return oerr_setx(e, EINVAL, "linux.namespaces[%zu]: %s namespace listed twice", i,
					 spec_ns_type_name(ns->type));
		_cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return oerr_set(e, errno, "linux.namespaces[%zu].path: open %s", i, ns->path);
		/* A wrong file would otherwise only fail later at setns, with a less useful EINVAL. */
		int type = ioctl(fd, NS_GET_NSTYPE);
		if (type < 0 || type != ns->clone_flag)
			return oerr_setx(e, EINVAL, "linux.namespaces[%zu].path: %s is not a %s namespace", i,
					 ns->path, spec_ns_type_name(ns->type));
		fds[ns->type] = steal_fd(fd);
	}
	return 0;
}

static const int ns_flags[SPEC_NS__COUNT] = {
	[SPEC_NS_PID] = CLONE_NEWPID, [SPEC_NS_NETWORK] = CLONE_NEWNET, [SPEC_NS_MOUNT] = CLONE_NEWNS,
	[SPEC_NS_IPC] = CLONE_NEWIPC, [SPEC_NS_UTS] = CLONE_NEWUTS, [SPEC_NS_USER] = CLONE_NEWUSER,
	[SPEC_NS_CGROUP] = CLONE_NEWCGROUP, [SPEC_NS_TIME] = CLONE_NEWTIME,
};

int ns_join(int fd, enum spec_ns_type t, struct oerr *e)
{
	/* Naming the type makes the kernel refuse a namespace of another kind. */
	int flag = (unsigned)t < SPEC_NS__COUNT ? ns_flags[t] : 0;
	if (setns(fd, flag) < 0)
		return oerr_set(e, errno, "join %s namespace", spec_ns_type_name(t));
	return 0;
}

int ns_new_flags(const struct spec_linux *l)
{
	int flags = 0;
	if (!l)
		return 0;
	for (size_t i = 0; i < l->n_namespaces; i++)
		if (!l->namespaces[i].path)
			flags |= l->namespaces[i].clone_flag;
	return flags;
}

int timens_write_offsets(pid_t pid, const struct spec_linux *l, struct oerr *e)
{
	char buf[128], path[64];
	size_t len = 0;
	if (l->time_monotonic.set)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "monotonic %" PRId64 " %" PRIu32 "\n",
					l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.set)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "boottime %" PRId64 " %" PRIu32 "\n",
					l->time_boottime.secs, l->time_boottime.nanosecs);
	if (!len)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/timens_offsets", (int)pid);
	return write_file_at(AT_FDCWD, path, buf, len, false, e);
}

int uts_apply(const struct spec *s, struct oerr *e)
{
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return oerr_set(e, errno, "sethostname %s", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return oerr_set(e, errno, "setdomainname %s", s->domainname);
	return 0;
}
