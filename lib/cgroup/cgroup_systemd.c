/* The systemd driver's runtime side (cgroup_systemd.h): the unit's
 * properties, and the ocirt-systemd helper run to start, change and stop it. */
#include "lib/cgroup/cgroup_systemd.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/helper.h"
#include "base/util.h"
#include "lib/cgroup/cgroup_devices.h"
#include "lib/cgroup/cgroup_fs.h"

bool cg_sd_supported(void)
{
#ifdef OCIRT_HAVE_SYSTEMD
	char path[PATH_MAX];
	struct oerr ignored;
	return helper_find(SYSTEMD_HELPER, path, sizeof(path), &ignored) == 0;
#else
	return false;
#endif
}

int cg_sd_check(struct oerr *e)
{
#ifndef OCIRT_HAVE_SYSTEMD
	return oerr_setx(e, ENOTSUP, "--systemd-cgroup: this ocirt was built without libsystemd, so the systemd "
			 "cgroup driver is not available (install libsystemd-dev and rebuild)");
#else
	char path[PATH_MAX];
	if (helper_find(SYSTEMD_HELPER, path, sizeof(path), e) < 0)
		return oerr_wrap(e, "--systemd-cgroup: the systemd cgroup driver needs its helper");
	/* sd_booted(3)'s test: the one systemd makes as PID 1. */
	struct stat st;
	if (lstat("/run/systemd/system", &st) < 0 || !S_ISDIR(st.st_mode))
		return oerr_setx(e, ENOENT, "--systemd-cgroup: systemd is not running on this host (no "
				 "/run/systemd/system: it is not PID 1), so it cannot manage the container's cgroup");
	return 0;
#endif
}

void cg_sd_pending_free(struct cg_sd_pending *p)
{
	if (!p)
		return;
	cg_sd_unit_free(&p->u);
	cg_sd_props_free(&p->args);
	free(p);
}

int cg_sd_run(const struct cg_sd_props *args, struct oerr *e)
{
	if (args->oom)
		return oerr_setx(e, ENOMEM, "systemd unit");
	return helper_run(SYSTEMD_HELPER, (const char *const *)args->v, NULL, 0, NULL, e);
}

/* Devices as properties: the same rules as the eBPF program gets. */
static int device_props(const struct spec_resources *r, const struct spec_linux *l, bool v1, struct cg_sd_props *p,
			struct oerr *e)
{
	struct cg_dev_state st;
	int ret = cg_dev_state_for(r, l, &st, e);
	if (ret < 0)
		return ret;
	_cleanup_free_ char *devices = NULL;
	size_t len;
	struct oerr ignored;
	read_file_at(AT_FDCWD, "/proc/devices", &devices, &len, &ignored);
	ret = cg_sd_device_props(&st, devices, v1, p);
	cg_dev_state_free(&st);
	if (ret == -ENOTSUP)
		return oerr_setx(e, ENOTSUP, "systemd cannot state these rules on cgroup v1 (only a default deny with "
				 "allowed devices, all of a type or of one major /proc/devices names, or allow-all), and "
				 "it would write its own over them: use the cgroupfs driver, or cgroup v2");
	return ret < 0 ? oerr_setx(e, -ret, "device rules") : 0;
}

int cg_sd_start_args(const struct spec *s, const char *id, const struct cg_sd_unit *u, bool v1,
		     struct cg_sd_props *p, struct oerr *e)
{
	const struct spec_linux *l = s->linux_;
	struct spec_resources *r = l ? l->resources : NULL;
	cg_sd_add(p, "start");
	cg_sd_add(p, u->unit);
	cg_sd_add(p, "Description");
	cg_sd_add(p, "s");
	cg_sd_addf(p, "ocirt container %s", id);
	/* A scope goes in its slice; a slice hangs below its parent, which its
	 * name says already, and wants it. */
	cg_sd_add(p, u->is_slice ? "Wants" : "Slice");
	cg_sd_add(p, u->is_slice ? "as" : "s");
	if (u->is_slice)
		cg_sd_add(p, "1");
	cg_sd_add(p, u->slice);
	if (!u->is_slice) {
		cg_sd_add(p, "Delegate");
		cg_sd_add(p, "b");
		cg_sd_add(p, "true");
	}
	/* Accounting on, as runc does: the statistics of `events` need the
	 * controllers, which systemd enables only for accounting or limits. */
	static const char *const acct[] = { "MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting" };
	for (size_t i = 0; i < ARRAY_SIZE(acct); i++) {
		cg_sd_add(p, acct[i]);
		cg_sd_add(p, "b");
		cg_sd_add(p, "true");
	}
	/* No ordering against shutdown.target and the like: the container's
	 * unit lives as long as its processes. */
	cg_sd_add(p, "DefaultDependencies");
	cg_sd_add(p, "b");
	cg_sd_add(p, "false");
	int ret;
	if (r) {
		if ((ret = cg_sd_resource_props(r, NULL, true, v1, p, e)) < 0)
			return ret;
		if (r->n_devices && (ret = device_props(r, l, v1, p, e)) < 0)
			return oerr_wrap(e, "linux.resources.devices");
	}
	/* Last: an annotation may override any of the above. */
	if ((ret = cg_sd_annotation_props(s, p, e)) < 0)
		return ret;
	return p->oom ? oerr_setx(e, ENOMEM, "systemd unit") : 0;
}

int cg_sd_set(const char *unit, struct spec_resources *r, const struct cg_sd_now *now, bool v1, struct oerr *e)
{
	struct cg_sd_props p = { 0 };
	cg_sd_add(&p, "set");
	cg_sd_add(&p, unit);
	size_t base = p.n;
	int ret = cg_sd_resource_props(r, now, false, v1, &p, e);
	if (ret == 0 && r->n_devices && (ret = device_props(r, NULL, v1, &p, e)) < 0)
		oerr_wrap(e, "linux.resources.devices");
	if (ret == 0 && p.n > base)
		ret = cg_sd_run(&p, e);
	cg_sd_props_free(&p);
	return ret;
}

int cg_sd_stop(const char *unit, struct oerr *e)
{
	const char *args[] = { "stop", unit, NULL };
	return helper_run(SYSTEMD_HELPER, args, NULL, 0, NULL, e);
}
