/* Small helpers shared by lib/, cmd/ and oci/: scope-bound cleanup and file I/O. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <dirent.h>
#include "base/err.h"

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) { if (*fd >= 0) { int e = errno; close(*fd); errno = e; } }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void closedirp(DIR **d) { if (*d) closedir(*d); }
static inline void strvfreep(char ***v)
{
	if (*v) { for (char **p = *v; *p; p++) free(*p); free(*v); }
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)
#define _cleanup_strv_ _cleanup_(strvfreep)

/* Hand ownership out of a cleanup variable. */
#define steal_ptr(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define steal_fd(fd) ({ int _t = (fd); (fd) = -1; _t; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Write all of buf (len bytes) to path (O_WRONLY|O_CLOEXEC [|O_CREAT|O_TRUNC when create]).
 * dirfd may be AT_FDCWD. Returns 0 or -errno with e filled ("write <path>: ..."). */
int write_file_at(int dirfd, const char *path, const void *buf, size_t len, bool create, struct oerr *e);
/* Read a whole (small) file into a NUL-terminated malloc'd buffer. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct oerr *e);
/* Read a file that must be a regular file of at most max bytes (the JSON
 * documents ocirt reads from a path). A FIFO, a device, a directory, or a
 * symlink to one, is refused at once without blocking, and so is a larger
 * file: "<path>: not a regular file (a FIFO)", "<path>: N bytes, more than
 * the <max_text> limit". Out: NUL-terminated, malloc'd. */
int read_regular_file_at(int dirfd, const char *path, size_t max, const char *max_text, char **out,
			 size_t *len, struct oerr *e);
/* The same from an open fd (standard input) that need not be a regular
 * file: reads at most max bytes, and refuses more. name is for errors. */
int read_fd_max(int fd, const char *name, size_t max, const char *max_text, char **out, size_t *len,
		struct oerr *e);
/* write(2)/read(2) loops that retry on EINTR and short counts; return 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
int read_all(int fd, void *buf, size_t len);
/* Path p is dir or below it ("/a/b" is under "/a", "/ab" is not). */
bool path_at_or_under(const char *p, const char *dir);
/* mkdir -p, mode for each created component; 0 or -errno. */
int mkdir_p(const char *path, mode_t mode);
/* Close the n fds (those < 0 skipped), one close_range(2) per run of
 * consecutive numbers; close(2) where close_range is missing. Reorders fds. */
void close_fds(int *fds, size_t n);
/* pidfd_open(2) of pid; -ENOSYS where there are no pidfds: a kernel before
 * 5.3, or a seccomp filter from before them that refuses the call with
 * EPERM (which pidfd_open never answers by itself); else -errno. */
int pidfd_open_or_nosys(pid_t pid);
