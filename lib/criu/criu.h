/* Checkpoint and restore of a container's processes with CRIU, through
 * libcriu (which runs `criu swrk` and talks to it over RPC). The criu binary
 * is found at run time: --criu, else $CRIU, else `criu` in PATH, else the
 * one of the CRIU build ocirt was linked against.
 *
 * Everything the container has that CRIU cannot see by itself is described
 * to it: the rootfs (its --root; on restore a bind mount of it), mounts whose
 * source lies outside the container (bind mounts of the config, masked files
 * bound from /dev/null, device nodes and cgroups bound from the host, found
 * in the init's mountinfo and recorded in the image dir's ocirt.json so that
 * restore can map each to its source again), the files of the init's stdio
 * that live outside it (pipes and files of an engine: descriptors.json; on
 * restore they become the restoring process's own stdio), namespaces joined
 * by path, the cgroups (their paths in each hierarchy, and the freezer CRIU
 * stops the processes with), and the terminal, whose master lives outside
 * (a new pty pair on restore, its master sent to --console-socket). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "base/err.h"
#include "oci/spec.h"

enum cr_cg_mode { CR_CG_SOFT, CR_CG_FULL, CR_CG_STRICT, CR_CG_IGNORE };

struct cr_opts {
	const char *criu;		/* the global --criu, or NULL */
	const char *image_path;		/* required */
	const char *work_path;		/* logs and work files; NULL: the image dir */
	const char *parent_path;	/* checkpoint: the previous images, relative to image_path */
	const char *page_server;	/* checkpoint: ADDRESS:PORT of a page server (criu page-server),
					 * or with lazy_pages where this dump serves the pages */
	int status_fd;			/* checkpoint --lazy-pages: a '\0' is written here when pages can be
					 * fetched; -1: none */
	enum cr_cg_mode cg_mode;
	unsigned empty_ns;		/* CLONE_NEW* created empty rather than restored (always CLONE_NEWNET) */
	bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks, pre_dump, auto_dedup,
	     lazy_pages;
};

/* The version of the linked libcriu ("4.2"), or NULL in a build without it. */
const char *cr_libcriu_version(void);
/* 0, or -ENOTSUP in a build without libcriu: "<what>: checkpoint/restore is
 * not available: ...". */
int cr_available(const char *what, struct oerr *e);

/* --manage-cgroups-mode soft|full|strict|ignore ("" or NULL: soft). */
int cr_parse_cg_mode(const char *s, enum cr_cg_mode *out, struct oerr *e);
/* One --empty-ns value: only "network" (as runc) */
int cr_parse_empty_ns(const char *s, unsigned *mask, struct oerr *e);

struct cr_dump {
	pid_t pid;			/* the container's init */
	const char *rootfs;		/* absolute host path */
	const char *cg_path;		/* kept cgroup path (lib/cgroup), or NULL */
	const struct spec *spec;	/* the config it was created with */
	bool paused;			/* frozen now: restore freezes it again */
};

/* Dump (or with pre_dump, pre-dump) the process tree of d->pid into the image
 * dir (made when missing). Without leave_running or pre_dump the processes
 * are gone afterwards; on failure they run on as before. */
int cr_checkpoint(const struct cr_dump *d, const struct cr_opts *o, struct oerr *e);

struct cr_restore {
	const struct spec *spec;	/* the config of the restored container */
	const char *bundle;		/* absolute */
	const char *rootfs;		/* absolute */
	const char *cg_path;		/* its cgroup, made and configured already; NULL: none */
	const char *root_dir;		/* a path for CRIU's root (a bind mount of rootfs, removed again) */
	const char *console_socket;	/* the restored terminal's master is sent here... */
	int *console_master;		/* ... or kept here (foreground restore); else it is closed */
	/* Called once the namespaces exist and before any process runs (prestart and
	 * createRuntime hooks); pid is the init's. A failure fails the restore. */
	int (*setup_namespaces)(pid_t pid, void *arg, struct oerr *e);
	void *arg;
};

/* Restore the processes of the image dir into r's container (frozen again
 * before they resume if it was paused at the checkpoint). On success *pid is
 * the init, a child of the caller. On failure nothing of it is left but the
 * cgroup, which may be frozen. */
int cr_restore(const struct cr_restore *r, const struct cr_opts *o, pid_t *pid, struct oerr *e);
