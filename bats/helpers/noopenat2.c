/* noopenat2 CMD [ARGS...]: run CMD with openat2(2) failing with ENOSYS, as on
 * kernels before 5.6, so the tests reach ocirt's component-walk fallback. The
 * filter is inherited by everything CMD starts, containers included. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: noopenat2 CMD [ARGS...]\n");
		return 2;
	}
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 ||
	    seccomp_load(ctx) < 0) {
		fprintf(stderr, "noopenat2: cannot load the filter\n");
		return 2;
	}
	seccomp_release(ctx);
	/* Prove the filter works before anything relies on it. */
	if (syscall(SYS_openat2, -1, "/", NULL, 0) != -1 || errno != ENOSYS) {
		fprintf(stderr, "noopenat2: openat2 is not refused with ENOSYS\n");
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "noopenat2: exec %s: %s\n", argv[1], strerror(errno));
	return 127;
}
