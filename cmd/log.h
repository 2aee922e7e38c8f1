/* Runtime log: errors always reach stderr; with --log they also go to the file,
 * as text or one JSON object per line ({"level","msg","time"}). With --debug
 * the steps (base/debug.h) go to the file, or to stderr without --log, with
 * their timing: step_ms=... total_ms=... (text) or "step_ms"/"total_ms". */
#pragma once
#include <stdbool.h>

int log_setup(const char *path, const char *format, bool debug);
void log_error(const char *msg);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The --debug sink (base/debug.h). */
void log_debug_step(const char *msg, long long step_us, long long total_us);
