#include "cmd/opts.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct opt *find_opt(const struct opt *opts, const char *name, size_t len)
{
	for (const struct opt *o = opts; o->name; o++) {
		if (len == 1 && o->alias == name[0])
			return o;
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	}
	return NULL;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static int set_value(const char *cmd, const struct opt *o, const char *v, struct oerr *e)
{
	switch (o->kind) {
	case OPT_STR:
		*(const char **)o->dest = v;
		return 0;
	case OPT_INT: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || *end || end == v || n < INT_MIN || n > INT_MAX)
			return oerr_setx(e, EINVAL, "%s: invalid value \"%s\" for flag --%s", cmd, v, o->name);
		*(int *)o->dest = (int)n;
		return 0;
	}
	case OPT_STRLIST: {
		struct strlist *l = o->dest;
		const char **nv = realloc(l->v, (l->n + 2) * sizeof(*nv));
		if (!nv)
			return oerr_setx(e, ENOMEM, "%s: flags", cmd);
		nv[l->n++] = v;
		nv[l->n] = NULL;
		l->v = nv;
		return 0;
	}
	case OPT_BOOL:
		if (parse_bool(v, o->dest) < 0)
			return oerr_setx(e, EINVAL, "%s: invalid boolean \"%s\" for flag --%s", cmd, v, o->name);
		return 0;
	}
	return 0;
}

int opts_parse(const char *cmd, const struct opt *opts, int argc, char **argv, int *argi,
	       const char **pos, int max_pos, int *npos, int stop_after, struct oerr *e)
{
	int i = *argi;
	*npos = 0;
	bool flags_done = false;
	while (i < argc) {
		const char *a = argv[i];
		if (stop_after > 0 && *npos >= stop_after)
			break;
		if (!flags_done && !strcmp(a, "--")) {
			flags_done = true;
			i++;
			continue;
		}
		if (flags_done || a[0] != '-' || a[1] == '\0') {
			if (*npos >= max_pos)
				return oerr_setx(e, EINVAL, "%s: unexpected argument \"%s\"", cmd, a);
			pos[(*npos)++] = a;
			i++;
			continue;
		}
		const char *name = a + 1 + (a[1] == '-');
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt *o = find_opt(opts, name, len);
		if (!o)
			return oerr_setx(e, EINVAL, "%s: flag provided but not defined: %s", cmd, a);
		i++;
		if (o->kind == OPT_BOOL) {
			int r = eq ? set_value(cmd, o, eq + 1, e) : (*(bool *)o->dest = true, 0);
			if (r < 0)
				return r;
			continue;
		}
		const char *v = eq ? eq + 1 : NULL;
		if (!v) {
			if (i >= argc)
				return oerr_setx(e, EINVAL, "%s: flag needs an argument: --%s", cmd, o->name);
			v = argv[i++];
		}
		int r = set_value(cmd, o, v, e);
		if (r < 0)
			return r;
	}
	*argi = i;
	return 0;
}

void opts_help(const char *usage, const struct opt *opts)
{
	printf("Usage: %s\n", usage);
	if (!opts || !opts->name)
		return;
	printf("\nOptions:\n");
	for (const struct opt *o = opts; o->name; o++) {
		char left[64];
		if (o->alias)
			snprintf(left, sizeof(left), "-%c, --%s%s", o->alias, o->name,
				 o->kind == OPT_BOOL ? "" : " value");
		else
			snprintf(left, sizeof(left), "    --%s%s", o->name, o->kind == OPT_BOOL ? "" : " value");
		printf("  %-34s %s\n", left, o->help ? o->help : "");
	}
}
