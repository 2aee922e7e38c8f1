/* config.json "linux.resources": the cgroup settings. */
#include "oci/spec_internal.h"
#include "base/util.h"
#include <ctype.h>
#include <string.h>

static int parse_device_rule(struct jp *p, json_t *o, void *item)
{
	struct spec_device_cgroup *d = item;
	int r;
	if ((r = jp_bool(p, o, "allow", JP_REQ, &d->allow, NULL)) < 0 ||
	    (r = jp_str(p, o, "type", JP_OPT, &d->type)) < 0 ||
	    (r = jp_i64(p, o, "major", JP_OPT, &d->major, &d->has_major)) < 0 ||
	    (r = jp_i64(p, o, "minor", JP_OPT, &d->minor, &d->has_minor)) < 0 ||
	    (r = jp_str(p, o, "access", JP_OPT, &d->access)) < 0)
		return r;
	if (d->type && strcmp(d->type, "a") && strcmp(d->type, "b") && strcmp(d->type, "c"))
		return jp_fail_key(p, "type", "must be \"a\", \"b\" or \"c\"");
	if (d->access && strspn(d->access, "rwm") != strlen(d->access))
		return jp_fail_key(p, "access", "must be a combination of \"r\", \"w\" and \"m\"");
	return 0;
}

static int parse_memory(struct jp *p, json_t *o, void *arg)
{
	struct spec_memory **out = arg, *m = calloc(1, sizeof(*m));
	if (!m)
		return jp_nomem(p);
	*out = m;
	int r;
	if ((r = jp_i64(p, o, "limit", JP_OPT, &m->limit, &m->has_limit)) < 0 ||
	    (r = jp_i64(p, o, "reservation", JP_OPT, &m->reservation, &m->has_reservation)) < 0 ||
	    (r = jp_i64(p, o, "swap", JP_OPT, &m->swap, &m->has_swap)) < 0 ||
	    (r = jp_i64(p, o, "kernel", JP_OPT, &m->kernel, &m->has_kernel)) < 0 ||
	    (r = jp_i64(p, o, "kernelTCP", JP_OPT, &m->kernel_tcp, &m->has_kernel_tcp)) < 0 ||
	    (r = jp_u64(p, o, "swappiness", JP_OPT, &m->swappiness, &m->has_swappiness)) < 0 ||
	    (r = jp_bool(p, o, "disableOOMKiller", JP_OPT, &m->disable_oom_killer, &m->has_disable_oom_killer)) < 0 ||
	    (r = jp_bool(p, o, "useHierarchy", JP_OPT, &m->use_hierarchy, &m->has_use_hierarchy)) < 0 ||
	    (r = jp_bool(p, o, "checkBeforeUpdate", JP_OPT, &m->check_before_update,
			 &m->has_check_before_update)) < 0)
		return r;
	/* Older Docker wrote -1 as a uint64 for "not set"; runc reads it so too. */
	if (m->has_swappiness && m->swappiness == UINT64_MAX)
		m->has_swappiness = false;
	if (m->has_swappiness && m->swappiness > 100)
		return jp_fail_key(p, "swappiness", "must be an integer between 0 and 100");
	return 0;
}

static int parse_cpu(struct jp *p, json_t *o, void *arg)
{
	struct spec_cpu **out = arg, *c = calloc(1, sizeof(*c));
	if (!c)
		return jp_nomem(p);
	*out = c;
	int r;
	if ((r = jp_u64(p, o, "shares", JP_OPT, &c->shares, &c->has_shares)) < 0 ||
	    (r = jp_i64(p, o, "quota", JP_OPT, &c->quota, &c->has_quota)) < 0 ||
	    (r = jp_u64(p, o, "burst", JP_OPT, &c->burst, &c->has_burst)) < 0 ||
	    (r = jp_u64(p, o, "period", JP_OPT, &c->period, &c->has_period)) < 0 ||
	    (r = jp_i64(p, o, "realtimeRuntime", JP_OPT, &c->realtime_runtime, &c->has_realtime_runtime)) < 0 ||
	    (r = jp_u64(p, o, "realtimePeriod", JP_OPT, &c->realtime_period, &c->has_realtime_period)) < 0 ||
	    (r = jp_i64(p, o, "idle", JP_OPT, &c->idle, &c->has_idle)) < 0 ||
	    (r = jp_str(p, o, "cpus", JP_OPT, &c->cpus)) < 0 ||
	    (r = jp_str(p, o, "mems", JP_OPT, &c->mems)) < 0)
		return r;
	return 0;
}

static int parse_pids(struct jp *p, json_t *o, void *arg)
{
	struct spec_resources *res = arg;
	res->has_pids_limit = true;
	return jp_i64(p, o, "limit", JP_REQ, &res->pids_limit, NULL);
}

/* The blkio weights of cgroup v1 (BFQ 1..1000, CFQ 10..1000; v2's io.weight
 * is converted from that range); 0 leaves the weight as it is. */
static int check_blkio_weight(struct jp *p, const char *key, bool has, uint16_t w)
{
	if (has && w > 1000)
		return jp_fail_key(p, key, "%u is out of range (1 to 1000, 0 to leave unset)", (unsigned)w);
	return 0;
}

static int parse_weight_device(struct jp *p, json_t *o, void *item)
{
	struct spec_weight_device *w = item;
	int r;
	if ((r = jp_i64(p, o, "major", JP_REQ, &w->major, NULL)) < 0 ||
	    (r = jp_i64(p, o, "minor", JP_REQ, &w->minor, NULL)) < 0 ||
	    (r = jp_u16(p, o, "weight", JP_OPT, &w->weight, &w->has_weight)) < 0 ||
	    (r = jp_u16(p, o, "leafWeight", JP_OPT, &w->leaf_weight, &w->has_leaf_weight)) < 0)
		return r;
	if (!w->has_weight && !w->has_leaf_weight)
		return jp_fail(p, "needs weight or leafWeight");
	if ((r = check_blkio_weight(p, "weight", w->has_weight, w->weight)) < 0 ||
	    (r = check_blkio_weight(p, "leafWeight", w->has_leaf_weight, w->leaf_weight)) < 0)
		return r;
	return 0;
}

static int parse_throttle(struct jp *p, json_t *o, void *item)
{
	struct spec_throttle_device *t = item;
	int r;
	if ((r = jp_i64(p, o, "major", JP_REQ, &t->major, NULL)) < 0 ||
	    (r = jp_i64(p, o, "minor", JP_REQ, &t->minor, NULL)) < 0 ||
	    (r = jp_u64(p, o, "rate", JP_REQ, &t->rate, NULL)) < 0)
		return r;
	return 0;
}

#define THROTTLE(key, field) \
	jp_array(p, o, key, JP_OPT, sizeof(*b->field), &b->field, &b->n_##field, parse_throttle)

static int parse_blkio(struct jp *p, json_t *o, void *arg)
{
	struct spec_blkio **out = arg, *b = calloc(1, sizeof(*b));
	if (!b)
		return jp_nomem(p);
	*out = b;
	int r;
	if ((r = jp_u16(p, o, "weight", JP_OPT, &b->weight, &b->has_weight)) < 0 ||
	    (r = jp_u16(p, o, "leafWeight", JP_OPT, &b->leaf_weight, &b->has_leaf_weight)) < 0 ||
	    (r = jp_array(p, o, "weightDevice", JP_OPT, sizeof(*b->weight_device), &b->weight_device,
			  &b->n_weight_device, parse_weight_device)) < 0 ||
	    (r = THROTTLE("throttleReadBpsDevice", throttle_read_bps)) < 0 ||
	    (r = THROTTLE("throttleWriteBpsDevice", throttle_write_bps)) < 0 ||
	    (r = THROTTLE("throttleReadIOPSDevice", throttle_read_iops)) < 0 ||
	    (r = THROTTLE("throttleWriteIOPSDevice", throttle_write_iops)) < 0 ||
	    (r = check_blkio_weight(p, "weight", b->has_weight, b->weight)) < 0 ||
	    (r = check_blkio_weight(p, "leafWeight", b->has_leaf_weight, b->leaf_weight)) < 0)
		return r;
	return 0;
}

/* "2MB", "64KB", "1GB": the schema's ^[1-9][0-9]*[KMG]B$. */
static bool valid_page_size(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || s[0] < '1' || s[0] > '9' || s[n - 1] != 'B' || !strchr("KMG", s[n - 2]))
		return false;
	for (size_t i = 1; i < n - 2; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int parse_hugepage(struct jp *p, json_t *o, void *item)
{
	struct spec_hugepage *h = item;
	int r;
	if ((r = jp_str(p, o, "pageSize", JP_REQ, &h->page_size)) < 0 ||
	    (r = jp_u64(p, o, "limit", JP_REQ, &h->limit, NULL)) < 0)
		return r;
	if (!valid_page_size(h->page_size))
		return jp_fail_key(p, "pageSize", "invalid page size \"%s\" (want a number and KB, MB or GB)",
				   h->page_size);
	return 0;
}

static int parse_net_priority(struct jp *p, json_t *o, void *item)
{
	struct spec_net_priority *n = item;
	int r;
	if ((r = jp_str(p, o, "name", JP_REQ, &n->name)) < 0 ||
	    (r = jp_u32(p, o, "priority", JP_REQ, &n->priority, NULL)) < 0)
		return r;
	return 0;
}

static int parse_network(struct jp *p, json_t *o, void *arg)
{
	struct spec_resources *res = arg;
	int r;
	if ((r = jp_u32(p, o, "classID", JP_OPT, &res->net_class_id, &res->has_net_class_id)) < 0 ||
	    (r = jp_array(p, o, "priorities", JP_OPT, sizeof(*res->net_priorities), &res->net_priorities,
			  &res->n_net_priorities, parse_net_priority)) < 0)
		return r;
	return 0;
}

static int parse_rdma(struct jp *p, const char *key, json_t *v, void *item)
{
	struct spec_rdma *d = item;
	if (!(d->device = strdup(key)))
		return jp_nomem(p);
	if (!json_is_object(v))
		return jp_fail(p, "must be an object");
	int r;
	if ((r = jp_u32(p, v, "hcaHandles", JP_OPT, &d->hca_handles, &d->has_hca_handles)) < 0 ||
	    (r = jp_u32(p, v, "hcaObjects", JP_OPT, &d->hca_objects, &d->has_hca_objects)) < 0)
		return r;
	if (!d->has_hca_handles && !d->has_hca_objects)
		return jp_fail(p, "needs hcaHandles or hcaObjects");
	return 0;
}

int spec_parse_resources(struct jp *p, json_t *o, void *arg)
{
	struct spec_resources **out = arg, *res = calloc(1, sizeof(*res));
	if (!res)
		return jp_nomem(p);
	*out = res;
	int r;
	if ((r = jp_array(p, o, "devices", JP_OPT, sizeof(*res->devices), &res->devices, &res->n_devices,
			  parse_device_rule)) < 0 ||
	    (r = jp_object(p, o, "memory", JP_OPT, parse_memory, &res->memory)) < 0 ||
	    (r = jp_object(p, o, "cpu", JP_OPT, parse_cpu, &res->cpu)) < 0 ||
	    (r = jp_object(p, o, "pids", JP_OPT, parse_pids, res)) < 0 ||
	    (r = jp_object(p, o, "blockIO", JP_OPT, parse_blkio, &res->block_io)) < 0 ||
	    (r = jp_array(p, o, "hugepageLimits", JP_OPT, sizeof(*res->hugepage_limits), &res->hugepage_limits,
			  &res->n_hugepage_limits, parse_hugepage)) < 0 ||
	    (r = jp_object(p, o, "network", JP_OPT, parse_network, res)) < 0 ||
	    (r = jp_map(p, o, "rdma", JP_OPT, sizeof(*res->rdma), &res->rdma, &res->n_rdma, parse_rdma)) < 0 ||
	    (r = jp_map(p, o, "unified", JP_OPT, sizeof(*res->unified), &res->unified, &res->n_unified,
			spec_parse_kv)) < 0)
		return r;
	return 0;
}

static void blkio_free(struct spec_blkio *b)
{
	if (!b)
		return;
	free(b->weight_device);
	free(b->throttle_read_bps);
	free(b->throttle_write_bps);
	free(b->throttle_read_iops);
	free(b->throttle_write_iops);
	free(b);
}

void spec_resources_free(struct spec_resources *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n_devices; i++) {
		free(res->devices[i].type);
		free(res->devices[i].access);
	}
	free(res->devices);
	free(res->memory);
	if (res->cpu) {
		free(res->cpu->cpus);
		free(res->cpu->mems);
		free(res->cpu);
	}
	blkio_free(res->block_io);
	for (size_t i = 0; i < res->n_hugepage_limits; i++)
		free(res->hugepage_limits[i].page_size);
	free(res->hugepage_limits);
	for (size_t i = 0; i < res->n_net_priorities; i++)
		free(res->net_priorities[i].name);
	free(res->net_priorities);
	for (size_t i = 0; i < res->n_rdma; i++)
		free(res->rdma[i].device);
	free(res->rdma);
	spec_kv_free(res->unified, res->n_unified);
	free(res);
}
