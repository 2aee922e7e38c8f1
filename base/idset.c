/* The kernel's list format ("0-3,7") into a bitmap. */
#include "base/idset.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_BITS (sizeof(unsigned long) * CHAR_BIT)

static int read_number(const char **p, unsigned max, unsigned *out, char *why, size_t whylen)
{
	const char *s = *p;
	if (*s < '0' || *s > '9') {
		snprintf(why, whylen, "bad syntax at \"%s\"", s);
		return -EINVAL;
	}
	unsigned long v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max) {
			snprintf(why, whylen, "%.*s%s is above %u", (int)(s - *p + 1), *p,
				 s[1] >= '0' && s[1] <= '9' ? "..." : "", max);
			return -EINVAL;
		}
	}
	*out = (unsigned)v;
	*p = s;
	return 0;
}

static int add_range(struct idset *set, unsigned lo, unsigned hi)
{
	size_t need = hi / WORD_BITS + 1;
	if (need > set->nwords) {
		unsigned long *b = realloc(set->bits, need * sizeof(*b));
		if (!b)
			return -ENOMEM;
		memset(b + set->nwords, 0, (need - set->nwords) * sizeof(*b));
		set->bits = b;
		set->nwords = need;
	}
	for (unsigned i = lo; i <= hi; i++)
		set->bits[i / WORD_BITS] |= 1UL << (i % WORD_BITS);
	if (hi + 1 > set->end)
		set->end = hi + 1;
	return 0;
}

/* Elements are separated by commas; spaces around an element and empty
 * elements are allowed, as runc allows them ("0-3, 7", "1,,2"). */
int idset_parse(const char *s, unsigned max, struct idset *out, char *why, size_t whylen)
{
	struct idset set = { 0 };
	const char *p = s;
	int r = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		if (*p == ',' || !*p) {
			if (*p)
				p++;
			continue;
		}
		unsigned lo, hi;
		if ((r = read_number(&p, max, &lo, why, whylen)) < 0)
			break;
		hi = lo;
		if (*p == '-') {
			p++;
			if ((r = read_number(&p, max, &hi, why, whylen)) < 0)
				break;
			if (hi < lo) {
				snprintf(why, whylen, "range %u-%u is reversed", lo, hi);
				r = -EINVAL;
				break;
			}
		}
		while (*p == ' ')
			p++;
		if (*p && *p != ',') {
			snprintf(why, whylen, "bad syntax at \"%s\"", p);
			r = -EINVAL;
			break;
		}
		if ((r = add_range(&set, lo, hi)) < 0)
			break;
	}
	if (r < 0) {
		idset_free(&set);
		if (r == -ENOMEM)
			snprintf(why, whylen, "out of memory");
		return r;
	}
	*out = set;
	return 0;
}

bool idset_has(const struct idset *s, unsigned id)
{
	return id < s->end && (s->bits[id / WORD_BITS] >> (id % WORD_BITS)) & 1;
}

unsigned idset_count(const struct idset *s)
{
	unsigned n = 0;
	for (size_t i = 0; i < s->nwords; i++)
		n += (unsigned)__builtin_popcountl(s->bits[i]);
	return n;
}

void idset_free(struct idset *s)
{
	free(s->bits);
	*s = (struct idset){ 0 };
}
