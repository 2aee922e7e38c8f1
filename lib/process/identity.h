/* Becoming the container process's user: groups, gid, uid, umask. */
#pragma once
#include <stdint.h>
#include "base/err.h"
#include "oci/spec.h"

/* Switch to process.user keeping the permitted capabilities (caps_apply sets them after). */
int user_switch(const struct spec_process *p, struct oerr *e);
/* Before the user switch: the process's stdio pipes (anonymous ones only)
 * become uid's, so that it may reopen them (/dev/stdout, /proc/self/fd/1),
 * as runc and crun do. Files, named fifos, sockets and devices passed as
 * stdio are left alone: their owner is the host's business. */
void stdio_pipes_give(uint32_t uid);
