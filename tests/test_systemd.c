/* lib/cgroup/cgroup_sdprops.c: the systemd driver's unit and cgroup of a
 * "slice:prefix:name" cgroupsPath, the unit properties of the resources
 * and device rules, and the GVariant text of org.systemd.property.*
 * annotations, as the argument lists the ocirt-systemd helper gets. TAP. */
#include "lib/cgroup/cgroup_systemd.h"
#include "lib/cgroup/cgroup_devices.h"
#include "oci/spec.h"
#include "base/util.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"

/* The arguments as one space-separated string. */
static char *joined(const struct cg_sd_props *p)
{
	size_t len = 1;
	for (size_t i = 0; i < p->n; i++)
		len += strlen(p->v[i]) + 1;
	char *s = calloc(1, len);
	for (size_t i = 0; s && i < p->n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, p->v[i]);
	}
	return s;
}

/* ---- unit names and paths ------------------------------------------------ */

static void expand(const char *slice, const char *want)
{
	char *path = NULL;
	struct oerr e = { 0 };
	int r = cg_sd_expand_slice(slice, &path, &e);
	char name[128];
	snprintf(name, sizeof(name), "expand slice \"%s\"", slice);
	if (want)
		ok(r == 0 && path && !strcmp(path, want), name, "r=%d got %s want %s (%s)", r, path, want, e.msg);
	else
		ok(r == -EINVAL && strstr(e.msg, "invalid slice name"), name, "r=%d got %s (%s)", r, path, e.msg);
	free(path);
}

static void parse(const char *cp, const char *unit, const char *slice, const char *path, bool is_slice)
{
	struct cg_sd_unit u;
	struct oerr e = { 0 };
	int r = cg_sd_parse_path(cp, "abc", &u, &e);
	char name[160];
	snprintf(name, sizeof(name), "cgroupsPath \"%s\"", cp ? cp : "(none)");
	ok(r == 0 && !strcmp(u.unit, unit) && !strcmp(u.slice, slice) && !strcmp(u.path, path) &&
	   u.is_slice == is_slice, name, "r=%d %s | %s %s %s %d", r, e.msg, r ? "" : u.unit, r ? "" : u.slice,
	   r ? "" : u.path, r ? 0 : u.is_slice);
	if (r == 0)
		cg_sd_unit_free(&u);
}

static void parse_bad(const char *cp, const char *msg)
{
	struct cg_sd_unit u;
	struct oerr e = { 0 };
	int r = cg_sd_parse_path(cp, "abc", &u, &e);
	char name[160];
	snprintf(name, sizeof(name), "cgroupsPath \"%s\" refused", cp);
	ok(r == -EINVAL && strstr(e.msg, "linux.cgroupsPath") && strstr(e.msg, msg), name, "r=%d %s", r, e.msg);
	if (r == 0)
		cg_sd_unit_free(&u);
}

static void test_paths(void)
{
	expand("system.slice", "/system.slice");
	expand("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
	expand("user-1000.slice", "/user.slice/user-1000.slice");
	expand("-.slice", "/");
	expand("a--b.slice", NULL);
	expand("-a.slice", NULL);
	expand("a-.slice", NULL);
	expand("system", NULL);
	expand(".slice", NULL);
	expand("a/b.slice", NULL);

	parse("system.slice:docker:abc", "docker-abc.scope", "system.slice", "/system.slice/docker-abc.scope", false);
	parse(":libpod:x1", "libpod-x1.scope", "system.slice", "/system.slice/libpod-x1.scope", false);
	parse("machine.slice:libpod:x1", "libpod-x1.scope", "machine.slice", "/machine.slice/libpod-x1.scope", false);
	parse("a-b.slice::n", "n.scope", "a-b.slice", "/a.slice/a-b.slice/n.scope", false);
	parse("-.slice:p:n", "p-n.scope", "-.slice", "/p-n.scope", false);
	parse(NULL, "ocirt-abc.scope", "system.slice", "/system.slice/ocirt-abc.scope", false);
	parse("", "ocirt-abc.scope", "system.slice", "/system.slice/ocirt-abc.scope", false);
	/* A slice's place is its name's, whatever parent is given. */
	parse("system.slice:p:foo-bar.slice", "foo-bar.slice", "system.slice", "/foo.slice/foo-bar.slice", true);
	parse_bad("/foo/bar", "expects \"slice:prefix:name\"");
	parse_bad("a:b", "expects \"slice:prefix:name\"");
	parse_bad("a.slice:b:c:d", "expects \"slice:prefix:name\"");
	parse_bad("system.slice:p:", "name (after the second ':') is empty");
	parse_bad("system.slice:p/q:n", "letters, digits");
	parse_bad("system:p:n", "invalid slice name");
	parse_bad("system.slice:p:a--b.slice", "invalid slice name");
}

/* ---- resources ------------------------------------------------------------- */

/* The host's controllers are cgroup v1 ones (systemd's v1 property names). */
static bool v1;

static struct spec *load(const char *resources, const char *annotations)
{
	char json[4096];
	snprintf(json, sizeof(json),
		 "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},%s%s%s"
		 "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"resources\":%s}}",
		 annotations ? "\"annotations\":" : "", annotations ? annotations : "", annotations ? "," : "",
		 resources);
	struct spec *s = NULL;
	struct oerr e = { 0 };
	if (spec_parse(json, strlen(json), &s, &e) < 0) {
		printf("# spec_parse: %s\n# %s\n", e.msg, json);
		return NULL;
	}
	return s;
}

/* The resource properties of resources (JSON) are want; with now for an update. */
static void props(const char *what, const char *resources, const struct cg_sd_now *now, const char *want)
{
	struct spec *s = load(resources, NULL);
	struct cg_sd_props p = { 0 };
	struct oerr e = { 0 };
	int r = s ? cg_sd_resource_props(s->linux_->resources, now, now == NULL, v1, &p, &e) : -1;
	_cleanup_free_ char *got = joined(&p);
	ok(r == 0 && got && !strcmp(got, want), what, "r=%d %s\n#   got:  %s\n#   want: %s", r, e.msg, got, want);
	cg_sd_props_free(&p);
	if (s)
		spec_free(s);
}

static void props_bad(const char *what, const char *resources, const char *msg)
{
	struct spec *s = load(resources, NULL);
	struct cg_sd_props p = { 0 };
	struct oerr e = { 0 };
	int r = s ? cg_sd_resource_props(s->linux_->resources, NULL, true, v1, &p, &e) : 0;
	ok(r < 0 && strstr(e.msg, msg), what, "r=%d %s", r, e.msg);
	cg_sd_props_free(&p);
	if (s)
		spec_free(s);
}

static void test_resources(void)
{
	props("memory limit, reservation, swap (memory+swap, as on v1)",
	      "{\"memory\":{\"limit\":100000000,\"reservation\":50000000,\"swap\":300000000}}",
	      NULL, "MemoryMax t 100000000 MemoryLow t 50000000 MemorySwapMax t 200000000");
	props("no memory limit: unlimited swap too", "{\"memory\":{\"limit\":-1}}",
	      NULL, "MemoryMax t 18446744073709551615 MemorySwapMax t 18446744073709551615");
	const struct cg_sd_now now = { .memory_max = 100000000, .cpu_quota = 50000, .cpu_period = 100000 };
	props("update of swap alone: against the limit in force", "{\"memory\":{\"swap\":150000000}}", &now,
	      "MemorySwapMax t 50000000");
	props("cpu shares as CPUWeight, quota and period, cpus and mems as bit masks",
	      "{\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0-2,8\",\"mems\":\"0\"}}",
	      NULL, "CPUWeight t 20 CPUQuotaPeriodUSec@242 t 100000 CPUQuotaPerSecUSec t 500000 "
	      "AllowedCPUs@244 ay 2 7 1 AllowedMemoryNodes@244 ay 1 1");
	props("a quota of no whole percent is rounded up (runc)", "{\"cpu\":{\"quota\":33333,\"period\":100000}}",
	      NULL, "CPUQuotaPeriodUSec@242 t 100000 CPUQuotaPerSecUSec t 340000");
	props("update of the quota alone: per second of the period in force", "{\"cpu\":{\"quota\":20000}}", &now,
	      "CPUQuotaPerSecUSec t 200000");
	props("update of the period alone keeps the quota in force", "{\"cpu\":{\"period\":200000}}", &now,
	      "CPUQuotaPeriodUSec@242 t 200000 CPUQuotaPerSecUSec t 250000");
	props("no quota: infinity", "{\"cpu\":{\"quota\":-1}}", NULL, "CPUQuotaPerSecUSec t 18446744073709551615");
	props("cpu idle as CPUWeight 0 (systemd 252)", "{\"cpu\":{\"idle\":1,\"shares\":1024}}", NULL,
	      "CPUWeight@252 t 0");
	props("pids: a limit, 0 (systemd takes 1 at least), none",
	      "{\"pids\":{\"limit\":0}}", NULL, "TasksMax t 1");
	props("pids -1: infinity", "{\"pids\":{\"limit\":-1}}", NULL, "TasksMax t 18446744073709551615");
	props("blockIO weight as IOWeight", "{\"blockIO\":{\"weight\":300}}", NULL, "IOWeight t 2930");
	props("unified keys with a property, the rest left to the files",
	      "{\"unified\":{\"memory.high\":\"max\",\"memory.min\":\" 4096\\n\",\"pids.max\":\"7\","
	      "\"cpu.weight\":\"50\",\"cpu.max\":\"25000 50000\",\"cpuset.cpus\":\"1\",\"io.max\":\"8:0 rbps=1\","
	      "\"memory.oom.group\":\"1\"}}",
	      NULL, "MemoryHigh t 18446744073709551615 MemoryMin t 4096 TasksMax t 7 CPUWeight t 50 "
	      "CPUQuotaPeriodUSec@242 t 50000 CPUQuotaPerSecUSec t 500000 AllowedCPUs@244 ay 1 2 "
	      "OOMPolicy@253 s kill");
	props("OOMPolicy only when the unit is made", "{\"unified\":{\"memory.oom.group\":\"1\"}}", &now, "");
	props_bad("unified memory.max not a number", "{\"unified\":{\"memory.max\":\"lots\"}}",
		  "\"memory.max\": \"lots\" is not a number");
	props_bad("unified cpu.max malformed", "{\"unified\":{\"cpu.max\":\"1 2 3\"}}", "\"cpu.max\"");
	props_bad("cpus malformed", "{\"cpu\":{\"cpus\":\"0-\"}}", "linux.resources.cpu.cpus \"0-\"");
	props_bad("swap below the limit", "{\"memory\":{\"limit\":200,\"swap\":100}}", "memory.swap");

	v1 = true;
	props("v1: MemoryLimit, CPUShares, BlockIOWeight with the config's numbers; no cpuset, swap or reservation",
	      "{\"memory\":{\"limit\":100000000,\"reservation\":50000000,\"swap\":300000000},"
	      "\"cpu\":{\"shares\":512,\"quota\":50000,\"cpus\":\"0\"},\"pids\":{\"limit\":5},"
	      "\"blockIO\":{\"weight\":300}}",
	      NULL, "MemoryLimit t 100000000 CPUShares t 512 CPUQuotaPerSecUSec t 500000 TasksMax t 5 "
	      "BlockIOWeight t 300");
	props("v1 update of the period alone", "{\"cpu\":{\"period\":200000}}", &now,
	      "CPUQuotaPeriodUSec@242 t 200000 CPUQuotaPerSecUSec t 250000");
	props_bad("v1: unified refused before anything is made", "{\"unified\":{\"pids.max\":\"5\"}}",
		  "cannot use unified on cgroup v1");
	v1 = false;

	/* The rounded quota goes to the cgroup file too. */
	struct spec *s = load("{\"cpu\":{\"quota\":33333,\"period\":100000}}", NULL);
	struct cg_sd_props p = { 0 };
	struct oerr e = { 0 };
	int r = s ? cg_sd_resource_props(s->linux_->resources, NULL, true, false, &p, &e) : -1;
	ok(r == 0 && s->linux_->resources->cpu->quota == 34000, "the rounded quota is kept for the file",
	   "r=%d quota=%lld", r, s ? (long long)s->linux_->resources->cpu->quota : 0LL);
	cg_sd_props_free(&p);
	if (s)
		spec_free(s);
}

/* ---- devices --------------------------------------------------------------- */

static const char proc_devices[] =
	"Character devices:\n  1 mem\n  4 /dev/vc/0\n  4 tty\n  5 /dev/tty\n  5 /dev/console\n"
	"136 pts\n180 usb\n188 ttyUSB\n189 usb_device\n\nBlock devices:\n  7 loop\n  8 sd\n 65 sd\n";

static void devices(const char *what, const struct cg_dev_rule *rules, size_t n, const char *want)
{
	struct cg_dev_state st;
	struct cg_sd_props p = { 0 };
	int r = cg_dev_emulate(rules, n, &st);
	if (r == 0)
		r = cg_sd_device_props(&st, proc_devices, v1, &p);
	_cleanup_free_ char *got = joined(&p);
	ok(r == 0 && got && !strcmp(got, want), what, "r=%d\n#   got:  %s\n#   want: %s", r, got, want);
	cg_sd_props_free(&p);
	if (r == 0)
		cg_dev_state_free(&st);
}

static void test_devices(void)
{
	const struct cg_dev_rule std[] = {
		{ 'a', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_ALL, false },
		{ 'c', 1, 3, CG_ACC_ALL, true },
		{ 'c', 136, CG_DEV_WILD, CG_ACC_READ | CG_ACC_WRITE, true },
		{ 'c', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_MKNOD, true },
		{ 'b', 7, 0, CG_ACC_READ, true },
	};
	devices("deny all, then allows systemd can name: strict", std, ARRAY_SIZE(std),
		"DevicePolicy s strict DeviceAllow a(ss) 0 DeviceAllow a(ss) 4 /dev/char/1:3 rwm char-pts rw "
		"char-* m /dev/block/7:0 r");
	const struct cg_dev_rule shared[] = {
		{ 'a', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_ALL, false },
		{ 'b', 8, CG_DEV_WILD, CG_ACC_READ, true },
	};
	devices("a major whose name others share (sd: 8 and 65): auto, ocirt's program alone", shared,
		ARRAY_SIZE(shared), "DevicePolicy s auto DeviceAllow a(ss) 0");
	const struct cg_dev_rule any_major[] = {
		{ 'a', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_ALL, false },
		{ 'c', CG_DEV_WILD, 5, CG_ACC_READ, true },
	};
	devices("any major with one minor: auto", any_major, ARRAY_SIZE(any_major),
		"DevicePolicy s auto DeviceAllow a(ss) 0");
	const struct cg_dev_rule unknown[] = {
		{ 'a', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_ALL, false },
		{ 'c', 250, CG_DEV_WILD, CG_ACC_READ, true },
	};
	devices("a major /proc/devices does not name: auto", unknown, ARRAY_SIZE(unknown),
		"DevicePolicy s auto DeviceAllow a(ss) 0");
	const struct cg_dev_rule allow_all[] = {
		{ 'a', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_ALL, true },
		{ 'c', 1, 3, CG_ACC_WRITE, false },
	};
	devices("default allow: auto", allow_all, ARRAY_SIZE(allow_all), "DevicePolicy s auto DeviceAllow a(ss) 0");
	const struct cg_dev_rule none[] = { { 'a', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_ALL, false } };
	devices("deny all, nothing allowed: strict, empty", none, 1, "DevicePolicy s strict DeviceAllow a(ss) 0");

	/* v1: what systemd cannot state is refused (it would write its rules
	 * over the controller's); what it can is the same as on v2. */
	v1 = true;
	devices("v1: a stateable set as on v2", std, ARRAY_SIZE(std),
		"DevicePolicy s strict DeviceAllow a(ss) 0 DeviceAllow a(ss) 4 /dev/char/1:3 rwm char-pts rw "
		"char-* m /dev/block/7:0 r");
	const struct cg_dev_rule everything[] = { { 'a', CG_DEV_WILD, CG_DEV_WILD, CG_ACC_ALL, true } };
	devices("v1: allow all as auto", everything, 1, "DevicePolicy s auto DeviceAllow a(ss) 0");
	const struct cg_dev_rule *bad[] = { shared, any_major, allow_all };
	size_t nbad[] = { ARRAY_SIZE(shared), ARRAY_SIZE(any_major), ARRAY_SIZE(allow_all) };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct cg_dev_state st;
		struct cg_sd_props p = { 0 };
		int r = cg_dev_emulate(bad[i], nbad[i], &st);
		if (r == 0) {
			r = cg_sd_device_props(&st, proc_devices, true, &p);
			cg_dev_state_free(&st);
		}
		ok(r == -ENOTSUP && p.n == 0, "v1: rules systemd cannot state are refused", "case %zu r=%d n=%zu", i,
		   r, p.n);
		cg_sd_props_free(&p);
	}
	v1 = false;
}

/* ---- GVariant text and annotations ----------------------------------------------- */

static void gv(const char *text, const char *want)
{
	struct cg_sd_props p = { 0 };
	char why[160] = "";
	int r = cg_sd_gvariant(text, &p, why, sizeof(why));
	_cleanup_free_ char *got = joined(&p);
	char name[200];
	snprintf(name, sizeof(name), "GVariant %s", text);
	if (want)
		ok(r == 0 && got && !strcmp(got, want), name, "r=%d %s got: %s want: %s", r, why, got, want);
	else
		ok(r == -EINVAL && *why, name, "r=%d got: %s", r, got);
	cg_sd_props_free(&p);
}

static void annotation(const char *key, const char *value, const char *want, const char *err)
{
	char json[1024];
	snprintf(json, sizeof(json), "{\"%s\":\"%s\"}", key, value);
	struct spec *s = load("{}", json);
	struct cg_sd_props p = { 0 };
	struct oerr e = { 0 };
	int r = s ? cg_sd_annotation_props(s, &p, &e) : -1;
	_cleanup_free_ char *got = joined(&p);
	char name[300];
	snprintf(name, sizeof(name), "annotation %s=%s", key, value);
	if (want)
		ok(r == 0 && got && !strcmp(got, want), name, "r=%d %s got: %s", r, e.msg, got);
	else
		ok(r < 0 && strstr(e.msg, err) && strstr(e.msg, key), name, "r=%d %s", r, e.msg);
	cg_sd_props_free(&p);
	if (s)
		spec_free(s);
}

static void test_gvariant(void)
{
	gv("uint64 123", "t 123");
	gv("  int32 -5 ", "i -5");
	gv("@t 7", "t 7");
	gv("17", "i 17");
	gv("1.5", "d 1.5");
	gv("true", "b true");
	gv("'it''s'", NULL);
	gv("'a\\'b'", "s a'b");
	gv("\"x y\"", "s x y");
	gv("objectpath '/org/x'", "o /org/x");
	gv("@as []", "as 0");
	gv("@as[]", "as 0");
	gv("[1, 2]", "ai 2 1 2");
	gv("[1, uint64 2]", "at 2 1 2");
	gv("['a', 'b']", "as 2 a b");
	gv("[('/dev/null', 'rwm'), ('char-pts', 'rw')]", "a(ss) 2 /dev/null rwm char-pts rw");
	gv("@a(st) [('/dev/sda', 100)]", "a(st) 1 /dev/sda 100");
	gv("(1, 'x')", "(is) 1 x");
	gv("<'v'>", "v s v");
	gv("[<1>, <'a'>]", "av 2 i 1 s a");
	gv("", NULL);
	gv("[]", NULL);
	gv("[1, 'a']", NULL);
	gv("'unterminated", NULL);
	gv("@ax ['a']", NULL);
	gv("uint64 -1", NULL);
	gv("byte 300", NULL);
	gv("byte 255", "y 255");
	gv("int16 -32769", NULL);
	gv("2147483648", NULL);
	gv("1 2", NULL);
	gv("nonsense", NULL);
	gv("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", NULL);

	annotation("org.systemd.property.TimeoutStopSec", "uint64 123", "TimeoutStopUSec t 123000000", NULL);
	annotation("org.systemd.property.TimeoutStopSec", "1.5", "TimeoutStopUSec t 1500000", NULL);
	annotation("org.systemd.property.TimeoutStopUSec", "uint64 123", "TimeoutStopUSec t 123", NULL);
	annotation("org.systemd.property.CollectMode", "'inactive-or-failed'", "CollectMode s inactive-or-failed",
		   NULL);
	annotation("org.example.other", "anything", "", NULL);
	annotation("org.systemd.property.RuntimeMaxSec", "'soon'", NULL, "seconds must be a non-negative number");
	annotation("org.systemd.property.Ab", "true", NULL, "letters, 3 or more");
	annotation("org.systemd.property.Foo1", "true", NULL, "letters, 3 or more");
	annotation("org.systemd.property.CPUWeight", "[1,", NULL, "GVariant text format");
}

int main(void)
{
	test_paths();
	test_resources();
	test_devices();
	test_gvariant();
	return tap_done();
}
