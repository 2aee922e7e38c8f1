#include "lib/container/statedir.h"
#include "base/util.h"
#include "oci/spec.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

static int open_root(const char *root, bool create, struct oerr *e)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : oerr_set(e, errno, "open state root %s", root);
	int r = mkdir_p(root, 0700);
	if (r < 0)
		return oerr_set(e, -r, "create state root %s", root);
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "open state root %s", root);
	return fd;
}

static int lock_dir(int fd, bool exclusive, const char *id, struct oerr *e)
{
	if (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		return oerr_set(e, errno, "lock state of container \"%s\"", id);
	return 0;
}

int statedir_create(const char *root, const char *id, int *dirfd, struct oerr *e)
{
	_cleanup_close_ int rootfd = open_root(root, true, e);
	if (rootfd < 0)
		return rootfd;
	if (mkdirat(rootfd, id, 0711) < 0) {
		if (errno == EEXIST)
			return oerr_setx(e, EEXIST, "container \"%s\" already exists", id);
		return oerr_set(e, errno, "create state dir %s/%s", root, id);
	}
	_cleanup_close_ int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return oerr_set(e, errno, "open state dir %s/%s", root, id);
	int r = lock_dir(fd, true, id, e);
	if (r < 0)
		return r;
	*dirfd = steal_fd(fd);
	return 0;
}

int statedir_open(const char *root, const char *id, bool exclusive, int *dirfd, struct oerr *e)
{
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 && errno == ENOENT)
		return oerr_setx(e, ENOENT, "container \"%s\" does not exist", id);
	if (rootfd < 0)
		return oerr_set(e, errno, "open state root %s", root);
	_cleanup_close_ int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return oerr_setx(e, ENOENT, "container \"%s\" does not exist", id);
	if (fd < 0)
		return oerr_set(e, errno, "open state dir %s/%s", root, id);
	int r = lock_dir(fd, exclusive, id, e);
	if (r < 0)
		return r;
	*dirfd = steal_fd(fd);
	return 0;
}

/* A directory of the state dir, with the files in it. */
static int remove_subdir(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(fd, de->d_name, 0);
	closedir(d);
	return unlinkat(dirfd, name, AT_REMOVEDIR);
}

int statedir_remove(const char *root, const char *id, struct oerr *e)
{
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return oerr_set(e, errno, "open state root %s", root);
	int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return oerr_set(e, errno, "open state dir %s/%s", root, id);
	}
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return oerr_set(e, errno, "read state dir %s/%s", root, id);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* One level of directories: notify/ (lib/container/notify.h). */
		if (de->d_type == DT_DIR && remove_subdir(fd, de->d_name) < 0 && errno != ENOENT)
			return oerr_set(e, errno, "remove %s/%s/%s", root, id, de->d_name);
		if (de->d_type != DT_DIR && unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
			return oerr_set(e, errno, "remove %s/%s/%s", root, id, de->d_name);
	}
	if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return oerr_set(e, errno, "remove state dir %s/%s", root, id);
	return 0;
}

int atomic_write_at(int dirfd, const char *name, const void *data, size_t len, bool durable, struct oerr *e)
{
	char tmp[256];
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	_cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return oerr_set(e, errno, "create %s", tmp);
	int r = write_all(fd, data, len);
	if (r == 0 && durable && fsync(fd) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return oerr_set(e, -r, "write %s", tmp);
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		r = errno;
		unlinkat(dirfd, tmp, 0);
		return oerr_set(e, r, "rename %s to %s", tmp, name);
	}
	return 0;
}

int state_write(int dirfd, const struct container_state *st, struct oerr *e)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:I}",
			      "id", st->id, "pid", (json_int_t)st->pid,
			      "start_time", (json_int_t)st->start_time,
			      "bundle", st->bundle, "rootfs", st->rootfs,
			      "created", st->created, "owner", (json_int_t)st->owner);
	if (!o)
		return oerr_setx(e, ENOMEM, "encode state.json");
	if (st->cgroup_path)
		json_object_set_new(o, "cgroup_path", json_string(st->cgroup_path));
	if (st->rdt_dir)
		json_object_set_new(o, "intel_rdt_dir", json_string(st->rdt_dir));
	if (st->rdt_mon_dir)
		json_object_set_new(o, "intel_rdt_mon_dir", json_string(st->rdt_mon_dir));
	if (st->rdt_created)
		json_object_set_new(o, "intel_rdt_created", json_true());
	if (st->annotations)
		json_object_set(o, "annotations", st->annotations);
	if (st->hooks)
		json_object_set_new(o, "hooks", json_integer(st->hooks));
	if (st->no_process)
		json_object_set_new(o, "no_process", json_true());
	if (st->creating)
		json_object_set_new(o, "creating", json_true());
	_cleanup_free_ char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		return oerr_setx(e, ENOMEM, "encode state.json");
	return atomic_write_at(dirfd, "state.json", text, strlen(text), true, e);
}

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? strdup(s) : NULL;
}

int state_read(int dirfd, struct container_state *st, struct oerr *e)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = spec_read_json_file(dirfd, "state.json", &text, &len, e);
	if (r == -EINVAL || r == -EFBIG) {
		/* Not a regular file, or too large: no state this runtime wrote. */
		e->code = EBADMSG;
		return -EBADMSG;
	}
	if (r < 0)
		return r;
	json_error_t jerr;
	json_t *o = json_loadb(text, len, 0, &jerr);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return oerr_setx(e, EBADMSG, "state.json is corrupt (%s)", o ? "not an object" : jerr.text);
	}
	memset(st, 0, sizeof(*st));
	st->id = dup_str(o, "id");
	st->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	st->start_time = (unsigned long long)json_integer_value(json_object_get(o, "start_time"));
	st->bundle = dup_str(o, "bundle");
	st->rootfs = dup_str(o, "rootfs");
	st->created = dup_str(o, "created");
	st->owner = (uid_t)json_integer_value(json_object_get(o, "owner"));
	st->cgroup_path = dup_str(o, "cgroup_path");
	st->rdt_dir = dup_str(o, "intel_rdt_dir");
	st->rdt_mon_dir = dup_str(o, "intel_rdt_mon_dir");
	st->rdt_created = json_is_true(json_object_get(o, "intel_rdt_created"));
	st->hooks = (unsigned)json_integer_value(json_object_get(o, "hooks"));
	st->no_process = json_is_true(json_object_get(o, "no_process"));
	st->creating = json_is_true(json_object_get(o, "creating"));
	json_t *ann = json_object_get(o, "annotations");
	if (json_is_object(ann))
		st->annotations = json_incref(ann);
	json_decref(o);
	if (!st->id || !st->bundle || !st->created || st->pid < 0 || (st->pid == 0 && !st->creating)) {
		state_clear(st);
		return oerr_setx(e, EBADMSG, "state.json is corrupt (fields missing)");
	}
	return 0;
}

int state_record_init(int dirfd, pid_t pid, unsigned long long start_time, struct oerr *e)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%d %llu\n", pid, start_time);
	return atomic_write_at(dirfd, "init", buf, (size_t)n, false, e);
}

int state_record_cgroup(int dirfd, const char *cg_path, struct oerr *e)
{
	return atomic_write_at(dirfd, "cgroup", cg_path, strlen(cg_path), false, e);
}

/* A record: a regular file of a few bytes; NULL when absent or not that. */
static char *read_record(int dirfd, const char *name)
{
	char *text = NULL;
	struct oerr ignored;
	if (read_regular_file_at(dirfd, name, 4096, "4 KiB", &text, NULL, &ignored) < 0)
		return NULL;
	return text;
}

void state_read_records(int dirfd, struct container_state *st)
{
	if (st->pid <= 0 || !st->start_time) {
		_cleanup_free_ char *text = read_record(dirfd, "init");
		int pid, end = 0;
		unsigned long long start;
		if (text && sscanf(text, "%d %llu%n", &pid, &start, &end) == 2 && pid > 0 && start &&
		    (text[end] == '\n' || text[end] == '\0')) {
			st->pid = pid;
			st->start_time = start;
		}
	}
	if (!st->cgroup_path) {
		char *text = read_record(dirfd, "cgroup");
		if (text && (!*text || strchr(text, '\n'))) {
			free(text);
			text = NULL;
		}
		st->cgroup_path = text;
	}
}

bool state_init_alive(const struct container_state *st)
{
	return st->pid > 0 && st->start_time && proc_start_time(st->pid) == st->start_time;
}

void state_clear(struct container_state *st)
{
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup_path);
	free(st->rdt_dir);
	free(st->rdt_mon_dir);
	json_decref(st->annotations);
	memset(st, 0, sizeof(*st));
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields restart after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0;
	/* p is field 3 (state); start time is field 22. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
	return strtoull(p, NULL, 10);
}

/* The civil date of a day count since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;	/* days from 0000-03-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;					/* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;	/* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		/* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;				/* [0, 11], from March */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void time_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	time_rfc3339_at(&ts, buf, len);
}

void time_rfc3339_at(const struct timespec *t, char *buf, size_t len)
{
	struct timespec ts = *t;
	/* By hand: glibc's gmtime_r (and strftime) read /etc/localtime on first
	 * use, which a UTC time does not need. */
	int64_t secs = ts.tv_sec, days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
		 (int)(rem % 60), ts.tv_nsec);
}

int statedir_write_host_mounts(int dirfd, uint64_t mnt_id, const char *rootfs, struct oerr *e)
{
	_cleanup_free_ char *text = NULL;
	int n = asprintf(&text, "%llu %s\n", (unsigned long long)mnt_id, rootfs);
	if (n < 0) {
		text = NULL;
		return oerr_set(e, ENOMEM, "write host-mounts");
	}
	return atomic_write_at(dirfd, "host-mounts", text, (size_t)n, false, e);
}

int statedir_read_host_mounts(int dirfd, uint64_t *mnt_id, char **rootfs, struct oerr *e)
{
	struct stat sb;
	if (fstatat(dirfd, "host-mounts", &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return -ENOENT;
	_cleanup_free_ char *text = NULL;
	int r = read_file_at(dirfd, "host-mounts", &text, NULL, e);
	if (r < 0)
		return r;
	char *end = NULL;
	errno = 0;
	unsigned long long id = strtoull(text, &end, 10);
	size_t l = end ? strlen(end) : 0;
	if (errno || end == text || *end != ' ' || end[1] != '/' || l < 3 || end[l - 1] != '\n')
		return oerr_setx(e, EINVAL, "the state's host-mounts file is malformed");
	end[l - 1] = '\0';
	if (!(*rootfs = strdup(end + 1)))
		return oerr_set(e, ENOMEM, "read host-mounts");
	*mnt_id = id;
	return 0;
}
