/* The default config.json that `ocirt spec` writes. */
#pragma once
#include <stdbool.h>

#define SPEC_OCI_VERSION "1.3.0"

/* malloc'd pretty-printed JSON; NULL on ENOMEM. */
char *spec_default_json(bool rootless);
