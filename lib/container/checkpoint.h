/* `checkpoint` and `restore`: a running container's processes to an image
 * dir with CRIU and back, as a new container (lib/criu/criu.h does the
 * talking to CRIU). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "base/err.h"
#include "lib/container/container.h"
#include "lib/criu/criu.h"

/* Checkpoint a running or paused container. Unless o->leave_running or
 * o->pre_dump, the container is deleted afterwards (as runc does); a failed
 * checkpoint leaves it as it was. */
int container_checkpoint(const char *root, const char *id, const struct cr_opts *o, struct oerr *e);

struct restore_opts {
	const char *root;		/* state root */
	const char *id;
	const char *bundle;		/* NULL: current directory */
	const char *pid_file;
	const char *console_socket;	/* the terminal's master goes there */
	int *console_master;		/* or here (restore in the foreground), set >= 0 */
};

/* Restore a container from o->image_path with the bundle's config: state dir,
 * cgroup (with the config's resources), prestart and createRuntime hooks,
 * the processes; running (or paused, if it was) once this returns, with
 * *pid its init, a child of the caller. On failure nothing is left. */
int container_restore(const struct restore_opts *ro, const struct cr_opts *o, pid_t *pid, struct oerr *e);
