/* Sets of small non-negative integers (CPU numbers, NUMA nodes) in the
 * kernel's list format, "0-3,7": numbers and ranges separated by commas. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct idset {
	unsigned long *bits;	/* bit i set: i is in the set; NULL when empty */
	size_t nwords;		/* words in bits */
	unsigned end;		/* above every member: highest + 1 (0 when empty) from idset_parse */
};

/* Parse s into *out (which must be zeroed or freed first). Numbers above
 * max are refused. Returns 0, or -EINVAL with *why saying what is wrong
 * ("bad syntax at \",3\"", "range 5-3 is reversed", "7 is above 4095"),
 * or -ENOMEM. An empty string is an empty set. */
int idset_parse(const char *s, unsigned max, struct idset *out, char *why, size_t whylen);
bool idset_has(const struct idset *s, unsigned id);
/* The number of members. */
unsigned idset_count(const struct idset *s);
void idset_free(struct idset *s);
