#include "lib/process/trampoline.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lib/process/trampoline/trampoline_mark.h"
#include "lib/process/capabilities.h"
#include "lib/seccomp/seccomp.h"
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

bool trampoline_fits(const struct spec_seccomp *sc, const struct spec_process *p)
{
	if (!seccomp_allows_plainly(sc, "execveat"))
		return false;
	/* carry_caps below, and the trampoline, make these calls after the filter */
	return !p || !caps_lost_at_exec(p) ||
	       (seccomp_allows_plainly(sc, "capget") && seccomp_allows_plainly(sc, "capset") &&
		seccomp_allows_plainly(sc, "prctl"));
}

static void uncarry_caps(const char *arg);

/* The trampoline's own execve, by a process that is not root, would leave it
 * only its ambient capabilities: the checks of the final execve (CAP_DAC_OVERRIDE
 * on a mode 0744 root file, CAP_DAC_READ_SEARCH on the way to it) would not
 * see the effective set the process was given. So for that one exec every
 * permitted capability is made ambient (and so inheritable), and the
 * trampoline puts the four sets back, as written into arg
 * ("FD,EFF,PERM,INH,AMB" in hex), before its own execve. Returns 0 with
 * arg just "FD" when nothing would be lost, -errno (with the sets as they
 * were) when they cannot be carried. */
static int carry_caps(int err_fd, char *arg, size_t len)
{
	snprintf(arg, len, "%d", err_fd);
	if (getuid() == 0 || geteuid() == 0)
		return 0;	/* root's execve gives it its bounding set */
	uint64_t eff = 0, perm = 0, inh = 0, amb = 0;
	int r = caps_get(&eff, &perm, &inh);
	if (r < 0 || eff == 0)
		return r;
	for (int c = 0; c < 64; c++)
		if ((perm & (UINT64_C(1) << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
			amb |= UINT64_C(1) << c;
	if (!(eff & ~amb))
		return 0;
	if ((r = caps_set(eff, perm, inh | perm)) < 0)
		return r;
	for (int c = 0; c < 64; c++) {
		uint64_t bit = UINT64_C(1) << c;
		if ((perm & bit) && !(amb & bit) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) {
			r = -errno;
			break;
		}
	}
	if (r == 0) {
		snprintf(arg, len, "%d,%llx,%llx,%llx,%llx", err_fd, (unsigned long long)eff,
			 (unsigned long long)perm, (unsigned long long)inh, (unsigned long long)amb);
		return 0;
	}
	uncarry_caps(arg);
	return r;
}

/* Undo carry_caps where the trampoline did not run. */
static void uncarry_caps(const char *arg)
{
	unsigned long long eff, perm, inh, amb;
	int fd;
	if (sscanf(arg, "%d,%llx,%llx,%llx,%llx", &fd, &eff, &perm, &inh, &amb) != 5)
		return;
	caps_set(eff, perm, inh);
	for (int c = 0; c < 64; c++)
		if ((perm & inh & ~amb) & (UINT64_C(1) << c))
			prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, c, 0, 0);
}

void trampoline_exec(int tfd, int err_fd, const char *exe, char *const argv[], char *const envp[])
{
	size_t n = 0;
	while (argv[n])
		n++;
	char fdarg[96];
	int r = carry_caps(err_fd, fdarg, sizeof(fdarg));
	if (r < 0) {
		errno = -r;
		return;
	}
	/* On the stack for the usual argument count: exec's child may run in
	 * the runtime's memory (CLONE_VM), where a malloc this late is one
	 * more that a kill could cut in half. */
	const char *onstack[64];
	const char **targv = n + 4 <= sizeof(onstack) / sizeof(onstack[0]) ? onstack : calloc(n + 4, sizeof(*targv));
	if (!targv) {
		uncarry_caps(fdarg);
		errno = ENOMEM;
		return;
	}
	targv[n + 3] = NULL;
	targv[0] = TRAMPOLINE_MARK;
	targv[1] = fdarg;
	targv[2] = exe;
	for (size_t i = 0; i < n; i++)
		targv[3 + i] = argv[i];
	if (err_fd >= 0 && fcntl(err_fd, F_SETFD, 0) < 0) {
		int err = errno;
		uncarry_caps(fdarg);
		if (targv != onstack)
			free(targv);
		errno = err;
		return;
	}
	syscall(SYS_execveat, tfd, "", targv, envp, AT_EMPTY_PATH);
	int err = errno;
	if (err_fd >= 0)
		fcntl(err_fd, F_SETFD, FD_CLOEXEC);
	uncarry_caps(fdarg);
	if (targv != onstack)
		free(targv);
	errno = err;
}
