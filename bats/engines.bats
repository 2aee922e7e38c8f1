#!/usr/bin/env bats
# Engines drive ocirt through runc's command line: podman (with conmon),
# containerd (ctr, through its runc v2 shim) and dockerd (--add-runtime, on
# that same containerd). Everything is offline: the image is the busybox
# bundle's rootfs, imported from a tar. Each engine keeps its state in a
# directory of this file's own, and its containers' cgroups below a parent
# named after this run; nothing of the host's engines is used.
#
# The runtime the engines get is a wrapper that logs each command line and
# execs ocirt, so that every test can show it was ocirt that did the work.
# A test skips when its engine is not installed (scripts/setup installs all
# three).

load helpers
load helpers/engines

setup_file() {
	eng_setup_file
	if command -v containerd ctr >/dev/null; then
		start_containerd
		if command -v dockerd >/dev/null; then
			start_dockerd
		fi
	fi
}

teardown_file() {
	[ -n "${ENG:-}" ] || return 0
	stop_daemon "$ENG/dockerd.pid"
	stop_daemon "$ENG/containerd.pid"
	eng_teardown_file
}

setup() {
	setup_common
	NAME=ocirt-$BATS_TEST_NUMBER-$$
}

teardown() {
	case $BATS_TEST_DESCRIPTION in
	podman*) command -v podman >/dev/null && pm rm -f -a -t 0 >/dev/null 2>&1 ;;
	ctr*) ctr_cleanup ;;
	CRI*) cri_cleanup ;;
	docker*) [ -S "$ENG/docker.sock" ] && dk rm -f $(dk ps -aq) >/dev/null 2>&1 ;;
	esac
	teardown_common
}

# stop_daemon PIDFILE: SIGTERM, then SIGKILL after 20 s.
stop_daemon() {
	local pid
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null || return 0
	retry_for 20 gone "$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
}

# engine_ready CMD...: poll CMD, quietly, until it succeeds (60 s; dockerd is slow).
engine_ready() {
	retry_for 60 "$@" >/dev/null 2>&1 || {
		echo "engine not ready: $*" >&2
		return 1
	}
}

start_containerd() {
	mkdir -p "$ENG/containerd"
	cat >"$ENG/containerd/config.toml" <<-EOF
		version = 2
		root = "$ENG/containerd/root"
		state = "$ENG/containerd/state"
		[grpc]
		  address = "$ENG/containerd.sock"
		[ttrpc]
		  address = "$ENG/containerd.sock.ttrpc"
		[debug]
		  address = "$ENG/containerd-debug.sock"
		# The CRI: ocirt as its default runtime, through the runc v2 shim; the
		# sandbox ("pause") image is the busybox one, sleeping. No CNI: the
		# pods use the host's network. No AppArmor here; and without
		# CAP_SYS_RESOURCE no oom_score_adj below ours.
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "docker.io/library/ocirt-pause:1"
		  disable_apparmor = true
		  restrict_oom_score_adj = true
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "native"
		    default_runtime_name = "ocirt"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ocirt]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ocirt.options]
		        BinaryName = "$ENG/ocirt"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$ENG/cni/bin"
		    conf_dir = "$ENG/cni/net.d"
	EOF
	containerd --config "$ENG/containerd/config.toml" </dev/null >"$ENG/containerd.log" 2>&1 3>&- &
	echo $! >"$ENG/containerd.pid"
	engine_ready c version
	"$BATS_TEST_DIRNAME/helpers/oci-archive" "$ENG/rootfs.tar" docker.io/library/ocirt-bb:1 "$ENG/image.tar"
	c images import --snapshotter native "$ENG/image.tar" >&2
	# The CRI's images live in containerd's k8s.io namespace.
	"$BATS_TEST_DIRNAME/helpers/oci-archive" "$ENG/rootfs.tar" docker.io/library/ocirt-pause:1 \
		"$ENG/pause.tar" '["sleep","1000000"]'
	c -n k8s.io images import --snapshotter native "$ENG/image.tar" >&2
	c -n k8s.io images import --snapshotter native "$ENG/pause.tar" >&2
}

start_dockerd() {
	dockerd --data-root "$ENG/docker" --exec-root "$ENG/docker-exec" --pidfile "$ENG/dockerd.pidfile" \
		-H "unix://$ENG/docker.sock" --containerd "$ENG/containerd.sock" \
		--bridge=none --iptables=false --ip6tables=false --ip-masq=false --storage-driver vfs \
		--add-runtime "ocirt=$ENG/ocirt" --default-runtime ocirt \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "$CGPARENT/docker" \
		</dev/null >"$ENG/dockerd.log" 2>&1 3>&- &
	echo $! >"$ENG/dockerd.pid"
	engine_ready dk version
	dk import - ocirt-bb:1 <"$ENG/rootfs.tar" >&2
}

# dk ARGS...: Debian's docker client (a newer one may be on PATH) on our dockerd.
dk() {
	local docker=/usr/bin/docker
	[ -x "$docker" ] || docker=docker
	timeout -k 5 120 "$docker" -H "unix://$ENG/docker.sock" "$@" 3>&-
}

# c ARGS...: ctr on our containerd.
c() {
	timeout -k 5 120 ctr -a "$ENG/containerd.sock" "$@" 3>&-
}

ctr_run_opts() {
	CTR_RUN=(--runc-binary "$ENG/ocirt" --snapshotter native --cgroup "$CGPARENT/ctr/$NAME"
		--env "OCIRT_TEST_MARK=$MARK")
}

ctr_cleanup() {
	[ -S "$ENG/containerd.sock" ] || return 0
	local id
	for id in $(c task ls -q 2>/dev/null); do
		c task kill -s KILL "$id" >/dev/null 2>&1
		retry c task rm "$id" >/dev/null 2>&1
	done
	for id in $(c containers ls -q 2>/dev/null); do
		c containers rm "$id" >/dev/null 2>&1
	done
}

# cri ARGS...: our CRI client (bats/helpers/cri) on containerd's CRI.
cri() {
	timeout -k 5 150 /usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/cri" "$ENG/containerd.sock" "$@" 3>&-
}

# has_cri: containerd's CRI plugin is up and grpcio is there for our client.
has_cri() {
	/usr/bin/python3 -c 'import grpc' 2>/dev/null || return 1
	c plugins ls | grep -q 'io.containerd.grpc.v1 *cri .*ok'
}

cri_cleanup() {
	[ -S "$ENG/containerd.sock" ] || return 0
	local id
	for id in $(c -n k8s.io task ls -q 2>/dev/null); do
		c -n k8s.io task kill -s KILL "$id" >/dev/null 2>&1
	done
	[ -n "${POD:-}" ] && { cri stopp "$POD"; cri rmp "$POD"; } >/dev/null 2>&1
	return 0
}

# ctr_task NAME COLUMN: a column of the task's line in `ctr task ls`
# (2: the init's pid, 3: its status).
ctr_task() {
	c task ls | awk -v n="$1" -v col="$2" '$1 == n { print $col }'
}

# frozen PID: the cgroup of PID is frozen (v1 freezer, v2 cgroup.freeze).
frozen() {
	if is_v2; then
		[ "$(cat "$(cg_dir memory "$1")/cgroup.freeze")" = 1 ]
	else
		[ "$(cat "$(cg_dir freezer "$1")/freezer.state")" = FROZEN ]
	fi
}

# memory_limit PID: the memory limit of PID's cgroup in bytes.
memory_limit() {
	if is_v2; then
		cat "$(cg_dir memory "$1")/memory.max"
	else
		cat "$(cg_dir memory "$1")/memory.limit_in_bytes"
	fi
}

# up_and_exec ENGINE CGROUP-PREFIX RUN-ARGS...: `ENGINE run -d RUN-ARGS
# sleep 1000` through ocirt, in the cgroup CGROUP-PREFIX<id>, and an exec in
# it whose exit code comes back. Sets CT_ID and CT_PID.
up_and_exec() {
	local eng=$1 prefix=$2
	shift 2
	run "$eng" run -d "$@" sleep 1000
	[ "$status" -eq 0 ]
	CT_ID=${lines[-1]}
	CT_PID=$("$eng" inspect -f '{{.State.Pid}}' "$CT_ID")
	ocirt_ran create "$CT_ID"
	ocirt_ran start "$CT_ID"
	[ "$(cg_dir memory "$CT_PID")" = "$(cg_mount memory)$prefix$CT_ID" ]

	run "$eng" exec "$CT_ID" sh -c 'echo in; exit 3'
	assert_status 3
	assert_output in
	ocirt_ran exec "$CT_ID"
}

# pause_update_stop_rm ENGINE ID PID UPDATE-ARGS...: the rest of a running
# container's life through podman or docker (same commands, same inspect):
# paused and frozen, running again, a 64 MiB memory limit, stopped with
# SIGKILL after a second (sleep as pid 1 ignores SIGTERM), removed with its cgroup.
pause_update_stop_rm() {
	local eng=$1 id=$2 pid=$3 cg
	shift 3
	cg=$(cg_dir memory "$pid")
	"$eng" pause "$id"
	ocirt_ran pause "$id"
	[ "$("$eng" inspect -f '{{.State.Status}}' "$id")" = paused ]
	frozen "$pid"
	"$eng" unpause "$id"
	ocirt_ran resume "$id"
	! frozen "$pid" || false
	[ "$("$eng" inspect -f '{{.State.Status}}' "$id")" = running ]

	"$eng" update "$@" "$id"
	ocirt_ran update "$id"
	[ "$(memory_limit "$pid")" = 67108864 ]

	"$eng" stop -t 1 "$id"
	ocirt_ran kill "$id"
	[ "$("$eng" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id")" = "exited 137" ]
	gone "$pid"
	"$eng" rm "$id"
	ocirt_ran delete "$id"
	[ ! -e "$cg" ]
}

@test "podman run: output, exit code, a terminal, runc's wording for a missing executable" {
	command -v podman conmon >/dev/null || skip "podman or conmon is not installed"
	pm_image
	pm_run_opts
	run pm run --rm --cidfile "$BATS_TEST_TMPDIR/cid" "${PM_RUN[@]}" localhost/ocirt-bb:1 sh -c 'echo hello; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = hello ]
	local id
	id=$(cat "$BATS_TEST_TMPDIR/cid")
	ocirt_ran create "$id"
	ocirt_ran start "$id"
	ocirt_ran delete "$id"
	run pm run --rm "${PM_RUN[@]}" -t localhost/ocirt-bb:1 tty
	[ "$status" -eq 0 ]
	[[ $output == /dev/pts/* ]]
	run -127 pm run --rm "${PM_RUN[@]}" localhost/ocirt-bb:1 /nosuch
	# podman maps runc's "no such file or directory" to 127
	[ "$status" -eq 127 ]
	assert_contains "$output" "no such file or directory"
}

@test "podman: exec, pause, unpause, update, stop and rm of a running container" {
	command -v podman conmon >/dev/null || skip "podman or conmon is not installed"
	pm_image
	pm_run_opts
	up_and_exec pm "$CGPARENT/podman/libpod-" --name "$NAME" "${PM_RUN[@]}" localhost/ocirt-bb:1
	local id=$CT_ID pid=$CT_PID
	run pm exec -t "$id" tty
	[ "$status" -eq 0 ]
	[[ $output == /dev/pts/* ]]

	pause_update_stop_rm pm "$id" "$pid" --memory 64m
}

@test "ctr run: output, exit code, runc's wording for a missing executable" {
	command -v containerd ctr >/dev/null || skip "containerd is not installed"
	ctr_run_opts
	run c run --rm "${CTR_RUN[@]}" docker.io/library/ocirt-bb:1 "$NAME" sh -c 'echo hello; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = hello ]
	ocirt_ran create "$NAME"
	ocirt_ran start "$NAME"
	ocirt_ran delete "$NAME"
	run c run --rm "${CTR_RUN[@]}" docker.io/library/ocirt-bb:1 "$NAME-missing" /nosuch
	[ "$status" -ne 0 ]
	assert_contains "$output" 'exec: "/nosuch": stat /nosuch: no such file or directory'
	[ -z "$(c containers ls -q)" ]
}

@test "ctr: exec, pause, resume, ps, kill and rm of a running task" {
	command -v containerd ctr >/dev/null || skip "containerd is not installed"
	ctr_run_opts
	c run -d "${CTR_RUN[@]}" docker.io/library/ocirt-bb:1 "$NAME" sleep 1000
	local pid
	pid=$(ctr_task "$NAME" 2)
	[ -n "$pid" ]
	[ "$(cg_dir memory "$pid")" = "$(cg_mount memory)$CGPARENT/ctr/$NAME" ]

	run c task exec --exec-id e1 "$NAME" sh -c 'echo in; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = in ]
	ocirt_ran exec "$NAME"

	c task pause "$NAME"
	ocirt_ran pause "$NAME"
	[ "$(ctr_task "$NAME" 3)" = PAUSED ]
	frozen "$pid"
	c task resume "$NAME"
	ocirt_ran resume "$NAME"
	[ "$(ctr_task "$NAME" 3)" = RUNNING ]
	! frozen "$pid" || false

	run c task ps "$NAME"
	[ "$status" -eq 0 ]
	assert_contains "$output" "$pid"

	c task kill -s KILL "$NAME"
	ocirt_ran kill "$NAME"
	retry eval '[ "$(ctr_task "$NAME" 3)" = STOPPED ]'
	gone "$pid"
	c task rm "$NAME"
	ocirt_ran delete "$NAME"
	c containers rm "$NAME"
	[ ! -e "$(cg_mount memory)$CGPARENT/ctr/$NAME" ]
}

@test "docker run: output, exit code, runc's wording for a missing executable" {
	command -v dockerd containerd >/dev/null || skip "docker.io or containerd is not installed"
	run dk run --rm --name "$NAME" --network none -e "OCIRT_TEST_MARK=$MARK" ocirt-bb:1 sh -c 'echo hello; exit 6'
	[ "$status" -eq 6 ]
	[ "$output" = hello ]
	run -127 dk run --rm --network none ocirt-bb:1 /nosuch
	[ "$status" -eq 127 ]
	assert_contains "$output" "no such file or directory"
}

@test "docker: exec, pause, unpause, update, stop and rm of a running container" {
	command -v dockerd containerd >/dev/null || skip "docker.io or containerd is not installed"
	up_and_exec dk "$CGPARENT/docker/" --name "$NAME" --network none -e "OCIRT_TEST_MARK=$MARK" ocirt-bb:1
	local id=$CT_ID pid=$CT_PID
	pause_update_stop_rm dk "$id" "$pid" --memory 64m --memory-swap 128m
}

@test "CRI (containerd's, through our own client): a pod, a container, exec, update, stop, remove" {
	command -v containerd ctr >/dev/null || skip "containerd is not installed"
	has_cri || skip "no CRI: containerd's plugin is not up, or python3-grpcio is not installed"
	local logs=$ENG/pod-logs/$NAME cg=$CGPARENT/cri/$NAME
	mkdir -p "$logs"
	POD=$(cri runp "$NAME" "$cg" "$logs")
	[ -n "$POD" ]
	ocirt_ran create "$POD"
	ocirt_ran start "$POD"
	local pause_pid
	pause_pid=$(c -n k8s.io task ls | awk -v id="$POD" '$1 == id { print $2 }')
	[ "$(cg_dir memory "$pause_pid")" = "$(cg_mount memory)$cg/$POD" ]

	local id pid
	id=$(cri create "$POD" "$NAME" "$cg" "$logs" "$NAME-c" docker.io/library/ocirt-bb:1 \
		"OCIRT_TEST_MARK=$MARK" -- sh -c 'echo started; exec sleep 1000')
	[ -n "$id" ]
	# containerd makes the task (ocirt create) on StartContainer.
	cri start "$id"
	ocirt_ran create "$id"
	ocirt_ran start "$id"
	[ "$(cri status "$id")" = "RUNNING 0" ]
	pid=$(c -n k8s.io task ls | awk -v id="$id" '$1 == id { print $2 }')
	[ "$(cg_dir memory "$pid")" = "$(cg_mount memory)$cg/$id" ]
	retry grep -q started "$logs/$NAME-c.log"

	run cri exec "$id" 30 sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = "out
err" ]
	ocirt_ran exec "$id"
	# Same pod, own pid namespace: the container's pid 1 is its sleep.
	run cri exec "$id" 30 cat /proc/1/cmdline
	[ "$status" -eq 0 ]
	[[ $output == sleep* ]]

	cri update "$id" 67108864
	ocirt_ran update "$id"
	[ "$(memory_limit "$pid")" = 67108864 ]

	cri stop "$id" 1
	ocirt_ran kill "$id"
	gone "$pid"
	[ "$(cri status "$id")" = "EXITED 137" ]
	cri rm "$id"
	ocirt_ran delete "$id"
	[ ! -e "$(cg_mount memory)$cg/$id" ]

	cri stopp "$POD"
	gone "$pause_pid"
	cri rmp "$POD"
	ocirt_ran delete "$POD"
	[ ! -e "$(cg_mount memory)$cg/$POD" ]
	POD=
}
