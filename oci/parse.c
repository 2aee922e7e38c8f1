/* config.json → struct spec: the top level, root, mounts, process and hooks.
 * linux.* is in parse_linux.c and parse_resources.c. */
#include "parse.h"
#include "spec.h"
#include "jx.h"
#include "lib/util.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <linux/ioprio.h>

static int parse_idmaps(json_t *obj, const char *parent, const char *key, struct spec_idmap **out,
			size_t *n, struct oerr *e)
{
	char p[JX_MAX], q[JX_MAX];
	json_t *arr;
	int r = jx_array(obj, parent, key, false, &arr, e);
	if (r < 0 || !arr)
		return r;
	jx_key(p, parent, key);
	size_t cnt = json_array_size(arr);
	*out = calloc(cnt ? cnt : 1, sizeof(**out));
	if (!*out)
		return oerr_setx(e, ENOMEM, "%s", p);
	*n = cnt;
	for (size_t i = 0; i < cnt; i++) {
		json_t *m = json_array_get(arr, i);
		int64_t v;
		jx_idx(q, p, i);
		if ((r = jx_object(m, q, e)) < 0)
			return r;
		if ((r = jx_int(m, q, "containerID", true, 0, UINT32_MAX, &v, NULL, e)) < 0)
			return r;
		(*out)[i].container_id = (uint32_t)v;
		if ((r = jx_int(m, q, "hostID", true, 0, UINT32_MAX, &v, NULL, e)) < 0)
			return r;
		(*out)[i].host_id = (uint32_t)v;
		if ((r = jx_int(m, q, "size", true, 0, UINT32_MAX, &v, NULL, e)) < 0)
			return r;
		(*out)[i].size = (uint32_t)v;
	}
	return 0;
}

int parse_idmaps_at(json_t *obj, const char *parent, const char *key, struct spec_idmap **out,
		    size_t *n, struct oerr *e)
{
	return parse_idmaps(obj, parent, key, out, n, e);
}

static int parse_mounts(json_t *root, struct spec *s, struct oerr *e)
{
	char p[JX_MAX];
	json_t *arr;
	int r = jx_array(root, "", "mounts", false, &arr, e);
	if (r < 0 || !arr)
		return r;
	size_t cnt = json_array_size(arr);
	s->mounts = calloc(cnt ? cnt : 1, sizeof(*s->mounts));
	if (!s->mounts)
		return oerr_setx(e, ENOMEM, "mounts");
	s->n_mounts = cnt;
	for (size_t i = 0; i < cnt; i++) {
		json_t *m = json_array_get(arr, i);
		struct spec_mount *mt = &s->mounts[i];
		jx_idx(p, "mounts", i);
		if ((r = jx_object(m, p, e)) < 0 || (r = jx_str(m, p, "destination", true, &mt->destination, e)) < 0 ||
		    (r = jx_str(m, p, "source", false, &mt->source, e)) < 0 ||
		    (r = jx_str(m, p, "type", false, &mt->type, e)) < 0 ||
		    (r = jx_strv(m, p, "options", false, false, &mt->options, &mt->n_options, e)) < 0 ||
		    (r = parse_idmaps(m, p, "uidMappings", &mt->uid_mappings, &mt->n_uid_mappings, e)) < 0 ||
		    (r = parse_idmaps(m, p, "gidMappings", &mt->gid_mappings, &mt->n_gid_mappings, e)) < 0)
			return r;
		if (!mt->destination[0]) {
			char q[JX_MAX];
			return jx_err(e, jx_key(q, p, "destination"), "must not be empty");
		}
	}
	return 0;
}

static const struct jx_name rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK }, { NULL, 0 },
};

static int parse_rlimits(json_t *proc, struct spec_process *pr, struct oerr *e)
{
	char p[JX_MAX], q[JX_MAX], msg[128];
	json_t *arr;
	int r = jx_array(proc, "process", "rlimits", false, &arr, e);
	if (r < 0 || !arr)
		return r;
	size_t cnt = json_array_size(arr);
	pr->rlimits = calloc(cnt ? cnt : 1, sizeof(*pr->rlimits));
	if (!pr->rlimits)
		return oerr_setx(e, ENOMEM, "process.rlimits");
	pr->n_rlimits = cnt;
	for (size_t i = 0; i < cnt; i++) {
		json_t *o = json_array_get(arr, i);
		struct spec_rlimit *rl = &pr->rlimits[i];
		jx_idx(p, "process.rlimits", i);
		if ((r = jx_object(o, p, e)) < 0 || (r = jx_str(o, p, "type", true, &rl->type, e)) < 0 ||
		    (r = jx_u64(o, p, "soft", true, &rl->soft, NULL, e)) < 0 ||
		    (r = jx_u64(o, p, "hard", true, &rl->hard, NULL, e)) < 0)
			return r;
		long res = jx_lookup(rlimit_names, rl->type);
		if (res < 0) {
			snprintf(msg, sizeof(msg), "unknown rlimit \"%s\"", rl->type);
			return jx_err(e, jx_key(q, p, "type"), msg);
		}
		rl->resource = (int)res;
		for (size_t j = 0; j < i; j++)
			if (pr->rlimits[j].resource == rl->resource) {
				snprintf(msg, sizeof(msg), "duplicate %s", rl->type);
				return jx_err(e, jx_key(q, p, "type"), msg);
			}
		if (rl->soft > rl->hard)
			return jx_err(e, p, "soft limit must not exceed the hard limit");
	}
	return 0;
}

static int parse_caps(json_t *proc, struct spec_process *pr, struct oerr *e)
{
	json_t *c;
	int r = jx_child(proc, "process", "capabilities", false, &c, e);
	if (r < 0 || !c)
		return r;
	struct spec_caps *k = &pr->capabilities;
	const char *P = "process.capabilities";
	pr->has_capabilities = true;
	if ((r = jx_strv(c, P, "bounding", false, false, &k->bounding, &k->n_bounding, e)) < 0 ||
	    (r = jx_strv(c, P, "effective", false, false, &k->effective, &k->n_effective, e)) < 0 ||
	    (r = jx_strv(c, P, "inheritable", false, false, &k->inheritable, &k->n_inheritable, e)) < 0 ||
	    (r = jx_strv(c, P, "permitted", false, false, &k->permitted, &k->n_permitted, e)) < 0 ||
	    (r = jx_strv(c, P, "ambient", false, false, &k->ambient, &k->n_ambient, e)) < 0)
		return r;
	return 0;
}

static int parse_user(json_t *proc, struct spec_process *pr, struct oerr *e)
{
	json_t *u, *arr;
	int64_t v;
	int r = jx_child(proc, "process", "user", false, &u, e);
	if (r < 0 || !u)
		return r;
	const char *P = "process.user";
	if ((r = jx_int(u, P, "uid", false, 0, UINT32_MAX, &v, NULL, e)) < 0)
		return r;
	pr->user.uid = json_object_get(u, "uid") ? (uint32_t)v : 0;
	v = 0;
	if ((r = jx_int(u, P, "gid", false, 0, UINT32_MAX, &v, NULL, e)) < 0)
		return r;
	pr->user.gid = (uint32_t)v;
	if ((r = jx_int(u, P, "umask", false, 0, UINT32_MAX, &v, &pr->user.has_umask, e)) < 0)
		return r;
	if (pr->user.has_umask)
		pr->user.umask = (uint32_t)v;
	if ((r = jx_array(u, P, "additionalGids", false, &arr, e)) < 0 || !arr)
		return r;
	size_t cnt = json_array_size(arr);
	pr->user.additional_gids = calloc(cnt ? cnt : 1, sizeof(uint32_t));
	if (!pr->user.additional_gids)
		return oerr_setx(e, ENOMEM, "process.user.additionalGids");
	pr->user.n_additional_gids = cnt;
	for (size_t i = 0; i < cnt; i++) {
		json_t *g = json_array_get(arr, i);
		if (!json_is_integer(g) || json_integer_value(g) < 0 || json_integer_value(g) > UINT32_MAX) {
			char p[JX_MAX];
			return jx_err(e, jx_idx(p, "process.user.additionalGids", i),
				      "must be an unsigned 32-bit integer");
		}
		pr->user.additional_gids[i] = (uint32_t)json_integer_value(g);
	}
	return 0;
}

static const struct jx_name sched_policies[] = {
	{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 }, { "SCHED_BATCH", 3 },
	{ "SCHED_ISO", 4 }, { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 }, { NULL, 0 },
};
static const struct jx_name sched_flags[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 }, { NULL, 0 },
};
static const struct jx_name ioprio_classes[] = {
	{ "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 }, { NULL, 0 },
};

static int parse_sched_io(json_t *proc, struct spec_process *pr, struct oerr *e)
{
	char msg[128];
	json_t *o;
	int64_t v;
	const char *P = "process.scheduler";
	int r = jx_child(proc, "process", "scheduler", false, &o, e);
	if (r < 0)
		return r;
	if (o) {
		struct spec_scheduler *sc = pr->scheduler = calloc(1, sizeof(*sc));
		if (!sc)
			return oerr_setx(e, ENOMEM, "%s", P);
		if ((r = jx_str(o, P, "policy", true, &sc->policy, e)) < 0)
			return r;
		long pol = jx_lookup(sched_policies, sc->policy);
		if (pol < 0) {
			snprintf(msg, sizeof(msg), "unknown policy \"%s\"", sc->policy);
			return jx_err(e, "process.scheduler.policy", msg);
		}
		sc->policy_num = (int)pol;
		if ((r = jx_int(o, P, "nice", false, INT32_MIN, INT32_MAX, &v, NULL, e)) < 0)
			return r;
		sc->nice = json_object_get(o, "nice") ? (int32_t)v : 0;
		v = 0;
		if ((r = jx_int(o, P, "priority", false, INT32_MIN, INT32_MAX, &v, NULL, e)) < 0)
			return r;
		sc->priority = (int32_t)v;
		if ((r = jx_u64(o, P, "runtime", false, &sc->runtime, NULL, e)) < 0 ||
		    (r = jx_u64(o, P, "deadline", false, &sc->deadline, NULL, e)) < 0 ||
		    (r = jx_u64(o, P, "period", false, &sc->period, NULL, e)) < 0 ||
		    (r = jx_strv(o, P, "flags", false, false, &sc->flags, &sc->n_flags, e)) < 0)
			return r;
		for (size_t i = 0; i < sc->n_flags; i++) {
			long f = jx_lookup(sched_flags, sc->flags[i]);
			if (f < 0) {
				char p[JX_MAX];
				snprintf(msg, sizeof(msg), "unknown flag \"%s\"", sc->flags[i]);
				return jx_err(e, jx_idx(p, "process.scheduler.flags", i), msg);
			}
			sc->flags_mask |= (uint64_t)f;
		}
	}
	if ((r = jx_child(proc, "process", "ioPriority", false, &o, e)) < 0 || !o)
		return r;
	struct spec_io_priority *io = pr->io_priority = calloc(1, sizeof(*io));
	if (!io)
		return oerr_setx(e, ENOMEM, "process.ioPriority");
	if ((r = jx_str(o, "process.ioPriority", "class", true, &io->class, e)) < 0)
		return r;
	long cls = jx_lookup(ioprio_classes, io->class);
	if (cls < 0) {
		snprintf(msg, sizeof(msg), "unknown class \"%s\"", io->class);
		return jx_err(e, "process.ioPriority.class", msg);
	}
	io->class_num = (int)cls;
	if ((r = jx_int(o, "process.ioPriority", "priority", true, 0, 7, &v, NULL, e)) < 0)
		return r;
	io->priority = (int)v;
	return 0;
}

int parse_process_object(json_t *proc, struct spec_process **out, struct oerr *e)
{
	const char *P = "process";
	int r = jx_object(proc, P, e);
	if (r < 0)
		return r;
	struct spec_process *pr = *out = calloc(1, sizeof(*pr));
	if (!pr)
		return oerr_setx(e, ENOMEM, "process");
	json_t *cs;
	int64_t v;
	if ((r = jx_bool(proc, P, "terminal", &pr->terminal, NULL, e)) < 0 ||
	    (r = jx_child(proc, P, "consoleSize", false, &cs, e)) < 0)
		return r;
	if (cs) {
		pr->has_console_size = true;
		if ((r = jx_int(cs, "process.consoleSize", "height", true, 0, UINT32_MAX, &v, NULL, e)) < 0)
			return r;
		pr->console_height = (uint32_t)v;
		if ((r = jx_int(cs, "process.consoleSize", "width", true, 0, UINT32_MAX, &v, NULL, e)) < 0)
			return r;
		pr->console_width = (uint32_t)v;
	}
	if ((r = jx_str(proc, P, "cwd", true, &pr->cwd, e)) < 0)
		return r;
	if (pr->cwd[0] != '/')
		return jx_err(e, "process.cwd", "must be an absolute path");
	if ((r = jx_strv(proc, P, "env", false, false, &pr->env, &pr->n_env, e)) < 0 ||
	    (r = jx_strv(proc, P, "args", true, true, &pr->args, &pr->n_args, e)) < 0)
		return r;
	if (!pr->args[0][0])
		return jx_err(e, "process.args[0]", "must not be empty");
	if ((r = parse_user(proc, pr, e)) < 0 || (r = parse_caps(proc, pr, e)) < 0 ||
	    (r = parse_rlimits(proc, pr, e)) < 0 ||
	    (r = jx_bool(proc, P, "noNewPrivileges", &pr->no_new_privileges, NULL, e)) < 0 ||
	    (r = jx_str(proc, P, "apparmorProfile", false, &pr->apparmor_profile, e)) < 0 ||
	    (r = jx_str(proc, P, "selinuxLabel", false, &pr->selinux_label, e)) < 0 ||
	    (r = jx_int(proc, P, "oomScoreAdj", false, -1000, 1000, &v, &pr->has_oom_score_adj, e)) < 0)
		return r;
	if (pr->has_oom_score_adj)
		pr->oom_score_adj = (int)v;
	if ((r = parse_sched_io(proc, pr, e)) < 0)
		return r;
	json_t *aff;
	if ((r = jx_child(proc, P, "execCPUAffinity", false, &aff, e)) < 0)
		return r;
	if (aff && ((r = jx_str(aff, "process.execCPUAffinity", "initial", false, &pr->exec_cpu_affinity_initial, e)) < 0 ||
		    (r = jx_str(aff, "process.execCPUAffinity", "final", false, &pr->exec_cpu_affinity_final, e)) < 0))
		return r;
	return 0;
}

static int parse_hook_list(json_t *hooks, const char *key, struct spec_hook **out, size_t *n, struct oerr *e)
{
	char p[JX_MAX], base[JX_MAX];
	json_t *arr;
	int r = jx_array(hooks, "hooks", key, false, &arr, e);
	if (r < 0 || !arr)
		return r;
	jx_key(base, "hooks", key);
	size_t cnt = json_array_size(arr);
	*out = calloc(cnt ? cnt : 1, sizeof(**out));
	if (!*out)
		return oerr_setx(e, ENOMEM, "%s", base);
	*n = cnt;
	for (size_t i = 0; i < cnt; i++) {
		json_t *h = json_array_get(arr, i);
		struct spec_hook *hk = &(*out)[i];
		int64_t t;
		jx_idx(p, base, i);
		if ((r = jx_object(h, p, e)) < 0 || (r = jx_str(h, p, "path", true, &hk->path, e)) < 0 ||
		    (r = jx_strv(h, p, "args", false, false, &hk->args, &hk->n_args, e)) < 0 ||
		    (r = jx_strv(h, p, "env", false, false, &hk->env, &hk->n_env, e)) < 0 ||
		    (r = jx_int(h, p, "timeout", false, 1, INT32_MAX, &t, &hk->has_timeout, e)) < 0)
			return r;
		if (hk->path[0] != '/') {
			char q[JX_MAX];
			return jx_err(e, jx_key(q, p, "path"), "must be an absolute path");
		}
		if (hk->has_timeout)
			hk->timeout = (int)t;
	}
	return 0;
}

static int parse_hooks(json_t *root, struct spec *s, struct oerr *e)
{
	json_t *h;
	int r = jx_child(root, "", "hooks", false, &h, e);
	if (r < 0 || !h)
		return r;
	struct spec_hooks *k = &s->hooks;
	if ((r = parse_hook_list(h, "prestart", &k->prestart, &k->n_prestart, e)) < 0 ||
	    (r = parse_hook_list(h, "createRuntime", &k->create_runtime, &k->n_create_runtime, e)) < 0 ||
	    (r = parse_hook_list(h, "createContainer", &k->create_container, &k->n_create_container, e)) < 0 ||
	    (r = parse_hook_list(h, "startContainer", &k->start_container, &k->n_start_container, e)) < 0 ||
	    (r = parse_hook_list(h, "poststart", &k->poststart, &k->n_poststart, e)) < 0 ||
	    (r = parse_hook_list(h, "poststop", &k->poststop, &k->n_poststop, e)) < 0)
		return r;
	return 0;
}

static int parse_root(json_t *root, struct spec *s, struct oerr *e)
{
	int r = jx_str(root, "", "ociVersion", true, &s->oci_version, e);
	if (r < 0)
		return r;
	json_t *rt, *proc;
	if ((r = jx_child(root, "", "root", false, &rt, e)) < 0)
		return r;
	if (rt && ((r = jx_str(rt, "root", "path", true, &s->root_path, e)) < 0 ||
		   (r = jx_bool(rt, "root", "readonly", &s->root_readonly, NULL, e)) < 0))
		return r;
	if ((r = parse_mounts(root, s, e)) < 0)
		return r;
	if ((r = jx_child(root, "", "process", false, &proc, e)) < 0)
		return r;
	if (proc && (r = parse_process_object(proc, &s->process, e)) < 0)
		return r;
	if ((r = jx_str(root, "", "hostname", false, &s->hostname, e)) < 0 ||
	    (r = jx_str(root, "", "domainname", false, &s->domainname, e)) < 0 ||
	    (r = parse_hooks(root, s, e)) < 0 ||
	    (r = jx_kv(root, "", "annotations", &s->annotations, &s->n_annotations, e)) < 0)
		return r;
	json_t *lin;
	if ((r = jx_child(root, "", "linux", false, &lin, e)) < 0)
		return r;
	if (lin && (r = parse_linux(lin, s, e)) < 0)
		return r;
	return 0;
}

int spec_parse(const char *json, size_t len, struct spec **out, struct oerr *e)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return oerr_setx(e, EINVAL, "invalid JSON: %s at line %d column %d", jerr.text, jerr.line,
				 jerr.column);
	if (!json_is_object(root)) {
		json_decref(root);
		return oerr_setx(e, EINVAL, "invalid JSON: the top level must be an object");
	}
	struct spec *s = calloc(1, sizeof(*s));
	int r = s ? parse_root(root, s, e) : oerr_setx(e, ENOMEM, "config");
	json_decref(root);
	if (r == 0)
		r = spec_validate(s, e);
	if (r < 0) {
		spec_free(s);
		return r;
	}
	*out = s;
	return 0;
}

int spec_load_bundle(const char *bundle_dir, struct spec **out, struct oerr *e)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/config.json", bundle_dir);
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, path, &text, &len, e);
	if (r < 0)
		return r;
	r = spec_parse(text, len, out, e);
	return r < 0 ? oerr_wrap(e, "%s", path) : 0;
}
