#!/usr/bin/env bats
# Lifecycle hooks (config.md "POSIX-platform Hooks", runtime.md "Lifecycle"):
# when each phase runs, where, with what on stdin, and what a failure does.

load helpers

# HOOK_OUT: where the hooks leave their records (host side).
setup() {
	setup_common
	HOOK_OUT=$BATS_TEST_TMPDIR/hooks
	mkdir -p "$HOOK_OUT"
	# record.sh DIR PHASE: save the state from stdin and what this hook sees.
	# Runs in the runtime namespace (host /bin/sh), or for createContainer in
	# the container's namespaces before pivot_root.
	cat >"$BUNDLE/record.sh" <<'EOF'
#!/bin/sh
dir=$1 phase=$2
cat >"$dir/$phase.json"
pid=$(tr -d ' \n' <"$dir/$phase.json" | sed 's/.*"pid":\([0-9]*\).*/\1/')
{
	echo "self-mnt $(readlink /proc/self/ns/mnt)"
	echo "self-net $(readlink /proc/self/ns/net)"
	[ -e "/proc/$pid/cmdline" ] && echo "cmdline $(tr '\0' ' ' <"/proc/$pid/cmdline")"
} >"$dir/$phase.info"
echo "$phase" >>"$dir/order"
EOF
	chmod 0755 "$BUNDLE/record.sh"
	# The startContainer hook's path resolves in the container: a copy in the rootfs.
	mkdir -p "$BUNDLE/rootfs/hooks" "$BUNDLE/rootfs/hookout"
	cp "$BUNDLE/record.sh" "$BUNDLE/rootfs/hooks/record.sh"
}

# add_hook PHASE JSON: append a hook to a phase.
add_hook() {
	update_config --arg p "$1" --argjson h "$2" '.hooks[$p] += [$h]'
}

# recorder PHASE: the hook that runs record.sh for PHASE.
recorder() {
	jq -n --arg p "$BUNDLE/record.sh" --arg d "$HOOK_OUT" --arg ph "$1" \
		'{"path": $p, "args": ["record.sh", $d, $ph]}'
}

# json_field PHASE KEY: a field of the state a hook got.
json_field() {
	jq -r ".$2" "$HOOK_OUT/$1.json"
}

# info PHASE KEY: what record.sh saw.
info() {
	awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$HOOK_OUT/$1.info"
}

@test "every phase runs in order, at its moment, with the state on stdin" {
	for ph in prestart createRuntime createContainer poststart poststop; do
		add_hook "$ph" "$(recorder "$ph")"
	done
	add_hook startContainer '{"path": "/hooks/record.sh", "args": ["record.sh", "/hookout", "startContainer"]}'
	update_config '.annotations = {"hook.test": "yes"}'
	set_args sleep 100
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	pid=$(ct_pid "$ID")
	[ "$(cat "$HOOK_OUT/order")" = "$(printf 'prestart\ncreateRuntime\ncreateContainer')" ]
	[ ! -e "$BUNDLE/rootfs/hookout/startContainer.json" ]

	for ph in prestart createRuntime createContainer; do
		[ "$(json_field $ph id)" = "$ID" ]
		[ "$(json_field $ph status)" = creating ]
		[ "$(json_field $ph bundle)" = "$BUNDLE" ]
		[ "$(json_field $ph '"annotations"."hook.test"')" = yes ]
		[ -n "$(json_field $ph ociVersion)" ]
	done
	# runtime namespace: the pid as the runtime sees it, the host's mounts
	[ "$(json_field prestart pid)" = "$pid" ]
	[ "$(json_field createRuntime pid)" = "$pid" ]
	[ "$(info prestart self-mnt)" = "$(readlink /proc/self/ns/mnt)" ]
	[ "$(info createRuntime self-net)" = "$(readlink /proc/self/ns/net)" ]
	# container namespace: the pid as the container sees it, its mounts and network
	[ "$(json_field createContainer pid)" = 1 ]
	[ "$(info createContainer self-mnt)" = "$(readlink "/proc/$pid/ns/mnt")" ]
	[ "$(info createContainer self-net)" = "$(readlink "/proc/$pid/ns/net")" ]
	# the process has not run yet
	[ -n "$(info prestart cmdline)" ] && [ "$(info prestart cmdline)" != "sleep 100" ] || false

	ocirt start "$ID"
	assert_status 0
	[ "$(cat "$HOOK_OUT/order")" = "$(printf 'prestart\ncreateRuntime\ncreateContainer\npoststart')" ]
	out=$BUNDLE/rootfs/hookout
	[ "$(jq -r .status "$out/startContainer.json")" = created ]
	[ "$(jq -r .id "$out/startContainer.json")" = "$ID" ]
	[ "$(jq -r .pid "$out/startContainer.json")" = 1 ]
	grep -qxF "self-mnt $(readlink "/proc/$pid/ns/mnt")" "$out/startContainer.info"
	# pid 1 had not exec'd the process yet when startContainer ran
	! grep -q "cmdline sleep 100" "$out/startContainer.info" || false
	# poststart: after the process was executed
	[ "$(json_field poststart status)" = running ]
	[ "$(json_field poststart pid)" = "$pid" ]
	[ "$(info poststart cmdline)" = "sleep 100" ]
	[ ! -e "$HOOK_OUT/poststop.json" ]

	ocirt kill "$ID" KILL
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
	[ "$(tail -n 1 "$HOOK_OUT/order")" = poststop ]
	[ "$(json_field poststop status)" = stopped ]
	[ "$(json_field poststop id)" = "$ID" ]
	[ "$(json_field poststop bundle)" = "$BUNDLE" ]
}

@test "run runs the hooks too" {
	for ph in prestart createRuntime createContainer poststart poststop; do
		add_hook "$ph" "$(recorder "$ph")"
	done
	run_ct true
	assert_status 0
	[ "$(cat "$HOOK_OUT/order")" = "$(printf 'prestart\ncreateRuntime\ncreateContainer\npoststart\npoststop')" ]
}

@test "a hook gets exactly its args (args[0] too) and env" {
	bb=$(command -v busybox)
	# busybox picks its applet by argv[0]: "sh" proves args[0] was passed as is.
	add_hook prestart "$(jq -n --arg p "$bb" --arg o "$HOOK_OUT/args" --arg bb "$bb" '{
		"path": $p,
		"args": ["sh", "-c", "echo \"$0|$1|$HOOK_A\" >\"$2\"; \($bb) env >>\"$2\"", "zero", "one", $o],
		"env": ["HOOK_A=a value", "HOOK_B=b"]}')"
	add_hook createRuntime "$(jq -n --arg p "$BUNDLE/record.sh" --arg d "$HOOK_OUT" \
		'{"path": $p, "args": ["record.sh", $d, "noenv"]}')"
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	cat "$HOOK_OUT/args" >&2
	[ "$(head -n 1 "$HOOK_OUT/args")" = "zero|one|a value" ]
	# the environment is the hook's env, nothing of the runtime's
	grep -qxF "HOOK_A=a value" "$HOOK_OUT/args"
	grep -qxF "HOOK_B=b" "$HOOK_OUT/args"
	! grep -q "OCIRT_TEST_MARK\|BATS" "$HOOK_OUT/args" || false
	[ -s "$HOOK_OUT/noenv.json" ]
}

@test "a hook without env gets the runtime's environment (runc, crun)" {
	# runtime side, and from the init (createContainer before pivot_root,
	# startContainer in the container): each writes its environment
	local ph
	for ph in prestart createRuntime createContainer poststart; do
		add_hook "$ph" "$(jq -n --arg o "$HOOK_OUT/$ph.env" '{"path": "/bin/sh", "args": ["sh", "-c", "env >\"$0\"", $o]}')"
	done
	add_hook startContainer '{"path": "/bin/sh", "args": ["sh", "-c", "env >/hookout/startContainer.env"]}'
	set_args true
	export OCIRT_HOOK_PROBE="seen by hooks"
	ocirt run -b "$BUNDLE" "$ID"
	assert_status 0
	cp "$BUNDLE/rootfs/hookout/startContainer.env" "$HOOK_OUT/"
	for ph in prestart createRuntime createContainer startContainer poststart; do
		grep -qxF "OCIRT_HOOK_PROBE=seen by hooks" "$HOOK_OUT/$ph.env"
		grep -qxF "OCIRT_TEST_MARK=$MARK" "$HOOK_OUT/$ph.env"
	done
}

@test "prestart and createRuntime hooks run in the bundle, createContainer ones in the rootfs (runc)" {
	local ph
	for ph in prestart createRuntime createContainer; do
		add_hook "$ph" "$(jq -n --arg o "$HOOK_OUT/$ph.cwd" '{"path": "/bin/sh", "args": ["sh", "-c", "pwd -P >\"$0\"; ls >>\"$0\"", $o]}')"
	done
	touch "$BUNDLE/rootfs/in-the-rootfs"
	set_args true
	# from elsewhere, with --bundle
	cd "$BATS_TEST_TMPDIR"
	ocirt run -b "$BUNDLE" "$ID"
	assert_status 0
	for ph in prestart createRuntime; do
		[ "$(head -n 1 "$HOOK_OUT/$ph.cwd")" = "$(realpath "$BUNDLE")" ]
		grep -qxF config.json "$HOOK_OUT/$ph.cwd"
	done
	[ "$(head -n 1 "$HOOK_OUT/createContainer.cwd")" = "$(realpath "$BUNDLE/rootfs")" ]
	grep -qxF in-the-rootfs "$HOOK_OUT/createContainer.cwd"
}

@test "startContainer hooks run after the seccomp filter is loaded, with noNewPrivileges too" {
	# The hook tries a mkdir that the filter refuses.
	add_hook startContainer '{"path": "/bin/sh", "args": ["sh", "-c",
		"if mkdir /tmp/by-hook 2>/dev/null; then echo made; else echo refused; fi >/hookout/mkdir"]}'
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	set_args true
	local nnp
	for nnp in true false; do
		rm -f "$BUNDLE/rootfs/hookout/mkdir"
		update_config --argjson n "$nnp" '.process.noNewPrivileges = $n'
		ocirt run -b "$BUNDLE" "$ID"
		assert_status 0
		echo "noNewPrivileges $nnp: $(cat "$BUNDLE/rootfs/hookout/mkdir")" >&2
		[ "$(cat "$BUNDLE/rootfs/hookout/mkdir")" = refused ]
		[ ! -e "$BUNDLE/rootfs/tmp/by-hook" ]
	done
}

@test "a hook that runs past its timeout is killed and create fails" {
	# The marker in its env: assert_clean finds the hook if it was left running.
	add_hook prestart "$(jq -n --arg m "OCIRT_TEST_MARK=$MARK" \
		'{"path": "/bin/sleep", "args": ["sleep", "30"], "env": [$m], "timeout": 1}')"
	set_args true
	start=$SECONDS
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[ $((SECONDS - start)) -lt 10 ]
	assert_contains "$stderr" "prestart hook /bin/sleep: timed out after 1 seconds"
	assert_clean
}

@test "a hook that does not read its stdin is fine" {
	# A state bigger than a pipe buffer.
	update_config --arg a "$(head -c 20000 /dev/zero | tr '\0' x)" '.annotations = {"big": $a}'
	for ph in prestart createRuntime createContainer poststart poststop; do
		add_hook "$ph" '{"path": "/bin/true"}'
	done
	run_ct echo ran
	assert_status 0
	assert_output ran
}

@test "a failing prestart or createContainer hook fails create and leaves nothing" {
	for ph in prestart createContainer; do
		cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.orig"
		add_hook "$ph" '{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}'
		set_args sleep 100
		ocirt create -b "$BUNDLE" "$ID"
		[ "$status" -ne 0 ]
		assert_contains "$stderr" "$ph hook /bin/sh: exit status 3"
		ocirt state "$ID"
		[ "$status" -ne 0 ]
		assert_clean
		cp "$BATS_TEST_TMPDIR/config.orig" "$BUNDLE/config.json"
	done
}

@test "a create that fails in a hook or in setup still runs the poststop hooks, after the cleanup" {
	local why
	for why in createRuntime mount; do
		cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.orig"
		rm -f "$HOOK_OUT/poststop.json" "$HOOK_OUT/order"
		add_hook poststop '{"path": "/bin/sh", "args": ["sh", "-c", "exit 6"]}'
		add_hook poststop "$(recorder poststop)"
		if [ "$why" = createRuntime ]; then
			add_hook createRuntime '{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}'
		else
			update_config '.mounts += [{"destination": "/nosuchsrc", "type": "none", "source": "/nonexistent/src", "options": ["bind"]}]'
		fi
		set_args sleep 100
		ocirt create -b "$BUNDLE" "$ID"
		[ "$status" -ne 0 ]
		assert_contains "$stderr" "poststop hook /bin/sh: exit status 6"
		[ "$(cat "$HOOK_OUT/order")" = poststop ]
		[ "$(json_field poststop status)" = stopped ]
		[ "$(json_field poststop id)" = "$ID" ]
		assert_clean
		cp "$BATS_TEST_TMPDIR/config.orig" "$BUNDLE/config.json"
	done
	# a config refused before anything started runs no hook at all
	rm -f "$HOOK_OUT/order"
	add_hook poststop "$(recorder poststop)"
	update_config '.process.args = []'
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ ! -e "$HOOK_OUT/order" ]
}

@test "a hook whose path does not exist fails create" {
	add_hook createContainer '{"path": "/nosuch/hook"}'
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "createContainer hook /nosuch/hook"
	assert_contains "$stderr" "no such file or directory"
	assert_clean
}

# CVE-2019-5736 for the hooks the init runs: until the process's execve its
# image is the runtime's binary, so a hook of "#!/proc/self/exe" would run it.
@test "createContainer and startContainer hooks of #!/proc/self/exe do not run the runtime's binary" {
	evil_entrypoint /evil
	local sum
	sum=$(sha256sum <"$OCIRT")
	# createContainer runs before pivot_root: its path is the host's.
	add_hook createContainer "$(jq -n --arg p "$BUNDLE/rootfs/evil" '{path: $p}')"
	set_args true
	ocirt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "createContainer hook $BUNDLE/rootfs/evil: exit status 127"
	assert_contains "$stderr" "the runtime cannot be run as a container's process"
	assert_clean

	update_config 'del(.hooks)'
	add_hook startContainer '{"path": "/evil"}'
	set_args sleep 100
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	# The init, and so its hooks, write to create's stderr.
	local init_err=$BATS_TEST_TMPDIR/ocirt.$OCIRT_CALLS.err
	ocirt start "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "a startContainer hook failed"
	grep -q "startContainer hook /evil: exit status 127" "$init_err"
	grep -q "the runtime cannot be run as a container's process" "$init_err"
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
	[ "$(sha256sum <"$OCIRT")" = "$sum" ]
}

@test "a failing startContainer hook fails start and stops the container" {
	add_hook startContainer '{"path": "/bin/sh", "args": ["sh", "-c", "exit 4"]}'
	set_args sh -c 'touch /tmp/ran; sleep 100'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt start "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" startContainer
	wait_status "$ID" stopped
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
	ocirt delete "$ID"
	assert_status 0
}

@test "a failing poststart hook fails start and stops the container" {
	add_hook poststart '{"path": "/bin/sh", "args": ["sh", "-c", "exit 5"]}'
	set_args sleep 100
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 0
	ocirt start "$ID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "poststart hook /bin/sh: exit status 5"
	wait_status "$ID" stopped
	ocirt delete "$ID"
	assert_status 0
}

@test "a failing poststop hook is a warning; the other hooks still run and delete succeeds" {
	add_hook poststop '{"path": "/bin/sh", "args": ["sh", "-c", "exit 6"]}'
	add_hook poststop "$(recorder poststop)"
	set_args true
	ocirt run -b "$BUNDLE" "$ID"
	assert_status 0
	assert_contains "$stderr" "poststop hook /bin/sh: exit status 6"
	[ "$(json_field poststop status)" = stopped ]
	ocirt state "$ID"
	[ "$status" -ne 0 ]
}
