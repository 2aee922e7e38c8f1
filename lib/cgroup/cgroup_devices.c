#include "lib/cgroup/cgroup_devices.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"

static const struct {
	const char *path;	/* NULL: never left out */
	char type;
	int64_t major, minor;
	unsigned access;
} default_allowed[] = {
	{ NULL, 'c', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_MKNOD },
	{ NULL, 'b', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_MKNOD },
	{ "/dev/null", 'c', 1, 3, CG_ACC_ALL },
	{ "/dev/random", 'c', 1, 8, CG_ACC_ALL },
	{ "/dev/full", 'c', 1, 7, CG_ACC_ALL },
	{ "/dev/tty", 'c', 5, 0, CG_ACC_ALL },
	{ "/dev/zero", 'c', 1, 5, CG_ACC_ALL },
	{ "/dev/urandom", 'c', 1, 9, CG_ACC_ALL },
	{ NULL, 'c', 136, CG_DEV_WILD, CG_ACC_ALL },	/* the /dev/pts ptys */
	{ NULL, 'c', 5, 2, CG_ACC_ALL },		/* /dev/ptmx */
	{ NULL, 'c', 10, 200, CG_ACC_ALL },		/* /dev/net/tun */
};

static unsigned access_bits(const char *s)
{
	unsigned a = 0;
	for (; s && *s; s++)
		a |= *s == 'r' ? CG_ACC_READ : *s == 'w' ? CG_ACC_WRITE : *s == 'm' ? CG_ACC_MKNOD : 0;
	/* Absent or empty access means all of it, as for "a" written alone. */
	return a ? a : CG_ACC_ALL;
}

static bool listed(const struct spec_linux *l, const char *path)
{
	for (size_t i = 0; l && i < l->n_devices; i++)
		if (l->devices[i].path && !strcmp(l->devices[i].path, path))
			return true;
	return false;
}

int cg_dev_rules_for(const struct spec_resources *r, const struct spec_linux *l, struct cg_dev_rule **out,
		     size_t *n)
{
	size_t nr = r ? r->n_devices : 0;
	struct cg_dev_rule *v = calloc(nr + ARRAY_SIZE(default_allowed) + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < nr; i++) {
		const struct spec_device_cgroup *d = &r->devices[i];
		if ((d->has_major && d->major > UINT32_MAX) || (d->has_minor && d->minor > UINT32_MAX)) {
			free(v);
			return -ERANGE;
		}
		v[k++] = (struct cg_dev_rule){
			.type = d->type && *d->type ? d->type[0] : 'a',
			.major = d->has_major && d->major >= 0 ? d->major : CG_DEV_WILD,
			.minor = d->has_minor && d->minor >= 0 ? d->minor : CG_DEV_WILD,
			.access = access_bits(d->access),
			.allow = d->allow,
		};
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_allowed); i++) {
		if (default_allowed[i].path && listed(l, default_allowed[i].path))
			continue;
		v[k++] = (struct cg_dev_rule){
			.type = default_allowed[i].type,
			.major = default_allowed[i].major,
			.minor = default_allowed[i].minor,
			.access = default_allowed[i].access,
			.allow = true,
		};
	}
	*out = v;
	*n = k;
	return 0;
}

void cg_dev_state_free(struct cg_dev_state *st)
{
	free(st->ex);
	st->ex = NULL;
	st->n = 0;
}

static struct cg_dev_rule *find_ex(struct cg_dev_state *st, const struct cg_dev_rule *r)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->ex[i].type == r->type && st->ex[i].major == r->major && st->ex[i].minor == r->minor)
			return &st->ex[i];
	return NULL;
}

static int ex_add(struct cg_dev_state *st, const struct cg_dev_rule *r)
{
	struct cg_dev_rule *x = find_ex(st, r);
	if (x) {
		x->access |= r->access;
		return 0;
	}
	struct cg_dev_rule *nv = realloc(st->ex, (st->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	st->ex = nv;
	st->ex[st->n] = *r;
	st->ex[st->n].allow = !st->default_allow;
	st->n++;
	return 0;
}

static void ex_rm(struct cg_dev_state *st, const struct cg_dev_rule *r)
{
	struct cg_dev_rule *x = find_ex(st, r);
	if (!x)
		return;
	x->access &= ~r->access;
	if (x->access == 0) {
		size_t i = (size_t)(x - st->ex);
		memmove(&st->ex[i], &st->ex[i + 1], (st->n - i - 1) * sizeof(*x));
		st->n--;
	}
}

int cg_dev_emulate(const struct cg_dev_rule *rules, size_t n, struct cg_dev_state *st)
{
	*st = (struct cg_dev_state){ .default_allow = true };
	for (size_t i = 0; i < n; i++) {
		const struct cg_dev_rule *r = &rules[i];
		if (r->type == 'a') {
			cg_dev_state_free(st);
			st->default_allow = r->allow;
			continue;
		}
		if (r->allow == st->default_allow) {
			ex_rm(st, r);
		} else if (ex_add(st, r) < 0) {
			cg_dev_state_free(st);
			return -ENOMEM;
		}
	}
	return 0;
}

static bool parse_num(const char **p, int64_t *v)
{
	if (**p == '*') {
		(*p)++;
		*v = CG_DEV_WILD;
		return true;
	}
	char *end;
	errno = 0;
	unsigned long x = strtoul(*p, &end, 10);
	if (end == *p || errno || x > UINT32_MAX)
		return false;
	*p = end;
	*v = (int64_t)x;
	return true;
}

int cg_dev_parse_list(const char *text, struct cg_dev_state *st)
{
	*st = (struct cg_dev_state){ .default_allow = false };
	for (const char *p = text; p && *p;) {
		struct cg_dev_rule r = { .type = *p, .allow = true };
		const char *q = p + 1;
		if (r.type == 'a') {
			cg_dev_state_free(st);
			st->default_allow = true;
		} else if ((r.type == 'b' || r.type == 'c') && *q++ == ' ' && parse_num(&q, &r.major) && *q++ == ':' &&
			   parse_num(&q, &r.minor) && *q++ == ' ') {
			r.access = 0;
			for (; *q && *q != '\n'; q++)
				r.access |= *q == 'r' ? CG_ACC_READ : *q == 'w' ? CG_ACC_WRITE : *q == 'm' ? CG_ACC_MKNOD : 0;
			if (!st->default_allow && ex_add(st, &r) < 0) {
				cg_dev_state_free(st);
				return -ENOMEM;
			}
		} else if (*p != '\n') {
			cg_dev_state_free(st);
			return -EINVAL;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static bool ex_matches(const struct cg_dev_rule *x, char type, uint32_t major, uint32_t minor)
{
	return x->type == type && (x->major == CG_DEV_WILD || x->major == major) &&
	       (x->minor == CG_DEV_WILD || x->minor == minor);
}

bool cg_dev_state_allows(const struct cg_dev_state *st, char type, uint32_t major, uint32_t minor,
			 unsigned access)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct cg_dev_rule *x = &st->ex[i];
		if (!ex_matches(x, type, major, minor))
			continue;
		/* Default allow: any overlap with a deny exception refuses.
		 * Default deny: one exception must cover all that is asked. */
		if (st->default_allow && (access & x->access))
			return false;
		if (!st->default_allow && !(access & ~x->access))
			return true;
	}
	return st->default_allow;
}

size_t cg_dev_access_str(unsigned access, char acc[4])
{
	size_t k = 0;
	if (access & CG_ACC_READ)
		acc[k++] = 'r';
	if (access & CG_ACC_WRITE)
		acc[k++] = 'w';
	if (access & CG_ACC_MKNOD)
		acc[k++] = 'm';
	acc[k] = '\0';
	return k;
}

void cg_dev_rule_str(const struct cg_dev_rule *r, char *buf, size_t len)
{
	char maj[24], min[24], acc[4];
	if (r->major == CG_DEV_WILD)
		strcpy(maj, "*");
	else
		snprintf(maj, sizeof(maj), "%lld", (long long)r->major);
	if (r->minor == CG_DEV_WILD)
		strcpy(min, "*");
	else
		snprintf(min, sizeof(min), "%lld", (long long)r->minor);
	cg_dev_access_str(r->access, acc);
	snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, acc);
}

int cg_dev_state_for(const struct spec_resources *r, const struct spec_linux *l, struct cg_dev_state *st,
		     struct oerr *e)
{
	struct cg_dev_rule *rules;
	size_t n;
	int ret = cg_dev_rules_for(r, l, &rules, &n);
	if (ret == -ERANGE)
		return oerr_setx(e, EINVAL, "linux.resources.devices: major or minor number out of range");
	if (ret < 0)
		return oerr_set(e, -ret, "device rules");
	ret = cg_dev_emulate(rules, n, st);
	free(rules);
	if (ret < 0)
		return oerr_set(e, -ret, "device rules");
	return 0;
}
