#!/usr/bin/env bats
# The container's cgroups: where they go, linux.resources read back from the
# cgroup files (v1 or v2, whichever the host has), pause/resume, update, ps,
# events, kill --all, and their removal.

load helpers

# cg_under CONTROLLER NAME: where the relative cgroupsPath NAME goes in
# that hierarchy: below this shell's own cgroup.
cg_under() {
	local own
	own=$(cg_path "$1")
	echo "${own%/}/$2"
}

# cg_file CONTROLLER FILE: the file of the container's cgroup ($PID).
cg_file() {
	cat "$(cg_dir "$1" "$PID")/$2"
}

# has_ctrl CONTROLLER: the host has that controller (v2: in the root's
# cgroup.controllers).
has_ctrl() {
	if is_v2; then
		grep -qw "$1" /sys/fs/cgroup/cgroup.controllers
	else
		[ -n "$(cg_mount "$1")" ]
	fi
}

# v2_any FILE: some cgroup directly below the v2 root has FILE.
v2_any() {
	compgen -G "/sys/fs/cgroup/*/$1" >/dev/null
}

# swap_accounting: memory+swap limits can be set.
swap_accounting() {
	if is_v2; then
		v2_any memory.swap.max
	else
		[ -e "$(cg_mount memory)/memory.memsw.limit_in_bytes" ]
	fi
}

# all_cg_dirs PID: the directories of PID's cgroups in every hierarchy that
# is mounted (v1 ones, named ones and cgroup2).
all_cg_dirs() {
	local idx ctrls path m
	while IFS=: read -r idx ctrls path; do
		if [ -z "$ctrls" ]; then
			m=$(awk '{ for (i = 7; i <= NF && $i != "-"; i++); if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
		else
			m=$(cg_mount "${ctrls%%,*}")
		fi
		[ -n "$m" ] && [ -d "$m" ] && echo "$m${path%/}"
	done <"/proc/$1/cgroup"
}

# sleeper: start a container that sleeps; PID is its init.
sleeper() {
	start_sleeper "$@"
	PID=$(ct_pid "${1:-$ID}")
}

@test "cgroupsPath absolute: the same path in every hierarchy" {
	update_config --arg p "/$ID-abs" '.linux.cgroupsPath = $p'
	sleeper
	for c in memory pids cpu; do
		has_ctrl "$c" || continue
		[ "$(cg_path "$c" "$PID")" = "/$ID-abs" ]
		[ -d "$(cg_mount "$c")/$ID-abs" ]
	done
	grep -qx "$PID" "$(cg_dir pids "$PID")/cgroup.procs"
}

# joined_by_itself TRACE: what `strace -f -y -e trace=clone3,write` of a run or
# exec shows when its processes joined the cgroup by themselves: cloned into
# the cgroup2 one (pure v2, hybrid), "0" written to each v1 hierarchy's tasks
# file, and no pid written to any cgroup.procs (the kernel's slow path).
joined_by_itself() {
	local t=$1
	if is_v2 || mountpoint -q /sys/fs/cgroup/unified; then
		grep -q 'clone3(.*CLONE_INTO_CGROUP' "$t"
	fi
	if ! is_v2; then
		[ "$(grep -c 'write([0-9]*</sys/fs/cgroup/[^>]*/tasks>, "0", 1) = 1' "$t")" -ge 3 ]
	fi
	! grep -q 'cgroup.procs>, "[0-9]' "$t"
}

@test "the init and exec'd processes join their cgroup by themselves (clone3 CLONE_INTO_CGROUP, v1 tasks)" {
	command -v strace >/dev/null || skip "no strace"
	set_args true
	OCIRT_TEST_MARK=$MARK strace -f -y -qq -e trace=clone3,write -e signal=none -o "$BATS_TEST_TMPDIR/run" \
		"$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" </dev/null
	joined_by_itself "$BATS_TEST_TMPDIR/run"
	set_args sleep 100
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	pid=$(ct_pid "$ID")
	OCIRT_TEST_MARK=$MARK strace -f -y -qq -e trace=clone3,write -e signal=none -o "$BATS_TEST_TMPDIR/exec" \
		"$OCIRT" --root "$ROOT" exec "$ID" sh -c 'cat /proc/self/cgroup' </dev/null >"$BATS_TEST_TMPDIR/out"
	joined_by_itself "$BATS_TEST_TMPDIR/exec"
	# The exec'd process is where the init is, in every hierarchy.
	diff <(sort "/proc/$pid/cgroup") <(sort "$BATS_TEST_TMPDIR/out")
	grep -qx "$pid" "$(cg_dir pids "$pid")/cgroup.procs"
	[ "$(cg_path pids "$pid")" = "$(cg_under pids "$ID")" ]
}

@test "with clone3 refused (EPERM, as engines' older seccomp profiles do), run and exec clone and join every cgroup" {
	command -v strace >/dev/null || skip "no strace"
	cc -O2 -Wall -o "$BATS_TEST_TMPDIR/refuse" "$BATS_TEST_DIRNAME/helpers/refuse.c" -lseccomp
	local refuse=("$BATS_TEST_TMPDIR/refuse" clone3 EPERM)
	set_args sh -c 'cat /proc/self/cgroup'
	OCIRT_TEST_MARK=$MARK strace -f -y -qq -e trace=clone3,write -e signal=none -o "$BATS_TEST_TMPDIR/run" \
		"${refuse[@]}" "$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/run.out"
	set_args sleep 100
	OCIRT_TEST_MARK=$MARK "${refuse[@]}" "$OCIRT" --root "$ROOT" run -d -b "$BUNDLE" "$ID" </dev/null
	pid=$(ct_pid "$ID")
	OCIRT_TEST_MARK=$MARK strace -f -y -qq -e trace=clone3,write -e signal=none -o "$BATS_TEST_TMPDIR/exec" \
		"${refuse[@]}" "$OCIRT" --root "$ROOT" exec "$ID" sh -c 'cat /proc/self/cgroup' </dev/null >"$BATS_TEST_TMPDIR/exec.out"
	# The run's init, the detached init and the exec'd process are in the
	# same cgroups, the container's own, in every hierarchy.
	diff <(sort "/proc/$pid/cgroup") <(sort "$BATS_TEST_TMPDIR/run.out")
	diff <(sort "/proc/$pid/cgroup") <(sort "$BATS_TEST_TMPDIR/exec.out")
	[ "$(cg_path pids "$pid")" = "$(cg_under pids "$ID")" ]
	if is_v2 || mountpoint -q /sys/fs/cgroup/unified; then
		# clone3 was tried, refused, and the cgroup2 one joined by a
		# write of "0" in its stead (strace may split that line: the
		# diffs above tell that it worked)
		for t in run exec; do
			grep -q 'clone3(.*CLONE_INTO_CGROUP.* = -1 EPERM' "$BATS_TEST_TMPDIR/$t"
			grep -q 'cgroup.procs>, "0", 1' "$BATS_TEST_TMPDIR/$t"
		done
	fi
}

@test "cgroupsPath relative: below the caller's own cgroup" {
	update_config --arg p "$ID-rel/inner" '.linux.cgroupsPath = $p'
	sleeper
	for c in memory pids cpu; do
		has_ctrl "$c" || continue
		[ "$(cg_path "$c" "$PID")" = "$(cg_under "$c" "$ID-rel/inner")" ]
	done
	dirs=$(all_cg_dirs "$PID" | grep -F "$ID-rel/inner")
	[ -n "$dirs" ]
	ocirt delete --force "$ID"
	assert_status 0
	for d in $dirs; do
		[ ! -e "$d" ]
		# as with runc, the parents that create made stay
		rmdir "${d%/inner}"
	done
}

@test "cgroupsPath unset: the container's id below the caller's cgroup" {
	update_config 'del(.linux.cgroupsPath)'
	sleeper
	for c in memory pids cpu freezer; do
		has_ctrl "$c" || continue
		[ "$(cg_path "$c" "$PID")" = "$(cg_under "$c" "$ID")" ]
	done
	ocirt state "$ID"
	assert_status 0
}

@test "memory: limit and reservation" {
	has_ctrl memory || skip "no memory controller"
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432}'
	sleeper
	if is_v2; then
		[ "$(cg_file memory memory.max)" = 67108864 ]
		[ "$(cg_file memory memory.low)" = 33554432 ]
	else
		[ "$(cg_file memory memory.limit_in_bytes)" = 67108864 ]
		[ "$(cg_file memory memory.soft_limit_in_bytes)" = 33554432 ]
	fi
}

@test "memory: swap is memory+swap (v2: memory.swap.max = swap - limit)" {
	has_ctrl memory || skip "no memory controller"
	swap_accounting || skip "the kernel does not account swap"
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 100663296}'
	sleeper
	if is_v2; then
		[ "$(cg_file memory memory.max)" = 67108864 ]
		[ "$(cg_file memory memory.swap.max)" = 33554432 ]
	else
		[ "$(cg_file memory memory.limit_in_bytes)" = 67108864 ]
		[ "$(cg_file memory memory.memsw.limit_in_bytes)" = 100663296 ]
	fi
	# -1: unlimited swap
	ocirt update --memory-swap -1 "$ID"
	assert_status 0
	if is_v2; then
		[ "$(cg_file memory memory.swap.max)" = max ]
	else
		[ "$(cg_file memory memory.memsw.limit_in_bytes)" -gt 1000000000000 ]
	fi
}

@test "memory: swap below the limit is refused" {
	has_ctrl memory || skip "no memory controller"
	swap_accounting || skip "the kernel does not account swap"
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 33554432}'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" swap
	assert_clean
}

@test "cpu: shares, quota and period (v2: cpu.weight, cpu.max)" {
	has_ctrl cpu || skip "no cpu controller"
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 200000}'
	sleeper
	if is_v2; then
		# runc's conversion: 1 + ((shares - 2) * 9999) / 262142
		[ "$(cg_file cpu cpu.weight)" = $((1 + ((512 - 2) * 9999) / 262142)) ]
		[ "$(cg_file cpu cpu.max)" = "50000 200000" ]
	else
		[ "$(cg_file cpu cpu.shares)" = 512 ]
		[ "$(cg_file cpu cpu.cfs_quota_us)" = 50000 ]
		[ "$(cg_file cpu cpu.cfs_period_us)" = 200000 ]
	fi
}

@test "cpu: realtime runtime and period (v1)" {
	is_v2 && skip "cgroup v2 has no realtime cpu settings"
	has_ctrl cpu || skip "no cpu controller"
	[ -e "$(cg_mount cpu)/cpu.rt_runtime_us" ] || skip "kernel without CONFIG_RT_GROUP_SCHED"
	update_config '.linux.resources.cpu = {"realtimeRuntime": 10000, "realtimePeriod": 500000}'
	sleeper
	[ "$(cg_file cpu cpu.rt_period_us)" = 500000 ]
	[ "$(cg_file cpu cpu.rt_runtime_us)" = 10000 ]
}

@test "cpuset: cpus and mems" {
	has_ctrl cpuset || skip "no cpuset controller"
	update_config '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	sleeper
	[ "$(cg_file cpuset cpuset.cpus)" = 0 ]
	[ "$(cg_file cpuset cpuset.mems)" = 0 ]
	[ "$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$PID/status")" = 0 ]
}

@test "pids: limit, and no more processes than that" {
	has_ctrl pids || skip "no pids controller"
	update_config '.linux.resources.pids = {"limit": 5}'
	sleeper
	[ "$(cg_file pids pids.max)" = 5 ]
	ocirt exec "$ID" sh -c 'sleep 0.1 & wait; echo fits'
	assert_status 0
	assert_output fits
	# init + sh + 3 sleeps = 5: the fourth sleep cannot fork
	ocirt exec "$ID" sh -c 'for i in 1 2 3 4; do sleep 30 & done; echo all-started'
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "can't fork"
	assert_not_contains "$output" all-started
	[ "$(cg_file pids pids.current)" -le 5 ]
	for p in $(cat "$(cg_dir pids "$PID")/cgroup.procs"); do
		[ "$p" = "$PID" ] || kill -9 "$p"
	done
}

@test "blockIO: weight" {
	if is_v2; then
		has_ctrl io || skip "no io controller"
		v2_any io.bfq.weight || v2_any io.weight || skip "no io.weight or io.bfq.weight (no weight-based I/O scheduler)"
	else
		has_ctrl blkio || skip "no blkio controller"
		m=$(cg_mount blkio)
		[ -e "$m/blkio.weight" ] || [ -e "$m/blkio.bfq.weight" ] ||
			skip "no blkio.weight or blkio.bfq.weight (no weight-based I/O scheduler)"
	fi
	update_config '.linux.resources.blockIO = {"weight": 500}'
	sleeper
	d=$(cg_dir "$(is_v2 && echo io || echo blkio)" "$PID")
	if is_v2 && [ -e "$d/io.bfq.weight" ]; then
		grep -qw 500 "$d/io.bfq.weight"
	elif is_v2; then
		# runc's conversion: 1 + ((weight - 10) * 9999) / 990
		grep -qx "default $((1 + ((500 - 10) * 9999) / 990))" "$d/io.weight"
	elif [ -e "$d/blkio.weight" ]; then
		[ "$(cat "$d/blkio.weight")" = 500 ]
	else
		grep -qw 500 "$d/blkio.bfq.weight"
	fi
}

@test "hugepageLimits" {
	has_ctrl hugetlb || skip "no hugetlb controller"
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	sleeper
	if is_v2; then
		[ "$(cg_file hugetlb hugetlb.2MB.max)" = 4194304 ]
	else
		[ "$(cg_file hugetlb hugetlb.2MB.limit_in_bytes)" = 4194304 ]
	fi
}

@test "rdma" {
	has_ctrl rdma || skip "no rdma controller"
	dev=$(ls /sys/class/infiniband 2>/dev/null | head -n1)
	[ -n "$dev" ] || skip "no rdma device"
	update_config --arg d "$dev" '.linux.resources.rdma = {($d): {"hcaHandles": 3, "hcaObjects": 100}}'
	sleeper
	grep -q "^$dev hca_handle=3 hca_object=100" "$(cg_dir rdma "$PID")/rdma.max"
}

# devices_ct RULES: run a container whose /dev/fuse (c 10:229) is opened,
# with linux.resources.devices RULES.
devices_ct() {
	update_config --argjson r "$1" '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]
		| .linux.resources.devices = $r'
	run_ct sh -c '(exec 3<>/dev/fuse) && echo fuse-ok; (exec 3<>/dev/null) && echo null-ok'
}

@test "devices: a denied device cannot be opened, an allowed one can" {
	has_ctrl devices || is_v2 || skip "no devices controller"
	devices_ct '[{"allow": false, "access": "rwm"}]'
	assert_contains "$stderr" "Operation not permitted"
	assert_not_contains "$output" fuse-ok
	# the devices runc always allows stay allowed
	assert_contains "$output" null-ok
	devices_ct '[{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
	assert_status 0
	assert_contains "$output" fuse-ok
	assert_contains "$output" null-ok
}

@test "devices: the v1 devices.list shows the rules" {
	is_v2 && skip "cgroup v2 has no devices.list (eBPF)"
	has_ctrl devices || skip "no devices controller"
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
	sleeper
	list=$(cg_file devices devices.list)
	assert_contains "$list" "c 10:229 rw"
	assert_contains "$list" "c 1:3 rwm"
	assert_not_contains "$list" "a *:* rwm"
}

@test "unified: v2 files written as given; refused on v1" {
	update_config '.linux.resources.unified = {"pids.max": "7", "memory.high": "67108864"}'
	if ! is_v2; then
		set_args true
		ocirt create -b "$BUNDLE" "$ID"
		[ "$status" -ne 0 ]
		assert_contains "$stderr" "unified"
		assert_contains "$stderr" "cgroup v1"
		assert_clean
		return
	fi
	sleeper
	[ "$(cg_file pids pids.max)" = 7 ]
	[ "$(cg_file memory memory.high)" = 67108864 ]
}

@test "unified: an unknown file is refused, naming it" {
	is_v2 || skip "unified needs cgroup v2"
	update_config '.linux.resources.unified = {"pids.nosuchfile": "1"}'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" pids.nosuchfile
	assert_clean
}

# frozen_file: FROZEN/THAWED (v1) or 1/0 (v2) of the container's freezer.
frozen_file() {
	if is_v2; then
		cg_file freezer cgroup.freeze
	else
		cg_file freezer freezer.state
	fi
}

@test "pause and resume" {
	has_ctrl freezer || is_v2 || skip "no freezer controller"
	sleeper
	ocirt pause "$ID"
	assert_status 0
	[ "$(ct_status "$ID")" = paused ]
	[ "$(frozen_file)" = "$(is_v2 && echo 1 || echo FROZEN)" ]
	if is_v2; then grep -qx "frozen 1" "$(cg_dir freezer "$PID")/cgroup.events"; fi
	# the process is stopped
	grep -Eq '^State:[[:space:]]+[DST]' "/proc/$PID/status"
	ocirt pause "$ID"
	[ "$status" -ne 0 ]
	ocirt resume "$ID"
	assert_status 0
	[ "$(ct_status "$ID")" = running ]
	[ "$(frozen_file)" = "$(is_v2 && echo 0 || echo THAWED)" ]
	ocirt resume "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "not paused"
}

# nprocs_above N: the container's freezer cgroup has more than N processes.
nprocs_above() {
	[ "$(wc -l <"$(cg_dir freezer "$PID")/cgroup.procs")" -gt "$1" ]
}

@test "exec into a paused container is refused without --ignore-paused" {
	has_ctrl freezer || is_v2 || skip "no freezer controller"
	sleeper
	ocirt pause "$ID"
	assert_status 0
	ocirt exec "$ID" true
	[ "$status" -ne 0 ]
	assert_contains "$stderr" paused
	# --ignore-paused: the exec goes in, and runs once the container is resumed
	out=$BATS_TEST_TMPDIR/exec.out
	ocirt_cmd exec --ignore-paused "$ID" echo from-exec >"$out" 2>&1 </dev/null 3>&- &
	epid=$!
	# it has joined the frozen cgroup: more than the init in it
	retry nprocs_above 1
	[ ! -s "$out" ]
	ocirt resume "$ID"
	assert_status 0
	timeout 20 tail --pid="$epid" -f /dev/null
	wait "$epid"
	grep -qx from-exec "$out"
}

@test "pause of a container that is not running fails" {
	has_ctrl freezer || is_v2 || skip "no freezer controller"
	set_args sleep 100
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt pause "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" created
}

# The files `update` changes, one per line, in a fixed order.
update_values() {
	if is_v2; then
		cg_file memory memory.max
		cg_file memory memory.low
		cg_file cpu cpu.weight
		cg_file cpu cpu.max
		cg_file pids pids.max
		cg_file cpuset cpuset.cpus
	else
		cg_file memory memory.limit_in_bytes
		cg_file memory memory.soft_limit_in_bytes
		cg_file cpu cpu.shares
		echo "$(cg_file cpu cpu.cfs_quota_us) $(cg_file cpu cpu.cfs_period_us)"
		cg_file pids pids.max
		cg_file cpuset cpuset.cpus
	fi
}

# want_values MEM LOW SHARES QUOTA PERIOD PIDS CPUS: what update_values should say.
want_values() {
	if is_v2; then
		printf '%s\n' "$1" "$2" $((1 + (($3 - 2) * 9999) / 262142)) "$4 $5" "$6" "$7"
	else
		printf '%s\n' "$1" "$2" "$3" "$4 $5" "$6" "$7"
	fi
}

@test "update: flags" {
	for c in memory cpu pids cpuset; do has_ctrl $c || skip "no $c controller"; done
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "cpu": {"shares": 1024}, "pids": {"limit": 100}}'
	sleeper
	ocirt update --memory 128M --memory-reservation 64m --cpu-share 256 --cpu-quota 20000 \
		--cpu-period 100000 --pids-limit 20 --cpuset-cpus 0 "$ID"
	assert_status 0
	[ "$(update_values)" = "$(want_values 134217728 67108864 256 20000 100000 20 0)" ]
	# only what is given changes; -1 is no limit
	ocirt update --pids-limit -1 "$ID"
	assert_status 0
	[ "$(update_values)" = "$(want_values 134217728 67108864 256 20000 100000 max 0)" ]
	ocirt update --cpu-period 50000 "$ID"
	assert_status 0
	[ "$(update_values)" = "$(want_values 134217728 67108864 256 20000 50000 max 0)" ]
}

@test "update: --cpu-burst, --cpu-rt-period and --cpu-rt-runtime" {
	has_ctrl cpu || skip "no cpu controller"
	update_config '.linux.resources.cpu = {"quota": 50000, "period": 100000}'
	sleeper
	d=$(cg_dir cpu "$PID")
	burst=$(is_v2 && echo cpu.max.burst || echo cpu.cfs_burst_us)
	if [ -e "$d/$burst" ]; then
		ocirt update --cpu-burst 20000 "$ID"
		assert_status 0
		[ "$(cat "$d/$burst")" = 20000 ]
	fi
	if is_v2 || [ ! -e "$d/cpu.rt_runtime_us" ]; then
		skip "no realtime cpu settings (cgroup v2, or no CONFIG_RT_GROUP_SCHED)"
	fi
	ocirt update --cpu-rt-period 400000 --cpu-rt-runtime 20000 "$ID"
	assert_status 0
	[ "$(cat "$d/cpu.rt_period_us")" = 400000 ]
	[ "$(cat "$d/cpu.rt_runtime_us")" = 20000 ]
}

@test "update: -r FILE and -r - (stdin)" {
	for c in memory cpu pids cpuset; do has_ctrl $c || skip "no $c controller"; done
	sleeper
	cat >"$BATS_TEST_TMPDIR/r.json" <<-'EOF'
	{"memory": {"limit": 100663296, "reservation": 50331648},
	 "cpu": {"shares": 300, "quota": 30000, "period": 150000, "cpus": "0"},
	 "pids": {"limit": 33}}
	EOF
	ocirt update -r "$BATS_TEST_TMPDIR/r.json" "$ID"
	assert_status 0
	[ "$(update_values)" = "$(want_values 100663296 50331648 300 30000 150000 33 0)" ]
	echo '{"memory": {"limit": 83886080}, "pids": {"limit": 44}}' >"$BATS_TEST_TMPDIR/r2.json"
	OCIRT_STDIN=$BATS_TEST_TMPDIR/r2.json ocirt update -r - "$ID"
	assert_status 0
	[ "$(update_values)" = "$(want_values 83886080 50331648 300 30000 150000 44 0)" ]
}

@test "update: bad input is refused and changes nothing" {
	has_ctrl pids || skip "no pids controller"
	update_config '.linux.resources.pids = {"limit": 10}'
	sleeper
	ocirt update --pids-limit abc "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" pids-limit
	echo '{"pids": {"limit": "x"}}' >"$BATS_TEST_TMPDIR/bad.json"
	ocirt update -r "$BATS_TEST_TMPDIR/bad.json" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" pids
	[ "$(cg_file pids pids.max)" = 10 ]
}

@test "update of a stopped container fails" {
	set_args true
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	wait_status "$ID" stopped
	ocirt update --pids-limit 10 "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" stopped
}

# run_three CONTROLLER ARGS...: run -d of ARGS, a process that leaves three
# in the container; $PID its init, $procs the cgroup.procs of its
# CONTROLLER cgroup, which lists all three before this returns.
run_three() {
	local ctrl=$1
	shift
	set_args "$@"
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	wait_status "$ID" running
	PID=$(ct_pid "$ID")
	procs=$(cg_dir "$ctrl" "$PID")/cgroup.procs
	retry eval '[ "$(wc -l <"'"$procs"'")" -eq 3 ]'
}

@test "ps: table and json list the container's processes" {
	run_three pids sh -c 'sleep 100 & sleep 100 & wait'
	want=$(sort -n "$procs" | jq -cs .)
	ocirt ps -f json "$ID"
	assert_status 0
	[ "$(jq -c 'sort' <<<"$output")" = "$want" ]
	ocirt ps --format json "$ID"
	[ "$(jq -c 'sort' <<<"$output")" = "$want" ]
	ocirt ps "$ID"
	assert_status 0
	assert_contains "${lines[0]}" PID
	[ "${#lines[@]}" -eq 4 ]
	for p in $(cat "$procs"); do
		printf '%s\n' "${lines[@]:1}" | awk -v p="$p" '$2 == p { f = 1 } END { exit !f }'
	done
	# ps options go to ps
	ocirt ps "$ID" -o pid,comm
	assert_status 0
	[ "$(awk 'NR > 1 { print $2 }' <<<"$output" | sort | xargs)" = "sh sleep sleep" ]
}

@test "events --stats: one stats object" {
	has_ctrl pids || skip "no pids controller"
	sleeper
	ocirt events --stats "$ID"
	assert_status 0
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	[ "$(jq -r .data.pids.current <<<"$output")" = "$(cg_file pids pids.current)" ]
	jq -e '.data.memory and .data.cpu' <<<"$output" >/dev/null
}

@test "events --interval: a stats line per interval, until the container stops" {
	sleeper
	out=$BATS_TEST_TMPDIR/events.out
	ocirt_cmd events --interval 100ms "$ID" >"$out" 2>"$out.err" </dev/null 3>&- &
	epid=$!
	retry eval '[ "$(wc -l <"'"$out"'")" -ge 3 ]'
	ocirt kill "$ID" KILL
	assert_status 0
	# it ends by itself once the container has stopped
	timeout 10 tail --pid="$epid" -f /dev/null
	wait "$epid"
	jq -se 'length >= 3 and all(.type == "stats")' "$out" >/dev/null
}

@test "kill --all kills every process of the cgroup" {
	has_ctrl pids || skip "no pids controller"
	# Without a pid namespace the init's death would not take the others along.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	run_three pids sh -c 'sleep 100 & sleep 100 & exec sleep 100'
	pids=$(cat "$procs")
	ocirt kill --all "$ID" KILL
	assert_status 0
	retry eval '[ ! -s "'"$procs"'" ]'
	for p in $pids; do
		retry eval '[ ! -e /proc/'"$p"'/stat ] || awk "{ exit \$3 != \"Z\" }" /proc/'"$p"'/stat'
	done
	wait_status "$ID" stopped
}

@test "delete removes the cgroup in every hierarchy" {
	sleeper
	dirs=$(all_cg_dirs "$PID" | grep -F "$ID")
	[ -n "$dirs" ]
	is_v2 || [ "$(wc -l <<<"$dirs")" -ge 5 ]
	for d in $dirs; do [ -d "$d" ]; done
	ocirt kill "$ID" KILL
	assert_status 0
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
	for d in $dirs; do [ ! -e "$d" ]; done
}

@test "delete after the init was killed from outside removes the cgroup" {
	sleeper
	dirs=$(all_cg_dirs "$PID" | grep -F "$ID")
	[ -n "$dirs" ]
	kill -9 "$PID"
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
	for d in $dirs; do [ ! -e "$d" ]; done
	assert_clean
}

@test "delete --force of a paused container removes it and its cgroup" {
	has_ctrl freezer || is_v2 || skip "no freezer controller"
	sleeper
	dirs=$(all_cg_dirs "$PID" | grep -F "$ID")
	ocirt pause "$ID"
	assert_status 0
	ocirt delete --force "$ID"
	assert_status 0
	for d in $dirs; do [ ! -e "$d" ]; done
	assert_clean
}

@test "delete --force of a stopped container leaves its freezer alone; of a running one, freezes to kill every process" {
	command -v strace >/dev/null || skip "no strace"
	has_ctrl freezer || is_v2 || skip "no freezer controller"
	# Without a pid namespace the init's death would not take the others along.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt start "$ID"
	wait_status "$ID" stopped
	strace -f -y -qq -e trace=write -e signal=none -o "$BATS_TEST_TMPDIR/stopped" \
		"$OCIRT" --root "$ROOT" delete --force "$ID" </dev/null
	# Freezing an empty cgroup is all cost (on v1 it patches the kernel's text).
	! grep -E 'freezer.state|cgroup.freeze' "$BATS_TEST_TMPDIR/stopped" || false
	[ ! -e "$ROOT/$ID" ]
	assert_clean
	run_three freezer sh -c 'sleep 100 & sleep 100 & exec sleep 100'
	strace -f -y -qq -e trace=write -e signal=none -o "$BATS_TEST_TMPDIR/running" \
		"$OCIRT" --root "$ROOT" delete --force "$ID" </dev/null
	# cgroup.kill where there is one (then, on a hybrid host, the v1 list
	# may already be empty), else freeze, kill, thaw
	if ! grep -q 'cgroup.kill>, "1", 1) = 1' "$BATS_TEST_TMPDIR/running"; then
		grep -q 'freezer.state>, "FROZEN"\|cgroup.freeze>, "1"' "$BATS_TEST_TMPDIR/running"
		grep -q 'freezer.state>, "THAWED"\|cgroup.freeze>, "0"' "$BATS_TEST_TMPDIR/running"
	fi
	[ ! -e "$ROOT/$ID" ]
	assert_clean
}

# mountinfo_read ARGS...: run the ocirt command ARGS under strace; "yes"
# when it read /proc/self/mountinfo, "no" when not, and "failed" when the
# command failed (so that no comparison with yes or no passes then).
mountinfo_read() {
	if ! strace -f -qq -e trace=openat -e signal=none -o "$BATS_TEST_TMPDIR/mi" \
		"$OCIRT" --root "$ROOT" "$@" </dev/null >/dev/null; then
		echo failed
	elif grep -q 'mountinfo' "$BATS_TEST_TMPDIR/mi"; then
		echo yes
	else
		echo no
	fi
}

@test "commands after create take the cgroup mounts create saved; without them, or where they are wrong, mountinfo" {
	command -v strace >/dev/null || skip "no strace"
	sleeper
	saved=$ROOT/$ID/cgroup.mounts
	[ -s "$saved" ]
	head -1 "$saved" | grep -qx 'ocirt cgroup mounts 1 [0-9]*'
	# Each saved mount is one that statfs finds to be a cgroup file system.
	while read -r _ _ _ _ mp _; do
		[ "$(stat -f -c %T "$mp")" = cgroupfs ] || [ "$(stat -f -c %T "$mp")" = cgroup2fs ]
	done < <(tail -n +2 "$saved")
	[ "$(mountinfo_read exec "$ID" true)" = no ]
	# The join is the same as through mountinfo.
	"$OCIRT" --root "$ROOT" exec "$ID" cat /proc/self/cgroup >"$BATS_TEST_TMPDIR/via_saved"
	diff <(sort "/proc/$PID/cgroup") <(sort "$BATS_TEST_TMPDIR/via_saved")
	if has_ctrl freezer || is_v2; then
		[ "$(mountinfo_read pause "$ID")" = no ]
		wait_status "$ID" paused
		[ "$(mountinfo_read resume "$ID")" = no ]
		wait_status "$ID" running
	fi
	# A damaged table, one whose mount point is no cgroup file system (a
	# cgroup unmounted since), and none at all (a state dir of an older
	# ocirt): read mountinfo, and work as before.
	cp "$saved" "$BATS_TEST_TMPDIR/good"
	printf 'ocirt cgroup mounts 1 3\ngarbage\n' >"$saved"
	[ "$(mountinfo_read exec "$ID" true)" = yes ]
	{ echo 'ocirt cgroup mounts 1 1'; echo "1 1 0:99 / $BATS_TEST_TMPDIR rw - cgroup cgroup rw,pids"; } >"$saved"
	[ "$(mountinfo_read exec "$ID" true)" = yes ]
	rm "$saved"
	[ "$(mountinfo_read exec "$ID" true)" = yes ]
	"$OCIRT" --root "$ROOT" exec "$ID" cat /proc/self/cgroup >"$BATS_TEST_TMPDIR/via_mountinfo"
	diff <(sort "/proc/$PID/cgroup") <(sort "$BATS_TEST_TMPDIR/via_mountinfo")
	# delete with the table, and without it: the cgroup goes in every hierarchy.
	dirs=$(all_cg_dirs "$PID" | grep -F "$ID")
	[ -n "$dirs" ]
	cp "$BATS_TEST_TMPDIR/good" "$saved"
	ocirt kill "$ID" KILL
	wait_status "$ID" stopped
	[ "$(mountinfo_read delete "$ID")" = no ]
	for d in $dirs; do [ ! -e "$d" ]; done
	ID2=$ID-old
	sleeper "$ID2"
	dirs=$(all_cg_dirs "$PID" | grep -F "$ID2")
	rm "$ROOT/$ID2/cgroup.mounts"
	[ "$(mountinfo_read delete --force "$ID2")" = yes ]
	for d in $dirs; do [ ! -e "$d" ]; done
}

@test "a cgroup2 /sys/fs/cgroup hidden under a tmpfs of v1 hierarchies: only the visible mounts count" {
	is_v2 && skip "needs v1 hierarchies to mount over the cgroup2 one (a hybrid or v1 host)"
	set_args cat /proc/self/cgroup
	# Some hosts and test rigs mount cgroup2 on /sys/fs/cgroup, then a tmpfs
	# over it with v1 hierarchies: mountinfo lists the hidden cgroup2 still.
	# Made here in a mount namespace of the test's own: the host's mounts
	# stay as they are.
	cat >"$BATS_TEST_TMPDIR/overmount" <<'EOS'
set -e
v1=$(awk '{ for (i = 7; i <= NF && $i != "-"; i++); if ($(i + 1) == "cgroup") print $5, $(i + 3) }' /proc/self/mountinfo)
mount -t cgroup2 none /sys/fs/cgroup
mount -t tmpfs tmpfs /sys/fs/cgroup
while read -r mp opts; do
	o=$(tr , '\n' <<<"$opts" | grep -v '^r[wo]$' | paste -sd,)
	case $o in name=*) o=none,$o ;; esac
	mkdir -p "$mp"
	mount -t cgroup -o "$o" cgroup "$mp"
done <<<"$v1"
[ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ]
grep -q ' /sys/fs/cgroup .* - cgroup2 ' /proc/self/mountinfo
exec "$@"
EOS
	run -0 unshare -m --propagation private -- env OCIRT_TEST_MARK="$MARK" bash "$BATS_TEST_TMPDIR/overmount" \
		"$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" 3>&-
	echo "$output" >&2
	# The v1 hierarchies hold it; the hidden cgroup2 is not touched.
	assert_contains "$output" ":memory:"
	grep -q ":memory:.*/$ID\$" <<<"$output"
	grep -qxF "$(grep '^0::' /proc/self/cgroup)" <<<"$output"
	assert_clean
}

# precreate CONTROLLER NAME: make the cgroup the relative cgroupsPath NAME
# names in that hierarchy; prints its directory.
precreate() {
	local d
	d=$(cg_mount "$1")$(cg_under "$1" "$2")
	mkdir -p "$d"
	echo "$d"
}

@test "create refuses a cgroup that exists and has processes" {
	has_ctrl pids || skip "no pids controller"
	d=$(precreate pids "$ID-busy")
	sleep 100 &
	spid=$!
	echo "$spid" >"$d/cgroup.procs"
	update_config --arg p "$ID-busy" '.linux.cgroupsPath = $p'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "has processes"
	# the cgroup is not ocirt's to remove
	grep -qx "$spid" "$d/cgroup.procs"
	kill -9 "$spid"
	wait "$spid" || true
	retry rmdir "$d"
	assert_clean
}

@test "create refuses a cgroup that exists and is frozen" {
	has_ctrl freezer || is_v2 || skip "no freezer controller"
	d=$(precreate freezer "$ID-frozen")
	if is_v2; then echo 1 >"$d/cgroup.freeze"; else echo FROZEN >"$d/freezer.state"; fi
	update_config --arg p "$ID-frozen" '.linux.cgroupsPath = $p'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" frozen
	[ -d "$d" ]
	if is_v2; then echo 0 >"$d/cgroup.freeze"; else echo THAWED >"$d/freezer.state"; fi
	rmdir "$d"
	assert_clean
}

@test "create reuses a cgroup that exists and is empty" {
	has_ctrl pids || skip "no pids controller"
	d=$(precreate pids "$ID-empty")
	update_config --arg p "$ID-empty" '.linux.cgroupsPath = $p | .linux.resources.pids = {"limit": 9}'
	sleeper
	[ "$(cg_dir pids "$PID")" = "$d" ]
	[ "$(cat "$d/pids.max")" = 9 ]
}

# bad_resources JQ NEEDLE: create with that resources edit fails, the error
# names NEEDLE, and nothing is left behind.
bad_resources() {
	update_config "$1"
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "$2"
	assert_clean
}

@test "bad resources: negative cpu shares" {
	bad_resources '.linux.resources.cpu = {"shares": -1}' shares
}

@test "bad resources: cpuset cpus \"abc\"" {
	has_ctrl cpuset || skip "no cpuset controller"
	bad_resources '.linux.resources.cpu = {"cpus": "abc"}' cpu.cpus
}

@test "bad resources: cpuset mems of a node that does not exist" {
	has_ctrl cpuset || skip "no cpuset controller"
	bad_resources '.linux.resources.cpu = {"mems": "999"}' cpu.mems
}

@test "bad resources: pids limit not a number" {
	bad_resources '.linux.resources.pids = {"limit": "many"}' pids
}

@test "bad resources: blockIO weight out of range" {
	bad_resources '.linux.resources.blockIO = {"weight": 5000}' weight
}
