/* The systemd cgroup driver (--systemd-cgroup), inside lib/cgroup: the
 * container's init goes into a transient unit that systemd makes over D-Bus
 * (a scope with Delegate=yes, or a slice), with the resources as unit
 * properties where systemd has one; the cgroup files then get all of them,
 * those systemd has no property for included, as with the cgroupfs driver.
 *
 * The D-Bus work is done by the ocirt-systemd helper (systemd_helper.c,
 * linked dynamically against libsystemd; ocirt stays static), which takes
 * the unit and its properties as arguments: NAME[@MIN-SYSTEMD-VERSION],
 * a D-Bus signature, then the values (see systemd_helper.c). Everything
 * here but the functions of cgroup_systemd.c (at the end) is pure, for the
 * unit tests. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "oci/spec.h"

#define SYSTEMD_HELPER "ocirt-systemd"
/* The kept cgroup path string of a container in a systemd unit starts so;
 * the unit is the last component of its path. */
#define CG_SD_PREFIX "systemd:"

/* The helper's arguments being built; v is NULL-terminated. */
struct cg_sd_props {
	char **v;
	size_t n, cap;
	bool oom;
};
int cg_sd_add(struct cg_sd_props *p, const char *arg);
int cg_sd_addf(struct cg_sd_props *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cg_sd_props_free(struct cg_sd_props *p);

struct cg_sd_unit {
	char *unit;		/* "ocirt-abc.scope", "foo-bar.slice" */
	char *slice;		/* where it goes: Slice= of a scope, Wants= of a slice */
	char *path;		/* its cgroup: "/system.slice/ocirt-abc.scope" */
	bool is_slice;
};
/* linux.cgroupsPath "slice:prefix:name" (runc's docs/systemd.md): an empty
 * slice is system.slice; a name ending in ".slice" makes that slice (the
 * prefix is ignored), else the scope "prefix-name.scope" ("name.scope"
 * without prefix). NULL or "" is ":ocirt:<id>". */
int cg_sd_parse_path(const char *cgroups_path, const char *id, struct cg_sd_unit *u, struct oerr *e);
void cg_sd_unit_free(struct cg_sd_unit *u);
/* systemd's place for a slice: "a-b.slice" -> "/a.slice/a-b.slice",
 * "-.slice" -> "/". */
int cg_sd_expand_slice(const char *slice, char **path, struct oerr *e);

/* Values read from the cgroup, for an update that changes one half of a
 * pair (swap without the memory limit, quota without the period). */
struct cg_sd_now {
	int64_t memory_max;	/* -1 unlimited, 0 unknown */
	int64_t cpu_quota;	/* -1 none ("max") */
	uint64_t cpu_period;	/* 0 unknown */
};
/* The properties for the resources that are set in r. creating: the unit is
 * being made (OOMPolicy can only be set then). v1: the controllers are
 * cgroup v1 ones, where systemd's own names (MemoryLimit, CPUShares,
 * BlockIOWeight) take the config's numbers as they are, and it manages no
 * cpuset. A CPU quota that is not a whole percent of a CPU is rounded up
 * in r too, as runc does: systemd keeps it as a percentage, and the cgroup
 * file must match. */
int cg_sd_resource_props(struct spec_resources *r, const struct cg_sd_now *now, bool creating, bool v1,
			 struct cg_sd_props *p, struct oerr *e);

/* The device rules as DevicePolicy=strict and DeviceAllow, where systemd can
 * say exactly the same thing: default deny, with allowed devices of a given
 * major and minor, all of a type, or all of a major that /proc/devices
 * names alone (devices_text: its contents). Otherwise (or for an allow-all
 * state) DevicePolicy=auto and no DeviceAllow: on v2, ocirt's own eBPF
 * program, attached beside systemd's, enforces the rules either way. On v1
 * (v1 true) systemd writes its rules over the devices controller's whenever
 * it applies the unit's settings again, so rules it cannot state are
 * refused: -ENOTSUP. */
struct cg_dev_state;
int cg_sd_device_props(const struct cg_dev_state *st, const char *devices_text, bool v1, struct cg_sd_props *p);

/* The org.systemd.property.NAME annotations: NAME (letters only, 3 or more)
 * and a value in GVariant text format ("uint64 123", "'text'", "true",
 * "@as []", "[1, 2]", "(1, 'x')", "<'v'>"); a NAME ending in "Sec" after a
 * lower-case letter becomes "...USec" with the number of seconds in
 * microseconds, as runc does. */
int cg_sd_annotation_props(const struct spec *s, struct cg_sd_props *p, struct oerr *e);
/* One GVariant text value: adds its signature and value arguments. */
int cg_sd_gvariant(const char *text, struct cg_sd_props *p, char *why, size_t whylen);

/* --- cgroup_systemd.c: the helper ------------------------------------------ */

/* Built with libsystemd, and ocirt-systemd is there. */
bool cg_sd_supported(void);
/* Whether the driver can work here; the error says why not. */
int cg_sd_check(struct oerr *e);

/* What cgroup_attach does for a container prepared for systemd. */
struct cg_sd_pending {
	struct cg_sd_unit u;
	struct cg_sd_props args;	/* "start" UNIT PROPERTY... */
	const struct spec *spec;
	int (*claim_fn)(const char *cg_path, void *arg, struct oerr *e);	/* struct cgroup_claim */
	void *claim_arg;
};
void cg_sd_pending_free(struct cg_sd_pending *p);
/* The arguments of "ocirt-systemd start" for the container's unit, without
 * its process (PIDs): description, place, Delegate, accounting, the
 * resources and device rules, then the annotations. May round the CPU quota
 * in s's resources (cg_sd_resource_props). */
int cg_sd_start_args(const struct spec *s, const char *id, const struct cg_sd_unit *u, bool v1,
		     struct cg_sd_props *p, struct oerr *e);
int cg_sd_run(const struct cg_sd_props *args, struct oerr *e);
/* update: the properties of the resources set in r (SetUnitProperties). */
int cg_sd_set(const char *unit, struct spec_resources *r, const struct cg_sd_now *now, bool v1, struct oerr *e);
/* Stop the unit and wait; one that is gone already is fine. */
int cg_sd_stop(const char *unit, struct oerr *e);
