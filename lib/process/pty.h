/* The container's terminal (process.terminal): a pty made inside the container,
 * its master handed to whoever listens on the console socket. */
#pragma once
#include <stdbool.h>
#include "base/err.h"
#include "oci/spec.h"

/* In the container after pivot_root, as root: make the pty, give the slave
 * to process.user.uid, send the master over console_sock, and make the
 * slave the controlling terminal and stdio of a new session. relayed_here:
 * console_sock leads back to this runtime, which copies the terminal to its
 * own stdout (run or exec in the foreground): ONLCR is cleared, as runc
 * does for the terminals it relays; one from --console-socket is left as
 * the kernel makes it, for its receiver to set. */
int terminal_setup_init(int console_sock, const struct spec_process *p, bool relayed_here, struct oerr *e);
/* Runtime side: receive the master sent by terminal_setup_init. */
int terminal_recv_master(int sock, int *master, struct oerr *e);
