#!/usr/bin/env bats
# A container with its own user namespace, run by root (as Kubernetes'
# hostUsers: false and podman --userns=auto do): what the runtime prepares
# on the host's side before the init enters that namespace (bind sources,
# idmapped mounts, linux.devices), and sysfs without a network namespace.

load helpers

setup() {
	setup_common
	open_dirs_above "$BUNDLE"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	# host files for the mounts, below a directory only root may enter
	SECRET=$BATS_TEST_TMPDIR/secret
	mkdir -m 0700 "$SECRET"
	mkdir -m 0755 "$SECRET/data"
	echo hello >"$SECRET/data/file"
	chmod 0644 "$SECRET/data/file"
}

# bind SOURCE DEST OPTIONS-JSON [MOUNT-FIELDS-JSON]: add a bind mount. Its
# mount point is made in the rootfs (host root's: the container may not).
bind() {
	if [ -d "$1" ]; then mkdir -p "$BUNDLE/rootfs$2"; else touch "$BUNDLE/rootfs$2"; fi
	update_config --arg s "$1" --arg d "$2" --argjson o "$3" --argjson x "${4:-{\}}" \
		'.mounts += [{"destination": $d, "type": "bind", "source": $s, "options": $o} + $x]'
}

@test "userns: a bind source inside a directory only host root may enter is read" {
	bind "$SECRET/data" /data '["bind", "ro"]'
	bind "$SECRET/data/file" /one-file '["bind"]'
	run_ct sh -c 'cat /data/file /one-file; touch /data/new'
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = hello ]
	assert_contains "$stderr" "Read-only file system"
}

@test "userns: idmapped mounts show host files with the owners the mapping gives, recursively with ridmap" {
	# a submount below the source, for rbind with idmap and ridmap
	mkdir "$SECRET/data/sub"
	mount -t tmpfs tmpfs "$SECRET/data/sub"
	echo in-sub >"$SECRET/data/sub/f"
	chown 0:0 "$SECRET/data/file" "$SECRET/data/sub/f"
	chown 1000:1000 "$SECRET/data/sub"
	# the mount's own mapping, the same as the container's
	maps='{"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
		"gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}'
	bind "$SECRET/data" /own '["rbind", "ridmap"]' "$maps"
	# no mapping of its own: the container's
	bind "$SECRET/data" /cts '["rbind", "idmap"]'
	run_ct sh -c 'stat -c "%u %g" /own/file /own/sub /own/sub/f /cts/file /cts/sub/f;
		touch /own/made-inside; cat /own/sub/f'
	umount "$SECRET/data/sub"
	assert_status 0
	# host 0:0 is the container's 0:0; 1000 stays 1000
	[ "${lines[0]}" = "0 0" ]
	[ "${lines[1]}" = "1000 1000" ]
	[ "${lines[2]}" = "0 0" ]
	[ "${lines[3]}" = "0 0" ]
	# idmap without the r: the submount keeps the host's ids, unmapped here
	[ "${lines[4]}" = "65534 65534" ]
	[ "${lines[5]}" = in-sub ]
	# written through the mapping: the container's root is host root on this mount
	[ "$(stat -c '%u %g' "$SECRET/data/made-inside")" = "0 0" ]
}

@test "userns: an idmapped mount without a user namespace of the container's own" {
	update_config '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'
	mkdir "$SECRET/data/sub"
	mount -t tmpfs tmpfs "$SECRET/data/sub"
	chown 0:0 "$SECRET/data/file" "$SECRET/data/sub"
	maps='{"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
		"gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}]}'
	bind "$SECRET/data" /r '["rbind", "ridmap"]' "$maps"
	bind "$SECRET/data" /n '["rbind", "idmap"]' "$maps"
	run_ct stat -c '%u %g' /r/file /r/sub /n/file /n/sub
	umount "$SECRET/data/sub"
	assert_status 0
	# no user namespace here: the host's view of the mapping's ids
	[ "${lines[0]}" = "100000 200000" ]
	[ "${lines[1]}" = "100000 200000" ]
	[ "${lines[2]}" = "100000 200000" ]
	[ "${lines[3]}" = "0 0" ]
	# idmap without mappings and without a user namespace is an error
	update_config '.mounts[-1] |= del(.uidMappings, .gidMappings)'
	run_ct true
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "has no user namespace"
	assert_clean
}

@test "userns: linux.devices gets its mode, owner and numbers, as a nosuid,noexec bind mount" {
	# no such node on the host: the runtime makes it
	[ ! -e /dev/ocirt-null ]
	update_config '.linux.devices = [{"path": "/dev/ocirt-null", "type": "c", "major": 1, "minor": 3,
		"fileMode": 390, "uid": 5, "gid": 6}]'
	run_ct sh -c 'stat -c "%a %u %g %t %T %F" /dev/ocirt-null; echo x >/dev/ocirt-null && echo written;
		grep " /dev/ocirt-null " /proc/self/mountinfo'
	assert_status 0
	[ "${lines[0]}" = "606 5 6 1 3 character special file" ]
	[ "${lines[1]}" = written ]
	assert_contains "${lines[2]}" nosuid
	assert_contains "${lines[2]}" noexec
	assert_not_contains "${lines[2]}" nodev
	# nothing of it stays in the state dir
	assert_clean
}

@test "userns: a device owner the mapping does not cover is refused, leaving nothing" {
	update_config '.linux.devices = [{"path": "/dev/ocirt-null", "type": "c", "major": 1, "minor": 3,
		"uid": 70000}]'
	run_ct true
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "linux.devices[0].uid 70000 is not mapped by linux.uidMappings"
	assert_clean
}

@test "userns: sysfs without a network namespace is the host's /sys, read-only" {
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	run_ct sh -c 'ls /sys/class/net; grep " /sys " /proc/self/mountinfo; touch /sys/kernel/x'
	[ "$status" -ne 0 ]
	# the host's interfaces
	for n in /sys/class/net/*; do
		assert_contains "$output" "${n##*/}"
	done
	assert_contains "$output" " ro,"
	assert_contains "$stderr" "Read-only file system"
}
