/* execpath_resolve (lib/process/pathlookup.h) with PATH shapes beyond the plain
 * absolute list: relative entries, empty elements (the current directory),
 * shadowing by non-executables, symlinks. Runs in a temporary directory that
 * it makes the current one, the way the init has chdir'd to process.cwd. TAP. */
#include "lib/process/pathlookup.h"
#include "base/util.h"
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include "tap.h"



static void bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static void mkfile(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write_all(fd, "#!/bin/sh\n", 10) < 0)
		bail(path);
	close(fd);
	if (chmod(path, mode) < 0)
		bail(path);
}

/* Resolve name with env PATH=path (NULL: no PATH at all). */
static int resolve(const char *name, const char *path, char *out, size_t len, struct oerr *e)
{
	char env_path[512];
	char *env[2] = { NULL, NULL };
	if (path) {
		snprintf(env_path, sizeof(env_path), "PATH=%s", path);
		env[0] = env_path;
	}
	char *args[2] = { (char *)name, NULL };
	struct spec_process p = { .args = args, .n_args = 1, .env = env, .n_env = path ? 1 : 0 };
	memset(e, 0, sizeof(*e));
	out[0] = '\0';
	return execpath_resolve(&p, out, len, e);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	char tmp[] = "/tmp/ocirt-test-execpath-XXXXXX";
	if (!mkdtemp(tmp) || chdir(tmp) < 0)
		bail("temporary directory");
	if (mkdir("rel", 0755) < 0 || mkdir("rel/deeper", 0755) < 0 || mkdir("abs", 0755) < 0 ||
	    mkdir("noexec", 0755) < 0)
		bail("mkdir");
	mkfile("rel/tool", 0755);
	mkfile("rel/deeper/deep", 0755);
	mkfile("here", 0755);
	mkfile("abs/both", 0755);
	mkfile("noexec/both", 0644);
	mkfile("noexec/only", 0644);
	if (symlink("../abs/both", "rel/link") < 0 || symlink("missing", "rel/dangling") < 0)
		bail("symlink");

	char abs[256], out[512];
	snprintf(abs, sizeof(abs), "%s/abs", tmp);
	struct oerr e;
	char path[600];
	int r;

	r = resolve("tool", "rel", out, sizeof(out), &e);
	ok(r == 0 && strcmp(out, "rel/tool") == 0, "relative PATH entry, relative to the cwd",
	   "r %d out \"%s\" msg %s", r, out, e.msg);
	r = resolve("deep", "/nonexistent:rel/deeper", out, sizeof(out), &e);
	ok(r == 0 && strcmp(out, "rel/deeper/deep") == 0, "nested relative PATH entry after a missing one",
	   "r %d out \"%s\" msg %s", r, out, e.msg);
	r = resolve("here", ":/nonexistent", out, sizeof(out), &e);
	ok(r == 0 && access(out, X_OK) == 0 && strstr(out, "here"), "leading empty PATH element is the cwd",
	   "r %d out \"%s\" msg %s", r, out, e.msg);
	r = resolve("here", "/nonexistent::/also-not", out, sizeof(out), &e);
	ok(r == 0 && access(out, X_OK) == 0 && strstr(out, "here"), "empty PATH element in the middle is the cwd",
	   "r %d out \"%s\" msg %s", r, out, e.msg);
	r = resolve("here", "/nonexistent:", out, sizeof(out), &e);
	ok(r == 0 && access(out, X_OK) == 0 && strstr(out, "here"), "trailing empty PATH element is the cwd",
	   "r %d out \"%s\" msg %s", r, out, e.msg);
	r = resolve("here", ".", out, sizeof(out), &e);
	ok(r == 0 && strcmp(out, "./here") == 0, "\".\" in PATH", "r %d out \"%s\" msg %s", r, out, e.msg);
	r = resolve("here", "/nonexistent", out, sizeof(out), &e);
	ok(r == -ENOENT && strcmp(e.msg, "exec: \"here\": executable file not found in $PATH") == 0,
	   "the cwd is not searched without an empty element", "r %d msg %s", r, e.msg);

	snprintf(path, sizeof(path), "noexec:%s", abs);
	r = resolve("both", path, out, sizeof(out), &e);
	snprintf(path, sizeof(path), "%s/both", abs);
	ok(r == 0 && strcmp(out, path) == 0, "a non-executable earlier in PATH is skipped",
	   "r %d out \"%s\" msg %s", r, out, e.msg);
	r = resolve("only", "noexec", out, sizeof(out), &e);
	ok(r < 0 && strcmp(e.msg, "exec: \"only\": executable file not found in $PATH") == 0,
	   "only a non-executable in PATH: not found", "r %d msg %s", r, e.msg);
	r = resolve("link", "rel", out, sizeof(out), &e);
	ok(r == 0 && strcmp(out, "rel/link") == 0, "symlink to an executable", "r %d out \"%s\" msg %s", r,
	   out, e.msg);
	r = resolve("dangling", "rel", out, sizeof(out), &e);
	ok(r == -ENOENT, "dangling symlink is not found", "r %d out \"%s\" msg %s", r, out, e.msg);

	r = resolve("./here", "/nonexistent", out, sizeof(out), &e);
	ok(r == 0 && strcmp(out, "./here") == 0, "a name with a slash is not searched",
	   "r %d out \"%s\" msg %s", r, out, e.msg);
	r = resolve("rel/tool", "/nonexistent", out, sizeof(out), &e);
	ok(r == 0 && strcmp(out, "rel/tool") == 0, "relative name with a slash", "r %d out \"%s\" msg %s", r,
	   out, e.msg);
	r = resolve("noexec/only", NULL, out, sizeof(out), &e);
	ok(r == -EACCES && strcmp(e.msg, "exec: \"noexec/only\": permission denied") == 0,
	   "relative non-executable by path: permission denied", "r %d msg %s", r, e.msg);
	r = resolve("rel/nope", NULL, out, sizeof(out), &e);
	ok(r == -ENOENT && strcmp(e.msg, "exec: \"rel/nope\": stat rel/nope: no such file or directory") == 0,
	   "relative missing by path: stat error", "r %d msg %s", r, e.msg);

	if (chdir("/") < 0 || nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		bail("cleanup");
	return tap_done();
}
