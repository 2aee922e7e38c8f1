/* The final execve into a container's process, taken through a sealed
 * in-memory copy of a tiny static program (lib/trampoline/), so that the
 * runtime's own binary is not what /proc/self/exe names at that moment. */
#pragma once
#include "base/err.h"

/* A sealed, executable memfd holding the trampoline (O_CLOEXEC), or -errno
 * (with e filled) where the kernel gives none; callers then exec directly. */
int trampoline_open(struct oerr *e);

/* Exec exe with argv and envp through the trampoline in tfd. err_fd (or -1)
 * stays open across the trampoline's own exec, is closed by the next one,
 * and gets an exec failure as a SYNC_ERROR message (the trampoline then
 * exits 255; without err_fd it prints the failure and exits 127). Returns
 * only when the kernel refused the trampoline itself, with errno set. */
void trampoline_exec(int tfd, int err_fd, const char *exe, char *const argv[], char *const envp[]);
