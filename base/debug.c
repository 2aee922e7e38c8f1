#include "base/debug.h"
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

bool debug_on;
static debug_sink_fn debug_sink;
static long long t0_us, last_us;

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void debug_start(debug_sink_fn sink)
{
	t0_us = last_us = now_us();
	debug_set_sink(sink);
}

void debug_set_sink(debug_sink_fn sink)
{
	debug_sink = sink;
	debug_on = sink != NULL;
}

debug_sink_fn debug_get_sink(void)
{
	return debug_sink;
}

void debug_forward(const char *msg, long long step_us, long long total_us)
{
	if (debug_sink)
		debug_sink(msg, step_us, total_us);
	/* the next step of ours is timed from the forwarded one */
	last_us = t0_us + total_us;
}

void debug_step_(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	long long now = now_us();
	long long step = now - last_us;
	last_us = now;
	if (debug_sink)
		debug_sink(msg, step, now - t0_us);
}
