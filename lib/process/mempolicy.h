/* linux.memoryPolicy: checked against the host's NUMA nodes at create, set
 * with set_mempolicy(2) in the container's process before it execs. */
#pragma once
#include "base/err.h"
#include "oci/spec.h"

#define MEMPOLICY_NODE_DIR "/sys/devices/system/node"

/* Every node must exist on this host (node_dir/possible); without
 * MPOL_F_STATIC_NODES or MPOL_F_RELATIVE_NODES (whose nodes may come later,
 * or are positions in the allowed set), each must also have memory
 * (node_dir/has_memory), or the kernel would drop it without a word.
 * mp may be NULL. */
int mempolicy_check_host(const struct spec_memory_policy *mp, const char *node_dir, struct oerr *e);
/* set_mempolicy(2) for the calling thread, inherited by what it execs; l may be NULL. */
int mempolicy_apply(const struct spec_linux *l, struct oerr *e);
