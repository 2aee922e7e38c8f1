#include "base/err.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *oerr_strerror(int code, char *buf, unsigned len)
{
	if (len == 0)
		return "";
	snprintf(buf, len, "%s", strerror(code));
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

static int oerr_vset(struct oerr *e, int code, int with_errno, const char *fmt, va_list ap)
{
	if (code < 0)
		code = -code;
	if (code == 0)
		code = EINVAL;
	if (e) {
		int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		if (n < 0)
			n = 0;
		if (with_errno && (size_t)n < sizeof(e->msg)) {
			char buf[128];
			snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
				 oerr_strerror(code, buf, sizeof(buf)));
		}
		e->code = code;
	}
	return -code;
}

int oerr_set(struct oerr *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = oerr_vset(e, code, 1, fmt, ap);
	va_end(ap);
	return r;
}

int oerr_setx(struct oerr *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = oerr_vset(e, code, 0, fmt, ap);
	va_end(ap);
	return r;
}

int oerr_wrap(struct oerr *e, const char *fmt, ...)
{
	if (!e)
		return -EINVAL;
	char old[sizeof(e->msg)];
	memcpy(old, e->msg, sizeof(old));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	/* Truncation of the old text is fine: the prefix matters most. */
	if (n >= 0 && (size_t)n + 2 < sizeof(e->msg)) {
		size_t room = sizeof(e->msg) - (size_t)n - 1;
		char *p = e->msg + n;
		*p++ = ':';
		*p++ = ' ';
		room -= 2;
		size_t len = strnlen(old, room);
		memcpy(p, old, len);
		p[len] = '\0';
	}
	if (e->code == 0)
		e->code = EINVAL;
	return -e->code;
}
