#include "lib/cgroup/cgroup_fs.h"
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "base/util.h"

char *cg_join(const char *dir, const char *rel)
{
	char *out;
	while (*rel == '/')
		rel++;
	if (!*rel)
		return strdup(dir);
	size_t dl = strlen(dir);
	bool slash = dl > 0 && dir[dl - 1] == '/';
	if (asprintf(&out, "%s%s%s", dir, slash ? "" : "/", rel) < 0)
		return NULL;
	return out;
}

/* The value as it appears in messages: first line, no newline. */
static const char *shown(const char *val, char *buf, size_t len)
{
	size_t n = strcspn(val, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, val, n);
	buf[n] = '\0';
	return buf;
}

int cg_write(const char *dir, const char *file, const char *val, struct oerr *e)
{
	_cleanup_free_ char *path = cg_join(dir, file);
	char sbuf[128];
	if (!path)
		return oerr_set(e, ENOMEM, "write %s", file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return oerr_set(e, errno, "open %s", path);
	size_t len = strlen(val);
	ssize_t n;
	do
		n = write(fd, val, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return oerr_set(e, errno, "write \"%s\" to %s", shown(val, sbuf, sizeof(sbuf)), path);
	if ((size_t)n != len)
		return oerr_set(e, EIO, "write \"%s\" to %s: short write", shown(val, sbuf, sizeof(sbuf)), path);
	return 0;
}

int cg_writef(const char *dir, const char *file, struct oerr *e, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return oerr_setx(e, EINVAL, "value for %s/%s too long", dir, file);
	return cg_write(dir, file, buf, e);
}

int cg_read(const char *dir, const char *file, char **out, struct oerr *e)
{
	_cleanup_free_ char *path = cg_join(dir, file);
	if (!path)
		return oerr_set(e, ENOMEM, "read %s", file);
	size_t len;
	char *buf;
	int r = read_file_at(AT_FDCWD, path, &buf, &len, e);
	if (r < 0)
		return r;
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	*out = buf;
	return 0;
}

int cg_parse_u64(const char *s, uint64_t *v)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (!strncmp(s, "max", 3) && (!s[3] || s[3] == '\n' || s[3] == ' ')) {
		*v = UINT64_MAX;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || (*end && *end != '\n' && *end != ' '))
		return -EINVAL;
	*v = x;
	return 0;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *v, struct oerr *e)
{
	_cleanup_free_ char *text = NULL;
	int r = cg_read(dir, file, &text, e);
	if (r < 0)
		return r;
	if (cg_parse_u64(text, v) < 0)
		return oerr_setx(e, EINVAL, "%s/%s: not a number: \"%.40s\"", dir, file, text);
	return 0;
}

bool cg_exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = cg_join(dir, file);
	return path && access(path, F_OK) == 0;
}

int cg_text_key_u64(const char *text, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return cg_parse_u64(p + kl + 1, v);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

void cg_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ocirt: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int cg_write_hugetlb(const char *dir, const struct spec_resources *res, const char *suffix, struct oerr *e)
{
	bool rsvd = true;
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct spec_hugepage *h = &res->hugepage_limits[i];
		char file[96];
		snprintf(file, sizeof(file), "hugetlb.%s.%s", h->page_size, suffix);
		int r = cg_writef(dir, file, e, "%" PRIu64, h->limit);
		if (r == -ENOENT)
			return oerr_setx(e, EINVAL, "linux.resources.hugepageLimits: page size %s is not supported "
					 "(no %s/%s)", h->page_size, dir, file);
		if (r < 0)
			return r;
		snprintf(file, sizeof(file), "hugetlb.%s.rsvd.%s", h->page_size, suffix);
		if (rsvd && (r = cg_writef(dir, file, e, "%" PRIu64, h->limit)) < 0) {
			if (r != -ENOENT)
				return r;
			rsvd = false;
		}
	}
	return 0;
}

int cg_check_memory_usage(const char *dir, const char *usage_file, const struct spec_memory *m,
			  struct oerr *e)
{
	uint64_t usage;
	struct oerr ignored;
	if (cg_read_u64(dir, usage_file, &usage, &ignored) < 0)
		return 0;
	if (m->has_swap && m->swap > 0 && (uint64_t)m->swap <= usage)
		return oerr_setx(e, EBUSY, "rejecting memory+swap limit %" PRId64 " <= usage %" PRIu64, m->swap, usage);
	if (m->has_limit && m->limit > 0 && (uint64_t)m->limit <= usage)
		return oerr_setx(e, EBUSY, "rejecting memory limit %" PRId64 " <= usage %" PRIu64, m->limit, usage);
	return 0;
}

int cg_err_internal_processes(struct oerr *e, const char *dir)
{
	return oerr_setx(e, EBUSY, "join cgroup %s: it hands controllers to sub-cgroups, so it cannot have "
			 "processes (cgroup v2 \"no internal processes\" rule)", dir);
}
