#!/usr/bin/env bats
# Mounts, /dev, masked and read-only paths, sysctls.

load helpers

# add_mount JSON: append a mount to config.json.
add_mount() {
	update_config --argjson m "$1" '.mounts += [$m]'
}

# A command that prints "fstype options" of the mount at $1, from inside
# the container's /proc/self/mountinfo.
mnt_info() {
	echo "awk -v d=$1 '\$5 == d { for (i = 7; \$i != \"-\"; i++) opt = opt \" \" \$i; print \$(i + 1), \$6, opt, \$(i + 3); opt = \"\" }' /proc/self/mountinfo"
}

@test "bind mount read-only" {
	mkdir "$BATS_TEST_TMPDIR/src"
	echo content >"$BATS_TEST_TMPDIR/src/file"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/mnt", type: "none", source: $s, options: ["bind", "ro"]}')"
	run_ct sh -c 'cat /mnt/file; touch /mnt/new && echo wrote; true'
	assert_status 0
	assert_output content
	[ ! -e "$BATS_TEST_TMPDIR/src/new" ]
}

@test "bind mount read-write" {
	mkdir "$BATS_TEST_TMPDIR/src"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/data/rw", type: "bind", source: $s, options: ["rbind", "rw"]}')"
	run_ct sh -c 'echo from-container >/data/rw/new'
	assert_status 0
	[ "$(cat "$BATS_TEST_TMPDIR/src/new")" = from-container ]
}

@test "bind mount of a file" {
	echo "bound file" >"$BATS_TEST_TMPDIR/hostfile"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/hostfile" '{destination: "/etc/bound", type: "none", source: $s, options: ["bind"]}')"
	run_ct cat /etc/bound
	assert_status 0
	assert_output "bound file"
}

@test "tmpfs with options" {
	add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=700"]}'
	run_ct sh -c "$(mnt_info /mnt); stat -c %a /mnt"
	assert_status 0
	read -r fstype opts _ <<<"${lines[0]}"
	[ "$fstype" = tmpfs ]
	assert_contains "$opts" nosuid
	assert_contains "$opts" nodev
	assert_contains "$opts" noexec
	assert_contains "${lines[0]}" size=1024k
	[ "${lines[1]}" = 700 ]
}

@test "proc, sysfs, mqueue and devpts are mounted with their types" {
	run_ct sh -c "$(mnt_info /proc); $(mnt_info /sys); $(mnt_info /dev/mqueue); $(mnt_info /dev/pts); $(mnt_info /dev/shm); $(mnt_info /dev)"
	assert_status 0
	[ "${#lines[@]}" -eq 6 ]
	[ "${lines[0]%% *}" = proc ]
	[ "${lines[1]%% *}" = sysfs ]
	assert_contains "${lines[1]}" " ro"
	[ "${lines[2]%% *}" = mqueue ]
	[ "${lines[3]%% *}" = devpts ]
	assert_contains "${lines[3]}" ptmxmode=666
	[ "${lines[4]%% *}" = tmpfs ]
	[ "${lines[5]%% *}" = tmpfs ]
}

@test "sysfs mounted read-only cannot be written" {
	run_ct sh -c 'echo 1 >/sys/kernel/uevent_helper'
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "Read-only"
}

@test "mount propagation options" {
	mkdir "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/a" '{destination: "/shared", type: "none", source: $s, options: ["rbind", "rshared"]}')"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/b" '{destination: "/private", type: "none", source: $s, options: ["rbind", "rprivate"]}')"
	run_ct sh -c "$(mnt_info /shared); $(mnt_info /private)"
	assert_status 0
	assert_contains "${lines[0]}" "shared:"
	assert_not_contains "${lines[1]}" "shared:"
	assert_not_contains "${lines[1]}" "master:"
}

@test "rootfsPropagation shared and private" {
	update_config '.linux.rootfsPropagation = "shared"'
	run_ct sh -c "$(mnt_info /)"
	assert_status 0
	assert_contains "$output" "shared:"

	update_config '.linux.rootfsPropagation = "private"'
	run_ct sh -c "$(mnt_info /)"
	assert_status 0
	[ -n "$output" ]
	assert_not_contains "$output" "shared:"
	assert_not_contains "$output" "master:"
}

@test "rootfsPropagation unbindable comes after the mounts: binds from other mounts still work" {
	# Applied to the whole tree first, it made every bind fail with EINVAL.
	add_mount '{"destination": "/null", "type": "bind", "source": "/dev/null", "options": ["bind"]}'
	for p in unbindable runbindable; do
		update_config --arg p $p '.linux.rootfsPropagation = $p'
		run_ct sh -c "echo x >/null && $(mnt_info /)"
		assert_status 0
		assert_contains "$output" unbindable
	done
}

@test "a read-only root cannot be written, its tmpfs mounts can" {
	update_config '.root.readonly = true'
	run_ct sh -c 'touch /x 2>&1 || echo refused; touch /tmp/x 2>&1 || echo refused; touch /dev/shm/x && echo shm-ok'
	assert_status 0
	[ "${lines[1]}" = refused ]
	[ "${lines[3]}" = refused ]
	assert_contains "${lines[0]}" "Read-only file system"
	[ "${lines[4]}" = shm-ok ]
	[ ! -e "$BUNDLE/rootfs/x" ]
	[ ! -e "$BUNDLE/rootfs/tmp/x" ]
}

@test "--no-pivot runs the container in its rootfs" {
	echo inside >"$BUNDLE/rootfs/marker"
	set_args sh -c 'cat /marker; [ -d /usr/lib/x86_64-linux-gnu ] || [ -d /usr/lib/aarch64-linux-gnu ] || echo no-host-files; ls /'
	ocirt run --no-pivot -b "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = inside ]
	[ "${lines[1]}" = no-host-files ]
	assert_contains "$output" marker
}

# Two bind mounts whose targets are behind symlinks in the rootfs that point
# out of it (absolute, and relative with too many ..), onto $BATS_TEST_TMPDIR/outside.
add_symlinked_mounts() {
	mkdir "$BATS_TEST_TMPDIR/outside" "$BATS_TEST_TMPDIR/src"
	echo from-src >"$BATS_TEST_TMPDIR/src/file"
	ln -s "$BATS_TEST_TMPDIR/outside" "$BUNDLE/rootfs/abs-link"
	ln -s "../../../../../../../../../../$BATS_TEST_TMPDIR/outside" "$BUNDLE/rootfs/rel-link"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/abs-link/sub", type: "none", source: $s, options: ["bind"]}')"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/rel-link/sub2", type: "none", source: $s, options: ["bind"]}')"
}

@test "--no-pivot with rootfsPropagation shared leaves the runtime's /proc and /sys mounted" {
	# The host's proc and sysfs are taken out of the container's namespace
	# before the chroot; under a shared "/" that unmount used to propagate
	# to the runtime's own namespace. Here "/" is rshared and the rootfs a
	# mount of its own, as with an overlay.
	local m=$BATS_TEST_TMPDIR/m
	mkdir "$m"
	update_config --arg r "$m/rootfs" '.root.path = $r | .linux.rootfsPropagation = "shared" | .process.args = ["true"]'
	run env OCIRT_TEST_MARK=$MARK unshare -m --propagation unchanged sh -c '
		mount --make-rshared / && mount -t tmpfs tmpfs "$1" && cp -a "$2/rootfs" "$1/" &&
		"$3" --root "$4" run --no-pivot -b "$2" "$5" 3>&- && echo ran &&
		[ -r /proc/self/stat ] && echo proc && [ -d /sys/kernel ] && echo sys' sh "$m" "$BUNDLE" "$OCIRT" "$ROOT" "$ID"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'ran\nproc\nsys')" ]
}

@test "a mount target behind a symlink that points outside the rootfs stays inside" {
	add_symlinked_mounts
	run_ct sh -c 'cat /abs-link/sub/file /rel-link/sub2/file'
	assert_status 0
	[ "${lines[0]}" = from-src ]
	[ "${lines[1]}" = from-src ]
	# nothing was made on the host side of the links
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ]
	[ -d "$BUNDLE/rootfs$BATS_TEST_TMPDIR/outside/sub" ]
}

@test "a mount destination that is a dangling symlink is followed inside the rootfs and created" {
	# runc and crun: the link's target is made (file or directory) and
	# mounted on; a target outside the rootfs means inside it.
	local out=$BATS_TEST_TMPDIR/outside
	mkdir "$out" "$BATS_TEST_TMPDIR/dir"
	echo from-file >"$BATS_TEST_TMPDIR/file"
	echo from-dir >"$BATS_TEST_TMPDIR/dir/in"
	ln -s "$out/f" "$BUNDLE/rootfs/etc/abs-file"
	ln -s ../../../../../../../../..$out/d "$BUNDLE/rootfs/etc/rel-dir"
	ln -s abs-file "$BUNDLE/rootfs/etc/chain"
	ln -s /data/t "$BUNDLE/rootfs/etc/tmp-link"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/file" '{destination: "/etc/chain", type: "bind", source: $s, options: ["bind"]}')"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/dir" '{destination: "/etc/rel-dir", type: "bind", source: $s, options: ["rbind"]}')"
	add_mount '{"destination": "/etc/tmp-link", "type": "tmpfs", "source": "tmpfs"}'
	run_ct sh -c "cat $out/f /etc/abs-file $out/d/in; $(mnt_info /data/t)"
	assert_status 0
	[ "${lines[0]}" = from-file ]
	[ "${lines[1]}" = from-file ]
	[ "${lines[2]}" = from-dir ]
	assert_contains "${lines[3]}" tmpfs
	# made in the rootfs, nothing on the host side of the links
	[ -z "$(ls -A "$out")" ]
	[ -f "$BUNDLE/rootfs$out/f" ] && [ -d "$BUNDLE/rootfs$out/d" ] && [ -d "$BUNDLE/rootfs/data/t" ]
}

@test "a bind mount on / goes over the rootfs, and the mounts after it go on top" {
	# runc: the source becomes the container's root; the rootfs is untouched.
	local alt=$BATS_TEST_TMPDIR/alt
	cp -a "$BUNDLE/rootfs" "$alt"
	echo alt >"$alt/marker"
	update_config --arg s "$alt" '.mounts = [{destination: "/", type: "bind", source: $s, options: ["rbind", "ro"]}] + .mounts'
	run_ct sh -c "cat /marker; $(mnt_info /); $(mnt_info /proc); touch /x || echo read-only"
	assert_status 0
	[ "${lines[0]}" = alt ]
	assert_contains "${lines[1]}" " ro"
	assert_contains "${lines[2]}" proc
	[ "${lines[3]}" = read-only ]
	[ ! -e "$BUNDLE/rootfs/marker" ]
	# only a bind mount may go there
	update_config '.mounts[0] = {destination: "/", type: "tmpfs", source: "tmpfs"}'
	ocirt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "mounts[0]: destination / is the rootfs itself"
	assert_clean
}

@test "a mount destination with .. does not leave the rootfs" {
	mkdir "$BATS_TEST_TMPDIR/src"
	echo from-src >"$BATS_TEST_TMPDIR/src/file"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/../../../../../../../escape-dotdot", type: "none", source: $s, options: ["bind"]}')"
	run_ct cat /escape-dotdot/file
	assert_status 0
	assert_output from-src
	[ ! -e /escape-dotdot ]
}

@test "with openat2 refused (ENOSYS), the component walk keeps symlinked and .. targets inside" {
	command -v strace >/dev/null || skip "strace is not installed"
	cc -O2 -Wall -o "$BATS_TEST_TMPDIR/refuse" "$BATS_TEST_DIRNAME/helpers/refuse.c" -lseccomp
	# ocirt runs as on a kernel without openat2; strace proves it tried and fell back.
	local real=$OCIRT trace=$BATS_TEST_TMPDIR/openat2.trace
	OCIRT=$BATS_TEST_TMPDIR/ocirt-noopenat2
	printf '#!/bin/sh\nexec strace -f -qq -e trace=openat2 -e signal=none -o %s %s openat2 ENOSYS %s "$@"\n' \
		"$trace" "$BATS_TEST_TMPDIR/refuse" "$real" >"$OCIRT"
	chmod +x "$OCIRT"
	add_symlinked_mounts
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/../../../../../../../escape-dotdot", type: "none", source: $s, options: ["bind"]}')"
	run_ct sh -c 'cat /abs-link/sub/file /rel-link/sub2/file /escape-dotdot/file'
	assert_status 0
	[ "${lines[0]}" = from-src ]
	[ "${lines[1]}" = from-src ]
	[ "${lines[2]}" = from-src ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ]
	[ -d "$BUNDLE/rootfs$BATS_TEST_TMPDIR/outside/sub" ]
	[ ! -e /escape-dotdot ]
	grep -q 'openat2(.*= -1 ENOSYS' "$trace"
	# after the first ENOSYS the runtime stops asking
	[ "$(grep -c "openat2(" "$trace")" -lt 5 ]
}

@test "a rootfs whose /proc, /sys or /dev is a symlink is refused, even to a place inside" {
	mkdir "$BATS_TEST_TMPDIR/outside" "$BUNDLE/rootfs/inside"
	set_args true
	local d
	for d in proc sys dev; do
		mv "$BUNDLE/rootfs/$d" "$BUNDLE/rootfs/$d.real"
		for target in "$BATS_TEST_TMPDIR/outside" /inside; do
			ln -sfn "$target" "$BUNDLE/rootfs/$d"
			ocirt run -b "$BUNDLE" "$ID"
			[ "$status" -ne 0 ]
			assert_contains "$stderr" "/$d in rootfs is a symlink"
			assert_clean
		done
		rm "$BUNDLE/rootfs/$d"
		mv "$BUNDLE/rootfs/$d.real" "$BUNDLE/rootfs/$d"
	done
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ]
	[ -z "$(ls -A "$BUNDLE/rootfs/inside")" ]
	# and the same rootfs with real directories runs
	run_ct true
	assert_status 0
}

@test "default /dev entries exist with the right types" {
	run_ct sh -c '
		for d in null zero full random urandom tty; do stat -c "%n %F %t %T %a" /dev/$d; done
		stat -L -c "%n %F %t %T" /dev/ptmx
		for d in pts shm mqueue; do stat -c "%n %F" /dev/$d; done
		for l in fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done
		head -c 5 /dev/zero | wc -c
		echo x >/dev/full || echo full-refused
		echo x >/dev/null && echo null-ok'
	assert_status 0
	[ "${lines[0]}" = "/dev/null character special file 1 3 666" ]
	[ "${lines[1]}" = "/dev/zero character special file 1 5 666" ]
	[ "${lines[2]}" = "/dev/full character special file 1 7 666" ]
	[ "${lines[3]}" = "/dev/random character special file 1 8 666" ]
	[ "${lines[4]}" = "/dev/urandom character special file 1 9 666" ]
	[ "${lines[5]}" = "/dev/tty character special file 5 0 666" ]
	[ "${lines[6]}" = "/dev/ptmx character special file 5 2" ]
	[ "${lines[7]}" = "/dev/pts directory" ]
	[ "${lines[8]}" = "/dev/shm directory" ]
	[ "${lines[9]}" = "/dev/mqueue directory" ]
	[ "${lines[10]}" = "fd -> /proc/self/fd" ]
	[ "${lines[11]}" = "stdin -> /proc/self/fd/0" ]
	[ "${lines[12]}" = "stdout -> /proc/self/fd/1" ]
	[ "${lines[13]}" = "stderr -> /proc/self/fd/2" ]
	[ "${lines[14]}" = 5 ]
	[ "${lines[15]}" = full-refused ]
	[ "${lines[16]}" = null-ok ]
}

@test "/dev holds no host devices" {
	run_ct ls /dev
	assert_status 0
	assert_not_contains "$output" sda
	assert_not_contains "$output" vda
	assert_not_contains "$output" kmsg
	assert_not_contains "$output" mem
}

@test "linux.devices makes device nodes with mode and owner" {
	update_config '.linux.devices = [
		{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 416, "uid": 1000, "gid": 5},
		{"path": "/dev/sub/myzero", "type": "c", "major": 1, "minor": 5}]'
	run_ct sh -c 'stat -c "%n %F %t %T %a %u %g" /dev/mynull; stat -c "%n %F %t %T" /dev/sub/myzero'
	assert_status 0
	[ "${lines[0]}" = "/dev/mynull character special file 1 3 640 1000 5" ]
	[ "${lines[1]}" = "/dev/sub/myzero character special file 1 5" ]
}

@test "maskedPaths: a masked file reads empty, a masked directory is empty" {
	echo secret >"$BUNDLE/rootfs/etc/secret"
	mkdir "$BUNDLE/rootfs/secretdir"
	echo secret >"$BUNDLE/rootfs/secretdir/file"
	# a file of the default list that this kernel has
	procfile=
	for f in /proc/kcore /proc/timer_list /proc/keys /proc/sched_debug; do
		[ -e "$f" ] && procfile=$f && break
	done
	[ -n "$procfile" ]
	[ -s "$procfile" ] || [ "$(head -c 1 "$procfile" | wc -c)" -eq 1 ]
	update_config '.linux.maskedPaths += ["/etc/secret", "/secretdir", "/does/not/exist"]'
	run_ct sh -c "wc -c </etc/secret; ls -A /secretdir | wc -l; head -c 100 $procfile | wc -c; ls -A /sys/firmware | wc -l"
	assert_status 0
	[ "$(echo $output)" = "0 0 0 0" ]
	# the host's files are untouched
	[ "$(cat "$BUNDLE/rootfs/etc/secret")" = secret ]
}

@test "readonlyPaths cannot be written" {
	mkdir "$BUNDLE/rootfs/data"
	update_config '.linux.readonlyPaths += ["/data", "/does/not/exist"]'
	# uid 0 may write net sysctls without capabilities: only the read-only
	# mount on /proc/sys stops it
	run_ct sh -c 'touch /data/x || echo refused; echo 0 >/proc/sys/net/ipv4/ip_forward || echo refused; touch /tmp/x && echo tmp-ok'
	assert_status 0
	[ "$(grep -c refused <<<"$output")" -eq 2 ]
	[ "$(grep -c "Read-only file system" <<<"$stderr")" -eq 2 ]
	assert_contains "$output" tmp-ok
	[ ! -e "$BUNDLE/rootfs/data/x" ]
}

@test "sysctls are set inside, not on the host" {
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shmmax=$(cat /proc/sys/kernel/shmmax)
	want_fwd=$((1 - host_fwd))
	update_config --arg f "$want_fwd" '.linux.sysctl = {"net.ipv4.ip_forward": $f, "kernel.shmmax": "123456789"}'
	run_ct sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax'
	assert_status 0
	[ "${lines[0]}" = "$want_fwd" ]
	[ "${lines[1]}" = 123456789 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	[ "$(cat /proc/sys/kernel/shmmax)" = "$host_shmmax" ]
}

@test "a cgroup mount shows the container's cgroups read-only" {
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}'
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		run_ct sh -c 'cat /sys/fs/cgroup/cgroup.controllers >/dev/null && echo v2; mkdir /sys/fs/cgroup/x 2>/dev/null || echo ro'
		assert_status 0
		assert_output "$(printf 'v2\nro')"
	else
		run_ct sh -c 'ls /sys/fs/cgroup; mkdir /sys/fs/cgroup/pids/x 2>/dev/null || echo ro'
		assert_status 0
		assert_contains "$output" pids
		assert_contains "$output" memory
		[ "${lines[-1]}" = ro ]
	fi
}

@test "mounts are gone from the host after the container" {
	mkdir "$BATS_TEST_TMPDIR/src"
	add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/mnt", type: "none", source: $s, options: ["bind"]}')"
	start_sleeper
	[ -z "$(test_mounts)" ]
	ocirt delete --force "$ID"
	assert_status 0
	assert_clean
}
