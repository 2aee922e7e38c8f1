/* sysno NR...: make each raw syscall NR with all-zero arguments and print
 * "NR ERRNO" (0 when it succeeded), one line each. For seccomp tests: what
 * the filter answers for a syscall number, whatever libc would do with it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		long nr = strtol(argv[i], NULL, 10);
		errno = 0;
		long r = syscall(nr, 0L, 0L, 0L, 0L, 0L, 0L);
		printf("%ld %d\n", nr, r < 0 ? errno : 0);
	}
	return 0;
}
