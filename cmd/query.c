/* list. */
#include "cmd/commands.h"
#include "lib/container/container.h"
#include "base/util.h"
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* The name of uid in /etc/passwd (ocirt is static and calls no NSS), else
 * "#uid", as runc's list shows the owner. */
static void owner_name(uid_t uid, char *out, size_t len)
{
	snprintf(out, len, "#%u", (unsigned)uid);
	_cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		char *name = line, *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		char *end;
		unsigned long v = strtoul(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end != ':' || v != (unsigned long)uid)
			continue;
		size_t n = (size_t)(c1 - name);
		if (n < len) {
			memcpy(out, name, n);
			out[n] = '\0';
		}
		return;
	}
}

static json_t *list_entry(const struct container *c)
{
	char owner[256];
	owner_name(c->st.owner, owner, sizeof(owner));
	json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id", c->st.id,
			      "pid", (json_int_t)(c->status == CS_STOPPED ? 0 : c->st.pid),
			      "status", container_status_name(c->status),
			      "bundle", c->st.bundle ? c->st.bundle : "",
			      "rootfs", c->st.rootfs ? c->st.rootfs : "",
			      "created", c->st.created ? c->st.created : "", "owner", owner);
	if (o && c->st.annotations)
		json_object_set(o, "annotations", c->st.annotations);
	return o;
}

static int visible(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int cmd_list(int argc, char **argv)
{
	bool quiet = false;
	const char *format = "table";
	const struct opt opts[] = {
		{ "quiet", 'q', OPT_BOOL, &quiet, "print only the ids" },
		{ "format", 'f', OPT_STR, &format, "table or json" },
		{ 0 },
	};
	if (wants_help(argc, argv, "ocirt list [--quiet] [--format table|json]", opts))
		return 0;
	struct oerr e = { 0 };
	const char *pos[1];
	int argi = 0, npos;
	if (opts_parse("list", opts, argc, argv, &argi, pos, 0, &npos, 0, &e) < 0)
		return fail(&e);
	bool json = !strcmp(format, "json");
	if (!json && strcmp(format, "table")) {
		oerr_setx(&e, EINVAL, "list: invalid format \"%s\" (table or json)", format);
		return fail(&e);
	}
	json_t *arr = json_array();
	/* By id, as runc lists them (byte order, whatever the locale). */
	struct dirent **ents = NULL;
	int n = scandir(G.root, &ents, visible, by_name);
	if (n < 0 && errno != ENOENT) {
		oerr_set(&e, errno, "list: open %s", G.root);
		json_decref(arr);
		return fail(&e);
	}
	if (!quiet && !json)
		printf("%-12s %-10s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	for (int i = 0; i < n; i++) {
		struct container c;
		struct oerr ignored;
		if (container_open(G.root, ents[i]->d_name, false, &c, &ignored) < 0)
			continue;
		if (quiet)
			printf("%s\n", c.st.id);
		else if (json)
			json_array_append_new(arr, list_entry(&c));
		else {
			char owner[256];
			owner_name(c.st.owner, owner, sizeof(owner));
			printf("%-12s %-10d %-10s %-40s %-32s %s\n", c.st.id,
			       c.status == CS_STOPPED ? 0 : c.st.pid, container_status_name(c.status),
			       c.st.bundle ? c.st.bundle : "", c.st.created ? c.st.created : "", owner);
		}
		container_close(&c);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	if (json && !quiet) {
		char *text = json_dumps(arr, JSON_COMPACT);
		printf("%s\n", text ? text : "[]");
		free(text);
	}
	json_decref(arr);
	return 0;
}
