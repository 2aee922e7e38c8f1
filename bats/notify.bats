#!/usr/bin/env bats
# NOTIFY_SOCKET (sd_notify) passed through the container, as runc does it:
# the container gets a socket at /run/notify/notify.sock and NOTIFY_SOCKET
# pointing there; start (or run) passes its READY=1, and what it sent
# before, to the caller's NOTIFY_SOCKET with MAINPID, then a BARRIER=1.
# bats/helpers/sdnotify.c is both ends: a listener standing in for systemd
# and, built static, the notifying process in the busybox container.

load helpers

setup_file() {
	cc -static -O2 -Wall -o "$BATS_FILE_TMPDIR/sdnotify" "$BATS_TEST_DIRNAME/helpers/sdnotify.c"
}

setup() {
	setup_common
	cp "$BATS_FILE_TMPDIR/sdnotify" "$BUNDLE/rootfs/bin/sdnotify"
	GOT=$BATS_TEST_TMPDIR/got
	LISTENER=
}

teardown() {
	[ -z "$LISTENER" ] || kill "$LISTENER" 2>/dev/null || true
	teardown_common
}

# listen ADDRESS: the stand-in for systemd, in the background, until a
# BARRIER=1; it writes each datagram to $GOT, each followed by "--".
listen() {
	HOST=$1
	"$BATS_FILE_TMPDIR/sdnotify" listen "$HOST" "$GOT" &
	LISTENER=$!
	retry test -e "$GOT"
}

# wait_listener: the listener got its BARRIER and exited.
wait_listener() {
	wait_exit "$LISTENER"
	LISTENER=
	if [ "$status" -ne 0 ]; then
		echo "the listener got no BARRIER=1; it has: $(cat "$GOT")" >&2
		return 1
	fi
}

# notified ARGS...: ocirt ARGS with NOTIFY_SOCKET=$HOST.
notified() {
	NOTIFY_SOCKET=$HOST
	export NOTIFY_SOCKET
	ocirt "$@"
	unset NOTIFY_SOCKET
}

@test "run -d: the container has its socket and NOTIFY_SOCKET; READY=1 reaches the caller with MAINPID" {
	listen "$BATS_TEST_TMPDIR/host.sock"
	set_args sh -c 'sdnotify send "STATUS=starting" "READY=1\nSTATUS=up\nMAINPID=1"; exec sleep 100'
	notified run -d -b "$BUNDLE" "$ID"
	assert_status 0
	wait_listener
	pid=$(ct_pid "$ID")
	# its messages as sent (its own MAINPID, a pid of its namespace, left
	# out), READY with the init's pid on the host, then the barrier
	[ "$(cat "$GOT")" = "STATUS=starting
--
READY=1
STATUS=up
MAINPID=$pid
--
BARRIER=1
--" ]
	ocirt exec "$ID" sh -c 'tr "\0" "\n" </proc/1/environ | grep NOTIFY_SOCKET; test -S /run/notify/notify.sock && echo socket'
	assert_output "NOTIFY_SOCKET=/run/notify/notify.sock
socket"
	# read-only, as runc mounts it
	ocirt exec "$ID" touch /run/notify/x
	[ "$status" -ne 0 ]
}

@test "create, then start: start waits for READY=1" {
	listen "$BATS_TEST_TMPDIR/host.sock"
	set_args sh -c 'sleep 1; sdnotify send READY=1; exec sleep 100'
	notified create -b "$BUNDLE" "$ID"
	assert_status 0
	[ ! -s "$GOT" ]
	t0=$(date +%s%N)
	notified start "$ID"
	t1=$(date +%s%N)
	assert_status 0
	[ $(((t1 - t0) / 1000000)) -ge 900 ]
	wait_listener
	grep -qx "MAINPID=$(ct_pid "$ID")" "$GOT"
	grep -qx "READY=1" "$GOT"
}

@test "run in the foreground: MAINPID is ocirt's own, which waits for the container" {
	listen "$BATS_TEST_TMPDIR/host.sock"
	set_args sh -c 'sdnotify send READY=1; sleep 1'
	NOTIFY_SOCKET=$HOST OCIRT_TEST_MARK=$MARK "$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" </dev/null \
		>/dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	ocirt_pid=$!
	wait_listener
	grep -qx "MAINPID=$ocirt_pid" "$GOT"
	wait "$ocirt_pid"
}

# run_ready ADDRESS: run -d, with NOTIFY_SOCKET=ADDRESS, of a container
# that says READY=1; the listener gets it with the init's pid.
run_ready() {
	listen "$1"
	set_args sh -c 'sdnotify send READY=1; exec sleep 100'
	notified run -d -b "$BUNDLE" "$ID"
	assert_status 0
	wait_listener
	grep -qx "MAINPID=$(ct_pid "$ID")" "$GOT"
}

@test "an abstract NOTIFY_SOCKET (@name) works too" {
	run_ready "@ocirt-test-$ID"
}

@test "a container that exits before it is ready: start returns, nothing is passed on" {
	listen "$BATS_TEST_TMPDIR/host.sock"
	set_args true
	notified create -b "$BUNDLE" "$ID"
	notified start "$ID"
	assert_status 0
	wait_status "$ID" stopped
	[ ! -s "$GOT" ]
	ocirt delete "$ID"
	assert_status 0
	assert_clean
}

@test "without NOTIFY_SOCKET the container gets neither the socket nor the variable" {
	unset NOTIFY_SOCKET
	run_ct sh -c 'echo ${NOTIFY_SOCKET-unset}; test -e /run/notify && echo there; true'
	assert_status 0
	assert_output unset
}

@test "without pidfds (pidfd_open refused: EPERM, ENOSYS), READY=1 is passed on, and start returns when the container exits first" {
	cc -O2 -Wall -o "$BATS_TEST_TMPDIR/refuse" "$BATS_TEST_DIRNAME/helpers/refuse.c" -lseccomp
	local err
	for err in EPERM ENOSYS; do
		OCIRT_AS=("$BATS_TEST_TMPDIR/refuse" pidfd_open,pidfd_send_signal "$err")
		rm -f "$GOT"
		run_ready "$BATS_TEST_TMPDIR/host.sock"
		ocirt delete --force "$ID"
		assert_status 0
		# gone before it was ready: start returns (the init's pid is
		# looked at, not waited on)
		rm -f "$GOT"
		listen "$BATS_TEST_TMPDIR/host.sock"
		set_args true
		notified create -b "$BUNDLE" "$ID"
		assert_status 0
		notified start "$ID"
		assert_status 0
		wait_status "$ID" stopped
		[ ! -s "$GOT" ]
		kill "$LISTENER"
		LISTENER=
		ocirt delete "$ID"
		assert_status 0
		rm -f "$BATS_TEST_TMPDIR/host.sock"
	done
	assert_clean
}
