#include "base/clone3.h"
#include <errno.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
/* rdi = ca, rsi = size (clone3's own arguments), rdx = fn, rcx = arg. fn and
 * arg wait in r8 and r9, which the syscall leaves alone and the child gets a
 * copy of. The kernel starts the child with its stack pointer at the top of
 * the given stack: 16-byte aligned there, as a call wants it. */
__asm__(".text\n"
	".globl ocirt_clone3_raw\n"
	".type ocirt_clone3_raw, @function\n"
	"ocirt_clone3_raw:\n"
	"\tmov %rdx, %r8\n"
	"\tmov %rcx, %r9\n"
	"\tmov $" "435" ", %eax\n"	/* __NR_clone3 */
	"\tsyscall\n"
	"\ttest %rax, %rax\n"
	"\tjz 1f\n"
	"\tret\n"
	"1:\txor %ebp, %ebp\n"
	"\tmov %r9, %rdi\n"
	"\tcall *%r8\n"
	"\tmov %eax, %edi\n"
	"\tmov $" "231" ", %eax\n"	/* __NR_exit_group */
	"\tsyscall\n"
	"\thlt\n"
	".size ocirt_clone3_raw, .-ocirt_clone3_raw\n");
long ocirt_clone3_raw(struct clone_args *ca, size_t size, int (*fn)(void *), void *arg);

_Static_assert(SYS_clone3 == 435 && SYS_exit_group == 231, "x86_64 syscall numbers");

long clone3_run(struct clone_args *ca, size_t size, int (*fn)(void *), void *arg)
{
	if (!ca->stack || ((ca->stack + ca->stack_size) & 15))
		return -EINVAL;
	return ocirt_clone3_raw(ca, size, fn, arg);
}
#else
long clone3_run(struct clone_args *ca, size_t size, int (*fn)(void *), void *arg)
{
	(void)ca, (void)size, (void)fn, (void)arg;
	return -ENOSYS;
}
#endif
