/* Container lifecycle: create, start, kill, delete, and status of a container
 * kept in a runtime state directory. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "base/err.h"
#include "lib/container/statedir.h"

struct create_opts {
	const char *root;		/* state root (--root) */
	const char *id;
	const char *bundle;		/* NULL = current directory */
	const char *pid_file;		/* NULL = none */
	const char *console_socket;	/* NULL = none */
	int console_fd;			/* >= 0: already connected console socket (run with a terminal) */
	int *console_pair;		/* run in the foreground: when the process wants a terminal and no
					 * console socket was given, a socketpair is made and the runtime's end is stored here */
	int preserve_fds;		/* fds 3+listen_fds .. +n-1 stay open in the container */
	int listen_fds;			/* socket activation (LISTEN_FDS): fds 3 .. 3+n-1 stay open, and the
					 * process gets LISTEN_FDS=n and LISTEN_PID=1 unless its env has them */
	bool no_pivot;
	bool no_new_keyring;
	bool systemd_cgroup;
	bool rootless;			/* --rootless: a cgroup the user may not create is left out
					 * when the config sets no limits (lib/cgroup/cgroup.h) */
	const char *notify_socket;	/* the caller's NOTIFY_SOCKET, or NULL (lib/container/notify.h) */
};

enum container_status { CS_CREATING, CS_CREATED, CS_RUNNING, CS_PAUSED, CS_STOPPED };
const char *container_status_name(enum container_status s);

struct container {
	int dirfd;			/* locked state dir */
	bool incomplete;		/* a create that did not finish (the runtime died mid-create), or a
					 * state.json lost: st holds what the records say (statedir.h) */
	bool corrupt;			/* state.json unreadable (delete --force only) */
	struct container_state st;
	enum container_status status;
};

/* Create the container; on success its init waits on the exec fifo. */
int container_create(const struct create_opts *o, pid_t *init_pid, struct oerr *e);

/* NOTIFY_SOCKET, start/run: the container's notify socket bound (its fd;
 * -ENOENT: it was created without one), *init_pid its init. */
int container_notify_listen(const char *root, const char *id, pid_t *init_pid, struct oerr *e);
/* Then, once started: wait for its READY=1 and pass it on to host (see
 * notify_forward), with MAINPID=mainpid; until the init exits. */
int container_notify_forward(int sock, const char *host, pid_t init_pid, pid_t mainpid, struct oerr *e);

int container_open(const char *root, const char *id, bool exclusive, struct container *c, struct oerr *e);
void container_close(struct container *c);
/* Re-read the liveness of the init (pid + start time, fifo, freezer). */
void container_refresh_status(struct container *c);
/* The OCI state JSON (runtime.md "State"), malloc'd. */
int container_state_json(const struct container *c, char **out, struct oerr *e);

int container_start(const char *root, const char *id, struct oerr *e);
int container_kill(struct container *c, int sig, bool all, struct oerr *e);
/* force: kill the init and every process of the cgroup first; a create that
 * did not finish, or a state.json that is garbled, is removed from what the
 * records say (statedir.h), and what could not be found is said. */
int container_delete(const char *root, const char *id, bool force, struct oerr *e);
