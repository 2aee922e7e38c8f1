/* Unit tests for the pure parts of the CLI and state dir: flag parsing,
 * signal names, state.json round trip, proc start time. TAP output. */
#include "cmd/opts.h"
#include "cmd/signals.h"
#include "lib/container/statedir.h"
#include "base/util.h"
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int n_test, n_fail;

static void check(bool ok, const char *name)
{
	n_test++;
	if (!ok)
		n_fail++;
	printf("%sok %d - %s\n", ok ? "" : "not ", n_test, name);
}

static void test_opts(void)
{
	const char *bundle = NULL, *pidf = NULL;
	bool detach = false;
	int nfds = 0;
	struct strlist env = { 0 };
	const struct opt opts[] = {
		{ "bundle", 'b', OPT_STR, &bundle, NULL },
		{ "pid-file", 0, OPT_STR, &pidf, NULL },
		{ "detach", 'd', OPT_BOOL, &detach, NULL },
		{ "preserve-fds", 0, OPT_INT, &nfds, NULL },
		{ "env", 'e', OPT_STRLIST, &env, NULL },
		{ 0 },
	};
	char *argv[] = { "--bundle", "/b", "-pid-file=/p", "-d", "--preserve-fds=2", "-e", "A=1",
			 "--env", "B=2", "id1", NULL };
	const char *pos[2];
	int argi = 0, npos;
	struct oerr e = { 0 };
	int r = opts_parse("t", opts, 10, argv, &argi, pos, 2, &npos, 0, &e);
	check(r == 0, "opts: parses long, single-dash, = and alias forms");
	check(bundle && !strcmp(bundle, "/b") && pidf && !strcmp(pidf, "/p"), "opts: string values");
	check(detach && nfds == 2, "opts: bool and int values");
	check(env.n == 2 && !strcmp(env.v[0], "A=1") && !strcmp(env.v[1], "B=2"), "opts: repeated list flag");
	check(npos == 1 && !strcmp(pos[0], "id1"), "opts: positional");
	free(env.v);

	char *bad[] = { "--nope", "x", NULL };
	argi = 0;
	r = opts_parse("create", opts, 2, bad, &argi, pos, 2, &npos, 0, &e);
	check(r < 0 && strstr(e.msg, "flag provided but not defined: --nope"), "opts: unknown flag named");

	char *missing[] = { "--bundle", NULL };
	argi = 0;
	r = opts_parse("create", opts, 1, missing, &argi, pos, 2, &npos, 0, &e);
	check(r < 0 && strstr(e.msg, "needs an argument"), "opts: missing value");

	char *badint[] = { "--preserve-fds", "x1", NULL };
	argi = 0;
	r = opts_parse("create", opts, 2, badint, &argi, pos, 2, &npos, 0, &e);
	check(r < 0 && strstr(e.msg, "invalid value"), "opts: bad integer");

	char *stop[] = { "-d", "cid", "sh", "-c", "echo", NULL };
	argi = 0;
	detach = false;
	r = opts_parse("exec", opts, 5, stop, &argi, pos, 1, &npos, 1, &e);
	check(r == 0 && npos == 1 && argi == 2 && detach, "opts: stop after the id (exec's command line)");

	char *dd[] = { "--", "-weird-id", NULL };
	argi = 0;
	r = opts_parse("t", opts, 2, dd, &argi, pos, 2, &npos, 0, &e);
	check(r == 0 && npos == 1 && !strcmp(pos[0], "-weird-id"), "opts: -- ends flags");

	char *toomany[] = { "a", "b", NULL };
	argi = 0;
	r = opts_parse("state", opts, 2, toomany, &argi, pos, 1, &npos, 0, &e);
	check(r < 0 && strstr(e.msg, "unexpected argument"), "opts: too many positionals");
}

static void test_signals(void)
{
	check(signal_parse("KILL") == SIGKILL, "signals: KILL");
	check(signal_parse("SIGTERM") == SIGTERM, "signals: SIGTERM");
	check(signal_parse("hup") == SIGHUP, "signals: lowercase hup");
	check(signal_parse("9") == 9, "signals: number");
	check(signal_parse("RTMIN+2") == SIGRTMIN + 2, "signals: RTMIN+2");
	check(signal_parse("SIGNOPE") < 0, "signals: unknown name");
	check(signal_parse("0") == 0, "signals: 0, the liveness check");
	check(signal_parse("-1") < 0 && signal_parse("65") < 0 && signal_parse("9x") < 0, "signals: bad numbers");
	check(signal_parse("") < 0, "signals: empty");
}

static void test_state(void)
{
	char dir[] = "/tmp/ocirt-test-state-XXXXXX";
	struct oerr e = { 0 };
	if (!mkdtemp(dir)) {
		check(false, "state: mkdtemp");
		return;
	}
	char root[128];
	snprintf(root, sizeof(root), "%s/root", dir);
	int fd;
	check(statedir_create(root, "c1", &fd, &e) == 0, "state: create dir");
	int fd2;
	check(statedir_create(root, "c1", &fd2, &e) == -EEXIST && strstr(e.msg, "already exists"),
	      "state: second create is refused");
	struct container_state st = { .id = "c1", .pid = getpid(), .start_time = proc_start_time(getpid()),
				      .bundle = "/b", .rootfs = "/b/rootfs", .created = "2026-01-01T00:00:00Z",
				      .cgroup_path = "/ocirt/c1", .annotations = json_pack("{s:s}", "k", "v") };
	check(st.start_time > 0, "state: own start time is known");
	check(state_write(fd, &st, &e) == 0, "state: write");
	struct container_state back;
	check(state_read(fd, &back, &e) == 0, "state: read back");
	check(back.pid == st.pid && back.start_time == st.start_time && !strcmp(back.bundle, "/b") &&
		      !strcmp(back.cgroup_path, "/ocirt/c1") &&
		      !strcmp(json_string_value(json_object_get(back.annotations, "k")), "v"),
	      "state: fields survive the round trip");
	state_clear(&back);
	json_decref(st.annotations);
	close(fd);
	check(statedir_open(root, "nope", false, &fd, &e) == -ENOENT && strstr(e.msg, "does not exist"),
	      "state: missing container is named");
	check(statedir_remove(root, "c1", &e) == 0, "state: remove");
	struct stat sb;
	char p[256];
	snprintf(p, sizeof(p), "%s/c1", root);
	check(stat(p, &sb) < 0 && errno == ENOENT, "state: nothing left behind");
	check(proc_start_time(0x7ffffff0) == 0, "state: start time of a missing pid is 0");
	rmdir(root);
	rmdir(dir);
}

int main(void)
{
	test_opts();
	test_signals();
	test_state();
	printf("1..%d\n", n_test);
	return n_fail ? 1 : 0;
}
