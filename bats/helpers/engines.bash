# Shared by the files that drive ocirt through an engine (engines.bats,
# checkpoint.bats): a directory of their own for the engines' state, a
# logging wrapper that execs ocirt, the busybox rootfs as a tar to import,
# and podman with its storage there. Needs helpers.bash loaded first.

# eng_setup_file: in setup_file. ENG (short: dockerd and containerd put
# unix sockets below their roots), OCIRT_LOG (every command line the
# wrapper $ENG/ocirt ran), CGPARENT (the engines' containers' cgroups go
# below it), $ENG/rootfs.tar.
eng_setup_file() {
	ENG=$(mktemp -d /tmp/ocirt-eng.XXXXXX)
	export ENG
	export OCIRT_LOG=$ENG/ocirt.log CGPARENT=/ocirt-bats-eng-$$
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>%s\nexec %s "$@"\n' "$OCIRT_LOG" "$OCIRT" >"$ENG/ocirt"
	chmod 755 "$ENG/ocirt"
	base_bundle
	tar -C "$BASE_BUNDLE/rootfs" -cf "$ENG/rootfs.tar" .
}

# eng_teardown_file: in teardown_file, after the daemons were stopped:
# whatever still names $ENG is killed, unmounted, removed; so are the cgroups.
eng_teardown_file() {
	[ -n "${ENG:-}" ] || return 0
	# Shims outlive containerd by design; they are ours when they name our socket.
	kill_naming "$ENG/"
	mounts_under "$ENG/" | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
	remove_cgroups "$CGPARENT"
	rm -rf --one-file-system "$ENG"
}

# remove_cgroups PATH: rmdir PATH and everything below it in every hierarchy.
remove_cgroups() {
	local m
	for m in $(awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo); do
		[ -d "$m$1" ] || continue
		find "$m$1" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
}

# pm ARGS...: podman with storage of its own, ocirt as the runtime.
pm() {
	timeout -k 5 120 podman --root "$ENG/podman" --runroot "$ENG/podman-run" --tmpdir "$ENG/podman-tmp" \
		--storage-driver vfs --runtime "$ENG/ocirt" --cgroup-manager cgroupfs \
		--events-backend file "$@" 3>&-
}

# The podman image, imported on first use.
pm_image() {
	pm image exists localhost/ocirt-bb:1 || pm import "$ENG/rootfs.tar" localhost/ocirt-bb:1 >&2
}

# Options for `podman run`. As root podman asks for RLIMIT_NOFILE and
# RLIMIT_NPROC above what a sandbox without CAP_SYS_RESOURCE may raise to
# (runc fails there the same way); lowering them always works.
pm_run_opts() {
	PM_RUN=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024
		--cgroup-parent "$CGPARENT/podman" -e "OCIRT_TEST_MARK=$MARK")
}

# ocirt_ran CMD ID: the wrapper logged ocirt CMD for container ID.
ocirt_ran() {
	if ! grep -Eq "(^| )$1( | .* )$2( |\$)" "$OCIRT_LOG"; then
		echo "ocirt $1 was not run for $2; the log has:" >&2
		grep -F "$2" "$OCIRT_LOG" >&2
		return 1
	fi
}
