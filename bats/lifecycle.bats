#!/usr/bin/env bats
# create / start / state / kill / delete / run / list on real containers.

load helpers

# A process that touches /tmp/ran, then waits until the host creates
# <rootfs>/tmp/go (the rootfs is shared with the host, so no timing guesses).
wait_for_go='touch /tmp/ran; while [ ! -e /tmp/go ]; do sleep 0.05; done'

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
	[ -e "/proc/$1/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$1/stat" 2>/dev/null
}

pid_dead() {
	! pid_alive "$1"
}

no_test_pids() {
	[ -z "$(test_pids)" ]
}

root_empty() {
	[ -z "$(ls -A "$ROOT")" ]
}

@test "create, state created, start, running, exit, stopped, delete" {
	set_args sh -c "$wait_for_go"
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	[ -z "$output" ]

	ocirt state "$ID"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	[ "$(jq -r .bundle <<<"$output")" = "$(realpath "$BUNDLE")" ]
	[ -n "$(jq -r .ociVersion <<<"$output")" ]
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 0 ]
	pid_alive "$pid"
	# The user's process does not run before start.
	sleep 0.2
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]

	ocirt start "$ID"
	assert_status 0
	retry test -e "$BUNDLE/rootfs/tmp/ran"
	[ "$(ct_status "$ID")" = running ]
	[ "$(ct_pid "$ID")" = "$pid" ]

	touch "$BUNDLE/rootfs/tmp/go"
	wait_status "$ID" stopped
	retry pid_dead "$pid"

	ocirt delete "$ID"
	assert_status 0
	ocirt state "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "does not exist"
	assert_clean
}

@test "create uses the current directory as the bundle by default" {
	set_args true
	cd "$BUNDLE"
	ocirt create "$ID"
	assert_status 0
	ocirt state "$ID"
	[ "$(jq -r .bundle <<<"$output")" = "$(realpath "$BUNDLE")" ]
}

@test "a relative --bundle is stored as an absolute path" {
	set_args true
	cd "$BATS_TEST_TMPDIR"
	ocirt create --bundle bundle "$ID"
	assert_status 0
	ocirt state "$ID"
	[ "$(jq -r .bundle <<<"$output")" = "$(realpath "$BUNDLE")" ]
}

@test "state reports the config's annotations" {
	update_config '.annotations = {"org.example.key": "value", "other": "x y"}'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt state "$ID"
	assert_status 0
	[ "$(jq -r '.annotations["org.example.key"]' <<<"$output")" = value ]
	[ "$(jq -r '.annotations.other' <<<"$output")" = "x y" ]
}

@test "run in the foreground passes stdout and stderr through and deletes the container" {
	run_ct sh -c 'echo out; echo err >&2'
	assert_status 0
	assert_output out
	[ "$stderr" = err ]
	ocirt list -q
	assert_status 0
	[ -z "$output" ]
	assert_clean
}

@test "run in the foreground passes stdin through" {
	printf 'line one\nline two\n' >"$BATS_TEST_TMPDIR/in"
	OCIRT_STDIN=$BATS_TEST_TMPDIR/in run_ct cat
	assert_status 0
	assert_output "$(printf 'line one\nline two')"
}

@test "run in the foreground exits with the process's exit code" {
	run_ct sh -c 'exit 42'
	assert_status 42
	run_ct false
	assert_status 1
	run_ct true
	assert_status 0
}

@test "run in the foreground exits 128+n when the process is killed by signal n" {
	set_args sleep 100
	OCIRT_TEST_MARK=$MARK "$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/fg.out" 2>&1 3>&- &
	fg=$!
	wait_status "$ID" running
	ocirt kill "$ID" KILL
	assert_status 0
	wait_exit "$fg"
	assert_status 137
	# The foreground run deletes the container when it is done.
	retry root_empty
}

@test "run in the foreground forwards signals to the container" {
	# pid 1 of a pid namespace only gets the signals it has a handler for.
	set_args sh -c 'trap "echo got TERM; exit 7" TERM; touch /tmp/ready; sleep 100 & wait'
	OCIRT_TEST_MARK=$MARK "$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/fg.out" 2>&1 3>&- &
	fg=$!
	retry test -e "$BUNDLE/rootfs/tmp/ready"
	kill -TERM "$fg"
	wait_exit "$fg"
	assert_status 7
	grep -qx "got TERM" "$BATS_TEST_TMPDIR/fg.out"
}

@test "run -d returns at once and leaves the container running" {
	set_args sleep 100
	SECONDS=0
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	[ "$SECONDS" -lt 10 ]
	[ "$(ct_status "$ID")" = running ]
	pid=$(ct_pid "$ID")
	pid_alive "$pid"
	# start returns once the process may exec, not once it has
	retry cmdline_is "$pid" "sleep 100 "
	ocirt kill "$ID" KILL
	assert_status 0
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
	assert_clean
}

@test "--pid-file holds the init pid, without a newline" {
	set_args true
	ocirt create --pid-file "$BATS_TEST_TMPDIR/pid" -b "$BUNDLE" "$ID"
	assert_status 0
	pid=$(ct_pid "$ID")
	[ "$pid" -gt 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
	[ "$(wc -c <"$BATS_TEST_TMPDIR/pid")" -eq "${#pid}" ]
}

@test "run -d --pid-file holds the pid of the running process" {
	set_args sleep 100
	ocirt run -d --pid-file "$BATS_TEST_TMPDIR/pid" -b "$BUNDLE" "$ID"
	assert_status 0
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$pid" = "$(ct_pid "$ID")" ]
	retry cmdline_is "$pid" "sleep 100 "
}

@test "create with an id that exists fails and leaves the first container alone" {
	set_args sleep 100
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	pid=$(ct_pid "$ID")
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "already exists"
	[ "$(ct_status "$ID")" = created ]
	[ "$(ct_pid "$ID")" = "$pid" ]
	ocirt start "$ID"
	assert_status 0
	wait_status "$ID" running
}

@test "start twice fails the second time" {
	set_args sleep 100
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt start "$ID"
	assert_status 0
	ocirt start "$ID"
	[ "$status" -ne 0 ]
	[ -n "$stderr" ]
	[ "$(ct_status "$ID")" = running ]
}

@test "start of a stopped container fails" {
	set_args true
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	wait_status "$ID" stopped
	ocirt start "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" stopped
}

@test "start of a missing container fails" {
	ocirt start "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "does not exist"
}

@test "delete without --force refuses a running or a created container" {
	start_sleeper
	ocirt delete "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" running
	[ "$(ct_status "$ID")" = running ]

	ocirt create -b "$BUNDLE" "$ID-b"
	assert_status 0
	ocirt delete "$ID-b"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" created
	[ "$(ct_status "$ID-b")" = created ]
}

@test "delete --force kills a running container and removes it" {
	start_sleeper
	pid=$(ct_pid "$ID")
	ocirt delete --force "$ID"
	assert_status 0
	pid_dead "$pid"
	ocirt state "$ID"
	[ "$status" -ne 0 ]
	assert_clean
}

@test "delete -f removes a created container" {
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	pid=$(ct_pid "$ID")
	ocirt delete -f "$ID"
	assert_status 0
	pid_dead "$pid"
	assert_clean
}

@test "delete --force of a missing container succeeds" {
	ocirt delete --force "$ID"
	assert_status 0
}

@test "delete of a missing container fails" {
	ocirt delete "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "does not exist"
}

@test "state of a missing container fails" {
	ocirt state "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "does not exist"
	[ -z "$output" ]
}

@test "list shows the containers with their status" {
	ocirt list -q
	assert_status 0
	[ -z "$output" ]
	ocirt list --format json
	assert_status 0
	[ "$(jq length <<<"$output")" -eq 0 ]

	start_sleeper "$ID-a"
	ocirt create -b "$BUNDLE" "$ID-b"
	assert_status 0

	ocirt list -q
	assert_status 0
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = "$(printf '%s\n' "$ID-a" "$ID-b")" ]

	ocirt list --format json
	assert_status 0
	[ "$(jq -r --arg id "$ID-a" '.[] | select(.id == $id) | .status' <<<"$output")" = running ]
	[ "$(jq -r --arg id "$ID-b" '.[] | select(.id == $id) | .status' <<<"$output")" = created ]
	[ "$(jq -r --arg id "$ID-a" '.[] | select(.id == $id) | .pid' <<<"$output")" = "$(ct_pid "$ID-a")" ]
	[ "$(jq -r --arg id "$ID-a" '.[] | select(.id == $id) | .bundle' <<<"$output")" = "$(realpath "$BUNDLE")" ]

	ocirt list
	assert_status 0
	assert_contains "$output" "$ID-a"
	assert_contains "$output" running
}

@test "list sorts the containers by id, as runc does" {
	set_args true
	# Made in an order that is neither sorted nor its reverse, so that a
	# listing in directory order (creation or hash order) shows up.
	# Six of them: a directory's order (hash order on ext4) is then sorted
	# by chance once in 720 runs.
	local i want
	for i in d b f a e c; do
		ocirt create -b "$BUNDLE" "$ID-$i"
		assert_status 0
	done
	want=$(printf "$ID-%s\n" a b c d e f)
	ocirt list -q
	assert_status 0
	assert_output "$want"
	ocirt list --format json
	assert_status 0
	[ "$(jq -r '.[].id' <<<"$output")" = "$want" ]
	ocirt list
	assert_status 0
	[ "$(awk 'NR > 1 { print $1 }' <<<"$output")" = "$want" ]
}

# The init traps USR1 and appends each one to /tmp/sigs.
start_trapper() {
	set_args sh -c 'trap "echo USR1 >>/tmp/sigs" USR1; trap "echo TERM >>/tmp/sigs; exit 3" TERM
		sleep 100 & touch /tmp/ready; while :; do wait; done'
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	retry test -e "$BUNDLE/rootfs/tmp/ready"
}

sig_count() {
	[ "$(grep -c "$1" "$BUNDLE/rootfs/tmp/sigs" 2>/dev/null)" = "$2" ]
}

@test "kill takes signal names with and without SIG, and numbers" {
	start_trapper
	ocirt kill "$ID" USR1
	assert_status 0
	retry sig_count USR1 1
	ocirt kill "$ID" SIGUSR1
	assert_status 0
	retry sig_count USR1 2
	ocirt kill "$ID" 10
	assert_status 0
	retry sig_count USR1 3
	[ "$(ct_status "$ID")" = running ]
}

@test "kill sends SIGTERM by default" {
	start_trapper
	ocirt kill "$ID"
	assert_status 0
	wait_status "$ID" stopped
	sig_count TERM 1
	sig_count USR1 0
}

@test "kill KILL stops a container whose init ignores other signals" {
	start_sleeper
	ocirt kill "$ID" KILL
	assert_status 0
	wait_status "$ID" stopped
	ocirt kill "$ID" 9
	[ "$status" -ne 0 ]
}

@test "kill with an unknown signal fails and leaves the container running" {
	start_sleeper
	ocirt kill "$ID" NOSUCHSIG
	[ "$status" -ne 0 ]
	assert_contains "$stderr" NOSUCHSIG
	ocirt kill "$ID" 1000
	[ "$status" -ne 0 ]
	[ "$(ct_status "$ID")" = running ]
}

@test "kill of a missing container fails" {
	ocirt kill "$ID" KILL
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "does not exist"
}

@test "kill ID 0 succeeds for a live container and fails for a dead one" {
	# Signal 0 is the liveness check engines and scripts send (kill(2) with 0).
	set_args sleep 100
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt kill "$ID" 0
	assert_status 0
	[ "$(ct_status "$ID")" = created ]
	ocirt start "$ID"
	assert_status 0
	ocirt kill "$ID" 0
	assert_status 0
	[ "$(ct_status "$ID")" = running ]
	ocirt kill "$ID" KILL
	assert_status 0
	wait_status "$ID" stopped
	ocirt kill "$ID" 0
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "not running"
}

@test "kill --all signals every process of the container" {
	# The init has no TERM handler, so only the signal to its children ends
	# it: their deaths end its wait.
	set_args sh -c 'sleep 100 & sleep 101 & touch /tmp/ready; wait'
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	retry test -e "$BUNDLE/rootfs/tmp/ready"
	[ "$(test_pids | wc -l)" -ge 3 ]
	ocirt kill "$ID" TERM
	assert_status 0
	sleep 0.2
	[ "$(ct_status "$ID")" = running ]
	ocirt kill --all "$ID" TERM
	assert_status 0
	wait_status "$ID" stopped
	retry no_test_pids
}

@test "invalid container ids are rejected and leave nothing behind" {
	set_args true
	before=$(ls -A "$BATS_TEST_TMPDIR" | grep -v '^ocirt\.')
	for bad in .. . a/b ../x "" "a b" "$(printf 'a\nb')"; do
		ocirt create -b "$BUNDLE" -- "$bad"
		[ "$status" -ne 0 ]
		assert_contains "$stderr" "id"
		ocirt run -b "$BUNDLE" -- "$bad"
		[ "$status" -ne 0 ]
	done
	[ "$(ls -A "$BATS_TEST_TMPDIR" | grep -v '^ocirt\.')" = "$before" ]
	[ ! -e "$ROOT/a" ]
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
	assert_clean
}

@test "a container id needs no more than the characters runc allows" {
	id=$ID.x_y+z-1
	set_args true
	ocirt run -b "$BUNDLE" "$id"
	assert_status 0
	assert_clean
}

@test "a config without process can be created; start refuses it and stops the container" {
	update_config 'del(.process)'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt state "$ID"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = created ]
	pid=$(jq -r .pid <<<"$output")
	# The waiting init holds nothing of the runtime's but the exec fifo.
	[ "$(ls /proc/"$pid"/fd | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]

	ocirt exec "$ID" true
	assert_status 255
	assert_contains "$stderr" "no process"

	ocirt start "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "no process"
	for _ in $(seq 100); do
		ocirt state "$ID"
		[ "$(jq -r .status <<<"$output")" = stopped ] && break
		sleep 0.05
	done
	[ "$(jq -r .status <<<"$output")" = stopped ]
	ocirt delete "$ID"
	assert_status 0
	root_empty
}
