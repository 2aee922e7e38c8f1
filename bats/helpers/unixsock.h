/* The listening end shared by the test helpers that receive an fd from
 * ocirt: a unix socket that appears at its path only once it accepts, and
 * one message with an fd (SCM_RIGHTS). */
#pragma once
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Listen at path (bound under path.tmp and renamed, so that waiting for the
 * path is enough) and accept one connection. -1 after saying why. */
static int listen_accept_one(const char *prog, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char tmp[sizeof(addr.sun_path)];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "%s: socket path too long\n", prog);
		return -1;
	}
	strcpy(addr.sun_path, tmp);
	unlink(tmp);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), conn = -1;
	const char *what = "socket";
	if (ls < 0)
		goto fail;
	what = "bind";
	if (bind(ls, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto fail;
	what = "listen";
	if (listen(ls, 1) < 0)
		goto fail;
	what = "rename";
	if (rename(tmp, path) < 0)
		goto fail;
	what = "accept";
	conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (conn >= 0)
		return conn;
fail:
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	return -1;
}

/* One recvmsg into data (len bytes): its length, or -1 (errno). *fd is the
 * fd that came with it (close-on-exec), or stays as it was. */
static ssize_t recv_with_fd(int conn, void *data, size_t len, int *fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	ssize_t n;
	while ((n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}
