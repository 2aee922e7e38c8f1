#!/usr/bin/env bats
# Crash safety: a create killed part-way, and a state.json that is truncated
# or garbled, must still leave `delete --force` all it needs to remove the
# container's processes, cgroups and state dir; state.json is written
# atomically; where newer system calls are refused (an older seccomp profile
# around ocirt, an older kernel), ocirt does without them. (README.md,
# "Reliability".)

load helpers

# hook PHASE SCRIPT: a hook of that phase running sh -c SCRIPT. A
# createRuntime hook runs in the runtime's namespaces: it records its pid in
# $HOOK_PID_FILE first and ends in "exec sleep" (it outlives a killed
# create and is not the container's: the test ends it). A createContainer hook runs in the
# container's, in its cgroups: it carries the test's marker instead, so that
# the checks for leftovers see it.
HOOKED=
hook() {
	HOOK_PID_FILE=$BATS_TEST_TMPDIR/hook.pid
	HOOKED=$BATS_TEST_TMPDIR/hooked
	if [ "$1" = createContainer ]; then
		update_config --arg s "$2" --arg m "OCIRT_TEST_MARK=$MARK" \
			'.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", $s], "env": [$m]}]'
	else
		# Without the marker (a hook without env gets the runtime's).
		update_config --arg p "$1" --arg s "echo \$\$ >$HOOK_PID_FILE; $2" \
			'.hooks[$p] = [{"path": "/bin/sh", "args": ["sh", "-c", $s], "env": ["PATH=/usr/bin:/bin"]}]'
	fi
}

end_hook() {
	[ -s "${HOOK_PID_FILE:-/nonexistent}" ] && kill -9 "$(cat "$HOOK_PID_FILE")" 2>/dev/null || true
}

teardown() {
	end_hook
	teardown_common
}

# create_in_background [ID]: `ocirt create` of this test's bundle as a
# background job of its own (not the wrapper), so that it can be killed: $CREATE_PID.
create_in_background() {
	OCIRT_TEST_MARK=$MARK "$OCIRT" --root "$ROOT" create -b "$BUNDLE" "${1:-$ID}" \
		</dev/null >"$BATS_TEST_TMPDIR/create.out" 2>&1 3>&- &
	CREATE_PID=$!
}

kill_create() {
	kill -9 "$CREATE_PID" 2>/dev/null || true
	wait "$CREATE_PID" 2>/dev/null || true
}

# nothing_left: no state entry, process, cgroup (of $ID, or $ID-anything)
# or mount of this test's is left.
nothing_left() {
	assert_clean
}

# pid_alive PID: a process, not a zombie.
pid_alive() {
	! gone "$1"
}

@test "create killed while a createRuntime hook runs: state is true, delete --force removes its cgroups" {
	hook createRuntime "touch $BATS_TEST_TMPDIR/hooked; exec sleep 30"
	create_in_background
	retry test -e "$HOOKED"
	# The cgroups exist now (the init runs in them, waiting for the hook).
	[ -n "$(test_cgroups)" ]
	kill_create
	# The init dies with its runtime (before READY it has PR_SET_PDEATHSIG).
	retry test -z "$(test_pids)"
	ocirt state "$ID"
	assert_status 0
	[ "$(state_field status "$output")" = stopped ]
	[ "$(state_field pid "$output")" = 0 ]
	[ "$(state_field bundle "$output")" = "$(realpath "$BUNDLE")" ]
	ocirt delete --force "$ID"
	assert_status 0
	nothing_left
}

@test "create killed with its init alive: state says creating with its pid, delete --force kills it" {
	# A time namespace makes the init a grandchild of the runtime, without
	# PR_SET_PDEATHSIG; the hook stops it, so that it outlives the runtime
	# and stays where it was (it would exit on the closed sync socket).
	update_config '.linux.namespaces += [{"type": "time"}]'
	hook createRuntime "pid=\$(sed -n 's/.*\"pid\":\\([0-9]*\\).*/\\1/p'); kill -STOP \$pid; echo \$pid >$BATS_TEST_TMPDIR/hooked; exec sleep 30"
	create_in_background
	retry test -s "$HOOKED"
	init=$(cat "$HOOKED")
	kill_create
	pid_alive "$init"
	ocirt state "$ID"
	assert_status 0
	[ "$(state_field status "$output")" = creating ]
	[ "$(state_field pid "$output")" = "$init" ]
	ocirt start "$ID"
	assert_status 1
	assert_contains "$stderr" "cannot start a container that is creating"
	ocirt delete "$ID"
	assert_status 1
	assert_contains "$stderr" "not stopped: creating"
	ocirt delete --force "$ID"
	assert_status 0
	retry gone "$init"
	nothing_left
}

@test "create killed while a createContainer hook runs: delete --force kills the hook left in the cgroup" {
	# The hook is the init's child, in the container's namespaces and
	# cgroups; the init dies with the runtime, the hook does not (without a
	# pid namespace, whose init's death would take it along).
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	hook createContainer "touch $BATS_TEST_TMPDIR/hooked; sleep 30"
	create_in_background
	retry test -e "$HOOKED"
	kill_create
	[ -n "$(test_pids)" ]
	# The init dies with the runtime: stopped, though the hook lives on.
	wait_status "$ID" stopped
	ocirt delete --force "$ID"
	assert_status 0
	nothing_left
}

@test "create without a mount namespace killed part-way: delete --force takes its mounts off the host" {
	# Its mounts are made in our mount namespace (namespaces.bats); the hook
	# holds the create while they are there.
	update_config '.linux.namespaces -= [{"type": "mount"}]'
	hook createContainer "touch $BATS_TEST_TMPDIR/hooked; sleep 30"
	create_in_background
	retry test -e "$HOOKED"
	assert_contains "$(test_mounts)" "$BUNDLE/rootfs"
	kill_create
	ocirt delete --force "$ID"
	assert_status 0
	nothing_left
}

@test "create killed at random moments: state works, delete --force leaves nothing (4 s)" {
	set_args sleep 100
	# How long a whole create takes here, to spread the kills over it, and
	# where its cgroups go (the checks below look there, not through all of
	# /sys/fs/cgroup: each iteration must be cheap for the loop to be worth it).
	t0=$EPOCHREALTIME
	ocirt_cmd create -b "$BUNDLE" "$ID" 3>&-
	span=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000 + 5))
	cgroups=$(test_cgroups)
	[ -n "$cgroups" ]
	ocirt delete --force "$ID"
	assert_status 0
	n=0
	end=$((SECONDS + 4))
	while [ "$SECONDS" -lt "$end" ] || [ "$n" -lt 10 ]; do
		id=$ID-r$n
		create_in_background "$id"
		ms=$((RANDOM % span))
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
		kill_create
		out=$(ocirt_cmd state "$id" 2>&1 3>&-) && st=0 || st=$?
		if [ "$st" -eq 0 ]; then
			pid=$(state_field pid "$out")
			case $(state_field status "$out") in
			stopped) [ "$pid" = 0 ] ;;
			# an init killed before READY dies with the runtime, a moment later
			creating) [ "$pid" -gt 0 ] ;;
			created) pid_alive "$pid" ;;
			*) echo "iteration $n, killed after $ms ms: $out" >&2; false ;;
			esac
		else
			assert_contains "$out" "does not exist"
		fi
		out=$(ocirt_cmd delete --force "$id" 2>&1 3>&-) || { echo "delete --force $id: $out" >&2; false; }
		[ ! -e "$ROOT/$id" ]
		for d in $cgroups; do
			d=${d%"$ID"}$id
			[ ! -e "$d" ] || { echo "iteration $n, killed after $ms ms: left $d" >&2; false; }
		done
		n=$((n + 1))
	done
	echo "$n creates killed over ${span} ms" >&2
	nothing_left
}

# corrupt_state HOW: spoil the running container's state.json.
corrupt_state() {
	local s=$ROOT/$ID/state.json
	case $1 in
	empty) : >"$s" ;;
	truncated) head -c "$(($(stat -c %s "$s") / 2))" "$s" >"$s.x" && mv "$s.x" "$s" ;;
	garbled) head -c 300 /dev/urandom >"$s" ;;
	not-ours) echo '{"id": 1}' >"$s" ;;
	huge) rm "$s" && truncate -s 10G "$s" ;;
	gone) rm "$s" ;;
	esac
}

@test "a truncated or garbled state.json: delete --force still removes the init, cgroups and state dir" {
	for how in empty truncated garbled not-ours huge gone; do
		start_sleeper
		init=$(ct_pid "$ID")
		corrupt_state $how
		if [ $how != gone ]; then
			ocirt state "$ID"
			assert_status 1
			assert_contains "$stderr" "state.json"
			assert_contains "$stderr" "\"delete --force\" removes what it can find"
			ocirt delete "$ID"
			assert_status 1
		fi
		pid_alive "$init"
		ocirt delete --force "$ID"
		assert_status 0
		[ $how = gone ] || assert_contains "$stderr" "removed it as its records say: cgroup "
		retry gone "$init"
		nothing_left
	done
}

@test "state.json and the records garbled: delete --force finds the cgroup from config.json, or says what it could not" {
	start_sleeper
	init=$(ct_pid "$ID")
	corrupt_state garbled
	echo garbage >"$ROOT/$ID/init"
	rm "$ROOT/$ID/cgroup"
	ocirt delete --force "$ID"
	assert_status 0
	assert_contains "$stderr" "removed it as its config.json places its cgroup"
	retry gone "$init"
	nothing_left

	# With nothing to go by, it removes the state dir and says what may remain.
	start_sleeper
	init=$(ct_pid "$ID")
	corrupt_state garbled
	rm "$ROOT/$ID/init" "$ROOT/$ID/cgroup" "$ROOT/$ID/config.json"
	ocirt delete --force "$ID"
	assert_status 1
	assert_contains "$stderr" "neither its init nor its cgroup is recorded: removed its state dir only"
	[ -z "$(ls -A "$ROOT")" ]
	pid_alive "$init"
	kill -9 "$init"
	retry gone "$init"
	for d in $(test_cgroups | sort -r); do
		retry rmdir "$d"
	done
}

@test "state.json is written atomically: a temp file, fsync'd, renamed over it" {
	command -v strace >/dev/null || skip "no strace"
	set_args sleep 100
	OCIRT_TEST_MARK=$MARK strace -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=openat,write,fsync,fdatasync,rename,renameat,renameat2 \
		"$OCIRT" --root "$ROOT" create -b "$BUNDLE" "$ID" </dev/null 3>&-
	# Never written in place; each write of it: open the temp file, fsync, rename.
	! grep -E 'openat\(.*"state\.json"' "$BATS_TEST_TMPDIR/trace" || false
	n=$(grep -cE 'rename.*"\.state\.json\.tmp".*"state\.json"' "$BATS_TEST_TMPDIR/trace")
	[ "$n" -ge 1 ]
	awk '
		/openat\(.*"\.state\.json\.tmp"/ { match($0, /= [0-9]+$/); fd = substr($0, RSTART + 2); synced = 0 }
		fd != "" && /fsync\(/ && index($0, "fsync(" fd ")") { synced = 1 }
		/rename.*"\.state\.json\.tmp".*"state\.json"/ { if (!synced) bad = 1; renames++ }
		END { exit bad || !renames }
	' "$BATS_TEST_TMPDIR/trace"
	[ "$(ct_status "$ID")" = created ]
}

@test "with clone3, openat2, close_range, faccessat2 and the pidfd calls refused (EPERM: an older seccomp profile; ENOSYS: an older kernel), run, exec, kill and delete work" {
	command -v cc >/dev/null || skip "no C compiler"
	cc -O2 -Wall -o "$BATS_TEST_TMPDIR/refuse" "$BATS_TEST_DIRNAME/helpers/refuse.c" -lseccomp
	local err calls=clone3,openat2,close_range,faccessat2,pidfd_open,pidfd_send_signal
	for err in EPERM ENOSYS; do
		OCIRT_AS=("$BATS_TEST_TMPDIR/refuse" "$calls" "$err")
		start_sleeper
		pid=$(ct_pid "$ID")
		ocirt exec "$ID" sh -c 'cat /proc/self/cgroup'
		assert_status 0
		diff <(sort "/proc/$pid/cgroup") <(printf '%s\n' "${lines[@]}" | sort)
		ocirt kill "$ID" KILL
		assert_status 0
		wait_status "$ID" stopped
		ocirt delete "$ID"
		assert_status 0
		# --force: the kill, and the wait for the init to be gone
		start_sleeper
		pid=$(ct_pid "$ID")
		ocirt delete --force "$ID"
		assert_status 0
		gone "$pid"
		nothing_left
	done
}
