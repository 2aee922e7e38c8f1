/* Unit tests for lib/rootfs/mountopts.h (TAP): config.json mount options → flags. */
#include "lib/rootfs/mountopts.h"
#include "base/util.h"
#include <stdio.h>
#include <string.h>
#include "tap.h"



#define CHECK(name, cond, ...) do {					\
	char *why_ = NULL;						\
	if (asprintf(&why_, __VA_ARGS__) < 0)				\
		why_ = NULL;						\
	report((cond), (name), why_);					\
	free(why_);							\
} while (0)

static struct mount_opts parse(char **opts)
{
	size_t n = 0;
	while (opts[n])
		n++;
	struct mount_opts m;
	struct oerr e = { 0 };
	if (mountopts_parse(opts, n, &m, &e) < 0) {
		printf("Bail out! mountopts_parse: %s\n", e.msg);
		exit(1);
	}
	return m;
}

/* One row: options in, MS flags set / cleared and data out. */
struct row {
	const char *name;
	char *opts[8];
	unsigned long flags, clear;
	const char *data;
};

static const struct row rows[] = {
	{ "empty", { NULL }, 0, 0, NULL },
	{ "ro,nosuid,nodev,noexec", { "ro", "nosuid", "nodev", "noexec", NULL },
	  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, NULL },
	{ "rw clears ro", { "ro", "rw", NULL }, 0, MS_RDONLY, NULL },
	{ "ro after rw sets it again", { "rw", "ro", NULL }, MS_RDONLY, 0, NULL },
	{ "bind", { "bind", NULL }, MS_BIND, 0, NULL },
	{ "rbind", { "rbind", NULL }, MS_BIND | MS_REC, 0, NULL },
	{ "defaults is a no-op", { "defaults", NULL }, 0, 0, NULL },
	{ "suid/dev/exec clear", { "suid", "dev", "exec", NULL }, 0, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "sync then async", { "sync", "async", NULL }, 0, MS_SYNCHRONOUS, NULL },
	{ "dirsync,mand,iversion,lazytime,silent", { "dirsync", "mand", "iversion", "lazytime", "silent", NULL },
	  MS_DIRSYNC | MS_MANDLOCK | MS_I_VERSION | MS_LAZYTIME | MS_SILENT, 0, NULL },
	{ "nomand,noiversion,nolazytime,loud", { "nomand", "noiversion", "nolazytime", "loud", NULL },
	  0, MS_MANDLOCK | MS_I_VERSION | MS_LAZYTIME | MS_SILENT, NULL },
	{ "atime enum: last one wins", { "noatime", "strictatime", NULL }, MS_STRICTATIME, 0, NULL },
	{ "relatime", { "relatime", NULL }, MS_RELATIME, 0, NULL },
	{ "atime clears noatime", { "noatime", "atime", NULL }, 0, MS_NOATIME, NULL },
	{ "norelatime, nostrictatime", { "norelatime", "nostrictatime", NULL }, 0, MS_RELATIME | MS_STRICTATIME, NULL },
	{ "nodiratime / diratime", { "nodiratime", NULL }, MS_NODIRATIME, 0, NULL },
	{ "diratime", { "diratime", NULL }, 0, MS_NODIRATIME, NULL },
	{ "nosymfollow", { "nosymfollow", NULL }, MS_NOSYMFOLLOW, 0, NULL },
	{ "symfollow", { "symfollow", NULL }, 0, MS_NOSYMFOLLOW, NULL },
	{ "remount,ro", { "remount", "ro", NULL }, MS_REMOUNT | MS_RDONLY, 0, NULL },
	{ "unknown options go to data", { "nosuid", "mode=755", "size=65536k", NULL }, MS_NOSUID, 0, "mode=755,size=65536k" },
	{ "devpts data", { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL },
	  MS_NOSUID | MS_NOEXEC, 0, "newinstance,ptmxmode=0666,mode=0620,gid=5" },
	{ "cgroup v1 controllers are data", { "cpu", "cpuacct", NULL }, 0, 0, "cpu,cpuacct" },
	{ "empty option skipped", { "", "ro", NULL }, MS_RDONLY, 0, NULL },
};

static void test_flags(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *r = &rows[i];
		struct mount_opts m = parse((char **)r->opts);
		bool data_ok = r->data ? (m.data && strcmp(m.data, r->data) == 0) : m.data == NULL;
		CHECK(r->name, m.flags == r->flags && m.clear == r->clear && data_ok && m.n_propagation == 0,
		      "flags %#lx (want %#lx) clear %#lx (want %#lx) data '%s' (want '%s')",
		      m.flags, r->flags, m.clear, r->clear, m.data ? m.data : "(null)", r->data ? r->data : "(null)");
		mountopts_free(&m);
	}
}

static void test_propagation(void)
{
	struct mount_opts m = parse((char *[]){ "rbind", "rslave", "shared", "runbindable", "private", "rprivate",
						 "slave", "rshared", "unbindable", NULL });
	unsigned long want[] = { MS_SLAVE | MS_REC, MS_SHARED, MS_UNBINDABLE | MS_REC, MS_PRIVATE,
				 MS_PRIVATE | MS_REC, MS_SLAVE, MS_SHARED | MS_REC, MS_UNBINDABLE };
	bool ok = m.n_propagation == ARRAY_SIZE(want) && m.flags == (MS_BIND | MS_REC) && !m.data;
	for (size_t i = 0; ok && i < ARRAY_SIZE(want); i++)
		ok = m.propagation[i] == want[i];
	CHECK("propagation options kept in order, apart from the flags", ok, "n=%zu flags=%#lx", m.n_propagation, m.flags);
	mountopts_free(&m);

	unsigned long f = 0;
	CHECK("mountopts_propagation rslave", mountopts_propagation("rslave", &f) == 0 && f == (MS_SLAVE | MS_REC), "f=%#lx", f);
	CHECK("mountopts_propagation shared", mountopts_propagation("shared", &f) == 0 && f == MS_SHARED, "f=%#lx", f);
	CHECK("mountopts_propagation unbindable", mountopts_propagation("unbindable", &f) == 0 && f == MS_UNBINDABLE, "f=%#lx", f);
	CHECK("mountopts_propagation rejects ro", mountopts_propagation("ro", &f) == -EINVAL, "accepted");
	CHECK("mountopts_propagation rejects junk", mountopts_propagation("sharedx", &f) == -EINVAL, "accepted");
	CHECK("mountopts_propagation rejects NULL", mountopts_propagation(NULL, &f) == -EINVAL, "accepted");
}

static void test_recursive(void)
{
	struct mount_opts m = parse((char *[]){ "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow", "rnodiratime", NULL });
	uint64_t want = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
			MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NODIRATIME;
	CHECK("r-options set recursive attributes, not flags", m.rec_set == want && m.rec_clr == 0 && m.flags == 0 && !m.data,
	      "set %#llx clr %#llx flags %#lx", (unsigned long long)m.rec_set, (unsigned long long)m.rec_clr, m.flags);
	mountopts_free(&m);

	m = parse((char *[]){ "rro", "rrw", "rsuid", "rdev", "rexec", "rsymfollow", "rdiratime", NULL });
	CHECK("clearing r-options", m.rec_set == 0 && m.rec_clr == (want),
	      "set %#llx clr %#llx", (unsigned long long)m.rec_set, (unsigned long long)m.rec_clr);
	mountopts_free(&m);

	m = parse((char *[]){ "rnoatime", NULL });
	CHECK("rnoatime sets NOATIME and clears the whole atime field",
	      m.rec_set == MOUNT_ATTR_NOATIME && m.rec_clr == MOUNT_ATTR__ATIME,
	      "set %#llx clr %#llx", (unsigned long long)m.rec_set, (unsigned long long)m.rec_clr);
	mountopts_free(&m);

	m = parse((char *[]){ "rnoatime", "rstrictatime", NULL });
	CHECK("last recursive atime wins", m.rec_set == MOUNT_ATTR_STRICTATIME && m.rec_clr == MOUNT_ATTR__ATIME,
	      "set %#llx clr %#llx", (unsigned long long)m.rec_set, (unsigned long long)m.rec_clr);
	mountopts_free(&m);

	m = parse((char *[]){ "rnoatime", "ratime", NULL });
	CHECK("ratime goes back to relatime", m.rec_set == MOUNT_ATTR_RELATIME && m.rec_clr == MOUNT_ATTR__ATIME,
	      "set %#llx clr %#llx", (unsigned long long)m.rec_set, (unsigned long long)m.rec_clr);
	mountopts_free(&m);

	m = parse((char *[]){ "rrelatime", NULL });
	CHECK("rrelatime", m.rec_set == MOUNT_ATTR_RELATIME && m.rec_clr == MOUNT_ATTR__ATIME,
	      "set %#llx clr %#llx", (unsigned long long)m.rec_set, (unsigned long long)m.rec_clr);
	mountopts_free(&m);
}

static void test_extensions(void)
{
	struct mount_opts m = parse((char *[]){ "tmpcopyup", "mode=1777", NULL });
	CHECK("tmpcopyup", m.tmpcopyup && !m.idmap && !m.ridmap && m.data && strcmp(m.data, "mode=1777") == 0, "data %s", m.data);
	mountopts_free(&m);
	m = parse((char *[]){ "bind", "idmap", NULL });
	CHECK("idmap is no data", m.idmap && !m.ridmap && !m.data && m.flags == MS_BIND, "data %s", m.data);
	mountopts_free(&m);
	m = parse((char *[]){ "rbind", "ridmap", NULL });
	CHECK("ridmap", m.ridmap && !m.idmap && !m.data, "data %s", m.data);
	mountopts_free(&m);
}

static void test_ms_to_attr(void)
{
	uint64_t s, c;
	mountopts_ms_to_attr(MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID, MS_NODEV, &s, &c);
	CHECK("ms_to_attr ro,nosuid,dev", s == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID) && c == MOUNT_ATTR_NODEV,
	      "set %#llx clr %#llx", (unsigned long long)s, (unsigned long long)c);
	mountopts_ms_to_attr(MS_BIND, 0, &s, &c);
	CHECK("ms_to_attr plain bind changes nothing", s == 0 && c == 0,
	      "set %#llx clr %#llx", (unsigned long long)s, (unsigned long long)c);
	mountopts_ms_to_attr(MS_NOATIME | MS_NODIRATIME | MS_NOSYMFOLLOW | MS_NOEXEC, 0, &s, &c);
	CHECK("ms_to_attr noatime,nodiratime,nosymfollow,noexec",
	      s == (MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NOEXEC) &&
	      c == MOUNT_ATTR__ATIME, "set %#llx clr %#llx", (unsigned long long)s, (unsigned long long)c);
	mountopts_ms_to_attr(MS_STRICTATIME, MS_RDONLY | MS_NOSUID | MS_NOEXEC, &s, &c);
	CHECK("ms_to_attr strictatime,rw,suid,exec",
	      s == MOUNT_ATTR_STRICTATIME &&
	      c == (MOUNT_ATTR__ATIME | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC),
	      "set %#llx clr %#llx", (unsigned long long)s, (unsigned long long)c);
	mountopts_ms_to_attr(MS_RELATIME, 0, &s, &c);
	CHECK("ms_to_attr relatime", s == MOUNT_ATTR_RELATIME && c == MOUNT_ATTR__ATIME,
	      "set %#llx clr %#llx", (unsigned long long)s, (unsigned long long)c);
	mountopts_ms_to_attr(0, MS_NOATIME, &s, &c);
	CHECK("ms_to_attr atime (clear noatime)", s == 0 && c == MOUNT_ATTR__ATIME,
	      "set %#llx clr %#llx", (unsigned long long)s, (unsigned long long)c);
}

int main(void)
{
	test_flags();
	test_propagation();
	test_recursive();
	test_extensions();
	test_ms_to_attr();
	return tap_done();
}
