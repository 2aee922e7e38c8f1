/* config.json "linux.seccomp". Names are checked against the spec's lists
 * here; lib/seccomp/seccomp.c turns them into a filter (and knows what the installed
 * libseccomp and kernel support). */
#include "oci/spec_internal.h"
#include "base/util.h"
#include <seccomp.h>
#include <string.h>

/* value: 1 for the actions that take an errno (errnoRet). */
static const struct jp_name actions[] = {
	{ "SCMP_ACT_KILL", 0 }, { "SCMP_ACT_KILL_PROCESS", 0 }, { "SCMP_ACT_KILL_THREAD", 0 },
	{ "SCMP_ACT_TRAP", 0 }, { "SCMP_ACT_ERRNO", 1 }, { "SCMP_ACT_TRACE", 1 },
	{ "SCMP_ACT_ALLOW", 0 }, { "SCMP_ACT_LOG", 0 }, { "SCMP_ACT_NOTIFY", 0 },
};

static const struct jp_name ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct jp_name arches[] = {
	{ "SCMP_ARCH_X86", 0 }, { "SCMP_ARCH_X86_64", 0 }, { "SCMP_ARCH_X32", 0 },
	{ "SCMP_ARCH_ARM", 0 }, { "SCMP_ARCH_AARCH64", 0 }, { "SCMP_ARCH_LOONGARCH64", 0 },
	{ "SCMP_ARCH_M68K", 0 }, { "SCMP_ARCH_MIPS", 0 }, { "SCMP_ARCH_MIPS64", 0 },
	{ "SCMP_ARCH_MIPS64N32", 0 }, { "SCMP_ARCH_MIPSEL", 0 }, { "SCMP_ARCH_MIPSEL64", 0 },
	{ "SCMP_ARCH_MIPSEL64N32", 0 }, { "SCMP_ARCH_PPC", 0 }, { "SCMP_ARCH_PPC64", 0 },
	{ "SCMP_ARCH_PPC64LE", 0 }, { "SCMP_ARCH_S390", 0 }, { "SCMP_ARCH_S390X", 0 },
	{ "SCMP_ARCH_SH", 0 }, { "SCMP_ARCH_SHEB", 0 }, { "SCMP_ARCH_PARISC", 0 },
	{ "SCMP_ARCH_PARISC64", 0 }, { "SCMP_ARCH_RISCV64", 0 },
};

static const struct jp_name filter_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 0 }, { "SECCOMP_FILTER_FLAG_LOG", 0 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 0 }, { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 0 },
};

const char *spec_seccomp_name(enum spec_names list, size_t i)
{
	const struct jp_name *t = list == SPEC_NAMES_SECCOMP_ACTIONS ? actions :
				  list == SPEC_NAMES_SECCOMP_OPERATORS ? ops :
				  list == SPEC_NAMES_SECCOMP_ARCHES ? arches : filter_flags;
	size_t n = list == SPEC_NAMES_SECCOMP_ACTIONS ? ARRAY_SIZE(actions) :
		   list == SPEC_NAMES_SECCOMP_OPERATORS ? ARRAY_SIZE(ops) :
		   list == SPEC_NAMES_SECCOMP_ARCHES ? ARRAY_SIZE(arches) : ARRAY_SIZE(filter_flags);
	return i < n ? t[i].name : NULL;
}

/* errnoRet is only meaningful for actions that return an errno; the spec
 * asks for an error otherwise. */
static int parse_action(struct jp *p, json_t *o, const char *akey, const char *ekey, char **action,
			uint32_t *errno_ret, bool *has_errno)
{
	long takes_errno = 0;
	int r;
	if ((r = jp_enum(p, o, akey, JP_REQ, actions, ARRAY_SIZE(actions), "seccomp action", action,
			 &takes_errno)) < 0 ||
	    (r = jp_u32(p, o, ekey, JP_OPT, errno_ret, has_errno)) < 0)
		return r;
	if (*has_errno && !takes_errno)
		return jp_fail_key(p, ekey, "not allowed with %s", *action);
	return 0;
}

static int parse_arg(struct jp *p, json_t *o, void *item)
{
	struct spec_seccomp_arg *a = item;
	long op = 0;
	int64_t index = 0;
	int r;
	/* Syscalls have six arguments. */
	if ((r = jp_int(p, o, "index", JP_REQ, 0, 5, "an integer between 0 and 5", &index, NULL)) < 0 ||
	    (r = jp_u64(p, o, "value", JP_REQ, &a->value, NULL)) < 0 ||
	    (r = jp_u64(p, o, "valueTwo", JP_OPT, &a->value_two, NULL)) < 0 ||
	    (r = jp_enum(p, o, "op", JP_REQ, ops, ARRAY_SIZE(ops), "seccomp operator", &a->op, &op)) < 0)
		return r;
	a->index = (uint32_t)index;
	a->op_num = (int)op;
	return 0;
}

static int parse_syscall(struct jp *p, json_t *o, void *item)
{
	struct spec_seccomp_syscall *s = item;
	int r;
	if ((r = jp_strv(p, o, "names", JP_REQ, true, &s->names, &s->n_names)) < 0 ||
	    (r = parse_action(p, o, "action", "errnoRet", &s->action, &s->errno_ret, &s->has_errno_ret)) < 0 ||
	    (r = jp_array(p, o, "args", JP_OPT, sizeof(*s->args), &s->args, &s->n_args, parse_arg)) < 0)
		return r;
	return 0;
}

int spec_parse_seccomp(struct jp *p, json_t *o, void *arg)
{
	struct spec_seccomp **out = arg, *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return jp_nomem(p);
	*out = sc;
	int r;
	if ((r = parse_action(p, o, "defaultAction", "defaultErrnoRet", &sc->default_action,
			      &sc->default_errno_ret, &sc->has_default_errno_ret)) < 0 ||
	    (r = jp_enum_strv(p, o, "architectures", arches, ARRAY_SIZE(arches), "architecture",
			      &sc->architectures, &sc->n_architectures, NULL)) < 0 ||
	    (r = jp_enum_strv(p, o, "flags", filter_flags, ARRAY_SIZE(filter_flags), "seccomp flag",
			      &sc->flags, &sc->n_flags, NULL)) < 0 ||
	    (r = jp_str(p, o, "listenerPath", JP_OPT, &sc->listener_path)) < 0 ||
	    (r = jp_str(p, o, "listenerMetadata", JP_OPT, &sc->listener_metadata)) < 0 ||
	    (r = jp_array(p, o, "syscalls", JP_OPT, sizeof(*sc->syscalls), &sc->syscalls, &sc->n_syscalls,
			  parse_syscall)) < 0)
		return r;
	return 0;
}

void spec_seccomp_free(struct spec_seccomp *sc)
{
	if (!sc)
		return;
	free(sc->default_action);
	spec_strv_free(sc->architectures);
	spec_strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		struct spec_seccomp_syscall *s = &sc->syscalls[i];
		spec_strv_free(s->names);
		free(s->action);
		for (size_t j = 0; j < s->n_args; j++)
			free(s->args[j].op);
		free(s->args);
	}
	free(sc->syscalls);
	free(sc);
}
