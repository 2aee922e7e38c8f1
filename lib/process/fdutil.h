/* File descriptor helpers: close-on-exec sweeps and passing fds over unix sockets. */
#pragma once
#include <stddef.h>
#include "base/err.h"

/* Mark every fd >= from close-on-exec, so exec leaves only 0..from-1 open. */
int fds_cloexec_from(int from, struct oerr *e);
/* Close every fd >= from but those in keep (at most 8; negative entries ignored). */
int fds_close_from(int from, const int *keep, size_t n_keep, struct oerr *e);
/* A connected, close-on-exec unix stream socket to path; what names it in
 * errors ("console socket", "seccomp listener"). */
int unix_connect(const char *path, const char *what, struct oerr *e);
/* Send fd with len (>= 1) bytes of data over a unix socket (SCM_RIGHTS). */
int fdpass_send(int sock, int fd, const void *data, size_t len, struct oerr *e);
/* Receive one fd (close-on-exec) and up to len bytes of data. */
int fdpass_recv(int sock, int *fd, void *data, size_t len, struct oerr *e);
