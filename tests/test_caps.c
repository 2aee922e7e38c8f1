/* Capability handling of the container process (lib/process/capabilities.h), checked
 * on real processes: each case runs in a forked child that applies a
 * process.capabilities object and reports its /proc/self/status sets and its
 * warnings. Needs root; skipped otherwise. TAP output. */
#include "lib/process/capabilities.h"
#include "lib/process/identity.h"
#include "base/util.h"
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "tap.h"



#define BIT(c) (UINT64_C(1) << (c))

struct result {
	int rc;			/* first failing step's return value, 0 when all passed */
	char err[1024];
	uint64_t inh, prm, eff, bnd, amb;
	uid_t uid;
	char warnings[4096];	/* everything the child wrote to stderr */
};

/* What a case does in the child before the capability calls. */
typedef void (*setup_fn)(void);

static uint64_t status_mask(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : UINT64_MAX;
}

static void run_child(int out, int errpipe, const struct spec_process *p, setup_fn setup, bool switch_user)
{
	struct result r = { 0 };
	struct oerr e = { 0 };
	dup2(errpipe, 2);
	if (setup)
		setup();
	r.rc = caps_drop_bounding(p, &e);
	if (r.rc == 0 && switch_user)
		r.rc = user_switch(p, &e);
	if (r.rc == 0)
		r.rc = caps_apply(p, &e);
	snprintf(r.err, sizeof(r.err), "%s", r.rc ? e.msg : "");
	_cleanup_free_ char *status = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/status", &status, NULL, &e) == 0) {
		r.inh = status_mask(status, "CapInh:");
		r.prm = status_mask(status, "CapPrm:");
		r.eff = status_mask(status, "CapEff:");
		r.bnd = status_mask(status, "CapBnd:");
		r.amb = status_mask(status, "CapAmb:");
	}
	r.uid = geteuid();
	fflush(stderr);
	write_all(out, &r, sizeof(r));
	_exit(0);
}

static void run_case(const struct spec_process *p, setup_fn setup, bool switch_user, struct result *r)
{
	int out[2], errp[2];
	memset(r, 0, sizeof(*r));
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		printf("Bail out! pipe: %s\n", strerror(errno));
		exit(1);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		printf("Bail out! fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0)
		run_child(out[1], errp[1], p, setup, switch_user);
	close(out[1]);
	close(errp[1]);
	if (read_all(out[0], r, sizeof(*r)) < 0)
		r->rc = -EPIPE;
	size_t len = 0;
	ssize_t n;
	while (len + 1 < sizeof(r->warnings) &&
	       (n = read(errp[0], r->warnings + len, sizeof(r->warnings) - 1 - len)) > 0)
		len += (size_t)n;
	r->warnings[len] = '\0';
	close(out[0]);
	close(errp[0]);
	waitpid(pid, NULL, 0);
}

static uint64_t own_bounding(void)
{
	uint64_t m = 0;
	for (int c = 0; c <= CAP_LAST_CAP && c < 64; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0)
			m |= BIT(c);
	return m;
}

/* A runtime that itself lacks CAP_SYS_NICE (bounding and permitted), like a
 * host whose bounding set misses a capability. */
static void lose_sys_nice(void)
{
	prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0);
	cap_t c = cap_get_proc();
	cap_value_t v[1] = { CAP_SYS_NICE };
	cap_set_flag(c, CAP_PERMITTED, 1, v, CAP_CLEAR);
	cap_set_flag(c, CAP_EFFECTIVE, 1, v, CAP_CLEAR);
	cap_set_proc(c);
	cap_free(c);
}

/* An inheritable capability the runtime happens to carry must not leak. */
static void preset_inheritable(void)
{
	cap_t c = cap_get_proc();
	cap_value_t v[2] = { CAP_KILL, CAP_CHOWN };
	cap_set_flag(c, CAP_INHERITABLE, 2, v, CAP_SET);
	cap_set_proc(c);
	cap_free(c);
}

#define NAMES(...) ((char *[]){ __VA_ARGS__, NULL })
#define COUNT(...) (sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *))
#define SET(p, field, ...) ((p).capabilities.field = NAMES(__VA_ARGS__), \
			    (p).capabilities.n_##field = COUNT(__VA_ARGS__))

static void test_exact_sets(void)
{
	struct spec_process p = { .has_capabilities = true };
	SET(p, bounding, "CAP_KILL", "CAP_CHOWN", "CAP_NET_BIND_SERVICE");
	SET(p, permitted, "CAP_KILL", "CAP_CHOWN");
	SET(p, effective, "CAP_KILL");
	struct result r;
	run_case(&p, preset_inheritable, false, &r);
	ok(r.rc == 0, "known names apply", "rc %d: %s", r.rc, r.err);
	ok(r.bnd == (BIT(CAP_KILL) | BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE)),
	   "bounding keeps exactly the listed capabilities", "CapBnd %016" PRIx64, r.bnd);
	ok(r.prm == (BIT(CAP_KILL) | BIT(CAP_CHOWN)), "permitted as listed", "CapPrm %016" PRIx64, r.prm);
	ok(r.eff == BIT(CAP_KILL), "effective as listed", "CapEff %016" PRIx64, r.eff);
	ok(r.inh == 0, "no inheritable list: the runtime's inheritable caps do not leak",
	   "CapInh %016" PRIx64, r.inh);
	ok(r.amb == 0, "no ambient list: ambient empty", "CapAmb %016" PRIx64, r.amb);
	ok(r.warnings[0] == '\0', "no warning for known names", "stderr: %s", r.warnings);
}

static void test_unknown_names(void)
{
	struct spec_process p = { .has_capabilities = true };
	SET(p, bounding, "CAP_KILL", "CAP_FOO", "cap_chown", "CAP_", "");
	SET(p, permitted, "CAP_KILL", "CAP_NOT_A_CAP");
	SET(p, effective, "CAP_KILL");
	struct result r;
	run_case(&p, NULL, false, &r);
	ok(r.rc == 0, "unknown names are not an error", "rc %d: %s", r.rc, r.err);
	ok(strstr(r.warnings, "warning") && strstr(r.warnings, "CAP_FOO"), "unknown name warns",
	   "stderr: %s", r.warnings);
	ok(strstr(r.warnings, "CAP_NOT_A_CAP") != NULL, "unknown name in another set warns",
	   "stderr: %s", r.warnings);
	/* runc only knows the upper-case spelling. */
	ok(strstr(r.warnings, "cap_chown") != NULL && !(r.bnd & BIT(CAP_CHOWN)),
	   "lower-case name is unknown", "CapBnd %016" PRIx64 ", stderr: %s", r.bnd, r.warnings);
	ok(r.bnd == BIT(CAP_KILL) && r.prm == BIT(CAP_KILL) && r.eff == BIT(CAP_KILL),
	   "known names among unknown ones still apply",
	   "CapBnd %016" PRIx64 " CapPrm %016" PRIx64 " CapEff %016" PRIx64, r.bnd, r.prm, r.eff);
}

static void test_not_grantable(void)
{
	struct spec_process p = { .has_capabilities = true };
	SET(p, bounding, "CAP_KILL", "CAP_SYS_NICE");
	SET(p, permitted, "CAP_KILL", "CAP_SYS_NICE");
	SET(p, effective, "CAP_KILL", "CAP_SYS_NICE");
	SET(p, inheritable, "CAP_SYS_NICE");
	struct result r;
	run_case(&p, lose_sys_nice, false, &r);
	ok(r.rc == 0, "a capability the runtime lacks is not an error", "rc %d: %s", r.rc, r.err);
	ok(strstr(r.warnings, "CAP_SYS_NICE") != NULL, "a capability the runtime lacks warns",
	   "stderr: %s", r.warnings);
	ok(r.prm == BIT(CAP_KILL) && r.eff == BIT(CAP_KILL) && r.inh == 0 && r.bnd == BIT(CAP_KILL),
	   "the grantable rest is applied",
	   "CapBnd %016" PRIx64 " CapPrm %016" PRIx64 " CapEff %016" PRIx64 " CapInh %016" PRIx64,
	   r.bnd, r.prm, r.eff, r.inh);
}

static void test_ambient_non_root(void)
{
	struct spec_process p = { .has_capabilities = true, .user = { .uid = 1000, .gid = 1000 } };
	SET(p, bounding, "CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW");
	SET(p, permitted, "CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW");
	SET(p, effective, "CAP_KILL", "CAP_CHOWN");
	SET(p, inheritable, "CAP_KILL", "CAP_NET_RAW");
	SET(p, ambient, "CAP_KILL", "CAP_CHOWN");
	struct result r;
	run_case(&p, NULL, true, &r);
	ok(r.rc == 0 && r.uid == 1000, "user switch then caps", "rc %d uid %u: %s", r.rc, (unsigned)r.uid, r.err);
	ok(r.prm == (BIT(CAP_KILL) | BIT(CAP_CHOWN) | BIT(CAP_NET_RAW)) &&
	   r.eff == (BIT(CAP_KILL) | BIT(CAP_CHOWN)),
	   "non-root keeps the listed permitted and effective sets",
	   "CapPrm %016" PRIx64 " CapEff %016" PRIx64, r.prm, r.eff);
	ok(r.inh == (BIT(CAP_KILL) | BIT(CAP_NET_RAW)), "inheritable as listed", "CapInh %016" PRIx64, r.inh);
	ok(r.amb == BIT(CAP_KILL), "ambient raised only where permitted and inheritable",
	   "CapAmb %016" PRIx64, r.amb);
	ok(strstr(r.warnings, "CAP_CHOWN") != NULL, "ambient without inheritable warns", "stderr: %s",
	   r.warnings);
}

static void test_no_capabilities_object(void)
{
	struct spec_process p = { 0 };
	uint64_t bnd = own_bounding();
	struct result r;
	run_case(&p, preset_inheritable, false, &r);
	ok(r.rc == 0, "no capabilities object", "rc %d: %s", r.rc, r.err);
	ok(r.prm == 0 && r.eff == 0 && r.inh == 0 && r.amb == 0,
	   "no capabilities object: effective, permitted, inheritable, ambient empty",
	   "CapPrm %016" PRIx64 " CapEff %016" PRIx64 " CapInh %016" PRIx64 " CapAmb %016" PRIx64,
	   r.prm, r.eff, r.inh, r.amb);
	ok(r.bnd == bnd, "no capabilities object: bounding set untouched",
	   "CapBnd %016" PRIx64 ", runtime's %016" PRIx64, r.bnd, bnd);
}

static void test_empty_object(void)
{
	struct spec_process p = { .has_capabilities = true };
	struct result r;
	run_case(&p, NULL, false, &r);
	ok(r.rc == 0 && r.bnd == 0 && r.prm == 0 && r.eff == 0 && r.inh == 0 && r.amb == 0,
	   "empty capabilities object drops everything, bounding included",
	   "rc %d CapBnd %016" PRIx64 " CapPrm %016" PRIx64, r.rc, r.bnd, r.prm);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to change capability sets\n");
		return 0;
	}
	test_exact_sets();
	test_unknown_names();
	test_not_grantable();
	test_ambient_non_root();
	test_no_capabilities_object();
	test_empty_object();
	return tap_done();
}
