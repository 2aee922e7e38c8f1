/* Helper programs that ship beside ocirt: ocirt-netdev (and others), each
 * linked dynamically against a library that the static ocirt does without,
 * and run only when a config needs it. */
#pragma once
#include <stddef.h>
#include "base/err.h"

/* Where NAME is: beside ocirt's own binary (the directory of
 * /proc/self/exe: the build tree, or an installed pair), else in the
 * libexec directory of the build (OCIRT_LIBEXECDIR, where `meson install`
 * puts it). Fills path; returns 0, or -ENOENT with e saying where it looked. */
int helper_find(const char *name, char *path, size_t len, struct oerr *e);

/* Run NAME (helper_find) with args (NULL-terminated, without argv[0]); the
 * fds in pass[] stay open in it at their numbers. Its stdout goes to *out
 * (malloc'd, NUL-terminated; out may be NULL). Returns 0, or a negative
 * errno: when it exits with a status other than 0 (or is killed), -EIO with
 * its stderr (the helper's own message) in e. */
int helper_run(const char *name, const char *const *args, const int *pass, size_t n_pass, char **out,
	       struct oerr *e);
