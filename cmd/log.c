#include "cmd/log.h"
#include "lib/container/statedir.h"
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1;
static bool log_json, log_debug_on;

int log_setup(const char *path, const char *format, bool debug)
{
	log_debug_on = debug;
	if (format && strcmp(format, "text") && strcmp(format, "json")) {
		fprintf(stderr, "ocirt: --log-format: unknown format \"%s\" (text or json)\n", format);
		return -1;
	}
	log_json = format && !strcmp(format, "json");
	if (path && *path) {
		log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0) {
			fprintf(stderr, "ocirt: --log %s: %m\n", path);
			return -1;
		}
	}
	return 0;
}

static void log_write(const char *level, const char *msg)
{
	if (log_fd < 0)
		return;
	char ts[64];
	time_rfc3339(ts, sizeof(ts));
	char *line = NULL;
	if (log_json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", ts);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (text && asprintf(&line, "%s\n", text) < 0)
			line = NULL;
		free(text);
	} else if (asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", ts, level, msg) < 0) {
		line = NULL;
	}
	if (line) {
		ssize_t ignored = write(log_fd, line, strlen(line));
		(void)ignored;
		free(line);
	}
}

void log_error(const char *msg)
{
	log_write("error", msg);
	fprintf(stderr, "ocirt: %s\n", msg);
}

static void log_vmsg(const char *level, bool to_stderr, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_write(level, msg);
	if (to_stderr)
		fprintf(stderr, "ocirt: %s: %s\n", level, msg);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg("warning", log_fd < 0, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	if (!log_debug_on)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vmsg("debug", log_fd < 0, fmt, ap);
	va_end(ap);
}
