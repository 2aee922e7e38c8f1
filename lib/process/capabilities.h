/* Capabilities of the container process. Unknown capability names
 * and capabilities the runtime cannot grant are warned about on stderr and
 * ignored, never an error, so one config works across kernels. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
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
/* The name of capability c ("CAP_KILL"), or NULL past the last this
 * runtime knows. */
const char *caps_name(int c);
/* capget/capset of this process's effective, permitted and inheritable
 * sets; 0 or -errno. */
int caps_get(uint64_t *eff, uint64_t *perm, uint64_t *inh);
int caps_set(uint64_t eff, uint64_t perm, uint64_t inh);
