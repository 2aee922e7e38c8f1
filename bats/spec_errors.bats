#!/usr/bin/env bats
# Bad bundles: create must fail with an error that names what is wrong, and
# leave no state dir, process, mount or cgroup behind.

load helpers

# expect_create_error TEXT...: create fails and stderr contains every TEXT.
expect_create_error() {
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || false
	local t
	for t in "$@"; do
		assert_contains "$stderr" "$t"
	done
	ocirt state "$ID"
	[ "$status" -ne 0 ]
	assert_clean
}

@test "empty process.args" {
	update_config '.process.args = []'
	expect_create_error process.args
}

@test "empty string as process.args[0]" {
	update_config '.process.args = [""]'
	expect_create_error process.args
}

@test "relative process.cwd" {
	update_config '.process.cwd = "tmp"'
	expect_create_error process.cwd
}

@test "process.args is not an array" {
	update_config '.process.args = "sh"'
	expect_create_error process.args
}

@test "process.terminal is not a boolean" {
	update_config '.process.terminal = "yes"'
	expect_create_error process.terminal
}

@test "process.user.uid is a string" {
	update_config '.process.user.uid = "0"'
	expect_create_error process.user.uid
}

@test "hostname is a number" {
	update_config '.hostname = 5'
	expect_create_error hostname
}

@test "mounts is an object" {
	update_config '.mounts = {}'
	expect_create_error mounts
}

@test "process.env entries are not strings" {
	update_config '.process.env = [1, 2]'
	expect_create_error process.env
}

@test "duplicate keys" {
	jq -c . "$BUNDLE/config.json" | sed 's/"hostname":"ocirt"/"hostname":"a","hostname":"b"/' \
		>"$BUNDLE/config.new"
	grep -q '"hostname":"a","hostname":"b"' "$BUNDLE/config.new"
	mv "$BUNDLE/config.new" "$BUNDLE/config.json"
	expect_create_error duplicate hostname
}

@test "unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "nosuchns"}]'
	expect_create_error linux.namespaces nosuchns
}

@test "the same namespace twice" {
	update_config '.linux.namespaces += [{"type": "pid"}]'
	expect_create_error linux.namespaces
}

@test "process.user.uid out of range" {
	update_config '.process.user.uid = 4294967296'
	expect_create_error process.user.uid
	update_config '.process.user.uid = -1'
	expect_create_error process.user.uid
}

@test "process.user.gid out of range" {
	update_config '.process.user.gid = 4294967296'
	expect_create_error process.user.gid
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	expect_create_error config.json
}

@test "missing bundle directory" {
	BUNDLE=$BATS_TEST_TMPDIR/nosuchbundle
	expect_create_error nosuchbundle
}

@test "invalid JSON" {
	head -c 100 "$BUNDLE/config.json" >"$BUNDLE/config.new"
	mv "$BUNDLE/config.new" "$BUNDLE/config.json"
	expect_create_error config.json
}

@test "config.json is not an object" {
	echo '["sh"]' >"$BUNDLE/config.json"
	expect_create_error config.json
}

@test "missing root.path directory" {
	update_config '.root.path = "nosuchrootfs"'
	expect_create_error root.path
}

@test "missing process: run fails and leaves nothing (create alone is fine, see lifecycle.bats)" {
	update_config 'del(.process)'
	ocirt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || false
	assert_contains "$stderr" "no process"
	ocirt state "$ID"
	[ "$status" -ne 0 ]
	assert_clean
}

@test "missing ociVersion" {
	update_config 'del(.ociVersion)'
	expect_create_error ociVersion
}

@test "unknown rlimit type" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOSUCH", "hard": 1, "soft": 1}]'
	expect_create_error process.rlimits RLIMIT_NOSUCH
}

@test "rlimit soft above hard" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 10, "soft": 20}]'
	expect_create_error process.rlimits
}

@test "empty mount destination" {
	update_config '.mounts += [{"destination": "", "type": "tmpfs", "source": "tmpfs"}]'
	expect_create_error mounts
}

@test "hostname without a uts namespace" {
	update_config '.linux.namespaces |= map(select(.type != "uts"))'
	expect_create_error hostname uts
}

@test "uidMappings without a user namespace" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}]'
	expect_create_error linux.uidMappings
}

@test "a user namespace without mappings" {
	update_config '.linux.namespaces += [{"type": "user"}]'
	expect_create_error linux.uidMappings
}

@test "a sysctl that is not namespaced" {
	update_config '.linux.sysctl = {"kernel.pid_max": "4000"}'
	expect_create_error linux.sysctl kernel.pid_max
}

@test "a network sysctl without a network namespace" {
	update_config '.linux.namespaces |= map(select(.type != "network"))
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	expect_create_error linux.sysctl net.ipv4.ip_forward
}

@test "a kernel.hostname sysctl conflicts with the hostname field" {
	update_config '.hostname = "box" | .linux.sysctl = {"kernel.hostname": "other"}'
	expect_create_error 'linux.sysctl["kernel.hostname"]' hostname
	# the field being unset does not make it right: hostname is the way (runc, crun)
	update_config 'del(.hostname) | .linux.sysctl = {"kernel/hostname": "other"}'
	expect_create_error 'linux.sysctl["kernel/hostname"]' '"hostname" field'
}

@test "a kernel.domainname sysctl that differs from the domainname field" {
	update_config '.domainname = "a.example" | .linux.sysctl = {"kernel.domainname": "b.example"}'
	expect_create_error 'linux.sysctl["kernel.domainname"]' '"domainname" field'
	# the same value is no conflict
	update_config '.linux.sysctl = {"kernel.domainname": "a.example"} | .process.args = ["cat", "/proc/sys/kernel/domainname"]'
	ocirt run -b "$BUNDLE" "$ID"
	assert_status 0
	assert_output a.example
}

@test "timeOffsets without a time namespace" {
	update_config '.linux.timeOffsets = {"boottime": {"secs": 100, "nanosecs": 0}}'
	expect_create_error linux.timeOffsets
}

@test "unknown seccomp action" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_NOSUCH"}'
	expect_create_error linux.seccomp SCMP_ACT_NOSUCH
}

@test "a namespace path that is not a namespace" {
	update_config --arg p "$BUNDLE/config.json" '.linux.namespaces |= map(if .type == "uts" then .path = $p else . end)'
	expect_create_error "$BUNDLE/config.json"
}

# Errors found after the container's init was cloned: the init and whatever it
# set up must be gone too.

@test "args[0] that is not in the rootfs" {
	update_config '.process.args = ["nosuchprogram"]'
	expect_create_error nosuchprogram
}

@test "args[0] that is not executable" {
	chmod 0644 "$BUNDLE/rootfs/etc/passwd"
	update_config '.process.args = ["/etc/passwd"]'
	expect_create_error /etc/passwd
}

@test "bind mount of a missing source" {
	update_config --arg src "$BATS_TEST_TMPDIR/nosuchdir" \
		'.mounts += [{"destination": "/mnt", "type": "none", "source": $src, "options": ["bind"]}]'
	expect_create_error nosuchdir
}

@test "mount of an unknown filesystem type" {
	update_config '.mounts += [{"destination": "/mnt", "type": "nosuchfs", "source": "none"}]'
	expect_create_error /mnt
}

@test "a failing createRuntime hook" {
	update_config '.hooks.createRuntime = [{"path": "/bin/false"}]'
	expect_create_error createRuntime
}

@test "run with a bad config fails the same way" {
	update_config '.process.cwd = "relative"'
	ocirt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" process.cwd
	ocirt run -d -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" process.cwd
	assert_clean
}

@test "a failed create does not disturb an existing container" {
	set_args sleep 100
	ocirt run -d -b "$BUNDLE" "$ID-ok"
	assert_status 0
	update_config '.process.args = ["nosuchprogram"]'
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ "$(ct_status "$ID-ok")" = running ]
	ocirt list -q
	assert_output "$ID-ok"
}

# refused_fast WANT ARGS...: `ocirt ARGS` fails within a second and says
# WANT. Its memory is capped, so that a runtime that reads on and on fails
# instead of taking the host's (not under AddressSanitizer, whose shadow
# memory alone is terabytes of address space); it is killed after 10 seconds.
refused_fast() {
	local want=$1 t0=$EPOCHREALTIME ms
	shift
	status=0
	(
		[ -n "${ASAN_OPTIONS:-}" ] || ulimit -v 1048576
		exec env OCIRT_TEST_MARK="$MARK" timeout -s KILL 10 "$OCIRT" --root "$ROOT" "$@"
	) <"${OCIRT_STDIN:-/dev/null}" >"$BATS_TEST_TMPDIR/refused.out" 2>"$BATS_TEST_TMPDIR/refused.err" 3>&- ||
		status=$?
	ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
	stderr=$(cat "$BATS_TEST_TMPDIR/refused.err")
	echo "\$ ocirt $* -> $status after ${ms} ms: $stderr" >&2
	[ "$status" -ne 0 ] && [ "$status" -ne 137 ] || false
	assert_contains "$stderr" "$want"
	[ "$ms" -lt 1000 ]
}

# bad_json_file PATH: make PATH, in turn, each kind of file that must be
# refused, and run CHECK (the rest of the arguments) on each.
bad_json_file() {
	local f=$1
	shift
	rm -f "$f"
	ln -s /dev/zero "$f"
	"$@" "not a regular file (a character device)"
	rm "$f"
	mkfifo "$f"
	"$@" "not a regular file (a FIFO)"
	rm "$f"
	truncate -s 10G "$f"
	"$@" "10737418240 bytes, more than the 16 MiB limit"
	rm "$f"
}

@test "JSON files that are not regular files, or too large, are refused at once" {
	# config.json: a symlink to /dev/zero, a FIFO no one writes, a 10 GB sparse file
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.json"
	check_create() {
		refused_fast "$BUNDLE/config.json: $1" create -b "$BUNDLE" "$ID"
		assert_clean
	}
	bad_json_file "$BUNDLE/config.json" check_create
	cp "$BATS_TEST_TMPDIR/config.json" "$BUNDLE/config.json"

	# exec --process and update -r, on a running container
	start_sleeper
	p=$BATS_TEST_TMPDIR/p.json
	check_exec() { refused_fast "$p: $1" exec --process "$p" "$ID"; }
	bad_json_file "$p" check_exec
	check_update() { refused_fast "$p: $1" update -r "$p" "$ID"; }
	bad_json_file "$p" check_update
	# From standard input too, which is read up to the limit.
	OCIRT_STDIN=/dev/zero refused_fast "standard input: more than the 16 MiB limit" update -r - "$ID"

	# state.json
	s=$ROOT/$ID/state.json
	cp "$s" "$BATS_TEST_TMPDIR/state.json"
	check_state() { refused_fast "state.json: $1" state "$ID"; }
	bad_json_file "$s" check_state
	cp "$BATS_TEST_TMPDIR/state.json" "$s"
	[ "$(ct_status "$ID")" = running ]
}

@test "linux.intelRdt without a resctrl filesystem fails create, and features says it is off" {
	! awk '$0 ~ / - resctrl / { found = 1 } END { exit !found }' /proc/self/mountinfo ||
		skip "resctrl is mounted here"
	update_config '.linux.intelRdt = {"closID": "gold", "l3CacheSchema": "L3:0=ff", "enableMonitoring": true}'
	expect_create_error "linux.intelRdt: no resctrl filesystem is mounted"
	update_config '.linux.intelRdt = {}'
	expect_create_error "linux.intelRdt: no resctrl filesystem is mounted"
	ocirt features
	assert_status 0
	[ "$(echo "$output" | jq -c .linux.intelRdt)" = '{"enabled":false,"schemata":false,"monitoring":false}' ]
}
