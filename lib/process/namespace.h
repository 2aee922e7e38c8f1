/* Namespaces of the container: joining by path, creating, and the per-namespace
 * setup done from outside (id maps, time offsets) or inside (hostname). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "base/err.h"
#include "oci/spec.h"

/* Open every linux.namespaces[].path (O_RDONLY|O_CLOEXEC) and check its type;
 * fds[t] is -1 for types not joined. On error the caller closes what is open. */
int ns_open_joins(const struct spec_linux *l, int fds[SPEC_NS__COUNT], struct oerr *e);
/* setns(fd) for a namespace of type t. */
int ns_join(int fd, enum spec_ns_type t, struct oerr *e);
/* CLONE_NEW* flags of the namespaces to create (those without a path). */
int ns_new_flags(const struct spec_linux *l);
/* Runtime side (lib/process/userns.c): write /proc/<pid>/uid_map and gid_map
 * from the spec's mappings: directly when the runtime is root (in its user
 * namespace); unprivileged, directly only for the one id of its own euid/egid
 * (setgroups denied first), else through newuidmap/newgidmap. */
int userns_write_maps(pid_t pid, const struct spec_linux *l, struct oerr *e);
/* A mapping of the one id own, which an unprivileged runtime may write itself. */
bool userns_map_is_own(const struct spec_idmap *m, size_t n, unsigned own);
/* The caller is in a user namespace other than the initial one. */
bool userns_running_in(void);
/* Runtime side: write /proc/<pid>/timens_offsets for the offsets that are set. */
int timens_write_offsets(pid_t pid, const struct spec_linux *l, struct oerr *e);
/* Inside the container: sethostname/setdomainname when the spec sets them. */
int uts_apply(const struct spec *s, struct oerr *e);
