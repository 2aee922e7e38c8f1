/* The final execve into a container's process, taken through a sealed
 * in-memory copy of a tiny static program (lib/trampoline/), so that the
 * runtime's own binary is not what /proc/self/exe names at that moment. */
#pragma once
#include <stdbool.h>
#include "base/err.h"
#include "oci/spec.h"

/* Whether the trampoline may be used under the filter sc (NULL: none) for
 * process p (NULL: hooks only): the filter must let the calls it adds
 * through unseen (execveat; and capget, capset and prctl where p, not
 * root, needs its capabilities carried across: trampoline_exec), so that a
 * profile observes the process's calls as they would be without it. */
bool trampoline_fits(const struct spec_seccomp *sc, const struct spec_process *p);

/* A sealed, executable memfd holding the trampoline (O_CLOEXEC), or -errno
 * (with e filled) where the kernel gives none; callers then exec directly. */
int trampoline_open(struct oerr *e);

/* Exec exe with argv and envp through the trampoline in tfd. err_fd (or -1)
 * stays open across the trampoline's own exec, is closed by the next one,
 * and gets an exec failure as a SYNC_ERROR message (the trampoline then
 * exits 255; without err_fd it prints the failure and exits 127). A caller
 * that is not root keeps its capability sets for the final execve's
 * checks: they are carried across the trampoline's exec as ambient ones and
 * put back by it. Returns only when the kernel refused the trampoline
 * itself, or the sets could not be carried, with errno set and the sets as
 * they were. */
void trampoline_exec(int tfd, int err_fd, const char *exe, char *const argv[], char *const envp[]);
