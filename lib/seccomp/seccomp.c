#include "lib/seccomp/seccomp.h"
#include "base/util.h"
#include <ctype.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* libseccomp learnt SCMP_FLTATR_CTL_WAITKILL in 2.6.0. */
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define HAVE_SCMP_WAITKILL 1
#else
#define HAVE_SCMP_WAITKILL 0
#endif

/* libseccomp (<= 2.5.4) misbehaves with the binary tree optimisation and no
 * rules; it only pays off on long rule sets anyway. */
#define OPTIMIZE_MIN_RULES 32

enum { ERRNO_NONE, ERRNO_TAKES };

static const struct action_def {
	const char *name;
	uint32_t act;		/* errno-taking actions: the base, data bits 0 */
	int errno_kind;
	unsigned api;		/* libseccomp API level needed */
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, ERRNO_NONE, 0 },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, ERRNO_NONE, 0 },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ERRNO_NONE, 3 },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, ERRNO_NONE, 0 },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), ERRNO_TAKES, 0 },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), ERRNO_TAKES, 0 },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, ERRNO_NONE, 0 },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, ERRNO_NONE, 3 },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, ERRNO_NONE, 5 },
};

static const struct op_def {
	const char *name;
	enum scmp_compare op;
} ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* What the spec's flags ask for: libseccomp attributes where it has them,
 * plus the raw seccomp(2) flags for the case we load the program ourselves. */
struct flags {
	bool tsync, log, spec_allow, wait_killable;
};

const char *libseccomp_version(char *buf, size_t len)
{
	const struct scmp_version *v = seccomp_version();
	snprintf(buf, len, "%u.%u.%u", v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
	return buf;
}

/* what: "defaultAction" or "syscalls[3].action", for messages. */
static int resolve_action(const char *name, bool has_errno, uint32_t errno_ret, const char *what, uint32_t *out,
			  struct oerr *e)
{
	const struct action_def *a = NULL;
	for (size_t i = 0; name && i < ARRAY_SIZE(actions); i++)
		if (strcmp(name, actions[i].name) == 0)
			a = &actions[i];
	if (!a)
		return oerr_setx(e, EINVAL, "seccomp: %s: unknown action \"%s\"", what, name ? name : "");
	unsigned api = seccomp_api_get();
	if (api < a->api) {
		char v[32];
		return oerr_setx(e, EOPNOTSUPP, "seccomp: %s: %s is not supported by libseccomp %s and this kernel (API level %u, need %u)",
				 what, name, libseccomp_version(v, sizeof(v)), api, a->api);
	}
	if (a->errno_kind == ERRNO_NONE) {
		if (has_errno)
			return oerr_setx(e, EINVAL, "seccomp: %s: %s does not take an errno return value", what, name);
		*out = a->act;
		return 0;
	}
	uint32_t ret = has_errno ? errno_ret : EPERM;
	if (ret > 0xffff)
		return oerr_setx(e, EINVAL, "seccomp: %s: errno return value %u out of range", what, ret);
	*out = a->act | ret;
	return 0;
}

static int resolve_op(const struct spec_seccomp_arg *a, enum scmp_compare *out)
{
	if (!a->op) {
		if (a->op_num <= _SCMP_CMP_MIN || a->op_num >= _SCMP_CMP_MAX)
			return -EINVAL;
		*out = (enum scmp_compare)a->op_num;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (strcmp(a->op, ops[i].name) == 0) {
			*out = ops[i].op;
			return 0;
		}
	return -EINVAL;
}

/* The libseccomp token of an SCMP_ARCH_* name. */
static int arch_token(const char *name, uint32_t *arch, struct oerr *e)
{
	static const char prefix[] = "SCMP_ARCH_";
	/* libseccomp's own names are the constants' lowercased tails. */
	char lower[32];
	size_t n = strlen(name);
	if (strncmp(name, prefix, sizeof(prefix) - 1) != 0 || n - (sizeof(prefix) - 1) >= sizeof(lower))
		return oerr_setx(e, EINVAL, "seccomp: unknown architecture \"%s\"", name);
	for (n = 0; name[sizeof(prefix) - 1 + n]; n++)
		lower[n] = (char)tolower((unsigned char)name[sizeof(prefix) - 1 + n]);
	lower[n] = '\0';
	*arch = seccomp_arch_resolve_name(lower);
	if (*arch == 0) {
		char v[32];
		return oerr_setx(e, EOPNOTSUPP, "seccomp: architecture %s is not supported by libseccomp %s",
				 name, libseccomp_version(v, sizeof(v)));
	}
	return 0;
}

static int add_arches(scmp_filter_ctx ctx, const struct spec_seccomp *sc, struct oerr *e)
{
	for (size_t i = 0; i < sc->n_architectures; i++) {
		uint32_t arch;
		int r = arch_token(sc->architectures[i], &arch, e);
		if (r < 0)
			return r;
		r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST)	/* the native one is always there */
			return oerr_set(e, -r, "seccomp: add architecture %s", sc->architectures[i]);
	}
	return 0;
}

/* The filter flags, and the libseccomp API level (what it and the kernel
 * can do) each needs. */
static const struct { const char *name; size_t off; unsigned api; } defs[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", offsetof(struct flags, tsync), 2 },
	{ "SECCOMP_FILTER_FLAG_LOG", offsetof(struct flags, log), 3 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", offsetof(struct flags, spec_allow), 4 },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", offsetof(struct flags, wait_killable), 5 },
};

bool seccomp_flag_supported(const char *name)
{
	for (size_t j = 0; j < ARRAY_SIZE(defs); j++)
		if (!strcmp(name, defs[j].name))
			return seccomp_api_get() >= defs[j].api;
	return false;
}

/* libseccomp knows it, and it goes into a filter with the native
 * architecture (not one of the other byte order: EDOM). */
bool seccomp_arch_supported(const char *name)
{
	uint32_t arch;
	struct oerr ignored;
	if (arch_token(name, &arch, &ignored) < 0)
		return false;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return false;
	int r = seccomp_arch_add(ctx, arch);
	seccomp_release(ctx);
	return r == 0 || r == -EEXIST;
}

static int parse_flags(const struct spec_seccomp *sc, struct flags *f, struct oerr *e)
{
	unsigned api = seccomp_api_get();
	for (size_t i = 0; i < sc->n_flags; i++) {
		size_t j = 0;
		while (j < ARRAY_SIZE(defs) && strcmp(sc->flags[i], defs[j].name) != 0)
			j++;
		if (j == ARRAY_SIZE(defs))
			return oerr_setx(e, EINVAL, "seccomp: unknown flag \"%s\"", sc->flags[i]);
		if (api < defs[j].api) {
			char v[32];
			return oerr_setx(e, EOPNOTSUPP, "seccomp: flag %s is not supported by libseccomp %s and this kernel (API level %u, need %u)",
					 sc->flags[i], libseccomp_version(v, sizeof(v)), api, defs[j].api);
		}
		*(bool *)((char *)f + defs[j].off) = true;
	}
	return 0;
}

static int set_attrs(scmp_filter_ctx ctx, const struct flags *f, size_t n_rules, bool notify, struct oerr *e)
{
	/* no_new_privs is the process setup's decision (process.noNewPrivileges). */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return oerr_set(e, -r, "seccomp: clear the no_new_privs attribute");
	/* Report the kernel's errno on load failure, not -ECANCELED. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (n_rules > OPTIMIZE_MIN_RULES)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (f->tsync && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0)
		return oerr_set(e, -r, "seccomp: flag SECCOMP_FILTER_FLAG_TSYNC");
	if (f->log && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1)) < 0)
		return oerr_set(e, -r, "seccomp: flag SECCOMP_FILTER_FLAG_LOG");
	if (f->spec_allow && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1)) < 0)
		return oerr_set(e, -r, "seccomp: flag SECCOMP_FILTER_FLAG_SPEC_ALLOW");
#if HAVE_SCMP_WAITKILL
	/* Without a listener the flag has nothing to act on, and the kernel
	 * rejects it without SECCOMP_FILTER_FLAG_NEW_LISTENER. */
	if (f->wait_killable && notify && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_WAITKILL, 1)) < 0)
		return oerr_set(e, -r, "seccomp: flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
#endif
	return 0;
}

static void warn_unknown_syscall(const char *name)
{
	fprintf(stderr, "warning: seccomp: unknown syscall \"%s\"\n", name);
}

/* Add one syscalls[] entry. *notify is set when a NOTIFY rule went in. */
static int add_entry(scmp_filter_ctx ctx, const struct spec_seccomp_syscall *sy, size_t idx, uint32_t def_act,
		     bool *notify, struct oerr *e)
{
	char what[64];
	snprintf(what, sizeof(what), "syscalls[%zu].action", idx);
	uint32_t act;
	int r = resolve_action(sy->action, sy->has_errno_ret, sy->errno_ret, what, &act, e);
	if (r < 0)
		return r;
	/* libseccomp refuses such a rule (EACCES) and it changes nothing. */
	if (act == def_act)
		return 0;

	_cleanup_free_ struct scmp_arg_cmp *cmp = calloc(sy->n_args ? sy->n_args : 1, sizeof(*cmp));
	if (!cmp)
		return oerr_set(e, ENOMEM, "seccomp: syscalls[%zu]", idx);
	unsigned per_index[6] = { 0 };
	bool repeated = false;
	for (size_t i = 0; i < sy->n_args; i++) {
		const struct spec_seccomp_arg *a = &sy->args[i];
		enum scmp_compare op;
		if (a->index >= ARRAY_SIZE(per_index))
			return oerr_setx(e, EINVAL, "seccomp: syscalls[%zu].args[%zu].index: %u is not below 6", idx, i, a->index);
		if (resolve_op(a, &op) < 0)
			return oerr_setx(e, EINVAL, "seccomp: syscalls[%zu].args[%zu].op: unknown operator \"%s\"", idx, i,
					 a->op ? a->op : "");
		repeated |= ++per_index[a->index] > 1;
		/* MASKED_EQ: (arg & value) == valueTwo; the others compare with value. */
		cmp[i] = (struct scmp_arg_cmp){ .arg = a->index, .op = op, .datum_a = a->value,
						.datum_b = op == SCMP_CMP_MASKED_EQ ? a->value_two : 0 };
	}

	for (size_t n = 0; n < sy->n_names; n++) {
		const char *name = sy->names[n];
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			warn_unknown_syscall(name);
			continue;
		}
		/* libseccomp compares an argument at most once per rule. When the
		 * profile compares one argument several times, each comparison
		 * becomes a rule of its own (so they match as alternatives), the
		 * way runc has always read such profiles. */
		if (!repeated) {
			r = seccomp_rule_add_array(ctx, act, nr, (unsigned)sy->n_args, cmp);
		} else {
			r = 0;
			for (size_t i = 0; i < sy->n_args && r == 0; i++)
				r = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
		}
		if (r < 0)
			return oerr_set(e, -r, "seccomp: add rule for syscall %s", name);
		if (act == SCMP_ACT_NOTIFY)
			*notify = true;
	}
	return 0;
}

/* Where the profile names no syscall of this number or above, the stub
 * answers ENOSYS (runc does the same): a syscall newer than the profile
 * cannot have been meant by it, and libc falls back from ENOSYS to an older
 * one (clone3 to clone, faccessat2 to faccessat), not from EPERM. Only for
 * a default action that refuses: one that lets syscalls through (ALLOW,
 * LOG, TRACE) stays as it is, and ERRNO(ENOSYS) already is. */
struct enosys_stub {
	struct sock_filter insn[64];
	unsigned short len;
};

#define X32_SYSCALL_BIT 0x40000000u
#define MAX_STUB_ARCHES 8

static bool refusing_default(uint32_t def_act)
{
	if (def_act == SCMP_ACT_ALLOW || def_act == SCMP_ACT_LOG || def_act == SCMP_ACT_ERRNO(ENOSYS))
		return false;
	return (def_act & SECCOMP_RET_ACTION_FULL) != SCMP_ACT_TRACE(0);
}

/* The highest number the profile names on arch; 0 when it names none there. */
static uint32_t max_named(const struct spec_seccomp *sc, uint32_t arch)
{
	uint32_t max = 0;
	for (size_t i = 0; i < sc->n_syscalls; i++)
		for (size_t n = 0; n < sc->syscalls[i].n_names; n++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, sc->syscalls[i].names[n]);
			if (nr >= 0 && (uint32_t)nr > max)	/* pseudo-syscalls are negative */
				max = (uint32_t)nr;
		}
	return max;
}

static void emit(struct enosys_stub *st, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	st->insn[st->len++] = (struct sock_filter){ .code = code, .jt = jt, .jf = jf, .k = k };
}

/* Builds the stub for every architecture of the filter; len 0: none needed.
 * Layout: load the arch; per arch a block that compares it, loads the number
 * and jumps to the ENOSYS return when above the highest named one, else to
 * the end; then the ENOSYS return; the filter follows. x32 shares x86_64's
 * audit arch and is told apart by the number's x32 bit. */
static int enosys_stub(const struct spec_seccomp *sc, struct enosys_stub *st, struct oerr *e)
{
	st->len = 0;
	uint32_t arches[MAX_STUB_ARCHES + 1];
	size_t n = 0;
	arches[n++] = seccomp_arch_native();
	for (size_t i = 0; i < sc->n_architectures; i++) {
		uint32_t a;
		int r = arch_token(sc->architectures[i], &a, e);
		if (r < 0)
			return r;
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			seen |= arches[j] == a;
		if (seen)
			continue;
		if (n == MAX_STUB_ARCHES)
			return 0;	/* more than any real profile: leave the filter alone */
		arches[n++] = a;
	}
	/* s390 multiplexes unknown syscalls through number 0: leave those alone */
	for (size_t j = 0; j < n; j++)
		if (arches[j] == SCMP_ARCH_S390 || arches[j] == SCMP_ARCH_S390X)
			return 0;
	uint32_t x32_max = 0;
	bool has_x32 = false;
	for (size_t j = 0; j < n; j++)
		if (arches[j] == SCMP_ARCH_X32) {
			has_x32 = true;
			x32_max = max_named(sc, SCMP_ARCH_X32);
		}

	/* Blocks are emitted with their jumps to the ENOSYS return and to the end
	 * as placeholders, patched below once both places are known. */
	enum { TO_ENOSYS = 1, TO_END = 2 };
	uint8_t fix[64] = { 0 };
	emit(st, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
	for (size_t j = 0; j < n; j++) {
		uint32_t a = arches[j];
		if (a == SCMP_ARCH_X32)
			continue;	/* within x86_64's block */
		uint32_t max = max_named(sc, a);
		bool x86_64 = a == SCMP_ARCH_X86_64;
		if (max == 0 && !(x86_64 && has_x32 && x32_max))
			continue;
		size_t start = st->len;
		emit(st, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, a);	/* jf: past this block */
		emit(st, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
		if (x86_64) {
			/* x32 numbers: their own highest, or the filter's own answer */
			emit(st, BPF_JMP | BPF_JSET | BPF_K, 0, 0, X32_SYSCALL_BIT);
			size_t jset = st->len - 1;
			if (max) {
				emit(st, BPF_JMP | BPF_JGT | BPF_K, 0, 0, max);
				fix[st->len - 1] = TO_ENOSYS;
			}
			emit(st, BPF_JA | BPF_JMP, 0, 0, 0);
			fix[st->len - 1] = TO_END;
			st->insn[jset].jt = (uint8_t)(st->len - jset - 1);
			if (has_x32 && x32_max) {
				emit(st, BPF_JMP | BPF_JGT | BPF_K, 0, 0, x32_max);
				fix[st->len - 1] = TO_ENOSYS;
			}
			emit(st, BPF_JA | BPF_JMP, 0, 0, 0);
			fix[st->len - 1] = TO_END;
		} else {
			emit(st, BPF_JMP | BPF_JGT | BPF_K, 0, 0, max);
			fix[st->len - 1] = TO_ENOSYS;
			emit(st, BPF_JA | BPF_JMP, 0, 0, 0);
			fix[st->len - 1] = TO_END;
		}
		st->insn[start].jf = (uint8_t)(st->len - start - 1);
	}
	if (st->len == 1) {	/* the profile names nothing we know */
		st->len = 0;
		return 0;
	}
	emit(st, BPF_JA | BPF_JMP, 0, 0, 0);	/* no arch matched */
	fix[st->len - 1] = TO_END;
	size_t enosys = st->len;
	emit(st, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS);
	size_t end = st->len;
	for (size_t i = 0; i < end; i++) {
		if (fix[i] == TO_END)
			st->insn[i].k = (uint32_t)(end - i - 1);
		else if (fix[i] == TO_ENOSYS)
			st->insn[i].jt = (uint8_t)(enosys - i - 1);
	}
	return 0;
}

/* Export the program libseccomp generated and load it with seccomp(2)
 * ourselves, behind the ENOSYS stub when there is one (libseccomp < 2.6
 * cannot ask for SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV either). */
static int load_raw(scmp_filter_ctx ctx, const struct flags *f, bool notify, const struct enosys_stub *stub,
		    int *notify_fd, struct oerr *e)
{
	_cleanup_close_ int mfd = memfd_create("ocirt-seccomp", MFD_CLOEXEC);
	if (mfd < 0)
		return oerr_set(e, errno, "seccomp: memfd_create");
	int r = seccomp_export_bpf(ctx, mfd);
	if (r < 0)
		return oerr_set(e, -r, "seccomp: export the filter");
	off_t size = lseek(mfd, 0, SEEK_END);
	if (size < 0)
		return oerr_set(e, errno, "seccomp: export the filter");
	size_t pre = stub->len;
	if (size == 0 || size % sizeof(struct sock_filter) != 0 ||
	    size / sizeof(struct sock_filter) + pre > BPF_MAXINSNS)
		return oerr_setx(e, EINVAL, "seccomp: exported filter has an invalid size (%lld bytes)", (long long)size);
	_cleanup_free_ struct sock_filter *prog = malloc((size_t)size + pre * sizeof(struct sock_filter));
	if (!prog)
		return oerr_set(e, ENOMEM, "seccomp: export the filter");
	memcpy(prog, stub->insn, pre * sizeof(struct sock_filter));
	size_t got = 0;
	while (got < (size_t)size) {
		ssize_t n = pread(mfd, (char *)(prog + pre) + got, (size_t)size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return oerr_set(e, n < 0 ? errno : EIO, "seccomp: read the exported filter");
		got += (size_t)n;
	}

	unsigned long flags = 0;
	if (f->tsync)
		flags |= SECCOMP_FILTER_FLAG_TSYNC;
	if (f->log)
		flags |= SECCOMP_FILTER_FLAG_LOG;
	if (f->spec_allow)
		flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	if (notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (f->wait_killable)
			flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		/* Otherwise a TSYNC failure's thread id and the fd share the return value. */
		if (f->tsync)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	struct sock_fprog fprog = { .len = (unsigned short)(size / sizeof(struct sock_filter) + pre), .filter = prog };
	long ret = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
	if (ret < 0)
		return oerr_set(e, errno, "seccomp: load the filter");
	if (notify)
		*notify_fd = (int)ret;
	return 0;
}

int seccomp_apply(const struct spec_seccomp *sc, int *notify_fd, struct oerr *e)
{
	*notify_fd = -1;
	uint32_t def_act;
	int r = resolve_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret, "defaultAction",
			       &def_act, e);
	if (r < 0)
		return r;
	/* The listener fd only exists once the filter is loaded, and the thread
	 * that loads it would block on its very next syscall. */
	if (def_act == SCMP_ACT_NOTIFY)
		return oerr_setx(e, EINVAL, "seccomp: defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	struct flags f = { 0 };
	if ((r = parse_flags(sc, &f, e)) < 0)
		return r;

	scmp_filter_ctx ctx = seccomp_init(def_act);
	if (!ctx) {
		if (sc->has_default_errno_ret)
			return oerr_setx(e, EINVAL, "seccomp: defaultAction: libseccomp refuses %s with defaultErrnoRet %u",
					 sc->default_action, sc->default_errno_ret);
		return oerr_setx(e, EINVAL, "seccomp: defaultAction: libseccomp refuses %s", sc->default_action);
	}
	size_t n_rules = 0;
	for (size_t i = 0; i < sc->n_syscalls; i++)
		n_rules += sc->syscalls[i].n_names;
	bool notify = false;
	/* Architectures first: a rule only covers the ones present when added. */
	r = add_arches(ctx, sc, e);
	for (size_t i = 0; r == 0 && i < sc->n_syscalls; i++)
		r = add_entry(ctx, &sc->syscalls[i], i, def_act, &notify, e);
	if (r == 0)
		r = set_attrs(ctx, &f, n_rules, notify, e);
	if (r < 0)
		goto out;

	struct enosys_stub stub = { .len = 0 };
	if (refusing_default(def_act) && (r = enosys_stub(sc, &stub, e)) < 0)
		goto out;
	/* WAIT_KILLABLE_RECV only matters with a listener (see set_attrs). */
	if (stub.len || (f.wait_killable && notify && !HAVE_SCMP_WAITKILL)) {
		r = load_raw(ctx, &f, notify, &stub, notify_fd, e);
		goto out;
	}
	r = seccomp_load(ctx);
	if (r < 0) {
		oerr_set(e, -r, "seccomp: load the filter");
		goto out;
	}
	if (notify) {
		r = seccomp_notify_fd(ctx);
		if (r < 0) {
			oerr_set(e, -r, "seccomp: get the notification fd");
			goto out;
		}
		*notify_fd = r;
		r = 0;
	}
out:
	seccomp_release(ctx);
	return r;
}

bool seccomp_allows_plainly(const struct spec_seccomp *sc, const char *name)
{
	if (!sc)
		return true;
	bool allowed = sc->default_action && !strcmp(sc->default_action, "SCMP_ACT_ALLOW");
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct spec_seccomp_syscall *r = &sc->syscalls[i];
		for (size_t j = 0; j < r->n_names; j++) {
			if (strcmp(r->names[j], name) != 0)
				continue;
			if (!r->action || strcmp(r->action, "SCMP_ACT_ALLOW") != 0)
				return false;
			if (r->n_args == 0)
				allowed = true;
		}
	}
	return allowed;
}
