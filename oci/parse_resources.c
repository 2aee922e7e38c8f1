/* linux.resources and linux.seccomp. */
#include "parse.h"
#include "jx.h"
#include "lib/util.h"
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An array of objects: allocate *out (elem bytes each) and call fn per element. */
typedef int (*elem_fn)(json_t *o, const char *path, void *elem, struct oerr *e);

static int parse_list(json_t *obj, const char *parent, const char *key, size_t elem, elem_fn fn,
		      void **out, size_t *n, struct oerr *e)
{
	char base[JX_MAX], p[JX_MAX];
	json_t *arr;
	int r = jx_array(obj, parent, key, false, &arr, e);
	if (r < 0 || !arr)
		return r;
	jx_key(base, parent, key);
	size_t cnt = json_array_size(arr);
	char *v = calloc(cnt ? cnt : 1, elem);
	if (!v)
		return oerr_setx(e, ENOMEM, "%s", base);
	*out = v;
	for (size_t i = 0; i < cnt; i++) {
		jx_idx(p, base, i);
		json_t *o = json_array_get(arr, i);
		*n = i + 1;
		if ((r = jx_object(o, p, e)) < 0 || (r = fn(o, p, v + i * elem, e)) < 0)
			return r;
	}
	*n = cnt;
	return 0;
}

static int dev_cgroup(json_t *o, const char *p, void *elem, struct oerr *e)
{
	struct spec_device_cgroup *d = elem;
	int r;
	bool has_allow = false;
	if ((r = jx_bool(o, p, "allow", &d->allow, &has_allow, e)) < 0)
		return r;
	if (!has_allow)
		return jx_err(e, p, "allow: required");
	if ((r = jx_str(o, p, "type", false, &d->type, e)) < 0 ||
	    (r = jx_int(o, p, "major", false, -1, INT64_MAX, &d->major, &d->has_major, e)) < 0 ||
	    (r = jx_int(o, p, "minor", false, -1, INT64_MAX, &d->minor, &d->has_minor, e)) < 0 ||
	    (r = jx_str(o, p, "access", false, &d->access, e)) < 0)
		return r;
	char q[JX_MAX];
	if (d->type && (strlen(d->type) != 1 || !strchr("abc", d->type[0])))
		return jx_err(e, jx_key(q, p, "type"), "must be \"a\", \"b\" or \"c\"");
	if (d->access && d->access[strspn(d->access, "rwm")])
		return jx_err(e, jx_key(q, p, "access"), "must be made of r, w and m");
	return 0;
}

static int weight_dev(json_t *o, const char *p, void *elem, struct oerr *e)
{
	struct spec_weight_device *w = elem;
	int64_t v;
	int r;
	if ((r = jx_int(o, p, "major", true, INT64_MIN, INT64_MAX, &w->major, NULL, e)) < 0 ||
	    (r = jx_int(o, p, "minor", true, INT64_MIN, INT64_MAX, &w->minor, NULL, e)) < 0 ||
	    (r = jx_int(o, p, "weight", false, 0, UINT16_MAX, &v, &w->has_weight, e)) < 0)
		return r;
	if (w->has_weight)
		w->weight = (uint16_t)v;
	if ((r = jx_int(o, p, "leafWeight", false, 0, UINT16_MAX, &v, &w->has_leaf_weight, e)) < 0)
		return r;
	if (w->has_leaf_weight)
		w->leaf_weight = (uint16_t)v;
	return 0;
}

static int throttle_dev(json_t *o, const char *p, void *elem, struct oerr *e)
{
	struct spec_throttle_device *t = elem;
	int r;
	if ((r = jx_int(o, p, "major", true, INT64_MIN, INT64_MAX, &t->major, NULL, e)) < 0 ||
	    (r = jx_int(o, p, "minor", true, INT64_MIN, INT64_MAX, &t->minor, NULL, e)) < 0 ||
	    (r = jx_u64(o, p, "rate", true, &t->rate, NULL, e)) < 0)
		return r;
	return 0;
}

static int hugepage(json_t *o, const char *p, void *elem, struct oerr *e)
{
	struct spec_hugepage *h = elem;
	int r;
	if ((r = jx_str(o, p, "pageSize", true, &h->page_size, e)) < 0 ||
	    (r = jx_u64(o, p, "limit", true, &h->limit, NULL, e)) < 0)
		return r;
	/* The schema's ^[1-9][0-9]*[KMG]B$ */
	const char *c = h->page_size;
	bool ok = *c >= '1' && *c <= '9';
	while (ok && *c >= '0' && *c <= '9')
		c++;
	ok = ok && (*c == 'K' || *c == 'M' || *c == 'G') && !strcmp(c + 1, "B");
	if (!ok) {
		char q[JX_MAX];
		return jx_err(e, jx_key(q, p, "pageSize"), "must look like 2MB, 64KB or 1GB");
	}
	return 0;
}

static int net_prio(json_t *o, const char *p, void *elem, struct oerr *e)
{
	struct spec_net_priority *np = elem;
	int64_t v;
	int r;
	if ((r = jx_str(o, p, "name", true, &np->name, e)) < 0 ||
	    (r = jx_int(o, p, "priority", true, 0, UINT32_MAX, &v, NULL, e)) < 0)
		return r;
	np->priority = (uint32_t)v;
	return 0;
}

static int parse_memory_cpu(json_t *res, struct spec_resources *r, struct oerr *e)
{
	json_t *o;
	int ret;
	const char *P = "linux.resources.memory";
	if ((ret = jx_child(res, "linux.resources", "memory", false, &o, e)) < 0)
		return ret;
	if (o) {
		struct spec_memory *m = r->memory = calloc(1, sizeof(*m));
		if (!m)
			return oerr_setx(e, ENOMEM, "%s", P);
		if ((ret = jx_int(o, P, "limit", false, INT64_MIN, INT64_MAX, &m->limit, &m->has_limit, e)) < 0 ||
		    (ret = jx_int(o, P, "reservation", false, INT64_MIN, INT64_MAX, &m->reservation, &m->has_reservation, e)) < 0 ||
		    (ret = jx_int(o, P, "swap", false, INT64_MIN, INT64_MAX, &m->swap, &m->has_swap, e)) < 0 ||
		    (ret = jx_int(o, P, "kernel", false, INT64_MIN, INT64_MAX, &m->kernel, &m->has_kernel, e)) < 0 ||
		    (ret = jx_int(o, P, "kernelTCP", false, INT64_MIN, INT64_MAX, &m->kernel_tcp, &m->has_kernel_tcp, e)) < 0 ||
		    (ret = jx_u64(o, P, "swappiness", false, &m->swappiness, &m->has_swappiness, e)) < 0 ||
		    (ret = jx_bool(o, P, "disableOOMKiller", &m->disable_oom_killer, &m->has_disable_oom_killer, e)) < 0 ||
		    (ret = jx_bool(o, P, "useHierarchy", &m->use_hierarchy, &m->has_use_hierarchy, e)) < 0 ||
		    (ret = jx_bool(o, P, "checkBeforeUpdate", &m->check_before_update, &m->has_check_before_update, e)) < 0)
			return ret;
	}
	P = "linux.resources.cpu";
	if ((ret = jx_child(res, "linux.resources", "cpu", false, &o, e)) < 0 || !o)
		return ret;
	struct spec_cpu *c = r->cpu = calloc(1, sizeof(*c));
	if (!c)
		return oerr_setx(e, ENOMEM, "%s", P);
	if ((ret = jx_u64(o, P, "shares", false, &c->shares, &c->has_shares, e)) < 0 ||
	    (ret = jx_int(o, P, "quota", false, INT64_MIN, INT64_MAX, &c->quota, &c->has_quota, e)) < 0 ||
	    (ret = jx_u64(o, P, "burst", false, &c->burst, &c->has_burst, e)) < 0 ||
	    (ret = jx_u64(o, P, "period", false, &c->period, &c->has_period, e)) < 0 ||
	    (ret = jx_int(o, P, "realtimeRuntime", false, INT64_MIN, INT64_MAX, &c->realtime_runtime, &c->has_realtime_runtime, e)) < 0 ||
	    (ret = jx_u64(o, P, "realtimePeriod", false, &c->realtime_period, &c->has_realtime_period, e)) < 0 ||
	    (ret = jx_str(o, P, "cpus", false, &c->cpus, e)) < 0 ||
	    (ret = jx_str(o, P, "mems", false, &c->mems, e)) < 0 ||
	    (ret = jx_int(o, P, "idle", false, INT64_MIN, INT64_MAX, &c->idle, &c->has_idle, e)) < 0)
		return ret;
	return 0;
}

static int parse_blkio(json_t *res, struct spec_resources *r, struct oerr *e)
{
	json_t *o;
	int64_t v;
	const char *P = "linux.resources.blockIO";
	int ret = jx_child(res, "linux.resources", "blockIO", false, &o, e);
	if (ret < 0 || !o)
		return ret;
	struct spec_blkio *b = r->block_io = calloc(1, sizeof(*b));
	if (!b)
		return oerr_setx(e, ENOMEM, "%s", P);
	if ((ret = jx_int(o, P, "weight", false, 0, UINT16_MAX, &v, &b->has_weight, e)) < 0)
		return ret;
	b->weight = (uint16_t)(b->has_weight ? v : 0);
	if ((ret = jx_int(o, P, "leafWeight", false, 0, UINT16_MAX, &v, &b->has_leaf_weight, e)) < 0)
		return ret;
	b->leaf_weight = (uint16_t)(b->has_leaf_weight ? v : 0);
	size_t ts = sizeof(struct spec_throttle_device);
	if ((ret = parse_list(o, P, "weightDevice", sizeof(struct spec_weight_device), weight_dev,
			      (void **)&b->weight_device, &b->n_weight_device, e)) < 0 ||
	    (ret = parse_list(o, P, "throttleReadBpsDevice", ts, throttle_dev, (void **)&b->throttle_read_bps,
			      &b->n_throttle_read_bps, e)) < 0 ||
	    (ret = parse_list(o, P, "throttleWriteBpsDevice", ts, throttle_dev, (void **)&b->throttle_write_bps,
			      &b->n_throttle_write_bps, e)) < 0 ||
	    (ret = parse_list(o, P, "throttleReadIOPSDevice", ts, throttle_dev, (void **)&b->throttle_read_iops,
			      &b->n_throttle_read_iops, e)) < 0 ||
	    (ret = parse_list(o, P, "throttleWriteIOPSDevice", ts, throttle_dev, (void **)&b->throttle_write_iops,
			      &b->n_throttle_write_iops, e)) < 0)
		return ret;
	return 0;
}

static int parse_rdma(json_t *res, struct spec_resources *r, struct oerr *e)
{
	json_t *o;
	int ret = jx_child(res, "linux.resources", "rdma", false, &o, e);
	if (ret < 0 || !o)
		return ret;
	size_t cnt = json_object_size(o), i = 0;
	r->rdma = calloc(cnt ? cnt : 1, sizeof(*r->rdma));
	if (!r->rdma)
		return oerr_setx(e, ENOMEM, "linux.resources.rdma");
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		char p[JX_MAX];
		int64_t n;
		struct spec_rdma *d = &r->rdma[i];
		jx_key(p, "linux.resources.rdma", k);
		r->n_rdma = ++i;
		if ((ret = jx_object(v, p, e)) < 0)
			return ret;
		if (!(d->device = strdup(k)))
			return oerr_setx(e, ENOMEM, "%s", p);
		if ((ret = jx_int(v, p, "hcaHandles", false, 0, UINT32_MAX, &n, &d->has_hca_handles, e)) < 0)
			return ret;
		d->hca_handles = d->has_hca_handles ? (uint32_t)n : 0;
		if ((ret = jx_int(v, p, "hcaObjects", false, 0, UINT32_MAX, &n, &d->has_hca_objects, e)) < 0)
			return ret;
		d->hca_objects = d->has_hca_objects ? (uint32_t)n : 0;
	}
	return 0;
}

int parse_resources(json_t *res, struct spec_resources **out, struct oerr *e)
{
	const char *P = "linux.resources";
	struct spec_resources *r = *out = calloc(1, sizeof(*r));
	if (!r)
		return oerr_setx(e, ENOMEM, "%s", P);
	json_t *o;
	int64_t v;
	int ret;
	if ((ret = parse_list(res, P, "devices", sizeof(struct spec_device_cgroup), dev_cgroup,
			      (void **)&r->devices, &r->n_devices, e)) < 0 ||
	    (ret = parse_memory_cpu(res, r, e)) < 0 || (ret = parse_blkio(res, r, e)) < 0 ||
	    (ret = parse_rdma(res, r, e)) < 0 ||
	    (ret = jx_kv(res, P, "unified", &r->unified, &r->n_unified, e)) < 0 ||
	    (ret = parse_list(res, P, "hugepageLimits", sizeof(struct spec_hugepage), hugepage,
			      (void **)&r->hugepage_limits, &r->n_hugepage_limits, e)) < 0)
		return ret;
	if ((ret = jx_child(res, P, "pids", false, &o, e)) < 0)
		return ret;
	if (o && (ret = jx_int(o, "linux.resources.pids", "limit", false, INT64_MIN, INT64_MAX, &r->pids_limit,
			       &r->has_pids_limit, e)) < 0)
		return ret;
	if ((ret = jx_child(res, P, "network", false, &o, e)) < 0 || !o)
		return ret;
	r->has_network = true;
	if ((ret = jx_int(o, "linux.resources.network", "classID", false, 0, UINT32_MAX, &v, &r->has_net_class_id, e)) < 0)
		return ret;
	r->net_class_id = r->has_net_class_id ? (uint32_t)v : 0;
	return parse_list(o, "linux.resources.network", "priorities", sizeof(struct spec_net_priority), net_prio,
			  (void **)&r->net_priorities, &r->n_net_priorities, e);
}

static const struct jx_name ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ }, { NULL, 0 },
};

static int seccomp_arg(json_t *o, const char *p, void *elem, struct oerr *e)
{
	struct spec_seccomp_arg *a = elem;
	int64_t v;
	char q[JX_MAX], msg[96];
	int r;
	if ((r = jx_int(o, p, "index", true, 0, 5, &v, NULL, e)) < 0)
		return r;
	a->index = (uint32_t)v;
	if ((r = jx_u64(o, p, "value", true, &a->value, NULL, e)) < 0 ||
	    (r = jx_u64(o, p, "valueTwo", false, &a->value_two, NULL, e)) < 0 ||
	    (r = jx_str(o, p, "op", true, &a->op, e)) < 0)
		return r;
	long op = jx_lookup(ops, a->op);
	if (op < 0) {
		snprintf(msg, sizeof(msg), "unknown operator \"%s\"", a->op);
		return jx_err(e, jx_key(q, p, "op"), msg);
	}
	a->op_num = (int)op;
	return 0;
}

static int seccomp_syscall(json_t *o, const char *p, void *elem, struct oerr *e)
{
	struct spec_seccomp_syscall *s = elem;
	int64_t v;
	int r;
	if ((r = jx_strv(o, p, "names", true, true, &s->names, &s->n_names, e)) < 0 ||
	    (r = jx_str(o, p, "action", true, &s->action, e)) < 0 ||
	    (r = jx_int(o, p, "errnoRet", false, 0, UINT32_MAX, &v, &s->has_errno_ret, e)) < 0)
		return r;
	s->errno_ret = s->has_errno_ret ? (uint32_t)v : 0;
	return parse_list(o, p, "args", sizeof(struct spec_seccomp_arg), seccomp_arg, (void **)&s->args,
			  &s->n_args, e);
}

int parse_seccomp(json_t *o, struct spec_seccomp **out, struct oerr *e)
{
	const char *P = "linux.seccomp";
	struct spec_seccomp *sc = *out = calloc(1, sizeof(*sc));
	int64_t v;
	int r;
	if (!sc)
		return oerr_setx(e, ENOMEM, "%s", P);
	if ((r = jx_str(o, P, "defaultAction", true, &sc->default_action, e)) < 0 ||
	    (r = jx_int(o, P, "defaultErrnoRet", false, 0, UINT32_MAX, &v, &sc->has_default_errno_ret, e)) < 0)
		return r;
	sc->default_errno_ret = sc->has_default_errno_ret ? (uint32_t)v : 0;
	if ((r = jx_strv(o, P, "architectures", false, false, &sc->architectures, &sc->n_architectures, e)) < 0 ||
	    (r = jx_strv(o, P, "flags", false, false, &sc->flags, &sc->n_flags, e)) < 0 ||
	    (r = jx_str(o, P, "listenerPath", false, &sc->listener_path, e)) < 0 ||
	    (r = jx_str(o, P, "listenerMetadata", false, &sc->listener_metadata, e)) < 0)
		return r;
	return parse_list(o, P, "syscalls", sizeof(struct spec_seccomp_syscall), seccomp_syscall,
			  (void **)&sc->syscalls, &sc->n_syscalls, e);
}
