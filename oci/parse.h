/* Internal: the parts of the config parser shared between its files. */
#pragma once
#include <jansson.h>
#include "spec.h"

int parse_linux(json_t *lin, struct spec *s, struct oerr *e);
int parse_resources(json_t *res, struct spec_resources **out, struct oerr *e);
int parse_seccomp(json_t *sc, struct spec_seccomp **out, struct oerr *e);
int parse_process_object(json_t *proc, struct spec_process **out, struct oerr *e);
int parse_idmaps_at(json_t *obj, const char *parent, const char *key, struct spec_idmap **out,
		    size_t *n, struct oerr *e);
