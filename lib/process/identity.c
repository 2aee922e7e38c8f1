/* The user switch. Capabilities must survive it so that caps_apply can then
 * set exactly the configured ones, hence PR_SET_KEEPCAPS around setresuid. */
#include "lib/process/identity.h"
#include <errno.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef PIPEFS_MAGIC
#define PIPEFS_MAGIC 0x50495045
#endif

int user_switch(const struct spec_process *p, struct oerr *e)
{
	const struct spec_user *u = &p->user;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return oerr_set(e, errno, "prctl PR_SET_KEEPCAPS");
	if (setgroups(u->n_additional_gids, (const gid_t *)u->additional_gids) < 0) {
		/* A user namespace with setgroups denied cannot drop groups it never had
		 * beyond the mapped ones; clearing is then a no-op, not a failure. */
		if (!(errno == EPERM && u->n_additional_gids == 0))
			return oerr_set(e, errno, "setgroups");
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return oerr_set(e, errno, "setresgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return oerr_set(e, errno, "setresuid %u", u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return oerr_set(e, errno, "prctl PR_SET_KEEPCAPS");
	umask(u->has_umask ? (mode_t)u->umask : 0022);
	return 0;
}

void stdio_pipes_give(uint32_t uid)
{
	for (int fd = 0; fd <= 2; fd++) {
		struct statfs sfs;
		struct stat st;
		if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PIPEFS_MAGIC || fstat(fd, &st) < 0 || st.st_uid == uid)
			continue;
		/* Best effort, as runc: an unmapped uid (EINVAL) or an owner that
		 * is not ours (EPERM) leaves the pipe as it is. */
		if (fchown(fd, uid, (gid_t)-1) < 0) {
			/* nothing to do */
		}
	}
}
