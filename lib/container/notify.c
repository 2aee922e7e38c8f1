/* NOTIFY_SOCKET through the container (see notify.h). */
#include "lib/container/notify.h"
#include "lib/container/container.h"
#include "base/util.h"
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

int notify_prepare(struct spec *s, int dirfd, const char *state_dir, struct oerr *e)
{
	if (!s->process)
		return 0;	/* nothing will run to say it is ready */
	if (mkdirat(dirfd, NOTIFY_STATE_DIR, 0755) < 0)
		return oerr_set(e, errno, "NOTIFY_SOCKET: make %s/%s", state_dir, NOTIFY_STATE_DIR);
	char src[PATH_MAX];
	if ((size_t)snprintf(src, sizeof(src), "%s/%s", state_dir, NOTIFY_STATE_DIR) >= sizeof(src))
		return oerr_setx(e, ENAMETOOLONG, "NOTIFY_SOCKET: %s", state_dir);
	static const char *const opts[] = { "bind", "nosuid", "noexec", "nodev", "ro", NULL };
	if (spec_add_mount(s, NOTIFY_CONTAINER_DIR, src, NULL, opts) < 0 ||
	    spec_process_setenv(s->process, "NOTIFY_SOCKET=" NOTIFY_CONTAINER_SOCKET) < 0)
		return oerr_setx(e, ENOMEM, "NOTIFY_SOCKET");
	return 0;
}

int notify_listen(int dirfd, struct oerr *e)
{
	_cleanup_close_ int dfd = openat(dirfd, NOTIFY_STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return errno == ENOENT ? -ENOENT : oerr_set(e, errno, "NOTIFY_SOCKET: open the notify dir");
	/* Bound through our fd of the directory: no path of the state dir is too long. */
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/notify.sock", dfd);
	unlinkat(dfd, "notify.sock", 0);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return oerr_set(e, errno, "NOTIFY_SOCKET: socket");
	/* Any user in the container may notify, as with runc. */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || fchmodat(dfd, "notify.sock", 0777, 0) < 0) {
		int err = errno;
		close(fd);
		return oerr_set(e, err, "NOTIFY_SOCKET: bind the container's socket");
	}
	return fd;
}

/* host as an address: a path, or @name in the abstract namespace. */
static int host_addr(const char *host, struct sockaddr_un *a, socklen_t *len, struct oerr *e)
{
	size_t n = strlen(host);
	*a = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (n == 0 || n >= sizeof(a->sun_path))
		return oerr_setx(e, EINVAL, "NOTIFY_SOCKET \"%s\": not a socket address", host);
	memcpy(a->sun_path, host, n);
	if (host[0] == '@')
		a->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (host[0] == '@' ? 0 : 1));
	return 0;
}

/* The container's message without what only the runtime may say (its
 * MAINPID is a pid of its own namespace; a BARRIER is answered here).
 * Whether it has READY=. */
static bool filter(const char *in, char *out, size_t outlen)
{
	bool ready = false;
	size_t o = 0;
	for (const char *l = in; *l;) {
		size_t len = strcspn(l, "\n");
		bool drop = len == 0 || !strncmp(l, "MAINPID=", 8) || !strncmp(l, "BARRIER=", 8);
		if (!drop && o + len + 2 < outlen) {
			memcpy(out + o, l, len);
			o += len;
			out[o++] = '\n';
			if (!strncmp(l, "READY=", 6))
				ready = true;
		}
		l += len;
		if (*l)
			l++;
	}
	out[o] = '\0';
	return ready;
}

/* sd_notify_barrier(3): a pipe's write end with BARRIER=1; the receiver
 * closes it once it has handled what came before. */
static void barrier(int out, const struct sockaddr_un *a, socklen_t alen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	char text[] = "BARRIER=1";
	struct iovec iov = { .iov_base = text, .iov_len = sizeof(text) - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c = { 0 };
	struct msghdr msg = { .msg_name = (void *)a, .msg_namelen = alen, .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
	ssize_t r = sendmsg(out, &msg, MSG_NOSIGNAL);
	close(p[1]);
	if (r >= 0) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		if (poll(&pf, 1, 30000) == 0)
			dprintf(2, "warning: NOTIFY_SOCKET: no answer to BARRIER=1 in 30 s\n");
	}
	close(p[0]);
}

/* One datagram from the container; fds it passed (its own barrier) are closed. */
static ssize_t recv_message(int sock, char *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} c;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
			      .msg_controllen = sizeof(c.buf) };
	ssize_t n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				close(fd);
			}
	buf[n] = '\0';
	return n;
}

int notify_forward(int sock, const char *host, int pidfd, pid_t init_pid, pid_t mainpid, struct oerr *e)
{
	unsigned long long init_start = pidfd < 0 ? proc_start_time(init_pid) : 0;
	if (pidfd < 0 && !init_start)
		return 0;	/* gone already */
	struct sockaddr_un addr;
	socklen_t alen = 0;
	int ret = host_addr(host, &addr, &alen, e);
	if (ret < 0)
		return ret;
	_cleanup_close_ int out = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (out < 0)
		return oerr_set(e, errno, "NOTIFY_SOCKET: socket");
	char in[8192], msg[8192 + 32];
	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		int polled = poll(p, 2, pidfd >= 0 ? -1 : 100);
		if (polled < 0) {
			if (errno == EINTR)
				continue;
			return oerr_set(e, errno, "NOTIFY_SOCKET: poll");
		}
		if (polled == 0) {
			if (proc_start_time(init_pid) != init_start)
				return 0;	/* the container is gone before it was ready */
			continue;
		}
		if (p[0].revents & POLLIN) {
			ssize_t n = recv_message(sock, in, sizeof(in));
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return oerr_set(e, errno, "NOTIFY_SOCKET: receive from the container");
			if (n < 0)
				continue;
			bool ready = filter(in, msg, sizeof(msg) - 32);
			if (ready)
				snprintf(msg + strlen(msg), 32, "MAINPID=%d\n", (int)mainpid);
			if (*msg && sendto(out, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&addr, alen) < 0)
				return oerr_set(e, errno, "NOTIFY_SOCKET %s: send", host);
			if (ready) {
				barrier(out, &addr, alen);
				return 0;
			}
		} else if (p[1].revents) {
			return 0;	/* the container is gone before it was ready */
		}
	}
}

int container_notify_listen(const char *root, const char *id, pid_t *init_pid, struct oerr *e)
{
	struct container c;
	int ret = container_open(root, id, false, &c, e);
	if (ret < 0)
		return ret;
	*init_pid = c.st.pid;
	ret = notify_listen(c.dirfd, e);
	container_close(&c);
	return ret;
}

int container_notify_forward(int sock, const char *host, pid_t init_pid, pid_t mainpid, struct oerr *e)
{
	_cleanup_close_ int pidfd = pidfd_open_or_nosys(init_pid);
	if (pidfd < 0 && pidfd != -ENOSYS)
		return 0;	/* gone already */
	return notify_forward(sock, host, pidfd < 0 ? -1 : pidfd, init_pid, mainpid, e);
}
