# Shared setup for the integration tests: every test gets its own state root,
# its own copy of a busybox bundle and a marker in the environment of every
# process it starts, so that teardown can prove nothing was left behind.
#
# OCIRT selects the binary under test (default: build/ocirt of this repo).

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
OCIRT=${OCIRT:-$REPO/build/ocirt}
case $OCIRT in
/*) ;;
*) OCIRT=$REPO/$OCIRT ;;
esac
# Seconds one ocirt command may take before it counts as hung.
OCIRT_TIMEOUT=${OCIRT_TIMEOUT:-60}

# The base bundle is made once per bats run and copied for every test. Its
# env has OCIRT_TEST_MARK=@MARK@ for setup_common to fill in. The steps a
# test takes every time avoid extra processes: each costs tens of
# milliseconds in the emulated v2 guest, jq a quarter of a second.
BASE_BUNDLE=$BATS_RUN_TMPDIR/base-bundle
base_bundle() {
	# mv makes it whole at once: once config.json is there, no lock is needed
	[ -e "$BASE_BUNDLE/config.json" ] || (
		flock 9
		if [ ! -e "$BASE_BUNDLE/config.json" ]; then
			rm -rf "$BASE_BUNDLE.tmp"
			# OCIRT= : the tests' config must not depend on `ocirt spec`.
			OCIRT= "$REPO/scripts/mkbundle" "$BASE_BUNDLE.tmp" >&2
			jq '.process.env += ["OCIRT_TEST_MARK=@MARK@"]' "$BASE_BUNDLE.tmp/config.json" \
				>"$BASE_BUNDLE.tmp/config.json.new"
			mv "$BASE_BUNDLE.tmp/config.json.new" "$BASE_BUNDLE.tmp/config.json"
			mv "$BASE_BUNDLE.tmp" "$BASE_BUNDLE"
		fi
	) 9>"$BATS_RUN_TMPDIR/base-bundle.lock"
}

setup_common() {
	[ -x "$OCIRT" ] || {
		echo "no ocirt binary at $OCIRT (build it, or set OCIRT)" >&2
		return 1
	}
	ID=t${BATS_TEST_NUMBER}-$$
	ROOT=$BATS_TEST_TMPDIR/root
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	MARK=ocirt-bats-$$-$BATS_TEST_NUMBER-$RANDOM
	OCIRT_CALLS=0
	mkdir -p "$ROOT"
	base_bundle
	cp -a "$BASE_BUNDLE" "$BUNDLE"
	# The marker finds the container processes of this test in /proc.
	local config
	IFS= read -r -d '' config <"$BUNDLE/config.json" || true
	printf '%s' "${config/@MARK@/$MARK}" >"$BUNDLE/config.json"
}

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# Pids of live processes that carry this test's marker: ocirt itself (set by
# the wrapper) and every container process (set in config.json). One grep
# over all of /proc: a grep per process cost a second per call.
test_pids() {
	local f pid
	while IFS= read -r f; do
		pid=${f#/proc/}
		pid=${pid%/environ}
		[ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] || continue
		echo "$pid"
	done < <(grep -lszxF "OCIRT_TEST_MARK=$MARK" /proc/[0-9]*/environ)
}

# Mount points under this test's temp dir (bundle and state root).
test_mounts() {
	mounts_under "$BATS_TEST_TMPDIR"
}

# mounts_under PREFIX: the mount points whose path starts with PREFIX.
mounts_under() {
	awk -v dir="$1" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo
}

# kill_naming TEXT: SIGKILL every process whose command line holds TEXT
# (the daemons' leftovers of a test: they name its private directory).
kill_naming() {
	local f pid
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		if tr '\0' ' ' <"$f" 2>/dev/null | grep -qF "$1"; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	done
}

# gone PID: no such process, or a zombie (it may be reaped while we look).
gone() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$st" = Z ]
}

# Cgroup directories named after a container of this test (tests that need
# more than one container name the others "$ID-something").
test_cgroups() {
	# find fails when a directory goes away while it looks (other
	# containers' cgroups come and go): that is no reason to fail here
	find /sys/fs/cgroup -maxdepth 5 -type d \( -name "$ID" -o -name "$ID-*" \) 2>/dev/null || true
}

# Fails (and says why) if this test left a state dir, a process, a mount or a
# cgroup behind. Used by teardown and by tests of failure paths.
assert_clean() {
	local bad=0 left
	left=$(ls -A "$ROOT" 2>/dev/null)
	if [ -n "$left" ]; then
		echo "left behind in the state root $ROOT: $left" >&2
		bad=1
	fi
	left=$(test_pids)
	if [ -n "$left" ]; then
		echo "left behind: processes" $left >&2
		ps -o pid,ppid,stat,args -p "$(echo $left | tr ' ' ,)" >&2 || true
		bad=1
	fi
	left=$(test_mounts)
	if [ -n "$left" ]; then
		echo "left behind: mounts" $left >&2
		bad=1
	fi
	left=$(test_cgroups)
	if [ -n "$left" ]; then
		echo "left behind: cgroups" $left >&2
		bad=1
	fi
	return $bad
}

teardown_common() {
	[ -n "${ROOT:-}" ] || return 0
	local d bad=0 pid pids=()
	for d in "$ROOT"/*; do
		[ -e "$d" ] || continue
		# In case a runtime's processes do not carry the marker.
		pid=$(OCIRT_TEST_MARK=$MARK timeout -k 5 "$OCIRT_TIMEOUT" "$OCIRT" --root "$ROOT" \
			state -- "${d##*/}" 2>/dev/null 3>&-)
		pid=$(state_field pid "$pid")
		[ "${pid:-0}" -gt 0 ] 2>/dev/null && pids+=("$pid")
		OCIRT_TEST_MARK=$MARK timeout -k 5 "$OCIRT_TIMEOUT" \
			"$OCIRT" --root "$ROOT" delete --force -- "${d##*/}" </dev/null >/dev/null 2>&1 3>&- ||
			echo "teardown: delete --force ${d##*/} failed" >&2
	done
	assert_clean || bad=1
	for pid in "${pids[@]}"; do
		if ! gone "$pid"; then
			echo "left behind: the container's init, pid $pid" >&2
			bad=1
			kill -9 "$pid" 2>/dev/null || true
		fi
	done
	# Clean up by force whatever the runtime left, so later tests start clean.
	for pid in $(test_pids); do
		kill -9 "$pid" 2>/dev/null || true
	done
	for d in $(test_mounts | sort -r); do
		umount -l "$d" 2>/dev/null || true
	done
	for d in $(test_cgroups | sort -r); do
		# The sandbox's own memory cgroup is off limits outside a private
		# mount namespace (scripts/test runs bats in one).
		case $d in
		*/process_api/*) [ "${OCIRT_PRIVATE_MNTNS:-0}" = 1 ] || continue ;;
		esac
		rmdir "$d" 2>/dev/null || true
	done
	rm -rf "$ROOT"
	return $bad
}

# OCIRT_AS: a command (array) that ocirt runs under, e.g. as_user's.
OCIRT_AS=()

# ocirt [ARGS...]: run the binary under test with this test's --root, like
# bats' `run`: sets $status, $output (stdout), $stderr and $lines. stdout and
# stderr go to files, not pipes, so a container that keeps them open cannot
# hang the test. stdin is $OCIRT_STDIN (default /dev/null). bats' fd 3 is
# closed so that no container can hold it.
ocirt() {
	OCIRT_CALLS=$((OCIRT_CALLS + 1))
	local out=$BATS_TEST_TMPDIR/ocirt.$OCIRT_CALLS.out err=$BATS_TEST_TMPDIR/ocirt.$OCIRT_CALLS.err
	status=0
	OCIRT_TEST_MARK=$MARK timeout -k 5 "$OCIRT_TIMEOUT" "${OCIRT_AS[@]}" "$OCIRT" --root "$ROOT" "$@" \
		<"${OCIRT_STDIN:-/dev/null}" >"$out" 2>"$err" 3>&- || status=$?
	output=$(cat "$out")
	stderr=$(cat "$err")
	lines=()
	[ -z "$output" ] || mapfile -t lines <<<"$output"
	{
		echo "\$ ocirt $* -> $status"
		[ -z "$output" ] || echo "$output"
		[ -z "$stderr" ] || echo "stderr: $stderr"
	} >&2
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "ocirt $1 timed out after ${OCIRT_TIMEOUT}s" >&2
	fi
	return 0
}

# The command line for running ocirt outside the wrapper (in the background,
# with extra fds): "${OCIRT_CMD[@]}" run ...
ocirt_cmd() {
	OCIRT_TEST_MARK=$MARK "$OCIRT" --root "$ROOT" "$@"
}

# update_config [JQ-OPTIONS...] FILTER: edit this test's config.json.
update_config() {
	local f=$BUNDLE/config.json
	jq "$@" "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
}

# json_array ARGS...: the arguments as a JSON array of strings. They reach
# jq through a file, NUL-separated: jq 1.6 would take a "-c" after --args
# for an option of its own.
json_array() {
	local f=${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/args.nul
	[ $# -gt 0 ] || { echo '[]'; return; }
	printf '%s\0' "$@" >"$f"
	jq -cn --rawfile a "$f" '$a | split("\u0000")[:-1]'
}

# set_args ARGS...: the container's process.args.
set_args() {
	local f=$BUNDLE/config.json a=$BATS_TEST_TMPDIR/args.nul
	printf '%s\0' "$@" >"$a"
	jq --rawfile a "$a" '.process.args = ($a | split("\u0000")[:-1])' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
}

# run_ct ARGS...: run ARGS in a container in the foreground (ocirt run).
run_ct() {
	set_args "$@"
	ocirt run -b "$BUNDLE" "$ID"
}

# state_field NAME JSON: a string or number field of ocirt's state JSON,
# without a jq process (many times per test; each jq costs a quarter of a
# second in the emulated v2 guest). id, status and pid come before any
# annotations there. Empty when absent.
state_field() {
	local re="\"$1\": *\"?([^\",]*)"
	[[ $2 =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# ct_status ID: the status field of `ocirt state ID`, or "error".
ct_status() {
	local s
	s=$(OCIRT_TEST_MARK=$MARK timeout 30 "$OCIRT" --root "$ROOT" state "$1" 2>/dev/null 3>&-) &&
		state_field status "$s" || echo error
}

# ct_pid ID: the pid field of `ocirt state ID`.
ct_pid() {
	local s
	s=$(OCIRT_TEST_MARK=$MARK timeout 30 "$OCIRT" --root "$ROOT" state "$1" 3>&-)
	state_field pid "$s"
}

# wait_status ID STATUS: poll until the container has that status (5 s).
wait_status() {
	local i s
	for i in $(seq 100); do
		s=$(ct_status "$1")
		[ "$s" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1 is $s, not $2" >&2
	return 1
}

# retry CMD...: run CMD until it succeeds (5 s).
retry() {
	retry_for 5 "$@"
}

# retry_for SECONDS CMD...: run CMD every 50 ms until it succeeds.
retry_for() {
	local i
	for i in $(seq $(($1 * 20))); do
		"${@:2}" && return 0
		sleep 0.05
	done
	echo "gave up waiting for: ${*:2}" >&2
	return 1
}

# wait_exit PID: wait (5 s at most) for a background job, then set $status.
wait_exit() {
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "process $1 did not exit" >&2
		kill -9 "$1"
	fi
	status=0
	wait "$1" || status=$?
}

# cmdline_is PID TEXT: the command line, NULs as spaces, is TEXT.
cmdline_is() {
	[ "$(tr '\0' ' ' <"/proc/$1/cmdline")" = "$2" ]
}

# A container that stays up until killed: run -d, status running, and its
# process has exec'd `sleep 100`.
start_sleeper() {
	local id=${1:-$ID}
	set_args sleep 100
	ocirt run -d -b "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	wait_status "$id" running
	retry cmdline_is "$(ct_pid "$id")" "sleep 100 "
}

# Assertions that print what they compared.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit status $1, got $status" >&2
		return 1
	fi
}

assert_output() {
	if [ "$output" != "$1" ]; then
		printf 'expected output:\n%s\ngot:\n%s\n' "$1" "$output" >&2
		return 1
	fi
}

# assert_contains TEXT NEEDLE
assert_contains() {
	if [[ "$1" != *"$2"* ]]; then
		printf 'expected to find: %s\nin: %s\n' "$2" "$1" >&2
		return 1
	fi
}

assert_not_contains() {
	if [[ "$1" == *"$2"* ]]; then
		printf 'did not expect: %s\nin: %s\n' "$2" "$1" >&2
		return 1
	fi
}

# evil_entrypoint PATH: a "#!/proc/self/exe" script at PATH in the rootfs,
# with the runtime's shared libraries beside it, so that a runtime whose
# binary the kernel ran as the container's process would really start there.
evil_entrypoint() {
	local lib
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs$1"
	chmod 755 "$BUNDLE/rootfs$1"
	for lib in $(ldd "$OCIRT" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$BUNDLE/rootfs${lib%/*}"
		cp -L "$lib" "$BUNDLE/rootfs$lib"
	done
}

# is_v2: /sys/fs/cgroup is a pure cgroup v2 host.
is_v2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

# cg_mount CONTROLLER: the mount point of the hierarchy that has CONTROLLER
# (v2: the unified one). Empty when there is none.
cg_mount() {
	if is_v2; then
		echo /sys/fs/cgroup
		return
	fi
	awk -v c="$1" '{
		for (i = 7; i <= NF && $i != "-"; i++);
		if ($(i + 1) != "cgroup") next
		n = split($(i + 3), o, ",")
		for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

# cg_path CONTROLLER [PID]: PID's cgroup (default: this shell's) in that hierarchy.
cg_path() {
	local f=/proc/${2:-self}/cgroup
	if is_v2; then
		awk -F: '$1 == "0" { print $3 }' "$f"
	else
		awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) { print $3; exit } }' "$f"
	fi
}

# cg_dir CONTROLLER [PID]: the directory of PID's cgroup of that controller.
cg_dir() {
	local m p
	m=$(cg_mount "$1")
	[ -n "$m" ] || return 1
	p=$(cg_path "$1" "${2:-self}")
	[ -n "$p" ] || return 1
	echo "$m${p%/}"
}

# An unprivileged user for rootless tests: RL_USER, RL_UID, RL_GID and,
# when useradd gave it subordinate ids (uidmap installed), RL_SUBUID and
# RL_SUBGID (the first id of a range of RL_SUBCOUNT). rl_user_remove takes
# it away again, with its group and its /etc/subuid and /etc/subgid lines.
rl_user_add() {
	RL_USER=ocirt-rl-$$
	useradd -M -d /nonexistent -s /bin/sh -U "$RL_USER" >&2
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	RL_SUBUID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subuid 2>/dev/null) || true
	RL_SUBGID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subgid 2>/dev/null) || true
	RL_SUBCOUNT=$(awk -F: -v u="$RL_USER" '$1 == u { print $3; exit }' /etc/subuid 2>/dev/null) || true
	export RL_USER RL_UID RL_GID RL_SUBUID RL_SUBGID RL_SUBCOUNT
}

rl_user_remove() {
	[ -n "${RL_USER:-}" ] || return 0
	# -f: even if a test left a process of the user (it fails on its own)
	userdel -f "$RL_USER" >&2 || true
	getent group "$RL_USER" >/dev/null && groupdel "$RL_USER" >&2
	return 0
}

# as_user CMD...: CMD as RL_USER (environment kept; HOME is /nonexistent).
# "${AS_USER[@]}" is the same as a command prefix (OCIRT_AS=("${AS_USER[@]}")).
as_user() {
	setpriv --reuid "$RL_UID" --regid "$RL_GID" --clear-groups -- "$@"
}
as_user_prefix() {
	AS_USER=(setpriv --reuid "$RL_UID" --regid "$RL_GID" --clear-groups --)
}

# Every directory above PATH searchable by anyone (mktemp makes them 0700),
# so that an unprivileged user or the ids of a user namespace reach PATH.
open_dirs_above() {
	local d=$1
	while [ "$d" != / ]; do
		chmod a+x "$d"
		d=$(dirname "$d")
	done
}

# not_in_v2vm: skip in scripts/test's pure cgroup v2 guest (OCIRT_V2VM=1),
# whose emulation makes every process slow, for a test that shows nothing
# about cgroups; the host runs it.
not_in_v2vm() {
	[ -z "${OCIRT_V2VM:-}" ] || skip "nothing of cgroups here: the host runs it (the v2 guest is slow)"
}
