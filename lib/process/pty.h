/* The container's terminal (process.terminal): a pty made inside the container,
 * its master handed to whoever listens on the console socket. */
#pragma once
#include "base/err.h"
#include "oci/spec.h"

/* In the container after pivot_root: make the pty, send its master over
 * console_sock, and make the slave the controlling terminal and stdio. */
int terminal_setup_init(int console_sock, const struct spec_process *p, struct oerr *e);
/* Runtime side: receive the master sent by terminal_setup_init. */
int terminal_recv_master(int sock, int *master, struct oerr *e);
