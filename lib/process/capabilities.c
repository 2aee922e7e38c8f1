/* Capability sets from process.capabilities. Sets are handled as 64-bit masks:
 * the kernel's capability ABI has 64 bits, so no capability number exceeds 63.
 * No libcap: its constructor alone probes the bounding set in every ocirt
 * process, and the few calls needed here are capget, capset and prctl. */
#include "lib/process/capabilities.h"
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { SET_BOUNDING, SET_EFFECTIVE, SET_INHERITABLE, SET_PERMITTED, SET_AMBIENT, SET__COUNT };

struct capset_list {
	char **names;
	size_t n;
};

/* The capabilities by number, as linux/capability.h names them. */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
	"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
	"CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *caps_name(int c)
{
	return c >= 0 && c < (int)(sizeof(cap_names) / sizeof(cap_names[0])) ? cap_names[c] : NULL;
}

int caps_get(uint64_t *eff, uint64_t *perm, uint64_t *inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

int caps_set(uint64_t eff, uint64_t perm, uint64_t inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
	};
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static void cap_lists(const struct spec_caps *c, struct capset_list l[SET__COUNT])
{
	l[SET_BOUNDING] = (struct capset_list){ c->bounding, c->n_bounding };
	l[SET_EFFECTIVE] = (struct capset_list){ c->effective, c->n_effective };
	l[SET_INHERITABLE] = (struct capset_list){ c->inheritable, c->n_inheritable };
	l[SET_PERMITTED] = (struct capset_list){ c->permitted, c->n_permitted };
	l[SET_AMBIENT] = (struct capset_list){ c->ambient, c->n_ambient };
}

/* What this process knows of the kernel and of its bounding set, learnt once:
 * the highest capability number the kernel has (-1: not yet known), and the
 * bounding set as caps_drop_bounding left it (valid once bset_known). */
static int kernel_last_cap = -1;
static uint64_t bset;
static bool bset_known;

/* The kernel's last capability: PR_CAPBSET_READ says EINVAL past it. */
static int last_cap(void)
{
	if (kernel_last_cap >= 0)
		return kernel_last_cap;
	int lo = 0, hi = 63;	/* lo is known; CAP_CHOWN (0) always is */
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) < 0 && errno == EINVAL)
			hi = mid - 1;
		else
			lo = mid;
	}
	return kernel_last_cap = lo;
}

/* The bounding set, one PR_CAPBSET_READ per capability up to the kernel's
 * last, which the first EINVAL gives away. */
static uint64_t read_bounding(void)
{
	uint64_t m = 0;
	int c;
	for (c = 0; c < 64; c++) {
		int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (r < 0 && errno == EINVAL)
			break;
		if (r > 0)
			m |= UINT64_C(1) << c;
	}
	if (kernel_last_cap < 0 && c > 0)
		kernel_last_cap = c - 1;
	return m;
}

/* "CAP_KILL" -> CAP_KILL; -1 when the name is not a capability of this
 * kernel (runc only knows the upper-case spelling). */
static int cap_number(const char *name)
{
	for (int v = 0; caps_name(v); v++)
		if (!strcmp(name, caps_name(v)))
			return v <= last_cap() ? v : -1;
	return -1;
}

static uint64_t names_mask(const struct capset_list *l)
{
	uint64_t m = 0;
	for (size_t i = 0; i < l->n; i++) {
		int v = cap_number(l->names[i]);
		if (v >= 0)
			m |= UINT64_C(1) << v;
	}
	return m;
}

int caps_drop_bounding(const struct spec_process *p, struct oerr *e)
{
	if (!p->has_capabilities)
		return 0;
	struct capset_list l[SET__COUNT];
	cap_lists(&p->capabilities, l);
	uint64_t keep = names_mask(&l[SET_BOUNDING]);
	/* Drop each unwanted one straight away: dropping one already gone is
	 * no error, and the first EINVAL is the kernel's last capability. Only
	 * a runtime without CAP_SETPCAP (EPERM) must look whether it is there. */
	int c;
	for (c = 0; c < 64; c++) {
		uint64_t bit = UINT64_C(1) << c;
		if (keep & bit)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL)
			break;
		int err = errno;
		if (err == EPERM) {
			int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
			if (r < 0 && errno == EINVAL)
				break;
			if (r == 0)
				continue;	/* absent already */
		}
		return oerr_set(e, err, "drop capability %d from the bounding set", c);
	}
	if (kernel_last_cap < 0 && c < 64)
		kernel_last_cap = c - 1;
	/* What is left is what is kept and was there. */
	bset = 0;
	for (c = 0; c <= last_cap(); c++)
		if ((keep & (UINT64_C(1) << c)) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0)
			bset |= UINT64_C(1) << c;
	bset_known = true;
	return 0;
}

/* One line per distinct unknown name, however many sets list it. */
static void warn_unknown(const struct capset_list l[SET__COUNT])
{
	for (int s = 0; s < SET__COUNT; s++)
		for (size_t i = 0; i < l[s].n; i++) {
			const char *name = l[s].names[i];
			if (cap_number(name) >= 0)
				continue;
			bool seen = false;
			for (int t = 0; t <= s && !seen; t++)
				for (size_t j = 0; j < (t == s ? i : l[t].n) && !seen; j++)
					seen = strcmp(l[t].names[j], name) == 0;
			if (!seen)
				fprintf(stderr, "ocirt: warning: capability %s is not known, ignored\n", name);
		}
}

static void warn_skip(const char *name, const char *set, const char *why)
{
	fprintf(stderr, "ocirt: warning: capability %s in the %s set %s, ignored\n", name, set, why);
}

/* Keep the listed capabilities that `allowed` holds; warn about the others. */
static uint64_t grantable(const struct capset_list *l, uint64_t allowed, const char *set, const char *why)
{
	uint64_t m = 0;
	for (size_t i = 0; i < l->n; i++) {
		int v = cap_number(l->names[i]);
		if (v < 0)
			continue;
		if (allowed & (UINT64_C(1) << v))
			m |= UINT64_C(1) << v;
		else
			warn_skip(l->names[i], set, why);
	}
	return m;
}

static int set_proc(uint64_t eff, uint64_t perm, uint64_t inh, struct oerr *e)
{
	int r = caps_set(eff, perm, inh);
	return r < 0 ? oerr_set(e, -r, "set capabilities") : 0;
}

int caps_apply(const struct spec_process *p, struct oerr *e)
{
	struct spec_caps none = { 0 };
	struct capset_list l[SET__COUNT];
	cap_lists(p->has_capabilities ? &p->capabilities : &none, l);
	warn_unknown(l);

	uint64_t cur_eff, cur_perm, cur_inh;
	int r = caps_get(&cur_eff, &cur_perm, &cur_inh);
	if (r < 0)
		return oerr_set(e, -r, "read current capabilities");
	uint64_t known = last_cap() >= 63 ? UINT64_MAX : (UINT64_C(1) << (last_cap() + 1)) - 1;
	cur_perm &= known;
	cur_inh &= known;
	uint64_t bound = bset_known ? bset : read_bounding();

	uint64_t perm = grantable(&l[SET_PERMITTED], cur_perm, "permitted", "is not held by the runtime");
	uint64_t eff = grantable(&l[SET_EFFECTIVE], perm, "effective", "is not in the permitted set");
	/* The kernel caps a new inheritable set by the old inheritable and permitted,
	 * and by the bounding set. */
	uint64_t inh = grantable(&l[SET_INHERITABLE], (cur_perm & bound) | cur_inh, "inheritable",
				 "is not held by the runtime");
	uint64_t amb = grantable(&l[SET_AMBIENT], perm & inh, "ambient",
				 "is not in both the permitted and inheritable sets");

	int ret = set_proc(eff, perm, inh, e);
	if (ret < 0)
		return ret;
	/* Nothing of the runtime's own ambient set may reach the container. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return oerr_set(e, errno, "clear ambient capabilities");
	for (int v = 0; v <= last_cap(); v++)
		if ((amb & (UINT64_C(1) << v)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0)
			return oerr_set(e, errno, "raise ambient capability %d", v);
	return 0;
}

bool caps_lost_at_exec(const struct spec_process *p)
{
	if (!p->has_capabilities || p->user.uid == 0)
		return false;
	struct capset_list l[SET__COUNT];
	cap_lists(&p->capabilities, l);
	return (names_mask(&l[SET_EFFECTIVE]) & ~names_mask(&l[SET_AMBIENT])) != 0;
}
