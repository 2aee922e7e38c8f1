#include "lib/cgroup/cgroup_path.h"
#include "lib/cgroup/cgroup_systemd.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "lib/cgroup/cgroup_fs.h"
#include "base/mountinfo.h"
#include "base/util.h"

#define CG_MOUNT_DIR "/sys/fs/cgroup"

void cg_hiers_free(struct cg_hiers *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		struct cg_hier *h = &hs->h[i];
		free(h->controllers);
		free(h->mountpoint);
		free(h->mnt_root);
		free(h->own);
		free(h->path);
		free(h->dir);
	}
	free(hs->h);
	hs->h = NULL;
	hs->n = 0;
}

bool cg_controllers_has(const char *list, const char *name, char sep)
{
	size_t nl = strlen(name);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, sep);
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == nl && !strncmp(p, name, nl))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static bool under_cgroup_dir(const char *mp)
{
	size_t n = strlen(CG_MOUNT_DIR);
	return !strncmp(mp, CG_MOUNT_DIR, n) && (mp[n] == '\0' || mp[n] == '/');
}

int cg_mounts_parse(const char *text, struct mountinfo **out, size_t *nout)
{
	struct mountinfo *m;
	size_t n, k = 0;
	if (mountinfo_parse(text, &m, &n) < 0)
		return -ENOMEM;
	/* k <= i: what is moved down was looked at already; mountinfo_covered
	 * looks above i only. */
	for (size_t i = 0; i < n; i++) {
		bool cg = !strcmp(m[i].fstype, "cgroup") || !strcmp(m[i].fstype, "cgroup2");
		if (cg && !mountinfo_covered(m, n, i))
			m[k++] = m[i];
		else
			mountinfo_free_entry(&m[i]);
	}
	*out = m;
	*nout = k;
	return 0;
}

/* statfs finds a cgroup file system of that version at the mount point. */
static bool mount_confirmed(const struct mountinfo *m)
{
	struct statfs st;
	bool v2 = !strcmp(m->fstype, "cgroup2");
	if (!v2 && strcmp(m->fstype, "cgroup"))
		return false;
	return statfs(m->mountpoint, &st) == 0 && st.f_type == (v2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC);
}

int cg_mounts_load(struct mountinfo **out, size_t *n, struct oerr *e)
{
	_cleanup_free_ char *mi = NULL;
	int r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL, e);
	if (r < 0)
		return r;
	struct mountinfo *m;
	size_t nm, k = 0;
	if (cg_mounts_parse(mi, &m, &nm) < 0)
		return oerr_set(e, ENOMEM, "parse mountinfo");
	/* What is there is what statfs finds at the mount point. */
	for (size_t i = 0; i < nm; i++) {
		if (mount_confirmed(&m[i]))
			m[k++] = m[i];
		else
			mountinfo_free_entry(&m[i]);
	}
	*out = m;
	*n = k;
	return 0;
}

/* Every controller of a /proc/self/cgroup line is an option of the mount. */
static bool mount_serves(const struct mountinfo *m, const char *ctrls)
{
	if (strcmp(m->fstype, "cgroup"))
		return false;
	for (const char *p = ctrls; *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		char tok[128];
		if (l == 0 || l >= sizeof(tok))
			return false;
		memcpy(tok, p, l);
		tok[l] = '\0';
		if (!cg_controllers_has(m->super_opts, tok, ','))
			return false;
		p = c ? c + 1 : p + l;
	}
	return true;
}

static int add_hier(struct cg_hiers *hs, const char *ctrls, const struct mountinfo *m, const char *own, size_t own_len)
{
	struct cg_hier *nh = realloc(hs->h, (hs->n + 1) * sizeof(*nh));
	if (!nh)
		return -ENOMEM;
	hs->h = nh;
	struct cg_hier *h = &hs->h[hs->n++];
	*h = (struct cg_hier){
		.controllers = strdup(ctrls),
		.mountpoint = strdup(m->mountpoint),
		.mnt_root = strdup(m->root),
		.v2 = !strcmp(m->fstype, "cgroup2"),
		.own = strndup(own, own_len),
	};
	if (!h->controllers || !h->mountpoint || !h->mnt_root || !h->own)
		return -ENOMEM;
	return 0;
}

/* The hierarchy table from the visible cgroup mounts (those at or below
 * /sys/fs/cgroup count) and /proc/self/cgroup. */
static int hiers_build(const struct mountinfo *m, size_t nm, const char *self_cgroup, struct cg_hiers *out,
		       struct oerr *e)
{
	struct cg_hiers hs = { 0 };
	const struct mountinfo *v2m = NULL;
	bool any_v1 = false, v2_at_top = false;
	for (size_t i = 0; i < nm; i++) {
		if (!under_cgroup_dir(m[i].mountpoint))
			continue;
		if (!strcmp(m[i].fstype, "cgroup2")) {
			if (!v2m)
				v2m = &m[i];
			if (!strcmp(m[i].mountpoint, CG_MOUNT_DIR)) {
				v2m = &m[i];
				v2_at_top = true;
			}
		} else {
			any_v1 = true;
		}
	}
	int ret = 0;
	if (!v2m && !any_v1) {
		ret = oerr_setx(e, ENOENT, "no cgroup file system is mounted under " CG_MOUNT_DIR);
		goto out;
	}
	hs.layout = v2_at_top || !any_v1 ? CGROUP_UNIFIED : v2m ? CGROUP_HYBRID : CGROUP_LEGACY;
	for (const char *line = self_cgroup; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t ll = eol ? (size_t)(eol - line) : strlen(line);
		const char *c1 = memchr(line, ':', ll);
		const char *c2 = c1 ? memchr(c1 + 1, ':', ll - (size_t)(c1 + 1 - line)) : NULL;
		const char *cur = line;
		line = eol ? eol + 1 : NULL;
		if (!c2)
			continue;
		char ctrls[256];
		size_t cl = (size_t)(c2 - c1 - 1);
		if (cl >= sizeof(ctrls))
			continue;
		memcpy(ctrls, c1 + 1, cl);
		ctrls[cl] = '\0';
		const char *own = c2 + 1;
		size_t own_len = ll - (size_t)(own - cur);
		if (own_len == 0 || own[0] != '/')
			continue;
		const struct mountinfo *match = NULL;
		if (cl == 0) {
			match = v2m;
		} else if (hs.layout != CGROUP_UNIFIED) {
			for (size_t i = 0; i < nm && !match; i++)
				if (under_cgroup_dir(m[i].mountpoint) && mount_serves(&m[i], ctrls))
					match = &m[i];
		}
		if (!match)
			continue;
		bool dup = false;
		for (size_t i = 0; i < hs.n; i++)
			dup |= !strcmp(hs.h[i].mountpoint, match->mountpoint);
		if (dup)
			continue;
		if (add_hier(&hs, ctrls, match, own, own_len) < 0) {
			ret = oerr_set(e, ENOMEM, "cgroup hierarchies");
			goto out;
		}
	}
	if (hs.n == 0)
		ret = oerr_setx(e, ENOENT, "none of this process's cgroups is mounted under " CG_MOUNT_DIR);
out:
	if (ret < 0)
		cg_hiers_free(&hs);
	else
		*out = hs;
	return ret;
}

int cg_hiers_parse(const char *mountinfo, const char *self_cgroup, struct cg_hiers *out, struct oerr *e)
{
	struct mountinfo *m;
	size_t nm;
	if (cg_mounts_parse(mountinfo, &m, &nm) < 0)
		return oerr_set(e, ENOMEM, "parse mountinfo");
	int r = hiers_build(m, nm, self_cgroup, out, e);
	mountinfo_free(m, nm);
	return r;
}

/* The cgroup mounts, read once per process (or taken from the table an
 * earlier command saved: cgroup_mounts_adopt): a command that looks at a
 * container's cgroups more than once (exec: its status, then the join; run:
 * create, then delete) would read and statfs them each time. The runtime's
 * own process never mounts nor changes its mount namespace (children do
 * that, and a child is another pid, which reads them afresh); its own
 * cgroups may change, so /proc/self/cgroup is read each time. */
static struct {
	pid_t pid;
	struct mountinfo *m;
	size_t n;
} mounts_memo;

static int cg_mounts_memo(const struct mountinfo **m, size_t *n, struct oerr *e)
{
	pid_t self = getpid();
	if (mounts_memo.pid != self) {
		if (mounts_memo.pid)
			mountinfo_free(mounts_memo.m, mounts_memo.n);
		mounts_memo.pid = 0;
		int r = cg_mounts_load(&mounts_memo.m, &mounts_memo.n, e);
		if (r < 0)
			return r;
		mounts_memo.pid = self;
	}
	*m = mounts_memo.m;
	*n = mounts_memo.n;
	return 0;
}

/* The saved table (cgroup.h: cgroup_mounts_dump): a header with the count,
 * then mountinfo lines. */
#define CG_MOUNTS_HEADER "ocirt cgroup mounts 1"

int cgroup_mounts_dump(char **out, struct oerr *e)
{
	const struct mountinfo *m;
	size_t n;
	int r = cg_mounts_memo(&m, &n, e);
	if (r < 0)
		return r;
	_cleanup_free_ char *body = NULL;
	if (mountinfo_format(m, n, &body) < 0 || asprintf(out, CG_MOUNTS_HEADER " %zu\n%s", n, body) < 0)
		return oerr_setx(e, ENOMEM, "the cgroup mounts");
	return 0;
}

bool cgroup_mounts_known(void)
{
	return mounts_memo.pid == getpid();
}

bool cgroup_mounts_adopt(const char *text)
{
	size_t want;
	int used = 0;
	if (sscanf(text, CG_MOUNTS_HEADER " %zu\n%n", &want, &used) != 1 || used == 0 || want == 0)
		return false;
	struct mountinfo *m;
	size_t n;
	if (mountinfo_parse(text + used, &m, &n) < 0)
		return false;
	bool ok = n == want;
	for (size_t i = 0; ok && i < n; i++)
		ok = mount_confirmed(&m[i]);
	if (!ok) {
		mountinfo_free(m, n);
		return false;
	}
	if (mounts_memo.pid)
		mountinfo_free(mounts_memo.m, mounts_memo.n);
	mounts_memo.m = m;
	mounts_memo.n = n;
	mounts_memo.pid = getpid();
	return true;
}

int cg_hiers_load(struct cg_hiers *out, struct oerr *e)
{
	_cleanup_free_ char *cg = NULL;
	const struct mountinfo *m;
	size_t nm;
	int r = cg_mounts_memo(&m, &nm, e);
	if (r < 0)
		return r;
	if ((r = read_file_at(AT_FDCWD, "/proc/self/cgroup", &cg, NULL, e)) == 0)
		r = hiers_build(m, nm, cg, out, e);
	return r;
}

struct cg_hier *cg_hier_v1(const struct cg_hiers *hs, const char *controller)
{
	for (size_t i = 0; i < hs->n; i++)
		if (!hs->h[i].v2 && cg_controllers_has(hs->h[i].controllers, controller, ','))
			return &hs->h[i];
	return NULL;
}

struct cg_hier *cg_hier_v2(const struct cg_hiers *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hs->h[i].v2)
			return &hs->h[i];
	return NULL;
}

int cg_path_clean(const char *in, char **out)
{
	size_t n = strlen(in);
	char *buf = malloc(n + 2), *o = buf;
	if (!buf)
		return -ENOMEM;
	for (const char *p = in; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t l = strcspn(p, "/");
		if (l == 1 && p[0] == '.') {
			p += l;
			continue;
		}
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			free(buf);
			return -EINVAL;
		}
		*o++ = '/';
		memcpy(o, p, l);
		o += l;
		p += l;
	}
	if (o == buf)
		*o++ = '/';
	*o = '\0';
	*out = buf;
	return 0;
}

/* A cgroup path as a directory under the hierarchy's mount. */
static int hier_set_path(struct cg_hier *h, char *path, struct oerr *e)
{
	const char *rel;
	size_t rl = strlen(h->mnt_root);
	if (!strcmp(h->mnt_root, "/"))
		rel = path;
	else if (!strncmp(path, h->mnt_root, rl) && (path[rl] == '\0' || path[rl] == '/'))
		rel = path + rl;
	else {
		int r = oerr_setx(e, EINVAL, "cgroup %s is outside of %s (mounted from %s)", path, h->mountpoint,
				  h->mnt_root);
		free(path);
		return r;
	}
	char *dir = cg_join(h->mountpoint, rel);
	if (!dir) {
		free(path);
		return oerr_set(e, ENOMEM, "cgroup path");
	}
	free(h->path);
	free(h->dir);
	h->path = path;
	h->dir = dir;
	return 0;
}

bool cg_path_systemd_syntax(const char *p)
{
	const char *c = strchr(p, ':');
	return p[0] != '/' && c && strchr(c + 1, ':') && !strchr(strchr(c + 1, ':') + 1, ':');
}

int cg_paths_for_spec(struct cg_hiers *hs, const char *cgroups_path, const char *id, char **state,
		      struct oerr *e)
{
	const char *want = cgroups_path && *cgroups_path ? cgroups_path : id;
	if (cgroups_path && *cgroups_path && cg_path_systemd_syntax(cgroups_path))
		return oerr_setx(e, EINVAL, "linux.cgroupsPath \"%s\": a systemd unit (\"slice:prefix:name\") "
				 "needs the systemd cgroup driver (--systemd-cgroup)", cgroups_path);
	_cleanup_free_ char *clean = NULL;
	int r = cg_path_clean(want, &clean);
	if (r == -EINVAL)
		return oerr_setx(e, EINVAL, "linux.cgroupsPath \"%s\": must not contain \"..\"", want);
	if (r < 0)
		return oerr_set(e, -r, "cgroup path");
	if (!strcmp(clean, "/"))
		return oerr_setx(e, EINVAL, "linux.cgroupsPath \"%s\": the container cannot use the root cgroup", want);
	bool absolute = want[0] == '/';
	bool same_base = true;
	for (size_t i = 1; i < hs->n; i++)
		same_base &= !strcmp(hs->h[i].own, hs->h[0].own);
	for (size_t i = 0; i < hs->n; i++) {
		char *p;
		if (absolute)
			p = strdup(clean);
		else if (!strcmp(hs->h[i].own, "/"))
			p = strdup(clean);
		else if (asprintf(&p, "%s%s", hs->h[i].own, clean) < 0)
			p = NULL;
		if (!p)
			return oerr_set(e, ENOMEM, "cgroup path");
		if ((r = hier_set_path(&hs->h[i], p, e)) < 0)
			return r;
	}
	char *s = NULL;
	if (absolute || same_base || hs->n == 0) {
		s = strdup(hs->n ? hs->h[0].path : clean);
	} else {
		size_t len = strlen(clean) + 1;
		for (size_t i = 0; i < hs->n; i++) {
			const struct cg_hier *h = &hs->h[i];
			if (strchr(h->own, ';') || strchr(h->controllers, ':') || strchr(h->controllers, ';'))
				return oerr_setx(e, EINVAL, "cannot record cgroup %s of hierarchy %s", h->own,
						 h->controllers);
			len += strlen(h->controllers) + strlen(h->own) + 2;
		}
		if ((s = malloc(len))) {
			char *o = s;
			for (size_t i = 0; i < hs->n; i++)
				if (strcmp(hs->h[i].own, "/"))
					o += sprintf(o, "%s:%s;", hs->h[i].controllers, hs->h[i].own);
			strcpy(o, clean);
		}
	}
	if (!s)
		return oerr_set(e, ENOMEM, "cgroup path");
	*state = s;
	return 0;
}

int cg_paths_decode(struct cg_hiers *hs, const char *state, struct oerr *e)
{
	const char *p = state;
	/* A systemd unit's cgroup: the same path in every hierarchy. */
	if (!strncmp(p, CG_SD_PREFIX, strlen(CG_SD_PREFIX)))
		p += strlen(CG_SD_PREFIX);
	struct { const char *key, *base; size_t kl, bl; } ov[64];
	size_t nov = 0;
	while (*p && *p != '/') {
		const char *colon = strchr(p, ':');
		const char *semi = colon ? strchr(colon, ';') : NULL;
		if (!colon || !semi || colon[1] != '/' || nov == ARRAY_SIZE(ov))
			return oerr_setx(e, EINVAL, "malformed cgroup path \"%s\"", state);
		ov[nov].key = p;
		ov[nov].kl = (size_t)(colon - p);
		ov[nov].base = colon + 1;
		ov[nov].bl = (size_t)(semi - colon - 1);
		nov++;
		p = semi + 1;
	}
	if (*p != '/')
		return oerr_setx(e, EINVAL, "malformed cgroup path \"%s\"", state);
	_cleanup_free_ char *tail = NULL;
	int r = cg_path_clean(p, &tail);
	if (r == -EINVAL)
		return oerr_setx(e, EINVAL, "cgroup path \"%s\": must not contain \"..\"", p);
	if (r < 0)
		return oerr_set(e, -r, "cgroup path");
	for (size_t i = 0; i < hs->n; i++) {
		struct cg_hier *h = &hs->h[i];
		const char *base = "";
		size_t bl = 0;
		for (size_t j = 0; j < nov; j++)
			if (ov[j].kl == strlen(h->controllers) && !strncmp(ov[j].key, h->controllers, ov[j].kl)) {
				base = ov[j].base;
				bl = ov[j].bl;
			}
		char *path;
		if (asprintf(&path, "%.*s%s", (int)bl, base, bl && !strcmp(tail, "/") ? "" : tail) < 0)
			return oerr_set(e, ENOMEM, "cgroup path");
		if ((r = hier_set_path(h, path, e)) < 0)
			return r;
	}
	return 0;
}

bool cg_hier_optional(const struct cg_hiers *hs, const struct cg_hier *h)
{
	return !strncmp(h->controllers, "name=", 5) || (h->v2 && hs->layout == CGROUP_HYBRID);
}

int cg_hier_joinable(const struct cg_hiers *hs, const struct cg_hier *h, struct oerr *e)
{
	struct stat st;
	if (stat(h->dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 1;
	if (cg_hier_optional(hs, h))
		return 0;
	return oerr_setx(e, ENOENT, "join cgroup %s: it does not exist", h->dir);
}
