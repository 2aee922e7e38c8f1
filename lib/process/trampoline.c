#include "lib/process/trampoline.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lib/process/trampoline/trampoline_mark.h"
#include "base/util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#ifdef OCIRT_HAVE_TRAMPOLINE
extern const unsigned char trampoline_blob[];
extern const size_t trampoline_blob_len;

int trampoline_open(struct oerr *e)
{
	/* MFD_EXEC: where vm.memfd_noexec makes memfds non-executable by default (6.3+) */
	_cleanup_close_ int fd = memfd_create("ocirt-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("ocirt-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return oerr_set(e, errno, "memfd for the exec trampoline");
	size_t off = 0;
	while (off < trampoline_blob_len) {
		ssize_t n = write(fd, trampoline_blob + off, trampoline_blob_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return oerr_set(e, n < 0 ? errno : EIO, "write the exec trampoline");
		off += (size_t)n;
	}
	int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	if (fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) < 0 && fcntl(fd, F_ADD_SEALS, seals) < 0)
		return oerr_set(e, errno, "seal the exec trampoline");
	return steal_fd(fd);
}
#else
int trampoline_open(struct oerr *e)
{
	return oerr_setx(e, ENOSYS, "no exec trampoline for this architecture");
}
#endif

void trampoline_exec(int tfd, int err_fd, const char *exe, char *const argv[], char *const envp[])
{
	size_t n = 0;
	while (argv[n])
		n++;
	char fdnum[16];
	snprintf(fdnum, sizeof(fdnum), "%d", err_fd);
	const char **targv = calloc(n + 4, sizeof(*targv));
	if (!targv)
		return;
	targv[0] = TRAMPOLINE_MARK;
	targv[1] = fdnum;
	targv[2] = exe;
	for (size_t i = 0; i < n; i++)
		targv[3 + i] = argv[i];
	if (err_fd >= 0 && fcntl(err_fd, F_SETFD, 0) < 0) {
		free(targv);
		return;
	}
	syscall(SYS_execveat, tfd, "", targv, envp, AT_EMPTY_PATH);
	int err = errno;
	if (err_fd >= 0)
		fcntl(err_fd, F_SETFD, FD_CLOEXEC);
	free(targv);
	errno = err;
}
