/* Releasing a struct spec and its parts. */
#include "spec.h"
#include <stdlib.h>

static void strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void kv_free(struct spec_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void spec_process_free(struct spec_process *p)
{
	if (!p)
		return;
	free(p->cwd);
	strv_free(p->env, p->n_env);
	strv_free(p->args, p->n_args);
	free(p->user.additional_gids);
	strv_free(p->capabilities.bounding, p->capabilities.n_bounding);
	strv_free(p->capabilities.effective, p->capabilities.n_effective);
	strv_free(p->capabilities.inheritable, p->capabilities.n_inheritable);
	strv_free(p->capabilities.permitted, p->capabilities.n_permitted);
	strv_free(p->capabilities.ambient, p->capabilities.n_ambient);
	for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	if (p->scheduler) {
		free(p->scheduler->policy);
		strv_free(p->scheduler->flags, p->scheduler->n_flags);
		free(p->scheduler);
	}
	if (p->io_priority) {
		free(p->io_priority->class);
		free(p->io_priority);
	}
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
	free(p);
}

static void hooks_free(struct spec_hook *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++) {
		free(h[i].path);
		strv_free(h[i].args, h[i].n_args);
		strv_free(h[i].env, h[i].n_env);
	}
	free(h);
}

void spec_resources_free(struct spec_resources *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->devices && i < r->n_devices; i++) {
		free(r->devices[i].type);
		free(r->devices[i].access);
	}
	free(r->devices);
	free(r->memory);
	if (r->cpu) {
		free(r->cpu->cpus);
		free(r->cpu->mems);
		free(r->cpu);
	}
	if (r->block_io) {
		free(r->block_io->weight_device);
		free(r->block_io->throttle_read_bps);
		free(r->block_io->throttle_write_bps);
		free(r->block_io->throttle_read_iops);
		free(r->block_io->throttle_write_iops);
		free(r->block_io);
	}
	for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; r->net_priorities && i < r->n_net_priorities; i++)
		free(r->net_priorities[i].name);
	free(r->net_priorities);
	for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	kv_free(r->unified, r->n_unified);
	free(r);
}

static void seccomp_free(struct spec_seccomp *s)
{
	if (!s)
		return;
	free(s->default_action);
	strv_free(s->architectures, s->n_architectures);
	strv_free(s->flags, s->n_flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
		struct spec_seccomp_syscall *c = &s->syscalls[i];
		strv_free(c->names, c->n_names);
		free(c->action);
		for (size_t j = 0; c->args && j < c->n_args; j++)
			free(c->args[j].op);
		free(c->args);
	}
	free(s->syscalls);
	free(s);
}

static void linux_free(struct spec_linux *l)
{
	if (!l)
		return;
	for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; l->devices && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	free(l->cgroups_path);
	spec_resources_free(l->resources);
	free(l->rootfs_propagation);
	kv_free(l->sysctl, l->n_sysctl);
	seccomp_free(l->seccomp);
	strv_free(l->masked_paths, l->n_masked_paths);
	strv_free(l->readonly_paths, l->n_readonly_paths);
	free(l->mount_label);
	if (l->intel_rdt) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		strv_free(l->intel_rdt->schemata, l->intel_rdt->n_schemata);
		free(l->intel_rdt);
	}
	if (l->memory_policy) {
		free(l->memory_policy->mode);
		free(l->memory_policy->nodes);
		strv_free(l->memory_policy->flags, l->memory_policy->n_flags);
		free(l->memory_policy);
	}
	if (l->personality) {
		free(l->personality->domain);
		free(l->personality);
	}
	free(l);
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	for (size_t i = 0; s->mounts && i < s->n_mounts; i++) {
		struct spec_mount *m = &s->mounts[i];
		free(m->destination);
		free(m->source);
		free(m->type);
		strv_free(m->options, m->n_options);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(s->mounts);
	spec_process_free(s->process);
	free(s->hostname);
	free(s->domainname);
	hooks_free(s->hooks.prestart, s->hooks.n_prestart);
	hooks_free(s->hooks.create_runtime, s->hooks.n_create_runtime);
	hooks_free(s->hooks.create_container, s->hooks.n_create_container);
	hooks_free(s->hooks.start_container, s->hooks.n_start_container);
	hooks_free(s->hooks.poststart, s->hooks.n_poststart);
	hooks_free(s->hooks.poststop, s->hooks.n_poststop);
	kv_free(s->annotations, s->n_annotations);
	linux_free(s->linux_);
	free(s);
}
