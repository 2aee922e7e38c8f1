/* One error idiom for all of ocirt: functions return 0 or a negative errno
 * and fill a struct oerr with a message saying what failed and on what. */
#pragma once
#include <errno.h>

struct oerr {
	int code;		/* positive errno, 0 when unset */
	char msg[1024];
};

/* "fmt...: <strerror(code) in lowercase>"; returns -code (or -EINVAL for 0). */
int oerr_set(struct oerr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, without the errno text appended. */
int oerr_setx(struct oerr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix an existing message: "prefix: old message". Returns -e->code. */
int oerr_wrap(struct oerr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Lowercase strerror, the way runc/Go prints errno ("no such file or directory"). */
const char *oerr_strerror(int code, char *buf, unsigned len);
