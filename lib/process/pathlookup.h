/* Resolution of process.args[0] the way execvp would, with the container's PATH. */
#pragma once
#include <stddef.h>
#include "base/err.h"
#include "oci/spec.h"

/* Write the path to execute into out. PATH comes from p->env (a default when
 * absent); errors are worded as runc's ("exec: \"x\": executable file not found in $PATH"). */
int execpath_resolve(const struct spec_process *p, char *out, size_t outlen, struct oerr *e);
