/* Unit tests (TAP) for the state dir's timestamps: time_rfc3339_at formats
 * UTC by hand (glibc's gmtime_r reads /etc/localtime on first use); checked
 * against gmtime_r on days around leap years, century rules, the epoch and
 * before it. */
#include "tests/tap.h"
#include "lib/container/statedir.h"
#include <stdint.h>
#include <string.h>
#include <time.h>

static void expect(time_t secs, long ns, const char *name)
{
	struct timespec ts = { .tv_sec = secs, .tv_nsec = ns };
	char got[64], want[64];
	struct tm tm;
	gmtime_r(&secs, &tm);
	snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
	time_rfc3339_at(&ts, got, sizeof(got));
	ok(!strcmp(got, want), name, "got %s, want %s", got, want);
}

int main(void)
{
	expect(0, 0, "the epoch");
	expect(-1, 999999999, "the second before the epoch");
	expect(951782400, 5, "2000-02-29 (a leap year by the 400 rule)");
	expect(951868799, 123456789, "2000-02-29 23:59:59");
	expect(4107542400, 0, "2100-03-01 (2100 is no leap year)");
	expect(1798675200 + 86399, 1, "2026-12-31 23:59:59");
	expect(-2208988800, 0, "1900-01-01");
	/* every day of four centuries from 1970, at a time of day that moves */
	bool all = true;
	char detail[160] = "";
	for (int64_t d = 0; d < 146097 && all; d++) {
		time_t t = (time_t)(d * 86400 + (d * 7919) % 86400);
		struct timespec ts = { .tv_sec = t, .tv_nsec = 0 };
		char got[64], want[64];
		struct tm tm;
		gmtime_r(&t, &tm);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.000000000Z", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		time_rfc3339_at(&ts, got, sizeof(got));
		if (strcmp(got, want)) {
			all = false;
			snprintf(detail, sizeof(detail), "got %s, want %s", got, want);
		}
	}
	ok(all, "400 years of days as gmtime_r has them", "%s", detail);
	return tap_done();
}
