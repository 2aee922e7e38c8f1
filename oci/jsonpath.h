/* Typed reads from a jansson tree that keep the JSON path of the value being
 * read, so that every error names its field:
 * "linux.uidMappings[0].size: must be an unsigned 32-bit integer".
 *
 * Member readers take an object and a key; a key that is absent or JSON null
 * counts as absent (Go runtimes treat null as "not set" too). They return 0 or
 * a negative errno, and set *has (when not NULL) to whether the key was there.
 * With JP_REQ an absent key is the error "<path>.<key>: required". */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

struct jp {
	struct oerr *e;
	uint64_t *bigs;		/* integers above INT64_MAX, see jp_load() */
	size_t n_bigs;
	size_t len;		/* strlen(path) */
	char path[512];
};

enum { JP_OPT = 0, JP_REQ = 1 };

/* Parse text with duplicate keys rejected. On error returns NULL with
 * "invalid JSON: <text> at line L column C" in p->e. jp_done() frees p's own data. */
json_t *jp_load(struct jp *p, const char *text, size_t len);
void jp_done(struct jp *p);
/* jansson holds integers up to INT64_MAX; jp_load() stands a marker string in
 * for larger literals. true (and *out) when v is one. */
bool jp_big(struct jp *p, json_t *v, uint64_t *out);

/* Path stack: push returns a mark for jp_pop. Keys that are not plain
 * identifiers are written ["like.this"]. */
size_t jp_push_key(struct jp *p, const char *key);
size_t jp_push_index(struct jp *p, size_t i);
void jp_pop(struct jp *p, size_t mark);

/* "<path>: <message>" (no path prefix at the document root); returns -EINVAL. */
int jp_fail(struct jp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int jp_fail_key(struct jp *p, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int jp_nomem(struct jp *p);

/* obj[key], NULL when absent or null. */
json_t *jp_get(json_t *obj, const char *key);

/* Readers of the value at the current path. */
int jp_v_str(struct jp *p, json_t *v, char **out);
int jp_v_int(struct jp *p, json_t *v, int64_t min, int64_t max, const char *what, int64_t *out);
int jp_v_u64(struct jp *p, json_t *v, uint64_t *out);
int jp_v_strv(struct jp *p, json_t *v, bool nonempty, char ***out, size_t *n);

/* Member readers. */
int jp_str(struct jp *p, json_t *obj, const char *key, int flags, char **out);
int jp_bool(struct jp *p, json_t *obj, const char *key, int flags, bool *out, bool *has);
int jp_int(struct jp *p, json_t *obj, const char *key, int flags, int64_t min, int64_t max,
	   const char *what, int64_t *out, bool *has);
int jp_i32(struct jp *p, json_t *obj, const char *key, int flags, int32_t *out, bool *has);
int jp_i64(struct jp *p, json_t *obj, const char *key, int flags, int64_t *out, bool *has);
int jp_u16(struct jp *p, json_t *obj, const char *key, int flags, uint16_t *out, bool *has);
int jp_u32(struct jp *p, json_t *obj, const char *key, int flags, uint32_t *out, bool *has);
int jp_u64(struct jp *p, json_t *obj, const char *key, int flags, uint64_t *out, bool *has);
/* Array of strings as a NULL-terminated vector plus count; nonempty: at least one. */
int jp_strv(struct jp *p, json_t *obj, const char *key, int flags, bool nonempty, char ***out, size_t *n);

/* Names of constants (rlimits, namespace types, seccomp actions...). */
struct jp_name {
	const char *name;
	long value;
};
/* A string member that must be one of table's names: *name gets a copy,
 * *value its constant; otherwise "<path>: unknown <what> \"<string>\"". */
int jp_enum(struct jp *p, json_t *obj, const char *key, int flags, const struct jp_name *table, size_t n,
	    const char *what, char **name, long *value);
/* An array of such names; *mask (when not NULL) gets their constants OR'ed. */
int jp_enum_strv(struct jp *p, json_t *obj, const char *key, const struct jp_name *table, size_t n,
		 const char *what, char ***out, size_t *count, unsigned long *mask);
const struct jp_name *jp_name_find(const struct jp_name *table, size_t n, const char *name);

/* Object member: parse with fn at the member's path. */
typedef int (*jp_obj_fn)(struct jp *p, json_t *obj, void *arg);
int jp_object(struct jp *p, json_t *obj, const char *key, int flags, jp_obj_fn fn, void *arg);

/* Array of objects: allocates *arr (n elements of size, zeroed, count set up
 * front so that a partial result frees cleanly) and calls fn on each. */
typedef int (*jp_elem_fn)(struct jp *p, json_t *elem, void *item);
int jp_array(struct jp *p, json_t *obj, const char *key, int flags, size_t size,
	     void *arr, size_t *n, jp_elem_fn fn);

/* Object used as a map: same as jp_array, fn also gets the member's key. */
typedef int (*jp_member_fn)(struct jp *p, const char *key, json_t *val, void *item);
int jp_map(struct jp *p, json_t *obj, const char *key, int flags, size_t size,
	   void *arr, size_t *n, jp_member_fn fn);
