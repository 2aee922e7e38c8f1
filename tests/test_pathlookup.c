/* execpath_resolve: PATH search and runc-worded errors, on temporary directories. */
#include "lib/process/pathlookup.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int n_tests, n_failed;

static void ok(int cond, const char *name)
{
	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, name);
}

static void make_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, "#!/bin/sh\n", 10) != 10) {
		perror(path);
		exit(1);
	}
	close(fd);
	chmod(path, mode);
}

static int resolve(char **args, char **env, char *out, size_t len, struct oerr *e)
{
	struct spec_process p = { 0 };
	p.args = args;
	p.n_args = 1;
	p.env = env;
	for (p.n_env = 0; env && env[p.n_env]; p.n_env++)
		;
	memset(e, 0, sizeof(*e));
	out[0] = '\0';
	return execpath_resolve(&p, out, len, e);
}

int main(void)
{
	char tmpl[] = "/tmp/test_pathlookup.XXXXXX";
	char *dir = mkdtemp(tmpl);
	if (!dir) {
		perror("mkdtemp");
		return 1;
	}
	char a[512], b[512], tool[600], noexec[600], sub[600], envpath[1100], missing[600];
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	mkdir(a, 0755);
	mkdir(b, 0755);
	snprintf(tool, sizeof(tool), "%s/tool", b);
	snprintf(noexec, sizeof(noexec), "%s/noexec", b);
	snprintf(sub, sizeof(sub), "%s/subdir", b);
	snprintf(missing, sizeof(missing), "%s/nope", a);
	make_file(tool, 0755);
	make_file(noexec, 0644);
	mkdir(sub, 0755);
	snprintf(envpath, sizeof(envpath), "PATH=%s:%s", a, b);

	char out[4096], msg[1400];
	struct oerr e;
	char *env[] = { "HOME=/", envpath, NULL };

	char *found[] = { "tool", NULL };
	int r = resolve(found, env, out, sizeof(out), &e);
	ok(r == 0 && strcmp(out, tool) == 0, "found in the second PATH entry");

	char *nf[] = { "no-such-tool", NULL };
	r = resolve(nf, env, out, sizeof(out), &e);
	ok(r == -ENOENT && strcmp(e.msg, "exec: \"no-such-tool\": executable file not found in $PATH") == 0,
	   "not found in PATH");

	char *ne[] = { "noexec", NULL };
	r = resolve(ne, env, out, sizeof(out), &e);
	ok(r < 0 && strstr(e.msg, "executable file not found in $PATH"), "non-executable file in PATH is skipped");

	char *ne_abs[] = { noexec, NULL };
	r = resolve(ne_abs, env, out, sizeof(out), &e);
	snprintf(msg, sizeof(msg), "exec: \"%s\": permission denied", noexec);
	ok(r == -EACCES && strcmp(e.msg, msg) == 0, "non-executable file by path: permission denied");

	char *dir_abs[] = { sub, NULL };
	r = resolve(dir_abs, env, out, sizeof(out), &e);
	snprintf(msg, sizeof(msg), "exec: \"%s\": permission denied", sub);
	ok(r == -EACCES && strcmp(e.msg, msg) == 0, "directory by path: permission denied");

	char *d_in_path[] = { "subdir", NULL };
	r = resolve(d_in_path, env, out, sizeof(out), &e);
	ok(r == -ENOENT, "directory in PATH is not an executable");

	char *miss[] = { missing, NULL };
	r = resolve(miss, env, out, sizeof(out), &e);
	snprintf(msg, sizeof(msg), "exec: \"%s\": stat %s: no such file or directory", missing, missing);
	ok(r == -ENOENT && strcmp(e.msg, msg) == 0, "absolute path missing");

	char *abs_ok[] = { tool, NULL };
	r = resolve(abs_ok, env, out, sizeof(out), &e);
	ok(r == 0 && strcmp(out, tool) == 0, "absolute path executable");

	/* /bin/sh exists on any host this runs on; the default PATH holds /bin. */
	char *sh[] = { "sh", NULL };
	char *nopath[] = { "HOME=/", NULL };
	r = resolve(sh, nopath, out, sizeof(out), &e);
	ok(r == 0 && strcmp(out + strlen(out) - 3, "/sh") == 0 && access(out, X_OK) == 0,
	   "env without PATH uses the default PATH");
	r = resolve(sh, NULL, out, sizeof(out), &e);
	ok(r == 0 && access(out, X_OK) == 0, "no env at all uses the default PATH");

	char *only_a[] = { NULL, NULL };
	char pa[600];
	snprintf(pa, sizeof(pa), "PATH=%s", a);
	only_a[0] = pa;
	r = resolve(sh, only_a, out, sizeof(out), &e);
	ok(r == -ENOENT, "PATH from env replaces the default");

	r = resolve(found, env, out, 8, &e);
	ok(r == -ENAMETOOLONG, "output buffer too small");

	unlink(tool);
	unlink(noexec);
	rmdir(sub);
	rmdir(a);
	rmdir(b);
	rmdir(dir);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
