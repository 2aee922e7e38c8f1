/* seccompagent SOCKET OUT ERRNO: the seccomp agent at linux.seccomp.listenerPath.
 *
 * Listens on the unix socket SOCKET (it appears only once it accepts
 * connections), takes one connection, receives the container process state
 * with the listener fd (SCM_RIGHTS) and writes the state to OUT. Then answers
 * every notification with -ERRNO until no process uses the filter any more.
 * Exits 0 when the fd came and at least one notification was answered;
 * gives up after 60 s. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "unixsock.h"

static int fail(const char *what)
{
	fprintf(stderr, "seccompagent: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: seccompagent SOCKET OUT ERRNO\n");
		return 2;
	}
	alarm(60);
	int answer = atoi(argv[3]);
	int conn = listen_accept_one("seccompagent", argv[1]);
	if (conn < 0)
		return 1;

	static char buf[65536];
	size_t len = 0;
	int nfd = -1;
	for (;;) {
		ssize_t n = recv_with_fd(conn, buf + len, sizeof(buf) - 1 - len, &nfd);
		if (n < 0)
			return fail("recvmsg");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	FILE *f = fopen(argv[2], "w");
	if (!f)
		return fail(argv[2]);
	fprintf(f, "%s\n", buf);
	fclose(f);
	if (nfd < 0) {
		fprintf(stderr, "seccompagent: no fd received\n");
		return 1;
	}

	struct seccomp_notif_sizes sz;
	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return fail("SECCOMP_GET_NOTIF_SIZES");
	struct seccomp_notif *req = calloc(1, sz.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, sz.seccomp_notif_resp);
	int answered = 0;
	for (;;) {
		struct pollfd p = { .fd = nfd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return fail("poll");
		}
		if (p.revents & (POLLHUP | POLLERR))
			break;	/* no process uses the filter any more */
		memset(req, 0, sz.seccomp_notif);
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return fail("SECCOMP_IOCTL_NOTIF_RECV");
		}
		memset(resp, 0, sz.seccomp_notif_resp);
		resp->id = req->id;
		resp->error = -answer;
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
			return fail("SECCOMP_IOCTL_NOTIF_SEND");
		answered++;
	}
	return answered > 0 ? 0 : 1;
}
