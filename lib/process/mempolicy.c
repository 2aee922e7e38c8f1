/* linux.memoryPolicy: the host's nodes, and set_mempolicy(2). */
#include "lib/process/mempolicy.h"
#include "base/util.h"
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/mempolicy.h>

/* A node list file of sysfs ("0-1\n") as a set, and as text in list. */
static int read_node_list(const char *dir, const char *name, struct idset *out, char *list, size_t listlen,
			  struct oerr *e)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_file_at(AT_FDCWD, path, &text, &len, e);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	snprintf(list, listlen, "%s", text);
	char why[128];
	if (idset_parse(text, SPEC_MAX_NUMA_NODE, out, why, sizeof(why)) < 0)
		return oerr_setx(e, EINVAL, "%s: %s", path, why);
	return 0;
}

int mempolicy_check_host(const struct spec_memory_policy *mp, const char *node_dir, struct oerr *e)
{
	if (!mp || !mp->node_set.end)
		return 0;
	_cleanup_(idset_free) struct idset possible = { 0 }, memory = { 0 };
	struct oerr why = { 0 };
	char possible_list[256], memory_list[256];
	if (read_node_list(node_dir, "possible", &possible, possible_list, sizeof(possible_list), &why) < 0)
		return oerr_setx(e, EINVAL, "linux.memoryPolicy: this host has no NUMA support (%s)", why.msg);
	bool relative = mp->flags_mask & MPOL_F_RELATIVE_NODES;
	bool may_lack_memory = mp->flags_mask & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);
	if (!may_lack_memory &&
	    read_node_list(node_dir, "has_memory", &memory, memory_list, sizeof(memory_list), e) < 0)
		return oerr_wrap(e, "linux.memoryPolicy");
	for (unsigned n = 0; n < mp->node_set.end; n++) {
		if (!idset_has(&mp->node_set, n))
			continue;
		/* Relative nodes are positions in the allowed set, which wraps around. */
		if (!relative && !idset_has(&possible, n))
			return oerr_setx(e, EINVAL, "linux.memoryPolicy.nodes: node %u does not exist on this "
					 "host (its nodes: %s)", n, possible_list);
		if (!may_lack_memory && !idset_has(&memory, n))
			return oerr_setx(e, EINVAL, "linux.memoryPolicy.nodes: node %u has no memory on this "
					 "host (nodes with memory: %s; MPOL_F_STATIC_NODES accepts it)", n,
					 memory_list);
	}
	return 0;
}

int mempolicy_apply(const struct spec_linux *l, struct oerr *e)
{
	const struct spec_memory_policy *mp = l ? l->memory_policy : NULL;
	if (!mp)
		return 0;
	const struct idset *n = &mp->node_set;
	/* The kernel reads maxnode - 1 bits (an old off-by-one kept for compatibility). */
	unsigned long maxnode = n->nwords ? n->nwords * sizeof(unsigned long) * CHAR_BIT + 1 : 0;
	if (syscall(SYS_set_mempolicy, mp->mode_num | (int)mp->flags_mask, n->nwords ? n->bits : NULL,
		    maxnode) < 0)
		return oerr_set(e, errno, "linux.memoryPolicy: set_mempolicy %s%s%s", mp->mode,
				mp->nodes && *mp->nodes ? " nodes " : "", mp->nodes ? mp->nodes : "");
	return 0;
}
