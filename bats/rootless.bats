#!/usr/bin/env bats
# Rootless containers: an unprivileged user, made for this file and removed
# after it, runs ocirt with the config `ocirt spec --rootless` writes. On a
# hybrid host (cgroup v1), or cgroup v2 without delegation, such a user can
# make no cgroup: ocirt then goes without one when the config sets no
# limits (runc's rule), and says why when it does. In the pure v2 guest
# (scripts/test runs this file there too) a subtree delegated to the user
# gets the container's cgroup. Rootless podman drives ocirt at the end (on
# the host only).

load helpers

setup_file() {
	rl_user_add
}

teardown_file() {
	rl_user_remove
}

setup() {
	# the v2 guest runs only the tests of cgroups ("rootless cgroups: ...")
	[[ $BATS_TEST_DESCRIPTION == "rootless cgroups:"* ]] || not_in_v2vm
	setup_common
	# The user reaches the bundle and owns the state root.
	open_dirs_above "$BUNDLE"
	chown "$RL_UID:$RL_GID" "$ROOT"
	as_user_prefix
	OCIRT_AS=("${AS_USER[@]}")
	rl_config
}

teardown() {
	if [ -n "${DELEG:-}" ]; then
		rmdir "$DELEG/shell" 2>/dev/null
		rmdir "$DELEG" 2>/dev/null
	fi
	if [ -n "${PMD:-}" ]; then
		rlpm rm -f -a -t 0 >/dev/null 2>&1
		# podman's pause process holds its user namespace for later
		# commands; it and whatever else podman left have its environment
		for f in /proc/[0-9]*/environ; do
			if grep -qzxF "XDG_RUNTIME_DIR=$PMD/xdg" "$f" 2>/dev/null; then
				pid=${f#/proc/}
				kill -9 "${pid%/environ}" 2>/dev/null
			fi
		done
		rm -rf --one-file-system "$PMD"
	fi
	teardown_common
}

# rl_config: this test's config.json is the one `ocirt spec --rootless`
# writes for the user, with no terminal, the test's mark, and ARGS.
rl_config() {
	rm "$BUNDLE/config.json"
	chmod 777 "$BUNDLE"
	as_user "$OCIRT" spec --rootless --bundle "$BUNDLE"
	chmod 755 "$BUNDLE"
	update_config --arg m "OCIRT_TEST_MARK=$MARK" '.process.terminal = false | .process.env += [$m]'
	chmod 644 "$BUNDLE/config.json"
}

@test "rootless: the config of spec --rootless runs as is, its state under \$XDG_RUNTIME_DIR" {
	# as written (sh on a terminal), but for the test's mark
	update_config '.process.terminal = true'
	jq -e '.process.args == ["sh"] and (.linux.uidMappings | length) == 1' "$BUNDLE/config.json"
	xdg=$BATS_TEST_TMPDIR/xdg
	mkdir -m 0700 "$xdg"
	chown "$RL_UID:$RL_GID" "$xdg"
	ROOT=$xdg/ocirt
	printf 'echo hello; tty; exit 7\n' >"$BATS_TEST_TMPDIR/in"
	cd "$BUNDLE"
	status=0
	output=$(OCIRT_TEST_MARK=$MARK XDG_RUNTIME_DIR=$xdg as_user timeout 60 "$OCIRT" run "$ID" \
		<"$BATS_TEST_TMPDIR/in" 3>&-) || status=$?
	echo "$output" >&2
	assert_status 7
	assert_contains "$output" $'hello\n/dev/pts/0'
	# the state root was made where runc's would be, and is empty again
	[ -d "$xdg/ocirt" ]
	[ "$(stat -c %u "$xdg/ocirt")" = "$RL_UID" ]
	[ -z "$(ls -A "$xdg/ocirt")" ]
}

@test "rootless cgroups: none here (v1, or v2 not delegated): run, exec, list, pause refused, kill and delete" {
	# device rules are no limit that needs a cgroup (runc's rule)
	update_config '.linux.resources = {"devices": [{"allow": false, "access": "rwm"}]}'
	set_args sleep 100
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	wait_status "$ID" running
	pid=$(ct_pid "$ID")
	[ "$(stat -c %u "/proc/$pid")" = "$RL_UID" ]
	ocirt exec "$ID" sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; echo $$'
	assert_status 0
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo ${lines[2]})" = "0 $RL_UID 1" ]
	[ "$(echo ${lines[3]})" = "0 $RL_GID 1" ]
	[ "${lines[4]}" = deny ]
	# the exec'd process is in the container's pid namespace
	[ "${lines[5]}" -gt 1 ]
	ocirt list
	assert_status 0
	assert_contains "${lines[1]}" "$RL_USER"
	if [ -z "$(test_cgroups)" ]; then
		ocirt pause "$ID"
		[ "$status" -ne 0 ]
		assert_contains "$stderr" "has no cgroup"
	fi
	ocirt kill "$ID" KILL
	assert_status 0
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
	assert_clean
}

@test "rootless cgroups: limits without a cgroup the user may make fail, naming the field, leaving nothing" {
	update_config '.linux.resources = {"memory": {"limit": 67108864}}'
	set_args true
	ocirt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "linux.resources.memory: a rootless container cannot get this limit"
	assert_contains "$stderr" "permission denied"
	assert_clean
	# an explicit cgroupsPath is not skipped either (runc's rule)
	update_config 'del(.linux.resources) | .linux.cgroupsPath = "/ocirt-rl-'"$ID"'"'
	ocirt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "linux.cgroupsPath"
	assert_clean
	# nor with --rootless false
	update_config 'del(.linux.cgroupsPath)'
	ocirt --rootless false run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "permission denied"
	assert_clean
	ocirt --rootless maybe run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" 'expected true, false or auto, got "maybe"'
	assert_clean
}

@test "rootless: the user's own single id is mapped without newuidmap" {
	set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; grep " /dev/null " /proc/self/mountinfo'
	# no newuidmap on this PATH
	OCIRT_AS=("${AS_USER[@]}" env PATH=/nonexistent)
	ocirt run -b "$BUNDLE" "$ID"
	assert_status 0
	[ "$(echo ${lines[0]})" = "0 $RL_UID 1" ]
	[ "$(echo ${lines[1]})" = "0 $RL_GID 1" ]
	# a device in a user namespace is the host's, bound nosuid,noexec
	assert_contains "${lines[2]}" nosuid
	assert_contains "${lines[2]}" noexec
}

@test "rootless: an idmapped mount needs a runtime that may clone mounts, and says so" {
	mkdir -m 0755 "$BATS_TEST_TMPDIR/src"
	update_config --arg s "$BATS_TEST_TMPDIR/src" '.mounts += [{"destination": "/mnt", "type": "bind",
		"source": $s, "options": ["bind", "idmap"]}]'
	set_args true
	ocirt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "mounts[7]: an idmap mount in a container with its own user namespace is made by the runtime"
	assert_clean
}

@test "rootless: a subordinate id range is mapped through newuidmap and newgidmap" {
	command -v newuidmap newgidmap >/dev/null || skip "the uidmap package is not installed"
	[ -n "$RL_SUBUID" ] && [ -n "$RL_SUBGID" ] || skip "useradd gave $RL_USER no subordinate ids"
	update_config --argjson u "$RL_SUBUID" --argjson g "$RL_SUBGID" '
		.linux.uidMappings += [{"containerID": 1, "hostID": $u, "size": 65536}]
		| .linux.gidMappings += [{"containerID": 1, "hostID": $g, "size": 65536}]
		| .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}]
		| .process.capabilities |= with_entries(.value += ["CAP_CHOWN"])'
	set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups;
		touch /tmp/f && chown 1000:1000 /tmp/f && stat -c "%u %g" /tmp/f'
	ocirt run -b "$BUNDLE" "$ID"
	assert_status 0
	[ "$(echo ${lines[0]})" = "0 $RL_UID 1" ]
	[ "$(echo ${lines[1]})" = "1 $RL_SUBUID 65536" ]
	[ "$(echo ${lines[2]})" = "0 $RL_GID 1" ]
	[ "$(echo ${lines[3]})" = "1 $RL_SUBGID 65536" ]
	# newgidmap leaves setgroups allowed
	[ "${lines[4]}" = allow ]
	[ "${lines[5]}" = "1000 1000" ]
}

@test "rootless: ids that are not the user's fail with newuidmap's reason; no newuidmap is named as missing" {
	command -v newuidmap newgidmap >/dev/null || skip "the uidmap package is not installed"
	# a range no one gave this user
	update_config '.linux.uidMappings += [{"containerID": 1, "hostID": 4000000000, "size": 10}]'
	set_args true
	ocirt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "linux.uidMappings: newuidmap failed"
	assert_contains "$stderr" "not allowed"
	assert_contains "$stderr" "/etc/subuid"
	assert_clean
	OCIRT_AS=("${AS_USER[@]}" env PATH=/nonexistent)
	ocirt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "linux.uidMappings: mapping uids other than your own uid ($RL_UID) needs newuidmap"
	assert_clean
}

@test "rootless cgroups: a v2 subtree delegated to the user gets the container's cgroup, limits, pause, update" {
	is_v2 || skip "cgroup v2 only (the pure v2 guest of scripts/v2vm)"
	# delegated as systemd does it: the directory and the files that hand
	# out processes and controllers are the user's; the user's processes
	# live in a leaf of it
	DELEG=/sys/fs/cgroup/ocirt-rl-$ID
	mkdir "$DELEG" "$DELEG/shell"
	for d in "$DELEG" "$DELEG/shell"; do
		chown "$RL_UID:$RL_GID" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
	done
	# every ocirt command runs from a process of the user's in that leaf
	OCIRT_AS=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$DELEG/shell" "${AS_USER[@]}")
	# device rules are not a rootless runtime's to set (runc leaves them out too)
	update_config --arg p "/ocirt-rl-$ID/$ID" '.linux.cgroupsPath = $p
		| .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50},
			"devices": [{"allow": false, "access": "rwm"}]}'
	set_args sleep 100
	ocirt run -d -b "$BUNDLE" "$ID"
	assert_status 0
	wait_status "$ID" running
	pid=$(ct_pid "$ID")
	[ "$(cat "/proc/$pid/cgroup")" = "0::/ocirt-rl-$ID/$ID" ]
	[ "$(stat -c %u "$DELEG/$ID")" = "$RL_UID" ]
	[ "$(cat "$DELEG/$ID/memory.max")" = 67108864 ]
	[ "$(cat "$DELEG/$ID/pids.max")" = 50 ]
	# exec'd processes are born in it too
	ocirt exec "$ID" cat /proc/self/cgroup
	assert_status 0
	assert_output "0::/ocirt-rl-$ID/$ID"
	ocirt pause "$ID"
	assert_status 0
	[ "$(ct_status "$ID")" = paused ]
	[ "$(cat "$DELEG/$ID/cgroup.freeze")" = 1 ]
	ocirt resume "$ID"
	assert_status 0
	[ "$(ct_status "$ID")" = running ]
	ocirt update --memory 33554432 "$ID"
	assert_status 0
	[ "$(cat "$DELEG/$ID/memory.max")" = 33554432 ]
	ocirt ps "$ID"
	assert_status 0
	assert_contains "$output" "$pid"
	ocirt kill --all "$ID" KILL
	assert_status 0
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
	[ ! -e "$DELEG/$ID" ]
	assert_clean
}

# rlpm ARGS...: podman as the user, rootless, with storage of this test's own
# (vfs), ocirt (through a wrapper that logs its command lines) as the
# runtime, cgroupfs, no network, and no test mark (only the container gets it).
rlpm() {
	as_user env -u OCIRT_TEST_MARK HOME="$PMD/home" XDG_RUNTIME_DIR="$PMD/xdg" \
		timeout -k 5 120 podman --root "$PMD/storage" --runroot "$PMD/run" --tmpdir "$PMD/tmp" \
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime "$PMD/ocirt" \
		"$@" 3>&-
}

@test "rootless podman: run, exec and stop of the busybox image through ocirt" {
	command -v podman conmon newuidmap >/dev/null || skip "podman, conmon or uidmap is not installed"
	[ -n "$RL_SUBUID" ] || skip "useradd gave $RL_USER no subordinate ids"
	# short paths: conmon puts unix sockets below them
	PMD=$(mktemp -d /tmp/ocirt-rlpm.XXXXXX)
	chmod 755 "$PMD"
	mkdir -m 0700 "$PMD/xdg" "$PMD/home"
	base_bundle
	tar -C "$BASE_BUNDLE/rootfs" -cf "$PMD/rootfs.tar" .
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>%s\nexec %s "$@"\n' "$PMD/ocirt.log" "$OCIRT" >"$PMD/ocirt"
	chmod 755 "$PMD/ocirt"
	chown -R "$RL_UID:$RL_GID" "$PMD"

	run rlpm import "$PMD/rootfs.tar" localhost/ocirt-bb:1
	[ "$status" -eq 0 ]
	run rlpm run --rm --network none -e "OCIRT_TEST_MARK=$MARK" localhost/ocirt-bb:1 \
		sh -c 'id -u; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	# podman's own user namespace: the user, then its subordinate range
	[ "$(echo ${lines[1]})" = "0 $RL_UID 1" ]
	[ "$(echo ${lines[2]})" = "1 $RL_SUBUID $RL_SUBCOUNT" ]

	run rlpm run -d --network none -e "OCIRT_TEST_MARK=$MARK" localhost/ocirt-bb:1 sleep 1000
	[ "$status" -eq 0 ]
	ct=${lines[-1]}
	run rlpm exec "$ct" sh -c 'echo in; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = in ]
	run rlpm stop -t 1 "$ct"
	[ "$status" -eq 0 ]
	run rlpm inspect -f '{{.State.ExitCode}}' "$ct"
	[ "$output" = 137 ]
	run rlpm rm "$ct"
	[ "$status" -eq 0 ]
	for cmd in create start exec kill delete; do
		grep -Eq "(^| )$cmd( | .* )$ct( |\$)" "$PMD/ocirt.log" || {
			echo "ocirt $cmd was not run for $ct" >&2
			cat "$PMD/ocirt.log" >&2
			return 1
		}
	done
}
