/* Typed messages between the runtime and the container's init over a
 * SOCK_SEQPACKET socketpair: one message per datagram, so a dead peer reads as EOF. */
#pragma once
#include <stdint.h>
#include "base/err.h"

enum sync_type {
	SYNC_ERROR = 1,		/* child → runtime: data = error text, val = errno */
	SYNC_SETUP_REQ,		/* child → runtime: write id maps, time offsets, oom, move netDevices, for the cloned pid */
	SYNC_SETUP_ACK,		/* runtime → child */
	SYNC_PID,		/* intermediate → runtime: val = init pid (runtime's pid namespace) */
	SYNC_HOOKS_REQ,		/* init → runtime: namespaces are ready, run prestart + createRuntime */
	SYNC_HOOKS_ACK,		/* runtime → init */
	SYNC_READY,		/* init → runtime: set up, about to wait on the exec fifo */
	SYNC_LOG,		/* child → runtime: a --debug step, data = "STEP_US TOTAL_US message" */
};

struct sync_msg {
	int32_t type;
	int32_t val;
	char data[32768];	/* NUL-terminated; big enough for a state JSON with annotations */
};

int sync_send(int fd, enum sync_type type, int val, const char *data, struct oerr *e);
/* Returns 0, or -EPIPE when the peer closed its end. */
int sync_recv(int fd, struct sync_msg *m, struct oerr *e);
/* Receive and insist on one type; a SYNC_ERROR from the peer is copied into e verbatim. */
int sync_expect(int fd, enum sync_type type, struct sync_msg *m, struct oerr *e);
/* Child side: report e to the runtime (best effort). */
void sync_report_error(int fd, const struct oerr *e);
/* Child side, with --debug: its steps (base/debug.h) go to the runtime over
 * fd from now on; -1 (before fd closes): no more steps. */
void sync_debug_to(int fd);
/* Runtime side: log the step a SYNC_LOG message carries. */
void sync_debug_forward(const struct sync_msg *m);
