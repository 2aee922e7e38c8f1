/* The runtime state directory: <root>/<id>/ holding state.json (our record of
 * the container), config.json (the config as it was at create) and exec.fifo
 * (present while the container is created but not started). */
#pragma once
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
};

#define STATEDIR_DEFAULT_ROOT "/run/ocirt"

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
/* -ENOENT when state.json is absent (the runtime died mid-create). */
int state_read(int dirfd, struct container_state *st, struct oerr *e);
void state_clear(struct container_state *st);

/* Start time of pid, 0 when the process is gone or a zombie. */
unsigned long long proc_start_time(pid_t pid);
/* RFC 3339 UTC timestamp with nanoseconds into buf (>= 40 bytes). */
void time_rfc3339(char *buf, size_t len);
/* Write a file atomically (tmp + rename) relative to dirfd. */
int atomic_write_at(int dirfd, const char *name, const void *data, size_t len, struct oerr *e);
