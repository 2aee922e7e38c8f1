/* Capabilities of the container process (libcap). Unknown capability names
 * and capabilities the runtime cannot grant are warned about on stderr and
 * ignored, never an error, so one config works across kernels. */
#pragma once
#include <stdbool.h>
#include "base/err.h"
#include "oci/spec.h"

/* Before the user switch: drop from the bounding set every capability not in
 * process.capabilities.bounding (nothing when the spec has no capabilities). */
int caps_drop_bounding(const struct spec_process *p, struct oerr *e);
/* After the user switch: set effective, permitted and inheritable exactly as
 * listed (all empty without process.capabilities), then raise the ambient ones. */
int caps_apply(const struct spec_process *p, struct oerr *e);
/* Whether an execve by the process (not root) takes away effective
 * capabilities that the checks of its final execve may need: those not in
 * the ambient set. See trampoline_exec. */
bool caps_lost_at_exec(const struct spec_process *p);
