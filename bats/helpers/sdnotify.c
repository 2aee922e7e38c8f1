/* sd_notify for the tests, both ends:
 *   sdnotify send MESSAGE...       one datagram per MESSAGE to $NOTIFY_SOCKET
 *                                  (built static, it runs in the busybox container)
 *   sdnotify listen PATH OUT       bind PATH (a unix datagram socket), write each
 *                                  datagram to OUT followed by "--\n", until one
 *                                  has BARRIER=1 (whose fd it closes, as systemd does)
 * "\n" in a MESSAGE is a newline. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* path, or @name in the abstract namespace (its length is the name's, as systemd has it) */
static int addr_of(const char *path, struct sockaddr_un *a, socklen_t *len)
{
	*a = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	*len = sizeof(*a);
	if (path[0] == '@') {
		a->sun_path[0] = '\0';
		*len = (socklen_t)(sizeof(a->sun_family) + strlen(path));
	}
	return 0;
}

static int send_all(char **msgs, int n)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un a;
	socklen_t len;
	if (!path || addr_of(path, &a, &len) < 0) {
		fprintf(stderr, "sdnotify: no usable NOTIFY_SOCKET\n");
		return 1;
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	for (int i = 0; i < n; i++) {
		char buf[4096];
		size_t o = 0;
		for (const char *c = msgs[i]; *c && o < sizeof(buf) - 1; c++) {
			if (c[0] == '\\' && c[1] == 'n') {
				buf[o++] = '\n';
				c++;
			} else {
				buf[o++] = *c;
			}
		}
		if (sendto(fd, buf, o, 0, (struct sockaddr *)&a, len) < 0) {
			fprintf(stderr, "sdnotify: send to %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	return 0;
}

static int listen_until_barrier(const char *path, const char *out)
{
	struct sockaddr_un a;
	socklen_t len;
	if (addr_of(path, &a, &len) < 0)
		return 1;
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, len) < 0) {
		fprintf(stderr, "sdnotify: bind %s: %s\n", path, strerror(errno));
		return 1;
	}
	FILE *f = fopen(out, "w");
	if (!f)
		return 1;
	for (;;) {
		char buf[8192];
		union {
			char b[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr align;
		} c;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b,
				    .msg_controllen = sizeof(c.b) };
		ssize_t n = recvmsg(fd, &m, 0);
		if (n < 0)
			return 1;
		buf[n] = '\0';
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
				int pfd;
				memcpy(&pfd, CMSG_DATA(cm), sizeof(int));
				close(pfd);
			}
		fprintf(f, "%s%s--\n", buf, n && buf[n - 1] == '\n' ? "" : "\n");
		fflush(f);
		if (strstr(buf, "BARRIER=1"))
			return 0;
	}
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "send"))
		return send_all(argv + 2, argc - 2);
	if (argc == 4 && !strcmp(argv[1], "listen"))
		return listen_until_barrier(argv[2], argv[3]);
	fprintf(stderr, "usage: sdnotify send MESSAGE... | sdnotify listen PATH OUT\n");
	return 2;
}
