/* Unit tests (TAP) for base/helper.h: finding a helper program beside the
 * running binary, and running it with fds passed, stdout kept and its
 * stderr as the error. A stand-in helper (a shell script) is written
 * beside this test's binary for the duration. */
#include "tests/tap.h"
#include "base/helper.h"
#include "base/util.h"
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char script[] =
	"#!/bin/sh\n"
	"case $1 in\n"
	"ok) shift; echo \"args: $*\"; echo line2 ;;\n"
	"fd) cat <&$2 ;;\n"
	"fail) echo 'warning: first' >&2; echo \"$2: went wrong\" >&2; exit 3 ;;\n"
	"quiet) exit 4 ;;\n"
	"esac\n";

int main(void)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(path, sizeof(path), "%s/ocirt-test-helper", self);
	struct oerr e = { 0 };
	if (write_file_at(AT_FDCWD, path, script, strlen(script), true, &e) < 0 || chmod(path, 0755) < 0) {
		ok(false, "write the stand-in helper", "%s", e.msg);
		return tap_done();
	}

	char found[PATH_MAX];
	ok(helper_find("ocirt-test-helper", found, sizeof(found), &e) == 0 && !strcmp(found, path),
	   "found beside the running binary", "got %s", found);
	int r = helper_find("ocirt-no-such-helper", found, sizeof(found), &e);
	ok(r == -ENOENT && strstr(e.msg, "ocirt-no-such-helper not found (looked beside ") &&
	   strstr(e.msg, self) && strstr(e.msg, " and in /"), "a missing helper: where it looked", "%s", e.msg);

	char *out = NULL;
	r = helper_run("ocirt-test-helper", (const char *[]){ "ok", "a", "b c", NULL }, NULL, 0, &out, &e);
	ok(r == 0 && out && !strcmp(out, "args: a b c\nline2\n"), "stdout kept", "r=%d out=%s", r, out ? out : "");
	free(out);

	int p[2];
	if (pipe2(p, O_CLOEXEC) == 0) {
		write_all(p[1], "through fd\n", 11);
		close(p[1]);
		char fd[16];
		snprintf(fd, sizeof(fd), "%d", p[0]);
		out = NULL;
		r = helper_run("ocirt-test-helper", (const char *[]){ "fd", fd, NULL }, &p[0], 1, &out, &e);
		ok(r == 0 && out && !strcmp(out, "through fd\n"), "a close-on-exec fd passed at its number",
		   "r=%d out=%s err=%s", r, out ? out : "", r < 0 ? e.msg : "");
		free(out);
		close(p[0]);
	}

	r = helper_run("ocirt-test-helper", (const char *[]){ "fail", "eth9", NULL }, NULL, 0, NULL, &e);
	ok(r == -EIO && !strcmp(e.msg, "warning: first; eth9: went wrong"), "a failure: its stderr is the error",
	   "r=%d %s", r, e.msg);
	r = helper_run("ocirt-test-helper", (const char *[]){ "quiet", NULL }, NULL, 0, NULL, &e);
	ok(r == -EIO && !strcmp(e.msg, "ocirt-test-helper exited with status 4"), "a silent failure: its status",
	   "r=%d %s", r, e.msg);
	unlink(path);
	r = helper_run("ocirt-test-helper", (const char *[]){ "ok", NULL }, NULL, 0, NULL, &e);
	ok(r == -ENOENT, "gone: not found", "r=%d %s", r, e.msg);
	return tap_done();
}
