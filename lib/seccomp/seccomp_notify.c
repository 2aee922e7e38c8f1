/* Hand the SCMP_ACT_NOTIFY listener fd to the seccomp agent
 * (runtime-spec config-linux.md "The Container Process State"). */
#include "lib/process/fdutil.h"
#include "lib/seccomp/seccomp.h"
#include "base/util.h"
#include <jansson.h>
#include <string.h>
#include <sys/socket.h>

/* Turn what the caller gave into the full process state (see seccomp.h). */
static int build_payload(const struct spec_seccomp *sc, const char *in, char **out, struct oerr *e)
{
	json_error_t jerr;
	json_auto_t *root = json_loads(in ? in : "", 0, &jerr);
	if (!root || !json_is_object(root))
		return oerr_setx(e, EINVAL, "seccomp listener: process state is not a JSON object: %s",
				 root ? "wrong type" : jerr.text);

	json_auto_t *ps = NULL;
	if (json_is_object(json_object_get(root, "state"))) {
		ps = json_incref(root);
	} else {
		json_t *pid = json_object_get(root, "pid");
		json_t *ver = json_object_get(root, "ociVersion");
		if (!json_is_integer(pid) || !json_is_string(ver))
			return oerr_setx(e, EINVAL, "seccomp listener: container state lacks \"pid\" or \"ociVersion\"");
		ps = json_pack("{sOsOsO}", "ociVersion", ver, "pid", pid, "state", root);
		if (!ps)
			return oerr_set(e, ENOMEM, "seccomp listener: process state");
	}
	if (!json_object_get(ps, "fds") && json_object_set_new(ps, "fds", json_pack("[s]", "seccompFd")) < 0)
		return oerr_set(e, ENOMEM, "seccomp listener: process state");
	if (sc->listener_metadata && !json_object_get(ps, "metadata") &&
	    json_object_set_new(ps, "metadata", json_string(sc->listener_metadata)) < 0)
		return oerr_set(e, ENOMEM, "seccomp listener: process state");

	*out = json_dumps(ps, JSON_COMPACT);
	if (!*out)
		return oerr_set(e, ENOMEM, "seccomp listener: process state");
	return 0;
}

int seccomp_listener_connect(const struct spec_seccomp *sc, struct oerr *e)
{
	const char *path = sc->listener_path;
	if (!path || !*path)
		return oerr_setx(e, EINVAL, "seccomp: SCMP_ACT_NOTIFY is used but linux.seccomp.listenerPath is not set");
	return unix_connect(path, "seccomp listener", e);
}

bool seccomp_uses_notify(const struct spec_seccomp *sc)
{
	for (size_t i = 0; sc && i < sc->n_syscalls; i++)
		if (sc->syscalls[i].action && !strcmp(sc->syscalls[i].action, "SCMP_ACT_NOTIFY"))
			return true;
	return false;
}

int seccomp_send_listener(const struct spec_seccomp *sc, int notify_fd, const char *process_state_json,
			  struct oerr *e)
{
	if (!sc->listener_path || !*sc->listener_path)
		return oerr_setx(e, EINVAL, "seccomp: SCMP_ACT_NOTIFY is used but linux.seccomp.listenerPath is not set");
	if (notify_fd < 0)
		return oerr_setx(e, EBADF, "seccomp listener %s: no notification fd to send", sc->listener_path);
	_cleanup_close_ int fd = seccomp_listener_connect(sc, e);
	if (fd < 0)
		return fd;
	return seccomp_send_listener_on(sc, fd, notify_fd, process_state_json, e);
}

int seccomp_send_listener_on(const struct spec_seccomp *sc, int fd, int notify_fd, const char *process_state_json,
			     struct oerr *e)
{
	const char *path = sc->listener_path ? sc->listener_path : "";
	if (notify_fd < 0)
		return oerr_setx(e, EBADF, "seccomp listener %s: no notification fd to send", path);
	_cleanup_free_ char *payload = NULL;
	int r = build_payload(sc, process_state_json, &payload, e);
	if (r < 0)
		return r;
	size_t len = strlen(payload);

	/* The fd travels with the first bytes; the rest (if the socket took
	 * only part) follows in plain sends. */
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = { .iov_base = payload, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));

	size_t off = 0;
	while (off < len) {
		ssize_t n = off == 0 ? sendmsg(fd, &msg, MSG_NOSIGNAL)
				     : send(fd, payload + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oerr_set(e, errno, "seccomp listener %s: send", path);
		off += (size_t)n;
	}
	return 0;
}
