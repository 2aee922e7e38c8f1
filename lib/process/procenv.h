/* The environment a container process starts with: process.env as given,
 * plus what runc adds to it: HOME, from the container's /etc/passwd entry of
 * process.user.uid (else "/") when process.env has none or an empty one, and
 * LISTEN_FDS/LISTEN_PID=1 when the runtime was socket-activated. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "oci/spec.h"

/* One /etc/passwd line (name:password:uid:gid:gecos:home:shell, without its
 * newline): 1 with *home and *home_len set (the home field, maybe empty)
 * when its uid is uid, else 0. Blank lines, comments and lines whose uid
 * is no number never match. */
int passwd_line_home(const char *line, size_t len, uint32_t uid, const char **home, size_t *home_len);

/* Stream a passwd file from fd (at most 16 MiB of it, lines of up to 4 KiB)
 * for uid's home: 1 and *home (malloc'd, "/" when the field is empty) when
 * found, 0 when not (or unreadable), -ENOMEM. */
int passwd_home_fd(int fd, uint32_t uid, char **home);

/* Whether process.env has no HOME, or only an empty one last. */
bool procenv_needs_home(const struct spec_process *p);

/* The process's environment: p->env, with HOME=home appended (and empty
 * HOME= entries dropped) when home is not NULL, and with listen_fds > 0,
 * LISTEN_FDS=listen_fds and LISTEN_PID=1 where p->env has none. A
 * NULL-terminated malloc'd vector whose strings are p->env's or malloc'd;
 * NULL on ENOMEM. */
char **procenv_build(const struct spec_process *p, const char *home, int listen_fds);

/* In the container, after pivot_root (or setns into its mount namespace) and
 * before the user switch: the environment procenv_build makes, with the
 * home of process.user.uid read from /etc/passwd resolved inside the
 * current root, without magic links, a regular file opened non-blocking.
 * A missing or unreadable passwd, or no entry for the uid, gives "/". */
int procenv_prepare(const struct spec_process *p, int listen_fds, char ***env, struct oerr *e);
