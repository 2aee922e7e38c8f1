/* The ocirt commands; each takes the arguments after its name. */
#pragma once
#include <stdbool.h>
#include "cmd/opts.h"

struct global_opts {
	const char *root;
	bool systemd_cgroup;
	bool debug;
	bool rootless;		/* --rootless true/false: cgroups the user cannot make are skipped */
	bool rootless_auto;	/* --rootless auto (the default): global_rootless() resolves it */
	const char *criu;	/* --criu: the criu binary for checkpoint/restore */
};

extern struct global_opts G;

/* --rootless as it applies: auto is resolved on first use (only create and
 * run need it, so the other commands skip reading /proc/self/uid_map). */
bool global_rootless(void);

/* Each returns the process exit status; errors are already logged. */
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_spec(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_restore(int argc, char **argv);

/* Shared by the commands: log e and return 1. */
int fail(const struct oerr *e);
/* The JSON in file path ("-": stdin) parsed as a config whose text is
 * prefix JSON suffix (runc's `exec --process` and `update -r` take a piece
 * of a config); errors start with what. */
struct spec;
int parse_config_piece(const char *path, const char *prefix, const char *suffix, const char *what,
		       struct spec **out, struct oerr *e);
/* create's flags and its one id into o, with run's extra flags ({0}-ended,
 * or NULL): 0, 1 after printing help, or negative with e filled. */
struct create_opts;
int create_args(const char *cmd, struct create_opts *o, const struct opt *extra, int argc, char **argv,
		struct oerr *e);
/* The flags of a command that takes exactly one container id ("ocirt CMD
 * [options] <container-id>"): 1 after printing help, 0 with *id set, or
 * negative with e filled. */
int one_id_args(const char *cmd, const struct opt *opts, int argc, char **argv, const char **id, struct oerr *e);
/* "-h"/"--help" anywhere before "--": print usage and return true. */
bool wants_help(int argc, char **argv, const char *usage, const struct opt *opts);
