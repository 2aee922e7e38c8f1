/* Command-line flags the way runc (urfave/cli) takes them: --name, -name,
 * --name=value, --name value, single-letter aliases, and "--" to end flags. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "base/err.h"

enum opt_kind { OPT_BOOL, OPT_STR, OPT_INT, OPT_STRLIST };

struct opt {
	const char *name;	/* long name without dashes */
	char alias;		/* single-letter alias or 0 */
	enum opt_kind kind;
	void *dest;		/* bool*, const char**, int*, struct strlist* */
	const char *help;
};

struct strlist {
	const char **v;
	size_t n;
};

/* Parses flags from argv[*argi] on. Positionals are collected into pos (up to
 * max_pos); when stop_after > 0, everything after that many positionals is
 * left for the caller (exec's command line) and *argi points at it. */
int opts_parse(const char *cmd, const struct opt *opts, int argc, char **argv, int *argi,
	       const char **pos, int max_pos, int *npos, int stop_after, struct oerr *e);
void opts_help(const char *usage, const struct opt *opts);
