#!/usr/bin/env bats
# checkpoint and restore (CRIU, through libcriu). They need a working criu
# binary: $CRIU, else ../shared/tools/criu/bin/criu beside this repository,
# else criu in PATH; and an ocirt built with libcriu. Otherwise every test
# here skips and says which is missing.

load helpers
load helpers/engines

# A shell that counts, one number a line, ten a second.
COUNTER='i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done'

setup_file() {
	cc -O2 -Wall -o "$BATS_FILE_TMPDIR/recvtty" "$BATS_TEST_DIRNAME/helpers/recvtty.c"
	local c bin=
	for c in "${CRIU:-}" "$BATS_TEST_DIRNAME/../../shared/tools/criu/bin/criu" "$(command -v criu)"; do
		[ -n "$c" ] && [ -x "$c" ] && bin=$c && break
	done
	CR_SKIP=
	if [ -z "$bin" ]; then
		CR_SKIP="no criu binary (set CRIU, put CRIU 4.2 at ../shared/tools/criu, or criu in PATH)"
	elif ! "$OCIRT" features | grep -q '"org.opencontainers.runc.checkpoint.enabled": "true"'; then
		CR_SKIP="$OCIRT was built without libcriu"
	elif ! out=$("$bin" check 2>&1); then
		CR_SKIP="$bin check fails here: $(echo "$out" | grep -m1 Error)"
	fi
	export CR_SKIP CRIU=$bin
	# podman finds criu in PATH (and so does ocirt under conmon).
	if [ -z "$CR_SKIP" ] && command -v podman conmon >/dev/null; then
		eng_setup_file
		mkdir "$ENG/bin"
		ln -s "$bin" "$ENG/bin/criu"
	fi
}

teardown_file() {
	eng_teardown_file
}

setup() {
	[ -z "$CR_SKIP" ] || skip "$CR_SKIP"
	setup_common
	IMG=$BATS_TEST_TMPDIR/img
}

teardown() {
	[[ $BATS_TEST_DESCRIPTION != podman* ]] || pm rm -f -a -t 0 >/dev/null 2>&1 || true
	if [ -n "${RECV_PID:-}" ]; then
		kill "$RECV_PID" 2>/dev/null || true
		wait "$RECV_PID" 2>/dev/null || true
	fi
	teardown_common
	[ -z "${NS:-}" ] || ip netns del "$NS" 2>/dev/null || true
	# the holder of test-made namespaces: its child (the pid namespace's init) goes with it
	if [ -n "${HOLDER:-}" ]; then
		kill -KILL "${HOLDER_CHILD:-}" "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
	fi
}

# counted FILE N: FILE has at least N lines.
counted() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

# cr_run ID OUT: a detached counter as ID whose stdout and stderr are a pipe
# into the file OUT, stdin /dev/null (an engine's stdio looks like this).
cr_run() {
	set_args sh -c "$COUNTER"
	ocirt_cmd run -d -b "$BUNDLE" "$1" </dev/null > >(exec cat >"$2") 2>"$BATS_TEST_TMPDIR/run.err"
	wait_status "$1" running
	retry_for 10 counted "$2" 3
}

# cr_restore ID OUT ARGS...: restore -d as ID with ARGS, its stdio as cr_run's.
cr_restore() {
	local id=$1 out=$2
	shift 2
	status=0
	ocirt_cmd restore -d --image-path "$IMG" -b "$BUNDLE" "$@" "$id" </dev/null \
		> >(exec cat >"$out") 2>"$BATS_TEST_TMPDIR/restore.err" || status=$?
	stderr=$(cat "$BATS_TEST_TMPDIR/restore.err")
	echo "restore $id -> $status: $stderr" >&2
}

# only_init_in PID: PID is the only process (zombies counted) in its pid namespace.
only_init_in() {
	local ns p n=0
	ns=$(readlink "/proc/$1/ns/pid") || return 1
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && n=$((n + 1))
	done
	[ "$n" -eq 1 ]
}

# continues FROM TO: TO's first number follows FROM's last (the one in the
# pipe at the checkpoint may come twice).
continues() {
	local last first
	last=$(tail -n 1 "$1")
	first=$(head -n 1 "$2")
	echo "before: ...$last; after: $first..." >&2
	[ "$first" -gt 3 ] && [ "$first" -ge "$last" ] && [ "$first" -le $((last + 1)) ]
}

@test "checkpoint and restore: a counting shell goes on where it was, in its own cgroup and namespaces" {
	cr_run "$ID" "$BATS_TEST_TMPDIR/out1"
	local pid
	pid=$(ct_pid "$ID")
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	# As runc: the checkpointed container is gone.
	retry gone "$pid"
	assert_clean
	[ -e "$IMG/inventory.img" ]

	cr_restore "$ID" "$BATS_TEST_TMPDIR/out2"
	assert_status 0
	[ "$(ct_status "$ID")" = running ]
	retry_for 10 counted "$BATS_TEST_TMPDIR/out2" 3
	continues "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2"
	pid=$(ct_pid "$ID")
	[ "$pid" -gt 0 ]
	# The restored init is in the container's cgroup, pid 1 of its own pid
	# namespace, and lo is up in its (empty) network namespace.
	[ "$(cg_dir memory "$pid")" = "$(cg_dir memory)/$ID" ]
	[ "$(awk '/^NSpid/ { print $3 }' "/proc/$pid/status")" = 1 ]
	ocirt exec "$ID" sh -c 'cat /sys/class/net/lo/operstate; echo $$'
	assert_status 0
	[ "${lines[0]}" = unknown ]
	[ "${lines[1]}" -gt 1 ]
	# delete leaves nothing (teardown checks state dir, processes, mounts, cgroups)
	ocirt delete -f "$ID"
	assert_status 0
	retry gone "$pid"
	assert_clean
}

@test "checkpoint --leave-running, and restore under a new id beside it" {
	cr_run "$ID" "$BATS_TEST_TMPDIR/out1"
	local pid
	pid=$(ct_pid "$ID")
	ocirt checkpoint --leave-running --image-path "$IMG" --work-path "$BATS_TEST_TMPDIR/work" "$ID"
	assert_status 0
	[ "$(ct_status "$ID")" = running ]
	[ "$(ct_pid "$ID")" = "$pid" ]
	[ -e "$BATS_TEST_TMPDIR/work/dump.log" ]
	local n
	n=$(wc -l <"$BATS_TEST_TMPDIR/out1")
	retry_for 10 counted "$BATS_TEST_TMPDIR/out1" $((n + 3))

	cr_restore "$ID-2" "$BATS_TEST_TMPDIR/out2"
	assert_status 0
	[ "$(ct_status "$ID-2")" = running ]
	[ "$(ct_status "$ID")" = running ]
	retry_for 10 counted "$BATS_TEST_TMPDIR/out2" 2
	local pid2
	pid2=$(ct_pid "$ID-2")
	[ "$pid2" != "$pid" ]
	[ "$(cg_dir memory "$pid2")" = "$(cg_dir memory)/$ID-2" ]
	ocirt list -q
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "$ID $ID-2 " ]
}

@test "restore -d --pid-file; the config's resources and hooks apply, the hooks see the restored init" {
	cr_run "$ID" "$BATS_TEST_TMPDIR/out1"
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	local hook=$BATS_TEST_TMPDIR/hook
	printf '#!/bin/sh\ncat >"%s.$1"\n' "$hook" >"$hook"
	chmod 755 "$hook"
	update_config --arg h "$hook" '.linux.resources.memory.limit = 67108864 |
		.hooks = {prestart: [{path: $h, args: ["hook", "prestart"]}],
			  createRuntime: [{path: $h, args: ["hook", "createRuntime"]}],
			  poststop: [{path: $h, args: ["hook", "poststop"]}]}'
	cr_restore "$ID" "$BATS_TEST_TMPDIR/out2" --pid-file "$BATS_TEST_TMPDIR/pid"
	assert_status 0
	local pid
	pid=$(ct_pid "$ID")
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
	[ "$(cat "$(cg_dir memory "$pid")/memory.limit_in_bytes" 2>/dev/null ||
		cat "$(cg_dir memory "$pid")/memory.max")" = 67108864 ]
	local p
	for p in prestart createRuntime; do
		[ "$(state_field pid "$(cat "$hook.$p")")" = "$pid" ]
		[ "$(state_field status "$(cat "$hook.$p")")" = creating ]
	done
	[ ! -e "$hook.poststop" ]
	ocirt delete -f "$ID"
	assert_status 0
	[ "$(state_field status "$(cat "$hook.poststop")")" = stopped ]

	# A createRuntime hook that fails fails the restore, and leaves nothing.
	update_config '.hooks.createRuntime = [{path: "/bin/false"}] | del(.hooks.poststop)'
	cr_restore "$ID" "$BATS_TEST_TMPDIR/out3"
	assert_status 1
	assert_contains "$stderr" "createRuntime hook /bin/false: exit status 1"
	assert_clean
}

@test "restore in the foreground: the exit status of the restored process, then the container is gone" {
	set_args sh -c 'i=0; while [ $i -lt 15 ]; do i=$((i+1)); echo $i; sleep 0.1; done; exit 7'
	ocirt_cmd run -d -b "$BUNDLE" "$ID" </dev/null > >(exec cat >"$BATS_TEST_TMPDIR/out1") 2>&1
	retry_for 10 counted "$BATS_TEST_TMPDIR/out1" 3
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	status=0
	ocirt_cmd restore --image-path "$IMG" -b "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out2" 2>&1 || status=$?
	cat "$BATS_TEST_TMPDIR/out2" >&2
	assert_status 7
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/out2")" = 15 ]
	assert_clean
}

@test "restore with a terminal: the new pty master goes to --console-socket" {
	local sock=$BATS_TEST_TMPDIR/console.sock
	"$BATS_FILE_TMPDIR/recvtty" "$sock" "$BATS_TEST_TMPDIR/tty1" 3>&- &
	RECV_PID=$!
	retry test -S "$sock"
	update_config '.process.terminal = true'
	set_args sh -c "$COUNTER"
	ocirt run -d --console-socket "$sock" -b "$BUNDLE" "$ID"
	assert_status 0
	retry_for 10 counted "$BATS_TEST_TMPDIR/tty1" 3
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	wait "$RECV_PID" || true

	# Without a console socket there is nowhere for the terminal to go.
	ocirt restore -d --image-path "$IMG" -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "no --console-socket"
	assert_clean

	rm -f "$sock"
	"$BATS_FILE_TMPDIR/recvtty" "$sock" "$BATS_TEST_TMPDIR/tty2" 3>&- &
	RECV_PID=$!
	retry test -S "$sock"
	ocirt restore -d --console-socket "$sock" --image-path "$IMG" -b "$BUNDLE" "$ID"
	assert_status 0
	retry_for 10 counted "$BATS_TEST_TMPDIR/tty2" 3
	tr -d '\r' <"$BATS_TEST_TMPDIR/tty1" >"$BATS_TEST_TMPDIR/t1"
	tr -d '\r' <"$BATS_TEST_TMPDIR/tty2" >"$BATS_TEST_TMPDIR/t2"
	continues "$BATS_TEST_TMPDIR/t1" "$BATS_TEST_TMPDIR/t2"
	ocirt exec "$ID" sh -c 'readlink /proc/1/fd/0'
	[[ $output == /dev/pts/* ]]
}

@test "bind mounts, masked paths and cgroup mounts are described to CRIU; a paused container is paused again" {
	local data=$BATS_TEST_TMPDIR/data
	mkdir -p "$data" "$BUNDLE/rootfs/data"
	echo hostfile >"$BATS_TEST_TMPDIR/file"
	update_config --arg d "$data" --arg f "$BATS_TEST_TMPDIR/file" '.mounts += [
		{destination: "/data", type: "bind", source: $d, options: ["rbind", "rw"]},
		{destination: "/etc/hostfile", type: "none", source: $f, options: ["bind", "ro"]},
		{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro"]}]'
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >>/data/count; sleep 0.1; done'
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	retry_for 10 counted "$data/count" 3
	ocirt pause "$ID"
	assert_status 0
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	local n
	n=$(wc -l <"$data/count")
	grep -q '"kind":"bind"' "$IMG/ocirt.json"
	grep -q '"kind":"null"' "$IMG/ocirt.json"
	grep -q '"kind":"cgroup"' "$IMG/ocirt.json"

	# A fresh copy of the bundle: mount points are made again where missing.
	rm -r "$BUNDLE/rootfs/data"
	ocirt restore -d --image-path "$IMG" -b "$BUNDLE" "$ID"
	assert_status 0
	[ "$(ct_status "$ID")" = paused ]
	sleep 0.3
	[ "$(wc -l <"$data/count")" = "$n" ]
	ocirt resume "$ID"
	assert_status 0
	retry_for 10 counted "$data/count" $((n + 3))
	[ "$(sed -n "$((n + 1))p" "$data/count")" = $((n + 1)) ]
	ocirt exec "$ID" sh -c 'cat /etc/hostfile; wc -c </proc/timer_list; ls /sys/firmware | wc -l'
	assert_status 0
	[ "${lines[0]}" = hostfile ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 0 ]
	ocirt exec "$ID" sh -c 'ls /sys/fs/cgroup/memory/tasks && echo rw >/etc/hostfile'
	assert_status 1
	assert_contains "$stderr" "Read-only"
}

@test "a container with a user namespace of its own: /dev nodes and a bind mount from the host come back" {
	open_dirs_above "$BUNDLE"
	mkdir -p "$BATS_TEST_TMPDIR/data" "$BUNDLE/rootfs/data"
	echo from-host >"$BATS_TEST_TMPDIR/data/file"
	update_config --arg d "$BATS_TEST_TMPDIR/data" '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts += [{destination: "/data", type: "bind", source: $d, options: ["rbind", "ro"]}]'
	# CRIU reopens stdio files as the container's root, who is not the host's.
	touch "$BATS_TEST_TMPDIR/run.err" "$BATS_TEST_TMPDIR/restore.err"
	chmod 666 "$BATS_TEST_TMPDIR/run.err" "$BATS_TEST_TMPDIR/restore.err"
	cr_run "$ID" "$BATS_TEST_TMPDIR/out1"
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	# the device nodes are the host's, bound (mknod is not allowed in there)
	grep -q '"mountpoint":"/dev/null","kind":"path"' "$IMG/ocirt.json"
	[ "$(stat -c %a "$IMG")" = 711 ]
	chmod 700 "$IMG"
	cr_restore "$ID" "$BATS_TEST_TMPDIR/out2"
	assert_status 1
	assert_contains "$stderr" "must be searchable by others (o+x)"
	assert_clean
	chmod 711 "$IMG"
	cr_restore "$ID" "$BATS_TEST_TMPDIR/out2"
	assert_status 0
	retry_for 10 counted "$BATS_TEST_TMPDIR/out2" 2
	continues "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2"
	ocirt exec "$ID" sh -c 'cat /proc/self/uid_map; cat /data/file; echo x >/dev/null && echo null-ok'
	assert_status 0
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "${lines[1]}" = from-host ]
	[ "${lines[2]}" = null-ok ]
}

@test "restore moves the config's netDevices into the new (empty) network namespace" {
	command -v ip >/dev/null || skip "no ip (iproute2)"
	"$OCIRT" features | jq -e .linux.netDevices.enabled >/dev/null || skip "no netDevices in this build"
	# As netdev.bats: ocirt (and so criu) in a network namespace of the test's own.
	NS=ocirt-$ID
	ip netns add "$NS"
	# CRIU probes TCP repair on lo of its own namespace.
	ip -n "$NS" link set lo up
	local real=$OCIRT
	OCIRT=$BATS_TEST_TMPDIR/ocirt-in-ns
	printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "$NS" "$real" >"$OCIRT"
	chmod 755 "$OCIRT"
	ip -n "$NS" link add va type veth peer name va-p
	ip -n "$NS" addr add 10.78.0.1/24 dev va
	update_config '.linux.namespaces |= (map(select(.type != "network")) + [{"type": "network"}]) |
		.linux.netDevices = {"va": {"name": "eth1"}}'
	cr_run "$ID" "$BATS_TEST_TMPDIR/out1"
	! ip -n "$NS" link show va || false
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	# The veth went with the checkpointed container's namespace: a new one.
	retry sh -c "! ip -n $NS link show va-p"
	ip -n "$NS" link add va type veth peer name va-p
	ip -n "$NS" addr add 10.78.0.2/24 dev va
	cr_restore "$ID" "$BATS_TEST_TMPDIR/out2"
	assert_status 0
	! ip -n "$NS" link show va || false
	ocirt exec "$ID" sh -c 'ip -o addr show dev eth1; ip -o link show dev lo'
	assert_status 0
	assert_contains "$output" "inet 10.78.0.2/24 scope global eth1"
	assert_contains "$output" "LOOPBACK,UP"
	retry_for 10 counted "$BATS_TEST_TMPDIR/out2" 2
	continues "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2"
}

@test "namespaces joined by path: network and pid ones stay external, uts joined again on restore" {
	command -v ip >/dev/null || skip "no ip (iproute2)"
	NS=ocirt-$ID
	ip netns add "$NS"
	# A uts and a pid namespace of their own, kept by a process outside the
	# container; the pid namespace's init reaps what is left to it (a pod's
	# pause process does): CRIU restores the init with its pid there.
	unshare --uts --pid --fork sh -c 'hostname joined-uts; exec python3 -c "
import os, time
while True:
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(0.1)"' </dev/null >/dev/null 2>&1 3>&- &
	HOLDER=$!
	local child
	retry sh -c "pgrep -P $HOLDER >/dev/null"
	child=$(pgrep -P "$HOLDER")
	HOLDER_CHILD=$child
	retry sh -c "[ \"\$(nsenter -u -t $child hostname)\" = joined-uts ]"
	update_config --arg net "/run/netns/$NS" --arg uts "/proc/$child/ns/uts" --arg pid "/proc/$child/ns/pid" \
		'.linux.namespaces |= map(select(.type != "network" and .type != "uts" and .type != "pid")) +
			[{type: "network", path: $net}, {type: "uts", path: $uts}, {type: "pid", path: $pid}] | del(.hostname)'
	cr_run "$ID" "$BATS_TEST_TMPDIR/out1"
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	# CRIU gives the init its pid there again: wait until nothing but the
	# namespace's own init is left in it (zombies too)
	retry_for 10 only_init_in "$child"
	cr_restore "$ID" "$BATS_TEST_TMPDIR/out2"
	assert_status 0
	local pid
	pid=$(ct_pid "$ID")
	[ "$(readlink "/proc/$pid/ns/net")" = "$(readlink "/run/netns/$NS" 2>/dev/null || stat -L -c 'net:[%i]' "/run/netns/$NS")" ]
	[ "$(readlink "/proc/$pid/ns/uts")" = "$(readlink "/proc/$child/ns/uts")" ]
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$child/ns/pid")" ]
	ocirt exec "$ID" hostname
	assert_output joined-uts
	retry_for 10 counted "$BATS_TEST_TMPDIR/out2" 2
	continues "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2"
	ocirt delete -f "$ID"
	assert_status 0
}

@test "checkpoint --tcp-established: a TCP connection inside the container carries on; --auto-dedup on restore" {
	# A client sends the count to a listener over lo, which writes it to /tmp/recv.
	set_args sh -c 'sleep 1000 | nc -l -p 7777 >/tmp/recv & sleep 0.3; '"$COUNTER"' | nc 127.0.0.1 7777'
	ocirt_cmd run -d -b "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	retry_for 10 counted "$BUNDLE/rootfs/tmp/recv" 3
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_contains "$stderr" "Connected TCP socket, consider using --tcp-established option"
	[ "$(ct_status "$ID")" = running ]
	ocirt checkpoint --tcp-established --image-path "$IMG" "$ID"
	assert_status 0
	local before n
	before=$(du -sk "$IMG" | cut -f1)
	n=$(wc -l <"$BUNDLE/rootfs/tmp/recv")
	ocirt restore -d --tcp-established --auto-dedup --image-path "$IMG" -b "$BUNDLE" "$ID"
	assert_status 0
	# the numbers go on arriving through the restored connection
	retry_for 10 counted "$BUNDLE/rootfs/tmp/recv" $((n + 3))
	[ "$(sed -n "$((n + 1))p" "$BUNDLE/rootfs/tmp/recv")" -ge "$(sed -n "${n}p" "$BUNDLE/rootfs/tmp/recv")" ]
	# --auto-dedup: the restored pages were punched out of the images
	[ "$(du -sk "$IMG" | cut -f1)" -lt "$before" ]
}

@test "errors: no criu, a missing image dir, an id that exists, a created container; nothing changes" {
	cr_run "$ID" "$BATS_TEST_TMPDIR/out1"
	local pid
	pid=$(ct_pid "$ID")
	CRIU=/nonexistent ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_contains "$stderr" "criu binary /nonexistent (\$CRIU): no such file or directory"
	ocirt --criu /nonexistent/criu checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_contains "$stderr" "criu binary /nonexistent/criu (--criu)"
	[ "$(ct_status "$ID")" = running ]
	[ "$(ct_pid "$ID")" = "$pid" ]

	ocirt restore -d --image-path "$BATS_TEST_TMPDIR/nosuch" -b "$BUNDLE" "$ID-2"
	assert_status 1
	assert_contains "$stderr" "image directory $BATS_TEST_TMPDIR/nosuch: no such file or directory"
	mkdir "$BATS_TEST_TMPDIR/empty"
	ocirt restore -d --image-path "$BATS_TEST_TMPDIR/empty" -b "$BUNDLE" "$ID-2"
	assert_status 1
	assert_contains "$stderr" "holds no checkpoint made by ocirt"
	[ "$(ct_status "$ID-2")" = error ]

	ocirt checkpoint --leave-running --image-path "$IMG" "$ID"
	assert_status 0
	ocirt restore -d --image-path "$IMG" -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "container \"$ID\" already exists"
	[ "$(ct_pid "$ID")" = "$pid" ]

	ocirt checkpoint --image-path "$IMG" --manage-cgroups-mode bogus "$ID"
	assert_status 1
	assert_contains "$stderr" "--manage-cgroups-mode: invalid value \"bogus\""
	ocirt checkpoint --image-path "$IMG" --empty-ns pid "$ID"
	assert_status 1
	assert_contains "$stderr" "--empty-ns: namespace \"pid\" is not supported"

	ocirt delete -f "$ID"
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_contains "$stderr" "cannot checkpoint a container that is created"
	[ "$(ct_status "$ID")" = created ]
	ocirt delete -f "$ID"

	# Without a mount namespace of its own, CRIU has no root to work with.
	update_config '.linux.namespaces |= map(select(.type != "mount"))'
	ocirt restore -d --image-path "$IMG" -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "restore: linux.namespaces: a container without a mount namespace of its own"
	assert_clean
	cr_run "$ID" "$BATS_TEST_TMPDIR/out3"
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_contains "$stderr" "checkpoint: linux.namespaces: a container without a mount namespace of its own"
	[ "$(ct_status "$ID")" = running ]
}

@test "a failed checkpoint leaves the container running; a failed restore leaves nothing" {
	# The init holds a host file (fd 3, --preserve-fds) that CRIU cannot
	# reach from inside the container: the dump fails.
	set_args sh -c "$COUNTER"
	ocirt_cmd run -d --preserve-fds 1 -b "$BUNDLE" "$ID" 3<"$BATS_TEST_TMPDIR/bundle/config.json" </dev/null \
		> >(exec cat >"$BATS_TEST_TMPDIR/out1") 2>&1
	retry_for 10 counted "$BATS_TEST_TMPDIR/out1" 3
	local pid n
	pid=$(ct_pid "$ID")
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_contains "$stderr" "checkpoint: criu dump failed"
	assert_contains "$stderr" "Can't lookup mount"
	assert_contains "$stderr" "for fd=3"
	[ "$(ct_status "$ID")" = running ]
	[ "$(ct_pid "$ID")" = "$pid" ]
	n=$(wc -l <"$BATS_TEST_TMPDIR/out1")
	retry_for 10 counted "$BATS_TEST_TMPDIR/out1" $((n + 3))
	ocirt delete -f "$ID"
	assert_status 0

	cr_run "$ID" "$BATS_TEST_TMPDIR/out2"
	ocirt checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	# stdin was /dev/null at the checkpoint; a regular file cannot stand in.
	status=0
	ocirt_cmd restore -d --image-path "$IMG" -b "$BUNDLE" "$ID" <"$BATS_TEST_TMPDIR/run.err" \
		>"$BATS_TEST_TMPDIR/out3" 2>"$BATS_TEST_TMPDIR/err3" || status=$?
	cat "$BATS_TEST_TMPDIR/err3" >&2
	assert_status 1
	assert_contains "$(cat "$BATS_TEST_TMPDIR/err3")" "restore: criu restore failed"
	assert_clean
}

@test "checkpoint --pre-dump and --parent-path: a clear error without soft-dirty tracking, else incremental images" {
	cr_run "$ID" "$BATS_TEST_TMPDIR/out1"
	local pid
	pid=$(ct_pid "$ID")
	if ! "$CRIU" check --feature mem_dirty_track >/dev/null 2>&1; then
		ocirt checkpoint --pre-dump --image-path "$IMG" "$ID"
		assert_status 1
		assert_contains "$stderr" "checkpoint: --pre-dump: CRIU cannot track memory changes here (the kernel has no soft-dirty page tracking)"
		mkdir -p "$BATS_TEST_TMPDIR/parent"
		ocirt checkpoint --parent-path ../parent --image-path "$IMG" "$ID"
		assert_status 1
		assert_contains "$stderr" "checkpoint: --parent-path: CRIU cannot track memory changes here"
		[ "$(ct_status "$ID")" = running ]
		[ "$(ct_pid "$ID")" = "$pid" ]
		return
	fi
	ocirt checkpoint --pre-dump --image-path "$IMG/1" "$ID"
	assert_status 0
	[ "$(ct_pid "$ID")" = "$pid" ]
	ocirt checkpoint --parent-path ../1 --image-path "$IMG/2" "$ID"
	assert_status 0
	retry gone "$pid"
	IMG=$IMG/2
	cr_restore "$ID" "$BATS_TEST_TMPDIR/out2"
	assert_status 0
	retry_for 10 counted "$BATS_TEST_TMPDIR/out2" 2
	continues "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2"
}

# free_port: a TCP port nobody listens on here.
free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 20); do
		! grep -qi ":$(printf %04X "$p") " /proc/net/tcp /proc/net/tcp6 2>/dev/null && echo "$p" && return
	done
	return 1
}

@test "checkpoint --page-server: the memory goes to a criu page-server" {
	cr_run "$ID" "$BATS_TEST_TMPDIR/out1"
	local port
	port=$(free_port)
	mkdir "$IMG"
	# It serves one dump, then exits.
	"$CRIU" page-server --images-dir "$IMG" --port "$port" --daemon --pidfile "$BATS_TEST_TMPDIR/ps.pid" \
		-o "$BATS_TEST_TMPDIR/ps.log" 3>&-
	ocirt checkpoint --page-server "127.0.0.1:$port" --image-path "$IMG" "$ID"
	assert_status 0
	retry gone "$(cat "$BATS_TEST_TMPDIR/ps.pid")"
	ls "$IMG"/pages-*.img
	cr_restore "$ID" "$BATS_TEST_TMPDIR/out2"
	assert_status 0
	retry_for 10 counted "$BATS_TEST_TMPDIR/out2" 2
	continues "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2"
	ocirt checkpoint --page-server 127.0.0.1 --image-path "$IMG" "$ID"
	assert_status 1
	assert_contains "$stderr" "--page-server: \"127.0.0.1\" is not ADDRESS:PORT"
}

@test "podman container checkpoint and restore, with ocirt as the runtime" {
	[ -n "${ENG:-}" ] || skip "podman or conmon is not installed"
	pm_image
	pm_run_opts
	local name=ocirt-cr-$$ id pid
	PATH=$ENG/bin:$PATH
	run pm run -d --name "$name" "${PM_RUN[@]}" localhost/ocirt-bb:1 sh -c "$COUNTER"
	[ "$status" -eq 0 ]
	id=${lines[-1]}
	retry_for 10 eval '[ "$(pm logs "$name" | wc -l)" -ge 3 ]'
	pid=$(pm inspect -f '{{.State.Pid}}' "$name")

	run pm container checkpoint "$name"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	ocirt_ran checkpoint "$id"
	retry gone "$pid"
	[ "$(pm inspect -f '{{.State.Status}}' "$name")" = exited ]
	local n
	n=$(pm logs "$name" | wc -l)

	run pm container restore "$name"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	ocirt_ran restore "$id"
	[ "$(pm inspect -f '{{.State.Status}}' "$name")" = running ]
	retry_for 10 eval '[ "$(pm logs "$name" | wc -l)" -ge $((n + 3)) ]'
	pm logs "$name" >"$BATS_TEST_TMPDIR/logs"
	# one number a line, on from where it was (the one in the pipe at the
	# checkpoint may come twice)
	local before after
	before=$(sed -n "${n}p" "$BATS_TEST_TMPDIR/logs")
	after=$(sed -n "$((n + 1))p" "$BATS_TEST_TMPDIR/logs")
	echo "before: $before, after: $after" >&2
	[ "$after" -ge "$before" ] && [ "$after" -le $((before + 1)) ] || false
	pid=$(pm inspect -f '{{.State.Pid}}' "$name")
	[ "$(cg_dir memory "$pid")" = "$(cg_mount memory)$CGPARENT/podman/libpod-$id" ]
	run pm exec "$name" sh -c 'echo in; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = in ]

	pm rm -f -t 0 "$name"
	ocirt_ran delete "$id"
	retry gone "$pid"
	[ ! -e "$(cg_mount memory)$CGPARENT/podman/libpod-$id" ]
}
