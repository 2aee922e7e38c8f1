/* config.json "process": user, capabilities, rlimits, scheduler, I/O priority. */
#include "oci/spec_internal.h"
#include "base/util.h"
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#define N(x) { #x, x }

static const struct jp_name rlimits[] = {
	N(RLIMIT_AS), N(RLIMIT_CORE), N(RLIMIT_CPU), N(RLIMIT_DATA), N(RLIMIT_FSIZE),
	N(RLIMIT_LOCKS), N(RLIMIT_MEMLOCK), N(RLIMIT_MSGQUEUE), N(RLIMIT_NICE), N(RLIMIT_NOFILE),
	N(RLIMIT_NPROC), N(RLIMIT_RSS), N(RLIMIT_RTPRIO), N(RLIMIT_RTTIME), N(RLIMIT_SIGPENDING),
	N(RLIMIT_STACK),
};

/* SCHED_ISO is reserved by the kernel (never implemented) but listed by the
 * spec; it keeps its reserved number and sched_setattr() will refuse it. */
static const struct jp_name sched_policies[] = {
	N(SCHED_OTHER), N(SCHED_FIFO), N(SCHED_RR), N(SCHED_BATCH), { "SCHED_ISO", 4 },
	N(SCHED_IDLE), N(SCHED_DEADLINE),
};

static const struct jp_name sched_flags[] = {
	N(SCHED_FLAG_RESET_ON_FORK), N(SCHED_FLAG_RECLAIM), N(SCHED_FLAG_DL_OVERRUN),
	N(SCHED_FLAG_KEEP_POLICY), N(SCHED_FLAG_KEEP_PARAMS), N(SCHED_FLAG_UTIL_CLAMP_MIN),
	N(SCHED_FLAG_UTIL_CLAMP_MAX),
};

static const struct jp_name ioprio_classes[] = {
	N(IOPRIO_CLASS_RT), N(IOPRIO_CLASS_BE), N(IOPRIO_CLASS_IDLE),
};

static int parse_console(struct jp *p, json_t *o, void *arg)
{
	struct spec_process *pr = arg;
	pr->has_console_size = true;
	int r;
	if ((r = jp_u32(p, o, "height", JP_REQ, &pr->console_height, NULL)) < 0 ||
	    (r = jp_u32(p, o, "width", JP_REQ, &pr->console_width, NULL)) < 0)
		return r;
	return 0;
}

static int read_id(struct jp *p, json_t *v, uint32_t *out)
{
	int64_t id;
	int r = jp_v_int(p, v, 0, UINT32_MAX, "an unsigned 32-bit integer", &id);
	if (r < 0)
		return r;
	if (id > SPEC_ID_MAX)
		return jp_fail(p, SPEC_ID_RANGE_MSG);
	*out = (uint32_t)id;
	return 0;
}

static int parse_id(struct jp *p, json_t *o, const char *key, uint32_t *out)
{
	json_t *v = jp_get(o, key);
	if (!v)
		return 0;
	size_t m = jp_push_key(p, key);
	int r = read_id(p, v, out);
	jp_pop(p, m);
	return r;
}

static int parse_gids(struct jp *p, json_t *o, struct spec_user *u)
{
	json_t *v = jp_get(o, "additionalGids");
	if (!v)
		return 0;
	size_t m = jp_push_key(p, "additionalGids");
	int r = 0;
	if (!json_is_array(v))
		r = jp_fail(p, "must be an array of unsigned 32-bit integers");
	size_t n = r == 0 ? json_array_size(v) : 0;
	if (n && !(u->additional_gids = calloc(n, sizeof(uint32_t))))
		r = jp_nomem(p);
	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t mi = jp_push_index(p, i);
		r = read_id(p, json_array_get(v, i), &u->additional_gids[i]);
		jp_pop(p, mi);
		u->n_additional_gids = i + 1;
	}
	jp_pop(p, m);
	return r;
}

static int parse_user(struct jp *p, json_t *o, void *arg)
{
	struct spec_user *u = arg;
	int r;
	if ((r = parse_id(p, o, "uid", &u->uid)) < 0 || (r = parse_id(p, o, "gid", &u->gid)) < 0 ||
	    (r = jp_u32(p, o, "umask", JP_OPT, &u->umask, &u->has_umask)) < 0)
		return r;
	return parse_gids(p, o, u);
}

static int parse_caps(struct jp *p, json_t *o, void *arg)
{
	struct spec_caps *c = arg;
	int r;
	if ((r = jp_strv(p, o, "bounding", JP_OPT, false, &c->bounding, &c->n_bounding)) < 0 ||
	    (r = jp_strv(p, o, "effective", JP_OPT, false, &c->effective, &c->n_effective)) < 0 ||
	    (r = jp_strv(p, o, "inheritable", JP_OPT, false, &c->inheritable, &c->n_inheritable)) < 0 ||
	    (r = jp_strv(p, o, "permitted", JP_OPT, false, &c->permitted, &c->n_permitted)) < 0 ||
	    (r = jp_strv(p, o, "ambient", JP_OPT, false, &c->ambient, &c->n_ambient)) < 0)
		return r;
	return 0;
}

static int parse_rlimit(struct jp *p, json_t *o, void *item)
{
	struct spec_rlimit *rl = item;
	long res = 0;
	int r;
	if ((r = jp_enum(p, o, "type", JP_REQ, rlimits, ARRAY_SIZE(rlimits), "rlimit", &rl->type, &res)) < 0 ||
	    (r = jp_u64(p, o, "soft", JP_REQ, &rl->soft, NULL)) < 0 ||
	    (r = jp_u64(p, o, "hard", JP_REQ, &rl->hard, NULL)) < 0)
		return r;
	rl->resource = (int)res;
	/* setrlimit(2) refuses this with EINVAL; better said here, by name. */
	if (rl->soft > rl->hard)
		return jp_fail_key(p, "soft", "must not be greater than hard");
	return 0;
}

static int parse_scheduler(struct jp *p, json_t *o, void *arg)
{
	struct spec_scheduler **out = arg, *s = calloc(1, sizeof(*s));
	if (!s)
		return jp_nomem(p);
	*out = s;
	long policy = 0;
	unsigned long mask = 0;
	int r;
	if ((r = jp_enum(p, o, "policy", JP_REQ, sched_policies, ARRAY_SIZE(sched_policies),
			 "scheduler policy", &s->policy, &policy)) < 0 ||
	    (r = jp_i32(p, o, "nice", JP_OPT, &s->nice, NULL)) < 0 ||
	    (r = jp_i32(p, o, "priority", JP_OPT, &s->priority, NULL)) < 0 ||
	    (r = jp_enum_strv(p, o, "flags", sched_flags, ARRAY_SIZE(sched_flags), "scheduler flag",
			      &s->flags, &s->n_flags, &mask)) < 0 ||
	    (r = jp_u64(p, o, "runtime", JP_OPT, &s->runtime, NULL)) < 0 ||
	    (r = jp_u64(p, o, "deadline", JP_OPT, &s->deadline, NULL)) < 0 ||
	    (r = jp_u64(p, o, "period", JP_OPT, &s->period, NULL)) < 0)
		return r;
	s->policy_num = (int)policy;
	s->flags_mask = mask;
	return 0;
}

static int parse_io_priority(struct jp *p, json_t *o, void *arg)
{
	struct spec_io_priority **out = arg, *io = calloc(1, sizeof(*io));
	if (!io)
		return jp_nomem(p);
	*out = io;
	long cls = 0;
	int64_t prio = 0;
	int r;
	if ((r = jp_enum(p, o, "class", JP_REQ, ioprio_classes, ARRAY_SIZE(ioprio_classes),
			 "I/O priority class", &io->class, &cls)) < 0 ||
	    (r = jp_int(p, o, "priority", JP_OPT, 0, 7, "an integer between 0 and 7", &prio, NULL)) < 0)
		return r;
	io->class_num = (int)cls;
	io->priority = (int)prio;
	return 0;
}

/* Comma-separated CPU numbers and ranges, as the schema's pattern allows. */
static int parse_cpu_list(struct jp *p, json_t *o, const char *key, char **out, struct idset *set)
{
	int r = jp_str(p, o, key, JP_OPT, out);
	if (r < 0 || !*out)
		return r;
	char why[128];
	if ((r = idset_parse(*out, SPEC_MAX_CPU, set, why, sizeof(why))) < 0)
		return r == -ENOMEM ? jp_nomem(p) : jp_fail_key(p, key, "invalid CPU list \"%s\": %s", *out, why);
	return 0;
}

static int parse_affinity(struct jp *p, json_t *o, void *arg)
{
	struct spec_process *pr = arg;
	int r;
	if ((r = parse_cpu_list(p, o, "initial", &pr->exec_cpu_affinity_initial, &pr->exec_cpus_initial)) < 0 ||
	    (r = parse_cpu_list(p, o, "final", &pr->exec_cpu_affinity_final, &pr->exec_cpus_final)) < 0)
		return r;
	return 0;
}

static int parse_basics(struct jp *p, json_t *o, struct spec_process *pr)
{
	int r;
	if ((r = jp_bool(p, o, "terminal", JP_OPT, &pr->terminal, NULL)) < 0 ||
	    (r = jp_object(p, o, "consoleSize", JP_OPT, parse_console, pr)) < 0 ||
	    (r = jp_str(p, o, "cwd", JP_REQ, &pr->cwd)) < 0 ||
	    (r = jp_strv(p, o, "env", JP_OPT, false, &pr->env, &pr->n_env)) < 0 ||
	    (r = jp_strv(p, o, "args", JP_REQ, true, &pr->args, &pr->n_args)) < 0 ||
	    (r = jp_object(p, o, "user", JP_OPT, parse_user, &pr->user)) < 0 ||
	    (r = jp_bool(p, o, "noNewPrivileges", JP_OPT, &pr->no_new_privileges, NULL)) < 0 ||
	    (r = jp_str(p, o, "apparmorProfile", JP_OPT, &pr->apparmor_profile)) < 0 ||
	    (r = jp_str(p, o, "selinuxLabel", JP_OPT, &pr->selinux_label)) < 0)
		return r;
	/* exec("") can only fail; say so while the field can still be named. */
	if (pr->n_args && !pr->args[0][0]) {
		size_t m = jp_push_key(p, "args");
		jp_push_index(p, 0);
		r = jp_fail(p, "must not be empty");
		jp_pop(p, m);
		return r;
	}
	/* The spec says to ignore consoleSize without a terminal. */
	if (!pr->terminal)
		pr->has_console_size = false;
	return 0;
}

int spec_parse_process(struct jp *p, json_t *o, void *arg)
{
	struct spec_process **out = arg, *pr = calloc(1, sizeof(*pr));
	if (!pr)
		return jp_nomem(p);
	*out = pr;
	int64_t adj = 0;
	int r;
	if ((r = parse_basics(p, o, pr)) < 0 ||
	    (r = jp_object(p, o, "capabilities", JP_OPT, parse_caps, &pr->capabilities)) < 0 ||
	    (r = jp_array(p, o, "rlimits", JP_OPT, sizeof(*pr->rlimits), &pr->rlimits, &pr->n_rlimits,
			  parse_rlimit)) < 0 ||
	    (r = jp_int(p, o, "oomScoreAdj", JP_OPT, -1000, 1000, "an integer between -1000 and 1000",
			&adj, &pr->has_oom_score_adj)) < 0 ||
	    (r = jp_object(p, o, "scheduler", JP_OPT, parse_scheduler, &pr->scheduler)) < 0 ||
	    (r = jp_object(p, o, "ioPriority", JP_OPT, parse_io_priority, &pr->io_priority)) < 0 ||
	    (r = jp_object(p, o, "execCPUAffinity", JP_OPT, parse_affinity, pr)) < 0)
		return r;
	pr->has_capabilities = jp_get(o, "capabilities") != NULL;
	pr->oom_score_adj = (int)adj;
	return 0;
}

static void caps_free(struct spec_caps *c)
{
	spec_strv_free(c->bounding);
	spec_strv_free(c->effective);
	spec_strv_free(c->inheritable);
	spec_strv_free(c->permitted);
	spec_strv_free(c->ambient);
}

void spec_process_free(struct spec_process *pr)
{
	if (!pr)
		return;
	free(pr->cwd);
	spec_strv_free(pr->env);
	spec_strv_free(pr->args);
	free(pr->user.additional_gids);
	caps_free(&pr->capabilities);
	for (size_t i = 0; i < pr->n_rlimits; i++)
		free(pr->rlimits[i].type);
	free(pr->rlimits);
	free(pr->apparmor_profile);
	free(pr->selinux_label);
	if (pr->scheduler) {
		free(pr->scheduler->policy);
		spec_strv_free(pr->scheduler->flags);
		free(pr->scheduler);
	}
	if (pr->io_priority) {
		free(pr->io_priority->class);
		free(pr->io_priority);
	}
	free(pr->exec_cpu_affinity_initial);
	free(pr->exec_cpu_affinity_final);
	idset_free(&pr->exec_cpus_initial);
	idset_free(&pr->exec_cpus_final);
	free(pr);
}
