/* Unit tests (TAP) for lib/resctrl/resctrl.h (linux.intelRdt) against a
 * directory that stands in for the resctrl filesystem. The kernel fills a
 * new group with its files and removes a group whole; mkdir() and rmdir()
 * below do the same there, so the code under test runs unchanged: a
 * CTRL_MON group gets an empty schemata, tasks and mon_groups/, a MON group
 * gets tasks, and a MON group named "nospace" fails as the kernel does when
 * no monitoring id is left. */
#include "tests/tap.h"
#include "base/util.h"
#include "lib/resctrl/resctrl.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static char root[PATH_MAX];

static void put(const char *path, const char *text)
{
	struct oerr e;
	write_file_at(AT_FDCWD, path, text, strlen(text), true, &e);
}

int mkdir(const char *path, mode_t mode)
{
	size_t rl = strlen(root);
	const char *last = strrchr(path, '/');
	bool in_root = *root && !strncmp(path, root, rl) && path[rl] == '/';
	bool mon = in_root && last && last - path > 11 && !strncmp(last - 11, "/mon_groups", 11);
	if (mon && !strcmp(last + 1, "nospace")) {
		errno = ENOSPC;
		return -1;
	}
	if (syscall(SYS_mkdir, path, mode) < 0)
		return -1;
	if (!in_root)
		return 0;
	char f[PATH_MAX + 16];
	snprintf(f, sizeof(f), "%s/tasks", path);
	put(f, "");
	if (!mon) {
		snprintf(f, sizeof(f), "%s/schemata", path);
		put(f, "");
		snprintf(f, sizeof(f), "%s/mon_groups", path);
		syscall(SYS_mkdir, f, 0755);
	}
	return 0;
}

/* What the kernel's rmdir of a group takes with it. */
static int remove_tree(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char sub[PATH_MAX + 256];
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR)
			remove_tree(sub);
		else
			unlink(sub);
	}
	return (int)syscall(SYS_rmdir, path);
}

int rmdir(const char *path)
{
	size_t rl = strlen(root);
	if (!*root || strncmp(path, root, rl) || path[rl] != '/')
		return (int)syscall(SYS_rmdir, path);
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	return remove_tree(path);
}

static char *slurp(const char *rel)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	char *text = NULL;
	struct oerr e;
	if (read_file_at(AT_FDCWD, path, &text, NULL, &e) < 0)
		return NULL;
	return text;
}

static bool exists(const char *rel)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	struct stat st;
	return stat(path, &st) == 0;
}

/* A group made beforehand (by an administrator), with its schemata. */
static void group(const char *name, const char *schemata)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", root, name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/schemata", root, name);
	put(path, schemata);
}

static void test_find_root(void)
{
	char mi[PATH_MAX + 16], found[PATH_MAX] = "";
	struct oerr e = { 0 };
	snprintf(mi, sizeof(mi), "%s/mountinfo", root);
	put(mi, "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
		"40 22 0:35 / /sys/fs/resctrl rw,relatime shared:7 - resctrl resctrl rw,mba_MBps\n");
	ok(rdt_find_root(mi, found, sizeof(found), &e) == 0 && !strcmp(found, "/sys/fs/resctrl"),
	   "the resctrl mount is found in mountinfo", "%s %s", found, e.msg);
	put(mi, "40 22 0:35 / /my\\040rdt rw - resctrl resctrl rw\n");
	ok(rdt_find_root(mi, found, sizeof(found), &e) == 0 && !strcmp(found, "/my rdt"),
	   "an escaped mount point", "%s", found);
	put(mi, "22 1 0:21 / /proc rw,nosuid - proc proc rw\n");
	int r = rdt_find_root(mi, found, sizeof(found), &e);
	ok(r == -ENOENT && !strncmp(e.msg, "linux.intelRdt: no resctrl filesystem is mounted", 48),
	   "no resctrl: an error naming the field", "r=%d %s", r, e.msg);
}

static void test_groups(void)
{
	struct rdt_group g;
	struct oerr e = { 0 };
	char want[PATH_MAX * 2];

	/* closID unset: the container's own group, no schemata written */
	struct spec_intel_rdt none = { 0 };
	int r = rdt_prepare(&none, root, "ctr1", &g, &e);
	snprintf(want, sizeof(want), "%s/ctr1", root);
	ok(r == 0 && g.created && !strcmp(g.dir, want) && !g.mon_dir, "no closID: group <id> made", "r=%d %s", r, e.msg);
	_cleanup_free_ char *s1 = slurp("ctr1/schemata");
	ok(s1 && !*s1, "no schemata asked: none written", "got %s", s1 ? s1 : "(none)");
	ok(rdt_destroy(g.dir, g.mon_dir, g.created, &e) == 0 && !exists("ctr1"), "delete removes a group it made",
	   "%s", e.msg);
	rdt_group_free(&g);

	/* schemata in the spec's order: l3CacheSchema, memBwSchema, then schemata[] */
	char *lines[] = { "L2:0=f;1=f", "L3CODE:0=3", NULL };
	struct spec_intel_rdt all = { .l3_cache_schema = "L3:0=7f0;1=1f", .mem_bw_schema = "MB:0=20;1=70",
				      .schemata = lines, .n_schemata = 2 };
	r = rdt_prepare(&all, root, "ctr2", &g, &e);
	_cleanup_free_ char *s2 = slurp("ctr2/schemata");
	ok(r == 0 && s2 && !strcmp(s2, "L3:0=7f0;1=1f\nMB:0=20;1=70\nL2:0=f;1=f\nL3CODE:0=3\n"),
	   "schemata written in order", "r=%d %s got %s", r, e.msg, s2 ? s2 : "(none)");
	rdt_destroy(g.dir, g.mon_dir, g.created, &e);
	rdt_group_free(&g);

	/* closID set, group missing, schemata given: made and written */
	struct spec_intel_rdt named = { .clos_id = "gold", .l3_cache_schema = "L3:0=ff" };
	r = rdt_prepare(&named, root, "ctr3", &g, &e);
	_cleanup_free_ char *s3 = slurp("gold/schemata");
	ok(r == 0 && g.created && s3 && !strcmp(s3, "L3:0=ff\n"), "closID missing: made and written",
	   "r=%d %s", r, e.msg);
	rdt_destroy(g.dir, g.mon_dir, g.created, &e);
	rdt_group_free(&g);

	/* closID set, group there: compared, never written */
	group("silver", "    L3:0=7f0;1=01f\n    MB:0=20;1=70\n");
	struct spec_intel_rdt same = { .clos_id = "silver", .l3_cache_schema = "L3:0=07F0;1=1f",
				       .mem_bw_schema = "MB:1=70" };
	r = rdt_prepare(&same, root, "ctr4", &g, &e);
	_cleanup_free_ char *s4 = slurp("silver/schemata");
	ok(r == 0 && !g.created && s4 && !strcmp(s4, "    L3:0=7f0;1=01f\n    MB:0=20;1=70\n"),
	   "closID there, same schemata: used as it is", "r=%d %s", r, e.msg);
	ok(rdt_destroy(g.dir, g.mon_dir, g.created, &e) == 0 && exists("silver"),
	   "delete leaves a group it did not make", "%s", e.msg);
	rdt_group_free(&g);
	struct spec_intel_rdt other = { .clos_id = "silver", .mem_bw_schema = "MB:0=30" };
	r = rdt_prepare(&other, root, "ctr5", &g, &e);
	ok(r == -EINVAL && !strcmp(e.msg, "linux.intelRdt: resctrl group \"silver\" exists with other schemata "
				    "than \"MB:0=30\" (it has L3:0=7f0;1=01f, MB:0=20;1=70)") && exists("silver"),
	   "closID there, other schemata: an error", "r=%d %s", r, e.msg);
	struct spec_intel_rdt absent_res = { .clos_id = "silver", .schemata = (char *[]){ "L2:0=f", NULL },
					     .n_schemata = 1 };
	r = rdt_prepare(&absent_res, root, "ctr5", &g, &e);
	ok(r == -EINVAL && strstr(e.msg, "other schemata than \"L2:0=f\""), "a resource the group lacks: an error",
	   "r=%d %s", r, e.msg);

	/* closID alone: a group made beforehand, which must exist */
	struct spec_intel_rdt alone = { .clos_id = "silver" };
	r = rdt_prepare(&alone, root, "ctr6", &g, &e);
	ok(r == 0 && !g.created, "closID alone, group there: joined", "r=%d %s", r, e.msg);
	rdt_group_free(&g);
	struct spec_intel_rdt missing = { .clos_id = "bronze" };
	r = rdt_prepare(&missing, root, "ctr6", &g, &e);
	ok(r == -ENOENT && !strcmp(e.msg, "linux.intelRdt.closID: resctrl group \"bronze\" does not exist "
				     "(without schemata, closID names a group made beforehand)") && !exists("bronze"),
	   "closID alone, no such group: an error, nothing made", "r=%d %s", r, e.msg);

	/* "/" is the root group */
	put(want, "");
	snprintf(want, sizeof(want), "%s/schemata", root);
	put(want, "MB:0=100\n");
	struct spec_intel_rdt top = { .clos_id = "/", .mem_bw_schema = "MB:0=100" };
	r = rdt_prepare(&top, root, "ctr7", &g, &e);
	ok(r == 0 && !g.created && !strcmp(g.dir, root), "closID \"/\": the root group, compared", "r=%d %s", r, e.msg);
	rdt_group_free(&g);
}

static void test_monitoring(void)
{
	struct rdt_group g;
	struct oerr e = { 0 };
	char want[PATH_MAX * 2];
	struct spec_intel_rdt mon = { .enable_monitoring = true };
	int r = rdt_prepare(&mon, root, "ctr8", &g, &e);
	snprintf(want, sizeof(want), "%s/ctr8/mon_groups/ctr8", root);
	ok(r == 0 && g.mon_dir && !strcmp(g.mon_dir, want) && exists("ctr8/mon_groups/ctr8"),
	   "enableMonitoring: MON group mon_groups/<id>", "r=%d %s", r, e.msg);
	int fd = rdt_open_tasks(g.dir, g.mon_dir, &e);
	ok(fd >= 0 && rdt_join_self(fd, &e) == 0, "join through the MON group's tasks", "%s", e.msg);
	_cleanup_free_ char *t = slurp("ctr8/mon_groups/ctr8/tasks");
	ok(t && !strcmp(t, "0"), "\"0\" (the writer itself) written to its tasks", "got %s", t ? t : "(none)");
	ok(rdt_destroy(g.dir, g.mon_dir, g.created, &e) == 0 && !exists("ctr8"), "delete removes both", "%s", e.msg);
	rdt_group_free(&g);

	group("shared", "");
	struct spec_intel_rdt mon_named = { .clos_id = "shared", .enable_monitoring = true };
	r = rdt_prepare(&mon_named, root, "ctr9", &g, &e);
	ok(r == 0 && exists("shared/mon_groups/ctr9"), "a MON group in a closID group", "r=%d %s", r, e.msg);
	ok(rdt_destroy(g.dir, g.mon_dir, g.created, &e) == 0 && !exists("shared/mon_groups/ctr9") &&
	   exists("shared"), "delete removes the MON group only", "%s", e.msg);
	rdt_group_free(&g);

	r = rdt_prepare(&mon, root, "nospace", &g, &e);
	ok(r == -ENOSPC && strstr(e.msg, "linux.intelRdt.enableMonitoring: make MON group ") &&
	   strstr(e.msg, "(no monitoring ids left)") && !exists("nospace"),
	   "no MON group to be had: an error, and the group made for it goes", "r=%d %s", r, e.msg);
}

int main(void)
{
	char tmpl[] = "/tmp/ocirt-test-resctrl-XXXXXX";
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(root, sizeof(root), "%s", tmpl);
	test_find_root();
	test_groups();
	test_monitoring();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpl);
	return tap_done();
}
