/* refuse SYSCALL[,SYSCALL...] ERRNO CMD [ARGS...]: run CMD with each SYSCALL
 * failing with ERRNO (ENOSYS, EPERM or a number), under a seccomp filter that
 * everything CMD starts inherits, containers included. ENOSYS stands for a kernel without
 * the call (openat2 before 5.6); EPERM for a container engine's profile that
 * refuses calls it does not know (clone3 under Docker before 20.10). */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int errno_of(const char *s)
{
	if (!strcmp(s, "ENOSYS"))
		return ENOSYS;
	if (!strcmp(s, "EPERM"))
		return EPERM;
	char *end;
	long n = strtol(s, &end, 10);
	return *s && !*end && n > 0 && n < 4096 ? (int)n : -1;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: refuse SYSCALL[,SYSCALL...] ERRNO CMD [ARGS...]\n");
		return 2;
	}
	int err = errno_of(argv[2]);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (err < 0 || !ctx) {
		fprintf(stderr, "refuse: unknown errno %s\n", argv[2]);
		return 2;
	}
	int nrs[64], n = 0;
	for (char *save = NULL, *name = strtok_r(argv[1], ",", &save); name && n < 64;
	     name = strtok_r(NULL, ",", &save)) {
		nrs[n] = seccomp_syscall_resolve_name(name);
		if (nrs[n] == __NR_SCMP_ERROR || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nrs[n], 0) < 0) {
			fprintf(stderr, "refuse: unknown syscall %s\n", name);
			return 2;
		}
		n++;
	}
	if (seccomp_load(ctx) < 0) {
		fprintf(stderr, "refuse: cannot load the filter\n");
		return 2;
	}
	seccomp_release(ctx);
	/* Prove the filter works before anything relies on it. The arguments
	 * are ones that the calls the tests name (openat2, clone3, pidfd_*,
	 * the mount API's) would refuse by themselves (EBADF, EFAULT, EINVAL),
	 * were the filter not there. */
	for (int i = 0; i < n; i++)
		if (syscall(nrs[i], -1L, 0L, 0L, 0L, 0L) != -1 || errno != err) {
			fprintf(stderr, "refuse: syscall %d is not refused with %s\n", nrs[i], argv[2]);
			return 2;
		}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "refuse: exec %s: %s\n", argv[3], strerror(errno));
	return 127;
}
