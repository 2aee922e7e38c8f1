/* AppArmor and SELinux: whether this host has them, and the labels a process
 * asks for (process.apparmorProfile, process.selinuxLabel) set for its exec. */
#pragma once
#include <stdbool.h>
#include "base/err.h"
#include "oci/spec.h"

/* AppArmor is enabled: /sys/module/apparmor/parameters/enabled reads "Y" and
 * /sys/kernel/security/apparmor exists (runc's test). */
bool lsm_apparmor_enabled(void);
/* SELinux is enabled: selinuxfs is mounted at /sys/fs/selinux. */
bool lsm_selinux_enabled(void);

/* Runtime side, before the process is made: a warning on stderr for each label
 * the config asks for that this host cannot apply (the LSM is not enabled, or
 * linux.mountLabel, which ocirt does not apply), naming the field. Nothing is
 * pretended: the process runs without that label, and says so. */
void lsm_warn_unapplied(const struct spec *s, const struct spec_process *p);

/* In the process, as late as possible before its execve: the AppArmor profile
 * ("exec <profile>" into attr/apparmor/exec, or attr/exec on kernels without
 * it) and the SELinux label (attr/exec) to change to on exec, each only where
 * its LSM is enabled. /proc must be the container's procfs. */
int lsm_set_exec_labels(const struct spec_process *p, struct oerr *e);
