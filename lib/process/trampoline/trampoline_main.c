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
#include <stdint.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/prctl.h>
#include <sys/syscall.h>
#include "lib/container/sync.h"
#include "lib/process/trampoline/trampoline_mark.h"

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
	"\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall trampoline_main\n\thlt\n");

static long sys5(long n, long a, long b, long c, long d, long e)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return r;
}
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n\tmov x0, sp\n\tbl trampoline_main\n\tbrk #0\n");

static long sys5(long n, long a, long b, long c, long d, long e)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
	return x0;
}
#else
#error "no trampoline for this architecture (meson builds it only where there is one)"
#endif

static long sys3(long n, long a, long b, long c)
{
	return sys5(n, a, b, c, 0, 0);
}

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

/* A decimal fd ("-1": none); *s is left after it. */
static long parse_fd(const char **s)
{
	long v = 0;
	const char *p = *s;
	if (*p == '-') {
		while (*p && *p != ',')
			p++;
		*s = p;
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	if (p == *s)
		return -1;
	*s = p;
	return v;
}

/* ",HEX" into *v; 0 when malformed. */
static int parse_hex(const char **s, uint64_t *v)
{
	const char *p = *s;
	if (*p++ != ',')
		return 0;
	*v = 0;
	for (;; p++) {
		if (*p >= '0' && *p <= '9')
			*v = *v << 4 | (uint64_t)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			*v = *v << 4 | (uint64_t)(*p - 'a' + 10);
		else
			break;
	}
	*s = p;
	return 1;
}

/* The capability sets the runtime had before its execve of us, which left
 * us only the ambient ones it raised for the purpose (trampoline.c,
 * carry_caps): back to them, so that our execve is checked with them. */
static long restore_caps(uint64_t eff, uint64_t perm, uint64_t inh, uint64_t amb)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
	};
	long r = sys3(SYS_capset, (long)&h, (long)d, 0);
	/* What stays ambient now is what is both permitted and inheritable;
	 * only the runtime's ambient set may. */
	for (long c = 0; r == 0 && c < 64; c++)
		if ((perm & inh & ~amb) & ((uint64_t)1 << c))
			r = sys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, c, 0, 0);
	return r;
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
	const char *a = argv[1];
	long fd = parse_fd(&a);
	long r = 0;
	if (*a) {
		uint64_t eff, perm, inh, amb;
		if (parse_hex(&a, &eff) && parse_hex(&a, &perm) && parse_hex(&a, &inh) && parse_hex(&a, &amb) && !*a)
			r = restore_caps(eff, perm, inh, amb);
		else
			r = -22;	/* EINVAL */
	}
	if (r == 0 && fd >= 0)
		r = sys3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
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
