#include "lib/container/sync.h"
#include "base/debug.h"
#include <string.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdio.h>

static const char *sync_type_name(int t)
{
	static const char *const names[] = {
		[SYNC_ERROR] = "error", [SYNC_SETUP_REQ] = "setup-request",
		[SYNC_SETUP_ACK] = "setup-ack", [SYNC_PID] = "pid",
		[SYNC_HOOKS_REQ] = "hooks-request", [SYNC_HOOKS_ACK] = "hooks-ack",
		[SYNC_READY] = "ready", [SYNC_LOG] = "log",
	};
	if (t > 0 && t < (int)(sizeof(names) / sizeof(names[0])) && names[t])
		return names[t];
	return "unknown";
}

int sync_send(int fd, enum sync_type type, int val, const char *data, struct oerr *e)
{
	/* The header, the text and its NUL as one datagram, gathered: a
	 * struct sync_msg on the stack would be 32 KiB to clear (eight pages
	 * to fault in) for a few bytes sent. */
	int32_t hdr[2] = { type, val };
	size_t len = data ? strnlen(data, sizeof(((struct sync_msg *)0)->data) - 1) : 0;
	struct iovec iov[3] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)data, .iov_len = len },
		{ .iov_base = "", .iov_len = 1 },
	};
	_Static_assert(offsetof(struct sync_msg, data) == sizeof(hdr), "sync_msg header");
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };
	ssize_t n;
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return oerr_set(e, errno, "sync: send %s", sync_type_name(type));
	return 0;
}

int sync_recv(int fd, struct sync_msg *m, struct oerr *e)
{
	ssize_t n;
	do
		n = recv(fd, m, sizeof(*m), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return oerr_set(e, errno, "sync: receive");
	if (n == 0)
		return oerr_setx(e, EPIPE, "sync: container init closed the channel");
	if ((size_t)n < offsetof(struct sync_msg, data) + 1)
		return oerr_setx(e, EPROTO, "sync: short message (%zd bytes)", n);
	m->data[sizeof(m->data) - 1] = '\0';
	return 0;
}

int sync_expect(int fd, enum sync_type type, struct sync_msg *m, struct oerr *e)
{
	int r = sync_recv(fd, m, e);
	if (r < 0)
		return r;
	if (m->type == SYNC_ERROR)
		return oerr_setx(e, m->val > 0 ? m->val : EINVAL, "%s", m->data);
	if (m->type != (int32_t)type)
		return oerr_setx(e, EPROTO, "sync: expected %s, got %s",
				 sync_type_name(type), sync_type_name(m->type));
	return 0;
}

void sync_report_error(int fd, const struct oerr *e)
{
	sync_send(fd, SYNC_ERROR, e->code, e->msg, NULL);
}

static int debug_fd = -1;

static void send_step(const char *msg, long long step_us, long long total_us)
{
	char data[1200];
	struct oerr ignored;
	snprintf(data, sizeof(data), "%lld %lld %s", step_us, total_us, msg);
	sync_send(debug_fd, SYNC_LOG, 0, data, &ignored);
}

void sync_debug_to(int fd)
{
	if (!debug_on && debug_fd < 0)
		return;
	debug_fd = fd;
	debug_set_sink(fd >= 0 ? send_step : NULL);
}

void sync_debug_forward(const struct sync_msg *m)
{
	long long step, total;
	int n = 0;
	if (sscanf(m->data, "%lld %lld %n", &step, &total, &n) == 2 && n > 0)
		debug_forward(m->data + n, step, total);
}
