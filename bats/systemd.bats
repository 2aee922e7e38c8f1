#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup): the container's init in a
# transient unit that systemd makes over D-Bus, the resources as unit
# properties (read back with systemctl show) and in the cgroup files, update,
# pause/resume, ps, events, kill --all and exec on the unit's cgroup, delete
# stopping the unit; the errors without systemd; podman and dockerd with
# their systemd cgroup managers running containers through ocirt.
#
# Most tests need systemd as PID 1 and cgroup v2: scripts/v2vm --systemd
# boots such a guest on any host (scripts/test runs this file there). Those
# skip elsewhere (and fail with OCIRT_SYSTEMD_GUEST=1); the tests of the
# errors and of features run anywhere; one test is for systemd's hybrid
# layout (scripts/v2vm --systemd --hybrid).

load helpers

setup() {
	setup_common
	UNIT=ocirt-bats-$ID.scope
	CGP=/system.slice/$UNIT
	update_config --arg p "system.slice:ocirt-bats:$ID" '.linux.cgroupsPath = $p'
}

teardown() {
	local bad=0 u
	teardown_common || bad=1
	# Every unit of this test is gone, and its cgroups with it.
	if has_systemd; then
		for u in $(systemctl list-units --all --plain --no-legend "*$ID*" 2>/dev/null | awk '{ print $1 }'); do
			echo "left behind: unit $u" >&2
			systemctl stop "$u" 2>/dev/null
			bad=1
		done
	fi
	u=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$ID*" 2>/dev/null)
	if [ -n "$u" ]; then
		echo "left behind: cgroups $u" >&2
		bad=1
	fi
	return $bad
}

# has_systemd: systemd is PID 1 here (sd_booted's test).
has_systemd() {
	[ -d /run/systemd/system ]
}

# has_driver: this build has the driver (features), whatever the host.
has_driver() {
	"$OCIRT" features | jq -e '.linux.cgroup.systemd' >/dev/null
}

# OCIRT_SYSTEMD_GUEST=1 (scripts/test sets it in the systemd guests, where
# all of it is there): what would skip elsewhere fails instead, so that a
# build without the driver or a guest without systemd cannot pass unseen.
need() {
	if [ "${OCIRT_SYSTEMD_GUEST:-0}" = 1 ]; then
		echo "OCIRT_SYSTEMD_GUEST=1, yet: $*" >&2
		return 1
	fi
	skip "$*"
}

need_systemd() {
	has_driver || need "this ocirt was built without the systemd driver (libsystemd-dev missing)"
	has_systemd || need "no systemd as PID 1 here; scripts/v2vm --systemd runs this file in a guest that has it"
	is_v2 || need "the systemd driver is tested on cgroup v2"
}

# prop UNIT NAME: the value of a unit property (systemctl show).
prop() {
	systemctl show -P "$2" "$1"
}

# assert_prop UNIT NAME VALUE
assert_prop() {
	local v
	v=$(prop "$1" "$2")
	if [ "$v" != "$3" ]; then
		echo "$1: $2 is \"$v\", expected \"$3\"" >&2
		return 1
	fi
}

# assert_gone UNIT DIR: systemd has no such unit loaded, and its cgroup is gone.
assert_gone() {
	assert_prop "$1" LoadState not-found
	[ ! -e "$2" ] || { echo "$2 is still there" >&2; return 1; }
}

# cgf FILE: a file of the container's cgroup.
cgf() {
	cat "/sys/fs/cgroup$CGP/$1"
}

@test "features: cgroup.systemd is true exactly when the driver's helper is there" {
	run "$OCIRT" features
	[ "$status" -eq 0 ]
	local want=false
	[ -x "${OCIRT%/*}/ocirt-systemd" ] && want=true
	[ "$(jq -r .linux.cgroup.systemd <<<"$output")" = "$want" ]
}

@test "cgroupsPath: slice:prefix:name needs --systemd-cgroup, and --systemd-cgroup needs that form" {
	ocirt run -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.cgroupsPath \"system.slice:ocirt-bats:$ID\": a systemd unit (\"slice:prefix:name\") needs the systemd cgroup driver (--systemd-cgroup)"
	assert_clean

	has_driver || need "built without the systemd driver"
	update_config --arg p "/$ID" '.linux.cgroupsPath = $p'
	OCIRT_AS=(unshare -m sh -c 'mount -t tmpfs none /run && mkdir -p /run/systemd/system && exec "$@"' sh)
	ocirt --systemd-cgroup run -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.cgroupsPath \"/$ID\": the systemd cgroup driver expects \"slice:prefix:name\""
	update_config --arg p "system.slice:x/y:$ID" '.linux.cgroupsPath = $p'
	ocirt --systemd-cgroup run -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "prefix and name may only have letters, digits"
	assert_clean
}

@test "--systemd-cgroup without systemd: an error that says so, and nothing left" {
	has_driver || {
		ocirt --systemd-cgroup run -b "$BUNDLE" "$ID"
		assert_status 1
		assert_contains "$stderr" "built without libsystemd, so the systemd cgroup driver is not available"
		assert_clean
		return
	}
	# Not booted with systemd: no /run/systemd/system (hidden in a mount
	# namespace where systemd is PID 1).
	OCIRT_AS=(unshare -m sh -c 'mount -t tmpfs none /run && exec "$@"' sh)
	ocirt --systemd-cgroup run -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "--systemd-cgroup: systemd is not running on this host (no /run/systemd/system: it is not PID 1)"
	assert_clean

	# Booted with systemd, but neither its private socket nor the system bus
	# answers.
	OCIRT_AS=(unshare -m sh -c 'mount -t tmpfs none /run && mkdir -p /run/systemd/system && exec "$@"' sh)
	ocirt --systemd-cgroup run -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "systemd is not reachable: /run/systemd/private"
	assert_contains "$stderr" "system bus"
	assert_clean
}

@test "restore --systemd-cgroup: refused (its cgroup is made through cgroupfs), nothing made" {
	mkdir "$BATS_TEST_TMPDIR/img"
	ocirt --systemd-cgroup restore --image-path "$BATS_TEST_TMPDIR/img" -d -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "restore: --systemd-cgroup is not supported"
	assert_clean
}

@test "create, start, delete: the init in a transient scope with Delegate=yes in its slice; delete stops it" {
	need_systemd
	set_args sleep 100
	ocirt --systemd-cgroup create -b "$BUNDLE" "$ID"
	assert_status 0
	local pid
	pid=$(ct_pid "$ID")
	[ "$(cat "/proc/$pid/cgroup")" = "0::$CGP" ]
	assert_prop "$UNIT" ActiveState active
	assert_prop "$UNIT" Transient yes
	assert_prop "$UNIT" Slice system.slice
	assert_prop "$UNIT" ControlGroup "$CGP"
	assert_prop "$UNIT" Delegate yes
	assert_prop "$UNIT" Description "ocirt container $ID"
	[ "$(cgf cgroup.procs)" = "$pid" ]
	ocirt start "$ID"
	assert_status 0
	retry cmdline_is "$pid" "sleep 100 "
	# The commands that only read the cgroup need no flag.
	ocirt ps "$ID"
	assert_status 0
	assert_contains "$output" "$pid"
	ocirt kill "$ID" KILL
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
	assert_gone "$UNIT" "/sys/fs/cgroup$CGP"
}

@test "cgroupsPath forms: the default unit, an empty slice, a nested slice, and a .slice name that makes a slice" {
	need_systemd
	set_args sleep 100
	# No cgroupsPath: ":ocirt:<id>".
	update_config 'del(.linux.cgroupsPath)'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	[ "$(cat "/proc/$(ct_pid "$ID")/cgroup")" = "0::/system.slice/ocirt-$ID.scope" ]
	ocirt delete -f "$ID"
	assert_status 0
	assert_gone "ocirt-$ID.scope" "/sys/fs/cgroup/system.slice/ocirt-$ID.scope"

	# An empty slice is system.slice; no prefix, no dash.
	update_config --arg p "::$ID" '.linux.cgroupsPath = $p'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	[ "$(cat "/proc/$(ct_pid "$ID")/cgroup")" = "0::/system.slice/$ID.scope" ]
	ocirt delete -f "$ID"
	assert_gone "$ID.scope" "/sys/fs/cgroup/system.slice/$ID.scope"

	# A slice below a slice: its dashes say where.
	local s=obats${ID//[^a-z0-9]/}
	update_config --arg p "$s-sub.slice:p:$ID" '.linux.cgroupsPath = $p'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	[ "$(cat "/proc/$(ct_pid "$ID")/cgroup")" = "0::/$s.slice/$s-sub.slice/p-$ID.scope" ]
	assert_prop "p-$ID.scope" Slice "$s-sub.slice"
	ocirt delete -f "$ID"
	assert_gone "p-$ID.scope" "/sys/fs/cgroup/$s.slice/$s-sub.slice/p-$ID.scope"
	systemctl stop "$s.slice"

	# A name ending in .slice: the container is that slice.
	update_config --arg p "system.slice:ignored:$s-ct.slice" '.linux.cgroupsPath = $p |
		.linux.resources = {"pids": {"limit": 20}}'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	[ "$(cat "/proc/$(ct_pid "$ID")/cgroup")" = "0::/$s.slice/$s-ct.slice" ]
	assert_prop "$s-ct.slice" ActiveState active
	assert_prop "$s-ct.slice" TasksMax 20
	[ "$(cat "/sys/fs/cgroup/$s.slice/$s-ct.slice/pids.max")" = 20 ]
	ocirt delete -f "$ID"
	assert_status 0
	systemctl stop "$s.slice"
	[ ! -e "/sys/fs/cgroup/$s.slice" ]
}

@test "resources: unit properties where systemd has one, every value in the cgroup files" {
	need_systemd
	set_args sleep 100
	update_config '.linux.resources = {
		"memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296},
		"cpu": {"shares": 512, "quota": 33333, "period": 100000, "cpus": "0", "mems": "0"},
		"pids": {"limit": 42},
		"blockIO": {"weight": 300},
		"unified": {"memory.high": "60000000", "pids.max": "41", "memory.oom.group": "1"}
	}'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	assert_prop "$UNIT" MemoryMax 67108864
	assert_prop "$UNIT" MemoryLow 33554432
	assert_prop "$UNIT" MemorySwapMax 33554432
	assert_prop "$UNIT" MemoryHigh 60000000
	assert_prop "$UNIT" CPUWeight 20
	# 33333/100000 is 33.3% of a CPU: rounded up to 34%, as runc does, in the file too.
	assert_prop "$UNIT" CPUQuotaPerSecUSec 340ms
	assert_prop "$UNIT" CPUQuotaPeriodUSec 100ms
	assert_prop "$UNIT" AllowedCPUs 0
	assert_prop "$UNIT" AllowedMemoryNodes 0
	# unified comes after pids.limit, as in runc.
	assert_prop "$UNIT" TasksMax 41
	assert_prop "$UNIT" IOWeight 2930
	assert_prop "$UNIT" MemoryAccounting yes
	assert_prop "$UNIT" TasksAccounting yes
	[ "$(cgf memory.max)" = 67108864 ]
	[ "$(cgf memory.low)" = 33554432 ]
	[ "$(cgf memory.swap.max)" = 33554432 ]
	[ "$(cgf memory.high)" = 59998208 ] || [ "$(cgf memory.high)" = 60000000 ]
	[ "$(cgf cpu.weight)" = 20 ]
	[ "$(cgf cpu.max)" = "34000 100000" ]
	[ "$(cgf cpuset.cpus)" = 0 ]
	[ "$(cgf pids.max)" = 41 ]
	[ "$(cgf io.weight)" = "default 2930" ]
	# No property for it in this systemd: the file alone.
	[ "$(cgf memory.oom.group)" = 1 ]
}

@test "devices and annotations: DevicePolicy=strict and DeviceAllow; org.systemd.property.* set properties" {
	need_systemd
	set_args sleep 100
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}] |
		.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}] |
		.annotations = {"org.systemd.property.TimeoutStopSec": "uint64 123",
			"org.systemd.property.CollectMode": "'"'inactive-or-failed'"'"}'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	assert_prop "$UNIT" DevicePolicy strict
	local allow
	allow=$(systemctl show -p DeviceAllow "$UNIT")
	assert_contains "$allow" "DeviceAllow=/dev/char/1:3 rwm"
	assert_contains "$allow" "DeviceAllow=char-pts rwm"
	assert_contains "$allow" "DeviceAllow=char-* m"
	assert_prop "$UNIT" TimeoutStopUSec "2min 3s"
	assert_prop "$UNIT" CollectMode inactive-or-failed
	# The container gets the devices it is allowed, and no others (a node
	# made for it, /dev/kmsg, without an allow rule).
	ocirt exec "$ID" sh -c 'echo x >/dev/null && head -c1 /dev/zero | wc -c && head -c1 /dev/kmsg'
	assert_status 1
	assert_output 1
	assert_contains "$stderr" "/dev/kmsg: Operation not permitted"
}

@test "a bad annotation, or a unit that exists: an error, nothing made, the other container untouched" {
	need_systemd
	set_args sleep 100
	update_config '.annotations = {"org.systemd.property.TimeoutStopSec": "soon"}'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "annotations: \"org.systemd.property.TimeoutStopSec\": value \"soon\""
	assert_clean
	assert_prop "$UNIT" LoadState not-found

	# systemd refuses an unknown property once the init exists: that is undone too.
	update_config '.annotations = {"org.systemd.property.NoSuchThing": "true"}'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "start unit $UNIT"
	assert_clean
	assert_prop "$UNIT" LoadState not-found

	update_config 'del(.annotations)'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	local pid
	pid=$(ct_pid "$ID")
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID-2"
	assert_status 1
	assert_contains "$stderr" "start unit $UNIT"
	[ ! -e "$ROOT/$ID-2" ]
	[ "$(cgf cgroup.procs)" = "$pid" ]
	assert_prop "$UNIT" ActiveState active
}

@test "update: unit properties (SetUnitProperties) and the files, from flags and from -r" {
	need_systemd
	set_args sleep 100
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "cpu": {"quota": 50000, "period": 100000}}'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt update --memory 134217728 --memory-swap 201326592 --pids-limit 30 --cpu-share 2048 --cpu-quota 25000 "$ID"
	assert_status 0
	assert_prop "$UNIT" MemoryMax 134217728
	assert_prop "$UNIT" MemorySwapMax 67108864
	assert_prop "$UNIT" TasksMax 30
	assert_prop "$UNIT" CPUWeight 79
	assert_prop "$UNIT" CPUQuotaPerSecUSec 250ms
	[ "$(cgf memory.max)" = 134217728 ]
	[ "$(cgf memory.swap.max)" = 67108864 ]
	[ "$(cgf pids.max)" = 30 ]
	[ "$(cgf cpu.weight)" = 79 ]
	[ "$(cgf cpu.max)" = "25000 100000" ]
	# The period alone keeps the quota per period, as the file does.
	printf '{"cpu": {"period": 50000}, "unified": {"memory.high": "100000000"}}' >"$BATS_TEST_TMPDIR/r.json"
	ocirt update -r "$BATS_TEST_TMPDIR/r.json" "$ID"
	assert_status 0
	assert_prop "$UNIT" CPUQuotaPeriodUSec 50ms
	assert_prop "$UNIT" CPUQuotaPerSecUSec 500ms
	assert_prop "$UNIT" MemoryHigh 100000000
	[ "$(cgf cpu.max)" = "25000 50000" ]
	# systemd writing its properties again (as on daemon-reload) agrees with the files.
	systemctl daemon-reload
	[ "$(cgf cpu.max)" = "25000 50000" ]
	[ "$(cgf memory.max)" = 134217728 ]
	[ "$(cgf pids.max)" = 30 ]
}

@test "pause, resume, ps, events, kill --all and exec on the scope's cgroup" {
	need_systemd
	set_args sleep 100
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	local pid
	pid=$(ct_pid "$ID")
	ocirt exec -d "$ID" sleep 99
	assert_status 0
	ocirt exec "$ID" cat /proc/self/cgroup
	assert_status 0
	assert_output "0::$CGP"
	ocirt pause "$ID"
	assert_status 0
	[ "$(cgf cgroup.freeze)" = 1 ]
	[ "$(ct_status "$ID")" = paused ]
	ocirt resume "$ID"
	assert_status 0
	[ "$(cgf cgroup.freeze)" = 0 ]
	ocirt ps "$ID"
	assert_status 0
	assert_contains "$output" " $pid "
	[ "$(cgf cgroup.procs | wc -l)" = 2 ]
	ocirt events --stats "$ID"
	assert_status 0
	[ "$(jq -r .data.pids.current <<<"$output")" = 2 ]
	ocirt kill --all "$ID" KILL
	assert_status 0
	retry gone "$pid"
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
	assert_gone "$UNIT" "/sys/fs/cgroup$CGP"
}

@test "hybrid host (v1 controllers): the scope in every hierarchy, v1 properties, device rules kept, update, exec, pause, delete" {
	has_driver || need "built without the systemd driver"
	has_systemd || need "no systemd as PID 1 here; scripts/v2vm --systemd --hybrid runs this file in a guest that has it"
	# The pure v2 guest skips it (scripts/test runs it in the hybrid one).
	! is_v2 || skip "a cgroup v1 (or hybrid) host test; this host is pure v2"
	set_args sleep 100
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "cpu": {"shares": 512, "quota": 25000},
			"pids": {"limit": 33}, "devices": [{"allow": false, "access": "rwm"}]} |
		.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 0
	local pid line
	pid=$(ct_pid "$ID")
	# name=systemd, every controller and cgroup2: all the scope's.
	while IFS= read -r line; do
		[ "${line#*:*:}" = "$CGP" ] || { echo "not in the scope: $line" >&2; return 1; }
	done <"/proc/$pid/cgroup"
	grep -q ':name=systemd:' "/proc/$pid/cgroup"
	assert_prop "$UNIT" MemoryLimit 67108864
	assert_prop "$UNIT" CPUShares 512
	assert_prop "$UNIT" TasksMax 33
	assert_prop "$UNIT" DevicePolicy strict
	[ "$(cat "/sys/fs/cgroup/memory$CGP/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "/sys/fs/cgroup/cpu$CGP/cpu.shares")" = 512 ]
	[ "$(cat "/sys/fs/cgroup/cpu$CGP/cpu.cfs_quota_us")" = 25000 ]
	[ "$(cat "/sys/fs/cgroup/pids$CGP/pids.max")" = 33 ]
	ocirt exec "$ID" sh -c 'cat /proc/self/cgroup'
	assert_status 0
	assert_not_contains "$output" ":/system.slice/v2vm"
	# The device rules hold, also once systemd has applied the unit's
	# settings again (it writes its own rules over the controller's).
	local devcheck='head -c1 /dev/zero | wc -c; head -c1 /dev/kmsg'
	ocirt update --memory 134217728 "$ID"
	assert_status 0
	assert_prop "$UNIT" MemoryLimit 134217728
	[ "$(cat "/sys/fs/cgroup/memory$CGP/memory.limit_in_bytes")" = 134217728 ]
	systemctl daemon-reload
	ocirt exec "$ID" sh -c "$devcheck"
	assert_status 1
	assert_output 1
	assert_contains "$stderr" "Operation not permitted"
	ocirt pause "$ID"
	assert_status 0
	[ "$(cat "/sys/fs/cgroup/freezer$CGP/freezer.state")" = FROZEN ]
	ocirt resume "$ID"
	assert_status 0
	ocirt delete -f "$ID"
	assert_status 0
	assert_gone "$UNIT" "/sys/fs/cgroup/memory$CGP"
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "$UNIT")" ]

	# Rules systemd cannot state: refused before anything is made.
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "minor": 5, "access": "r"}]'
	ocirt --systemd-cgroup run -d -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.resources.devices: systemd cannot state these rules on cgroup v1"
	assert_clean
	assert_prop "$UNIT" LoadState not-found
}

# --- engines -----------------------------------------------------------------

# eng_wrapper: $ENG/ocirt, which logs each command line and execs ocirt.
eng_wrapper() {
	ENG=$(mktemp -d /tmp/ocirt-sd.XXXXXX)
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>%s\nexec %s "$@"\n' "$ENG/log" "$OCIRT" >"$ENG/ocirt"
	chmod 755 "$ENG/ocirt"
	tar -C "$BUNDLE/rootfs" -cf "$ENG/rootfs.tar" .
}

eng_cleanup() {
	[ -n "${ENG:-}" ] || return 0
	local m
	# containerd's shims outlive it by design; they are ours when they name $ENG.
	kill_naming "$ENG/"
	for m in $(mounts_under "$ENG/" | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf --one-file-system "$ENG"
}

@test "podman --cgroup-manager=systemd: a container through ocirt in a libpod scope, exec, stop, rm" {
	need_systemd
	command -v podman >/dev/null || need "podman is not installed"
	eng_wrapper
	pm() {
		timeout -k 5 180 podman --root "$ENG/podman" --runroot "$ENG/podman-run" --tmpdir "$ENG/podman-tmp" \
			--storage-driver vfs --runtime "$ENG/ocirt" --cgroup-manager systemd --events-backend file "$@" 3>&-
	}
	pm import "$ENG/rootfs.tar" localhost/ocirt-bb:1 >&2
	run pm run -d --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		-e "OCIRT_TEST_MARK=$MARK" --memory 64m localhost/ocirt-bb:1 sleep 1000
	[ "$status" -eq 0 ]
	local id=${lines[-1]} pid
	pid=$(pm inspect -f '{{.State.Pid}}' "$id")
	grep -q -- "--systemd-cgroup create .* $id\$" "$ENG/log"
	[ "$(cat "/proc/$pid/cgroup")" = "0::/machine.slice/libpod-$id.scope" ]
	assert_prop "libpod-$id.scope" MemoryMax 67108864
	[ "$(cat "/sys/fs/cgroup/machine.slice/libpod-$id.scope/memory.max")" = 67108864 ]
	run pm exec "$id" sh -c 'cat /proc/self/cgroup; exit 3'
	[ "$status" -eq 3 ]
	grep -q "exec .* $id\$" "$ENG/log"
	pm stop -t 1 "$id" >&2
	pm rm "$id" >&2
	grep -q "delete .*$id\$" "$ENG/log"
	assert_gone "libpod-$id.scope" "/sys/fs/cgroup/machine.slice/libpod-$id.scope"
	eng_cleanup
}

@test "dockerd native.cgroupdriver=systemd: a container through ocirt in a docker scope, exec, update, rm" {
	need_systemd
	command -v dockerd containerd >/dev/null || need "docker.io is not installed"
	eng_wrapper
	containerd --address "$ENG/ctd.sock" --root "$ENG/ctd-root" --state "$ENG/ctd-state" \
		</dev/null >"$ENG/containerd.log" 2>&1 3>&- &
	echo $! >"$ENG/containerd.pid"
	dockerd --data-root "$ENG/docker" --exec-root "$ENG/docker-exec" --pidfile "$ENG/dockerd.pidfile" \
		-H "unix://$ENG/docker.sock" --containerd "$ENG/ctd.sock" \
		--bridge=none --iptables=false --ip6tables=false --ip-masq=false --storage-driver vfs \
		--add-runtime "ocirt=$ENG/ocirt" --default-runtime ocirt \
		--exec-opt native.cgroupdriver=systemd </dev/null >"$ENG/dockerd.log" 2>&1 3>&- &
	echo $! >"$ENG/dockerd.pid"
	dk() {
		timeout -k 5 180 /usr/bin/docker -H "unix://$ENG/docker.sock" "$@" 3>&-
	}
	retry_for 120 dk version >/dev/null 2>&1
	dk import - ocirt-bb:1 <"$ENG/rootfs.tar" >&2
	run dk run -d -e "OCIRT_TEST_MARK=$MARK" ocirt-bb:1 sleep 1000
	[ "$status" -eq 0 ]
	local id=${lines[-1]} pid
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	grep -q -- "--systemd-cgroup create .* $id\$" "$ENG/log"
	[ "$(cat "/proc/$pid/cgroup")" = "0::/system.slice/docker-$id.scope" ]
	run dk exec "$id" sh -c 'exit 4'
	[ "$status" -eq 4 ]
	dk update --memory 64m --memory-swap 128m "$id" >&2
	grep -q -- "--systemd-cgroup update .* $id\$" "$ENG/log"
	assert_prop "docker-$id.scope" MemoryMax 67108864
	[ "$(cat "/sys/fs/cgroup/system.slice/docker-$id.scope/memory.max")" = 67108864 ]
	dk rm -f "$id" >&2
	retry_for 30 test ! -e "/sys/fs/cgroup/system.slice/docker-$id.scope"
	assert_gone "docker-$id.scope" "/sys/fs/cgroup/system.slice/docker-$id.scope"
	local p
	for p in dockerd containerd; do
		kill "$(cat "$ENG/$p.pid")" 2>/dev/null
		retry_for 20 gone "$(cat "$ENG/$p.pid")" || kill -9 "$(cat "$ENG/$p.pid")"
	done
	eng_cleanup
}
