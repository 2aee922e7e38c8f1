/* clone3(2) with a function to run in the child, on the stack the clone
 * args give: what CLONE_VM needs (the child must not return into frames it
 * shares with its parent), as glibc's clone() does for clone(2), which has
 * no CLONE_INTO_CGROUP. */
#pragma once
#include <stddef.h>
#include <linux/sched.h>

/* The child runs fn(arg) on ca->stack (ca->stack_size bytes, the top
 * 16-byte aligned) and exits with its return value. Returns the child's pid
 * in the parent, or -errno; -ENOSYS on an architecture without an
 * implementation (x86_64 only for now). */
long clone3_run(struct clone_args *ca, size_t size, int (*fn)(void *), void *arg);
