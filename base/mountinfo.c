#include "base/mountinfo.h"
#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_dup(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

void mountinfo_free_entry(struct mountinfo *m)
{
	free(m->root);
	free(m->mountpoint);
	free(m->opts);
	free(m->fstype);
	free(m->source);
	free(m->super_opts);
}

/* One line: id parent maj:min root mountpoint opts [optional...] - fstype source superopts.
 * 1 when parsed, 0 when the line lacks fields, -ENOMEM. */
static int parse_line(const char *line, size_t ll, struct mountinfo *m)
{
	const char *f[64];
	size_t fl[64], nf = 0;
	for (size_t i = 0; i < ll && nf < 64;) {
		while (i < ll && line[i] == ' ')
			i++;
		if (i >= ll)
			break;
		size_t s = i;
		while (i < ll && line[i] != ' ')
			i++;
		f[nf] = line + s;
		fl[nf++] = i - s;
	}
	size_t dash = 0;
	for (size_t i = 6; i < nf; i++)
		if (fl[i] == 1 && f[i][0] == '-') {
			dash = i;
			break;
		}
	if (!dash || dash + 2 >= nf)
		return 0;
	memset(m, 0, sizeof(*m));
	char num[64];
	snprintf(num, sizeof(num), "%.*s %.*s %.*s", (int)fl[0], f[0], (int)fl[1], f[1], (int)fl[2], f[2]);
	if (sscanf(num, "%d %d %u:%u", &m->id, &m->parent, &m->major, &m->minor) != 4)
		return 0;
	m->root = unescape_dup(f[3], fl[3]);
	m->mountpoint = unescape_dup(f[4], fl[4]);
	m->opts = unescape_dup(f[5], fl[5]);
	m->fstype = unescape_dup(f[dash + 1], fl[dash + 1]);
	m->source = unescape_dup(f[dash + 2], fl[dash + 2]);
	m->super_opts = dash + 3 < nf ? unescape_dup(f[dash + 3], fl[dash + 3]) : strdup("");
	if (!m->root || !m->mountpoint || !m->opts || !m->fstype || !m->source || !m->super_opts) {
		mountinfo_free_entry(m);
		return -ENOMEM;
	}
	return 1;
}

int mountinfo_parse(const char *text, struct mountinfo **out, size_t *nout)
{
	struct mountinfo *v = NULL;
	size_t n = 0;
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t ll = eol ? (size_t)(eol - line) : strlen(line);
		struct mountinfo m;
		int r = parse_line(line, ll, &m);
		line = eol ? eol + 1 : NULL;
		if (r == 0)
			continue;
		struct mountinfo *nv = r < 0 ? NULL : realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			if (r > 0)
				mountinfo_free_entry(&m);
			mountinfo_free(v, n);
			return -ENOMEM;
		}
		v = nv;
		v[n++] = m;
	}
	*out = v;
	*nout = n;
	return 0;
}

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			fprintf(f, "\\%03o", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

int mountinfo_format(const struct mountinfo *m, size_t n, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *fields[] = { m[i].root, m[i].mountpoint, m[i].opts };
		fprintf(f, "%d %d %u:%u", m[i].id, m[i].parent, m[i].major, m[i].minor);
		for (size_t k = 0; k < 3; k++) {
			fputc(' ', f);
			put_escaped(f, fields[k]);
		}
		fputs(" - ", f);
		put_escaped(f, m[i].fstype);
		fputc(' ', f);
		put_escaped(f, m[i].source);
		fputc(' ', f);
		put_escaped(f, m[i].super_opts);
		fputc('\n', f);
	}
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}

int mountinfo_read(pid_t pid, struct mountinfo **out, size_t *n, struct oerr *e)
{
	char path[64];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/mountinfo");
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, path, &text, &len, e);
	if (r < 0)
		return r;
	if (mountinfo_parse(text, out, n) < 0)
		return oerr_set(e, ENOMEM, "parse %s", path);
	return 0;
}

void mountinfo_free(struct mountinfo *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mountinfo_free_entry(&m[i]);
	free(m);
}

bool mountinfo_covered(const struct mountinfo *m, size_t n, size_t i)
{
	for (size_t j = i + 1; j < n; j++)
		if (path_at_or_under(m[i].mountpoint, m[j].mountpoint))
			return true;
	return false;
}

const struct mountinfo *mountinfo_find(const struct mountinfo *m, size_t n, const char *mountpoint)
{
	for (size_t i = n; i-- > 0;)
		if (!strcmp(m[i].mountpoint, mountpoint))
			return &m[i];
	return NULL;
}
