/* The id maps of a new user namespace, written from outside by the runtime.
 * A privileged runtime writes /proc/<pid>/{uid,gid}_map itself. An
 * unprivileged one may only map its own euid/egid, one id each (and must
 * deny setgroups before the gid map); anything else goes through the
 * setuid helpers newuidmap/newgidmap (the uidmap package), which check the
 * ranges against /etc/subuid and /etc/subgid. */
#include "lib/process/namespace.h"
#include "base/util.h"
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char *map_field(bool gid)
{
	return gid ? "linux.gidMappings" : "linux.uidMappings";
}

/* All lines in one write: the kernel accepts a map file's content only once. */
static int write_map_file(pid_t pid, bool gid, const struct spec_idmap *m, size_t n, struct oerr *e)
{
	size_t cap = n * 36 + 1, len = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return oerr_setx(e, ENOMEM, "%s", map_field(gid));
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
					m[i].container_id, m[i].host_id, m[i].size);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, gid ? "gid_map" : "uid_map");
	int r = write_file_at(AT_FDCWD, path, buf, len, false, e);
	return r < 0 ? oerr_wrap(e, "%s", map_field(gid)) : 0;
}

/* The helper's path in $PATH (or the usual directories), or -ENOENT. */
static int find_helper(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path; *p;) {
		size_t l = strcspn(p, ":");
		if (l && (size_t)snprintf(out, len, "%.*s/%s", (int)l, p, name) < len) {
			struct stat st;
			if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
				return 0;
		}
		p += l + (p[l] == ':');
	}
	return -ENOENT;
}

/* newuidmap PID c h s [c h s...]; its stderr becomes the error's text. */
static int run_helper(pid_t pid, bool gid, const struct spec_idmap *m, size_t n, struct oerr *e)
{
	const char *name = gid ? "newgidmap" : "newuidmap";
	char exe[4096];
	if (find_helper(name, exe, sizeof(exe)) < 0)
		return oerr_setx(e, ENOENT, "%s: mapping %s other than your own %s (%u) needs %s, from the uidmap "
				 "package, and a range for you in %s: %s was not found in $PATH",
				 map_field(gid), gid ? "gids" : "uids", gid ? "gid" : "uid",
				 gid ? (unsigned)getegid() : (unsigned)geteuid(), name,
				 gid ? "/etc/subgid" : "/etc/subuid", name);
	size_t argc = 2 + 3 * n + 1;
	_cleanup_free_ char **argv = calloc(argc, sizeof(*argv));
	_cleanup_free_ char *nums = malloc((3 * n + 1) * 12);
	if (!argv || !nums)
		return oerr_setx(e, ENOMEM, "%s", map_field(gid));
	char *o = nums;
	argv[0] = (char *)name;
	argv[1] = o;
	o += sprintf(o, "%d", (int)pid) + 1;
	for (size_t i = 0; i < n; i++) {
		const uint32_t v[3] = { m[i].container_id, m[i].host_id, m[i].size };
		for (int k = 0; k < 3; k++) {
			argv[2 + 3 * i + (size_t)k] = o;
			o += sprintf(o, "%" PRIu32, v[k]) + 1;
		}
	}
	int errp[2];
	if (pipe2(errp, O_CLOEXEC) < 0)
		return oerr_set(e, errno, "%s: pipe for %s", map_field(gid), name);
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		int r = oerr_set(e, errno, "%s: fork %s", map_field(gid), name);
		close(errp[0]);
		close(errp[1]);
		return r;
	}
	if (child == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		dup2(errp[1], 2);
		execv(exe, argv);
		dprintf(2, "exec %s: %s", exe, strerror(errno));
		_exit(127);
	}
	close(errp[1]);
	char msg[1024];
	size_t got = 0;
	for (;;) {
		ssize_t k = read(errp[0], msg + got, sizeof(msg) - 1 - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
		if (got == sizeof(msg) - 1) {
			char sink[256];
			while (read(errp[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	close(errp[0]);
	msg[got] = '\0';
	while (got && (msg[got - 1] == '\n' || msg[got - 1] == ' '))
		msg[--got] = '\0';
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return oerr_set(e, errno, "%s: wait for %s", map_field(gid), name);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return oerr_setx(e, EPERM, "%s: %s failed (%s %d): %s (the ranges must be yours in %s)", map_field(gid),
			 name, WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			 got ? msg : "no message", gid ? "/etc/subgid" : "/etc/subuid");
}

bool userns_map_is_own(const struct spec_idmap *m, size_t n, unsigned own)
{
	return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

static int write_one(pid_t pid, bool gid, const struct spec_idmap *m, size_t n, struct oerr *e)
{
	if (!n)
		return 0;
	if (geteuid() == 0)
		return write_map_file(pid, gid, m, n, e);
	if (!userns_map_is_own(m, n, gid ? (unsigned)getegid() : (unsigned)geteuid()))
		return run_helper(pid, gid, m, n, e);
	if (gid) {
		/* An unprivileged writer of gid_map must give up setgroups first. */
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		if (write_file_at(AT_FDCWD, path, "deny", 4, false, e) < 0)
			return oerr_wrap(e, "%s", map_field(gid));
	}
	return write_map_file(pid, gid, m, n, e);
}

int userns_write_maps(pid_t pid, const struct spec_linux *l, struct oerr *e)
{
	int ret = write_one(pid, false, l->uid_mappings, l->n_uid_mappings, e);
	if (ret < 0)
		return ret;
	return write_one(pid, true, l->gid_mappings, l->n_gid_mappings, e);
}

bool userns_running_in(void)
{
	/* The initial user namespace maps every id onto itself. */
	_cleanup_free_ char *map = NULL;
	struct oerr ignored;
	if (read_file_at(AT_FDCWD, "/proc/self/uid_map", &map, NULL, &ignored) < 0)
		return false;
	unsigned long a, b, c;
	int n = 0;
	if (sscanf(map, " %lu %lu %lu %n", &a, &b, &c, &n) != 3)
		return true;
	return !(a == 0 && b == 0 && c == 4294967295UL && map[n] == '\0');
}
