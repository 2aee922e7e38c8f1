/* Side-by-side benchmark of OCI runtimes on one busybox bundle.
 *
 *   bench --bundle DIR [-n N] RUNTIME=PATH...    (e.g. ocirt=build/ocirt crun=/usr/bin/crun runc=/usr/sbin/runc)
 *
 * Every measurement interleaves the runtimes (A B C A B C ...) so that drift on
 * the machine hits them alike. It runs in a private mount namespace of its own;
 * on a hybrid cgroup host it detaches the cgroup2 mount at /sys/fs/cgroup/unified
 * there (never on the host's mounts), because crun refuses the hybrid layout.
 * Timing is wall clock (CLOCK_MONOTONIC) and CPU time of the runtime's processes
 * (user + system from wait4, so the container's own /bin/true is included alike). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
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

#define MAX_RT 4
#define MAX_N 2000

struct runtime {
	const char *name, *path;
	double life_wall[MAX_N], life_cpu[MAX_N], run_wall[MAX_N], exec_wall[MAX_N], exec_cpu[MAX_N];
	long rss_create, rss_start, rss_state, rss_delete, rss_exec;	/* KiB, peak over all runs */
	double throughput;
	long min_mem;			/* bytes, smallest limit a container started under */
};

static struct runtime rts[MAX_RT];
static int nrt;
static const char *bundle, *root_base = "/run/ocirt-bench";
static char config_path[4096], config_saved[1 << 16];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run a runtime command; returns its exit status, CPU seconds and max RSS. */
static int run_cmd(struct runtime *rt, char *const args[], double *cpu, long *rss, bool quiet)
{
	char root[256];
	snprintf(root, sizeof(root), "%s/%s", root_base, rt->name);
	const char *argv[32] = { rt->path, "--root", root };
	int n = 3;
	for (int i = 0; args[i] && n < 30; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (chdir(bundle) < 0)
			_exit(126);
		execv(rt->path, (char **)argv);
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
		;
	if (cpu)
		*cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (rss && ru.ru_maxrss > *rss)
		*rss = ru.ru_maxrss;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void write_config(const char *args_json, long mem_limit)
{
	/* The bundle's config with process.args replaced (and a memory limit). */
	char *p = strstr(config_saved, "\"args\"");
	if (!p) {
		fprintf(stderr, "bench: config.json has no process.args\n");
		exit(1);
	}
	char *open_b = strchr(p, '['), *close_b = strchr(p, ']');
	FILE *f = fopen(config_path, "w");
	fwrite(config_saved, 1, (size_t)(open_b - config_saved), f);
	fputs(args_json, f);
	char *rest = close_b + 1;
	char *lin = mem_limit ? strstr(rest, "\"linux\"") : NULL;
	if (lin) {
		char *brace = strchr(lin, '{');
		fwrite(rest, 1, (size_t)(brace + 1 - rest), f);
		fprintf(f, "\"resources\":{\"memory\":{\"limit\":%ld}},", mem_limit);
		fputs(brace + 1, f);
	} else {
		fputs(rest, f);
	}
	fclose(f);
}

static pid_t read_pid(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/* create + start + wait for /bin/true + delete. */
static int lifecycle(struct runtime *rt, const char *id, double *wall, double *cpu)
{
	char pidfile[256];
	snprintf(pidfile, sizeof(pidfile), "/tmp/ocirt-bench-%s.pid", id);
	double c1 = 0, c2 = 0, c3 = 0, t0 = now();
	int r = run_cmd(rt, (char *[]){ "create", "--pid-file", pidfile, (char *)id, NULL }, &c1, &rt->rss_create, true);
	if (r)
		return r;
	pid_t pid = read_pid(pidfile);
	r = run_cmd(rt, (char *[]){ "start", (char *)id, NULL }, &c2, &rt->rss_start, true);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	r |= run_cmd(rt, (char *[]){ "delete", (char *)id, NULL }, &c3, &rt->rss_delete, true);
	double t1 = now();
	unlink(pidfile);
	if (wall)
		*wall = t1 - t0;
	if (cpu)
		*cpu = c1 + c2 + c3;
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	double tmp[MAX_N];
	memcpy(tmp, v, sizeof(double) * (size_t)n);
	qsort(tmp, (size_t)n, sizeof(double), cmp_double);
	int i = (int)(p * (n - 1) + 0.5);
	return tmp[i];
}

static void throughput(struct runtime *rt, int per_worker)
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
				snprintf(id, sizeof(id), "bt-%s-%d-%d", rt->name, w, i);
				fails += lifecycle(rt, id, NULL, NULL) != 0;
			}
			_exit(fails ? 1 : 0);
		}
	}
	int failed = 0;
	for (int w = 0; w < 4; w++) {
		int st;
		waitpid(workers[w], &st, 0);
		failed |= !WIFEXITED(st) || WEXITSTATUS(st);
	}
	rt->throughput = failed ? 0 : 4.0 * per_worker / (now() - t0);
}

/* Smallest memory.limit (bytes, searched over 64 KiB steps) under which `run /bin/true` exits 0. */
static long min_memory(struct runtime *rt)
{
	long lo = 64 << 10, hi = 64 << 20;
	write_config("[\"/bin/true\"]", hi);
	if (run_cmd(rt, (char *[]){ "run", "bm-probe", NULL }, NULL, NULL, true) != 0) {
		run_cmd(rt, (char *[]){ "delete", "-f", "bm-probe", NULL }, NULL, NULL, true);
		return -1;
	}
	while (hi - lo > (64 << 10)) {
		long mid = (lo + hi) / 2 / (64 << 10) * (64 << 10);
		write_config("[\"/bin/true\"]", mid);
		int r = run_cmd(rt, (char *[]){ "run", "bm-probe", NULL }, NULL, NULL, true);
		run_cmd(rt, (char *[]){ "delete", "-f", "bm-probe", NULL }, NULL, NULL, true);
		if (r == 0)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static void private_mount_ns(void)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("bench: private mount namespace");
		exit(1);
	}
	struct stat a, b;
	/* Hybrid host: hide cgroup2 so that every runtime sees a v1 host (crun needs that). */
	if (stat("/sys/fs/cgroup/unified", &a) == 0 && stat("/sys/fs/cgroup", &b) == 0 && a.st_dev != b.st_dev)
		umount2("/sys/fs/cgroup/unified", MNT_DETACH);
}

int main(int argc, char **argv)
{
	int n = 50;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bundle") && i + 1 < argc)
			bundle = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (strchr(argv[i], '=') && nrt < MAX_RT) {
			char *eq = strchr(argv[i], '=');
			*eq = '\0';
			rts[nrt].name = argv[i];
			rts[nrt++].path = eq + 1;
		} else {
			fprintf(stderr, "usage: bench --bundle DIR [-n N] NAME=RUNTIME...\n");
			return 2;
		}
	}
	if (!bundle || !nrt || n < 5 || n > MAX_N) {
		fprintf(stderr, "usage: bench --bundle DIR [-n N(5..%d)] NAME=RUNTIME...\n", MAX_N);
		return 2;
	}
	snprintf(config_path, sizeof(config_path), "%s/config.json", bundle);
	FILE *f = fopen(config_path, "r");
	if (!f || fread(config_saved, 1, sizeof(config_saved) - 1, f) == 0) {
		perror(config_path);
		return 1;
	}
	fclose(f);
	private_mount_ns();
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	write_config("[\"/bin/true\"]", 0);
	for (int i = 0; i < n; i++)
		for (int r = 0; r < nrt; r++) {
			char id[64];
			snprintf(id, sizeof(id), "bl-%s-%d", rts[r].name, i);
			if (lifecycle(&rts[r], id, &rts[r].life_wall[i], &rts[r].life_cpu[i])) {
				fprintf(stderr, "bench: %s lifecycle failed\n", rts[r].name);
				return 1;
			}
			double c = 0, t0 = now();
			snprintf(id, sizeof(id), "br-%s-%d", rts[r].name, i);
			if (run_cmd(&rts[r], (char *[]){ "run", id, NULL }, &c, NULL, true)) {
				fprintf(stderr, "bench: %s run failed\n", rts[r].name);
				return 1;
			}
			rts[r].run_wall[i] = now() - t0;
		}

	write_config("[\"/bin/sleep\", \"1000\"]", 0);
	for (int r = 0; r < nrt; r++) {
		char id[64];
		snprintf(id, sizeof(id), "be-%s", rts[r].name);
		if (run_cmd(&rts[r], (char *[]){ "run", "-d", id, NULL }, NULL, NULL, true)) {
			fprintf(stderr, "bench: %s run -d failed\n", rts[r].name);
			return 1;
		}
		run_cmd(&rts[r], (char *[]){ "state", id, NULL }, NULL, &rts[r].rss_state, true);
	}
	for (int i = 0; i < n; i++)
		for (int r = 0; r < nrt; r++) {
			char id[64];
			snprintf(id, sizeof(id), "be-%s", rts[r].name);
			double t0 = now();
			if (run_cmd(&rts[r], (char *[]){ "exec", id, "/bin/true", NULL }, &rts[r].exec_cpu[i],
				    &rts[r].rss_exec, true)) {
				fprintf(stderr, "bench: %s exec failed\n", rts[r].name);
				return 1;
			}
			rts[r].exec_wall[i] = now() - t0;
		}
	for (int r = 0; r < nrt; r++) {
		char id[64];
		snprintf(id, sizeof(id), "be-%s", rts[r].name);
		run_cmd(&rts[r], (char *[]){ "delete", "-f", id, NULL }, NULL, NULL, true);
	}

	write_config("[\"/bin/true\"]", 0);
	for (int r = 0; r < nrt; r++)
		throughput(&rts[r], n / 2 > 5 ? n / 2 : 5);
	for (int r = 0; r < nrt; r++)
		rts[r].min_mem = min_memory(&rts[r]);
	write_config("[\"/bin/true\"]", 0);
	/* Put the bundle's config back as it was. */
	f = fopen(config_path, "w");
	fputs(config_saved, f);
	fclose(f);

	struct runtime *ref = NULL;
	for (int r = 0; r < nrt; r++)
		if (!strcmp(rts[r].name, "crun"))
			ref = &rts[r];
	printf("| runtime | lifecycle median ms | p95 ms | CPU median ms | run median ms | exec median ms | exec CPU ms"
	       " | 4-worker containers/s | peak RSS KiB (create/start/state/delete/exec) | min memory limit KiB |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|\n");
	for (int r = 0; r < nrt; r++) {
		struct runtime *t = &rts[r];
		printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %ld/%ld/%ld/%ld/%ld | %ld |\n", t->name,
		       pct(t->life_wall, n, .5) * 1e3, pct(t->life_wall, n, .95) * 1e3, pct(t->life_cpu, n, .5) * 1e3,
		       pct(t->run_wall, n, .5) * 1e3, pct(t->exec_wall, n, .5) * 1e3, pct(t->exec_cpu, n, .5) * 1e3,
		       t->throughput, t->rss_create, t->rss_start, t->rss_state, t->rss_delete, t->rss_exec,
		       t->min_mem > 0 ? t->min_mem / 1024 : -1);
	}
	if (ref) {
		printf("\nRatios against crun (lower is better, throughput higher is better):\n\n");
		printf("| runtime | lifecycle wall | lifecycle CPU | run wall | exec wall | throughput |\n|---|---|---|---|---|---|\n");
		for (int r = 0; r < nrt; r++) {
			struct runtime *t = &rts[r];
			printf("| %s | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |\n", t->name,
			       pct(t->life_wall, n, .5) / pct(ref->life_wall, n, .5),
			       pct(t->life_cpu, n, .5) / pct(ref->life_cpu, n, .5),
			       pct(t->run_wall, n, .5) / pct(ref->run_wall, n, .5),
			       pct(t->exec_wall, n, .5) / pct(ref->exec_wall, n, .5),
			       ref->throughput > 0 ? t->throughput / ref->throughput : 0);
		}
	}
	return 0;
}
