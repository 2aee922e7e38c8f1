/* OCI lifecycle hooks (runtime-spec config.md "POSIX-platform Hooks"). */
#pragma once
#include "base/err.h"
#include "oci/spec.h"

enum hook_phase {
	HOOK_PRESTART, HOOK_CREATE_RUNTIME, HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER, HOOK_POSTSTART, HOOK_POSTSTOP
};

/* The config.json name of a phase: "prestart", "createRuntime", ... */
const char *hook_phase_name(enum hook_phase p);

/* Run the hooks of one phase in order, in the calling process's namespaces.
 * Each hook is execve'd with exactly its args (argv = {path} when absent) and
 * env (the runtime's own when absent, as with runc and crun), fds 0 = a pipe
 * carrying state_json, 1 and 2 inherited, nothing else open, in the
 * caller's working directory. The first failing hook stops the run:
 * "<phase> hook <path>: exit status N" / "killed by signal N" /
 * "timed out after N seconds" (the hook is SIGKILLed) / "exec: <errno>".
 * A hook that never reads its stdin is fine; SIGPIPE never reaches the caller.
 * poststop: the remaining hooks still run after a failure (runtime.md
 * "Lifecycle" 13); the first failure is the result, later ones are printed
 * as "warning: ..." on stderr.
 * createContainer and startContainer (run by the container's init) get the
 * state with "pid" set to the caller's own pid (the container's view), and
 * startContainer with "status": "created". */
int hooks_run(const struct spec *s, enum hook_phase phase, const char *state_json, struct oerr *e);
/* The same, each hook exec'd through the trampoline in trampoline_fd
 * (lib/process/trampoline.h; -1: directly): for the hooks the container's init runs,
 * whose image is still the runtime's binary; and in the directory cwd (NULL:
 * the caller's): runc runs prestart and createRuntime hooks in the bundle,
 * createContainer ones in the rootfs. */
int hooks_run_via(const struct spec *s, enum hook_phase phase, const char *state_json, int trampoline_fd,
		  const char *cwd, struct oerr *e);
