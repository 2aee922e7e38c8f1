/* Capability sets from process.capabilities. Sets are handled as 64-bit masks:
 * the kernel's capability ABI has 64 bits, so no capability number exceeds 63. */
#include "lib/process/capabilities.h"
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

enum { SET_BOUNDING, SET_EFFECTIVE, SET_INHERITABLE, SET_PERMITTED, SET_AMBIENT, SET__COUNT };

struct capset_list {
	char **names;
	size_t n;
};

static void cap_lists(const struct spec_caps *c, struct capset_list l[SET__COUNT])
{
	l[SET_BOUNDING] = (struct capset_list){ c->bounding, c->n_bounding };
	l[SET_EFFECTIVE] = (struct capset_list){ c->effective, c->n_effective };
	l[SET_INHERITABLE] = (struct capset_list){ c->inheritable, c->n_inheritable };
	l[SET_PERMITTED] = (struct capset_list){ c->permitted, c->n_permitted };
	l[SET_AMBIENT] = (struct capset_list){ c->ambient, c->n_ambient };
}

static int last_cap(void)
{
	int n = (int)cap_max_bits();
	if (n > 64)
		n = 64;
	return n - 1;
}

/* "CAP_KILL" -> CAP_KILL; -1 when the name is not a capability of this kernel. */
static int cap_number(const char *name)
{
	char lower[64];
	size_t len = strlen(name);
	if (len < 5 || len >= sizeof(lower) || strncmp(name, "CAP_", 4) != 0)
		return -1;
	for (size_t i = 0; i <= len; i++) {
		if (islower((unsigned char)name[i]))
			return -1;	/* runc only knows the upper-case spelling */
		lower[i] = (char)tolower((unsigned char)name[i]);
	}
	cap_value_t v;
	if (cap_from_name(lower, &v) < 0 || v < 0 || v > last_cap())
		return -1;
	return v;
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
	for (int c = 0; c <= last_cap(); c++) {
		if (keep & (UINT64_C(1) << c))
			continue;
		/* Already absent (or unknown to the kernel): nothing to drop. */
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) <= 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return oerr_set(e, errno, "drop capability %d from the bounding set", c);
	}
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

static uint64_t flag_mask(cap_t c, cap_flag_t f)
{
	uint64_t m = 0;
	for (int v = 0; v <= last_cap(); v++) {
		cap_flag_value_t val = CAP_CLEAR;
		if (cap_get_flag(c, v, f, &val) == 0 && val == CAP_SET)
			m |= UINT64_C(1) << v;
	}
	return m;
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
	cap_t c = cap_init();
	if (!c)
		return oerr_set(e, errno, "set capabilities");
	int ret = 0;
	for (int v = 0; v <= last_cap() && ret == 0; v++) {
		cap_value_t one[1] = { v };
		uint64_t bit = UINT64_C(1) << v;
		if (((eff & bit) && cap_set_flag(c, CAP_EFFECTIVE, 1, one, CAP_SET) < 0) ||
		    ((perm & bit) && cap_set_flag(c, CAP_PERMITTED, 1, one, CAP_SET) < 0) ||
		    ((inh & bit) && cap_set_flag(c, CAP_INHERITABLE, 1, one, CAP_SET) < 0))
			ret = oerr_set(e, errno, "set capabilities");
	}
	if (ret == 0 && cap_set_proc(c) < 0)
		ret = oerr_set(e, errno, "set capabilities");
	cap_free(c);
	return ret;
}

int caps_apply(const struct spec_process *p, struct oerr *e)
{
	struct spec_caps none = { 0 };
	struct capset_list l[SET__COUNT];
	cap_lists(p->has_capabilities ? &p->capabilities : &none, l);
	warn_unknown(l);

	cap_t cur = cap_get_proc();
	if (!cur)
		return oerr_set(e, errno, "read current capabilities");
	uint64_t cur_perm = flag_mask(cur, CAP_PERMITTED), cur_inh = flag_mask(cur, CAP_INHERITABLE);
	cap_free(cur);
	uint64_t bound = 0;
	for (int v = 0; v <= last_cap(); v++)
		if (prctl(PR_CAPBSET_READ, v, 0, 0, 0) > 0)
			bound |= UINT64_C(1) << v;

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
