/* cgroup v2 device rules: a BPF_PROG_TYPE_CGROUP_DEVICE program built from
 * the emulated v1 state (lib/cgroup/cgroup_devices.h), loaded and attached with the
 * bpf(2) syscall directly. */
#pragma once
#include <stddef.h>
#include <linux/bpf.h>
#include "lib/cgroup/cgroup_devices.h"
#include "base/err.h"

/* The name the program is loaded under; a program of this name attached to a
 * container's cgroup is ours to replace. */
#define CG_EBPF_PROG_NAME "ocirt_dev"

/* The program for st: a 6-instruction prologue loading type, access, major
 * and minor; one block per exception that returns !default_allow when it
 * matches; then "return default_allow". *insns is malloc'd. */
int cg_ebpf_build(const struct cg_dev_state *st, struct bpf_insn **insns, size_t *n);
/* Load the program for st and attach it to the cgroup directory with
 * BPF_F_ALLOW_MULTI, replacing a program of ours attached earlier. */
int cg_ebpf_apply(const char *dir, const struct cg_dev_state *st, struct oerr *e);
