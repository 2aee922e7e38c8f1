/* sd_notify through a container (NOTIFY_SOCKET), as runc has it. When the
 * runtime is started with NOTIFY_SOCKET (systemd's Type=notify, or an
 * engine), create makes <state dir>/notify, binds it read-only at
 * /run/notify in the container and sets NOTIFY_SOCKET=/run/notify/notify.sock
 * in the process's environment; start (or run) binds that socket before the
 * process runs and, once the container sends READY=1, passes the message on
 * to the caller's NOTIFY_SOCKET with MAINPID, then a BARRIER. */
#pragma once
#include <sys/types.h>
#include "base/err.h"
#include "oci/spec.h"

#define NOTIFY_STATE_DIR "notify"
#define NOTIFY_CONTAINER_DIR "/run/notify"
#define NOTIFY_CONTAINER_SOCKET NOTIFY_CONTAINER_DIR "/notify.sock"

/* create: make the notify dir in the state dir open on dirfd (whose path is
 * state_dir) and give the config its mount and NOTIFY_SOCKET. */
int notify_prepare(struct spec *s, int dirfd, const char *state_dir, struct oerr *e);
/* start/run: bind the container's socket. Its fd, or -ENOENT when the
 * container was created without NOTIFY_SOCKET (no notify dir). */
int notify_listen(int dirfd, struct oerr *e);
/* Wait for the container's READY=1 on sock; the messages it sends until
 * then go to host (a path, or @name for the abstract namespace) without
 * their MAINPID and BARRIER lines, the READY one with MAINPID=mainpid
 * added, then a BARRIER=1 (waited for up to 30 s). Returns 0 at once, and
 * forwards nothing more, once the init exits: its pidfd polls readable, or,
 * with pidfd -1 (no pidfds here), init_pid is no longer the process it was
 * at the start (looked at every 100 ms). */
int notify_forward(int sock, const char *host, int pidfd, pid_t init_pid, pid_t mainpid, struct oerr *e);
