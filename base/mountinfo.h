/* /proc/<pid>/mountinfo (proc(5)), one entry per mount, fields unescaped. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "base/err.h"

struct mountinfo {
	int id, parent;
	unsigned major, minor;	/* st_dev of the filesystem */
	char *root;		/* the directory of the filesystem that is mounted ("/" for all of it) */
	char *mountpoint;	/* as the reading process's root sees it */
	char *opts;		/* per-mount options */
	char *fstype;
	char *source;
	char *super_opts;	/* superblock options */
};

/* Parse a mountinfo text; lines that do not have the fields are skipped.
 * 0, or -ENOMEM. *out is malloc'd (free with mountinfo_free). */
int mountinfo_parse(const char *text, struct mountinfo **out, size_t *n);
/* The entries back in mountinfo's syntax, one line each, with its escapes
 * (mountinfo_parse reads them back as they were). 0, or -ENOMEM. */
int mountinfo_format(const struct mountinfo *m, size_t n, char **out);
/* /proc/<pid>/mountinfo (pid 0: self), e filled on failure. */
int mountinfo_read(pid_t pid, struct mountinfo **out, size_t *n, struct oerr *e);
void mountinfo_free(struct mountinfo *m, size_t n);
/* The strings of one entry (for callers that keep some entries of an array). */
void mountinfo_free_entry(struct mountinfo *m);
/* m[i] is covered by a later mount at its path or above it: mountinfo keeps
 * listing a mount that another was mounted over (a cgroup2 /sys/fs/cgroup
 * under a tmpfs of v1 hierarchies). The last mount on a path wins. */
bool mountinfo_covered(const struct mountinfo *m, size_t n, size_t i);
/* The entry mounted at mountpoint (the last, topmost one), or NULL. */
const struct mountinfo *mountinfo_find(const struct mountinfo *m, size_t n, const char *mountpoint);
