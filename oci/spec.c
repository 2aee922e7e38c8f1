/* config.json → struct spec: the entry points, the top-level fields (root,
 * mounts, hooks, annotations) and freeing. */
#include "oci/spec_internal.h"
#include "base/util.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

void spec_strv_free(char **v)
{
	strvfreep(&v);
}

void spec_kv_free(struct spec_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int spec_parse_kv(struct jp *p, const char *key, json_t *val, void *item)
{
	struct spec_kv *kv = item;
	if (!*key)
		return jp_fail(p, "keys must not be empty");
	if (!(kv->key = strdup(key)))
		return jp_nomem(p);
	return jp_v_str(p, val, &kv->value);
}

static int parse_mount(struct jp *p, json_t *o, void *item)
{
	struct spec_mount *m = item;
	int r;
	if ((r = jp_str(p, o, "destination", JP_REQ, &m->destination)) < 0 ||
	    (r = jp_str(p, o, "source", JP_OPT, &m->source)) < 0 ||
	    (r = jp_str(p, o, "type", JP_OPT, &m->type)) < 0 ||
	    (r = jp_strv(p, o, "options", JP_OPT, false, &m->options, &m->n_options)) < 0 ||
	    (r = jp_array(p, o, "uidMappings", JP_OPT, sizeof(*m->uid_mappings), &m->uid_mappings,
			  &m->n_uid_mappings, spec_parse_idmap)) < 0 ||
	    (r = jp_array(p, o, "gidMappings", JP_OPT, sizeof(*m->gid_mappings), &m->gid_mappings,
			  &m->n_gid_mappings, spec_parse_idmap)) < 0)
		return r;
	return 0;
}

static int parse_hook(struct jp *p, json_t *o, void *item)
{
	struct spec_hook *h = item;
	int64_t timeout = 0;
	int r;
	if ((r = jp_str(p, o, "path", JP_REQ, &h->path)) < 0 ||
	    (r = jp_strv(p, o, "args", JP_OPT, false, &h->args, &h->n_args)) < 0 ||
	    (r = jp_strv(p, o, "env", JP_OPT, false, &h->env, &h->n_env)) < 0 ||
	    (r = jp_int(p, o, "timeout", JP_OPT, 1, INT32_MAX, "a positive 32-bit integer", &timeout,
			&h->has_timeout)) < 0)
		return r;
	h->timeout = (int)timeout;
	return 0;
}

#define HOOKS(key, field) \
	jp_array(p, o, key, JP_OPT, sizeof(*hk->field), &hk->field, &hk->n_##field, parse_hook)

static int parse_hooks(struct jp *p, json_t *o, void *arg)
{
	struct spec_hooks *hk = arg;
	int r;
	if ((r = HOOKS("prestart", prestart)) < 0 || (r = HOOKS("createRuntime", create_runtime)) < 0 ||
	    (r = HOOKS("createContainer", create_container)) < 0 ||
	    (r = HOOKS("startContainer", start_container)) < 0 || (r = HOOKS("poststart", poststart)) < 0 ||
	    (r = HOOKS("poststop", poststop)) < 0)
		return r;
	return 0;
}

static int parse_root_object(struct jp *p, json_t *o, void *arg)
{
	struct spec *s = arg;
	int r;
	if ((r = jp_str(p, o, "path", JP_REQ, &s->root_path)) < 0 ||
	    (r = jp_bool(p, o, "readonly", JP_OPT, &s->root_readonly, NULL)) < 0)
		return r;
	return 0;
}

static int parse_top(struct jp *p, json_t *o, struct spec *s)
{
	if (!json_is_object(o))
		return jp_fail(p, "must be a JSON object");
	int r;
	/* root is optional in the schema but required on Linux. */
	if ((r = jp_str(p, o, "ociVersion", JP_REQ, &s->oci_version)) < 0 ||
	    (r = jp_object(p, o, "root", JP_REQ, parse_root_object, s)) < 0 ||
	    (r = jp_array(p, o, "mounts", JP_OPT, sizeof(*s->mounts), &s->mounts, &s->n_mounts, parse_mount)) < 0 ||
	    (r = jp_object(p, o, "process", JP_OPT, spec_parse_process, &s->process)) < 0 ||
	    (r = jp_str(p, o, "hostname", JP_OPT, &s->hostname)) < 0 ||
	    (r = jp_str(p, o, "domainname", JP_OPT, &s->domainname)) < 0 ||
	    (r = jp_object(p, o, "hooks", JP_OPT, parse_hooks, &s->hooks)) < 0 ||
	    (r = jp_map(p, o, "annotations", JP_OPT, sizeof(*s->annotations), &s->annotations,
			&s->n_annotations, spec_parse_kv)) < 0 ||
	    (r = jp_object(p, o, "linux", JP_OPT, spec_parse_linux, &s->linux_)) < 0)
		return r;
	return 0;
}

int spec_parse(const char *json, size_t len, struct spec **out, struct oerr *e)
{
	struct jp p = { .e = e };
	json_t *root = jp_load(&p, json, len);
	if (!root) {
		jp_done(&p);
		return -e->code;
	}
	struct spec *s = calloc(1, sizeof(*s));
	int r = s ? parse_top(&p, root, s) : oerr_setx(e, ENOMEM, "config: out of memory");
	json_decref(root);
	jp_done(&p);
	if (r == 0)
		r = spec_validate(s, e);
	if (r < 0) {
		spec_free(s);
		return r;
	}
	*out = s;
	return 0;
}

int spec_read_json_file(int dirfd, const char *path, char **text, size_t *len, struct oerr *e)
{
	return read_regular_file_at(dirfd, path, SPEC_JSON_MAX, SPEC_JSON_MAX_TEXT, text, len, e);
}

int spec_load_bundle(const char *bundle_dir, struct spec **out, struct oerr *e)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/config.json", bundle_dir && *bundle_dir ? bundle_dir : ".") >=
	    (int)sizeof(path))
		return oerr_set(e, ENAMETOOLONG, "open %s/config.json", bundle_dir);
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = spec_read_json_file(AT_FDCWD, path, &text, &len, e);
	if (r < 0)
		return r;
	r = spec_parse(text, len, out, e);
	if (r < 0)
		return oerr_wrap(e, "config.json");
	return 0;
}

const struct spec_namespace *spec_find_namespace(const struct spec *s, enum spec_ns_type t)
{
	if (!s || !s->linux_)
		return NULL;
	for (size_t i = 0; i < s->linux_->n_namespaces; i++)
		if (s->linux_->namespaces[i].type == t)
			return &s->linux_->namespaces[i];
	return NULL;
}

const char *spec_known_name(enum spec_names list, size_t i)
{
	switch (list) {
	case SPEC_NAMES_NAMESPACES:
	case SPEC_NAMES_MEMORY_POLICY_MODES:
	case SPEC_NAMES_MEMORY_POLICY_FLAGS:
		return spec_linux_name(list, i);
	default:
		return spec_seccomp_name(list, i);
	}
}

int spec_process_setenv(struct spec_process *p, const char *kv)
{
	size_t klen = strcspn(kv, "=") + 1;
	char *dup = strdup(kv);
	if (!dup)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_env; i++)
		if (!strncmp(p->env[i], kv, klen)) {
			free(p->env[i]);
			p->env[i] = dup;
			return 0;
		}
	char **v = realloc(p->env, (p->n_env + 2) * sizeof(*v));
	if (!v) {
		free(dup);
		return -ENOMEM;
	}
	v[p->n_env++] = dup;
	v[p->n_env] = NULL;
	p->env = v;
	return 0;
}

int spec_add_mount(struct spec *s, const char *destination, const char *source, const char *type,
		   const char *const *options)
{
	struct spec_mount *m = realloc(s->mounts, (s->n_mounts + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	s->mounts = m;
	m = &s->mounts[s->n_mounts];
	*m = (struct spec_mount){ 0 };
	size_t n = 0;
	while (options && options[n])
		n++;
	m->options = calloc(n + 1, sizeof(*m->options));
	bool nomem = !m->options || !(m->destination = strdup(destination)) ||
		     (source && !(m->source = strdup(source))) || (type && !(m->type = strdup(type)));
	for (size_t i = 0; !nomem && i < n; i++, m->n_options++)
		nomem = !(m->options[i] = strdup(options[i]));
	s->n_mounts++;	/* so that spec_free frees what was copied */
	return nomem ? -ENOMEM : 0;
}

static void mounts_free(struct spec_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].destination);
		free(m[i].source);
		free(m[i].type);
		spec_strv_free(m[i].options);
		free(m[i].uid_mappings);
		free(m[i].gid_mappings);
	}
	free(m);
}

static void hook_list_free(struct spec_hook *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].path);
		spec_strv_free(h[i].args);
		spec_strv_free(h[i].env);
	}
	free(h);
}

static void hooks_free(struct spec_hooks *h)
{
	hook_list_free(h->prestart, h->n_prestart);
	hook_list_free(h->create_runtime, h->n_create_runtime);
	hook_list_free(h->create_container, h->n_create_container);
	hook_list_free(h->start_container, h->n_start_container);
	hook_list_free(h->poststart, h->n_poststart);
	hook_list_free(h->poststop, h->n_poststop);
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	mounts_free(s->mounts, s->n_mounts);
	spec_process_free(s->process);
	free(s->hostname);
	free(s->domainname);
	hooks_free(&s->hooks);
	spec_kv_free(s->annotations, s->n_annotations);
	spec_linux_free(s->linux_);
	free(s);
}

/* The id names a directory under the state root: no separators, no dot
 * names, nothing a shell or a path would read differently. */
int spec_validate_container_id(const char *id, struct oerr *e)
{
	if (!id || !*id)
		return oerr_setx(e, EINVAL, "invalid container id \"\": must not be empty");
	size_t n = strlen(id);
	char shown[68];
	size_t k = 0;
	for (; id[k] && k < 64; k++)
		shown[k] = id[k] >= 0x20 && id[k] < 0x7f ? id[k] : '?';
	strcpy(shown + k, id[k] ? "..." : "");
	if (n > 1024)
		return oerr_setx(e, EINVAL, "invalid container id \"%s\": longer than 1024 bytes", shown);
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	if (!strchr(alnum, id[0]))
		return oerr_setx(e, EINVAL, "invalid container id \"%s\": must start with a letter or a digit",
				 shown);
	size_t bad = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-");
	if (bad != n)
		return oerr_setx(e, EINVAL, "invalid container id \"%s\": only letters, digits and \"_.+-\" are allowed",
				 shown);
	return 0;
}
