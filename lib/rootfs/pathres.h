/* Resolve paths inside a directory tree (the container's rootfs) as if that tree
 * were "/": absolute symlinks restart at it, ".." stops at it, nothing outside it
 * is ever reached. Uses openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) and falls
 * back to a component-by-component walk (O_NOFOLLOW per step, symlinks expanded
 * by hand) when the kernel lacks openat2 or OCIRT_TEST_NO_OPENAT2=1 is set. */
#pragma once
#include <stdbool.h>
#include "base/err.h"

#define PATHRES_NO_SYMLINKS	0x1u	/* refuse any symlink on the way: ELOOP, "<prefix> in rootfs is a symlink" */
#define PATHRES_MKDIR		0x2u	/* create missing directories (0755) on the way, the last one included */

/* O_PATH|O_CLOEXEC fd of path (relative or absolute, both taken from rootfd) resolved
 * inside rootfd; a final symlink is followed (inside rootfd). Returns the fd or -errno
 * with e filled ("resolve <path> in rootfs: <errno text>"). */
int pathres_open(int rootfd, const char *path, unsigned flags, struct oerr *e);

/* The directory that would hold path's last component: O_PATH|O_CLOEXEC fd, and that
 * component in *name (malloc'd). path is cleaned lexically first (pathres_clean), so
 * it must not name the root itself (-EINVAL). PATHRES_MKDIR creates missing parents. */
int pathres_open_parent(int rootfd, const char *path, unsigned flags, char **name, struct oerr *e);

/* For a path that does not exist yet: the directory where it would be created,
 * symlinks on the way and a dangling final one followed inside rootfd (a link
 * to /data/f leads to rootfd's data/ and "f"), as O_PATH|O_CLOEXEC fd, and the
 * name to create there in *name (malloc'd). PATHRES_MKDIR creates missing
 * directories before it. -EEXIST when the path resolves to something. */
int pathres_open_missing(int rootfd, const char *path, unsigned flags, char **name, struct oerr *e);

/* Lexically clean path as an absolute path: "/" + components, no "." or empty ones,
 * ".." removes the previous component and stops at "/". malloc'd; NULL on ENOMEM. */
char *pathres_clean(const char *path);

/* Whether openat2() is used (false under OCIRT_TEST_NO_OPENAT2=1 or once
 * pathres_openat2_refused said so). */
bool pathres_have_openat2(void);

/* After openat2 failed with err: whether the call itself is refused, so
 * that the caller goes the way without it (and pathres_have_openat2 says
 * false from then on). ENOSYS: a kernel before 5.6. EPERM: a seccomp
 * filter that refuses the calls it does not know, as container engines'
 * profiles from before openat2 do, where an openat2 of "/" says EPERM as
 * well (the path's own EPERM, from an append-only file say, is reported). */
bool pathres_openat2_refused(int err);
