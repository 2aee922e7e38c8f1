/* Namespaces of the container: joining by path, creating, and the per-namespace
 * setup done from outside (id maps, time offsets) or inside (hostname). */
#pragma once
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
/* Runtime side: write /proc/<pid>/uid_map and gid_map from the spec's mappings. */
int userns_write_maps(pid_t pid, const struct spec_linux *l, struct oerr *e);
/* Runtime side: write /proc/<pid>/timens_offsets for the offsets that are set. */
int timens_write_offsets(pid_t pid, const struct spec_linux *l, struct oerr *e);
/* Inside the container: sethostname/setdomainname when the spec sets them. */
int uts_apply(const struct spec *s, struct oerr *e);
