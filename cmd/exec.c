/* exec: run a process inside a running container, from --process JSON or from
 * the command line on top of the container's own process settings. */
#include "cmd/commands.h"
#include "cmd/foreground.h"
#include "lib/container/container.h"
#include "lib/container/exec.h"
#include "lib/process/pty.h"
#include "lib/process/lsm.h"
#include "base/util.h"
#include "base/debug.h"
#include "oci/spec.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

struct exec_flags {
	const char *process_file, *console_socket, *pid_file, *cwd, *user, *cgroup;
	const char *apparmor, *label;
	struct strlist env, caps, gids;
	bool tty, detach, nnp, ignore_paused;
	int preserve_fds;
};

static char **strv_copy_extra(char **base, size_t n, size_t extra)
{
	char **v = calloc(n + extra + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(base[i])))
			return NULL;
	return v;
}

static void strv_free_n(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Replace a set's vector by itself plus extra names. */
static int append_names(char ***set, size_t *n, const struct strlist *extra)
{
	char **v = strv_copy_extra(*set ? *set : (char *[]){ NULL }, *n, extra->n);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < extra->n; i++)
		if (!(v[*n + i] = strdup(extra->v[i])))
			return -ENOMEM;
	strv_free_n(*set, *n);
	*set = v;
	*n += extra->n;
	return 0;
}

/* KEY=VALUE entries from --env override the container's by key. */
static int merge_env(struct spec_process *p, const struct strlist *env)
{
	char **v = strv_copy_extra(p->env ? p->env : (char *[]){ NULL }, p->n_env, env->n);
	if (!v)
		return -ENOMEM;
	size_t n = p->n_env;
	for (size_t i = 0; i < env->n; i++) {
		const char *eq = strchr(env->v[i], '=');
		size_t klen = eq ? (size_t)(eq - env->v[i]) : strlen(env->v[i]);
		size_t j;
		for (j = 0; j < n; j++)
			if (!strncmp(v[j], env->v[i], klen) && v[j][klen] == '=')
				break;
		char *dup = strdup(env->v[i]);
		if (!dup)
			return -ENOMEM;
		if (j < n)
			free(v[j]);
		else
			n++;
		v[j] = dup;
	}
	strv_free_n(p->env, p->n_env);
	p->env = v;
	p->n_env = n;
	return 0;
}

/* A uid or gid: -EINVAL when not a number, -ERANGE above SPEC_ID_MAX. */
static int parse_id(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || s[0] == '-' || !(s[0] >= '0' && s[0] <= '9'))
		return -EINVAL;
	if (errno || v > SPEC_ID_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static int apply_flags(struct spec_process *p, const struct exec_flags *f, int argc, char **argv,
		       struct oerr *e)
{
	if (argc < 1)
		return oerr_setx(e, EINVAL, "exec: a command is required (or --process)");
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return oerr_setx(e, ENOMEM, "exec: args");
	for (int i = 0; i < argc; i++)
		args[i] = strdup(argv[i]);
	strv_free_n(p->args, p->n_args);
	p->args = args;
	p->n_args = (size_t)argc;
	if (f->env.n && merge_env(p, &f->env) < 0)
		return oerr_setx(e, ENOMEM, "exec: env");
	if (f->cwd) {
		if (f->cwd[0] != '/')
			return oerr_setx(e, EINVAL, "exec: --cwd must be an absolute path");
		free(p->cwd);
		p->cwd = strdup(f->cwd);
	}
	if (f->user) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", f->user);
		char *colon = strchr(buf, ':');
		if (colon)
			*colon = '\0';
		int r = parse_id(buf, &p->user.uid);
		if (r == 0 && colon)
			r = parse_id(colon + 1, &p->user.gid);
		if (r == -ERANGE)
			return oerr_setx(e, EINVAL, "exec: --user: \"%s\": " SPEC_ID_RANGE_MSG, f->user);
		if (r < 0)
			return oerr_setx(e, EINVAL, "exec: --user: \"%s\" is not UID[:GID]", f->user);
	}
	if (f->gids.n) {
		uint32_t *g = calloc(f->gids.n, sizeof(*g));
		int r;
		if (!g)
			return oerr_setx(e, ENOMEM, "exec: gids");
		for (size_t i = 0; i < f->gids.n; i++)
			if ((r = parse_id(f->gids.v[i], &g[i])) < 0) {
				free(g);
				if (r == -ERANGE)
					return oerr_setx(e, EINVAL, "exec: --additional-gids: \"%s\": " SPEC_ID_RANGE_MSG,
							 f->gids.v[i]);
				return oerr_setx(e, EINVAL, "exec: --additional-gids: \"%s\" is not a GID", f->gids.v[i]);
			}
		free(p->user.additional_gids);
		p->user.additional_gids = g;
		p->user.n_additional_gids = f->gids.n;
	}
	if (f->caps.n) {
		struct spec_caps *c = &p->capabilities;
		p->has_capabilities = true;
		/* Never inheritable: an exec'd process must not pass caps on through execve. */
		if (append_names(&c->bounding, &c->n_bounding, &f->caps) < 0 ||
		    append_names(&c->effective, &c->n_effective, &f->caps) < 0 ||
		    append_names(&c->permitted, &c->n_permitted, &f->caps) < 0)
			return oerr_setx(e, ENOMEM, "exec: caps");
	}
	/* The config's process.terminal is the init's: exec gets a terminal
	 * only with -t, as with runc. */
	p->terminal = f->tty;
	if (f->nnp)
		p->no_new_privileges = true;
	return 0;
}

/* --process: the JSON of a process object, validated by the config parser. */
static int load_process_file(const char *path, struct spec_process **out, struct oerr *e)
{
	struct spec *s;
	int ret = parse_config_piece(path, "\"process\":", "", "--process", &s, e);
	if (ret < 0)
		return ret;
	*out = steal_ptr(s->process);
	spec_free(s);
	return 0;
}

static int write_pid(const char *path, pid_t pid, struct oerr *e)
{
	char val[32];
	int n = snprintf(val, sizeof(val), "%d", pid);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (write_file_at(AT_FDCWD, tmp, val, (size_t)n, true, e) < 0)
		return -e->code;
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return oerr_set(e, errno, "pid file %s", path);
	}
	return 0;
}

static int exec_main(struct exec_flags *f, const char *id, int argc, char **argv, struct oerr *e)
{
	struct container c;
	int ret = container_open(G.root, id, false, &c, e);
	if (ret < 0)
		return ret;
	struct spec *s = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (c.status == CS_STOPPED || c.status == CS_CREATING) {
		ret = oerr_setx(e, EINVAL, "cannot exec in a stopped container");
		goto out;
	}
	if (c.status == CS_PAUSED && !f->ignore_paused) {
		ret = oerr_setx(e, EINVAL, "cannot exec in a paused container (use --ignore-paused)");
		goto out;
	}
	if ((ret = spec_read_json_file(c.dirfd, "config.json", &text, &len, e)) < 0 ||
	    (ret = spec_parse(text, len, &s, e)) < 0)
		goto out;
	if (f->process_file) {
		struct spec_process *p = NULL;
		if ((ret = load_process_file(f->process_file, &p, e)) < 0)
			goto out;
		spec_process_free(s->process);
		s->process = p;
		if (f->tty)
			p->terminal = true;
	} else if (!s->process) {
		ret = oerr_setx(e, EINVAL, "exec: the container's config.json has no process: use --process");
		goto out;
	} else if ((ret = apply_flags(s->process, f, argc, argv, e)) < 0) {
		goto out;
	}
	/* runc: they replace the process's own, from config.json or --process */
	if (f->apparmor && (free(s->process->apparmor_profile), !(s->process->apparmor_profile = strdup(f->apparmor)))) {
		ret = oerr_setx(e, ENOMEM, "--apparmor");
		goto out;
	}
	if (f->label && (free(s->process->selinux_label), !(s->process->selinux_label = strdup(f->label)))) {
		ret = oerr_setx(e, ENOMEM, "--process-label");
		goto out;
	}
	lsm_warn_unapplied(NULL, s->process);
	struct exec_opts o = { .console_socket = f->console_socket, .console_fd = -1,
			       .preserve_fds = f->preserve_fds, .cgroup_sub = f->cgroup };
	struct foreground fg = { .sfd = -1, .master = -1 };
	int console_pair = -1;
	pid_t pid;
	if (!f->detach) {
		o.console_pair = &console_pair;
		foreground_begin(&fg);
	}
	ret = container_exec(&c, s, &o, &pid, e);
	if (ret == 0 && console_pair >= 0)
		ret = terminal_recv_master(console_pair, &fg.master, e);
	if (console_pair >= 0)
		close(console_pair);
	if (ret == 0 && f->pid_file)
		ret = write_pid(f->pid_file, pid, e);
	container_close(&c);
	if (ret == 0 && !f->detach) {
		ret = foreground_wait(&fg, pid);
		debug_step("exec: the process exited (status %d)", ret);
	}
	if (!f->detach)
		foreground_end(&fg);
	spec_free(s);
	return ret;
out:
	if (s)
		spec_free(s);
	container_close(&c);
	return ret;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_flags f = { 0 };
	const struct opt opts[] = {
		{ "process", 'p', OPT_STR, &f.process_file, "process.json of the process to run" },
		{ "console-socket", 0, OPT_STR, &f.console_socket, "unix socket that receives the pty master" },
		{ "pid-file", 0, OPT_STR, &f.pid_file, "write the process's pid to this file" },
		{ "cwd", 0, OPT_STR, &f.cwd, "working directory in the container" },
		{ "env", 'e', OPT_STRLIST, &f.env, "set an environment variable (KEY=VALUE)" },
		{ "user", 'u', OPT_STR, &f.user, "UID[:GID] to run as" },
		{ "additional-gids", 'g', OPT_STRLIST, &f.gids, "an additional group id" },
		{ "cap", 'c', OPT_STRLIST, &f.caps, "add a capability (never inheritable)" },
		{ "tty", 't', OPT_BOOL, &f.tty, "allocate a pseudo-terminal" },
		{ "detach", 'd', OPT_BOOL, &f.detach, "do not wait for the process" },
		{ "no-new-privs", 0, OPT_BOOL, &f.nnp, "set no_new_privs" },
		{ "preserve-fds", 0, OPT_INT, &f.preserve_fds, "pass this many fds after 2 to the process" },
		{ "cgroup", 0, OPT_STR, &f.cgroup, "run in this sub-cgroup of the container" },
		{ "ignore-paused", 0, OPT_BOOL, &f.ignore_paused, "exec even if the container is paused" },
		{ "apparmor", 0, OPT_STR, &f.apparmor, "AppArmor profile of the process (where AppArmor is enabled)" },
		{ "process-label", 0, OPT_STR, &f.label, "SELinux label of the process (where SELinux is enabled)" },
		{ 0 },
	};
	struct oerr e = { 0 };
	const char *pos[1];
	int argi = 0, npos;
	/* Only flags before the id are ours; everything after it is the command. */
	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		opts_help("ocirt exec [options] <container-id> <command> [args...]", opts);
		return 0;
	}
	int ret = opts_parse("exec", opts, argc, argv, &argi, pos, 1, &npos, 1, &e);
	if (ret == 0 && npos != 1)
		ret = oerr_setx(&e, EINVAL, "exec: a container id is required");
	if (ret == 0 && argi < argc && !strcmp(argv[argi], "--"))
		argi++;
	if (ret == 0)
		ret = exec_main(&f, pos[0], argc - argi, argv + argi, &e);
	free(f.env.v);
	free(f.caps.v);
	free(f.gids.v);
	if (ret < 0) {
		fail(&e);
		return 255;
	}
	return ret;
}
