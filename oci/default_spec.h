/* The config.json that `ocirt spec` writes. */
#pragma once
#include <stdbool.h>

#define SPEC_OCI_VERSION "1.3.0"

/* malloc'd, tab-indented JSON (no trailing newline), NULL when out of memory.
 * rootless: user namespace mapping the current euid/egid to root, no network
 * or cgroup namespace, no cgroup settings, /sys bind-mounted from the host. */
char *spec_default_json(bool rootless);
