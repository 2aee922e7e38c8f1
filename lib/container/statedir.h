/* The runtime state directory: <root>/<id>/ holding state.json (our record of
 * the container), config.json (the config as it was at create) and exec.fifo
 * (present while the container is created but not started).
 *
 * Crash safety: create writes state.json first with "creating": true, then
 * records each thing it makes as soon as it exists, each in a small file of
 * its own, so that a create killed at any point, or a state.json that is
 * lost or garbled, still leaves delete --force what it must remove:
 *   cgroup  the kept cgroup path, written before the cgroup is made
 *   init    "<pid> <start time>" of the init (or of the first cloned
 *           process until the init's pid is known)
 *   host-mounts  without a mount namespace of its own, what to unmount
 *           (statedir_write_host_mounts)
 * The final state.json repeats the first two. Every file is written atomically
 * (temp file, rename), state.json durably (fsync'd before the rename).
 *
 * cgroup.mounts (STATE_CGROUP_MOUNTS), a cache and not a record: the host's
 * cgroup mounts as create found them (cgroup_mounts_dump), which later
 * commands adopt instead of reading /proc/self/mountinfo. */
#pragma once
#include <time.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include "base/err.h"

struct container_state {
	char *id;
	pid_t pid;			/* init, in the runtime's pid namespace */
	unsigned long long start_time;	/* /proc/<pid>/stat field 22, guards against pid reuse */
	char *bundle;			/* absolute */
	char *rootfs;			/* absolute */
	char *created;			/* RFC 3339 with nanoseconds, UTC */
	uid_t owner;
	char *cgroup_path;		/* NULL when the container has no cgroup of ours */
	char *rdt_dir, *rdt_mon_dir;	/* linux.intelRdt: its resctrl group and MON group, or NULL */
	bool rdt_created;		/* the group was made for it: delete removes it */
	json_t *annotations;		/* object, may be NULL */
	unsigned hooks;			/* 1 << enum hook_phase for each phase the config has */
	bool no_process;		/* the config has no process: start must refuse */
	bool creating;			/* written by a create that has not finished (yet) */
};

#define STATEDIR_DEFAULT_ROOT "/run/ocirt"
#define STATE_CGROUP_MOUNTS "cgroup.mounts"

/* mkdir <root>/<id> (root made 0700 when missing) and return its fd, locked exclusively. */
int statedir_create(const char *root, const char *id, int *dirfd, struct oerr *e);
/* Open an existing <root>/<id>, locked shared or exclusive. -ENOENT: "container \"id\" does not exist". */
int statedir_open(const char *root, const char *id, bool exclusive, int *dirfd, struct oerr *e);
/* Remove everything in <root>/<id> and the directory itself. */
int statedir_remove(const char *root, const char *id, struct oerr *e);

/* A container without a mount namespace of its own (its mounts are made in the
 * runtime's): the id of the mount that held its rootfs before create, and the
 * rootfs path, in <dir>/host-mounts, written before the init is cloned so that
 * even a create cut short leaves delete what to unmount. read: -ENOENT when none. */
int statedir_write_host_mounts(int dirfd, uint64_t mnt_id, const char *rootfs, struct oerr *e);
int statedir_read_host_mounts(int dirfd, uint64_t *mnt_id, char **rootfs, struct oerr *e);

int state_write(int dirfd, const struct container_state *st, struct oerr *e);
/* -ENOENT when state.json is absent (the runtime died mid-create), -EBADMSG
 * when it is not a state this runtime wrote (truncated, garbled). */
int state_read(int dirfd, struct container_state *st, struct oerr *e);
void state_clear(struct container_state *st);
/* The process pid with its start time, as the "init" record holds it. */
int state_record_init(int dirfd, pid_t pid, unsigned long long start_time, struct oerr *e);
int state_record_cgroup(int dirfd, const char *cg_path, struct oerr *e);
/* Fill what st lacks (pid and start time, cgroup path) from the records
 * that are there and readable. */
void state_read_records(int dirfd, struct container_state *st);
/* The init st names is alive: its pid with the recorded start time. */
bool state_init_alive(const struct container_state *st);

/* Start time of pid, 0 when the process is gone or a zombie. */
unsigned long long proc_start_time(pid_t pid);
/* RFC 3339 UTC timestamp with nanoseconds into buf (>= 40 bytes). */
void time_rfc3339(char *buf, size_t len);
/* Write a file atomically relative to dirfd: a temp file renamed over name,
 * so a reader sees the old contents or the new, never part of them. durable:
 * fsync'd before the rename, so that a host crash cannot leave it half
 * written either (state.json; the records describe processes and cgroups
 * that do not outlive a host crash, and skip the cost). */
int atomic_write_at(int dirfd, const char *name, const void *data, size_t len, bool durable, struct oerr *e);
/* The same for a given time (UTC, nanoseconds, "Z"). */
void time_rfc3339_at(const struct timespec *ts, char *buf, size_t len);
