#!/usr/bin/env bats
# linux.netDevices: host devices moved into the container's network namespace
# (renamed, %d templates, permanent global addresses kept, set up), the
# checks before create, and a create that fails later putting them back.
#
# Every test works in a network namespace of its own (ip netns), never on
# the host's links: veth pairs are made there, and ocirt runs inside it
# (nsenter --net, which unlike `ip netns exec` leaves /sys and its cgroup
# mounts alone), since the devices move from the runtime's namespace.

load helpers

setup() {
	setup_common
	command -v ip >/dev/null || skip "no ip (iproute2)"
	NS=ocirt-$ID
	ip netns add "$NS"
	# ocirt in the test's namespace, through a wrapper that the helpers'
	# ocirt function (and teardown) run like the binary itself.
	REAL_OCIRT=$OCIRT
	OCIRT=$BATS_TEST_TMPDIR/ocirt-in-ns
	printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "$NS" "$REAL_OCIRT" >"$OCIRT"
	chmod 755 "$OCIRT"
	update_config '.linux.namespaces |= (map(select(.type != "network")) + [{"type": "network"}])'
}

teardown() {
	teardown_common
	local n
	for n in "$NS" "$NS-c"; do
		ip netns del "$n" 2>/dev/null || true
	done
}

in_ns() {
	ip -n "$NS" "$@"
}

# veth NAME ADDRESS...: a veth pair NAME / NAME-p in the test's namespace,
# the addresses on NAME, both ends up.
veth() {
	local a
	in_ns link add "$1" type veth peer name "$1-p"
	for a in "${@:2}"; do
		in_ns addr add "$a" dev "$1"
	done
	in_ns link set "$1" up
	in_ns link set "$1-p" up
}

net_devices() {
	update_config --argjson d "$1" '.linux.netDevices = $d'
}

@test "netDevices: moved, renamed, addresses of every family kept, up" {
	veth va 10.77.0.1/24 10.77.1.1/24 2001:db8:77::1/64
	# what must not follow: an address that is not of global scope
	in_ns addr add 10.77.2.1/24 dev va scope link
	net_devices '{"va": {"name": "eth1"}}'
	start_sleeper
	ocirt exec "$ID" sh -c 'ip -o addr show dev eth1; ip -o link show dev eth1'
	assert_status 0
	assert_contains "$output" "inet 10.77.0.1/24 scope global eth1"
	assert_contains "$output" "inet 10.77.1.1/24 scope global eth1"
	assert_contains "$output" "inet6 2001:db8:77::1/64 scope global"
	assert_not_contains "$output" "10.77.2.1"
	assert_contains "$output" "<BROADCAST,MULTICAST,UP"
	# gone from the runtime's namespace; its peer stayed
	run in_ns link show va
	[ "$status" -ne 0 ]
	in_ns link show va-p
	# config-linux.md: nothing is moved back; a veth goes with the namespace
	ocirt delete --force "$ID"
	assert_status 0
	retry sh -c "! ip -n $NS link show va-p"
}

@test "netDevices: the host name is kept without a name; %d templates get the first free number" {
	veth va 10.78.0.1/24
	veth vb 10.78.1.1/24
	veth vc
	net_devices '{"va": {"name": "eth%d"}, "vb": {"name": "eth%d"}, "vc": {}}'
	run_ct sh -c 'ip -o addr show | grep "inet 10.78"; ip -o link show | cut -d" " -f2'
	assert_status 0
	assert_contains "$output" "inet 10.78.0.1/24 scope global eth"
	assert_contains "$output" "inet 10.78.1.1/24 scope global eth"
	assert_contains "$output" "eth0@"
	assert_contains "$output" "eth1@"
	assert_contains "$output" "vc@"
}

@test "netDevices: into a network namespace joined by path, where a name taken is an error" {
	ip netns add "$NS-c"
	ip -n "$NS-c" link add eth1 type veth peer name eth1-p
	veth va 10.79.0.1/24
	update_config --arg p "/run/netns/$NS-c" \
		'.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	net_devices '{"va": {"name": "eth1"}}'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.netDevices: va: a device named eth1 already exists in the container's network namespace"
	assert_clean
	in_ns link show va
	net_devices '{"va": {"name": "eth2"}}'
	run_ct true
	assert_status 0
	# the namespace outlives the container, and the device with it (the spec:
	# nothing is moved back on delete)
	ip -n "$NS-c" -o addr show dev eth2 | grep -q "inet 10.79.0.1/24"
}

@test "netDevices: a device that does not exist or cannot move fails create, leaving nothing" {
	veth va
	net_devices '{"va": {}, "nosuchdev": {}}'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.netDevices: nosuchdev: no such device in the runtime's network namespace"
	assert_clean
	in_ns link show va
	net_devices '{"lo": {}}'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.netDevices: lo: cannot move to another network namespace"
	assert_clean
	net_devices '{"va": {"name": "lo"}}'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.netDevices: va: a device named lo already exists in the container's network namespace"
	assert_clean
	in_ns link show va
}

@test "netDevices: a create that fails after the move puts the devices back as they were" {
	veth va 10.80.0.1/24 2001:db8:80::1/64
	veth vb
	in_ns link set vb down
	net_devices '{"va": {"name": "eth1"}, "vb": {"name": "eth2"}}'
	# createRuntime (runtime's namespaces) sees them gone; createContainer fails.
	update_config --arg out "$BATS_TEST_TMPDIR/seen" '.hooks.createRuntime = [{"path": "/bin/sh",
		"args": ["sh", "-c", ("ip link show va >" + $out + " 2>&1; echo $? >>" + $out)]}]
		| .hooks.createContainer = [{"path": "/bin/false"}]'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_clean
	[ "$(tail -1 "$BATS_TEST_TMPDIR/seen")" != 0 ]
	in_ns -o addr show dev va | grep -q "inet 10.80.0.1/24 scope global va"
	in_ns -o addr show dev va | grep -q "inet6 2001:db8:80::1/64 scope global"
	in_ns -o link show dev va | grep -q "UP"
	in_ns -o link show dev vb | grep -qv "UP"
	# the peers were never destroyed
	in_ns link show va-p
	in_ns link show vb-p
}

@test "netDevices: a move that fails part-way puts back the devices moved before it" {
	veth va 10.81.0.1/24
	veth vb
	# va takes eth0 from its template, then vb cannot have it
	net_devices '{"va": {"name": "eth%d"}, "vb": {"name": "eth0"}}'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.netDevices: vb: a device named eth0 already exists in the container's network namespace"
	assert_clean
	in_ns -o addr show dev va | grep -q "inet 10.81.0.1/24 scope global va"
	in_ns -o link show dev va | grep -q "UP"
	in_ns link show vb
	in_ns link show va-p
}

@test "netDevices: refused without a network namespace, or with two devices of one name" {
	veth va
	veth vb
	net_devices '{"va": {"name": "eth1"}, "vb": {"name": "eth1"}}'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.netDevices.vb: va and vb would both be named eth1 in the container"
	assert_clean
	update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.netDevices = {"va": {}}'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.netDevices: requires a network namespace"
	assert_clean
}

@test "netDevices: without its helper ocirt refuses them, and features says so" {
	veth va
	cp "$REAL_OCIRT" "$BATS_TEST_TMPDIR/lonely-ocirt"
	printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "$NS" "$BATS_TEST_TMPDIR/lonely-ocirt" >"$OCIRT"
	[ ! -e /usr/local/libexec/ocirt/ocirt-netdev ] || skip "an installed ocirt-netdev would be found"
	net_devices '{"va": {}}'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.netDevices: ocirt-netdev not found (looked beside $BATS_TEST_TMPDIR and in"
	assert_clean
	ocirt features
	[ "$(echo "$output" | jq .linux.netDevices.enabled)" = false ]
	printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "$NS" "$REAL_OCIRT" >"$OCIRT"
	ocirt features
	[ "$(echo "$output" | jq .linux.netDevices.enabled)" = true ]
}
