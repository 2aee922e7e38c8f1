/* The physical floor of a container runtime: only what the kernel must do to
 * run a process in a container like the benchmark's bundle, with nothing a
 * runtime adds (no config, no state dir, no hooks, no masked paths, no
 * capabilities, no seccomp, no sync protocol). ocirt-bench runs it beside the
 * runtimes so that everyone measures the same gap.
 *
 *   floor run [--cgroups] ROOTFS CMD [ARG...]
 *       clone into new mount, pid, uts, ipc and network namespaces, bind
 *       ROOTFS on itself, mount /proc in it, pivot_root, exec CMD, wait.
 *       --cgroups: first make a cgroup below the caller's own in every
 *       hierarchy, have the child join it (clone3 CLONE_INTO_CGROUP for
 *       cgroup2, "0" written to each v1 tasks file) and remove it after.
 *   floor exec [--cgroups] PID CMD [ARG...]
 *       join PID's ipc, uts, net, pid and mount namespaces (and, with
 *       --cgroups, its cgroups), fork into its pid namespace, exec CMD, wait.
 *   floor spawn CMD [ARG...]
 *       fork and exec CMD, wait, and write its ru_maxrss (KiB) to fd 3. Being
 *       small and static, this launcher's own pages add little to the child's
 *       figure (posix_spawn's vfork would hand the child its parent's).
 *
 * Exit status: CMD's, 128+n if it was killed by signal n, 125 on a setup
 * failure (with a message on stderr).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_HIER 16

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		die(path);
	close(fd);
}

/* The cgroups made for one container: the v1 directories, and the cgroup2
 * one with an fd for CLONE_INTO_CGROUP. */
struct cgroups {
	char v1[MAX_HIER][512];
	int n_v1;
	char v2[512];
	int v2_fd;
};

static bool is_cgroup2(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* Where the hierarchy of /proc/self/cgroup's CONTROLLERS field is mounted: the
 * Debian layout, /sys/fs/cgroup/<controllers> (name=x -> x). */
static bool v1_mount(const char *controllers, char *out, size_t len)
{
	const char *name = strncmp(controllers, "name=", 5) ? controllers : controllers + 5;
	snprintf(out, len, "/sys/fs/cgroup/%s", name);
	struct stat st;
	return stat(out, &st) == 0 && S_ISDIR(st.st_mode);
}

static void copy_file(const char *from, const char *to)
{
	char buf[4096];
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		die(from);
	close(fd);
	buf[n] = '\0';
	write_file(to, buf);
}

/* A new v1 cpuset cgroup takes no task until it has cpus and mems: its
 * parent's (what any runtime must do there too). */
static void cpuset_inherit(const char *dir)
{
	char from[600], to[600];
	for (int i = 0; i < 2; i++) {
		const char *f = i ? "cpuset.mems" : "cpuset.cpus";
		snprintf(from, sizeof(from), "%s/../%s", dir, f);
		snprintf(to, sizeof(to), "%s/%s", dir, f);
		copy_file(from, to);
	}
}

/* Make a cgroup named NAME beside PID's own (below its parent's path) in
 * every hierarchy PID is in. */
static void cgroups_make(struct cgroups *cg, pid_t pid, const char *name)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		die(path);
	cg->n_v1 = 0;
	cg->v2[0] = '\0';
	cg->v2_fd = -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctrl = c1 + 1, *rel = c2 + 1;
		char mnt[256], dir[512];
		if (!*ctrl) {
			if (is_cgroup2("/sys/fs/cgroup"))
				strcpy(mnt, "/sys/fs/cgroup");
			else if (is_cgroup2("/sys/fs/cgroup/unified"))
				strcpy(mnt, "/sys/fs/cgroup/unified");
			else
				continue;
		} else if (!v1_mount(ctrl, mnt, sizeof(mnt)) || cg->n_v1 == MAX_HIER) {
			continue;
		}
		snprintf(dir, sizeof(dir), "%s%s/%s", mnt, strcmp(rel, "/") ? rel : "", name);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			die(dir);
		if (strstr(ctrl, "cpuset"))
			cpuset_inherit(dir);
		if (*ctrl) {
			strcpy(cg->v1[cg->n_v1++], dir);
		} else {
			strcpy(cg->v2, dir);
			cg->v2_fd = open(dir, O_DIRECTORY | O_PATH | O_CLOEXEC);
			if (cg->v2_fd < 0)
				die(dir);
		}
	}
	fclose(f);
}

/* The calling process joins the v1 cgroups by itself. */
static void cgroups_join_v1(const struct cgroups *cg)
{
	char path[600];
	for (int i = 0; i < cg->n_v1; i++) {
		snprintf(path, sizeof(path), "%s/tasks", cg->v1[i]);
		write_file(path, "0");
	}
}

static void cgroups_remove(struct cgroups *cg)
{
	for (int i = 0; i < cg->n_v1; i++)
		rmdir(cg->v1[i]);
	if (cg->v2[0])
		rmdir(cg->v2);
	if (cg->v2_fd >= 0)
		close(cg->v2_fd);
}

static pid_t clone3_into(uint64_t flags, int cgroup_fd)
{
	struct clone_args args = {
		.flags = flags | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
		.exit_signal = SIGCHLD,
		.cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0,
	};
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

static int wait_status(pid_t pid, struct rusage *ru)
{
	int st;
	while (wait4(pid, &st, 0, ru) < 0)
		if (errno != EINTR)
			die("wait4");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void child_rootfs(const char *rootfs, const struct cgroups *cg)
{
	if (cg)
		cgroups_join_v1(cg);
	char proc[4096];
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind the rootfs");
	snprintf(proc, sizeof(proc), "%s/proc", rootfs);
	if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("mount proc");
	if (chdir(rootfs) < 0)
		die("chdir to the rootfs");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("detach the old root");
	if (chdir("/") < 0)
		die("chdir /");
}

static int floor_run(bool with_cgroups, const char *rootfs, char **cmd)
{
	struct cgroups cg;
	if (with_cgroups) {
		char name[64];
		snprintf(name, sizeof(name), "floor-%d", (int)getpid());
		cgroups_make(&cg, getpid(), name);
	}
	pid_t pid = clone3_into(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET,
				with_cgroups ? cg.v2_fd : -1);
	if (pid < 0)
		die("clone3");
	if (pid == 0) {
		child_rootfs(rootfs, with_cgroups ? &cg : NULL);
		execv(cmd[0], cmd);
		die(cmd[0]);
	}
	int r = wait_status(pid, NULL);
	if (with_cgroups)
		cgroups_remove(&cg);
	return r;
}

static int floor_exec(bool with_cgroups, pid_t target, char **cmd)
{
	static const char *const ns[] = { "ipc", "uts", "net", "pid", "mnt" };
	int fds[5];
	for (int i = 0; i < 5; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)target, ns[i]);
		if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			die(path);
	}
	int cgroup_fd = -1;
	if (with_cgroups) {
		/* Join the target's own cgroups, with its paths read before the
		 * mount namespace changes what /sys/fs/cgroup shows. */
		char path[64], line[1024];
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)target);
		FILE *f = fopen(path, "re");
		if (!f)
			die(path);
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (!c2)
				continue;
			*c2 = '\0';
			char mnt[256], file[1400];
			if (!c1[1]) {
				const char *m = is_cgroup2("/sys/fs/cgroup")	      ? "/sys/fs/cgroup"
						: is_cgroup2("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified"
										       : NULL;
				if (!m)
					continue;
				snprintf(file, sizeof(file), "%s%s", m, c2 + 1);
				if ((cgroup_fd = open(file, O_DIRECTORY | O_PATH | O_CLOEXEC)) < 0)
					die(file);
			} else if (v1_mount(c1 + 1, mnt, sizeof(mnt))) {
				snprintf(file, sizeof(file), "%s%s/tasks", mnt, c2 + 1);
				write_file(file, "0");
			}
		}
		fclose(f);
	}
	for (int i = 0; i < 5; i++)
		if (setns(fds[i], 0) < 0)
			die(ns[i]);
	pid_t pid = clone3_into(0, cgroup_fd);
	if (pid < 0)
		die("clone3");
	if (pid == 0) {
		execv(cmd[0], cmd);
		die(cmd[0]);
	}
	return wait_status(pid, NULL);
}

static int floor_spawn(char **cmd)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execv(cmd[0], cmd);
		die(cmd[0]);
	}
	struct rusage ru;
	int r = wait_status(pid, &ru);
	dprintf(3, "%ld\n", ru.ru_maxrss);
	return r;
}

static void usage(void)
{
	fprintf(stderr, "usage: floor run [--cgroups] ROOTFS CMD [ARG...]\n"
			"       floor exec [--cgroups] PID CMD [ARG...]\n"
			"       floor spawn CMD [ARG...]\n"
			"       floor noop\n");
	exit(125);
}

int main(int argc, char **argv)
{
	/* noop: what any runtime command costs before it does anything (the
	 * benchmark's fork, the exec of a static binary, libc's start-up, exit). */
	if (argc == 2 && !strcmp(argv[1], "noop"))
		return 0;
	if (argc < 3)
		usage();
	const char *mode = argv[1];
	int i = 2;
	bool with_cgroups = false;
	if (!strcmp(argv[i], "--cgroups")) {
		with_cgroups = true;
		i++;
	}
	if (!strcmp(mode, "spawn") && !with_cgroups)
		return floor_spawn(argv + 2);
	if (argc - i < 2)
		usage();
	if (!strcmp(mode, "run"))
		return floor_run(with_cgroups, argv[i], argv + i + 1);
	if (!strcmp(mode, "exec"))
		return floor_exec(with_cgroups, (pid_t)atoi(argv[i]), argv + i + 1);
	usage();
}
