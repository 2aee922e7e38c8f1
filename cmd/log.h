/* Runtime log: errors always reach stderr; with --log they also go to the file,
 * as text or one JSON object per line ({"level","msg","time"}). */
#pragma once
#include <stdbool.h>

int log_setup(const char *path, const char *format, bool debug);
void log_error(const char *msg);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
