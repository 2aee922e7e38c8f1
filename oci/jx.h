/* Typed getters over jansson objects that name the failing field by its JSON
 * path ("process.rlimits[1].hard: must be an unsigned 64-bit integer"). */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib/err.h"

#define JX_MAX 256

/* "<parent>.<key>" or "<key>" into buf. */
const char *jx_key(char *buf, const char *parent, const char *key);
/* "<parent>[i]" into buf. */
const char *jx_idx(char *buf, const char *parent, size_t i);

int jx_err(struct oerr *e, const char *path, const char *what);

/* Each getter: absent key → 0 and *has (when given) false; required and absent →
 * "<path>: required"; wrong type or range → "<path>: must be ...". */
int jx_object(json_t *v, const char *path, struct oerr *e);
int jx_str(json_t *obj, const char *parent, const char *key, bool required, char **out, struct oerr *e);
int jx_bool(json_t *obj, const char *parent, const char *key, bool *out, bool *has, struct oerr *e);
int jx_int(json_t *obj, const char *parent, const char *key, bool required, int64_t min, int64_t max,
	   int64_t *out, bool *has, struct oerr *e);
int jx_u64(json_t *obj, const char *parent, const char *key, bool required, uint64_t *out, bool *has,
	   struct oerr *e);
/* Array of strings → NULL-terminated vector + count. nonempty: at least one entry. */
int jx_strv(json_t *obj, const char *parent, const char *key, bool required, bool nonempty,
	    char ***out, size_t *n, struct oerr *e);
/* Object of strings → key/value pairs. */
struct spec_kv;
int jx_kv(json_t *obj, const char *parent, const char *key, struct spec_kv **out, size_t *n, struct oerr *e);
/* Array: *arr is set (NULL when absent) after a type check. */
int jx_array(json_t *obj, const char *parent, const char *key, bool required, json_t **arr, struct oerr *e);
/* Child object (NULL when absent). */
int jx_child(json_t *obj, const char *parent, const char *key, bool required, json_t **child, struct oerr *e);

/* Name tables. */
struct jx_name {
	const char *name;
	long value;
};
/* -1 when unknown. */
long jx_lookup(const struct jx_name *t, const char *name);
