#!/usr/bin/env bats
# exec: one more process in a container, from flags or from --process JSON.

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
	if [ -n "${BG_PID:-}" ]; then
		kill -9 "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	# A test that paused the container must not leave it frozen.
	OCIRT_TEST_MARK=$MARK timeout 30 "$OCIRT" --root "$ROOT" resume "$ID" >/dev/null 2>&1 3>&- || true
	teardown_common
}

# status_field NAME: the value of NAME: in $output (a /proc/<pid>/status).
status_field() {
	awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' <<<"$output"
}

CAP_SYS_ADMIN=21 CAP_SYS_ADMIN_MASK=0000000000200000

@test "exec passes the process's exit code through" {
	start_sleeper
	ocirt exec "$ID" sh -c 'echo out; echo err >&2; exit 7'
	assert_status 7
	assert_output out
	[ "$stderr" = err ]
	ocirt exec "$ID" true
	assert_status 0
	[ "$(ct_status "$ID")" = running ]
}

@test "exec into a missing container exits 255" {
	ocirt exec "$ID-nosuch" true
	assert_status 255
	assert_contains "$stderr" "container \"$ID-nosuch\" does not exist"
}

@test "exec of a missing executable exits 255 with runc's wording" {
	start_sleeper
	ocirt exec "$ID" nosuchprogram
	assert_status 255
	assert_contains "$stderr" 'exec: "nosuchprogram": executable file not found in $PATH'
	ocirt exec "$ID" /nosuch/abs
	assert_status 255
	assert_contains "$stderr" "/nosuch/abs"
	assert_contains "$stderr" "no such file or directory"
	[ "$(ct_status "$ID")" = running ]
}

@test "exec --process runs the process of a JSON file" {
	start_sleeper
	jq -n --arg m "OCIRT_TEST_MARK=$MARK" '{
		"args": ["sh", "-c", "echo \"$FOO|$(pwd)|$(id -u):$(id -g)|$(id -G)\""],
		"env": ["PATH=/bin:/usr/bin", "FOO=from-json", $m],
		"cwd": "/etc",
		"user": {"uid": 1000, "gid": 1001, "additionalGids": [7]}
	}' >"$BATS_TEST_TMPDIR/process.json"
	ocirt exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	assert_status 0
	assert_output "from-json|/etc|1000:1001|1001 7"
}

@test "exec --process with a bad file fails" {
	start_sleeper
	echo '{"args": "not-an-array", "cwd": "/"}' >"$BATS_TEST_TMPDIR/process.json"
	ocirt exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	assert_status 255
	assert_contains "$stderr" args
	ocirt exec --process "$BATS_TEST_TMPDIR/nosuch.json" "$ID"
	assert_status 255
	assert_contains "$stderr" nosuch.json
}

@test "exec -t sends the pty master to --console-socket" {
	start_sleeper
	SOCK=$BATS_TEST_TMPDIR/console.sock
	"$BATS_FILE_TMPDIR/recvtty" "$SOCK" "$BATS_TEST_TMPDIR/tty.out" 3>&- &
	RECV_PID=$!
	retry test -S "$SOCK"
	ocirt exec -t --console-socket "$SOCK" "$ID" sh -c '[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; tty'
	assert_status 0
	# the process's output went to the terminal, not to exec's stdout
	[ -z "$output" ]
	st=0
	wait "$RECV_PID" || st=$?
	RECV_PID=
	[ "$st" -eq 0 ]
	tty=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")
	echo "terminal: $tty" >&2
	[ "$tty" = "$(printf 'all-tty\n/dev/pts/0')" ]
}

@test "exec -d returns at once and --pid-file holds the pid, without a newline" {
	start_sleeper
	ocirt exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" sleep 99
	assert_status 0
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$pid" -gt 0 ]
	[ "$(wc -c <"$BATS_TEST_TMPDIR/pid")" -eq "${#pid}" ]
	retry cmdline_is "$pid" "sleep 99 "
	# a child of the container, not of ocirt
	[ "$pid" != "$(ct_pid "$ID")" ]
	ocirt kill --all "$ID" KILL
	assert_status 0
	retry test ! -e "/proc/$pid/cmdline"
}

@test "exec -d into a container without a pid namespace: the process outlives exec" {
	jq '.linux.namespaces |= map(select(.type != "pid"))' "$BUNDLE/config.json" >"$BUNDLE/c.json"
	mv "$BUNDLE/c.json" "$BUNDLE/config.json"
	start_sleeper
	ocirt exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" sleep 97
	assert_status 0
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	retry cmdline_is "$pid" "sleep 97 "
	# exec is gone by now; its parent-death signal must not have followed
	sleep 0.3
	cmdline_is "$pid" "sleep 97 "
	ocirt kill --all "$ID" KILL
	retry test ! -e "/proc/$pid/cmdline"
}

@test "exec: a child killed while it is set up (in the runtime's memory) fails exec, saying so" {
	command -v strace >/dev/null || skip "no strace"
	start_sleeper
	# setsid(2) is the exec child's alone: SIGKILL it there, before its exec
	OCIRT_AS=(strace -f -qq -o /dev/null -e trace=setsid -e inject=setsid:signal=KILL)
	ocirt exec "$ID" echo never
	OCIRT_AS=()
	assert_status 255
	assert_contains "$stderr" "the exec child died (killed or crashed) before its exec"
	[ -z "$output" ]
	# the container is untouched
	ocirt exec "$ID" echo again
	assert_status 0
	assert_output again
}

@test "exec: the child, born in the container's pid namespace, is non-dumpable from its birth" {
	command -v strace >/dev/null || skip "no strace"
	start_sleeper
	OCIRT_AS=(strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=prctl,clone,clone3,setns -e signal=none)
	ocirt exec "$ID" true
	OCIRT_AS=()
	assert_status 0
	cat "$BATS_TEST_TMPDIR/trace" >&2
	# the runtime: non-dumpable, then into the pid namespace, then the clone
	rt=$(awk 'NR == 1 { print $1 }' "$BATS_TEST_TMPDIR/trace")
	grep "^$rt " "$BATS_TEST_TMPDIR/trace" | grep -Eo 'PR_SET_DUMPABLE|CLONE_NEWPID|clone3?\(' |
		head -n 3 | tr '\n' ' ' >"$BATS_TEST_TMPDIR/order"
	[ "$(cat "$BATS_TEST_TMPDIR/order")" = "PR_SET_DUMPABLE CLONE_NEWPID clone3( " ] ||
		[ "$(cat "$BATS_TEST_TMPDIR/order")" = "PR_SET_DUMPABLE CLONE_NEWPID clone( " ]
}

@test "exec --cwd and --env" {
	update_config '.process.env += ["KEEP=config", "OVER=config"]'
	start_sleeper
	ocirt exec --cwd /tmp --env OVER=flag -e NEW=new "$ID" sh -c 'echo "$(pwd)|$KEEP|$OVER|$NEW"'
	assert_status 0
	assert_output "/tmp|config|flag|new"
	ocirt exec --cwd relative "$ID" true
	assert_status 255
	assert_contains "$stderr" cwd
	ocirt exec --cwd /nosuchdir "$ID" true
	assert_status 255
	assert_contains "$stderr" /nosuchdir
}

@test "exec sets HOME from the container's /etc/passwd for its user, --user too" {
	start_sleeper
	ocirt exec "$ID" sh -c 'echo "${HOME-unset}"'
	assert_status 0
	assert_output /root
	ocirt exec --user 1000:1000 "$ID" sh -c 'echo "${HOME-unset}"'
	assert_status 0
	assert_output /home/user
	ocirt exec --user 4242 "$ID" sh -c 'echo "${HOME-unset}"'
	assert_status 0
	assert_output /
	ocirt exec --user 1000 --env HOME=/mine "$ID" sh -c 'echo "${HOME-unset}"'
	assert_status 0
	assert_output /mine
}

@test "an exec'd process leads its own session and process group" {
	start_sleeper
	ocirt exec "$ID" sh -c 'echo $$ $(cut -d" " -f5,6 /proc/$$/stat)'
	assert_status 0
	read -r pid pgrp sid <<<"$output"
	[ "$pid" -gt 1 ]
	[ "$pgrp" = "$pid" ]
	[ "$sid" = "$pid" ]
}

@test "exec --cwd that only root may enter works for another user" {
	start_sleeper
	ocirt exec --user 1000:1000 --cwd /root "$ID" sh -c 'pwd; id -u'
	assert_status 0
	assert_output "$(printf '/root\n1000')"
}

@test "exec without -t gets no terminal even when process.terminal is true" {
	SOCK=$BATS_TEST_TMPDIR/console.sock
	"$BATS_FILE_TMPDIR/recvtty" "$SOCK" "$BATS_TEST_TMPDIR/tty.out" 3>&- &
	RECV_PID=$!
	retry test -S "$SOCK"
	update_config '.process.terminal = true'
	set_args sleep 100
	ocirt run -d --console-socket "$SOCK" -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt exec "$ID" sh -c '[ -t 0 ] || [ -t 1 ] || echo no-tty; echo second'
	assert_status 0
	assert_output "$(printf 'no-tty\nsecond')"
	ocirt exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" sleep 98
	assert_status 0
	retry cmdline_is "$(cat "$BATS_TEST_TMPDIR/pid")" "sleep 98 "
}

@test "exec -t in the foreground relays \n, not \r\n, and the slave is the user's" {
	start_sleeper
	ocirt exec -t --user 1000 "$ID" sh -c 'stat -c "%u %g" "$(tty)"; echo second'
	assert_status 0
	[ "$output" = "$(printf '1000 5\nsecond')" ]
}

@test "exec --user and --additional-gids" {
	start_sleeper
	ocirt exec --user 1000 "$ID" id -u
	assert_status 0
	assert_output 1000
	ocirt exec --user 1000:1001 --additional-gids 5 -g 65534 "$ID" sh -c 'id -u; id -g; id -G; cat /proc/self/status'
	assert_status 0
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "${lines[2]}" = "1001 5 65534" ]
	[ "$(status_field Uid | xargs)" = "1000 1000 1000 1000" ]
	[ "$(status_field Gid | xargs)" = "1001 1001 1001 1001" ]
	[ "$(status_field Groups | xargs)" = "5 65534" ]
	ocirt exec --user bad:x "$ID" true
	assert_status 255
	assert_contains "$stderr" "--user"
}

@test "exec: user and group ids above 2147483647 are refused (4294967295 would stay root)" {
	start_sleeper
	for args in "--user 4294967295" "--user 0:4294967295" "--user 2147483648:0" "--additional-gids 4294967295"; do
		# shellcheck disable=SC2086
		ocirt exec $args "$ID" sh -c 'id -u >/tmp/ran'
		assert_status 255
		assert_contains "$stderr" "uids and gids must be in range 0-2147483647"
		assert_contains "$stderr" "${args%% *}"
		[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
	done
	for user in '{uid: 4294967295, gid: 0}' '{uid: 0, gid: 0, additionalGids: [4294967295]}'; do
		jq -n "{args: [\"sh\", \"-c\", \"id -u >/tmp/ran\"], cwd: \"/\", env: [\"PATH=/bin\"], user: $user}" \
			>"$BATS_TEST_TMPDIR/p.json"
		ocirt exec --process "$BATS_TEST_TMPDIR/p.json" "$ID"
		assert_status 255
		assert_contains "$stderr" "--process $BATS_TEST_TMPDIR/p.json: process.user."
		assert_contains "$stderr" ": uids and gids must be in range 0-2147483647"
		[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
	done
	ocirt exec --user 2147483647:2147483647 "$ID" sh -c 'id -u; id -g'
	assert_status 0
	assert_output "$(printf '2147483647\n2147483647')"
}

@test "exec --cap adds to effective, permitted and bounding, never inheritable" {
	start_sleeper
	ocirt exec "$ID" cat /proc/self/status
	assert_status 0
	[ $((0x$(status_field CapEff) & (1 << CAP_SYS_ADMIN))) -eq 0 ]
	ocirt exec --cap CAP_SYS_ADMIN "$ID" cat /proc/self/status
	assert_status 0
	for f in CapEff CapPrm CapBnd; do
		[ $((0x$(status_field $f) & (1 << CAP_SYS_ADMIN))) -ne 0 ]
	done
	[ "$(status_field CapInh)" = 0000000000000000 ]
	[ "$(status_field CapAmb)" = 0000000000000000 ]
	# the container's own caps are still there
	[ $((0x$(status_field CapEff) & (1 << 5))) -ne 0 ]
	# and it works: only CAP_SYS_ADMIN may set the hostname
	ocirt exec "$ID" hostname exec-cap-test
	[ "$status" -ne 0 ]
	ocirt exec --cap CAP_SYS_ADMIN "$ID" hostname exec-cap-test
	assert_status 0
}

@test "exec --no-new-privs" {
	update_config '.process.noNewPrivileges = false'
	start_sleeper
	ocirt exec "$ID" cat /proc/self/status
	assert_status 0
	[ "$(status_field NoNewPrivs)" = 0 ]
	ocirt exec --no-new-privs "$ID" cat /proc/self/status
	assert_status 0
	[ "$(status_field NoNewPrivs)" = 1 ]
}

@test "exec --preserve-fds passes fds 3 and up" {
	start_sleeper
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	st=0
	OCIRT_TEST_MARK=$MARK timeout -k 5 "$OCIRT_TIMEOUT" "$OCIRT" --root "$ROOT" exec --preserve-fds 2 \
		"$ID" sh -c 'cat <&3; cat <&4; echo $(ls /proc/self/fd)' \
		3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5</dev/null \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 0 ]
	# 5 is the directory ls reads: the runtime's fd 5 was not passed
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'three\nfour\n0 1 2 3 4 5')" ]
}

@test "no fds beyond stdio reach an exec'd process" {
	start_sleeper
	ocirt exec "$ID" ls /proc/self/fd 5</dev/null 7>"$BATS_TEST_TMPDIR/seven"
	assert_status 0
	# 3 is the directory ls reads
	[ "$(echo $output)" = "0 1 2 3" ]
	ocirt exec -d "$ID" sh -c 'ls /proc/self/fd >/tmp/fds' 5</dev/null
	assert_status 0
	retry test -s "$BUNDLE/rootfs/tmp/fds"
	[ "$(echo $(cat "$BUNDLE/rootfs/tmp/fds"))" = "0 1 2 3" ]
}

@test "exec into a paused container needs --ignore-paused" {
	start_sleeper
	ocirt pause "$ID"
	assert_status 0
	[ "$(ct_status "$ID")" = paused ]
	ocirt exec "$ID" true
	assert_status 255
	assert_contains "$stderr" "cannot exec in a paused container (use --ignore-paused)"
	# Allowed: the process starts frozen with the container and runs on resume.
	ocirt_cmd exec --ignore-paused "$ID" echo ran-after-resume \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	BG_PID=$!
	ocirt resume "$ID"
	assert_status 0
	st=0
	for i in $(seq 200); do
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	wait "$BG_PID" || st=$?
	BG_PID=
	cat "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = ran-after-resume ]
}

@test "an exec'd process is in the container's namespaces and cgroup" {
	start_sleeper
	pid=$(ct_pid "$ID")
	ocirt exec "$ID" sh -c 'for n in cgroup ipc mnt net pid uts user; do echo "$n $(readlink /proc/self/ns/$n)"; done; cat /proc/self/cgroup'
	assert_status 0
	for n in cgroup ipc mnt net pid uts user; do
		[ "$(grep "^$n " <<<"$output")" = "$n $(readlink "/proc/$pid/ns/$n")" ]
	done
	# the container's pid namespace: the init is pid 1 there
	ocirt exec "$ID" sh -c "tr '\\0' ' ' </proc/1/cmdline"
	assert_status 0
	assert_output "sleep 100 "
	ocirt exec "$ID" cat /proc/self/cgroup
	assert_status 0
	[ "$output" = "$(cat "/proc/$pid/cgroup")" ]
}

@test "exec into a created container runs, into a stopped one fails" {
	set_args sleep 100
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt exec "$ID" echo in-created
	assert_status 0
	assert_output in-created
	[ "$(ct_status "$ID")" = created ]
	ocirt kill "$ID" KILL
	assert_status 0
	wait_status "$ID" stopped
	ocirt exec "$ID" true
	assert_status 255
	assert_contains "$stderr" "cannot exec in a stopped container"
}

@test "exec --cwd through /proc/self/fd to a host directory is refused" {
	set_args sleep 100
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	mkdir "$BATS_TEST_TMPDIR/hostdir"
	touch "$BATS_TEST_TMPDIR/hostdir/HOSTFILE"
	st=0
	OCIRT_TEST_MARK=$MARK timeout -k 5 "$OCIRT_TIMEOUT" "$OCIRT" --root "$ROOT" exec --preserve-fds 1 \
		--cwd /proc/self/fd/3 "$ID" ls 3<"$BATS_TEST_TMPDIR/hostdir" \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 255 ]
	! grep -q HOSTFILE "$BATS_TEST_TMPDIR/out" || false
	grep -q "outside the container's root" "$BATS_TEST_TMPDIR/err"
}

@test "exec of #!/proc/self/exe does not run the runtime's binary" {
	evil_entrypoint /evil
	start_sleeper
	ocirt exec "$ID" /evil
	assert_status 127
	assert_contains "$stderr" "the runtime cannot be run as a container's process"
	[ "$(ct_status "$ID")" = running ]
}

@test "an exec failure after the checks exits 255 with runc's wording" {
	printf 'not an executable format\n' >"$BUNDLE/rootfs/junk"
	chmod 755 "$BUNDLE/rootfs/junk"
	start_sleeper
	ocirt exec "$ID" /junk
	assert_status 255
	assert_contains "$stderr" 'exec: "/junk": exec format error'
	# through --process, the same
	jq -n '{args: ["/junk"], cwd: "/", env: ["PATH=/bin"], user: {uid: 0, gid: 0}}' >"$BATS_TEST_TMPDIR/p.json"
	ocirt exec -p "$BATS_TEST_TMPDIR/p.json" "$ID"
	assert_status 255
	assert_contains "$stderr" "exec format error"
}
