#include "cmd/log.h"
#include "lib/container/statedir.h"
#include "base/debug.h"
#include "base/util.h"
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1;
static bool log_json;

int log_setup(const char *path, const char *format, bool debug)
{
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
	if (debug)
		debug_start(log_debug_step);
	return 0;
}

/* Text: logrus's key=value words, the message quoted. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* One line in the chosen format; step_us < 0: no timing fields. malloc'd. */
static char *format_line(const char *level, const char *msg, long long step_us, long long total_us)
{
	char ts[64];
	time_rfc3339(ts, sizeof(ts));
	char *line = NULL;
	if (log_json) {
		json_t *o = json_pack("{s:s, s:s}", "level", level, "msg", msg);
		if (o && step_us >= 0) {
			json_object_set_new(o, "step_ms", json_real((double)step_us / 1000));
			json_object_set_new(o, "total_ms", json_real((double)total_us / 1000));
		}
		if (o)
			json_object_set_new(o, "time", json_string(ts));
		char *text = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
		json_decref(o);
		if (text && asprintf(&line, "%s\n", text) < 0)
			line = NULL;
		free(text);
		return line;
	}
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	if (!f)
		return NULL;
	fprintf(f, "time=\"%s\" level=%s msg=", ts, level);
	put_quoted(f, msg);
	if (step_us >= 0)
		fprintf(f, " step_ms=%.3f total_ms=%.3f", (double)step_us / 1000, (double)total_us / 1000);
	fputc('\n', f);
	if (fclose(f) != 0) {
		free(line);
		return NULL;
	}
	return line;
}

static void write_line(int fd, const char *line)
{
	if (line && write_all(fd, line, strlen(line)) < 0) {
		/* nowhere left to say so */
	}
}

static void log_write(const char *level, const char *msg)
{
	if (log_fd < 0)
		return;
	char *line = format_line(level, msg, -1, 0);
	write_line(log_fd, line);
	free(line);
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

void log_debug_step(const char *msg, long long step_us, long long total_us)
{
	char *line = format_line("debug", msg, step_us, total_us);
	write_line(log_fd >= 0 ? log_fd : 2, line);
	free(line);
}
