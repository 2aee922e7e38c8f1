/* Side-by-side benchmark of OCI runtimes on one busybox bundle.
 *
 *   ocirt-bench --bundle DIR [-n N] [--rounds R] NAME=PATH[,FLAG]...
 *       e.g. ocirt=build-bench/ocirt crun=/usr/bin/crun runc=/usr/sbin/runc
 *       FLAG: a global flag for every command of that runtime
 *       (crun=/usr/bin/crun,--systemd-cgroup)
 *
 * scripts/bench builds it and runs it; see there.
 *
 * Every measurement interleaves the runtimes (A B C A B C ...) so that drift on
 * a loaded machine hits them alike. It runs in a private mount namespace of its
 * own; on a hybrid cgroup host it detaches the cgroup2 mount at
 * /sys/fs/cgroup/unified there (never on the host's mounts), so that every
 * runtime sees the v1 hierarchies only (crun refuses the hybrid layout).
 *
 * Measurements, per runtime:
 *  - lifecycle: create + start + wait for /bin/true + delete, wall clock
 *    (CLOCK_MONOTONIC) and CPU time (user + system). CPU is that of the runtime
 *    commands (wait4, so whatever they fork and reap is included) plus that of
 *    the container's init, which outlives `create` and is reaped here (this
 *    program is a child subreaper): the runtime's own setup in the child before
 *    execve is a large part of the cost (runc's `runc init` is a Go process).
 *  - run: `run` of /bin/true, wall and CPU.
 *  - exec: `exec` of /bin/true into a running container (sleep), wall and CPU.
 *  - throughput: 4 concurrent workers each doing lifecycles; rounds of the
 *    runtimes interleaved; containers per second.
 *  - peak RSS (ru_maxrss, KiB) of each runtime command, and of the container's
 *    init before it execs (the runtime's code in the container). ru_maxrss is
 *    a maximum over the command and what it reaped, not a sum. The forked
 *    child's RSS before execve counts too: "floor" is that of a forked child
 *    of this program that exits at once.
 *  - min memory: the smallest linux.resources.memory.limit (4 KiB steps) under
 *    which create + start of /bin/true succeeds and it exits 0; the limit is
 *    checked to be in force in the init's memory cgroup.
 *
 * With --floor PATH (bench/floor.c), the floor is measured in the same
 * interleaving: "floor" runs /bin/true in new mount, pid, uts, ipc and
 * network namespaces on the bind-mounted rootfs with /proc (clone, mounts,
 * pivot_root, exec, wait: what the kernel must do, nothing a runtime adds);
 * "floor+cg" also makes, joins and removes a cgroup in each hierarchy; its
 * exec joins the first runtime's running container (namespaces and cgroups)
 * and runs /bin/true there. The ratios to floor+cg are printed beside those
 * to crun. Peak RSS is then measured in a pass of its own, each command
 * started by `floor spawn` (fork + exec from a small static launcher, whose
 * own pages are all a child's ru_maxrss inherits from before its execve).
 *
 * --scale C measures, instead of the above, how the lifecycle grows with 0,
 * 10, 100 and 1000 bind mounts in the config, and how `list` and `state`
 * grow from 1 to C created containers in the state root.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RT 5
#define MAX_N 2000
#define CMD_TIMEOUT 60 /* seconds a runtime command may take before it is killed */

enum { R_CREATE, R_INIT, R_START, R_STATE, R_DELETE, R_RUN, R_EXEC, R_N };
static const char *rss_names[R_N] = { "create", "init", "start", "state", "delete", "run", "exec" };

struct runtime {
	const char *name, *path, *flag;
	double life_wall[MAX_N], life_cpu[MAX_N], create_wall[MAX_N], start_wall[MAX_N], delete_wall[MAX_N];
	double init_cpu[MAX_N], run_wall[MAX_N], run_cpu[MAX_N], exec_wall[MAX_N], exec_cpu[MAX_N];
	long rss[R_N]; /* KiB, peak over all runs */
	double tp_time;
	bool is_floor; /* the floor program, not a runtime: only lifecycle and exec */
	int tp_count, tp_failed;
	long min_mem; /* bytes; -1 failed even at 64 MiB, -2 limit not in force */
};

static struct runtime rts[MAX_RT];
static int nrt;
static const char *bundle, *root_base = "/run/ocirt-bench";
static const char *floor_bin; /* --floor: bench/floor.c, also the RSS launcher */
static double noop_wall[MAX_N];	/* `floor noop`: one command's fixed cost */
static char rootfs[4096];
static char config_path[4096], config_saved[1 << 16];
static volatile pid_t current_child;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double ru_cpu(const struct rusage *ru)
{
	return ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 + ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

static void on_alarm(int sig)
{
	(void)sig;
	if (current_child > 0)
		kill(current_child, SIGKILL);
}

static void die(const char *msg)
{
	fprintf(stderr, "ocirt-bench: %s\n", msg);
	exit(1);
}

/* Run PATH with ARGV (ARGV[0] included) in the bundle dir; exit status, CPU
 * seconds and max RSS of it and what it reaped. */
static int spawn(const char *path, const char *const argv[], double *cpu, long *rss)
{
	/* Peak RSS through the launcher: its pipe carries the child's ru_maxrss. */
	int rss_pipe[2] = { -1, -1 };
	const char *largv[40];
	if (rss && floor_bin) {
		if (pipe2(rss_pipe, O_CLOEXEC) < 0)
			die("pipe failed");
		int n = 0;
		largv[n++] = floor_bin;
		largv[n++] = "spawn";
		largv[n++] = path;
		for (int i = 1; argv[i] && n < 39; i++)
			largv[n++] = argv[i];
		largv[n] = NULL;
		argv = largv;
		path = floor_bin;
	}
	pid_t pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (chdir(bundle) < 0)
			_exit(126);
		if (rss_pipe[1] >= 0 && dup2(rss_pipe[1], 3) < 0)
			_exit(126);
		execv(path, (char **)argv);
		_exit(127);
	}
	current_child = pid;
	alarm(CMD_TIMEOUT);
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4 failed");
	alarm(0);
	current_child = 0;
	if (cpu)
		*cpu = ru_cpu(&ru);
	long maxrss = ru.ru_maxrss;
	if (rss_pipe[0] >= 0) {
		char buf[32] = { 0 };
		close(rss_pipe[1]);
		maxrss = read(rss_pipe[0], buf, sizeof(buf) - 1) > 0 ? atol(buf) : 0;
		close(rss_pipe[0]);
	}
	if (rss && maxrss > *rss)
		*rss = maxrss;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run_cmd(struct runtime *rt, const char *const args[], double *cpu, long *rss)
{
	char root[256];
	snprintf(root, sizeof(root), "%s/%s", root_base, rt->name);
	const char *argv[32] = { rt->path, "--root", root, rt->flag };
	int n = rt->flag ? 4 : 3;
	for (int i = 0; args[i] && n < 30; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return spawn(rt->path, argv, cpu, rss);
}

#define RUN(rt, cpu, rss, ...) run_cmd(rt, (const char *const[]){ __VA_ARGS__, NULL }, cpu, rss)

/* The bundle's config with process.args replaced and, when MEM_LIMIT, a memory limit. */
static void write_config(const char *args_json, long mem_limit)
{
	char *p = strstr(config_saved, "\"args\"");
	if (!p)
		die("config.json has no process.args");
	char *open_b = strchr(p, '['), *close_b = strchr(p, ']');
	char *rest = close_b + 1;
	char *lin = mem_limit ? strstr(rest, "\"linux\"") : NULL;
	if (mem_limit && (!lin || strstr(rest, "\"resources\"")))
		die("config.json: need a \"linux\" object without \"resources\" for the memory limit");
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.bench-tmp", config_path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		die("cannot write config.json");
	fwrite(config_saved, 1, (size_t)(open_b - config_saved), f);
	fputs(args_json, f);
	if (lin) {
		char *brace = strchr(lin, '{');
		fwrite(rest, 1, (size_t)(brace + 1 - rest), f);
		fprintf(f, "\"resources\":{\"memory\":{\"limit\":%ld}},", mem_limit);
		fputs(brace + 1, f);
	} else {
		fputs(rest, f);
	}
	if (fclose(f) != 0 || rename(tmp, config_path) < 0)
		die("cannot write config.json");
}

/* The bundle's config running /bin/true with N read-only bind mounts of the
 * rootfs's /etc at /mnt/b0 ... /mnt/b<N-1> (the runtimes make the targets). */
static void write_config_mounts(int nmounts)
{
	write_config("[\"/bin/true\"]", 0);
	static char buf[1 << 16];
	FILE *f = fopen(config_path, "r");
	size_t len = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[len] = '\0';
	char *m = strstr(buf, "\"mounts\"");
	char *open_b = m ? strchr(m, '[') : NULL;
	if (!open_b)
		die("config.json has no mounts");
	FILE *g = fopen(config_path, "w");
	if (!g)
		die("cannot write config.json");
	fwrite(buf, 1, (size_t)(open_b + 1 - buf), g);
	for (int i = 0; i < nmounts; i++)
		fprintf(g, "{\"destination\":\"/mnt/b%d\",\"type\":\"bind\",\"source\":\"%s/etc\","
			   "\"options\":[\"rbind\",\"ro\"]},",
			i, rootfs);
	fputs(open_b + 1, g);
	if (fclose(g) != 0)
		die("cannot write config.json");
}

static void restore_config(void)
{
	FILE *f = fopen(config_path, "w");
	if (f) {
		fputs(config_saved, f);
		fclose(f);
	}
}

static pid_t read_pid(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/* The memory limit of PID's memory cgroup: v1's memory.limit_in_bytes, or
 * on a pure v2 host memory.max; -1 when unknown or "max". */
static long long cgroup_mem_limit(pid_t pid)
{
	char path[512], line[512];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long long v = -1;
	while (fgets(line, sizeof(line), f)) {
		char *c = strstr(line, ":memory:");
		bool v2 = !c && !strncmp(line, "0::", 3) && access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
		if (!c && !v2)
			continue;
		c = v2 ? line + 3 : c + strlen(":memory:");
		c[strcspn(c, "\n")] = '\0';
		snprintf(path, sizeof(path), v2 ? "/sys/fs/cgroup%s/memory.max" : "/sys/fs/cgroup/memory%s/memory.limit_in_bytes",
			 c);
		FILE *g = fopen(path, "r");
		if (g) {
			if (fscanf(g, "%lld", &v) != 1)
				v = -1;
			fclose(g);
		}
	}
	fclose(f);
	return v;
}

struct life {
	double wall, cpu, create, start, del, init_cpu;
	long long mem_limit; /* in force in the init's cgroup, when asked for */
};

/* create + start + wait for /bin/true + delete. 0 when all succeeded and the
 * process exited 0. RSS: measure the commands' peak RSS (through the launcher
 * when there is one: not for timing). */
static int lifecycle(struct runtime *rt, const char *id, struct life *l, bool check_limit, bool rss)
{
	char pidfile[256];
	snprintf(pidfile, sizeof(pidfile), "%s/%s.pid", root_base, id);
	double c1 = 0, c2 = 0, c3 = 0, t0 = now();
	int r = RUN(rt, &c1, rss ? &rt->rss[R_CREATE] : NULL, "create", "--pid-file", pidfile, id);
	double t1 = now();
	if (r) {
		RUN(rt, NULL, NULL, "delete", "-f", id);
		return r;
	}
	pid_t pid = read_pid(pidfile);
	if (check_limit && l)
		l->mem_limit = pid > 0 ? cgroup_mem_limit(pid) : -1;
	r = RUN(rt, &c2, rss ? &rt->rss[R_START] : NULL, "start", id);
	double t2 = now();
	if (r) {
		RUN(rt, NULL, NULL, "delete", "-f", id);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		unlink(pidfile);
		return r;
	}
	struct rusage ru = { 0 };
	if (pid > 0) {
		int st;
		current_child = pid;
		alarm(CMD_TIMEOUT);
		while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
			;
		alarm(0);
		current_child = 0;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			r |= 1;
		if (ru.ru_maxrss > rt->rss[R_INIT])
			rt->rss[R_INIT] = ru.ru_maxrss;
	} else {
		r |= 1;
	}
	double t3 = now();
	r |= RUN(rt, &c3, rss ? &rt->rss[R_DELETE] : NULL, "delete", id);
	double t4 = now();
	unlink(pidfile);
	if (l) {
		l->wall = t4 - t0;
		l->init_cpu = ru_cpu(&ru);
		l->cpu = c1 + c2 + c3 + l->init_cpu;
		l->create = t1 - t0;
		l->start = t2 - t1;
		l->del = t4 - t3;
	}
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p)
{
	static double tmp[MAX_N];
	memcpy(tmp, v, sizeof(double) * (size_t)n);
	qsort(tmp, (size_t)n, sizeof(double), cmp_double);
	int i = (int)(p * (n - 1) + 0.5);
	return tmp[i];
}

/* One burst: 4 workers, PER_WORKER lifecycles each. */
static void throughput_round(struct runtime *rt, int round, int per_worker)
{
	double t0 = now();
	pid_t workers[4];
	for (int w = 0; w < 4; w++) {
		workers[w] = fork();
		if (workers[w] == 0) {
			prctl(PR_SET_CHILD_SUBREAPER, 1);
			int fails = 0;
			for (int i = 0; i < per_worker; i++) {
				char id[64];
				snprintf(id, sizeof(id), "bt-%s-%d-%d-%d", rt->name, round, w, i);
				fails += lifecycle(rt, id, NULL, false, false) != 0;
			}
			_exit(fails > 255 ? 255 : fails);
		}
	}
	for (int w = 0; w < 4; w++) {
		int st;
		while (waitpid(workers[w], &st, 0) < 0 && errno == EINTR)
			;
		rt->tp_failed += !WIFEXITED(st) ? per_worker : WEXITSTATUS(st);
	}
	rt->tp_time += now() - t0;
	rt->tp_count += 4 * per_worker;
}

static int mem_probe(struct runtime *rt, long limit, long long *in_force)
{
	write_config("[\"/bin/true\"]", limit);
	struct life l = { .mem_limit = -1 };
	int r = lifecycle(rt, "bm-probe", &l, true, false);
	RUN(rt, NULL, NULL, "delete", "-f", "bm-probe");
	if (in_force)
		*in_force = l.mem_limit;
	return r;
}

/* Smallest memory limit (bytes, 4 KiB steps) under which /bin/true starts and exits 0. */
static long min_memory(struct runtime *rt)
{
	const long step = 4 << 10;
	long lo = 16 << 10, hi = 64 << 20;
	long long in_force = -1;
	if (mem_probe(rt, hi, &in_force) != 0)
		return -1;
	if (in_force < 0 || in_force > hi)
		return -2;
	if (mem_probe(rt, lo, NULL) == 0)
		return lo;
	while (hi - lo > step) {
		long mid = (lo + hi) / 2 / step * step;
		if (mem_probe(rt, mid, NULL) == 0)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static void private_mount_ns(void)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("ocirt-bench: private mount namespace");
		exit(1);
	}
	struct stat a, b;
	/* Hybrid host: hide cgroup2 so that every runtime sees a v1 host (crun needs that). */
	if (stat("/sys/fs/cgroup/unified", &a) == 0 && stat("/sys/fs/cgroup", &b) == 0 && a.st_dev != b.st_dev &&
	    umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0) {
		perror("ocirt-bench: umount /sys/fs/cgroup/unified (in the private namespace)");
		exit(1);
	}
}

/* The floor's lifecycle: one `floor run` of /bin/true, which is create,
 * start, wait and delete in one. */
static int floor_lifecycle(struct runtime *rt, double *wall, double *cpu, long *rss)
{
	bool cg = !strcmp(rt->name, "floor+cg");
	const char *argv[] = { floor_bin, "run", cg ? "--cgroups" : rootfs, cg ? rootfs : "/bin/true",
			       cg ? "/bin/true" : NULL, NULL };
	double t0 = now();
	int r = spawn(floor_bin, argv, cpu, rss);
	if (wall)
		*wall = now() - t0;
	return r;
}

/* The floor's exec of /bin/true into the running container whose init is PID. */
static int floor_exec(struct runtime *rt, pid_t pid, double *wall, double *cpu, long *rss)
{
	bool cg = !strcmp(rt->name, "floor+cg");
	char spid[16];
	snprintf(spid, sizeof(spid), "%d", (int)pid);
	const char *argv[] = { floor_bin, "exec", cg ? "--cgroups" : spid, cg ? spid : "/bin/true",
			       cg ? "/bin/true" : NULL, NULL };
	double t0 = now();
	int r = spawn(floor_bin, argv, cpu, rss);
	if (wall)
		*wall = now() - t0;
	return r;
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}


/* --scale: how the cost grows with the number of mounts in the config and
 * with the number of containers in the state root. */
static int scale(int n, int n_containers)
{
	static const int mounts[] = { 0, 10, 100, 1000 };
	printf("Lifecycle wall (create + start + wait + delete, median of %d, ms) with N read-only bind mounts in the config:\n\n", n);
	printf("| runtime | 0 | 10 | 100 | 1000 |\n|---|---|---|---|---|\n");
	/* The mount counts interleaved too (0 10 100 1000 0 10 ...), so that
	 * a drift of the machine's speed hits each column alike. */
	static double wall[MAX_RT][4][MAX_N];
	double res[MAX_RT][4];
	fprintf(stderr, "ocirt-bench: 0/10/100/1000 mounts, %d x 4 x %d runtimes\n", n, nrt);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 4; k++) {
			write_config_mounts(mounts[k]);
			for (int r = 0; r < nrt; r++) {
				if (rts[r].is_floor)
					continue;
				char id[64];
				struct life l;
				snprintf(id, sizeof(id), "bs-%s-%d-%d", rts[r].name, k, i);
				if (lifecycle(&rts[r], id, &l, false, false)) {
					fprintf(stderr, "ocirt-bench: %s lifecycle with %d mounts failed\n", rts[r].name, mounts[k]);
					return 1;
				}
				wall[r][k][i] = l.wall;
			}
		}
	for (int k = 0; k < 4; k++)
		for (int r = 0; r < nrt; r++)
			res[r][k] = rts[r].is_floor ? 0 : pct(wall[r][k], n, .5) * 1e3;
	for (int r = 0; r < nrt; r++)
		if (!rts[r].is_floor)
			printf("| %s | %.1f | %.1f | %.1f | %.1f |\n", rts[r].name, res[r][0], res[r][1], res[r][2], res[r][3]);

	printf("\n`list` and `state` wall (median of %d, ms) with C containers created (waiting) in the state root:\n\n", n);
	printf("| runtime | list, C=1 | list, C=%d | state, C=1 | state, C=%d |\n|---|---|---|---|---|\n", n_containers,
	       n_containers);
	write_config("[\"/bin/true\"]", 0);
	for (int r = 0; r < nrt; r++) {
		struct runtime *rt = &rts[r];
		if (rt->is_floor)
			continue;
		double list_t[2], state_t[2];
		int made = 0;
		for (int phase = 0; phase < 2; phase++) {
			int want = phase ? n_containers : 1;
			fprintf(stderr, "ocirt-bench: %s, %d containers\n", rt->name, want);
			for (; made < want; made++) {
				char id[64];
				snprintf(id, sizeof(id), "bc-%s-%d", rt->name, made);
				if (RUN(rt, NULL, NULL, "create", id)) {
					fprintf(stderr, "ocirt-bench: %s create %d failed\n", rt->name, made);
					break;
				}
			}
			char id0[64];
			snprintf(id0, sizeof(id0), "bc-%s-0", rt->name);
			for (int i = 0; i < n; i++) {
				double t0 = now();
				RUN(rt, NULL, NULL, "list");
				double t1 = now();
				RUN(rt, NULL, NULL, "state", id0);
				rt->exec_wall[i] = t1 - t0;
				rt->run_wall[i] = now() - t1;
			}
			list_t[phase] = pct(rt->exec_wall, n, .5) * 1e3;
			state_t[phase] = pct(rt->run_wall, n, .5) * 1e3;
		}
		for (int i = 0; i < made; i++) {
			char id[64];
			snprintf(id, sizeof(id), "bc-%s-%d", rt->name, i);
			RUN(rt, NULL, NULL, "delete", "-f", id);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		printf("| %s | %.1f | %.1f | %.1f | %.1f |%s\n", rt->name, list_t[0], list_t[1], state_t[0], state_t[1],
		       made < n_containers ? " (not all created!)" : "");
	}
	restore_config();
	return 0;
}

int main(int argc, char **argv)
{
	int n = 100, rounds = 5, scale_containers = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bundle") && i + 1 < argc)
			bundle = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--floor") && i + 1 < argc)
			floor_bin = argv[++i];
		else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale_containers = atoi(argv[++i]);
		else if (strchr(argv[i], '=') && nrt < MAX_RT) {
			char *eq = strchr(argv[i], '=');
			*eq = '\0';
			rts[nrt].name = argv[i];
			rts[nrt].path = eq + 1;
			char *comma = strchr(eq + 1, ',');
			if (comma) {
				*comma = '\0';
				rts[nrt].flag = comma + 1;
			}
			nrt++;
		} else {
			fprintf(stderr, "usage: ocirt-bench --bundle DIR [-n N] [--rounds R] [--floor PATH] [--scale C] NAME=RUNTIME[,FLAG]...\n");
			return 2;
		}
	}
	if (!bundle || !nrt || n < 5 || n > MAX_N || rounds < 1) {
		fprintf(stderr, "usage: ocirt-bench --bundle DIR [-n N(5..%d)] [--rounds R] [--floor PATH] [--scale C] NAME=RUNTIME[,FLAG]...\n", MAX_N);
		return 2;
	}
	int n_runtimes = nrt; /* rts[0..n_runtimes) are runtimes, the rest the floor */
	if (floor_bin) {
		if (nrt + 2 > MAX_RT) {
			fprintf(stderr, "ocirt-bench: at most %d runtimes with --floor\n", MAX_RT - 2);
			return 2;
		}
		rts[nrt++] = (struct runtime){ .name = "floor", .path = floor_bin, .is_floor = true };
		rts[nrt++] = (struct runtime){ .name = "floor+cg", .path = floor_bin, .is_floor = true };
		snprintf(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
		if (rootfs[0] != '/') {
			fprintf(stderr, "ocirt-bench: --bundle must be absolute with --floor\n");
			return 2;
		}
	}
	snprintf(config_path, sizeof(config_path), "%s/config.json", bundle);
	FILE *f = fopen(config_path, "r");
	if (!f || fread(config_saved, 1, sizeof(config_saved) - 1, f) == 0) {
		perror(config_path);
		return 1;
	}
	fclose(f);
	signal(SIGALRM, on_alarm);
	private_mount_ns();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	mkdir(root_base, 0700);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (scale_containers > 0)
		return scale(n, scale_containers);

	/* 1. lifecycle and run, interleaved. */
	fprintf(stderr, "ocirt-bench: lifecycle and run, %d x %d runtimes\n", n, nrt);
	write_config("[\"/bin/true\"]", 0);
	for (int i = 0; i < n; i++)
		for (int r = 0; r < nrt; r++) {
			struct runtime *rt = &rts[r];
			char id[64];
			struct life l;
			if (rt->is_floor) {
				if (floor_lifecycle(rt, &rt->life_wall[i], &rt->life_cpu[i], NULL)) {
					fprintf(stderr, "ocirt-bench: %s failed\n", rt->name);
					return 1;
				}
				if (!strcmp(rt->name, "floor")) {
					const char *noop_argv[] = { floor_bin, "noop", NULL };
					double t0 = now();
					if (spawn(floor_bin, noop_argv, NULL, NULL)) {
						fprintf(stderr, "ocirt-bench: floor noop failed\n");
						return 1;
					}
					noop_wall[i] = now() - t0;
				}
				continue;
			}
			snprintf(id, sizeof(id), "bl-%s-%d", rt->name, i);
			if (lifecycle(rt, id, &l, false, false)) {
				fprintf(stderr, "ocirt-bench: %s lifecycle failed\n", rt->name);
				return 1;
			}
			rt->life_wall[i] = l.wall;
			rt->life_cpu[i] = l.cpu;
			rt->init_cpu[i] = l.init_cpu;
			rt->create_wall[i] = l.create;
			rt->start_wall[i] = l.start;
			rt->delete_wall[i] = l.del;
			snprintf(id, sizeof(id), "br-%s-%d", rt->name, i);
			double t0 = now();
			if (RUN(rt, &rt->run_cpu[i], NULL, "run", id)) {
				fprintf(stderr, "ocirt-bench: %s run failed\n", rt->name);
				RUN(rt, NULL, NULL, "delete", "-f", id);
				return 1;
			}
			rt->run_wall[i] = now() - t0;
		}

	/* 2. exec into a running container, interleaved. */
	fprintf(stderr, "ocirt-bench: exec\n");
	write_config("[\"/bin/sleep\", \"1000\"]", 0);
	pid_t exec_target = -1; /* the first runtime's container: the floor execs into it */
	for (int r = 0; r < n_runtimes; r++) {
		char id[64], pidfile[256];
		snprintf(id, sizeof(id), "be-%s", rts[r].name);
		snprintf(pidfile, sizeof(pidfile), "%s/%s.pid", root_base, id);
		if (RUN(&rts[r], NULL, NULL, "run", "-d", "--pid-file", pidfile, id)) {
			fprintf(stderr, "ocirt-bench: %s run -d failed\n", rts[r].name);
			return 1;
		}
		if (r == 0)
			exec_target = read_pid(pidfile);
		unlink(pidfile);
	}
	for (int i = 0; i < n; i++)
		for (int r = 0; r < nrt; r++) {
			if (rts[r].is_floor) {
				if (floor_exec(&rts[r], exec_target, &rts[r].exec_wall[i], &rts[r].exec_cpu[i], NULL)) {
					fprintf(stderr, "ocirt-bench: %s exec failed\n", rts[r].name);
					return 1;
				}
				continue;
			}
			char id[64];
			snprintf(id, sizeof(id), "be-%s", rts[r].name);
			RUN(&rts[r], NULL, NULL, "state", id);
			double t0 = now();
			if (RUN(&rts[r], &rts[r].exec_cpu[i], NULL, "exec", id, "/bin/true")) {
				fprintf(stderr, "ocirt-bench: %s exec failed\n", rts[r].name);
				return 1;
			}
			rts[r].exec_wall[i] = now() - t0;
		}

	/* 3. peak RSS, a pass of its own (through the launcher when there is
	 * one, which adds an exec to every command). */
	fprintf(stderr, "ocirt-bench: peak RSS\n");
	for (int i = 0; i < 5; i++)
		for (int r = 0; r < nrt; r++) {
			struct runtime *rt = &rts[r];
			if (rt->is_floor) {
				floor_lifecycle(rt, NULL, NULL, &rt->rss[R_RUN]);
				floor_exec(rt, exec_target, NULL, NULL, &rt->rss[R_EXEC]);
				continue;
			}
			char id[64];
			write_config("[\"/bin/true\"]", 0);
			snprintf(id, sizeof(id), "bm-%s-%d", rt->name, i);
			lifecycle(rt, id, NULL, false, true);
			snprintf(id, sizeof(id), "bmr-%s-%d", rt->name, i);
			if (RUN(rt, NULL, &rt->rss[R_RUN], "run", id))
				RUN(rt, NULL, NULL, "delete", "-f", id);
			snprintf(id, sizeof(id), "be-%s", rt->name);
			RUN(rt, NULL, &rt->rss[R_STATE], "state", id);
			RUN(rt, NULL, &rt->rss[R_EXEC], "exec", id, "/bin/true");
		}
	for (int r = 0; r < n_runtimes; r++) {
		char id[64];
		snprintf(id, sizeof(id), "be-%s", rts[r].name);
		RUN(&rts[r], NULL, NULL, "delete", "-f", id);
	}

	/* 4. throughput: rounds of 4 concurrent workers, interleaved. */
	int per_worker = n / (2 * rounds) > 2 ? n / (2 * rounds) : 2;
	fprintf(stderr, "ocirt-bench: throughput, %d rounds x 4 workers x %d\n", rounds, per_worker);
	write_config("[\"/bin/true\"]", 0);
	for (int k = 0; k < rounds; k++)
		for (int r = 0; r < n_runtimes; r++)
			throughput_round(&rts[r], k, per_worker);

	/* 5. smallest memory limit. */
	fprintf(stderr, "ocirt-bench: memory limit search\n");
	for (int r = 0; r < n_runtimes; r++)
		rts[r].min_mem = min_memory(&rts[r]);
	restore_config();

	/* The floor of ru_maxrss: what a command's figure includes from before its
	 * execve: through the launcher, the launcher's own (it starts itself,
	 * which prints its usage and exits); without it, a forked child of this
	 * program that exits at once. */
	long floor_rss = 0;
	if (floor_bin) {
		const char *self_argv[] = { floor_bin, NULL };
		spawn(floor_bin, self_argv, NULL, &floor_rss);
	} else {
		pid_t fp = fork();
		if (fp == 0)
			_exit(0);
		struct rusage fru;
		if (fp > 0 && wait4(fp, NULL, 0, &fru) == fp)
			floor_rss = fru.ru_maxrss;
	}

	struct runtime *ref = NULL, *flo = NULL, *flocg = NULL;
	for (int r = 0; r < nrt; r++) {
		if (!strcmp(rts[r].name, "crun"))
			ref = &rts[r];
		else if (!strcmp(rts[r].name, "floor"))
			flo = &rts[r];
		else if (!strcmp(rts[r].name, "floor+cg"))
			flocg = &rts[r];
	}

	printf("n=%d per measurement, interleaved; times in ms (median / p95)\n\n", n);
	printf("| runtime | lifecycle wall | lifecycle CPU | create / start / delete wall (median) | init CPU | run wall | run CPU"
	       " | exec wall | exec CPU | 4 workers, containers/s |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|\n");
	for (int r = 0; r < nrt; r++) {
		struct runtime *t = &rts[r];
		if (t->is_floor) {
			printf("| %s | %.1f / %.1f | %.1f / %.1f | - | - | - | - | %.1f / %.1f | %.1f / %.1f | - |\n", t->name,
			       pct(t->life_wall, n, .5) * 1e3, pct(t->life_wall, n, .95) * 1e3,
			       pct(t->life_cpu, n, .5) * 1e3, pct(t->life_cpu, n, .95) * 1e3,
			       pct(t->exec_wall, n, .5) * 1e3, pct(t->exec_wall, n, .95) * 1e3,
			       pct(t->exec_cpu, n, .5) * 1e3, pct(t->exec_cpu, n, .95) * 1e3);
			continue;
		}
		printf("| %s | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f / %.1f | %.1f | %.1f / %.1f | %.1f | %.1f / %.1f | %.1f / %.1f"
		       " | %.1f%s |\n",
		       t->name, pct(t->life_wall, n, .5) * 1e3, pct(t->life_wall, n, .95) * 1e3,
		       pct(t->life_cpu, n, .5) * 1e3, pct(t->life_cpu, n, .95) * 1e3, pct(t->create_wall, n, .5) * 1e3,
		       pct(t->start_wall, n, .5) * 1e3, pct(t->delete_wall, n, .5) * 1e3, pct(t->init_cpu, n, .5) * 1e3,
		       pct(t->run_wall, n, .5) * 1e3, pct(t->run_wall, n, .95) * 1e3, pct(t->run_cpu, n, .5) * 1e3,
		       pct(t->exec_wall, n, .5) * 1e3, pct(t->exec_wall, n, .95) * 1e3, pct(t->exec_cpu, n, .5) * 1e3,
		       pct(t->exec_cpu, n, .95) * 1e3, t->tp_count / t->tp_time, t->tp_failed ? " (failures!)" : "");
	}
	if (floor_bin)
		printf("\nThe floor rows: lifecycle = one `floor run` of /bin/true (clone into new mnt/pid/uts/ipc/net"
		       " namespaces, bind the rootfs, mount /proc, pivot_root, exec, wait; floor+cg also makes, joins and"
		       " removes a cgroup in each hierarchy); exec = join the %s container's namespaces (and, floor+cg,"
		       " its cgroups), fork, exec /bin/true, wait.\n",
		       rts[0].name);
	printf("\nPeak RSS in KiB (ru_maxrss, %s; floor %ld KiB: %s) and the smallest memory limit a container starts under:\n\n",
	       floor_bin ? "each command started by fork + exec from the small static launcher `floor spawn`"
			 : "each command forked from this program",
	       floor_rss, floor_bin ? "the launcher starting itself" : "a forked child that exits at once");
	printf("| runtime |");
	for (int k = 0; k < R_N; k++)
		printf(" %s |", rss_names[k]);
	printf(" min memory limit KiB |\n|---|");
	for (int k = 0; k <= R_N; k++)
		printf("---|");
	printf("\n");
	for (int r = 0; r < nrt; r++) {
		struct runtime *t = &rts[r];
		printf("| %s |", t->name);
		for (int k = 0; k < R_N; k++) {
			if (t->is_floor && k != R_RUN && k != R_EXEC)
				printf(" - |");
			else
				printf(" %ld |", t->rss[k]);
		}
		if (t->is_floor)
			printf(" - |\n");
		else if (t->min_mem > 0)
			printf(" %ld |\n", t->min_mem / 1024);
		else
			printf(" %s |\n", t->min_mem == -2 ? "limit not in force" : "failed at 64 MiB");
	}
	if (flo)
		printf("\n(floor rows: \"run\" is `floor run`, \"exec\" is `floor exec`.)\n");
	if (ref) {
		printf("\nRatios against crun (medians; lower is better, throughput: higher is better):\n\n");
		printf("| runtime | lifecycle wall | lifecycle CPU | run wall | exec wall | exec CPU | throughput | max RSS | min memory |\n");
		printf("|---|---|---|---|---|---|---|---|---|\n");
		for (int r = 0; r < n_runtimes; r++) {
			struct runtime *t = &rts[r];
			long m = 0, mr = 0;
			for (int k = 0; k < R_N; k++) {
				if (k == R_INIT)
					continue;
				m = t->rss[k] > m ? t->rss[k] : m;
				mr = ref->rss[k] > mr ? ref->rss[k] : mr;
			}
			printf("| %s | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |\n", t->name,
			       ratio(pct(t->life_wall, n, .5), pct(ref->life_wall, n, .5)),
			       ratio(pct(t->life_cpu, n, .5), pct(ref->life_cpu, n, .5)),
			       ratio(pct(t->run_wall, n, .5), pct(ref->run_wall, n, .5)),
			       ratio(pct(t->exec_wall, n, .5), pct(ref->exec_wall, n, .5)),
			       ratio(pct(t->exec_cpu, n, .5), pct(ref->exec_cpu, n, .5)),
			       ratio(t->tp_count / t->tp_time, ref->tp_count / ref->tp_time), ratio(m, mr),
			       t->min_mem > 0 && ref->min_mem > 0 ? ratio(t->min_mem, ref->min_mem) : 0);
		}
	}
	if (flo && flocg) {
		printf("\nRatios against the floor (medians; lower is better; 1.00x is the floor):\n\n");
		printf("| runtime | lifecycle wall / floor+cg | lifecycle wall / floor | lifecycle CPU / floor+cg"
		       " | exec wall / floor+cg | exec CPU / floor+cg |\n");
		printf("|---|---|---|---|---|---|\n");
		for (int r = 0; r < n_runtimes; r++) {
			struct runtime *t = &rts[r];
			printf("| %s | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |\n", t->name,
			       ratio(pct(t->life_wall, n, .5), pct(flocg->life_wall, n, .5)),
			       ratio(pct(t->life_wall, n, .5), pct(flo->life_wall, n, .5)),
			       ratio(pct(t->life_cpu, n, .5), pct(flocg->life_cpu, n, .5)),
			       ratio(pct(t->exec_wall, n, .5), pct(flocg->exec_wall, n, .5)),
			       ratio(pct(t->exec_cpu, n, .5), pct(flocg->exec_cpu, n, .5)));
		}
		/* The lifecycle through a runtime's CLI is three commands where the
		 * floor's is one: what two more commands cost before they do anything. */
		double noop = pct(noop_wall, n, .5), fcg = pct(flocg->life_wall, n, .5);
		printf("\nOne command's fixed cost, `floor noop` (fork, exec of a static binary that exits at once,"
		       " wait; started as the runtimes' commands are): %.2f ms median. A runtime's lifecycle is three"
		       " commands (create, start, delete) where `floor run` is one, so one that did nothing beyond"
		       " the floor would take floor+cg + 2 x %.2f = %.2f ms, %.2fx floor+cg.\n\n",
		       noop * 1e3, noop * 1e3, (fcg + 2 * noop) * 1e3, ratio(fcg + 2 * noop, fcg));
		printf("| runtime | lifecycle wall / (floor+cg + 2 commands) |\n|---|---|\n");
		for (int r = 0; r < n_runtimes; r++)
			printf("| %s | %.2fx |\n", rts[r].name, ratio(pct(rts[r].life_wall, n, .5), fcg + 2 * noop));
	}
	int bad = 0;
	for (int r = 0; r < nrt; r++)
		bad |= rts[r].tp_failed != 0;
	return bad;
}
