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
#include <unistd.h>
#include "unixsock.h"

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
	int conn = listen_accept_one("recvtty", argv[1]);
	if (conn < 0)
		return 1;
	char data[256];
	int master = -1;
	if (recv_with_fd(conn, data, sizeof(data), &master) < 0)
		return fail("recvmsg");
	if (master < 0) {
		fprintf(stderr, "recvtty: no fd in the message\n");
		return 1;
	}

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
