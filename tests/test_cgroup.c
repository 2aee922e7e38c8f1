/* lib/cgroup*: path computation from made-up mountinfo and /proc/self/cgroup,
 * the v1 -> v2 conversions, the device rule emulation and the eBPF program
 * built from it (run through a small interpreter here), then, as root on a
 * host with the hierarchies, live checks: a container cgroup below this
 * process's own (v1 and hybrid), and the v2 code on a cgroup of our own in
 * the cgroup2 hierarchy (freeze, kill, procs, device program). TAP. */
#include "lib/cgroup/cgroup.h"
#include "lib/cgroup/cgroup_devices.h"
#include "lib/cgroup/cgroup_ebpf.h"
#include "lib/cgroup/cgroup_fs.h"
#include "lib/cgroup/cgroup_path.h"
#include "lib/cgroup/cgroup_stats.h"
#include "lib/cgroup/cgroup_v1.h"
#include "lib/cgroup/cgroup_v2.h"
#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"



static void skip(const char *name, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++n_test, name, why);
	fflush(stdout);
}

/* ---- paths ---------------------------------------------------------------- */

static const char hybrid_mountinfo[] =
	"24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
	"50 30 0:40 / /mnt/other\\040cg rw - cgroup cgroup rw,hugetlb\n";
static const char hybrid_self[] =
	"9:name=systemd:/\n"
	"8:pids:/\n"
	"6:freezer:/\n"
	"5:devices:/\n"
	"4:memory:/process_api/ff49\n"
	"2:cpu,cpuacct:/\n"
	"11:hugetlb:/\n"
	"0::/\n";

static const struct cg_hier *by_ctrl(const struct cg_hiers *hs, const char *c)
{
	for (size_t i = 0; i < hs->n; i++)
		if (!strcmp(hs->h[i].controllers, c))
			return &hs->h[i];
	return NULL;
}

static void test_clean(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "/a//b/./c/", "/a/b/c" }, { "abc", "/abc" }, { "/", "/" }, { "", "/" }, { "./x/.", "/x" },
	};
	bool good = true;
	char *o = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		if (cg_path_clean(v[i].in, &o) < 0 || strcmp(o, v[i].out))
			good = false;
		free(o);
		o = NULL;
	}
	ok(good, "cg_path_clean normalises", "a case failed");
	ok(cg_path_clean("/a/../b", &o) == -EINVAL && cg_path_clean("..", &o) == -EINVAL, "cg_path_clean refuses ..",
	   "accepted");
}

static void test_hybrid_paths(void)
{
	struct cg_hiers hs;
	struct oerr e = { 0 };
	int r = cg_hiers_parse(hybrid_mountinfo, hybrid_self, &hs, &e);
	ok(r == 0 && hs.layout == CGROUP_HYBRID, "hybrid: layout", "r=%d %s layout=%d", r, e.msg, r == 0 ? (int)hs.layout : -1);
	if (r < 0)
		return;
	/* hugetlb is mounted outside /sys/fs/cgroup: not counted */
	ok(hs.n == 7 && by_ctrl(&hs, "cpu,cpuacct") && by_ctrl(&hs, "name=systemd") && by_ctrl(&hs, "") &&
	   !by_ctrl(&hs, "hugetlb"), "hybrid: hierarchies", "n=%zu", hs.n);
	ok(cg_hier_v1(&hs, "cpuacct") == by_ctrl(&hs, "cpu,cpuacct") && cg_hier_v2(&hs) == by_ctrl(&hs, ""),
	   "hybrid: lookups by controller", "mismatch");
	char *state = NULL;
	r = cg_paths_for_spec(&hs, NULL, "abc", &state, &e);
	const struct cg_hier *mem = by_ctrl(&hs, "memory"), *cpu = by_ctrl(&hs, "cpu,cpuacct"), *v2 = by_ctrl(&hs, "");
	ok(r == 0 && !strcmp(mem->path, "/process_api/ff49/abc") && !strcmp(mem->dir, "/sys/fs/cgroup/memory/process_api/ff49/abc") &&
	   !strcmp(cpu->path, "/abc") && !strcmp(cpu->dir, "/sys/fs/cgroup/cpu,cpuacct/abc") &&
	   !strcmp(v2->dir, "/sys/fs/cgroup/unified/abc"),
	   "no cgroupsPath: <id> below the caller's cgroup of each hierarchy", "r=%d %s mem=%s cpu=%s", r, e.msg,
	   r ? "" : mem->path, r ? "" : cpu->path);
	ok(state && !strcmp(state, "memory:/process_api/ff49;/abc"), "kept path names the differing base",
	   "state=%s", state ? state : "(null)");
	char *sub = NULL;
	if (asprintf(&sub, "%s/sub", state ? state : "") < 0)
		sub = NULL;
	r = sub ? cg_paths_decode(&hs, sub, &e) : -1;
	ok(r == 0 && !strcmp(mem->dir, "/sys/fs/cgroup/memory/process_api/ff49/abc/sub") &&
	   !strcmp(cpu->dir, "/sys/fs/cgroup/cpu,cpuacct/abc/sub"), "decode with a sub-cgroup appended",
	   "r=%d %s", r, e.msg);
	free(sub);
	ok(cg_paths_decode(&hs, "memory:/process_api/ff49;/abc/../../x", &e) == -EINVAL, "decode refuses ..", "accepted");
	ok(cg_paths_decode(&hs, "memory/x", &e) == -EINVAL, "decode refuses garbage", "accepted");
	free(state);
	state = NULL;
	r = cg_paths_for_spec(&hs, "/ocirt/abc", "abc", &state, &e);
	ok(r == 0 && !strcmp(state, "/ocirt/abc") && !strcmp(mem->path, "/ocirt/abc") &&
	   !strcmp(mem->dir, "/sys/fs/cgroup/memory/ocirt/abc"), "absolute cgroupsPath used as is",
	   "r=%d %s", r, e.msg);
	free(state);
	state = NULL;
	r = cg_paths_for_spec(&hs, "sub/dir", "abc", &state, &e);
	ok(r == 0 && !strcmp(mem->path, "/process_api/ff49/sub/dir") && !strcmp(cpu->path, "/sub/dir"),
	   "relative cgroupsPath below the caller's cgroup", "r=%d %s", r, e.msg);
	free(state);
	state = NULL;
	r = cg_paths_for_spec(&hs, "system.slice:docker:abc", "abc", &state, &e);
	ok(r == -EINVAL && strstr(e.msg, "needs the systemd cgroup driver (--systemd-cgroup)"), "systemd syntax refused",
	   "r=%d %s", r, e.msg);
	r = cg_paths_for_spec(&hs, "../escape", "abc", &state, &e);
	ok(r == -EINVAL && strstr(e.msg, ".."), "cgroupsPath with .. refused", "r=%d %s", r, e.msg);
	r = cg_paths_for_spec(&hs, "/", "abc", &state, &e);
	ok(r == -EINVAL, "root cgroup refused", "r=%d %s", r, e.msg);
	cg_hiers_free(&hs);
}

static void test_v2_paths(void)
{
	static const char mi[] =
		"31 23 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
	static const char self[] = "0::/user.slice/user-1000.slice/session-2.scope\n";
	struct cg_hiers hs;
	struct oerr e = { 0 };
	int r = cg_hiers_parse(mi, self, &hs, &e);
	ok(r == 0 && hs.layout == CGROUP_UNIFIED && hs.n == 1 && hs.h[0].v2, "pure v2: layout", "r=%d %s", r, e.msg);
	if (r < 0)
		return;
	char *state = NULL;
	r = cg_paths_for_spec(&hs, NULL, "abc", &state, &e);
	ok(r == 0 && !strcmp(state, "/user.slice/user-1000.slice/session-2.scope/abc") &&
	   !strcmp(hs.h[0].dir, "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/abc"),
	   "pure v2: relative path folds into a plain path", "r=%d %s", r, e.msg);
	free(state);
	cg_hiers_free(&hs);

	/* A container's view: the cgroup mounted is a sub-tree (no cgroup namespace). */
	static const char mi2[] = "40 31 0:38 /docker/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	static const char self2[] = "0::/docker/c1/init\n";
	r = cg_hiers_parse(mi2, self2, &hs, &e);
	if (r == 0) {
		r = cg_paths_for_spec(&hs, "inner", "abc", &state, &e);
		ok(r == 0 && !strcmp(hs.h[0].path, "/docker/c1/init/inner") &&
		   !strcmp(hs.h[0].dir, "/sys/fs/cgroup/init/inner"), "mount root below the cgroup root",
		   "r=%d %s", r, e.msg);
		free(state);
		r = cg_paths_for_spec(&hs, "/elsewhere", "abc", &state, &e);
		ok(r == -EINVAL, "path outside the mounted sub-tree refused", "r=%d", r);
		cg_hiers_free(&hs);
	} else {
		ok(false, "mount root below the cgroup root", "parse: %s", e.msg);
	}

	static const char mi3[] = "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
	r = cg_hiers_parse(mi3, "4:memory:/\n0::/\n", &hs, &e);
	ok(r == 0 && hs.layout == CGROUP_LEGACY && hs.n == 1, "v1 only: legacy layout", "r=%d %s", r, e.msg);
	if (r == 0)
		cg_hiers_free(&hs);
	ok(cg_hiers_parse("", "0::/\n", &hs, &e) == -ENOENT, "no cgroup mount: error", "%s", e.msg);
}

/* A host that mounted a tmpfs with v1 hierarchies over its cgroup2
 * /sys/fs/cgroup: mountinfo lists the hidden mounts still. */
static void test_overmounted(void)
{
	static const char mi[] =
		"25 20 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
		"26 20 0:25 / /sys rw - sysfs sysfs rw\n"	/* not over it: /sys is above, but earlier */
		"40 25 0:40 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
		"41 40 0:41 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"42 40 0:42 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
		"43 40 0:43 / /sys/fs/cgroup/old rw - cgroup cgroup rw,cpu\n"
		"44 40 0:44 / /sys/fs/cgroup/old rw - tmpfs tmpfs rw\n"	/* covers the cpu one */
		"45 20 0:45 / /mnt/v2 rw - cgroup2 cgroup2 rw\n";
	struct mountinfo *m;
	size_t n;
	int r = cg_mounts_parse(mi, &m, &n);
	ok(r == 0 && n == 3 && !strcmp(m[0].mountpoint, "/sys/fs/cgroup/memory") &&
	   !strcmp(m[1].mountpoint, "/sys/fs/cgroup/pids") && !strcmp(m[2].mountpoint, "/mnt/v2"),
	   "over-mounted: only the visible cgroup mounts", "r=%d n=%zu", r, n);
	if (r == 0)
		mountinfo_free(m, n);
	struct cg_hiers hs;
	struct oerr e = { 0 };
	r = cg_hiers_parse(mi, "5:pids:/a\n4:memory:/a\n3:cpu:/\n0::/\n", &hs, &e);
	ok(r == 0 && hs.layout == CGROUP_LEGACY && hs.n == 2 && !cg_hier_v2(&hs) && cg_hier_v1(&hs, "memory") &&
	   !cg_hier_v1(&hs, "cpu"), "over-mounted cgroup2: legacy layout of the visible v1 hierarchies",
	   "r=%d %s layout=%d n=%zu", r, e.msg, r ? -1 : (int)hs.layout, r ? 0 : hs.n);
	if (r == 0)
		cg_hiers_free(&hs);
}

/* ---- conversions ------------------------------------------------------------ */

static void test_conversions(void)
{
	ok(cg_v2_cpu_weight(0) == 0 && cg_v2_cpu_weight(2) == 1 && cg_v2_cpu_weight(1024) == 39 &&
	   cg_v2_cpu_weight(262144) == 10000 && cg_v2_cpu_weight(1) == 1 && cg_v2_cpu_weight(1000000) == 10000,
	   "cpu shares -> weight", "1024 -> %llu", (unsigned long long)cg_v2_cpu_weight(1024));
	ok(cg_v2_io_weight(0) == 0 && cg_v2_io_weight(10) == 1 && cg_v2_io_weight(500) == 4950 &&
	   cg_v2_io_weight(1000) == 10000, "blkio weight -> io.weight", "500 -> %llu",
	   (unsigned long long)cg_v2_io_weight(500));
	struct oerr e;
	int64_t out = 7;
	ok(cg_v2_swap_max(0, -1, &out, &e) == 0 && out == -1, "swap unset, memory unlimited -> max", "%lld", (long long)out);
	ok(cg_v2_swap_max(300, 100, &out, &e) == 0 && out == 200, "swap 300 limit 100 -> 200", "%lld", (long long)out);
	ok(cg_v2_swap_max(100, 100, &out, &e) == 0 && out == 0, "swap = limit -> no swap", "%lld", (long long)out);
	ok(cg_v2_swap_max(-1, 100, &out, &e) == 0 && out == -1, "swap -1 -> max", "%lld", (long long)out);
	ok(cg_v2_swap_max(0, 100, &out, &e) == 0 && out == 0, "swap 0 -> leave", "%lld", (long long)out);
	ok(cg_v2_swap_max(50, 100, &out, &e) < 0 && strstr(e.msg, ">= memory limit"), "swap below limit refused", "%s", e.msg);
	ok(cg_v2_swap_max(50, 0, &out, &e) < 0 && strstr(e.msg, "without memory limit"), "swap without limit refused",
	   "%s", e.msg);
	ok(cg_v2_swap_max(500, -1, &out, &e) == 0 && out == 500, "swap with unlimited memory as is", "%lld", (long long)out);

	{
		/* v1: memory+swap below the memory limit is refused before any write. */
		char tmpl[] = "/tmp/test_cgroup.XXXXXX";
		char *dir = mkdtemp(tmpl);
		struct spec_memory bad = { .has_limit = true, .limit = 100 << 20, .has_swap = true, .swap = 50 << 20 };
		ok(dir && cg_v1_set_memory(dir, &bad, &e) < 0 && strstr(e.msg, "linux.resources.memory.swap") &&
			   !cg_exists(dir, "memory.limit_in_bytes"),
		   "v1 swap below limit refused, naming the field", "%s", e.msg);
		if (dir)
			rmdir(dir);
	}

	struct spec_memory m = { .has_limit = true, .limit = 1 << 20 };
	struct spec_cpu c = { .has_shares = true, .shares = 512, .cpus = "0" };
	struct spec_kv kv[] = { { "memory.high", "1M" }, { "cgroup.max.depth", "3" }, { "io.max", "8:0 rbps=1" } };
	struct spec_resources r = { .memory = &m, .cpu = &c, .has_pids_limit = true, .pids_limit = 10,
				    .unified = kv, .n_unified = 3 };
	const char *need[16];
	size_t n = cg_v2_needed(&r, need, 16);
	char all[128] = "";
	for (size_t i = 0; i < n; i++)
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s ", need[i]);
	ok(!strcmp(all, "memory cpu cpuset pids io "), "controllers needed for the resources", "%s", all);

	char name[32];
	ok(cg_hugepage_name("hugepages-2048kB", name, sizeof(name)) && !strcmp(name, "2MB") &&
	   cg_hugepage_name("hugepages-1048576kB", name, sizeof(name)) && !strcmp(name, "1GB") &&
	   cg_hugepage_name("hugepages-64kB", name, sizeof(name)) && !strcmp(name, "64KB") &&
	   !cg_hugepage_name("hugepages-x", name, sizeof(name)), "hugepage size names", "%s", name);
}

/* ---- devices ------------------------------------------------------------------ */

#define RULE(t, ma, mi, acc, al) { .type = t, .major = ma, .minor = mi, .access = acc, .allow = al }

/* Run the program on one request, the way the kernel would: 1 allow, 0 deny, -1 bad program. */
static int bpf_run(const struct bpf_insn *p, size_t n, unsigned type, unsigned access, uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = { (access << 16) | type, major, minor };
	uint64_t reg[11] = { 0 };
	for (size_t pc = 0, steps = 0; pc < n && steps < 10000; pc++, steps++) {
		const struct bpf_insn *i = &p[pc];
		uint64_t *d = &reg[i->dst_reg], s = reg[i->src_reg];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			if (i->src_reg != 1 || i->off % 4 || i->off < 0 || i->off > 8)
				return -1;
			*d = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K: *d = (uint32_t)(*d & (uint32_t)i->imm); break;
		case BPF_ALU | BPF_RSH | BPF_K: *d = (uint32_t)*d >> i->imm; break;
		case BPF_ALU | BPF_MOV | BPF_X: *d = (uint32_t)s; break;
		case BPF_ALU | BPF_MOV | BPF_K: *d = (uint32_t)i->imm; break;
		case BPF_JMP | BPF_JNE | BPF_K: if (*d != (uint64_t)(int64_t)i->imm) pc += i->off; break;
		case BPF_JMP32 | BPF_JNE | BPF_K: if ((uint32_t)*d != (uint32_t)i->imm) pc += i->off; break;
		case BPF_JMP | BPF_JNE | BPF_X: if (*d != s) pc += i->off; break;
		case BPF_JMP | BPF_JEQ | BPF_K: if (*d == (uint64_t)(int64_t)i->imm) pc += i->off; break;
		case BPF_JMP | BPF_EXIT: return (int)reg[0];
		default: return -1;
		}
	}
	return -1;
}

/* The program says what the emulated v1 controller says, for a spread of requests. */
static bool bpf_agrees(const struct cg_dev_state *st, const struct bpf_insn *p, size_t n, char *why, size_t wl)
{
	static const uint32_t majors[] = { 1, 5, 8, 10, 136, 4000000000u };
	static const uint32_t minors[] = { 0, 1, 2, 3, 5, 7, 200 };
	for (int t = 0; t < 2; t++)
		for (size_t a = 0; a < ARRAY_SIZE(majors); a++)
			for (size_t b = 0; b < ARRAY_SIZE(minors); b++)
				for (unsigned acc = 1; acc <= 7; acc++) {
					char type = t ? 'b' : 'c';
					int want = cg_dev_state_allows(st, type, majors[a], minors[b], acc);
					int got = bpf_run(p, n, t ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, acc, majors[a],
							  minors[b]);
					if (got != want) {
						snprintf(why, wl, "%c %u:%u acc %u: program %d, v1 %d", type, majors[a],
							 minors[b], acc, got, want);
						return false;
					}
				}
	return true;
}

static void test_devices(void)
{
	struct cg_dev_state st;
	char why[160] = "";
	/* deny all, allow /dev/null rw, then take w away again */
	struct cg_dev_rule r1[] = { RULE('a', -1, -1, CG_ACC_ALL, false), RULE('c', 1, 3, CG_ACC_READ | CG_ACC_WRITE, true),
				    RULE('c', 1, 3, CG_ACC_WRITE, false), RULE('c', 1, 3, CG_ACC_MKNOD, true) };
	cg_dev_emulate(r1, 4, &st);
	ok(!st.default_allow && st.n == 1 && st.ex[0].access == (CG_ACC_READ | CG_ACC_MKNOD) &&
	   cg_dev_state_allows(&st, 'c', 1, 3, CG_ACC_READ) && !cg_dev_state_allows(&st, 'c', 1, 3, CG_ACC_WRITE) &&
	   !cg_dev_state_allows(&st, 'c', 1, 3, CG_ACC_READ | CG_ACC_WRITE) && !cg_dev_state_allows(&st, 'c', 1, 5, CG_ACC_READ),
	   "emulation: allow-list merges and removes access bits", "n=%zu", st.n);
	struct bpf_insn *p = NULL;
	size_t n = 0;
	int r = cg_ebpf_build(&st, &p, &n);
	/* prologue 6 + (jne type, mov, and, jne access, jne major, jne minor, mov, exit) + mov, exit */
	ok(r == 0 && n == 6 + 8 + 2 && p[0].code == (BPF_LDX | BPF_MEM | BPF_W) && p[1].code == (BPF_ALU | BPF_AND | BPF_K) &&
	   p[3].code == (BPF_ALU | BPF_RSH | BPF_K) && p[3].imm == 16 && p[4].off == 4 && p[5].off == 8 &&
	   p[6].code == (BPF_JMP | BPF_JNE | BPF_K) && p[6].imm == BPF_DEVCG_DEV_CHAR && p[6].off == 7 &&
	   p[9].code == (BPF_JMP | BPF_JNE | BPF_X) && p[12].code == (BPF_ALU | BPF_MOV | BPF_K) && p[12].imm == 1 &&
	   p[13].code == (BPF_JMP | BPF_EXIT) && p[14].imm == 0 && p[15].code == (BPF_JMP | BPF_EXIT),
	   "eBPF program for one allow exception: instructions", "r=%d n=%zu", r, n);
	ok(r == 0 && bpf_agrees(&st, p, n, why, sizeof(why)), "eBPF program agrees with v1 (allow-list)", "%s", why);
	free(p);
	cg_dev_state_free(&st);

	/* default allow with deny exceptions; the "a" rule resets whatever came before */
	struct cg_dev_rule r2[] = { RULE('c', 1, 3, CG_ACC_ALL, true), RULE('a', 5, 5, CG_ACC_READ, true),
				    RULE('c', 10, -1, CG_ACC_WRITE, false), RULE('b', -1, -1, CG_ACC_MKNOD, false),
				    RULE('c', 4000000000LL, 1, CG_ACC_ALL, false) };
	cg_dev_emulate(r2, 5, &st);
	ok(st.default_allow && st.n == 3 && !cg_dev_state_allows(&st, 'c', 10, 200, CG_ACC_READ | CG_ACC_WRITE) &&
	   cg_dev_state_allows(&st, 'c', 10, 200, CG_ACC_READ) && !cg_dev_state_allows(&st, 'b', 8, 0, CG_ACC_MKNOD),
	   "emulation: deny-list, partial overlap refuses", "n=%zu", st.n);
	r = cg_ebpf_build(&st, &p, &n);
	bool jmp32 = false;
	for (size_t i = 0; r == 0 && i < n; i++)
		jmp32 |= p[i].code == (BPF_JMP32 | BPF_JNE | BPF_K);
	ok(r == 0 && jmp32 && bpf_agrees(&st, p, n, why, sizeof(why)), "eBPF program agrees with v1 (deny-list, big major)",
	   "%s", why);
	free(p);
	cg_dev_state_free(&st);

	/* the config's rules then the defaults; a default whose path linux.devices has is left out */
	struct spec_device_cgroup dc[] = { { .allow = false, .access = "rwm" },
					   { .allow = true, .type = "c", .has_major = true, .major = 1, .has_minor = true,
					     .minor = 8, .access = "r" } };
	struct spec_device ld[] = { { .path = "/dev/null", .type = 'c', .major = 1, .minor = 3 } };
	struct spec_linux l = { .devices = ld, .n_devices = 1 };
	struct spec_resources res = { .devices = dc, .n_devices = 2 };
	struct cg_dev_rule *rules = NULL;
	size_t nr = 0;
	r = cg_dev_rules_for(&res, &l, &rules, &nr);
	ok(r == 0 && nr == 2 + 10 && rules[0].type == 'a' && !rules[0].allow && rules[1].access == CG_ACC_READ &&
	   rules[2].type == 'c' && rules[2].major == CG_DEV_WILD && rules[2].access == CG_ACC_MKNOD,
	   "rules: config first, defaults after", "r=%d n=%zu", r, nr);
	cg_dev_emulate(rules, nr, &st);
	ok(!cg_dev_state_allows(&st, 'c', 1, 3, CG_ACC_READ) && cg_dev_state_allows(&st, 'c', 1, 5, CG_ACC_READ | CG_ACC_WRITE) &&
	   cg_dev_state_allows(&st, 'c', 1, 8, CG_ACC_WRITE) && cg_dev_state_allows(&st, 'b', 8, 0, CG_ACC_MKNOD) &&
	   !cg_dev_state_allows(&st, 'b', 8, 0, CG_ACC_READ) && cg_dev_state_allows(&st, 'c', 136, 4, CG_ACC_READ),
	   "rules: effective allow-list", "n=%zu", st.n);
	free(rules);
	cg_dev_state_free(&st);

	r = cg_dev_parse_list("c 1:3 rwm\nc 136:* rw\nb *:* m\n", &st);
	ok(r == 0 && !st.default_allow && st.n == 3 && st.ex[1].minor == CG_DEV_WILD && st.ex[1].access == 6 &&
	   st.ex[2].major == CG_DEV_WILD, "devices.list parsed (allow-list)", "r=%d n=%zu", r, st.n);
	cg_dev_state_free(&st);
	r = cg_dev_parse_list("a *:* rwm\n", &st);
	ok(r == 0 && st.default_allow && st.n == 0, "devices.list parsed (allow all)", "r=%d", r);
	cg_dev_state_free(&st);
	char s[64];
	struct cg_dev_rule x = RULE('b', 8, -1, CG_ACC_READ | CG_ACC_MKNOD, true);
	cg_dev_rule_str(&x, s, sizeof(s));
	ok(!strcmp(s, "b 8:* rm"), "rule text", "%s", s);
}

/* ---- live ---------------------------------------------------------------------- */

static bool is_fs(const char *path, long magic)
{
	struct statfs st;
	return statfs(path, &st) == 0 && (long)st.f_type == magic;
}

static char *slurp(const char *dir, const char *file)
{
	char *s = NULL;
	struct oerr e;
	if (cg_read(dir, file, &s, &e) < 0)
		return strdup("(unreadable)");
	return s;
}

/* A child that waits for a byte on in, then tries to open dev and writes back
 * 'y' or 'n', then sleeps until killed. */
static pid_t spawn(int *to, int *from, const char *dev)
{
	int a[2], b[2];
	if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1) {
			int fd = dev ? open(dev, O_RDONLY | O_CLOEXEC) : 0;
			c = fd >= 0 ? 'y' : errno == EPERM ? 'n' : '?';
			if (dev && fd >= 0)
				close(fd);
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		}
		for (;;)
			pause();
	}
	close(a[0]);
	close(b[1]);
	*to = a[1];
	*from = b[0];
	return pid;
}

/* A child cloned with cgroup_join_clone that joins the rest itself, then
 * waits to be killed; -1 when the clone or the join failed. */
static pid_t joined_child(struct cgroup_join *j, struct oerr *e)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = cgroup_join_clone(j, 0, e);
	if (pid == 0) {
		close(p[0]);
		char c = cgroup_join_self(j, e) == 0 ? 'y' : 'n';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	char c = 'x';
	if (pid > 0 && read(p[0], &c, 1) != 1)
		c = 'x';
	close(p[0]);
	cgroup_join_close(j);
	if (pid > 0 && c != 'y') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* pid's /proc/<pid>/cgroup names a cgroup ending in "/name" in every v1
 * hierarchy, and in cgroup2 when with_v2. */
static bool in_every_hierarchy(pid_t pid, const char *name, bool with_v2)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool all = true;
	size_t n = 0, nl = strlen(name);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *p = strchr(line, ':');
		char *q = p ? strchr(p + 1, ':') : NULL;
		if (!q || (q == p + 1 && !with_v2))
			continue;	/* "0::/...": cgroup2 */
		size_t l = strlen(q + 1);
		n++;
		if (l < nl + 1 || strcmp(q + 1 + l - nl, name) || q[l - nl] != '/')
			all = false;
	}
	fclose(f);
	return all && n > 0;
}

static char ask(int to, int from)
{
	char c = 'x';
	if (write(to, "?", 1) != 1 || read(from, &c, 1) != 1)
		return 'x';
	return c;
}

static bool killed_by(pid_t pid, int sig)
{
	int st;
	return waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

static void test_live_v1(void)
{
	enum cgroup_layout lay;
	struct oerr e = { 0 };
	if (cgroup_detect(&lay, &e) < 0 || lay == CGROUP_UNIFIED || !is_fs("/sys/fs/cgroup/memory", CGROUP_SUPER_MAGIC) ||
	    !is_fs("/sys/fs/cgroup/pids", CGROUP_SUPER_MAGIC) || !is_fs("/sys/fs/cgroup/freezer", CGROUP_SUPER_MAGIC)) {
		skip("live v1: create, limits, freeze, kill, destroy", "no v1 memory/pids/freezer hierarchies");
		return;
	}
	char id[64];
	snprintf(id, sizeof(id), "ocirt-test-cgroup-%d", (int)getpid());
	struct spec_memory mem = { .has_limit = true, .limit = 64 << 20, .has_reservation = true,
				   .reservation = 32 << 20 };
	struct spec_cpu cpu = { .has_shares = true, .shares = 512, .has_quota = true, .quota = 50000,
				.has_period = true, .period = 100000 };
	struct spec_device_cgroup dc[] = { { .allow = false, .access = "rwm" },
					   { .allow = false, .type = "c", .has_major = true, .major = 1, .has_minor = true,
					     .minor = 3, .access = "rwm" } };
	struct spec_device ld[] = { { .path = "/dev/null", .type = 'c', .major = 1, .minor = 3 } };
	struct spec_resources res = { .memory = &mem, .cpu = &cpu, .has_pids_limit = true, .pids_limit = 100,
				      .devices = dc, .n_devices = 2 };
	struct spec_linux lin = { .resources = &res, .devices = ld, .n_devices = 1 };
	struct spec s = { .linux_ = &lin };
	int to, from;
	pid_t child = spawn(&to, &from, "/dev/null");
	char before = ask(to, from);
	char *cg = NULL;
	int r = cgroup_create(&s, id, child, &cg, &e);
	ok(r == 0, "live v1: cgroup_create", "%s", e.msg);
	if (r < 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return;
	}
	struct cg_hiers hs;
	cg_hiers_load(&hs, &e);
	cg_paths_decode(&hs, cg, &e);
	const char *md = cg_hier_v1(&hs, "memory")->dir, *pd = cg_hier_v1(&hs, "pids")->dir;
	char *lim = slurp(md, "memory.limit_in_bytes"), *soft = slurp(md, "memory.soft_limit_in_bytes");
	char *pmax = slurp(pd, "pids.max");
	ok(!strcmp(lim, "67108864") && !strcmp(soft, "33554432") && !strcmp(pmax, "100"),
	   "live v1: memory and pids limits written", "limit=%s soft=%s pids=%s", lim, soft, pmax);
	free(lim);
	free(soft);
	free(pmax);
	struct cg_hier *ch = cg_hier_v1(&hs, "cpu");
	if (ch) {
		char *sh = slurp(ch->dir, "cpu.shares"), *q = slurp(ch->dir, "cpu.cfs_quota_us");
		ok(!strcmp(sh, "512") && !strcmp(q, "50000"), "live v1: cpu shares and quota written", "shares=%s quota=%s", sh, q);
		free(sh);
		free(q);
	}
	char procpath[64];
	snprintf(procpath, sizeof(procpath), "/proc/%d/cgroup", (int)child);
	char *pc = NULL;
	read_file_at(AT_FDCWD, procpath, &pc, NULL, &e);
	char want[160];
	snprintf(want, sizeof(want), "memory:%s\n", cg_hier_v1(&hs, "memory")->path);
	ok(pc && strstr(pc, want), "live v1: the child is in the memory cgroup below ours", "%s", pc ? pc : "");
	struct cg_hier *h2 = cg_hier_v2(&hs);
	if (h2) {
		snprintf(want, sizeof(want), "0::%s\n", h2->path);
		ok(pc && strstr(pc, want), "live hybrid: the child is in the cgroup2 cgroup too", "%s", pc ? pc : "");
	}
	free(pc);
	char after = ask(to, from);
	ok(before == 'y' && after == 'n', "live v1: devices rules deny /dev/null", "before=%c after=%c", before, after);

	/* update with device rules: the defaults (with /dev/null) come back, without a deny-all moment */
	struct spec_device_cgroup dall[] = { { .allow = false, .access = "rwm" } };
	struct spec_resources dup = { .devices = dall, .n_devices = 1 };
	r = cgroup_update(cg, &dup, &e);
	char *dl = slurp(cg_hier_v1(&hs, "devices")->dir, "devices.list");
	char again = ask(to, from);
	ok(r == 0 && again == 'y' && strstr(dl, "c 1:3 rwm") && !strstr(dl, "a *:*"), "live v1: update device rules",
	   "r=%d %s answer=%c list=%s", r, e.msg, again, dl);
	free(dl);

	pid_t *pids = NULL;
	size_t np = 0;
	r = cgroup_pids(cg, &pids, &np, &e);
	ok(r == 0 && np == 1 && pids[0] == child, "live v1: cgroup_pids", "r=%d n=%zu %s", r, np, e.msg);
	free(pids);

	bool frozen = false;
	r = cgroup_freeze(cg, true, &e);
	int r2 = cgroup_is_frozen(cg, &frozen, &e);
	char *fs = slurp(cg_hier_v1(&hs, "freezer")->dir, "freezer.state");
	ok(r == 0 && r2 == 0 && frozen && !strcmp(fs, "FROZEN"), "live v1: freeze", "r=%d %s state=%s", r, e.msg, fs);
	free(fs);
	r = cgroup_freeze(cg, false, &e);
	r2 = cgroup_is_frozen(cg, &frozen, &e);
	ok(r == 0 && r2 == 0 && !frozen, "live v1: thaw", "r=%d %s", r, e.msg);

	struct spec_resources up = { .has_pids_limit = true, .pids_limit = -1 };
	struct spec_memory upm = { .has_limit = true, .limit = 128 << 20 };
	up.memory = &upm;
	r = cgroup_update(cg, &up, &e);
	pmax = slurp(pd, "pids.max");
	lim = slurp(md, "memory.limit_in_bytes");
	ok(r == 0 && !strcmp(pmax, "max") && !strcmp(lim, "134217728"), "live v1: cgroup_update", "r=%d %s pids=%s lim=%s",
	   r, e.msg, pmax, lim);
	free(pmax);
	free(lim);

	json_t *st = NULL;
	r = cgroup_stats(cg, &st, &e);
	json_t *cur = st ? json_object_get(json_object_get(st, "pids"), "current") : NULL;
	json_t *ml = st ? json_object_get(json_object_get(json_object_get(st, "memory"), "usage"), "limit") : NULL;
	ok(r == 0 && json_integer_value(cur) == 1 && json_integer_value(ml) == 128 << 20 &&
	   json_object_get(st, "cpu") && json_object_get(st, "hugetlb"), "live v1: cgroup_stats", "r=%d %s", r, e.msg);
	if (st) {
		char *dump = json_dumps(st, JSON_COMPACT);
		printf("# stats: %.300s\n", dump ? dump : "");
		free(dump);
		json_decref(st);
	}

	/* kill --all of a paused container: SIGKILL gets through */
	cgroup_freeze(cg, true, &e);
	r = cgroup_signal_all(cg, SIGKILL, &e);
	ok(r == 0 && killed_by(child, SIGKILL), "live v1: cgroup_signal_all SIGKILL (paused)", "r=%d %s", r, e.msg);
	close(to);
	close(from);

	char *cg2 = NULL;
	struct spec_resources none = { 0 };
	{
		struct spec_linux lp = { .resources = &none };
		struct spec sp = { .linux_ = &lp };
		char pid_id[80];
		struct cgroup_join j;
		snprintf(pid_id, sizeof(pid_id), "%s-prep", id);
		r = cgroup_prepare(&sp, pid_id, false, NULL, &cg2, &j, &e);
		pid_t c2 = r == 0 ? joined_child(&j, &e) : -1;
		pid_t *pp = NULL;
		size_t npp = 0;
		if (c2 > 0)
			cgroup_pids(cg2, &pp, &npp, &e);
		ok(r == 0 && c2 > 0 && j.cloned_into == (lay == CGROUP_HYBRID) && npp == 1 && pp[0] == c2,
		   "live v1: cgroup_prepare, then the child joins by itself", "r=%d c2=%d n=%zu %s", r, (int)c2, npp,
		   e.msg);
		ok(c2 > 0 && in_every_hierarchy(c2, pid_id, lay == CGROUP_HYBRID), "live v1: the self-joined child is in every hierarchy (hybrid: cgroup2 too)", "%s", e.msg);
		free(pp);
		if (c2 > 0) {
			kill(c2, SIGKILL);
			waitpid(c2, NULL, 0);
		}
		if (r == 0)
			cgroup_destroy(cg2, &e);
		free(cg2);
		cg2 = NULL;
	}
	struct spec_linux lin2 = { .resources = &none };
	struct spec s2 = { .linux_ = &lin2 };
	r = cgroup_create(&s2, id, 0, &cg2, &e);
	ok(r == 0, "live v1: an existing empty cgroup is reused", "%s", e.msg);
	free(cg2);
	r = cgroup_destroy(cg, &e);
	bool gone = true;
	for (size_t i = 0; i < hs.n; i++)
		gone &= access(hs.h[i].dir, F_OK) < 0;
	ok(r == 0 && gone, "live v1: cgroup_destroy removes every hierarchy's cgroup", "r=%d %s", r, e.msg);
	ok(cgroup_destroy(cg, &e) == 0, "live v1: destroying again is fine", "%s", e.msg);

	/* a cgroup with a process in it is refused */
	child = spawn(&to, &from, NULL);
	r = cgroup_create(&s2, id, child, &cg2, &e);
	char *cg3 = NULL;
	int r3 = r == 0 ? cgroup_create(&s2, id, 0, &cg3, &e) : -1;
	ok(r == 0 && r3 == -EEXIST && strstr(e.msg, "has processes"), "live v1: a busy existing cgroup is refused",
	   "r=%d r3=%d %s", r, r3, e.msg);
	free(cg3);
	if (r == 0) {
		cgroup_signal_all(cg2, SIGTERM, &e);
		ok(killed_by(child, SIGTERM), "live v1: cgroup_signal_all SIGTERM", "%s", e.msg);
		cgroup_destroy(cg2, &e);
	} else {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	close(to);
	close(from);
	free(cg2);
	free(cg);
	cg_hiers_free(&hs);
}

/* The v2 code on a cgroup of our own in the cgroup2 hierarchy (on a hybrid
 * host it has no controllers: structure, freeze, kill, procs, devices). */
static void test_live_v2(void)
{
	const char *root = NULL;
	if (is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
		root = "/sys/fs/cgroup";
	else if (is_fs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
		root = "/sys/fs/cgroup/unified";
	if (!root) {
		skip("live v2: freeze, kill, device program", "no cgroup2 hierarchy");
		return;
	}
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/ocirt-test-v2-%d", root, (int)getpid());
	struct oerr e = { 0 };
	if (mkdir(dir, 0755) < 0) {
		ok(false, "live v2: mkdir", "%s: %s", dir, strerror(errno));
		return;
	}
	int to, from;
	pid_t child = spawn(&to, &from, "/dev/null");
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)child);
	int r = cg_write(dir, "cgroup.procs", buf, &e);
	ok(r == 0, "live v2: move a child in", "%s", e.msg);
	ok(cg_v2_check_type(dir, &e) == 0, "live v2: cgroup.type is usable", "%s", e.msg);

	/* devices: deny /dev/null, then replace with a program that allows it */
	struct cg_dev_rule deny[] = { RULE('a', -1, -1, CG_ACC_ALL, true), RULE('c', 1, 3, CG_ACC_READ, false) };
	struct cg_dev_state st;
	cg_dev_emulate(deny, 2, &st);
	r = cg_ebpf_apply(dir, &st, &e);
	cg_dev_state_free(&st);
	char c1 = r == 0 ? ask(to, from) : 'x';
	ok(r == 0 && c1 == 'n', "live v2: eBPF program denies /dev/null", "r=%d %s answer=%c", r, e.msg, c1);
	struct cg_dev_rule allow[] = { RULE('a', -1, -1, CG_ACC_ALL, true) };
	cg_dev_emulate(allow, 1, &st);
	r = cg_ebpf_apply(dir, &st, &e);
	cg_dev_state_free(&st);
	char c2 = r == 0 ? ask(to, from) : 'x';
	int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint32_t ids[8];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = 8;
	long q = syscall(SYS_bpf, BPF_PROG_QUERY, &a, sizeof(a));
	close(cgfd);
	ok(r == 0 && c2 == 'y' && q == 0 && a.query.prog_cnt == 1, "live v2: the program is replaced, not added",
	   "r=%d %s answer=%c programs=%u", r, e.msg, c2, a.query.prog_cnt);

	bool frozen = true;
	r = cg_v2_freeze(dir, true, &e);
	int r2 = cg_v2_is_frozen(dir, &frozen, &e);
	char *ev = slurp(dir, "cgroup.events");
	ok(r == 0 && r2 == 0 && frozen && strstr(ev, "frozen 1"), "live v2: freeze", "r=%d %s events=%s", r, e.msg, ev);
	free(ev);
	r = cg_v2_freeze(dir, false, &e);
	r2 = cg_v2_is_frozen(dir, &frozen, &e);
	ok(r == 0 && r2 == 0 && !frozen, "live v2: thaw", "r=%d %s", r, e.msg);

	r = cg_v2_kill(dir, &e);
	if (r == -ENOENT) {
		kill(child, SIGKILL);
		skip("live v2: cgroup.kill", "kernel without cgroup.kill");
		waitpid(child, NULL, 0);
	} else {
		ok(r == 0 && killed_by(child, SIGKILL), "live v2: cgroup.kill", "r=%d %s", r, e.msg);
	}
	close(to);
	close(from);
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
		usleep(10000);
	ok(access(dir, F_OK) < 0, "live v2: removed", "%s", strerror(errno));
}

/* The public API on a pure v2 host (the QEMU VM of scripts/v2vm). */
static void test_live_unified(void)
{
	enum cgroup_layout lay;
	struct oerr e = { 0 };
	if (cgroup_detect(&lay, &e) < 0 || lay != CGROUP_UNIFIED) {
		skip("live pure v2: create, limits, devices, freeze, kill, destroy", "not a pure cgroup v2 host");
		return;
	}
	char path[96], top[128], dir[160];
	snprintf(path, sizeof(path), "/ocirt-test-u%d/c", (int)getpid());
	snprintf(top, sizeof(top), "/sys/fs/cgroup/ocirt-test-u%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s/c", top);
	struct spec_memory mem = { .has_limit = true, .limit = 64 << 20, .has_swap = true, .swap = 96 << 20 };
	struct spec_cpu cpu = { .has_shares = true, .shares = 1024, .has_quota = true, .quota = 50000 };
	struct spec_device_cgroup dc[] = { { .allow = false, .access = "rwm" } };
	struct spec_device ld[] = { { .path = "/dev/null", .type = 'c', .major = 1, .minor = 3 } };
	struct spec_kv kv[] = { { "memory.high", "50000000" } };
	struct spec_resources res = { .memory = &mem, .cpu = &cpu, .has_pids_limit = true, .pids_limit = 30,
				      .devices = dc, .n_devices = 1, .unified = kv, .n_unified = 1 };
	struct spec_linux lin = { .resources = &res, .devices = ld, .n_devices = 1, .cgroups_path = path };
	struct spec s = { .linux_ = &lin };
	int to, from;
	pid_t child = spawn(&to, &from, "/dev/null");
	char *cg = NULL;
	int r = cgroup_create(&s, "ignored", child, &cg, &e);
	ok(r == 0 && !strcmp(cg, path), "live pure v2: cgroup_create", "r=%d %s", r, e.msg);
	if (r < 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		rmdir(top);
		return;
	}
	char *mm = slurp(dir, "memory.max"), *sw = slurp(dir, "memory.swap.max"), *pm = slurp(dir, "pids.max");
	char *w = slurp(dir, "cpu.weight"), *cm = slurp(dir, "cpu.max"), *mh = slurp(dir, "memory.high");
	ok(!strcmp(mm, "67108864") && !strcmp(sw, "33554432") && !strcmp(pm, "30") && !strcmp(w, "39") &&
	   !strcmp(cm, "50000 100000") && !strcmp(mh, "49999872"), "live pure v2: limits written",
	   "max=%s swap=%s pids=%s weight=%s cpu.max=%s high=%s", mm, sw, pm, w, cm, mh);
	free(mm); free(sw); free(pm); free(w); free(cm); free(mh);
	char c = ask(to, from);
	ok(c == 'n', "live pure v2: eBPF device rules deny /dev/null", "answer=%c", c);
	bool frozen = false;
	r = cgroup_freeze(cg, true, &e);
	cgroup_is_frozen(cg, &frozen, &e);
	ok(r == 0 && frozen, "live pure v2: freeze", "r=%d %s", r, e.msg);
	cgroup_freeze(cg, false, &e);
	struct spec_resources up = { .has_pids_limit = true, .pids_limit = 0 };
	r = cgroup_update(cg, &up, &e);
	pm = slurp(dir, "pids.max");
	ok(r == 0 && !strcmp(pm, "0"), "live pure v2: update pids.limit 0", "r=%d %s %s", r, e.msg, pm);
	free(pm);
	json_t *st = NULL;
	r = cgroup_stats(cg, &st, &e);
	json_t *ml = st ? json_object_get(json_object_get(json_object_get(st, "memory"), "usage"), "limit") : NULL;
	ok(r == 0 && json_integer_value(ml) == 64 << 20, "live pure v2: stats", "r=%d %s", r, e.msg);
	json_decref(st);
	r = cgroup_signal_all(cg, SIGKILL, &e);
	ok(r == 0 && killed_by(child, SIGKILL), "live pure v2: signal_all SIGKILL", "r=%d %s", r, e.msg);
	close(to);
	close(from);
	r = cgroup_destroy(cg, &e);
	ok(r == 0 && access(dir, F_OK) < 0, "live pure v2: destroy", "r=%d %s", r, e.msg);
	free(cg);
	struct cgroup_join j;
	cg = NULL;
	r = cgroup_prepare(&s, "ignored", false, NULL, &cg, &j, &e);
	struct stat sb;
	ok(r == 0 && j.v2_dir >= 0 && fstat(j.v2_dir, &sb) == 0 && S_ISDIR(sb.st_mode) && j.n_v1 == 0,
	   "live pure v2: cgroup_prepare gives a directory fd", "r=%d fd=%d %s", r, j.v2_dir, e.msg);
	pid_t c2 = r == 0 ? joined_child(&j, &e) : -1;
	pid_t *pp = NULL;
	size_t npp = 0;
	if (c2 > 0)
		cgroup_pids(cg, &pp, &npp, &e);
	ok(c2 > 0 && j.cloned_into && npp == 1 && pp[0] == c2, "live pure v2: cloned straight into the cgroup",
	   "c2=%d into=%d n=%zu %s", (int)c2, j.cloned_into, npp, e.msg);
	free(pp);
	if (c2 > 0) {
		kill(c2, SIGKILL);
		waitpid(c2, NULL, 0);
	}
	if (r == 0)
		cgroup_destroy(cg, &e);
	free(cg);
	rmdir(top);

	/* A parent with processes: no controllers for its children, and it is left as it was. */
	if (mkdir(top, 0755) < 0) {
		ok(false, "live pure v2: busy parent", "mkdir %s: %s", top, strerror(errno));
		return;
	}
	child = spawn(&to, &from, NULL);
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)child);
	cg_write(top, "cgroup.procs", buf, &e);
	struct spec_resources only_mem = { .memory = &mem };
	lin.resources = &only_mem;
	r = cgroup_create(&s, "ignored", 0, &cg, &e);
	char *type = slurp(top, "cgroup.type"), *sc = slurp(top, "cgroup.subtree_control");
	ok(r == -EBUSY && strstr(e.msg, "no internal processes") && !strcmp(type, "domain") && !*sc &&
	   access(dir, F_OK) < 0, "live pure v2: busy parent refused and untouched", "r=%d %s type=%s sc=%s", r, e.msg,
	   type, sc);
	free(type);
	free(sc);
	lin.resources = NULL;
	cg = NULL;
	r = cgroup_create(&s, "ignored", 0, &cg, &e);
	ok(r == 0, "live pure v2: busy parent, no resources: created", "r=%d %s", r, e.msg);
	if (r == 0)
		cgroup_destroy(cg, &e);
	free(cg);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(to);
	close(from);
	for (int i = 0; i < 100 && rmdir(top) < 0 && errno == EBUSY; i++)
		usleep(10000);
}

int main(void)
{
	test_clean();
	test_hybrid_paths();
	test_v2_paths();
	test_overmounted();
	test_conversions();
	test_devices();
	if (geteuid() != 0) {
		skip("live cgroup tests", "not root");
	} else {
		test_live_v1();
		test_live_v2();
		test_live_unified();
	}
	return tap_done();
}
