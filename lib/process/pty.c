/* The pty is opened inside the container so that it belongs to the container's
 * devpts instance; only the master leaves, over the console socket. */
#include "lib/process/pty.h"
#include "lib/process/fdutil.h"
#include "base/util.h"
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int open_slave(int master, char *path, size_t len, struct oerr *e)
{
	if (ptsname_r(master, path, len) != 0)
		return oerr_set(e, errno, "ptsname");
	/* TIOCGPTPEER opens the peer of this very master, immune to a swapped /dev/pts. */
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "open pty slave %s", path);
	return fd;
}

static void mount_console(const char *slave_path)
{
	struct stat st;
	/* The rootfs code leaves a file at /dev/console when the container has a terminal. */
	if (stat("/dev/console", &st) < 0 || S_ISDIR(st.st_mode))
		return;
	mount(slave_path, "/dev/console", NULL, MS_BIND, NULL);
}

/* Output as the relaying runtime wants it: "\n", not "\r\n" (a pty's default
 * ONLCR would add the "\r"; the host's own terminal adds it back on display). */
static int clear_onlcr(int fd, const char *path, struct oerr *e)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return oerr_set(e, errno, "tcgetattr %s", path);
	t.c_oflag &= ~(tcflag_t)ONLCR;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return oerr_set(e, errno, "clear ONLCR on %s", path);
	return 0;
}

int terminal_setup_init(int console_sock, const struct spec_process *p, bool relayed_here, struct oerr *e)
{
	char path[PATH_MAX];
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return oerr_set(e, errno, "open /dev/ptmx");
	if (unlockpt(master) < 0)
		return oerr_set(e, errno, "unlockpt");
	_cleanup_close_ int slave = open_slave(master, path, sizeof(path), e);
	if (slave < 0)
		return slave;
	int ret;
	/* The process's user owns its terminal, as in runc; the group stays the
	 * one devpts gave it (gid=5, tty, in the usual mount options). Where the
	 * uid is not mapped (EINVAL) or the owner is not ours (EPERM), it is
	 * left alone, as runc does. */
	if (fchown(slave, p->user.uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
		return oerr_set(e, errno, "chown %s to uid %u", path, p->user.uid);
	if (relayed_here && (ret = clear_onlcr(slave, path, e)) < 0)
		return ret;
	if (p->has_console_size) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return oerr_set(e, errno, "set console size");
	}
	mount_console(path);
	ret = fdpass_send(console_sock, master, path, strlen(path), e);
	if (ret < 0)
		return oerr_wrap(e, "console socket");
	close(steal_fd(master));
	if (setsid() < 0)
		return oerr_set(e, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return oerr_set(e, errno, "make %s the controlling terminal", path);
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return oerr_set(e, errno, "dup2 %s to fd %d", path, fd);
	if (slave <= 2) {
		/* dup2 onto itself keeps O_CLOEXEC; stdio must survive exec. */
		fcntl(slave, F_SETFD, 0);
		slave = -1;
	}
	return 0;
}

int terminal_recv_master(int sock, int *master, struct oerr *e)
{
	char path[PATH_MAX];
	int ret = fdpass_recv(sock, master, path, sizeof(path) - 1, e);
	if (ret < 0)
		return oerr_wrap(e, "console socket");
	return 0;
}
