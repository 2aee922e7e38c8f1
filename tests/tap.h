/* TAP output for the unit tests: ok()/report() print one test line each,
 * tap_done() the plan, and returns the exit status. */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int n_test, n_fail;

/* One test line; on failure, fmt... explains it on a "#" line. */
__attribute__((format(printf, 3, 4), unused))
static void ok(bool cond, const char *name, const char *fmt, ...)
{
	n_test++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_test, name);
	if (!cond) {
		n_fail++;
		va_list ap;
		va_start(ap, fmt);
		printf("#   ");
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
	}
	fflush(stdout);
}

__attribute__((unused))
static void report(bool cond, const char *name, const char *why)
{
	ok(cond, name, "%s", why ? why : "");
}

__attribute__((unused))
static int tap_done(void)
{
	printf("1..%d\n", n_test);
	return n_fail ? 1 : 0;
}
