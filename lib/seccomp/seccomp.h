/* linux.seccomp: build the filter with libseccomp and load it; hand the
 * SCMP_ACT_NOTIFY listener fd to the seccomp agent at linux.seccomp.listenerPath. */
#pragma once
#include <stdbool.h>
#include "base/err.h"
#include "oci/spec.h"

/* Build and load the filter described by sc into the calling thread (which
 * must already have no_new_privs or CAP_SYS_ADMIN; the filter itself never
 * sets no_new_privs). Unknown syscall names are skipped with a warning on
 * stderr; rules whose action equals the default action are skipped.
 * *notify_fd is the listener fd (O_CLOEXEC) when a SCMP_ACT_NOTIFY rule was
 * loaded, else -1. Once loaded, any syscall matching a NOTIFY rule blocks
 * until the agent holding that fd answers. */
int seccomp_apply(const struct spec_seccomp *sc, int *notify_fd, struct oerr *e);

/* Connect to sc->listener_path (AF_UNIX, SOCK_STREAM), send notify_fd with
 * SCM_RIGHTS along with the container process state JSON, then close.
 * process_state_json is either the whole process state (an object with a
 * "state" member) or just the container state object (runtime.md "State"),
 * which is wrapped as {ociVersion, fds: ["seccompFd"], pid, metadata, state}.
 * Missing "fds" and "metadata" (sc->listener_metadata) are filled in. */
int seccomp_send_listener(const struct spec_seccomp *sc, int notify_fd, const char *process_state_json,
			  struct oerr *e);

/* Whether a syscalls[] rule asks for SCMP_ACT_NOTIFY. */
bool seccomp_uses_notify(const struct spec_seccomp *sc);
/* For `features`: whether the installed libseccomp (and this kernel) can
 * use an SCMP_ARCH_* architecture (in a filter with the native one), a
 * SECCOMP_FILTER_FLAG_* flag. */
bool seccomp_arch_supported(const char *name);
bool seccomp_flag_supported(const char *name);
/* Connect to sc->listener_path; returns the socket (O_CLOEXEC) or -errno.
 * The container's init connects before pivot_root, while the path still
 * resolves in the runtime's mount namespace. */
int seccomp_listener_connect(const struct spec_seccomp *sc, struct oerr *e);
/* seccomp_send_listener over an already connected socket (not closed here). */
int seccomp_send_listener_on(const struct spec_seccomp *sc, int sock, int notify_fd, const char *process_state_json,
			     struct oerr *e);

/* Whether sc lets the syscall through with no condition and no side effect
 * (no rule for it with another action or with argument filters), so that
 * the runtime may make it after loading sc unnoticed. NULL allows all. */
bool seccomp_allows_plainly(const struct spec_seccomp *sc, const char *name);

/* The version of the libseccomp linked in, "2.5.4", written into buf. */
const char *libseccomp_version(char *buf, size_t len);
