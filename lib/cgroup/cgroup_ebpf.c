#include "lib/cgroup/cgroup_ebpf.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "base/util.h"

/* Registers of the program: R1 holds struct bpf_cgroup_dev_ctx on entry and is
 * scratch after the prologue. */
enum { R0, R1, R2_TYPE, R3_ACCESS, R4_MAJOR, R5_MINOR };

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
	bool oom;
};

static size_t emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct bpf_insn *nv = realloc(p->v, cap * sizeof(*nv));
		if (!nv) {
			p->oom = true;
			return p->n;
		}
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
	return p->n++;
}

/* "if (reg != val) goto <later>": the 64-bit compare would sign-extend an
 * immediate above INT32_MAX, so those use the 32-bit jump class. */
static size_t emit_jne_imm(struct prog *p, uint8_t reg, uint32_t val)
{
	uint8_t cls = val > INT32_MAX ? BPF_JMP32 : BPF_JMP;
	return emit(p, cls | BPF_JNE | BPF_K, reg, 0, 0, (int32_t)val);
}

int cg_ebpf_build(const struct cg_dev_state *st, struct bpf_insn **insns, size_t *n)
{
	struct prog p = { 0 };
	/* access_type is (access << 16) | type */
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R2_TYPE, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(&p, BPF_ALU | BPF_AND | BPF_K, R2_TYPE, 0, 0, 0xFFFF);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R3_ACCESS, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(&p, BPF_ALU | BPF_RSH | BPF_K, R3_ACCESS, 0, 0, 16);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R4_MAJOR, R1, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R5_MINOR, R1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	for (size_t i = 0; i < st->n; i++) {
		const struct cg_dev_rule *x = &st->ex[i];
		size_t jumps[4], nj = 0;
		if (x->type != 'b' && x->type != 'c') {
			free(p.v);
			return -EINVAL;
		}
		jumps[nj++] = emit_jne_imm(&p, R2_TYPE, x->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
		if ((x->access & CG_ACC_ALL) != CG_ACC_ALL) {
			emit(&p, BPF_ALU | BPF_MOV | BPF_X, R1, R3_ACCESS, 0, 0);
			emit(&p, BPF_ALU | BPF_AND | BPF_K, R1, 0, 0, (int32_t)(x->access & CG_ACC_ALL));
			/* Same as the v1 controller: an allow exception must cover all
			 * of the access asked; a deny exception refuses any overlap. */
			if (x->allow)
				jumps[nj++] = emit(&p, BPF_JMP | BPF_JNE | BPF_X, R1, R3_ACCESS, 0, 0);
			else
				jumps[nj++] = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, R1, 0, 0, 0);
		}
		if (x->major != CG_DEV_WILD)
			jumps[nj++] = emit_jne_imm(&p, R4_MAJOR, (uint32_t)x->major);
		if (x->minor != CG_DEV_WILD)
			jumps[nj++] = emit_jne_imm(&p, R5_MINOR, (uint32_t)x->minor);
		emit(&p, BPF_ALU | BPF_MOV | BPF_K, R0, 0, 0, x->allow ? 1 : 0);
		size_t next = emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0) + 1;
		for (size_t j = 0; j < nj && !p.oom; j++)
			p.v[jumps[j]].off = (int16_t)(next - jumps[j] - 1);
	}
	emit(&p, BPF_ALU | BPF_MOV | BPF_K, R0, 0, 0, st->default_allow ? 1 : 0);
	emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	if (p.oom) {
		free(p.v);
		return -ENOMEM;
	}
	*insns = p.v;
	*n = p.n;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
	return r < 0 ? -errno : (int)r;
}

static int load(const struct bpf_insn *insns, size_t n, struct oerr *e)
{
	static const char license[] = "Apache-2.0";
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)license;
	strncpy(a.prog_name, CG_EBPF_PROG_NAME, sizeof(a.prog_name) - 1);
	int fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0 || fd == -EPERM || fd == -ENOSYS)
		return fd >= 0 ? fd : oerr_set(e, -fd, "load the device eBPF program");
	/* Load again with the verifier's log, for the message. */
	size_t log_len = 16384;
	_cleanup_free_ char *log = calloc(1, log_len);
	if (log) {
		a.log_level = 1;
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)log_len;
		int fd2 = sys_bpf(BPF_PROG_LOAD, &a);
		if (fd2 >= 0)
			return fd2;
		size_t l = strlen(log);
		while (l > 0 && log[l - 1] == '\n')
			log[--l] = '\0';
		char *last = strrchr(log, '\n');
		if (l > 0)
			return oerr_setx(e, -fd, "load the device eBPF program: verifier: %s", last ? last + 1 : log);
	}
	return oerr_set(e, -fd, "load the device eBPF program");
}

/* Ids of programs of ours attached to the cgroup itself (not inherited). */
static int ours_attached(int cgfd, int **fds, size_t *nfds, struct oerr *e)
{
	uint32_t cap = 64;
	_cleanup_free_ uint32_t *ids = NULL;
	union bpf_attr a;
	for (;;) {
		free(ids);
		if (!(ids = calloc(cap, sizeof(*ids))))
			return oerr_set(e, ENOMEM, "query device eBPF programs");
		memset(&a, 0, sizeof(a));
		a.query.target_fd = (uint32_t)cgfd;
		a.query.attach_type = BPF_CGROUP_DEVICE;
		a.query.prog_ids = (uint64_t)(uintptr_t)ids;
		a.query.prog_cnt = cap;
		int r = sys_bpf(BPF_PROG_QUERY, &a);
		if (r == -ENOSPC && cap < 65536) {
			cap *= 4;
			continue;
		}
		if (r < 0)
			return oerr_set(e, -r, "query device eBPF programs");
		break;
	}
	int *v = calloc(a.query.prog_cnt + 1, sizeof(*v));
	if (!v)
		return oerr_set(e, ENOMEM, "query device eBPF programs");
	size_t k = 0;
	for (uint32_t i = 0; i < a.query.prog_cnt; i++) {
		union bpf_attr g;
		memset(&g, 0, sizeof(g));
		g.prog_id = ids[i];
		int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
		if (fd < 0)
			continue;	/* detached meanwhile */
		struct bpf_prog_info info;
		memset(&info, 0, sizeof(info));
		union bpf_attr q;
		memset(&q, 0, sizeof(q));
		q.info.bpf_fd = (uint32_t)fd;
		q.info.info_len = sizeof(info);
		q.info.info = (uint64_t)(uintptr_t)&info;
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &q) == 0 &&
		    !strncmp(info.name, CG_EBPF_PROG_NAME, sizeof(info.name)))
			v[k++] = fd;
		else
			close(fd);
	}
	*fds = v;
	*nfds = k;
	return 0;
}

static int attach(int cgfd, int progfd, int replace_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)progfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (replace_fd >= 0) {
		a.attach_flags |= BPF_F_REPLACE;
		a.replace_bpf_fd = (uint32_t)replace_fd;
	}
	return sys_bpf(BPF_PROG_ATTACH, &a);
}

static int detach(int cgfd, int progfd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)progfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	return sys_bpf(BPF_PROG_DETACH, &a);
}

int cg_ebpf_apply(const char *dir, const struct cg_dev_state *st, struct oerr *e)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	size_t n;
	int r = cg_ebpf_build(st, &insns, &n);
	if (r < 0)
		return oerr_set(e, -r, "build the device eBPF program");
	_cleanup_close_ int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return oerr_set(e, errno, "open %s", dir);
	_cleanup_close_ int progfd = load(insns, n, e);
	if (progfd < 0)
		return progfd;
	int *old = NULL;
	size_t nold = 0;
	if ((r = ours_attached(cgfd, &old, &nold, e)) < 0)
		return r;
	/* One old program: swap it atomically. Otherwise (or on kernels before
	 * 5.6 without BPF_F_REPLACE) attach first, then detach the old ones, so
	 * that no moment goes without a filter. */
	r = nold == 1 ? attach(cgfd, progfd, old[0]) : -EINVAL;
	bool replaced = r == 0;
	if (!replaced)
		r = attach(cgfd, progfd, -1);
	if (r < 0) {
		oerr_set(e, -r, "attach the device eBPF program to %s", dir);
	} else if (!replaced) {
		for (size_t i = 0; i < nold; i++) {
			int d = detach(cgfd, old[i]);
			if (d < 0 && d != -ENOENT) {
				r = oerr_set(e, -d, "detach the previous device eBPF program from %s", dir);
				break;
			}
		}
	}
	for (size_t i = 0; i < nold; i++)
		close(old[i]);
	free(old);
	return r < 0 ? r : 0;
}
