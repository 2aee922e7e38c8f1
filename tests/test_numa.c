/* Unit tests (TAP) for base/idset.h (the kernel's list format) and the host
 * side of linux.memoryPolicy (lib/process/mempolicy.h), against a directory
 * that stands in for /sys/devices/system/node. */
#include "tests/tap.h"
#include "base/idset.h"
#include "base/util.h"
#include "lib/process/mempolicy.h"
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <stdlib.h>
#include <string.h>

static bool set_is(const char *list, const char *members)
{
	struct idset s = { 0 };
	char why[128] = "";
	if (idset_parse(list, 8191, &s, why, sizeof(why)) < 0) {
		printf("#   %s: %s\n", list, why);
		return false;
	}
	char got[256] = "";
	for (unsigned i = 0; i < s.end; i++)
		if (idset_has(&s, i))
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u", *got ? " " : "", i);
	bool good = !strcmp(got, members);
	if (!good)
		printf("#   %s gave {%s}\n", list, got);
	idset_free(&s);
	return good;
}

static bool refused(const char *list, unsigned max, const char *why_expected)
{
	struct idset s = { 0 };
	char why[128] = "";
	int r = idset_parse(list, max, &s, why, sizeof(why));
	bool good = r == -EINVAL && !strcmp(why, why_expected) && s.bits == NULL;
	if (!good)
		printf("#   %s: r=%d why=%s\n", list, r, why);
	return good;
}

static void test_idset(void)
{
	ok(set_is("", ""), "empty string: empty set", " ");
	ok(set_is("0", "0"), "one number", " ");
	ok(set_is("0-3,7", "0 1 2 3 7"), "numbers and ranges", " ");
	ok(set_is("7,0-1,1", "0 1 7"), "order and repeats do not matter", " ");
	ok(set_is(" 1 , 3-4 ,", "1 3 4"), "spaces around elements and empty elements, as runc", " ");
	ok(set_is("63-65", "63 64 65"), "a range across a word boundary", " ");
	ok(set_is("8191", "8191"), "the limit itself", " ");
	ok(refused("bad", 10, "bad syntax at \"bad\""), "letters", " ");
	ok(refused("1-", 10, "bad syntax at \"\""), "open range", " ");
	ok(refused("-1", 10, "bad syntax at \"-1\""), "negative", " ");
	ok(refused("1 2", 10, "bad syntax at \"2\""), "space inside an element", " ");
	ok(refused("1--2", 10, "bad syntax at \"-2\""), "double dash", " ");
	ok(refused("5-2", 10, "range 5-2 is reversed"), "reversed range", " ");
	ok(refused("11", 10, "11 is above 10"), "above the limit", " ");
	ok(refused("99999999999999999999", 10, "99... is above 10"), "no overflow on long numbers", " ");
	struct idset s = { 0 };
	char why[64];
	ok(idset_parse("0-2", 10, &s, why, sizeof(why)) == 0 && idset_count(&s) == 3 && s.end == 3,
	   "count and end", " ");
	idset_free(&s);
	ok(s.bits == NULL && s.end == 0, "free leaves an empty set", " ");
}

static char *node_dir;

static void node_files(const char *possible, const char *has_memory)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/possible", node_dir);
	struct oerr e;
	unlink(path);
	if (possible)
		write_file_at(AT_FDCWD, path, possible, strlen(possible), true, &e);
	snprintf(path, sizeof(path), "%s/has_memory", node_dir);
	unlink(path);
	if (has_memory)
		write_file_at(AT_FDCWD, path, has_memory, strlen(has_memory), true, &e);
}

static void check(const char *name, int mode, unsigned flags, const char *nodes, const char *want_error)
{
	struct spec_memory_policy mp = { .mode = (char *)name, .mode_num = mode, .flags_mask = flags,
					 .nodes = (char *)nodes };
	char why[64];
	idset_parse(nodes, 1023, &mp.node_set, why, sizeof(why));
	struct oerr e = { 0 };
	int r = mempolicy_check_host(&mp, node_dir, &e);
	bool good = want_error ? r == -EINVAL && strstr(e.msg, want_error) != NULL : r == 0;
	ok(good, want_error ? want_error : "accepted", "%s nodes %s flags %#x: r=%d %s", name, nodes, flags, r, e.msg);
	idset_free(&mp.node_set);
}

static void test_host_nodes(void)
{
	char tmpl[] = "/tmp/ocirt-test-numa-XXXXXX";
	node_dir = mkdtemp(tmpl);
	if (!node_dir) {
		ok(false, "mkdtemp", "%s", strerror(errno));
		return;
	}
	node_files("0-3\n", "0,2\n");
	check("MPOL_BIND", MPOL_BIND, 0, "0,2", NULL);
	check("MPOL_BIND", MPOL_BIND, 0, "0-1",
	      "linux.memoryPolicy.nodes: node 1 has no memory on this host (nodes with memory: 0,2;");
	check("MPOL_BIND", MPOL_BIND, 0, "4", "linux.memoryPolicy.nodes: node 4 does not exist on this host (its nodes: 0-3)");
	check("MPOL_BIND", MPOL_BIND, MPOL_F_STATIC_NODES, "1-3", NULL);
	check("MPOL_BIND", MPOL_BIND, MPOL_F_STATIC_NODES, "5", "node 5 does not exist on this host");
	check("MPOL_INTERLEAVE", MPOL_INTERLEAVE, MPOL_F_RELATIVE_NODES, "0-9", NULL);
	check("MPOL_LOCAL", MPOL_LOCAL, 0, "", NULL);
	node_files(NULL, NULL);
	check("MPOL_LOCAL", MPOL_LOCAL, 0, "", NULL);
	check("MPOL_BIND", MPOL_BIND, 0, "0", "linux.memoryPolicy: this host has no NUMA support");
	ok(mempolicy_check_host(NULL, node_dir, NULL) == 0, "no policy, nothing to check", " ");
	rmdir(node_dir);
}

int main(void)
{
	test_idset();
	test_host_nodes();
	return tap_done();
}
