/* Device access rules (linux.resources.devices) and the cgroup v1 devices
 * controller's semantics, emulated so that v1 (devices.allow/deny) and v2
 * (an eBPF program) enforce exactly the same thing. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "oci/spec.h"

#define CG_DEV_WILD (-1)	/* major or minor "*" */
/* Same values as BPF_DEVCG_ACC_* so that the eBPF program can use them. */
enum { CG_ACC_MKNOD = 1, CG_ACC_READ = 2, CG_ACC_WRITE = 4, CG_ACC_ALL = 7 };

struct cg_dev_rule {
	char type;		/* 'a', 'b' or 'c' */
	int64_t major, minor;	/* CG_DEV_WILD for any */
	unsigned access;	/* CG_ACC_* bits */
	bool allow;
};

/* The controller's state: a default and exceptions to it (type 'b' or 'c',
 * each with allow == !default_allow), as the kernel keeps them. */
struct cg_dev_state {
	bool default_allow;
	struct cg_dev_rule *ex;
	size_t n;
};

/* The rules for a container, in order: the config's, then the devices runc
 * always allows (mknod of anything, /dev/null, zero, full, random, urandom,
 * tty, pts, ptmx, net/tun), less those whose path linux.devices defines
 * itself. l may be NULL (update). A negative major or minor is "*".
 * Returns 0, -ENOMEM, or -ERANGE for a number above 2^32-1. */
int cg_dev_rules_for(const struct spec_resources *r, const struct spec_linux *l, struct cg_dev_rule **out,
		     size_t *n);
/* Apply rules in order to a new cgroup's state (default allow, no exceptions),
 * following the kernel: type 'a' resets the default; otherwise an allow adds
 * an exception in default-deny mode and removes one in default-allow mode,
 * and a deny does the reverse. */
int cg_dev_emulate(const struct cg_dev_rule *rules, size_t n, struct cg_dev_state *st);
void cg_dev_state_free(struct cg_dev_state *st);
/* The state the container's device rules (cg_dev_rules_for) leave a new
 * cgroup in; e names the field where a number is out of range. */
int cg_dev_state_for(const struct spec_resources *r, const struct spec_linux *l, struct cg_dev_state *st,
		     struct oerr *e);
/* The state that a v1 devices.list text describes (only the default shows
 * in default-allow mode). */
int cg_dev_parse_list(const char *text, struct cg_dev_state *st);
/* Whether the state lets access (CG_ACC_* bits) to a device through, the way
 * the v1 controller decides. type is 'b' or 'c'. */
bool cg_dev_state_allows(const struct cg_dev_state *st, char type, uint32_t major, uint32_t minor,
			 unsigned access);
/* The access bits (CG_ACC_*) as "rwm" letters in acc, in that order;
 * their count (0: none). */
size_t cg_dev_access_str(unsigned access, char acc[4]);
/* "c 1:3 rwm", "b *:* m" */
void cg_dev_rule_str(const struct cg_dev_rule *r, char *buf, size_t len);
