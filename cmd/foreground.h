/* A process the runtime waits for in the foreground (run, exec without -d):
 * signals are forwarded to it, its pty (if any) is proxied to our stdio. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct foreground {
	int sfd;		/* signalfd of every signal */
	int master;		/* pty master, -1 without a terminal; set by the caller */
	sigset_t old_mask;
};

/* Block all signals into a signalfd and become a child subreaper, so that an
 * init that is our grandchild is still reaped by us. Call before cloning. */
void foreground_begin(struct foreground *f);
/* Wait for pid; returns its exit code, or 128 + the signal that killed it. */
int foreground_wait(struct foreground *f, pid_t pid);
void foreground_end(struct foreground *f);
