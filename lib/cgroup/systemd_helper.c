/* ocirt-systemd: the D-Bus side of the systemd cgroup driver. ocirt runs it
 * (lib/cgroup/cgroup_systemd.c) only under --systemd-cgroup: it is a program
 * of its own, linked dynamically against libsystemd (sd-bus), so that ocirt
 * stays static. It knows nothing of OCI: ocirt works out the unit, its
 * properties and their D-Bus types, and this program sends them.
 *
 *   ocirt-systemd start UNIT PROPERTY...   StartTransientUnit, wait for the job
 *   ocirt-systemd set UNIT PROPERTY...     SetUnitProperties (runtime)
 *   ocirt-systemd stop UNIT                StopUnit, wait for the job; a unit
 *                                          that is not loaded is fine
 *
 * A PROPERTY is NAME[@VERSION] SIGNATURE VALUE..., each its own argument:
 * the property is left out when systemd is older than VERSION. The values
 * of a signature follow its types in order: a basic type takes one argument
 * (b: true or false; numbers in decimal; s, o, g as they are), an array
 * ("a...") takes its element count and then its elements, a struct its
 * fields, a variant ("v") a signature and then that signature's values.
 *
 * systemd is reached on its private socket, /run/systemd/private, as
 * systemctl does as root (no bus daemon needed; systemd sends job signals
 * to every client there), else on the system bus. On failure the exit status
 * is 1 and stderr has one line that says what failed. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define PRIVATE_SOCKET "/run/systemd/private"
/* runc waits as long for a job. */
#define JOB_TIMEOUT_USEC (30 * 1000000ULL)

static const char *prog = "ocirt-systemd";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* --- the connection ------------------------------------------------------ */

struct bus {
	sd_bus *b;
	bool direct;		/* systemd's private socket: no Subscribe, no bus daemon */
};

static int open_private(sd_bus **out)
{
	sd_bus *b = NULL;
	int r = sd_bus_new(&b);
	if (r < 0)
		return r;
	if ((r = sd_bus_set_address(b, "unix:path=" PRIVATE_SOCKET)) < 0 || (r = sd_bus_start(b)) < 0) {
		sd_bus_unref(b);
		return r;
	}
	*out = b;
	return 0;
}

static void bus_open(struct bus *bus)
{
	int rp = -ENOENT, rs;
	if (geteuid() == 0 && access(PRIVATE_SOCKET, F_OK) == 0 && (rp = open_private(&bus->b)) == 0) {
		bus->direct = true;
		return;
	}
	if ((rs = sd_bus_open_system(&bus->b)) == 0) {
		bus->direct = false;
		return;
	}
	die("systemd is not reachable: %s: %s; system bus: %s (is systemd running as PID 1?)", PRIVATE_SOCKET,
	    strerror(-rp), strerror(-rs));
}

/* --- properties from the arguments --------------------------------------- */

/* Length of the single complete type at the start of sig; 0 if malformed. */
static size_t type_len(const char *sig)
{
	switch (*sig) {
	case 'a': {
		size_t n = type_len(sig + 1);
		return n ? n + 1 : 0;
	}
	case '(':
	case '{': {
		char close = *sig == '(' ? ')' : '}';
		size_t i = 1;
		while (sig[i] && sig[i] != close) {
			size_t n = type_len(sig + i);
			if (!n)
				return 0;
			i += n;
		}
		return sig[i] == close && i > 1 ? i + 1 : 0;
	}
	case 'y': case 'b': case 'n': case 'q': case 'i': case 'u': case 'x': case 't':
	case 'd': case 's': case 'o': case 'g': case 'v': case 'h':
		return 1;
	default:
		return 0;
	}
}

struct args {
	char **v;
	int n, i;
};

static const char *next_arg(struct args *a, const char *what)
{
	if (a->i >= a->n)
		die("%s: missing %s", prog, what);
	return a->v[a->i++];
}

static unsigned long long parse_unsigned(const char *s, unsigned long long max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max)
		die("%s: bad number \"%s\"", prog, s);
	return v;
}

static long long parse_signed(const char *s, long long min, long long max)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die("%s: bad number \"%s\"", prog, s);
	return v;
}

static void append_one(sd_bus_message *m, const char *sig, size_t len, struct args *a);

static void append_basic(sd_bus_message *m, char t, struct args *a)
{
	const char *s = next_arg(a, "value");
	int r;
	switch (t) {
	case 'b': {
		int v;
		if (!strcmp(s, "true"))
			v = 1;
		else if (!strcmp(s, "false"))
			v = 0;
		else
			die("%s: bad boolean \"%s\"", prog, s);
		r = sd_bus_message_append_basic(m, t, &v);
		break;
	}
	case 'y': { uint8_t v = (uint8_t)parse_unsigned(s, UINT8_MAX); r = sd_bus_message_append_basic(m, t, &v); break; }
	case 'q': { uint16_t v = (uint16_t)parse_unsigned(s, UINT16_MAX); r = sd_bus_message_append_basic(m, t, &v); break; }
	case 'u': { uint32_t v = (uint32_t)parse_unsigned(s, UINT32_MAX); r = sd_bus_message_append_basic(m, t, &v); break; }
	case 't': { uint64_t v = parse_unsigned(s, UINT64_MAX); r = sd_bus_message_append_basic(m, t, &v); break; }
	case 'n': { int16_t v = (int16_t)parse_signed(s, INT16_MIN, INT16_MAX); r = sd_bus_message_append_basic(m, t, &v); break; }
	case 'i': { int32_t v = (int32_t)parse_signed(s, INT32_MIN, INT32_MAX); r = sd_bus_message_append_basic(m, t, &v); break; }
	case 'x': { int64_t v = parse_signed(s, INT64_MIN, INT64_MAX); r = sd_bus_message_append_basic(m, t, &v); break; }
	case 'd': {
		char *end;
		double v = strtod(s, &end);
		if (end == s || *end)
			die("%s: bad number \"%s\"", prog, s);
		r = sd_bus_message_append_basic(m, t, &v);
		break;
	}
	case 's': case 'o': case 'g':
		r = sd_bus_message_append_basic(m, t, s);
		break;
	default:
		die("%s: type '%c' is not supported", prog, t);
	}
	if (r < 0)
		die("%s: cannot append \"%s\" as '%c': %s", prog, s, t, strerror(-r));
}

/* open_container and close_container do nothing without a message: the
 * walk that only passes over a value (append_one with m NULL). */
static void open_container(sd_bus_message *m, char type, const char *contents, size_t len)
{
	if (!m)
		return;
	char c[256];
	if (len >= sizeof(c))
		die("%s: signature too long", prog);
	memcpy(c, contents, len);
	c[len] = '\0';
	int r = sd_bus_message_open_container(m, type, c);
	if (r < 0)
		die("%s: cannot open a '%c' container of \"%s\": %s", prog, type, c, strerror(-r));
}

static void close_container(sd_bus_message *m)
{
	if (!m)
		return;
	int r = sd_bus_message_close_container(m);
	if (r < 0)
		die("%s: cannot close a container: %s", prog, strerror(-r));
}

/* The values of the complete type sig[0..len) from the arguments, appended
 * to m; with m NULL only passed over (a property this systemd lacks). */
static void append_one(sd_bus_message *m, const char *sig, size_t len, struct args *a)
{
	switch (sig[0]) {
	case 'a': {
		unsigned long long n = parse_unsigned(next_arg(a, "array length"), 1u << 20);
		open_container(m, 'a', sig + 1, len - 1);
		for (unsigned long long k = 0; k < n; k++)
			append_one(m, sig + 1, len - 1, a);
		close_container(m);
		return;
	}
	case '(':
	case '{': {
		open_container(m, sig[0] == '(' ? 'r' : 'e', sig + 1, len - 2);
		for (size_t i = 1; i < len - 1;) {
			size_t l = type_len(sig + i);
			append_one(m, sig + i, l, a);
			i += l;
		}
		close_container(m);
		return;
	}
	case 'v': {
		const char *inner = next_arg(a, "variant signature");
		size_t l = type_len(inner);
		if (!l || inner[l])
			die("%s: bad variant signature \"%s\"", prog, inner);
		open_container(m, 'v', inner, l);
		append_one(m, inner, l, a);
		close_container(m);
		return;
	}
	default:
		if (m)
			append_basic(m, sig[0], a);
		else
			next_arg(a, "value");
	}
}

/* The major version of the systemd we talk to (0 when unknown). */
static unsigned systemd_version(struct bus *bus)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	char *v = NULL;
	unsigned ver = 0;
	if (sd_bus_get_property_string(bus->b, SD_DEST, SD_PATH, SD_MANAGER, "Version", &err, &v) >= 0 && v) {
		const char *p = v;
		while (*p && (*p < '0' || *p > '9'))
			p++;
		ver = (unsigned)strtoul(p, NULL, 10);
	}
	free(v);
	sd_bus_error_free(&err);
	return ver;
}

/* The a(sv) of the properties left in a. */
static void append_properties(sd_bus_message *m, struct args *a, unsigned version)
{
	int r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r < 0)
		die("%s: %s", prog, strerror(-r));
	while (a->i < a->n) {
		char name[128];
		const char *spec = next_arg(a, "property name");
		const char *sig = next_arg(a, "property signature");
		size_t l = type_len(sig);
		if (!l || sig[l])
			die("%s: property %s: bad signature \"%s\"", prog, spec, sig);
		const char *at = strchr(spec, '@');
		size_t nl = at ? (size_t)(at - spec) : strlen(spec);
		if (!nl || nl >= sizeof(name))
			die("%s: bad property name \"%s\"", prog, spec);
		memcpy(name, spec, nl);
		name[nl] = '\0';
		if (at && version && version < parse_unsigned(at + 1, 100000)) {
			append_one(NULL, sig, l, a);
			continue;
		}
		if ((r = sd_bus_message_open_container(m, 'r', "sv")) < 0 ||
		    (r = sd_bus_message_append_basic(m, 's', name)) < 0)
			die("%s: %s", prog, strerror(-r));
		open_container(m, 'v', sig, l);
		append_one(m, sig, l, a);
		close_container(m);
		close_container(m);
	}
	close_container(m);
}

/* --- jobs ------------------------------------------------------------------ */

struct job_seen {
	char path[256];
	char result[32];
};

struct jobs {
	struct job_seen v[64];
	size_t n;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct jobs *j = userdata;
	uint32_t id;
	const char *path, *unit, *result;
	if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	struct job_seen *s = &j->v[j->n < 64 ? j->n++ : 63];
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(s->result, sizeof(s->result), "%s", result);
	return 0;
}

/* Listen for JobRemoved before the call that makes the job. */
static void watch_jobs(struct bus *bus, struct jobs *j)
{
	int r = sd_bus_match_signal(bus->b, NULL, bus->direct ? NULL : SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved",
				    on_job_removed, j);
	if (r < 0)
		die("%s: watch systemd's jobs: %s", prog, strerror(-r));
	if (bus->direct)
		return;
	/* On the system bus systemd only sends its signals once subscribed. */
	sd_bus_error err = SD_BUS_ERROR_NULL;
	if ((r = sd_bus_call_method(bus->b, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &err, NULL, "")) < 0)
		die("%s: subscribe to systemd's signals: %s", prog, err.message ? err.message : strerror(-r));
}

static uint64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Wait for the job at path to be removed; its result ("done", "failed",
 * "canceled", "timeout", "dependency", "skipped"), or NULL on timeout. */
static const char *wait_job(struct bus *bus, struct jobs *j, const char *path)
{
	uint64_t deadline = now_usec() + JOB_TIMEOUT_USEC;
	for (;;) {
		for (size_t i = 0; i < j->n; i++)
			if (!strcmp(j->v[i].path, path))
				return j->v[i].result;
		int r = sd_bus_process(bus->b, NULL);
		if (r < 0)
			die("%s: waiting for job %s: %s", prog, path, strerror(-r));
		if (r > 0)
			continue;
		uint64_t now = now_usec();
		if (now >= deadline)
			return NULL;
		if ((r = sd_bus_wait(bus->b, deadline - now)) < 0 && r != -EINTR)
			die("%s: waiting for job %s: %s", prog, path, strerror(-r));
	}
}

/* --- the commands ---------------------------------------------------------- */

static bool unit_active(struct bus *bus, const char *unit)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path;
	char *state = NULL;
	bool active = true;	/* when in doubt, do not reset it */
	if (sd_bus_call_method(bus->b, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &err, &reply, "s", unit) >= 0 &&
	    sd_bus_message_read(reply, "o", &path) >= 0 &&
	    sd_bus_get_property_string(bus->b, SD_DEST, path, "org.freedesktop.systemd1.Unit", "ActiveState",
				       &err, &state) >= 0)
		active = strcmp(state, "failed") && strcmp(state, "inactive");
	free(state);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	return active;
}

static void reset_failed(struct bus *bus, const char *unit)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_call_method(bus->b, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", &err, NULL, "s", unit);
	sd_bus_error_free(&err);
}

static int cmd_start(struct bus *bus, const char *unit, struct args *a)
{
	struct jobs jobs = { .n = 0 };
	unsigned version = systemd_version(bus);
	watch_jobs(bus, &jobs);
	int start_args = a->i;
	for (int attempt = 0;; attempt++) {
		sd_bus_message *m = NULL, *reply = NULL;
		sd_bus_error err = SD_BUS_ERROR_NULL;
		int r = sd_bus_message_new_method_call(bus->b, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
		if (r < 0 || (r = sd_bus_message_append(m, "ss", unit, "fail")) < 0)
			die("%s: %s", prog, strerror(-r));
		a->i = start_args;
		append_properties(m, a, version);
		/* No auxiliary units. */
		if ((r = sd_bus_message_append(m, "a(sa(sv))", 0)) < 0)
			die("%s: %s", prog, strerror(-r));
		r = sd_bus_call(bus->b, m, 0, &err, &reply);
		sd_bus_message_unref(m);
		if (r < 0) {
			/* A failed unit of the same name (an earlier container
			 * of this name that died) is reset and tried once more. */
			if (attempt == 0 && sd_bus_error_has_name(&err, "org.freedesktop.systemd1.UnitExists") &&
			    !unit_active(bus, unit)) {
				sd_bus_error_free(&err);
				reset_failed(bus, unit);
				continue;
			}
			die("start unit %s: %s", unit, err.message ? err.message : strerror(-r));
		}
		const char *path;
		if ((r = sd_bus_message_read(reply, "o", &path)) < 0)
			die("start unit %s: bad reply: %s", unit, strerror(-r));
		const char *result = wait_job(bus, &jobs, path);
		if (!result) {
			/* Not left half made: the runtime takes it as never started. */
			sd_bus_call_method(bus->b, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit", NULL, NULL, "ss", unit,
					   "replace");
			die("start unit %s: systemd did not finish the job in %llu s", unit,
			    JOB_TIMEOUT_USEC / 1000000);
		}
		if (strcmp(result, "done")) {
			reset_failed(bus, unit);
			die("start unit %s: the job ended with \"%s\" (journalctl -u %s may say why)", unit, result,
			    unit);
		}
		sd_bus_message_unref(reply);
		return 0;
	}
}

static int cmd_set(struct bus *bus, const char *unit, struct args *a)
{
	sd_bus_message *m = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int r = sd_bus_message_new_method_call(bus->b, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
	if (r < 0 || (r = sd_bus_message_append(m, "sb", unit, 1)) < 0)
		die("%s: %s", prog, strerror(-r));
	append_properties(m, a, systemd_version(bus));
	if ((r = sd_bus_call(bus->b, m, 0, &err, NULL)) < 0)
		die("set properties of unit %s: %s", unit, err.message ? err.message : strerror(-r));
	sd_bus_message_unref(m);
	return 0;
}

static int cmd_stop(struct bus *bus, const char *unit)
{
	struct jobs jobs = { .n = 0 };
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	watch_jobs(bus, &jobs);
	int r = sd_bus_call_method(bus->b, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit", &err, &reply, "ss", unit,
				   "replace");
	if (r < 0) {
		/* Gone already: a scope stops by itself once its processes are. */
		if (sd_bus_error_has_name(&err, "org.freedesktop.systemd1.NoSuchUnit"))
			return 0;
		die("stop unit %s: %s", unit, err.message ? err.message : strerror(-r));
	}
	const char *path;
	if ((r = sd_bus_message_read(reply, "o", &path)) < 0)
		die("stop unit %s: bad reply: %s", unit, strerror(-r));
	const char *result = wait_job(bus, &jobs, path);
	if (!result)
		die("stop unit %s: systemd did not finish the job in %llu s", unit, JOB_TIMEOUT_USEC / 1000000);
	/* A unit that failed stays loaded until reset. */
	reset_failed(bus, unit);
	if (strcmp(result, "done"))
		die("stop unit %s: the job ended with \"%s\"", unit, result);
	sd_bus_message_unref(reply);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		die("usage: %s start|set UNIT PROPERTY... | stop UNIT", prog);
	const char *cmd = argv[1], *unit = argv[2];
	struct args a = { .v = argv, .n = argc, .i = 3 };
	struct bus bus = { 0 };
	bus_open(&bus);
	int r;
	if (!strcmp(cmd, "start"))
		r = cmd_start(&bus, unit, &a);
	else if (!strcmp(cmd, "set"))
		r = cmd_set(&bus, unit, &a);
	else if (!strcmp(cmd, "stop") && argc == 3)
		r = cmd_stop(&bus, unit);
	else
		die("usage: %s start|set UNIT PROPERTY... | stop UNIT", prog);
	sd_bus_flush_close_unref(bus.b);
	return r ? 1 : 0;
}
