/* Process attributes applied to the container process before exec:
 * rlimits, scheduler, I/O priority, personality, CPU affinity, working directory. */
#pragma once
#include "base/err.h"
#include "oci/spec.h"

int procattr_apply_rlimits(const struct spec_process *p, struct oerr *e);
/* sched_setattr(2) when process.scheduler is set. */
int procattr_apply_scheduler(const struct spec_process *p, struct oerr *e);
/* ioprio_set(2) when process.ioPriority is set. */
int procattr_apply_io_priority(const struct spec_process *p, struct oerr *e);
/* personality(2) when linux.personality is set; l may be NULL. */
int procattr_apply_personality(const struct spec_linux *l, struct oerr *e);
/* sched_setaffinity(2) of the calling thread to cpus; NULL: every CPU there
 * may be, which the kernel narrows to what the thread's cpuset allows (so
 * that a container process never inherits the runtime's own affinity).
 * what names the field for errors. */
int procattr_set_affinity(const struct idset *cpus, const char *what, struct oerr *e);
/* The calling thread's affinity into *out (freed by the caller with free(out->bits)). */
int procattr_get_affinity(struct idset *out, struct oerr *e);
/* chdir to process.cwd and, with verify, make sure it is below the current
 * root: a cwd such as /proc/self/fd/N naming a directory fd of the host
 * would put the process outside the container. allow_eacces: a permission
 * error is not one yet (the first try, before the user switch); then 1 is
 * returned and nothing was checked. Callers verify before a seccomp filter
 * that may refuse getcwd is loaded. */
int procattr_chdir(const struct spec_process *p, bool allow_eacces, bool verify, struct oerr *e);
/* After pivot_root, as root: make process.cwd when it does not exist, each
 * missing directory 0755, resolved inside the root (pathres.h: no symlink
 * leads out of it). A path that exists, or fails otherwise, is left to
 * procattr_chdir. */
int procattr_make_cwd(const struct spec_process *p, struct oerr *e);
/* The last steps before exec, in this order: the bounding set, the user,
 * the capability sets, no_new_privs, the cwd only when the first
 * procattr_chdir could not enter it (it returned 1: cwd_deferred), and
 * the path of process.args[0] into exe. */
int procattr_become(const struct spec_process *p, bool cwd_deferred, char *exe, size_t exelen,
		    struct oerr *e);
/* A clean signal state for what will be exec'd: nothing blocked, and every
 * signal with a handler or ignored back to its default (ignored ones would
 * survive execve). */
void procattr_reset_signals(void);
