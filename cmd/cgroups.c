/* Commands that act on the container's cgroup: pause, resume, ps, update, events. */
#include "cmd/commands.h"
#include "lib/cgroup/cgroup.h"
#include "lib/container/container.h"
#include "base/util.h"
#include "oci/spec.h"
#include <ctype.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

static int open_with_cgroup(const char *cmd, int argc, char **argv, const struct opt *opts,
			    const char *usage, struct container *c, const char **rest, int *nrest,
			    int stop_after, struct oerr *e)
{
	const char *pos[1];
	int argi = 0, npos;
	int ret = opts_parse(cmd, opts, argc, argv, &argi, pos, 1, &npos, stop_after, e);
	if (ret < 0)
		return ret;
	if (npos < 1)
		return oerr_setx(e, EINVAL, "%s: a container id is required (usage: %s)", cmd, usage);
	if (rest) {
		*rest = argi < argc ? argv[argi] : NULL;
		*nrest = argc - argi;
	}
	if ((ret = container_open(G.root, pos[0], false, c, e)) < 0)
		return ret;
	if (!c->st.cgroup_path) {
		container_close(c);
		return oerr_setx(e, ENOENT, "%s: container \"%s\" has no cgroup", cmd, pos[0]);
	}
	return 0;
}

static int freeze_cmd(int argc, char **argv, bool freeze)
{
	static const struct opt opts[] = { { 0 } };
	const char *cmd = freeze ? "pause" : "resume";
	const char *usage = freeze ? "ocirt pause <container-id>" : "ocirt resume <container-id>";
	if (wants_help(argc, argv, usage, opts))
		return 0;
	struct oerr e = { 0 };
	struct container c;
	if (open_with_cgroup(cmd, argc, argv, opts, usage, &c, NULL, NULL, 0, &e) < 0)
		return fail(&e);
	int ret = 0;
	if (freeze && c.status != CS_RUNNING)
		ret = oerr_setx(&e, EINVAL, "pause: container \"%s\" is %s, not running", c.st.id,
				container_status_name(c.status));
	else if (!freeze && c.status != CS_PAUSED)
		ret = oerr_setx(&e, EINVAL, "resume: container \"%s\" is %s, not paused", c.st.id,
				container_status_name(c.status));
	else
		ret = cgroup_freeze(c.st.cgroup_path, freeze, &e);
	container_close(&c);
	return ret < 0 ? fail(&e) : 0;
}

int cmd_pause(int argc, char **argv) { return freeze_cmd(argc, argv, true); }
int cmd_resume(int argc, char **argv) { return freeze_cmd(argc, argv, false); }

static bool pid_in(pid_t p, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

/* Run ps with the given args and keep the header plus the container's lines. */
static int ps_table(const pid_t *pids, size_t n, const char *const *args, int nargs, struct oerr *e)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return oerr_set(e, errno, "ps: pipe");
	pid_t child = fork();
	if (child < 0)
		return oerr_set(e, errno, "ps: fork");
	if (child == 0) {
		dup2(pfd[1], 1);
		const char **argv = calloc((size_t)nargs + 2, sizeof(*argv));
		argv[0] = "ps";
		if (nargs == 0)
			argv[1] = "-ef";
		for (int i = 0; i < nargs; i++)
			argv[i + 1] = args[i];
		execvp("ps", (char **)argv);
		dprintf(2, "ocirt: ps: exec ps: %m\n");
		_exit(127);
	}
	close(pfd[1]);
	FILE *f = fdopen(pfd[0], "r");
	char *line = NULL;
	size_t cap = 0;
	int pid_col = -1;
	while (f && getline(&line, &cap, f) > 0) {
		if (pid_col < 0) {
			/* The header names the PID column. */
			char *dup = strdup(line), *save = NULL;
			int col = 0;
			for (char *tok = strtok_r(dup, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), col++)
				if (!strcmp(tok, "PID"))
					pid_col = col;
			free(dup);
			fputs(line, stdout);
			if (pid_col < 0) {
				oerr_setx(e, EINVAL, "ps: no PID column in the output of ps");
				break;
			}
			continue;
		}
		char *dup = strdup(line), *save = NULL, *tok = strtok_r(dup, " \t\n", &save);
		for (int col = 0; tok && col < pid_col; col++)
			tok = strtok_r(NULL, " \t\n", &save);
		if (tok && pid_in((pid_t)atoi(tok), pids, n))
			fputs(line, stdout);
		free(dup);
	}
	free(line);
	if (f)
		fclose(f);
	int st;
	waitpid(child, &st, 0);
	if (pid_col < 0)
		return e->code ? -e->code : oerr_setx(e, EINVAL, "ps: ps failed");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return oerr_setx(e, EINVAL, "ps: ps exited with status %d", WEXITSTATUS(st));
	return 0;
}

int cmd_ps(int argc, char **argv)
{
	const char *format = "table";
	const struct opt opts[] = {
		{ "format", 'f', OPT_STR, &format, "table or json" },
		{ 0 },
	};
	const char *usage = "ocirt ps [--format table|json] <container-id> [ps options]";
	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		opts_help(usage, opts);
		return 0;
	}
	struct oerr e = { 0 };
	struct container c;
	const char *first;
	int nrest;
	if (open_with_cgroup("ps", argc, argv, opts, usage, &c, &first, &nrest, 1, &e) < 0)
		return fail(&e);
	pid_t *pids = NULL;
	size_t n = 0;
	int ret = cgroup_pids(c.st.cgroup_path, &pids, &n, &e);
	container_close(&c);
	if (ret == 0 && !strcmp(format, "json")) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", pids[i]);
		printf("]\n");
	} else if (ret == 0 && !strcmp(format, "table")) {
		ret = ps_table(pids, n, (const char *const *)(argv + (argc - nrest)), nrest, &e);
	} else if (ret == 0) {
		ret = oerr_setx(&e, EINVAL, "ps: invalid format \"%s\" (table or json)", format);
	}
	free(pids);
	return ret < 0 ? fail(&e) : 0;
}

/* "512m", "1G", "1024" → bytes; -1 stays -1 (unlimited). */
static int parse_size(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	int64_t mult = 1;
	switch (tolower((unsigned char)*end)) {
	case '\0': break;
	case 'k': mult = 1LL << 10; end++; break;
	case 'm': mult = 1LL << 20; end++; break;
	case 'g': mult = 1LL << 30; end++; break;
	case 't': mult = 1LL << 40; end++; break;
	default: return -EINVAL;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || (v > 0 && v > INT64_MAX / mult))
		return -EINVAL;
	*out = v < 0 ? v : v * mult;
	return 0;
}

struct update_flags {
	const char *resources, *memory, *memory_reservation, *memory_swap, *kernel_memory,
		*kernel_memory_tcp, *cpuset_cpus, *cpuset_mems, *cpu_shares, *cpu_quota,
		*cpu_period, *cpu_rt_runtime, *cpu_rt_period, *cpu_idle, *cpu_burst,
		*pids_limit, *blkio_weight;
};

static int parse_resources_json(const char *path, struct spec_resources **out, struct oerr *e)
{
	struct spec *s;
	int ret = parse_config_piece(path, "\"linux\":{\"resources\":", "}", "update: -r", &s, e);
	if (ret < 0)
		return ret;
	*out = steal_ptr(s->linux_->resources);
	spec_free(s);
	return 0;
}

#define SET_I64(field, has, str, name)                                                          \
	do {                                                                                    \
		if (str) {                                                                      \
			int64_t parsed_;                                                        \
			if (parse_size(str, &parsed_) < 0)                                      \
				return oerr_setx(e, EINVAL, "update: --%s: invalid value \"%s\"", name, str); \
			field = parsed_;                                                        \
			has = true;                                                             \
		}                                                                               \
	} while (0)

static int flags_to_resources(const struct update_flags *f, struct spec_resources *r, struct oerr *e)
{
	if (f->memory || f->memory_reservation || f->memory_swap || f->kernel_memory || f->kernel_memory_tcp) {
		if (!r->memory && !(r->memory = calloc(1, sizeof(*r->memory))))
			return oerr_setx(e, ENOMEM, "update");
		struct spec_memory *m = r->memory;
		SET_I64(m->limit, m->has_limit, f->memory, "memory");
		SET_I64(m->reservation, m->has_reservation, f->memory_reservation, "memory-reservation");
		SET_I64(m->swap, m->has_swap, f->memory_swap, "memory-swap");
		SET_I64(m->kernel, m->has_kernel, f->kernel_memory, "kernel-memory");
		SET_I64(m->kernel_tcp, m->has_kernel_tcp, f->kernel_memory_tcp, "kernel-memory-tcp");
	}
	if (f->cpu_shares || f->cpu_quota || f->cpu_period || f->cpu_rt_runtime || f->cpu_rt_period ||
	    f->cpuset_cpus || f->cpuset_mems || f->cpu_idle || f->cpu_burst) {
		if (!r->cpu && !(r->cpu = calloc(1, sizeof(*r->cpu))))
			return oerr_setx(e, ENOMEM, "update");
		struct spec_cpu *c = r->cpu;
		int64_t v;
		SET_I64(v, c->has_shares, f->cpu_shares, "cpu-share");
		if (f->cpu_shares)
			c->shares = (uint64_t)v;
		SET_I64(c->quota, c->has_quota, f->cpu_quota, "cpu-quota");
		SET_I64(v, c->has_period, f->cpu_period, "cpu-period");
		if (f->cpu_period)
			c->period = (uint64_t)v;
		SET_I64(c->realtime_runtime, c->has_realtime_runtime, f->cpu_rt_runtime, "cpu-rt-runtime");
		SET_I64(v, c->has_realtime_period, f->cpu_rt_period, "cpu-rt-period");
		if (f->cpu_rt_period)
			c->realtime_period = (uint64_t)v;
		SET_I64(c->idle, c->has_idle, f->cpu_idle, "cpu-idle");
		SET_I64(v, c->has_burst, f->cpu_burst, "cpu-burst");
		if (f->cpu_burst)
			c->burst = (uint64_t)v;
		if (f->cpuset_cpus && !(c->cpus = strdup(f->cpuset_cpus)))
			return oerr_setx(e, ENOMEM, "update");
		if (f->cpuset_mems && !(c->mems = strdup(f->cpuset_mems)))
			return oerr_setx(e, ENOMEM, "update");
	}
	SET_I64(r->pids_limit, r->has_pids_limit, f->pids_limit, "pids-limit");
	if (f->blkio_weight) {
		int64_t v;
		if (parse_size(f->blkio_weight, &v) < 0 || v < 0 || v > 1000)
			return oerr_setx(e, EINVAL, "update: --blkio-weight: invalid value \"%s\"", f->blkio_weight);
		if (!r->block_io && !(r->block_io = calloc(1, sizeof(*r->block_io))))
			return oerr_setx(e, ENOMEM, "update");
		r->block_io->weight = (uint16_t)v;
		r->block_io->has_weight = true;
	}
	return 0;
}

/* Zero means "leave as is" for the fields runc treats that way. */
static void drop_zero_fields(struct spec_resources *r)
{
	if (r->memory) {
		struct spec_memory *m = r->memory;
		m->has_limit &= m->limit != 0;
		m->has_reservation &= m->reservation != 0;
		m->has_swap &= m->swap != 0;
		m->has_kernel &= m->kernel != 0;
		m->has_kernel_tcp &= m->kernel_tcp != 0;
	}
	if (r->cpu) {
		struct spec_cpu *c = r->cpu;
		c->has_shares &= c->shares != 0;
		c->has_quota &= c->quota != 0;
		c->has_period &= c->period != 0;
		c->has_realtime_runtime &= c->realtime_runtime != 0;
		c->has_realtime_period &= c->realtime_period != 0;
	}
	r->has_pids_limit &= r->pids_limit != 0;
	if (r->block_io)
		r->block_io->has_weight &= r->block_io->weight != 0;
}

int cmd_update(int argc, char **argv)
{
	struct update_flags f = { 0 };
	const struct opt opts[] = {
		{ "resources", 'r', OPT_STR, &f.resources, "resources JSON file, or - for stdin" },
		{ "memory", 'm', OPT_STR, &f.memory, "memory limit (bytes, k/m/g suffixes)" },
		{ "memory-reservation", 0, OPT_STR, &f.memory_reservation, "memory soft limit" },
		{ "memory-swap", 0, OPT_STR, &f.memory_swap, "memory + swap limit" },
		{ "kernel-memory", 0, OPT_STR, &f.kernel_memory, "kernel memory limit (v1)" },
		{ "kernel-memory-tcp", 0, OPT_STR, &f.kernel_memory_tcp, "kernel TCP memory limit (v1)" },
		{ "cpu-share", 0, OPT_STR, &f.cpu_shares, "CPU shares" },
		{ "cpu-quota", 0, OPT_STR, &f.cpu_quota, "CFS quota (us)" },
		{ "cpu-period", 0, OPT_STR, &f.cpu_period, "CFS period (us)" },
		{ "cpu-burst", 0, OPT_STR, &f.cpu_burst, "CFS burst (us)" },
		{ "cpu-rt-runtime", 0, OPT_STR, &f.cpu_rt_runtime, "realtime runtime (us)" },
		{ "cpu-rt-period", 0, OPT_STR, &f.cpu_rt_period, "realtime period (us)" },
		{ "cpu-idle", 0, OPT_STR, &f.cpu_idle, "SCHED_IDLE for the cgroup (0 or 1)" },
		{ "cpuset-cpus", 0, OPT_STR, &f.cpuset_cpus, "CPUs allowed (e.g. 0-3,7)" },
		{ "cpuset-mems", 0, OPT_STR, &f.cpuset_mems, "memory nodes allowed" },
		{ "pids-limit", 0, OPT_STR, &f.pids_limit, "maximum number of pids (-1: no limit)" },
		{ "blkio-weight", 0, OPT_STR, &f.blkio_weight, "block IO weight (10..1000)" },
		{ 0 },
	};
	const char *usage = "ocirt update [options] <container-id>";
	if (wants_help(argc, argv, usage, opts))
		return 0;
	struct oerr e = { 0 };
	struct container c;
	if (open_with_cgroup("update", argc, argv, opts, usage, &c, NULL, NULL, 0, &e) < 0)
		return fail(&e);
	struct spec_resources *r = NULL;
	int ret = 0;
	if (c.status == CS_STOPPED)
		ret = oerr_setx(&e, EINVAL, "update: container \"%s\" is stopped", c.st.id);
	else if (f.resources)
		ret = parse_resources_json(f.resources, &r, &e);
	else if (!(r = calloc(1, sizeof(*r))))
		ret = oerr_setx(&e, ENOMEM, "update");
	if (ret == 0)
		ret = flags_to_resources(&f, r, &e);
	if (ret == 0) {
		drop_zero_fields(r);
		ret = cgroup_update(c.st.cgroup_path, r, &e);
	}
	if (r)
		spec_resources_free(r);
	container_close(&c);
	return ret < 0 ? fail(&e) : 0;
}

static int print_stats(const struct container *c, struct oerr *e)
{
	json_t *data;
	int ret = cgroup_stats(c->st.cgroup_path, &data, e);
	if (ret < 0)
		return ret;
	json_t *ev = json_pack("{s:s, s:s, s:o}", "type", "stats", "id", c->st.id, "data", data);
	char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	if (!text)
		return oerr_setx(e, ENOMEM, "events: encode");
	printf("%s\n", text);
	fflush(stdout);
	free(text);
	return 0;
}

/* "5s", "500ms", "1m", "2" (seconds) → milliseconds. */
static int parse_interval(const char *s, long *ms)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v <= 0)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		*ms = (long)v;
	else if (!strcmp(end, "s") || !*end)
		*ms = (long)(v * 1000);
	else if (!strcmp(end, "m"))
		*ms = (long)(v * 60000);
	else
		return -EINVAL;
	return *ms > 0 ? 0 : -EINVAL;
}

int cmd_events(int argc, char **argv)
{
	bool stats = false;
	const char *interval = "5s";
	const struct opt opts[] = {
		{ "stats", 0, OPT_BOOL, &stats, "print the statistics once and exit" },
		{ "interval", 0, OPT_STR, &interval, "statistics interval (default 5s)" },
		{ 0 },
	};
	const char *usage = "ocirt events [--stats] [--interval 5s] <container-id>";
	if (wants_help(argc, argv, usage, opts))
		return 0;
	struct oerr e = { 0 };
	struct container c;
	if (open_with_cgroup("events", argc, argv, opts, usage, &c, NULL, NULL, 0, &e) < 0)
		return fail(&e);
	long ms;
	int ret = 0;
	if (parse_interval(interval, &ms) < 0)
		ret = oerr_setx(&e, EINVAL, "events: invalid --interval \"%s\"", interval);
	else if (c.status == CS_STOPPED)
		ret = oerr_setx(&e, EINVAL, "events: container \"%s\" is stopped", c.st.id);
	else if (stats)
		ret = print_stats(&c, &e);
	else {
		/* Until the container stops: one stats event per interval. The state dir
		 * lock is dropped so that other commands can act meanwhile. */
		flock(c.dirfd, LOCK_UN);
		while (ret == 0) {
			container_refresh_status(&c);
			if (c.status == CS_STOPPED)
				break;
			ret = print_stats(&c, &e);
			if (ret == 0)
				poll(NULL, 0, (int)ms);
		}
	}
	container_close(&c);
	return ret < 0 ? fail(&e) : 0;
}
