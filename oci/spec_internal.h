/* Shared between the oci/spec*.c parsers; not for use outside oci/. */
#pragma once
#include "oci/jsonpath.h"
#include "oci/spec.h"

/* jp_object() callbacks: arg is where the new struct goes (struct X **). */
int spec_parse_process(struct jp *p, json_t *obj, void *arg);
int spec_parse_linux(struct jp *p, json_t *obj, void *arg);
int spec_parse_resources(struct jp *p, json_t *obj, void *arg);
int spec_parse_seccomp(struct jp *p, json_t *obj, void *arg);

/* jp_array() / jp_map() callbacks shared by several sections. */
int spec_parse_idmap(struct jp *p, json_t *elem, void *item);		/* struct spec_idmap */
int spec_parse_kv(struct jp *p, const char *key, json_t *val, void *item);	/* struct spec_kv */

void spec_strv_free(char **v);
void spec_kv_free(struct spec_kv *kv, size_t n);
void spec_linux_free(struct spec_linux *l);
void spec_seccomp_free(struct spec_seccomp *s);

/* spec_known_name's lists, by the file that holds each table. */
const char *spec_linux_name(enum spec_names list, size_t i);
const char *spec_seccomp_name(enum spec_names list, size_t i);
