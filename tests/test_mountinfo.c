/* base/mountinfo: parsing proc(5) mountinfo lines; lib/criu's option parsers. TAP. */
#include "base/mountinfo.h"
#include "lib/criu/criu.h"
#include "tap.h"
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void test_parse(void)
{
	const char *text =
		"110 88 254:0 /tmp/b/rootfs / rw,relatime - ext4 /dev/vda rw,discard\n"
		"117 111 0:6 /null /proc/keys rw,relatime shared:5 master:2 - devtmpfs devtmpfs rw,mode=755\n"
		"120 110 0:50 /a\\040b /mnt/with\\040space\\011tab rw - tmpfs none\n"
		"garbage line without the separator\n"
		"121 110 0:51 / /x\\134y rw - cgroup cgroup rw,memory";
	struct mountinfo *m = NULL;
	size_t n = 0;
	int r = mountinfo_parse(text, &m, &n);
	ok(r == 0 && n == 4, "four entries, the bad line skipped", "r=%d n=%zu", r, n);
	if (n != 4)
		return;
	ok(m[0].id == 110 && m[0].parent == 88 && m[0].major == 254 && m[0].minor == 0, "ids and device",
	   "%d %d %u:%u", m[0].id, m[0].parent, m[0].major, m[0].minor);
	ok(!strcmp(m[0].root, "/tmp/b/rootfs") && !strcmp(m[0].mountpoint, "/") && !strcmp(m[0].fstype, "ext4") &&
		   !strcmp(m[0].source, "/dev/vda") && !strcmp(m[0].super_opts, "rw,discard") &&
		   !strcmp(m[0].opts, "rw,relatime"),
	   "fields", "%s %s %s %s %s", m[0].root, m[0].mountpoint, m[0].fstype, m[0].source, m[0].super_opts);
	ok(!strcmp(m[1].root, "/null") && !strcmp(m[1].mountpoint, "/proc/keys") && !strcmp(m[1].fstype, "devtmpfs"),
	   "optional fields before the separator", "%s %s %s", m[1].root, m[1].mountpoint, m[1].fstype);
	ok(!strcmp(m[2].root, "/a b") && !strcmp(m[2].mountpoint, "/mnt/with space\ttab") &&
		   !strcmp(m[2].super_opts, ""),
	   "octal escapes; no superblock options", "[%s] [%s] [%s]", m[2].root, m[2].mountpoint, m[2].super_opts);
	ok(!strcmp(m[3].mountpoint, "/x\\y"), "an escaped backslash", "%s", m[3].mountpoint);
	ok(mountinfo_find(m, n, "/proc/keys") == &m[1] && !mountinfo_find(m, n, "/nope"), "find by mount point",
	   "%p", (void *)mountinfo_find(m, n, "/proc/keys"));
	mountinfo_free(m, n);
	struct oerr e = { 0 };
	r = mountinfo_read(0, &m, &n, &e);
	ok(r == 0 && n > 0 && mountinfo_find(m, n, "/"), "our own mountinfo has a root", "%d %s", r, e.msg);
	if (r == 0)
		mountinfo_free(m, n);
}

/* mountinfo_format writes what mountinfo_parse reads back as it was:
 * the escapes, the optional fields dropped, an empty superblock option. */
static void test_format(void)
{
	const char *text =
		"120 110 0:50 /a\\040b /mnt/with\\040space\\011tab rw shared:3 - tmpfs none\n"
		"121 110 0:51 / /x\\134y\\012z rw,nosuid - cgroup cgroup rw,memory\n"
		"122 1 0:52 / /sys/fs/cgroup rw - cgroup2 cgroup2\n";
	struct mountinfo *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	char *out = NULL;
	int r = mountinfo_parse(text, &a, &na);
	if (r == 0)
		r = mountinfo_format(a, na, &out);
	if (r == 0)
		r = mountinfo_parse(out, &b, &nb);
	ok(r == 0 && na == 3 && nb == 3, "format, then parse again: three entries", "r=%d %zu %zu", r, na, nb);
	bool same = r == 0 && na == nb;
	for (size_t i = 0; same && i < na; i++)
		same = a[i].id == b[i].id && a[i].parent == b[i].parent && a[i].major == b[i].major &&
		       a[i].minor == b[i].minor && !strcmp(a[i].root, b[i].root) &&
		       !strcmp(a[i].mountpoint, b[i].mountpoint) && !strcmp(a[i].opts, b[i].opts) &&
		       !strcmp(a[i].fstype, b[i].fstype) && !strcmp(a[i].source, b[i].source) &&
		       !strcmp(a[i].super_opts, b[i].super_opts);
	ok(same, "every field as it was, the escaped characters too", "%s", out ? out : "(none)");
	ok(na == 3 && !strcmp(a[1].mountpoint, "/x\\y\nz") && !strcmp(a[2].super_opts, ""),
	   "a backslash and a newline in a mount point, no superblock options", "%s", na == 3 ? a[1].mountpoint : "");
	mountinfo_free(a, na);
	mountinfo_free(b, nb);
	free(out);
}

static void test_cr_opts(void)
{
	struct oerr e = { 0 };
	enum cr_cg_mode mode = CR_CG_IGNORE;
	ok(cr_parse_cg_mode(NULL, &mode, &e) == 0 && mode == CR_CG_SOFT, "cgroups mode: soft by default", "%d", mode);
	ok(cr_parse_cg_mode("strict", &mode, &e) == 0 && mode == CR_CG_STRICT, "cgroups mode: strict", "%d", mode);
	ok(cr_parse_cg_mode("full", &mode, &e) == 0 && mode == CR_CG_FULL &&
		   cr_parse_cg_mode("ignore", &mode, &e) == 0 && mode == CR_CG_IGNORE,
	   "cgroups mode: full, ignore", "%d", mode);
	ok(cr_parse_cg_mode("hard", &mode, &e) == -EINVAL && strstr(e.msg, "\"hard\""), "cgroups mode: bad value",
	   "%s", e.msg);
	unsigned ns = 0;
	ok(cr_parse_empty_ns("network", &ns, &e) == 0 && ns == CLONE_NEWNET, "empty-ns network", "%x", ns);
	ok(cr_parse_empty_ns("ipc", &ns, &e) == -EINVAL && strstr(e.msg, "\"ipc\""), "empty-ns: only network",
	   "%s", e.msg);
}

int main(void)
{
	test_parse();
	test_format();
	test_cr_opts();
	return tap_done();
}
