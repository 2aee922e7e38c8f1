/* linux.intelRdt through the resctrl filesystem (see resctrl.h). */
#include "lib/resctrl/resctrl.h"
#include "base/mountinfo.h"
#include "base/util.h"
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

int rdt_find_root(const char *mountinfo, char *root, size_t len, struct oerr *e)
{
	_cleanup_free_ char *text = NULL;
	if (read_file_at(AT_FDCWD, mountinfo, &text, NULL, e) < 0)
		return oerr_wrap(e, "linux.intelRdt");
	struct mountinfo *m = NULL;
	size_t n = 0;
	if (mountinfo_parse(text, &m, &n) < 0)
		return oerr_setx(e, ENOMEM, "linux.intelRdt: %s", mountinfo);
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		if (!strcmp(m[i].fstype, "resctrl") && !strcmp(m[i].root, "/")) {
			snprintf(root, len, "%s", m[i].mountpoint);
			found = true;
		}
	mountinfo_free(m, n);
	if (found)
		return 0;
	return oerr_setx(e, ENOENT, "linux.intelRdt: no resctrl filesystem is mounted (the kernel needs "
			 "CONFIG_X86_CPU_RESCTRL and an RDT-capable CPU; mount -t resctrl resctrl /sys/fs/resctrl)");
}

/* The resctrl's own word on the last write it refused. */
static void last_cmd_status(const char *root, char *buf, size_t len)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	struct oerr ignored;
	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/info/last_cmd_status", root);
	if (read_file_at(AT_FDCWD, path, &text, NULL, &ignored) == 0) {
		text[strcspn(text, "\n")] = '\0';
		if (*text && strcmp(text, "ok"))
			snprintf(buf, len, " (%s)", text);
	}
}

/* The lines that go to the schemata file, in the spec's order. */
static size_t schema_lines(const struct spec_intel_rdt *rdt, const char **lines, size_t max)
{
	size_t n = 0;
	if (rdt->l3_cache_schema && n < max)
		lines[n++] = rdt->l3_cache_schema;
	if (rdt->mem_bw_schema && n < max)
		lines[n++] = rdt->mem_bw_schema;
	for (size_t i = 0; i < rdt->n_schemata && n < max; i++)
		lines[n++] = rdt->schemata[i];
	return n;
}

static int write_schemata(const char *root, const char *dir, const char **lines, size_t n, struct oerr *e)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/schemata", dir);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "linux.intelRdt: open %s", path);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *line = NULL;
		if (asprintf(&line, "%s\n", lines[i]) < 0)
			return oerr_setx(e, ENOMEM, "linux.intelRdt");
		if (write(fd, line, strlen(line)) < 0) {
			int err = errno;
			char why[256];
			last_cmd_status(root, why, sizeof(why));
			errno = err;
			return oerr_set(e, err, "linux.intelRdt: write \"%s\" to %s%s", lines[i], path, why);
		}
	}
	return 0;
}

/* A value of a schemata line as the kernel prints it: no leading zeros,
 * lower case (cache bit masks are hex, bandwidths decimal). */
static void normalize(const char *v, size_t len, char *out, size_t outlen)
{
	while (len > 1 && *v == '0')
		v++, len--;
	size_t i = 0;
	for (; i < len && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)v[i]);
	out[i] = '\0';
}

/* The value of domain dom (its "=" part) in "RES:0=ff;1=f", or NULL. */
static const char *domain_value(const char *domains, const char *dom, size_t domlen, size_t *vlen)
{
	for (const char *p = domains; p && *p;) {
		const char *end = strchr(p, ';'), *eq = strchr(p, '=');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (eq && eq < p + len && (size_t)(eq - p) == domlen && !strncmp(p, dom, domlen)) {
			*vlen = len - domlen - 1;
			return eq + 1;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

/* Whether the schemata file text has what line asks: the same resource,
 * and for each domain the line names, the same value. */
static bool schemata_has(const char *file, const char *line)
{
	const char *colon = strchr(line, ':');
	if (!colon)
		return false;
	size_t rlen = (size_t)(colon - line);
	for (const char *l = file; l && *l;) {
		while (*l == ' ' || *l == '\t')
			l++;
		const char *eol = strchr(l, '\n');
		if (!strncmp(l, line, rlen) && l[rlen] == ':') {
			_cleanup_free_ char *have = strndup(l + rlen + 1, eol ? (size_t)(eol - l - rlen - 1) : strlen(l));
			if (!have)
				return false;
			for (const char *p = colon + 1; *p;) {
				const char *end = strchr(p, ';'), *eq = strchr(p, '=');
				size_t len = end ? (size_t)(end - p) : strlen(p);
				if (!eq || eq >= p + len)
					return false;
				size_t vlen, hlen;
				const char *hv = domain_value(have, p, (size_t)(eq - p), &hlen);
				char want_n[64], have_n[64];
				vlen = len - (size_t)(eq - p) - 1;
				if (!hv)
					return false;
				normalize(eq + 1, vlen, want_n, sizeof(want_n));
				normalize(hv, hlen, have_n, sizeof(have_n));
				if (strcmp(want_n, have_n))
					return false;
				p = end ? end + 1 : p + len;
			}
			return true;
		}
		l = eol ? eol + 1 : NULL;
	}
	return false;
}

static int compare_schemata(const char *dir, const char *name, const char **lines, size_t n, struct oerr *e)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/schemata", dir);
	_cleanup_free_ char *text = NULL;
	if (read_file_at(AT_FDCWD, path, &text, NULL, e) < 0)
		return oerr_wrap(e, "linux.intelRdt");
	for (size_t i = 0; i < n; i++) {
		if (schemata_has(text, lines[i]))
			continue;
		/* its lines, trimmed, as "L3:0=ff;1=ff, MB:0=100" */
		char have[512] = "";
		size_t h = 0;
		for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			l += strspn(l, " \t");
			if (*l && h < sizeof(have))
				h += (size_t)snprintf(have + h, sizeof(have) - h, "%s%s", h ? ", " : "", l);
		}
		return oerr_setx(e, EINVAL, "linux.intelRdt: resctrl group \"%s\" exists with other schemata than "
				 "\"%s\" (it has %s)", name, lines[i], *have ? have : "none");
	}
	return 0;
}

static bool valid_group_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") && strlen(s) < NAME_MAX;
}

int rdt_prepare(const struct spec_intel_rdt *rdt, const char *root, const char *id, struct rdt_group *g,
		struct oerr *e)
{
	*g = (struct rdt_group){ 0 };
	const char *lines[64];
	size_t n = schema_lines(rdt, lines, ARRAY_SIZE(lines));
	if (n < (rdt->l3_cache_schema ? 1 : 0) + (rdt->mem_bw_schema ? 1 : 0) + rdt->n_schemata)
		return oerr_setx(e, E2BIG, "linux.intelRdt.schemata: at most %zu lines", ARRAY_SIZE(lines) - 2);
	const char *name = rdt->clos_id ? rdt->clos_id : id;
	bool is_root = rdt->clos_id && !strcmp(rdt->clos_id, "/");
	if (!is_root && !valid_group_name(name))
		return oerr_setx(e, EINVAL, "linux.intelRdt.closID: \"%s\" is not a resctrl group name", name);
	int ret;
	if (is_root)
		ret = asprintf(&g->dir, "%s", root);
	else
		ret = asprintf(&g->dir, "%s/%s", root, name);
	if (ret < 0)
		return oerr_setx(e, ENOMEM, "linux.intelRdt");
	/* closID alone names a group made beforehand; otherwise it is made here when missing. */
	if (rdt->clos_id && !n) {
		struct stat st;
		if (stat(g->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			ret = oerr_setx(e, ENOENT, "linux.intelRdt.closID: resctrl group \"%s\" does not exist (without "
					"schemata, closID names a group made beforehand)", name);
			goto fail;
		}
	} else if (!is_root) {
		if (mkdir(g->dir, 0755) == 0)
			g->created = true;
		else if (errno != EEXIST) {
			ret = oerr_set(e, errno, "linux.intelRdt: make resctrl group %s", g->dir);
			goto fail;
		}
	}
	if (n && g->created)
		ret = write_schemata(root, g->dir, lines, n, e);
	else
		ret = n ? compare_schemata(g->dir, name, lines, n, e) : 0;
	if (ret < 0)
		goto fail;
	if (rdt->enable_monitoring) {
		if (asprintf(&g->mon_dir, "%s/mon_groups/%s", g->dir, id) < 0) {
			ret = oerr_setx(e, ENOMEM, "linux.intelRdt");
			goto fail;
		}
		if (mkdir(g->mon_dir, 0755) < 0) {
			ret = oerr_set(e, errno, "linux.intelRdt.enableMonitoring: make MON group %s%s", g->mon_dir,
				       errno == ENOSPC ? " (no monitoring ids left)" : "");
			free(g->mon_dir);
			g->mon_dir = NULL;
			goto fail;
		}
	}
	return 0;
fail:;
	struct oerr ignored;
	rdt_destroy(g->dir, g->mon_dir, g->created, &ignored);
	rdt_group_free(g);
	return ret;
}

int rdt_open_tasks(const char *dir, const char *mon_dir, struct oerr *e)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tasks", mon_dir ? mon_dir : dir);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "linux.intelRdt: open %s", path);
	return fd;
}

int rdt_join_self(int fd, struct oerr *e)
{
	int ret = write(fd, "0", 1) < 0 ? oerr_set(e, errno, "linux.intelRdt: join the resctrl group") : 0;
	close(fd);
	return ret;
}

int rdt_destroy(const char *dir, const char *mon_dir, bool created, struct oerr *e)
{
	if (mon_dir && rmdir(mon_dir) < 0 && errno != ENOENT)
		return oerr_set(e, errno, "linux.intelRdt: remove MON group %s", mon_dir);
	if (dir && created && rmdir(dir) < 0 && errno != ENOENT)
		return oerr_set(e, errno, "linux.intelRdt: remove resctrl group %s", dir);
	return 0;
}

void rdt_group_free(struct rdt_group *g)
{
	free(g->dir);
	free(g->mon_dir);
	*g = (struct rdt_group){ 0 };
}
