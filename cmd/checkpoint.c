/* checkpoint and restore, with runc's flags. */
#include "cmd/commands.h"
#include "cmd/foreground.h"
#include "lib/container/checkpoint.h"
#include "base/util.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

/* runc's default image path: ./checkpoint */
static int image_path_default(struct cr_opts *o, char *buf, size_t len, struct oerr *e)
{
	if (o->image_path && *o->image_path)
		return 0;
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return oerr_set(e, errno, "current directory");
	snprintf(buf, len, "%s/checkpoint", cwd);
	o->image_path = buf;
	return 0;
}

/* Help, the flags, the one id, and the flag values that need parsing.
 * 1 after help, 0, or negative with e filled. */
static int cr_args(const char *cmd, const struct opt *opts, int argc, char **argv, struct cr_opts *o,
		   const char *const *cg_mode, struct strlist *empty_ns, char *img, size_t len, const char **id,
		   struct oerr *e)
{
	int ret = one_id_args(cmd, opts, argc, argv, id, e);
	if (ret == 0)
		ret = cr_parse_cg_mode(*cg_mode, &o->cg_mode, e);
	for (size_t i = 0; ret == 0 && i < empty_ns->n; i++)
		ret = cr_parse_empty_ns(empty_ns->v[i], &o->empty_ns, e);
	if (ret == 0)
		ret = image_path_default(o, img, len, e);
	return ret;
}

int cmd_checkpoint(int argc, char **argv)
{
	struct cr_opts o = { .criu = G.criu, .status_fd = -1 };
	const char *cg_mode = NULL;
	struct strlist empty_ns = { 0 };
	const struct opt opts[] = {
		{ "image-path", 0, OPT_STR, &o.image_path, "path for the CRIU images (default: ./checkpoint)" },
		{ "work-path", 0, OPT_STR, &o.work_path, "path for CRIU's log and work files (default: the image path)" },
		{ "parent-path", 0, OPT_STR, &o.parent_path, "previous images (a pre-dump), relative to the image path" },
		{ "leave-running", 0, OPT_BOOL, &o.leave_running, "leave the container running after the checkpoint" },
		{ "tcp-established", 0, OPT_BOOL, &o.tcp_established, "allow open TCP connections" },
		{ "ext-unix-sk", 0, OPT_BOOL, &o.ext_unix_sk, "allow external unix sockets" },
		{ "shell-job", 0, OPT_BOOL, &o.shell_job, "allow shell jobs" },
		{ "file-locks", 0, OPT_BOOL, &o.file_locks, "checkpoint file locks" },
		{ "pre-dump", 0, OPT_BOOL, &o.pre_dump, "dump memory only, leave the container running" },
		{ "manage-cgroups-mode", 0, OPT_STR, &cg_mode, "cgroups mode: soft|full|strict|ignore (default: soft)" },
		{ "empty-ns", 0, OPT_STRLIST, &empty_ns, "create this namespace empty on restore (network)" },
		{ "auto-dedup", 0, OPT_BOOL, &o.auto_dedup, "deduplicate memory images against the parent's" },
		{ "lazy-pages", 0, OPT_BOOL, &o.lazy_pages, "leave memory pages to be fetched lazily (userfaultfd)" },
		{ "page-server", 0, OPT_STR, &o.page_server, "ADDRESS:PORT of a page server (with --lazy-pages: "
							     "where to serve the pages)" },
		{ "status-fd", 0, OPT_INT, &o.status_fd, "with --lazy-pages: write '\\0' to this fd once pages can be fetched" },
		{ 0 },
	};
	struct oerr e = { 0 };
	char img[PATH_MAX + 16];
	const char *id;
	int ret = cr_args("checkpoint", opts, argc, argv, &o, &cg_mode, &empty_ns, img, sizeof(img), &id, &e);
	if (ret == 0)
		ret = container_checkpoint(G.root, id, &o, &e);
	free(empty_ns.v);
	return ret < 0 ? fail(&e) : 0;
}

int cmd_restore(int argc, char **argv)
{
	struct cr_opts o = { .criu = G.criu, .status_fd = -1 };
	struct restore_opts ro = { .root = G.root };
	const char *cg_mode = NULL;
	struct strlist empty_ns = { 0 };
	bool detach = false, no_subreaper = false, no_pivot = false;
	const struct opt opts[] = {
		{ "image-path", 0, OPT_STR, &o.image_path, "path of the CRIU images (default: ./checkpoint)" },
		{ "work-path", 0, OPT_STR, &o.work_path, "path for CRIU's log and work files (default: the image path)" },
		{ "bundle", 'b', OPT_STR, &ro.bundle, "path to the bundle (default: current directory)" },
		{ "detach", 'd', OPT_BOOL, &detach, "do not wait for the restored container" },
		{ "pid-file", 0, OPT_STR, &ro.pid_file, "write the init's pid to this file" },
		{ "console-socket", 0, OPT_STR, &ro.console_socket, "unix socket that receives the pty master" },
		{ "no-subreaper", 0, OPT_BOOL, &no_subreaper, "in the foreground, do not become a child subreaper" },
		{ "no-pivot", 0, OPT_BOOL, &no_pivot, "accepted for runc's sake: CRIU makes the restored mount "
						      "namespace and its root itself" },
		{ "tcp-established", 0, OPT_BOOL, &o.tcp_established, "restore open TCP connections" },
		{ "ext-unix-sk", 0, OPT_BOOL, &o.ext_unix_sk, "allow external unix sockets" },
		{ "shell-job", 0, OPT_BOOL, &o.shell_job, "allow shell jobs" },
		{ "file-locks", 0, OPT_BOOL, &o.file_locks, "restore file locks" },
		{ "manage-cgroups-mode", 0, OPT_STR, &cg_mode, "cgroups mode: soft|full|strict|ignore (default: soft)" },
		{ "empty-ns", 0, OPT_STRLIST, &empty_ns, "create this namespace empty (network)" },
		{ "auto-dedup", 0, OPT_BOOL, &o.auto_dedup, "punch holes in the images as pages are restored" },
		{ "lazy-pages", 0, OPT_BOOL, &o.lazy_pages, "fetch memory pages lazily from a criu lazy-pages daemon" },
		{ 0 },
	};
	struct oerr e = { 0 };
	char img[PATH_MAX + 16];
	int ret = cr_args("restore", opts, argc, argv, &o, &cg_mode, &empty_ns, img, sizeof(img), &ro.id, &e);
	free(empty_ns.v);
	if (ret != 0)
		return ret < 0 ? fail(&e) : 0;
	/* restore makes the cgroup as the cgroupfs driver does, and CRIU puts
	 * the processes there: no unit for systemd to hold them. */
	if (G.systemd_cgroup) {
		oerr_setx(&e, ENOTSUP, "restore: --systemd-cgroup is not supported (the restored container's cgroup "
			  "is made through cgroupfs)");
		return fail(&e);
	}
	pid_t pid;
	if (detach)
		return container_restore(&ro, &o, &pid, &e) < 0 ? fail(&e) : 0;

	/* In the foreground, as run: a terminal is proxied, signals forwarded,
	 * and the container deleted when its init exits. */
	struct foreground f;
	int master = -1;
	ro.console_master = ro.console_socket ? NULL : &master;
	if (container_restore(&ro, &o, &pid, &e) < 0)
		return fail(&e);
	foreground_begin(&f);
	if (no_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	f.master = master;
	int status = foreground_wait(&f, pid);
	if (container_delete(G.root, ro.id, true, &e) < 0)
		fail(&e);
	foreground_end(&f);
	return status;
}
