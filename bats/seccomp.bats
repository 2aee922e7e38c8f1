#!/usr/bin/env bats
# linux.seccomp (config-linux.md "Seccomp"): actions, errno values, argument
# filters, architectures, flags, and SCMP_ACT_NOTIFY with a seccomp agent.
# (A plain SCMP_ACT_ERRNO rule with errnoRet is in process.bats.)

load helpers

setup_file() {
	cc -O2 -Wall -o "$BATS_FILE_TMPDIR/seccompagent" "$BATS_TEST_DIRNAME/helpers/seccompagent.c"
}

teardown() {
	if [ -n "${AGENT_PID:-}" ]; then
		kill "$AGENT_PID" 2>/dev/null || true
		wait "$AGENT_PID" 2>/dev/null || true
	fi
	teardown_common
}

# seccomp JSON: linux.seccomp.
seccomp() {
	update_config --argjson s "$1" '.linux.seccomp = $s'
}

# rule ACTION [EXTRA-JSON]: allow everything but mkdir/mkdirat, which get ACTION.
rule() {
	seccomp "$(jq -n --arg a "$1" --argjson x "${2:-{\}}" \
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": $a} + $x]}')"
}

SIGSYS=31

# What busybox needs to run sh, echo, mkdir and cat (x86_64 names; the
# others are skipped with a warning where they do not exist).
ALLOW='["read", "write", "open", "openat", "close", "fstat", "newfstatat", "stat", "lstat", "statx",
	"mmap", "mprotect", "munmap", "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl",
	"access", "faccessat", "faccessat2", "execve", "exit", "exit_group", "getpid", "getppid", "getuid",
	"geteuid", "getgid", "getegid", "fcntl", "dup", "dup2", "dup3", "wait4", "clone", "clone3", "fork",
	"vfork", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "getcwd", "chdir", "uname",
	"prctl", "futex", "getdents64", "lseek", "readlink", "readlinkat", "pipe", "pipe2", "poll",
	"ppoll", "getrandom", "sigaltstack", "prlimit64", "umask", "setpgid", "getpgrp", "getpgid", "kill",
	"tgkill", "gettid"]'

@test "defaultAction SCMP_ACT_ERRNO with defaultErrnoRet, and an allow list" {
	seccomp "$(jq -n --argjson allow "$ALLOW" '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 28,
		"syscalls": [{"names": $allow, "action": "SCMP_ACT_ALLOW"}]}')"
	run_ct sh -c 'echo allowed; mkdir /tmp/d; echo "mkdir: $?"'
	assert_status 0
	[ "${lines[0]}" = allowed ]
	[ "${lines[1]}" = "mkdir: 1" ]
	assert_contains "$stderr" "No space left on device"
	[ ! -e "$BUNDLE/rootfs/tmp/d" ]
}

@test "a syscall newer than every one the profile names gets ENOSYS, an older one the default errno" {
	# As in runc: libc falls back from ENOSYS (clone3 to clone, faccessat2 to
	# faccessat), not from the default action's errno. The allow list's
	# newest is rseq (334); mkdir (83) is older and not named.
	cc -O2 -Wall -static -o "$BUNDLE/rootfs/bin/sysno" "$BATS_TEST_DIRNAME/helpers/sysno.c"
	seccomp "$(jq -n --argjson allow "$ALLOW" '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 28,
		"syscalls": [{"names": ($allow - ["clone3", "faccessat2"]), "action": "SCMP_ACT_ALLOW"}]}')"
	run_ct sysno 435 439 83
	assert_status 0
	assert_output "$(printf '435 38\n439 38\n83 28')"
	# a profile that names faccessat2 (439) decides clone3 (435) by its default
	seccomp "$(jq -n --argjson allow "$ALLOW" '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 28,
		"syscalls": [{"names": ($allow - ["clone3"]), "action": "SCMP_ACT_ALLOW"}]}')"
	run_ct sysno 435
	assert_status 0
	assert_output "435 28"
	# a default that lets syscalls through is left alone
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
	run_ct sysno 435
	assert_status 0
	assert_output "435 22"
}

@test "a profile that refuses close_range and getcwd, loaded before the fd sweep (noNewPrivileges false)" {
	# Without no_new_privs the filter is loaded while the init still holds
	# the runtime's fds; closing them must not depend on close_range, nor
	# the cwd check on getcwd.
	# What the init itself does after loading it: drop capabilities, switch
	# user, report to the runtime.
	local init='["capget", "capset", "setresuid", "setresgid", "setgroups", "sendmsg", "sendto",
		"recvmsg", "fchdir"]'
	seccomp "$(jq -n --argjson allow "$ALLOW" --argjson init "$init" '{"defaultAction": "SCMP_ACT_ERRNO",
		"syscalls": [{"names": ($allow + $init - ["getcwd"]), "action": "SCMP_ACT_ALLOW"}]}')"
	update_config '.process.noNewPrivileges = false'
	run_ct sh -c 'echo ran; ls /proc/self/fd'
	assert_status 0
	[ "${lines[0]}" = ran ]
	# 0-2 and the directory ls reads: nothing of the runtime's.
	[ "${#lines[@]}" -eq 5 ]
}

@test "SCMP_ACT_ERRNO without errnoRet is EPERM" {
	rule SCMP_ACT_ERRNO
	run_ct sh -c 'mkdir /tmp/d; echo "mkdir: $?"'
	assert_status 0
	assert_output "mkdir: 1"
	assert_contains "$stderr" "Operation not permitted"
}

@test "SCMP_ACT_KILL, KILL_PROCESS and KILL_THREAD kill with SIGSYS, run does not hang" {
	for a in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD; do
		rule "$a"
		run_ct mkdir /tmp/d
		assert_status $((128 + SIGSYS))
		[ ! -e "$BUNDLE/rootfs/tmp/d" ]
		ocirt state "$ID"
		[ "$status" -ne 0 ]
	done
	# with the process killed, a detached container ends up stopped
	rule SCMP_ACT_KILL_PROCESS
	set_args mkdir /tmp/d
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	wait_status "$ID" stopped
}

@test "SCMP_ACT_TRAP sends SIGSYS" {
	rule SCMP_ACT_TRAP
	run_ct mkdir /tmp/d
	assert_status $((128 + SIGSYS))
	[ ! -e "$BUNDLE/rootfs/tmp/d" ]
}

@test "SCMP_ACT_LOG lets the syscall through" {
	rule SCMP_ACT_LOG
	run_ct sh -c 'mkdir /tmp/d && echo made'
	assert_status 0
	assert_output made
	[ -d "$BUNDLE/rootfs/tmp/d" ]
}

@test "SCMP_ACT_TRACE without a tracer fails the syscall with ENOSYS" {
	rule SCMP_ACT_TRACE
	run_ct sh -c 'mkdir /tmp/d; echo "mkdir: $?"'
	assert_status 0
	assert_output "mkdir: 1"
	assert_contains "$stderr" "Function not implemented"
	[ ! -e "$BUNDLE/rootfs/tmp/d" ]
}

@test "argument filters: kill(.., SIGUSR1) only" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
		"errnoRet": 1, "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}]}'
	run_ct sh -c 'trap "" USR1 USR2; kill -USR1 $$; echo "usr1: $?"; kill -USR2 $$; echo "usr2: $?"'
	assert_status 0
	[ "${lines[0]}" = "usr1: 1" ]
	[ "${lines[1]}" = "usr2: 0" ]
}

@test "argument filters: SCMP_CMP_MASKED_EQ on chmod's mode" {
	# chmod(path, mode) / fchmodat(dirfd, path, mode): refuse the setuid bit (04000)
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		 "args": [{"index": 2, "value": 2048, "valueTwo": 2048, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		 "args": [{"index": 1, "value": 2048, "valueTwo": 2048, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	run_ct sh -c 'touch /tmp/f; chmod 4755 /tmp/f; echo "suid: $?"; chmod 2755 /tmp/f; echo "sgid: $?"'
	assert_status 0
	[ "${lines[0]}" = "suid: 1" ]
	[ "${lines[1]}" = "sgid: 0" ]
	assert_contains "$stderr" "Permission denied"
	[ "$(stat -c %a "$BUNDLE/rootfs/tmp/f")" = 2755 ]
}

@test "architectures: the native ones, and an unknown one fails create" {
	[ "$(uname -m)" = x86_64 ] || skip "architecture names for x86_64"
	rule SCMP_ACT_ERRNO
	update_config '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]'
	run_ct sh -c 'mkdir /tmp/d; echo "mkdir: $?"'
	assert_status 0
	assert_output "mkdir: 1"
	update_config '.linux.seccomp.architectures = ["SCMP_ARCH_NOSUCH"]'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" SCMP_ARCH_NOSUCH
	assert_clean
}

@test "flags: SECCOMP_FILTER_FLAG_LOG and SPEC_ALLOW are accepted, an unknown one is not" {
	rule SCMP_ACT_ERRNO
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]'
	run_ct sh -c 'mkdir /tmp/d; echo "mkdir: $?"; grep Speculation_Store_Bypass /proc/self/status'
	assert_status 0
	[ "${lines[0]}" = "mkdir: 1" ]
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_NOSUCH"]'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" SECCOMP_FILTER_FLAG_NOSUCH
	assert_clean
}

@test "an unknown syscall name is skipped with a warning" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["nosuchsyscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	run_ct sh -c 'mkdir /tmp/d; echo "mkdir: $?"'
	assert_status 0
	assert_output "mkdir: 1"
	assert_contains "$stderr" 'warning: seccomp: unknown syscall "nosuchsyscall"'
}

@test "the filter is in place, with and without noNewPrivileges, and in exec'd processes" {
	for nnp in true false; do
		rule SCMP_ACT_ERRNO
		update_config --argjson n $nnp '.process.noNewPrivileges = $n'
		set_args sleep 100
		ocirt run -d -b "$BUNDLE" "$ID"
		assert_status 0
		ocirt exec "$ID" sh -c 'grep "^Seccomp:" /proc/self/status; grep "^Seccomp:" /proc/1/status; mkdir /tmp/e; echo "mkdir: $?"'
		assert_status 0
		[ "$(echo $output)" = "Seccomp: 2 Seccomp: 2 mkdir: 1" ]
		ocirt delete -f "$ID"
		assert_status 0
	done
}

# start_agent ERRNO: the seccomp agent on $AGENT_SOCK, answering -ERRNO.
start_agent() {
	AGENT_SOCK=$BATS_TEST_TMPDIR/agent.sock
	AGENT_OUT=$BATS_TEST_TMPDIR/agent.json
	"$BATS_FILE_TMPDIR/seccompagent" "$AGENT_SOCK" "$AGENT_OUT" "$1" 3>&- &
	AGENT_PID=$!
	retry test -S "$AGENT_SOCK"
}

@test "SCMP_ACT_NOTIFY: the agent gets the listener fd and the state, and answers" {
	for nnp in true false; do
		start_agent 28
		rule SCMP_ACT_NOTIFY
		update_config --arg p "$AGENT_SOCK" --argjson n $nnp \
			'.linux.seccomp.listenerPath = $p | .linux.seccomp.listenerMetadata = "meta data" | .process.noNewPrivileges = $n'
		run_ct sh -c 'mkdir /tmp/d; echo "mkdir: $?"; touch /tmp/f && echo touched'
		assert_status 0
		[ "${lines[0]}" = "mkdir: 1" ]
		[ "${lines[1]}" = touched ]
		assert_contains "$stderr" "No space left on device"
		st=0
		for i in $(seq 100); do
			kill -0 "$AGENT_PID" 2>/dev/null || break
			sleep 0.05
		done
		wait "$AGENT_PID" || st=$?
		AGENT_PID=
		cat "$AGENT_OUT" >&2
		[ "$st" -eq 0 ]
		[ "$(jq -c .fds "$AGENT_OUT")" = '["seccompFd"]' ]
		[ "$(jq -r .metadata "$AGENT_OUT")" = "meta data" ]
		[ -n "$(jq -r .ociVersion "$AGENT_OUT")" ]
		[ "$(jq -r .state.id "$AGENT_OUT")" = "$ID" ]
		[ "$(jq -r .state.status "$AGENT_OUT")" = creating ]
		[ "$(jq -r .state.bundle "$AGENT_OUT")" = "$BUNDLE" ]
		[ "$(jq -r .state.pid "$AGENT_OUT")" -gt 1 ]
		[ "$(jq -r .pid "$AGENT_OUT")" = "$(jq -r .state.pid "$AGENT_OUT")" ]
	done
}

@test "SCMP_ACT_NOTIFY: exec hands its own listener fd to the agent" {
	start_agent 28
	rule SCMP_ACT_NOTIFY
	update_config --arg p "$AGENT_SOCK" '.linux.seccomp.listenerPath = $p'
	start_sleeper
	retry test -s "$AGENT_OUT"
	# a second agent takes the socket over for the exec'd process
	local first=$AGENT_PID
	mv "$AGENT_OUT" "$BATS_TEST_TMPDIR/agent-init.json"
	start_agent 28
	kill "$first"
	wait "$first" || true
	ocirt exec "$ID" sh -c 'mkdir /tmp/d; echo "mkdir: $?"'
	assert_status 0
	assert_output "mkdir: 1"
	assert_contains "$stderr" "No space left on device"
	st=0
	wait "$AGENT_PID" || st=$?
	AGENT_PID=
	cat "$AGENT_OUT" >&2
	[ "$st" -eq 0 ]
	[ "$(jq -r .state.id "$AGENT_OUT")" = "$ID" ]
	[ "$(jq -r .state.status "$AGENT_OUT")" = running ]
	[ "$(jq -r .state.pid "$AGENT_OUT")" = "$(ct_pid "$ID")" ]
	[ "$(jq -c .fds "$AGENT_OUT")" = '["seccompFd"]' ]
}

@test "SCMP_ACT_NOTIFY: an agent that does not listen fails create, without hanging" {
	rule SCMP_ACT_NOTIFY
	update_config --arg p "$BATS_TEST_TMPDIR/nobody.sock" '.linux.seccomp.listenerPath = $p'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || false
	assert_contains "$stderr" nobody.sock
	assert_clean
}

@test "SCMP_ACT_NOTIFY without listenerPath fails create" {
	rule SCMP_ACT_NOTIFY
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || false
	assert_contains "$stderr" listenerPath
	assert_clean
}
