/* rlimits, scheduling, I/O priority and personality of the container process. */
#include "lib/process/process_attrs.h"
#include "lib/process/capabilities.h"
#include "lib/process/identity.h"
#include "lib/process/pathlookup.h"
#include "lib/rootfs/pathres.h"
#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <signal.h>
#include <unistd.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

/* glibc has no wrapper nor type for sched_setattr; this is the kernel's layout (VER0, 48 bytes). */
struct sched_attr_v0 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

#define OCIRT_IOPRIO_WHO_PROCESS 1
#define OCIRT_IOPRIO_CLASS_SHIFT 13

int procattr_apply_rlimits(const struct spec_process *p, struct oerr *e)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *r = &p->rlimits[i];
		struct rlimit rl = { .rlim_cur = (rlim_t)r->soft, .rlim_max = (rlim_t)r->hard };
		if (setrlimit((__rlimit_resource_t)r->resource, &rl) < 0)
			return oerr_set(e, errno, "process.rlimits: setrlimit %s", r->type ? r->type : "?");
	}
	return 0;
}

int procattr_apply_scheduler(const struct spec_process *p, struct oerr *e)
{
	const struct spec_scheduler *s = p->scheduler;
	if (!s)
		return 0;
	struct sched_attr_v0 a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.sched_policy = (uint32_t)s->policy_num;
	a.sched_flags = s->flags_mask;
	a.sched_nice = s->nice;
	a.sched_priority = (uint32_t)s->priority;
	a.sched_runtime = s->runtime;
	a.sched_deadline = s->deadline;
	a.sched_period = s->period;
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return oerr_set(e, errno, "process.scheduler: sched_setattr %s", s->policy ? s->policy : "?");
	return 0;
}

int procattr_apply_io_priority(const struct spec_process *p, struct oerr *e)
{
	const struct spec_io_priority *io = p->io_priority;
	if (!io)
		return 0;
	int prio = (io->class_num << OCIRT_IOPRIO_CLASS_SHIFT) | io->priority;
	if (syscall(SYS_ioprio_set, OCIRT_IOPRIO_WHO_PROCESS, 0, prio) < 0)
		return oerr_set(e, errno, "process.ioPriority: ioprio_set %s %d",
				io->class ? io->class : "?", io->priority);
	return 0;
}

int procattr_apply_personality(const struct spec_linux *l, struct oerr *e)
{
	if (!l || !l->personality)
		return 0;
	if (personality(l->personality->persona) < 0)
		return oerr_set(e, errno, "linux.personality: personality %s",
				l->personality->domain ? l->personality->domain : "?");
	return 0;
}

/* Bytes of a mask that covers every CPU Linux builds for. */
#define AFFINITY_BYTES ((SPEC_MAX_CPU + 1) / CHAR_BIT)

int procattr_set_affinity(const struct idset *cpus, const char *what, struct oerr *e)
{
	static unsigned long all[AFFINITY_BYTES / sizeof(unsigned long)];
	if (!cpus && !all[0])
		memset(all, 0xff, sizeof(all));
	const unsigned long *mask = cpus ? cpus->bits : all;
	size_t len = cpus ? cpus->nwords * sizeof(unsigned long) : sizeof(all);
	if (syscall(SYS_sched_setaffinity, 0, len, mask) < 0)
		return oerr_set(e, errno, "%s: sched_setaffinity", what);
	return 0;
}

int procattr_get_affinity(struct idset *out, struct oerr *e)
{
	size_t nwords = AFFINITY_BYTES / sizeof(unsigned long);
	unsigned long *bits = calloc(nwords, sizeof(*bits));
	if (!bits)
		return oerr_setx(e, ENOMEM, "CPU affinity");
	/* The raw syscall returns the bytes it wrote; the rest stays zero. */
	if (syscall(SYS_sched_getaffinity, 0, nwords * sizeof(*bits), bits) < 0) {
		free(bits);
		return oerr_set(e, errno, "sched_getaffinity");
	}
	*out = (struct idset){ .bits = bits, .nwords = nwords, .end = SPEC_MAX_CPU + 1 };
	return 0;
}

int procattr_chdir(const struct spec_process *p, bool allow_eacces, bool verify, struct oerr *e)
{
	if (chdir(p->cwd) < 0) {
		if (allow_eacces && errno == EACCES)
			return 1;
		return oerr_set(e, errno, "chdir to cwd (\"%s\") set in config.json", p->cwd);
	}
	if (!verify)
		return 0;
	/* The kernel's getcwd prefixes "(unreachable)" to a directory outside
	 * our root; glibc's wrapper would only say ENOENT. */
	char buf[PATH_MAX];
	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0)
		return oerr_set(e, errno, "process.cwd \"%s\": getcwd", p->cwd);
	if (buf[0] != '/')
		return oerr_setx(e, EPERM, "process.cwd \"%s\": is outside the container's root "
				 "(permission denied)", p->cwd);
	return 0;
}

int procattr_make_cwd(const struct spec_process *p, struct oerr *e)
{
	if (!strcmp(p->cwd, "/"))
		return 0;	/* the root is there */
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return oerr_set(e, errno, "process.cwd \"%s\": open /", p->cwd);
	struct oerr probe = { 0 };
	int fd = pathres_open(root, p->cwd, 0, &probe);
	/* Only what is missing is made; whatever else is wrong with the path
	 * (a magic link out of the root, a file) is for the chdir to refuse. */
	if (fd != -ENOENT) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* 0755 whatever the runtime's umask, as runc's MkdirAll. */
	mode_t old = umask(022);
	fd = pathres_open(root, p->cwd, PATHRES_MKDIR, e);
	umask(old);
	if (fd < 0)
		return oerr_wrap(e, "process.cwd");
	close(fd);
	return 0;
}

int procattr_become(const struct spec_process *p, bool cwd_deferred, char *exe, size_t exelen,
		    struct oerr *e)
{
	int ret;
	if ((ret = caps_drop_bounding(p, e)) < 0 || (ret = user_switch(p, e)) < 0 ||
	    (ret = caps_apply(p, e)) < 0)
		return ret;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return oerr_set(e, errno, "set no_new_privs");
	/* Once entered, the cwd is never entered again: the user may have no
	 * search permission on it (uid 1000 in /root, mode 0700), as in runc. */
	if (cwd_deferred && (ret = procattr_chdir(p, false, true, e)) < 0)
		return ret;
	return execpath_resolve(p, exe, exelen, e);
}

/* The signals with a handler or ignored, from /proc/self/status (SigCgt and
 * SigIgn: one read instead of a call per signal); false when it cannot be
 * read there, or is not procfs's. */
static bool signals_not_default(uint64_t *mask)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct statfs sf;
	size_t len = 0;
	ssize_t n = 0;
	if (fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC)
		while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
			len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	const char *ign = strstr(buf, "\nSigIgn:\t"), *cgt = strstr(buf, "\nSigCgt:\t");
	if (n < 0 || !ign || !cgt)
		return false;
	char *end1, *end2;
	uint64_t i = strtoull(ign + 9, &end1, 16), c = strtoull(cgt + 9, &end2, 16);
	if (*end1 != '\n' || *end2 != '\n')
		return false;
	*mask = i | c;
	return true;
}

void procattr_reset_signals(void)
{
	uint64_t mask = UINT64_MAX;
	if (!signals_not_default(&mask))
		mask = UINT64_MAX;
	for (int sig = 1; sig < NSIG && sig <= 64; sig++)
		if ((mask & (UINT64_C(1) << (sig - 1))) && sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	/* unblocked only now: a handler of the runtime's cannot run here */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
