/* linux.intelRdt: the container's group in the resctrl filesystem (Intel
 * RDT / AMD PQoS: cache and memory bandwidth allocation, monitoring), made
 * and checked by the rules of config-linux.md "IntelRdt". Every function
 * takes the resctrl mount point, so that the unit tests can run them
 * against a directory that stands in for it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "base/err.h"
#include "oci/spec.h"

struct rdt_group {
	char *dir;	/* the CTRL_MON group: <root>/<closID or id>, or <root> for closID "/" */
	char *mon_dir;	/* <dir>/mon_groups/<id> with enableMonitoring, else NULL */
	bool created;	/* dir was made here: delete removes it */
};

/* The mount point of a resctrl filesystem in mountinfo (normally
 * /proc/self/mountinfo: the runtime's mount namespace). -ENOENT with an
 * error naming linux.intelRdt when there is none. */
int rdt_find_root(const char *mountinfo, char *root, size_t len, struct oerr *e);

/* Make or check the group for the container `id`: closID unset, the group
 * is <id> (made here); closID set, it is made when schemata are given and
 * it does not exist, compared with them when it does, and must exist when
 * none are given. Schemata go to its schemata file in the spec's order
 * (l3CacheSchema, memBwSchema, then schemata[]), only into a group made
 * here. With enableMonitoring, a MON group mon_groups/<id> is made. On
 * failure nothing is left. */
int rdt_prepare(const struct spec_intel_rdt *rdt, const char *root, const char *id, struct rdt_group *g,
		struct oerr *e);
/* The tasks file a process of the container writes "0" to (itself): the
 * MON group's when there is one (which puts it in the CTRL_MON group too). */
int rdt_open_tasks(const char *dir, const char *mon_dir, struct oerr *e);
/* The calling thread joins the group whose tasks file is open on fd
 * ("0" is the writer itself), and the fd is closed. */
int rdt_join_self(int fd, struct oerr *e);
/* Undo rdt_prepare when the container goes: the MON group always, the group
 * when it was made here. Tasks still in them go to the parent group. */
int rdt_destroy(const char *dir, const char *mon_dir, bool created, struct oerr *e);
void rdt_group_free(struct rdt_group *g);
