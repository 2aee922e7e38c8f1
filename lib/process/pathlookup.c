/* args[0] lookup. It runs in the container after pivot_root, the user
 * switch and the capability sets, so the kernel answers for the process's
 * own credentials and filesystem. */
#include "lib/process/pathlookup.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The last PATH= wins, as when the variables are set one after the other. */
static const char *env_path(const struct spec_process *p)
{
	const char *path = NULL;
	for (size_t i = 0; p->env && p->env[i]; i++)
		if (strncmp(p->env[i], "PATH=", 5) == 0)
			path = p->env[i] + 5;
	return path ? path : DEFAULT_PATH;
}

/* 0 when path is an executable regular file, else a positive errno. The
 * effective ids and capabilities decide, as for execve itself
 * (faccessat2 AT_EACCESS): with CAP_DAC_OVERRIDE uid 1000 may run a root
 * file of mode 0744. access(2) would ask with the real ids and, for any
 * uid but 0, without capabilities. Where faccessat2 is missing or a
 * seccomp filter refuses it (ENOSYS, EPERM), any x bit will do, as Go's
 * exec.LookPath decides for runc. */
static int check_exec(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	if (syscall(SYS_faccessat2, AT_FDCWD, path, X_OK, AT_EACCESS) == 0)
		return 0;
	if (errno == ENOSYS || errno == EPERM)
		return (st.st_mode & 0111) ? 0 : EACCES;
	return errno == ENOENT ? ENOENT : EACCES;
}

static int copy_out(char *out, size_t outlen, const char *path, const char *name, struct oerr *e)
{
	size_t n = strlen(path);
	if (n >= outlen)
		return oerr_set(e, ENAMETOOLONG, "exec: \"%s\"", name);
	memcpy(out, path, n + 1);
	return 0;
}

int execpath_resolve(const struct spec_process *p, char *out, size_t outlen, struct oerr *e)
{
	if (!p->args || !p->args[0] || !*p->args[0])
		return oerr_setx(e, EINVAL, "exec: \"\": executable file not found in $PATH");
	const char *name = p->args[0];
	if (strchr(name, '/')) {
		struct stat st;
		if (stat(name, &st) < 0)
			return oerr_set(e, errno, "exec: \"%s\": stat %s", name, name);
		int err = check_exec(name);
		if (err)
			return oerr_set(e, err, "exec: \"%s\"", name);
		return copy_out(out, outlen, name, name, e);
	}
	const char *path = env_path(p);
	size_t nlen = strlen(name);
	while (*path) {
		const char *colon = strchrnul(path, ':');
		size_t dlen = (size_t)(colon - path);
		char cand[4096];
		/* An empty PATH element means the current directory. */
		if (dlen == 0)
			snprintf(cand, sizeof(cand), "./%s", name);
		else if (dlen + 1 + nlen < sizeof(cand))
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)dlen, path, name);
		else
			cand[0] = '\0';
		if (cand[0] && check_exec(cand) == 0)
			return copy_out(out, outlen, cand, name, e);
		path = *colon ? colon + 1 : colon;
		if (*colon && !*path) {	/* a trailing ':' is an empty element too */
			snprintf(cand, sizeof(cand), "./%s", name);
			if (check_exec(cand) == 0)
				return copy_out(out, outlen, cand, name, e);
		}
	}
	return oerr_setx(e, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}
