#!/usr/bin/env bats
# The container's process: args, env, cwd, user, umask, capabilities,
# rlimits, no_new_privs, oom_score_adj, terminal, inherited fds.

load helpers

setup_file() {
	# The receiving end of --console-socket.
	cc -O2 -Wall -o "$BATS_FILE_TMPDIR/recvtty" "$BATS_TEST_DIRNAME/helpers/recvtty.c"
}

teardown() {
	if [ -n "${RECV_PID:-}" ]; then
		kill "$RECV_PID" 2>/dev/null || true
		wait "$RECV_PID" 2>/dev/null || true
	fi
	teardown_common
}

# status_field NAME: the value of NAME: in the output of `cat /proc/self/status`.
status_field() {
	awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' <<<"$output"
}

# capmask CAP_NUMBER...: the 16-digit hex mask /proc/self/status shows.
capmask() {
	local m=0 c
	for c in "$@"; do
		m=$((m | (1 << c)))
	done
	printf '%016x' "$m"
}

CAP_CHOWN=0 CAP_KILL=5 CAP_NET_BIND_SERVICE=10 CAP_NET_RAW=13 CAP_AUDIT_WRITE=29

@test "args, env and cwd" {
	update_config '.process.env += ["FOO=bar baz", "EMPTY="] | .process.cwd = "/tmp"'
	run_ct sh -c 'echo "$1|$FOO|${EMPTY-unset}|$(pwd)"' argv0 "first arg"
	assert_status 0
	assert_output "first arg|bar baz||/tmp"
}

@test "the environment is the config's, not the runtime's" {
	export OCIRT_HOST_ONLY=leak
	run_ct env
	assert_status 0
	assert_contains "$output" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assert_contains "$output" "TERM=xterm"
	assert_not_contains "$output" OCIRT_HOST_ONLY
	assert_not_contains "$output" BATS_
}

# home_is WANT: the container's process prints $HOME, and it is WANT.
home_is() {
	run_ct sh -c 'echo "${HOME-unset}"'
	assert_status 0
	assert_output "$1"
}

@test "HOME comes from the container's /etc/passwd entry when process.env has none" {
	# The base config has no HOME: root's entry says /root.
	home_is /root
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	home_is /home/user
	# no entry for the uid: /
	update_config '.process.user = {"uid": 4242, "gid": 4242}'
	home_is /
	# an empty HOME counts as none (runc)
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.env += ["HOME="]'
	home_is /home/user
	# one set in process.env stays
	update_config '.process.env += ["HOME=/mine"]'
	home_is /mine
}

@test "HOME: /etc/passwd is read inside the rootfs, never a host file, never a fifo" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	# An absolute link resolves in the rootfs, where this host path is missing.
	printf 'user:x:1000:1000::/from-the-host:/bin/sh\n' >"$BATS_TEST_TMPDIR/hostpasswd"
	ln -sfn "$BATS_TEST_TMPDIR/hostpasswd" "$BUNDLE/rootfs/etc/passwd"
	home_is /
	# ... and to the rootfs's own file where it exists there
	mkdir -p "$BUNDLE/rootfs$BATS_TEST_TMPDIR"
	printf 'user:x:1000:1000::/inside:/bin/sh\n' >"$BUNDLE/rootfs$BATS_TEST_TMPDIR/hostpasswd"
	home_is /inside
	# a fifo nobody writes to must not hang the container's start
	rm "$BUNDLE/rootfs/etc/passwd"
	mkfifo "$BUNDLE/rootfs/etc/passwd"
	home_is /
}

@test "a non-root process may reopen its stdio pipes; a file given as stdout keeps its owner" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'echo through-dev-stdout >/dev/stdout'
	local st
	OCIRT_TEST_MARK=$MARK timeout -k 5 "$OCIRT_TIMEOUT" "$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" \
		</dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&- | cat >"$BATS_TEST_TMPDIR/out"
	st=${PIPESTATUS[0]}
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = through-dev-stdout ]
	# a host file is not chowned (runc would): the process cannot reopen it
	run_ct sh -c 'echo x >/dev/stdout'
	[ "$status" -ne 0 ]
	[ "$(stat -c %u "$BATS_TEST_TMPDIR/ocirt.$OCIRT_CALLS.out")" = 0 ]
}

@test "the process leads its own session and process group, without a terminal too" {
	# fields 5 and 6 of /proc/PID/stat: process group and session
	run_ct sh -c 'cut -d" " -f5,6 /proc/$$/stat'
	assert_status 0
	assert_output "1 1"
	set_args sh -c 'cut -d" " -f5,6 /proc/$$/stat >/tmp/ids; sleep 100'
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	retry test -s "$BUNDLE/rootfs/tmp/ids"
	[ "$(cat "$BUNDLE/rootfs/tmp/ids")" = "1 1" ]
}

@test "a process.cwd that does not exist is made inside the rootfs" {
	update_config '.process.cwd = "/made/for/the/process" | .root.readonly = true'
	run_ct pwd
	assert_status 0
	assert_output /made/for/the/process
	[ "$(stat -c '%a %u' "$BUNDLE/rootfs/made" "$BUNDLE/rootfs/made/for/the/process")" = "$(printf '755 0\n755 0')" ]
}

@test "a missing process.cwd behind a symlink is made inside the rootfs, not on the host" {
	mkdir "$BATS_TEST_TMPDIR/host"
	ln -s "$BATS_TEST_TMPDIR/host" "$BUNDLE/rootfs/escape"
	ln -s ../../../../../../../.. "$BUNDLE/rootfs/up"
	update_config '.process.cwd = "/escape/made"'
	run_ct pwd
	assert_status 0
	[ ! -e "$BATS_TEST_TMPDIR/host/made" ]
	[ -d "$BUNDLE/rootfs$BATS_TEST_TMPDIR/host/made" ]
	update_config --arg d "/up$BATS_TEST_TMPDIR/upmade" '.process.cwd = $d'
	run_ct pwd
	assert_status 0
	[ ! -e "$BATS_TEST_TMPDIR/upmade" ]
	[ -d "$BUNDLE/rootfs$BATS_TEST_TMPDIR/upmade" ]
}

@test "the cwd is entered before the user switch and not again: uid 1000 in /root (0700)" {
	[ "$(stat -c %a "$BUNDLE/rootfs/root")" = 700 ]
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.cwd = "/root"'
	run_ct sh -c 'pwd; id -u; ls . 2>/dev/null || echo cannot-list'
	assert_status 0
	assert_output "$(printf '/root\n1000\ncannot-list')"
}

@test "the executable check uses the process's capabilities: CAP_DAC_OVERRIDE runs a 0744 root file" {
	printf '#!/bin/sh\necho "ran as $(id -u)"; grep -E "^Cap(Inh|Prm|Eff|Amb)" /proc/$$/status\n' \
		>"$BUNDLE/rootfs/bin/rootonly"
	chmod 0744 "$BUNDLE/rootfs/bin/rootonly"
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_DAC_OVERRIDE"], "effective": ["CAP_DAC_OVERRIDE"],
			"permitted": ["CAP_DAC_OVERRIDE"]}'
	local none=0000000000000000
	local want
	want=$(printf 'ran as 1000\nCapInh:\t%s\nCapPrm:\t%s\nCapEff:\t%s\nCapAmb:\t%s' $none $none $none $none)
	run_ct /bin/rootonly
	assert_status 0
	# and the capabilities the exec trampoline carried for the check are gone after it
	assert_output "$want"
	# through PATH too
	run_ct rootonly
	assert_status 0
	assert_output "$want"
	# the trampoline still stands between such a process and the runtime's binary
	evil_entrypoint /evil
	run_ct /evil
	assert_status 127
	assert_contains "$stderr" "the runtime cannot be run as a container's process"
	# without it, the same file is refused with runc's words
	update_config '.process.capabilities = {"bounding": [], "effective": [], "permitted": []}'
	run_ct /bin/rootonly
	[ "$status" -ne 0 ]
	assert_contains "$stderr" 'exec: "/bin/rootonly": permission denied'
}

@test "args[0] is looked up in the container's PATH" {
	mkdir -p "$BUNDLE/rootfs/opt/tools"
	printf '#!/bin/sh\necho from-opt-tools\n' >"$BUNDLE/rootfs/opt/tools/mytool"
	chmod 0755 "$BUNDLE/rootfs/opt/tools/mytool"
	update_config '.process.env |= map(if startswith("PATH=") then "PATH=/opt/tools:/bin" else . end)'
	run_ct mytool
	assert_status 0
	assert_output from-opt-tools
}

@test "user: uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [5, 65534]}'
	run_ct sh -c 'id -u; id -g; cat /proc/self/status; touch /tmp/owned'
	assert_status 0
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[ "$(status_field Groups | xargs)" = "5 65534" ]
	[ "$(status_field Uid | xargs)" = "1000 1000 1000 1000" ]
	[ "$(status_field Gid | xargs)" = "1000 1000 1000 1000" ]
	[ "$(stat -c '%u %g' "$BUNDLE/rootfs/tmp/owned")" = "1000 1000" ]
}

@test "user: ids above 2147483647 are refused, 4294967295 would have stayed root" {
	# (uid_t)-1 tells setresuid "leave unchanged": the process would run as root.
	for user in '{"uid": 4294967295}' '{"uid": 2147483648, "gid": 0}' '{"uid": 1000, "gid": 4294967295}' \
		'{"uid": 1000, "gid": 1000, "additionalGids": [5, 4294967295]}'; do
		update_config --argjson u "$user" '.process.user = $u'
		run_ct sh -c 'id -u >/tmp/ran'
		assert_status 1
		field=$(jq -r 'if has("additionalGids") then "additionalGids[1]" elif .gid > 2147483647 then "gid" else "uid" end' <<<"$user")
		assert_contains "$stderr" "process.user.$field: uids and gids must be in range 0-2147483647"
		[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
		assert_clean
	done
	# The largest one runc takes still works.
	update_config '.process.user = {"uid": 2147483647, "gid": 2147483647}'
	run_ct sh -c 'id -u; id -g'
	assert_status 0
	assert_output "$(printf '2147483647\n2147483647')"
}

@test "user: no additionalGids means no supplementary groups" {
	update_config '.process.user = {"uid": 65534, "gid": 65534}'
	run_ct cat /proc/self/status
	assert_status 0
	[ -z "$(status_field Groups | xargs)" ]
	[ "$(status_field Uid | xargs)" = "65534 65534 65534 65534" ]
}

@test "umask" {
	update_config '.process.user.umask = 63'
	run_ct sh -c 'umask; touch /tmp/f; mkdir /tmp/d; stat -c %a /tmp/f /tmp/d'
	assert_status 0
	assert_output "$(printf '0077\n600\n700')"
}

@test "capabilities: root gets the bounding set, nothing inheritable or ambient" {
	run_ct cat /proc/self/status
	assert_status 0
	want=$(capmask $CAP_AUDIT_WRITE $CAP_KILL $CAP_NET_BIND_SERVICE)
	[ "$(status_field CapBnd)" = "$want" ]
	[ "$(status_field CapPrm)" = "$want" ]
	[ "$(status_field CapEff)" = "$want" ]
	[ "$(status_field CapInh)" = 0000000000000000 ]
	[ "$(status_field CapAmb)" = 0000000000000000 ]
}

@test "capabilities: a non-root user keeps its ambient set across exec" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
			"bounding": ["CAP_CHOWN", "CAP_NET_RAW", "CAP_KILL"],
			"effective": ["CAP_CHOWN", "CAP_NET_RAW"],
			"permitted": ["CAP_CHOWN", "CAP_NET_RAW"],
			"inheritable": ["CAP_CHOWN", "CAP_NET_RAW"],
			"ambient": ["CAP_NET_RAW"]}'
	run_ct cat /proc/self/status
	assert_status 0
	[ "$(status_field CapBnd)" = "$(capmask $CAP_CHOWN $CAP_NET_RAW $CAP_KILL)" ]
	[ "$(status_field CapInh)" = "$(capmask $CAP_CHOWN $CAP_NET_RAW)" ]
	[ "$(status_field CapAmb)" = "$(capmask $CAP_NET_RAW)" ]
	[ "$(status_field CapPrm)" = "$(capmask $CAP_NET_RAW)" ]
	[ "$(status_field CapEff)" = "$(capmask $CAP_NET_RAW)" ]
}

@test "capabilities: a non-root user without ambient caps has none after exec" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run_ct cat /proc/self/status
	assert_status 0
	[ "$(status_field CapPrm)" = 0000000000000000 ]
	[ "$(status_field CapEff)" = 0000000000000000 ]
	[ "$(status_field CapBnd)" = "$(capmask $CAP_AUDIT_WRITE $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
}

@test "capabilities: an unknown name is a warning, not an error" {
	# runtime-spec: log it, and do not fail for what cannot be granted
	update_config '.process.capabilities.bounding += ["CAP_NO_SUCH"]
		| .process.capabilities.permitted += ["CAP_NO_SUCH"]'
	run_ct cat /proc/self/status
	assert_status 0
	assert_contains "$stderr" CAP_NO_SUCH
	[ "$(status_field CapBnd)" = "$(capmask $CAP_AUDIT_WRITE $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
}

@test "capabilities: what is dropped is enforced" {
	# CAP_CHOWN is not in the default set.
	run_ct sh -c 'touch /tmp/f; chown 1000 /tmp/f'
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "Operation not permitted"
	[ "$(stat -c %u "$BUNDLE/rootfs/tmp/f")" = 0 ]
}

@test "signals ignored or blocked by the runtime's caller reach neither the process nor an exec'd one" {
	# env(1) execs ocirt with SIGUSR1 and SIGPIPE ignored and SIGUSR2 blocked:
	# all three would survive into the container without the init's reset.
	OCIRT_AS=(env --ignore-signal=USR1 --ignore-signal=PIPE --block-signal=USR2)
	run_ct cat /proc/self/status
	assert_status 0
	[ "$(status_field SigIgn)" = 0000000000000000 ]
	[ "$(status_field SigBlk)" = 0000000000000000 ]
	OCIRT_AS=()
	start_sleeper
	OCIRT_AS=(env --ignore-signal=USR1 --ignore-signal=PIPE --block-signal=USR2)
	ocirt exec "$ID" cat /proc/self/status
	assert_status 0
	[ "$(status_field SigIgn)" = 0000000000000000 ]
	[ "$(status_field SigBlk)" = 0000000000000000 ]
}

@test "rlimits" {
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
		{"type": "RLIMIT_NPROC", "soft": 300, "hard": 400},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 4096}]'
	run_ct sh -c 'cat /proc/self/limits; ulimit -n'
	assert_status 0
	[ "$(awk '/^Max open files/ { print $4, $5 }' <<<"$output")" = "100 200" ]
	[ "$(awk '/^Max processes/ { print $3, $4 }' <<<"$output")" = "300 400" ]
	[ "$(awk '/^Max core file size/ { print $5, $6 }' <<<"$output")" = "0 4096" ]
	[ "${lines[-1]}" = 100 ]
}

@test "rlimits: 2^64-1 means unlimited" {
	set_args cat /proc/self/limits
	# jq would round 2^64-1 to a double: put it in with sed, after the last jq edit
	update_config '.process.rlimits = [{"type": "RLIMIT_CORE", "soft": "MAX", "hard": "MAX"}]'
	sed -i 's/"MAX"/18446744073709551615/g' "$BUNDLE/config.json"
	grep -q '"hard": 18446744073709551615' "$BUNDLE/config.json"
	ocirt run -b "$BUNDLE" "$ID"
	assert_status 0
	[ "$(awk '/^Max core file size/ { print $5, $6 }' <<<"$output")" = "unlimited unlimited" ]
}

@test "noNewPrivileges" {
	run_ct cat /proc/self/status
	assert_status 0
	[ "$(status_field NoNewPrivs)" = 1 ]
	update_config '.process.noNewPrivileges = false'
	run_ct cat /proc/self/status
	assert_status 0
	[ "$(status_field NoNewPrivs)" = 0 ]
}

@test "oomScoreAdj" {
	update_config '.process.oomScoreAdj = 123'
	run_ct cat /proc/self/oom_score_adj
	assert_status 0
	assert_output 123
}

@test "apparmorProfile, selinuxLabel and mountLabel on a host without those LSMs: a warning each, naming the field" {
	[ ! -d /sys/kernel/security/apparmor ] || [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] ||
		skip "AppArmor is enabled here"
	[ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" != selinux ] || skip "SELinux is enabled here"
	update_config '.process.apparmorProfile = "ocirt-test" | .process.selinuxLabel = "system_u:system_r:container_t:s0"
		| .linux.mountLabel = "system_u:object_r:container_file_t:s0"'
	set_args sleep 100
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	assert_contains "$stderr" 'warning: process.apparmorProfile "ocirt-test" is not applied: AppArmor is not enabled on this host'
	assert_contains "$stderr" 'warning: process.selinuxLabel "system_u:system_r:container_t:s0" is not applied: SELinux is not enabled on this host'
	assert_contains "$stderr" 'warning: linux.mountLabel "system_u:object_r:container_file_t:s0" is not applied'
	# exec: the container's own, or --apparmor/--process-label instead
	ocirt exec --apparmor other "$ID" true
	assert_status 0
	assert_contains "$stderr" 'process.apparmorProfile "other" is not applied'
	assert_contains "$stderr" 'process.selinuxLabel "system_u:system_r:container_t:s0" is not applied'
	ocirt delete --force "$ID"
}

@test "seccomp: a syscall rule returns its errno" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	run_ct sh -c 'mkdir /tmp/d; echo "mkdir: $?"; touch /tmp/f && echo touch-ok'
	assert_status 0
	[ "${lines[0]}" = "mkdir: 1" ]
	[ "${lines[1]}" = touch-ok ]
	assert_contains "$stderr" "Operation not permitted"
	[ ! -e "$BUNDLE/rootfs/tmp/d" ]
}

# start_recvtty: listen on $SOCK, copying the terminal to $TTY_OUT.
start_recvtty() {
	SOCK=$BATS_TEST_TMPDIR/console.sock
	TTY_OUT=$BATS_TEST_TMPDIR/tty.out
	"$BATS_FILE_TMPDIR/recvtty" "$SOCK" "$TTY_OUT" 3>&- &
	RECV_PID=$!
	retry test -S "$SOCK"
}

# wait_recvtty: wait (10 s) until the terminal is closed, then $tty holds
# what the container wrote, without carriage returns.
wait_recvtty() {
	local i
	for i in $(seq 200); do
		kill -0 "$RECV_PID" 2>/dev/null || break
		sleep 0.05
	done
	local st=0
	wait "$RECV_PID" || st=$?
	RECV_PID=
	tty=$(tr -d '\r' <"$TTY_OUT")
	echo "terminal output: $tty" >&2
	[ "$st" -eq 0 ]
}

@test "terminal: the pty master goes to --console-socket" {
	start_recvtty
	update_config '.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}'
	set_args sh -c 'tty; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; readlink /proc/self/fd/2'
	ocirt create --console-socket "$SOCK" -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt start "$ID"
	assert_status 0
	wait_recvtty
	[ "$tty" = "$(printf '/dev/pts/0\n30 100\nall-tty\n/dev/pts/0')" ]
	wait_status "$ID" stopped
}

@test "terminal: run -d with --console-socket" {
	start_recvtty
	update_config '.process.terminal = true'
	set_args sh -c 'echo hello-tty; tty'
	ocirt run -d --console-socket "$SOCK" -b "$BUNDLE" "$ID"
	assert_status 0
	wait_recvtty
	[ "$tty" = "$(printf 'hello-tty\n/dev/pts/0')" ]
}

@test "terminal: run in the foreground proxies the terminal" {
	update_config '.process.terminal = true'
	run_ct sh -c 'tty; echo done'
	assert_status 0
	[ "$(tr -d '\r' <<<"$output")" = "$(printf '/dev/pts/0\ndone')" ]
}

@test "terminal: the slave is the process's user's; run in the foreground relays \n, not \r\n" {
	update_config '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}'
	run_ct sh -c 'stat -c "%u %g %a" "$(tty)"; echo second'
	assert_status 0
	# the group stays devpts's gid=5 (tty), as with runc
	[ "$output" = "$(printf '1000 5 620\nsecond')" ]
	assert_not_contains "$output" $'\r'
}

@test "terminal: one sent to --console-socket keeps the kernel's ONLCR, for its receiver to set" {
	start_recvtty
	update_config '.process.terminal = true'
	set_args sh -c 'echo one; echo two'
	ocirt run -d --console-socket "$SOCK" -b "$BUNDLE" "$ID"
	assert_status 0
	wait_recvtty
	[ "$(cat "$TTY_OUT")" = "$(printf 'one\r\ntwo\r')" ]
}

@test "a rootfs's own /dev/null and /dev/console are never used, even without a /dev tmpfs" {
	update_config '.mounts |= map(select(.destination != "/dev")) | .process.terminal = true'
	local f
	for f in null console; do
		printf 'host %s\n' "$f" >"$BATS_TEST_TMPDIR/victim-$f"
		mkdir -p "$BUNDLE/rootfs/dev"
		ln -sfn "$BATS_TEST_TMPDIR/victim-$f" "$BUNDLE/rootfs/dev/$f"
	done
	run_ct sh -c 'stat -c "%n %F %t %T" /dev/null; readlink /dev/console || echo console-not-a-link
		echo x >/dev/null; echo y >/dev/console; tty'
	assert_status 0
	output=$(tr -d '\r' <<<"$output")
	assert_contains "$output" "/dev/null character special file 1 3"
	assert_contains "$output" console-not-a-link
	for f in null console; do
		[ "$(cat "$BATS_TEST_TMPDIR/victim-$f")" = "host $f" ]
	done
}

@test "terminal: create without --console-socket fails and leaves nothing" {
	update_config '.process.terminal = true'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" console
	assert_clean
}

@test "terminal: a console socket nobody listens on fails and leaves nothing" {
	update_config '.process.terminal = true'
	set_args true
	ocirt create --console-socket "$BATS_TEST_TMPDIR/nobody.sock" -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" nobody.sock
	assert_clean
}

@test "no fds beyond stdio reach the container" {
	# fds 5 and 7 are open in ocirt; the container must not see them.
	run_ct ls /proc/self/fd 5</dev/null 7>"$BATS_TEST_TMPDIR/seven"
	assert_status 0
	# 3 is the directory ls reads
	[ "$(echo $output)" = "0 1 2 3" ]
}

@test "no fds beyond stdio reach a detached container" {
	set_args sh -c 'ls /proc/self/fd >/tmp/fds; sleep 100'
	ocirt run -d -b "$BUNDLE" "$ID" 5</dev/null
	assert_status 0
	retry test -s "$BUNDLE/rootfs/tmp/fds"
	[ "$(echo $(cat "$BUNDLE/rootfs/tmp/fds"))" = "0 1 2 3" ]
}

@test "--preserve-fds 2 passes fds 3 and 4" {
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	set_args sh -c 'cat <&3; cat <&4; echo $(ls /proc/self/fd)'
	st=0
	OCIRT_TEST_MARK=$MARK timeout -k 5 "$OCIRT_TIMEOUT" "$OCIRT" --root "$ROOT" run --preserve-fds 2 \
		-b "$BUNDLE" "$ID" 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5</dev/null \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 0 ]
	# 5 is the directory ls reads: the runtime's fd 5 was not passed
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'three\nfour\n0 1 2 3 4 5')" ]
}

@test "socket activation: the LISTEN_FDS fds stay open, with LISTEN_FDS and LISTEN_PID=1" {
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	echo five >"$BATS_TEST_TMPDIR/f5"
	# --preserve-fds 1 counts after the listening fds: fd 5
	set_args sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3; cat <&4; cat <&5; echo $(ls /proc/self/fd)'
	st=0
	# LISTEN_PID is another process's, as when an engine stands between
	# systemd and the runtime: crun passes the fds on all the same
	LISTEN_FDS=2 LISTEN_PID=1 OCIRT_TEST_MARK=$MARK timeout -k 5 "$OCIRT_TIMEOUT" "$OCIRT" --root "$ROOT" \
		run --preserve-fds 1 -b "$BUNDLE" "$ID" 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" \
		5<"$BATS_TEST_TMPDIR/f5" 6</dev/null </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 0 ]
	# 6 is the directory ls reads: the runtime's fd 6 was not passed
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf '2 1\nthree\nfour\nfive\n0 1 2 3 4 5 6')" ]
}

@test "socket activation: a LISTEN_FDS that is no number fails and leaves nothing" {
	set_args true
	st=0
	LISTEN_FDS=two OCIRT_TEST_MARK=$MARK "$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" \
		</dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&- || st=$?
	[ "$st" -ne 0 ]
	grep -q 'LISTEN_FDS.*"two"' "$BATS_TEST_TMPDIR/err"
	assert_clean
}

@test "a cwd that leads out of the rootfs through /proc/self/fd is refused" {
	# A host directory handed to the container as fd 3: chdir through its
	# magic link would land outside the container's root (CVE-2024-21626).
	mkdir "$BATS_TEST_TMPDIR/hostdir"
	touch "$BATS_TEST_TMPDIR/hostdir/HOSTFILE"
	update_config '.process.cwd = "/proc/self/fd/3"'
	set_args ls
	st=0
	OCIRT_TEST_MARK=$MARK timeout -k 5 "$OCIRT_TIMEOUT" "$OCIRT" --root "$ROOT" run --preserve-fds 1 \
		-b "$BUNDLE" "$ID" 3<"$BATS_TEST_TMPDIR/hostdir" \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -ne 0 ]
	! grep -q HOSTFILE "$BATS_TEST_TMPDIR/out" || false
	grep -q "outside the container's root" "$BATS_TEST_TMPDIR/err"
	[ -z "$(ls -A "$ROOT")" ]
}

# CVE-2019-5736: a rootfs that makes the kernel run /proc/self/exe as the
# container's process must not get the runtime's binary on the host.
@test "an entry point of #!/proc/self/exe does not run the runtime's binary" {
	evil_entrypoint /evil
	local sum
	sum=$(sha256sum <"$OCIRT")
	run_ct /evil
	assert_status 127
	assert_contains "$stderr" "the runtime cannot be run as a container's process"
	[ "$(sha256sum <"$OCIRT")" = "$sum" ]
}

@test "an exec failure after the checks is reported with runc's wording" {
	printf 'not an executable format\n' >"$BUNDLE/rootfs/junk"
	chmod 755 "$BUNDLE/rootfs/junk"
	run_ct /junk
	assert_status 127
	assert_contains "$stderr" 'exec: "/junk": exec format error'
}
