/* Opening files under /proc without being fooled by what a container may have put
 * there: the result must live on a procfs (PROC_SUPER_MAGIC), and the walk below
 * /proc follows no magic links and cannot leave /proc. */
#pragma once
#include <stddef.h>
#include "base/err.h"

/* Open /proc/<path_in_proc> (path_in_proc relative, e.g. "sys/net/ipv4/ip_forward" or
 * "self/fd"), O_CLOEXEC added to flags. /proc itself must be the root of a procfs, and so
 * must be the filesystem of the opened file. Returns the fd or -errno with e filled
 * ("open /proc/<path>: ..." or "/proc/<path> is not on procfs"). */
int procfs_open_checked(const char *path_in_proc, int flags, struct oerr *e);

/* 0 when fd is on a procfs, else -EXDEV with e filled ("<what> is not on procfs"). */
int procfs_check_fd(int fd, const char *what, struct oerr *e);

/* "/proc/self/fd/<fd>" into buf, the path through which the kernel reaches exactly
 * the object fd refers to (used as a mount(2) target). */
#define PROCFS_FD_PATH_MAX 32
void procfs_fd_path(int fd, char buf[PROCFS_FD_PATH_MAX]);
