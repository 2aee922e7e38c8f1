/* Becoming the container process's user: groups, gid, uid, umask. */
#pragma once
#include "base/err.h"
#include "oci/spec.h"

/* Switch to process.user keeping the permitted capabilities (caps_apply sets them after). */
int user_switch(const struct spec_process *p, struct oerr *e);
