/* recvtty SOCKET OUT: the receiving end of `ocirt create --console-socket`.
 *
 * Listens on the unix socket SOCKET (it appears only once it accepts
 * connections), takes one connection, receives the pty master passed with
 * SCM_RIGHTS, and copies everything the container writes to its terminal
 * into OUT until the last slave is closed. Exits 0 when the master was
 * received and drained, non-zero otherwise; gives up after 60 s. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: recvtty SOCKET OUT\n");
		return 2;
	}
	alarm(60);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char tmp[sizeof(addr.sun_path)];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]) >= (int)sizeof(tmp)) {
		fprintf(stderr, "recvtty: socket path too long\n");
		return 2;
	}
	strcpy(addr.sun_path, tmp);
	unlink(tmp);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		return fail("socket");
	if (bind(ls, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return fail("bind");
	if (listen(ls, 1) < 0)
		return fail("listen");
	/* Renamed once listening, so that waiting for the path is enough. */
	if (rename(tmp, argv[1]) < 0)
		return fail("rename");
	int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return fail("accept");

	char data[256];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
		return fail("recvmsg");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "recvtty: no fd in the message\n");
		return 1;
	}
	int master;
	memcpy(&master, CMSG_DATA(c), sizeof(int));

	int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return fail(argv[2]);
	for (;;) {
		char buf[4096];
		ssize_t n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* EIO: every slave fd is closed, the container is done. */
		if (n < 0 && errno == EIO)
			break;
		if (n < 0)
			return fail("read master");
		if (n == 0)
			break;
		if (write(out, buf, (size_t)n) != n)
			return fail("write");
	}
	return 0;
}
