/* Unit tests for lib/process/procenv.h (TAP): /etc/passwd lines and files,
 * when HOME is missing, and the environment built from process.env. */
#include "lib/process/procenv.h"
#include "base/util.h"
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include "tap.h"

static bool line_is(const char *line, uint32_t uid, const char *want)
{
	const char *h = NULL;
	size_t hl = 0;
	int r = passwd_line_home(line, strlen(line), uid, &h, &hl);
	if (!want)
		return r == 0;
	return r == 1 && hl == strlen(want) && memcmp(h, want, hl) == 0;
}

static void test_lines(void)
{
	report(line_is("user:x:1000:1000:User:/home/user:/bin/sh", 1000, "/home/user"), "line: match", NULL);
	report(line_is("user:x:1000:1000:User:/home/user:/bin/sh", 100, NULL), "line: another uid", NULL);
	report(line_is("user:x:10000:1000::/h:/bin/sh", 1000, NULL), "line: 10000 is not 1000", NULL);
	report(line_is("user:x:1000:1000::/h", 1000, "/h"), "line: no shell field", NULL);
	report(line_is("user:x:1000:1000::/h:/bin/sh\r", 1000, "/h:/bin/sh") == false &&
	   line_is("user:x:1000:1000::/h:/bin/sh\r", 1000, "/h"), "line: CRLF", NULL);
	report(line_is("  root:x:0:0:root:/root:/bin/sh  ", 0, "/root"), "line: surrounding blanks", NULL);
	report(line_is("user:x:1000:1000", 1000, ""), "line: too few fields gives an empty home", NULL);
	report(line_is("user:x:1000:1000:gecos::/bin/sh", 1000, ""), "line: empty home field", NULL);
	report(line_is("#user:x:1000:1000::/h:/bin/sh", 1000, NULL), "line: comment", NULL);
	report(line_is("", 0, NULL), "line: empty", NULL);
	report(line_is("user:x::1000::/h:/bin/sh", 0, NULL), "line: empty uid is not 0", NULL);
	report(line_is("user:x:abc:1000::/h:/bin/sh", 0, NULL), "line: a name is not a uid", NULL);
	report(line_is("user:x:-1:1000::/h:/bin/sh", 4294967295u, NULL), "line: negative uid", NULL);
	report(line_is("user:x:4294967296:1::/h:/x", 0, NULL), "line: uid beyond 32 bits", NULL);
	report(line_is("big:x:4294967295:1::/big:/x", 4294967295u, "/big"), "line: the largest uid", NULL);
	report(line_is("+:::::/nis:", 0, NULL), "line: NIS entry", NULL);
}

static int memfile(const char *text, size_t len)
{
	int fd = memfd_create("passwd", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, text, len) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		printf("Bail out! memfd: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

static void file_is(const char *name, const char *text, size_t len, uint32_t uid, const char *want)
{
	int fd = memfile(text, len);
	char *home = NULL;
	int r = passwd_home_fd(fd, uid, &home);
	close(fd);
	if (!want)
		ok(r == 0 && !home, name, "got %d \"%s\"", r, home ? home : "(null)");
	else
		ok(r == 1 && home && !strcmp(home, want), name, "got %d \"%s\"", r, home ? home : "(null)");
	free(home);
}

static void test_files(void)
{
	const char *pw = "root:x:0:0:root:/root:/bin/sh\n"
			 "user:x:1000:1000:user:/home/user:/bin/sh\n"
			 "dup:x:1000:1000:dup:/dup:/bin/sh\n"
			 "nohome:x:7:7:nohome::/bin/sh\n"
			 "last:x:9:9::/last:/bin/sh";
	file_is("file: first entry", pw, strlen(pw), 0, "/root");
	file_is("file: the first of two entries wins", pw, strlen(pw), 1000, "/home/user");
	file_is("file: last line without a newline", pw, strlen(pw), 9, "/last");
	file_is("file: empty home field gives /", pw, strlen(pw), 7, "/");
	file_is("file: no entry", pw, strlen(pw), 4242, NULL);
	file_is("file: empty", "", 0, 0, NULL);

	/* A line longer than the reader's buffer is skipped whole, its tail
	 * never taken for a line of its own; the lines around it still count. */
	size_t n = 10000;
	char *big = malloc(n + 200);
	int o = sprintf(big, "a:x:1:1::/a:/bin/sh\nlong:x:2:2::/");
	memset(big + o, 'x', n);
	o += (int)n;
	o += sprintf(big + o, "\n:x:3:3::/tail\nb:x:4:4::/b:/bin/sh\n");
	/* the tail of the long line, read alone, would look like uid 3's entry */
	char *fake = strstr(big, "\n:x:3");
	memcpy(fake - 12, "xx:y:5:5::/f", 12);
	file_is("file: before a long line", big, (size_t)o, 1, "/a");
	file_is("file: the long line's own entry is dropped", big, (size_t)o, 2, NULL);
	file_is("file: a piece of a long line is no entry", big, (size_t)o, 5, NULL);
	file_is("file: after a long line", big, (size_t)o, 4, "/b");
	file_is("file: a line after a long one", big, (size_t)o, 3, "/tail");
	free(big);
}

static struct spec_process proc(char **env)
{
	struct spec_process p = { .env = env };
	while (env && env[p.n_env])
		p.n_env++;
	return p;
}

static char *joined(char **v)
{
	static char buf[1024];
	buf[0] = '\0';
	for (size_t i = 0; v && v[i]; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, v[i]);
	}
	return buf;
}

static void build_is(const char *name, char **env, const char *home, int listen, const char *want)
{
	struct spec_process p = proc(env);
	char **v = procenv_build(&p, home, listen);
	ok(v && !strcmp(joined(v), want), name, "got \"%s\", want \"%s\"", v ? joined(v) : "(null)", want);
	/* the strings that are not env's own were made for v */
	for (size_t i = 0; v && v[i]; i++) {
		bool theirs = false;
		for (size_t j = 0; env && env[j]; j++)
			theirs |= v[i] == env[j];
		if (!theirs)
			free(v[i]);
	}
	free(v);
}

static void test_env(void)
{
	struct spec_process p = proc((char *[]){ "PATH=/bin", NULL });
	report(procenv_needs_home(&p), "needs HOME: none", NULL);
	p = proc((char *[]){ "HOME=/x", "PATH=/bin", NULL });
	report(!procenv_needs_home(&p), "needs HOME: set", NULL);
	p = proc((char *[]){ "HOME=", NULL });
	report(procenv_needs_home(&p), "needs HOME: empty (runc)", NULL);
	p = proc((char *[]){ "HOME=/x", "HOME=", NULL });
	report(procenv_needs_home(&p), "needs HOME: the last one is empty", NULL);
	p = proc((char *[]){ "HOME=", "HOME=/y", NULL });
	report(!procenv_needs_home(&p), "needs HOME: the last one is set", NULL);
	p = proc((char *[]){ "HOMEDIR=/x", NULL });
	report(procenv_needs_home(&p), "needs HOME: HOMEDIR is another variable", NULL);
	p = proc(NULL);
	report(procenv_needs_home(&p), "needs HOME: no env at all", NULL);

	build_is("build: HOME appended", (char *[]){ "PATH=/bin", "A=1", NULL }, "/root", 0,
		 "PATH=/bin A=1 HOME=/root");
	build_is("build: empty HOMEs dropped", (char *[]){ "HOME=", "A=1", "HOME=", NULL }, "/", 0,
		 "A=1 HOME=/");
	build_is("build: no env", NULL, "/home/user", 0, "HOME=/home/user");
	build_is("build: socket activation", (char *[]){ "HOME=/h", NULL }, NULL, 2,
		 "HOME=/h LISTEN_FDS=2 LISTEN_PID=1");
	build_is("build: the config's LISTEN_ variables stay", (char *[]){ "LISTEN_FDS=1", "LISTEN_PID=7", NULL },
		 NULL, 3, "LISTEN_FDS=1 LISTEN_PID=7");
	build_is("build: both", (char *[]){ "A=1", NULL }, "/", 1, "A=1 HOME=/ LISTEN_FDS=1 LISTEN_PID=1");
	build_is("build: nothing to add", (char *[]){ "A=1", NULL }, NULL, 0, "A=1");
}

int main(void)
{
	test_lines();
	test_files();
	test_env();
	return tap_done();
}
