#include "lib/rootfs/mountopts.h"
#include <stdlib.h>
#include <string.h>
#include "base/util.h"

#define ATIME_MS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

enum opt_kind { OPT_SET, OPT_CLEAR, OPT_PROP, OPT_REC_SET, OPT_REC_CLEAR, OPT_COPYUP, OPT_IDMAP, OPT_RIDMAP, OPT_NOOP };

struct opt {
	const char *name;
	enum opt_kind kind;
	uint64_t value;
};

/* config.md "Linux mount options" plus mount(8)'s names for the same flags. */
static const struct opt opts[] = {
	{ "async", OPT_CLEAR, MS_SYNCHRONOUS },
	{ "atime", OPT_CLEAR, MS_NOATIME },
	{ "bind", OPT_SET, MS_BIND },
	{ "defaults", OPT_NOOP, 0 },
	{ "dev", OPT_CLEAR, MS_NODEV },
	{ "diratime", OPT_CLEAR, MS_NODIRATIME },
	{ "dirsync", OPT_SET, MS_DIRSYNC },
	{ "exec", OPT_CLEAR, MS_NOEXEC },
	{ "iversion", OPT_SET, MS_I_VERSION },
	{ "lazytime", OPT_SET, MS_LAZYTIME },
	{ "loud", OPT_CLEAR, MS_SILENT },
	{ "mand", OPT_SET, MS_MANDLOCK },
	{ "noatime", OPT_SET, MS_NOATIME },
	{ "nodev", OPT_SET, MS_NODEV },
	{ "nodiratime", OPT_SET, MS_NODIRATIME },
	{ "noexec", OPT_SET, MS_NOEXEC },
	{ "noiversion", OPT_CLEAR, MS_I_VERSION },
	{ "nolazytime", OPT_CLEAR, MS_LAZYTIME },
	{ "nomand", OPT_CLEAR, MS_MANDLOCK },
	{ "norelatime", OPT_CLEAR, MS_RELATIME },
	{ "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
	{ "nosuid", OPT_SET, MS_NOSUID },
	{ "nosymfollow", OPT_SET, MS_NOSYMFOLLOW },
	{ "rbind", OPT_SET, MS_BIND | MS_REC },
	{ "relatime", OPT_SET, MS_RELATIME },
	{ "remount", OPT_SET, MS_REMOUNT },
	{ "ro", OPT_SET, MS_RDONLY },
	{ "rw", OPT_CLEAR, MS_RDONLY },
	{ "silent", OPT_SET, MS_SILENT },
	{ "strictatime", OPT_SET, MS_STRICTATIME },
	{ "suid", OPT_CLEAR, MS_NOSUID },
	{ "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
	{ "sync", OPT_SET, MS_SYNCHRONOUS },

	{ "private", OPT_PROP, MS_PRIVATE },
	{ "rprivate", OPT_PROP, MS_PRIVATE | MS_REC },
	{ "shared", OPT_PROP, MS_SHARED },
	{ "rshared", OPT_PROP, MS_SHARED | MS_REC },
	{ "slave", OPT_PROP, MS_SLAVE },
	{ "rslave", OPT_PROP, MS_SLAVE | MS_REC },
	{ "unbindable", OPT_PROP, MS_UNBINDABLE },
	{ "runbindable", OPT_PROP, MS_UNBINDABLE | MS_REC },

	{ "rro", OPT_REC_SET, MOUNT_ATTR_RDONLY },
	{ "rrw", OPT_REC_CLEAR, MOUNT_ATTR_RDONLY },
	{ "rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID },
	{ "rsuid", OPT_REC_CLEAR, MOUNT_ATTR_NOSUID },
	{ "rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV },
	{ "rdev", OPT_REC_CLEAR, MOUNT_ATTR_NODEV },
	{ "rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC },
	{ "rexec", OPT_REC_CLEAR, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", OPT_REC_CLEAR, MOUNT_ATTR_NODIRATIME },
	{ "rrelatime", OPT_REC_SET, MOUNT_ATTR_RELATIME },
	{ "rnorelatime", OPT_REC_CLEAR, MOUNT_ATTR_RELATIME },
	{ "rnoatime", OPT_REC_SET, MOUNT_ATTR_NOATIME },
	{ "ratime", OPT_REC_CLEAR, MOUNT_ATTR_NOATIME },
	{ "rstrictatime", OPT_REC_SET, MOUNT_ATTR_STRICTATIME },
	{ "rnostrictatime", OPT_REC_CLEAR, MOUNT_ATTR_STRICTATIME },
	{ "rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", OPT_REC_CLEAR, MOUNT_ATTR_NOSYMFOLLOW },

	{ "tmpcopyup", OPT_COPYUP, 0 },
	{ "idmap", OPT_IDMAP, 0 },
	{ "ridmap", OPT_RIDMAP, 0 },
};

const char *mountopts_name(size_t i)
{
	return i < ARRAY_SIZE(opts) ? opts[i].name : NULL;
}

static const struct opt *find_opt(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

int mountopts_propagation(const char *name, unsigned long *flags)
{
	const struct opt *o = name ? find_opt(name) : NULL;
	if (!o || o->kind != OPT_PROP)
		return -EINVAL;
	*flags = (unsigned long)o->value;
	return 0;
}

static void rec_atime(struct mount_opts *m, uint64_t value)
{
	/* The atime attributes are an enum inside MOUNT_ATTR__ATIME: the
	 * kernel only changes it when the whole field is in attr_clr. */
	m->rec_set = (m->rec_set & ~(uint64_t)MOUNT_ATTR__ATIME) | value;
	m->rec_clr |= MOUNT_ATTR__ATIME;
}

int mountopts_parse(char *const *options, size_t n, struct mount_opts *m, struct oerr *e)
{
	memset(m, 0, sizeof(*m));
	size_t datalen = 0;
	for (size_t i = 0; i < n; i++)
		datalen += strlen(options[i]) + 1;
	_cleanup_free_ char *data = malloc(datalen + 1);
	_cleanup_free_ unsigned long *prop = calloc(n ? n : 1, sizeof(*prop));
	if (!data || !prop)
		return oerr_set(e, ENOMEM, "parse mount options");
	data[0] = '\0';
	size_t dl = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = options[i];
		const struct opt *o = find_opt(name);
		if (!o) {
			if (!*name)
				continue;
			if (dl)
				data[dl++] = ',';
			size_t l = strlen(name);
			memcpy(data + dl, name, l + 1);
			dl += l;
			continue;
		}
		unsigned long v = (unsigned long)o->value;
		switch (o->kind) {
		case OPT_SET:
			/* the atime options pick one value of an enum */
			if (v & ATIME_MS) {
				m->flags &= ~(unsigned long)ATIME_MS;
				m->clear &= ~(unsigned long)ATIME_MS;
			}
			m->flags |= v;
			m->clear &= ~v;
			break;
		case OPT_CLEAR:
			m->flags &= ~v;
			m->clear |= v;
			break;
		case OPT_PROP:
			prop[m->n_propagation++] = v;
			break;
		case OPT_REC_SET:
			if ((o->value & MOUNT_ATTR__ATIME) == o->value)
				rec_atime(m, o->value);
			else {
				m->rec_set |= o->value;
				m->rec_clr &= ~o->value;
			}
			break;
		case OPT_REC_CLEAR:
			if ((o->value & MOUNT_ATTR__ATIME) == o->value)
				rec_atime(m, MOUNT_ATTR_RELATIME);	/* the kernel's default */
			else {
				m->rec_clr |= o->value;
				m->rec_set &= ~o->value;
			}
			break;
		case OPT_COPYUP:
			m->tmpcopyup = true;
			break;
		case OPT_IDMAP:
			m->idmap = true;
			break;
		case OPT_RIDMAP:
			m->ridmap = true;
			break;
		case OPT_NOOP:
			break;
		}
	}
	if (dl)
		m->data = steal_ptr(data);
	if (m->n_propagation)
		m->propagation = steal_ptr(prop);
	return 0;
}

void mountopts_free(struct mount_opts *m)
{
	free(m->data);
	free(m->propagation);
	m->data = NULL;
	m->propagation = NULL;
	m->n_propagation = 0;
}

void mountopts_ms_to_attr(unsigned long set, unsigned long clear, uint64_t *attr_set, uint64_t *attr_clr)
{
	static const struct { unsigned long ms; uint64_t attr; } map[] = {
		{ MS_RDONLY, MOUNT_ATTR_RDONLY },
		{ MS_NOSUID, MOUNT_ATTR_NOSUID },
		{ MS_NODEV, MOUNT_ATTR_NODEV },
		{ MS_NOEXEC, MOUNT_ATTR_NOEXEC },
		{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
		{ MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
	};
	uint64_t s = 0, c = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (set & map[i].ms)
			s |= map[i].attr;
		else if (clear & map[i].ms)
			c |= map[i].attr;
	}
	if (set & MS_NOATIME) {
		s |= MOUNT_ATTR_NOATIME;
		c |= MOUNT_ATTR__ATIME;
	} else if (set & MS_STRICTATIME) {
		s |= MOUNT_ATTR_STRICTATIME;
		c |= MOUNT_ATTR__ATIME;
	} else if ((set & MS_RELATIME) || (clear & ATIME_MS)) {
		/* clearing noatime/strictatime falls back to the kernel default */
		c |= MOUNT_ATTR__ATIME;
	}
	*attr_set = s;
	*attr_clr = c;
}
