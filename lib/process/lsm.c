#include "lib/process/lsm.h"
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "base/util.h"
#include "lib/rootfs/procfs.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

bool lsm_apparmor_enabled(void)
{
	/* runc's test: the kernel has it on, and its securityfs directory is there */
	struct stat sb;
	if (stat("/sys/kernel/security/apparmor", &sb) < 0 || !S_ISDIR(sb.st_mode))
		return false;
	char c = 0;
	int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool y = read(fd, &c, 1) == 1 && c == 'Y';
	close(fd);
	return y;
}

bool lsm_selinux_enabled(void)
{
	struct statfs sf;
	return statfs("/sys/fs/selinux", &sf) == 0 && (unsigned long)sf.f_type == (unsigned long)SELINUX_MAGIC;
}

static bool set(const char *v)
{
	return v && *v;
}

void lsm_warn_unapplied(const struct spec *s, const struct spec_process *p)
{
	if (p && set(p->apparmor_profile) && !lsm_apparmor_enabled())
		fprintf(stderr, "ocirt: warning: process.apparmorProfile \"%s\" is not applied: AppArmor is not enabled on this host\n",
			p->apparmor_profile);
	if (p && set(p->selinux_label) && !lsm_selinux_enabled())
		fprintf(stderr, "ocirt: warning: process.selinuxLabel \"%s\" is not applied: SELinux is not enabled on this host\n",
			p->selinux_label);
	if (s && s->linux_ && set(s->linux_->mount_label))
		fprintf(stderr, "ocirt: warning: linux.mountLabel \"%s\" is not applied: %s\n", s->linux_->mount_label,
			lsm_selinux_enabled() ? "ocirt does not label mounts" : "SELinux is not enabled on this host");
}

static int write_attr(const char *path, const char *what, const char *val, struct oerr *e)
{
	_cleanup_close_ int fd = procfs_open_checked(path, O_WRONLY, e);
	if (fd < 0)
		return fd;
	int r = write_all(fd, val, strlen(val));
	if (r < 0)
		return oerr_set(e, -r, "%s: write /proc/%s", what, path);
	return 0;
}

int lsm_set_exec_labels(const struct spec_process *p, struct oerr *e)
{
	int r;
	if (set(p->apparmor_profile) && lsm_apparmor_enabled()) {
		_cleanup_free_ char *v = NULL;
		if (asprintf(&v, "exec %s", p->apparmor_profile) < 0) {
			v = NULL;
			return oerr_set(e, ENOMEM, "process.apparmorProfile");
		}
		struct oerr e2 = { 0 };
		r = write_attr("thread-self/attr/apparmor/exec", "process.apparmorProfile", v, &e2);
		if (r == -ENOENT)	/* kernels before LSM stacking */
			r = write_attr("thread-self/attr/exec", "process.apparmorProfile", v, e);
		else if (r < 0)
			*e = e2;
		if (r < 0)
			return r;
	}
	if (set(p->selinux_label) && lsm_selinux_enabled() &&
	    (r = write_attr("thread-self/attr/exec", "process.selinuxLabel", p->selinux_label, e)) < 0)
		return r;
	return 0;
}
