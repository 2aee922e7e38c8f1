#!/usr/bin/env bats
# Each namespace type: new ones are new (and work), joined ones are joined.

load helpers

# ns_of PID TYPE: "type:[inode]" of a process's namespace.
ns_of() {
	readlink "/proc/$1/ns/$2"
}

drop_ns() {
	update_config --arg t "$1" '.linux.namespaces |= map(select(.type != $t))'
}

add_ns() {
	update_config --arg t "$1" '.linux.namespaces += [{"type": $t}]'
}

# join_ns TYPE PATH: replace the TYPE entry with one joining PATH.
join_ns() {
	update_config --arg t "$1" --arg p "$2" \
		'.linux.namespaces = [(.linux.namespaces[] | select(.type != $t)), {"type": $t, "path": $p}]'
}

map_ids() {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "new namespaces differ from the host's" {
	add_ns cgroup
	run_ct sh -c 'for t in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$t; done'
	assert_status 0
	[ "${#lines[@]}" -eq 6 ]
	for l in "${lines[@]}"; do
		t=${l%%:*}
		[ "$l" != "$(ns_of $$ "$t")" ]
	done
}

@test "no namespace entry means the host's namespace" {
	drop_ns pid
	drop_ns ipc
	drop_ns network
	run_ct sh -c 'for t in pid net ipc; do readlink /proc/self/ns/$t; done'
	assert_status 0
	[ "${lines[0]}" = "$(ns_of $$ pid)" ]
	[ "${lines[1]}" = "$(ns_of $$ net)" ]
	[ "${lines[2]}" = "$(ns_of $$ ipc)" ]
}

@test "pid: the process is pid 1 and sees only its own processes" {
	run_ct sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
	assert_status 0
	[ "${lines[0]}" = 1 ]
	# sh, ls, grep at most
	[ "${lines[1]}" -le 3 ]
}

@test "pid: without a pid namespace the process has a host pid" {
	drop_ns pid
	run_ct sh -c 'echo $$'
	assert_status 0
	[ "$output" -gt 1 ]
}

@test "network: only lo, and it is up" {
	run_ct sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags; ip -o link show lo'
	assert_status 0
	[ "${lines[0]}" = lo ]
	[ "${#lines[@]}" -eq 3 ]
	# IFF_UP is bit 0
	(( ${lines[1]} & 1 ))
	assert_contains "${lines[2]}" ",UP"
}

@test "ipc: a SysV segment of the host is not visible" {
	shmid=$(ipcmk -M 4096 -p 0600 2>/dev/null | awk '{ print $NF }' || true)
	[ -n "$shmid" ] || skip "ipcmk cannot make a segment here"
	grep -q " $shmid " /proc/sysvipc/shm
	run_ct sh -c 'cat /proc/sysvipc/shm | wc -l'
	ipcrm -m "$shmid"
	assert_status 0
	# only the header line
	[ "$output" -eq 1 ]
}

@test "uts: hostname and domainname come from the config" {
	update_config '.hostname = "box-one" | .domainname = "example.org"'
	host_before=$(hostname)
	run_ct sh -c 'hostname; cat /proc/sys/kernel/domainname'
	assert_status 0
	[ "${lines[0]}" = box-one ]
	[ "${lines[1]}" = example.org ]
	[ "$(hostname)" = "$host_before" ]
}

@test "mount: container mounts stay in the container" {
	before=$(wc -l </proc/self/mountinfo)
	run_ct sh -c 'grep -c . /proc/self/mountinfo; readlink /proc/self/ns/mnt'
	assert_status 0
	[ "${lines[1]}" != "$(ns_of $$ mnt)" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$before" ]
	[ -z "$(test_mounts)" ]
}

@test "mount: without a mount namespace the container shares the caller's, and delete takes its mounts away" {
	# config-linux.md: a namespace not listed is the runtime's. As in runc the
	# container is chroot'ed into its rootfs; its mounts (masked paths too)
	# are made in our namespace while it lives, and none is left after.
	drop_ns mount
	echo inside >"$BUNDLE/rootfs/marker"
	update_config '.linux.maskedPaths = ["/proc/timer_list"] | .linux.readonlyPaths = ["/proc/sys"]'
	local prop_before
	prop_before=$(awk '$5 == "/" { print $7 }' /proc/self/mountinfo)
	set_args sh -c 'readlink /proc/self/ns/mnt; cat /marker; wc -c </proc/timer_list; echo x 2>/dev/null >/proc/sys/kernel/domainname || echo ro; sleep 100'
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	wait_status "$ID" running
	retry cmdline_is "$(ct_pid "$ID")" "sleep 100 "
	local pid
	pid=$(ct_pid "$ID")
	[ "$(ns_of "$pid" mnt)" = "$(ns_of $$ mnt)" ]
	# the container's mounts are ours, below its rootfs
	assert_contains "$(test_mounts)" "$BUNDLE/rootfs/proc"
	[ "$(readlink "/proc/$pid/root")" = "$BUNDLE/rootfs" ]
	# exec enters the container's root too
	ocirt exec "$ID" cat /marker
	assert_status 0
	assert_output inside
	ocirt delete --force "$ID"
	assert_status 0
	[ -z "$(test_mounts)" ]
	[ "$(awk '$5 == "/" { print $7 }' /proc/self/mountinfo)" = "$prop_before" ]
	# what it printed: the runtime's namespace, its rootfs, the mask, read-only
	run_ct sh -c 'readlink /proc/self/ns/mnt; cat /marker; wc -c </proc/timer_list; echo x 2>/dev/null >/proc/sys/kernel/domainname || echo ro'
	assert_status 0
	[ "${lines[0]}" = "$(ns_of $$ mnt)" ]
	[ "${lines[1]}" = inside ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = ro ]
	[ -z "$(test_mounts)" ]
}

@test "mount: without a mount namespace a failed create leaves no mount behind" {
	drop_ns mount
	update_config '.process.args = ["no-such-program"]'
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" no-such-program
	assert_clean
}

@test "user: uid and gid maps are applied" {
	open_dirs_above "$BUNDLE"
	add_ns user
	map_ids
	run_ct sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c "%u %g" /bin/busybox; touch /tmp/made-inside'
	assert_status 0
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "$(echo ${lines[1]})" = "0 100000 65536" ]
	[ "${lines[2]}" = 0 ]
	# busybox belongs to host root, which is not mapped
	[ "${lines[3]}" = "65534 65534" ]
	# container root is host uid 100000
	[ "$(stat -c '%u %g' "$BUNDLE/rootfs/tmp/made-inside")" = "100000 100000" ]
}

@test "user: the container's root has no capabilities over the host" {
	open_dirs_above "$BUNDLE"
	add_ns user
	map_ids
	update_config '.process.capabilities.bounding += ["CAP_DAC_OVERRIDE"] | .process.capabilities.effective += ["CAP_DAC_OVERRIDE"] | .process.capabilities.permitted += ["CAP_DAC_OVERRIDE"]'
	echo secret >"$BUNDLE/rootfs/root/host-only"
	chmod 0600 "$BUNDLE/rootfs/root/host-only"
	chmod 0755 "$BUNDLE/rootfs/root"
	run_ct cat /root/host-only
	[ "$status" -ne 0 ]
	assert_not_contains "$output" secret
}

@test "cgroup: the container sees its cgroup as the root" {
	add_ns cgroup
	run_ct cat /proc/self/cgroup
	assert_status 0
	[ "${#lines[@]}" -ge 1 ]
	for l in "${lines[@]}"; do
		[ "${l##*:}" = / ]
	done
}

@test "cgroup: without a cgroup namespace the full cgroup path shows" {
	run_ct cat /proc/self/cgroup
	assert_status 0
	found=0
	for l in "${lines[@]}"; do
		[ "${l##*:}" = / ] || found=1
	done
	[ "$found" -eq 1 ]
}

@test "time: boottime and monotonic offsets" {
	[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
	add_ns time
	update_config '.linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0},
		"monotonic": {"secs": 3600, "nanosecs": 500}}'
	host_up=$(cut -d. -f1 /proc/uptime)
	run_ct sh -c 'awk "{ print \$1, \$2, \$3 }" /proc/self/timens_offsets; cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time'
	assert_status 0
	[ "${lines[0]}" = "monotonic 3600 500" ]
	[ "${lines[1]}" = "boottime 864000 0" ]
	up=${lines[2]}
	[ "$up" -ge $((host_up + 864000)) ]
	[ "$up" -le $((host_up + 864000 + 30)) ]
	[ "${lines[3]}" != "$(ns_of $$ time)" ]
}

@test "join: a network namespace bound to a file" {
	touch "$BATS_TEST_TMPDIR/netns"
	unshare --net="$BATS_TEST_TMPDIR/netns" true
	inode=$(stat -L -c %i "$BATS_TEST_TMPDIR/netns")
	join_ns network "$BATS_TEST_TMPDIR/netns"
	run_ct readlink /proc/self/ns/net
	umount "$BATS_TEST_TMPDIR/netns"
	assert_status 0
	assert_output "net:[$inode]"
}

@test "join: the uts, network and ipc namespaces of a running container" {
	update_config '.hostname = "first"'
	start_sleeper "$ID-a"
	pid=$(ct_pid "$ID-a")
	update_config 'del(.hostname)'
	join_ns uts "/proc/$pid/ns/uts"
	join_ns network "/proc/$pid/ns/net"
	join_ns ipc "/proc/$pid/ns/ipc"
	run_ct sh -c 'hostname; for t in uts net ipc; do readlink /proc/self/ns/$t; done'
	assert_status 0
	[ "${lines[0]}" = first ]
	[ "${lines[1]}" = "$(ns_of "$pid" uts)" ]
	[ "${lines[2]}" = "$(ns_of "$pid" net)" ]
	[ "${lines[3]}" = "$(ns_of "$pid" ipc)" ]
}

@test "join: the pid namespace of a running container" {
	start_sleeper "$ID-a"
	pid=$(ct_pid "$ID-a")
	join_ns pid "/proc/$pid/ns/pid"
	run_ct sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo $$'
	assert_status 0
	[ "${lines[0]}" = "sleep 100 " ]
	[ "${lines[1]}" -gt 1 ]
}

@test "join: the pid namespace of a running container, with the init's pid reported late" {
	command -v strace >/dev/null || skip "no strace"
	start_sleeper "$ID-a"
	join_ns pid "/proc/$(ct_pid "$ID-a")/ns/pid"
	set_args sh -c 'echo $$'
	# The process that forks the init (setns of a pid namespace applies to
	# children only) is held 300 ms after its fork, before it reports the
	# init's pid: the init must not say it is ready before that (run, not
	# create: an init left behind by strace is killed when strace ends).
	run env OCIRT_TEST_MARK=$MARK strace -f -qq -o /dev/null -e trace=clone -e signal=none \
		-e inject=clone:delay_exit=300000 "$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" </dev/null
	assert_status 0
	[ "$output" -gt 1 ]
}

@test "join: a namespace path that does not exist fails" {
	join_ns network "$BATS_TEST_TMPDIR/nosuchns"
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" nosuchns
	assert_clean
}

@test "join: a namespace file of the wrong type fails" {
	join_ns network "/proc/$$/ns/uts"
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_clean
}
