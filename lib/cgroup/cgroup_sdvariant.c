/* The systemd driver's argument lists for the ocirt-systemd helper, and
 * GVariant text (the org.systemd.property.* annotations) read into them
 * (cgroup_systemd.h). They use no other part of
 * ocirt (tests/fuzz_gvariant.c builds them alone). */
#include "lib/cgroup/cgroup_systemd.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"

/* --- the argument list --------------------------------------------------- */

int cg_sd_add(struct cg_sd_props *p, const char *arg)
{
	if (p->oom)
		return -ENOMEM;
	if (p->n + 2 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		char **v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			p->oom = true;
			return -ENOMEM;
		}
		p->v = v;
		p->cap = cap;
	}
	if (!(p->v[p->n] = strdup(arg))) {
		p->oom = true;
		return -ENOMEM;
	}
	p->v[++p->n] = NULL;
	return 0;
}

int cg_sd_addf(struct cg_sd_props *p, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		p->oom = true;
		return -ENOMEM;
	}
	int r = cg_sd_add(p, s);
	free(s);
	return r;
}

void cg_sd_props_free(struct cg_sd_props *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	*p = (struct cg_sd_props){ 0 };
}

/* --- annotations: GVariant text --------------------------------------------- */

struct gv {
	const char *s;
	char *why;
	size_t whylen;
	int depth;
};

static void gv_ws(struct gv *g)
{
	while (isspace((unsigned char)*g->s))
		g->s++;
}

static int gv_err(struct gv *g, const char *msg)
{
	snprintf(g->why, g->whylen, "%s at \"%.20s\"", msg, g->s);
	return -EINVAL;
}

/* A parsed value: its signature and its value arguments. */
struct gval {
	char sig[64];
	struct cg_sd_props args;
	bool untyped_int;	/* a bare integer: int32 unless a type says otherwise */
	bool untyped_float;
};

static void gval_free(struct gval *v)
{
	cg_sd_props_free(&v->args);
}

static size_t sig_len(const char *sig)
{
	switch (*sig) {
	case 'a': {
		size_t n = sig_len(sig + 1);
		return n ? n + 1 : 0;
	}
	case '(': {
		size_t i = 1;
		while (sig[i] && sig[i] != ')') {
			size_t n = sig_len(sig + i);
			if (!n)
				return 0;
			i += n;
		}
		return sig[i] == ')' ? i + 1 : 0;
	}
	case 'y': case 'b': case 'n': case 'q': case 'i': case 'u': case 'x': case 't': case 'd': case 's':
	case 'o': case 'g': case 'v':
		return 1;
	default:
		return 0;
	}
}

static int gv_value(struct gv *g, const char *want, struct gval *out);

static const struct { const char *word; char type; } gv_types[] = {
	{ "boolean", 'b' }, { "byte", 'y' }, { "int16", 'n' }, { "uint16", 'q' }, { "int32", 'i' },
	{ "uint32", 'u' }, { "int64", 'x' }, { "uint64", 't' }, { "double", 'd' }, { "string", 's' },
	{ "objectpath", 'o' }, { "signature", 'g' },
};

static int gv_number(struct gv *g, char type, struct gval *out)
{
	const char *start = g->s;
	if (*g->s == '+' || *g->s == '-')
		g->s++;
	bool is_float = false;
	while (isalnum((unsigned char)*g->s) || *g->s == '.' ||
	       ((*g->s == '+' || *g->s == '-') && (g->s[-1] == 'e' || g->s[-1] == 'E'))) {
		if (*g->s == '.' || ((*g->s == 'e' || *g->s == 'E') && strncmp(start, "0x", 2)))
			is_float = true;
		g->s++;
	}
	char num[64];
	if (g->s == start || (size_t)(g->s - start) >= sizeof(num))
		return gv_err(g, "expected a number");
	snprintf(num, sizeof(num), "%.*s", (int)(g->s - start), start);
	if (!type) {
		type = is_float ? 'd' : 'i';
		out->untyped_int = !is_float;
		out->untyped_float = is_float;
	}
	char *end;
	errno = 0;
	if (type == 'd') {
		double d = strtod(num, &end);
		if (*end || errno)
			return gv_err(g, "bad number");
		cg_sd_addf(&out->args, "%.17g", d);
	} else if (strchr("ynqiuxt", type)) {
		if (is_float)
			return gv_err(g, "not an integer");
		bool neg = num[0] == '-';
		if (neg && strchr("yqut", type))
			return gv_err(g, "negative for an unsigned type");
		static const struct { char t; long long min; unsigned long long max; } range[] = {
			{ 'y', 0, UINT8_MAX }, { 'n', INT16_MIN, INT16_MAX }, { 'q', 0, UINT16_MAX },
			{ 'i', INT32_MIN, INT32_MAX }, { 'u', 0, UINT32_MAX }, { 'x', INT64_MIN, INT64_MAX },
			{ 't', 0, UINT64_MAX },
		};
		size_t k = 0;
		while (range[k].t != type)
			k++;
		if (neg) {
			long long v = strtoll(num, &end, 0);
			if (*end || errno || v < range[k].min)
				return gv_err(g, "number out of range for its type");
			cg_sd_addf(&out->args, "%lld", v);
		} else {
			unsigned long long v = strtoull(num, &end, 0);
			if (*end || errno || v > range[k].max)
				return gv_err(g, "number out of range for its type");
			cg_sd_addf(&out->args, "%llu", v);
		}
	} else {
		return gv_err(g, "a number where another type is expected");
	}
	snprintf(out->sig, sizeof(out->sig), "%c", type);
	return 0;
}

static int gv_string(struct gv *g, char type, struct gval *out)
{
	char q = *g->s++;
	size_t cap = strlen(g->s) + 1, n = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	while (*g->s && *g->s != q) {
		char c = *g->s++;
		if (c == '\\') {
			c = *g->s++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'f': c = '\f'; break;
			case 'v': c = '\v'; break;
			case 'b': c = '\b'; break;
			case 'a': c = '\a'; break;
			case '\\': case '\'': case '"': break;
			default:
				g->s--;
				return gv_err(g, "unknown escape");
			}
		}
		buf[n++] = c;
	}
	if (*g->s != q)
		return gv_err(g, "unterminated string");
	g->s++;
	buf[n] = '\0';
	snprintf(out->sig, sizeof(out->sig), "%c", type ? type : 's');
	return cg_sd_add(&out->args, buf);
}

/* Appends v's arguments to dst. */
static int take_args(struct cg_sd_props *dst, struct gval *v)
{
	for (size_t i = 0; i < v->args.n; i++)
		if (cg_sd_add(dst, v->args.v[i]) < 0)
			return -ENOMEM;
	return 0;
}

static int gv_array(struct gv *g, const char *want, struct gval *out)
{
	g->s++;	/* [ */
	char elem[64] = "";
	if (want)
		snprintf(elem, sizeof(elem), "%.*s", (int)sig_len(want + 1), want + 1);
	struct gval *items = NULL;
	const char **starts = NULL;
	size_t n = 0, cap = 0;
	int r = 0;
	gv_ws(g);
	while (*g->s != ']') {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			struct gval *ni = cap <= 4096 ? realloc(items, cap * sizeof(*ni)) : NULL;
			const char **ns = ni ? realloc(starts, cap * sizeof(*ns)) : NULL;
			if (ni)
				items = ni;
			if (!ni || !ns) {
				r = ni ? -ENOMEM : gv_err(g, "too many elements");
				goto out;
			}
			starts = ns;
		}
		starts[n] = g->s;
		items[n] = (struct gval){ 0 };
		n++;
		if ((r = gv_value(g, *elem ? elem : NULL, &items[n - 1])) < 0)
			goto out;
		gv_ws(g);
		if (*g->s == ',') {
			g->s++;
			gv_ws(g);
		} else if (*g->s != ']') {
			r = gv_err(g, "expected ',' or ']'");
			goto out;
		}
	}
	const char *after = ++g->s;
	if (!*elem) {
		/* No type given: the first typed element decides (bare numbers
		 * are then read again as that type), else int32 or double. */
		for (size_t i = 0; i < n && !*elem; i++)
			if (!items[i].untyped_int && !items[i].untyped_float)
				snprintf(elem, sizeof(elem), "%.63s", items[i].sig);
		if (!*elem && n)
			snprintf(elem, sizeof(elem), "%.63s", items[0].sig);
		if (!*elem) {
			r = gv_err(g, "an empty array needs a type (\"@as []\")");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			if (strcmp(items[i].sig, elem) && (items[i].untyped_int || items[i].untyped_float)) {
				gval_free(&items[i]);
				items[i] = (struct gval){ 0 };
				g->s = starts[i];
				if ((r = gv_value(g, elem, &items[i])) < 0)
					goto out;
			}
		}
		g->s = after;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i].sig, elem)) {
			r = gv_err(g, "array elements of different types");
			goto out;
		}
	}
	if (strlen(elem) + 2 > sizeof(out->sig)) {
		r = gv_err(g, "type too long");
		goto out;
	}
	snprintf(out->sig, sizeof(out->sig), "a%s", elem);
	cg_sd_addf(&out->args, "%zu", n);
	for (size_t i = 0; i < n; i++)
		if ((r = take_args(&out->args, &items[i])) < 0)
			goto out;
out:
	for (size_t i = 0; i < n; i++)
		gval_free(&items[i]);
	free(items);
	free(starts);
	return r;
}

static int gv_tuple(struct gv *g, const char *want, struct gval *out)
{
	g->s++;	/* ( */
	const char *w = want ? want + 1 : NULL;
	char sig[64] = "(";
	int r = 0;
	gv_ws(g);
	while (*g->s != ')') {
		struct gval item = { 0 };
		char sub[64] = "";
		if (w) {
			size_t l = sig_len(w);
			if (!l || *w == ')')
				return gv_err(g, "more fields than the type has");
			snprintf(sub, sizeof(sub), "%.*s", (int)l, w);
			w += l;
		}
		if ((r = gv_value(g, *sub ? sub : NULL, &item)) < 0 ||
		    strlen(sig) + strlen(item.sig) + 2 > sizeof(sig) || (r = take_args(&out->args, &item)) < 0) {
			gval_free(&item);
			return r < 0 ? r : gv_err(g, "type too long");
		}
		strcat(sig, item.sig);
		gval_free(&item);
		gv_ws(g);
		if (*g->s == ',') {
			g->s++;
			gv_ws(g);
		} else if (*g->s != ')') {
			return gv_err(g, "expected ',' or ')'");
		}
	}
	g->s++;
	if (w && *w != ')')
		return gv_err(g, "fewer fields than the type has");
	if (strlen(sig) < 2)
		return gv_err(g, "an empty tuple");
	strcat(sig, ")");
	snprintf(out->sig, sizeof(out->sig), "%s", sig);
	return 0;
}

static int gv_value1(struct gv *g, const char *want, struct gval *out);

/* One value; want is the signature it must have (NULL: any). */
static int gv_value(struct gv *g, const char *want, struct gval *out)
{
	if (g->depth >= 32)
		return gv_err(g, "nested too deeply");
	g->depth++;
	int r = gv_value1(g, want, out);
	g->depth--;
	if (r == 0 && out->args.oom)
		r = -ENOMEM;
	return r;
}

static int gv_value1(struct gv *g, const char *want, struct gval *out)
{
	gv_ws(g);
	char type = want && sig_len(want) == 1 ? want[0] : 0;
	int r;
	if (*g->s == '@') {
		g->s++;
		size_t l = sig_len(g->s);
		char sig[64];
		if (!l || l >= sizeof(sig))
			return gv_err(g, "bad type after '@'");
		snprintf(sig, sizeof(sig), "%.*s", (int)l, g->s);
		g->s += l;
		if (want && strcmp(want, sig))
			return gv_err(g, "type does not match");
		return gv_value(g, sig, out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(gv_types); i++) {
		size_t l = strlen(gv_types[i].word);
		if (strncmp(g->s, gv_types[i].word, l) || !isspace((unsigned char)g->s[l]))
			continue;
		if (type && type != gv_types[i].type)
			return gv_err(g, "type does not match");
		g->s += l;
		gv_ws(g);
		char t = gv_types[i].type;
		if (t == 'b')
			return gv_value(g, "b", out);
		if (t == 's' || t == 'o' || t == 'g') {
			if (*g->s != '\'' && *g->s != '"')
				return gv_err(g, "expected a string");
			return gv_string(g, t, out);
		}
		return gv_number(g, t, out);
	}
	if (!strncmp(g->s, "true", 4) || !strncmp(g->s, "false", 5)) {
		if (type && type != 'b')
			return gv_err(g, "a boolean where another type is expected");
		bool t = g->s[0] == 't';
		g->s += t ? 4 : 5;
		snprintf(out->sig, sizeof(out->sig), "b");
		return cg_sd_add(&out->args, t ? "true" : "false");
	}
	if (*g->s == '\'' || *g->s == '"') {
		if (type && !strchr("sog", type))
			return gv_err(g, "a string where another type is expected");
		return gv_string(g, type, out);
	}
	if (*g->s == '[') {
		if (want && want[0] != 'a')
			return gv_err(g, "an array where another type is expected");
		return gv_array(g, want, out);
	}
	if (*g->s == '(') {
		if (want && want[0] != '(')
			return gv_err(g, "a tuple where another type is expected");
		return gv_tuple(g, want, out);
	}
	if (*g->s == '<') {
		if (type && type != 'v')
			return gv_err(g, "a variant where another type is expected");
		g->s++;
		struct gval inner = { 0 };
		if ((r = gv_value(g, NULL, &inner)) < 0) {
			gval_free(&inner);
			return r;
		}
		gv_ws(g);
		if (*g->s != '>') {
			gval_free(&inner);
			return gv_err(g, "expected '>'");
		}
		g->s++;
		snprintf(out->sig, sizeof(out->sig), "v");
		r = cg_sd_add(&out->args, inner.sig);
		if (r == 0)
			r = take_args(&out->args, &inner);
		gval_free(&inner);
		return r;
	}
	if (isdigit((unsigned char)*g->s) || *g->s == '-' || *g->s == '+' || *g->s == '.')
		return gv_number(g, type, out);
	return gv_err(g, "unexpected text");
}

int cg_sd_gvariant(const char *text, struct cg_sd_props *p, char *why, size_t whylen)
{
	struct gv g = { .s = text, .why = why, .whylen = whylen };
	struct gval v = { 0 };
	int r = gv_value(&g, NULL, &v);
	if (r == 0) {
		gv_ws(&g);
		if (*g.s)
			r = gv_err(&g, "text after the value");
	}
	if (r == 0 && (v.args.oom || cg_sd_add(p, v.sig) < 0 || take_args(p, &v) < 0))
		r = -ENOMEM;
	gval_free(&v);
	if (r == -ENOMEM)
		snprintf(why, whylen, "out of memory");
	return r;
}
