#!/usr/bin/env bats
# linux.memoryPolicy (set_mempolicy(2) in the container's processes, read
# back from /proc/self/numa_maps) and CPU affinity: process.execCPUAffinity
# for exec, and no container process keeping the runtime's own affinity.

load helpers

NODE_DIR=/sys/devices/system/node

# A NUMA node with memory, for the policies that name one.
first_node() {
	local n
	n=$(<"$NODE_DIR/has_memory")
	n=${n%%[,-]*}
	echo "${n:-0}"
}

need_numa() {
	[ -r "$NODE_DIR/possible" ] || skip "this kernel has no NUMA support"
}

# kernel_at_least MAJOR MINOR
kernel_at_least() {
	local v maj min
	v=$(uname -r)
	maj=${v%%.*}
	min=${v#*.}
	min=${min%%[!0-9]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

# policy_is JSON EXPECTED: a container with linux.memoryPolicy JSON runs, and
# its process's policy (numa_maps, second field) reads EXPECTED.
policy_is() {
	update_config --argjson m "$1" '.linux.memoryPolicy = $m'
	run_ct head -1 /proc/self/numa_maps
	assert_status 0
	local got
	got=$(echo "$output" | cut -d' ' -f2-)
	got=${got% file=*}
	if [ "$got" != "$2" ]; then
		echo "memoryPolicy $1: numa_maps says \"$got\", expected \"$2\"" >&2
		return 1
	fi
}

@test "memoryPolicy: every mode reaches the process" {
	need_numa
	n=$(first_node)
	policy_is '{"mode":"MPOL_DEFAULT"}' default
	policy_is "{\"mode\":\"MPOL_BIND\",\"nodes\":\"$n\"}" "bind:$n"
	policy_is "{\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"$n\"}" "interleave:$n"
	policy_is "{\"mode\":\"MPOL_PREFERRED\",\"nodes\":\"$n\"}" "prefer:$n"
	# the kernel's own reading of a preferred node that is not given
	policy_is '{"mode":"MPOL_PREFERRED"}' local
	policy_is '{"mode":"MPOL_LOCAL"}' local
	if kernel_at_least 5 15; then
		policy_is "{\"mode\":\"MPOL_PREFERRED_MANY\",\"nodes\":\"$n\"}" "prefer (many):$n"
	fi
	if kernel_at_least 6 9; then
		policy_is "{\"mode\":\"MPOL_WEIGHTED_INTERLEAVE\",\"nodes\":\"$n\"}" "weighted interleave:$n"
	fi
}

@test "memoryPolicy: flags" {
	need_numa
	n=$(first_node)
	policy_is "{\"mode\":\"MPOL_BIND\",\"nodes\":\"$n\",\"flags\":[\"MPOL_F_STATIC_NODES\"]}" "bind=static:$n"
	policy_is "{\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"0\",\"flags\":[\"MPOL_F_RELATIVE_NODES\"]}" \
		"interleave=relative:$n"
	kernel_at_least 5 12 || return 0
	policy_is "{\"mode\":\"MPOL_BIND\",\"nodes\":\"$n\",\"flags\":[\"MPOL_F_NUMA_BALANCING\"]}" \
		"bind=balancing:$n"
	policy_is "{\"mode\":\"MPOL_BIND\",\"nodes\":\"$n\",\"flags\":[\"MPOL_F_STATIC_NODES\",\"MPOL_F_NUMA_BALANCING\"]}" \
		"bind=static|balancing:$n"
}

@test "memoryPolicy: exec'd processes get it too" {
	need_numa
	n=$(first_node)
	update_config --arg n "$n" '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": $n}'
	start_sleeper
	ocirt exec "$ID" head -1 /proc/self/numa_maps
	assert_status 0
	assert_contains "$output" " interleave:$n "
}

# bad_policy JSON TEXT...: create fails naming TEXT and leaves nothing.
bad_policy() {
	update_config --argjson m "$1" '.linux.memoryPolicy = $m'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	local t
	for t in "${@:2}"; do
		assert_contains "$stderr" "$t"
	done
	assert_clean
}

@test "memoryPolicy: bad node lists, missing or extra nodes and flags that exclude each other fail create" {
	need_numa
	bad_policy '{"mode":"MPOL_BIND","nodes":"bad"}' 'linux.memoryPolicy.nodes: invalid node list "bad"'
	bad_policy '{"mode":"MPOL_BIND","nodes":"0-"}' 'linux.memoryPolicy.nodes: invalid node list "0-"'
	bad_policy '{"mode":"MPOL_BIND","nodes":"1-0"}' 'range 1-0 is reversed'
	bad_policy '{"mode":"MPOL_BIND","nodes":"5000"}' '5000 is above 1023'
	bad_policy '{"mode":"MPOL_BIND"}' 'linux.memoryPolicy.nodes: MPOL_BIND needs at least one node'
	bad_policy '{"mode":"MPOL_INTERLEAVE","nodes":""}' 'MPOL_INTERLEAVE needs at least one node'
	bad_policy '{"mode":"MPOL_LOCAL","nodes":"0"}' 'linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes'
	bad_policy '{"mode":"MPOL_DEFAULT","nodes":"0"}' 'MPOL_DEFAULT takes no nodes'
	bad_policy '{"mode":"MPOL_BIND","nodes":"0","flags":["MPOL_F_STATIC_NODES","MPOL_F_RELATIVE_NODES"]}' \
		'linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other'
	bad_policy '{"mode":"MPOL_INTERLEAVE","nodes":"0","flags":["MPOL_F_NUMA_BALANCING"]}' \
		'MPOL_F_NUMA_BALANCING works only with MPOL_BIND or MPOL_PREFERRED_MANY'
	bad_policy '{"mode":"MPOL_BIND_ALL","nodes":"0"}' 'linux.memoryPolicy.mode: unknown memory policy mode'
}

@test "memoryPolicy: a node this host does not have fails create" {
	need_numa
	local possible last
	possible=$(<"$NODE_DIR/possible")
	last=${possible##*[,-]}
	bad_policy "{\"mode\":\"MPOL_BIND\",\"nodes\":\"$((last + 1))\"}" \
		"linux.memoryPolicy.nodes: node $((last + 1)) does not exist on this host (its nodes: $possible)"
	# a static node may be one that comes later, but not one beyond the possible ones
	bad_policy "{\"mode\":\"MPOL_BIND\",\"nodes\":\"$((last + 1))\",\"flags\":[\"MPOL_F_STATIC_NODES\"]}" \
		"node $((last + 1)) does not exist"
}

# Two CPUs or more, and taskset, for the affinity tests; $ALL is the CPUs
# this shell may run on, $ONE the first of them.
need_cpus() {
	command -v taskset >/dev/null || skip "no taskset"
	ALL=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)
	ONE=${ALL%%[,-]*}
	[ "$ALL" != "$ONE" ] || skip "this shell may run on one CPU only"
}

@test "affinity: the init does not inherit the runtime's own" {
	need_cpus
	set_args grep Cpus_allowed_list /proc/self/status
	OCIRT_TEST_MARK=$MARK taskset -c "$ONE" "$OCIRT" --root "$ROOT" run -b "$BUNDLE" "$ID" \
		</dev/null >"$BATS_TEST_TMPDIR/out" 3>&-
	run cat "$BATS_TEST_TMPDIR/out"
	[ "$output" = "Cpus_allowed_list:	$ALL" ]
}

@test "affinity: an exec'd process without execCPUAffinity does not inherit the runtime's own" {
	need_cpus
	start_sleeper
	OCIRT_TEST_MARK=$MARK taskset -c "$ONE" "$OCIRT" --root "$ROOT" exec "$ID" \
		grep Cpus_allowed_list /proc/self/status </dev/null >"$BATS_TEST_TMPDIR/out" 3>&-
	run cat "$BATS_TEST_TMPDIR/out"
	[ "$output" = "Cpus_allowed_list:	$ALL" ]
}

# exec_process JSON: a process.json for exec --process from the config's process and JSON.
exec_process() {
	jq --argjson x "$1" '.process + $x' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/process.json"
}

@test "execCPUAffinity: initial before the cgroup is joined, final after" {
	need_cpus
	command -v strace >/dev/null || skip "no strace"
	local last=${ALL##*[,-]}
	start_sleeper
	exec_process "{\"args\": [\"grep\", \"Cpus_allowed_list\", \"/proc/self/status\"],
		\"execCPUAffinity\": {\"initial\": \"$ONE\", \"final\": \"$last\"}}"
	OCIRT_TEST_MARK=$MARK strace -f -y -qq -e trace=sched_setaffinity,clone3,write -e signal=none \
		-o "$BATS_TEST_TMPDIR/trace" "$OCIRT" --root "$ROOT" exec --process "$BATS_TEST_TMPDIR/process.json" \
		"$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 3>&-
	run cat "$BATS_TEST_TMPDIR/out"
	[ "$output" = "Cpus_allowed_list:	$last" ]
	# the line numbers of: initial set, the child's birth, its joins, final set
	local t=$BATS_TEST_TMPDIR/trace initial clone join final
	cat "$t" >&2
	initial=$(grep -n "sched_setaffinity(0, [0-9]*, \[$ONE\]) *= 0" "$t" | head -1 | cut -d: -f1)
	clone=$(grep -n 'clone3(' "$t" | head -1 | cut -d: -f1)
	final=$(grep -n "sched_setaffinity(0, [0-9]*, \[$last\]) *= 0" "$t" | head -1 | cut -d: -f1)
	join=$(grep -n '</sys/fs/cgroup/[^>]*/\(tasks\|cgroup.procs\)>, "0", 1) = 1' "$t" | tail -1 | cut -d: -f1)
	[ -n "$initial" ] && [ -n "$clone" ] && [ -n "$final" ] || false
	[ "$initial" -lt "$clone" ]
	[ "$final" -gt "$clone" ]
	[ -z "$join" ] || [ "$final" -gt "$join" ]
}

@test "execCPUAffinity: initial alone stays; CPUs the host lacks are an error" {
	need_cpus
	start_sleeper
	exec_process "{\"args\": [\"grep\", \"Cpus_allowed_list\", \"/proc/self/status\"],
		\"execCPUAffinity\": {\"initial\": \"$ONE\"}}"
	ocirt exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	assert_status 0
	assert_output "Cpus_allowed_list:	$ONE"
	exec_process '{"args": ["true"], "execCPUAffinity": {"final": "8000"}}'
	ocirt exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	assert_status 255
	assert_contains "$stderr" 'process.execCPUAffinity.final "8000": sched_setaffinity: invalid argument'
	exec_process '{"args": ["true"], "execCPUAffinity": {"initial": "8000"}}'
	ocirt exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	assert_status 255
	assert_contains "$stderr" 'process.execCPUAffinity.initial "8000": sched_setaffinity: invalid argument'
	exec_process '{"args": ["true"], "execCPUAffinity": {"initial": "0-"}}'
	ocirt exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	assert_status 255
	assert_contains "$stderr" 'process.execCPUAffinity.initial: invalid CPU list "0-"'
}
