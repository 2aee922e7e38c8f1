#include "lib/rootfs/pathres.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "base/util.h"

#define MAX_SYMLINKS 40		/* the kernel's MAXSYMLINKS */
#define MAX_RETRIES 64

static bool openat2_missing;

bool pathres_have_openat2(void)
{
	const char *v = getenv("OCIRT_TEST_NO_OPENAT2");
	if (v && strcmp(v, "1") == 0)
		return false;
	return !openat2_missing;
}

bool pathres_openat2_refused(int err)
{
	if (err == EPERM) {
		struct open_how how = { .flags = O_PATH | O_CLOEXEC };
		long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
		bool refused = fd < 0 && errno == EPERM;
		if (fd >= 0)
			close((int)fd);
		errno = err;	/* the caller's, for its report */
		if (!refused)
			return false;
	} else if (err != ENOSYS) {
		return false;
	}
	openat2_missing = true;
	return true;
}

char *pathres_clean(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n + 2);
	if (!out)
		return NULL;
	size_t o = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		size_t l = (size_t)(p - c);
		if (l == 1 && c[0] == '.')
			continue;
		if (l == 2 && c[0] == '.' && c[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;	/* the slash before the dropped component */
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, c, l);
		o += l;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/* The directories walked so far; the bottom (rootfd) is not owned. */
struct stack {
	int rootfd;
	int *fds;
	size_t n, cap;
};

static int stack_top(const struct stack *s)
{
	return s->n ? s->fds[s->n - 1] : s->rootfd;
}

static int stack_push(struct stack *s, int fd)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		int *n = realloc(s->fds, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->fds = n;
		s->cap = cap;
	}
	s->fds[s->n++] = fd;
	return 0;
}

static void stack_pop(struct stack *s)
{
	if (s->n)
		close(s->fds[--s->n]);
}

static void stack_free(struct stack *s)
{
	while (s->n)
		stack_pop(s);
	free(s->fds);
}

/* The hand-made walk: every component is opened O_NOFOLLOW relative to the
 * directory fd we hold, so nothing can redirect a step; symlink text is spliced
 * in front of the rest of the path, ".." pops a held directory and stays at
 * the root. */
static int walk(int rootfd, const char *path, unsigned flags, char **last_name, struct oerr *e)
{
	struct stack st = { .rootfd = rootfd };
	_cleanup_free_ char *rest = strdup(path);
	_cleanup_free_ char *target = malloc(PATH_MAX);
	int links = 0, retries = 0, r;
	if (!rest || !target)
		return oerr_set(e, ENOMEM, "resolve %s in rootfs", path);

	char *p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *comp = p;
		while (*p && *p != '/')
			p++;
		char saved = *p;
		*p = '\0';
		bool last = true;
		for (const char *q = saved ? p + 1 : p; *q; q++)
			if (*q != '/') {
				last = false;
				break;
			}

		if (strcmp(comp, ".") == 0) {
			*p = saved;
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			stack_pop(&st);
			*p = saved;
			continue;
		}
		int fd = openat(stack_top(&st), comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && last && last_name) {
			/* what the path, symlinks followed, names: to be created there */
			if (!(*last_name = strdup(comp))) {
				r = oerr_set(e, ENOMEM, "resolve %s in rootfs", path);
				goto out;
			}
			if (st.n) {
				r = st.fds[--st.n];
			} else if ((r = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
				r = oerr_set(e, errno, "resolve %s in rootfs", path);
				free(*last_name);
				*last_name = NULL;
			}
			goto out;
		}
		if (fd < 0 && errno == ENOENT && (flags & PATHRES_MKDIR)) {
			if (mkdirat(stack_top(&st), comp, 0755) < 0 && errno != EEXIST) {
				r = oerr_set(e, errno, "mkdir %s in rootfs", path);
				goto out;
			}
			if (++retries > MAX_RETRIES) {
				r = oerr_set(e, EAGAIN, "resolve %s in rootfs", path);
				goto out;
			}
			*p = saved;
			p = comp;	/* open it again */
			continue;
		}
		if (fd < 0) {
			r = oerr_set(e, errno, "resolve %s in rootfs", path);
			goto out;
		}
		struct stat sb;
		if (fstat(fd, &sb) < 0) {
			r = oerr_set(e, errno, "resolve %s in rootfs", path);
			close(fd);
			goto out;
		}
		if (S_ISLNK(sb.st_mode)) {
			if (flags & PATHRES_NO_SYMLINKS) {
				/* the path is walked as given, so its prefix names the link */
				r = oerr_setx(e, ELOOP, "%s%s in rootfs is a symlink",
					      rest[0] == '/' ? "" : "/", rest);
				close(fd);
				goto out;
			}
			ssize_t tl = readlinkat(fd, "", target, PATH_MAX);
			close(fd);
			if (tl < 0) {
				r = oerr_set(e, errno, "readlink in %s in rootfs", path);
				goto out;
			}
			if (tl >= PATH_MAX) {
				r = oerr_set(e, ENAMETOOLONG, "resolve %s in rootfs", path);
				goto out;
			}
			if (++links > MAX_SYMLINKS) {
				r = oerr_set(e, ELOOP, "resolve %s in rootfs", path);
				goto out;
			}
			target[tl] = '\0';
			if (target[0] == '/')
				while (st.n)
					stack_pop(&st);
			const char *after = saved ? p + 1 : p;
			size_t al = strlen(after);
			char *nrest = malloc((size_t)tl + al + 2);
			if (!nrest) {
				r = oerr_set(e, ENOMEM, "resolve %s in rootfs", path);
				goto out;
			}
			memcpy(nrest, target, (size_t)tl);
			nrest[tl] = '/';
			memcpy(nrest + tl + 1, after, al + 1);
			free(rest);
			rest = p = nrest;
			continue;
		}
		if (!last && !S_ISDIR(sb.st_mode)) {
			close(fd);
			r = oerr_set(e, ENOTDIR, "resolve %s in rootfs", path);
			goto out;
		}
		if ((r = stack_push(&st, fd)) < 0) {
			close(fd);
			oerr_set(e, -r, "resolve %s in rootfs", path);
			goto out;
		}
		*p = saved;
	}
	if (st.n) {
		r = st.fds[--st.n];
	} else {
		r = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (r < 0)
			r = oerr_set(e, errno, "resolve %s in rootfs", path);
	}
out:
	stack_free(&st);
	return r;
}

static int try_openat2(int rootfd, const char *path, bool no_symlinks, struct oerr *e)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0),
	};
	for (int i = 0; i < MAX_RETRIES; i++) {
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		/* EAGAIN: a rename or mount raced with "..": try again */
		if (errno != EAGAIN)
			break;
	}
	int err = errno;
	if (pathres_openat2_refused(err))
		return -ENOSYS;
	if (err == EAGAIN)
		return -EAGAIN;
	return oerr_set(e, err, "resolve %s in rootfs", path);
}

int pathres_open(int rootfd, const char *path, unsigned flags, struct oerr *e)
{
	/* One call for the usual case; the walk for what it alone does: make
	 * missing directories, and name the symlink that openat2 refused
	 * (RESOLVE_NO_SYMLINKS says ELOOP, not where). */
	bool no_symlinks = flags & PATHRES_NO_SYMLINKS;
	if (pathres_have_openat2()) {
		int fd = try_openat2(rootfd, *path ? path : ".", no_symlinks, e);
		if (fd >= 0)
			return fd;
		if (fd != -ENOSYS && fd != -EAGAIN && !(fd == -ENOENT && (flags & PATHRES_MKDIR)) &&
		    !(fd == -ELOOP && no_symlinks))
			return fd;
	}
	return walk(rootfd, path, flags, NULL, e);
}

int pathres_open_parent(int rootfd, const char *path, unsigned flags, char **name, struct oerr *e)
{
	_cleanup_free_ char *clean = pathres_clean(path);
	if (!clean)
		return oerr_set(e, ENOMEM, "resolve %s in rootfs", path);
	if (strcmp(clean, "/") == 0)
		return oerr_setx(e, EINVAL, "%s is the rootfs itself", path);
	char *slash = strrchr(clean, '/');
	_cleanup_free_ char *base = strdup(slash + 1);
	if (!base)
		return oerr_set(e, ENOMEM, "resolve %s in rootfs", path);
	slash[slash == clean ? 1 : 0] = '\0';
	_cleanup_close_ int fd = pathres_open(rootfd, clean, flags, e);
	if (fd < 0)
		return fd;
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return oerr_set(e, errno, "resolve %s in rootfs", clean);
	if (!S_ISDIR(sb.st_mode))
		return oerr_set(e, ENOTDIR, "resolve %s in rootfs", clean);
	*name = steal_ptr(base);
	return steal_fd(fd);
}

int pathres_open_missing(int rootfd, const char *path, unsigned flags, char **name, struct oerr *e)
{
	*name = NULL;
	int fd = walk(rootfd, path, flags, name, e);
	if (fd < 0)
		return fd;
	if (!*name) {
		close(fd);
		return oerr_setx(e, EEXIST, "resolve %s in rootfs: it exists", path);
	}
	return fd;
}
