/* Loading config.json text into a jansson tree, with the integers jansson
 * cannot hold kept aside (see jsonpath.h). */
#include "oci/jsonpath.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jansson keeps integers in a long long and fails on larger ones ("too big
 * integer"), but uint64 fields legitimately hold values up to 2^64-1
 * (RLIM_INFINITY, seccomp argument masks). Before parsing, each such literal
 * is swapped for a string "\u0000<index>" padded with blanks to the same
 * length (so jansson's line/column stay right) and its value is kept in
 * p->bigs; jp_v_u64() maps the marker back. A marker is told apart from real
 * text by its leading NUL, which is why NUL escapes in the input are refused. */

#define MARKER_MAX 19		/* length of the shortest literal above INT64_MAX */

struct scan {
	char *copy;		/* the rewritten text, NULL while unchanged */
	long nul_at;		/* offset of the first "\u0000" escape, -1 if none */
};

static int add_big(struct jp *p, uint64_t v)
{
	if (p->n_bigs % 16 == 0) {
		uint64_t *nb = realloc(p->bigs, (p->n_bigs + 16) * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		p->bigs = nb;
	}
	p->bigs[p->n_bigs++] = v;
	return 0;
}

/* A literal made of digits only, without a leading zero, in (INT64_MAX, UINT64_MAX]. */
static bool big_literal(const char *s, size_t n, uint64_t *v)
{
	if (n < MARKER_MAX || n > 20 || s[0] == '0')
		return false;
	uint64_t acc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (acc > (UINT64_MAX - d) / 10)
			return false;
		acc = acc * 10 + d;
	}
	*v = acc;
	return acc > (uint64_t)INT64_MAX;
}

static int replace_big(struct jp *p, struct scan *sc, const char *text, size_t len, size_t at, size_t n,
		       uint64_t v)
{
	char marker[MARKER_MAX + 1];
	int m = snprintf(marker, sizeof(marker), "\"\\u0000%zu\"", p->n_bigs);
	if (m < 0 || (size_t)m > n)
		return 0;	/* cannot happen below 10^11 literals; jansson then reports it */
	if (!sc->copy) {
		sc->copy = malloc(len ? len : 1);
		if (!sc->copy)
			return -ENOMEM;
		memcpy(sc->copy, text, len);
	}
	if (add_big(p, v) < 0)
		return -ENOMEM;
	memcpy(sc->copy + at, marker, (size_t)m);
	memset(sc->copy + at + m, ' ', n - (size_t)m);
	return 0;
}

/* One pass over the text as a JSON lexer would see it: strings (with their
 * escapes) and number tokens; everything else is left for jansson to judge. */
static int prescan(struct jp *p, const char *text, size_t len, struct scan *sc)
{
	sc->copy = NULL;
	sc->nul_at = -1;
	size_t i = 0;
	while (i < len) {
		char c = text[i];
		if (c == '"') {
			for (i++; i < len && text[i] != '"'; i++) {
				if (text[i] != '\\')
					continue;
				if (sc->nul_at < 0 && len - i >= 6 && memcmp(text + i, "\\u0000", 6) == 0)
					sc->nul_at = (long)i;
				i++;
			}
			i++;
		} else if (c == '-' || isdigit((unsigned char)c)) {
			size_t start = i;
			while (i < len && (isdigit((unsigned char)text[i]) || strchr("+-.eE", text[i])))
				i++;
			uint64_t v;
			if (big_literal(text + start, i - start, &v) &&
			    replace_big(p, sc, text, len, start, i - start, v) < 0)
				return -ENOMEM;
		} else {
			i++;
		}
	}
	return 0;
}

static void line_col(const char *text, size_t at, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < at; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

json_t *jp_load(struct jp *p, const char *text, size_t len)
{
	struct scan sc;
	p->len = 0;
	p->path[0] = '\0';
	if (prescan(p, text, len, &sc) < 0) {
		free(sc.copy);
		oerr_setx(p->e, ENOMEM, "invalid JSON: out of memory");
		return NULL;
	}
	json_error_t err;
	const size_t flags = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL;
	json_t *root = json_loadb(sc.copy ? sc.copy : text, len, flags, &err);
	/* An error that quotes a marker would show it: say what the input had. */
	if (!root && sc.copy && strstr(err.text, "\\u0000"))
		json_decref(json_loadb(text, len, flags, &err));
	free(sc.copy);
	if (!root) {
		oerr_setx(p->e, EINVAL, "invalid JSON: %s at line %d column %d", err.text, err.line, err.column);
		return NULL;
	}
	if (sc.nul_at >= 0) {
		int line, col;
		line_col(text, (size_t)sc.nul_at, &line, &col);
		json_decref(root);
		oerr_setx(p->e, EINVAL, "invalid JSON: \\u0000 is not allowed in strings at line %d column %d",
			  line, col);
		return NULL;
	}
	return root;
}

void jp_done(struct jp *p)
{
	free(p->bigs);
	p->bigs = NULL;
	p->n_bigs = 0;
}

bool jp_big(struct jp *p, json_t *v, uint64_t *out)
{
	if (!json_is_string(v) || json_string_length(v) < 2 || json_string_value(v)[0] != '\0')
		return false;
	char *end;
	unsigned long i = strtoul(json_string_value(v) + 1, &end, 10);
	if (*end || i >= p->n_bigs)
		return false;
	*out = p->bigs[i];
	return true;
}
