/* The JSON path stack, error messages and the typed readers of jsonpath.h. */
#include "oci/jsonpath.h"
#include "base/util.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void path_append(struct jp *p, const char *s)
{
	size_t n = strlen(s), room = sizeof(p->path) - 1 - p->len;
	if (n > room)
		n = room;
	memcpy(p->path + p->len, s, n);
	p->len += n;
	p->path[p->len] = '\0';
}

static bool plain_key(const char *key)
{
	if (!*key)
		return false;
	for (const char *c = key; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return false;
	return true;
}

size_t jp_push_key(struct jp *p, const char *key)
{
	size_t mark = p->len;
	if (plain_key(key)) {
		if (p->len)
			path_append(p, ".");
		path_append(p, key);
		return mark;
	}
	/* Quoted, with quotes and backslashes escaped and control bytes hidden:
	 * the path only ever ends up in a message. */
	path_append(p, "[\"");
	for (const char *c = key; *c && p->len < sizeof(p->path) - 1; c++) {
		char buf[3] = { *c, 0, 0 };
		if (*c == '"' || *c == '\\') {
			buf[0] = '\\';
			buf[1] = *c;
		} else if (iscntrl((unsigned char)*c)) {
			buf[0] = '?';
		}
		path_append(p, buf);
	}
	path_append(p, "\"]");
	return mark;
}

size_t jp_push_index(struct jp *p, size_t i)
{
	size_t mark = p->len;
	char buf[32];
	snprintf(buf, sizeof(buf), "[%zu]", i);
	path_append(p, buf);
	return mark;
}

void jp_pop(struct jp *p, size_t mark)
{
	if (mark <= p->len) {
		p->len = mark;
		p->path[mark] = '\0';
	}
}

static int vfail(struct jp *p, const char *fmt, va_list ap)
{
	char msg[sizeof(p->e->msg)];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (p->len)
		return oerr_setx(p->e, EINVAL, "%s: %s", p->path, msg);
	return oerr_setx(p->e, EINVAL, "%s", msg);
}

int jp_fail(struct jp *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vfail(p, fmt, ap);
	va_end(ap);
	return r;
}

int jp_fail_key(struct jp *p, const char *key, const char *fmt, ...)
{
	size_t m = jp_push_key(p, key);
	va_list ap;
	va_start(ap, fmt);
	int r = vfail(p, fmt, ap);
	va_end(ap);
	jp_pop(p, m);
	return r;
}

int jp_nomem(struct jp *p)
{
	return oerr_setx(p->e, ENOMEM, "%s: out of memory", p->len ? p->path : "config");
}

json_t *jp_get(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

int jp_v_str(struct jp *p, json_t *v, char **out)
{
	/* Strings with a NUL inside can only be big-integer markers. */
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return jp_fail(p, "must be a string");
	char *s = strdup(json_string_value(v));
	if (!s)
		return jp_nomem(p);
	free(*out);
	*out = s;
	return 0;
}

int jp_v_int(struct jp *p, json_t *v, int64_t min, int64_t max, const char *what, int64_t *out)
{
	if (!json_is_integer(v))
		return jp_fail(p, "must be %s", what);
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return jp_fail(p, "must be %s", what);
	*out = n;
	return 0;
}

int jp_v_u64(struct jp *p, json_t *v, uint64_t *out)
{
	if (jp_big(p, v, out))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return jp_fail(p, "must be an unsigned 64-bit integer");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int jp_v_strv(struct jp *p, json_t *v, bool nonempty, char ***out, size_t *np)
{
	const char *what = nonempty ? "must be a non-empty array of strings" : "must be an array of strings";
	if (!json_is_array(v) || (nonempty && json_array_size(v) == 0))
		return jp_fail(p, "%s", what);
	size_t n = json_array_size(v);
	char **vec = calloc(n + 1, sizeof(*vec));
	if (!vec)
		return jp_nomem(p);
	for (size_t i = 0; i < n; i++) {
		size_t m = jp_push_index(p, i);
		int r = jp_v_str(p, json_array_get(v, i), &vec[i]);
		jp_pop(p, m);
		if (r < 0) {
			strvfreep(&vec);
			return r;
		}
	}
	strvfreep(out);
	*out = vec;
	*np = n;
	return 0;
}

/* Common start of the member readers: the value, NULL when absent (which is
 * an error with JP_REQ: *r is set then). */
static json_t *member(struct jp *p, json_t *obj, const char *key, int flags, bool *has, int *r)
{
	json_t *v = jp_get(obj, key);
	*r = 0;
	if (has)
		*has = v != NULL;
	if (!v && (flags & JP_REQ))
		*r = jp_fail_key(p, key, "required");
	return v;
}

int jp_str(struct jp *p, json_t *obj, const char *key, int flags, char **out)
{
	int r;
	json_t *v = member(p, obj, key, flags, NULL, &r);
	if (!v)
		return r;
	size_t m = jp_push_key(p, key);
	r = jp_v_str(p, v, out);
	jp_pop(p, m);
	return r;
}

int jp_bool(struct jp *p, json_t *obj, const char *key, int flags, bool *out, bool *has)
{
	int r;
	json_t *v = member(p, obj, key, flags, has, &r);
	if (!v)
		return r;
	if (!json_is_boolean(v))
		return jp_fail_key(p, key, "must be a boolean");
	*out = json_is_true(v);
	return 0;
}

int jp_int(struct jp *p, json_t *obj, const char *key, int flags, int64_t min, int64_t max,
	   const char *what, int64_t *out, bool *has)
{
	int r;
	json_t *v = member(p, obj, key, flags, has, &r);
	if (!v)
		return r;
	size_t m = jp_push_key(p, key);
	r = jp_v_int(p, v, min, max, what, out);
	jp_pop(p, m);
	return r;
}

#define INT_READER(name, type, min, max, what)						\
	int name(struct jp *p, json_t *obj, const char *key, int flags, type *out, bool *has)	\
	{										\
		int64_t v;								\
		bool h;									\
		int r = jp_int(p, obj, key, flags, min, max, what, &v, &h);		\
		if (has)								\
			*has = h;							\
		if (r == 0 && h)							\
			*out = (type)v;							\
		return r;								\
	}

INT_READER(jp_i32, int32_t, INT32_MIN, INT32_MAX, "a 32-bit integer")
INT_READER(jp_i64, int64_t, INT64_MIN, INT64_MAX, "a 64-bit integer")
INT_READER(jp_u16, uint16_t, 0, UINT16_MAX, "an unsigned 16-bit integer")
INT_READER(jp_u32, uint32_t, 0, UINT32_MAX, "an unsigned 32-bit integer")

int jp_u64(struct jp *p, json_t *obj, const char *key, int flags, uint64_t *out, bool *has)
{
	int r;
	json_t *v = member(p, obj, key, flags, has, &r);
	if (!v)
		return r;
	size_t m = jp_push_key(p, key);
	r = jp_v_u64(p, v, out);
	jp_pop(p, m);
	return r;
}

int jp_strv(struct jp *p, json_t *obj, const char *key, int flags, bool nonempty, char ***out, size_t *n)
{
	int r;
	json_t *v = member(p, obj, key, flags, NULL, &r);
	if (!v)
		return r;
	size_t m = jp_push_key(p, key);
	r = jp_v_strv(p, v, nonempty, out, n);
	jp_pop(p, m);
	return r;
}

int jp_object(struct jp *p, json_t *obj, const char *key, int flags, jp_obj_fn fn, void *arg)
{
	int r;
	json_t *v = member(p, obj, key, flags, NULL, &r);
	if (!v)
		return r;
	size_t m = jp_push_key(p, key);
	r = json_is_object(v) ? fn(p, v, arg) : jp_fail(p, "must be an object");
	jp_pop(p, m);
	return r;
}

/* Zeroed storage for n items; the count is published at once so that the
 * owner's free function can release a partly filled array. */
static int alloc_items(struct jp *p, size_t n, size_t size, void *arr, size_t *np)
{
	void **slot = arr;
	*slot = NULL;
	*np = 0;
	if (n == 0)
		return 0;
	*slot = calloc(n, size);
	if (!*slot)
		return jp_nomem(p);
	*np = n;
	return 0;
}

static int each_elem(struct jp *p, json_t *v, size_t size, void *arr, size_t *np, jp_elem_fn fn)
{
	if (!json_is_array(v))
		return jp_fail(p, "must be an array");
	int r = alloc_items(p, json_array_size(v), size, arr, np);
	char *items = *(char **)arr;
	for (size_t i = 0; r == 0 && i < *np; i++) {
		json_t *elem = json_array_get(v, i);
		size_t m = jp_push_index(p, i);
		r = json_is_object(elem) ? fn(p, elem, items + i * size) : jp_fail(p, "must be an object");
		jp_pop(p, m);
	}
	return r;
}

int jp_array(struct jp *p, json_t *obj, const char *key, int flags, size_t size,
	     void *arr, size_t *n, jp_elem_fn fn)
{
	int r;
	json_t *v = member(p, obj, key, flags, NULL, &r);
	if (!v)
		return r;
	size_t m = jp_push_key(p, key);
	r = each_elem(p, v, size, arr, n, fn);
	jp_pop(p, m);
	return r;
}

static int each_member(struct jp *p, json_t *v, size_t size, void *arr, size_t *np, jp_member_fn fn)
{
	if (!json_is_object(v))
		return jp_fail(p, "must be an object");
	int r = alloc_items(p, json_object_size(v), size, arr, np);
	char *items = *(char **)arr;
	size_t i = 0;
	const char *k;
	json_t *val;
	json_object_foreach(v, k, val) {
		if (r < 0 || i >= *np)
			break;
		size_t m = jp_push_key(p, k);
		r = fn(p, k, val, items + i * size);
		jp_pop(p, m);
		i++;
	}
	return r;
}

int jp_map(struct jp *p, json_t *obj, const char *key, int flags, size_t size,
	   void *arr, size_t *n, jp_member_fn fn)
{
	int r;
	json_t *v = member(p, obj, key, flags, NULL, &r);
	if (!v)
		return r;
	size_t m = jp_push_key(p, key);
	r = each_member(p, v, size, arr, n, fn);
	jp_pop(p, m);
	return r;
}

const struct jp_name *jp_name_find(const struct jp_name *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

int jp_enum(struct jp *p, json_t *obj, const char *key, int flags, const struct jp_name *table, size_t n,
	    const char *what, char **name, long *value)
{
	int r = jp_str(p, obj, key, flags, name);
	if (r < 0 || !jp_get(obj, key))
		return r;
	const struct jp_name *f = jp_name_find(table, n, *name);
	if (!f)
		return jp_fail_key(p, key, "unknown %s \"%s\"", what, *name);
	*value = f->value;
	return 0;
}

int jp_enum_strv(struct jp *p, json_t *obj, const char *key, const struct jp_name *table, size_t n,
		 const char *what, char ***out, size_t *count, unsigned long *mask)
{
	int r = jp_strv(p, obj, key, JP_OPT, false, out, count);
	if (r < 0)
		return r;
	if (mask)
		*mask = 0;
	for (size_t i = 0; i < *count; i++) {
		const struct jp_name *f = jp_name_find(table, n, (*out)[i]);
		if (!f) {
			size_t m = jp_push_key(p, key);
			jp_push_index(p, i);
			r = jp_fail(p, "unknown %s \"%s\"", what, (*out)[i]);
			jp_pop(p, m);
			return r;
		}
		if (mask)
			*mask |= (unsigned long)f->value;
	}
	return 0;
}
