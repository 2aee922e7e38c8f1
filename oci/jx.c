#include "jx.h"
#include "spec.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *jx_key(char *buf, const char *parent, const char *key)
{
	if (parent && *parent)
		snprintf(buf, JX_MAX, "%s.%s", parent, key);
	else
		snprintf(buf, JX_MAX, "%s", key);
	return buf;
}

const char *jx_idx(char *buf, const char *parent, size_t i)
{
	snprintf(buf, JX_MAX, "%s[%zu]", parent, i);
	return buf;
}

int jx_err(struct oerr *e, const char *path, const char *what)
{
	return oerr_setx(e, EINVAL, "%s: %s", path, what);
}

int jx_object(json_t *v, const char *path, struct oerr *e)
{
	return json_is_object(v) ? 0 : jx_err(e, path, "must be an object");
}

static json_t *field(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	/* An explicit null reads as absent, as Go's decoders do. */
	return json_is_null(v) ? NULL : v;
}

int jx_str(json_t *obj, const char *parent, const char *key, bool required, char **out, struct oerr *e)
{
	char p[JX_MAX];
	json_t *v = field(obj, key);
	if (!v)
		return required ? jx_err(e, jx_key(p, parent, key), "required") : 0;
	if (!json_is_string(v))
		return jx_err(e, jx_key(p, parent, key), "must be a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return jx_err(e, jx_key(p, parent, key), "must not contain NUL bytes");
	free(*out);
	*out = strdup(json_string_value(v));
	return *out ? 0 : oerr_setx(e, ENOMEM, "%s", jx_key(p, parent, key));
}

int jx_bool(json_t *obj, const char *parent, const char *key, bool *out, bool *has, struct oerr *e)
{
	char p[JX_MAX];
	json_t *v = field(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return jx_err(e, jx_key(p, parent, key), "must be a boolean");
	*out = json_is_true(v);
	if (has)
		*has = true;
	return 0;
}

int jx_int(json_t *obj, const char *parent, const char *key, bool required, int64_t min, int64_t max,
	   int64_t *out, bool *has, struct oerr *e)
{
	char p[JX_MAX], what[96];
	json_t *v = field(obj, key);
	if (!v)
		return required ? jx_err(e, jx_key(p, parent, key), "required") : 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		if (min == 0 && max == UINT32_MAX)
			snprintf(what, sizeof(what), "must be an unsigned 32-bit integer");
		else if (min == INT32_MIN && max == INT32_MAX)
			snprintf(what, sizeof(what), "must be a 32-bit integer");
		else if (min == INT64_MIN && max == INT64_MAX)
			snprintf(what, sizeof(what), "must be an integer");
		else
			snprintf(what, sizeof(what), "must be an integer from %lld to %lld", (long long)min,
				 (long long)max);
		return jx_err(e, jx_key(p, parent, key), what);
	}
	*out = json_integer_value(v);
	if (has)
		*has = true;
	return 0;
}

int jx_u64(json_t *obj, const char *parent, const char *key, bool required, uint64_t *out, bool *has,
	   struct oerr *e)
{
	int64_t v;
	bool h = false;
	int r = jx_int(obj, parent, key, required, 0, INT64_MAX, &v, &h, e);
	if (r < 0) {
		char p[JX_MAX];
		return jx_err(e, jx_key(p, parent, key), "must be an unsigned 64-bit integer");
	}
	if (h) {
		*out = (uint64_t)v;
		if (has)
			*has = true;
	}
	return 0;
}

int jx_array(json_t *obj, const char *parent, const char *key, bool required, json_t **arr, struct oerr *e)
{
	char p[JX_MAX];
	json_t *v = field(obj, key);
	*arr = NULL;
	if (!v)
		return required ? jx_err(e, jx_key(p, parent, key), "required") : 0;
	if (!json_is_array(v))
		return jx_err(e, jx_key(p, parent, key), "must be an array");
	*arr = v;
	return 0;
}

int jx_child(json_t *obj, const char *parent, const char *key, bool required, json_t **child, struct oerr *e)
{
	char p[JX_MAX];
	json_t *v = field(obj, key);
	*child = NULL;
	if (!v)
		return required ? jx_err(e, jx_key(p, parent, key), "required") : 0;
	if (!json_is_object(v))
		return jx_err(e, jx_key(p, parent, key), "must be an object");
	*child = v;
	return 0;
}

int jx_strv(json_t *obj, const char *parent, const char *key, bool required, bool nonempty,
	    char ***out, size_t *n, struct oerr *e)
{
	char p[JX_MAX];
	json_t *v = field(obj, key);
	if (!v)
		return required ? jx_err(e, jx_key(p, parent, key),
					 nonempty ? "must be a non-empty array of strings" : "required") : 0;
	size_t cnt = json_is_array(v) ? json_array_size(v) : 0;
	bool ok = json_is_array(v) && (!nonempty || cnt > 0);
	for (size_t i = 0; ok && i < cnt; i++)
		ok = json_is_string(json_array_get(v, i)) &&
		     strlen(json_string_value(json_array_get(v, i))) == json_string_length(json_array_get(v, i));
	if (!ok)
		return jx_err(e, jx_key(p, parent, key),
			      nonempty ? "must be a non-empty array of strings" : "must be an array of strings");
	char **vec = calloc(cnt + 1, sizeof(*vec));
	if (!vec)
		return oerr_setx(e, ENOMEM, "%s", jx_key(p, parent, key));
	for (size_t i = 0; i < cnt; i++) {
		vec[i] = strdup(json_string_value(json_array_get(v, i)));
		if (!vec[i]) {
			for (size_t j = 0; j < i; j++)
				free(vec[j]);
			free(vec);
			return oerr_setx(e, ENOMEM, "%s", jx_key(p, parent, key));
		}
	}
	*out = vec;
	*n = cnt;
	return 0;
}

int jx_kv(json_t *obj, const char *parent, const char *key, struct spec_kv **out, size_t *n, struct oerr *e)
{
	char p[JX_MAX], q[JX_MAX];
	json_t *v = field(obj, key);
	if (!v)
		return 0;
	if (!json_is_object(v))
		return jx_err(e, jx_key(p, parent, key), "must be an object of strings");
	size_t cnt = json_object_size(v), i = 0;
	struct spec_kv *kv = calloc(cnt ? cnt : 1, sizeof(*kv));
	if (!kv)
		return oerr_setx(e, ENOMEM, "%s", jx_key(p, parent, key));
	*out = kv;
	*n = 0;
	const char *k;
	json_t *val;
	json_object_foreach(v, k, val) {
		if (!json_is_string(val))
			return jx_err(e, jx_key(q, jx_key(p, parent, key), k), "must be a string");
		if (!*k)
			return jx_err(e, jx_key(p, parent, key), "keys must not be empty");
		kv[i].key = strdup(k);
		kv[i].value = strdup(json_string_value(val));
		*n = ++i;
		if (!kv[i - 1].key || !kv[i - 1].value)
			return oerr_setx(e, ENOMEM, "%s", jx_key(p, parent, key));
	}
	return 0;
}

long jx_lookup(const struct jx_name *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t->value;
	return -1;
}
