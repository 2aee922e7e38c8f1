/* Unit tests for lib/rootfs/pathres.h (TAP): resolution inside a directory full of hostile
 * symlinks, once with openat2() and once with the fallback walk
 * (OCIRT_TEST_NO_OPENAT2=1). */
#include "lib/rootfs/pathres.h"
#include "base/util.h"
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>

static int n_test, n_fail;
static char tmpdir[] = "/tmp/ocirt-test-pathres-XXXXXX";
static char rootdir[64];
static const char *mode_name;

static void report(bool ok, const char *name, const char *why)
{
	n_test++;
	if (ok) {
		printf("ok %d - %s [%s]\n", n_test, name, mode_name);
	} else {
		n_fail++;
		printf("not ok %d - %s [%s]\n#   %s\n", n_test, name, mode_name, why ? why : "");
	}
	fflush(stdout);
}

#define CHECK(name, cond, ...) do {					\
	char *why_ = NULL;						\
	if (asprintf(&why_, __VA_ARGS__) < 0)				\
		why_ = NULL;						\
	report((cond), (name), why_);					\
	free(why_);							\
} while (0)

static void bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static void mk(const char *rel, bool dir)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", rootdir, rel);
	if (dir) {
		if (mkdir(p, 0755) < 0)
			bail(p);
	} else {
		int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			bail(p);
		close(fd);
	}
}

static void ln(const char *target, const char *rel)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", rootdir, rel);
	if (symlink(target, p) < 0)
		bail(p);
}

/* The layout every case runs against; rebuilt for each mode. */
static void build(void)
{
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmpdir);
	if (mkdir(rootdir, 0755) < 0)
		bail(rootdir);
	mk("etc", true);
	mk("etc/passwd", false);
	mk("dir", true);
	mk("dir/sub", true);
	mk("file", false);
	ln("/etc", "abs");			/* absolute: must mean <root>/etc */
	ln("../../../../../../..", "up");	/* climbs far above the root */
	ln("/../../../etc", "absup");
	ln("loop2", "loop1");
	ln("loop1", "loop2");
	ln("self", "self");
	ln("../etc", "dir/rel");
	ln("../../../../../../etc", "dir/dotdot");
	ln("/newdir/deep", "dangling");
	ln("/dir", "proc");
	ln("/proc/self/root/etc", "magic");	/* as text, inside the root: no such dir */
	ln("sub/../../etc/passwd", "dir/twisty");
	ln("/data/f", "dir/dangf");		/* dangling: the file is to be made at data/f */
	ln("../../../../m/f", "dir/dangup");	/* climbs far above the root, then m/f */
	ln("dangf", "dir/chain");		/* a dangling link through another */
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb, (void)flag, (void)f;
	return remove(p);
}

/* Whether fd is the object at rel inside the root (same device and inode). */
static bool is_at(int fd, int rootfd, const char *rel)
{
	struct stat a, b;
	if (fstat(fd, &a) < 0)
		return false;
	if (fstatat(rootfd, rel, &b, AT_SYMLINK_NOFOLLOW | (*rel ? 0 : AT_EMPTY_PATH)) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void expect_at(int rootfd, const char *path, unsigned flags, const char *want, const char *name)
{
	struct oerr e = { 0 };
	int fd = pathres_open(rootfd, path, flags, &e);
	CHECK(name, fd >= 0 && is_at(fd, rootfd, want), "resolve %s: fd=%d %s (want %s)", path, fd,
	      fd < 0 ? e.msg : "wrong object", want);
	if (fd >= 0)
		close(fd);
}

static void expect_err(int rootfd, const char *path, unsigned flags, int err, const char *name)
{
	struct oerr e = { 0 };
	int fd = pathres_open(rootfd, path, flags, &e);
	CHECK(name, fd == -err && e.code == err, "resolve %s: got %d (%s), want %d", path, fd, e.msg, -err);
	if (fd >= 0)
		close(fd);
}

static void run_cases(void)
{
	build();
	int rootfd = open(rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		bail(rootdir);
	struct oerr e = { 0 };

	expect_at(rootfd, "etc/passwd", 0, "etc/passwd", "plain path");
	expect_at(rootfd, "/etc/passwd", 0, "etc/passwd", "absolute path taken from the root");
	expect_at(rootfd, "abs/passwd", 0, "etc/passwd", "absolute symlink to /etc stays inside");
	expect_at(rootfd, "/abs", 0, "etc", "final symlink is followed inside");
	expect_at(rootfd, "up/etc/passwd", 0, "etc/passwd", "../../.. symlink chain stops at the root");
	expect_at(rootfd, "up/up/abs/passwd", 0, "etc/passwd", "symlink chains stay inside");
	expect_at(rootfd, "absup/passwd", 0, "etc/passwd", "/../../etc symlink stays inside");
	expect_at(rootfd, "../../../../etc/passwd", 0, "etc/passwd", "leading .. stops at the root");
	expect_at(rootfd, "dir/rel/passwd", 0, "etc/passwd", "relative symlink");
	expect_at(rootfd, "dir/dotdot/passwd", 0, "etc/passwd", "relative symlink climbing out stops at the root");
	expect_at(rootfd, "dir/twisty", 0, "etc/passwd", "symlink with .. after a directory");
	expect_at(rootfd, "dir/sub/../../file", 0, "file", "dotdot inside the path");
	expect_at(rootfd, "", 0, "", "empty path is the root");
	expect_at(rootfd, "/", 0, "", "/ is the root");
	expect_at(rootfd, "up", 0, "", "symlink to far above is the root");
	expect_err(rootfd, "loop1", 0, ELOOP, "symlink loop");
	expect_err(rootfd, "self/x", 0, ELOOP, "self-referencing symlink");
	expect_err(rootfd, "file/x", 0, ENOTDIR, "file in the middle");
	expect_err(rootfd, "missing/x", 0, ENOENT, "missing component");
	expect_err(rootfd, "dangling", 0, ENOENT, "dangling symlink");
	expect_err(rootfd, "magic/passwd", 0, ENOENT, "/proc/self/root link text resolves inside");

	/* creation */
	int fd = pathres_open(rootfd, "abs/newdir/a", PATHRES_MKDIR, &e);
	struct stat sb;
	CHECK("mkdir through an absolute symlink creates inside", fd >= 0 && is_at(fd, rootfd, "etc/newdir/a"),
	      "fd=%d %s", fd, e.msg);
	CHECK("mkdir through an absolute symlink leaves the host alone", stat("/etc/newdir", &sb) < 0 && errno == ENOENT,
	      "/etc/newdir exists");
	if (fd >= 0)
		close(fd);
	fd = pathres_open(rootfd, "dangling/x", PATHRES_MKDIR, &e);
	CHECK("mkdir through a dangling symlink creates its target inside", fd >= 0 && is_at(fd, rootfd, "newdir/deep/x"),
	      "fd=%d %s", fd, e.msg);
	if (fd >= 0)
		close(fd);
	fd = pathres_open(rootfd, "up/up/made", PATHRES_MKDIR, &e);
	CHECK("mkdir below a climbing symlink lands in the root", fd >= 0 && is_at(fd, rootfd, "made"), "fd=%d %s", fd, e.msg);
	if (fd >= 0)
		close(fd);
	fd = pathres_open(rootfd, "dir/sub", PATHRES_MKDIR, &e);
	CHECK("mkdir of an existing directory", fd >= 0 && is_at(fd, rootfd, "dir/sub"), "fd=%d %s", fd, e.msg);
	if (fd >= 0)
		close(fd);
	expect_err(rootfd, "file/x", PATHRES_MKDIR, ENOTDIR, "mkdir below a file");
	expect_err(rootfd, "loop1/x", PATHRES_MKDIR, ELOOP, "mkdir through a loop");

	/* no symlinks at all (proc/sysfs/devpts mount points) */
	expect_at(rootfd, "/dir/sub", PATHRES_NO_SYMLINKS, "dir/sub", "no-symlinks accepts a plain path");
	e = (struct oerr){ 0 };
	fd = pathres_open(rootfd, "/proc", PATHRES_NO_SYMLINKS | PATHRES_MKDIR, &e);
	CHECK("no-symlinks refuses a symlinked /proc", fd == -ELOOP && strcmp(e.msg, "/proc in rootfs is a symlink") == 0,
	      "fd=%d msg '%s'", fd, e.msg);
	e = (struct oerr){ 0 };
	fd = pathres_open(rootfd, "/abs/x/y", PATHRES_NO_SYMLINKS | PATHRES_MKDIR, &e);
	CHECK("no-symlinks names the symlinked component", fd == -ELOOP && strcmp(e.msg, "/abs in rootfs is a symlink") == 0,
	      "fd=%d msg '%s'", fd, e.msg);
	CHECK("no-symlinks created nothing past the link", stat("/etc/x", &sb) < 0, "/etc/x exists");

	/* parents */
	char *name = NULL;
	fd = pathres_open_parent(rootfd, "/abs/passwd", 0, &name, &e);
	CHECK("open_parent through a symlink", fd >= 0 && name && strcmp(name, "passwd") == 0 && is_at(fd, rootfd, "etc"),
	      "fd=%d name %s %s", fd, name ? name : "-", e.msg);
	if (fd >= 0)
		close(fd);
	free(name);
	name = NULL;
	fd = pathres_open_parent(rootfd, "/x/../../devs/a/b/null", PATHRES_MKDIR, &name, &e);
	CHECK("open_parent creates parents of a cleaned path", fd >= 0 && name && strcmp(name, "null") == 0 &&
	      is_at(fd, rootfd, "devs/a/b"), "fd=%d %s", fd, e.msg);
	if (fd >= 0)
		close(fd);
	free(name);
	name = NULL;
	fd = pathres_open_parent(rootfd, "/top", 0, &name, &e);
	CHECK("open_parent of a top-level name is the root", fd >= 0 && name && strcmp(name, "top") == 0 && is_at(fd, rootfd, ""),
	      "fd=%d %s", fd, e.msg);
	if (fd >= 0)
		close(fd);
	free(name);
	name = NULL;
	e = (struct oerr){ 0 };
	fd = pathres_open_parent(rootfd, "/a/..", 0, &name, &e);
	CHECK("open_parent refuses the root itself", fd == -EINVAL && !name, "fd=%d", fd);
	fd = pathres_open_parent(rootfd, "/file/x", 0, &name, &e);
	CHECK("open_parent below a file", fd == -ENOTDIR, "fd=%d %s", fd, e.msg);
	if (fd >= 0)
		close(fd);
	free(name);

	/* where a missing path would be made, dangling links followed */
	name = NULL;
	fd = pathres_open_missing(rootfd, "/dir/dangf", PATHRES_MKDIR, &name, &e);
	CHECK("open_missing follows a dangling absolute link inside, making its directory",
	      fd >= 0 && name && strcmp(name, "f") == 0 && is_at(fd, rootfd, "data"), "fd=%d %s", fd, e.msg);
	if (fd >= 0)
		close(fd);
	free(name);
	name = NULL;
	fd = pathres_open_missing(rootfd, "dir/dangup", PATHRES_MKDIR, &name, &e);
	CHECK("open_missing: a link climbing above the root stops there", fd >= 0 && name && strcmp(name, "f") == 0 &&
	      is_at(fd, rootfd, "m"), "fd=%d %s", fd, e.msg);
	if (fd >= 0)
		close(fd);
	free(name);
	name = NULL;
	e = (struct oerr){ 0 };
	fd = pathres_open_missing(rootfd, "dir/chain", 0, &name, &e);
	CHECK("open_missing follows a chain of links", fd >= 0 && name && strcmp(name, "f") == 0 && is_at(fd, rootfd, "data"),
	      "fd=%d %s", fd, e.msg);
	if (fd >= 0)
		close(fd);
	free(name);
	name = NULL;
	fd = pathres_open_missing(rootfd, "/abs/passwd", 0, &name, &e);
	CHECK("open_missing of something that exists: EEXIST", fd == -EEXIST && !name, "fd=%d", fd);
	fd = pathres_open_missing(rootfd, "/nodir/x", 0, &name, &e);
	CHECK("open_missing without PATHRES_MKDIR and a missing directory: ENOENT", fd == -ENOENT && !name, "fd=%d", fd);
	fd = pathres_open_missing(rootfd, "loop1", 0, &name, &e);
	CHECK("open_missing through a loop: ELOOP", fd == -ELOOP && !name, "fd=%d", fd);

	close(rootfd);
	nftw(rootdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_clean(void)
{
	static const char *const cases[][2] = {
		{ "", "/" }, { "/", "/" }, { "a/b", "/a/b" }, { "//a//./b/", "/a/b" },
		{ "/x/../../etc", "/etc" }, { "..", "/" }, { "/a/b/..", "/a" }, { "/a/../b/../c", "/c" },
		{ "./a", "/a" }, { "/a/...", "/a/..." }, { "/dev/pts/", "/dev/pts" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *c = pathres_clean(cases[i][0]);
		char name[128];
		snprintf(name, sizeof(name), "clean '%s'", cases[i][0]);
		CHECK(name, c && strcmp(c, cases[i][1]) == 0, "got '%s' want '%s'", c ? c : "(null)", cases[i][1]);
		free(c);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	mode_name = "lexical";
	test_clean();

	unsetenv("OCIRT_TEST_NO_OPENAT2");
	mode_name = "openat2";
	if (pathres_have_openat2())
		run_cases();
	else
		printf("# openat2 is not available here: only the fallback walk is tested\n");

	setenv("OCIRT_TEST_NO_OPENAT2", "1", 1);
	mode_name = "walk";
	CHECK("OCIRT_TEST_NO_OPENAT2=1 turns openat2 off", !pathres_have_openat2(), "still on");
	run_cases();

	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	printf("1..%d\n", n_test);
	return n_fail ? 1 : 0;
}
