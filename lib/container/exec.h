/* Run an additional process inside a running container (`ocirt exec`). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "lib/container/container.h"
#include "oci/spec.h"

struct exec_opts {
	const char *console_socket;	/* NULL = none */
	int console_fd;			/* >= 0: already connected console socket */
	int *console_pair;		/* foreground with a terminal: gets the runtime's end of a socketpair */
	int preserve_fds;
	const char *cgroup_sub;		/* --cgroup: a sub-cgroup of the container's */
};

/* s is the container's config with s->process replaced by the process to run.
 * On success *pid is the process in the runtime's pid namespace, already exec'd. */
int container_exec(const struct container *c, const struct spec *s, const struct exec_opts *o,
		   pid_t *pid, struct oerr *e);
