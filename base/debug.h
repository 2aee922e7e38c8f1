/* --debug: what ocirt does, one line per step, with the time the step took
 * and the time since the command started. Without --debug a step costs
 * one test of a global flag: no formatting, no clock. */
#pragma once
#include <stdbool.h>

extern bool debug_on;

/* Where a step goes: msg, the microseconds since the previous step and
 * since debug_start. cmd/ logs it; a container's init or exec child sends
 * it to the runtime over its sync socket instead. */
typedef void (*debug_sink_fn)(const char *msg, long long step_us, long long total_us);

/* Turn steps on (the clock starts now) and send them to sink. */
void debug_start(debug_sink_fn sink);
/* Send the steps to sink from now on; NULL: turn them off. */
void debug_set_sink(debug_sink_fn sink);
/* Where steps go now (NULL: off), to be put back with debug_set_sink. */
debug_sink_fn debug_get_sink(void);
/* A step already timed elsewhere (the init's, forwarded by the runtime). */
void debug_forward(const char *msg, long long step_us, long long total_us);

void debug_step_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define debug_step(...) do { if (__builtin_expect(debug_on, 0)) debug_step_(__VA_ARGS__); } while (0)
