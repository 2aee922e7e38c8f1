/* Unit tests for lib/seccomp/seccomp.h and lib/hooks/hooks.h (TAP). Seccomp filters are
 * loaded in forked children; hooks are /bin/sh scripts. */
#include "lib/hooks/hooks.h"
#include "lib/seccomp/seccomp.h"
#include "base/util.h"
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include "tap.h"

static char tmpdir[] = "/tmp/ocirt-test-seccomp-XXXXXX";


#define CHECK(name, cond, ...) do {					\
	char *why_ = NULL;						\
	if (asprintf(&why_, __VA_ARGS__) < 0)				\
		why_ = NULL;						\
	report((cond), (name), why_);					\
	free(why_);							\
} while (0)

/* ---- seccomp helpers ---- */

typedef int (*child_fn)(const struct spec_seccomp *sc);

/* Fork; the child sets no_new_privs, applies sc and returns fn's value as
 * its exit status (100 + errno when seccomp_apply failed). stderr of the
 * child goes to err_out when given. */
static int run_child(const struct spec_seccomp *sc, child_fn fn, int *status, char *err_out, size_t err_len)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		dup2(p[1], 2);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(99);
		int nfd = -1;
		struct oerr e = { 0 };
		if (seccomp_apply(sc, &nfd, &e) < 0) {
			dprintf(2, "%s\n", e.msg);
			_exit(100 + e.code);
		}
		_exit(fn(sc));
	}
	close(p[1]);
	size_t got = 0;
	ssize_t n;
	while (err_out && got + 1 < err_len && (n = read(p[0], err_out + got, err_len - 1 - got)) > 0)
		got += (size_t)n;
	if (err_out)
		err_out[got] = '\0';
	close(p[0]);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static const char *status_str(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "signal %d", WTERMSIG(st));
	else
		snprintf(buf, len, "status 0x%x", st);
	return buf;
}

static bool exited(int st, int code) { return WIFEXITED(st) && WEXITSTATUS(st) == code; }

/* 0 when `call` failed with errno `want`. */
#define EXPECT_ERRNO(call, want) ((call) == -1 && errno == (want) ? 0 : 1)

static int getcwd_size(size_t size)
{
	static char buf[4096 + 64];
	return (int)syscall(SYS_getcwd, buf, size);
}

static int child_getcwd_enotsup(const struct spec_seccomp *sc)
{
	if (EXPECT_ERRNO(getcwd_size(4096), ENOTSUP))
		return 1;
	return syscall(SYS_getppid) > 0 ? 0 : 2;
}

static int child_getcwd_eperm(const struct spec_seccomp *sc)
{
	return EXPECT_ERRNO(getcwd_size(4096), EPERM);
}

static int child_personality(const struct spec_seccomp *sc)
{
	if (syscall(SYS_personality, 0xffffffffUL) < 0)
		return 1;
	if (EXPECT_ERRNO(syscall(SYS_personality, 8UL), EPERM))
		return 2;
	return 0;
}

static int child_masked(const struct spec_seccomp *sc)
{
	if (EXPECT_ERRNO(getcwd_size(0x1005), EPERM))
		return 1;
	if (getcwd_size(0x1000) < 0)
		return 2;
	return 0;
}

static int child_same_index(const struct spec_seccomp *sc)
{
	/* getcwd size 100 or 200 denied (two rules), 300 allowed. */
	if (chdir("/") < 0)
		return 9;
	if (EXPECT_ERRNO(getcwd_size(100), EPERM) || EXPECT_ERRNO(getcwd_size(200), EPERM))
		return 1;
	return getcwd_size(300) > 0 ? 0 : 2;
}

static int child_two_args(const struct spec_seccomp *sc)
{
	/* Denied only when size >= 100 AND buf != NULL. */
	if (chdir("/") < 0)
		return 9;
	if (EXPECT_ERRNO(getcwd_size(200), EPERM))
		return 1;
	if (getcwd_size(50) < 0)
		return 2;
	if (EXPECT_ERRNO(syscall(SYS_getcwd, NULL, 200), EFAULT))
		return 3;
	return 0;
}

static int child_getppid(const struct spec_seccomp *sc)
{
	return syscall(SYS_getppid) > 0 ? 0 : 1;
}

static int child_getppid_enosys(const struct spec_seccomp *sc)
{
	return EXPECT_ERRNO(syscall(SYS_getppid), ENOSYS);
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	_exit(sig == SIGSYS && si->si_code == 1 /* SYS_SECCOMP */ && si->si_syscall == SYS_getppid ? 42 : 43);
}

static int child_trap(const struct spec_seccomp *sc)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigaction(SIGSYS, &sa, NULL);
	syscall(SYS_getppid);
	return 1;
}

static int child_default_errno(const struct spec_seccomp *sc)
{
	if (EXPECT_ERRNO(getcwd_size(4096), ENOTSUP))
		return 1;
	struct utsname { char b[6 * 65]; } u;
	if (EXPECT_ERRNO(syscall(SYS_uname, &u), ENOTSUP))
		return 2;
	return 0;
}

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

/* clone3 and faccessat2 are newer than anything the profile names: ENOSYS;
 * uname is older and unnamed: the default action's EPERM. */
static int child_newer_enosys(const struct spec_seccomp *sc)
{
	if (EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), ENOSYS))
		return 1;
	if (EXPECT_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "/", 0, 0), ENOSYS))
		return 2;
	struct utsname { char b[6 * 65]; } u;
	if (EXPECT_ERRNO(syscall(SYS_uname, &u), EPERM))
		return 3;
	return 0;
}

static int child_clone3_enosys(const struct spec_seccomp *sc)
{
	return EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), ENOSYS);
}

/* The profile names faccessat2: clone3 is older, so it gets the default. */
static int child_older_default(const struct spec_seccomp *sc)
{
	if (EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), EPERM))
		return 1;
	return syscall(SYS_faccessat2, AT_FDCWD, "/", 0, 0) == 0 ? 0 : 2;
}

#define NAMES(...) ((char *[]){ __VA_ARGS__, NULL })

/* What a child needs to report and exit once the filter is loaded. */
#define CHILD_NEEDS "exit_group", "exit", "rt_sigreturn", "write", "read", "close", "brk", "mmap", \
	"munmap", "mremap", "madvise", "mprotect", "futex", "getpid", "gettid", "tgkill",        \
	"rt_sigprocmask", "rt_sigaction", "sigaltstack", "prctl"
#define N_CHILD_NEEDS 20

static void test_seccomp_enosys(void)
{
	char st[64], err[4096];
	int status;
	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ALLOW" };
		sy.names = NAMES(CHILD_NEEDS), sy.n_names = N_CHILD_NEEDS;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ERRNO", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_newer_enosys, &status, err, sizeof(err));
		CHECK("default ERRNO: syscalls newer than every named one get ENOSYS, older ones the default",
		      r == 0 && exited(status, 0), "%s: %s", status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ALLOW" };
		sy.names = NAMES(CHILD_NEEDS), sy.n_names = N_CHILD_NEEDS;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_KILL_PROCESS", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_clone3_enosys, &status, err, sizeof(err));
		CHECK("default KILL_PROCESS: a newer syscall gets ENOSYS instead", r == 0 && exited(status, 0),
		      "%s: %s", status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ALLOW" };
		sy.names = NAMES(CHILD_NEEDS), sy.n_names = N_CHILD_NEEDS;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ERRNO", .syscalls = &sy, .n_syscalls = 1,
					   .architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32") };
		sc.n_architectures = 3;
		int r = run_child(&sc, child_newer_enosys, &status, err, sizeof(err));
		CHECK("the same with x86, x32 and x86_64 in the filter", r == 0 && exited(status, 0), "%s: %s",
		      status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ALLOW" };
		sy.names = NAMES(CHILD_NEEDS, "faccessat2"), sy.n_names = N_CHILD_NEEDS + 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ERRNO", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_older_default, &status, err, sizeof(err));
		CHECK("a syscall older than a named one keeps the default action", r == 0 && exited(status, 0),
		      "%s: %s", status_str(status, st, 64), err);
	}
}

static void test_seccomp_actions(void)
{
	char st[64], err[4096];
	int status;

	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ERRNO", .has_errno_ret = true,
						   .errno_ret = ENOTSUP };
		sy.names = NAMES("getcwd"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_getcwd_enotsup, &status, err, sizeof(err));
		CHECK("errno action with errnoRet", r == 0 && exited(status, 0), "%s: %s", status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ERRNO" };
		sy.names = NAMES("getcwd"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_getcwd_eperm, &status, err, sizeof(err));
		CHECK("errno action defaults to EPERM", r == 0 && exited(status, 0), "%s: %s", status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_arg a = { .index = 0, .value = 0xffffffffUL, .op = "SCMP_CMP_NE" };
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ERRNO", .args = &a, .n_args = 1 };
		sy.names = NAMES("personality"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_personality, &status, err, sizeof(err));
		CHECK("arg filter: personality(0xffffffff) allowed, personality(8) denied", r == 0 && exited(status, 0),
		      "%s: %s", status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_arg a = { .index = 1, .value = 0xf, .value_two = 0x5, .op = "SCMP_CMP_MASKED_EQ" };
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ERRNO", .args = &a, .n_args = 1 };
		sy.names = NAMES("getcwd"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_masked, &status, err, sizeof(err));
		CHECK("arg filter: SCMP_CMP_MASKED_EQ (value = mask, valueTwo = datum)", r == 0 && exited(status, 0),
		      "%s: %s", status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_arg a[] = { { .index = 1, .value = 100, .op = "SCMP_CMP_EQ" },
						{ .index = 1, .value = 200, .op = "SCMP_CMP_EQ" } };
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ERRNO", .args = a, .n_args = 2 };
		sy.names = NAMES("getcwd"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_same_index, &status, err, sizeof(err));
		CHECK("arg filter: same index twice gives one rule per condition", r == 0 && exited(status, 0),
		      "%s: %s", status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_arg a[] = { { .index = 1, .value = 100, .op = "SCMP_CMP_GE" },
						{ .index = 0, .value = 0, .op = "SCMP_CMP_NE" } };
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ERRNO", .args = a, .n_args = 2 };
		sy.names = NAMES("getcwd"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_two_args, &status, err, sizeof(err));
		CHECK("arg filter: different indexes are ANDed", r == 0 && exited(status, 0), "%s: %s",
		      status_str(status, st, 64), err);
	}
	static const struct { const char *action, *name; } kills[] = {
		{ "SCMP_ACT_KILL_PROCESS", "kill_process: child dies of SIGSYS" },
		{ "SCMP_ACT_KILL_THREAD", "kill_thread: child dies of SIGSYS" },
		{ "SCMP_ACT_KILL", "kill: child dies of SIGSYS" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kills); i++) {
		struct spec_seccomp_syscall sy = { .action = (char *)kills[i].action };
		sy.names = NAMES("getppid"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_getppid, &status, err, sizeof(err));
		CHECK(kills[i].name, r == 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "%s: %s",
		      status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_TRAP" };
		sy.names = NAMES("getppid"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_trap, &status, err, sizeof(err));
		CHECK("trap: SIGSYS with si_syscall", r == 0 && exited(status, 42), "%s: %s", status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_LOG" };
		sy.names = NAMES("getppid"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1,
					   .flags = NAMES("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC",
							  "SECCOMP_FILTER_FLAG_SPEC_ALLOW") };
		sc.n_flags = 3;
		int r = run_child(&sc, child_getppid, &status, err, sizeof(err));
		CHECK("log action and flags LOG, TSYNC, SPEC_ALLOW: syscall runs", r == 0 && exited(status, 0), "%s: %s",
		      status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_TRACE", .has_errno_ret = true, .errno_ret = 7 };
		sy.names = NAMES("getppid"), sy.n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1 };
		int r = run_child(&sc, child_getppid_enosys, &status, err, sizeof(err));
		CHECK("trace without a tracer: ENOSYS", r == 0 && exited(status, 0), "%s: %s", status_str(status, st, 64), err);
	}
	{
		/* Default ERRNO(ENOTSUP); what the child needs to finish is allowed.
		 * The SCMP_ACT_ERRNO rule with ENOTSUP equals the default: skipped. */
		struct spec_seccomp_syscall sy[2] = {
			{ .action = "SCMP_ACT_ALLOW" },
			{ .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = ENOTSUP },
		};
		sy[0].names = NAMES("exit_group", "exit", "rt_sigreturn", "write", "read", "close", "brk", "mmap",
				    "munmap", "mremap", "madvise", "mprotect", "futex", "getpid", "gettid", "tgkill",
				    "rt_sigprocmask", "rt_sigaction", "sigaltstack", "prctl");
		sy[0].n_names = 20;
		sy[1].names = NAMES("getcwd"), sy[1].n_names = 1;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ERRNO", .has_default_errno_ret = true,
					   .default_errno_ret = ENOTSUP, .syscalls = sy, .n_syscalls = 2 };
		int r = run_child(&sc, child_default_errno, &status, err, sizeof(err));
		CHECK("defaultErrnoRet, rule equal to the default skipped", r == 0 && exited(status, 0), "%s: %s",
		      status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_syscall sy[2] = { { .action = "SCMP_ACT_ALLOW" }, { .action = "SCMP_ACT_ERRNO" } };
		sy[0].names = NAMES("getcwd"), sy[0].n_names = 1;
		sy[1].names = NAMES("ocirt_no_such_syscall", "getcwd"), sy[1].n_names = 2;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sy, .n_syscalls = 2 };
		int r = run_child(&sc, child_getcwd_eperm, &status, err, sizeof(err));
		CHECK("unknown syscall skipped with a warning, ALLOW rule = default skipped",
		      r == 0 && exited(status, 0) &&
		      strstr(err, "warning: seccomp: unknown syscall \"ocirt_no_such_syscall\"\n"),
		      "%s: stderr: %s", status_str(status, st, 64), err);
	}
	{
		struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = ENOTSUP };
		sy.names = NAMES("getcwd", "socketcall", "ipc"), sy.n_names = 3;
		struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1,
					   .architectures = NAMES("SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_X86_64",
								  "SCMP_ARCH_AARCH64") };
		sc.n_architectures = 4;
		int r = run_child(&sc, child_getcwd_enotsup, &status, err, sizeof(err));
		CHECK("architectures added (native kept)", r == 0 && exited(status, 0), "%s: %s",
		      status_str(status, st, 64), err);
	}
}

/* Configurations that must be refused before anything is loaded. */
static void test_seccomp_errors(void)
{
	struct spec_seccomp_arg bad_op = { .index = 0, .value = 1, .op = "SCMP_CMP_FOO" };
	struct spec_seccomp_arg bad_idx = { .index = 6, .value = 1, .op = "SCMP_CMP_EQ" };
	struct spec_seccomp_syscall allow_errno = { .action = "SCMP_ACT_ALLOW", .has_errno_ret = true, .errno_ret = 1 };
	struct spec_seccomp_syscall bad_action = { .action = "SCMP_ACT_FOO" };
	struct spec_seccomp_syscall op_rule = { .action = "SCMP_ACT_ERRNO", .args = &bad_op, .n_args = 1 };
	struct spec_seccomp_syscall idx_rule = { .action = "SCMP_ACT_ERRNO", .args = &bad_idx, .n_args = 1 };
	allow_errno.names = bad_action.names = op_rule.names = idx_rule.names = NAMES("getcwd");
	allow_errno.n_names = bad_action.n_names = op_rule.n_names = idx_rule.n_names = 1;

	static const char *const arch_bad[] = { "SCMP_ARCH_NOPE", NULL };
	static const char *const flag_bad[] = { "SECCOMP_FILTER_FLAG_NOPE", NULL };
	struct {
		const char *name;
		struct spec_seccomp sc;
		const char *msg;
	} cases[] = {
		{ "errnoRet on an action without errno", { .default_action = "SCMP_ACT_ALLOW", .syscalls = &allow_errno, .n_syscalls = 1 },
		  "seccomp: syscalls[0].action: SCMP_ACT_ALLOW does not take an errno return value" },
		{ "defaultErrnoRet on SCMP_ACT_KILL", { .default_action = "SCMP_ACT_KILL", .has_default_errno_ret = true, .default_errno_ret = 1 },
		  "seccomp: defaultAction: SCMP_ACT_KILL does not take an errno return value" },
		{ "unknown default action", { .default_action = "SCMP_ACT_NOPE" },
		  "seccomp: defaultAction: unknown action \"SCMP_ACT_NOPE\"" },
		{ "unknown rule action", { .default_action = "SCMP_ACT_ALLOW", .syscalls = &bad_action, .n_syscalls = 1 },
		  "seccomp: syscalls[0].action: unknown action \"SCMP_ACT_FOO\"" },
		{ "SCMP_ACT_NOTIFY as default", { .default_action = "SCMP_ACT_NOTIFY" },
		  "seccomp: defaultAction: SCMP_ACT_NOTIFY cannot be the default action" },
		{ "unknown operator", { .default_action = "SCMP_ACT_ALLOW", .syscalls = &op_rule, .n_syscalls = 1 },
		  "seccomp: syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\"" },
		{ "argument index 6", { .default_action = "SCMP_ACT_ALLOW", .syscalls = &idx_rule, .n_syscalls = 1 },
		  "seccomp: syscalls[0].args[0].index: 6 is not below 6" },
		{ "unknown architecture", { .default_action = "SCMP_ACT_ALLOW", .architectures = (char **)arch_bad, .n_architectures = 1 },
		  "seccomp: architecture SCMP_ARCH_NOPE is not supported by libseccomp" },
		{ "unknown flag", { .default_action = "SCMP_ACT_ALLOW", .flags = (char **)flag_bad, .n_flags = 1 },
		  "seccomp: unknown flag \"SECCOMP_FILTER_FLAG_NOPE\"" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct oerr e = { 0 };
		int fd = 7;
		int r = seccomp_apply(&cases[i].sc, &fd, &e);
		char name[128];
		snprintf(name, sizeof(name), "refused: %s", cases[i].name);
		CHECK(name, r < 0 && fd == -1 && strncmp(e.msg, cases[i].msg, strlen(cases[i].msg)) == 0,
		      "r=%d fd=%d msg=%s", r, fd, e.msg);
	}
}

/* ---- notify ---- */

/* Receive one connection on lfd: payload into buf, passed fd into *fd. */
static int agent_accept(int lfd, char *buf, size_t len, int *fd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, 10000) != 1)
		return -ETIMEDOUT;
	_cleanup_close_ int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return -errno;
	union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(fd, CMSG_DATA(cm), sizeof(int));
	size_t got = (size_t)n;
	while (got + 1 < len && (n = read(c, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return 0;
}

/* The child: load a NOTIFY rule for getppid, send the fd to the agent, then
 * call getppid, which the agent answers with 4242. */
static void notify_child(const struct spec_seccomp *sc, const char *state)
{
	struct rlimit nocore = { 0, 0 };
	setrlimit(RLIMIT_CORE, &nocore);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(99);
	int nfd = -1;
	struct oerr e = { 0 };
	if (seccomp_apply(sc, &nfd, &e) < 0) {
		fprintf(stderr, "# child: %s\n", e.msg);
		_exit(100);
	}
	if (nfd < 0)
		_exit(101);
	if (seccomp_send_listener(sc, nfd, state, &e) < 0) {
		fprintf(stderr, "# child: %s\n", e.msg);
		_exit(102);
	}
	close(nfd);
	_exit(syscall(SYS_getppid) == 4242 ? 0 : 103);
}

static void test_notify_one(const char *name, char **flags, size_t n_flags, const char *state, bool full_state)
{
	char path[256], buf[8192] = "";
	snprintf(path, sizeof(path), "%s/agent.sock", tmpdir);
	unlink(path);
	struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_NOTIFY" };
	sy.names = NAMES("getppid"), sy.n_names = 1;
	struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1,
				   .listener_path = path, .listener_metadata = "meta=1", .flags = flags,
				   .n_flags = n_flags };

	_cleanup_close_ int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		CHECK(name, false, "socket path too long: %s", path);
		return;
	}
	strcpy(sa.sun_path, path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0) {
		CHECK(name, false, "listen on %s: %s", path, strerror(errno));
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		notify_child(&sc, state);

	int nfd = -1, st = 0;
	const char *fail = NULL;
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	int r = agent_accept(lfd, buf, sizeof(buf), &nfd);
	json_t *j = r == 0 ? json_loads(buf, 0, NULL) : NULL;
	if (r < 0) {
		fail = "no connection with an fd";
	} else if (!j || !json_is_string(json_object_get(j, "ociVersion")) ||
		   !json_is_integer(json_object_get(j, "pid")) ||
		   strcmp(json_string_value(json_object_get(j, "metadata")) ?: "", "meta=1") != 0 ||
		   strcmp(json_string_value(json_array_get(json_object_get(j, "fds"), 0)) ?: "", "seccompFd") != 0 ||
		   strcmp(json_string_value(json_object_get(json_object_get(j, "state"), "id")) ?: "", "c1") != 0 ||
		   json_array_size(json_object_get(j, "fds")) != 1) {
		fail = "bad payload";
	} else if (!full_state && json_integer_value(json_object_get(j, "pid")) != 4422) {
		fail = "pid not taken from the state";
	} else if (seccomp_notify_alloc(&req, &resp) < 0) {
		fail = "seccomp_notify_alloc";
	} else {
		struct pollfd p = { .fd = nfd, .events = POLLIN };
		if (poll(&p, 1, 10000) != 1 || seccomp_notify_receive(nfd, req) < 0) {
			fail = "no notification";
		} else if (req->data.nr != SYS_getppid) {
			fail = "notification for the wrong syscall";
		} else {
			resp->id = req->id;
			resp->val = 4242;
			resp->error = 0;
			resp->flags = 0;
			if (seccomp_notify_respond(nfd, resp) < 0)
				fail = "seccomp_notify_respond";
		}
	}
	if (fail)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	char s[64];
	CHECK(name, !fail && exited(st, 0), "%s; child %s; payload %s", fail ? fail : "", status_str(st, s, 64), buf);
	if (j)
		json_decref(j);
	seccomp_notify_free(req, resp);
	if (nfd >= 0)
		close(nfd);
}

static void test_notify(void)
{
	const char *state = "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":4422,"
			    "\"bundle\":\"/b\"}";
	char full[512];
	snprintf(full, sizeof(full), "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"state\":%s}",
		 (int)getpid(), state);
	if (seccomp_api_get() < 6) {
		printf("ok %d - notify # SKIP libseccomp API level %u < 6\n", ++n_test, seccomp_api_get());
		return;
	}
	test_notify_one("notify: listener fd sent to listenerPath, agent answers (state wrapped)", NULL, 0, state, false);
	test_notify_one("notify: full process state passed through, metadata added", NULL, 0, full, true);
	test_notify_one("notify with SECCOMP_FILTER_FLAG_TSYNC", NAMES("SECCOMP_FILTER_FLAG_TSYNC"), 1, state, false);
	test_notify_one("notify with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV and TSYNC",
			NAMES("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC"), 2, state, false);

	/* WAIT_KILLABLE_RECV without a NOTIFY rule: accepted, no listener. */
	struct spec_seccomp_syscall sy = { .action = "SCMP_ACT_ERRNO" };
	sy.names = NAMES("getcwd"), sy.n_names = 1;
	struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sy, .n_syscalls = 1,
				   .flags = NAMES("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"), .n_flags = 1 };
	int status;
	char err[1024], s[64];
	int r = run_child(&sc, child_getcwd_eperm, &status, err, sizeof(err));
	CHECK("WAIT_KILLABLE_RECV without a NOTIFY rule is accepted", r == 0 && exited(status, 0), "%s: %s",
	      status_str(status, s, 64), err);

	struct oerr e = { 0 };
	struct spec_seccomp nopath = { .default_action = "SCMP_ACT_ALLOW" };
	r = seccomp_send_listener(&nopath, 0, state, &e);
	CHECK("send_listener without listenerPath fails", r < 0 && strstr(e.msg, "listenerPath"), "%s", e.msg);
	char path[300];
	snprintf(path, sizeof(path), "%s/nobody.sock", tmpdir);
	struct spec_seccomp nolistener = { .default_action = "SCMP_ACT_ALLOW", .listener_path = path };
	r = seccomp_send_listener(&nolistener, 0, state, &e);
	CHECK("send_listener to a missing socket fails", r < 0 && strstr(e.msg, ": connect: no such file or directory"),
	      "%s", e.msg);
}

/* ---- hooks ---- */

static bool file_equals(const char *path, const char *want, char *got_out, size_t got_len)
{
	_cleanup_free_ char *got = NULL;
	struct oerr e;
	if (read_file_at(AT_FDCWD, path, &got, NULL, &e) < 0) {
		snprintf(got_out, got_len, "%.200s", e.msg);
		return false;
	}
	snprintf(got_out, got_len, "%.200s", got);
	return strcmp(got, want) == 0;
}

static int run_hooks(struct spec_hook *h, size_t n, enum hook_phase phase, const char *state, struct oerr *e)
{
	struct spec s = { 0 };
	switch (phase) {
	case HOOK_PRESTART: s.hooks.prestart = h, s.hooks.n_prestart = n; break;
	case HOOK_CREATE_RUNTIME: s.hooks.create_runtime = h, s.hooks.n_create_runtime = n; break;
	case HOOK_CREATE_CONTAINER: s.hooks.create_container = h, s.hooks.n_create_container = n; break;
	case HOOK_START_CONTAINER: s.hooks.start_container = h, s.hooks.n_start_container = n; break;
	case HOOK_POSTSTART: s.hooks.poststart = h, s.hooks.n_poststart = n; break;
	case HOOK_POSTSTOP: s.hooks.poststop = h, s.hooks.n_poststop = n; break;
	}
	memset(e, 0, sizeof(*e));
	return hooks_run(&s, phase, state, e);
}

static struct spec_hook sh_hook(const char *script, char **env)
{
	char **args = calloc(6, sizeof(char *));	/* room for 2 more args */
	args[0] = strdup("sh");
	args[1] = strdup("-c");
	args[2] = strdup(script);
	struct spec_hook h = { .path = "/bin/sh", .args = args, .n_args = 3, .env = env };
	for (h.n_env = 0; env && env[h.n_env]; h.n_env++)
		;
	return h;
}

static void free_hook(struct spec_hook *h)
{
	strvfreep(&h->args);
}

static char *big_state(size_t size)
{
	char *s = malloc(size + 1);
	for (size_t i = 0; i < size; i++)
		s[i] = (char)('a' + i % 26);
	s[size] = '\0';
	memcpy(s, "{\"x\":\"", 6);
	memcpy(s + size - 2, "\"}", 2);
	return s;
}

static void test_hooks(void)
{
	static const char *names[] = { "prestart", "createRuntime", "createContainer", "startContainer",
				       "poststart", "poststop" };
	bool names_ok = true;
	for (int p = HOOK_PRESTART; p <= HOOK_POSTSTOP; p++)
		names_ok &= strcmp(hook_phase_name((enum hook_phase)p), names[p]) == 0;
	CHECK("hook_phase_name", names_ok, "mismatch");

	struct oerr e;
	char got[512], path[300], script[1024];
	int r;

	{
		struct spec s = { 0 };
		r = hooks_run(&s, HOOK_POSTSTOP, "{}", &e);
		CHECK("no hooks: nothing to do", r == 0, "r=%d", r);
	}
	{
		setenv("OCIRT_TEST_LEAK", "1", 1);
		snprintf(path, sizeof(path), "%s/args", tmpdir);
		char envout[320];
		snprintf(envout, sizeof(envout), "OUT=%s", path);
		char *env[] = { "FOO=bar baz", envout, NULL };
		struct spec_hook h = sh_hook("printf '%s|%s|%s' \"$0\" \"$1\" \"$FOO\" > \"$OUT\"; env > \"$OUT.env\"", env);
		h.args[3] = strdup("myname");
		h.args[4] = strdup("first");
		h.n_args = 5;
		r = run_hooks(&h, 1, HOOK_CREATE_RUNTIME, "{}", &e);
		bool ok = r == 0 && file_equals(path, "myname|first|bar baz", got, sizeof(got));
		CHECK("args and env passed", ok, "r=%d %s got=%s", r, e.msg, got);
		char envpath[320];
		snprintf(envpath, sizeof(envpath), "%s.env", path);
		_cleanup_free_ char *envtxt = NULL;
		ok = read_file_at(AT_FDCWD, envpath, &envtxt, NULL, &e) == 0 && strstr(envtxt, "FOO=bar baz\n") &&
		     !strstr(envtxt, "OCIRT_TEST_LEAK");
		CHECK("env is exactly the hook's env", ok, "env: %s", envtxt ? envtxt : e.msg);
		free_hook(&h);
	}
	{
		snprintf(path, sizeof(path), "%s/argv0.sh", tmpdir);
		char out[320];
		snprintf(out, sizeof(out), "%s.out", path);
		snprintf(script, sizeof(script), "#!/bin/sh\nprintf '%%s %%s' \"$0\" \"$#\" > %s\n", out);
		struct oerr we;
		write_file_at(AT_FDCWD, path, script, strlen(script), true, &we);
		chmod(path, 0755);
		struct spec_hook h = { .path = path };
		r = run_hooks(&h, 1, HOOK_POSTSTART, "{}", &e);
		char want[340];
		snprintf(want, sizeof(want), "%s 0", path);
		CHECK("no args: argv = {path}", r == 0 && file_equals(out, want, got, sizeof(got)), "r=%d %s got=%s",
		      r, e.msg, got);
	}
	{
		snprintf(path, sizeof(path), "%s/state", tmpdir);
		char envout[320];
		snprintf(envout, sizeof(envout), "OUT=%s", path);
		char *env[] = { envout, NULL };
		struct spec_hook h = sh_hook("exec cat > \"$OUT\"", env);
		_cleanup_free_ char *state = big_state(300 * 1024);
		r = run_hooks(&h, 1, HOOK_PRESTART, state, &e);
		CHECK("state JSON on stdin (300 KiB, larger than a pipe)", r == 0 && file_equals(path, state, got, sizeof(got)),
		      "r=%d %s", r, e.msg);
		free_hook(&h);
	}
	{
		struct spec_hook h = sh_hook("exit 3", NULL);
		r = run_hooks(&h, 1, HOOK_PRESTART, "{}", &e);
		CHECK("exit status reported", r < 0 && strcmp(e.msg, "prestart hook /bin/sh: exit status 3") == 0,
		      "r=%d %s", r, e.msg);
		signal(SIGCHLD, SIG_IGN);
		r = run_hooks(&h, 1, HOOK_PRESTART, "{}", &e);
		signal(SIGCHLD, SIG_DFL);
		CHECK("exit status reported with SIGCHLD ignored",
		      r < 0 && strcmp(e.msg, "prestart hook /bin/sh: exit status 3") == 0, "r=%d %s", r, e.msg);
		free_hook(&h);
	}
	{
		struct spec_hook h = sh_hook("kill -9 $$", NULL);
		r = run_hooks(&h, 1, HOOK_POSTSTOP, "{}", &e);
		CHECK("death by signal reported", r < 0 && strcmp(e.msg, "poststop hook /bin/sh: killed by signal 9") == 0,
		      "r=%d %s", r, e.msg);
		free_hook(&h);
	}
	{
		struct spec_hook h = sh_hook("exec sleep 20", NULL);
		h.has_timeout = true;
		h.timeout = 1;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = run_hooks(&h, 1, HOOK_POSTSTART, "{}", &e);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		CHECK("timeout kills the hook",
		      r < 0 && strcmp(e.msg, "poststart hook /bin/sh: timed out after 1 seconds") == 0 && el >= 0.9 && el < 5,
		      "r=%d %s elapsed %.2f", r, e.msg, el);
		free_hook(&h);
	}
	{
		/* The runtime keeps SIGPIPE at its default: a write error must not kill us. */
		signal(SIGPIPE, SIG_DFL);
		_cleanup_free_ char *state = big_state(1024 * 1024);
		struct spec_hook h[2] = { sh_hook("exit 0", NULL), sh_hook("sleep 1; exit 0", NULL) };
		r = run_hooks(h, 2, HOOK_CREATE_CONTAINER, state, &e);
		sigset_t pend;
		sigpending(&pend);
		CHECK("hooks that never read a 1 MiB state", r == 0 && !sigismember(&pend, SIGPIPE), "r=%d %s", r, e.msg);
		h[1].has_timeout = true;
		h[1].timeout = 1;
		free(h[1].args[2]);
		h[1].args[2] = strdup("exec sleep 20");
		r = run_hooks(&h[1], 1, HOOK_CREATE_CONTAINER, state, &e);
		CHECK("timeout holds while the state is unread", r < 0 && strstr(e.msg, "timed out after 1 seconds"),
		      "r=%d %s", r, e.msg);
		free_hook(&h[0]);
		free_hook(&h[1]);
	}
	{
		snprintf(path, sizeof(path), "%s/order", tmpdir);
		char envout[320];
		snprintf(envout, sizeof(envout), "OUT=%s", path);
		char *env[] = { envout, NULL };
		struct spec_hook h[3] = { sh_hook("echo one >> \"$OUT\"", env), sh_hook("exit 2", env),
					  sh_hook("echo three >> \"$OUT\"", env) };
		r = run_hooks(h, 3, HOOK_START_CONTAINER, "{}", &e);
		CHECK("hooks run in order, stop at the first failure",
		      r < 0 && strcmp(e.msg, "startContainer hook /bin/sh: exit status 2") == 0 &&
		      file_equals(path, "one\n", got, sizeof(got)), "r=%d %s got=%s", r, e.msg, got);
		for (int i = 0; i < 3; i++)
			free_hook(&h[i]);
	}
	{
		struct spec_hook h = { .path = "/nonexistent/ocirt-hook" };
		r = run_hooks(&h, 1, HOOK_PRESTART, "{}", &e);
		CHECK("exec failure reported",
		      r == -ENOENT && strcmp(e.msg, "prestart hook /nonexistent/ocirt-hook: exec: no such file or directory") == 0,
		      "r=%d %s", r, e.msg);
	}
	{
		int leak = open("/dev/null", O_RDONLY);	/* deliberately without O_CLOEXEC */
		snprintf(script, sizeof(script),
			 "test -e /proc/$$/fd/%d && exit 7; test -p /proc/$$/fd/0 || exit 8; exit 0", leak);
		struct spec_hook h = sh_hook(script, NULL);
		r = run_hooks(&h, 1, HOOK_PRESTART, "{}", &e);
		CHECK("only stdin (a pipe), stdout and stderr reach the hook", r == 0, "r=%d %s", r, e.msg);
		close(leak);
		free_hook(&h);
	}
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb, (void)flag, (void)f;
	return remove(p);
}

/* When the exec trampoline may take its extra execveat under a filter. */
static void test_allows_plainly(void)
{
	char *exe_names[] = { "execve", "execveat" };
	struct spec_seccomp_arg arg = { 0 };
	struct spec_seccomp_syscall allow = { .names = exe_names, .n_names = 2, .action = "SCMP_ACT_ALLOW" };
	struct spec_seccomp_syscall allow_args = allow, log = allow;
	allow_args.args = &arg;
	allow_args.n_args = 1;
	log.action = "SCMP_ACT_LOG";
	struct spec_seccomp sc = { .default_action = "SCMP_ACT_ALLOW" };
	ok(seccomp_allows_plainly(NULL, "execveat"), "allows plainly: no filter", "refused");
	ok(seccomp_allows_plainly(&sc, "execveat"), "allows plainly: default allow", "refused");
	sc.syscalls = &log;
	sc.n_syscalls = 1;
	ok(!seccomp_allows_plainly(&sc, "execveat"), "allows plainly: a LOG rule is seen", "allowed");
	sc.default_action = "SCMP_ACT_ERRNO";
	sc.syscalls = &allow;
	ok(seccomp_allows_plainly(&sc, "execveat"), "allows plainly: an ALLOW rule", "refused");
	ok(!seccomp_allows_plainly(&sc, "openat2"), "allows plainly: other calls get the default", "allowed");
	sc.syscalls = &allow_args;
	ok(!seccomp_allows_plainly(&sc, "execveat"), "allows plainly: ALLOW only with arguments", "allowed");
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_seccomp_actions();
	test_seccomp_enosys();
	test_seccomp_errors();
	test_notify();
	test_hooks();
	test_allows_plainly();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
