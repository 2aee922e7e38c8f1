#!/usr/bin/env bats
# The command line itself: version, help, spec, features, logging, errors.

load helpers

@test "--version prints the version and the spec version" {
	ocirt --version
	assert_status 0
	assert_contains "$output" ocirt
	[[ "$output" =~ [0-9]+\.[0-9]+\.[0-9]+ ]]
	assert_contains "$output" "spec: 1."
}

@test "--version has runc's commit: and libseccomp: lines" {
	# dockerd runs `runtime --version` and reads these two lines.
	ocirt --version
	assert_status 0
	[[ "${lines[0]}" =~ ^ocirt\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	grep -qxE 'commit: [^ ]+' <<<"$output"
	grep -qxE 'spec: 1\.[0-9]+\.[0-9]+' <<<"$output"
	# the libseccomp linked in, as its own seccomp_version() reports it
	grep -qxE 'libseccomp: [0-9]+\.[0-9]+\.[0-9]+' <<<"$output"
	# the commit is one of this repository's (git describe at build time), or "unknown"
	local commit=${output#*commit: }
	commit=${commit%%$'\n'*}
	if [ "$commit" != unknown ] && git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$REPO" rev-parse -q --verify "${commit%-dirty}^{commit}" >/dev/null
	fi
}

@test "--help lists the commands" {
	ocirt --help
	assert_status 0
	for c in create start run state kill delete list spec features; do
		assert_contains "$output" "$c"
	done
	assert_contains "$output" --root
}

@test "a command's --help lists its flags" {
	ocirt create --help
	assert_status 0
	for f in --bundle --pid-file --console-socket --preserve-fds --no-pivot --no-new-keyring; do
		assert_contains "$output" "$f"
	done
	ocirt run --help
	assert_status 0
	assert_contains "$output" --detach
	ocirt kill --help
	assert_status 0
	assert_contains "$output" --all
	ocirt checkpoint --help
	assert_status 0
	for f in --image-path --work-path --parent-path --leave-running --tcp-established --ext-unix-sk \
		--shell-job --file-locks --pre-dump --manage-cgroups-mode --empty-ns --auto-dedup --lazy-pages \
		--page-server; do
		assert_contains "$output" "$f"
	done
	ocirt restore --help
	assert_status 0
	for f in --image-path --work-path --bundle --detach --pid-file --console-socket --no-subreaper \
		--no-pivot --manage-cgroups-mode --empty-ns --lazy-pages; do
		assert_contains "$output" "$f"
	done
}

@test "--version and features say whether checkpoint/restore is built in; without it, the commands say so" {
	ocirt features
	assert_status 0
	local enabled
	enabled=$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$output")
	local libcriu
	libcriu=$(jq -r '.annotations["io.github.checkpoint-restore.criu.libcriu.version"]' <<<"$output")
	ocirt --version
	assert_status 0
	if [ "$enabled" = true ]; then
		[[ $libcriu =~ ^[0-9]+\.[0-9]+ ]]
		assert_contains "$output" "libcriu: $libcriu (checkpoint/restore)"
		return
	fi
	[ "$enabled" = false ]
	[ "$libcriu" = null ]
	assert_contains "$output" "libcriu: none"
	ocirt checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$ID"
	assert_status 1
	assert_contains "$stderr" "checkpoint: checkpoint/restore is not available: this ocirt was built without libcriu"
	ocirt restore -d --image-path "$BATS_TEST_TMPDIR/img" -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "restore: checkpoint/restore is not available: this ocirt was built without libcriu"
	assert_clean
}

@test "an unknown command fails" {
	ocirt nosuchcommand
	[ "$status" -ne 0 ]
	assert_contains "$stderr" nosuchcommand
}

@test "an unknown flag fails" {
	ocirt create --nosuchflag -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" nosuchflag
	ocirt --nosuchglobal list
	[ "$status" -ne 0 ]
	assert_contains "$stderr" nosuchglobal
	assert_clean
}

@test "a missing container id fails" {
	for c in create start state kill delete run; do
		ocirt "$c"
		[ "$status" -ne 0 ]
		[ -n "$stderr" ]
	done
}

@test "spec writes a config.json that parses" {
	mkdir "$BATS_TEST_TMPDIR/spec"
	cd "$BATS_TEST_TMPDIR/spec"
	ocirt spec
	assert_status 0
	f=$BATS_TEST_TMPDIR/spec/config.json
	jq -e . "$f" >/dev/null
	[ "$(jq -r .ociVersion "$f")" = 1.3.0 ]
	[ "$(jq -c .process.args "$f")" = '["sh"]' ]
	[ "$(jq -r .root.path "$f")" = rootfs ]
	[ "$(jq -r .process.cwd "$f")" = / ]
	for t in pid mount ipc uts network; do
		jq -e --arg t "$t" '.linux.namespaces | map(.type) | index($t)' "$f" >/dev/null
	done
	[ "$(jq -r '.mounts | map(.destination) | index("/proc") != null' "$f")" = true ]
	# a second spec does not overwrite it
	ocirt spec
	[ "$status" -ne 0 ]
	assert_contains "$stderr" config.json
}

@test "spec --bundle writes into that directory" {
	mkdir "$BATS_TEST_TMPDIR/other"
	ocirt spec --bundle "$BATS_TEST_TMPDIR/other"
	assert_status 0
	jq -e .process "$BATS_TEST_TMPDIR/other/config.json" >/dev/null
}

@test "spec --rootless maps the caller's ids in a user namespace" {
	mkdir "$BATS_TEST_TMPDIR/rl"
	ocirt spec --rootless --bundle "$BATS_TEST_TMPDIR/rl"
	assert_status 0
	f=$BATS_TEST_TMPDIR/rl/config.json
	jq -e '.linux.namespaces | map(.type) | index("user")' "$f" >/dev/null
	[ "$(jq -r '.linux.namespaces | map(.type) | index("network")' "$f")" = null ]
	[ "$(jq -c '.linux.uidMappings[0]' "$f")" = "{\"containerID\":0,\"hostID\":$(id -u),\"size\":1}" ]
	[ "$(jq -c '.linux.gidMappings[0]' "$f")" = "{\"containerID\":0,\"hostID\":$(id -g),\"size\":1}" ]
	[ "$(jq -r '.linux.resources' "$f")" = null ]
}

@test "a bundle made from ocirt spec runs" {
	OCIRT=$OCIRT "$REPO/scripts/mkbundle" "$BATS_TEST_TMPDIR/specbundle"
	[ "$(jq -r .process.terminal "$BATS_TEST_TMPDIR/specbundle/config.json")" = false ]
	BUNDLE=$BATS_TEST_TMPDIR/specbundle
	update_config --arg m "OCIRT_TEST_MARK=$MARK" '.process.env += [$m]'
	run_ct sh -c 'echo hello; hostname'
	assert_status 0
	assert_output "$(printf 'hello\nocirt')"
}

@test "features prints what the runtime supports" {
	ocirt features
	assert_status 0
	jq -e . <<<"$output" >/dev/null
	[ "$(jq -r .ociVersionMin <<<"$output")" = 1.0.0 ]
	[ "$(jq -r .ociVersionMax <<<"$output")" = 1.3.0 ]
	for t in cgroup ipc mount network pid time user uts; do
		jq -e --arg t "$t" '.linux.namespaces | index($t)' <<<"$output" >/dev/null
	done
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		jq -e --arg h "$h" '.hooks | index($h)' <<<"$output" >/dev/null
	done
	for o in bind rbind ro rw nosuid nodev noexec rprivate rshared rslave idmap ridmap; do
		jq -e --arg o "$o" '.mountOptions | index($o)' <<<"$output" >/dev/null
	done
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' <<<"$output" >/dev/null
	[ "$(jq -r .linux.seccomp.enabled <<<"$output")" = true ]
	[ "$(jq -r .linux.mountExtensions.idmap.enabled <<<"$output")" = true ]
}

@test "--log with --log-format json writes one JSON object per line" {
	log=$BATS_TEST_TMPDIR/log.json
	ocirt --log "$log" --log-format json state "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "does not exist"
	ocirt --log "$log" --log-format json kill "$ID"
	[ "$status" -ne 0 ]
	[ "$(wc -l <"$log")" -ge 2 ]
	while IFS= read -r l; do
		jq -e 'type == "object" and (.level | type) == "string" and (.msg | type) == "string" and (.time | type) == "string"' <<<"$l" >/dev/null
	done <"$log"
	[ "$(head -n1 "$log" | jq -r .level)" = error ]
	assert_contains "$(head -n1 "$log" | jq -r .msg)" "does not exist"
	[[ "$(head -n1 "$log" | jq -r .time)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2} ]]
}

@test "--log with the text format" {
	log=$BATS_TEST_TMPDIR/log.txt
	ocirt --log "$log" state "$ID"
	[ "$status" -ne 0 ]
	grep -q 'level=error' "$log"
	grep -q 'does not exist' "$log"
}

@test "--log records errors from inside the container's setup" {
	log=$BATS_TEST_TMPDIR/log.json
	update_config '.process.args = ["nosuchprogram"]'
	ocirt --log "$log" --log-format json create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	# exactly one error object per failed command (engines read the last one)
	[ "$(jq -s '[.[] | select(.level == "error")] | length' "$log")" -eq 1 ]
	assert_contains "$(jq -r 'select(.level == "error") | .msg' "$log")" 'exec: "nosuchprogram": executable file not found in $PATH'
	ocirt --log "$log" --log-format json create -b "$BUNDLE/nosuch" "$ID"
	[ "$status" -ne 0 ]
	[ "$(jq -s '[.[] | select(.level == "error")] | length' "$log")" -eq 2 ]
	assert_clean
}

# debug_msgs FILE: the messages of the debug objects in a JSON log, after
# checking that each has its timing as numbers.
debug_msgs() {
	jq -e -s 'map(select(.level == "debug")) | length > 0 and
		all(.[]; (.step_ms | type) == "number" and (.total_ms | type) == "number" and .total_ms >= .step_ms
			and (.time | type) == "string")' "$1" >/dev/null
	jq -r 'select(.level == "debug") | .msg' "$1"
}

@test "--debug logs each step of create, start, exec and delete, with its timing" {
	local log=$BATS_TEST_TMPDIR/debug.json msgs
	set_args sleep 100
	ocirt --debug --log "$log" --log-format json create -b "$BUNDLE" "$ID"
	assert_status 0
	msgs=$(debug_msgs "$log")
	# the runtime's steps and the init's, which it forwards
	assert_contains "$msgs" "create $ID: config.json of bundle"
	assert_contains "$msgs" "create: cloned pid"
	assert_contains "$msgs" "init: namespaces made and joined"
	assert_contains "$msgs" "init: pivot_root into the rootfs"
	assert_contains "$msgs" "will exec /bin/sleep"
	assert_contains "$msgs" "create: state saved, container $ID created"
	# the container's own output got none of it
	[ -z "$stderr" ]
	: >"$log"
	ocirt --debug --log "$log" --log-format json start "$ID"
	assert_status 0
	msgs=$(debug_msgs "$log")
	assert_contains "$msgs" "start $ID: state dir locked, container created"
	assert_contains "$msgs" "start: exec fifo written"
	: >"$log"
	ocirt --debug --log "$log" --log-format json exec "$ID" true
	assert_status 0
	msgs=$(debug_msgs "$log")
	assert_contains "$msgs" "exec into $ID: container running"
	assert_contains "$msgs" "exec: child in the container's cgroup and namespaces"
	assert_contains "$msgs" "will exec /bin/true"
	assert_contains "$msgs" "exec: the process exited (status 0)"
	# text, to stderr without --log
	ocirt --debug delete -f "$ID"
	assert_status 0
	grep -q '^time="[^"]*" level=debug msg="delete '"$ID"': state dir locked, container running" step_ms=[0-9.]* total_ms=[0-9.]*$' <<<"$stderr"
	grep -q 'level=debug msg="delete: state dir removed"' <<<"$stderr"
}

@test "without --debug nothing is logged but errors" {
	local log=$BATS_TEST_TMPDIR/quiet.json
	set_args true
	ocirt --log "$log" --log-format json run -b "$BUNDLE" "$ID"
	assert_status 0
	[ ! -s "$log" ]
	[ -z "$stderr" ]
}

@test "an unknown --log-format fails" {
	ocirt --log-format yaml list
	[ "$status" -ne 0 ]
	assert_contains "$stderr" yaml
}

@test "--root keeps the state where it says" {
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	[ -d "$ROOT/$ID" ]
	if "$OCIRT" --root "$BATS_TEST_TMPDIR/elsewhere" state "$ID" 2>/dev/null 3>&-; then
		false
	fi
	ocirt state "$ID"
	assert_status 0
}
