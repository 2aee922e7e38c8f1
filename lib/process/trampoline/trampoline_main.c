/* The last step into a container's process, run by the kernel from a sealed
 * memfd (see lib/process/trampoline.c). It is built without libc: a few hundred bytes
 * that only execve their argv[2] with argv[3...]. argv[1] is the runtime's
 * sync socket (or -1), closed by that execve or told why it failed.
 *
 * Why: until this execve the container's process is the runtime's own image,
 * so /proc/self/exe inside the container names the runtime's binary on the
 * host. A rootfs whose entry point is "#!/proc/self/exe" would have the kernel
 * run that binary as a container process, open to the container, which can
 * then hold it open and write to it once it stops running (CVE-2019-5736).
 * From here on /proc/self/exe is this memfd: sealed, and nothing on the host. */
#include <stddef.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include "lib/container/sync.h"
#include "lib/process/trampoline/trampoline_mark.h"

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
	"\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall trampoline_main\n\thlt\n");

static long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n\tmov x0, sp\n\tbl trampoline_main\n\tbrk #0\n");

static long sys3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}
#else
#error "no trampoline for this architecture (meson builds it only where there is one)"
#endif

static size_t len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys3(SYS_write, 2, (long)s, (long)len(s));
}

static __attribute__((noreturn)) void leave(int status)
{
	for (;;)
		sys3(SYS_exit_group, status, 0, 0);
}

/* Runtime errors in the words runc uses, which engines match on. */
static const char *errno_words(long err)
{
	switch (err) {
	case 1: return "operation not permitted";
	case 2: return "no such file or directory";
	case 7: return "argument list too long";
	case 8: return "exec format error";
	case 12: return "cannot allocate memory";
	case 13: return "permission denied";
	case 20: return "not a directory";
	case 21: return "is a directory";
	case 26: return "text file busy";
	case 40: return "too many levels of symbolic links";
	default: return "exec failed";
	}
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static long parse_fd(const char *s)
{
	long v = 0;
	if (*s == '-')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return *s ? -1 : v;
}

static char *append(char *p, char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

_Static_assert(offsetof(struct sync_msg, data) == 2 * sizeof(int32_t), "sync_msg header");

/* One SYNC_ERROR datagram, as sync_send makes it. */
static void report(long fd, long err, const char *what)
{
	union {
		struct sync_msg_header {
			int32_t type, val;
		} h;
		char bytes[1024];
	} m;
	m.h.type = SYNC_ERROR;
	m.h.val = (int32_t)err;
	char *p = m.bytes + sizeof(m.h), *end = m.bytes + sizeof(m.bytes) - 1;
	p = append(p, end, "exec: \"");
	p = append(p, end, what);
	p = append(p, end, "\": ");
	p = append(p, end, errno_words(err));
	*p++ = '\0';
	sys3(SYS_write, fd, (long)m.bytes, p - m.bytes);
}

__attribute__((used, noreturn)) void trampoline_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	/* Anything else is the container trying to run us: "#!/proc/self/exe" */
	if (argc < 4 || !same(argv[0], TRAMPOLINE_MARK)) {
		say("ocirt: the runtime cannot be run as a container's process\n");
		leave(127);
	}
	long fd = parse_fd(argv[1]);
	long r = fd >= 0 ? sys3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC) : 0;
	if (r == 0)
		r = sys3(SYS_execve, (long)argv[2], (long)(argv + 3), (long)envp);
	if (fd >= 0) {
		report(fd, -r, argv[3]);
		leave(255);
	}
	say("ocirt: exec: \"");
	say(argv[3]);
	say("\": ");
	say(errno_words(-r));
	say("\n");
	leave(127);
}
